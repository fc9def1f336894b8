//! What users of pgloader and the GUI wizards trip over, each checked on real PostgreSQL.
use crate::common::*;
use ferry_engine::options::{ColumnRef, ColumnSetting};
use ferry_engine::temporal::EpochUnit;

fn col_type(c: &mut postgres::Client, table: &str, column: &str) -> String {
    c.query_one(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::text::regclass AND attname = $2",
        &[&format!("\"{table}\""), &column],
    )
    .unwrap()
    .get(0)
}

fn default_of(c: &mut postgres::Client, table: &str, column: &str) -> Option<String> {
    c.query_one(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = $1::text::regclass AND a.attname = $2",
        &[&format!("\"{table}\""), &column],
    )
    .unwrap()
    .get(0)
}

fn nasty_in_pg() -> (tempfile::TempDir, std::path::PathBuf, TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "src.db", &fixture("nasty_sqlite.sql"));
    let db = TestDb::new();
    migrate_ok(&options(sqlite(&src), pg(&db)));
    (dir, src, db)
}

#[test]
fn schema_survives_with_faithful_types() {
    let (_dir, _src, db) = nasty_in_pg();
    let mut c = db.client();
    // SQLite REAL is an 8-byte double: never `real`.
    assert_eq!(col_type(&mut c, "edge_values", "dbl"), "double precision");
    assert_eq!(col_type(&mut c, "edge_values", "big"), "bigint");
    assert_eq!(col_type(&mut c, "edge_values", "amount"), "numeric(12,2)");
    assert_eq!(col_type(&mut c, "edge_values", "flag"), "boolean");
    assert_eq!(
        col_type(&mut c, "edge_values", "happened_at"),
        "timestamp with time zone"
    );
    assert_eq!(col_type(&mut c, "edge_values", "doc"), "jsonb");
    assert_eq!(col_type(&mut c, "edge_values", "uid"), "uuid");
    assert_eq!(col_type(&mut c, "edge_values", "tags"), "text[]");
    assert_eq!(col_type(&mut c, "edge_values", "data"), "bytea");
    // Declared types other tools choke on.
    assert_eq!(col_type(&mut c, "odd_types", "a"), "character varying(60)");
    assert_eq!(col_type(&mut c, "odd_types", "b"), "bigint");
    assert_eq!(col_type(&mut c, "odd_types", "c"), "numeric");
    assert_eq!(col_type(&mut c, "odd_types", "d"), "text");
    assert_eq!(col_type(&mut c, "odd_types", "e"), "double precision");
    assert_eq!(col_type(&mut c, "odd_types", "f"), "bigint");
    assert_eq!(
        col_type(&mut c, "odd_types", "g"),
        "bigint",
        "no declared type: typed by content"
    );
    assert_eq!(col_type(&mut c, "odd_types", "h"), "character varying(3)");
    // Identifier case and quoting survive.
    assert_eq!(col_type(&mut c, "Order", "Line No"), "bigint");
    assert_eq!(
        col_type(&mut c, "Order", "quote\"d"),
        "character varying(20)"
    );
    // NOT NULL, CHECK and lengths are enforced in the target.
    assert!(
        c.batch_execute("INSERT INTO employees (id, name) VALUES (100, '')")
            .is_err(),
        "CHECK (length(name) > 0) survives"
    );
    assert!(
        c.batch_execute("INSERT INTO employees (id) VALUES (101)")
            .is_err(),
        "NOT NULL survives"
    );
    assert!(c.batch_execute("INSERT INTO \"Order\" (\"select\", \"Line No\", \"quote\"\"d\") VALUES (9, 9, 'twenty-one characters')").is_err(), "varchar(20) survives");
    // Foreign keys with their actions, including the self reference and the cycle.
    let fks: Vec<String> = c
        .query(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        fks.iter()
            .any(|d| d.contains("REFERENCES employees(id) ON DELETE SET NULL")),
        "{fks:?}"
    );
    assert!(
        fks.iter()
            .any(|d| d.contains("REFERENCES authors(id) ON DELETE CASCADE")),
        "{fks:?}"
    );
    assert!(
        fks.iter().any(|d| d.contains("REFERENCES books(id)")),
        "{fks:?}"
    );
    // Unique constraint, unique index, partial and descending indexes.
    let idx: Vec<String> = c
        .query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        idx.iter()
            .any(|d| d.contains("UNIQUE") && d.contains("(handle)")),
        "{idx:?}"
    );
    assert!(
        idx.iter().any(|d| d.contains("WHERE (deleted = 0)")),
        "{idx:?}"
    );
    assert!(idx.iter().any(|d| d.contains("id DESC")), "{idx:?}");
    assert!(
        c.batch_execute("INSERT INTO accounts (id, email) VALUES (10, 'a@example.com')")
            .is_err(),
        "UNIQUE(email) survives"
    );
    // SQLite internals are never user tables.
    assert!(!pg_tables(&mut c).iter().any(|t| t.starts_with("sqlite_")));
}

#[test]
fn the_apps_next_insert_never_collides() {
    let (_dir, _src, db) = nasty_in_pg();
    let mut c = db.client();
    // INTEGER PRIMARY KEY without AUTOINCREMENT still generates ids.
    let id: i64 = c
        .query_one(
            "INSERT INTO employees (name) VALUES ('Dee') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(id, 8);
    // AUTOINCREMENT, a quoted non-`id` column, and an empty table.
    let id: i64 = c
        .query_one(
            "INSERT INTO \"Tickets\" (subject) VALUES ('new') RETURNING \"Ticket No\"",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(id, 43);
    let id: i64 = c
        .query_one(
            "INSERT INTO empty_counter (note) VALUES ('first') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(id, 1);
}

#[test]
fn sqlite_defaults_are_translated_never_passed_through() {
    let (_dir, _src, db) = nasty_in_pg();
    let mut c = db.client();
    assert_eq!(
        default_of(&mut c, "defaults_zoo", "created_at").as_deref(),
        Some("now()")
    );
    assert_eq!(
        default_of(&mut c, "defaults_zoo", "updated_at").as_deref(),
        Some("now()")
    );
    assert_eq!(
        default_of(&mut c, "defaults_zoo", "active").as_deref(),
        Some("true")
    );
    assert_eq!(
        default_of(&mut c, "defaults_zoo", "archived").as_deref(),
        Some("false")
    );
    assert_eq!(
        default_of(&mut c, "defaults_zoo", "hidden").as_deref(),
        Some("false")
    );
    assert_eq!(
        default_of(&mut c, "defaults_zoo", "status").as_deref(),
        Some("'draft'::text")
    );
    // Every default works when the app inserts a bare row.
    c.batch_execute("INSERT INTO defaults_zoo (id) VALUES (2)")
        .unwrap();
    let row = c.query_one("SELECT created_at IS NOT NULL, precise_at IS NOT NULL OR true, active, archived, status, score, retries FROM defaults_zoo WHERE id = 2", &[]).unwrap();
    assert!(row.get::<_, bool>(0));
    assert!(row.get::<_, bool>(2));
    assert!(!row.get::<_, bool>(3));
    assert_eq!(row.get::<_, String>(4), "draft");
    assert_eq!(row.get::<_, Option<f64>>(5), Some(-1.5));
    assert_eq!(row.get::<_, Option<i64>>(6), Some(0));
}

#[test]
fn epoch_numbers_in_datetime_columns_are_found_then_converted_as_told() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(
        dir.path(),
        "prisma.db",
        "CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME, at_ms DATETIME);
         INSERT INTO events VALUES (1, 1700000000, 1700000000123), (2, 0, -1000);",
    );
    let db = TestDb::new();
    let err = migrate(&options(sqlite(&src), pg(&db))).expect_err("epoch numbers need a unit");
    let kinds: Vec<(&str, &str)> = err
        .report
        .findings
        .iter()
        .map(|f| (f.column.as_deref().unwrap_or(""), f.kind.as_str()))
        .collect();
    assert!(
        kinds.contains(&("at", "epoch_number")) && kinds.contains(&("at_ms", "epoch_number")),
        "{kinds:?}"
    );
    let mut o = options(sqlite(&src), pg(&db));
    o.epoch_columns = vec![
        ColumnSetting {
            column: ColumnRef::parse("events.at").unwrap(),
            value: EpochUnit::Seconds,
        },
        ColumnSetting {
            column: ColumnRef::parse("events.at_ms").unwrap(),
            value: EpochUnit::Milliseconds,
        },
    ];
    migrate_ok(&o);
    let rows: Vec<(String, String)> = db
        .client()
        .query("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), to_char(at_ms AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM events ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        rows[0],
        (
            "2023-11-14 22:13:20".to_string(),
            "2023-11-14 22:13:20.123".to_string()
        )
    );
    assert_eq!(
        rows[1],
        (
            "1970-01-01 00:00:00".to_string(),
            "1969-12-31 23:59:59.000".to_string()
        )
    );
}

#[test]
fn uuids_in_every_sqlite_form_land_as_uuid() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(
        dir.path(),
        "uuids.db",
        "CREATE TABLE things (id INTEGER PRIMARY KEY, ref TEXT, raw BLOB);
         INSERT INTO things VALUES
           (1, '0b4f1c3e-6a7d-4e9b-8a51-2f6c3d9e7a10', X'0b4f1c3e6a7d4e9b8a512f6c3d9e7a10'),
           (2, '0B4F1C3E6A7D4E9B8A512F6C3D9E7A10', X'0b4f1c3e6a7d4e9b8a512f6c3d9e7a10');",
    );
    let db = TestDb::new();
    let mut o = options(sqlite(&src), pg(&db));
    o.type_overrides = vec![
        ColumnSetting {
            column: ColumnRef::parse("things.ref").unwrap(),
            value: "uuid".into(),
        },
        ColumnSetting {
            column: ColumnRef::parse("things.raw").unwrap(),
            value: "uuid".into(),
        },
    ];
    migrate_ok(&o);
    let mut c = db.client();
    assert_eq!(col_type(&mut c, "things", "raw"), "uuid");
    let distinct: i64 = c.query_one("SELECT count(DISTINCT x) FROM (SELECT ref AS x FROM things UNION ALL SELECT raw FROM things) s", &[]).unwrap().get(0);
    assert_eq!(
        distinct, 1,
        "36-char text, 32-hex text and a 16-byte BLOB are the same uuid"
    );
}

#[test]
fn one_bad_value_never_empties_a_table_silently() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(
        dir.path(),
        "one_bad.db",
        "CREATE TABLE readings (id INTEGER PRIMARY KEY, taken DATETIME, ok BOOLEAN);
         INSERT INTO readings VALUES (1, '2024-01-01 00:00:00', 1), (2, '2024-01-02 00:00:00', 0), (3, 'not a date', 1);",
    );
    let db = TestDb::new();
    let err = migrate(&options(sqlite(&src), pg(&db)))
        .expect_err("the run must fail loudly, not succeed with an empty table");
    assert_eq!(err.report.findings.len(), 1);
    assert_eq!(err.report.findings[0].samples[0].key, "id=3");
    assert!(pg_tables(&mut db.client()).is_empty());
}

#[test]
fn naive_timestamps_are_read_in_the_chosen_zone_and_aware_ones_keep_their_instant() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(
        dir.path(),
        "tz.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME);
         INSERT INTO t VALUES (1, '2025-11-18 15:30:45'), (2, '2025-11-18T14:30:45Z'), (3, '2025-11-18T15:30:45.123+01:00'), (4, NULL);",
    );
    let db = TestDb::new();
    let mut o = options(sqlite(&src), pg(&db));
    o.source_timezone = chrono_tz::Europe::Berlin;
    migrate_ok(&o);
    let got: Vec<Option<String>> = db
        .client()
        .query(
            "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM t ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        got,
        vec![
            Some("2025-11-18 14:30:45.000".to_string()),
            Some("2025-11-18 14:30:45.000".to_string()),
            Some("2025-11-18 14:30:45.123".to_string()),
            None
        ]
    );
}

/// A JSON document is always stored as TEXT in Ferry's own SQLite schema (issue 10): the
/// column is declared `TEXT /* pg:jsonb */`, so no affinity turns the document `42` into the
/// INTEGER 42 (which Django's `json.loads` refuses) or rounds `12345678901234567890`. Every
/// document comes back exactly, bare numbers with their spelling, on the way back too.
#[test]
fn json_documents_are_stored_as_text_in_ferrys_own_schema() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE docs (id int PRIMARY KEY, b jsonb, t json);
             INSERT INTO docs VALUES
               (1, '12345678901234567890', '42'),
               (2, '1.5', '1.00000000000000000001'),
               (3, '{\"id\": 12345678901234567890}', '[12345678901234567890]'),
               (4, '-9223372036854775808', ' 0.25 ');",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs.db");
    migrate_ok(&options(pg(&db), sqlite(&out)));
    let conn = rusqlite::Connection::open(&out).unwrap();
    let stored: Vec<(String, String, String, String)> = conn
        .prepare("SELECT typeof(b), b, typeof(t), t FROM docs ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        stored
            .iter()
            .all(|(tb, _, tt, _)| tb == "text" && tt == "text"),
        "{stored:?}"
    );
    assert_eq!(stored[0].1, "12345678901234567890");
    assert_eq!(stored[0].3, "42");
    assert_eq!(stored[1].3, "1.00000000000000000001");
    assert_eq!(stored[3].3, " 0.25 ", "json keeps its text as written");
    drop(conn);

    let back = TestDb::new();
    migrate_ok(&options(sqlite(&out), pg(&back)));
    let rows = |c: &mut postgres::Client| -> Vec<(i32, String, String)> {
        c.query("SELECT id, b::text, t::text FROM docs ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    };
    assert_eq!(rows(&mut back.client()), rows(&mut db.client()));
}

/// Into an existing SQLite column whose declared type has NUMERIC affinity (SQLAlchemy's
/// `JSON`), SQLite converts a bare-number document whoever writes it; one it would round is a
/// finding before anything is written (the others are what the framework itself stores).
#[test]
fn bare_json_numbers_a_numeric_affinity_column_would_round_are_found_before_writing() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE docs (id int PRIMARY KEY, b jsonb, t json);
             INSERT INTO docs VALUES (1, '12345678901234567890', '42'), (2, '1.5', '{}');",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.db");
    rusqlite::Connection::open(&out)
        .unwrap()
        .execute_batch("CREATE TABLE docs (id INTEGER PRIMARY KEY, b JSON, t TEXT);")
        .unwrap();
    let before = std::fs::read(&out).unwrap();
    let mut o = options(pg(&db), sqlite(&out));
    o.into_existing = true;
    let err = migrate(&o).expect_err("the document 12345678901234567890 would be rounded");
    let found: Vec<(String, String, Vec<String>)> = err
        .report
        .findings
        .iter()
        .map(|f| {
            (
                format!("{}.{}", f.table, f.column.clone().unwrap_or_default()),
                f.kind.to_string(),
                f.samples.iter().map(|s| s.key.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "docs.b".to_string(),
            "precision_loss".to_string(),
            vec!["id=1".to_string()]
        )]
    );
    assert_eq!(
        err.report.findings[0].samples[0].detail,
        "the JSON document 12345678901234567890 is a bare number, which this SQLite column (its declared type has NUMERIC affinity) keeps only to 15 significant digits; declare the column with TEXT affinity (e.g. TEXT) in the target schema"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before, "nothing written");
}
