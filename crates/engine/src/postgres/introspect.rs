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
use super::defaults::parse_default;
use super::types::{resolve_type, EnumType, TypeInfo};
use crate::model::catalog::{
    Catalog, Check, Column, DefaultValue, Dialect, FkAction, ForeignKey, Index, IndexColumn,
    SkippedObject, Table, UniqueConstraint,
};
use crate::model::error::Context;
use crate::{Error, Result};

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

fn read_columns(
    client: &mut Client,
    schema: &str,
    enums: &HashMap<Oid, EnumType>,
    domains: &HashMap<Oid, super::domains::Domain>,
    tables: &mut [Draft],
) -> Result<()> {
    let rows = client
        .query(
            "SELECT a.attrelid, a.attnum, a.attname::text,
                    format_type(a.atttypid, a.atttypmod), a.atttypid, a.atttypmod,
                    t.typtype::text, t.typcategory::text, t.typelem,
                    et.typtype::text, format_type(t.typelem, a.atttypmod),
                    a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                    a.attidentity::text, a.attgenerated::text,
                    pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)
             FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attrelid, a.attnum",
            &[&schema],
        )
        .context(|| format!("reading columns of schema {schema:?}"))?;
    for r in rows {
        let Some(draft) = draft_mut(tables, r.get(0)) else {
            continue;
        };
        let name: String = r.get(2);
        let declared_type: String = r.get(3);
        let info = TypeInfo {
            oid: r.get(4),
            typmod: r.get(5),
            typtype: r.get(6),
            category: r.get(7),
            elem_oid: r.get(8),
            elem_typtype: r.get(9),
            elem_formatted: r.get(10),
            formatted: declared_type.clone(),
        };
        // A domain column is its base type with the domain's constraints as its own (see
        // `domains`): a type that exists wherever the column goes.
        let domain = domains.get(&info.oid).filter(|_| info.typtype == "d");
        // An array of a domain is an array of its base; the element CHECKs have no column
        // form, so they are named in a note rather than kept.
        let element_domain = domains
            .get(&info.elem_oid)
            .filter(|d| info.category == "A" && d.base.category != "A");
        let array_of_base = element_domain.map(|d| TypeInfo {
            typmod: d.base.typmod,
            elem_oid: d.base.oid,
            elem_typtype: Some(d.base.typtype.clone()),
            elem_formatted: Some(d.base.formatted.clone()),
            formatted: format!("{}[]", d.base.formatted),
            ..info.clone()
        });
        if let Some(d) = element_domain {
            draft.table.notes.push(format!(
                "column {name:?}: an array of domain {} is moved as {}[]{}",
                d.name,
                d.base.formatted,
                if d.checks.is_empty() && !d.not_null {
                    ""
                } else {
                    "; the domain's constraints on each element are not kept"
                }
            ));
        }
        let resolved = domain.map(|d| &d.base).or(array_of_base.as_ref());
        let (ty, note) = resolve_type(resolved.unwrap_or(&info), enums);
        if let Some(note) = note {
            draft.table.notes.push(format!("column {name:?}: {note}"));
        }
        if let Some(d) = domain {
            draft.table.notes.push(format!(
                "column {name:?}: domain {} is moved as its base type {}{}",
                d.name,
                d.base.formatted,
                match (d.not_null, d.checks.is_empty()) {
                    (false, true) => String::new(),
                    (true, true) => ", with its NOT NULL".into(),
                    (false, false) => ", with its CHECK".into(),
                    (true, false) => ", with its NOT NULL and CHECK".into(),
                }
            ));
            for def in &d.checks {
                let expression = check_expression(def).ok_or_else(|| {
                    Error::runtime(format!("cannot read a CHECK of domain {}: {def}", d.name))
                })?;
                draft.table.checks.push(Check {
                    name: None,
                    expression: super::domains::check_on_column(
                        &expression,
                        &name,
                        &d.base.formatted,
                    ),
                });
            }
        }
        let default_sql: Option<String> = r.get(12);
        let identity: String = r.get(13);
        let generated_kind: String = r.get(14);
        let serial_sequence: Option<String> = r.get(15);

        let mut column = Column {
            name: name.clone(),
            declared_type,
            ty,
            not_null: r.get::<_, bool>(11) || domain.is_some_and(|d| d.not_null),
            default: None,
            auto_increment: false,
            sequence: None,
            generated: None,
        };
        if !identity.is_empty() {
            column.auto_increment = true;
            column.sequence = serial_sequence.clone();
        }
        if generated_kind == "s" {
            column.generated = default_sql;
        } else if let Some(sql) = default_sql {
            match parse_default(&sql, &column.ty) {
                DefaultValue::Expression { sql: ref e, .. } if nextval_sequence(e).is_some() => {
                    column.auto_increment = true;
                    // The owned sequence's canonical name when there is one (serial); else the
                    // name exactly as the default spells it (a shared sequence).
                    column.sequence = serial_sequence.or_else(|| nextval_sequence(e));
                }
                other => column.default = Some(other),
            }
        }
        draft.attnames.insert(r.get(1), name);
        draft.table.columns.push(column);
    }
    Ok(())
}

/// `nextval('seq'::regclass)` → `seq` (as `regclass` prints it: quoted/qualified as needed).
fn nextval_sequence(sql: &str) -> Option<String> {
    let inner = sql
        .strip_prefix("nextval('")?
        .strip_suffix("'::regclass)")?;
    if inner.contains('\'') && !inner.contains("''") {
        return None;
    }
    Some(inner.replace("''", "'"))
}

fn read_constraints(client: &mut Client, schema: &str, tables: &mut [Draft]) -> Result<()> {
    let rows = client
        .query(
            "SELECT con.conrelid, con.conname::text, con.contype::text,
                    con.conkey, con.confkey, fc.relname::text, fn.nspname::text,
                    con.confdeltype::text, con.confupdtype::text, con.condeferrable,
                    pg_get_constraintdef(con.oid, true)
             FROM pg_constraint con
             JOIN pg_class c ON c.oid = con.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_class fc ON fc.oid = con.confrelid
             LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
             WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f', 'c', 'x')
               AND con.conislocal
             ORDER BY con.conrelid, con.contype, con.conname",
            &[&schema],
        )
        .context(|| format!("reading constraints of schema {schema:?}"))?;
    // Referenced tables' columns: attnum → name for every table of the schema, built first
    // because a FK can point to a table read later.
    let names_by_table: HashMap<String, HashMap<i16, String>> = tables
        .iter()
        .map(|t| (t.table.name.clone(), t.attnames.clone()))
        .collect();
    for r in rows {
        let Some(draft) = draft_mut(tables, r.get(0)) else {
            continue;
        };
        let name: String = r.get(1);
        let kind: String = r.get(2);
        let keys: Option<Vec<i16>> = r.get(3);
        let columns = key_names(
            &draft.attnames,
            keys.as_deref().unwrap_or(&[]),
            &draft.table.name,
        )?;
        let def: String = r.get(10);
        match kind.as_str() {
            "p" => draft.table.primary_key = columns,
            "u" => draft.table.uniques.push(UniqueConstraint {
                name: Some(name),
                columns,
            }),
            "c" => {
                let expression = check_expression(&def).ok_or_else(|| {
                    Error::runtime(format!(
                        "cannot read CHECK {name:?} on {}: {def}",
                        draft.table.name
                    ))
                })?;
                draft.table.checks.push(Check {
                    name: Some(name),
                    expression,
                });
            }
            "x" => draft.table.notes.push(format!(
                "exclusion constraint {name:?} is not migrated: {def}"
            )),
            _ => {
                let ref_table: String = r.get(5);
                let ref_schema: String = r.get(6);
                let ref_keys: Vec<i16> = r.get::<_, Option<Vec<i16>>>(4).unwrap_or_default();
                let ref_columns = match names_by_table
                    .get(&ref_table)
                    .filter(|_| ref_schema == schema)
                {
                    Some(names) => key_names(names, &ref_keys, &ref_table)?,
                    None => {
                        draft.table.notes.push(format!(
                            "foreign key {name:?} references {ref_schema}.{ref_table}, outside the schema"
                        ));
                        continue;
                    }
                };
                draft.table.foreign_keys.push(ForeignKey {
                    name: Some(name),
                    columns,
                    ref_table,
                    ref_columns,
                    on_delete: FkAction::parse(&r.get::<_, String>(7)),
                    on_update: FkAction::parse(&r.get::<_, String>(8)),
                    deferrable: r.get(9),
                });
            }
        }
    }
    Ok(())
}

fn key_names(names: &HashMap<i16, String>, keys: &[i16], table: &str) -> Result<Vec<String>> {
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

/// `CHECK (expr)` or `CHECK (expr) NOT VALID` → `expr`.
fn check_expression(def: &str) -> Option<String> {
    let rest = def.strip_prefix("CHECK (")?;
    let rest = rest.strip_suffix(" NOT VALID").unwrap_or(rest);
    let rest = rest.strip_suffix(" NO INHERIT").unwrap_or(rest);
    Some(rest.strip_suffix(')')?.to_string())
}

fn read_indexes(
    client: &mut Client,
    schema: &str,
    tables: &mut [Draft],
    not_migrated: &mut Vec<SkippedObject>,
) -> Result<()> {
    let rows = client
        .query(
            "SELECT i.indrelid, ic.relname::text, i.indisunique, am.amname::text,
                    i.indnkeyatts, i.indnatts, i.indkey::int2[], i.indoption::int2[],
                    pg_get_expr(i.indpred, i.indrelid, true),
                    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                          FROM generate_series(1, i.indnkeyatts::int) AS k ORDER BY k),
                    EXISTS (SELECT 1 FROM unnest(i.indclass::oid[]) AS oc
                            JOIN pg_opclass o ON o.oid = oc WHERE NOT o.opcdefault)
             FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_am am ON am.oid = ic.relam
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                               AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
             ORDER BY ic.relname",
            &[&schema],
        )
        .context(|| format!("reading indexes of schema {schema:?}"))?;
    for r in rows {
        let Some(draft) = draft_mut(tables, r.get(0)) else {
            continue;
        };
        let name: String = r.get(1);
        let method: String = r.get(3);
        if method != "btree" {
            // A GIN/GiST/BRIN index needs its operator classes; rebuilding it as a btree could
            // fail or bloat, so it is reported instead.
            not_migrated.push(SkippedObject {
                kind: format!("{method} index"),
                name: format!("{name} (on {})", draft.table.name),
            });
            continue;
        }
        let nkey = r.get::<_, i16>(4) as usize;
        let nall = r.get::<_, i16>(5) as usize;
        let keys: Vec<i16> = r.get(6);
        let options: Vec<i16> = r.get(7);
        let parts: Vec<String> = r.get(9);
        let mut columns = Vec::with_capacity(nkey);
        // `parts` has one entry per key column (the query asks for 1..=indnkeyatts).
        for (k, part) in parts.into_iter().enumerate() {
            let descending = options.get(k).is_some_and(|o| o & 1 == 1);
            match keys.get(k).copied().unwrap_or(0) {
                0 => columns.push(IndexColumn::Expression { sql: part }),
                attnum => {
                    let column =
                        key_names(&draft.attnames, &[attnum], &draft.table.name)?.remove(0);
                    columns.push(IndexColumn::Column {
                        name: column,
                        descending,
                    });
                }
            }
        }
        if nall > nkey {
            draft
                .table
                .notes
                .push(format!("index {name:?}: INCLUDE columns are not migrated"));
        }
        if r.get::<_, bool>(10) {
            draft.table.notes.push(format!(
                "index {name:?}: non-default operator classes are not migrated"
            ));
        }
        draft.table.indexes.push(Index {
            name,
            unique: r.get(2),
            columns,
            predicate: r.get(8),
        });
    }
    Ok(())
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
    use super::*;

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
