//! One module per subcommand, each a short script over the engine's API: parse locations,
//! call the engine, render or print JSON, pick an exit code. Shared pieces (progress
//! watching, the report file) live here.

mod completions;
mod export;
mod import;
mod inspect;
mod manpage;
mod mapping;
mod migrate;
mod plan;
mod report;
mod verify;

use std::io::Write;
use std::path::{Path, PathBuf};

use ferry_engine::progress::Silent;
use ferry_engine::report::{Outcome, Report};
use ferry_engine::run::report_html;
use ferry_engine::{Cancel, Error, Options, Phase, Progress};

use crate::args::Command;
use crate::exit::Code;
use crate::output;
use crate::progress_bars::Bars;
use crate::render;

/// Runs one subcommand.
///
/// # Errors
/// The engine's error (already masked by the engine; `main` masks again) or a usage error;
/// `main` prints it and turns its kind into the exit code.
pub fn run(command: &Command, cancel: &Cancel) -> Result<Code, Error> {
    match command {
        Command::Inspect(args) => inspect::run(args),
        Command::Plan(args) => plan::run(args, cancel),
        Command::Migrate(args) => migrate::run(args, cancel),
        Command::Verify(args) => verify::run(args, cancel),
        Command::Export(args) => export::run(args, cancel),
        Command::Import(args) => import::run(args, cancel),
        Command::Mapping(args) => mapping::run(args),
        Command::Report(args) => report::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Manpage(args) => manpage::run(args),
    }
}

/// Progress bars when a person watches stderr ([`output::bars_wanted`]).
struct Watch {
    bars: Option<Bars>,
}

impl Watch {
    fn new(json: bool, main_phase: Phase, expected_rows: Option<u64>) -> Watch {
        let bars = output::bars_wanted(json).then(|| Bars::new(main_phase, expected_rows));
        Watch { bars }
    }

    /// Bars whose tables' totals come from `plan` (the run may not count them before its
    /// copy).
    fn for_plan(json: bool, main_phase: Phase, plan: &ferry_engine::plan::Plan) -> Watch {
        let expected: Option<u64> = plan.tables.iter().map(|t| t.rows).sum();
        let rows = plan
            .tables
            .iter()
            .filter_map(|t| Some((t.target_table.clone(), t.rows?)))
            .collect();
        let bars = output::bars_wanted(json)
            .then(|| Bars::new(main_phase, expected).with_planned_rows(rows));
        Watch { bars }
    }

    fn progress(&self) -> &dyn Progress {
        match &self.bars {
            Some(bars) => bars,
            None => &Silent,
        }
    }

    /// Takes the bars off the screen before anything else is printed.
    fn done(self) {
        if let Some(bars) = &self.bars {
            bars.clear();
        }
    }
}

/// The `--report FILE`, created before the run starts so that a path that cannot be written
/// is a usage error before anything connects, not a surprise after a long copy. Beside it
/// goes the same report as a page to read and hand on (`FILE` with `.html`).
struct ReportFile {
    path: PathBuf,
    file: std::fs::File,
}

impl ReportFile {
    fn create(path: Option<&Path>) -> Result<Option<ReportFile>, Error> {
        let Some(path) = path else { return Ok(None) };
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let file = open.open(path).map_err(|e| {
            let folder = path.parent().filter(|d| !d.as_os_str().is_empty());
            let why = match (folder, e.kind()) {
                (Some(d), _) if !d.is_dir() => format!("its folder {} does not exist", d.display()),
                (_, std::io::ErrorKind::PermissionDenied) => "permission denied".to_string(),
                (_, std::io::ErrorKind::IsADirectory) => "it is a directory".to_string(),
                _ => e.to_string(),
            };
            Error::bad_input(format!(
                "cannot create the report file {}: {why}",
                path.display()
            ))
        })?;
        // An existing file keeps its mode on open; the report may hold row values, so it is
        // narrowed explicitly.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| {
                    ferry_engine::error::io_error(
                        "cannot restrict the report file's permissions",
                        path,
                        e,
                    )
                })?;
        }
        Ok(Some(ReportFile {
            path: path.to_path_buf(),
            file,
        }))
    }

    fn write(mut self, report: &Report) -> Result<(), Error> {
        let json = render::json(report)?;
        self.file
            .write_all(json.as_bytes())
            .and_then(|_| self.file.write_all(b"\n"))
            .and_then(|_| self.file.sync_all())
            .map_err(|e| ferry_engine::error::io_error("cannot write the report", &self.path, e))?;
        let html = report_html::html_path_beside(&self.path);
        report_html::write_file(&html, &report_html::render(report))
            .map_err(|e| ferry_engine::error::io_error("cannot write the report page", &html, e))
    }
}

/// Prints a finished run's report (JSON or human) and saves it, then gives the exit code.
/// The report is printed even when the run failed: it says how far it got.
fn finish_run(
    result: Result<Report, ferry_engine::RunError>,
    json: bool,
    file: Option<ReportFile>,
) -> Result<Code, Error> {
    let (report, error) = match result {
        Ok(report) => (report, None),
        Err(run_error) => (*run_error.report, Some(run_error.error)),
    };
    let saved = file.map(|f| f.write(&report)).transpose();
    if json {
        render::to_stdout(&render::json(&report)?)?;
    } else if !output::quiet() {
        render::to_stdout(&render::report(&report))?;
    }
    if let Some(error) = error {
        return Err(error);
    }
    if let Err(e) = saved {
        return Err(Error::runtime(format!(
            "{}, but the report was not saved: {e}",
            render::outcome_line(&report)
        )));
    }
    Ok(Code::for_outcome(report.outcome))
}

/// A report for a run that ended before the engine could make one (the planning step
/// failed, or preflight blocked it), so `--json` and `--report` always get a report.
fn early_report(command: &str, options: &Options, error: &Error) -> Report {
    let mut report = Report::new(command, options.source.display(), options.target.display());
    report.dry_run = options.dry_run;
    report.outcome = if error.kind() == ferry_engine::ErrorKind::Cancelled {
        Outcome::Cancelled
    } else {
        Outcome::Failed
    };
    report.error = Some(ferry_engine::location::mask_secrets(&error.to_string()));
    report
}
