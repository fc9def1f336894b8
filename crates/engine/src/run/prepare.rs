//! Everything before the first write: connect to both sides, introspect, plan (with the job's
//! transforms) and run the preflight. `ferry inspect` and `ferry plan` stop here.

use crate::model::catalog::Catalog;
use crate::model::location::Location;
use crate::model::options::Options;
use crate::model::progress::{Cancel, Phase, Progress};
use crate::plan::build::{self, PlanInput};
use crate::plan::Plan;
use crate::run::Phases;
use crate::source::Source;
use crate::target::Target;
use crate::{Error, Result};

/// What `ferry inspect` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inspection {
    pub location: String,
    pub catalog: Catalog,
    pub warnings: Vec<String>,
}

/// Introspects one database: tables, columns, types, keys, indexes, row counts.
///
/// # Errors
/// Connection and bad-input errors for the location.
pub fn inspect(location: &Location, pg_schema: &str) -> Result<Inspection> {
    let mut source = Source::open(location, pg_schema)?;
    let catalog = source.introspect()?;
    let mut warnings = source.notes();
    warnings.extend(
        catalog
            .tables
            .iter()
            .flat_map(|t| t.notes.iter().map(move |n| format!("{}: {n}", t.name))),
    );
    Ok(Inspection {
        location: location.display(),
        catalog,
        warnings,
    })
}

/// Connects to both sides, introspects, maps types and runs the preflight; writes nothing.
///
/// # Errors
/// Connection and bad-input errors; findings are returned inside the plan, not as errors.
pub fn plan(options: &Options, progress: &dyn Progress, cancel: &Cancel) -> Result<Plan> {
    let mut phases = Phases::new(progress);
    let (_source, mut target, plan) = prepare(options, &mut phases, progress, cancel)?;
    target.rollback();
    Ok(plan)
}

/// Connect, introspect, plan and preflight: everything before the first write.
pub(crate) fn prepare(
    options: &Options,
    phases: &mut Phases,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<(Source, Target, Plan)> {
    let (mut source, mut target) = open_both(options, phases)?;
    let mut plan = plan_with(options, &mut source, &mut target, phases)?;
    phases.run(Phase::Plan, || {
        crate::jobs::transform_plan(options, &mut plan, &mut source)?;
        build::check_required_columns(&plan)
    })?;
    crate::plan::names::check(&plan, target.dialect())?;
    let to_sqlite = target.wants_sqlite_rows();
    phases.run(Phase::Preflight, || {
        crate::run::preflight::run(
            &mut source,
            &mut plan,
            to_sqlite,
            options.batch_rows,
            progress,
            cancel,
        )
    })?;
    Ok((source, target, plan))
}

fn open_both(options: &Options, phases: &mut Phases) -> Result<(Source, Target)> {
    if let (Location::Sqlite { path: a }, Location::Sqlite { path: b }) =
        (&options.source, &options.target)
    {
        if a == b
            || (a.exists()
                && b.exists()
                && std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok())
        {
            return Err(Error::bad_input("source and target are the same file"));
        }
    }
    phases.run(Phase::Connect, || {
        let source = Source::open(&options.source, &options.pg_schema)?;
        let target = Target::open(&options.target, &options.pg_schema)?;
        Ok((source, target))
    })
}

fn plan_with(
    options: &Options,
    source: &mut Source,
    target: &mut Target,
    phases: &mut Phases,
) -> Result<Plan> {
    let (mut source_catalog, mut target_catalog) = phases.run(Phase::Introspect, || {
        Ok((source.introspect()?, target.introspect_existing()?))
    })?;
    crate::jobs::transform_catalogs(options, &mut source_catalog, target_catalog.as_mut())?;
    let target_file_exists = matches!(&options.target, Location::Sqlite { path } if path.exists());
    let input = PlanInput {
        options,
        source: &source_catalog,
        target: target_catalog.as_ref(),
        target_dialect: target.dialect(),
        source_display: source.display().to_string(),
        target_display: target.display().to_string(),
        target_file_exists,
    };
    let mut plan = phases.run(Phase::Plan, || {
        build::build(&input, &mut |t, c| source.sqlite_storage_classes(t, c))
    })?;
    // How the source was read (a recovery applied) comes first: it qualifies everything else.
    plan.warnings.splice(0..0, source.notes());
    Ok(plan)
}
