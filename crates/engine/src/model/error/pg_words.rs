//! PostgreSQL's errors in words: one sentence for a driver error met while working
//! (SQLSTATE-aware), and whether an error means the connection is gone. The driver's error
//! kinds are private, so a failure is recognised by what it exposes: the server's SQLSTATE and
//! message when there is one, the `std::io::Error` behind a socket failure, and otherwise the
//! driver's fixed description. The words for a failed connection attempt, which need the
//! location, are `postgres::connect`'s. Every sentence passes through [`mask_secrets`].

use std::error::Error as _;
use std::io;

use postgres::error::{DbError, SqlState};

use crate::model::location::mask_secrets;

// The driver's fixed descriptions of its private error kinds.
pub(crate) const KIND_IO: &str = "error communicating with the server";
pub(crate) const KIND_TLS: &str = "error performing TLS handshake";
pub(crate) const KIND_CONNECT: &str = "error connecting to server";
pub(crate) const KIND_PARSE: &str = "error parsing response from server";
pub(crate) const KIND_UNEXPECTED: &str = "unexpected message from server";
pub(crate) const KIND_AUTH: &str = "authentication error";
pub(crate) const KIND_CONFIG: &str = "invalid configuration";

pub(crate) fn io_cause(error: &postgres::Error) -> Option<&io::Error> {
    error.source()?.downcast_ref::<io::Error>()
}

/// One sentence for a driver error during work (SQLSTATE-aware), used in every
/// `Error::Postgres` message.
pub fn describe_error(error: &postgres::Error) -> String {
    let text = match error.as_db_error() {
        Some(db) => describe_db_error(db),
        None if is_lost(error) => "the connection to the server was lost".to_string(),
        None => match error.source() {
            Some(cause) => format!("{error}: {cause}"),
            None => error.to_string(),
        },
    };
    mask_secrets(&text)
}

fn describe_db_error(db: &DbError) -> String {
    let code = db.code();
    let message = db.message();
    let sentence = if *code == SqlState::INSUFFICIENT_PRIVILEGE
        && message.contains("row-level security")
    {
        // A source read with row_security = off, refused instead of filtered.
        format!("{message}: row-level security would show this role only some rows, so Ferry refuses to read it (connect as the table's owner or as a role with BYPASSRLS)")
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        format!("permission denied: {message} (grant the role access or connect as the owner)")
    } else if *code == SqlState::UNIQUE_VIOLATION {
        format!("duplicate key: {message}")
    } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
        format!("foreign key violation: {message}")
    } else if *code == SqlState::NOT_NULL_VIOLATION || *code == SqlState::CHECK_VIOLATION {
        format!("constraint violation: {message}")
    } else if *code == SqlState::DISK_FULL {
        format!(
            "the server ran out of disk space: {message} (free space on the server and run again)"
        )
    } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        format!("the server only allows reading here: {message} (connect to the primary, not a standby or read-only role)")
    } else if *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::CRASH_SHUTDOWN {
        format!("the server shut the connection down: {message}")
    } else if *code == SqlState::QUERY_CANCELED {
        format!("the query was cancelled: {message} (statement_timeout, or cancelled by someone)")
    } else if *code == SqlState::T_R_DEADLOCK_DETECTED
        || *code == SqlState::T_R_SERIALIZATION_FAILURE
    {
        format!("{message} (another session changed the same rows; run again)")
    } else {
        message.to_string()
    };
    with_detail(sentence, db)
}

/// Appends the server's detail and hint, which often name the row or the fix.
pub(crate) fn with_detail(mut sentence: String, db: &DbError) -> String {
    if let Some(detail) = db.detail() {
        sentence.push_str(&format!(" — {}", detail.trim_end_matches('.')));
    }
    if let Some(hint) = db.hint() {
        sentence.push_str(&format!(" (hint: {})", hint.trim_end_matches('.')));
    }
    sentence
}

fn is_lost(error: &postgres::Error) -> bool {
    error.is_closed() || error.to_string().starts_with(KIND_IO)
}

/// Whether the error means the connection is gone or never existed (not a SQL error).
pub fn is_connection_error(error: &postgres::Error) -> bool {
    if let Some(code) = error.code() {
        let code = code.code();
        // Class 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now),
        // 28 (authentication), 3D000 (no such database).
        return code.starts_with("08")
            || code.starts_with("28")
            || matches!(code, "57P01" | "57P02" | "57P03" | "3D000" | "53300");
    }
    let text = error.to_string();
    is_lost(error)
        || [
            KIND_CONNECT,
            KIND_TLS,
            KIND_AUTH,
            KIND_PARSE,
            KIND_UNEXPECTED,
        ]
        .iter()
        .any(|k| text.starts_with(k))
}
