//! `ferry migrate --from A --to B`: plan, show, ask, run, report.
//!
//! The question comes after the plan because the plan is what the user agrees to: the
//! tables, the findings and exactly what will be written and backed up. Nothing is asked
//! when nothing will be written (`--dry-run`) or when the plan cannot run (blocking
//! findings: exit 2 with the findings and their remedies).

use ferry_engine::{Cancel, Error, Options, Phase};

use super::{early_report, finish_run, ReportFile, Watch};
use crate::args::MigrateArgs;
use crate::confirm;
use crate::exit::Code;
use crate::render;

/// # Errors
/// Usage errors (no terminal and no `--yes`), blocking findings, and the engine's errors;
/// the report is printed (and saved) before a run's error is returned.
pub fn run(args: &MigrateArgs, cancel: &Cancel) -> Result<Code, Error> {
    let mut options = args.run.to_options()?;
    args.promote.apply(&args.job, &mut options)?;
    args.extract.apply(&args.job, &mut options)?;
    run_with("migrate", options, args, cancel)
}

/// `migrate` with its options already made (`import` makes them with a bundle source);
/// `command` names the run in its report.
///
/// # Errors
/// As [`run`].
pub fn run_with(
    command: &str,
    mut options: Options,
    args: &MigrateArgs,
    cancel: &Cancel,
) -> Result<Code, Error> {
    options.dry_run = args.dry_run;
    let named = |result: Result<ferry_engine::Report, ferry_engine::RunError>| {
        result
            .map(|mut r| {
                r.command = command.to_string();
                r
            })
            .map_err(|mut e| {
                e.report.command = command.to_string();
                e
            })
    };

    // Refuse before connecting: a script that forgot --yes learns it at once, not after a
    // preflight scan of every table.
    let ask = !args.dry_run && !args.yes;
    if ask && !confirm::stdin_is_terminal() {
        return Err(Error::bad_input(
            "refusing to write without confirmation: stdin is not a terminal, so pass --yes to migrate without asking (or --dry-run to write nothing)",
        ));
    }
    let file = ReportFile::create(args.report.as_deref())?;

    // Nobody to ask (--yes, --dry-run): the run plans and preflights by itself, and its
    // report shows the plan and any findings; planning here too would scan the source twice.
    if !ask {
        let watch = Watch::new(args.json, Phase::Copy, None);
        let result = named(ferry_engine::migrate(&options, watch.progress(), cancel));
        watch.done();
        return finish_with_password(result, args.json, file);
    }

    let watch = Watch::new(args.json, Phase::Preflight, None);
    let planned = ferry_engine::plan(&options, watch.progress(), cancel);
    watch.done();
    let plan = match planned {
        Ok(plan) => plan,
        Err(error) => {
            return finish_run(
                Err(ferry_engine::RunError {
                    report: Box::new(early_report(command, &options, &error)),
                    error,
                }),
                args.json,
                file,
            )
        }
    };

    // With --json, stdout carries only the report; the summary a person must read before
    // answering goes to stderr. A script (--json --yes) gets no summary at all.
    let summary = render::plan_summary(&plan);
    if !args.json {
        render::to_stdout(&summary)?;
    } else if ask {
        render::to_stderr(&summary);
    }

    let blocking = plan.blocking_findings();
    if blocking > 0 {
        let error = Error::PreflightBlocked { count: blocking };
        let mut report = early_report(command, &options, &error);
        report.findings = plan.findings.clone();
        report.warnings = plan.warnings.clone();
        report.not_migrated = plan.not_migrated.clone();
        if args.json {
            return finish_run(
                Err(ferry_engine::RunError {
                    error,
                    report: Box::new(report),
                }),
                true,
                file,
            );
        }
        // The findings were just shown in the summary; only the file still needs the report.
        if let Some(file) = file {
            file.write(&report)?;
        }
        return Err(error);
    }

    if ask {
        let proceed = confirm::ask("Proceed?").map_err(|e| {
            Error::runtime(format!("cannot read the answer from the terminal: {e}"))
        })?;
        if !proceed {
            // Not an error, but not a success a script could mistake for a migration.
            render::to_stderr("ferry: not confirmed; nothing was written");
            if let Some(file) = file {
                file.write(&early_report(command, &options, &Error::Cancelled))?;
            }
            return Ok(Code::Cancelled);
        }
    }

    let watch = Watch::for_plan(args.json, Phase::Copy, &plan);
    let result = named(ferry_engine::migrate(&options, watch.progress(), cancel));
    watch.done();
    finish_with_password(result, args.json, file)
}

/// Prints and saves the report (which never holds the password), then shows Promote's
/// temporary password once, last, on stderr — the terminal, not stdout, which may be
/// carrying JSON into a file or another program.
fn finish_with_password(
    result: Result<ferry_engine::Report, ferry_engine::RunError>,
    json: bool,
    file: Option<ReportFile>,
) -> Result<Code, Error> {
    let shown = result.as_ref().ok().and_then(|r| {
        let admin = r.admin.as_ref()?;
        Some((admin.email.clone(), r.temporary_password.clone()?))
    });
    let code = finish_run(result, json, file);
    if let Some((email, password)) = shown {
        render::to_stderr(&render::temporary_password_notice(&email));
        render::to_stderr(password.expose());
    }
    code
}
