//! Every run's JSON report, saved where the person can find it again: the app's data folder
//! (`~/.local/share/dev.ferry.app/reports/` on Linux), one file per run, owner-only (0600),
//! never overwriting an earlier one, with the same report as a page beside it
//! (`ferry-report-<UTC time>.html`, the engine's `report_html`), the one "Open the report"
//! shows. The report holds masked locations only (the engine guarantees it) but may hold row
//! values from findings, hence the permissions of both.

use std::io::Write;
use std::path::{Path, PathBuf};

use ferry_engine::error::io_error;
use ferry_engine::run::report_html;
use ferry_engine::{Error, Report};

/// Where one run's report went.
#[derive(Debug)]
pub struct Saved {
    pub json: PathBuf,
    pub html: PathBuf,
}

/// Saves `report` as `dir/ferry-report-<UTC time>[-n].json` and its page beside it.
///
/// # Errors
/// When the folder or a file cannot be written.
pub fn save(dir: &Path, report: &Report) -> Result<Saved, Error> {
    let json = save_json(dir, report)?;
    let html = report_html::html_path_beside(&json);
    report_html::write_file(&html, &report_html::render(report))
        .map_err(|e| io_error("cannot write the report page", &html, e))?;
    Ok(Saved { json, html })
}

fn save_json(dir: &Path, report: &Report) -> Result<PathBuf, Error> {
    create_private_dir(dir)?;
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| Error::runtime(format!("cannot encode the report: {e}")))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let path = dir.join(format!("ferry-report-{stamp}{suffix}.json"));
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let mut file = match open.open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error("cannot create the report file", &path, e)),
        };
        file.write_all(json.as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all())
            .map_err(|e| io_error("cannot write the report", &path, e))?;
        return Ok(path);
    }
    Err(Error::runtime(format!(
        "no free report file name in {}",
        dir.display()
    )))
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| io_error("cannot create the reports folder", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let reports = dir.path().join("reports");
        let report = Report::new("migrate", "sqlite:a.db".into(), "postgres://u@h/d".into());
        let a = save(&reports, &report).unwrap();
        let b = save(&reports, &report).unwrap();
        assert_ne!(a.json, b.json);
        assert_ne!(
            a.html, b.html,
            "a second run's page does not replace the first's"
        );
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&a.json).unwrap()).unwrap();
        assert_eq!(json["command"], "migrate");
        assert_eq!(a.html, a.json.with_extension("html"));
        let page = std::fs::read_to_string(&a.html).unwrap();
        assert!(page.contains("postgres://u@h/d"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [&a.json, &a.html] {
                let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
            }
        }
    }
}
