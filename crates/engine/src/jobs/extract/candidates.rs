//! What a person picks from before an Extract: the users of a PostgreSQL source and the
//! owner columns the job would follow. Read-only; uses the same analysis as the run, so
//! the list shows exactly what Extract will do.

use crate::model::error::Context;
use crate::postgres::ddl::{qualified, quote_ident};
use crate::source::Source;
use crate::{Error, Location, Result};

use super::{analyse, ExtractOptions, Ownership};

const NEEDS_PG: &str = "Extract reads a multi-user PostgreSQL database: choose a PostgreSQL source";

/// At most this many emails are listed; a search box filters them, and a longer list says
/// so (an email can always be typed).
pub const MAX_LISTED_USERS: usize = 5000;

/// The users table as Extract sees it, with the users' emails.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub ownership: Ownership,
    /// Emails of the users table, sorted, at most [`MAX_LISTED_USERS`].
    pub emails: Vec<String>,
    /// How many users the table holds (may exceed `emails.len()`).
    pub user_count: u64,
}

/// Lists the users of `location` (PostgreSQL) and the ownership Extract would use with
/// `options` (its email is not read).
///
/// # Errors
/// `BadInput` for a source that is not PostgreSQL or has no users table; connection and
/// database errors otherwise.
pub fn candidates(
    location: &Location,
    schema: &str,
    options: &ExtractOptions,
) -> Result<Candidates> {
    if !matches!(location, Location::Postgres(_)) {
        return Err(Error::bad_input(NEEDS_PG));
    }
    let mut source = Source::open(location, schema)?;
    let catalog = source.introspect()?;
    let ownership = analyse(&catalog, options)?;
    // The list must be every user, not the ones a policy shows this role.
    source.check_row_security(std::slice::from_ref(&ownership.users_table))?;
    let Source::Postgres { client, schema, .. } = &mut source else {
        return Err(Error::bad_input(NEEDS_PG));
    };
    let table = qualified(schema, &ownership.users_table);
    let col = quote_ident(&ownership.email_column);
    let ctx = || format!("listing the users of {}", ownership.users_table);
    let user_count: i64 = client
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .context(ctx)?
        .get(0);
    let emails = client
        .query(
            &format!(
                "SELECT {col}::text FROM {table} WHERE {col} IS NOT NULL ORDER BY 1 LIMIT {MAX_LISTED_USERS}"
            ),
            &[],
        )
        .context(ctx)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(Candidates {
        ownership,
        emails,
        user_count: user_count as u64,
    })
}
