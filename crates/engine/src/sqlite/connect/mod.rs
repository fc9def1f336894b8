//! Opening a SQLite *source*: read-only, never creating or touching the file, inside one read
//! snapshot.
//!
//! Contract 1 says the source is never modified, so the connection is opened with
//! `SQLITE_OPEN_READ_ONLY` (no `CREATE` flag: a mistyped path is an error, not a new empty
//! database) and `query_only` is switched on as a second lock. The checks before opening
//! ([`diagnose`]) exist because SQLite's own messages for a wrong file ("file is not a
//! database", or silently an empty schema) do not tell a person what is wrong.
//!
//! Two healthy files cannot be read read-only in place, and SQLite's words for both ("attempt
//! to write a readonly database") sound like damage: a database whose last writer crashed (a
//! *hot* rollback journal beside it, which any opener must roll back first) and a WAL database
//! in a folder Ferry cannot write (SQLite must create its `-shm` index there). [`open_recovering`]
//! reads those as SQLite would after recovering them, from a private copy ([`recovery`]);
//! [`open_source`] names the situation and the way out instead.
//!
//! The connection then holds one read transaction for everything Ferry reads (schema, counts,
//! rows, verification digests): a WAL database that another process keeps writing is copied as
//! of one instant. [`end_snapshot`] releases it.

mod diagnose;
mod recovery;

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::model::error::{Context, Error, Result};

pub use diagnose::file_is_sqlite;
pub use recovery::Recovery;

/// A source opened by [`open_recovering`]: the connection, and the private copy it reads when
/// the file had to be recovered first (kept alive as long as the connection).
pub struct Opened {
    pub conn: Connection,
    pub recovery: Option<Recovery>,
}

/// Opens a SQLite database as a read-only source and starts its read snapshot. A file that
/// must be recovered before it can be read (see the module doc) is refused with a sentence
/// saying what the situation is and what to do; [`open_recovering`] recovers it instead.
///
/// # Errors
/// `BadInput` when the path does not exist, is a directory, is empty, is not a SQLite database
/// (a write-ahead log, a journal, an encrypted file are named as such), is truncated/corrupt,
/// is being written by another program, or needs a recovery; `Sqlite` for other failures.
pub fn open_source(path: &Path) -> Result<Connection> {
    diagnose::check_file(path)?;
    match open_snapshot(path) {
        Ok(conn) => Ok(conn),
        Err(Failure::Needs(kind)) => Err(Error::bad_input(kind.refusal(path))),
        Err(Failure::Error(e)) => Err(e),
    }
}

/// [`open_source`], but a file whose last writer crashed, or a WAL database in a folder Ferry
/// cannot write, is read from a private recovered copy ([`Recovery`]); the originals are not
/// changed by a byte.
///
/// # Errors
/// As [`open_source`]; and a sentence when the private copy cannot be made.
pub fn open_recovering(path: &Path) -> Result<Opened> {
    diagnose::check_file(path)?;
    match open_snapshot(path) {
        Ok(conn) => Ok(Opened {
            conn,
            recovery: None,
        }),
        Err(Failure::Needs(kind)) => {
            let recovery = Recovery::make(path, kind)?;
            let conn = match open_snapshot(recovery.path()) {
                Ok(conn) => conn,
                Err(Failure::Needs(_)) => {
                    return Err(Error::bad_input(kind.refusal(path)));
                }
                Err(Failure::Error(e)) => return Err(e),
            };
            Ok(Opened {
                conn,
                recovery: Some(recovery),
            })
        }
        Err(Failure::Error(e)) => Err(e),
    }
}

/// What stops a read-only open in place of a healthy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedsRecovery {
    /// A hot rollback journal: the last writer stopped in the middle of a write.
    HotJournal,
    /// A WAL database whose `-shm` index cannot be created or used (the folder is read-only).
    WalReadOnlyFolder,
}

impl NeedsRecovery {
    /// One sentence for when Ferry does not (or cannot) recover the file itself.
    fn refusal(self, path: &Path) -> String {
        let shown = path.display();
        let folder = diagnose::folder_of(path);
        match self {
            NeedsRecovery::HotJournal => format!(
                "{shown} was left in the middle of a write (its rollback journal {shown}-journal is still there): it is not corrupt, but SQLite must roll the unfinished write back before it can be read; open it once with the app that wrote it, or with `sqlite3 {shown} 'PRAGMA quick_check'` as a user who can write {folder}, then run again"
            ),
            NeedsRecovery::WalReadOnlyFolder => format!(
                "{shown} is a WAL database in a folder Ferry cannot write ({folder}), and SQLite must create {shown}-shm there to read it: it is not corrupt; copy {shown} (with its -wal file, if any) to a folder you can write, or run Ferry as a user who can write {folder}"
            ),
        }
    }
}

enum Failure {
    Needs(NeedsRecovery),
    Error(Error),
}

/// Opens `path` read-only and pins its snapshot with a first read; a failure is classified by
/// SQLite's extended error code, never by its words.
fn open_snapshot(path: &Path) -> std::result::Result<Connection, Failure> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| diagnose::classify(path, e, "cannot open"))?;
    conn.execute_batch("PRAGMA query_only = ON; BEGIN")
        .map_err(|e| diagnose::classify(path, e, "cannot start a read snapshot of"))?;
    // Reading the schema inside BEGIN is what pins the snapshot (a deferred transaction takes
    // its read lock at the first read).
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| diagnose::classify(path, e, "cannot read"))?;
    // No `PRAGMA quick_check`: it reads the whole file (seconds for a large database) before
    // a single row moves. A truncated file is caught here from its header; a damaged page is
    // caught when the preflight reads it — before anything is written — and SQLite's
    // "malformed" errors count as bad input ([`crate::ErrorKind::BadInput`]).
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if let Some(expected) = size_in_header(path) {
        if len < expected {
            return Err(Failure::Error(diagnose::damaged(
                path,
                &format!("the file has {len} bytes but its header says {expected}"),
            )));
        }
    }
    Ok(conn)
}

/// The database size the header records (page size × page count), when the header vouches
/// for it (its "version valid for" number matches the change counter, as SQLite requires).
fn size_in_header(path: &Path) -> Option<u64> {
    let mut head = [0u8; 100];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .ok()?;
    let be32 = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let (pages, change_counter, valid_for) = (be32(28), be32(24), be32(92));
    (pages > 0 && change_counter == valid_for).then(|| page_size * u64::from(pages))
}

/// Ends the read snapshot taken by [`open_source`].
///
/// # Errors
/// `Sqlite` if the COMMIT fails (it only releases a read lock, so this is rare).
pub fn end_snapshot(conn: &Connection) -> Result<()> {
    if !conn.is_autocommit() {
        conn.execute_batch("COMMIT")
            .context(|| "cannot end the source read snapshot".into())?;
    }
    Ok(())
}
