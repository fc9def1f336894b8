//! Issue 11, point 6: a SQLite source whose last writer crashed is read as SQLite would read it
//! after recovering it, from a private copy, without changing a byte of the originals; what
//! cannot be read is named as what it is (encrypted, locked by a writer, a log without its
//! database). Each situation is built for real: a child process (this test binary again,
//! [`writer_child`]) begins a write and is killed with SIGKILL.
//!
//! The read-only-folder cases need a user who cannot write the folder; tests run as root,
//! whom permissions do not stop, so they are in the CLI's `crashed_sqlite.rs` (the `ferry`
//! binary run as `nobody`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::*;
use ferry_engine::progress::Silent;
use ferry_engine::{sqlite, Cancel, ErrorKind};

const ROWS: i64 = 2000;
/// What [`writer_child`] prints once it holds its unfinished write.
const READY: &str = "FERRY-TEST-WRITER-READY";

/// `ROWS` rows of 'old' in a rollback-journal database.
fn committed_db(dir: &Path) -> PathBuf {
    let path = dir.join("app.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = DELETE;
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
         INSERT INTO notes SELECT i, 'old ' || printf('%0200d', i) FROM n;"
    ))
    .unwrap();
    path
}

/// Not a test of its own: the writer process the tests start. With `FERRY_TEST_WRITER` set it
/// updates every row with a one-page cache (so SQLite must write changed pages into the
/// database file before the commit, holding the exclusive lock), prints [`READY`] and waits to be
/// killed.
#[test]
fn writer_child() {
    let Ok(path) = std::env::var("FERRY_TEST_WRITER") else {
        return;
    };
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA cache_size = 1; BEGIN; UPDATE notes SET body = 'new';")
        .unwrap();
    // libtest may print this on the line of its own "test … " header: a marker, not a line.
    println!("{READY}");
    std::thread::sleep(std::time::Duration::from_secs(120));
}

/// Starts [`writer_child`] on `db` and returns once it holds its unfinished write.
fn start_writer(db: &Path) -> Child {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sqlite_recovery::writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FERRY_TEST_WRITER", db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    for line in out.lines() {
        if line.unwrap().contains(READY) {
            return child;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the writer child ended before it was ready");
}

/// A database whose writer was killed in the middle of its write: a hot journal beside it.
fn crashed_db(dir: &Path) -> PathBuf {
    let db = committed_db(dir);
    let mut child = start_writer(&db);
    child.kill().unwrap(); // SIGKILL: no chance to roll back or delete the journal
    child.wait().unwrap();
    assert!(
        journal(&db).exists(),
        "the killed writer must leave its journal"
    );
    db
}

fn journal(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}-journal", db.display()))
}

/// Every file of the folder with its SHA-256.
fn hashes(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                sha256(&p),
            )
        })
        .collect();
    v.sort();
    v
}

fn count_where(conn: &rusqlite::Connection, filter: &str) -> i64 {
    conn.query_row(
        &format!("SELECT count(*) FROM notes WHERE {filter}"),
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_hot_journal_is_rolled_back_in_a_private_copy_and_the_originals_stay_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let db = crashed_db(dir.path());
    let before = hashes(dir.path());

    // The situation is real: the crashed writer had already written changed pages into the
    // file, which a reader that ignores the journal (`immutable=1`) would see.
    let immutable = rusqlite::Connection::open_with_flags(
        format!("file:{}?immutable=1", db.display()),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
    )
    .unwrap();
    assert!(
        count_where(&immutable, "body = 'new'") > 0,
        "the crashed writer must have written half a transaction into the file"
    );
    drop(immutable);

    let opened = sqlite::open_recovering(&db).unwrap();
    assert_eq!(count_where(&opened.conn, "body LIKE 'old %'"), ROWS);
    assert_eq!(count_where(&opened.conn, "body = 'new'"), 0);
    let recovery = opened.recovery.as_ref().expect("a recovery was applied");
    assert!(recovery.path().starts_with(std::env::temp_dir()));
    let folder = recovery.folder().to_path_buf();
    assert_eq!(
        recovery.note(),
        format!(
            "{d}: recovered before reading, as SQLite would: its last writer stopped in the middle of a write and left the rollback journal {d}-journal, so that unfinished write was rolled back in a private copy, which is what was read; {d} and its journal were not changed",
            d = db.display()
        )
    );
    drop(opened);
    assert!(
        !folder.exists(),
        "the private copy is removed with the source"
    );
    assert_eq!(hashes(dir.path()), before, "no original changed by a byte");
}

#[test]
fn a_crashed_source_migrates_with_the_recovery_in_the_report_and_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let db = crashed_db(dir.path());
    let before = hashes(dir.path());
    let note_start = format!(
        "{}: recovered before reading, as SQLite would",
        db.display()
    );

    let target = TestDb::new();
    let o = options(sqlite(&db), pg(&target));
    let plan = ferry_engine::plan(&o, &Silent, &Cancel::new()).unwrap();
    assert!(
        plan.warnings[0].starts_with(&note_start),
        "{:?}",
        plan.warnings
    );

    let report = migrate_ok(&o);
    assert!(
        report.warnings[0].starts_with(&note_start),
        "{:?}",
        report.warnings
    );
    // Independent of Ferry's verifier: PostgreSQL holds the committed rows, none of the
    // crashed write.
    let mut client = target.client();
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE body = 'old ' || lpad(id::text, 200, '0')) FROM notes",
            &[],
        )
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (ROWS, ROWS));
    assert_eq!(hashes(dir.path()), before, "no original changed by a byte");

    // `ferry verify` reads the crashed file the same way, and says so.
    let v =
        ferry_engine::verify(&options(sqlite(&db), pg(&target)), &Silent, &Cancel::new()).unwrap();
    assert!(v.warnings[0].starts_with(&note_start), "{:?}", v.warnings);
    assert_eq!(hashes(dir.path()), before);
}

#[test]
fn a_crashed_file_is_refused_with_the_way_out_where_it_is_not_recovered() {
    // Where Ferry only reads a file in place (an existing target it introspects), a hot
    // journal is one sentence saying what it is and what to do, not "corrupt".
    let dir = tempfile::tempdir().unwrap();
    let db = crashed_db(dir.path());
    let err = sqlite::open_source(&db).map(|_| ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadInput);
    assert_eq!(
        err.to_string(),
        format!(
            "{d} was left in the middle of a write (its rollback journal {d}-journal is still there): it is not corrupt, but SQLite must roll the unfinished write back before it can be read; open it once with the app that wrote it, or with `sqlite3 {d} 'PRAGMA quick_check'` as a user who can write {f}, then run again",
            d = db.display(),
            f = dir.path().display()
        )
    );
}

#[test]
fn a_file_a_writer_still_holds_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let db = committed_db(dir.path());
    let mut child = start_writer(&db);
    let before = hashes(dir.path());
    let result = sqlite::open_recovering(&db).map(|_| ());
    child.kill().unwrap();
    child.wait().unwrap();
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadInput);
    assert_eq!(
        err.to_string(),
        format!(
            "{} is being written by another program (it held the write lock for more than 5 s); close that program or wait until it has finished writing, then run again",
            db.display()
        )
    );
    assert_eq!(hashes(dir.path()), before);
}

#[test]
fn an_encrypted_file_and_a_log_without_its_database_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A real SQLCipher 4 file (made with `sqlcipher`, key 'correct horse').
    let enc = d.join("secret.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sqlcipher.db"),
        &enc,
    )
    .unwrap();

    // A WAL database with committed rows still in its log, then its database gone.
    let wal_db = d.join("wal.db");
    let conn = rusqlite::Connection::open(&wal_db).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE t (a); INSERT INTO t VALUES (1);",
    )
    .unwrap();
    // (`conn` stays open to the end, so wal.db-wal stays there too.)
    std::fs::copy(d.join("wal.db-wal"), d.join("gone.db-wal")).unwrap();
    let journal_only = d.join("j.db-journal");
    std::fs::write(
        &journal_only,
        [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7, 0, 0, 0, 0],
    )
    .unwrap();

    let cases: Vec<(PathBuf, String)> = vec![
        (enc.clone(), format!("{} looks encrypted (SQLCipher?): it has no SQLite header and its first bytes look random; Ferry reads unencrypted databases: export a plain copy first (in sqlcipher: PRAGMA key = '…'; ATTACH 'plain.db' AS plain KEY ''; SELECT sqlcipher_export('plain');) and migrate that", enc.display())),
        (d.join("gone.db"), format!("no such file: {g} (only its write-ahead log {g}-wal is there, which holds the latest changes, not the database: find {g} itself, or its backup)", g = d.join("gone.db").display())),
        (d.join("gone.db-wal"), format!("{}-wal is a SQLite write-ahead log, not a database, and its database {} is not there: a log alone cannot be read; find the database itself, or its backup", d.join("gone.db").display(), d.join("gone.db").display())),
        (d.join("wal.db-wal"), format!("{} is a SQLite write-ahead log, not a database: choose {} instead", d.join("wal.db-wal").display(), wal_db.display())),
        (journal_only.clone(), format!("{} is a SQLite rollback journal, not a database, and its database {} is not there: a log alone cannot be read; find the database itself, or its backup", journal_only.display(), d.join("j.db").display())),
    ];
    let before = hashes(d);
    for (path, want) in cases {
        let err = sqlite::open_recovering(&path)
            .map(|_| ())
            .expect_err(&format!("{} must be refused", path.display()));
        assert_eq!(err.kind(), ErrorKind::BadInput, "{err}");
        assert_eq!(err.to_string(), want);
    }
    assert_eq!(hashes(d), before);
    drop(conn);
}
