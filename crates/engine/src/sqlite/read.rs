//! Reading a SQLite table's rows as [`SqliteValue`]s, in bounded batches.
//!
//! Values come out exactly as stored: SQLite's storage class decides the variant, and TEXT is
//! kept as raw bytes because SQLite does not enforce UTF-8 (invalid text must reach preflight
//! as it is, not be mangled here). Conversion to typed values is [`crate::convert`]'s job.
//! One statement is prepared per table and values are copied straight out of `ValueRef`s, so
//! the reader's cost is the copy itself. The verifier's [`digest_table_where`] does not even
//! copy: it encodes each value for the digest from SQLite's own buffer.

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::convert::digest::TableDigest;
use crate::convert::digest_sqlite::encode_stored;
use crate::convert::ColumnRules;
use crate::model::catalog::ColumnType;
use crate::model::error::{Error, Result};
use crate::model::value::SqliteValue;
use crate::sqlite::ddl::quote_ident;

/// Reads `columns` of `table` in storage order, handing batches of at most `batch_rows` rows to
/// `on_batch`; returns the number of rows read.
///
/// # Errors
/// `Sqlite` when the query fails (with the table named); whatever `on_batch` returns, which
/// stops the read.
pub fn read_table(
    conn: &Connection,
    table: &str,
    columns: &[String],
    batch_rows: usize,
    on_batch: &mut dyn FnMut(Vec<Vec<SqliteValue>>) -> Result<()>,
) -> Result<u64> {
    read_table_where(conn, table, columns, None, batch_rows, on_batch)
}

/// [`read_table`], keeping only the rows for which `filter` (a SQLite boolean expression over
/// the table's columns, e.g. a job's ownership test) is true.
///
/// # Errors
/// As [`read_table`].
pub fn read_table_where(
    conn: &Connection,
    table: &str,
    columns: &[String],
    filter: Option<&str>,
    batch_rows: usize,
    on_batch: &mut dyn FnMut(Vec<Vec<SqliteValue>>) -> Result<()>,
) -> Result<u64> {
    let batch_rows = batch_rows.max(1);
    let sql = select_sql(table, columns.iter().map(String::as_str), filter);
    let mut stmt = conn.prepare(&sql).map_err(|e| read_error(e, table, None))?;
    let mut rows = stmt.query([]).map_err(|e| read_error(e, table, None))?;
    let width = columns.len();
    let mut batch = Vec::with_capacity(batch_rows);
    let mut total = 0u64;
    while let Some(row) = rows.next().map_err(|e| read_error(e, table, Some(total)))? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            let v = row.get_ref(i).map_err(|e| read_error(e, table, None))?;
            values.push(match v {
                ValueRef::Null => SqliteValue::Null,
                ValueRef::Integer(i) => SqliteValue::Integer(i),
                ValueRef::Real(f) => SqliteValue::Real(f),
                ValueRef::Text(t) => SqliteValue::Text(t.to_vec()),
                ValueRef::Blob(b) => SqliteValue::Blob(b.to_vec()),
            });
        }
        batch.push(values);
        total += 1;
        if batch.len() == batch_rows {
            on_batch(std::mem::replace(
                &mut batch,
                Vec::with_capacity(batch_rows),
            ))?;
        }
    }
    if !batch.is_empty() {
        on_batch(batch)?;
    }
    Ok(total)
}

/// The digest of the rows of `table` that `filter` accepts, over `columns` read as their types
/// with `rules` (the run's storage convention): each value is encoded from SQLite's own
/// borrowed copy ([`crate::convert::digest_sqlite`]), with no batches and no `Value`s, so
/// memory stays flat whatever the table size.
///
/// # Errors
/// As [`read_table`].
pub fn digest_table_where(
    conn: &Connection,
    table: &str,
    columns: &[(String, ColumnType)],
    filter: Option<&str>,
    rules: &ColumnRules,
) -> Result<TableDigest> {
    let sql = select_sql(table, columns.iter().map(|(n, _)| n.as_str()), filter);
    let mut stmt = conn.prepare(&sql).map_err(|e| read_error(e, table, None))?;
    let mut rows = stmt.query([]).map_err(|e| read_error(e, table, None))?;
    let mut digest = TableDigest::new();
    let mut encoded = Vec::with_capacity(256);
    while let Some(row) = rows
        .next()
        .map_err(|e| read_error(e, table, Some(digest.rows())))?
    {
        encoded.clear();
        for (i, (_, ty)) in columns.iter().enumerate() {
            let v = row.get_ref(i).map_err(|e| read_error(e, table, None))?;
            encode_stored(v, ty, rules, &mut encoded);
        }
        digest.add_encoded(&encoded);
    }
    Ok(digest)
}

/// `SELECT "a", "b" FROM "t" [WHERE (filter)]`; `NULL` for no columns.
fn select_sql<'a>(
    table: &str,
    columns: impl Iterator<Item = &'a str>,
    filter: Option<&str>,
) -> String {
    let list: Vec<String> = columns.map(quote_ident).collect();
    let select_list = if list.is_empty() {
        "NULL".to_string()
    } else {
        list.join(", ")
    };
    match filter {
        Some(f) => format!(
            "SELECT {select_list} FROM {} WHERE ({f})",
            quote_ident(table)
        ),
        None => format!("SELECT {select_list} FROM {}", quote_ident(table)),
    }
}

/// A read error with the table named; a damaged file says so in plain words (its kind is
/// bad input: the file, not Ferry, is at fault).
fn read_error(e: rusqlite::Error, table: &str, after: Option<u64>) -> Error {
    let at = after.map_or(String::new(), |n| format!(" (after row {n})"));
    let corrupt = matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    );
    let context = if corrupt {
        format!("the database file is truncated or corrupt: cannot read table {table}{at}")
    } else {
        format!("cannot read table {table}{at}")
    };
    Error::Sqlite { context, source: e }
}

/// Tables with fewer rows than this are read whole: splitting them buys nothing.
const SPLIT_ROWS: u64 = 20_000;

/// Row filters cutting the table `def` (expected to hold about `rows` rows) into about
/// `n` rowid ranges that together cover every row exactly once, for reading it in parallel on
/// several connections; `[None]` (the whole table) when it is not worth or not possible to cut:
/// fewer than two parts wanted, fewer than 20 000 rows, no rows, or no rowid (WITHOUT ROWID
/// tables, or every alias of the rowid taken by a column of that name).
///
/// # Errors
/// None in practice: a table the range query fails on is returned whole.
pub fn rowid_ranges(
    conn: &Connection,
    def: &crate::model::catalog::Table,
    rows: Option<u64>,
    n: usize,
) -> Result<Vec<Option<String>>> {
    if n < 2 || rows.unwrap_or(0) < SPLIT_ROWS {
        return Ok(vec![None]);
    }
    // A column may be named rowid, oid or _rowid_, and then hides that alias of the rowid.
    let Some(rowid) = rowid_alias(def.columns.iter().map(|c| c.name.as_str())) else {
        return Ok(vec![None]);
    };
    // WITHOUT ROWID tables have no rowid: the query fails and the table stays whole.
    let sql = rowid_bounds_sql(rowid, &def.name);
    let Ok((Some(lo), Some(hi))) = conn.query_row(&sql, [], |r| {
        Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
    }) else {
        return Ok(vec![None]);
    };
    let (lo, hi) = (i128::from(lo), i128::from(hi));
    let step = ((hi - lo + 1) / n as i128).max(1);
    let mut filters = vec![];
    let mut start = lo;
    for i in 0..n {
        let end = if i + 1 == n {
            hi
        } else {
            (start + step - 1).min(hi)
        };
        filters.push(Some(format!("{rowid} BETWEEN {start} AND {end}")));
        if end >= hi {
            break;
        }
        start = end + 1;
    }
    Ok(filters)
}

/// The smallest and largest rowid of `table`, one aggregate per subquery: SQLite answers a
/// lone min() or max() of the rowid from the b-tree's first or last entry, but both in one
/// SELECT scan the whole table (0.2 s at the start of a verification at 1M rows per table).
fn rowid_bounds_sql(rowid: &str, table: &str) -> String {
    let table = quote_ident(table);
    format!("SELECT (SELECT min({rowid}) FROM {table}), (SELECT max({rowid}) FROM {table})")
}

/// A name for a table's rowid that none of its `columns` hides (`_rowid_`, `rowid`, `oid`).
pub fn rowid_alias<'a>(columns: impl IntoIterator<Item = &'a str> + Clone) -> Option<&'static str> {
    ["_rowid_", "rowid", "oid"].into_iter().find(|alias| {
        !columns
            .clone()
            .into_iter()
            .any(|c| c.eq_ignore_ascii_case(alias))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rowid_ranges_cover_every_row_once_without_scanning_for_the_bounds() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER);
             CREATE INDEX t_k ON t (k);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
             INSERT INTO t SELECT i * 3, i % 7 FROM n;",
        )
        .unwrap();
        let def = crate::sqlite::introspect::introspect(&conn)
            .unwrap()
            .tables
            .into_iter()
            .find(|t| t.name == "t")
            .unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                rowid_bounds_sql("_rowid_", "t")
            ))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN t")),
            "{plan:?}"
        );
        let ranges = rowid_ranges(&conn, &def, Some(30_000), 8).unwrap();
        assert_eq!(ranges.len(), 8);
        let mut seen = 0;
        for filter in &ranges {
            let sql = format!(
                "SELECT count(*) FROM t WHERE {}",
                filter.as_deref().unwrap()
            );
            seen += conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap();
        }
        assert_eq!(seen, 30_000);
    }
}
