//! A bounded sample of the values stored in some columns of a SQLite table: the evidence from
//! existing rows the planner judges an app's storage forms by ([`crate::model::stored_forms`]).
//!
//! One statement per table. Per column it takes the first non-NULL values among the newest
//! and among the oldest rows (by rowid), each side within a bounded scan, so a column that is
//! mostly NULL in a large table never costs a full scan, and an app that changed its form
//! over the years shows both forms. A table without a rowid is sampled in storage order.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::model::error::{Context, Result};
use crate::model::value::SqliteValue;
use crate::sqlite::ddl::quote_ident;

/// Rows scanned, at most, at each end of the table for one column.
const SCAN_ROWS: usize = 5_000;

/// Up to `per_column` non-NULL values of each of `columns` in `table`, keyed by column name.
///
/// # Errors
/// `Sqlite` when the query fails, with the table named.
pub fn sample_columns(
    conn: &Connection,
    table: &str,
    columns: &[String],
    per_column: usize,
) -> Result<BTreeMap<String, Vec<SqliteValue>>> {
    let t = quote_ident(table);
    let half = per_column.div_ceil(2);
    let with_rowid = |order: &str, c: &str, i: usize| {
        format!(
            "SELECT {i}, r, v FROM (SELECT r, v FROM (SELECT rowid AS r, {c} AS v FROM {t} ORDER BY rowid {order} LIMIT {SCAN_ROWS}) WHERE v IS NOT NULL LIMIT {half})"
        )
    };
    let parts: Vec<String> = columns
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let c = quote_ident(c);
            [with_rowid("DESC", &c, i), with_rowid("ASC", &c, i)]
        })
        .collect();
    let by_rowid = parts.join(" UNION ALL ");
    let plain: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = quote_ident(c);
            format!(
                "SELECT {i}, NULL, v FROM (SELECT v FROM (SELECT {c} AS v FROM {t} LIMIT {SCAN_ROWS}) WHERE v IS NOT NULL LIMIT {per_column})"
            )
        })
        .collect();
    let plain = plain.join(" UNION ALL ");
    // A WITHOUT ROWID table has no rowid to order by: its storage order then.
    let mut stmt = match conn.prepare(&by_rowid) {
        Ok(s) => s,
        Err(_) => conn
            .prepare(&plain)
            .context(|| format!("sampling the existing rows of {table}"))?,
    };
    let mut out: BTreeMap<String, Vec<SqliteValue>> = BTreeMap::new();
    let mut seen: std::collections::HashSet<(usize, i64)> = Default::default();
    let mut rows = stmt
        .query([])
        .context(|| format!("sampling the existing rows of {table}"))?;
    while let Some(row) = rows
        .next()
        .context(|| format!("sampling the existing rows of {table}"))?
    {
        let i: usize =
            row.get::<_, i64>(0)
                .context(|| format!("sampling the existing rows of {table}"))? as usize;
        let rowid: Option<i64> = row
            .get(1)
            .context(|| format!("sampling the existing rows of {table}"))?;
        // A small table's newest and oldest rows are the same rows: each counts once.
        if let Some(r) = rowid {
            if !seen.insert((i, r)) {
                continue;
            }
        }
        let v = row
            .get_ref(2)
            .context(|| format!("sampling the existing rows of {table}"))?;
        if let Some(name) = columns.get(i) {
            out.entry(name.clone())
                .or_default()
                .push(crate::convert::sqlite_value_from_ref(v));
        }
    }
    Ok(out)
}
