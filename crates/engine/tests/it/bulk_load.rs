//! How the writers load: PostgreSQL tables the run creates are loaded with `COPY … FREEZE`
//! and existing ones plainly; the transaction's settings end with it; the SQLite file is built
//! with Ferry's page size and multi-row INSERTs, and is a sound database.
use crate::common::*;
use ferry_engine::report::Outcome;
use ferry_engine::target::Target;

/// Enough rows for several pages and several multi-row INSERT statements plus a remainder.
const ROWS: i64 = 1_000;

fn sqlite_source(dir: &std::path::Path) -> std::path::PathBuf {
    sqlite_from_sql(
        dir,
        "app.db",
        &format!(
            "CREATE TABLE goals (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
             CREATE TABLE tasks (id INTEGER PRIMARY KEY, goal_id INTEGER NOT NULL REFERENCES goals(id), note TEXT);
             CREATE INDEX tasks_goal ON tasks (goal_id);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
             INSERT INTO goals SELECT i, 'goal ' || i FROM n;
             INSERT INTO tasks SELECT id, id, CASE WHEN id % 3 = 0 THEN NULL ELSE printf('%.*c', id % 200, 'x') END FROM goals;"
        ),
    )
}

/// How many of `table`'s tuples carry the frozen bits (`HEAP_XMIN_FROZEN`), read from its
/// pages with pageinspect: independent of how Ferry wrote them.
fn frozen_tuples(client: &mut postgres::Client, table: &str) -> i64 {
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        .unwrap();
    client
        .query_one(
            "SELECT count(*) FROM generate_series(0, (pg_relation_size($1::text::regclass) / current_setting('block_size')::int)::int - 1) AS b, \
             heap_page_items(get_raw_page($1, b)) AS t WHERE t.t_infomask & 768 = 768",
            &[&table],
        )
        .unwrap()
        .get(0)
}

#[test]
fn postgres_tables_the_run_creates_are_loaded_frozen() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let report = migrate_ok(&options(sqlite(&sqlite_source(dir.path())), pg(&db)));
    assert!(report.verification.unwrap().passed);
    let mut c = db.client();
    assert_eq!(frozen_tuples(&mut c, "goals"), ROWS);
    assert_eq!(frozen_tuples(&mut c, "tasks"), ROWS);
    let orphans: i64 = c
        .query_one(
            "SELECT count(*) FROM tasks t LEFT JOIN goals g ON g.id = t.goal_id WHERE g.id IS NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(orphans, 0);
}

#[test]
fn postgres_existing_tables_are_loaded_plainly() {
    // FREEZE on a table created before the run's transaction is PostgreSQL's error: the run
    // passing at all says the plain COPY was used; the pages say so too.
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::with_sql(
        "CREATE TABLE goals (id bigint PRIMARY KEY, title text NOT NULL);
         CREATE TABLE tasks (id bigint PRIMARY KEY, goal_id bigint NOT NULL REFERENCES goals(id), note text);",
    );
    let mut o = options(sqlite(&sqlite_source(dir.path())), pg(&db));
    o.into_existing = true;
    let report = migrate_ok(&o);
    assert!(report.verification.unwrap().passed);
    let mut c = db.client();
    assert_eq!(frozen_tuples(&mut c, "goals"), 0);
    let rows: i64 = c
        .query_one("SELECT count(*) FROM tasks", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, ROWS);
}

#[test]
fn postgres_a_rolled_back_frozen_load_leaves_nothing() {
    // Frozen rows are visible to every snapshot once committed; rolled back, the tables they
    // were written into never existed.
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let mut o = options(sqlite(&sqlite_source(dir.path())), pg(&db));
    o.dry_run = true;
    let report = migrate_ok(&o);
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert!(report.verification.unwrap().passed);
    assert_eq!(db.public_tables(), 0);
}

#[test]
fn postgres_transaction_settings_end_with_the_transaction() {
    let db = TestDb::new();
    let default: String = db
        .client()
        .query_one("SHOW maintenance_work_mem", &[])
        .unwrap()
        .get(0);
    assert_ne!(
        default, "256MB",
        "the server's default must differ for this test to mean anything"
    );
    let show = |target: &mut Target| -> String {
        let (client, _) = target.pg_client().unwrap();
        client
            .query_one("SHOW maintenance_work_mem", &[])
            .unwrap()
            .get(0)
    };
    for commit in [true, false] {
        let mut target = Target::open(&pg(&db), "public").unwrap();
        target.introspect_existing().unwrap(); // BEGIN
        target.begin(false).unwrap();
        assert_eq!(show(&mut target), "256MB");
        if commit {
            target.commit().unwrap();
        } else {
            target.rollback();
        }
        // The same session, after the transaction: the server's value again.
        assert_eq!(show(&mut target), default, "after commit={commit}");
    }
}

#[test]
fn sqlite_target_has_ferrys_page_size_and_is_sound() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::with_sql(&format!(
        "CREATE TABLE goals (id bigint PRIMARY KEY, title text NOT NULL);
         CREATE TABLE tasks (id bigint PRIMARY KEY, goal_id bigint NOT NULL REFERENCES goals(id), note text);
         CREATE INDEX tasks_goal ON tasks (goal_id, note);
         INSERT INTO goals SELECT i, 'goal ' || i FROM generate_series(1, {ROWS}) i;
         INSERT INTO tasks SELECT i, i, CASE WHEN i % 3 = 0 THEN NULL ELSE repeat('é', i % 300) END FROM generate_series(1, {ROWS} - 7) i;"
    ));
    let out = dir.path().join("out.db");
    let report = migrate_ok(&options(pg(&db), sqlite(&out)));
    assert!(report.verification.unwrap().passed);
    let conn = rusqlite::Connection::open(&out).unwrap();
    let one = |sql: &str| -> String {
        conn.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(
        one("PRAGMA page_size"),
        format!("Integer({})", ferry_engine::sqlite::write::PAGE_SIZE)
    );
    assert_eq!(one("PRAGMA integrity_check"), "Text(\"ok\")");
    assert_eq!(one("PRAGMA journal_mode"), "Text(\"delete\")");
    assert_eq!(
        one("SELECT count(*) FROM tasks"),
        format!("Integer({})", ROWS - 7)
    );
    // Every row once, in id order: no chunk written twice or skipped.
    assert_eq!(
        one("SELECT sum(id * id) FROM tasks"),
        format!("Integer({})", (1..=ROWS - 7).map(|i| i * i).sum::<i64>())
    );
}
