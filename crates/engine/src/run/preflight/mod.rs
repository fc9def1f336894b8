//! The preflight: every check of the source against the target before anything is written.
//! Every value the target cannot hold becomes a [`Finding`] with table, column, key and value;
//! nothing is committed while an unresolved blocking finding exists.
//!
//! Two parts. [`before_writing`] needs no pass over the values: types the target lacks, texts
//! PostgreSQL would reprint (it asks the server about each distinct one), orphaned foreign
//! keys (one anti-join per key) and sequences at their end. [`scan_values`] converts every
//! value that will be copied. `ferry plan` runs both ([`run`]); `ferry migrate` runs only
//! the first and lets the copy convert each value once, recording what a policy resolves the
//! way the scan would (`run::findings`); a value no policy resolves stops the copy before
//! its commit, and only then does the run scan every value, to report all of them.
//! Likewise `ferry migrate` leaves the orphans of a table it creates in PostgreSQL to the
//! server, which validates every row when the foreign key is added after the copy; only if
//! the server refuses one does the run look for them ([`orphans_left_to_the_target`]).
//!
//! For SQLite sources every column is scanned (SQLite enforces no types). For PostgreSQL
//! sources only the columns whose conversion can fail are read (floats, numerics, arrays,
//! JSON into SQLite, and columns whose target type differs), so the extra pass costs little.

use std::collections::BTreeMap;

use crate::convert::row::{RowConverter, ValueProblem};
use crate::model::batch::RawBatch;
use crate::model::catalog::ColumnType;
use crate::model::finding::{Finding, ProblemKind, Remedy, Sample, Severity, MAX_SAMPLES};
use crate::model::progress::{Cancel, Event, Phase, Progress};
use crate::plan::reads::{converter_for, read_list};
use crate::plan::{Plan, TablePlan};
use crate::run::findings::{add_value_findings, merge, Findings, RowNames};
use crate::source::Source;
use crate::target::Target;
use crate::Result;

mod opaque;
mod parallel;
mod sequences;
mod types;

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

/// The whole preflight (`ferry plan`, the app's Review): [`before_writing`], then
/// [`scan_values`].
///
/// # Errors
/// Database errors on either side; `Cancelled`.
pub fn run(
    source: &mut Source,
    target: &mut Target,
    plan: &mut Plan,
    batch_rows: usize,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<()> {
    before_writing(source, target, plan, Orphans::All, cancel)?;
    scan_values(
        source,
        plan,
        target.wants_sqlite_rows(),
        batch_rows,
        progress,
        cancel,
    )
}

/// Which orphaned foreign keys of a SQLite source [`before_writing`] looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orphans {
    /// Those of every table (`ferry plan`, the app's Review: every finding, nothing written).
    All,
    /// Only those the target would not refuse by itself before the commit (`ferry migrate`):
    /// PostgreSQL validates every row of a table Ferry created when the foreign key is added,
    /// after the copy, so the anti-joins are paid only when it refuses one (3–4 % of a run
    /// into PostgreSQL: 0.4 s of 11 s at 1M rows per table, 2.3 s of 59 s at 5M).
    NotLeftToTheTarget,
}

/// The checks that read no values one by one; their findings and warnings go into the plan.
///
/// # Errors
/// Database errors on either side; `Cancelled`.
pub fn before_writing(
    source: &mut Source,
    target: &mut Target,
    plan: &mut Plan,
    orphans: Orphans,
    cancel: &Cancel,
) -> Result<()> {
    let to_sqlite = target.wants_sqlite_rows();
    let mut missing = types::missing_types(target, plan)?;
    if !missing.is_empty() && plan.tables.iter().any(|t| t.rows.is_none()) {
        // Each such finding counts its table's rows: counted now, not left to the copy.
        crate::run::prepare::count_rows(source, plan)?;
        missing = types::missing_types(target, plan)?;
    }
    let unknown_type = !missing.is_empty();
    plan.findings.extend(missing);
    if !unknown_type {
        let changed = opaque::stored_differently(source, target, plan, cancel)?;
        plan.findings.extend(changed);
    }
    cancel.check()?;
    if let Source::Sqlite { conn, .. } = source {
        let left_to_target = left_to_the_target(target);
        let wanted = |t: &TablePlan| orphans == Orphans::All || !left_to_target(t);
        let found = orphaned_foreign_keys(conn, plan, &wanted)?;
        plan.findings.extend(found);
    }
    let at_end = sequences::at_their_end(source, plan, to_sqlite)?;
    plan.warnings.extend(at_end);
    crate::run::findings::sort(&mut plan.findings);
    Ok(())
}

/// Converts every value that will be copied and adds a finding per problem to the plan.
///
/// # Errors
/// Database errors while reading; `Cancelled`.
pub fn scan_values(
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
    let findings = match parallel_sqlite_path(source) {
        Some(path) => {
            crate::run::preflight::parallel::run(&path, &scans, batch_rows, progress, cancel)?
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
            findings
        }
    };
    add_value_findings(&mut plan.findings, findings.into_values());
    Ok(())
}

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

/// How the preflight reads one table: the columns whose conversion can fail, plus the key
/// columns that name a row in a finding.
pub(crate) struct TableScan<'a> {
    pub table: &'a TablePlan,
    converter: RowConverter,
    list: Vec<(String, ColumnType)>,
    names: RowNames<'a>,
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
        let names = RowNames::new(table, &list, key_positions);
        Some(TableScan {
            table,
            converter: RowConverter {
                columns: scan.iter().map(|&i| full.columns[i].clone()).collect(),
            },
            list,
            names,
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
                // are described, the rest cost one conversion.
                match batch {
                    RawBatch::Sqlite(rows) => {
                        for raw in rows {
                            problems.clear();
                            self.converter.convert_sqlite(&raw, &mut problems);
                            let describe = |i: usize| raw[i].describe();
                            self.names
                                .record(&mut findings, &self.converter, &problems, &describe);
                        }
                    }
                    RawBatch::Pg(rows) => {
                        for raw in rows {
                            problems.clear();
                            self.converter.convert_pg(&raw, &mut problems);
                            let describe = |i: usize| raw[i].describe();
                            self.names
                                .record(&mut findings, &self.converter, &problems, &describe);
                        }
                    }
                }
                Ok(())
            },
        )?;
        Ok((rows, findings))
    }
}

/// The orphans [`Orphans::NotLeftToTheTarget`] left out, once the target refused a foreign
/// key: sorted into the plan's findings (blocking), which the run reports as a blocked
/// preflight. None when the source is not SQLite (its orphans are not looked for) or has none
/// (the target refused the key for another reason: the caller reports the target's error).
///
/// # Errors
/// Database errors on the source.
pub fn orphans_left_to_the_target(
    source: &mut Source,
    target: &Target,
    plan: &mut Plan,
) -> Result<()> {
    let Source::Sqlite { conn, .. } = source else {
        return Ok(());
    };
    let found = orphaned_foreign_keys(conn, plan, &left_to_the_target(target))?;
    plan.findings.extend(found);
    crate::run::findings::sort(&mut plan.findings);
    Ok(())
}

/// Whether the target checks a table's foreign keys over all its rows before the commit: a
/// table Ferry creates in PostgreSQL gets its keys after the copy (`run::finish`), and
/// `ALTER TABLE … ADD FOREIGN KEY` validates every row.
fn left_to_the_target(target: &Target) -> impl Fn(&TablePlan) -> bool {
    let postgres = target.pg_schema().is_some();
    move |t: &TablePlan| postgres && t.create
}

/// Rows whose foreign key points at no parent: SQLite does not enforce foreign keys unless
/// the app turned them on, so such rows are common, and PostgreSQL would refuse them when
/// the constraint is added — after the whole copy. Found here, in the tables `wanted` names.
fn orphaned_foreign_keys(
    conn: &rusqlite::Connection,
    plan: &Plan,
    wanted: &dyn Fn(&TablePlan) -> bool,
) -> Result<Vec<Finding>> {
    let mut out = vec![];
    for table in &plan.tables {
        if table.target_def.foreign_keys.is_empty() || !wanted(table) {
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
