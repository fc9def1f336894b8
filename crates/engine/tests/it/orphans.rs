//! Orphaned foreign keys in a SQLite source are found by the preflight with SQLite's own
//! meaning of "orphan": the preflight's anti-joins must report exactly the rows
//! `PRAGMA foreign_key_check` reports — NULL keys are not orphans, composite keys match on
//! every column, the parent column's collation decides, keys may name a unique column
//! instead of the primary key, and WITHOUT ROWID children are named without a rowid.

use std::collections::BTreeMap;

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
