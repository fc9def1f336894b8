//! The commands the page calls. Each is a thin step: turn the request into engine input,
//! run the engine off the UI thread (`worker.rs`), turn the answer into what the page shows.

use std::path::PathBuf;

use std::sync::Arc;

use ferry_engine::report::Outcome;
use ferry_engine::secret::SecretString;
use ferry_engine::{Event, Report};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use crate::connection::{self, Role};
use crate::extract_users::UserList;
use crate::framework::{self, FrameworkView};
use crate::next_steps::{self, NextSteps};
use crate::open::{self, Open};
use crate::progress::ChannelProgress;
use crate::recent::{self, Recent};
use crate::request::{ExtractRequest, LocationRequest, RunRequest};
use crate::review::Review;
use crate::ui_error::UiError;
use crate::worker::{off_the_ui, Runs};
use crate::{pick, report_file, zones};

/// What the page shows about the running build and this machine.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// Every crate shares the workspace version, so this package's version is the engine's.
    engine_version: &'static str,
    /// This machine's time zone, offered for naive timestamps.
    local_time_zone: String,
    time_zones: Vec<&'static str>,
    /// Where run reports are saved.
    reports_dir: String,
    /// The SQLite file the app was started with (`ferry-app FILE`, "Open with"): the source.
    open_with: Option<String>,
}

/// The path the app was started with, kept for the page's first `app_info`.
pub struct Launch {
    pub source: Option<String>,
}

#[tauri::command]
pub fn app_info(app: AppHandle, launch: State<'_, Launch>) -> AppInfo {
    AppInfo {
        engine_version: env!("CARGO_PKG_VERSION"),
        local_time_zone: zones::local(),
        time_zones: zones::all(),
        reports_dir: reports_dir(&app).display().to_string(),
        open_with: launch.source.clone(),
    }
}

/// "Open the report" and the "Open … folder" buttons (`open.rs` says what may be opened).
#[tauri::command]
pub fn open_path(app: AppHandle, what: Open, path: String) -> Result<(), UiError> {
    let resolved = open::resolve(what, std::path::Path::new(&path), &reports_dir(&app))?;
    open::launch(what, &resolved)
}

#[tauri::command]
pub async fn test_connection(
    location: LocationRequest,
    role: Role,
    schema: String,
) -> Result<String, UiError> {
    off_the_ui("connection test", move || {
        let location = location.to_location()?;
        connection::test(&location, role, schema_or_public(&schema)).map_err(UiError::from)
    })
    .await?
}

/// The plan for the Review step: connects to both sides, maps types, runs the preflight;
/// writes nothing. Cancellable like a run.
#[tauri::command]
pub async fn plan(
    app: AppHandle,
    request: RunRequest,
    progress: Channel<Event>,
) -> Result<Review, UiError> {
    let options = request.to_options()?;
    let config_dir = config_dir(&app);
    off_the_ui("plan", move || {
        let runs = app.state::<Runs>();
        let (_guard, cancel) = runs.begin()?;
        let plan = ferry_engine::plan(&options, &ChannelProgress::new(progress), &cancel)?;
        // Worth remembering once both sides answered; failing to remember is not an error.
        if let Some(dir) = config_dir {
            let _ = recent::remember(&dir, Role::Source, &request.source);
            let _ = recent::remember(&dir, Role::Target, &request.target);
        }
        Ok(Review::new(plan, &options))
    })
    .await?
}

/// The Job step's framework line: the framework of the two databases and the storage
/// convention the run will use, from their catalogs (no values are read); writes nothing.
#[tauri::command]
pub async fn detect_framework(request: RunRequest) -> Result<FrameworkView, UiError> {
    let options = request.to_options()?;
    off_the_ui("framework detection", move || {
        let source = ferry_engine::inspect(&options.source, &options.pg_schema)?.catalog;
        let target = framework::catalog_if_present(&options.target, &options.pg_schema)?;
        Ok(framework::view(&options, &source, target.as_ref()))
    })
    .await?
}

/// Extract's user list and owner columns, read from the source (PostgreSQL) with the
/// Extract form's users table and owner columns; writes nothing.
#[tauri::command]
pub async fn extract_users(
    source: LocationRequest,
    schema: String,
    extract: ExtractRequest,
) -> Result<UserList, UiError> {
    off_the_ui("user list", move || {
        let location = source.to_location()?;
        let options = extract.to_options()?;
        let candidates = ferry_engine::jobs::extract::candidates(
            &location,
            schema_or_public(&schema),
            &options,
        )?;
        Ok(UserList::from(candidates))
    })
    .await?
}

/// How a run ended, for the Result step.
#[derive(Debug, Serialize)]
pub struct RunOutcome {
    pub report: Report,
    /// Where the JSON report was saved (`None` if saving failed: see `save_error`).
    pub report_path: Option<String>,
    /// The same report as a page, beside it ("Open the report").
    pub report_html_path: Option<String>,
    /// After a committed run: the "What next" panel.
    pub next: Option<NextSteps>,
    pub save_error: Option<UiError>,
    /// Why the run did not succeed, if it did not.
    pub error: Option<UiError>,
    /// After a committed Promote: the admin's temporary password, handed to the page once
    /// in this answer and nowhere else (the saved report skips it; `Debug` redacts it).
    #[serde(serialize_with = "show_once")]
    pub temporary_password: Option<Arc<SecretString>>,
}

/// The one place the temporary password leaves Rust: serialized into the page's answer.
fn show_once<S: serde::Serializer>(
    password: &Option<Arc<SecretString>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::Serialize as _;
    password.as_ref().map(|p| p.expose()).serialize(serializer)
}

/// The password to show: only when the run committed (a dry run's admin never existed).
fn password_to_show(report: &Report) -> Option<Arc<SecretString>> {
    match report.outcome {
        Outcome::Committed => report.temporary_password.clone(),
        _ => None,
    }
}

/// The migration: runs on a worker thread, streams progress over `progress`, saves the
/// report, and answers when the run is over (committed, rolled back, failed or cancelled).
#[tauri::command]
pub async fn start_run(
    app: AppHandle,
    request: RunRequest,
    progress: Channel<Event>,
) -> Result<RunOutcome, UiError> {
    let options = request.to_options()?;
    let dir = reports_dir(&app);
    off_the_ui("run", move || {
        let runs = app.state::<Runs>();
        let (_guard, cancel) = runs.begin()?;
        let result = ferry_engine::migrate(&options, &ChannelProgress::new(progress), &cancel);
        let (report, error) = match result {
            Ok(report) => (report, None),
            Err(e) => (*e.report, Some(UiError::from(&e.error))),
        };
        let (report_path, report_html_path, save_error) = match report_file::save(&dir, &report) {
            Ok(saved) => (
                Some(saved.json.display().to_string()),
                Some(saved.html.display().to_string()),
                None,
            ),
            Err(e) => (None, None, Some(UiError::from(&e))),
        };
        Ok(RunOutcome {
            temporary_password: password_to_show(&report),
            next: next_steps::after(&options.target, &report),
            report,
            report_path,
            report_html_path,
            save_error,
            error,
        })
    })
    .await?
}

/// Asks the plan or run in progress to stop; it rolls back and answers as cancelled.
#[tauri::command]
pub fn cancel_run(runs: State<'_, Runs>) -> bool {
    runs.cancel()
}

#[tauri::command]
pub async fn pick_path(
    app: AppHandle,
    role: Role,
    current: Option<String>,
) -> Result<Option<String>, UiError> {
    Ok(pick::sqlite_file(&app, role, current.as_deref()))
}

#[tauri::command]
pub fn recent_locations(app: AppHandle) -> Vec<Recent> {
    config_dir(&app)
        .map(|d| recent::load(&d))
        .unwrap_or_default()
}

fn schema_or_public(schema: &str) -> &str {
    match schema.trim() {
        "" => "public",
        s => s,
    }
}

fn config_dir(app: &AppHandle) -> Option<PathBuf> {
    app.path().app_config_dir().ok()
}

fn reports_dir(app: &AppHandle) -> PathBuf {
    app.path()
        .app_data_dir()
        .unwrap_or_else(|_| std::env::temp_dir().join("ferry"))
        .join("reports")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_reaches_the_page_answer_only_and_only_when_committed() {
        let mut report = Report::new("migrate", "a.db".into(), "postgres://h/db".into());
        report.temporary_password = Some(Arc::new(SecretString::new("s3cret-Pw".into())));
        report.outcome = Outcome::RolledBack;
        assert!(password_to_show(&report).is_none(), "a dry run shows none");
        report.outcome = Outcome::Committed;
        let outcome = RunOutcome {
            temporary_password: password_to_show(&report),
            report,
            report_path: None,
            report_html_path: None,
            next: None,
            save_error: None,
            error: None,
        };
        let json = serde_json::to_value(&outcome).unwrap();
        assert_eq!(json["temporary_password"], "s3cret-Pw");
        assert!(
            !json["report"].to_string().contains("s3cret"),
            "not in the report"
        );
        assert!(
            !format!("{outcome:?}").contains("s3cret"),
            "not in Debug output"
        );
    }
}
