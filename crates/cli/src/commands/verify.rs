//! `ferry verify --from A --to B`: re-reads both databases and compares their content, with
//! `A`'s values converted as a migration with the same options would have converted them.

use ferry_engine::{Cancel, Error, Phase};

use super::{finish_run, ReportFile, Watch};
use crate::args::VerifyArgs;
use crate::exit::Code;

/// # Errors
/// Bad locations and unreadable databases; `VerificationFailed` (exit 1) when they differ,
/// after the report naming the tables and rows was printed.
pub fn run(args: &VerifyArgs, cancel: &Cancel) -> Result<Code, Error> {
    let options = args.run.to_options()?;
    let file = ReportFile::create(args.report.as_deref())?;
    let watch = Watch::new(args.json, Phase::Verify, None);
    let result = ferry_engine::verify(&options, watch.progress(), cancel);
    watch.done();
    finish_run(result, args.json, file)
}
