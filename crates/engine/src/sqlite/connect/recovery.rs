//! Reading a SQLite file as SQLite would after recovering it, without changing a byte of it.
//!
//! Recovery needs write access: a hot journal is rolled back *into the database file*, and a
//! WAL database needs its `-shm` index created beside it. Ferry never writes a source, so it
//! copies the database and its journal or log, under the same names, into a private folder
//! ([`PrivateDir`]) and lets SQLite recover the copy there; the run then reads the copy.
//!
//! Measured against the alternatives (SQLite 3.50, tests in `tests/it/sqlite_recovery.rs`):
//! - `?immutable=1` ignores the journal and the log: with a hot journal it reads the pages the
//!   crashed writer had already written (un-rolled-back, half a transaction), and with a WAL
//!   it misses every transaction not yet checkpointed. Wrong in both cases; never used.
//! - A WAL database whose `-shm` already exists opens read-only in a read-only folder (SQLite
//!   ≥ 3.22 builds the index in private memory): no copy is needed, and none is made. Only a
//!   WAL database without a usable `-shm` (the writer closed cleanly, or the file was copied
//!   without it) is copied.
//! - The `-shm` is not copied: it is a cache of the log's index that the first connection to
//!   the copy rebuilds from the log, and a crashed writer's one is never trusted.
//!
//! The copy is checked against a writer: each original's size and modification time before
//! and after copying must agree, or the run stops saying another program is writing.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::{Connection, OpenFlags};

use super::diagnose::sidecar;
use super::NeedsRecovery;
use crate::model::error::{Context, Error};
use crate::support::temp_files::PrivateDir;
use crate::Result;

/// A recovered private copy of a source database, removed when dropped.
#[derive(Debug)]
pub struct Recovery {
    dir: PrivateDir,
    path: PathBuf,
    note: String,
}

impl Recovery {
    /// Copies `path` and what SQLite needs to recover it into a private folder, and recovers
    /// the copy.
    ///
    /// # Errors
    /// A sentence when a file cannot be read or copied, or changes while it is copied.
    pub(super) fn make(path: &Path, kind: NeedsRecovery) -> Result<Recovery> {
        let shown = path.display();
        let sidecars: &[&str] = match kind {
            NeedsRecovery::HotJournal => &["-journal"],
            NeedsRecovery::WalReadOnlyFolder => &["-wal"],
        };
        let mut originals = vec![path.to_path_buf()];
        originals.extend(
            sidecars
                .iter()
                .map(|s| sidecar(path, s))
                .filter(|p| p.exists()),
        );
        let dir = PrivateDir::new()?;
        let name = path.file_name().unwrap_or_default();
        let copy = dir.path().join(name);
        let before = stamps(&originals);
        for original in &originals {
            let mut to = copy.as_os_str().to_owned();
            to.push(&original.as_os_str().to_string_lossy()[path.as_os_str().len()..]);
            if let Err(e) = std::fs::copy(original, PathBuf::from(to)) {
                return Err(Error::bad_input(format!(
                    "{shown} must be recovered before it can be read ({}), and Ferry could not copy {} to {} to do that without touching it: {e}; {}",
                    kind.situation(),
                    original.display(),
                    dir.path().display(),
                    if original == path { "free space there (or point TMPDIR at a folder with room)".to_string() } else { format!("open {shown} once as a user who can read {} and write its folder, then run again", original.display()) }
                )));
            }
        }
        if stamps(&originals) != before {
            return Err(Error::bad_input(format!(
                "{shown} is being written by another program (it changed while Ferry copied it to recover it); close that program or wait until it has finished writing, then run again"
            )));
        }
        recover(&copy, kind).context(|| format!("recovering a private copy of {shown}"))?;
        let note = match kind {
            NeedsRecovery::HotJournal => format!(
                "{shown}: recovered before reading, as SQLite would: its last writer stopped in the middle of a write and left the rollback journal {shown}-journal, so that unfinished write was rolled back in a private copy, which is what was read; {shown} and its journal were not changed"
            ),
            NeedsRecovery::WalReadOnlyFolder => format!(
                "{shown}: read from a private copy: it is a WAL database in a folder Ferry cannot write ({}), so SQLite could not create {shown}-shm there; the copy{} is what was read; the originals were not changed",
                super::diagnose::folder_of(path),
                if originals.len() > 1 { format!(" (with the committed transactions of {shown}-wal applied)") } else { String::new() }
            ),
        };
        Ok(Recovery {
            dir,
            path: copy,
            note,
        })
    }

    /// The recovered copy, to read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What was recovered and how, for the report's warnings.
    pub fn note(&self) -> &str {
        &self.note
    }

    /// The private folder holding the copy.
    pub fn folder(&self) -> &Path {
        self.dir.path()
    }
}

impl NeedsRecovery {
    /// The situation in a few words.
    fn situation(self) -> &'static str {
        match self {
            NeedsRecovery::HotJournal => "its last writer stopped in the middle of a write",
            NeedsRecovery::WalReadOnlyFolder => {
                "it is a WAL database in a folder Ferry cannot write"
            }
        }
    }
}

/// Size and modification time of each file (None when it cannot be read).
fn stamps(files: &[PathBuf]) -> Vec<Option<(u64, SystemTime)>> {
    files
        .iter()
        .map(|f| {
            let m = std::fs::metadata(f).ok()?;
            Some((m.len(), m.modified().ok()?))
        })
        .collect()
}

/// Lets SQLite recover the copy the way any writer opening it would: the first read rolls a
/// hot journal back, or replays the log into a fresh index; then the log is checkpointed into
/// the file and the copy leaves WAL mode, so it is one self-contained file (which the
/// preflight may read on several connections).
fn recover(copy: &Path, kind: NeedsRecovery) -> std::result::Result<(), rusqlite::Error> {
    let conn = Connection::open_with_flags(
        copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })?;
    if kind == NeedsRecovery::WalReadOnlyFolder {
        conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        })?;
    }
    Ok(())
}
