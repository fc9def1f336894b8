//! `ferry plan` and the summary `ferry migrate` shows before asking: tables in load order,
//! the type mapping, the preflight findings (blocking ones with their remedy), and what will
//! be written and backed up.

use ferry_engine::finding::{Finding, Policy, Severity};
use ferry_engine::plan::{Mode, Plan, TablePlan, WriteSummary};

use super::{count, thousands, TextTable};

/// Tables, findings and writes: enough to decide whether to proceed.
pub fn plan_summary(plan: &Plan) -> String {
    render(plan, false)
}

/// The summary plus every column's mapping and the rule that chose it.
pub fn plan_detail(plan: &Plan) -> String {
    render(plan, true)
}

fn render(plan: &Plan, columns: bool) -> String {
    let mode = match plan.mode {
        Mode::CreateSchema => "create the target tables",
        Mode::IntoExisting => "load into existing tables",
    };
    let mut out = format!("plan: {} → {}\nmode: {mode}\n", plan.source, plan.target);
    if let Some(f) = &plan.framework {
        out.push_str(&format!(
            "framework: {} conventions ({})\n",
            f.convention, f.because
        ));
    }
    out.push('\n');

    let mut tables = TextTable::new(&["source table", "", "target table", "rows>", "action"]);
    for t in &plan.tables {
        tables.row(vec![
            t.source_table.clone(),
            "→".into(),
            t.target_table.clone(),
            t.rows.map(thousands).unwrap_or_else(|| "?".into()),
            if t.create {
                "create".into()
            } else if t.replace {
                "replace rows".into()
            } else {
                "existing".into()
            },
        ]);
    }
    if tables.is_empty() {
        out.push_str("no tables to copy\n");
    } else {
        out.push_str("tables, in load order:\n");
        out.push_str(&tables.render("  "));
    }

    if columns {
        for t in &plan.tables {
            out.push('\n');
            out.push_str(&column_mapping(t));
        }
    }

    if let Some(t) = &plan.tenancy {
        out.push('\n');
        out.push_str(&super::tenancy::section(t));
    }

    if let Some(f) = &plan.framework {
        list(
            &mut out,
            "replaced (the target's rows are deleted and the source's loaded, in the one transaction)",
            &f.replaced,
        );
    }
    list(&mut out, "skipped tables", &plan.skipped_tables);
    list(
        &mut out,
        "not migrated (Ferry copies tables only)",
        &plan.not_migrated,
    );
    list(&mut out, "warnings", &plan.warnings);
    policies(&mut out, plan);
    if !plan.findings.is_empty() {
        out.push('\n');
        out.push_str(&findings(&plan.findings));
    }
    out.push('\n');
    out.push_str(&writes(&plan.writes));
    out
}

fn column_mapping(t: &TablePlan) -> String {
    let mut out = format!("{} → {}\n", t.source_table, t.target_table);
    let mut columns = TextTable::new(&[
        "source column",
        "source type",
        "",
        "target column",
        "target type",
        "rule",
        "on bad value",
    ]);
    for c in &t.columns {
        columns.row(vec![
            match (&c.source, &c.fill) {
                (Some(source), _) => source.clone(),
                (None, Some(_)) => "(none: set by the job)".into(),
                (None, None) => "(none: default)".into(),
            },
            c.source_type.clone(),
            "→".into(),
            c.target.clone(),
            c.target_type.clone(),
            c.rule.clone(),
            policy(c.policy).into(),
        ]);
    }
    out.push_str(&columns.render("  "));
    out
}

/// Findings, the unresolved blocking ones first, each with its samples and remedy.
pub fn findings(findings: &[Finding]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| (!f.is_blocking(), std::cmp::Reverse(f.severity)));
    let blocking = findings.iter().filter(|f| f.is_blocking()).count() as u64;
    let mut out = if blocking > 0 {
        format!(
            "findings ({}; {}):\n",
            count(findings.len() as u64, "finding", "findings"),
            count(blocking, "blocks the run", "block the run")
        )
    } else {
        format!("findings ({}, none blocking):\n", findings.len())
    };
    for f in sorted {
        let label = match (f.is_blocking(), f.severity, f.resolved_by) {
            (true, _, _) => "BLOCKING".to_string(),
            (false, _, Some(p)) => format!("resolved ({})", policy(p)),
            (false, Severity::Blocking | Severity::Warning, None) => "warning".into(),
            (false, Severity::Info, None) => "info".into(),
        };
        let place = match &f.column {
            Some(c) => format!("{}.{c}", f.table),
            None => f.table.clone(),
        };
        out.push_str(&format!(
            "  {label}  {place}: {} ({}, {})\n",
            f.message,
            count(f.count, "row", "rows"),
            f.kind
        ));
        for s in &f.samples {
            let detail = if s.detail.is_empty() {
                String::new()
            } else {
                format!("  ({})", s.detail)
            };
            out.push_str(&format!("      {}: {}{detail}\n", s.key, s.value));
        }
        let shown = f.samples.len() as u64;
        if f.count > shown && shown > 0 {
            out.push_str(&format!(
                "      … and {} more\n",
                thousands(f.count - shown)
            ));
        }
        let fix = super::remedies::words(&f.remedies);
        if f.is_blocking() && !fix.is_empty() {
            out.push_str(&format!("      fix: {fix}\n"));
        }
    }
    out
}

fn writes(w: &WriteSummary) -> String {
    let mut out = format!("will write to {}:\n", w.target);
    for e in &w.effects {
        out.push_str(&format!("  - {e}\n"));
    }
    out.push_str(&format!("backup: {}\n", w.backup));
    out
}

/// Promote's row-level-security policies, each with the exact statement it runs.
fn policies(out: &mut String, plan: &Plan) {
    let Some(t) = &plan.tenancy else { return };
    if t.policies.is_empty() {
        return;
    }
    out.push_str("\nrow-level security policies:\n");
    for p in &t.policies {
        out.push_str(&format!("  {} on {}:\n    {};\n", p.name, p.table, p.sql));
    }
}

fn list(out: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title}:\n"));
    for item in items {
        out.push_str(&format!("  {item}\n"));
    }
}

/// The spelling `--on-bad-value` accepts.
pub fn policy(p: Policy) -> &'static str {
    match p {
        Policy::Stop => "stop",
        Policy::Null => "null",
        Policy::SkipRow => "skip",
        Policy::AsText => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_engine::finding::Sample;

    fn finding(severity: Severity, resolved_by: Option<Policy>) -> Finding {
        Finding {
            severity,
            kind: ferry_engine::finding::ProblemKind::NotBoolean,
            table: "tasks".into(),
            column: Some("done".into()),
            count: 7,
            samples: vec![Sample {
                key: "id=4".into(),
                value: "'maybe'".into(),
                detail: String::new(),
            }],
            message: "values that are not booleans".into(),
            remedies: vec![ferry_engine::finding::Remedy::Policy {
                table: "tasks".into(),
                column: "done".into(),
                policy: Policy::Null,
            }],
            resolved_by,
        }
    }

    #[test]
    fn blocking_findings_come_first_with_their_remedy() {
        let text = findings(&[
            finding(Severity::Warning, None),
            finding(Severity::Blocking, None),
            finding(Severity::Blocking, Some(Policy::Null)),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "findings (3 findings; 1 blocks the run):");
        assert!(
            lines[1].starts_with("  BLOCKING  tasks.done: values that are not booleans (7 rows"),
            "{text}"
        );
        assert_eq!(lines[2], "      id=4: 'maybe'");
        assert_eq!(lines[3], "      … and 6 more");
        assert_eq!(lines[4], "      fix: --on-bad-value tasks.done=null");
        assert!(text.contains("resolved (null)  tasks.done"), "{text}");
        assert_eq!(
            text.matches("fix:").count(),
            1,
            "only blocking findings show a remedy:\n{text}"
        );
    }
}
