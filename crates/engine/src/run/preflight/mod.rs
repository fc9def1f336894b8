//! The preflight: every source value that will be copied is converted once, before anything
//! is written, and every value the target cannot hold becomes a [`Finding`] with table,
//! column, key and value. Nothing is written while an unresolved blocking finding exists.
//!
//! For SQLite sources every column is scanned (SQLite enforces no types). For PostgreSQL
//! sources only the columns whose conversion can fail are read (floats, numerics, arrays,
//! JSON into SQLite, and columns whose target type differs), so the extra pass costs little.

use std::collections::BTreeMap;

use crate::convert::row::{describe_key, RowConverter, RowOutcome, ValueProblem};
use crate::model::batch::RawBatch;
use crate::model::catalog::ColumnType;
use crate::model::finding::{Finding, Policy, ProblemKind, Remedy, Sample, Severity, MAX_SAMPLES};
use crate::model::progress::{Cancel, Event, Phase, Progress};
use crate::model::temporal::{EpochUnit, FoldPolicy, GapPolicy};
use crate::plan::reads::{converter_for, read_list};
use crate::plan::{Plan, TablePlan};
use crate::source::Source;
use crate::Result;

mod opaque;
mod parallel;
mod sequences;
mod types;

pub(crate) use opaque::stored_differently;
pub(crate) use types::missing_types;

/// Whether converting this column from a PostgreSQL source can fail.
fn can_fail_from_pg(c: &crate::convert::row::ColumnConverter) -> bool {
    c.source_ty != c.target_ty
        || (c.to_sqlite
            && matches!(
                c.target_ty,
                ColumnType::Float { .. }
                    | ColumnType::Numeric { .. }
                    | ColumnType::Array { .. }
                    | ColumnType::Json { .. }
            ))
}

/// Scans the source and adds findings to the plan.
///
/// # Errors
/// Database errors while reading; `Cancelled`.
pub fn run(
    source: &mut Source,
    plan: &mut Plan,
    to_sqlite: bool,
    batch_rows: usize,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<()> {
    let is_pg = source.dialect() == crate::model::catalog::Dialect::Postgres;
    let scans: Vec<TableScan> = plan
        .tables
        .iter()
        .filter_map(|t| TableScan::new(t, to_sqlite, is_pg))
        .collect();
    let (findings, orphans) = match parallel_sqlite_path(source) {
        Some(path) => {
            crate::run::preflight::parallel::run(&path, &scans, plan, batch_rows, progress, cancel)?
        }
        None => {
            let mut findings = Findings::new();
            for scan in &scans {
                let table = scan.table;
                progress.event(Event::TableStarted {
                    phase: Phase::Preflight,
                    table: table.source_table.clone(),
                    rows: table.rows,
                });
                let started = std::time::Instant::now();
                let (rows, found) = scan.scan(source, None, batch_rows, cancel, &mut |_| {})?;
                merge(&mut findings, found);
                progress.event(Event::TableFinished {
                    phase: Phase::Preflight,
                    table: table.source_table.clone(),
                    rows,
                    seconds: started.elapsed().as_secs_f64(),
                });
            }
            let orphans = match source {
                Source::Sqlite { conn, .. } => orphaned_foreign_keys(conn, plan)?,
                _ => vec![],
            };
            (findings, orphans)
        }
    };
    plan.findings.extend(orphans);
    plan.findings.extend(findings.into_values());
    let at_end = sequences::at_their_end(source, plan, to_sqlite)?;
    plan.warnings.extend(at_end);
    plan.findings
        .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.table.cmp(&b.table)));
    Ok(())
}

/// Findings by (table, column, kind).
pub(crate) type Findings = BTreeMap<(String, String, String), Finding>;

/// A SQLite source the preflight may read on several connections: a file that is not in WAL
/// mode. (While this run's snapshot holds its read lock no other process can commit to such
/// a file, so every connection sees the same rows; a WAL file's other connections could see
/// newer ones.)
fn parallel_sqlite_path(source: &Source) -> Option<std::path::PathBuf> {
    let Source::Sqlite { conn, .. } = source else {
        return None;
    };
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .ok()?;
    let path = conn.path().filter(|p| !p.is_empty())?;
    (!mode.eq_ignore_ascii_case("wal")).then(|| path.into())
}

/// Adds one part's findings to the run's (counts add up; samples keep the first ones).
pub(crate) fn merge(into: &mut Findings, part: Findings) {
    for (key, f) in part {
        match into.get_mut(&key) {
            Some(existing) => {
                existing.count += f.count;
                let room = MAX_SAMPLES.saturating_sub(existing.samples.len());
                existing.samples.extend(f.samples.into_iter().take(room));
            }
            None => {
                into.insert(key, f);
            }
        }
    }
}

/// How the preflight reads one table: the columns whose conversion can fail, plus the key
/// columns that name a row in a finding.
pub(crate) struct TableScan<'a> {
    pub table: &'a TablePlan,
    converter: RowConverter,
    list: Vec<(String, ColumnType)>,
    key_positions: Vec<usize>,
    key_names: Vec<String>,
}

impl<'a> TableScan<'a> {
    /// `None` when nothing in the table needs checking.
    fn new(table: &'a TablePlan, to_sqlite: bool, is_pg: bool) -> Option<TableScan<'a>> {
        let full = converter_for(table, to_sqlite);
        let scan: Vec<usize> = (0..full.columns.len())
            // Constants are the job's own typed values: nothing to check in the source.
            .filter(|&i| full.columns[i].constant.is_none())
            .filter(|&i| !is_pg || can_fail_from_pg(&full.columns[i]))
            .collect();
        if scan.is_empty() {
            return None;
        }
        let (list, key_positions) = read_list(table, &full, Some(&scan));
        let key_names: Vec<String> = key_positions.iter().map(|&p| list[p].0.clone()).collect();
        Some(TableScan {
            table,
            converter: RowConverter {
                columns: scan.iter().map(|&i| full.columns[i].clone()).collect(),
            },
            list,
            key_positions,
            key_names,
        })
    }

    /// Converts the rows of the table (those `part` accepts, within the plan's own row
    /// filter) and returns how many were read and what was found; `on_rows` hears the count
    /// of each batch.
    pub(crate) fn scan(
        &self,
        source: &mut Source,
        part: Option<&str>,
        batch_rows: usize,
        cancel: &Cancel,
        on_rows: &mut dyn FnMut(u64),
    ) -> Result<(u64, Findings)> {
        let table = self.table;
        let filter = match (table.source_filter.as_deref(), part) {
            (Some(f), Some(p)) => Some(format!("({f}) AND ({p})")),
            (f, p) => f.or(p).map(str::to_string),
        };
        let mut findings = Findings::new();
        let mut problems: Vec<ValueProblem> = vec![];
        let rows = source.read(
            &table.source_table,
            filter.as_deref(),
            &self.list,
            batch_rows,
            &mut |batch| {
                cancel.check()?;
                on_rows(batch.len() as u64);
                // One row at a time through the shared converter; only rows with a problem
                // are described (key and offending values), the rest cost one conversion.
                let mut check =
                    |outcome: RowOutcome,
                     problems: &[ValueProblem],
                     describe: &dyn Fn(usize) -> String| {
                        if !matches!(outcome, RowOutcome::Row(_)) || !problems.is_empty() {
                            let key: Vec<String> =
                                self.key_positions.iter().map(|&p| describe(p)).collect();
                            let values: Vec<String> =
                                problems.iter().map(|p| describe(p.column)).collect();
                            record(
                                &mut findings,
                                table,
                                &self.converter,
                                problems,
                                &describe_key(&self.key_names, &key),
                                &values,
                            );
                        }
                    };
                match batch {
                    RawBatch::Sqlite(rows) => {
                        for raw in rows {
                            problems.clear();
                            let outcome = self.converter.convert_sqlite(&raw, &mut problems);
                            check(outcome, &problems, &|i| raw[i].describe());
                        }
                    }
                    RawBatch::Pg(rows) => {
                        for raw in rows {
                            problems.clear();
                            let outcome = self.converter.convert_pg(&raw, &mut problems);
                            check(outcome, &problems, &|i| raw[i].describe());
                        }
                    }
                }
                Ok(())
            },
        )?;
        Ok((rows, findings))
    }
}

fn record(
    findings: &mut Findings,
    table: &TablePlan,
    converter: &RowConverter,
    problems: &[ValueProblem],
    key: &str,
    values: &[String],
) {
    for (p, value) in problems.iter().zip(values) {
        let column = converter.columns[p.column].target.clone();
        let kind = p.problem.kind;
        let nullable = converter.columns[p.column].nullable;
        let entry = findings
            .entry((
                table.source_table.clone(),
                column.clone(),
                kind.as_str().to_string(),
            ))
            .or_insert_with(|| Finding {
                severity: Severity::Blocking,
                kind,
                table: table.source_table.clone(),
                column: Some(column.clone()),
                count: 0,
                samples: vec![],
                // The place is the finding's table and column: every front end shows
                // it beside the message, so the message does not repeat it.
                message: p.problem.detail.clone(),
                remedies: remedies_for(kind, &table.source_table, &column, nullable, table.create),
                resolved_by: p.resolved_by,
            });
        entry.count += 1;
        if entry.samples.len() < MAX_SAMPLES {
            entry.samples.push(Sample {
                key: key.to_string(),
                value: value.clone(),
                detail: p.problem.detail.clone(),
            });
        }
    }
}

/// The remedies the engine accepts for a value problem in `table.column`, in the order to
/// offer them: NULL only where the target column takes it, text only where Ferry creates the
/// table (an existing column keeps its type).
fn remedies_for(
    kind: ProblemKind,
    table: &str,
    column: &str,
    nullable: bool,
    creates: bool,
) -> Vec<Remedy> {
    use ProblemKind as K;
    let policy = |policy: Policy| Remedy::Policy {
        table: table.to_string(),
        column: column.to_string(),
        policy,
    };
    let epoch = |unit: EpochUnit| Remedy::Epoch {
        table: table.to_string(),
        column: column.to_string(),
        unit,
    };
    match kind {
        K::EpochNumber => vec![epoch(EpochUnit::Seconds), epoch(EpochUnit::Milliseconds)],
        K::NonexistentLocalTime => vec![
            Remedy::DstGap {
                policy: GapPolicy::ShiftForward,
            },
            Remedy::FixData,
        ],
        K::AmbiguousLocalTime => vec![
            Remedy::DstFold {
                policy: FoldPolicy::Earlier,
            },
            Remedy::DstFold {
                policy: FoldPolicy::Later,
            },
            Remedy::FixData,
        ],
        _ => {
            let keeps_as_text = matches!(
                kind,
                K::BadUuid
                    | K::NotBoolean
                    | K::BadTimestamp
                    | K::BadJson
                    | K::TypeMismatch
                    | K::MixedTypes
                    | K::NotInteger
                    | K::NotNumeric
                    | K::PrecisionLoss
                    | K::JsonbChanges
            );
            let mut out = vec![];
            if kind == K::JsonbChanges {
                // PostgreSQL's json type keeps the text exactly as written.
                out.push(Remedy::TypeOverride {
                    table: table.to_string(),
                    column: column.to_string(),
                    type_name: Some("json".into()),
                });
            }
            out.push(Remedy::FixData);
            if keeps_as_text && creates {
                out.push(policy(Policy::AsText));
            }
            if nullable {
                out.push(policy(Policy::Null));
            }
            out.push(policy(Policy::SkipRow));
            out
        }
    }
}

/// Rows whose foreign key points at no parent: SQLite does not enforce foreign keys unless
/// the app turned them on, so such rows are common, and PostgreSQL would refuse them when
/// the constraint is added — after the whole copy. Found here instead, before any write.
pub(crate) fn orphaned_foreign_keys(
    conn: &rusqlite::Connection,
    plan: &Plan,
) -> Result<Vec<Finding>> {
    let mut out = vec![];
    for table in &plan.tables {
        if table.target_def.foreign_keys.is_empty() {
            continue;
        }
        // Only constraints the target keeps matter.
        let kept = |parent: &str| {
            table
                .target_def
                .foreign_keys
                .iter()
                .any(|fk| fk.ref_table == parent)
        };
        let mut by_parent: BTreeMap<String, Finding> = BTreeMap::new();
        for orphan in crate::sqlite::foreign_keys::violations(conn, &table.source_table, &kept)? {
            let (rowid, parent) = (orphan.rowid, orphan.parent);
            let f = by_parent.entry(parent.clone()).or_insert_with(|| Finding {
                severity: Severity::Blocking,
                kind: ProblemKind::OrphanedForeignKey,
                table: table.source_table.clone(),
                column: None,
                count: 0,
                samples: vec![],
                message: format!("rows reference {parent} rows that do not exist"),
                remedies: vec![
                    Remedy::FixData,
                    Remedy::ExcludeTable {
                        table: table.source_table.clone(),
                    },
                ],
                resolved_by: None,
            });
            f.count += 1;
            if f.samples.len() < MAX_SAMPLES {
                f.samples.push(Sample {
                    key: rowid.map_or("rowid=?".into(), |r| format!("rowid={r}")),
                    value: String::new(),
                    detail: format!("no matching row in {parent}"),
                });
            }
        }
        out.extend(by_parent.into_values());
    }
    Ok(out)
}
