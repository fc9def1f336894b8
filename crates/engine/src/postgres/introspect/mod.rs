//! Reading a PostgreSQL schema into the neutral [`Catalog`].
//!
//! Everything comes from `pg_catalog` (not `information_schema`): it is faster, it sees objects
//! the current role does not own, and it exposes what `information_schema` hides (identity
//! kind, generated columns, index expressions, partial-index predicates, enum label order).
//! A handful of set-based queries read the whole schema at once and are grouped by table in
//! Rust, so the cost does not grow with a round trip per table.
//!
//! Introspection runs inside whatever transaction the caller opened (sources use one READ ONLY,
//! REPEATABLE READ snapshot), so the schema and the exact row counts describe the same moment
//! as the rows that are copied afterwards.
//!
//! Types are understood by [`super::types`]; column defaults by [`super::defaults`].
//! Anything not migrated (views, triggers, functions, free-standing sequences, extensions,
//! non-btree indexes) is listed in [`Catalog::not_migrated`] so the report can name it.

use std::collections::HashMap;

use postgres::types::Oid;
use postgres::Client;

use super::ddl::qualified;
use super::types::EnumType;
use crate::model::catalog::{Catalog, Dialect, SkippedObject, Table};
use crate::model::error::Context;
use crate::{Error, Result};

mod columns;
mod constraints;
mod indexes;

use columns::read_columns;
use constraints::read_constraints;
use indexes::read_indexes;

/// Introspects the tables of one schema (usually `public`), with exact row counts.
///
/// Tables are ordinary and partitioned tables (partitions are read through their parent and
/// are not listed on their own), in name order; columns in `attnum` order.
///
/// # Errors
/// A query failure (with the object being read as context), or `BadInput` when the schema
/// does not exist.
pub fn introspect(client: &mut Client, schema: &str) -> Result<Catalog> {
    read_catalog(client, schema, true)
}

/// [`introspect`] without the row counts (which scan every table): for a second look at a
/// schema already introspected in the same snapshot, e.g. by a job.
///
/// # Errors
/// As [`introspect`].
pub fn introspect_schema(client: &mut Client, schema: &str) -> Result<Catalog> {
    read_catalog(client, schema, false)
}

fn read_catalog(client: &mut Client, schema: &str, count_rows: bool) -> Result<Catalog> {
    let exists = client
        .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
        .context(|| format!("reading schema {schema:?}"))?;
    if exists.is_none() {
        return Err(Error::bad_input(format!(
            "schema {schema:?} does not exist in this database"
        )));
    }

    let mut tables = read_tables(client, schema)?;
    let enums = read_enums(client, schema)?;
    let domains = super::domains::read_domains(client)?;
    read_columns(client, schema, &enums, &domains, &mut tables)?;
    read_constraints(client, schema, &mut tables)?;
    let mut not_migrated = Vec::new();
    read_indexes(client, schema, &mut tables, &mut not_migrated)?;
    // A table whose policies apply to this role cannot be counted whole: a source session
    // (row_security off) would be refused, a target's count would be filtered. It is left
    // uncounted, with a note; a run that reads it refuses in one sentence
    // (`Source::check_row_security`), before copying anything.
    let names: Vec<String> = tables.iter().map(|t| t.table.name.clone()).collect();
    let filtered = if count_rows {
        crate::postgres::row_security::filtered_tables(client, schema, &names)?
    } else {
        crate::postgres::row_security::Filtered::default()
    };
    for t in tables.iter_mut().filter(|_| count_rows) {
        if filtered
            .tables
            .iter()
            .any(|(name, _)| name == &t.table.name)
        {
            t.table.notes.push(format!(
                "row-level security shows role \"{}\" only some of its rows: not counted, and not readable whole as this role",
                filtered.role
            ));
            continue;
        }
        let only = if t.partitioned { "" } else { "ONLY " };
        let sql = format!(
            "SELECT count(*) FROM {only}{}",
            qualified(schema, &t.table.name)
        );
        let row = client
            .query_one(&sql, &[])
            .context(|| format!("counting rows of {}", t.table.name))?;
        t.table.row_count = Some(row.get::<_, i64>(0) as u64);
    }
    not_migrated.extend(read_skipped(client, schema)?);

    Ok(Catalog {
        dialect: Dialect::Postgres,
        tables: tables.into_iter().map(|t| t.table).collect(),
        not_migrated,
    })
}

/// A table being assembled, with the catalog facts needed to attach its parts.
struct Draft {
    oid: Oid,
    partitioned: bool,
    /// attnum → column name, for constraint and index keys.
    attnames: HashMap<i16, String>,
    table: Table,
}

fn draft_mut(tables: &mut [Draft], oid: Oid) -> Option<&mut Draft> {
    tables.iter_mut().find(|t| t.oid == oid)
}

pub(super) fn key_names(
    names: &HashMap<i16, String>,
    keys: &[i16],
    table: &str,
) -> Result<Vec<String>> {
    keys.iter()
        .map(|k| {
            names.get(k).cloned().ok_or_else(|| {
                Error::runtime(format!(
                    "constraint on {table:?} names unknown column number {k}"
                ))
            })
        })
        .collect()
}

fn read_tables(client: &mut Client, schema: &str) -> Result<Vec<Draft>> {
    let rows = client
        .query(
            "SELECT c.oid, c.relname::text, c.relkind::text = 'p'
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
             ORDER BY c.relname",
            &[&schema],
        )
        .context(|| format!("listing tables of schema {schema:?}"))?;
    Ok(rows
        .iter()
        .map(|r| {
            let partitioned: bool = r.get(2);
            let mut notes = Vec::new();
            if partitioned {
                notes.push(
                    "partitioned table: its partitions are copied as this one table".to_string(),
                );
            }
            Draft {
                oid: r.get(0),
                partitioned,
                attnames: HashMap::new(),
                table: Table {
                    name: r.get(1),
                    columns: Vec::new(),
                    primary_key: Vec::new(),
                    foreign_keys: Vec::new(),
                    uniques: Vec::new(),
                    indexes: Vec::new(),
                    checks: Vec::new(),
                    row_count: None,
                    autoincrement: false,
                    notes,
                },
            }
        })
        .collect())
}

/// Every enum type visible to the schema's columns, with labels in `enumsortorder`.
fn read_enums(client: &mut Client, schema: &str) -> Result<HashMap<Oid, EnumType>> {
    let rows = client
        .query(
            "SELECT t.oid, n.nspname::text, t.typname::text,
                    array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
             FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace
             JOIN pg_enum e ON e.enumtypid = t.oid
             GROUP BY t.oid, n.nspname, t.typname",
            &[],
        )
        .context(|| "reading enum types".to_string())?;
    Ok(rows
        .iter()
        .map(|r| {
            let nsp: String = r.get(1);
            let name: String = r.get(2);
            // Enums of the introspected schema go by their bare name; others keep their schema
            // so that two same-named enums never merge.
            let name = if nsp == schema {
                name
            } else {
                format!("{nsp}.{name}")
            };
            (
                r.get(0),
                EnumType {
                    name,
                    labels: r.get(3),
                },
            )
        })
        .collect())
}

/// Views, materialized views, foreign tables, triggers, routines, free-standing sequences and
/// extensions: things a migration does not carry over, named so the report can say so.
fn read_skipped(client: &mut Client, schema: &str) -> Result<Vec<SkippedObject>> {
    let rows = client
        .query(
            "SELECT kind, name FROM (
               SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                                     WHEN 'f' THEN 'foreign table' ELSE 'sequence' END AS kind,
                      c.relname::text AS name
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = $1 AND (c.relkind IN ('v', 'm', 'f')
                  OR (c.relkind = 'S' AND NOT EXISTS (
                        SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype IN ('a', 'i'))))
             UNION ALL
               SELECT 'trigger', t.tgname || ' (on ' || c.relname || ')'
               FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = $1 AND NOT t.tgisinternal
             UNION ALL
               SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                                     WHEN 'w' THEN 'window function' ELSE 'function' END,
                      p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = $1 AND NOT EXISTS (
                 SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                 AND d.objid = p.oid AND d.deptype = 'e')
             UNION ALL
               SELECT 'extension', e.extname::text FROM pg_extension e WHERE e.extname <> 'plpgsql'
             ) s ORDER BY kind, name",
            &[&schema],
        )
        .context(|| format!("listing objects of schema {schema:?} that are not migrated"))?;
    Ok(rows
        .iter()
        .map(|r| SkippedObject {
            kind: r.get(0),
            name: r.get(1),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::columns::nextval_sequence;
    use super::constraints::check_expression;

    #[test]
    fn nextval_and_check_forms() {
        assert_eq!(
            nextval_sequence("nextval('t_id_seq'::regclass)").as_deref(),
            Some("t_id_seq")
        );
        assert_eq!(
            nextval_sequence("nextval('\"Order_id_seq\"'::regclass)").as_deref(),
            Some("\"Order_id_seq\"")
        );
        assert_eq!(nextval_sequence("nextval('a'::regclass) + 1"), None);
        assert_eq!(check_expression("CHECK (a > 0)").as_deref(), Some("a > 0"));
        assert_eq!(
            check_expression("CHECK ((a > 0)) NOT VALID").as_deref(),
            Some("(a > 0)")
        );
        assert_eq!(check_expression("UNIQUE (a)"), None);
    }
}
