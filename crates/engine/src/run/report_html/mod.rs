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

mod findings;
mod sections;
mod values;

use findings::findings;
use sections::{backup, checks, copied, header, job, notes, outcome, phases, verification};
use values::Obj;

/// The page's style sheet, kept in its own file so that this module is about content.
const STYLE: &str = include_str!("style.css");

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

#[cfg(test)]
mod tests;
