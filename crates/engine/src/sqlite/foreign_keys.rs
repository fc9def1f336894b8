//! Rows whose foreign key finds no parent row, with SQLite's own meaning of "no parent" —
//! NULL in any key column is no reference, composite keys match on every column, the parent
//! column's collation decides — but found fast.
//!
//! `PRAGMA foreign_key_check` probes the parent once per child row in the child's row order:
//! a random parent page per row, which for a million-row child was 2 million page reads and
//! seconds of system time (most of a preflight, most of a SQLite target's verification). Here
//! each key is one anti-join ordered by the key's columns, so when the child has an index on
//! them (apps usually do) SQLite walks that index and probes the parent in key order, reading
//! each parent page once. The keys come from the file itself (`pragma_foreign_key_list`), not
//! from a plan, so a verifier using this checks what was written. A key the anti-join cannot
//! state (its parent table or key columns cannot be found) is left to the pragma.

use rusqlite::Connection;

use crate::model::catalog::ForeignKey;
use crate::model::error::{Context, Result};
use crate::sqlite::ddl::quote_ident;
use crate::sqlite::introspect::{declared_foreign_keys, has_table};

/// A row whose foreign key points nowhere: the child table, its rowid (`None` for
/// `WITHOUT ROWID` tables) and the parent table it fails to reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FkViolation {
    pub table: String,
    pub rowid: Option<i64>,
    pub parent: String,
}

/// Violations of every foreign key of every table.
///
/// # Errors
/// `Sqlite` if a check cannot run.
pub fn all_violations(conn: &Connection) -> Result<Vec<FkViolation>> {
    let tables: Vec<String> = query_strings(
        conn,
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        [],
        "listing tables",
    )?;
    let mut out = vec![];
    for table in tables {
        out.extend(violations(conn, &table, &|_| true)?);
    }
    Ok(out)
}

/// Violations of the foreign keys of `table` whose parent `wanted` accepts.
///
/// # Errors
/// `Sqlite` if a check cannot run.
pub fn violations(
    conn: &Connection,
    table: &str,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Vec<FkViolation>> {
    let context = || format!("checking foreign keys of {table}");
    let keys: Vec<ForeignKey> = declared_foreign_keys(conn, table)?
        .into_iter()
        .filter(|k| wanted(&k.ref_table))
        .collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let mut stated = vec![];
    for key in keys {
        match parent_columns(conn, &key)? {
            Some(parent_columns) => stated.push((key, parent_columns)),
            None => return pragma_check(conn, table, wanted),
        }
    }
    let child = quote_ident(table);
    let rowid = match rowid_name(conn, table)? {
        Some(name) => format!("t.{name}"),
        None => "NULL".to_string(),
    };
    let mut out = vec![];
    for (key, parent_columns) in stated {
        let columns: Vec<String> = key
            .columns
            .iter()
            .map(|c| format!("t.{}", quote_ident(c)))
            .collect();
        let present = columns
            .iter()
            .map(|c| format!("{c} IS NOT NULL"))
            .collect::<Vec<_>>()
            .join(" AND ");
        // Parent on the left: the comparison takes the parent column's collation.
        let matches = parent_columns
            .iter()
            .zip(&columns)
            .map(|(p, c)| format!("p.{} = {c}", quote_ident(p)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!(
            "SELECT {rowid} FROM {child} AS t WHERE {present} AND NOT EXISTS \
             (SELECT 1 FROM {} AS p WHERE {matches}) ORDER BY {}",
            quote_ident(&key.ref_table),
            columns.join(", ")
        );
        let mut stmt = conn.prepare(&sql).context(context)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, Option<i64>>(0))
            .context(context)?;
        for rowid in rows {
            out.push(FkViolation {
                table: table.to_string(),
                rowid: rowid.context(context)?,
                parent: key.ref_table.clone(),
            });
        }
    }
    Ok(out)
}

/// The parent columns `key` refers to, naming those it leaves to the parent's primary key;
/// `None` when that cannot be done (no such parent table, or a key of another width).
fn parent_columns(conn: &Connection, key: &ForeignKey) -> Result<Option<Vec<String>>> {
    if !has_table(conn, &key.ref_table)? {
        return Ok(None);
    }
    let columns = if key.ref_columns.is_empty() {
        query_strings(
            conn,
            "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
            [key.ref_table.as_str()],
            "reading a primary key",
        )?
    } else {
        key.ref_columns.clone()
    };
    Ok((columns.len() == key.columns.len()).then_some(columns))
}

/// A name for the rowid of `table` that none of its columns hides; `None` for a `WITHOUT
/// ROWID` table (or one whose columns hide every alias).
fn rowid_name(conn: &Connection, table: &str) -> Result<Option<&'static str>> {
    let columns = query_strings(
        conn,
        "SELECT name FROM pragma_table_xinfo(?1)",
        [table],
        "reading columns",
    )?;
    let free = crate::sqlite::read::rowid_alias(columns.iter().map(String::as_str));
    Ok(free.filter(|alias| {
        conn.prepare(&format!(
            "SELECT {alias} FROM {} LIMIT 0",
            quote_ident(table)
        ))
        .is_ok()
    }))
}

/// SQLite's own check of `table`.
fn pragma_check(
    conn: &Connection,
    table: &str,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Vec<FkViolation>> {
    let context = || format!("checking foreign keys of {table}");
    let mut stmt = conn
        .prepare(&format!("PRAGMA foreign_key_check({})", quote_ident(table)))
        .context(context)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(FkViolation {
                table: r.get(0)?,
                rowid: r.get(1)?,
                parent: r.get(2)?,
            })
        })
        .context(context)?;
    let mut out = vec![];
    for v in rows {
        let v = v.context(context)?;
        if wanted(&v.parent) {
            out.push(v);
        }
    }
    Ok(out)
}

fn query_strings<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    what: &str,
) -> Result<Vec<String>> {
    let context = || what.to_string();
    let mut stmt = conn.prepare(sql).context(context)?;
    let rows = stmt
        .query_map(params, |r| r.get::<_, String>(0))
        .context(context)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().context(context)
}
