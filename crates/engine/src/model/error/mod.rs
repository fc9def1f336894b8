//! The engine's one error type.
//!
//! Every error says what went wrong in words a person can act on, carries the context it
//! happened in (table, column, path, masked location) and keeps the underlying cause behind
//! [`std::error::Error::source`]. [`Error::kind`] groups errors the way front ends need them:
//! the CLI turns the kind into an exit code, the app into the tone of a message.

pub mod pg_words;

use std::path::PathBuf;

/// What sort of failure this is, for exit codes and UI treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The user's input is wrong: a bad location, a file that is not a database, data that
    /// fails preflight, a flag combination that makes no sense. Fix the input and rerun.
    BadInput,
    /// A database could not be reached or refused us (auth, TLS, missing database).
    Connection,
    /// Verification found the target differs from the source; nothing was committed.
    Verification,
    /// The run was cancelled; nothing was committed.
    Cancelled,
    /// Anything else that went wrong while running (I/O, a database error mid-copy).
    Runtime,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    BadInput { message: String },

    #[error("cannot connect to {location}: {message}")]
    Connection {
        location: String,
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    #[error("{context}: {}", describe_sqlite(source))]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },

    #[error("{context}: {}", pg_words::describe_error(source))]
    Postgres {
        context: String,
        #[source]
        source: postgres::Error,
    },

    #[error("{context} ({}): {source}", path.display())]
    Io {
        context: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("preflight found {count} value(s) the target cannot hold; nothing was written (see the findings, pick a policy or fix the data)")]
    PreflightBlocked { count: usize },

    #[error("verification failed: {summary}; nothing was committed")]
    VerificationFailed { summary: String },

    /// `verify` found the two databases differ: it writes nothing, so it commits nothing either.
    #[error("the databases differ: {summary}")]
    Differ { summary: String },

    #[error("cancelled; nothing was written to the target")]
    Cancelled,

    #[error("{0}")]
    Runtime(String),

    /// A run that failed after it started writing, and whose target was rolled back.
    #[error("{source}; nothing was committed, the target is as it was")]
    RolledBack {
        #[source]
        source: Box<Error>,
    },

    /// A run that failed before it started writing: there was nothing to roll back.
    #[error("{source}; nothing was written")]
    NothingWritten {
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error::BadInput {
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Error::Runtime(message.into())
    }

    /// Says that the target was rolled back, unless the message says so already.
    pub fn rolled_back(self) -> Self {
        match self {
            Error::PreflightBlocked { .. }
            | Error::VerificationFailed { .. }
            | Error::Cancelled
            | Error::RolledBack { .. }
            | Error::NothingWritten { .. } => self,
            other => Error::RolledBack {
                source: Box::new(other),
            },
        }
    }

    /// Says that nothing was written (the run stopped before the target was begun), unless
    /// the message says so already.
    pub fn nothing_written(self) -> Self {
        match self {
            Error::PreflightBlocked { .. }
            | Error::Cancelled
            | Error::RolledBack { .. }
            | Error::NothingWritten { .. } => self,
            other => Error::NothingWritten {
                source: Box::new(other),
            },
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::RolledBack { source } | Error::NothingWritten { source } => source.kind(),
            Error::BadInput { .. } | Error::PreflightBlocked { .. } => ErrorKind::BadInput,
            Error::Connection { .. } => ErrorKind::Connection,
            Error::Postgres { source, .. } if pg_words::is_connection_error(source) => {
                ErrorKind::Connection
            }
            Error::VerificationFailed { .. } | Error::Differ { .. } => ErrorKind::Verification,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Sqlite { source, .. } if is_not_a_database(source) => ErrorKind::BadInput,
            _ => ErrorKind::Runtime,
        }
    }
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// SQLite's message, with the likely cause when a write failed: SQLite says "database or
/// disk is full" for a full disk but only "disk I/O error" when a file size limit stops it.
fn describe_sqlite(e: &rusqlite::Error) -> String {
    let write_failed = match e {
        rusqlite::Error::SqliteFailure(f, _) => {
            f.code == rusqlite::ErrorCode::DiskFull
                || [
                    rusqlite::ffi::SQLITE_IOERR_WRITE,
                    rusqlite::ffi::SQLITE_IOERR_FSYNC,
                    rusqlite::ffi::SQLITE_IOERR_TRUNCATE,
                ]
                .contains(&f.extended_code)
        }
        _ => false,
    };
    if write_failed {
        format!("the file could not be written: the disk is full or the file is larger than allowed ({e})")
    } else {
        e.to_string()
    }
}

/// Adds context to foreign errors at the point where we know what we were doing.
pub trait Context<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, rusqlite::Error> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Sqlite {
            context: context(),
            source,
        })
    }
}

impl<T> Context<T> for std::result::Result<T, postgres::Error> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Postgres {
            context: context(),
            source,
        })
    }
}

/// I/O errors need the path, which the `Context` closure cannot supply generically.
pub fn io_error(
    context: impl Into<String>,
    path: impl Into<PathBuf>,
    source: std::io::Error,
) -> Error {
    Error::Io {
        context: context.into(),
        path: path.into(),
        source,
    }
}
