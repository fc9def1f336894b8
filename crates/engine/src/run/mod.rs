//! A run, phase by phase: the pipeline behind each of the engine's entry points
//! (`crate::api`). Data flows one way:
//! connect → introspect → plan → preflight → backup → schema → copy → finish (indexes,
//! constraints, sequences) → verify → commit or roll back → report. (`migrate`'s preflight
//! is the checks that need no pass over the values; its copy converts each value once.)
//!
//! [`Run`] carries what every phase needs (the options, the progress watcher, cancel, the
//! phase timer and the report being filled), so each phase is a short function of it.

pub mod backup;
pub mod copy;
pub mod export;
pub mod finish;
pub mod preflight;
pub mod report_html;
pub mod verify;

mod compare;
mod findings;
mod migrate;
mod prepare;
mod references;
mod replace;

use std::time::Instant;

use crate::model::location::mask_secrets;
use crate::model::options::Options;
use crate::model::progress::{Cancel, Event, Phase, Progress};
use crate::model::report::{Outcome, PhaseTiming, Report};
use crate::{Error, ErrorKind, Result};

pub use compare::compare;
pub use migrate::migrate;
pub use prepare::{inspect, plan, Inspection};

/// A run that did not succeed, with the report of how far it got.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct RunError {
    pub error: Error,
    pub report: Box<Report>,
}

/// One run in progress: what it was asked, who watches it, and what it has found so far.
pub(crate) struct Run<'a> {
    pub options: &'a Options,
    pub progress: &'a dyn Progress,
    pub cancel: &'a Cancel,
    pub phases: Phases<'a>,
    pub report: Report,
    started: Instant,
}

impl<'a> Run<'a> {
    pub fn new(
        command: &str,
        options: &'a Options,
        progress: &'a dyn Progress,
        cancel: &'a Cancel,
    ) -> Run<'a> {
        let mut report = Report::new(command, options.source.display(), options.target.display());
        report.dry_run = options.dry_run;
        Run {
            options,
            progress,
            cancel,
            phases: Phases::new(progress),
            report,
            started: Instant::now(),
        }
    }

    /// The report of a finished run: phases, time, and the outcome an error means.
    pub fn finish(self, result: Result<()>) -> std::result::Result<Report, RunError> {
        let mut report = self.report;
        report.phases = self.phases.timings;
        report.seconds = self.started.elapsed().as_secs_f64();
        match result {
            Ok(()) => Ok(report),
            Err(error) => {
                report.outcome = match error.kind() {
                    ErrorKind::Verification => Outcome::VerificationFailed,
                    ErrorKind::Cancelled => Outcome::Cancelled,
                    _ => Outcome::Failed,
                };
                report.error = Some(mask_secrets(&error.to_string()));
                Err(RunError {
                    error,
                    report: Box::new(report),
                })
            }
        }
    }
}

/// Times phases and tells the progress watcher.
pub(crate) struct Phases<'a> {
    progress: &'a dyn Progress,
    timings: Vec<PhaseTiming>,
}

impl<'a> Phases<'a> {
    pub fn new(progress: &'a dyn Progress) -> Self {
        Phases {
            progress,
            timings: vec![],
        }
    }

    /// Runs `f` as `phase`: started and finished events, and its time added to the phase's.
    pub fn run<T>(&mut self, phase: Phase, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.progress.event(Event::PhaseStarted { phase });
        let t = Instant::now();
        let result = f();
        let seconds = t.elapsed().as_secs_f64();
        self.progress.event(Event::PhaseFinished { phase, seconds });
        match self.timings.iter_mut().find(|p| p.phase == phase) {
            Some(p) => p.seconds += seconds,
            None => self.timings.push(PhaseTiming { phase, seconds }),
        }
        result
    }

    /// Whether `phase` has started in this run.
    pub fn reached(&self, phase: Phase) -> bool {
        self.timings.iter().any(|p| p.phase == phase)
    }

    /// The phase running last (or now).
    pub fn last(&self) -> Option<Phase> {
        self.timings.last().map(|p| p.phase)
    }
}
