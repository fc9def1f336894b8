//! `ferry inspect LOCATION`: what is in a database, before deciding anything.

use ferry_engine::{Error, Location};

use crate::args::InspectArgs;
use crate::exit::Code;
use crate::render;

/// # Errors
/// Bad locations, missing files, connection errors: all from the engine.
pub fn run(args: &InspectArgs) -> Result<Code, Error> {
    let location = Location::parse(&args.location)?;
    let inspection = ferry_engine::inspect(&location, &args.schema)?;
    let text = if args.json {
        render::json(&inspection)?
    } else {
        render::inspection(&inspection)
    };
    render::to_stdout(&text)?;
    Ok(Code::Success)
}
