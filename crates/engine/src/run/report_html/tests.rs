//! The page's content and its escaping, without a browser (the CLI's `report_html` test
//! renders a real run's page in Chromium).

use super::values::{bytes, count, seconds};
use super::*;
use crate::model::progress::Phase;
use crate::model::report::{
    BackupInfo, Check, Outcome, PhaseTiming, RowDifference, TableReport, TableVerification,
    Verification,
};

const DIGEST_A: &str = "21cc33c2fe51d4a4623e8ec299f7804d046468f7231e8d85d9de8261e3259883";
const DIGEST_B: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A report built from the engine's own types: if a field the page reads is renamed in
/// `report.rs`, the value below stops appearing on the page.
fn full_report() -> Report {
    let mut r = Report::new(
        "migrate",
        "sqlite:/data/tasks.db".into(),
        "postgres://app:***@db.example:5432/tasks".into(),
    );
    r.outcome = Outcome::Committed;
    r.seconds = 2.5;
    r.phases = vec![
        PhaseTiming {
            phase: Phase::Connect,
            seconds: 0.25,
        },
        PhaseTiming {
            phase: Phase::Copy,
            seconds: 2.0,
        },
        PhaseTiming {
            phase: Phase::Verify,
            seconds: 0.25,
        },
    ];
    r.tables = vec![TableReport {
        source_table: "tasks".into(),
        target_table: "tasks".into(),
        rows_read: 1_234_567,
        rows_written: 1_234_566,
        rows_verified: Some(1_234_566),
        bytes: 3 * 1024 * 1024,
        seconds: 2.0,
    }];
    r.backup = Some(BackupInfo {
        of: "/data/out.db".into(),
        path: "/data/out.db.ferry-backup-20261201T100000Z".into(),
        bytes: 8192,
        sha256: DIGEST_B.into(),
        rechecked: true,
    });
    r.verification = Some(Verification {
        passed: true,
        tables: vec![TableVerification {
            table: "tasks".into(),
            source_rows: 1_234_566,
            target_rows: 1_234_566,
            source_digest: DIGEST_A.into(),
            target_digest: DIGEST_A.into(),
            digest_match: true,
            existing_rows: 0,
            differences: vec![],
        }],
        checks: vec![Check {
            name: "foreign keys".into(),
            passed: true,
            detail: "1 constraint(s) validated".into(),
        }],
    });
    r
}

#[test]
fn a_committed_run_shows_every_section() {
    let page = render(&full_report());
    for needle in [
        "<!DOCTYPE html>",
        "Verified and committed",
        "sqlite:/data/tasks.db",
        "postgres://app:***@db.example:5432/tasks",
        "Job: Copy",
        DIGEST_A,
        "1 of 1 tables have the same content digest",
        "foreign keys",
        "1 constraint(s) validated",
        "/data/out.db.ferry-backup-20261201T100000Z",
        DIGEST_B,
        "re-read after writing",
        "1,234,567",
        "3.0 MiB",
        "2.00 s · 80%",
        "None: the preflight scan found no value",
    ] {
        assert!(page.contains(needle), "missing {needle:?} in:\n{page}");
    }
    // One bar per phase, the longest one marked.
    assert_eq!(page.matches("<rect class=\"bar").count(), 3);
    assert_eq!(page.matches("<rect class=\"bar top\"").count(), 1);
    // An equal digest is shown once; the page does not invent a "target" line for it.
    assert_eq!(page.matches(DIGEST_A).count(), 1);
}

#[test]
fn render_is_render_json_of_the_serialized_report() {
    let report = full_report();
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(render(&report), render_json(&value));
}

#[test]
fn a_difference_shows_both_digests_and_the_rows() {
    let mut report = full_report();
    report.outcome = Outcome::VerificationFailed;
    let v = report.verification.as_mut().unwrap();
    v.passed = false;
    v.tables[0].target_digest = DIGEST_B.into();
    v.tables[0].target_rows = 1_234_565;
    v.tables[0].digest_match = false;
    v.tables[0].differences = vec![RowDifference {
        key: "id=42".into(),
        kind: "values_differ".into(),
        detail: "title: 'a' → 'b'".into(),
    }];
    let page = render(&report);
    assert!(page.contains("Verification failed: nothing was committed"));
    assert!(page.contains(&format!("source {DIGEST_A}")));
    assert!(page.contains(&format!("target {DIGEST_B}")));
    assert!(page.contains("✗ differs"));
    assert!(page.contains("values differ: title: &#39;a&#39; → &#39;b&#39;"));
    assert!(page.contains("<td class=\"num bad\">1,234,565</td>"));
    assert!(page.contains("0 of 1 tables"));
}

/// Text from the databases (table names, values, error messages) can hold markup; none of it
/// may become markup on the page.
#[test]
fn everything_from_the_report_is_escaped() {
    let hostile = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;\u{0}";
    let report = serde_json::json!({
        "format_version": 1, "ferry_version": hostile, "command": hostile,
        "source": hostile, "target": hostile, "dry_run": false, "outcome": "failed",
        "started_at": hostile, "seconds": 1.0, "error": hostile,
        "phases": [{"phase": hostile, "seconds": 1.0}],
        "tables": [{"source_table": hostile, "target_table": hostile}],
        "backup": {"of": hostile, "path": hostile, "sha256": hostile},
        "findings": [{"severity": hostile, "kind": hostile, "table": hostile, "column": hostile,
            "count": 1, "message": hostile, "remedy": hostile, "resolved_by": hostile,
            "samples": [{"key": hostile, "value": hostile, "detail": hostile}]}],
        "warnings": [hostile], "not_migrated": [hostile],
        "verification": {"passed": false, "tables": [{"table": hostile, "source_digest": hostile,
            "target_digest": hostile, "differences": [{"key": hostile, "kind": hostile, "detail": hostile}]}],
            "checks": [{"name": hostile, "passed": false, "detail": hostile}]},
        "admin": {"email": hostile, "users_table": hostile, "password_hash": hostile},
        "bundle": {"dir": hostile}
    });
    let page = render_json(&report);
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains('\u{0}'));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img"));
    // `&amp;` in the data is shown as the five characters, not as `&`.
    assert!(page.contains("&amp;amp;"));
    assert!(page.contains("\\u{0000}"));
}

#[test]
fn the_page_loads_nothing() {
    let page = render(&full_report());
    for forbidden in ["<script", "src=", "href=", "url(", "@import", "<link"] {
        assert!(!page.contains(forbidden), "the page contains {forbidden:?}");
    }
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn an_old_or_sparse_report_still_renders() {
    let page = render_json(&serde_json::json!({
        "format_version": 1, "outcome": "cancelled", "command": "migrate",
        "source": "sqlite:a.db", "target": "sqlite:b.db", "future_field": {"x": 1}
    }));
    assert!(page.contains("Cancelled: nothing was committed"));
    assert!(page.contains("The run ended before the verifier re-read the databases."));
    assert!(page.contains("No phase was timed."));
}

#[test]
fn promote_shows_the_admin_and_a_finding_its_policy() {
    let mut value = serde_json::to_value(full_report()).unwrap();
    value["admin"] = serde_json::json!({"users_table": "users", "user_id": "1",
        "email": "admin@example.com", "username": "admin", "password_hash": "bcrypt", "created": true});
    value["findings"] = serde_json::json!([{"severity": "blocking", "kind": "not_boolean",
        "table": "tasks", "column": "done", "count": 1,
        "samples": [{"key": "id=3", "value": "'maybe'", "detail": "not a boolean"}],
        "message": "tasks.done: 'maybe' is not a boolean", "remedy": "--on-bad-value tasks.done=null",
        "resolved_by": "skip-row"}]);
    let page = render_json(&value);
    assert!(page.contains("Job: Promote"));
    assert!(page.contains("admin@example.com"));
    assert!(page.contains("stored as a bcrypt hash"));
    assert!(page.contains("policy chosen: leave the rows out (skip-row)"));
    assert!(page.contains("<td class=\"mono\">id=3</td>"));
}

#[test]
fn what_counts_as_a_report() {
    assert!(looks_like_report(
        &serde_json::to_value(full_report()).unwrap()
    ));
    assert!(!looks_like_report(
        &serde_json::json!({"name": "package.json"})
    ));
    assert!(!looks_like_report(&serde_json::json!([1, 2])));
}

#[test]
fn the_page_goes_beside_the_json() {
    assert_eq!(
        html_path_beside(Path::new("/r/run.json")),
        Path::new("/r/run.html")
    );
    assert_eq!(html_path_beside(Path::new("run")), Path::new("run.html"));
    assert_eq!(
        html_path_beside(Path::new("run.html")),
        Path::new("run.html.html")
    );
}

#[test]
fn numbers_in_words() {
    assert_eq!(count(0), "0");
    assert_eq!(count(999), "999");
    assert_eq!(count(1000), "1,000");
    assert_eq!(bytes(512), "512 bytes");
    assert_eq!(bytes(1536), "1.5 KiB (1,536 bytes)");
    assert_eq!(seconds(0.0004), "0.40 ms");
    assert_eq!(seconds(0.25), "250 ms");
    assert_eq!(seconds(125.0), "2 min 5 s");
}

#[test]
fn remedies_as_data_are_put_in_words() {
    let mut value = serde_json::to_value(full_report()).unwrap();
    value["findings"] = serde_json::json!([{"severity": "blocking", "kind": "epoch_number",
        "table": "events", "column": "at", "count": 2, "samples": [], "message": "numbers",
        "remedies": [
            {"remedy": "fix_data"},
            {"remedy": "epoch", "table": "events", "column": "at", "unit": "seconds"},
            {"remedy": "policy", "table": "events", "column": "at", "policy": "null"},
            {"remedy": "exclude_table", "table": "events"}
        ],
        "resolved_by": null}]);
    let page = render_json(&value);
    assert!(
        page.contains(
            "What can be done: fix the data in the source; or read events.at as Unix time in \
             seconds; or store NULL (null) for events.at; or leave the table events out</p>"
        ),
        "{page}"
    );
    assert!(page.contains("not resolved: it stopped the run"));
}
