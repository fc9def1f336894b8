//! Everything before the first write: connect to both sides, introspect and plan (with the
//! job's transforms). `ferry inspect` stops here; `ferry plan` adds the whole preflight (every
//! value scanned), `ferry migrate` the part of it that needs no pass over the values.

use crate::model::catalog::Catalog;
use crate::model::location::Location;
use crate::model::options::{Job, Options};
use crate::model::progress::{Cancel, Phase, Progress};
use crate::plan::build::{self, PlanInput};
use crate::plan::Plan;
use crate::run::Phases;
use crate::source::Source;
use crate::target::Target;
use crate::{Error, Result};

/// What `ferry inspect` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inspection {
    pub location: String,
    pub catalog: Catalog,
    pub warnings: Vec<String>,
}

/// Introspects one database: tables, columns, types, keys, indexes, row counts.
///
/// # Errors
/// Connection and bad-input errors for the location.
pub fn inspect(location: &Location, pg_schema: &str) -> Result<Inspection> {
    let mut source = Source::open(location, pg_schema)?;
    let catalog = source.introspect()?;
    let mut warnings = source.notes();
    warnings.extend(
        catalog
            .tables
            .iter()
            .flat_map(|t| t.notes.iter().map(move |n| format!("{}: {n}", t.name))),
    );
    Ok(Inspection {
        location: location.display(),
        catalog,
        warnings,
    })
}

/// Connects to both sides, introspects, maps types and runs the preflight; writes nothing.
///
/// # Errors
/// Connection and bad-input errors; findings are returned inside the plan, not as errors.
pub fn plan(options: &Options, progress: &dyn Progress, cancel: &Cancel) -> Result<Plan> {
    let mut phases = Phases::new(progress);
    let (mut source, mut target, mut plan) = prepare(options, Counts::Exact, &mut phases)?;
    phases.run(Phase::Preflight, || {
        crate::run::preflight::run(
            &mut source,
            &mut target,
            &mut plan,
            options.batch_rows,
            progress,
            cancel,
        )
    })?;
    target.rollback();
    Ok(plan)
}

/// When the source's tables are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counts {
    /// While introspecting: every table read once more before the copy, in the snapshot the
    /// copy reads. What a plan shows and what its findings count.
    Exact,
    /// By the copy itself, when nothing before it needs them: a run copying into tables it
    /// creates (the Copy job, nothing into existing tables) learns each table's rows as it
    /// reads them, in the same snapshot, so the count was a full read of every table for
    /// a progress bar (6.9 s of a 70 s run at 5M rows per table, with the source not in
    /// the page cache). Anything that does need them first counts them then
    /// ([`count_rows`]).
    FromTheCopy,
}

/// Connect, introspect and plan: everything before the preflight.
pub(crate) fn prepare(
    options: &Options,
    counts: Counts,
    phases: &mut Phases,
) -> Result<(Source, Target, Plan)> {
    let (mut source, mut target) = open_both(options, phases)?;
    let mut plan = plan_with(options, counts, &mut source, &mut target, phases)?;
    phases.run(Phase::Plan, || {
        // Before the job reads anything (Extract counts the user's rows), and again after
        // it pointed the planned tables at the real ones it reads.
        source.check_row_security(&source_tables(&plan))?;
        crate::jobs::transform_plan(options, &mut plan, &mut source)?;
        build::check_required_columns(&plan)?;
        source.check_row_security(&source_tables(&plan))?;
        target_row_security(&mut target, &mut plan)
    })?;
    crate::plan::names::check(&plan, target.dialect())?;
    Ok((source, target, plan))
}

fn open_both(options: &Options, phases: &mut Phases) -> Result<(Source, Target)> {
    if let (Location::Sqlite { path: a }, Location::Sqlite { path: b }) =
        (&options.source, &options.target)
    {
        if a == b
            || (a.exists()
                && b.exists()
                && std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok())
        {
            return Err(Error::bad_input("source and target are the same file"));
        }
    }
    check_backup_folder(options)?;
    phases.run(Phase::Connect, || {
        let source = Source::open(&options.source, &options.pg_schema)?;
        let target = Target::open(&options.target, &options.pg_schema)?;
        Ok((source, target))
    })
}

fn plan_with(
    options: &Options,
    counts: Counts,
    source: &mut Source,
    target: &mut Target,
    phases: &mut Phases,
) -> Result<Plan> {
    let (mut source_catalog, mut target_catalog) = phases.run(Phase::Introspect, || {
        let target_catalog = target.introspect_existing()?;
        let wait = counts == Counts::FromTheCopy
            && matches!(options.job, Job::Copy)
            && !options.into_existing
            && options.replace.is_empty();
        if !wait {
            return Ok((source.introspect()?, target_catalog));
        }
        let catalog = source.introspect_schema()?;
        // A table the target already has is planned against it, and those findings count
        // the source's rows.
        let meets_the_target = target_catalog.as_ref().is_some_and(|existing| {
            catalog.tables.iter().any(|t| {
                existing
                    .tables
                    .iter()
                    .any(|e| e.name.eq_ignore_ascii_case(&t.name))
            })
        });
        let catalog = if meets_the_target {
            source.introspect()?
        } else {
            catalog
        };
        Ok((catalog, target_catalog))
    })?;
    crate::jobs::transform_catalogs(options, &mut source_catalog, target_catalog.as_mut())?;
    let target_file_exists = matches!(&options.target, Location::Sqlite { path } if path.exists());
    let input = PlanInput {
        options,
        source: &source_catalog,
        target: target_catalog.as_ref(),
        target_dialect: target.dialect(),
        source_display: source.display().to_string(),
        target_display: target.display().to_string(),
        target_file_exists,
        seeded_rules: true,
    };
    // The reference check reads both sides, but before anything is written: part of planning.
    let plan = phases.run(Phase::Plan, || {
        let mut plan = build::build(&input, &mut |t, c| source.sqlite_storage_classes(t, c))?;
        // Each column's existing rows, where they show one form, decide how it is written.
        let wanted = crate::plan::evidence::wanted(&plan, target.dialect());
        let samples =
            target.sample_existing(&wanted, crate::model::stored_forms::SAMPLE_PER_COLUMN)?;
        crate::plan::evidence::apply(&mut plan, &samples, options.conventions);
        crate::run::references::check(
            options,
            source,
            &source_catalog,
            target_catalog.as_ref(),
            target.dialect(),
            &mut plan,
        )?;
        Ok(plan)
    })?;
    // How the source was read (a recovery applied) comes first: it qualifies everything else.
    let mut plan = plan;
    plan.warnings.splice(0..0, source.notes());
    Ok(plan)
}

/// Counts, in the source's snapshot, the rows of the planned tables whose count was left
/// to the copy ([`Counts::FromTheCopy`]), for what needs them before it: a finding that
/// counts a table's rows, or a scan split into parts.
///
/// # Errors
/// Database errors while counting.
pub(crate) fn count_rows(source: &mut Source, plan: &mut Plan) -> Result<()> {
    if plan.tables.iter().all(|t| t.rows.is_some()) {
        return Ok(());
    }
    let catalog = source.introspect()?;
    for t in plan.tables.iter_mut().filter(|t| t.rows.is_none()) {
        t.rows = catalog.table(&t.source_table).and_then(|c| c.row_count);
    }
    Ok(())
}

/// The source tables a plan reads (after the job pointed them at their real tables).
pub(crate) fn source_tables(plan: &Plan) -> Vec<String> {
    plan.tables.iter().map(|t| t.source_table.clone()).collect()
}

/// Existing PostgreSQL target tables whose row-level security applies to the role Ferry
/// writes as: their policies would refuse rows (`WITH CHECK`) or hide them from the
/// verifier's re-read, so the run would fail late or compare a filtered view. A blocking
/// finding per table, in the plan, before anything is written.
fn target_row_security(target: &mut Target, plan: &mut Plan) -> Result<()> {
    if plan.mode != crate::plan::Mode::IntoExisting {
        return Ok(());
    }
    let tables: Vec<String> = plan.tables.iter().map(|t| t.target_table.clone()).collect();
    let Some(filtered) = target.row_security(&tables)? else {
        return Ok(());
    };
    let role = &filtered.role;
    for (table, forced) in &filtered.tables {
        let (why, way_out) = if *forced {
            (
                format!("role \"{role}\" owns the table, but FORCE ROW LEVEL SECURITY applies the policies to the owner too"),
                format!("connect as a superuser or a role with BYPASSRLS (ALTER ROLE \"{role}\" BYPASSRLS), or turn FORCE off for the load (ALTER TABLE … NO FORCE ROW LEVEL SECURITY)"),
            )
        } else {
            (
                format!("role \"{role}\" is not the owner, not a superuser and has no BYPASSRLS"),
                format!("connect as the table's owner or as a role with BYPASSRLS (ALTER ROLE \"{role}\" BYPASSRLS)"),
            )
        };
        let rows = plan
            .tables
            .iter()
            .find(|t| &t.target_table == table)
            .and_then(|t| t.rows)
            .unwrap_or(0);
        plan.findings.push(crate::model::finding::Finding {
            severity: crate::model::finding::Severity::Blocking,
            kind: crate::model::finding::ProblemKind::RowLevelSecurity,
            table: table.clone(),
            column: None,
            count: rows,
            samples: vec![],
            message: format!("row-level security on the target table applies to the role Ferry writes as ({why}): its policies could refuse the rows or hide them from verification"),
            remedies: vec![crate::model::finding::Remedy::ChangeRole { advice: way_out }],
            resolved_by: None,
        });
    }
    Ok(())
}

/// A `--backup-dir` that cannot hold the backup is found now, before the preflight, not in
/// the backup phase after it. A folder that does not exist yet is made by the backup.
fn check_backup_folder(options: &Options) -> Result<()> {
    let crate::model::options::BackupChoice::Dir(dir) = &options.backup else {
        return Ok(());
    };
    if !matches!(&options.target, Location::Sqlite { path } if path.exists()) {
        return Ok(());
    }
    if dir.exists() && !dir.is_dir() {
        return Err(Error::bad_input(format!(
            "the backup folder {} is a file, not a folder; choose a folder for the backup (it is made if missing)",
            dir.display()
        )));
    }
    if dir.is_dir() {
        if let Err(e) = crate::support::temp_files::probe_writable(dir) {
            return Err(Error::bad_input(format!(
                "cannot write the backup in the folder {} ({}); choose a folder you can write to",
                dir.display(),
                e.to_string()
                    .split(" (os error")
                    .next()
                    .unwrap_or_default()
                    .to_lowercase()
            )));
        }
    }
    Ok(())
}
