//! Primary keys, uniques, foreign keys and CHECKs from `pg_constraint`, attached to their
//! tables; keys named by column, CHECK text cut from `pg_get_constraintdef`.

use std::collections::HashMap;

use postgres::Client;

use super::{draft_mut, key_names, Draft};
use crate::model::catalog::{Check, FkAction, ForeignKey, UniqueConstraint};
use crate::model::error::Context;
use crate::{Error, Result};

pub(super) fn read_constraints(
    client: &mut Client,
    schema: &str,
    tables: &mut [Draft],
) -> Result<()> {
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

/// `CHECK (expr)` or `CHECK (expr) NOT VALID` → `expr`.
pub(super) fn check_expression(def: &str) -> Option<String> {
    let rest = def.strip_prefix("CHECK (")?;
    let rest = rest.strip_suffix(" NOT VALID").unwrap_or(rest);
    let rest = rest.strip_suffix(" NO INHERIT").unwrap_or(rest);
    Some(rest.strip_suffix(')')?.to_string())
}
