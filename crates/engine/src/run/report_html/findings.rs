//! The findings section: each finding with the policy chosen for it and its remedies in
//! words. Apart from the other sections because it words the engine's remedy data (the CLI
//! words the same data as flags, the app as labels; the page uses neither).

use std::fmt::Write as _;

use serde_json::Value;

use super::esc;
use super::values::{count, dash, Obj};

pub(super) fn findings(page: &mut String, r: &Obj) {
    let findings = r.arr("findings");
    page.push_str("<section id=\"findings\">\n<h2>Findings and the policies chosen</h2>\n");
    if findings.is_empty() {
        page.push_str(
            "<p class=\"muted\">None: the preflight scan found no value the target could not \
             hold as it is.</p>\n</section>\n",
        );
        return;
    }
    for f in findings {
        let f = Obj(f);
        let place = match f.str("column") {
            Some(column) => format!("{}.{column}", f.text("table")),
            None => f.text("table").to_string(),
        };
        let (policy, tone) = match (f.str("resolved_by"), f.str("severity")) {
            (Some(p), _) => (format!("policy chosen: {}", policy_words(p)), "good"),
            (None, Some("blocking")) => ("not resolved: it stopped the run".to_string(), "bad"),
            (None, _) => ("no policy needed".to_string(), "neutral"),
        };
        let _ = writeln!(
            page,
            "<article class=\"finding\">\n<p><span class=\"severity {}\">{}</span> \
             <span class=\"mono\">{}</span> · {} · {} row(s) · <span class=\"policy {tone}\">{}</span></p>\n\
             <p>{}</p>",
            esc(f.text("severity")),
            esc(f.text("severity")),
            esc(&place),
            esc(f.text("kind")),
            esc(&f.u64("count").map_or_else(dash, count)),
            esc(&policy),
            esc(f.text("message")),
        );
        let samples = f.arr("samples");
        if !samples.is_empty() {
            page.push_str(
                "<table class=\"samples\"><thead><tr><th>Row</th><th>Value</th><th>Why</th></tr></thead><tbody>\n",
            );
            for s in samples {
                let s = Obj(s);
                let _ = writeln!(
                    page,
                    "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                    esc(s.text("key")),
                    esc(s.text("value")),
                    esc(s.text("detail"))
                );
            }
            page.push_str("</tbody></table>\n");
        }
        // Reports since the remedies became data hold `remedies[]`; older ones one `remedy` text.
        let remedies: Vec<String> = match f.str("remedy") {
            Some(text) => vec![text.to_string()],
            None => f.arr("remedies").iter().map(remedy_words).collect(),
        };
        let remedies: Vec<String> = remedies.into_iter().filter(|r| !r.is_empty()).collect();
        if !remedies.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"remedy\">What can be done: {}</p>",
                esc(&remedies.join("; or "))
            );
        }
        page.push_str("</article>\n");
    }
    page.push_str("</section>\n");
}

/// One remedy (the engine's `Remedy`, tagged by `remedy`) in words.
fn remedy_words(remedy: &Value) -> String {
    let r = Obj(remedy);
    let place = || format!("{}.{}", r.text("table"), r.text("column"));
    match r.str("remedy") {
        Some("fix_data") => "fix the data in the source".into(),
        Some("policy") => format!("{} for {}", policy_words(r.text("policy")), place()),
        Some("epoch") => format!("read {} as Unix time in {}", place(), r.text("unit")),
        Some("dst_gap") => format!(
            "read wall-clock times in a daylight-saving gap as {}",
            r.text("policy")
        ),
        Some("dst_fold") => format!(
            "take the {} instant of a repeated wall-clock time",
            r.text("policy")
        ),
        Some("exclude_table") => format!("leave the table {} out", r.text("table")),
        Some("add_target_column") => format!("add {} to the target's schema", place()),
        Some("copy_and_replace") => {
            format!("copy {} too, replacing the target's rows", r.text("table"))
        }
        Some(other) => other.replace('_', " "),
        None => String::new(),
    }
}

fn policy_words(policy: &str) -> String {
    match policy {
        "null" => "store NULL (null)".into(),
        "skip-row" => "leave the rows out (skip-row)".into(),
        "as-text" => "keep the column as text (as-text)".into(),
        "stop" => "stop (stop)".into(),
        other => other.to_string(),
    }
}
