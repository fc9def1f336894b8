//! References into tables the run does not copy (issue 10, point 2): a copied table whose
//! foreign key reaches a table that stays as the target has it. When that table's rows differ
//! between the source and the target, every copied reference silently means another row on
//! the target (Django: `--exclude auth_permission,django_content_type` re-points the user
//! permissions and the admin log at other permissions and models, while the copy itself
//! verifies). That is a blocking finding naming both tables and the keys that differ, found
//! before anything is written.
//!
//! The parent is compared the way `ferry verify` compares a table: planned into the target's
//! table by name, both sides re-read and digested, and the differing rows located by key. Only
//! rows the source has (changed or missing on the target) count: a row only the target has
//! cannot be what a source reference means.

use std::collections::BTreeMap;

use crate::model::catalog::{Catalog, Dialect};
use crate::model::finding::{Finding, ProblemKind, Remedy, Sample, Severity, MAX_SAMPLES};
use crate::model::options::{Job, Options};
use crate::plan::build::{self, PlanInput};
use crate::plan::reads::converter_for;
use crate::plan::Plan;
use crate::run::verify::{locate_differences, source_digest, target_digest, TypedReader};
use crate::source::Source;
use crate::Result;

/// Adds a blocking finding to `plan` for every copied table that references a table the run
/// does not copy whose rows differ between `source` and the target.
///
/// # Errors
/// Connection and database errors while reading either side.
pub fn check(
    options: &Options,
    source: &mut Source,
    source_catalog: &Catalog,
    target_catalog: Option<&Catalog>,
    target_dialect: Dialect,
    plan: &mut Plan,
) -> Result<()> {
    let Some(target_catalog) = target_catalog else {
        return Ok(());
    };
    // Promote and Extract reshape the tables (owners, singletons): their own checks cover them.
    if !options.into_existing || !matches!(options.job, Job::Copy) {
        return Ok(());
    }
    // Parent table → the copied tables (and their FK columns) that reference it.
    let mut parents: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for t in &plan.tables {
        if t.rows == Some(0) {
            continue;
        }
        for fk in t
            .target_def
            .foreign_keys
            .iter()
            .chain(&t.source_def.foreign_keys)
        {
            let copied = plan.tables.iter().any(|p| p.target_table == fk.ref_table);
            let in_both = source_catalog.table(&fk.ref_table).is_some()
                && target_catalog
                    .table(&fk.ref_table)
                    .is_some_and(|p| p.row_count.unwrap_or(0) > 0);
            if copied || !in_both {
                continue;
            }
            let entry = (t.source_table.clone(), fk.columns.join(", "));
            let list = parents.entry(fk.ref_table.clone()).or_default();
            if !list.contains(&entry) {
                list.push(entry);
            }
        }
    }
    if parents.is_empty() {
        return Ok(());
    }
    let mut target = Source::open(&options.target, &options.pg_schema)?;
    for (parent, children) in parents {
        let mut opts = options.clone();
        opts.tables = vec![parent.clone()];
        opts.exclude = vec![];
        opts.replace = vec![];
        opts.append = true;
        let input = PlanInput {
            options: &opts,
            source: source_catalog,
            target: Some(target_catalog),
            target_dialect,
            source_display: plan.source.clone(),
            target_display: plan.target.clone(),
            target_file_exists: true,
            seeded_rules: false,
        };
        let parent_plan = build::build(&input, &mut |_, _| Ok(vec![]))?;
        let Some(tp) = parent_plan.tables.first() else {
            continue;
        };
        let converter = converter_for(tp, target_dialect == Dialect::Sqlite);
        let (sd, _) = source_digest(source, tp, &converter, options.batch_rows)?;
        let mut reader = match &mut target {
            Source::Sqlite { conn, .. } => TypedReader::Sqlite(conn, parent_plan.storage()),
            Source::Postgres { client, schema, .. } => {
                TypedReader::Postgres(client, schema.as_str())
            }
            Source::Bundle { .. } => return Ok(()),
        };
        let td = target_digest(&mut reader, tp)?;
        if sd == td {
            continue;
        }
        let differences: Vec<_> =
            locate_differences(source, &mut reader, tp, &converter, options.batch_rows)?
                .into_iter()
                .filter(|d| d.kind != "only_in_target")
                .collect();
        if differences.is_empty() {
            continue;
        }
        let keys: Vec<&str> = differences.iter().map(|d| d.key.as_str()).collect();
        for (child, columns) in children {
            plan.findings.push(Finding {
                severity: Severity::Blocking,
                kind: ProblemKind::ReferenceToUncopiedTable,
                table: child.clone(),
                column: Some(columns.clone()),
                count: differences.len() as u64,
                samples: differences
                    .iter()
                    .take(MAX_SAMPLES)
                    .map(|d| Sample {
                        key: format!("{parent} {}", d.key),
                        value: d.kind.clone(),
                        detail: d.detail.clone(),
                    })
                    .collect(),
                message: format!(
                    "{child} ({columns}) refers to {parent}, which is not copied, and {parent}'s rows differ between the source and the target ({}{}): the copied references would point at other rows",
                    keys.join(", "),
                    if differences.len() >= crate::run::verify::MAX_DIFFERENCES { ", …" } else { "" }
                ),
                remedies: vec![
                    Remedy::CopyAndReplace {
                        table: parent.clone(),
                    },
                    Remedy::ExcludeTable {
                        table: child.clone(),
                    },
                ],
                resolved_by: None,
            });
        }
    }
    Ok(())
}
