//! Exact round trips in both directions, checked with SQL that does not use Ferry's code.
use crate::common::*;

#[test]
fn postgres_to_sqlite_to_postgres_gives_back_the_same_rows_and_types() {
    let a = TestDb::new();
    a.client()
        .batch_execute(&fixture("every_type_pg.sql"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("middle.db");

    let there = migrate_ok(&options(pg(&a), sqlite(&file)));
    assert_eq!(there.outcome, ferry_engine::report::Outcome::Committed);
    let b = TestDb::new();
    migrate_ok(&options(sqlite(&file), pg(&b)));

    let (mut ca, mut cb) = (a.client(), b.client());
    assert_eq!(pg_tables(&mut ca), pg_tables(&mut cb));
    assert_eq!(
        pg_columns(&mut ca),
        pg_columns(&mut cb),
        "column types, NOT NULL and defaults survive the round trip"
    );
    for table in pg_tables(&mut ca) {
        assert_eq!(
            table_fingerprint(&mut ca, &table),
            table_fingerprint(&mut cb, &table),
            "content of {table}"
        );
    }
    // Keys and indexes came back too.
    assert_eq!(
        pg_constraint_defs(&mut ca),
        pg_constraint_defs(&mut cb),
        "constraints"
    );
    // The app's next insert works: sequences were set past the max.
    let next: i32 = cb.query_one("INSERT INTO posts (author_id, title) VALUES ('6f1c0b7e-2a47-4d8e-9b3f-0c5d7e9a1b22', 'new') RETURNING id", &[]).unwrap().get(0);
    assert_eq!(next, 4);
    let next: i64 = cb
        .query_one(
            "INSERT INTO \"Everything\" (s) VALUES (1) RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(next, 6);
}

#[test]
fn sqlite_to_postgres_to_sqlite_keeps_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let original = sqlite_from_sql(dir.path(), "original.db", &fixture("nasty_sqlite.sql"));
    let before = sha256(&original);
    let db = TestDb::new();
    migrate_ok(&options(sqlite(&original), pg(&db)));
    let back = dir.path().join("back.db");
    migrate_ok(&options(pg(&db), sqlite(&back)));
    assert_eq!(
        sha256(&original),
        before,
        "the source file is never modified"
    );

    // Same user tables, nothing of SQLite's internals (sqlite_stat1, sqlite_sequence) as tables.
    assert_eq!(sqlite_tables(&original), sqlite_tables(&back));
    let mut c = db.client();
    assert!(!pg_tables(&mut c).iter().any(|t| t.starts_with("sqlite_")));

    // Byte-exact values where the representation does not change (SQLite's own quote()).
    let exact: &[(&str, &[&str], &str)] = &[
        (
            "Order",
            &["select", "Line No", "naïve ✓", "quote\"d"],
            "\"select\", \"Line No\"",
        ),
        ("loose_log", &["message", "level"], "rowid"),
        ("employees", &["id", "name", "manager_id"], "id"),
        ("authors", &["id", "name", "favourite_book"], "id"),
        ("books", &["id", "title", "author_id"], "id"),
        ("Tickets", &["Ticket No", "subject"], "\"Ticket No\""),
        (
            "edge_values",
            &["id", "big", "dbl", "amount", "flag", "label", "data"],
            "id",
        ),
        (
            "odd_types",
            &["id", "a", "b", "d", "e", "f", "g", "h"],
            "id",
        ),
        ("accounts", &["id", "email", "handle", "deleted"], "id"),
    ];
    for (table, cols, order) in exact {
        assert_eq!(
            sqlite_quoted_rows(&original, table, cols, order),
            sqlite_quoted_rows(&back, table, cols, order),
            "values of {table}"
        );
    }
    // Everything else (timestamps, JSON, UUIDs, arrays) compared as typed values by Ferry's
    // verifier, which converts the original with the same rules a migration uses.
    let report = ferry_engine::verify(
        &options(sqlite(&original), sqlite(&back)),
        &ferry_engine::progress::Silent,
        &ferry_engine::Cancel::new(),
    );
    match report {
        Ok(r) => assert!(r.verification.unwrap().passed),
        Err(e) => panic!("verify failed: {}\n{:#?}", e.error, e.report.verification),
    }
}
