//! The copy: a reader thread (source → raw batches) and, per table, a converter thread
//! (conversion → digest) feeding the writer (this thread, which owns the target transaction)
//! through bounded channels.
//!
//! The channels hold a few batches, so reading, converting and writing overlap while memory
//! stays flat whatever the table size. The source digest is taken by the converter from the
//! very values it sends, read from the source snapshot; the verifier later re-reads the target.
//! Contract of the channel: every table's stream ends with `End`, `Error` or `Blocked`; when
//! the writer fails it drops the receiver and the converter's next send fails, which stops it
//! and then the reader.
//!
//! The copy is also where `ferry migrate` converts each value, once: with the converter the
//! preflight uses for this target, recording each problem a policy resolves as the same
//! finding the preflight would make (`run::findings`). A value no policy resolves stops the
//! copy at once (`Blocked`, then [`Error::BlockedValue`]): nothing has been committed, and
//! the run rolls back and lets the preflight name every such value.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Instant;

use crate::convert::digest::TableDigest;
use crate::convert::row::{RowConverter, RowOutcome, ValueProblem};
use crate::model::batch::RawBatch;
use crate::model::finding::{Finding, Policy};
use crate::model::progress::{Cancel, Event, Phase, Progress};
use crate::model::value::{SqliteValue, Value};
use crate::plan::reads::{converter_for, read_list};
use crate::plan::{Plan, TablePlan};
use crate::run::findings::{Findings, RowNames};
use crate::source::Source;
use crate::target::{SinkRows, Target};
use crate::{Error, Result};

/// Batches in flight between reader and writer.
const CHANNEL_BATCHES: usize = 4;

/// What the copy of one table produced.
#[derive(Debug, Clone, Default)]
pub struct TableCopy {
    pub rows_read: u64,
    pub rows_written: u64,
    /// Rows left out by a skip-row policy.
    pub rows_skipped: u64,
    pub bytes: u64,
    pub seconds: f64,
    /// Digest of the values sent to the target (after conversion and policies).
    pub digest: TableDigest,
    /// The value problems a policy resolved, as the preflight reports them (by column and
    /// kind).
    pub findings: Vec<Finding>,
}

enum Msg {
    Rows(SinkRows),
    End(TableCopy),
    Error(Error),
    /// A value no policy resolves ([`Error::BlockedValue`]).
    Blocked(Error),
}

/// Copies every table of the plan, in order.
///
/// # Errors
/// The first error of either side; [`Error::BlockedValue`] for a value the target cannot
/// hold that no policy resolves; `Cancelled`.
pub fn copy_tables(
    source: &mut Source,
    target: &mut Target,
    plan: &Plan,
    batch_rows: usize,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<Vec<TableCopy>> {
    let to_sqlite = target.wants_sqlite_rows();
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Msg>(CHANNEL_BATCHES);
        let reader = scope
            .spawn(move || read_all(source, plan, to_sqlite, batch_rows, progress, cancel, tx));
        let result = write_all(target, plan, &rx, progress);
        drop(rx);
        match reader.join() {
            Ok(()) => result,
            Err(_) => Err(Error::runtime(
                "the reader thread panicked; nothing was committed",
            )),
        }
    })
}

fn write_all(
    target: &mut Target,
    plan: &Plan,
    rx: &Receiver<Msg>,
    progress: &dyn Progress,
) -> Result<Vec<TableCopy>> {
    let mut out = Vec::with_capacity(plan.tables.len());
    for table in &plan.tables {
        let started = Instant::now();
        let mut batches = Batches {
            rx,
            end: None,
            blocked: None,
        };
        // However the writer words the error that stopped it, a blocked value is the cause.
        let written = match target.write_table(table, &mut batches) {
            Ok(written) => written,
            Err(e) => return Err(batches.blocked.take().unwrap_or(e)),
        };
        // Drain to the end marker if the sink stopped early without an error.
        while batches.end.is_none() {
            match batches.next() {
                Some(Err(e)) => return Err(batches.blocked.take().unwrap_or(e)),
                Some(Ok(_)) => {
                    return Err(Error::runtime(format!(
                        "internal: rows of {} were not written",
                        table.target_table
                    )))
                }
                None if batches.end.is_none() => {
                    return Err(Error::runtime(
                        "the reader stopped without finishing; nothing was committed",
                    ))
                }
                None => {}
            }
        }
        let mut copy = batches.end.take().unwrap_or_default();
        copy.rows_written = written;
        copy.seconds = started.elapsed().as_secs_f64();
        if copy.rows_written != copy.rows_read - copy.rows_skipped {
            return Err(Error::runtime(format!(
                "{}: read {} row(s), skipped {}, but wrote {}",
                table.target_table, copy.rows_read, copy.rows_skipped, copy.rows_written
            )));
        }
        progress.event(Event::TableFinished {
            phase: Phase::Copy,
            table: table.target_table.clone(),
            rows: written,
            seconds: copy.seconds,
        });
        out.push(copy);
    }
    Ok(out)
}

/// The writer's view of one table's stream.
struct Batches<'a> {
    rx: &'a Receiver<Msg>,
    end: Option<TableCopy>,
    /// The blocked value that ended the stream, if one did.
    blocked: Option<Error>,
}

impl Iterator for Batches<'_> {
    type Item = Result<SinkRows>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.end.is_some() {
            return None;
        }
        match self.rx.recv() {
            Ok(Msg::Rows(rows)) => Some(Ok(rows)),
            Ok(Msg::End(copy)) => {
                self.end = Some(copy);
                None
            }
            Ok(Msg::Error(e)) => Some(Err(e)),
            Ok(Msg::Blocked(e)) => {
                self.blocked = Some(e);
                Some(Err(Error::runtime(
                    "the copy stopped at a value the target cannot hold",
                )))
            }
            Err(_) => Some(Err(Error::runtime(
                "the reader stopped unexpectedly; nothing was committed",
            ))),
        }
    }
}

fn read_all(
    source: &mut Source,
    plan: &Plan,
    to_sqlite: bool,
    batch_rows: usize,
    progress: &dyn Progress,
    cancel: &Cancel,
    tx: SyncSender<Msg>,
) {
    for table in &plan.tables {
        match read_table(source, table, to_sqlite, batch_rows, progress, cancel, &tx) {
            Ok(copy) => {
                if tx.send(Msg::End(copy)).is_err() {
                    return;
                }
            }
            Err(e @ Error::BlockedValue { .. }) => {
                let _ = tx.send(Msg::Blocked(e));
                return;
            }
            Err(e) => {
                let _ = tx.send(Msg::Error(e));
                return;
            }
        }
    }
}

/// Reads one table on this thread and converts it on another: decoding the source's wire
/// form and converting, checking and digesting each value were one thread's work, and that
/// thread was the copy's bottleneck (the writer waited for it half the time).
fn read_table(
    source: &mut Source,
    table: &TablePlan,
    to_sqlite: bool,
    batch_rows: usize,
    progress: &dyn Progress,
    cancel: &Cancel,
    tx: &SyncSender<Msg>,
) -> Result<TableCopy> {
    progress.event(Event::TableStarted {
        phase: Phase::Copy,
        table: table.target_table.clone(),
        rows: table.rows,
    });
    let (list, key_positions, mut conversion) = TableConversion::new(table, to_sqlite);
    let names = RowNames::new(table, &list, key_positions);
    std::thread::scope(|scope| {
        let (raw_tx, raw_rx) = sync_channel::<RawBatch>(RAW_BATCHES);
        let tx = tx.clone();
        let converter = scope.spawn(move || -> Result<TableCopy> {
            for batch in raw_rx {
                let rows = conversion.batch(batch, &names)?;
                tx.send(Msg::Rows(rows))
                    .map_err(|_| Error::runtime("the writer stopped"))?;
                progress.event(Event::TableProgress {
                    phase: Phase::Copy,
                    table: table.target_table.clone(),
                    rows: conversion.copy.rows_read,
                    bytes: conversion.copy.bytes,
                });
            }
            Ok(conversion.finish())
        });
        let read = source.read(
            &table.source_table,
            table.source_filter.as_deref(),
            &list,
            batch_rows,
            &mut |batch| {
                cancel.check()?;
                raw_tx
                    .send(batch)
                    .map_err(|_| Error::runtime("the converter stopped"))
            },
        );
        drop(raw_tx);
        let converted = converter
            .join()
            .map_err(|_| Error::runtime("the converter thread panicked; nothing was committed"))?;
        // The converter's error first: when it stops, the reader only learns that it did.
        let copy = converted?;
        read?;
        Ok(copy)
    })
}

/// Batches read ahead of the converter.
const RAW_BATCHES: usize = 2;

/// One table's conversion: each source batch becomes the target's rows, its values digested
/// and every problem a policy resolves recorded as a finding.
struct TableConversion<'a> {
    table: &'a TablePlan,
    converter: RowConverter,
    to_sqlite: bool,
    target_types: Vec<crate::model::catalog::ColumnType>,
    storages: Vec<crate::model::conventions::Storage>,
    resolves: bool,
    copy: TableCopy,
    findings: Findings,
    scratch: Vec<u8>,
    problems: Vec<ValueProblem>,
}

impl<'a> TableConversion<'a> {
    /// The conversion, with the list of columns to read and the positions of the key columns
    /// in it (for naming a row in a finding).
    #[allow(clippy::type_complexity)]
    fn new(
        table: &'a TablePlan,
        to_sqlite: bool,
    ) -> (
        Vec<(String, crate::model::catalog::ColumnType)>,
        Vec<usize>,
        TableConversion<'a>,
    ) {
        // The preflight's converter for this target: the checks a SQLite target needs included.
        let converter = converter_for(table, to_sqlite);
        let target_types = converter.types().iter().map(|t| (*t).clone()).collect();
        let (list, key_positions) = read_list(table, &converter, None);
        // Only a problem a policy resolves (NULL, skip-row) is reported from the copy, with
        // its row's key and value as the source holds them; any other stops it. So only a
        // table with such a policy keeps each row's source values while converting it; the
        // others convert in place, without copying text and blobs.
        let resolves = converter
            .columns
            .iter()
            .any(|c| matches!(c.policy, Policy::Null | Policy::SkipRow));
        // Each column's storage convention: the form its values are written in.
        let storages = converter.columns.iter().map(|c| c.rules.storage).collect();
        let conversion = TableConversion {
            table,
            converter,
            to_sqlite,
            target_types,
            storages,
            resolves,
            copy: TableCopy::default(),
            findings: Findings::new(),
            scratch: Vec::with_capacity(256),
            problems: vec![],
        };
        (list, key_positions, conversion)
    }

    fn batch(&mut self, batch: RawBatch, names: &RowNames) -> Result<SinkRows> {
        let n = batch.len();
        // A SQLite target's rows in their stored form, kept from the conversion's own
        // check (the hot path); `None` when they are made from `values` afterwards.
        let mut stored_rows: Option<Vec<Vec<SqliteValue>>> =
            (self.to_sqlite && !self.resolves).then(|| Vec::with_capacity(n));
        let mut values: Vec<Vec<Value>> =
            Vec::with_capacity(if stored_rows.is_some() { 0 } else { n });
        let kept = match batch {
            RawBatch::Sqlite(rows) => {
                self.convert_rows(rows, names, &mut values, &mut stored_rows)?
            }
            RawBatch::Pg(rows) => self.convert_rows(rows, names, &mut values, &mut stored_rows)?,
        };
        self.copy.rows_read += n as u64;
        self.copy.rows_skipped += (n - kept) as u64;
        Ok(if let Some(rows) = stored_rows {
            SinkRows::Sqlite(rows)
        } else if self.to_sqlite {
            SinkRows::Sqlite(to_stored(values, &self.target_types, &self.storages)?)
        } else {
            SinkRows::Pg(values)
        })
    }

    /// Converts and digests one batch's rows of either source, in order, into `stored_rows`
    /// when it is given, else into `values`; returns how many rows were kept.
    fn convert_rows<R: SourceRow>(
        &mut self,
        rows: Vec<R>,
        names: &RowNames,
        values: &mut Vec<Vec<Value>>,
        stored_rows: &mut Option<Vec<Vec<SqliteValue>>>,
    ) -> Result<usize> {
        let (converter, problems) = (&self.converter, &mut self.problems);
        let width = converter.columns.len();
        let mut stored = Vec::with_capacity(width);
        let table = self.table;
        // Each row is digested as soon as it is converted, while its values are still in
        // the cache (and a JSON document is still the one `canonicalize_into` remembers).
        let types = converter.types();
        let (digest, scratch) = (&mut self.copy.digest, &mut self.scratch);
        let mut kept = 0;
        for raw in rows {
            self.copy.bytes += raw.bytes();
            problems.clear();
            let o = if self.resolves {
                let o = raw.convert(converter, problems);
                let describe = |i: usize| raw.describe(i);
                names.record(&mut self.findings, converter, problems, &describe);
                o
            } else if stored_rows.is_some() {
                raw.convert_owned_stored(converter, problems, &mut stored)
            } else {
                raw.convert_owned(converter, problems)
            };
            match o {
                RowOutcome::Row(v) => {
                    digest.add_row(&v, &types, scratch);
                    kept += 1;
                    match stored_rows.as_mut() {
                        // Digested, the values give their text and bytes to the stored
                        // row and are freed now, while in the cache (their memory is what
                        // the next row allocates).
                        Some(rows) => {
                            converter.move_into_stored(v, &mut stored);
                            rows.push(std::mem::replace(&mut stored, Vec::with_capacity(width)));
                        }
                        None => values.push(v),
                    }
                }
                RowOutcome::Skipped => {}
                RowOutcome::Failed => return Err(blocked(table, converter, problems)),
            }
        }
        Ok(kept)
    }

    fn finish(self) -> TableCopy {
        let mut copy = self.copy;
        copy.findings = self.findings.into_values().collect();
        copy
    }
}

/// A row as a source reads it, with the converter's entry points for its kind.
trait SourceRow {
    /// Bytes of content, for progress.
    fn bytes(&self) -> u64;
    fn describe(&self, column: usize) -> String;
    fn convert(&self, c: &RowConverter, problems: &mut Vec<ValueProblem>) -> RowOutcome;
    fn convert_owned(self, c: &RowConverter, problems: &mut Vec<ValueProblem>) -> RowOutcome;
    fn convert_owned_stored(
        self,
        c: &RowConverter,
        problems: &mut Vec<ValueProblem>,
        stored: &mut Vec<SqliteValue>,
    ) -> RowOutcome;
}

impl SourceRow for Vec<SqliteValue> {
    fn bytes(&self) -> u64 {
        raw_bytes(self)
    }
    fn describe(&self, column: usize) -> String {
        self[column].describe()
    }
    fn convert(&self, c: &RowConverter, problems: &mut Vec<ValueProblem>) -> RowOutcome {
        c.convert_sqlite(self, problems)
    }
    fn convert_owned(self, c: &RowConverter, problems: &mut Vec<ValueProblem>) -> RowOutcome {
        c.convert_sqlite_owned(self, problems)
    }
    fn convert_owned_stored(
        self,
        c: &RowConverter,
        problems: &mut Vec<ValueProblem>,
        stored: &mut Vec<SqliteValue>,
    ) -> RowOutcome {
        c.convert_sqlite_owned_stored(self, problems, stored)
    }
}

impl SourceRow for Vec<Value> {
    fn bytes(&self) -> u64 {
        value_bytes(self)
    }
    fn describe(&self, column: usize) -> String {
        self[column].describe()
    }
    fn convert(&self, c: &RowConverter, problems: &mut Vec<ValueProblem>) -> RowOutcome {
        c.convert_pg(self, problems)
    }
    fn convert_owned(self, c: &RowConverter, problems: &mut Vec<ValueProblem>) -> RowOutcome {
        c.convert_pg_owned(self, problems)
    }
    fn convert_owned_stored(
        self,
        c: &RowConverter,
        problems: &mut Vec<ValueProblem>,
        stored: &mut Vec<SqliteValue>,
    ) -> RowOutcome {
        c.convert_pg_owned_stored(self, problems, stored)
    }
}

/// The error for a row with a problem no policy resolves: its first such value.
fn blocked(table: &TablePlan, converter: &RowConverter, problems: &[ValueProblem]) -> Error {
    let first = problems.iter().find(|p| p.resolved_by.is_none());
    Error::BlockedValue {
        table: table.source_table.clone(),
        column: first
            .map(|p| converter.columns[p.column].target.clone())
            .unwrap_or_default(),
        detail: first.map(|p| p.problem.detail.clone()).unwrap_or_default(),
    }
}

/// Values in the form a SQLite file stores them.
fn to_stored(
    rows: Vec<Vec<Value>>,
    types: &[crate::model::catalog::ColumnType],
    storages: &[crate::model::conventions::Storage],
) -> Result<Vec<Vec<SqliteValue>>> {
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .zip(types.iter().zip(storages))
                .map(|(v, (ty, storage))| {
                    if v.is_null() {
                        return Ok(SqliteValue::Null);
                    }
                    crate::convert::into_sqlite_as(v, ty, storage).map_err(|p| {
                        Error::runtime(format!(
                            "internal: a value checked for SQLite cannot be stored in it: {}",
                            p.detail
                        ))
                    })
                })
                .collect()
        })
        .collect()
}

fn raw_bytes(row: &[SqliteValue]) -> u64 {
    row.iter()
        .map(|v| match v {
            SqliteValue::Null => 0,
            SqliteValue::Integer(_) | SqliteValue::Real(_) => 8,
            SqliteValue::Text(b) | SqliteValue::Blob(b) => b.len() as u64,
        })
        .sum()
}

fn value_bytes(row: &[Value]) -> u64 {
    row.iter()
        .map(|v| match v {
            Value::Null => 0,
            Value::Text(s) | Value::Json(s) | Value::Opaque(s) => s.len() as u64,
            Value::Bytes(b) => b.len() as u64,
            Value::Numeric(d) => d.as_str().len() as u64,
            Value::Uuid(_) => 16,
            Value::Array(items) => value_bytes(items),
            _ => 8,
        })
        .sum()
}
