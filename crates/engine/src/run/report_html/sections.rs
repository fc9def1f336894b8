//! The page's sections, top to bottom: header and outcome, the job, each table's verification,
//! the job's checks, the backup, where the time went, what was copied, and the notes. Each
//! writes its own markup from the report's JSON; every value goes through [`super::esc`].

use std::fmt::Write as _;

use serde_json::Value;

use super::esc;
use super::values::{bytes, count, dash, seconds, Obj};

pub(super) fn header(page: &mut String, r: &Obj) {
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
pub(super) fn outcome(r: &Obj) -> (String, &'static str) {
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
pub(super) fn job(page: &mut String, r: &Obj) {
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

pub(super) fn verification(page: &mut String, r: &Obj) {
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

pub(super) fn checks(page: &mut String, r: &Obj) {
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

pub(super) fn backup(page: &mut String, r: &Obj) {
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
pub(super) fn phases(page: &mut String, r: &Obj) {
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

pub(super) fn copied(page: &mut String, r: &Obj) {
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

pub(super) fn notes(page: &mut String, r: &Obj) {
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
