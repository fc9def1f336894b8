//! `--into-existing --append`: the target tables already have rows, and the run adds the
//! source's. Verification expects the rows that were there plus the copied ones, and never
//! names a row that was already there as a difference.
use crate::common::*;
use ferry_engine::report::{Outcome, RowDifference, TableVerification};
use ferry_engine::run::verify::existing::MAX_EXISTING_ROWS;
use ferry_engine::ErrorKind;

const SOURCE: &str = "
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO notes VALUES (10, 'ten'), (11, 'eleven'), (12, 'twelve');
INSERT INTO tags VALUES (1, 'new-a'), (2, 'new-b');
";

const PG_TARGET: &str = "
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE tags (id bigint PRIMARY KEY, name text);
INSERT INTO notes VALUES (1, 'one'), (2, 'two');
INSERT INTO tags VALUES (1, 'old-a'), (2, 'old-b'), (3, 'old-c');
";

const SQLITE_TARGET: &str = "
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO notes VALUES (1, 'one'), (2, 'two');
INSERT INTO tags VALUES (1, 'old-a'), (2, 'old-b'), (3, 'old-c');
";

fn append_options(
    from: ferry_engine::Location,
    to: ferry_engine::Location,
) -> ferry_engine::Options {
    let mut o = options(from, to);
    o.into_existing = true;
    o.append = true;
    o.replace = vec!["tags".into()];
    o
}

fn verdict<'a>(tables: &'a [TableVerification], name: &str) -> &'a TableVerification {
    tables.iter().find(|t| t.table == name).unwrap()
}

/// Count and md5 of the rows with `id < 10` (the ones there before), by PostgreSQL's own SQL.
fn pg_old_notes(db: &TestDb) -> (i64, String) {
    let row = db
        .client()
        .query_one(
            "SELECT count(*), md5(coalesce(string_agg(id || ':' || body, ',' ORDER BY id), '')) FROM notes WHERE id < 10",
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

fn pg_ids(db: &TestDb, table: &str) -> Vec<i64> {
    db.client()
        .query(&format!("SELECT id FROM {table} ORDER BY id"), &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn appends_to_a_non_empty_postgres_table_and_verifies_old_plus_new() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "app.db", SOURCE);
    let db = TestDb::with_sql(PG_TARGET);
    let old = pg_old_notes(&db);
    let report = migrate_ok(&append_options(sqlite(&src), pg(&db)));
    assert_eq!(report.outcome, Outcome::Committed);
    let v = report.verification.as_ref().unwrap();
    assert!(v.passed, "{v:#?}");
    let notes = verdict(&v.tables, "notes");
    assert_eq!(
        (notes.existing_rows, notes.source_rows, notes.target_rows),
        (2, 5, 5)
    );
    assert!(notes.digest_match);
    // Replaced: emptied first, so nothing was there before.
    let tags = verdict(&v.tables, "tags");
    assert_eq!((tags.existing_rows, tags.target_rows), (0, 2));

    assert_eq!(pg_ids(&db, "notes"), [1, 2, 10, 11, 12]);
    assert_eq!(
        pg_old_notes(&db),
        old,
        "the rows that were there are unchanged"
    );
    let tags: Vec<String> = db
        .client()
        .query("SELECT name FROM tags ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tags, ["new-a", "new-b"]);
}

#[test]
fn appends_to_a_non_empty_sqlite_table_and_verifies_old_plus_new() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "app.db", SOURCE);
    let out = sqlite_from_sql(dir.path(), "desk.db", SQLITE_TARGET);
    let old = sqlite_quoted_rows(&out, "notes", &["id", "body"], "id");
    let report = migrate_ok(&append_options(sqlite(&src), sqlite(&out)));
    assert_eq!(report.outcome, Outcome::Committed);
    let v = report.verification.as_ref().unwrap();
    assert!(v.passed, "{v:#?}");
    let notes = verdict(&v.tables, "notes");
    assert_eq!(
        (notes.existing_rows, notes.source_rows, notes.target_rows),
        (2, 5, 5)
    );
    assert_eq!(verdict(&v.tables, "tags").existing_rows, 0);

    let rows = sqlite_quoted_rows(&out, "notes", &["id", "body"], "id");
    assert_eq!(
        rows,
        [
            "1|'one'",
            "2|'two'",
            "10|'ten'",
            "11|'eleven'",
            "12|'twelve'"
        ]
    );
    assert_eq!(rows[..2], old[..], "the rows that were there are unchanged");
    assert_eq!(
        sqlite_quoted_rows(&out, "tags", &["id", "name"], "id"),
        ["1|'new-a'", "2|'new-b'"]
    );
}

fn kinds_and_keys(d: &[RowDifference]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = d.iter().map(|d| (d.kind.clone(), d.key.clone())).collect();
    v.sort();
    v
}

#[test]
fn an_existing_row_changed_during_the_copy_fails_naming_only_that_row() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "app.db", SOURCE);
    let db = TestDb::with_sql(PG_TARGET);
    db.client()
        .batch_execute(
            "CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.id = 11 THEN UPDATE notes SET body = 'tampered' WHERE id = 1; END IF; RETURN NEW; END $$;
             CREATE TRIGGER tamper AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION tamper();",
        )
        .unwrap();
    let before = pg_old_notes(&db);
    let err = migrate(&append_options(sqlite(&src), pg(&db))).expect_err("row 1 changed");
    assert_eq!(err.error.kind(), ErrorKind::Verification, "{}", err.error);
    let v = err.report.verification.as_ref().unwrap();
    let notes = verdict(&v.tables, "notes");
    assert!(!notes.digest_match);
    assert_eq!(
        kinds_and_keys(&notes.differences),
        [
            ("existing_row_changed".to_string(), "id=1".to_string()),
            ("only_in_target".to_string(), "id=1".to_string()),
        ]
    );
    assert!(err.error.to_string().contains("id=1"), "{}", err.error);
    assert!(verdict(&v.tables, "tags").digest_match);
    // Rolled back: the target is as it was.
    assert_eq!(pg_ids(&db, "notes"), [1, 2]);
    assert_eq!(pg_old_notes(&db), before);
}

#[test]
fn an_appended_row_that_differs_fails_naming_it_not_the_old_rows() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "app.db", SOURCE);
    let out = sqlite_from_sql(
        dir.path(),
        "desk.db",
        &format!(
            "{SQLITE_TARGET}
             CREATE TRIGGER tamper AFTER INSERT ON notes WHEN NEW.id = 11
             BEGIN UPDATE notes SET body = 'changed' WHERE id = 11; END;"
        ),
    );
    let before = sqlite_fingerprint(&out);
    let err = migrate(&append_options(sqlite(&src), sqlite(&out))).expect_err("row 11 changed");
    assert_eq!(err.error.kind(), ErrorKind::Verification, "{}", err.error);
    let v = err.report.verification.as_ref().unwrap();
    let notes = verdict(&v.tables, "notes");
    assert_eq!(
        kinds_and_keys(&notes.differences),
        [("values_differ".to_string(), "id=11".to_string())]
    );
    assert!(
        notes.differences[0].detail.contains("changed"),
        "{:?}",
        notes.differences
    );
    assert_eq!(sqlite_fingerprint(&out), before, "the file is as it was");
}

#[test]
fn too_many_existing_rows_to_keep_says_the_differences_are_not_located() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "app.db", SOURCE);
    let db = TestDb::with_sql(&format!(
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);
         CREATE TABLE tags (id bigint PRIMARY KEY, name text);
         INSERT INTO notes SELECT g, 'old' FROM generate_series(100, 99 + {}) g;
         CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.id = 11 THEN UPDATE notes SET body = 'tampered' WHERE id = 100; END IF; RETURN NEW; END $$;
         CREATE TRIGGER tamper AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION tamper();",
        MAX_EXISTING_ROWS + 1
    ));
    let err = migrate(&append_options(sqlite(&src), pg(&db))).expect_err("row 1 changed");
    assert_eq!(err.error.kind(), ErrorKind::Verification, "{}", err.error);
    let v = err.report.verification.as_ref().unwrap();
    let notes = verdict(&v.tables, "notes");
    assert_eq!(notes.existing_rows, MAX_EXISTING_ROWS + 1);
    assert_eq!(
        kinds_and_keys(&notes.differences),
        [("not_located".to_string(), String::new())]
    );
    assert!(
        err.error.to_string().contains("differences not located"),
        "{}",
        err.error
    );
}
