//! `migrate` reads and converts the source once: the copy converts every value as the preflight
//! would, records what a policy resolves as the same findings `plan` reports, and a value no
//! policy resolves — met late, after rows were written into the target's transaction or
//! temporary file — ends the run as a blocked preflight: rolled back, every finding named,
//! nothing written.

use std::sync::Mutex;

use crate::common::*;
use ferry_engine::finding::Policy;
use ferry_engine::options::{ColumnRef, ColumnSetting};
use ferry_engine::progress::{Event, Phase, Progress, Silent};
use ferry_engine::report::Outcome;
use ferry_engine::{Cancel, Error, ErrorKind, Options};

/// Three tables in load order; the second's last row holds a boolean that is not one, the
/// third a timestamp that is not one. At 16 rows a batch, twelve batches of `tasks` are
/// copied before its last.
const LATE_BAD_VALUES: &str = include_str!("../fixtures/late_bad_values.sql");

const BATCH_ROWS: usize = 16;

/// Every event of a run, in order.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl Progress for Recorder {
    fn event(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

fn plan_findings(o: &Options) -> serde_json::Value {
    let plan = ferry_engine::plan(o, &Silent, &Cancel::new()).expect("plan");
    serde_json::to_value(&plan.findings).unwrap()
}

/// The run ended as a blocked preflight, with both findings, after the copy had written
/// `tasks` rows up to its last batch and handed over to the preflight.
fn assert_blocked_late(err: &ferry_engine::RunError, events: &[Event]) {
    assert!(
        matches!(err.error, Error::PreflightBlocked { count: 2 }),
        "{}",
        err.error
    );
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    assert!(
        err.error
            .to_string()
            .starts_with("preflight found 2 problem(s) that block the run; nothing was written"),
        "{}",
        err.error
    );
    assert_eq!(err.report.outcome, Outcome::Failed);
    let found: Vec<(&str, Option<&str>, &str, u64, &str)> = err
        .report
        .findings
        .iter()
        .map(|f| {
            (
                f.table.as_str(),
                f.column.as_deref(),
                f.kind.as_str(),
                f.count,
                f.samples[0].key.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("notes", Some("written_at"), "bad_timestamp", 1, "id=7"),
            ("tasks", Some("done"), "not_boolean", 1, "id=200"),
        ]
    );
    assert!(err.report.findings.iter().all(|f| f.is_blocking()));

    let copied = |table: &str| {
        events
            .iter()
            .filter_map(|e| match e {
                Event::TableProgress {
                    phase: Phase::Copy,
                    table: t,
                    rows,
                    ..
                } if t == table => Some(*rows),
                _ => None,
            })
            .max()
    };
    assert_eq!(copied("goals"), Some(20), "goals was copied first");
    assert_eq!(
        copied("tasks"),
        Some(192),
        "every batch of tasks before the last was sent to the writer"
    );
    assert_eq!(copied("notes"), None, "the copy stopped at once");
    let preflights: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(
                e,
                Event::PhaseStarted {
                    phase: Phase::Preflight
                }
            )
        })
        .map(|(i, _)| i)
        .collect();
    let last_copy = events
        .iter()
        .rposition(|e| {
            matches!(
                e,
                Event::TableProgress {
                    phase: Phase::Copy,
                    ..
                }
            )
        })
        .unwrap();
    assert_eq!(
        preflights.len(),
        2,
        "the checks before writing, then the scan"
    );
    assert!(
        preflights[1] > last_copy,
        "the scan runs after the copy stopped"
    );
    // Both preflight parts are one phase in the report.
    let phases: Vec<&str> = err.report.phases.iter().map(|p| p.phase.label()).collect();
    assert_eq!(phases.iter().filter(|p| **p == "preflight").count(), 1);
    assert!(phases.contains(&"copy"), "{phases:?}");
}

#[test]
fn a_value_met_late_in_the_copy_into_postgres_rolls_back_and_names_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "src.db", LATE_BAD_VALUES);
    let db = TestDb::new();
    let mut o = options(sqlite(&src), pg(&db));
    o.batch_rows = BATCH_ROWS;
    let events = Recorder::default();
    let err = ferry_engine::migrate(&o, &events, &Cancel::new()).expect_err("blocked");
    assert_blocked_late(&err, &events.0.lock().unwrap());
    assert_eq!(
        pg_tables(&mut db.client()),
        Vec::<String>::new(),
        "nothing may be written"
    );
    assert_eq!(
        serde_json::to_value(&err.report.findings).unwrap(),
        plan_findings(&o),
        "migrate reports what plan reports"
    );
}

#[test]
fn a_value_met_late_in_the_copy_into_an_existing_sqlite_file_leaves_it_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "src.db", LATE_BAD_VALUES);
    let dest = sqlite_from_sql(
        dir.path(),
        "out.db",
        "CREATE TABLE keep (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO keep VALUES (1, 'old');",
    );
    let listing = || {
        let mut names: Vec<(String, String)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    sha256(&p),
                )
            })
            .collect();
        names.sort();
        names
    };
    let before = listing();
    let mut o = options(sqlite(&src), sqlite(&dest));
    o.batch_rows = BATCH_ROWS;
    let events = Recorder::default();
    let err = ferry_engine::migrate(&o, &events, &Cancel::new()).expect_err("blocked");
    assert_blocked_late(&err, &events.0.lock().unwrap());
    assert_eq!(
        listing(),
        before,
        "the destination byte for byte, and no temporary file or backup left beside it"
    );
    assert!(err.report.backup.is_none(), "{:?}", err.report.backup);
    assert_eq!(
        serde_json::to_value(&err.report.findings).unwrap(),
        plan_findings(&o)
    );
}

/// Bad values in two tables, each resolved by a policy; more of them than a finding keeps
/// samples of, spread over many batches.
const RESOLVED: &str = "
    CREATE TABLE goals (id INTEGER PRIMARY KEY, title TEXT NOT NULL, flag BOOLEAN);
    CREATE TABLE tasks (id INTEGER PRIMARY KEY, goal_id INTEGER REFERENCES goals(id),
                        amount NUMERIC(6,2), due DATETIME);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 90)
    INSERT INTO goals SELECT i, 'goal ' || i, CASE WHEN i % 7 = 0 THEN 'maybe' ELSE i % 2 END FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
    INSERT INTO tasks SELECT i, 1 + i % 90,
        CASE WHEN i % 11 = 0 THEN 1.005 ELSE i / 4.0 END,
        CASE WHEN i % 13 = 0 THEN 'soon' ELSE '2025-03-01 09:00:00' END FROM n;
";

fn resolved_options(from: ferry_engine::Location, to: ferry_engine::Location) -> Options {
    let mut o = options(from, to);
    o.batch_rows = BATCH_ROWS;
    let set = |c: &str, p: Policy| ColumnSetting {
        column: ColumnRef::parse(c).unwrap(),
        value: p,
    };
    o.column_policies = vec![
        set("goals.flag", Policy::Null),
        set("tasks.amount", Policy::SkipRow),
        set("tasks.due", Policy::Null),
    ];
    o
}

#[test]
fn findings_resolved_in_the_copy_equal_what_plan_reports() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "src.db", RESOLVED);
    let db = TestDb::new();
    for to in [pg(&db), sqlite(&dir.path().join("out.db"))] {
        let o = resolved_options(sqlite(&src), to.clone());
        let expected = plan_findings(&o);
        let report = migrate_ok(&o);
        assert_eq!(report.outcome, Outcome::Committed);
        assert_eq!(
            serde_json::to_value(&report.findings).unwrap(),
            expected,
            "into {}",
            to.display()
        );
        let shape: Vec<(&str, &str, u64, usize, Option<Policy>)> = report
            .findings
            .iter()
            .map(|f| {
                (
                    f.table.as_str(),
                    f.kind.as_str(),
                    f.count,
                    f.samples.len(),
                    f.resolved_by,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("goals", "not_boolean", 12, 5, Some(Policy::Null)),
                ("tasks", "precision_loss", 10, 5, Some(Policy::SkipRow)),
                ("tasks", "bad_timestamp", 9, 5, Some(Policy::Null)),
            ],
            "into {}",
            to.display()
        );
        let written: u64 = report.tables.iter().map(|t| t.rows_written).sum();
        assert_eq!(written, 90 + 120 - 10, "the skipped rows are left out");
    }
}

#[test]
fn findings_resolved_in_a_copy_from_postgres_equal_what_plan_reports() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE m (id int PRIMARY KEY, x double precision, y double precision NOT NULL);
             INSERT INTO m SELECT i, CASE WHEN i % 5 = 0 THEN '-0'::float8 ELSE i END, i FROM generate_series(1, 100) i;",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(pg(&db), sqlite(&dir.path().join("m.db")));
    o.batch_rows = BATCH_ROWS;
    o.column_policies = vec![ColumnSetting {
        column: ColumnRef::parse("m.x").unwrap(),
        value: Policy::Null,
    }];
    let expected = plan_findings(&o);
    let report = migrate_ok(&o);
    assert_eq!(serde_json::to_value(&report.findings).unwrap(), expected);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(
        (f.kind.as_str(), f.count, f.samples[0].key.as_str()),
        ("negative_zero", 20, "id=5")
    );
    let nulls: i64 = rusqlite::Connection::open(dir.path().join("m.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM m WHERE x IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(nulls, 20);
}
