//! Uniques scoped by owner (issue 14): in a single-user app `UNIQUE (title)` means "no two of
//! my goals share a title"; with many users it must become `UNIQUE (user_id, title)`, or the
//! second user cannot name a goal like the first one did. Every UNIQUE constraint and unique
//! index of an owned table Ferry creates (not the primary key, whose ids stay global) gets the
//! owner column first; partial-index predicates and expression parts are kept. A foreign key
//! between owned tables that points at such a unique gains the owner on both sides, which
//! also keeps a user's rows from referring to another user's.

use crate::model::catalog::{IndexColumn, Table};
use crate::model::tenancy::ScopedUnique;
use crate::plan::Plan;

/// PostgreSQL's longest identifier (NAMEDATALEN - 1 bytes).
const MAX_IDENT_BYTES: usize = 63;

/// Rewrites the uniques of the owned tables (`owners`: table, owner column) and the foreign
/// keys that point at them; returns each rewrite.
pub fn scope(plan: &mut Plan, owners: &[(String, String)]) -> Vec<ScopedUnique> {
    let owner_of = |table: &str| {
        owners
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, c)| c.clone())
    };
    let mut scoped = vec![];
    for t in &mut plan.tables {
        let Some(owner) = owner_of(&t.target_table) else {
            continue;
        };
        scoped.extend(scope_table(&mut t.target_def, &owner));
    }
    // Foreign keys last: they need every table's rewritten uniques.
    let referable: Vec<(String, Vec<String>)> = scoped
        .iter()
        .map(|s| (s.table.clone(), s.before.clone()))
        .collect();
    for t in &mut plan.tables {
        let Some(owner) = owner_of(&t.target_table) else {
            continue;
        };
        for fk in &mut t.target_def.foreign_keys {
            let Some(ref_owner) = owner_of(&fk.ref_table) else {
                continue;
            };
            let points_at_scoped = referable
                .iter()
                .any(|(table, before)| table == &fk.ref_table && same_set(before, &fk.ref_columns));
            if points_at_scoped {
                fk.columns.insert(0, owner.clone());
                fk.ref_columns.insert(0, ref_owner);
            }
        }
    }
    scoped
}

fn scope_table(table: &mut Table, owner: &str) -> Vec<ScopedUnique> {
    let mut scoped = vec![];
    for u in &mut table.uniques {
        let before = u.columns.clone();
        u.columns.insert(0, owner.to_string());
        // Named now, so that the invariant can find it in the target by name.
        let name = u
            .name
            .get_or_insert_with(|| default_name(&table.name, &u.columns))
            .clone();
        scoped.push(ScopedUnique {
            table: table.name.clone(),
            name,
            before,
            after: u.columns.clone(),
        });
    }
    for i in table.indexes.iter_mut().filter(|i| i.unique) {
        let before = parts(&i.columns);
        i.columns.insert(
            0,
            IndexColumn::Column {
                name: owner.to_string(),
                descending: false,
            },
        );
        scoped.push(ScopedUnique {
            table: table.name.clone(),
            name: i.name.clone(),
            before,
            after: parts(&i.columns),
        });
    }
    scoped
}

/// An index's parts as text: column names, expressions as written.
pub fn parts(columns: &[IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|c| match c {
            IndexColumn::Column { name, .. } => name.clone(),
            IndexColumn::Expression { sql } => sql.clone(),
        })
        .collect()
}

/// PostgreSQL's own name for an unnamed `UNIQUE (a, b)` on `t`: `t_a_b_key`, cut to fit.
fn default_name(table: &str, columns: &[String]) -> String {
    let mut name = format!("{table}_{}_key", columns.join("_"));
    while name.len() > MAX_IDENT_BYTES {
        name.pop();
    }
    name
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// Into an existing schema the app's migrations decide the uniques; a unique of an owned table
/// without its owner column is worth a warning: it is global across users.
pub fn unscoped_warnings(plan: &Plan, owners: &[(String, String)]) -> Vec<String> {
    let mut warnings = vec![];
    for (table, owner) in owners {
        let Some(t) = plan.tables.iter().find(|t| &t.target_table == table) else {
            continue;
        };
        let def = &t.target_def;
        let mut uniques: Vec<(String, Vec<String>)> = def
            .uniques
            .iter()
            .map(|u| (u.name.clone().unwrap_or_default(), u.columns.clone()))
            .collect();
        uniques.extend(
            def.indexes
                .iter()
                .filter(|i| i.unique)
                .map(|i| (i.name.clone(), parts(&i.columns))),
        );
        for (name, columns) in uniques {
            if columns == def.primary_key || columns.contains(owner) {
                continue;
            }
            warnings.push(format!(
                "{table}: unique {name} ({}) does not include the owner column {owner}, so it holds across all users (two users cannot have the same {})",
                columns.join(", "),
                columns.join(", ")
            ));
        }
    }
    warnings
}
