//! One typed event stream for everything that watches a run: the CLI's progress bars, the
//! app's Channel, and the report's phase timings all consume the same [`Event`]s.

use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The named phases of a run, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Connect,
    Introspect,
    Plan,
    Preflight,
    Backup,
    Schema,
    Copy,
    Indexes,
    Constraints,
    Sequences,
    Verify,
    Commit,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Connect => "connect",
            Phase::Introspect => "introspect",
            Phase::Plan => "plan",
            Phase::Preflight => "preflight",
            Phase::Backup => "backup",
            Phase::Schema => "schema",
            Phase::Copy => "copy",
            Phase::Indexes => "indexes",
            Phase::Constraints => "constraints",
            Phase::Sequences => "sequences",
            Phase::Verify => "verify",
            Phase::Commit => "commit",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    PhaseStarted {
        phase: Phase,
    },
    PhaseFinished {
        phase: Phase,
        seconds: f64,
    },
    /// A table's work in the current phase starts; `rows` is the expected count when known.
    TableStarted {
        phase: Phase,
        table: String,
        rows: Option<u64>,
    },
    /// Cumulative rows (and bytes, when known) done for the table in the current phase.
    TableProgress {
        phase: Phase,
        table: String,
        rows: u64,
        bytes: u64,
    },
    TableFinished {
        phase: Phase,
        table: String,
        rows: u64,
        seconds: f64,
    },
    Warning {
        message: String,
    },
}

/// Receives events from the engine; called from worker threads, so it must be cheap.
pub trait Progress: Send + Sync {
    fn event(&self, event: Event);
}

/// For callers that do not watch.
pub struct Silent;

impl Progress for Silent {
    fn event(&self, _: Event) {}
}

impl<F: Fn(Event) + Send + Sync> Progress for F {
    fn event(&self, event: Event) {
        self(event)
    }
}

/// Cancellation requested by the user (Ctrl-C, the app's Cancel button). Checked between
/// batches; a cancelled run rolls back and reports [`crate::Error::Cancelled`].
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err(Cancelled)` once cancellation was requested.
    pub fn check(&self) -> crate::Result<()> {
        if self.is_cancelled() {
            Err(crate::Error::Cancelled)
        } else {
            Ok(())
        }
    }
}
