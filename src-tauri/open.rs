//! "Open the report", "Open the folder": hands a path to the desktop (`xdg-open` on Linux),
//! which opens the HTML report in the browser and a folder in the file manager.
//!
//! Only two kinds of request are honoured, so the page cannot be made to launch an arbitrary
//! file: the *folder* of an existing path (a folder opens in the file manager, never runs), and
//! a report page (`.html`) inside the app's reports folder.
//!
//! In debug builds (the ones the end-to-end tests drive), `FERRY_TEST_OPEN_LOG=FILE` records
//! each request as one JSON line in FILE instead of launching anything: a test can check what
//! would have opened, and no browser or file manager pops up on the test display. Release
//! builds (the .deb) ignore the variable.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::ui_error::UiError;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Open {
    /// The folder holding this file (or this folder).
    FolderOf,
    /// A report page saved by the app.
    Report,
}

/// What `request` resolves to on disk: the folder, or the report page.
///
/// # Errors
/// A path that does not exist, or a "report" that is not one of the app's report pages.
pub fn resolve(what: Open, path: &Path, reports_dir: &Path) -> Result<PathBuf, UiError> {
    let path = path
        .canonicalize()
        .map_err(|e| UiError::runtime(format!("cannot open {}: {e}", path.display())))?;
    match what {
        Open::FolderOf if path.is_dir() => Ok(path),
        Open::FolderOf => path
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| UiError::runtime(format!("{} has no folder", path.display()))),
        Open::Report => {
            let reports = reports_dir
                .canonicalize()
                .unwrap_or_else(|_| reports_dir.into());
            let is_page = path.extension().is_some_and(|e| e == "html");
            if is_page && path.starts_with(&reports) {
                Ok(path)
            } else {
                Err(UiError::runtime(format!(
                    "{} is not one of Ferry's report pages",
                    path.display()
                )))
            }
        }
    }
}

/// Opens `path` with the desktop's default application, without waiting for it.
///
/// # Errors
/// When the opener cannot be started (no `xdg-open`: package xdg-utils).
pub fn launch(what: Open, path: &Path) -> Result<(), UiError> {
    #[cfg(debug_assertions)]
    if let Some(log) = std::env::var_os("FERRY_TEST_OPEN_LOG") {
        return record(Path::new(&log), what, path);
    }
    let _ = what;
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|e| {
            UiError::runtime(format!(
                "cannot start {opener} to open {}: {e} (on Debian/Ubuntu: sudo apt install xdg-utils)",
                path.display()
            ))
        })?;
    // xdg-open hands over to the real application and exits; reap it so it leaves no zombie.
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(debug_assertions)]
fn record(log: &Path, what: Open, path: &Path) -> Result<(), UiError> {
    use std::io::Write;
    let line = serde_json::json!({
        "what": match what { Open::FolderOf => "folder_of", Open::Report => "report" },
        "path": path.display().to_string(),
    });
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .and_then(|mut f| writeln!(f, "{line}"))
        .map_err(|e| UiError::runtime(format!("cannot record the open request: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_and_report_pages_open() {
        let dir = tempfile::tempdir().unwrap();
        let reports = dir.path().join("reports");
        std::fs::create_dir(&reports).unwrap();
        let page = reports.join("ferry-report-1.html");
        let db = dir.path().join("app.db");
        std::fs::write(&page, "<html>").unwrap();
        std::fs::write(&db, "").unwrap();
        let root = dir.path().canonicalize().unwrap();

        assert_eq!(resolve(Open::FolderOf, &db, &reports).unwrap(), root);
        assert_eq!(resolve(Open::FolderOf, dir.path(), &reports).unwrap(), root);
        assert_eq!(
            resolve(Open::Report, &page, &reports).unwrap(),
            page.canonicalize().unwrap()
        );
        // Not a page, or not in the reports folder, or not there at all: refused.
        assert!(resolve(Open::Report, &db, &reports).is_err());
        let elsewhere = dir.path().join("evil.html");
        std::fs::write(&elsewhere, "").unwrap();
        assert!(resolve(Open::Report, &elsewhere, &reports).is_err());
        assert!(resolve(Open::FolderOf, &dir.path().join("gone.db"), &reports).is_err());
    }
}
