//! The preflight of a SQLite source on several connections at once.
//!
//! A SQLite source has no types to trust, so the preflight converts every value of every
//! table before anything is written: pure CPU work on one core while the others wait. Tables
//! are cut into rowid ranges, each range converted on its own read-only connection. Only files outside WAL mode come here
//! (`preflight::parallel_sqlite_path`): while the run's own snapshot holds its read lock no
//! other process can commit to them, so every connection reads the same rows.
//!
//! Findings of the parts are merged in table-and-range order, so a run reports the same
//! samples however the threads were scheduled.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::model::progress::{Cancel, Event, Phase, Progress};
use crate::run::findings::{merge, Findings};
use crate::run::preflight::TableScan;
use crate::source::Source;
use crate::Result;

/// One rowid range of one table.
struct Work {
    scan: usize,
    part: Option<String>,
}

/// Runs the scans of `scans` on the SQLite file at `path`; returns the value findings.
///
/// # Errors
/// The first error of any reader; `Cancelled`.
pub(crate) fn run(
    path: &Path,
    scans: &[TableScan],
    batch_rows: usize,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<Findings> {
    let threads = crate::support::workers::reader_threads();
    let planner = crate::sqlite::connect::open_source(path)?;
    let mut work = vec![];
    for (i, scan) in scans.iter().enumerate() {
        let table = scan.table;
        let parts = crate::sqlite::read::rowid_ranges(
            &planner,
            &table.source_def,
            table.rows,
            threads * crate::support::workers::PARTS_PER_THREAD,
        )?;
        for part in parts {
            work.push(Work { scan: i, part });
        }
    }
    drop(planner);

    let started = Instant::now();
    for scan in scans {
        progress.event(Event::TableStarted {
            phase: Phase::Preflight,
            table: scan.table.source_table.clone(),
            rows: scan.table.rows,
        });
    }
    let rows_done: Vec<AtomicU64> = scans.iter().map(|_| AtomicU64::new(0)).collect();
    let done = crate::support::workers::run(
        work,
        threads,
        || {
            Ok(Source::Sqlite {
                conn: crate::sqlite::connect::open_source(path)?,
                display: path.display().to_string(),
                recovery: None,
            })
        },
        |source, Work { scan, part }| {
            let s = &scans[scan];
            let (_, found) = s.scan(source, part.as_deref(), batch_rows, cancel, &mut |n| {
                let rows = rows_done[scan].fetch_add(n, Ordering::Relaxed) + n;
                progress.event(Event::TableProgress {
                    phase: Phase::Preflight,
                    table: s.table.source_table.clone(),
                    rows,
                    bytes: 0,
                });
            })?;
            Ok(found)
        },
    )?;
    // Results come back in work order: parts merge in table-and-range order.
    let mut findings = Findings::new();
    for found in done {
        merge(&mut findings, found);
    }
    let seconds = started.elapsed().as_secs_f64();
    for (scan, rows) in scans.iter().zip(&rows_done) {
        progress.event(Event::TableFinished {
            phase: Phase::Preflight,
            table: scan.table.source_table.clone(),
            rows: rows.load(Ordering::Relaxed),
            seconds,
        });
    }
    Ok(findings)
}
