//! The export run: source snapshot → JSON Lines files in a temporary folder → read back and
//! checked → renamed into place.
//!
//! No planning or conversion happens: the bundle keeps the source's own catalog and values,
//! and an import later plans against them exactly as a direct migration from that source
//! would. The check reads every written file back through the bundle reader (manifest,
//! hashes, row counts, every line decoded) and re-encodes each decoded row: the bytes must
//! come out identical, which proves each value reads back as the value that was written.

use std::path::Path;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::bundle::read::BundleSource;
use crate::bundle::write::BundleWriter;
use crate::model::catalog::{Catalog, ColumnType};
use crate::model::location::Location;
use crate::model::options::Options;
use crate::model::progress::{Cancel, Event, Phase, Progress};
use crate::model::report::{Outcome, Report, TableReport, TableVerification, Verification};
use crate::run::{Run, RunError};
use crate::source::Source;
use crate::{Error, Result};

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
    let mut run = Run::new("export", options, progress, cancel);
    let result = export_run(&mut run);
    run.finish(result)
}

/// Exports `source` into a new bundle folder `dir`, verified, all or nothing: for jobs that
/// write a bundle beside their own result (Extract's `--bundle` exports the SQLite file it has
/// just committed).
///
/// # Errors
/// A [`RunError`] with the report so far: bad input for a destination that exists and is
/// not an empty folder; connection and read errors of the source.
pub fn export_location(
    source: &Location,
    dir: &Path,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    let options = Options::new(
        source.clone(),
        Location::Bundle {
            dir: dir.to_path_buf(),
        },
    );
    export(&options, progress, cancel)
}

fn export_run(run: &mut Run) -> Result<()> {
    let (options, progress, cancel) = (run.options, run.progress, run.cancel);
    let phases = &mut run.phases;
    let report = &mut run.report;
    let Location::Bundle { dir } = &options.target else {
        return Err(Error::bad_input(format!(
            "{} is not a bundle folder (write bundle:FOLDER)",
            options.target.display()
        )));
    };
    let (mut source, mut writer) = phases.run(Phase::Connect, || {
        // The destination is checked first: a folder that is in the way is a mistake to
        // report before connecting anywhere.
        let writer = BundleWriter::create(dir)?;
        let source = Source::open(&options.source, &options.pg_schema)?;
        Ok((source, writer))
    })?;
    report.warnings.extend(source.notes());
    let catalog = phases.run(Phase::Introspect, || {
        let catalog = select_tables(source.introspect()?, options, source.display())?;
        let tables: Vec<String> = catalog.tables.iter().map(|t| t.name.clone()).collect();
        source.check_row_security(&tables)?;
        Ok(catalog)
    })?;
    cancel.check()?;
    report.tables = phases.run(Phase::Copy, || {
        write_tables(
            &mut source,
            &mut writer,
            &catalog,
            options,
            progress,
            cancel,
        )
    })?;
    writer.write_manifest(catalog, &options.source.display())?;
    cancel.check()?;
    let verification = phases.run(Phase::Verify, || {
        check_written(writer.temp_dir(), options.batch_rows, progress)
    })?;
    for (t, v) in report.tables.iter_mut().zip(&verification.tables) {
        t.rows_verified = Some(v.target_rows);
    }
    let passed = verification.passed;
    let failed: Vec<String> = verification
        .tables
        .iter()
        .filter(|t| !t.digest_match)
        .map(|t| t.table.clone())
        .collect();
    report.verification = Some(verification);
    if !passed {
        return Err(Error::VerificationFailed {
            summary: format!(
                "the bundle files of {} did not read back as written",
                failed.join(", ")
            ),
        });
    }
    cancel.check()?;
    phases.run(Phase::Commit, || {
        if options.dry_run {
            writer.rollback();
            report.outcome = Outcome::RolledBack;
        } else {
            writer.commit()?;
            report.outcome = Outcome::Committed;
        }
        Ok(())
    })
}

/// The catalog restricted to `--tables` / `--exclude`, refusing names it does not have.
fn select_tables(mut catalog: Catalog, options: &Options, display: &str) -> Result<Catalog> {
    for name in options.tables.iter().chain(&options.exclude) {
        if catalog.table(name).is_none() {
            let names: Vec<&str> = catalog.tables.iter().map(|t| t.name.as_str()).collect();
            return Err(Error::bad_input(format!(
                "no table named '{name}' in {display} (tables: {})",
                names.join(", ")
            )));
        }
    }
    catalog.tables.retain(|t| {
        (options.tables.is_empty() || options.tables.contains(&t.name))
            && !options.exclude.contains(&t.name)
    });
    Ok(catalog)
}

fn write_tables(
    source: &mut Source,
    writer: &mut BundleWriter,
    catalog: &Catalog,
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<Vec<TableReport>> {
    let mut reports = vec![];
    for table in &catalog.tables {
        let started = Instant::now();
        let columns: Vec<(String, ColumnType)> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect();
        progress.event(Event::TableStarted {
            phase: Phase::Copy,
            table: table.name.clone(),
            rows: table.row_count,
        });
        let mut file = writer.table(&table.name, &columns, catalog.dialect)?;
        let read = source.read(
            &table.name,
            None,
            &columns,
            options.batch_rows,
            &mut |batch| {
                cancel.check()?;
                file.write(&batch)?;
                progress.event(Event::TableProgress {
                    phase: Phase::Copy,
                    table: table.name.clone(),
                    rows: file.rows(),
                    bytes: file.bytes(),
                });
                Ok(())
            },
        )?;
        let bytes = file.bytes();
        let entry = writer.finish_table(file)?;
        if entry.rows != read {
            return Err(Error::runtime(format!(
                "{}: read {read} row(s) but wrote {}",
                table.name, entry.rows
            )));
        }
        let seconds = started.elapsed().as_secs_f64();
        progress.event(Event::TableFinished {
            phase: Phase::Copy,
            table: table.name.clone(),
            rows: entry.rows,
            seconds,
        });
        reports.push(TableReport {
            source_table: table.name.clone(),
            target_table: entry.file.clone(),
            rows_read: read,
            rows_written: entry.rows,
            rows_verified: None,
            bytes,
            seconds,
        });
    }
    Ok(reports)
}

/// Reads the written bundle back as an import would and re-encodes every row.
fn check_written(dir: &Path, batch_rows: usize, progress: &dyn Progress) -> Result<Verification> {
    let bundle = BundleSource::open(dir)?;
    let mut tables = vec![];
    for entry in &bundle.manifest().tables {
        let started = Instant::now();
        progress.event(Event::TableStarted {
            phase: Phase::Verify,
            table: entry.name.clone(),
            rows: Some(entry.rows),
        });
        let columns: Vec<(String, ColumnType)> = entry
            .columns
            .iter()
            .map(|c| (c.clone(), ColumnType::Any))
            .collect();
        let mut hasher = Sha256::new();
        let mut lines = Vec::with_capacity(64 * 1024);
        let rows = bundle.read(&entry.name, &columns, batch_rows, &mut |batch| {
            lines.clear();
            crate::bundle::encode::batch(&batch, &mut lines);
            hasher.update(&lines);
            Ok(())
        })?;
        let sha = crate::support::hashing::hex(&hasher.finalize());
        progress.event(Event::TableFinished {
            phase: Phase::Verify,
            table: entry.name.clone(),
            rows,
            seconds: started.elapsed().as_secs_f64(),
        });
        tables.push(TableVerification {
            table: entry.name.clone(),
            source_rows: entry.rows,
            target_rows: rows,
            digest_match: sha == entry.sha256 && rows == entry.rows,
            source_digest: entry.sha256.clone(),
            target_digest: sha,
            existing_rows: 0,
            differences: vec![],
        });
    }
    Ok(Verification {
        passed: tables.iter().all(|t| t.digest_match),
        tables,
        checks: vec![],
    })
}
