//! Reading SQLite files on several connections: the parallel verifier of SQLite targets and
//! the parallel preflight of SQLite sources. Cutting tables into rowid ranges must cover every
//! row exactly once (merged digests equal whole-table digests, finding counts equal the bad
//! rows), and a changed row, a bad value or a dangling foreign key must still be caught.

use ferry_engine::catalog::Dialect;
use ferry_engine::plan::build::{self, PlanInput};
use ferry_engine::plan::Plan;
use std::sync::atomic::{AtomicBool, Ordering};

use ferry_engine::run::verify::parallel::{digest_sqlite_file, verify_sqlite_file};
use ferry_engine::run::verify::{target_digest, TypedReader};
use ferry_engine::source::Source;
use ferry_engine::{Location, Options};

/// 50 000 parents with gappy and negative rowids, children pointing at them, and a
/// WITHOUT ROWID table (which cannot be cut by rowid and is digested whole).
fn database(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("big.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, payload JSON);
         CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), n REAL);
         CREATE TABLE tags (tag TEXT PRIMARY KEY, uses INTEGER) WITHOUT ROWID;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 50000)
         INSERT INTO parent SELECT CASE WHEN i % 2 = 0 THEN i * 7 ELSE -i END, 'p' || i,
                                   json_object('i', i, 'even', i % 2 = 0) FROM k;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 25000)
         INSERT INTO child SELECT i, -(i * 2 - 1), i / 7.0 FROM k;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 25000)
         INSERT INTO tags SELECT 'tag' || i, i FROM k;",
    )
    .unwrap();
    path
}

/// The plan of copying the file to itself: its tables as a verifier sees them.
fn plan_of(path: &std::path::Path) -> Plan {
    let options = Options::new(
        Location::Sqlite { path: path.into() },
        Location::Sqlite {
            path: path.with_extension("copy.db"),
        },
    );
    let mut source = Source::open(&options.source, "public").unwrap();
    let catalog = source.introspect().unwrap();
    let input = PlanInput {
        options: &options,
        source: &catalog,
        target: None,
        target_dialect: Dialect::Sqlite,
        source_display: "a".into(),
        target_display: "b".into(),
        target_file_exists: false,
        seeded_rules: true,
    };
    build::build(&input, &mut |_, _| Ok(vec![])).unwrap()
}

fn whole_digests(path: &std::path::Path, plan: &Plan) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    plan.tables
        .iter()
        .map(|t| {
            let mut reader = TypedReader::Sqlite(&conn, plan.storage());
            target_digest(&mut reader, t).unwrap().hex()
        })
        .collect()
}

#[test]
fn parts_cover_every_row_once_and_changes_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    let plan = plan_of(&path);
    assert_eq!(plan.tables.len(), 3);

    let whole = whole_digests(&path, &plan);
    for threads in [1, 2, 3, 5] {
        let parallel = verify_sqlite_file(&path, &plan.tables, plan.storage(), threads).unwrap();
        let merged: Vec<String> = parallel.digests.iter().map(|d| d.hex()).collect();
        assert_eq!(merged, whole, "{threads} readers");
        let rows: Vec<u64> = parallel.digests.iter().map(|d| d.rows()).collect();
        let expected: Vec<u64> = plan
            .tables
            .iter()
            .map(|t| match t.target_table.as_str() {
                "parent" => 50_000,
                "child" => 25_000,
                _ => 25_000,
            })
            .collect();
        assert_eq!(rows, expected);
        assert!(
            parallel.foreign_keys.passed,
            "{}",
            parallel.foreign_keys.detail
        );
    }

    // One changed value in the upper half of a split table, and one dangling reference.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    conn.execute(
        "UPDATE parent SET name = 'changed' WHERE id = 7 * 49998",
        [],
    )
    .unwrap();
    conn.execute("UPDATE child SET parent_id = 2 WHERE id = 24999", [])
        .unwrap();
    drop(conn);
    let after = verify_sqlite_file(&path, &plan.tables, plan.storage(), 2).unwrap();
    let parent = plan
        .tables
        .iter()
        .position(|t| t.target_table == "parent")
        .unwrap();
    assert_ne!(after.digests[parent].hex(), whole[parent]);
    assert_eq!(after.digests[parent].rows(), 50_000);
    assert!(!after.foreign_keys.passed);
    assert!(
        after.foreign_keys.detail.contains("child"),
        "{}",
        after.foreign_keys.detail
    );
}

/// A migration digests a SQLite target while its writer builds the indexes: the readers see
/// the committed rows, never the writer's transaction, and stop when the writer fails.
#[test]
fn digests_beside_a_writing_connection_are_of_the_committed_rows_and_stop_when_abandoned() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    let plan = plan_of(&path);
    let whole = whole_digests(&path, &plan);

    let writer = rusqlite::Connection::open(&path).unwrap();
    let mode: String = writer
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // An index being built, and a change the readers must not see: it is not committed.
    writer
        .execute_batch(
            "BEGIN; CREATE INDEX parent_name ON parent (name);              UPDATE child SET n = n + 1 WHERE id % 1000 = 0;",
        )
        .unwrap();
    let abandon = AtomicBool::new(false);
    let digests = digest_sqlite_file(&path, &plan.tables, plan.storage(), 2, &abandon).unwrap();
    let hexes: Vec<String> = digests.iter().map(|d| d.hex()).collect();
    assert_eq!(hexes, whole);

    abandon.store(true, Ordering::Relaxed);
    let err = digest_sqlite_file(&path, &plan.tables, plan.storage(), 2, &abandon)
        .unwrap_err()
        .to_string();
    assert!(err.contains("verification was abandoned"), "{err}");

    // Committed, the change is what the readers see.
    writer.execute_batch("COMMIT").unwrap();
    let abandon = AtomicBool::new(false);
    let after = digest_sqlite_file(&path, &plan.tables, plan.storage(), 3, &abandon).unwrap();
    let child = plan
        .tables
        .iter()
        .position(|t| t.target_table == "child")
        .unwrap();
    assert_ne!(after[child].hex(), whole[child]);
    assert_eq!(after[child].rows(), 25_000);
}

/// The preflight of a SQLite source large enough to be cut into parts finds every bad value
/// in every part, counts them exactly, keeps the first samples in row order, and finds
/// orphaned foreign keys beside them; the same file in WAL mode (read on one connection)
/// gives the same findings.
#[test]
fn parallel_preflight_finds_every_bad_value_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE parent (id INTEGER PRIMARY KEY);
         INSERT INTO parent VALUES (1), (2);
         CREATE TABLE events (id INTEGER PRIMARY KEY, done BOOLEAN, parent_id INTEGER REFERENCES parent(id));
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 60000)
         INSERT INTO events SELECT i, CASE WHEN i % 9973 = 0 THEN 'maybe' ELSE i % 2 END,
                                   CASE WHEN i % 15000 = 0 THEN 99 ELSE 1 + i % 2 END FROM k;",
    )
    .unwrap();
    drop(conn);
    let findings = |path: &std::path::Path| {
        let db = ferry_testkit::TestDb::new();
        let options = Options::new(
            Location::Sqlite { path: path.into() },
            Location::parse(&db.url()).unwrap(),
        );
        let plan = ferry_engine::plan(
            &options,
            &ferry_engine::progress::Silent,
            &ferry_engine::Cancel::new(),
        )
        .unwrap();
        let mut out: Vec<(String, u64, Vec<String>)> = plan
            .findings
            .iter()
            .map(|f| {
                (
                    f.kind.to_string(),
                    f.count,
                    f.samples.iter().map(|s| s.key.clone()).collect(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let parallel = findings(&path);
    // 60000 / 9973 → ids 9973, 19946, 29919, 39892, 49865, 59838: six, in every part.
    let booleans = parallel.iter().find(|f| f.0 == "not_boolean").unwrap();
    assert_eq!(booleans.1, 6);
    assert_eq!(
        booleans.2,
        ["id=9973", "id=19946", "id=29919", "id=39892", "id=49865"]
    );
    let orphans = parallel
        .iter()
        .find(|f| f.0 == "orphaned_foreign_key")
        .unwrap();
    assert_eq!(
        orphans.1, 4,
        "ids 15000, 30000, 45000, 60000 point at parent 99"
    );

    rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .unwrap();
    assert_eq!(
        findings(&path),
        parallel,
        "one connection (WAL) finds the same"
    );
}
