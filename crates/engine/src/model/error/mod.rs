//! The engine's one error type.
//!
//! Every error says what went wrong in words a person can act on, carries the context it
//! happened in (table, column, path, masked location) and keeps the underlying cause behind
//! [`std::error::Error::source`]. [`Error::kind`] groups errors the way front ends need them:
//! the CLI turns the kind into an exit code, the app into the tone of a message.

pub mod pg_words;

use crate::model::options::names::{spell, OptionName};

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
    /// The user's input is wrong. `message` may mention options
    /// ([`OptionName::mention`]): `Display` spells them as the command line does, and
    /// [`Error::words`] as the caller does; `option` is the one the error is about, if one is.
    #[error("{}", spell(message, &OptionName::default_words))]
    BadInput {
        message: String,
        option: Option<OptionName>,
    },

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

    #[error("preflight found {count} problem(s) that block the run; nothing was written (each finding above says how to resolve it: a policy, a flag or a fix in the data)")]
    PreflightBlocked { count: usize },

    /// A value the copy met that the target cannot hold and no policy resolves. The copy
    /// stops before its commit, and `migrate` then runs the whole preflight to name every such
    /// value ([`Error::PreflightBlocked`]): this error reaches a person only if that preflight
    /// found none.
    #[error("{table}.{column}: {detail}; no policy resolves this value")]
    BlockedValue {
        table: String,
        column: String,
        detail: String,
    },

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
            option: None,
        }
    }

    /// A bad input that is about one option (the app shows it beside that field).
    pub fn bad_option(option: OptionName, message: impl Into<String>) -> Self {
        Error::BadInput {
            message: message.into(),
            option: Some(option),
        }
    }

    /// The option this error is about, if it is about one.
    pub fn option(&self) -> Option<OptionName> {
        match self {
            Error::BadInput { option, .. } => *option,
            Error::RolledBack { source } | Error::NothingWritten { source } => source.option(),
            _ => None,
        }
    }

    /// The message with every option it mentions spelled by `name` (the CLI's flags, the
    /// app's labels); `to_string()` is `words(&OptionName::default_words)`.
    pub fn words(&self, name: &dyn Fn(OptionName) -> String) -> String {
        match self {
            Error::BadInput { message, .. } => spell(message, name),
            Error::RolledBack { source } => format!(
                "{}; nothing was committed, the target is as it was",
                source.words(name)
            ),
            Error::NothingWritten { source } => {
                format!("{}; nothing was written", source.words(name))
            }
            other => other.to_string(),
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
            Error::BadInput { .. }
            | Error::PreflightBlocked { .. }
            | Error::BlockedValue { .. } => ErrorKind::BadInput,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `words` rebuilds the wrappers' sentences itself (thiserror's `Display` cannot take
    /// the caller's spelling): with the default spelling both must say the same, so the two
    /// cannot drift apart.
    #[test]
    fn words_with_the_default_spelling_is_display() {
        let about = || {
            Error::bad_option(
                OptionName::Replace,
                format!(
                    "{} goals: the source has no table 'goals'; add {}",
                    OptionName::Replace.mention(),
                    OptionName::IntoExisting.mention()
                ),
            )
        };
        for e in [
            about(),
            about().rolled_back(),
            about().nothing_written(),
            Error::runtime("plain"),
        ] {
            assert_eq!(e.words(&OptionName::default_words), e.to_string());
        }
        assert_eq!(
            about().rolled_back().to_string(),
            "--replace goals: the source has no table 'goals'; add --into-existing; nothing was committed, the target is as it was"
        );
        assert_eq!(
            about().nothing_written().option(),
            Some(OptionName::Replace)
        );
    }
}
