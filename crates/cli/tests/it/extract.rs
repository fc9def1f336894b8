//! `ferry migrate --extract-user` as a script runs it: the reference practice database
//! (the engine's fixture) into a new file and into the desktop edition's schema, and the
//! errors a person can make, each with its exit code and nothing written.

use crate::util::Dir;

const ALICE: &str = "alice@example.com";

fn engine_fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Alice's clients and charts (a chart derived from another user's chart is not hers),
/// counted here.
fn alice_counts(db: &ferry_testkit::TestDb) -> (i64, i64) {
    let row = db
        .client()
        .query_one(
            "SELECT (SELECT count(*) FROM clients c JOIN users u ON u.id = c.user_id WHERE u.email = $1),
                    (WITH RECURSIVE mine AS (
                        SELECT h.id, h.parent_chart_id FROM charts h JOIN users u ON u.id = h.user_id
                        WHERE u.email = $1
                          AND (h.client_id IS NULL OR h.client_id IN (SELECT id FROM clients WHERE user_id = u.id))),
                     kept AS (SELECT id FROM mine WHERE parent_chart_id IS NULL
                              UNION SELECT m.id FROM mine m JOIN kept k ON m.parent_chart_id = k.id)
                     SELECT count(*) FROM kept)",
            &[&ALICE],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

fn sqlite_counts(path: &std::path::Path) -> (i64, i64, String) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM charts),
                (SELECT email FROM app_config WHERE id = 1)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn extract_user_writes_one_users_file_and_reports_its_checks() {
    let db = ferry_testkit::TestDb::with_sql(&engine_fixture("extract_practice.sql"));
    let dir = Dir::new();
    let run = dir
        .command()
        .args(["migrate", "--yes", "--json", "--from", &db.url()])
        .args(["--to", "mine.db", "--extract-user", ALICE])
        .expect_code(0);
    let report = run.json();
    assert_eq!(report["outcome"], "committed", "{report}");
    let checks = report["verification"]["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == "extract: app_config is a singleton" && c["passed"] == true),
        "{checks:?}"
    );
    let (clients, charts) = alice_counts(&db);
    assert_eq!(
        sqlite_counts(&dir.path("mine.db")),
        (clients, charts, ALICE.to_string())
    );
    run.assert_nowhere("bob@example.com");
}

#[test]
fn extract_user_into_the_desktop_schema_keeps_its_seeded_settings() {
    let db = ferry_testkit::TestDb::with_sql(&engine_fixture("extract_practice.sql"));
    let dir = Dir::new();
    let file = dir.sqlite("desktop.db", &engine_fixture("extract_desktop.sql"));
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from", &db.url(), "--to"])
        .path_arg(&file)
        .args([
            "--extract-user",
            ALICE,
            "--users-table",
            "users",
            "--into-existing",
        ])
        .expect_code(0);
    run.assert_stdout_contains("users.is_active is not in the target schema");
    let (clients, charts) = alice_counts(&db);
    assert_eq!(sqlite_counts(&file), (clients, charts, ALICE.to_string()));
    let conn = rusqlite::Connection::open(&file).unwrap();
    let (rows, version): (i64, String) = conn
        .query_row(
            "SELECT count(*), max(app_version) FROM app_config",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((rows, version.as_str()), (1, "2.3.0"));
}

#[test]
fn extract_mistakes_exit_2_and_write_nothing() {
    let db = ferry_testkit::TestDb::with_sql(&engine_fixture("extract_practice.sql"));
    let dir = Dir::new();
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from", &db.url()])
        .args(["--to", "mine.db", "--extract-user", "nobody@example.com"])
        .expect_code(2);
    run.assert_stderr_contains("no user with email nobody@example.com")
        .assert_nowhere(ALICE);
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from", &db.url()])
        .args([
            "--to",
            "mine.db",
            "--extract-user",
            ALICE,
            "--users-table",
            "people",
        ])
        .expect_code(2);
    run.assert_stderr_contains("--users-table people: no such table");
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from", &db.url()])
        .args([
            "--to",
            "mine.db",
            "--extract-user",
            ALICE,
            "--owner-column",
            "clients.owner",
        ])
        .expect_code(2);
    run.assert_stderr_contains("--owner-column clients.owner");
    // Usage errors: a flag that only makes sense with --extract-user, a malformed column.
    dir.command()
        .args(["migrate", "--yes", "--from", &db.url(), "--to", "mine.db"])
        .args(["--users-table", "users"])
        .expect_code(2);
    dir.command()
        .args(["migrate", "--yes", "--from", &db.url(), "--to", "mine.db"])
        .args(["--extract-user", ALICE, "--owner-column", "nodot"])
        .expect_code(2);
    // Extract reads PostgreSQL and writes SQLite.
    dir.command()
        .args(["migrate", "--yes", "--from", &db.url(), "--to", &db.url()])
        .args(["--extract-user", ALICE])
        .expect_code(2)
        .assert_stderr_contains("--to must be a SQLite file");
    let sqlite_source = dir.sqlite(
        "app.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);",
    );
    dir.command()
        .args(["migrate", "--yes", "--from"])
        .path_arg(&sqlite_source)
        .args(["--to", "mine.db", "--extract-user", ALICE])
        .expect_code(2)
        .assert_stderr_contains("--from must be a PostgreSQL location");
    dir.command()
        .args(["verify", "--from", &db.url(), "--to", "mine.db"])
        .args(["--extract-user", ALICE])
        .expect_code(2);
    // One job at a time.
    dir.command()
        .args(["migrate", "--yes", "--from", &db.url(), "--to", "mine.db"])
        .args(["--extract-user", ALICE, "--promote", "--admin-email", ALICE])
        .expect_code(2);
    assert!(!dir.path("mine.db").exists(), "nothing was written");
}
