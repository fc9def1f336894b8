//! Where a database is: a SQLite path (`app.db`, `sqlite:app.db`, `sqlite:///abs/app.db`) or a
//! PostgreSQL connection (libpq URL or key=value string, completed from `PG*` variables and
//! `~/.pgpass`). Every display of a location masks its password.
//!
//! OWNER: helper "pg-connect" (stub until then).

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum Location {
    Sqlite { path: PathBuf },
    Postgres(PgLocation),
}

/// A resolved PostgreSQL connection target.
#[derive(Debug, Clone)]
pub struct PgLocation {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub database: String,
    pub sslmode: SslMode,
    /// `sslrootcert` for verify-ca / verify-full.
    pub ssl_root_cert: Option<PathBuf>,
    pub application_name: Option<String>,
    pub connect_timeout_secs: Option<u64>,
    /// Other `options` passed through (e.g. `-c search_path=…`).
    pub options: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Location {
    /// Parses what a user typed.
    ///
    /// # Errors
    /// `BadInput` naming what is wrong (unknown scheme, bad port, unknown sslmode, …).
    pub fn parse(text: &str) -> crate::Result<Location> {
        let _ = text;
        todo!("pg-connect helper")
    }

    /// A string safe to show or log: the password replaced by `***`.
    pub fn display(&self) -> String {
        todo!("pg-connect helper")
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Location::Sqlite { .. })
    }
}

/// Replaces anything that looks like a password (in URLs, key=value strings) inside free
/// text with `***`; used on every error message and log line that may echo user input.
pub fn mask_secrets(text: &str) -> String {
    text.to_string()
}
