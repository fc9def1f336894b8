//! A SQLite database's schema, as the dialect-neutral [`Catalog`].
//!
//! Structure comes from SQLite's own PRAGMAs (`table_list`, `table_xinfo`, `foreign_key_list`,
//! `index_list`, `index_xinfo`), which resolve quoting, case and defaults exactly as SQLite
//! does. What they do not report (CHECKs, constraint names, generated expressions,
//! `AUTOINCREMENT`, `DEFERRABLE`, `COLLATE`, index expressions and predicates, Ferry's
//! `/* pg:… */` type hints) is read from the stored `CREATE` text by [`sql_text`].
//!
//! Only user tables are migrated. SQLite's internal tables (`sqlite_%`) are ignored; virtual
//! tables (FTS, R*Tree), views and triggers are listed in [`Catalog::not_migrated`]; the shadow
//! tables that back virtual tables are ignored (they are rebuilt with the virtual table).

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension};

use crate::model::catalog::{
    Catalog, Check, Column, ColumnType, Dialect, FkAction, ForeignKey, Index, IndexColumn,
    SkippedObject, Table, UniqueConstraint,
};
use crate::model::error::{Context, Result};
use crate::sqlite::ddl::quote_ident;
use crate::sqlite::defaults::parse_default;
use crate::sqlite::sql_text::{self, TableSql};
use crate::sqlite::types::{parse_declared_type, parse_pg_type};

/// Suffixes of the shadow tables FTS3/4/5 and R*Tree create for a virtual table `x`.
const SHADOW_SUFFIXES: &[&str] = &[
    "data", "idx", "content", "docsize", "config", "segments", "segdir", "stat", "node", "parent",
    "rowid",
];

struct SchemaRow {
    kind: String,
    name: String,
    sql: Option<String>,
}

/// Reads the schema of the `main` database, with exact row counts.
///
/// # Errors
/// `Sqlite` naming the table whose metadata could not be read.
pub fn introspect(conn: &Connection) -> Result<Catalog> {
    let mut catalog = introspect_schema(conn)?;
    for table in &mut catalog.tables {
        table.row_count = Some(count_rows(conn, &table.name)?);
    }
    Ok(catalog)
}

/// [`introspect`] without the row counts, each of which reads a whole table (or its smallest
/// index): for a run that learns them from its own copy.
///
/// # Errors
/// As [`introspect`].
pub fn introspect_schema(conn: &Connection) -> Result<Catalog> {
    let rows = schema_rows(conn)?;
    let list = table_list(conn)?;
    let virtual_tables: HashSet<String> = rows
        .iter()
        .filter(|r| r.kind == "table" && r.sql.as_deref().is_some_and(is_virtual_sql))
        .map(|r| r.name.clone())
        .collect();
    let is_shadow = |name: &str| {
        list.get(name).is_some_and(|t| t.0 == "shadow")
            || virtual_tables.iter().any(|vt| {
                name.strip_prefix(vt.as_str())
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|suffix| SHADOW_SUFFIXES.contains(&suffix))
            })
    };
    let mut catalog = Catalog {
        dialect: Dialect::Sqlite,
        tables: Vec::new(),
        not_migrated: Vec::new(),
    };
    for r in &rows {
        if r.name.to_ascii_lowercase().starts_with("sqlite_") {
            continue;
        }
        match r.kind.as_str() {
            "table" if virtual_tables.contains(&r.name) => {
                catalog.not_migrated.push(SkippedObject {
                    kind: "virtual table".into(),
                    name: r.name.clone(),
                })
            }
            "table" if is_shadow(&r.name) => {}
            "table" => {
                let flags = list
                    .get(&r.name)
                    .map(|t| (t.1, t.2))
                    .unwrap_or((false, false));
                catalog.tables.push(read_table(conn, r, &rows, flags)?);
            }
            "view" | "trigger" => catalog.not_migrated.push(SkippedObject {
                kind: r.kind.clone(),
                name: r.name.clone(),
            }),
            _ => {}
        }
    }
    Ok(catalog)
}

fn is_virtual_sql(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .take(3)
        .map(str::to_ascii_uppercase)
        .collect();
    words.len() == 3 && words[0] == "CREATE" && words[1] == "VIRTUAL" && words[2] == "TABLE"
}

fn schema_rows(conn: &Connection) -> Result<Vec<SchemaRow>> {
    let ctx = || "cannot read the schema (sqlite_schema)".to_string();
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY rowid")
        .context(ctx)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(SchemaRow {
                kind: r.get(0)?,
                name: r.get(1)?,
                sql: r.get(2)?,
            })
        })
        .context(ctx)?;
    rows.collect::<rusqlite::Result<_>>().context(ctx)
}

/// `PRAGMA table_list`: name → (type, WITHOUT ROWID, STRICT).
fn table_list(conn: &Connection) -> Result<HashMap<String, (String, bool, bool)>> {
    let ctx = || "cannot list tables (PRAGMA table_list)".to_string();
    let mut stmt = conn
        .prepare("SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'")
        .context(ctx)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get(1)?,
                    r.get::<_, i64>(2)? != 0,
                    r.get::<_, i64>(3)? != 0,
                ),
            ))
        })
        .context(ctx)?;
    rows.collect::<rusqlite::Result<_>>().context(ctx)
}

fn read_table(
    conn: &Connection,
    row: &SchemaRow,
    all: &[SchemaRow],
    (without_rowid, strict): (bool, bool),
) -> Result<Table> {
    let name = &row.name;
    let ctx = || format!("cannot read the definition of table {name}");
    let text = row
        .sql
        .as_deref()
        .and_then(sql_text::parse_create_table)
        .unwrap_or_default();
    let mut notes = Vec::new();
    if without_rowid || text.without_rowid {
        notes.push("WITHOUT ROWID".to_string());
    }
    if strict || text.strict {
        notes.push("STRICT".to_string());
    }

    let mut stmt = conn
        .prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")
        .context(ctx)?;
    type XInfo = (String, String, bool, Option<String>, i64, i64);
    let xinfo: Vec<XInfo> = stmt
        .query_map([name], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .context(ctx)?
        .collect::<rusqlite::Result<_>>()
        .context(ctx)?;

    let mut pk: Vec<(i64, String)> = xinfo
        .iter()
        .filter(|c| c.4 > 0)
        .map(|c| (c.4, c.0.clone()))
        .collect();
    pk.sort();
    let primary_key: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();

    let mut columns = Vec::new();
    for (col_name, declared, not_null, dflt, _, hidden) in xinfo {
        if hidden == 1 {
            continue; // a virtual table's hidden column; never here for ordinary tables
        }
        let col_text = text.column(&col_name);
        let hint = col_text.and_then(|c| c.hint.clone());
        let ty = col_text
            .and_then(|c| c.hint.as_deref())
            .and_then(parse_pg_type)
            .unwrap_or_else(|| parse_declared_type(&declared));
        let generated = match hidden {
            2 | 3 => {
                if hidden == 3 {
                    notes.push(format!("generated column {col_name} is STORED"));
                }
                Some(
                    col_text
                        .and_then(|c| c.generated.clone())
                        .unwrap_or_default(),
                )
            }
            _ => None,
        };
        if let Some(coll) = col_text
            .and_then(|c| c.collate.as_deref())
            .filter(|c| !c.eq_ignore_ascii_case("BINARY"))
        {
            notes.push(format!(
                "column {col_name} uses COLLATE {}",
                coll.to_ascii_uppercase()
            ));
        }
        // A rowid alias generates ids whether or not AUTOINCREMENT is written; apps rely on it.
        let auto_increment = !without_rowid
            && primary_key.len() == 1
            && primary_key[0] == col_name
            && declared.eq_ignore_ascii_case("INTEGER");
        let default = if generated.is_some() {
            None
        } else {
            dflt.map(|d| parse_default(&d, &ty))
        };
        columns.push(Column {
            name: col_name,
            // The hint stays visible: the mapping tells a Ferry-written `TIMESTAMP /* pg:timestamp */`
            // (a PostgreSQL timestamp) from an app's `TIMESTAMP` (becomes timestamptz).
            declared_type: match hint {
                Some(h) => format!("{declared} /* pg:{h} */"),
                None => declared,
            },
            ty,
            not_null,
            default,
            auto_increment,
            sequence: None,
            generated,
        });
    }

    let foreign_keys = foreign_keys(conn, name, &text)?;
    let (uniques, indexes) = indexes(conn, name, &text, all)?;
    let checks = text
        .checks
        .iter()
        .map(|c| Check {
            name: c.name.clone(),
            expression: c.expression.clone(),
        })
        .collect();
    Ok(Table {
        name: name.clone(),
        columns,
        primary_key,
        foreign_keys,
        uniques,
        indexes,
        checks,
        row_count: None,
        autoincrement: text.autoincrement,
        notes,
    })
}

fn count_rows(conn: &Connection, name: &str) -> Result<u64> {
    let count: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM {}", quote_ident(name)),
            [],
            |r| r.get(0),
        )
        .context(|| format!("cannot count the rows of table {name}"))?;
    Ok(count as u64)
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn foreign_keys(conn: &Connection, table: &str, text: &TableSql) -> Result<Vec<ForeignKey>> {
    let mut out = declared_foreign_keys(conn, table)?;
    // Names and DEFERRABLE only exist in the text; match each FK to its clause once.
    let mut used = vec![false; text.foreign_keys.len()];
    for fk in &mut out {
        let found = text.foreign_keys.iter().enumerate().position(|(i, s)| {
            !used[i]
                && same_names(&s.columns, &fk.columns)
                && s.ref_table.eq_ignore_ascii_case(&fk.ref_table)
        });
        if let Some(i) = found {
            used[i] = true;
            fk.name = text.foreign_keys[i].name.clone();
            fk.deferrable = text.foreign_keys[i].deferrable;
        }
    }
    Ok(out)
}

/// The foreign keys of `table` as `PRAGMA foreign_key_list` gives them: columns, parent,
/// parent columns (empty when left to the parent's primary key) and actions; no names, never
/// deferrable (only the CREATE text says those).
///
/// # Errors
/// `Sqlite` if the pragma cannot be read.
pub(crate) fn declared_foreign_keys(conn: &Connection, table: &str) -> Result<Vec<ForeignKey>> {
    let ctx = || format!("cannot read the foreign keys of table {table}");
    let mut stmt = conn
        .prepare("SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id DESC, seq")
        .context(ctx)?;
    type FkRow = (i64, i64, String, String, Option<String>, String, String);
    let rows: Vec<FkRow> = stmt
        .query_map([table], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .context(ctx)?
        .collect::<rusqlite::Result<_>>()
        .context(ctx)?;
    let mut out: Vec<ForeignKey> = Vec::new();
    let mut last_id = None;
    for (id, _, ref_table, from, to, on_update, on_delete) in rows {
        if last_id != Some(id) {
            last_id = Some(id);
            out.push(ForeignKey {
                name: None,
                columns: Vec::new(),
                ref_table,
                ref_columns: Vec::new(),
                on_delete: FkAction::parse(&on_delete),
                on_update: FkAction::parse(&on_update),
                deferrable: false,
            });
        }
        let fk = out.last_mut().expect("pushed above");
        fk.columns.push(from);
        if let Some(to) = to {
            fk.ref_columns.push(to);
        }
    }
    Ok(out)
}

fn indexes(
    conn: &Connection,
    table: &str,
    text: &TableSql,
    all: &[SchemaRow],
) -> Result<(Vec<UniqueConstraint>, Vec<Index>)> {
    let ctx = || format!("cannot read the indexes of table {table}");
    let mut stmt = conn
        .prepare("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")
        .context(ctx)?;
    let list: Vec<(String, bool, String)> = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .context(ctx)?
        .collect::<rusqlite::Result<_>>()
        .context(ctx)?;
    let mut uniques = Vec::new();
    let mut indexes = Vec::new();
    for (index_name, unique, origin) in list {
        match origin.as_str() {
            "u" => {
                let columns: Vec<String> = conn
                    .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                    .and_then(|mut s| s.query_map([&index_name], |r| r.get(0))?.collect())
                    .context(ctx)?;
                let name = text
                    .uniques
                    .iter()
                    .find(|u| same_names(&u.columns, &columns))
                    .and_then(|u| u.name.clone());
                uniques.push(UniqueConstraint { name, columns });
            }
            "c" => {
                let sql = all
                    .iter()
                    .find(|r| r.kind == "index" && r.name == index_name)
                    .and_then(|r| r.sql.clone());
                let parsed = sql.as_deref().and_then(sql_text::parse_create_index);
                let parts: Vec<(i64, Option<String>, bool)> = conn
                    .prepare("SELECT cid, name, \"desc\" FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")
                    .and_then(|mut s| s.query_map([&index_name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
                    .context(ctx)?;
                let columns = parts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (cid, name, descending))| match (cid, name) {
                        (c, Some(name)) if c >= 0 => IndexColumn::Column { name, descending },
                        (-1, _) => IndexColumn::Expression {
                            sql: "rowid".into(),
                        },
                        _ => IndexColumn::Expression {
                            sql: parsed
                                .as_ref()
                                .and_then(|p| p.parts.get(i).cloned())
                                .unwrap_or_default(),
                        },
                    })
                    .collect();
                indexes.push((
                    all.iter()
                        .position(|r| r.kind == "index" && r.name == index_name),
                    Index {
                        name: index_name,
                        unique,
                        columns,
                        predicate: parsed.and_then(|p| p.predicate),
                    },
                ));
            }
            _ => {} // "pk": the primary key
        }
    }
    // Creation order, as the schema lists them (PRAGMA index_list is newest first).
    indexes.sort_by_key(|(pos, _)| *pos);
    uniques.reverse();
    Ok((uniques, indexes.into_iter().map(|(_, i)| i).collect()))
}

/// The `ColumnType` a column of `table` was introspected as (convenience for callers/tests).
pub fn column_type(catalog: &Catalog, table: &str, column: &str) -> Option<ColumnType> {
    catalog.table(table)?.column(column).map(|c| c.ty.clone())
}

/// Whether `name` is a table in the database (any type), for callers that validate input.
///
/// # Errors
/// `Sqlite` if `sqlite_schema` cannot be read.
pub fn has_table(conn: &Connection, name: &str) -> Result<bool> {
    conn.query_row(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
    .context(|| format!("cannot look up table {name}"))
}
