//! Extract end to end: one user's data of the reference practice database
//! (fixtures/extract_practice.sql, real PostgreSQL) into a single-user SQLite file, created or
//! loaded into the desktop edition's own schema (fixtures/extract_desktop.sql). Every result is
//! checked with SQL written here for this schema — which rows are alice's is spelled out
//! table by table below, apart from the engine's filter and its own verification.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{fixture, migrate, migrate_ok, pg, sqlite, sqlite_from_sql, TestDb};
use ferry_engine::options::ExtractOptions;
use ferry_engine::options::Job;
use ferry_engine::{ErrorKind, Options};

const ALICE: &str = "alice@example.com";

const TABLES: &[&str] = &[
    "clients",
    "birth_data",
    "charts",
    "interpretations",
    "chart_interpretations",
    "aspect_patterns",
    "transit_events",
    "session_notes",
    "location_cache",
];

/// A client for this test's own queries; JIT off, since PostgreSQL would compile the
/// recursive ones for far longer than they run.
fn pg_client(db: &TestDb) -> postgres::Client {
    let mut client = db.client();
    client.batch_execute("SET jit = off").unwrap();
    client
}

fn extract_options(db: &TestDb, target: &Path, email: &str) -> Options {
    let mut o = Options::new(pg(db), sqlite(target));
    o.job = Job::Extract(ExtractOptions {
        email: email.into(),
        ..Default::default()
    });
    o
}

/// Alice's rows, by this test's reading of the rule: a row is hers when every reference that
/// ties it to a user leads to her or to shared data.
const ALICE_SETS: &str = "
    WITH a AS (SELECT id FROM users WHERE email = 'alice@example.com'),
    kc AS (SELECT id FROM clients WHERE user_id = (SELECT id FROM a)),
    kch0 AS (SELECT id, parent_chart_id FROM charts WHERE user_id = (SELECT id FROM a)
                                    AND (client_id IS NULL OR client_id IN (SELECT id FROM kc))),
    kch AS (WITH RECURSIVE r AS (SELECT id FROM kch0 WHERE parent_chart_id IS NULL
                                 UNION SELECT k.id FROM kch0 k JOIN r ON k.parent_chart_id = r.id)
            SELECT id FROM r),
    ki AS (SELECT id FROM interpretations
           WHERE (user_id IS NULL OR user_id = (SELECT id FROM a))
             AND (example_chart_id IS NULL OR example_chart_id IN (SELECT id FROM kch)))";

fn alice_ids(client: &mut postgres::Client, table: &str) -> BTreeSet<String> {
    let rows = match table {
        "clients" => "SELECT id FROM kc",
        "birth_data" => "SELECT id FROM birth_data WHERE client_id IN (SELECT id FROM kc)",
        "charts" => "SELECT id FROM kch",
        "interpretations" => "SELECT id FROM ki",
        "chart_interpretations" => {
            "SELECT id FROM chart_interpretations WHERE chart_id IN (SELECT id FROM kch)
               AND (interpretation_id IS NULL OR interpretation_id IN (SELECT id FROM ki))"
        }
        "aspect_patterns" => {
            "SELECT id FROM aspect_patterns WHERE chart_id IN (SELECT id FROM kch)"
        }
        "transit_events" => "SELECT id FROM transit_events WHERE chart_id IN (SELECT id FROM kch)",
        "session_notes" => {
            "SELECT id FROM session_notes WHERE client_id IN (SELECT id FROM kc)
               AND (chart_id IS NULL OR chart_id IN (SELECT id FROM kch))"
        }
        "location_cache" => "SELECT id FROM location_cache",
        other => panic!("no expectation for {other}"),
    };
    let sql = format!("{ALICE_SETS} SELECT x.id::text FROM ({rows}) x");
    client
        .query(&sql, &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn sqlite_ids(conn: &rusqlite::Connection, table: &str) -> BTreeSet<String> {
    let mut stmt = conn
        .prepare(&format!("SELECT CAST(id AS TEXT) FROM \"{table}\""))
        .unwrap();
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<BTreeSet<_>, _>>()
        .unwrap();
    ids
}

fn columns(conn: &rusqlite::Connection, table: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info(?1)")
        .unwrap();
    let names = stmt
        .query_map([table], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    names
}

/// Every table holds exactly alice's rows, the file holds nothing of the other users, owner
/// columns are gone and foreign keys hold.
fn assert_exactly_alices_data(client: &mut postgres::Client, file: &Path) {
    let conn = rusqlite::Connection::open(file).unwrap();
    for table in TABLES {
        let expected = alice_ids(client, table);
        assert!(
            !expected.is_empty(),
            "{table}: the fixture gives alice rows"
        );
        assert_eq!(
            sqlite_ids(&conn, table),
            expected,
            "{table}: exactly alice's rows"
        );
    }
    for table in ["clients", "charts", "interpretations", "user_preferences"] {
        assert!(
            !columns(&conn, table).iter().any(|c| c == "user_id"),
            "{table}: the owner column is gone"
        );
    }
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0, "no dangling references");

    // Nothing of another user anywhere in the file's bytes: emails, names, password hashes,
    // user ids, and the ids of every row that only they own.
    let bytes = std::fs::read(file).unwrap();
    let others = client
        .query(
            "SELECT email FROM users WHERE email <> $1
             UNION ALL SELECT full_name FROM users WHERE email <> $1
             UNION ALL SELECT hashed_password FROM users WHERE email <> $1
             UNION ALL SELECT id::text FROM users WHERE email <> $1
             UNION ALL SELECT c.id::text FROM clients c JOIN users u ON u.id = c.user_id WHERE u.email <> $1
             UNION ALL SELECT c.id::text FROM charts c JOIN users u ON u.id = c.user_id WHERE u.email <> $1
             UNION ALL SELECT i.body FROM interpretations i JOIN users u ON u.id = i.user_id WHERE u.email <> $1",
            &[&ALICE],
        )
        .unwrap();
    assert!(others.len() > 100, "the fixture has other users' data");
    for row in others {
        let needle: String = row.get(0);
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{needle:?} (another user's) is in the extracted file"
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The user's own row as the singleton `app_config`.
fn assert_app_config(client: &mut postgres::Client, conn: &rusqlite::Connection) {
    let (id, email, name, hash): (i64, String, String, String) = conn
        .query_row(
            "SELECT id, email, full_name, hashed_password FROM app_config",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let row = client
        .query_one(
            "SELECT full_name, hashed_password FROM users WHERE email = $1",
            &[&ALICE],
        )
        .unwrap();
    assert_eq!((id, email.as_str()), (1, ALICE));
    assert_eq!((name, hash), (row.get(0), row.get(1)));
    let n: i64 = conn
        .query_row("SELECT count(*) FROM app_config", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "app_config is a singleton");
    let refused = conn.execute("INSERT INTO app_config (id, email) VALUES (2, 'x')", []);
    assert!(refused.is_err(), "CHECK (id = 1) keeps it a singleton");
    let cols = columns(conn, "app_config");
    for gone in ["invited_by", "user_id"] {
        assert!(!cols.iter().any(|c| c == gone), "app_config has no {gone}");
    }
}

#[test]
fn reference_scenario_creates_a_single_user_file() {
    let db = TestDb::with_sql(&fixture("extract_practice.sql"));
    let mut client = pg_client(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.db");
    let report = migrate_ok(&extract_options(&db, &file, ALICE));
    let verification = report.verification.as_ref().unwrap();
    assert!(verification.passed);
    assert!(
        verification
            .checks
            .iter()
            .any(|c| c.name == "extract: charts holds only the user's rows" && c.passed),
        "the job's own checks ran: {:?}",
        verification.checks
    );
    assert_exactly_alices_data(&mut client, &file);

    let conn = rusqlite::Connection::open(&file).unwrap();
    assert_app_config(&mut client, &conn);
    let (id, theme, settings): (i64, String, String) = conn
        .query_row(
            "SELECT id, theme, settings FROM user_preferences",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let pg_prefs = client
        .query_one(
            "SELECT p.theme, p.settings::text FROM user_preferences p JOIN users u ON u.id = p.user_id WHERE u.email = $1",
            &[&ALICE],
        )
        .unwrap();
    assert_eq!((id, theme), (1, pg_prefs.get::<_, String>(0)));
    assert_eq!(json(&settings), json(&pg_prefs.get::<_, String>(1)));
    assert_eq!(
        conn.query_row("SELECT count(*) FROM user_preferences", [], |r| r
            .get::<_, i64>(0))
            .unwrap(),
        1
    );

    // Types: uuid as canonical text, jsonb as JSON, numeric exact, timestamptz in UTC,
    // booleans 0/1.
    let charts = client
        .query(
            "SELECT id::text, data::text, (extract(epoch FROM calculated_at) * 1000000)::bigint
             FROM charts c WHERE c.id::text = ANY($1)",
            &[&sqlite_ids(&conn, "charts").into_iter().collect::<Vec<_>>()],
        )
        .unwrap();
    assert_eq!(charts.len(), alice_ids(&mut client, "charts").len());
    for row in charts {
        let id: String = row.get(0);
        let (kind, data, at): (String, String, String) = conn
            .query_row(
                "SELECT typeof(id), data, calculated_at FROM charts WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(kind, "text");
        assert!(is_canonical_uuid(&id), "{id}");
        assert_eq!(json(&data), json(&row.get::<_, String>(1)), "chart {id}");
        assert_eq!(utc_micros(&at), row.get::<_, i64>(2), "chart {id}: {at}");
    }
    let births = client
        .query(
            "SELECT b.id::text, b.latitude::text, b.longitude::text, b.time_known
             FROM birth_data b JOIN clients c ON c.id = b.client_id JOIN users u ON u.id = c.user_id
             WHERE u.email = $1",
            &[&ALICE],
        )
        .unwrap();
    for row in births {
        let id: String = row.get(0);
        let (lat, lon, known, known_type): (String, String, i64, String) = conn
            .query_row(
                "SELECT CAST(latitude AS TEXT), CAST(longitude AS TEXT), time_known, typeof(time_known)
                 FROM birth_data WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(decimal(&lat), decimal(&row.get::<_, String>(1)), "{id}");
        assert_eq!(decimal(&lon), decimal(&row.get::<_, String>(2)), "{id}");
        assert_eq!((known == 1, known_type.as_str()), (row.get(3), "integer"));
    }
    let exact = client
        .query(
            "SELECT t.id::text, (extract(epoch FROM t.exact_at) * 1000000)::bigint, t.orb::text
             FROM transit_events t WHERE t.id::text = ANY($1)",
            &[&sqlite_ids(&conn, "transit_events")
                .into_iter()
                .collect::<Vec<_>>()],
        )
        .unwrap();
    for row in exact {
        let id: String = row.get(0);
        let (at, orb): (String, String) = conn
            .query_row(
                "SELECT exact_at, CAST(orb AS TEXT) FROM transit_events WHERE id = CAST(?1 AS INTEGER)",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(at.ends_with("+00:00"), "stored in UTC: {at}");
        assert_eq!(utc_micros(&at), row.get::<_, i64>(1));
        assert_eq!(decimal(&orb), decimal(&row.get::<_, String>(2)));
    }
}

#[test]
fn into_existing_desktop_schema_updates_the_seeded_singletons() {
    let db = TestDb::with_sql(&fixture("extract_practice.sql"));
    let mut client = pg_client(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = sqlite_from_sql(dir.path(), "desktop.db", &fixture("extract_desktop.sql"));
    let mut options = extract_options(&db, &file, ALICE);
    options.into_existing = true;
    let report = migrate_ok(&options);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("users.is_active") && w.contains("not copied")),
        "a column the desktop schema lacks is reported: {:?}",
        report.warnings
    );
    assert!(report.backup.is_some(), "the existing file was backed up");
    assert_exactly_alices_data(&mut client, &file);

    let conn = rusqlite::Connection::open(&file).unwrap();
    assert_app_config(&mut client, &conn);
    // The seeded rows were updated in place: desktop-only columns keep their seeded values.
    let (version, onboarding): (String, i64) = conn
        .query_row(
            "SELECT app_version, onboarding_done FROM app_config",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version.as_str(), onboarding), ("2.3.0", 0));
    let (rows, theme, font): (i64, String, i64) = conn
        .query_row(
            "SELECT count(*), max(theme), max(font_size) FROM user_preferences",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((rows, theme.as_str(), font), (1, "dark", 16));
    assert!(!columns(&conn, "app_config")
        .iter()
        .any(|c| c == "is_active"));
    let pinned: i64 = conn
        .query_row("SELECT count(*) FROM charts WHERE pinned = 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    let charts = alice_ids(&mut client, "charts").len() as i64;
    assert_eq!(pinned, charts, "target-only columns get their defaults");
}

#[test]
fn rows_referencing_another_users_data_are_left_out_with_their_dependents() {
    let db = TestDb::with_sql(&fixture("extract_practice.sql"));
    let mut client = pg_client(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.db");
    migrate_ok(&extract_options(&db, &file, ALICE));
    let conn = rusqlite::Connection::open(&file).unwrap();
    let mut id = |kind: &str| -> String {
        client
            .query_one("SELECT md5($1)::uuid::text", &[&kind])
            .unwrap()
            .get(0)
    };
    let has = |table: &str, column: &str, value: &str| -> bool {
        conn.query_row(
            &format!("SELECT count(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) = ?1"),
            [value],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            > 0
    };
    // chart-1 is alice's but drawn for bob's client-2: left out, with what hangs off it.
    assert!(!has("charts", "id", &id("chart-1")));
    assert!(
        !has("clients", "id", &id("client-2")),
        "bob's client never leaks"
    );
    assert!(!has("aspect_patterns", "chart_id", &id("chart-1")));
    assert!(!has("transit_events", "chart_id", &id("chart-1")));
    assert!(!has("chart_interpretations", "chart_id", &id("chart-1")));
    // chart-16 derives from bob's chart-7, chart-21 from chart-16: both left out; chart-31
    // derives from alice's chart-26 and stays.
    assert!(!has("charts", "id", &id("chart-16")));
    assert!(!has("charts", "id", &id("chart-21")));
    assert!(
        !has("charts", "id", &id("chart-7")),
        "bob's chart never leaks"
    );
    assert!(has("charts", "id", &id("chart-31")));
    assert!(has("charts", "parent_chart_id", &id("chart-26")));
    // ci-6 (on alice's chart-6) uses bob's own interpretation 42: left out; chart-6 stays.
    assert!(!has("chart_interpretations", "id", &id("ci-6")));
    assert!(!has("interpretations", "id", "42"));
    assert!(has("charts", "id", &id("chart-6")));
    // Alice's session note about carol's chart: left out; the client stays.
    assert!(!has("session_notes", "id", &id("note-1")));
    assert!(has("clients", "id", &id("client-1")));
    // The shared built-in text 40 shows bob's chart: left out, and so is alice's use of it.
    assert!(!has("interpretations", "id", "40"));
    assert!(!has("chart_interpretations", "id", &id("ci-11")));
    assert!(has("interpretations", "id", "1"), "shared texts are kept");
    assert!(
        has("interpretations", "id", "41"),
        "alice's own text is kept"
    );
}

#[test]
fn a_user_without_a_one_to_one_row_gets_an_empty_singleton() {
    let db = TestDb::with_sql(&fixture("extract_practice.sql"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("erin.db");
    migrate_ok(&extract_options(&db, &file, "ERIN@example.com"));
    let conn = rusqlite::Connection::open(&file).unwrap();
    let count = |t: &str| -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count("user_preferences"), 0, "erin has no preferences");
    assert_eq!(count("clients"), 20);
    let email: String = conn
        .query_row("SELECT email FROM app_config WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(email, "erin@example.com", "the email matches without case");

    // Into the desktop schema, the seeded preferences row stays as it was.
    let file = sqlite_from_sql(dir.path(), "desktop.db", &fixture("extract_desktop.sql"));
    let mut options = extract_options(&db, &file, "erin@example.com");
    options.into_existing = true;
    let report = migrate_ok(&options);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("user_preferences row is kept")),
        "{:?}",
        report.warnings
    );
    let conn = rusqlite::Connection::open(&file).unwrap();
    let prefs: (i64, String, i64) = conn
        .query_row(
            "SELECT count(*), max(theme), max(font_size) FROM user_preferences",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(prefs, (1, "light".to_string(), 16));
    let email: String = conn
        .query_row("SELECT email FROM app_config WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(email, "erin@example.com");
}

fn assert_nothing_written(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
}

#[test]
fn an_unknown_email_is_bad_input_naming_counts_not_users() {
    let db = TestDb::with_sql(&fixture("extract_practice.sql"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.db");
    let err = migrate(&extract_options(&db, &file, "mallory@example.com")).unwrap_err();
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    let message = err.error.to_string();
    assert!(message.contains("mallory@example.com"), "{message}");
    assert!(message.contains("5 user(s)"), "{message}");
    for other in ["alice", "bob", "carol", "dave", "erin"] {
        assert!(!message.contains(other), "no other user named: {message}");
    }
    assert_nothing_written(dir.path());
}

#[test]
fn a_missing_users_table_is_bad_input_listing_candidates() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
             CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id));
             INSERT INTO customers VALUES (1, 'alice@example.com');",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.db");
    let err = migrate(&extract_options(&db, &file, ALICE)).unwrap_err();
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    let message = err.error.to_string();
    assert!(
        message.contains("no users table") && message.contains("customers"),
        "{message}"
    );
    assert!(message.contains("--users-table"), "{message}");
    assert_nothing_written(dir.path());

    // Named, it works: customers is the users table, orders hang off it.
    let mut options = extract_options(&db, &file, ALICE);
    if let Job::Extract(e) = &mut options.job {
        e.users_table = Some("nope".into());
    }
    let err = migrate(&options).unwrap_err();
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    assert!(err.error.to_string().contains("customers"), "{}", err.error);
    assert_nothing_written(dir.path());
    if let Job::Extract(e) = &mut options.job {
        e.users_table = Some("customers".into());
    }
    migrate_ok(&options);
    let conn = rusqlite::Connection::open(&file).unwrap();
    let email: String = conn
        .query_row("SELECT email FROM app_config", [], |r| r.get(0))
        .unwrap();
    assert_eq!(email, ALICE);
}

#[test]
fn owner_columns_can_be_named_when_the_schema_declares_no_foreign_keys() {
    // Many apps never declare their foreign keys: --owner-column names the owner columns.
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);
             CREATE TABLE notes (id bigint PRIMARY KEY, owner bigint NOT NULL, body text);
             INSERT INTO users VALUES (1, 'alice@example.com', 'Alice'), (2, 'bob@example.com', 'Bob');
             INSERT INTO notes SELECT n, n % 2 + 1, 'note ' || n FROM generate_series(1, 40) n;",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.db");
    let mut options = extract_options(&db, &file, ALICE);
    if let Job::Extract(e) = &mut options.job {
        e.owner_columns = vec![ferry_engine::options::ColumnRef::parse("notes.owner").unwrap()];
    }
    migrate_ok(&options);
    let conn = rusqlite::Connection::open(&file).unwrap();
    let (n, bad): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE id % 2 <> 0) FROM notes",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, bad), (20, 0), "alice (id 1) owns the even notes");
    assert!(!columns(&conn, "notes").iter().any(|c| c == "owner"));
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn is_canonical_uuid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

/// A decimal's value as text without insignificant zeros.
fn decimal(text: &str) -> String {
    let t = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    };
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

fn utc_micros(text: &str) -> i64 {
    chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z")
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .timestamp_micros()
}

/// `--bundle`: the extracted file is also written as a bundle, which imports back into an
/// identical SQLite file; a bundle folder that is not empty is refused before anything is
/// written.
#[test]
fn extract_writes_a_bundle_that_imports_to_the_same_file() {
    let db = TestDb::with_sql(&fixture("extract_practice.sql"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.db");
    let bundle = dir.path().join("export");
    let mut options = extract_options(&db, &file, ALICE);
    if let Job::Extract(e) = &mut options.job {
        e.bundle = Some(bundle.clone());
    }
    let report = migrate_ok(&options);
    let written = report.bundle.as_ref().expect("the report names the bundle");
    assert_eq!(written.dir, bundle.display().to_string());
    assert!(bundle.join("manifest.json").is_file());

    let again = dir.path().join("again.db");
    let import = crate::common::options(
        ferry_engine::Location::parse(&format!("bundle:{}", bundle.display())).unwrap(),
        sqlite(&again),
    );
    migrate_ok(&import);
    assert_eq!(
        crate::common::sqlite_fingerprint(&again),
        crate::common::sqlite_fingerprint(&file)
    );
    let rows: u64 = crate::common::sqlite_fingerprint(&file)
        .iter()
        .map(|(_, r)| r.len() as u64)
        .sum();
    assert_eq!(written.rows, rows);

    // An existing, non-empty bundle folder: refused, and no SQLite file appears.
    let second = dir.path().join("second.db");
    let mut options = extract_options(&db, &second, ALICE);
    if let Job::Extract(e) = &mut options.job {
        e.bundle = Some(bundle.clone());
    }
    let err = migrate(&options).expect_err("a non-empty bundle folder must be refused");
    assert_eq!(err.error.kind(), ErrorKind::BadInput, "{}", err.error);
    assert!(err.error.to_string().contains("not empty"), "{}", err.error);
    assert!(!second.exists());
}

#[test]
fn candidates_list_every_user_and_the_owner_columns_extract_follows() {
    let db = TestDb::with_sql(&fixture("extract_practice.sql"));
    let expected: Vec<String> = db
        .client()
        .query("SELECT email FROM users ORDER BY email", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let c = ferry_engine::jobs::extract::candidates(&pg(&db), "public", &ExtractOptions::default())
        .unwrap();
    assert_eq!(c.emails, expected);
    assert!(c.emails.iter().any(|e| e == ALICE));
    assert_eq!(c.user_count, expected.len() as u64);
    assert_eq!(
        (
            c.ownership.users_table.as_str(),
            c.ownership.email_column.as_str()
        ),
        ("users", "email")
    );
    let owners: BTreeSet<String> = c
        .ownership
        .owner_columns
        .iter()
        .map(|c| format!("{}.{}", c.table, c.column))
        .collect();
    let declared: BTreeSet<String> = db
        .client()
        .query(
            "SELECT tc.table_name || '.' || kcu.column_name
               FROM information_schema.table_constraints tc
               JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
               JOIN information_schema.constraint_column_usage ccu USING (constraint_schema, constraint_name)
              WHERE tc.constraint_type = 'FOREIGN KEY' AND ccu.table_name = 'users'
                AND tc.table_name <> 'users'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(owners, declared, "every foreign key to users, nothing else");

    let dir = tempfile::tempdir().unwrap();
    let not_pg = sqlite(&dir.path().join("x.db"));
    let e = ferry_engine::jobs::extract::candidates(&not_pg, "public", &ExtractOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput);
}

/// The user list the app offers for Extract is every user, never the ones a row-level
/// security policy shows the connected role: such a users table is refused in one sentence.
#[test]
fn candidates_refuse_a_users_table_filtered_by_row_security() {
    let db = TestDb::new();
    let role = format!("{}_lister", db.name);
    let mut admin = postgres::Client::connect(&ferry_testkit::server(), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS \"{role}\"; CREATE ROLE \"{role}\" LOGIN NOBYPASSRLS;"
        ))
        .unwrap();
    db.client()
        .batch_execute(&format!(
            "CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE NOT NULL);
             INSERT INTO users VALUES (1, 'alice@example.com'), (2, 'bob@example.com');
             ALTER TABLE users ENABLE ROW LEVEL SECURITY;
             CREATE POLICY me ON users USING (email = 'alice@example.com');
             GRANT SELECT ON users TO \"{role}\";"
        ))
        .unwrap();
    let url = db.url();
    let at = url.find('@').unwrap();
    let as_role = format!("postgres://{role}{}", &url[at..]);
    let location = ferry_engine::Location::parse(&as_role).unwrap();
    let result =
        ferry_engine::jobs::extract::candidates(&location, "public", &ExtractOptions::default());
    let _ = admin.batch_execute(&format!(
        "DROP OWNED BY \"{role}\" CASCADE; DROP ROLE \"{role}\""
    ));
    let e = result.expect_err("a filtered users table is refused");
    assert_eq!(e.kind(), ErrorKind::BadInput);
    assert_eq!(
        e.to_string(),
        format!("row-level security on \"users\" in {as_role} shows role \"{role}\" only the rows its policies allow (it is not the owner, not a superuser and has no BYPASSRLS), so Ferry cannot read the whole table and refuses to copy or verify it: connect as the table's owner or as a role with BYPASSRLS (ALTER ROLE \"{role}\" BYPASSRLS), then run again")
    );
}
