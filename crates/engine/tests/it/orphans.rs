//! Orphaned foreign keys in a SQLite source are found by the preflight with SQLite's own
//! meaning of "orphan": the preflight's anti-joins must report exactly the rows
//! `PRAGMA foreign_key_check` reports — NULL keys are not orphans, composite keys match on
//! every column, the parent column's collation decides, keys may name a unique column
//! instead of the primary key, and WITHOUT ROWID children are named without a rowid.

use std::collections::BTreeMap;

use crate::common::{
    migrate, options, pg, pg_tables, sqlite, sqlite_from_sql, TestDb, ONE_ORPHAN_SQL,
};
use ferry_engine::{Location, Options};

const SCHEMA: &str = "
PRAGMA foreign_keys = OFF;
CREATE TABLE goals (id INTEGER PRIMARY KEY, code TEXT UNIQUE COLLATE NOCASE);
CREATE TABLE tasks (id INTEGER PRIMARY KEY, goal_id INTEGER REFERENCES goals(id),
                    goal_code TEXT REFERENCES goals(code), parent_id INTEGER REFERENCES tasks);
CREATE INDEX tasks_goal_id ON tasks (goal_id);
CREATE TABLE slots (day TEXT, n INTEGER, PRIMARY KEY (day, n));
CREATE TABLE bookings (id INTEGER PRIMARY KEY, day TEXT, n INTEGER,
                       FOREIGN KEY (day, n) REFERENCES slots (day, n));
CREATE TABLE labels (name TEXT PRIMARY KEY, goal_id INTEGER REFERENCES goals(id)) WITHOUT ROWID;
INSERT INTO goals VALUES (1, 'alpha'), (2, 'beta');
INSERT INTO tasks VALUES
  (1, 1, 'ALPHA', NULL),   -- code matches under the parent's NOCASE collation
  (2, 7, 'beta', 1),       -- goal 7 missing
  (3, NULL, NULL, NULL),   -- NULL keys are no references
  (4, 2, 'gamma', 3),      -- code missing
  (5, 9, 'alpha', 42);     -- goal 9 and task 42 missing
INSERT INTO slots VALUES ('mon', 1), ('tue', 2);
INSERT INTO bookings VALUES
  (1, 'mon', 1), (2, 'mon', 2),   -- ('mon', 2) missing: both columns must match
  (3, 'tue', NULL),               -- a NULL column: no reference
  (4, 'wed', 1);                  -- missing
INSERT INTO labels VALUES ('x', 1), ('y', 5);
";

/// (child table, parent table) → rowids, from SQLite's own check.
fn pragma_orphans(conn: &rusqlite::Connection) -> BTreeMap<(String, String), Vec<Option<i64>>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let mut out: BTreeMap<(String, String), Vec<Option<i64>>> = BTreeMap::new();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (child, rowid, parent) = row.unwrap();
        out.entry((child, parent)).or_default().push(rowid);
    }
    for rowids in out.values_mut() {
        rowids.sort();
    }
    out
}

#[test]
fn preflight_finds_the_orphans_sqlite_itself_finds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orphans.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let expected = pragma_orphans(&conn);
    drop(conn);
    // The oracle itself, so a fixture change cannot quietly make this test weaker.
    let shape: Vec<(&str, &str, usize)> = expected
        .iter()
        .map(|((c, p), r)| (c.as_str(), p.as_str(), r.len()))
        .collect();
    assert_eq!(
        shape,
        [
            ("bookings", "slots", 2),
            ("labels", "goals", 1),
            ("tasks", "goals", 3),
            ("tasks", "tasks", 1),
        ]
    );

    let options = Options::new(
        Location::Sqlite { path: path.clone() },
        Location::Sqlite {
            path: dir.path().join("out.db"),
        },
    );
    let plan = ferry_engine::plan(
        &options,
        &ferry_engine::progress::Silent,
        &ferry_engine::Cancel::new(),
    )
    .unwrap();
    let mut found: BTreeMap<(String, String), Vec<Option<i64>>> = BTreeMap::new();
    for f in plan
        .findings
        .iter()
        .filter(|f| f.kind == "orphaned_foreign_key")
    {
        let parent = f.samples[0]
            .detail
            .trim_start_matches("no matching row in ");
        let rowids = found
            .entry((f.table.clone(), parent.to_string()))
            .or_default();
        assert_eq!(f.count as usize, f.samples.len(), "{f:?}");
        for s in &f.samples {
            rowids.push(match s.key.as_str() {
                "rowid=?" => None,
                key => Some(key.trim_start_matches("rowid=").parse().unwrap()),
            });
        }
        rowids.sort();
    }
    assert_eq!(found, expected);
    assert!(
        !dir.path().join("out.db").exists(),
        "the plan wrote nothing"
    );
}

/// The check a SQLite target's verification runs, over every table, agrees with the pragma.
#[test]
fn the_target_check_finds_what_the_pragma_finds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orphans.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let expected = pragma_orphans(&conn);
    let mut found: BTreeMap<(String, String), Vec<Option<i64>>> = BTreeMap::new();
    for v in ferry_engine::sqlite::foreign_keys::all_violations(&conn).unwrap() {
        found.entry((v.table, v.parent)).or_default().push(v.rowid);
    }
    for rowids in found.values_mut() {
        rowids.sort();
    }
    assert_eq!(found, expected);
    let check = ferry_engine::run::verify::sqlite_foreign_key_check(&conn).unwrap();
    assert!(!check.passed);
    assert!(
        check
            .detail
            .starts_with("7 row(s) reference missing parents"),
        "{}",
        check.detail
    );
}

/// `migrate` leaves the orphans of the tables it creates in PostgreSQL to the server, which
/// validates every row when a key is added after the copy, and looks for them only once the
/// server refused one: the run then ends as the preflight would have, with the findings
/// `plan` reports, and nothing written.
#[test]
fn migrate_into_postgres_names_the_orphans_plan_names_once_the_server_refused_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_from_sql(dir.path(), "orphans.db", SCHEMA);
    let db = TestDb::new();
    let options = options(sqlite(&path), pg(&db));
    let plan = ferry_engine::plan(
        &options,
        &ferry_engine::progress::Silent,
        &ferry_engine::Cancel::new(),
    )
    .unwrap();
    let orphans = plan
        .findings
        .iter()
        .filter(|f| f.kind == "orphaned_foreign_key")
        .count();
    assert_eq!(orphans, 4, "{:#?}", plan.findings);

    let err = migrate(&options).expect_err("orphans must stop the run");
    assert!(
        matches!(err.error, ferry_engine::Error::PreflightBlocked { count } if count == plan.blocking_findings()),
        "{}",
        err.error
    );
    assert!(
        err.error.to_string().contains("nothing was written"),
        "{}",
        err.error
    );
    assert_eq!(
        serde_json::to_value(&err.report.findings).unwrap(),
        serde_json::to_value(&plan.findings).unwrap(),
        "migrate reports what plan reports"
    );
    let phases: Vec<&str> = err.report.phases.iter().map(|p| p.phase.label()).collect();
    assert!(
        phases.contains(&"constraints"),
        "the keys were left to the server: {phases:?}"
    );
    assert_eq!(
        pg_tables(&mut db.client()),
        Vec::<String>::new(),
        "nothing may be written"
    );
}

/// A table that already exists in the target checks its keys row by row as they arrive, or
/// not at all: its orphans are still found before anything is written.
#[test]
fn orphans_bound_for_an_existing_postgres_table_are_found_before_any_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_from_sql(dir.path(), "app.db", ONE_ORPHAN_SQL);
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE goals (id bigint PRIMARY KEY, title text);
             CREATE TABLE tasks (id bigint PRIMARY KEY, goal_id bigint REFERENCES goals(id), title text);",
        )
        .unwrap();
    let mut options = options(sqlite(&path), pg(&db));
    options.into_existing = true;
    let err = migrate(&options).expect_err("orphans must stop the run");
    let f = err
        .report
        .findings
        .iter()
        .find(|f| f.kind == "orphaned_foreign_key")
        .unwrap_or_else(|| panic!("no orphan finding: {}", err.error));
    assert_eq!((f.table.as_str(), f.count), ("tasks", 1));
    assert_eq!(f.samples[0].key, "rowid=2");
    let phases: Vec<&str> = err.report.phases.iter().map(|p| p.phase.label()).collect();
    assert_eq!(
        phases.last(),
        Some(&"preflight"),
        "found before writing: {phases:?}"
    );
}
