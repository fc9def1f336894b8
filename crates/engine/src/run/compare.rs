//! `ferry verify`: compare two databases' content table by table, re-reading both. Both are
//! opened as sources (read-only snapshots) and planned `into_existing`, so columns match by
//! name and the first side's values are converted with the same rules a migration would use.

use crate::model::catalog::Dialect;
use crate::model::options::OptionName;
use crate::model::options::Options;
use crate::model::progress::{Cancel, Event, Phase, Progress};
use crate::model::report::{Check, Outcome, Report, TableReport, Verification};
use crate::plan::build::{self, PlanInput};
use crate::plan::reads::converter_for;
use crate::run::verify::table::{compare_table, verification_summary};
use crate::run::verify::{locate_differences, source_digest, target_digest, TypedReader};
use crate::run::{Run, RunError};
use crate::source::Source;
use crate::{Error, Result};

/// Compares the content of two databases table by table (re-reading both), converting `a`'s
/// values to `b`'s column types with the same rules a migration would use (`options`:
/// time zones, epochs, policies).
///
/// # Errors
/// A [`RunError`] when either side cannot be read; a content difference is
/// `Error::Differ` inside it, with the report naming tables and rows.
pub fn compare(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    let mut run = Run::new("verify", options, progress, cancel);
    run.report.dry_run = false;
    let result = compare_run(&mut run);
    run.finish(result)
}

fn compare_run(run: &mut Run) -> Result<()> {
    let (options, progress, cancel) = (run.options, run.progress, run.cancel);
    let (mut a, mut b) = run.phases.run(Phase::Connect, || {
        Ok((
            Source::open(&options.source, &options.pg_schema)?,
            Source::open(&options.target, &options.pg_schema)?,
        ))
    })?;
    let (ca, cb) = run
        .phases
        .run(Phase::Introspect, || Ok((a.introspect()?, b.introspect()?)))?;
    let mut opts = options.clone();
    opts.into_existing = true;
    opts.append = true;
    let input = PlanInput {
        options: &opts,
        source: &ca,
        target: Some(&cb),
        target_dialect: b.dialect(),
        source_display: a.display().to_string(),
        target_display: b.display().to_string(),
        target_file_exists: true,
        seeded_rules: false,
    };
    let plan = run
        .phases
        .run(Phase::Plan, || build::build(&input, &mut |_, _| Ok(vec![])))?;
    // Both sides are read as sources: neither may be a view filtered by row security.
    let (a_tables, b_tables): (Vec<String>, Vec<String>) = plan
        .tables
        .iter()
        .map(|t| (t.source_table.clone(), t.target_table.clone()))
        .unzip();
    a.check_row_security(&a_tables)?;
    b.check_row_security(&b_tables)?;
    run.report.warnings = a.notes();
    run.report.warnings.extend(b.notes());
    run.report.warnings.extend(plan.warnings.iter().cloned());
    run.report.findings = plan.findings.clone();
    let to_sqlite = b.dialect() == Dialect::Sqlite;
    let verification = run.phases.run(Phase::Verify, || {
        let mut tables = vec![];
        let mut checks = vec![];
        for t in &plan.tables {
            cancel.check()?;
            progress.event(Event::TableStarted {
                phase: Phase::Verify,
                table: t.target_table.clone(),
                rows: t.rows,
            });
            let converter = converter_for(t, to_sqlite);
            let (sd, unconvertible) = source_digest(&mut a, t, &converter, options.batch_rows)?;
            if unconvertible > 0 {
                checks.push(Check {
                    name: format!("{}: source values convert", t.source_table),
                    passed: false,
                    detail: format!("{unconvertible} source row(s) cannot be converted to the target's column types (ferry plan lists them)"),
                });
            }
            let mut reader = match &mut b {
                Source::Sqlite { conn, .. } => TypedReader::Sqlite(conn, plan.storage()),
                Source::Postgres { client, schema, .. } => {
                    TypedReader::Postgres(client, schema.as_str())
                }
                Source::Bundle { .. } => {
                    return Err(Error::bad_option(
                        OptionName::To,
                        format!(
                            "a bundle can be compared as {} only; give the database as {}",
                            OptionName::From.mention(),
                            OptionName::To.mention()
                        ),
                    ))
                }
            };
            let td = target_digest(&mut reader, t)?;
            tables.push(compare_table(t, &sd, &td, || {
                locate_differences(&mut a, &mut reader, t, &converter, options.batch_rows)
            })?);
        }
        if let Source::Sqlite { conn, .. } = &b {
            checks.push(crate::run::verify::sqlite_foreign_key_check(conn)?);
        }
        let passed = tables.iter().all(|t| t.digest_match) && checks.iter().all(|c| c.passed);
        Ok(Verification {
            passed,
            tables,
            checks,
        })
    })?;
    run.report.tables = verification
        .tables
        .iter()
        .map(|v| TableReport {
            source_table: v.table.clone(),
            target_table: v.table.clone(),
            rows_read: v.source_rows,
            rows_verified: Some(v.target_rows),
            ..Default::default()
        })
        .collect();
    let passed = verification.passed;
    let summary = verification_summary(&verification);
    run.report.verification = Some(verification);
    if passed {
        run.report.outcome = Outcome::Verified;
        Ok(())
    } else {
        Err(Error::Differ { summary })
    }
}
