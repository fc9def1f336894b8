//! Jobs: what a run does besides copying. Copy is the plain copy; Promote (single-user SQLite →
//! multi-user PostgreSQL) and Extract (one user's rows of a multi-user PostgreSQL → a
//! single-user SQLite) are transforms on the plan and the row stream, not copies of the copier
//! (DESIGN.md, "Shape of the code").
//!
//! A job takes part in a run at these points, all called from [`crate::api`]:
//! 0. [`transform_catalogs`], after introspection and before planning: the schema the planner
//!    sees (Extract plans from the single-user view of the source);
//! 1. [`transform_plan`], after the plan is built and before the preflight: choose rows
//!    (`TablePlan::source_filter`), add or drop columns, set constant values
//!    (`ColumnPlan::fill`), rename tables;
//! 2. [`prepare_target`], inside the target's transaction after the schema is created and
//!    before rows are copied: e.g. insert the admin user and put its id into the plan;
//!    2b. [`finish_target`], still inside the transaction after the rows, indexes, constraints
//!    and sequences: DDL that needs the finished tables (Promote's Citus distribution);
//! 3. [`invariants`], during verification: the job's own checks (no NULL owner, exactly one
//!    admin, singletons have one row), which the report lists beside the digests.

pub mod extract;
pub mod promote;

use crate::model::catalog::Catalog;
use crate::model::options::{Job, Options};
use crate::model::report::{Check, Report};
use crate::plan::Plan;
use crate::source::Source;
use crate::target::Target;
use crate::Result;

/// Step 0: adjusts the catalogs the planner sees.
///
/// # Errors
/// `BadInput` when the job cannot apply to these databases (the reason named).
pub fn transform_catalogs(
    options: &Options,
    source: &mut Catalog,
    target: Option<&mut Catalog>,
) -> Result<()> {
    match &options.job {
        Job::Extract(e) => extract::transform_catalogs(options, e, source, target),
        _ => Ok(()),
    }
}

/// Step 1: reshapes the plan for the job.
///
/// # Errors
/// `BadInput` when the job cannot apply to these databases (the reason named).
pub fn transform_plan(options: &Options, plan: &mut Plan, source: &mut Source) -> Result<()> {
    match &options.job {
        Job::Promote(o) => promote::transform_plan(o, options, plan),
        Job::Copy => {
            let _ = (plan, source);
            Ok(())
        }
        Job::Extract(e) => extract::transform_plan(options, e, plan, source),
    }
}

/// Step 2: writes what the job needs in the target before the rows, inside its transaction.
///
/// # Errors
/// Database errors; the run then rolls back.
pub fn prepare_target(options: &Options, plan: &mut Plan, target: &mut Target) -> Result<()> {
    match &options.job {
        Job::Promote(o) => promote::prepare_target(o, plan, target),
        Job::Copy | Job::Extract(_) => {
            let _ = (plan, target);
            Ok(())
        }
    }
}

/// Step 2b: what the job writes after the rows, indexes, constraints and sequences, still
/// inside the target's transaction (Promote's `--distribute` on a Citus target).
///
/// # Errors
/// Database errors; the run then rolls back.
pub fn finish_target(options: &Options, plan: &Plan, target: &mut Target) -> Result<()> {
    match &options.job {
        Job::Promote(o) => promote::finish_target(o, plan, target),
        Job::Copy | Job::Extract(_) => {
            let _ = (plan, target);
            Ok(())
        }
    }
}

/// Step 3: the job's invariants, checked on the target (and the source where a check needs
/// an independent count).
///
/// # Errors
/// Database errors while checking; a failed invariant is a `Check` with `passed: false`.
pub fn invariants(
    options: &Options,
    plan: &Plan,
    source: &mut Source,
    target: &mut Target,
) -> Result<Vec<Check>> {
    match &options.job {
        Job::Promote(o) => promote::invariants(o, options, plan, source, target),
        Job::Copy => {
            let _ = (plan, source, target);
            Ok(vec![])
        }
        Job::Extract(e) => extract::invariants(options, e, plan, source, target),
    }
}

/// After the run: what the job adds to the report (Promote: the admin account and, only when
/// the run committed, the temporary password for the front end to show once).
pub fn finish_report(options: &Options, plan: &Plan, report: &mut Report) {
    match &options.job {
        Job::Promote(o) => promote::finish_report(
            o,
            plan,
            report,
            report.outcome == crate::model::report::Outcome::Committed,
        ),
        Job::Copy | Job::Extract(_) => {}
    }
}
