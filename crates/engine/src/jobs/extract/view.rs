//! The single-user view of the source catalog: the schema the extracted file has. The planner
//! plans from it like from any source, in both modes (it derives the target schema from it,
//! or matches it by name to an existing desktop schema), so Extract needs no planner of its
//! own:
//! - the users table becomes `app_config`: `id` (always 1, `CHECK (id = 1)`) and the user's own
//!   columns (its old key and any column naming another user are left out);
//! - owner columns disappear from every table, with the keys, indexes and CHECKs using them;
//! - each 1:1-per-user table becomes a singleton the same way (`id` = 1).

use crate::model::catalog::{Catalog, Check, Column, ColumnType, IndexColumn, Table};

use super::ownership::Ownership;

/// The singleton the user's own row becomes.
pub const APP_CONFIG: &str = "app_config";
/// The singleton key column.
pub const SINGLETON_KEY: &str = "id";

/// Rewrites `catalog` (the source's) into the single-user view.
pub fn single_user_view(catalog: &mut Catalog, own: &Ownership) {
    for table in &mut catalog.tables {
        let is_users = table.name == own.users_table;
        let mut dropped: Vec<String> = own
            .dropped_columns(&table.name)
            .into_iter()
            .map(String::from)
            .collect();
        if is_users {
            dropped.push(own.user_key.clone());
            table.name = APP_CONFIG.into();
        }
        let singleton = is_users || own.is_singleton(&table.name);
        if singleton && !dropped.iter().any(|d| d == SINGLETON_KEY) {
            // The table's own key makes way for the singleton key.
            if table.primary_key == [SINGLETON_KEY] || table.column(SINGLETON_KEY).is_some() {
                dropped.push(SINGLETON_KEY.into());
            }
        }
        drop_columns(table, &dropped);
        if singleton {
            make_singleton(table);
        }
    }
}

/// Removes columns and everything that names them.
fn drop_columns(table: &mut Table, dropped: &[String]) {
    let gone = |c: &String| dropped.contains(c);
    table.columns.retain(|c| !gone(&c.name));
    if table.primary_key.iter().any(gone) {
        table.primary_key.retain(|c| !gone(c));
    }
    table.foreign_keys.retain(|fk| !fk.columns.iter().any(gone));
    table.uniques.retain(|u| !u.columns.iter().any(gone));
    table.indexes.retain(|i| {
        !i.columns.iter().any(|c| match c {
            IndexColumn::Column { name, .. } => gone(name),
            IndexColumn::Expression { sql } => dropped.iter().any(|d| sql.contains(d.as_str())),
        }) && !i
            .predicate
            .as_ref()
            .is_some_and(|p| dropped.iter().any(|d| p.contains(d.as_str())))
    });
    // A CHECK naming a dropped column cannot be kept; matching by name is deliberately
    // cautious (it may drop a CHECK that only mentions the name in a string).
    table
        .checks
        .retain(|c| !dropped.iter().any(|d| c.expression.contains(d.as_str())));
}

/// `id integer NOT NULL PRIMARY KEY CHECK (id = 1)` in front; the old key is a plain column.
fn make_singleton(table: &mut Table) {
    let mut key = Column::plain(SINGLETON_KEY, "bigint", ColumnType::Int { bits: 64 });
    key.not_null = true;
    table.columns.insert(0, key);
    table.primary_key = vec![SINGLETON_KEY.into()];
    table.checks.push(Check {
        name: Some(format!("{}_singleton", table.name)),
        expression: format!("{SINGLETON_KEY} = 1"),
    });
    table.row_count = table.row_count.map(|n| n.min(1));
}
