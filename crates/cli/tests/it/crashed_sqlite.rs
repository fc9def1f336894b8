//! Issue 11, point 6, where a folder must be unwritable: `ferry` run as `nobody` on SQLite files
//! in a folder owned by root (mode 755). Tests run as root, whom `chmod` does not stop, so the
//! child process drops to uid/gid 65534 instead (`Command::uid`, which also clears the
//! supplementary groups); a read-only bind mount would need a private mount namespace.
//!
//! The crashed states are byte-for-byte what a crash leaves: the files are copied while a
//! writer holds its unfinished transaction (the engine's tests kill a real writer with SIGKILL).

use std::os::unix::fs::{chown, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use crate::util::state::folder_fingerprint;
use crate::util::Dir;

const NOBODY: u32 = 65534;

/// A work folder `nobody` can enter: `share/` (root's, read-only to nobody), `out/` and
/// `tmp/` (nobody's).
struct Setup {
    dir: Dir,
}

impl Setup {
    fn new() -> Setup {
        let dir = Dir::new();
        let root = dir.path("");
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir(dir.path("share")).unwrap();
        for own in ["out", "tmp"] {
            std::fs::create_dir(dir.path(own)).unwrap();
            chown(dir.path(own), Some(NOBODY), Some(NOBODY)).unwrap();
        }
        Setup { dir }
    }

    fn share(&self, name: &str) -> PathBuf {
        self.dir.path("share").join(name)
    }

    /// `ferry ARGS` as nobody, its private copies under `tmp/`.
    fn ferry_as_nobody(&self, args: &[&str]) -> crate::util::Run {
        let mut cmd = self
            .dir
            .command_with(crate::util::ferry_for_everyone())
            .args(args)
            .env("TMPDIR", self.dir.path("tmp"))
            .env("HOME", self.dir.path("out"));
        cmd.inner().uid(NOBODY).gid(NOBODY);
        cmd.run()
    }
}

/// Copies a database and its side files (as they are now) into `to`, readable by all.
fn freeze(db: &Path, to: &Path, sidecars: &[&str]) {
    let name = db.file_name().unwrap().to_string_lossy().into_owned();
    for s in [""].iter().chain(sidecars) {
        let from = PathBuf::from(format!("{}{s}", db.display()));
        let dest = to.join(format!("{name}{s}"));
        std::fs::copy(&from, &dest).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

fn rows(path: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
    )
    .unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let v = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    v
}

const NOTES: &str = "SELECT id || ':' || body FROM notes ORDER BY id";

#[test]
fn a_wal_database_in_a_folder_ferry_cannot_write_is_read_from_a_private_copy() {
    let s = Setup::new();
    let work = tempfile::tempdir().unwrap();
    let live = work.path().join("app.db");
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
         INSERT INTO notes VALUES (1, 'checkpointed');
         PRAGMA wal_checkpoint(TRUNCATE);
         INSERT INTO notes VALUES (2, 'only in the log');",
    )
    .unwrap();
    // The database and its log as a crash (or a copy without the -shm) leaves them.
    freeze(&live, &s.dir.path("share"), &["-wal"]);
    drop(conn);
    let db = s.share("app.db");
    // The situation is real: ignoring the log (`immutable=1`) loses the committed row 2.
    assert_eq!(
        rows(
            Path::new(&format!("file:{}?immutable=1", db.display())),
            NOTES
        ),
        ["1:checkpointed"]
    );
    let before = folder_fingerprint(&s.dir.path("share"));

    let run = s.ferry_as_nobody(&[
        "migrate",
        "--yes",
        "--from",
        "share/app.db",
        "--to",
        "out/copy.db",
    ]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    run.assert_stdout_contains(
        "share/app.db: read from a private copy: it is a WAL database in a folder Ferry cannot write (share), so SQLite could not create share/app.db-shm there; the copy (with the committed transactions of share/app.db-wal applied) is what was read; the originals were not changed",
    );
    assert_eq!(
        rows(&s.dir.path("out/copy.db"), NOTES),
        ["1:checkpointed", "2:only in the log"]
    );
    assert_eq!(folder_fingerprint(&s.dir.path("share")), before);
    assert_eq!(
        std::fs::read_dir(s.dir.path("tmp")).unwrap().count(),
        0,
        "the private copy is removed"
    );

    // A WAL database closed cleanly (no -wal, no -shm) needs the same.
    std::fs::remove_file(s.share("app.db-wal")).unwrap();
    let run = s.ferry_as_nobody(&["plan", "--from", "share/app.db", "--to", "out/again.db"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    run.assert_stdout_contains("share/app.db: read from a private copy: it is a WAL database in a folder Ferry cannot write (share), so SQLite could not create share/app.db-shm there; the copy is what was read; the originals were not changed");
}

#[test]
fn a_wal_left_with_its_index_is_read_in_place_with_only_its_committed_rows() {
    let s = Setup::new();
    let work = tempfile::tempdir().unwrap();
    let live = work.path().join("app.db");
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = 1;
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
         INSERT INTO notes SELECT value, 'committed' FROM generate_series(1, 500);
         BEGIN; UPDATE notes SET body = 'uncommitted';",
    )
    .unwrap_or_else(|_| {
        // generate_series is not in every SQLite build: the same rows by recursion.
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
             INSERT INTO notes SELECT i, 'committed' FROM n;
             BEGIN; UPDATE notes SET body = 'uncommitted';",
        )
        .unwrap()
    });
    freeze(&live, &s.dir.path("share"), &["-wal", "-shm"]);
    drop(conn);
    let before = folder_fingerprint(&s.dir.path("share"));
    let run = s.ferry_as_nobody(&[
        "migrate",
        "--yes",
        "--from",
        "share/app.db",
        "--to",
        "out/copy.db",
    ]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    // SQLite (≥ 3.22) reads a WAL with an existing -shm in a read-only folder: no copy needed.
    assert!(!run.stdout.contains("private copy"), "{}", run.stdout);
    assert_eq!(
        rows(
            &s.dir.path("out/copy.db"),
            "SELECT DISTINCT body FROM notes"
        ),
        ["committed"]
    );
    assert_eq!(folder_fingerprint(&s.dir.path("share")), before);
}

#[test]
fn a_hot_journal_in_a_folder_ferry_cannot_write_is_rolled_back_in_a_private_copy() {
    let s = Setup::new();
    let work = tempfile::tempdir().unwrap();
    let live = work.path().join("app.db");
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO notes SELECT i, 'old ' || printf('%0200d', i) FROM n;",
    )
    .unwrap();
    drop(conn);
    // A fresh writer with a one-page cache must write changed pages into the file before
    // its commit: the unfinished write is half in the database, its undo in the journal.
    let writer = rusqlite::Connection::open(&live).unwrap();
    writer
        .execute_batch("PRAGMA cache_size = 1; BEGIN; UPDATE notes SET body = 'new';")
        .unwrap();
    freeze(&live, &s.dir.path("share"), &["-journal"]);
    drop(writer);
    let db = s.share("app.db");
    let torn = rows(
        Path::new(&format!("file:{}?immutable=1", db.display())),
        "SELECT count(*) || '' FROM notes WHERE body = 'new'",
    );
    assert_ne!(
        torn,
        ["0"],
        "the frozen file must hold half of the unfinished write"
    );
    let before = folder_fingerprint(&s.dir.path("share"));

    let run = s.ferry_as_nobody(&["plan", "--from", "share/app.db", "--to", "out/copy.db"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    run.assert_stdout_contains("share/app.db: recovered before reading, as SQLite would: its last writer stopped in the middle of a write and left the rollback journal share/app.db-journal, so that unfinished write was rolled back in a private copy, which is what was read; share/app.db and its journal were not changed");
    let run = s.ferry_as_nobody(&[
        "migrate",
        "--yes",
        "--from",
        "share/app.db",
        "--to",
        "out/copy.db",
    ]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let bodies = rows(
        &s.dir.path("out/copy.db"),
        "SELECT DISTINCT substr(body, 1, 4) FROM notes",
    );
    assert_eq!(
        bodies,
        ["old "],
        "every row as committed, none of the crashed write"
    );
    assert_eq!(folder_fingerprint(&s.dir.path("share")), before);

    // A journal nobody may read cannot be rolled back: one sentence, nothing written.
    std::fs::set_permissions(
        s.share("app.db-journal"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let run = s.ferry_as_nobody(&[
        "migrate",
        "--yes",
        "--from",
        "share/app.db",
        "--to",
        "out/other.db",
    ]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    run.assert_stderr_contains("share/app.db must be recovered before it can be read (its last writer stopped in the middle of a write), and Ferry could not copy share/app.db-journal to ");
    assert!(!s.dir.path("out/other.db").exists());
    assert_eq!(std::fs::read_dir(s.dir.path("tmp")).unwrap().count(), 0);
}
