//! Connecting to PostgreSQL with TLS per `sslmode`, and errors a person can act on.
//!
//! OWNER: helper "pg-connect" (stub until then).

use crate::location::PgLocation;
use crate::Result;

/// Opens a connection.
///
/// # Errors
/// `Connection` with a cause a person can act on: wrong password, host unreachable, database
/// does not exist, TLS required / not offered, transaction pooler detected.
pub fn connect(location: &PgLocation) -> Result<postgres::Client> {
    let _ = location;
    todo!("pg-connect helper")
}

/// One sentence for a driver error (SQLSTATE-aware), used in every `Error::Postgres` message.
pub fn describe_error(error: &postgres::Error) -> String {
    error.to_string()
}

/// Whether the error means the connection is gone or never existed (not a SQL error).
pub fn is_connection_error(error: &postgres::Error) -> bool {
    error.is_closed()
}
