//! Opening a SQLite *source*: read-only, never creating or touching the file, inside one read
//! snapshot.
//!
//! Contract 1 says the source is never modified, so the connection is opened with
//! `SQLITE_OPEN_READ_ONLY` (no `CREATE` flag: a mistyped path is an error, not a new empty
//! database) and `query_only` is switched on as a second lock. The checks before opening exist
//! because SQLite's own messages for a wrong file ("file is not a database", or silently an
//! empty schema) do not tell a person what is wrong.
//!
//! The connection then holds one read transaction for everything Ferry reads (schema, counts,
//! rows, verification digests): a WAL database that another process keeps writing is copied as
//! of one instant. [`end_snapshot`] releases it.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::model::error::{Context, Error, Result};

/// The first 16 bytes of every SQLite 3 database file.
const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether `path` is a file that starts with SQLite's 16-byte header.
pub fn file_is_sqlite(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == HEADER
}

/// Opens a SQLite database as a read-only source and starts its read snapshot.
///
/// # Errors
/// `BadInput` when the path does not exist, is a directory, is empty, is not a SQLite database,
/// or is truncated/corrupt (the first `PRAGMA quick_check` message is quoted); `Sqlite` for
/// other failures to open or read.
pub fn open_source(path: &Path) -> Result<Connection> {
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::bad_input(format!("no such file: {shown}")))
        }
        Err(e) => {
            return Err(crate::model::error::io_error(
                "cannot read the source database",
                path,
                e,
            ))
        }
    };
    if meta.is_dir() {
        return Err(Error::bad_input(format!(
            "{shown} is a directory, not a SQLite database file"
        )));
    }
    if meta.len() == 0 {
        return Err(Error::bad_input(format!(
            "{shown} is empty (0 bytes), not a SQLite database"
        )));
    }
    if !file_is_sqlite(path) {
        return Err(Error::bad_input(format!(
            "{shown} is not a SQLite database"
        )));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn =
        Connection::open_with_flags(path, flags).context(|| format!("cannot open {shown}"))?;
    // One sentence: integrity reports span lines, under a "*** in database" header.
    let damaged = |msg: String| {
        let lines: Vec<&str> = msg.lines().filter(|l| !l.starts_with("***")).collect();
        Error::bad_input(format!(
            "{shown} is truncated or corrupt: {}",
            lines.join("; ")
        ))
    };
    conn.execute_batch("PRAGMA query_only = ON; BEGIN")
        .context(|| format!("cannot start a read snapshot of {shown}"))?;
    // Reading the schema inside BEGIN is what pins the snapshot (a deferred transaction takes
    // its read lock at the first read).
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| damaged(e.to_string()))?;
    // No `PRAGMA quick_check`: it reads the whole file (seconds for a large database) before
    // a single row moves. A truncated file is caught here from its header; a damaged page is
    // caught when the preflight reads it — before anything is written — and SQLite's
    // "malformed" errors count as bad input ([`crate::ErrorKind::BadInput`]).
    if let Some(expected) = size_in_header(path) {
        if meta.len() < expected {
            return Err(damaged(format!(
                "the file has {} bytes but its header says {expected}",
                meta.len()
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
