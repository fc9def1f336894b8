//! The SQLite schema Ferry generates (usually from a PostgreSQL source).
//!
//! The declared type is how a SQLite file remembers what a column was (contract 8), so it is
//! chosen to be read back by [`parse_declared_type`] as the same [`ColumnType`]. Where the
//! SQLite name alone cannot say it (`integer` vs `bigint` on an `INTEGER PRIMARY KEY`, an enum's
//! labels, PostgreSQL types whose names would give text an unsafe affinity) a
//! `/* pg:<type> */` comment follows the type; introspection prefers it. [`declared_type`]
//! checks its own output against the parser, so a hint is written exactly when needed.
//!
//! Affinity is the trap here: SQLite converts text that *looks numeric* in a column whose
//! declared type has INTEGER/REAL/NUMERIC affinity (a type containing `INT` is INTEGER,
//! `JSON` or `UUID` are NUMERIC). That is harmless for text that is never numeric-looking
//! (dates, times, UUIDs, `INTERVAL`/`POINT`/`INET` text forms, JSON arrays) but would change
//! values like numeric `12345678901234567890.12` (kept only to 15 digits) or bit string `0101`.
//! So: numerics beyond 15 digits are `NUMERIC_TEXT(p,s)` (TEXT affinity); opaque types whose
//! text could look numeric are declared `TEXT` with a hint. JSON columns are declared `TEXT` with
//! a `pg:json`/`pg:jsonb` hint: a JSON document is always stored as TEXT, whatever it looks like
//! (Django's own JSONField is `text` too).
//!
//! Foreign keys go into `CREATE TABLE` because SQLite cannot add them later; loading runs with
//! `foreign_keys = OFF`, so their order does not matter.

use crate::model::catalog::{ColumnType, Index, IndexColumn, Table};
use crate::sqlite::defaults::render_default;
use crate::sqlite::sql_text::hint_comment;
use crate::sqlite::types::{affinity, parse_declared_type, parse_pg_type, pg_hint_text, Affinity};

pub use crate::support::sql::quote_ident;

/// Opaque PostgreSQL types whose text form always contains a non-numeric character, so a
/// numeric-affinity declared type cannot convert it.
const NEVER_NUMERIC_LOOKING: &[&str] = &[
    "interval",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "tsvector",
    "tsquery",
    "timetz",
    "time with time zone",
    "pg_lsn",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
];

/// The declared type for a column of type `ty`, and the `pg:` hint text when the declared type
/// alone would read back as something else.
pub fn declared_type(ty: &ColumnType) -> (String, Option<String>) {
    let name = declared_name(ty);
    let hint = needs_hint(&name, ty).then(|| pg_hint_text(ty));
    (name, hint)
}

fn needs_hint(declared: &str, ty: &ColumnType) -> bool {
    // An app's TIMESTAMP/DATETIME holds instants and becomes timestamptz on the way to
    // PostgreSQL; a PostgreSQL `timestamp` (no zone) must say so to come back as itself.
    // Likewise an app's JSON becomes jsonb, so a PostgreSQL `json` (text kept as written) says so.
    parse_declared_type(declared) != *ty
        || matches!(
            ty,
            ColumnType::Timestamp | ColumnType::Json { binary: false }
        )
}

fn declared_name(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Int { bits: 16 } => "SMALLINT".into(),
        ColumnType::Int { bits: 32 } => "INT4".into(),
        ColumnType::Int { .. } => "BIGINT".into(),
        ColumnType::Float { bits: 32 } => "FLOAT4".into(),
        ColumnType::Float { .. } => "REAL".into(),
        ColumnType::Numeric {
            precision: Some(p),
            scale,
        } if *p <= 15 => match scale {
            Some(s) => format!("NUMERIC({p},{s})"),
            None => format!("NUMERIC({p})"),
        },
        ColumnType::Numeric {
            precision: Some(p),
            scale: Some(s),
        } => format!("NUMERIC_TEXT({p},{s})"),
        ColumnType::Numeric {
            precision: Some(p),
            scale: None,
        } => format!("NUMERIC_TEXT({p})"),
        ColumnType::Numeric { .. } => "NUMERIC_TEXT".into(),
        ColumnType::Bool => "BOOLEAN".into(),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Varchar { max_len: Some(n) } => format!("VARCHAR({n})"),
        ColumnType::Varchar { max_len: None } => "VARCHAR".into(),
        ColumnType::Char { len } => format!("BPCHAR({len})"),
        ColumnType::Bytes => "BLOB".into(),
        ColumnType::Uuid => "UUID".into(),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
        ColumnType::Timestamp => "TIMESTAMP".into(),
        ColumnType::TimestampTz => "TIMESTAMPTZ".into(),
        // TEXT affinity, so a document that is a bare number (`42`) stays the text `42` (a
        // `JSON`/`JSONB` declared type has NUMERIC affinity and would store the INTEGER 42,
        // which no framework parses as JSON); the hint keeps the PostgreSQL type.
        ColumnType::Json { .. } => "TEXT".into(),
        // Arrays are stored as JSON array text, which starts with `[`: never numeric-looking.
        ColumnType::Array { element } => format!("{}[]", declared_name(element)),
        ColumnType::Enum { .. } => "TEXT".into(),
        ColumnType::Opaque { name } => opaque_name(name),
        ColumnType::Any => String::new(),
    }
}

/// An opaque PostgreSQL type declared as itself when that is valid SQLite type syntax and
/// safe for its text, else as `TEXT` (the hint then carries the PostgreSQL type).
fn opaque_name(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    let base = name
        .split('(')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let safe = matches!(affinity(&upper), Affinity::Text | Affinity::Blob)
        || NEVER_NUMERIC_LOOKING.contains(&base.as_str());
    if is_plain_type_syntax(&upper) && safe {
        upper
    } else {
        "TEXT".into()
    }
}

/// Identifiers separated by spaces, optionally followed by `(n)` or `(n,m)`.
fn is_plain_type_syntax(t: &str) -> bool {
    let (words, args) = match t.find('(') {
        Some(i) => (&t[..i], Some(&t[i..])),
        None => (t, None),
    };
    let words_ok = !words.trim().is_empty()
        && words.split_whitespace().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    let args_ok = args.is_none_or(|a| {
        a.strip_prefix('(')
            .and_then(|a| a.strip_suffix(')'))
            .is_some_and(|inner| {
                let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
                parts.len() <= 2
                    && parts
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            })
    });
    words_ok && args_ok
}

/// `CREATE TABLE` for `table`, with the warnings about what could not be expressed (a default
/// only PostgreSQL understands, an auto-increment that SQLite cannot attach to a composite key).
pub fn create_table_sql(table: &Table) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut lines = Vec::new();
    // A single auto-increment integer key becomes the rowid alias: exactly `INTEGER PRIMARY KEY`.
    let rowid_alias = match table.primary_key.as_slice() {
        [pk] => table
            .column(pk)
            .filter(|c| c.auto_increment && matches!(c.ty, ColumnType::Int { .. }))
            .map(|c| c.name.clone()),
        _ => None,
    };
    for col in &table.columns {
        let is_alias = rowid_alias.as_deref() == Some(col.name.as_str());
        let (name, hint) = if is_alias {
            let hint = needs_hint("INTEGER", &col.ty).then(|| pg_hint_text(&col.ty));
            ("INTEGER".to_string(), hint)
        } else {
            declared_type(&col.ty)
        };
        if col.auto_increment && !is_alias {
            warnings.push(format!(
                "{}.{}: SQLite generates ids only for a single INTEGER PRIMARY KEY; this column's values are copied but new rows will not get ids",
                table.name, col.name
            ));
        }
        let mut line = quote_ident(&col.name);
        if !name.is_empty() {
            line.push(' ');
            line.push_str(&name);
        }
        if let Some(h) = hint {
            line.push(' ');
            line.push_str(&hint_comment(&h));
        }
        if is_alias {
            line.push_str(" PRIMARY KEY");
            if table.autoincrement {
                line.push_str(" AUTOINCREMENT");
            }
        }
        if col.not_null {
            line.push_str(" NOT NULL");
        }
        if let Some(expr) = &col.generated {
            // The catalog does not say stored or virtual; virtual needs no storage and the
            // values are computed the same way.
            line.push_str(&format!(" GENERATED ALWAYS AS ({expr}) VIRTUAL"));
        } else if let Some(d) = &col.default {
            match render_default(d, &col.ty) {
                Ok(sql) => line.push_str(&format!(" DEFAULT {sql}")),
                Err(why) => warnings.push(format!(
                    "{}.{}: default omitted: {why}",
                    table.name, col.name
                )),
            }
        }
        lines.push(line);
    }
    let names = |cols: &[String]| {
        cols.iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let constraint = |name: &Option<String>| {
        name.as_ref()
            .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
            .unwrap_or_default()
    };
    if rowid_alias.is_none() && !table.primary_key.is_empty() {
        lines.push(format!("PRIMARY KEY ({})", names(&table.primary_key)));
    }
    for u in &table.uniques {
        lines.push(format!(
            "{}UNIQUE ({})",
            constraint(&u.name),
            names(&u.columns)
        ));
    }
    for c in &table.checks {
        lines.push(format!("{}CHECK ({})", constraint(&c.name), c.expression));
    }
    for fk in &table.foreign_keys {
        let mut line = format!(
            "{}FOREIGN KEY ({}) REFERENCES {}",
            constraint(&fk.name),
            names(&fk.columns),
            quote_ident(&fk.ref_table)
        );
        if !fk.ref_columns.is_empty() {
            line.push_str(&format!(" ({})", names(&fk.ref_columns)));
        }
        for (what, action) in [("DELETE", fk.on_delete), ("UPDATE", fk.on_update)] {
            if action != crate::model::catalog::FkAction::NoAction {
                line.push_str(&format!(" ON {what} {}", action.sql()));
            }
        }
        if fk.deferrable {
            line.push_str(" DEFERRABLE INITIALLY DEFERRED");
        }
        lines.push(line);
    }
    let sql = format!(
        "CREATE TABLE {} (\n  {}\n)",
        quote_ident(&table.name),
        lines.join(",\n  ")
    );
    (sql, warnings)
}

/// `CREATE [UNIQUE] INDEX` for `index` on `table`. Expression parts and the predicate are
/// written verbatim, so they must already be SQLite SQL.
pub fn create_index_sql(table: &str, index: &Index) -> String {
    let parts: Vec<String> = index
        .columns
        .iter()
        .map(|c| match c {
            IndexColumn::Column {
                name,
                descending: true,
            } => format!("{} DESC", quote_ident(name)),
            IndexColumn::Column {
                name,
                descending: false,
            } => quote_ident(name),
            IndexColumn::Expression { sql } => sql.clone(),
        })
        .collect();
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        quote_ident(&index.name),
        quote_ident(table),
        parts.join(", ")
    );
    if let Some(p) = &index.predicate {
        sql.push_str(&format!(" WHERE {p}"));
    }
    sql
}

/// What introspection will read back for a declared type and optional hint (used by tests and
/// by anyone checking that a generated schema keeps its types).
pub fn read_back(declared: &str, hint: Option<&str>) -> ColumnType {
    hint.and_then(parse_pg_type)
        .unwrap_or_else(|| parse_declared_type(declared))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("a"), "\"a\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
    }

    #[test]
    fn declared_types_and_hints() {
        let e = ColumnType::Enum {
            name: "mood".into(),
            labels: vec!["sad".into(), "ok".into()],
        };
        let cases: Vec<(ColumnType, &str, Option<&str>)> = vec![
            (ColumnType::Int { bits: 16 }, "SMALLINT", None),
            (ColumnType::Int { bits: 32 }, "INT4", None),
            (ColumnType::Int { bits: 64 }, "BIGINT", None),
            (ColumnType::Float { bits: 64 }, "REAL", None),
            (ColumnType::Float { bits: 32 }, "FLOAT4", None),
            (
                ColumnType::Numeric {
                    precision: Some(12),
                    scale: Some(2),
                },
                "NUMERIC(12,2)",
                None,
            ),
            (
                ColumnType::Numeric {
                    precision: Some(15),
                    scale: None,
                },
                "NUMERIC(15)",
                None,
            ),
            (
                ColumnType::Numeric {
                    precision: Some(20),
                    scale: Some(2),
                },
                "NUMERIC_TEXT(20,2)",
                None,
            ),
            (
                ColumnType::Numeric {
                    precision: None,
                    scale: None,
                },
                "NUMERIC_TEXT",
                None,
            ),
            (ColumnType::Bool, "BOOLEAN", None),
            (ColumnType::Varchar { max_len: Some(5) }, "VARCHAR(5)", None),
            (ColumnType::Char { len: 2 }, "BPCHAR(2)", None),
            (
                ColumnType::Array {
                    element: Box::new(ColumnType::Int { bits: 32 }),
                },
                "INT4[]",
                None,
            ),
            (e.clone(), "TEXT", Some("enum mood('sad','ok')")),
            (
                ColumnType::Array {
                    element: Box::new(e),
                },
                "TEXT[]",
                Some("enum mood('sad','ok')[]"),
            ),
            (
                ColumnType::Opaque {
                    name: "interval".into(),
                },
                "INTERVAL",
                None,
            ),
            (
                ColumnType::Opaque {
                    name: "point".into(),
                },
                "POINT",
                None,
            ),
            (
                ColumnType::Opaque {
                    name: "money".into(),
                },
                "TEXT",
                Some("money"),
            ),
            (
                ColumnType::Opaque {
                    name: "bit(8)".into(),
                },
                "TEXT",
                Some("bit(8)"),
            ),
            (
                ColumnType::Opaque { name: "xml".into() },
                "TEXT",
                Some("xml"),
            ),
            (
                ColumnType::Opaque {
                    name: "public.geo\"thing".into(),
                },
                "TEXT",
                Some("public.geo\"thing"),
            ),
            (ColumnType::Any, "", None),
        ];
        for (ty, name, hint) in cases {
            let got = declared_type(&ty);
            assert_eq!((got.0.as_str(), got.1.as_deref()), (name, hint), "{ty:?}");
            assert_eq!(read_back(&got.0, got.1.as_deref()), ty, "read back {ty:?}");
        }
    }
}
