//! The preflight of a SQLite source on several connections at once.
//!
//! A SQLite source has no types to trust, so the preflight converts every value of every
//! table before anything is written: pure CPU work on one core while the others wait. Tables
//! are cut into rowid ranges, each range converted on its own read-only connection, and the
//! foreign-key scan runs beside them. Only files outside WAL mode come here
//! (`preflight::parallel_sqlite_path`): while the run's own snapshot holds its read lock no
//! other process can commit to them, so every connection reads the same rows.
//!
//! Findings of the parts are merged in table-and-range order, so a run reports the same
//! samples however the threads were scheduled.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::finding::Finding;
use crate::plan::Plan;
use crate::preflight::{merge, orphaned_foreign_keys, Findings, TableScan};
use crate::progress::{Cancel, Event, Phase, Progress};
use crate::source::Source;
use crate::{Error, Result};

enum Work {
    Part {
        scan: usize,
        part: Option<String>,
        order: usize,
    },
    ForeignKeys,
}

/// Runs the scans of `scans` on the SQLite file at `path`; returns the value findings and
/// the orphaned-foreign-key findings.
///
/// # Errors
/// The first error of any reader; `Cancelled`.
pub(crate) fn run(
    path: &Path,
    scans: &[TableScan],
    plan: &Plan,
    batch_rows: usize,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<(Findings, Vec<Finding>)> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    let planner = crate::sqlite::open::open_source(path)?;
    let mut work = VecDeque::new();
    let mut order = 0;
    for (i, scan) in scans.iter().enumerate() {
        let table = scan.table;
        let parts = if table.rows.unwrap_or(0) < crate::parallel_verify::SPLIT_ROWS {
            vec![None]
        } else {
            let columns: Vec<&str> = table
                .source_def
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            crate::sqlite::reader::rowid_ranges(&planner, &table.source_table, &columns, threads)?
        };
        for part in parts {
            work.push_back(Work::Part {
                scan: i,
                part,
                order,
            });
            order += 1;
        }
    }
    work.push_back(Work::ForeignKeys);
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
    let queue = Mutex::new(work);
    let results: Mutex<Vec<(usize, Findings)>> = Mutex::new(vec![]);
    let orphans: Mutex<Vec<Finding>> = Mutex::new(vec![]);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    let mut source = Source::Sqlite {
                        conn: crate::sqlite::open::open_source(path)?,
                        display: path.display().to_string(),
                    };
                    loop {
                        let next = queue.lock().map_err(poisoned)?.pop_front();
                        match next {
                            None => return Ok(()),
                            Some(Work::Part { scan, part, order }) => {
                                let s = &scans[scan];
                                let (_, found) = s.scan(
                                    &mut source,
                                    part.as_deref(),
                                    batch_rows,
                                    cancel,
                                    &mut |n| {
                                        let rows =
                                            rows_done[scan].fetch_add(n, Ordering::Relaxed) + n;
                                        progress.event(Event::TableProgress {
                                            phase: Phase::Preflight,
                                            table: s.table.source_table.clone(),
                                            rows,
                                            bytes: 0,
                                        });
                                    },
                                )?;
                                results.lock().map_err(poisoned)?.push((order, found));
                            }
                            Some(Work::ForeignKeys) => {
                                let Source::Sqlite { conn, .. } = &source else {
                                    unreachable!("workers read SQLite");
                                };
                                let found = orphaned_foreign_keys(conn, plan)?;
                                *orphans.lock().map_err(poisoned)? = found;
                            }
                        }
                    }
                })
            })
            .collect();
        // Every worker is joined (none left running on an error); the first error wins.
        let mut first_error = None;
        for w in workers {
            let outcome = w
                .join()
                .unwrap_or_else(|_| Err(Error::runtime("a preflight thread panicked")));
            if let (Err(e), None) = (outcome, &first_error) {
                first_error = Some(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    })?;
    let mut parts = results.into_inner().map_err(poisoned)?;
    parts.sort_by_key(|(order, _)| *order);
    let mut findings = Findings::new();
    for (_, found) in parts {
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
    Ok((findings, orphans.into_inner().map_err(poisoned)?))
}

fn poisoned<T>(_: T) -> Error {
    Error::runtime("a preflight thread panicked")
}
