//! The summary at the end of `migrate` and `verify`: per-table counts, bytes and times, the
//! phases, the backup, the verification table with the first differing rows, warnings, what
//! was not migrated, and one outcome line that says whether anything was written.

use ferry_engine::report::{Outcome, Report, TableVerification, Verification};
use ferry_engine::Phase;

use super::{human_bytes, human_seconds, thousands, TextTable};

pub fn report(r: &Report) -> String {
    let dry = if r.dry_run { " (dry run)" } else { "" };
    let mut out = format!(
        "{}{dry}: {} → {}\nstarted {}, took {}\n",
        r.command,
        r.source,
        r.target,
        r.started_at,
        human_seconds(r.seconds)
    );

    if !r.tables.is_empty() {
        let mut t = TextTable::new(&["table", "read>", "written>", "verified>", "bytes>", "time>"]);
        let (mut read, mut written, mut bytes) = (0u64, 0u64, 0u64);
        for tr in &r.tables {
            read += tr.rows_read;
            written += tr.rows_written;
            bytes += tr.bytes;
            let name = if tr.source_table == tr.target_table {
                tr.target_table.clone()
            } else {
                format!("{} → {}", tr.source_table, tr.target_table)
            };
            t.row(vec![
                name,
                thousands(tr.rows_read),
                thousands(tr.rows_written),
                tr.rows_verified
                    .map(thousands)
                    .unwrap_or_else(|| "-".into()),
                human_bytes(tr.bytes),
                human_seconds(tr.seconds),
            ]);
        }
        if r.tables.len() > 1 {
            t.row(vec![
                "total".into(),
                thousands(read),
                thousands(written),
                String::new(),
                human_bytes(bytes),
                String::new(),
            ]);
        }
        out.push('\n');
        out.push_str(&t.render("  "));
    }

    if !r.phases.is_empty() {
        let phases: Vec<String> = r
            .phases
            .iter()
            .map(|p| format!("{} {}", p.phase.label(), human_seconds(p.seconds)))
            .collect();
        out.push_str(&format!("\nphases: {}\n", phases.join(" · ")));
    }

    if let Some(b) = &r.backup {
        let checked = if b.rechecked {
            "re-read and checked"
        } else {
            "NOT re-checked"
        };
        out.push_str(&format!(
            "\nbackup of {}:\n  {}\n  {}, sha256 {}, {checked}\n",
            b.of,
            b.path,
            human_bytes(b.bytes),
            b.sha256
        ));
    }

    if let Some(v) = &r.verification {
        out.push('\n');
        out.push_str(&verification(v));
    }

    if let Some(a) = &r.admin {
        let id = a.user_id.as_deref().unwrap_or("-");
        let state = if a.created {
            "created"
        } else {
            "not created (nothing was committed)"
        };
        out.push_str(&format!(
            "\nadmin {}{} in {} (id {id}): {state}; password stored as {}\n",
            a.email,
            a.username
                .as_deref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default(),
            a.users_table,
            a.password_hash
        ));
    }

    if let Some(b) = &r.bundle {
        out.push_str(&format!(
            "\nbundle written to {} ({} table(s), {} row(s), SHA-256 of each file in its manifest.json)\n",
            b.dir, b.tables, b.rows
        ));
    }

    let resolved: Vec<_> = r.findings.iter().filter(|f| !f.is_blocking()).collect();
    if r.findings.iter().any(|f| f.is_blocking()) {
        out.push('\n');
        out.push_str(&super::findings(&r.findings));
    } else if !resolved.is_empty() {
        out.push_str(&format!(
            "\n{} resolved by a policy (see --json or --report for the rows)\n",
            super::count(resolved.len() as u64, "finding was", "findings were")
        ));
    }
    if let Some(t) = r
        .tenancy
        .as_ref()
        .filter(|_| r.outcome == Outcome::Committed)
    {
        out.push_str(&super::plan::distribution(t, true));
    }
    section(&mut out, "warnings", &r.warnings);
    section(&mut out, "not migrated", &r.not_migrated);
    // The error itself is printed once, on stderr, by `main`; the report only says what the
    // run left behind.
    out.push('\n');
    out.push_str(outcome_line(r));
    out.push('\n');
    out
}

/// The rows a table should hold: with `--append`, "2 existing + 3 copied".
fn expected_rows(tv: &TableVerification) -> String {
    match tv.existing_rows {
        0 => thousands(tv.source_rows),
        n => format!(
            "{} existing + {} copied",
            thousands(n),
            thousands(tv.source_rows.saturating_sub(n))
        ),
    }
}

fn verification(v: &Verification) -> String {
    let mut out = format!(
        "verification: {}\n",
        if v.passed { "passed ✓" } else { "FAILED ✗" }
    );
    let mut t = TextTable::new(&["", "table", "source rows>", "target rows>", "digest"]);
    for tv in &v.tables {
        let ok = tv.digest_match && tv.source_rows == tv.target_rows;
        t.row(vec![
            if ok { "✓" } else { "✗" }.into(),
            tv.table.clone(),
            expected_rows(tv),
            thousands(tv.target_rows),
            if tv.digest_match {
                short(&tv.target_digest)
            } else {
                format!(
                    "{} ≠ {}",
                    short(&tv.source_digest),
                    short(&tv.target_digest)
                )
            },
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render("  "));
    }
    for tv in v.tables.iter().filter(|tv| !tv.differences.is_empty()) {
        out.push_str(&format!("  first differences in {}:\n", tv.table));
        for d in &tv.differences {
            out.push_str(
                format!("    {}  {}  {}", d.key, d.kind.replace('_', " "), d.detail).trim_end(),
            );
            out.push('\n');
        }
    }
    for c in &v.checks {
        let detail = if c.detail.is_empty() {
            String::new()
        } else {
            format!(": {}", c.detail)
        };
        out.push_str(&format!(
            "  {} {}{detail}\n",
            if c.passed { "✓" } else { "✗" },
            c.name
        ));
    }
    out
}

/// Digests are long hex strings; 12 characters tell them apart on screen.
fn short(digest: &str) -> String {
    digest.chars().take(12).collect()
}

fn section(out: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title}:\n"));
    for item in items {
        out.push_str(&format!("  {item}\n"));
    }
}

/// The last line: did anything change? A run "rolled back" only if it had begun writing
/// (the schema phase started); `verify` writes nothing, so it commits nothing either.
pub fn outcome_line(r: &Report) -> &'static str {
    let began = r.phases.iter().any(|p| p.phase == Phase::Schema);
    match r.outcome {
        Outcome::Committed => "committed",
        Outcome::RolledBack => "dry run: verified, then rolled back — nothing was written",
        Outcome::Planned => "planned — nothing was written",
        Outcome::Verified => "verified: both databases hold the same rows",
        Outcome::VerificationFailed if r.command == "verify" => {
            "verification failed: the databases differ"
        }
        Outcome::VerificationFailed => "verification failed — rolled back, nothing was committed",
        Outcome::Failed if r.command == "verify" => "failed",
        Outcome::Cancelled if r.command == "verify" => "cancelled",
        Outcome::Failed if began => "failed — rolled back, nothing was committed",
        Outcome::Failed => "failed — nothing was written",
        Outcome::Cancelled if began => "cancelled — rolled back, nothing was committed",
        Outcome::Cancelled => "cancelled — nothing was written",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_engine::report::{RowDifference, TableReport, TableVerification};

    #[test]
    fn a_failed_verification_names_the_table_and_rows() {
        let mut r = Report::new(
            "migrate",
            "sqlite:a.db".into(),
            "postgres://u:***@h/db".into(),
        );
        r.outcome = Outcome::VerificationFailed;
        r.tables = vec![TableReport {
            source_table: "tasks".into(),
            target_table: "tasks".into(),
            rows_read: 1500,
            rows_written: 1500,
            rows_verified: Some(1499),
            bytes: 2048,
            seconds: 0.5,
        }];
        r.verification = Some(Verification {
            passed: false,
            tables: vec![TableVerification {
                table: "tasks".into(),
                source_rows: 1500,
                target_rows: 1499,
                source_digest: "aaaaaaaaaaaaaaaa".into(),
                target_digest: "bbbbbbbbbbbbbbbb".into(),
                digest_match: false,
                existing_rows: 0,
                differences: vec![RowDifference {
                    key: "id=42".into(),
                    kind: "only_in_source".into(),
                    detail: String::new(),
                }],
            }],
            checks: vec![],
        });
        let text = report(&r);
        for expected in [
            "  tasks  1,500    1,500     1,499  2.0 KiB  0.50 s",
            "verification: FAILED ✗",
            "  ✗  tasks        1,500        1,499  aaaaaaaaaaaa ≠ bbbbbbbbbbbb",
            "    id=42  only in source",
            "verification failed — rolled back, nothing was committed",
        ] {
            assert!(
                text.lines().any(|l| l == expected),
                "missing line:\n{expected}\nin:\n{text}"
            );
        }
    }
}
