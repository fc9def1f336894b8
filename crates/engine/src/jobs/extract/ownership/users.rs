//! Finding the users table and its email column: the named one, or the first of the usual
//! names that has an email column. Apart from the link analysis because it is a guess from
//! names, where the rest follows the foreign keys.

use super::names;
use crate::model::catalog::{Catalog, ColumnType, Table};
use crate::model::options::OptionName;
use crate::{Error, Result};

/// Table names a users table usually has, in order of preference.
const USERS_TABLE_NAMES: &[&str] = &[
    "users",
    "user",
    "accounts",
    "account",
    "app_users",
    "auth_user",
    "members",
    "profiles",
];

/// Column names an email column usually has, in order of preference.
pub(super) const EMAIL_COLUMN_NAMES: &[&str] = &["email", "email_address", "mail", "e_mail"];

pub(super) fn find_users_table<'a>(catalog: &'a Catalog, named: Option<&str>) -> Result<&'a Table> {
    if let Some(name) = named {
        return catalog.table(name).ok_or_else(|| {
            Error::bad_option(
                OptionName::UsersTable,
                format!(
                    "{} {name}: no such table (tables: {})",
                    OptionName::UsersTable.mention(),
                    names(catalog.tables.iter().map(|t| t.name.clone()))
                ),
            )
        });
    }
    let with_email = |t: &&Table| find_email_column(t).is_some();
    for wanted in USERS_TABLE_NAMES {
        if let Some(t) = catalog
            .tables
            .iter()
            .filter(with_email)
            .find(|t| t.name.eq_ignore_ascii_case(wanted))
        {
            return Ok(t);
        }
    }
    let email_tables = names(
        catalog
            .tables
            .iter()
            .filter(with_email)
            .map(|t| t.name.clone()),
    );
    Err(Error::bad_option(OptionName::UsersTable, format!(
        "no users table found: looked for a table named {} with an email column; tables with an email column: {email_tables}; all tables: {} — name it with {}",
        USERS_TABLE_NAMES.join(", "),
        names(catalog.tables.iter().map(|t| t.name.clone())),
        OptionName::UsersTable.mention()
    )))
}

pub(super) fn find_email_column(table: &Table) -> Option<String> {
    let texty = |c: &&crate::model::catalog::Column| {
        matches!(
            c.ty,
            ColumnType::Text
                | ColumnType::Varchar { .. }
                | ColumnType::Char { .. }
                | ColumnType::Opaque { .. }
        )
    };
    EMAIL_COLUMN_NAMES
        .iter()
        .find_map(|n| {
            table
                .columns
                .iter()
                .filter(texty)
                .find(|c| c.name.eq_ignore_ascii_case(n))
        })
        .or_else(|| {
            table
                .columns
                .iter()
                .filter(texty)
                .find(|c| c.name.to_ascii_lowercase().contains("email"))
        })
        .map(|c| c.name.clone())
}
