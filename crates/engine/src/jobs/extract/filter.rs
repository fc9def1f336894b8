//! The row filter each table is read with: the ownership rule (see `ownership`) as one
//! PostgreSQL boolean expression, nested `EXISTS` over the parent chain.
//!
//! The copy reads `SELECT … FROM "schema"."table" WHERE (filter)` with no alias, so the
//! outermost level names the table's columns as `"schema"."table"."col"`; each parent level
//! gets its own alias (`ferry_e1`, `ferry_e2`, …).

use crate::postgres::ddl::{qualified, quote_ident, quote_literal};

use super::ownership::{Link, Ownership};

/// The filter for `table` (a source table name), or `None` for a table copied whole.
pub fn row_filter(own: &Ownership, schema: &str, table: &str, user_key: &str) -> Option<String> {
    let me = qualified(schema, table);
    let user = user_literal(own, user_key);
    if table == own.users_table {
        return Some(format!("{me}.{} = {user}", quote_ident(&own.user_key)));
    }
    own.owned.contains_key(table).then(|| {
        let mut counter = 0;
        kept(own, schema, table, &me, &user, &mut counter)
    })
}

/// The user's key as a typed literal, so the comparison can use an index on the owner column.
fn user_literal(own: &Ownership, user_key: &str) -> String {
    format!(
        "CAST({} AS {})",
        quote_literal(user_key),
        own.user_key_type.pg_name()
    )
}

/// The condition "this row (of `table`, named `alias`) is kept": its links hold and, when the
/// table references itself, no ancestor row in the same table fails them.
fn kept(
    own: &Ownership,
    schema: &str,
    table: &str,
    alias: &str,
    user: &str,
    counter: &mut usize,
) -> String {
    let links = links_hold(own, schema, table, alias, user, counter);
    let Some(self_ref) = own.owned.get(table).and_then(|o| o.self_ref.as_ref()) else {
        return links;
    };
    // The rows that fail their links, and every row below them through the self-reference
    // (UNION, not UNION ALL: a loop in the data ends). Rows are named by ctid, so tables
    // without a key work too.
    *counter += 1;
    let bad = format!("ferry_b{counter}");
    let x = format!("ferry_x{counter}");
    let (c, p) = (format!("ferry_c{counter}"), format!("ferry_p{counter}"));
    let failing = links_hold(own, schema, table, &x, user, counter);
    let t = qualified(schema, table);
    let cols = |a: &str| -> String {
        self_ref
            .parent_columns
            .iter()
            .map(|c| format!(", {a}.{}", quote_ident(c)))
            .collect()
    };
    let join: Vec<String> = self_ref
        .columns
        .iter()
        .zip(&self_ref.parent_columns)
        .map(|(col, pc)| format!("{c}.{} = {p}.{}", quote_ident(col), quote_ident(pc)))
        .collect();
    format!(
        "{links} AND {alias}.ctid NOT IN (WITH RECURSIVE {bad} AS (\
         SELECT {x}.ctid AS ferry_row{} FROM {t} AS {x} WHERE NOT ({failing}) \
         UNION SELECT {c}.ctid{} FROM {t} AS {c} JOIN {bad} AS {p} ON {}) \
         SELECT ferry_row FROM {bad})",
        cols(&x),
        cols(&c),
        join.join(" AND ")
    )
}

/// The condition "this row's ownership links hold".
fn links_hold(
    own: &Ownership,
    schema: &str,
    table: &str,
    alias: &str,
    user: &str,
    counter: &mut usize,
) -> String {
    let Some(owned) = own.owned.get(table) else {
        return "TRUE".into();
    };
    let parts: Vec<String> = owned
        .links
        .iter()
        .map(|link| match link {
            Link::Owner { column } => {
                let c = format!("{alias}.{}", quote_ident(column));
                format!("({c} IS NULL OR {c} = {user})")
            }
            Link::Parent {
                columns,
                parent,
                parent_columns,
            } => {
                *counter += 1;
                let p = format!("ferry_e{counter}");
                let nulls: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{alias}.{} IS NULL", quote_ident(c)))
                    .collect();
                let join: Vec<String> = columns
                    .iter()
                    .zip(parent_columns)
                    .map(|(c, pc)| format!("{p}.{} = {alias}.{}", quote_ident(pc), quote_ident(c)))
                    .collect();
                let inner = kept(own, schema, parent, &p, user, counter);
                format!(
                    "({} OR EXISTS (SELECT 1 FROM {} AS {p} WHERE {} AND {inner}))",
                    nulls.join(" OR "),
                    qualified(schema, parent),
                    join.join(" AND ")
                )
            }
        })
        .collect();
    if parts.is_empty() {
        "TRUE".into()
    } else {
        parts.join(" AND ")
    }
}
