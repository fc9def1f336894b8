//! Verifying a SQLite target on several connections at once.
//!
//! Re-reading and digesting the target is pure CPU work (encode every stored value
//! canonically, SHA-256), for the cores the writer leaves idle. Digests are
//! additive, so a table can be cut into rowid ranges and its parts digested on separate
//! read-only connections and merged; the foreign-key check runs beside them. The target is a
//! temporary file that only becomes the destination by a rename after verification, so its
//! transaction can be committed for the readers to see it without anyone else seeing it.
//!
//! A migration digests the tables while its writer builds the indexes
//! ([`digest_sqlite_file`], the file in write-ahead-log mode so the readers see the committed
//! rows while the writer writes), and checks the foreign keys afterwards, with the indexes
//! that make the check fast; when the file cannot have a log, [`verify_sqlite_file`] does
//! both after the writer's last statement.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::{Connection, OpenFlags};

use crate::convert::digest::TableDigest;
use crate::model::error::Context;
use crate::model::report::Check;
use crate::plan::TablePlan;
use crate::run::verify::{sqlite_foreign_key_check, target_digest_where, TypedReader};
use crate::Result;

/// What the readers produce: one digest per plan table, and the foreign-key check.
pub struct SqliteVerification {
    pub digests: Vec<TableDigest>,
    pub foreign_keys: Check,
}

enum Work {
    Part {
        table: usize,
        filter: Option<String>,
    },
    ForeignKeys,
}

enum Done {
    Part { table: usize, digest: TableDigest },
    ForeignKeys(Check),
}

/// Digests every table of `tables` in the committed SQLite file at `path` and runs its
/// foreign-key check, on up to `threads` read-only connections.
///
/// # Errors
/// Database errors of any reader (the first one).
pub fn verify_sqlite_file(
    path: &Path,
    tables: &[TablePlan],
    storage: crate::model::conventions::Storage,
    threads: usize,
) -> Result<SqliteVerification> {
    let (digests, foreign_keys) = read_file(path, tables, storage, threads, Company::None)?;
    Ok(SqliteVerification {
        digests,
        foreign_keys: foreign_keys
            .ok_or_else(|| crate::Error::runtime("internal: the foreign-key check did not run"))?,
    })
}

/// Digests every table of `tables` in the committed SQLite file at `path`, on up to
/// `threads` read-only connections, while its writer goes on (building the indexes, which
/// change no table's rows). Setting `abandon` stops it between parts with an error: the
/// writer failed, and its error is the one to report.
///
/// # Errors
/// Database errors of any reader (the first one); `Runtime` when abandoned.
pub fn digest_sqlite_file(
    path: &Path,
    tables: &[TablePlan],
    storage: crate::model::conventions::Storage,
    threads: usize,
    abandon: &AtomicBool,
) -> Result<Vec<TableDigest>> {
    read_file(path, tables, storage, threads, Company::Writer(abandon)).map(|(digests, _)| digests)
}

/// What runs beside the readers.
#[derive(Clone, Copy)]
enum Company<'a> {
    /// Nothing: the writer has made its last statement, so the readers check the foreign keys
    /// too (with the indexes, which make the check fast).
    None,
    /// The writer, building the indexes, which are the run's critical path: the readers run at
    /// a lower CPU priority, check no foreign keys (the indexes are not there yet), and stop
    /// between parts once the flag is set.
    Writer(&'a AtomicBool),
}

/// Digests the tables (and checks the foreign keys when alone) while a thread writes the
/// committed file's pages to disk: the disk is idle then, and the fsync that makes the file
/// durable before its rename finds them written instead of starting on gigabytes at the end.
/// A failure to sync here is that fsync's to report.
fn read_file(
    path: &Path,
    tables: &[TablePlan],
    storage: crate::model::conventions::Storage,
    threads: usize,
    company: Company,
) -> Result<(Vec<TableDigest>, Option<Check>)> {
    std::thread::scope(|scope| {
        scope.spawn(|| std::fs::File::open(path).and_then(|f| f.sync_data()));
        read_parts(path, tables, storage, threads, company)
    })
}

fn read_parts(
    path: &Path,
    tables: &[TablePlan],
    storage: crate::model::conventions::Storage,
    threads: usize,
    company: Company,
) -> Result<(Vec<TableDigest>, Option<Check>)> {
    let conn = open_reader(path)?;
    // The foreign-key check first: it is one long item, and started last it would run alone
    // after every part had finished.
    let mut work = vec![];
    if matches!(company, Company::None) {
        work.push(Work::ForeignKeys);
    }
    // Largest first, so the parts that take longest start first.
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(tables[i].rows.unwrap_or(0)));
    for i in order {
        let t = &tables[i];
        for filter in crate::sqlite::read::rowid_ranges(
            &conn,
            &t.target_def,
            t.rows,
            threads * crate::support::workers::PARTS_PER_THREAD,
        )? {
            work.push(Work::Part { table: i, filter });
        }
    }
    drop(conn);

    let done = crate::support::workers::run(
        work,
        threads,
        || {
            if let Company::Writer(_) = company {
                crate::support::workers::yield_cpu_to_others();
            }
            open_reader(path)
        },
        |conn, item| {
            if matches!(company, Company::Writer(abandon) if abandon.load(Ordering::Relaxed)) {
                return Err(crate::Error::runtime("the verification was abandoned"));
            }
            match item {
                Work::Part { table, filter } => {
                    let mut reader = TypedReader::Sqlite(conn, storage);
                    let digest =
                        target_digest_where(&mut reader, &tables[table], filter.as_deref())?;
                    Ok(Done::Part { table, digest })
                }
                Work::ForeignKeys => Ok(Done::ForeignKeys(sqlite_foreign_key_check(conn)?)),
            }
        },
    )?;
    let mut digests = vec![TableDigest::new(); tables.len()];
    let mut checked = None;
    for d in done {
        match d {
            Done::Part { table, digest } => digests[table].merge(&digest),
            Done::ForeignKeys(check) => checked = Some(check),
        }
    }
    Ok((digests, checked))
}

fn open_reader(path: &Path) -> Result<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .context(|| format!("opening {} to verify it", path.display()))
}
