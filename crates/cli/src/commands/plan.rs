//! `ferry plan --from A --to B`: the mapping, load order, findings and writes, without
//! writing. Exits 2 when findings block the run, so a script can use it as a preflight check.

use ferry_engine::{Cancel, Error, Phase};

use super::Watch;
use crate::args::PlanArgs;
use crate::exit::Code;
use crate::render;

/// # Errors
/// The engine's errors; `PreflightBlocked` when findings block the run (after printing them).
pub fn run(args: &PlanArgs, cancel: &Cancel) -> Result<Code, Error> {
    let mut options = args.run.to_options()?;
    args.promote.apply(&mut options);
    let watch = Watch::new(args.json, Phase::Preflight, None);
    let plan = ferry_engine::plan(&options, watch.progress(), cancel);
    watch.done();
    let plan = plan?;
    let text = if args.json {
        render::json(&plan)?
    } else {
        render::plan_detail(&plan)
    };
    render::to_stdout(&text)?;
    match plan.blocking_findings() {
        0 => Ok(Code::Success),
        count => Err(Error::PreflightBlocked { count }),
    }
}
