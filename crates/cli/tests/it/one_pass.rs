//! `ferry migrate` reads and converts the source once, in the copy. What a person sees must not
//! change for it: a value no policy resolves, met late in the copy, ends the run exactly as a
//! blocked preflight (exit 2, the same sentence, every finding, nothing written); findings a
//! policy resolves are those `ferry plan` lists; `ferry plan` still scans everything and writes
//! nothing.

use crate::util::state::database_fingerprint;
use crate::util::Dir;

/// Load order goals, tasks, notes; `tasks`' last row (of 200, 13 batches at 16 rows) is not a
/// boolean, and one `notes` row is not a timestamp: the copy meets the first, only the
/// preflight the second.
const LATE_BAD_VALUES: &str = include_str!("../../../engine/tests/fixtures/late_bad_values.sql");

const BLOCKED_TWO: &str = "ferry: preflight found 2 problem(s) that block the run; nothing was written (each finding above says how to resolve it: a policy, a flag or a fix in the data)";

fn args(command: &str, to: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        command,
        "--from",
        "app.db",
        "--to",
        to,
        "--batch-rows",
        "16",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if command == "migrate" {
        v.push("--yes".into());
    }
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// (table, column, kind, count) of each finding of a JSON report or plan.
fn shape(findings: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    findings
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["table"].as_str().unwrap().to_string(),
                f["column"].as_str().unwrap_or("").to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_value_met_late_in_the_copy_exits_as_a_blocked_preflight_with_every_finding() {
    let dir = Dir::new();
    dir.sqlite("app.db", LATE_BAD_VALUES);
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    let before = database_fingerprint(&mut client);
    let expected = vec![
        (
            "notes".into(),
            "written_at".into(),
            "bad_timestamp".into(),
            1,
        ),
        ("tasks".into(), "done".into(), "not_boolean".into(), 1),
    ];

    let run = dir
        .command()
        .args(args("migrate", &db.url(), &["--json"]))
        .expect_code(2);
    assert_eq!(run.stderr.trim(), BLOCKED_TWO, "stderr:\n{}", run.stderr);
    let report = run.json();
    assert_eq!(report["outcome"], "failed", "{report}");
    assert_eq!(shape(&report["findings"]), expected, "{report}");
    assert_eq!(database_fingerprint(&mut client), before, "nothing written");

    // The same in words: both findings and their remedies, then the one sentence.
    let run = dir
        .command()
        .args(args("migrate", &db.url(), &[]))
        .expect_code(2);
    run.assert_stdout_contains("tasks.done: 'maybe' is not a boolean")
        .assert_stdout_contains("notes.written_at: 'someday'")
        .assert_stderr_contains(BLOCKED_TWO);
    assert_eq!(database_fingerprint(&mut client), before, "nothing written");

    // `ferry plan` lists the same findings and writes nothing either.
    let plan = dir
        .command()
        .args(args("plan", &db.url(), &["--json"]))
        .expect_code(2);
    let plan = plan.json();
    assert_eq!(plan["findings"], report["findings"]);
    assert_eq!(
        database_fingerprint(&mut client),
        before,
        "plan writes nothing"
    );
}

#[test]
fn findings_a_policy_resolves_in_the_copy_are_the_findings_plan_lists() {
    let dir = Dir::new();
    dir.sqlite("app.db", LATE_BAD_VALUES);
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    let policies = [
        "--on-bad-value",
        "tasks.done=skip-row",
        "--on-bad-value",
        "notes.written_at=null",
    ];
    let before = database_fingerprint(&mut client);
    let plan = dir
        .command()
        .args(args(
            "plan",
            &db.url(),
            &[&["--json"][..], &policies].concat(),
        ))
        .expect_code(0)
        .json();
    assert_eq!(
        database_fingerprint(&mut client),
        before,
        "plan writes nothing"
    );
    let report = dir
        .command()
        .args(args(
            "migrate",
            &db.url(),
            &[&["--json"][..], &policies].concat(),
        ))
        .expect_code(0)
        .json();
    assert_eq!(report["outcome"], "committed", "{report}");
    assert_eq!(report["findings"], plan["findings"], "{report}");
    assert_eq!(
        shape(&report["findings"]),
        vec![
            (
                "notes".into(),
                "written_at".into(),
                "bad_timestamp".into(),
                1
            ),
            ("tasks".into(), "done".into(), "not_boolean".into(), 1),
        ]
    );
    let (tasks, notes_null): (i64, i64) = (
        client
            .query_one("SELECT count(*) FROM tasks", &[])
            .unwrap()
            .get(0),
        client
            .query_one("SELECT count(*) FROM notes WHERE written_at IS NULL", &[])
            .unwrap()
            .get(0),
    );
    assert_eq!((tasks, notes_null), (199, 1));
}
