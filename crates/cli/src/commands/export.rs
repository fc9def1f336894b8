//! `ferry export --from A --to FOLDER`: write a bundle, check it by reading it back, move it
//! into place. Nothing is asked: an export only ever creates a new folder (an existing
//! non-empty one is refused), so there is nothing to confirm.

use ferry_engine::{Cancel, Error, Phase};

use super::{finish_run, ReportFile, Watch};
use crate::args::ExportArgs;
use crate::exit::Code;

/// # Errors
/// Usage errors and the engine's errors; the report is printed (and saved) first.
pub fn run(args: &ExportArgs, cancel: &Cancel) -> Result<Code, Error> {
    let options = args.to_options()?;
    let file = ReportFile::create(args.report.as_deref())?;
    let watch = Watch::new(args.json, Phase::Copy, None);
    let result = ferry_engine::export(&options, watch.progress(), cancel);
    watch.done();
    finish_run(result, args.json, file)
}
