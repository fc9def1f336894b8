//! Extract's user list: who can be extracted and which columns say who owns a row, from
//! the engine's own analysis (`jobs::extract::candidates`), shaped for the page.

use ferry_engine::jobs::extract::{Candidates, MAX_LISTED_USERS};
use serde::Serialize;

#[derive(Debug, Serialize, PartialEq)]
pub struct UserList {
    pub users_table: String,
    pub email_column: String,
    /// `table.column`, foreign keys to the users table first, then the ones named.
    pub owner_columns: Vec<String>,
    /// Tables reached through an owner column or a parent table.
    pub owned_tables: Vec<String>,
    pub emails: Vec<String>,
    pub user_count: u64,
    /// Set when there are more users than the list shows.
    pub truncated: bool,
    /// What the analysis decided that a person should know.
    pub notes: Vec<String>,
}

impl From<Candidates> for UserList {
    fn from(c: Candidates) -> Self {
        let own = c.ownership;
        UserList {
            owned_tables: own.by_depth().into_iter().map(|(t, _)| t.clone()).collect(),
            owner_columns: own
                .owner_columns
                .iter()
                .map(|c| format!("{}.{}", c.table, c.column))
                .collect(),
            truncated: c.user_count > c.emails.len() as u64 && c.emails.len() >= MAX_LISTED_USERS,
            users_table: own.users_table,
            email_column: own.email_column,
            emails: c.emails,
            user_count: c.user_count,
            notes: own.notes,
        }
    }
}
