//! The full migration: prepare (connect, introspect, plan), the checks of the preflight that
//! need no pass over the values, then back up, create the schema, copy (converting each value
//! once), finish (indexes, constraints, sequences; a SQLite target's tables are digested
//! meanwhile), verify, and commit — or roll back on a dry run, a failure or cancel.
//!
//! A value the target cannot hold, and no policy resolves, stops the copy before anything is
//! committed: the run rolls the target back and only then scans every value (the rest of the
//! preflight), so the report names all such values, as `ferry plan` would, and the run ends
//! as a blocked preflight does.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::catalog::Dialect;
use crate::model::location::{mask_secrets, Location};
use crate::model::options::{BackupChoice, Options};
use crate::model::progress::{Cancel, Phase, Progress};
use crate::model::report::{BackupInfo, BundleInfo, Outcome, Report, TableReport};
use crate::plan::{Mode, Plan};
use crate::run::preflight::Orphans;
use crate::run::prepare::{prepare, Counts};
use crate::run::verify::parallel::{digest_sqlite_file, SqliteVerification};
use crate::run::verify::sqlite_foreign_key_check;
use crate::run::verify::table::verification_summary;
use crate::run::{Run, RunError};
use crate::source::Source;
use crate::support::memory::release_free_memory;
use crate::support::workers::reader_threads;
use crate::target::Target;
use crate::{Error, ErrorKind, Result};

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
        return crate::run::export::export(options, progress, cancel);
    }
    let watched = crate::model::pause::Watched::wrap(progress, cancel);
    let progress: &dyn Progress = watched.as_ref().map_or(progress, |w| w);
    let mut run = Run::new("migrate", options, progress, cancel);
    let result = migrate_run(&mut run);
    let finished = run.finish(result)?;
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
    match crate::run::export::export_location(target, dir, progress, cancel) {
        Ok(bundle) => {
            report.bundle = Some(BundleInfo {
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

fn migrate_run(run: &mut Run) -> Result<()> {
    let (mut source, mut target, mut plan) =
        prepare(run.options, Counts::FromTheCopy, &mut run.phases)?;
    let cancel = run.cancel;
    run.phases.run(Phase::Preflight, || {
        crate::run::preflight::before_writing(
            &mut source,
            &mut target,
            &mut plan,
            Orphans::NotLeftToTheTarget,
            cancel,
        )
    })?;
    run.report.warnings = plan.warnings.clone();
    run.report.not_migrated = plan.not_migrated.clone();
    run.report.findings = plan.findings.clone();
    let blocking = plan.blocking_findings();
    if blocking > 0 {
        target.rollback();
        return Err(Error::PreflightBlocked { count: blocking });
    }
    run.cancel.check()?;
    let result = write_verify_commit(run, &mut plan, &mut source, &mut target);
    let result = match result {
        Err(error @ Error::BlockedValue { .. }) => {
            blocked_in_copy(run, error, &mut plan, &mut source, &mut target)
        }
        Err(error)
            if run.phases.last() == Some(Phase::Constraints)
                && !matches!(error.kind(), ErrorKind::Cancelled | ErrorKind::Connection) =>
        {
            refused_key(run, error, &mut plan, &mut source, &mut target)
        }
        other => other,
    };
    result.map_err(|error| {
        target.rollback();
        // A PostgreSQL COMMIT whose connection was lost may or may not have happened.
        let uncertain = run.phases.last() == Some(Phase::Commit)
            && target.dialect() == Dialect::Postgres
            && error.kind() == ErrorKind::Connection;
        if uncertain {
            error
        } else if run.phases.reached(Phase::Schema) {
            error.rolled_back()
        } else {
            // Failed in the backup: the target was never begun.
            error.nothing_written()
        }
    })
}

fn write_verify_commit(
    run: &mut Run,
    plan: &mut Plan,
    source: &mut Source,
    target: &mut Target,
) -> Result<()> {
    let (options, progress, cancel) = (run.options, run.progress, run.cancel);
    let into_existing = plan.mode == Mode::IntoExisting;
    run.report.backup = run.phases.run(Phase::Backup, || backup(options))?;
    let existing = run.phases.run(Phase::Schema, || {
        target.begin(into_existing)?;
        crate::run::finish::create_schema(target, plan)?;
        crate::run::replace::empty_replaced_tables(target, plan)?;
        // In the transaction the rows are added to, before the first one is (a job's too).
        let existing =
            crate::run::verify::existing::read_existing(target, plan, options.batch_rows)?;
        crate::jobs::prepare_target(options, plan, target)?;
        Ok(existing)
    })?;
    cancel.check()?;
    let copies = run.phases.run(Phase::Copy, || {
        crate::run::copy::copy_tables(source, target, plan, options.batch_rows, progress, cancel)
    })?;
    // The counts left to the copy (`Counts::FromTheCopy`): the rows it read, in the snapshot
    // a count would have read; the verifier splits the larger tables by them.
    for (t, c) in plan.tables.iter_mut().zip(&copies) {
        t.rows.get_or_insert(c.rows_read);
    }
    let plan = &*plan;
    crate::run::findings::add_value_findings(
        &mut run.report.findings,
        copies.iter().flat_map(|c| c.findings.iter().cloned()),
    );
    cancel.check()?;
    release_free_memory();
    let digested = finish_digesting(run, plan, target)?;
    cancel.check()?;
    release_free_memory();
    let verification = run.phases.run(Phase::Verify, || {
        crate::run::verify::target::verify_target(
            source, target, plan, &copies, &existing, digested, options, progress,
        )
    })?;
    run.report.tables = plan
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
    run.report.verification = Some(verification);
    if !passed {
        return Err(Error::VerificationFailed { summary });
    }
    cancel.check()?;
    let report = &mut run.report;
    run.phases.run(Phase::Commit, || {
        if options.dry_run {
            target.rollback();
            report.outcome = Outcome::RolledBack;
        } else {
            target.commit()?;
            report.outcome = Outcome::Committed;
        }
        Ok(())
    })?;
    crate::jobs::finish_report(options, plan, &mut run.report);
    Ok(())
}

/// The finishing phases (indexes, constraints, sequences, the job's last DDL) and, for a
/// SQLite target, the verifier's digests of its tables meanwhile ([`digest_sqlite_file`] on
/// parallel readers of the committed rows): an index build keeps about one core busy, and
/// the rows are final once copied (finishing a SQLite file adds indexes and `sqlite_sequence`
/// rows, no table row; its jobs add nothing). Once the writer has finished, it checks the
/// foreign keys (with the indexes, which make the check fast) while the readers finish their
/// last parts: that tail, timed as the start of the verify phase, had left a core idle (5M
/// rows per table: 5.5 s of readers, then 3.3 s of the check alone). `None` when the digests
/// are left to the verify phase: a PostgreSQL target, read inside its transaction, or a file
/// that cannot take the write-ahead log the readers need beside a writer.
///
/// # Errors
/// The first statement the target refuses (the digests are then abandoned), else a reader's.
fn finish_digesting(
    run: &mut Run,
    plan: &Plan,
    target: &mut Target,
) -> Result<Option<SqliteVerification>> {
    let shared = match target.sqlite_writer() {
        Some(writer) if writer.share_with_readers()? => Some(writer.path().to_path_buf()),
        _ => None,
    };
    let Some(path) = shared else {
        finish(run, plan, target)?;
        return Ok(None);
    };
    let abandon = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let digests = scope.spawn(|| {
            digest_sqlite_file(
                &path,
                &plan.tables,
                plan.storage(),
                reader_threads(),
                &abandon,
            )
        });
        if let Err(error) = finish(run, plan, target) {
            abandon.store(true, Ordering::Relaxed);
            return Err(error);
        }
        run.phases.run(Phase::Verify, || {
            let foreign_keys = match target.sqlite_writer() {
                Some(writer) => sqlite_foreign_key_check(writer.connection()),
                None => Err(Error::runtime("internal: the SQLite writer went away")),
            };
            if foreign_keys.is_err() {
                abandon.store(true, Ordering::Relaxed);
            }
            let digests = digests
                .join()
                .map_err(|_| Error::runtime("a verifier thread panicked; nothing was committed"))?;
            Ok(Some(SqliteVerification {
                foreign_keys: foreign_keys?,
                digests: digests?,
            }))
        })
    })
}

/// Indexes, constraints, sequences and the job's last DDL, each its own phase.
fn finish(run: &mut Run, plan: &Plan, target: &mut Target) -> Result<()> {
    let options = run.options;
    run.phases.run(Phase::Indexes, || {
        crate::run::finish::create_indexes(target, plan)
    })?;
    run.phases.run(Phase::Constraints, || {
        crate::run::finish::create_constraints(target, plan)
    })?;
    run.phases.run(Phase::Sequences, || {
        crate::run::finish::reset_sequences(target, plan)?;
        // The job's last DDL (Citus's distribution) needs the finished tables.
        crate::jobs::finish_target(options, plan, target)
    })
}

/// The copy met a value the target cannot hold that no policy resolves: nothing is committed.
/// Scans every value — the part of the preflight the run had left to the copy — once the
/// target is rolled back, so the report lists every finding, not just the first value met.
///
/// # Errors
/// [`Error::PreflightBlocked`]; the copy's own error if the scan finds nothing blocking (the
/// copy and the scan use one converter over one snapshot: not expected, and never a silent
/// pass).
fn blocked_in_copy(
    run: &mut Run,
    error: Error,
    plan: &mut Plan,
    source: &mut Source,
    target: &mut Target,
) -> Result<()> {
    let (options, progress, cancel) = (run.options, run.progress, run.cancel);
    let to_sqlite = target.wants_sqlite_rows();
    back_to_the_preflight(run, "copy:blocked", error, plan, target, |plan, _| {
        // The scan splits a large table into parts by its count.
        crate::run::prepare::count_rows(source, plan)?;
        crate::run::preflight::scan_values(
            source,
            plan,
            to_sqlite,
            options.batch_rows,
            progress,
            cancel,
        )
    })
}

/// The target refused a foreign key (or something else) as the run added the keys: the
/// orphans `ferry migrate` left to it ([`Orphans::NotLeftToTheTarget`]) are looked for in
/// the source once the target is rolled back, so an orphan ends the run as the preflight
/// would have, with every orphaned key in the report.
///
/// # Errors
/// [`Error::PreflightBlocked`]; the target's own error if the source has no orphan.
fn refused_key(
    run: &mut Run,
    error: Error,
    plan: &mut Plan,
    source: &mut Source,
    target: &mut Target,
) -> Result<()> {
    back_to_the_preflight(
        run,
        "constraints:refused",
        error,
        plan,
        target,
        |plan, target| crate::run::preflight::orphans_left_to_the_target(source, target, plan),
    )
}

/// A run stopped before its commit by what the preflight would have found: the target is
/// rolled back ([`abandon_target`]), `find` runs the part of the preflight the run had left
/// to the copy (as a second preflight phase; `hand_over` is the pause point before), and
/// the run ends as a blocked preflight with every finding, nothing written — or with
/// `error` when `find` finds nothing blocking.
fn back_to_the_preflight(
    run: &mut Run,
    hand_over: &str,
    error: Error,
    plan: &mut Plan,
    target: &mut Target,
    find: impl FnOnce(&mut Plan, &Target) -> Result<()>,
) -> Result<()> {
    crate::model::pause::at(hand_over);
    abandon_target(run, target);
    run.phases.run(Phase::Preflight, || find(plan, target))?;
    run.report.findings = plan.findings.clone();
    match plan.blocking_findings() {
        0 => Err(error),
        count => Err(Error::PreflightBlocked { count }),
    }
}

/// Rolls the target back (PostgreSQL: `ROLLBACK`; SQLite: the temporary file removed) and
/// removes the backup this run made of the untouched destination: a run that writes nothing
/// leaves nothing behind either.
fn abandon_target(run: &mut Run, target: &mut Target) {
    target.rollback();
    if let Some(backup) = run.report.backup.take() {
        let _ = std::fs::remove_file(&backup.path);
    }
}

fn backup(options: &Options) -> Result<Option<BackupInfo>> {
    let dir = match &options.backup {
        BackupChoice::Skip => return Ok(None),
        BackupChoice::Dir(d) => Some(d.as_path()),
        BackupChoice::Default => None,
    };
    match &options.target {
        Location::Sqlite { path } if path.exists() => {
            crate::run::backup::backup_sqlite_file(path, dir).map(Some)
        }
        _ => Ok(None),
    }
}
