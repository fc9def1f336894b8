//! What a file is, told before and after SQLite tries to open it: the sentence a person can
//! act on when it is not a readable database (missing, a directory, empty, a write-ahead log
//! or a journal picked by mistake, encrypted, locked by a writer, damaged), and which healthy
//! files need a recovery first ([`super::NeedsRecovery`]).
//!
//! Failures are classified by SQLite's extended result codes: its words ("attempt to write a
//! readonly database") are the same for a crash, a read-only folder and a real write attempt.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::ffi;

use super::{Failure, NeedsRecovery};
use crate::model::error::Error;

/// The first 16 bytes of every SQLite 3 database file.
const HEADER: &[u8; 16] = b"SQLite format 3\0";
/// A write-ahead log starts with one of these two big-endian magic numbers.
const WAL_MAGIC: [[u8; 4]; 2] = [[0x37, 0x7f, 0x06, 0x82], [0x37, 0x7f, 0x06, 0x83]];
/// A rollback journal starts with these 8 bytes.
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
/// Bits of entropy per byte above which a headerless file's start looks like ciphertext:
/// random bytes measure ~7.9 over 1–4 KiB, text ~4.5, a SQLite page of data well below 7.
const CIPHER_ENTROPY: f64 = 7.5;
/// How long a read waits for another program's write lock before saying so (rusqlite's
/// default busy timeout).
const BUSY_SECONDS: u32 = 5;

/// Whether `path` is a file that starts with SQLite's 16-byte header.
pub fn file_is_sqlite(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == HEADER
}

/// The folder a file is in, as a person would name it.
pub(super) fn folder_of(path: &Path) -> String {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.display().to_string(),
        None => ".".into(),
    }
}

/// A sidecar of `path`: `app.db` → `app.db-wal`.
pub(super) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Checks what `path` is before SQLite opens it.
///
/// # Errors
/// `BadInput` with one sentence for each kind of file that is not a database to read.
pub(super) fn check_file(path: &Path) -> crate::Result<()> {
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::bad_input(missing(path)));
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
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| crate::model::error::io_error("cannot read the source database", path, e))?;
    if head.starts_with(HEADER) {
        return Ok(());
    }
    Err(Error::bad_input(not_a_database(path, &head, meta.len())))
}

/// A missing database, with what lies beside it when that is its log or journal.
fn missing(path: &Path) -> String {
    let shown = path.display();
    for (suffix, what) in [
        ("-wal", "write-ahead log"),
        ("-journal", "rollback journal"),
    ] {
        let side = sidecar(path, suffix);
        if side.exists() {
            return format!(
                "no such file: {shown} (only its {what} {} is there, which holds the latest changes, not the database: find {shown} itself, or its backup)",
                side.display()
            );
        }
    }
    format!("no such file: {shown}")
}

/// The sentence for a file without SQLite's header.
fn not_a_database(path: &Path, head: &[u8], len: u64) -> String {
    let shown = path.display();
    let name = path.to_string_lossy();
    let sidecar_of =
        |suffix: &str| -> Option<PathBuf> { name.strip_suffix(suffix).map(PathBuf::from) };
    let kind = if head.len() >= 4 && WAL_MAGIC.iter().any(|m| head.starts_with(m)) {
        Some(("a SQLite write-ahead log", sidecar_of("-wal")))
    } else if head.starts_with(&JOURNAL_MAGIC) {
        Some(("a SQLite rollback journal", sidecar_of("-journal")))
    } else if name.ends_with("-shm") {
        Some((
            "SQLite's shared-memory index of a WAL database",
            sidecar_of("-shm"),
        ))
    } else {
        None
    };
    if let Some((what, db)) = kind {
        return match db {
            Some(db) if db.is_file() => format!(
                "{shown} is {what}, not a database: choose {} instead",
                db.display()
            ),
            Some(db) => format!(
                "{shown} is {what}, not a database, and its database {} is not there: a log alone cannot be read; find the database itself, or its backup",
                db.display()
            ),
            None => format!("{shown} is {what}, not a database: choose the database file beside it instead"),
        };
    }
    if len >= 1024 && len.is_multiple_of(512) && entropy(head) > CIPHER_ENTROPY {
        return format!(
            "{shown} looks encrypted (SQLCipher?): it has no SQLite header and its first bytes look random; Ferry reads unencrypted databases: export a plain copy first (in sqlcipher: PRAGMA key = '…'; ATTACH 'plain.db' AS plain KEY ''; SELECT sqlcipher_export('plain');) and migrate that"
        );
    }
    format!("{shown} is not a SQLite database")
}

/// Shannon entropy of `bytes`, in bits per byte.
fn entropy(bytes: &[u8]) -> f64 {
    let mut counts = [0u64; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The sentence for a damaged file, from SQLite's (possibly multi-line) message.
pub(super) fn damaged(path: &Path, msg: &str) -> Error {
    // One sentence: integrity reports span lines, under a "*** in database" header.
    let lines: Vec<&str> = msg.lines().filter(|l| !l.starts_with("***")).collect();
    Error::bad_input(format!(
        "{} is truncated or corrupt: {}",
        path.display(),
        lines.join("; ")
    ))
}

/// Whether the header says the database is in WAL mode (read and write versions 2).
fn is_wal(path: &Path) -> bool {
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head[18] == 2
        && head[19] == 2
}

/// What a failed read-only open of `path` means.
pub(super) fn classify(path: &Path, e: rusqlite::Error, doing: &str) -> Failure {
    let shown = path.display();
    let (code, extended) = match &e {
        rusqlite::Error::SqliteFailure(f, _) => (f.code, f.extended_code),
        _ => {
            return Failure::Error(Error::Sqlite {
                context: format!("{doing} {shown}"),
                source: e,
            })
        }
    };
    use rusqlite::ErrorCode as C;
    match code {
        _ if extended == ffi::SQLITE_READONLY_ROLLBACK => Failure::Needs(NeedsRecovery::HotJournal),
        C::ReadOnly | C::CannotOpen if is_wal(path) => {
            Failure::Needs(NeedsRecovery::WalReadOnlyFolder)
        }
        C::DatabaseBusy | C::DatabaseLocked => Failure::Error(Error::bad_input(format!(
            "{shown} is being written by another program (it held the write lock for more than {BUSY_SECONDS} s); close that program or wait until it has finished writing, then run again"
        ))),
        // The header was SQLite's (checked before opening): what follows it is damaged.
        C::NotADatabase | C::DatabaseCorrupt => Failure::Error(damaged(path, &e.to_string())),
        _ => Failure::Error(Error::Sqlite {
            context: format!("{doing} {shown}"),
            source: e,
        }),
    }
}
