//! Issue 11, point 3: a value the target stores differently from what was read. Text of a type
//! PostgreSQL parses and prints in its own form (interval, tsvector, inet, …) from a SQLite
//! source is checked against the target server before anything is written.
use crate::common::*;
use ferry_engine::finding::{Policy, Remedy};
use ferry_engine::options::{ColumnRef, ColumnSetting};
use ferry_engine::report::Outcome;
use ferry_engine::ErrorKind;

const SOURCE: &str = "
    CREATE TABLE t (id INTEGER PRIMARY KEY, span INTERVAL, doc TSVECTOR, host INET);
    INSERT INTO t VALUES
        (1, '1 day', '''a'':1', '10.0.0.1'),
        (2, '24 hours', 'a:1', '10.0.0.1/32'),
        (3, '1 day', 'b:2 a:1', '::1'),
        (4, 'soon', '''a'':1', '10.0.0.1'),
        (5, '24 hours', NULL, NULL);
";

/// (key, value, what PostgreSQL would store) of one sample.
type Sample = (String, String, String);

#[test]
fn values_postgres_would_print_differently_are_findings_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "app.db", SOURCE);
    let db = TestDb::new();
    let err =
        migrate(&options(sqlite(&src), pg(&db))).expect_err("PostgreSQL would rewrite values");
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    let mut found: Vec<(String, u64, Vec<Sample>)> = err
        .report
        .findings
        .iter()
        .filter(|f| f.kind == "stored_differently")
        .map(|f| {
            assert!(f.is_blocking());
            let samples = f
                .samples
                .iter()
                .map(|s| (s.key.clone(), s.value.clone(), s.detail.clone()))
                .collect();
            (f.column.clone().unwrap(), f.count, samples)
        })
        .collect();
    found.sort();
    let s = |k: &str, v: &str, d: &str| (k.to_string(), v.to_string(), d.to_string());
    assert_eq!(
        found,
        [
            (
                "doc".to_string(),
                2,
                vec![
                    s("id=2", "'a:1'", "stored as ''a':1'"),
                    s("id=3", "'b:2 a:1'", "stored as ''a':1 'b':2'"),
                ]
            ),
            (
                "host".to_string(),
                1,
                vec![s("id=2", "'10.0.0.1/32'", "stored as '10.0.0.1'")]
            ),
            (
                "span".to_string(),
                2,
                vec![
                    s("id=2", "'24 hours'", "stored as '24:00:00'"),
                    s(
                        "id=4",
                        "'soon'",
                        "PostgreSQL cannot read it as interval: invalid input syntax for type interval: \"soon\""
                    ),
                ]
            ),
        ]
    );
    let span = err
        .report
        .findings
        .iter()
        .find(|f| f.kind == "stored_differently" && f.column.as_deref() == Some("span"))
        .unwrap();
    assert_eq!(
        span.remedies,
        [
            Remedy::FixData,
            Remedy::Policy {
                table: "t".into(),
                column: "span".into(),
                policy: Policy::AsText,
            },
        ],
        "keep them as written (text), or write them in PostgreSQL's own form in the source"
    );
    assert!(pg_tables(&mut db.client()).is_empty(), "nothing written");

    // The remedy works: the columns become text, every value as written.
    let mut o = options(sqlite(&src), pg(&db));
    o.column_policies = ["span", "doc", "host"]
        .iter()
        .map(|c| ColumnSetting {
            column: ColumnRef::parse(&format!("t.{c}")).unwrap(),
            value: Policy::AsText,
        })
        .collect();
    assert_eq!(migrate_ok(&o).outcome, Outcome::Committed);
    let spans: Vec<Option<String>> = db
        .client()
        .query("SELECT span FROM t ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let want = ["1 day", "24 hours", "1 day", "soon", "24 hours"];
    assert_eq!(spans, want.map(|w| Some(w.to_string())));
}
