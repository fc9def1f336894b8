//! Verification: re-read the target and compare it with the source, by content.
//!
//! Per table: the target's rows are read back through the same decoders a source read would
//! use, digested ([`crate::convert::digest`]) and compared with the source digest; when the digests
//! differ, both sides are read again keyed by the table's identity columns to name the first
//! differing rows. Then target-wide checks: foreign-key integrity of the target.

use std::collections::HashMap;

use crate::convert::digest::{encode_value, row_hash, TableDigest};
use crate::convert::digest_sqlite::stored_value;
use crate::convert::row::{describe_key, RowConverter, RowOutcome};
use crate::convert::ColumnRules;
use crate::model::batch::RawBatch;
use crate::model::catalog::ColumnType;
use crate::model::report::{Check, RowDifference};
use crate::model::value::Value;
use crate::plan::TablePlan;
use crate::postgres::read::CopyColumn;
use crate::source::Source;
use crate::Result;

pub mod existing;
pub mod parallel;
pub mod table;
pub mod target;

/// Differences shown per table.
pub const MAX_DIFFERENCES: usize = 10;
/// Rows whose values are kept in memory to explain a difference column by column.
const MAX_ROWS_WITH_VALUES: usize = 200_000;

/// Something that can be read back in typed form: a target being written, or a database
/// opened for `ferry verify`.
pub enum TypedReader<'a> {
    /// With the run's storage convention: how the file holds what its declared types do not
    /// say (Django's durations as integer microseconds).
    Sqlite(&'a rusqlite::Connection, crate::model::conventions::Storage),
    Postgres(&'a mut postgres::Client, &'a str),
}

impl TypedReader<'_> {
    /// Streams rows of `columns` decoded as their types.
    ///
    /// # Errors
    /// Database errors.
    pub fn read(
        &mut self,
        table: &str,
        columns: &[(String, ColumnType)],
        batch_rows: usize,
        on_batch: &mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
    ) -> Result<u64> {
        self.read_where(table, None, columns, batch_rows, on_batch)
    }

    /// [`Self::read`] of the rows `filter` (a boolean SQL expression) accepts.
    ///
    /// # Errors
    /// Database errors.
    pub fn read_where(
        &mut self,
        table: &str,
        filter: Option<&str>,
        columns: &[(String, ColumnType)],
        batch_rows: usize,
        on_batch: &mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
    ) -> Result<u64> {
        match self {
            TypedReader::Postgres(client, schema) => {
                let cols = CopyColumn::from_pairs(columns);
                crate::postgres::read::read_table_where(
                    client, schema, table, &cols, filter, batch_rows, on_batch,
                )
            }
            TypedReader::Sqlite(conn, storage) => {
                let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
                let rules = sqlite_rules(*storage);
                crate::sqlite::read::read_table_where(
                    conn,
                    table,
                    &names,
                    filter,
                    batch_rows,
                    &mut |rows| {
                        let typed = rows
                            .into_iter()
                            .map(|row| {
                                row.into_iter()
                                    .zip(columns)
                                    .map(|(v, (_, ty))| stored_value(v, ty, &rules))
                                    .collect()
                            })
                            .collect();
                        on_batch(typed)
                    },
                )
            }
        }
    }

    /// The digest of the rows `filter` accepts, encoded straight from what the database
    /// stores (the drivers' `digest_table_where`): the same digest as [`Self::read_where`]'s
    /// values through [`TableDigest::add_row`], without building them.
    ///
    /// # Errors
    /// Database errors.
    pub fn digest_where(
        &mut self,
        table: &str,
        filter: Option<&str>,
        columns: &[(String, ColumnType)],
    ) -> Result<TableDigest> {
        match self {
            TypedReader::Postgres(client, schema) => crate::postgres::read::digest_table_where(
                client,
                schema,
                table,
                &CopyColumn::from_pairs(columns),
                filter,
            ),
            TypedReader::Sqlite(conn, storage) => crate::sqlite::read::digest_table_where(
                conn,
                table,
                columns,
                filter,
                &sqlite_rules(*storage),
            ),
        }
    }
}

/// How a SQLite file being verified is read: by the run's storage convention, with no
/// PostgreSQL limits (it is the SQLite side that is read).
fn sqlite_rules(storage: crate::model::conventions::Storage) -> ColumnRules {
    ColumnRules {
        target_is_postgres: false,
        storage,
        ..ColumnRules::default()
    }
}

/// Digest of a table as the target holds it, re-read from what the target stores (never
/// from what the copy sent).
///
/// # Errors
/// Database errors.
pub fn target_digest(reader: &mut TypedReader, table: &TablePlan) -> Result<TableDigest> {
    target_digest_where(reader, table, None)
}

/// Digest of the target rows `filter` accepts (a part of a table; digests of disjoint parts
/// merge into the table's digest).
///
/// # Errors
/// Database errors.
pub fn target_digest_where(
    reader: &mut TypedReader,
    table: &TablePlan,
    filter: Option<&str>,
) -> Result<TableDigest> {
    reader.digest_where(&table.target_table, filter, &table.target_columns())
}

/// Digest of a table as the source holds it, converted to the target's types, and the
/// number of source rows that could not be converted (each one a verification failure: a row
/// the target cannot hold is never silently left out of the comparison).
///
/// # Errors
/// Database errors.
pub fn source_digest(
    source: &mut Source,
    table: &TablePlan,
    converter: &RowConverter,
    batch_rows: usize,
) -> Result<(TableDigest, u64)> {
    let types = converter.types();
    let mut digest = TableDigest::new();
    let mut scratch = vec![];
    let unconvertible = read_converted(source, table, converter, batch_rows, &mut |row| {
        digest.add_row(&row, &types, &mut scratch)
    })?;
    Ok((digest, unconvertible))
}

/// Reads the table's source rows (within the plan's row filter) and feeds each converted row
/// to `f`; returns how many rows failed to convert.
fn read_converted(
    source: &mut Source,
    table: &TablePlan,
    converter: &RowConverter,
    batch_rows: usize,
    f: &mut dyn FnMut(Vec<Value>),
) -> Result<u64> {
    let (list, _) = crate::plan::reads::read_list(table, converter, None);
    let mut problems = vec![];
    let mut unconvertible = 0u64;
    source.read(
        &table.source_table,
        table.source_filter.as_deref(),
        &list,
        batch_rows,
        &mut |batch| {
            unconvertible += for_each_converted(converter, batch, &mut problems, f);
            Ok(())
        },
    )?;
    Ok(unconvertible)
}

/// Feeds every converted row to `f`; returns how many rows failed to convert (rows a
/// skip-row policy leaves out are neither fed nor counted).
fn for_each_converted(
    converter: &RowConverter,
    batch: RawBatch,
    problems: &mut Vec<crate::convert::row::ValueProblem>,
    f: &mut dyn FnMut(Vec<Value>),
) -> u64 {
    let mut failed = 0;
    let mut take = |outcome: RowOutcome| match outcome {
        RowOutcome::Row(v) => f(v),
        RowOutcome::Skipped => {}
        RowOutcome::Failed => failed += 1,
    };
    match batch {
        RawBatch::Sqlite(rows) => {
            for raw in rows {
                problems.clear();
                take(converter.convert_sqlite_owned(raw, problems));
            }
        }
        RawBatch::Pg(rows) => {
            for raw in rows {
                problems.clear();
                take(converter.convert_pg_owned(raw, problems));
            }
        }
    }
    failed
}

struct Entry {
    hash: [u8; 32],
    values: Option<Vec<Value>>,
}

/// How a table's rows are named in a difference: by its identity columns (all columns when
/// the copied ones do not include them).
pub struct RowKeys {
    cols: Vec<usize>,
    names: Vec<String>,
    types: Vec<ColumnType>,
}

impl RowKeys {
    pub fn new(table: &TablePlan, columns: &[(String, ColumnType)]) -> Self {
        let ids = table.target_def.identity_columns();
        let pos: Vec<usize> = ids
            .iter()
            .filter_map(|k| columns.iter().position(|(n, _)| n == k))
            .collect();
        let cols = if pos.len() == ids.len() {
            pos
        } else {
            (0..columns.len()).collect()
        };
        RowKeys {
            names: cols.iter().map(|&i| columns[i].0.clone()).collect(),
            types: cols.iter().map(|&i| columns[i].1.clone()).collect(),
            cols,
        }
    }

    /// The key's canonical bytes, to match a row with its counterpart.
    pub fn encode(&self, row: &[Value]) -> Vec<u8> {
        let mut k = vec![];
        for (&i, ty) in self.cols.iter().zip(&self.types) {
            encode_value(&row[i], ty, &mut k);
        }
        k
    }

    /// `id=42`, as a person reads it.
    pub fn describe(&self, row: &[Value]) -> String {
        let vals: Vec<String> = self.cols.iter().map(|&i| row[i].describe()).collect();
        describe_key(&self.names, &vals)
    }
}

/// Names the first differing rows of a table whose digests disagree.
///
/// # Errors
/// Database errors while re-reading either side.
pub fn locate_differences(
    source: &mut Source,
    target: &mut TypedReader,
    table: &TablePlan,
    converter: &RowConverter,
    batch_rows: usize,
) -> Result<Vec<RowDifference>> {
    locate_differences_after(source, target, table, converter, batch_rows, None)
}

/// [`locate_differences`] of a table that had rows before the run (`--append`): a target row
/// that was already there is not a difference; one that was there and is gone (or changed)
/// is. When there were too many existing rows to keep, the differences are not located.
///
/// # Errors
/// Database errors while re-reading either side.
pub fn locate_differences_after(
    source: &mut Source,
    target: &mut TypedReader,
    table: &TablePlan,
    converter: &RowConverter,
    batch_rows: usize,
    existing: Option<&existing::Existing>,
) -> Result<Vec<RowDifference>> {
    let mut before = match existing.map(existing::Existing::remaining) {
        None => HashMap::new(),
        Some(Some(rows)) => rows,
        Some(None) => {
            return Ok(vec![RowDifference {
                key: String::new(),
                kind: "not_located".into(),
                detail: format!(
                    "the table had {} row(s) before the run, more than the {} Ferry keeps to tell them from the copied ones; differences not located",
                    existing.map_or(0, existing::Existing::rows),
                    existing::MAX_EXISTING_ROWS
                ),
            }])
        }
    };
    let columns = table.target_columns();
    let types: Vec<&ColumnType> = columns.iter().map(|(_, t)| t).collect();
    let keys = RowKeys::new(table, &columns);
    let key_of = |row: &[Value]| keys.encode(row);
    let describe = |row: &[Value]| keys.describe(row);

    let mut expected: HashMap<Vec<u8>, Vec<Entry>> = HashMap::new();
    let mut stored = 0usize;
    let mut scratch = vec![];
    // Rows that do not convert have no target form to compare; `source_digest` counts them.
    let _unconvertible = read_converted(source, table, converter, batch_rows, &mut |row| {
        let hash = row_hash(&row, &types, &mut scratch);
        let key = key_of(&row);
        let values = (stored < MAX_ROWS_WITH_VALUES).then(|| row.clone());
        stored += 1;
        expected
            .entry(key)
            .or_default()
            .push(Entry { hash, values });
    })?;

    let mut diffs = vec![];
    target.read(&table.target_table, &columns, batch_rows, &mut |rows| {
        for row in rows {
            let hash = row_hash(&row, &types, &mut scratch);
            if let Some((n, _)) = before.get_mut(&hash).filter(|(n, _)| *n > 0) {
                // A row that was there before the run, unchanged.
                *n -= 1;
                continue;
            }
            let key = key_of(&row);
            let entries = expected.get_mut(&key);
            let matched = entries
                .as_ref()
                .and_then(|e| e.iter().position(|x| x.hash == hash));
            match (entries, matched) {
                (Some(e), Some(i)) => {
                    e.swap_remove(i);
                }
                (Some(e), None) if !e.is_empty() => {
                    let source_row = e.swap_remove(0);
                    if diffs.len() < MAX_DIFFERENCES {
                        diffs.push(RowDifference {
                            key: describe(&row),
                            kind: "values_differ".into(),
                            detail: explain(&columns, source_row.values.as_deref(), &row),
                        });
                    }
                }
                _ => {
                    if diffs.len() < MAX_DIFFERENCES {
                        diffs.push(RowDifference {
                            key: describe(&row),
                            kind: "only_in_target".into(),
                            detail: String::new(),
                        });
                    }
                }
            }
        }
        Ok(())
    })?;
    for (_, key) in before.values().filter(|(n, _)| *n > 0) {
        if diffs.len() >= MAX_DIFFERENCES {
            return Ok(diffs);
        }
        diffs.push(RowDifference {
            key: key.clone(),
            kind: "existing_row_changed".into(),
            detail: "was in the target before the run and is no longer there as it was".into(),
        });
    }
    for entries in expected.values() {
        for e in entries {
            if diffs.len() >= MAX_DIFFERENCES {
                return Ok(diffs);
            }
            let key = e
                .values
                .as_deref()
                .map(describe)
                .unwrap_or_else(|| "(row not kept in memory)".into());
            diffs.push(RowDifference {
                key,
                kind: "only_in_source".into(),
                detail: String::new(),
            });
        }
    }
    Ok(diffs)
}

fn explain(columns: &[(String, ColumnType)], source: Option<&[Value]>, target: &[Value]) -> String {
    let Some(source) = source else {
        return "values differ".into();
    };
    let parts: Vec<String> = columns
        .iter()
        .zip(source.iter().zip(target))
        .filter(|((_, ty), (s, t))| {
            let (mut a, mut b) = (vec![], vec![]);
            encode_value(s, ty, &mut a);
            encode_value(t, ty, &mut b);
            a != b
        })
        .map(|((name, _), (s, t))| {
            format!("{name}: {}", crate::model::value::describe_change(s, t))
        })
        .collect();
    parts.join("; ")
}

/// Foreign-key integrity of a SQLite target: no row may reference a missing parent
/// ([`crate::sqlite::foreign_keys`]).
///
/// # Errors
/// Database errors.
pub fn sqlite_foreign_key_check(conn: &rusqlite::Connection) -> Result<Check> {
    let rows = crate::sqlite::foreign_keys::all_violations(conn)?;
    let detail = if rows.is_empty() {
        "every foreign key finds its parent row (SQLite's rules)".to_string()
    } else {
        let first: Vec<String> = rows
            .iter()
            .take(5)
            .map(|v| {
                format!(
                    "{} rowid {} → {}",
                    v.table,
                    v.rowid.map_or("?".into(), |i| i.to_string()),
                    v.parent
                )
            })
            .collect();
        format!(
            "{} row(s) reference missing parents: {}",
            rows.len(),
            first.join(", ")
        )
    };
    Ok(Check {
        name: "foreign keys".into(),
        passed: rows.is_empty(),
        detail,
    })
}
