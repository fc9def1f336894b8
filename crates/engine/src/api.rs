//! The engine's front door: the four things a front end asks for. Each connects, runs its
//! phases and returns a typed result; none prints or prompts.

use crate::catalog::Catalog;
use crate::location::Location;
use crate::options::Options;
use crate::plan::Plan;
use crate::progress::{Cancel, Progress};
use crate::report::Report;
use crate::{Error, Result};

/// What `ferry inspect` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inspection {
    pub location: String,
    pub catalog: Catalog,
    pub warnings: Vec<String>,
}

/// A run that did not succeed, with the report of how far it got.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct RunError {
    pub error: Error,
    pub report: Box<Report>,
}

/// Introspects one database: tables, columns, types, keys, indexes, row counts.
///
/// # Errors
/// Connection and bad-input errors for the location.
pub fn inspect(location: &Location, pg_schema: &str) -> Result<Inspection> {
    let _ = (location, pg_schema);
    todo!("integrator")
}

/// Connects to both sides, introspects, maps types and runs the preflight; writes nothing.
///
/// # Errors
/// Connection and bad-input errors; findings are returned inside the plan, not as errors.
pub fn plan(options: &Options, progress: &dyn Progress, cancel: &Cancel) -> Result<Plan> {
    let _ = (options, progress, cancel);
    todo!("integrator")
}

/// The full run: plan, preflight, backup, copy, finish, verify, then commit (or roll back
/// on dry run, failure or cancel).
///
/// # Errors
/// A [`RunError`] carrying the error and the report so far.
pub fn migrate(options: &Options, progress: &dyn Progress, cancel: &Cancel) -> std::result::Result<Report, RunError> {
    let _ = (options, progress, cancel);
    todo!("integrator")
}

/// Compares the content of two databases table by table (re-reading both).
///
/// # Errors
/// A [`RunError`] when either side cannot be read; a content difference is
/// `Error::VerificationFailed` inside it, with the report naming tables and rows.
pub fn verify(a: &Location, b: &Location, pg_schema: &str, progress: &dyn Progress, cancel: &Cancel) -> std::result::Result<Report, RunError> {
    let _ = (a, b, pg_schema, progress, cancel);
    todo!("integrator")
}
