//! The columns of every table in one query: types resolved through [`crate::postgres::types`],
//! defaults through [`crate::postgres::defaults`], identity and serial columns recognised (a
//! `nextval` default names its sequence), generated expressions kept verbatim.

use std::collections::HashMap;

use postgres::types::Oid;
use postgres::Client;

use super::constraints::check_expression;
use super::{draft_mut, Draft};
use crate::model::catalog::{Check, Column, DefaultValue};
use crate::model::error::Context;
use crate::postgres::defaults::parse_default;
use crate::postgres::types::{resolve_type, EnumType, TypeInfo};
use crate::{Error, Result};

pub(super) fn read_columns(
    client: &mut Client,
    schema: &str,
    enums: &HashMap<Oid, EnumType>,
    domains: &HashMap<Oid, crate::postgres::domains::Domain>,
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
                    expression: crate::postgres::domains::check_on_column(
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
pub(super) fn nextval_sequence(sql: &str) -> Option<String> {
    let inner = sql
        .strip_prefix("nextval('")?
        .strip_suffix("'::regclass)")?;
    if inner.contains('\'') && !inner.contains("''") {
        return None;
    }
    Some(inner.replace("''", "'"))
}
