//! The migration's verification: re-read the target inside its uncommitted transaction (or
//! the temporary file), digest it, compare with the digests the copy took of the source, and
//! run the foreign-key check and the job's invariants.

use std::time::Instant;

use crate::model::options::Options;
use crate::model::progress::{Event, Phase, Progress};
use crate::model::report::{Check, Verification};
use crate::plan::reads::converter_for;
use crate::plan::Plan;
use crate::run::copy::TableCopy;
use crate::run::verify::existing::Existing;
use crate::run::verify::parallel::SqliteVerification;
use crate::run::verify::table::compare_table;
use crate::run::verify::{locate_differences_after, target_digest, TypedReader};
use crate::source::Source;
use crate::support::workers::reader_threads;
use crate::target::Target;
use crate::{Error, Result};

/// Verifies the written target against the copy's source digests; a table appended to is
/// expected to hold its `existing` rows (one entry per plan table) plus the copied ones.
/// `digested`: a SQLite target's table digests, already re-read from the file while its
/// indexes were built (`run::migrate`), one per plan table, and its foreign-key check.
///
/// # Errors
/// Database errors while re-reading either side.
#[allow(clippy::too_many_arguments)]
pub fn verify_target(
    source: &mut Source,
    target: &mut Target,
    plan: &Plan,
    copies: &[TableCopy],
    existing: &[Option<Existing>],
    digested: Option<SqliteVerification>,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Verification> {
    let batch_rows = options.batch_rows;
    let mut tables = vec![];
    let mut checks = vec![];
    let to_sqlite = target.wants_sqlite_rows();
    // A SQLite target is digested (and its foreign keys checked) on parallel readers of the
    // committed temporary file; a PostgreSQL target is read inside its own transaction.
    let sqlite_digests = match (target.sqlite_writer(), digested) {
        (Some(_), Some(verified)) => {
            checks.push(verified.foreign_keys);
            Some(verified.digests)
        }
        (Some(writer), None) => {
            writer.commit()?;
            let path = writer.path();
            let result = crate::run::verify::parallel::verify_sqlite_file(
                path,
                &plan.tables,
                plan.storage(),
                reader_threads(),
            );
            writer.begin()?;
            let verified = result?;
            checks.push(verified.foreign_keys);
            Some(verified.digests)
        }
        (None, _) => None,
    };
    if sqlite_digests
        .as_ref()
        .is_some_and(|d| d.len() != plan.tables.len())
    {
        return Err(Error::runtime("internal: a digest per table was expected"));
    }
    for (i, (t, copy)) in plan.tables.iter().zip(copies).enumerate() {
        progress.event(Event::TableStarted {
            phase: Phase::Verify,
            table: t.target_table.clone(),
            rows: Some(copy.rows_written),
        });
        let started = Instant::now();
        let mut reader = typed_reader_for(target, plan.storage())?;
        let digest = match &sqlite_digests {
            Some(digests) => digests[i].clone(),
            None => target_digest(&mut reader, t)?,
        };
        let before = existing.get(i).and_then(Option::as_ref);
        let mut expected = copy.digest.clone();
        if let Some(before) = before {
            expected.merge(&before.digest);
        }
        let mut verdict = compare_table(t, &expected, &digest, || {
            let converter = converter_for(t, to_sqlite);
            locate_differences_after(source, &mut reader, t, &converter, batch_rows, before)
        })?;
        verdict.existing_rows = before.map_or(0, Existing::rows);
        progress.event(Event::TableFinished {
            phase: Phase::Verify,
            table: t.target_table.clone(),
            rows: digest.rows(),
            seconds: started.elapsed().as_secs_f64(),
        });
        tables.push(verdict);
    }
    match target {
        Target::Sqlite { .. } => {} // checked with the digests above
        Target::Postgres { .. } => {
            let n: usize = plan
                .tables
                .iter()
                .map(|t| t.target_def.foreign_keys.len())
                .sum();
            checks.push(Check {
                name: "foreign keys".into(),
                passed: true,
                detail: format!("{n} constraint(s) validated by PostgreSQL when they were added or as rows were loaded"),
            });
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

pub(super) fn typed_reader_for(
    target: &mut Target,
    storage: crate::model::conventions::Storage,
) -> Result<TypedReader<'_>> {
    match target {
        Target::Postgres { client, schema, .. } => {
            Ok(TypedReader::Postgres(client, schema.as_str()))
        }
        Target::Sqlite { writer, .. } => Ok(TypedReader::Sqlite(
            writer
                .as_ref()
                .ok_or_else(|| Error::runtime("internal: no SQLite target"))?
                .connection(),
            storage,
        )),
    }
}
