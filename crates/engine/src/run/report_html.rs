//! The verification report as a document to hand on: one self-contained HTML page (no
//! external assets, no script; a Content-Security-Policy forbids both, so a value that
//! escaped its escaping still could not load or run anything) that shows what a run did and
//! proved: source and target (masked, as the report holds them), the job, every table's
//! verification with its digests, the job's invariants, the backup and its SHA-256, where the
//! time went (an inline SVG bar chart), and the findings with the policy chosen for each.
//!
//! Why it renders from a [`serde_json::Value`] and not from a deserialized [`Report`]: the
//! page must render *any* saved report (`ferry report FILE.json`), including ones written by
//! an older or newer Ferry. The JSON format only ever gains fields (README, "Report format"),
//! so reading it field by field and showing "—" for what is missing is exactly as tolerant as
//! the format promises; a `Deserialize` derive would refuse a report with a changed field and
//! would have to be added to every type the report holds (findings, phases, policies…), for
//! no gain in what the page can show. [`render`] goes through the same JSON, so the page
//! written beside a run's report and the page `ferry report` renders from that file are the
//! same bytes (tested by the CLI).
//!
//! Every piece of text that comes from the report goes through [`esc`]; markup is only ever
//! produced by this module's literals.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::report::Report;

/// The page's style sheet, kept in its own file so that this module is about content.
const STYLE: &str = include_str!("report_html.css");

/// Renders a run's report as a self-contained HTML page.
pub fn render(report: &Report) -> String {
    // Serializing a Report cannot fail: it holds only strings, numbers and plain enums.
    let value = serde_json::to_value(report).unwrap_or(Value::Null);
    render_json(&value)
}

/// Renders a report already in its JSON form (a saved `--report` file).
///
/// Anything that is not a JSON object renders as a page that says so: a front end checks
/// that what it read is a report before calling this (see [`looks_like_report`]).
pub fn render_json(report: &Value) -> String {
    let r = Obj(report);
    let mut page = String::with_capacity(16 * 1024);
    let title = format!(
        "Ferry report: {} → {} ({})",
        r.text("source"),
        r.text("target"),
        outcome(&r).0
    );
    let _ = writeln!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Ferry {}\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>",
        esc(r.text("ferry_version")),
        esc(&title)
    );
    header(&mut page, &r);
    job(&mut page, &r);
    verification(&mut page, &r);
    checks(&mut page, &r);
    backup(&mut page, &r);
    phases(&mut page, &r);
    copied(&mut page, &r);
    findings(&mut page, &r);
    notes(&mut page, &r);
    let _ = writeln!(
        page,
        "<footer>Written by Ferry {} · report format {} · the JSON report beside this page holds the same facts.</footer>\n</main>\n</body>\n</html>",
        esc(r.text("ferry_version")),
        esc(&r.display("format_version"))
    );
    page
}

/// Whether a JSON document is a Ferry report (what `ferry report` accepts).
pub fn looks_like_report(value: &Value) -> bool {
    let r = Obj(value);
    value.is_object()
        && r.get("format_version").is_some_and(Value::is_u64)
        && r.get("outcome").is_some_and(Value::is_string)
        && r.get("source").is_some_and(Value::is_string)
}

/// Where the page of a JSON report saved at `json` goes: the same name with `.html`.
pub fn html_path_beside(json: &Path) -> PathBuf {
    let html = json.with_extension("html");
    if html == json {
        // `--report out.html`: the JSON already has that name; never overwrite it.
        let mut name = json.as_os_str().to_owned();
        name.push(".html");
        PathBuf::from(name)
    } else {
        html
    }
}

/// Writes a page owner-only (0600), like the JSON report: both may hold row values from
/// findings. An existing file is replaced and narrowed to 0600 too.
///
/// # Errors
/// The I/O error of creating, narrowing or writing the file.
pub fn write_file(path: &Path, html: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut file = open.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(html.as_bytes())?;
    file.sync_all()
}

/// Escapes text for HTML element content and quoted attribute values alike.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters (a NUL in a finding's value) would make the page invalid;
            // show them as the escape a person can read.
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

fn header(page: &mut String, r: &Obj) {
    let (headline, tone) = outcome(r);
    let _ = writeln!(
        page,
        "<header>\n<p class=\"brand\">Ferry · verification report</p>\n\
         <h1 class=\"outcome {tone}\" id=\"outcome\">{}</h1>",
        esc(&headline)
    );
    if let Some(error) = r.str("error") {
        let _ = writeln!(page, "<p class=\"error\" id=\"error\">{}</p>", esc(error));
    }
    let _ = writeln!(
        page,
        "<dl class=\"facts\">\n<dt>Source</dt><dd class=\"mono\" id=\"source\">{}</dd>\n\
         <dt>Target</dt><dd class=\"mono\" id=\"target\">{}</dd>\n\
         <dt>Command</dt><dd>ferry {}{}</dd>\n<dt>Started</dt><dd>{} (UTC)</dd>\n\
         <dt>Took</dt><dd>{}</dd>\n</dl>\n</header>",
        esc(r.text("source")),
        esc(r.text("target")),
        esc(r.text("command")),
        if r.bool("dry_run") == Some(true) {
            " --dry-run"
        } else {
            ""
        },
        esc(&r.text("started_at").replace('T', " ").replace('Z', "")),
        esc(&r.f64("seconds").map_or_else(dash, seconds))
    );
}

/// The headline and its colour class.
fn outcome(r: &Obj) -> (String, &'static str) {
    let passed = r.obj("verification").and_then(|v| v.bool("passed"));
    let writes = matches!(r.str("command"), Some("migrate" | "import" | "export"));
    let untouched = if writes {
        ": nothing was committed, the target is as it was"
    } else {
        ""
    };
    match r.str("outcome") {
        Some("committed") if passed == Some(true) => ("Verified and committed".into(), "good"),
        Some("committed") => ("Committed".into(), "good"),
        Some("rolled_back") if passed == Some(true) => (
            "Dry run verified, then rolled back: nothing was written".into(),
            "neutral",
        ),
        Some("rolled_back") => ("Rolled back: nothing was written".into(), "neutral"),
        Some("verified") => (
            "Verified: the two databases hold the same rows".into(),
            "good",
        ),
        Some("planned") => ("Planned: nothing was written".into(), "neutral"),
        Some("verification_failed") => (format!("Verification failed{untouched}"), "bad"),
        Some("cancelled") => (format!("Cancelled{untouched}"), "warn"),
        Some("failed") => (format!("Failed{untouched}"), "bad"),
        Some(other) => (format!("Outcome: {other}"), "neutral"),
        None => ("Not a Ferry report (no outcome)".into(), "bad"),
    }
}

/// The job. The report names it only through what the job added (Promote: the admin
/// account; Extract: its `extract:` checks or a bundle), so it is read from those.
fn job(page: &mut String, r: &Obj) {
    let checks = r
        .obj("verification")
        .map(|v| v.arr("checks"))
        .unwrap_or(&[]);
    let extract = checks
        .iter()
        .any(|c| Obj(c).text("name").starts_with("extract:"));
    let (name, what) = if r.get("admin").is_some_and(Value::is_object) {
        (
            "Promote",
            "A single-user SQLite app into a multi-user PostgreSQL one.",
        )
    } else if extract {
        ("Extract", "One user's data into a single-user SQLite file.")
    } else {
        ("Copy", "Every selected table, row for row.")
    };
    let _ = writeln!(
        page,
        "<section id=\"job\">\n<h2>Job: {name}</h2>\n<p>{}</p>",
        esc(what)
    );
    if let Some(admin) = r.obj("admin") {
        let created = if admin.bool("created") == Some(true) {
            "created"
        } else {
            "not created (the run did not commit)"
        };
        let _ = writeln!(
            page,
            "<dl class=\"facts\">\n<dt>Admin email</dt><dd id=\"admin-email\">{}</dd>\n\
             <dt>Username</dt><dd>{}</dd>\n<dt>Users table</dt><dd class=\"mono\">{}</dd>\n\
             <dt>User id</dt><dd class=\"mono\">{}</dd>\n<dt>Password</dt><dd>stored as a {} hash; \
             the temporary password was shown once and is in no file</dd>\n\
             <dt>Account</dt><dd>{created}</dd>\n</dl>",
            esc(admin.text("email")),
            esc(admin.str("username").unwrap_or("—")),
            esc(admin.text("users_table")),
            esc(admin.str("user_id").unwrap_or("—")),
            esc(admin.text("password_hash")),
        );
    }
    if let Some(bundle) = r.obj("bundle") {
        let _ = writeln!(
            page,
            "<dl class=\"facts\">\n<dt>Bundle</dt><dd class=\"mono\">{}</dd>\n\
             <dt>In it</dt><dd>{} tables, {} rows</dd>\n</dl>",
            esc(bundle.text("dir")),
            esc(&bundle.display("tables")),
            esc(&bundle.u64("rows").map_or_else(dash, count)),
        );
    }
    page.push_str("</section>\n");
}

fn verification(page: &mut String, r: &Obj) {
    page.push_str("<section id=\"verification\">\n<h2>Verification</h2>\n");
    let Some(v) = r.obj("verification") else {
        page.push_str(
            "<p class=\"muted\">The run ended before the verifier re-read the databases.</p>\n</section>\n",
        );
        return;
    };
    let tables = v.arr("tables");
    let matching = tables
        .iter()
        .filter(|t| Obj(t).bool("digest_match") == Some(true))
        .count();
    let _ = writeln!(
        page,
        "<p>{}: {matching} of {} tables have the same content digest on both sides (every row's \
         canonical values, in key order, re-read from each database).</p>",
        if v.bool("passed") == Some(true) {
            "Passed"
        } else {
            "Not passed"
        },
        tables.len()
    );
    page.push_str(
        "<table class=\"verify\">\n<thead><tr><th>Table</th><th class=\"num\">Source rows</th>\
         <th class=\"num\">Target rows</th><th>Content</th><th>SHA-256 digest of the rows</th></tr></thead>\n<tbody>\n",
    );
    for t in tables {
        let t = Obj(t);
        let ok = t.bool("digest_match") == Some(true);
        let same_count = t.u64("source_rows") == t.u64("target_rows");
        let digests = if ok {
            format!(
                "<span class=\"digest\">{}</span>",
                esc(t.text("source_digest"))
            )
        } else {
            format!(
                "<span class=\"digest\">source {}</span><br><span class=\"digest\">target {}</span>",
                esc(t.text("source_digest")),
                esc(t.text("target_digest"))
            )
        };
        let _ = writeln!(
            page,
            "<tr class=\"{}\"><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"num{}\">{}</td>\
             <td class=\"mark\">{}</td><td>{digests}</td></tr>",
            if ok { "ok" } else { "differs" },
            esc(t.text("table")),
            esc(&t.u64("source_rows").map_or_else(dash, count)),
            if same_count { "" } else { " bad" },
            esc(&t.u64("target_rows").map_or_else(dash, count)),
            if ok { "✓ same" } else { "✗ differs" },
        );
        let differences = t.arr("differences");
        if !differences.is_empty() {
            page.push_str("<tr class=\"differences\"><td colspan=\"5\"><ul>");
            for d in differences {
                let d = Obj(d);
                let _ = write!(
                    page,
                    "<li><span class=\"mono\">{}</span> — {}: {}</li>",
                    esc(d.text("key")),
                    esc(&d.text("kind").replace('_', " ")),
                    esc(d.text("detail"))
                );
            }
            page.push_str("</ul></td></tr>\n");
        }
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

fn checks(page: &mut String, r: &Obj) {
    let Some(v) = r.obj("verification") else {
        return;
    };
    let checks = v.arr("checks");
    page.push_str("<section id=\"checks\">\n<h2>Checks of the target</h2>\n");
    if checks.is_empty() {
        page.push_str("<p class=\"muted\">No target-wide checks apply to this run.</p>\n");
    } else {
        page.push_str("<ul class=\"checks\">\n");
        for c in checks {
            let c = Obj(c);
            let ok = c.bool("passed") == Some(true);
            let _ = writeln!(
                page,
                "<li class=\"{}\"><span class=\"mark\">{}</span> <strong>{}</strong> — {}</li>",
                if ok { "ok" } else { "differs" },
                if ok { "✓" } else { "✗" },
                esc(c.text("name")),
                esc(c.text("detail"))
            );
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
}

fn backup(page: &mut String, r: &Obj) {
    page.push_str("<section id=\"backup\">\n<h2>Backup</h2>\n");
    match r.obj("backup") {
        Some(b) => {
            let _ = writeln!(
                page,
                "<dl class=\"facts\">\n<dt>Of</dt><dd class=\"mono\">{}</dd>\n\
                 <dt>Saved as</dt><dd class=\"mono\" id=\"backup-path\">{}</dd>\n\
                 <dt>Size</dt><dd>{}</dd>\n<dt>SHA-256</dt><dd class=\"digest\" id=\"backup-sha256\">{}</dd>\n\
                 <dt>Re-checked</dt><dd>{}</dd>\n</dl>",
                esc(b.text("of")),
                esc(b.text("path")),
                esc(&b.u64("bytes").map_or_else(dash, bytes)),
                esc(b.text("sha256")),
                if b.bool("rechecked") == Some(true) {
                    "yes: re-read after writing, SHA-256 and integrity check equal"
                } else {
                    "no"
                }
            );
        }
        None => page.push_str(
            "<p class=\"muted\">None needed: no existing file was replaced (a PostgreSQL target \
             is written in one transaction, committed only after verification).</p>\n",
        ),
    }
    page.push_str("</section>\n");
}

/// Where the time went: one bar per phase, its length the phase's share of the run.
fn phases(page: &mut String, r: &Obj) {
    let phases: Vec<(String, f64)> = r
        .arr("phases")
        .iter()
        .map(|p| {
            let p = Obj(p);
            (p.text("phase").to_string(), p.f64("seconds").unwrap_or(0.0))
        })
        .collect();
    page.push_str("<section id=\"phases\">\n<h2>Where the time went</h2>\n");
    if phases.is_empty() {
        page.push_str("<p class=\"muted\">No phase was timed.</p>\n</section>\n");
        return;
    }
    let total: f64 = phases.iter().map(|(_, s)| s.max(0.0)).sum();
    let longest = phases.iter().map(|(_, s)| *s).fold(0.0, f64::max);
    // Drawn in a fixed coordinate space that the browser scales to the page's width.
    const ROW: f64 = 22.0;
    const LABEL: f64 = 110.0;
    const BAR: f64 = 420.0;
    const WIDTH: f64 = 680.0;
    let height = ROW * phases.len() as f64 + 4.0;
    let _ = writeln!(
        page,
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"phases-title\" viewBox=\"0 0 {WIDTH} {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"phases-title\">Time per phase, {} in all</title>",
        esc(&seconds(total))
    );
    for (i, (name, secs)) in phases.iter().enumerate() {
        let y = ROW * i as f64 + 2.0;
        let share = if total > 0.0 { secs / total } else { 0.0 };
        // A phase too short to see still gets a hairline, so every row visibly has a bar.
        let w = (share * BAR).max(1.0);
        let class = if *secs == longest && total > 0.0 {
            "bar top"
        } else {
            "bar"
        };
        let _ = writeln!(
            page,
            "<g class=\"phase\"><text x=\"0\" y=\"{ty}\">{label}</text>\
             <rect class=\"{class}\" x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\" rx=\"2\"/>\
             <text class=\"value\" x=\"{vx:.1}\" y=\"{ty}\">{value} · {pct:.0}%</text></g>",
            ty = y + 14.0,
            label = esc(name),
            bh = ROW - 8.0,
            vx = LABEL + w + 6.0,
            value = esc(&seconds(*secs)),
            pct = share * 100.0,
        );
    }
    page.push_str("</svg>\n</section>\n");
}

fn copied(page: &mut String, r: &Obj) {
    let tables = r.arr("tables");
    if tables.is_empty() {
        return;
    }
    page.push_str(
        "<section id=\"tables\">\n<h2>Rows copied</h2>\n<table>\n<thead><tr><th>Source table</th>\
         <th>Target table</th><th class=\"num\">Read</th><th class=\"num\">Written</th>\
         <th class=\"num\">Re-read</th><th class=\"num\">Data</th><th class=\"num\">Time</th></tr></thead>\n<tbody>\n",
    );
    for t in tables {
        let t = Obj(t);
        let _ = writeln!(
            page,
            "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(t.text("source_table")),
            esc(t.text("target_table")),
            esc(&t.u64("rows_read").map_or_else(dash, count)),
            esc(&t.u64("rows_written").map_or_else(dash, count)),
            esc(&t.u64("rows_verified").map_or_else(dash, count)),
            esc(&t.u64("bytes").map_or_else(dash, bytes)),
            esc(&t.f64("seconds").map_or_else(dash, seconds)),
        );
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

fn findings(page: &mut String, r: &Obj) {
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

fn notes(page: &mut String, r: &Obj) {
    for (key, heading) in [("warnings", "Warnings"), ("not_migrated", "Not migrated")] {
        let items = r.arr(key);
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(
            page,
            "<section id=\"{}\">\n<h2>{heading}</h2>\n<ul>",
            key.replace('_', "-")
        );
        for item in items {
            let text = item
                .as_str()
                .map_or_else(|| item.to_string(), str::to_string);
            let _ = writeln!(page, "<li>{}</li>", esc(&text));
        }
        page.push_str("</ul>\n</section>\n");
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the JSON and putting numbers in words
// ---------------------------------------------------------------------------------------------

/// A JSON object read leniently: a missing or mistyped field is `None`, shown as "—".
struct Obj<'a>(&'a Value);

impl<'a> Obj<'a> {
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }
    fn str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }
    fn text(&self, key: &str) -> &'a str {
        self.str(key).unwrap_or("—")
    }
    fn u64(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(Value::as_u64)
    }
    fn f64(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }
    fn bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }
    fn arr(&self, key: &str) -> &'a [Value] {
        self.get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
    fn obj(&self, key: &str) -> Option<Obj<'a>> {
        self.get(key).filter(|v| v.is_object()).map(Obj)
    }
    /// Any scalar as text.
    fn display(&self, key: &str) -> String {
        match self.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => dash(),
        }
    }
}

fn dash() -> String {
    "—".into()
}

fn seconds(s: f64) -> String {
    if s < 0.001 {
        format!("{:.2} ms", s * 1000.0)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 60.0 {
        format!("{s:.2} s")
    } else {
        format!("{} min {:.0} s", (s / 60.0).floor(), s % 60.0)
    }
}

/// 1234567 → "1,234,567".
fn count(n: u64) -> String {
    let reversed: Vec<char> = n.to_string().chars().rev().collect();
    let groups: Vec<String> = reversed
        .chunks(3)
        .map(|g| g.iter().rev().collect())
        .collect();
    groups.into_iter().rev().collect::<Vec<_>>().join(",")
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {} ({} bytes)", UNITS[unit], count(n))
}

#[cfg(test)]
#[path = "report_html_tests.rs"]
mod tests;
