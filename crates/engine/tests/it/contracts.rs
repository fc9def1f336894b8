//! DESIGN.md's contracts, each with a test that could fail.
use crate::common::*;
use ferry_engine::finding::Policy;
use ferry_engine::options::{ColumnRef, ColumnSetting};
use ferry_engine::report::Outcome;
use ferry_engine::ErrorKind;

fn bad_values_db(dir: &std::path::Path) -> std::path::PathBuf {
    sqlite_from_sql(dir, "bad.db", &fixture("bad_values_sqlite.sql"))
}

#[test]
fn preflight_reports_every_bad_value_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = bad_values_db(dir.path());
    let db = TestDb::new();
    let err = migrate(&options(sqlite(&src), pg(&db))).expect_err("bad values must stop the run");
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    let findings = &err.report.findings;
    let expect = [
        ("flag", "not_boolean", "id=2", "'maybe'"),
        ("happened_at", "bad_timestamp", "id=3", "'yesterday-ish'"),
        ("doc", "bad_json", "id=4", "'{\"unterminated\": '"),
        ("uid", "bad_uuid", "id=5", "'not-a-uuid'"),
        ("note", "nul_in_text", "id=6", ""),
        ("note", "invalid_utf8", "id=7", ""),
        ("amount", "precision_loss", "id=8", "1.005"),
    ];
    for (column, kind, key, value) in expect {
        let f = findings
            .iter()
            .find(|f| f.column.as_deref() == Some(column) && f.kind == kind)
            .unwrap_or_else(|| panic!("no {kind} finding for {column}; findings: {findings:#?}"));
        assert_eq!(f.table, "bad_values");
        assert_eq!(f.count, 1, "{kind}");
        assert_eq!(f.samples[0].key, key, "{kind}");
        assert!(
            f.samples[0].value.contains(value),
            "{kind}: sample value {} should show {value}",
            f.samples[0].value
        );
        assert!(f.is_blocking());
    }
    assert!(
        pg_tables(&mut db.client()).is_empty(),
        "nothing may be written when the preflight blocks"
    );
}

#[test]
fn policies_resolve_findings_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    let src = bad_values_db(dir.path());
    let db = TestDb::new();
    let mut o = options(sqlite(&src), pg(&db));
    let set = |c: &str, p: Policy| ColumnSetting {
        column: ColumnRef::parse(&format!("bad_values.{c}")).unwrap(),
        value: p,
    };
    o.column_policies = vec![
        set("flag", Policy::Null),
        set("happened_at", Policy::Null),
        set("doc", Policy::Null),
        set("uid", Policy::AsText),
        set("note", Policy::SkipRow),
        set("amount", Policy::SkipRow),
    ];
    let report = migrate_ok(&o);
    assert_eq!(report.outcome, Outcome::Committed);
    let mut c = db.client();
    let ids: Vec<i64> = c
        .query("SELECT id FROM bad_values ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        ids,
        vec![1, 2, 3, 4, 5],
        "rows 6, 7 and 8 are skipped (and listed), the rest kept"
    );
    let flag: Option<bool> = c
        .query_one("SELECT flag FROM bad_values WHERE id = 2", &[])
        .unwrap()
        .get(0);
    assert_eq!(flag, None);
    let uid: String = c
        .query_one("SELECT uid FROM bad_values WHERE id = 5", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        uid, "not-a-uuid",
        "as-text keeps the value, in a text column"
    );
    let ty: String = c.query_one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'bad_values'::regclass AND attname = 'uid'", &[]).unwrap().get(0);
    assert_eq!(ty, "text");
    let resolved: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.resolved_by == Some(Policy::SkipRow))
        .collect();
    assert!(
        !resolved.is_empty(),
        "skipped rows are listed in the report"
    );
}

#[test]
fn dry_run_verifies_then_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "src.db", &fixture("nasty_sqlite.sql"));
    let db = TestDb::new();
    let mut o = options(sqlite(&src), pg(&db));
    o.dry_run = true;
    let report = migrate_ok(&o);
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert!(report.verification.as_ref().unwrap().passed);
    assert!(report.tables.iter().any(|t| t.rows_written > 0));
    assert!(pg_tables(&mut db.client()).is_empty());

    let out = dir.path().join("out.db");
    let mut o = options(pg(&db), sqlite(&out));
    o.dry_run = true;
    // An empty PostgreSQL source is fine; the point is that no file appears.
    migrate_ok(&o);
    assert!(!out.exists(), "a dry run must not leave a file");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("ferry-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
}

#[test]
fn verify_names_the_table_and_row_that_differ() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "src.db", &fixture("nasty_sqlite.sql"));
    let db = TestDb::new();
    migrate_ok(&options(sqlite(&src), pg(&db)));
    let o = options(sqlite(&src), pg(&db));
    let clean = ferry_engine::verify(
        &o,
        &ferry_engine::progress::Silent,
        &ferry_engine::Cancel::new(),
    )
    .expect("fresh copy verifies");
    assert_eq!(clean.outcome, Outcome::Verified);

    db.client()
        .batch_execute("UPDATE books SET title = 'Ficciones!' WHERE id = 1")
        .unwrap();
    let err = ferry_engine::verify(
        &o,
        &ferry_engine::progress::Silent,
        &ferry_engine::Cancel::new(),
    )
    .expect_err("a changed cell must be found");
    assert_eq!(err.error.kind(), ErrorKind::Verification);
    let v = err.report.verification.as_ref().unwrap();
    let books = v.tables.iter().find(|t| t.table == "books").unwrap();
    assert!(!books.digest_match);
    assert_eq!(books.differences.len(), 1);
    assert_eq!(books.differences[0].key, "id=1");
    assert!(
        books.differences[0].detail.contains("Ficciones!"),
        "{:?}",
        books.differences[0]
    );
    assert!(v
        .tables
        .iter()
        .filter(|t| t.table != "books")
        .all(|t| t.digest_match));
    assert!(err.error.to_string().contains("books"));
}

#[test]
fn replacing_a_sqlite_file_backs_it_up_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE t (id bigint PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'new');",
        )
        .unwrap();
    let out = sqlite_from_sql(
        dir.path(),
        "app.db",
        "CREATE TABLE old (x); INSERT INTO old VALUES ('precious');",
    );
    let old_hash = sha256(&out);
    let first = migrate_ok(&options(pg(&db), sqlite(&out)));
    let backup = first.backup.expect("an existing file is backed up");
    assert!(backup.rechecked);
    let backup_path = std::path::Path::new(&backup.path);
    assert_eq!(
        sha256(backup_path),
        backup.sha256,
        "the recorded SHA-256 is the backup file's"
    );
    assert_eq!(
        sqlite_quoted_rows(backup_path, "old", &["x"], "rowid"),
        vec!["'precious'".to_string()],
        "the backup holds the old content"
    );
    let _ = old_hash;
    assert_eq!(sqlite_tables(&out), vec!["t".to_string()]);
    let second = migrate_ok(&options(pg(&db), sqlite(&out)));
    assert_ne!(
        second.backup.unwrap().path,
        backup.path,
        "backups never overwrite each other"
    );
    assert_eq!(
        sha256(backup_path),
        backup.sha256,
        "an earlier backup is never touched"
    );
}

#[test]
fn a_target_table_that_exists_is_never_touched_in_create_mode() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(
        dir.path(),
        "src.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x');",
    );
    let db = TestDb::new();
    db.client()
        .batch_execute("CREATE TABLE t (id int, v text); INSERT INTO t VALUES (99, 'mine');")
        .unwrap();
    let err = migrate(&options(sqlite(&src), pg(&db))).expect_err("must refuse");
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    assert!(
        err.error.to_string().contains("--into-existing"),
        "{}",
        err.error
    );
    let n: i64 = db
        .client()
        .query_one("SELECT count(*) FROM t", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[test]
fn orphaned_foreign_keys_stop_the_run_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "orphans.db", ONE_ORPHAN_SQL);
    let db = TestDb::new();
    let err = migrate(&options(sqlite(&src), pg(&db))).expect_err("orphans must stop the run");
    let f = err
        .report
        .findings
        .iter()
        .find(|f| f.kind == "orphaned_foreign_key")
        .expect("orphan finding");
    assert_eq!((f.table.as_str(), f.count), ("tasks", 1));
    assert_eq!(f.samples[0].key, "rowid=2");
    assert!(pg_tables(&mut db.client()).is_empty());
}

#[test]
fn negative_zero_which_sqlite_cannot_store_is_a_finding_not_a_silent_zero() {
    let db = TestDb::new();
    db.client().batch_execute("CREATE TABLE m (id int PRIMARY KEY, x double precision); INSERT INTO m VALUES (1, '-0'), (2, 0);").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.db");
    let err = migrate(&options(pg(&db), sqlite(&out)))
        .expect_err("-0.0 would silently become 0.0 in SQLite");
    let f = err
        .report
        .findings
        .iter()
        .find(|f| f.kind == "negative_zero")
        .expect("negative_zero finding");
    assert_eq!((f.count, f.samples[0].key.as_str()), (1, "id=1"));
    assert!(!out.exists());
}

#[test]
fn verify_fails_when_source_rows_cannot_be_converted() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(
        dir.path(),
        "src.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, ok BOOLEAN); INSERT INTO t VALUES (1, 1), (2, 0);",
    );
    let db = TestDb::new();
    migrate_ok(&options(sqlite(&src), pg(&db)));
    // A row the target could never hold appears in the source afterwards.
    rusqlite::Connection::open(&src)
        .unwrap()
        .execute_batch("INSERT INTO t VALUES (3, 'maybe')")
        .unwrap();
    let err = ferry_engine::verify(
        &options(sqlite(&src), pg(&db)),
        &ferry_engine::progress::Silent,
        &ferry_engine::Cancel::new(),
    )
    .expect_err("an unconvertible source row must not be left out of the comparison");
    assert_eq!(err.error.kind(), ErrorKind::Verification);
    let checks = &err.report.verification.as_ref().unwrap().checks;
    assert!(
        checks
            .iter()
            .any(|c| !c.passed && c.detail.contains("1 source row")),
        "{checks:?}"
    );
}
