//! `ferry report FILE.json [--out FILE.html]`: the page of a saved report, rendered by the
//! engine from the JSON as it is (`report_html::render_json`), so a report written by another
//! version of Ferry renders too. The page a run wrote beside its report and this one are the
//! same bytes.

use std::path::Path;

use ferry_engine::run::report_html;
use ferry_engine::Error;

use crate::args::ReportArgs;
use crate::exit::Code;
use crate::{output, render};

/// # Errors
/// `BadInput` when the file cannot be read or is not a Ferry JSON report; I/O errors
/// writing the page.
pub fn run(args: &ReportArgs) -> Result<Code, Error> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", args.file.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::bad_input(format!(
            "{} is not JSON ({e}); give the file a run saved with --report",
            args.file.display()
        ))
    })?;
    if !report_html::looks_like_report(&value) {
        return Err(Error::bad_input(format!(
            "{} is JSON but not a Ferry report (no format_version, outcome and source); give the file a run saved with --report",
            args.file.display()
        )));
    }
    let page = report_html::render_json(&value);
    let out = match &args.out {
        Some(path) if path == Path::new("-") => {
            render::to_stdout(&page)?;
            return Ok(Code::Success);
        }
        Some(path) => path.clone(),
        None => report_html::html_path_beside(&args.file),
    };
    report_html::write_file(&out, &page)
        .map_err(|e| ferry_engine::error::io_error("cannot write the report page", &out, e))?;
    if !output::quiet() {
        render::to_stdout(&out.display().to_string())?;
    }
    Ok(Code::Success)
}
