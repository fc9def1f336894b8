//! The engine's front door: the things a front end asks for. Each connects, runs its
//! phases (`crate::run`) and returns a typed result; none prints or prompts.

use crate::model::location::Location;
use crate::model::options::Options;
use crate::model::progress::{Cancel, Progress};
use crate::model::report::Report;
use crate::plan::Plan;
use crate::Result;

pub use crate::run::{Inspection, RunError};

/// Introspects one database: tables, columns, types, keys, indexes, row counts.
///
/// # Errors
/// Connection and bad-input errors for the location.
pub fn inspect(location: &Location, pg_schema: &str) -> Result<Inspection> {
    crate::run::inspect(location, pg_schema)
}

/// Connects to both sides, introspects, maps types and runs the preflight; writes nothing.
///
/// # Errors
/// Connection and bad-input errors; findings are returned inside the plan, not as errors.
pub fn plan(options: &Options, progress: &dyn Progress, cancel: &Cancel) -> Result<Plan> {
    crate::run::plan(options, progress, cancel)
}

/// The full run: plan, preflight, backup, copy, finish, verify, then commit (or roll back
/// on dry run, failure or cancel). A bundle target is an [`export`].
///
/// # Errors
/// A [`RunError`] carrying the error and the report so far.
pub fn migrate(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    crate::run::migrate(options, progress, cancel)
}

/// Writes `options.source` into a new bundle folder (`options.target`), checked by reading
/// it back, then renamed into place.
///
/// # Errors
/// A [`RunError`] carrying the error and the report so far.
pub fn export(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    crate::run::export::export(options, progress, cancel)
}

/// Compares the content of two databases table by table, re-reading both.
///
/// # Errors
/// A [`RunError`] when either side cannot be read; a content difference is
/// `Error::VerificationFailed` inside it, with the report naming tables and rows.
pub fn verify(
    options: &Options,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> std::result::Result<Report, RunError> {
    crate::run::compare(options, progress, cancel)
}
