//! Who owns what: the users table, the owner columns, and for every table the references
//! (ownership links) that tie its rows to a user, directly or through parents.
//!
//! Rule (the README's "Extract"): a row belongs to the extracted user's copy when every
//! ownership link it holds leads to that user or to shared data — an owner column equal to the
//! user or NULL, a parent row that is itself kept, or a NULL reference. A row that references
//! another user's data through any link is left out, and so is everything that hangs off it:
//! the copy never carries another user's rows and never writes a dangling reference.
//! Tables with no path to the users table are copied whole.

use crate::model::options::OptionName;
use std::collections::BTreeMap;

use crate::model::catalog::{Catalog, ColumnType, Table};
use crate::model::options::ColumnRef;
use crate::{Error, Result};

use super::ExtractOptions;

mod links;
mod users;

use links::owned_tables;
use users::{find_email_column, find_users_table, EMAIL_COLUMN_NAMES};

/// How a table's rows reach the users table.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// A column holding the owning user's key.
    Owner { column: String },
    /// A foreign key to a table that is itself owned.
    Parent {
        columns: Vec<String>,
        parent: String,
        parent_columns: Vec<String>,
    },
}

/// A table with a path to the users table.
#[derive(Debug, Clone)]
pub struct OwnedTable {
    /// 1 for tables with an owner column, parent depth + 1 for the others.
    pub depth: usize,
    pub links: Vec<Link>,
    /// The table's first foreign key to itself (`parent_id → id`), followed too: a row
    /// whose parent row in the same table is left out is left out.
    pub self_ref: Option<SelfRef>,
}

/// A foreign key from a table to itself.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfRef {
    pub columns: Vec<String>,
    pub parent_columns: Vec<String>,
}

/// The result of analysing a source catalog for one extraction.
#[derive(Debug, Clone)]
pub struct Ownership {
    pub users_table: String,
    /// The users table's single primary-key column.
    pub user_key: String,
    pub user_key_type: ColumnType,
    pub email_column: String,
    /// Owner columns (dropped in the target), by table.
    pub owner_columns: Vec<ColumnRef>,
    /// Columns of the users table that reference it (another user's id, e.g.
    /// `users.invited_by`): dropped from `app_config`.
    pub other_user_columns: Vec<ColumnRef>,
    /// Tables with a path to the users table (not the users table itself).
    pub owned: BTreeMap<String, OwnedTable>,
    /// 1:1-per-user tables (unique owner column) that become singletons.
    pub singletons: Vec<String>,
    /// What the analysis decided that a person should know.
    pub notes: Vec<String>,
}

impl Ownership {
    /// Every column of `table` that the target does not get.
    pub fn dropped_columns(&self, table: &str) -> Vec<&str> {
        self.owner_columns
            .iter()
            .chain(&self.other_user_columns)
            .filter(|c| c.table == table)
            .map(|c| c.column.as_str())
            .collect()
    }

    pub fn is_singleton(&self, table: &str) -> bool {
        self.singletons.iter().any(|s| s == table)
    }

    /// Owned tables, parents before children.
    pub fn by_depth(&self) -> Vec<(&String, &OwnedTable)> {
        let mut v: Vec<_> = self.owned.iter().collect();
        v.sort_by_key(|(name, t)| (t.depth, name.as_str()));
        v
    }
}

/// Analyses the catalog.
///
/// # Errors
/// `BadInput` when no users table can be found (naming the candidates), it has no email
/// column or no single-column key, or an `--owner-column` names nothing.
pub fn analyse(catalog: &Catalog, options: &ExtractOptions) -> Result<Ownership> {
    let users = find_users_table(catalog, options.users_table.as_deref())?;
    let email_column = find_email_column(users).ok_or_else(|| {
        Error::bad_input(format!(
            "the users table '{}' has no email column (looked for {}); its columns: {}",
            users.name,
            EMAIL_COLUMN_NAMES.join(", "),
            column_list(users)
        ))
    })?;
    let [user_key] = users.primary_key.as_slice() else {
        return Err(Error::bad_input(format!(
            "the users table '{}' needs a single-column primary key to identify a user (it has: {})",
            users.name,
            if users.primary_key.is_empty() { "none".into() } else { users.primary_key.join(", ") }
        )));
    };
    let user_key_type = users
        .column(user_key)
        .map(|c| c.ty.clone())
        .unwrap_or(ColumnType::Text);

    let references_users: Vec<ColumnRef> = catalog
        .tables
        .iter()
        .flat_map(|t| {
            t.foreign_keys
                .iter()
                .filter(|fk| fk.ref_table == users.name && fk.columns.len() == 1)
                .map(|fk| ColumnRef {
                    table: t.name.clone(),
                    column: fk.columns[0].clone(),
                })
        })
        .collect();
    let mut notes = vec![];
    // Every foreign key to the users table is an owner column, plus the ones named: naming
    // can add columns the schema does not declare, never remove one, since a column that names
    // a user but did not count would let that user's rows through.
    for c in &options.owner_columns {
        let ok = catalog
            .table(&c.table)
            .is_some_and(|t| t.column(&c.column).is_some());
        if !ok || c.table == users.name {
            return Err(Error::bad_option(
                OptionName::OwnerColumn,
                format!(
                    "{} {}.{}: no such column outside the users table (columns referencing {}: {})",
                    OptionName::OwnerColumn.mention(),
                    c.table,
                    c.column,
                    users.name,
                    names(
                        references_users
                            .iter()
                            .map(|c| format!("{}.{}", c.table, c.column))
                    )
                ),
            ));
        }
    }
    let mut owner_columns: Vec<ColumnRef> = references_users
        .iter()
        .filter(|c| c.table != users.name)
        .cloned()
        .collect();
    for c in &options.owner_columns {
        if !owner_columns.contains(c) {
            owner_columns.push(c.clone());
        }
    }
    let other_user_columns: Vec<ColumnRef> = references_users
        .into_iter()
        .filter(|c| !owner_columns.contains(c))
        .collect();
    for c in &other_user_columns {
        notes.push(format!(
            "{}.{} names another row of {}; it is left out of the target (it may name another user)",
            c.table, c.column, users.name
        ));
    }

    let owned = owned_tables(catalog, &users.name, &owner_columns);
    let mut singletons = vec![];
    for c in &owner_columns {
        let table = catalog.table(&c.table).expect("checked above");
        if !is_unique_column(table, &c.column) || singletons.contains(&table.name) {
            continue;
        }
        let referenced_by: Vec<&str> = catalog
            .tables
            .iter()
            .filter(|t| t.foreign_keys.iter().any(|fk| fk.ref_table == table.name))
            .map(|t| t.name.as_str())
            .collect();
        if referenced_by.is_empty() {
            singletons.push(table.name.clone());
        } else {
            notes.push(format!(
                "{} has one row per user but {} reference(s) it, so it keeps its own key instead of becoming a singleton",
                table.name,
                referenced_by.join(", ")
            ));
        }
    }
    Ok(Ownership {
        users_table: users.name.clone(),
        user_key: user_key.clone(),
        user_key_type,
        email_column,
        owner_columns,
        other_user_columns,
        owned,
        singletons,
        notes,
    })
}

/// The column alone is the primary key, a UNIQUE constraint or a unique index.
pub(super) fn is_unique_column(table: &Table, column: &str) -> bool {
    let alone = |cols: &[String]| cols.len() == 1 && cols[0] == column;
    alone(&table.primary_key)
        || table.uniques.iter().any(|u| alone(&u.columns))
        || table.indexes.iter().any(|i| {
            i.unique
                && i.predicate.is_none()
                && i.columns.len() == 1
                && matches!(&i.columns[0], crate::model::catalog::IndexColumn::Column { name, .. } if name == column)
        })
}

pub(super) fn names(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

pub(super) fn column_list(t: &Table) -> String {
    names(t.columns.iter().map(|c| c.name.clone()))
}

#[cfg(test)]
mod tests;
