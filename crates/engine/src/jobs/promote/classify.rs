//! Which tables each user owns and which all users share (issue 14): every migrated table is
//! owned unless `--shared` names it; the users table is its own class. Tables that look like
//! reference data get a suggestion, never a decision: the user knows what the app shares.

use crate::model::options::OptionName;
use crate::model::tenancy::{TableClass, TableTenancy};
use crate::plan::Plan;
use crate::{Error, Result};

use super::users::UsersTable;

/// Above this many rows a table is not suggested as shared: reference data (categories,
/// currencies, units) is a handful to a few hundred rows, while a table of user content
/// grows with use; a wrong suggestion costs the user a look, a missed one costs nothing.
pub const SUGGEST_SHARED_MAX_ROWS: u64 = 200;

/// The target names of the `--shared` tables (a name may be the source's or the target's).
///
/// # Errors
/// `BadInput` for a name that is not a migrated table, naming the tables there are.
pub fn shared_names(plan: &Plan, requested: &[String]) -> Result<Vec<String>> {
    let mut shared: Vec<String> = vec![];
    for name in requested {
        let table = plan
            .tables
            .iter()
            .find(|t| &t.target_table == name || &t.source_table == name)
            .ok_or_else(|| {
                let there: Vec<&str> = plan
                    .tables
                    .iter()
                    .map(|t| t.source_table.as_str())
                    .collect();
                Error::bad_option(
                    OptionName::Shared,
                    format!(
                        "{} {name}: no migrated table has that name (the tables are: {})",
                        OptionName::Shared.mention(),
                        there.join(", ")
                    ),
                )
            })?;
        if !shared.contains(&table.target_table) {
            shared.push(table.target_table.clone());
        }
    }
    Ok(shared)
}

/// Each planned table's class and why, the users table first; suggestions for owned tables
/// that look shared. Reads the plan before the owner columns are added.
pub fn classify(plan: &Plan, users: &UsersTable, shared: &[String]) -> Vec<TableTenancy> {
    let users_reason = if users.created {
        "the users table Promote creates"
    } else {
        "the target's users table"
    };
    let mut tables = vec![TableTenancy {
        table: users.name.clone(),
        class: TableClass::Users,
        reason: users_reason.into(),
        suggest_shared: None,
    }];
    for t in &plan.tables {
        let is_shared = shared.contains(&t.target_table);
        tables.push(TableTenancy {
            table: t.target_table.clone(),
            class: if is_shared {
                TableClass::Shared
            } else {
                TableClass::Owned
            },
            reason: if is_shared {
                "--shared".into()
            } else {
                "default: each user's own rows".into()
            },
            suggest_shared: if is_shared {
                None
            } else {
                suggestion(plan, &t.target_table, shared, &users.name)
            },
        });
    }
    tables
}

/// Why an owned table looks like shared reference data: referenced by an owned table,
/// referencing nothing, and small. `None` when it does not.
fn suggestion(plan: &Plan, table: &str, shared: &[String], users: &str) -> Option<String> {
    let t = plan.tables.iter().find(|t| t.target_table == table)?;
    let references_something = t
        .target_def
        .foreign_keys
        .iter()
        .any(|fk| fk.ref_table != table && fk.ref_table != users);
    if references_something {
        return None;
    }
    let rows = t.rows?;
    if rows > SUGGEST_SHARED_MAX_ROWS {
        return None;
    }
    let referenced_by: Vec<&str> = plan
        .tables
        .iter()
        .filter(|other| other.target_table != table && !shared.contains(&other.target_table))
        .filter(|other| {
            other
                .target_def
                .foreign_keys
                .iter()
                .any(|fk| fk.ref_table == table)
        })
        .map(|other| other.target_table.as_str())
        .collect();
    if referenced_by.is_empty() {
        return None;
    }
    Some(format!(
        "referenced by {}; references nothing; {rows} row{}",
        referenced_by.join(", "),
        if rows == 1 { "" } else { "s" }
    ))
}
