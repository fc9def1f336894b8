//! The engine's front door: the things a front end asks for. Each connects, runs its
//! phases and returns a typed result; none prints or prompts.

use std::time::Instant;

use crate::catalog::{Catalog, Dialect};
use crate::copy::TableCopy;
use crate::location::{mask_secrets, Location};
use crate::options::{BackupChoice, Options};
use crate::plan::{Mode, Plan};
use crate::planner::{self, PlanInput};
use crate::progress::{Cancel, Event, Phase, Progress};
use crate::report::{
    Check, Outcome, PhaseTiming, Report, TableReport, TableVerification, Verification,
};
use crate::source::Source;
use crate::target::Target;
use crate::verify::TypedReader;
use crate::{Error, ErrorKind, Result};

/// What `ferry inspect` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inspection {
    pub location: String,
    pub catalog: Catalog,
    pub warnings: Vec<String>,
}

/// A run that did not succeed, with the report of how far it got.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct RunError {
    pub error: Error,
    pub report: Box<Report>,
}

/// Introspects one database: tables, columns, types, keys, indexes, row counts.
///
/// # Errors
/// Connection and bad-input errors for the location.
pub fn inspect(location: &Location, pg_schema: &str) -> Result<Inspection> {
    let mut source = Source::open(location, pg_schema)?;
    let catalog = source.introspect()?;
    let warnings = catalog
        .tables
        .iter()
        .flat_map(|t| t.notes.iter().map(move |n| format!("{}: {n}", t.name)))
        .collect();
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
    let (_source, mut target, plan) = prepare(options, &mut phases, progress, cancel)?;
    target.rollback();
    Ok(plan)
}

/// Connect, introspect, plan and preflight: everything before the first write.
fn prepare(
    options: &Options,
    phases: &mut Phases,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<(Source, Target, Plan)> {
    let (mut source, mut target) = open_both(options, phases)?;
    let mut plan = plan_with(options, &mut source, &mut target, phases)?;
    phases.run(Phase::Plan, || {
        crate::jobs::transform_plan(options, &mut plan, &mut source)?;
        planner::check_required_columns(&plan)
    })?;
    crate::names::check(&plan, target.dialect())?;
    let to_sqlite = target.wants_sqlite_rows();
    phases.run(Phase::Preflight, || {
        crate::preflight::run(
            &mut source,
            &mut plan,
            to_sqlite,
            options.batch_rows,
            progress,
            cancel,
        )
    })?;
    Ok((source, target, plan))
}

/// The full run: plan, preflight, backup, copy, finish, verify, then commit (or roll back
/// on dry run, failure or cancel).
///
/// # Errors
/// A [`RunError`] carrying the error and the report so far.
pub fn migrate(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    if matches!(options.target, Location::Bundle { .. }) {
        // Migrating into a bundle is exporting: the bundle keeps the source's own terms.
        return export(options, progress, cancel);
    }
    let mut report = Report::new(
        "migrate",
        options.source.display(),
        options.target.display(),
    );
    report.dry_run = options.dry_run;
    let started = Instant::now();
    let watched = crate::pause::Watched::wrap(progress, cancel);
    let progress: &dyn Progress = watched.as_ref().map_or(progress, |w| w);
    let mut phases = Phases::new(progress);
    let result = run_migrate(options, progress, cancel, &mut report, &mut phases);
    let finished = finish_report(report, phases, started, result)?;
    match options.job.bundle_dir() {
        Some(dir) if finished.outcome == Outcome::Committed => {
            with_bundle(finished, &options.target, dir, progress, cancel)
        }
        _ => Ok(finished),
    }
}

/// Writes the committed target as a bundle too (Extract's `--bundle`). The target stays
/// committed if the bundle fails: the error says so, and the report still says `committed`.
fn with_bundle(
    mut report: Report,
    target: &Location,
    dir: &std::path::Path,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    match crate::bundle::export(target, dir, progress, cancel) {
        Ok(bundle) => {
            report.bundle = Some(crate::report::BundleInfo {
                dir: dir.display().to_string(),
                tables: bundle.tables.len(),
                rows: bundle.tables.iter().map(|t| t.rows_written).sum(),
            });
            Ok(report)
        }
        Err(failed) => {
            let error = Error::runtime(format!(
                "{} was written and verified, but the bundle {} was not: {}",
                target.display(),
                dir.display(),
                failed.error
            ));
            report.error = Some(mask_secrets(&error.to_string()));
            Err(RunError {
                error,
                report: Box::new(report),
            })
        }
    }
}

/// Writes `options.source` into a new bundle folder (`options.target`, a
/// [`Location::Bundle`]): every table as JSON Lines in the source's own terms, its schema and
/// a manifest of SHA-256s; checked by reading it back, then renamed into place. Honours
/// `tables`, `exclude`, `batch_rows`, `pg_schema` and `dry_run`. See [`crate::bundle`].
///
/// # Errors
/// A [`RunError`] carrying the error and the report so far.
pub fn export(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    let mut report = Report::new("export", options.source.display(), options.target.display());
    report.dry_run = options.dry_run;
    let started = Instant::now();
    let mut phases = Phases::new(progress);
    let result = crate::bundle::export::run(options, progress, cancel, &mut report, &mut phases);
    finish_report(report, phases, started, result)
}

/// Compares the content of two databases table by table (re-reading both), converting `a`'s
/// values to `b`'s column types with the same rules a migration would use (`options`:
/// time zones, epochs, policies).
///
/// # Errors
/// A [`RunError`] when either side cannot be read; a content difference is
/// `Error::VerificationFailed` inside it, with the report naming tables and rows.
pub fn verify(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    let mut report = Report::new("verify", options.source.display(), options.target.display());
    let started = Instant::now();
    let mut phases = Phases::new(progress);
    let result = run_verify(options, progress, cancel, &mut report, &mut phases);
    finish_report(report, phases, started, result)
}

fn finish_report(
    mut report: Report,
    phases: Phases,
    started: Instant,
    result: Result<()>,
) -> std::result::Result<Report, RunError> {
    report.phases = phases.timings;
    report.seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => Ok(report),
        Err(error) => {
            report.outcome = match error.kind() {
                ErrorKind::Verification => Outcome::VerificationFailed,
                ErrorKind::Cancelled => Outcome::Cancelled,
                _ => Outcome::Failed,
            };
            report.error = Some(mask_secrets(&error.to_string()));
            Err(RunError {
                error,
                report: Box::new(report),
            })
        }
    }
}

/// Times phases and tells the progress watcher.
pub(crate) struct Phases<'a> {
    progress: &'a dyn Progress,
    timings: Vec<PhaseTiming>,
}

impl<'a> Phases<'a> {
    fn new(progress: &'a dyn Progress) -> Self {
        Phases {
            progress,
            timings: vec![],
        }
    }

    pub(crate) fn run<T>(&mut self, phase: Phase, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.progress.event(Event::PhaseStarted { phase });
        let t = Instant::now();
        let result = f();
        let seconds = t.elapsed().as_secs_f64();
        self.progress.event(Event::PhaseFinished { phase, seconds });
        match self.timings.iter_mut().find(|p| p.phase == phase) {
            Some(p) => p.seconds += seconds,
            None => self.timings.push(PhaseTiming { phase, seconds }),
        }
        result
    }
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
    phases.run(Phase::Connect, || {
        let source = Source::open(&options.source, &options.pg_schema)?;
        let target = Target::open(&options.target, &options.pg_schema)?;
        Ok((source, target))
    })
}

fn plan_with(
    options: &Options,
    source: &mut Source,
    target: &mut Target,
    phases: &mut Phases,
) -> Result<Plan> {
    let (mut source_catalog, mut target_catalog) = phases.run(Phase::Introspect, || {
        Ok((source.introspect()?, target.introspect_existing()?))
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
    };
    phases.run(Phase::Plan, || {
        planner::build(&input, &mut |t, c| source.sqlite_storage_classes(t, c))
    })
}

fn run_migrate(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
    report: &mut Report,
    phases: &mut Phases,
) -> Result<()> {
    let (mut source, mut target, mut plan) = prepare(options, phases, progress, cancel)?;
    report.warnings = plan.warnings.clone();
    report.not_migrated = plan.not_migrated.clone();
    report.findings = plan.findings.clone();
    let blocking = plan.blocking_findings();
    if blocking > 0 {
        target.rollback();
        return Err(Error::PreflightBlocked { count: blocking });
    }
    cancel.check()?;
    let result = write_verify_commit(
        options,
        &mut plan,
        &mut source,
        &mut target,
        progress,
        cancel,
        report,
        phases,
    );
    result.map_err(|error| {
        target.rollback();
        // A PostgreSQL COMMIT whose connection was lost may or may not have happened.
        let committing = phases
            .timings
            .last()
            .is_some_and(|p| p.phase == Phase::Commit);
        let uncertain = committing
            && target.dialect() == Dialect::Postgres
            && error.kind() == ErrorKind::Connection;
        if uncertain {
            error
        } else {
            error.rolled_back()
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn write_verify_commit(
    options: &Options,
    plan: &mut Plan,
    source: &mut Source,
    target: &mut Target,
    progress: &dyn Progress,
    cancel: &Cancel,
    report: &mut Report,
    phases: &mut Phases,
) -> Result<()> {
    let into_existing = plan.mode == Mode::IntoExisting;
    report.backup = phases.run(Phase::Backup, || backup(options))?;
    phases.run(Phase::Schema, || {
        target.begin(into_existing)?;
        crate::target_ddl::create_schema(target, plan)?;
        crate::jobs::prepare_target(options, plan, target)
    })?;
    let plan = &*plan;
    cancel.check()?;
    let copies = phases.run(Phase::Copy, || {
        crate::copy::copy_tables(source, target, plan, options.batch_rows, progress, cancel)
    })?;
    cancel.check()?;
    crate::memory::release_free_memory();
    phases.run(Phase::Indexes, || {
        crate::target_ddl::create_indexes(target, plan)
    })?;
    phases.run(Phase::Constraints, || {
        crate::target_ddl::create_constraints(target, plan)
    })?;
    phases.run(Phase::Sequences, || {
        crate::target_ddl::reset_sequences(target, plan)
    })?;
    cancel.check()?;
    crate::memory::release_free_memory();
    let verification = phases.run(Phase::Verify, || {
        verify_target(source, target, plan, &copies, options, progress)
    })?;
    report.tables = plan
        .tables
        .iter()
        .zip(&copies)
        .zip(&verification.tables)
        .map(|((t, c), v)| TableReport {
            source_table: t.source_table.clone(),
            target_table: t.target_table.clone(),
            rows_read: c.rows_read,
            rows_written: c.rows_written,
            rows_verified: Some(v.target_rows),
            bytes: c.bytes,
            seconds: c.seconds,
        })
        .collect();
    let passed = verification.passed;
    let summary = verification_summary(&verification);
    report.verification = Some(verification);
    if !passed {
        return Err(Error::VerificationFailed { summary });
    }
    cancel.check()?;
    phases.run(Phase::Commit, || {
        if options.dry_run {
            target.rollback();
            report.outcome = Outcome::RolledBack;
        } else {
            target.commit()?;
            report.outcome = Outcome::Committed;
        }
        Ok(())
    })?;
    crate::jobs::finish_report(options, plan, report);
    Ok(())
}

fn verification_summary(v: &Verification) -> String {
    let mut parts: Vec<String> = v
        .tables
        .iter()
        .filter(|t| !t.digest_match)
        .map(|t| match t.differences.first() {
            Some(d) => format!(
                "table {} differs ({} {}{})",
                t.table,
                d.kind.replace('_', " "),
                d.key,
                if d.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", d.detail)
                }
            ),
            None => format!(
                "table {} differs ({} source rows, {} target rows)",
                t.table, t.source_rows, t.target_rows
            ),
        })
        .collect();
    parts.extend(
        v.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.name, c.detail)),
    );
    parts.join("; ")
}

fn backup(options: &Options) -> Result<Option<crate::report::BackupInfo>> {
    let dir = match &options.backup {
        BackupChoice::Skip => return Ok(None),
        BackupChoice::Dir(d) => Some(d.as_path()),
        BackupChoice::Default => None,
    };
    match &options.target {
        Location::Sqlite { path } if path.exists() => {
            crate::backup::backup_sqlite_file(path, dir).map(Some)
        }
        _ => Ok(None),
    }
}

fn verify_target(
    source: &mut Source,
    target: &mut Target,
    plan: &Plan,
    copies: &[TableCopy],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Verification> {
    let batch_rows = options.batch_rows;
    let mut tables = vec![];
    let mut checks = vec![];
    let to_sqlite = target.wants_sqlite_rows();
    // A SQLite target is digested (and its foreign keys checked) on parallel readers of the
    // committed temporary file; a PostgreSQL target is read inside its own transaction.
    let sqlite_digests = match target.sqlite_writer() {
        Some(writer) => {
            writer.commit()?;
            let result = crate::parallel_verify::verify_sqlite_file(
                writer.path(),
                &plan.tables,
                batch_rows,
                crate::workers::reader_threads(),
            );
            writer.begin()?;
            let verified = result?;
            checks.push(verified.foreign_keys);
            Some(verified.digests)
        }
        None => None,
    };
    for (i, (t, copy)) in plan.tables.iter().zip(copies).enumerate() {
        progress.event(Event::TableStarted {
            phase: Phase::Verify,
            table: t.target_table.clone(),
            rows: Some(copy.rows_written),
        });
        let started = Instant::now();
        let mut reader = typed_reader_for(target)?;
        let digest = match &sqlite_digests {
            Some(digests) => digests[i].clone(),
            None => crate::verify::target_digest(&mut reader, t, batch_rows)?,
        };
        let matched = digest == copy.digest;
        let differences = if matched {
            vec![]
        } else {
            let converter = crate::preflight::converter_for(t, to_sqlite);
            crate::verify::locate_differences(source, &mut reader, t, &converter, batch_rows)?
        };
        progress.event(Event::TableFinished {
            phase: Phase::Verify,
            table: t.target_table.clone(),
            rows: digest.rows(),
            seconds: started.elapsed().as_secs_f64(),
        });
        tables.push(TableVerification {
            table: t.target_table.clone(),
            source_rows: copy.digest.rows(),
            target_rows: digest.rows(),
            source_digest: copy.digest.hex(),
            target_digest: digest.hex(),
            digest_match: matched,
            differences,
        });
    }
    match target {
        Target::Sqlite { .. } => {} // checked with the digests above
        Target::Postgres { .. } => {
            let n: usize = plan
                .tables
                .iter()
                .map(|t| t.target_def.foreign_keys.len())
                .sum();
            checks.push(Check { name: "foreign keys".into(), passed: true, detail: format!("{n} constraint(s) validated by PostgreSQL when they were added or as rows were loaded") });
        }
    }
    checks.extend(crate::jobs::invariants(options, plan, source, target)?);
    let passed = tables.iter().all(|t| t.digest_match) && checks.iter().all(|c| c.passed);
    Ok(Verification {
        passed,
        tables,
        checks,
    })
}

fn typed_reader_for(target: &mut Target) -> Result<TypedReader<'_>> {
    match target {
        Target::Postgres { client, schema, .. } => {
            Ok(TypedReader::Postgres(client, schema.as_str()))
        }
        Target::Sqlite { writer, .. } => Ok(TypedReader::Sqlite(
            writer
                .as_ref()
                .ok_or_else(|| Error::runtime("internal: no SQLite target"))?
                .connection(),
        )),
    }
}

fn run_verify(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
    report: &mut Report,
    phases: &mut Phases,
) -> Result<()> {
    let (mut a, mut b) = phases.run(Phase::Connect, || {
        Ok((
            Source::open(&options.source, &options.pg_schema)?,
            Source::open(&options.target, &options.pg_schema)?,
        ))
    })?;
    let (ca, cb) = phases.run(Phase::Introspect, || Ok((a.introspect()?, b.introspect()?)))?;
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
    };
    let plan = phases.run(Phase::Plan, || {
        planner::build(&input, &mut |_, _| Ok(vec![]))
    })?;
    report.warnings = plan.warnings.clone();
    report.findings = plan.findings.clone();
    let to_sqlite = b.dialect() == Dialect::Sqlite;
    let verification = phases.run(Phase::Verify, || {
        let mut tables = vec![];
        let mut unconvertible_checks = vec![];
        for t in &plan.tables {
            cancel.check()?;
            progress.event(Event::TableStarted {
                phase: Phase::Verify,
                table: t.target_table.clone(),
                rows: t.rows,
            });
            let converter = crate::preflight::converter_for(t, to_sqlite);
            let (sd, unconvertible) = crate::verify::source_digest(&mut a, t, &converter, options.batch_rows)?;
            if unconvertible > 0 {
                unconvertible_checks.push(Check {
                    name: format!("{}: source values convert", t.source_table),
                    passed: false,
                    detail: format!("{unconvertible} source row(s) cannot be converted to the target's column types (ferry plan lists them)"),
                });
            }
            let mut reader = match &mut b {
                Source::Sqlite { conn, .. } => TypedReader::Sqlite(conn),
                Source::Postgres { client, schema, .. } => {
                    TypedReader::Postgres(client, schema.as_str())
                }
                Source::Bundle { .. } => {
                    return Err(Error::bad_input(
                        "a bundle can be compared as --from only; give the database as --to",
                    ))
                }
            };
            let td = crate::verify::target_digest(&mut reader, t, options.batch_rows)?;
            let matched = sd == td;
            let differences = if matched {
                vec![]
            } else {
                crate::verify::locate_differences(
                    &mut a,
                    &mut reader,
                    t,
                    &converter,
                    options.batch_rows,
                )?
            };
            tables.push(TableVerification {
                table: t.target_table.clone(),
                source_rows: sd.rows(),
                target_rows: td.rows(),
                source_digest: sd.hex(),
                target_digest: td.hex(),
                digest_match: matched,
                differences,
            });
        }
        let mut checks = unconvertible_checks;
        if let Source::Sqlite { conn, .. } = &b {
            checks.push(crate::verify::sqlite_foreign_key_check(conn)?);
        }
        let passed = tables.iter().all(|t| t.digest_match) && checks.iter().all(|c| c.passed);
        Ok(Verification {
            passed,
            tables,
            checks,
        })
    })?;
    report.tables = verification
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
    report.verification = Some(verification);
    if passed {
        report.outcome = Outcome::Verified;
        Ok(())
    } else {
        Err(Error::VerificationFailed { summary })
    }
}
