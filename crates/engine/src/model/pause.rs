//! Test-only pause points, so fault tests can stop a run at a known place instead of a
//! guessed moment.
//!
//! With `FERRY_PAUSE_AT=NAME#N` in the environment, a run that reaches the point `NAME` for
//! the `N`-th time (`#N` may be left out: the first time) prints `ferry: paused at NAME#N`
//! on stderr and waits there — until the run is cancelled (Ctrl-C), otherwise for ever. The
//! test then SIGKILLs the process (or sends SIGINT) knowing exactly what had been done.
//! `FERRY_PAUSE_AT=list` pauses nowhere and prints `ferry: point NAME#N` for every point
//! reached, which is how a test learns the points of a run.
//!
//! Points are every progress event of a run ([`Watched`]: `PHASE:start`, `PHASE:end`,
//! `PHASE:TABLE:start`, `PHASE:TABLE:batch`, `PHASE:TABLE:end`) and a few places between
//! them that events do not mark (`target:statement` before each DDL statement,
//! `target:batch` as the writer takes each batch, `target:sqlite:before-rename`,
//! `backup:copied`, `copy:blocked` where a copy stopped by a value no policy resolves hands
//! over to the preflight's scan, and `constraints:refused` where a foreign key the target
//! refused hands over to the search for orphans, each before the target is rolled back).
//!
//! Inert unless the variable is set: the environment is read once, and after that a point
//! costs one load of a `OnceLock`.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::model::progress::{Cancel, Event, Progress};

const VARIABLE: &str = "FERRY_PAUSE_AT";

enum Mode {
    List,
    At { name: String, nth: u32 },
}

struct State {
    mode: Mode,
    /// Times each point was reached so far.
    counts: Mutex<HashMap<String, u32>>,
    /// Releases a pause: the run's cancel flag, once a run registered it.
    cancel: Mutex<Option<Cancel>>,
}

fn state() -> Option<&'static State> {
    static STATE: OnceLock<Option<State>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let value = std::env::var(VARIABLE).ok()?;
            let mode = if value == "list" {
                Mode::List
            } else {
                let (name, nth) = match value.rsplit_once('#') {
                    Some((name, n)) => (name.to_string(), n.parse().ok()?),
                    None => (value, 1),
                };
                Mode::At { name, nth }
            };
            Some(State {
                mode,
                counts: Mutex::new(HashMap::new()),
                cancel: Mutex::new(None),
            })
        })
        .as_ref()
}

/// The point `name` is reached.
pub fn at(name: &str) {
    let Some(state) = state() else { return };
    let nth = {
        let mut counts = state.counts.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(name.to_string()).or_insert(0);
        *n += 1;
        *n
    };
    match &state.mode {
        Mode::List => say(&format!("ferry: point {name}#{nth}")),
        Mode::At { name: want, nth: n } if want == name && *n == nth => {
            say(&format!("ferry: paused at {name}#{nth}"));
            loop {
                let cancel = state
                    .cancel
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                if cancel.is_some_and(|c| c.is_cancelled()) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        Mode::At { .. } => {}
    }
}

fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}

/// A run's progress watcher with every event a pause point. Without `FERRY_PAUSE_AT` the
/// run's own watcher is used unchanged.
pub struct Watched<'a> {
    inner: &'a dyn Progress,
}

impl<'a> Watched<'a> {
    /// Wraps `inner` when pause points are on; `cancel` releases a pause.
    pub fn wrap(inner: &'a dyn Progress, cancel: &Cancel) -> Option<Watched<'a>> {
        let state = state()?;
        *state.cancel.lock().unwrap_or_else(|e| e.into_inner()) = Some(cancel.clone());
        Some(Watched { inner })
    }
}

impl Progress for Watched<'_> {
    fn event(&self, event: Event) {
        let name = match &event {
            Event::PhaseStarted { phase } => format!("{}:start", phase.label()),
            Event::PhaseFinished { phase, .. } => format!("{}:end", phase.label()),
            Event::TableStarted { phase, table, .. } => format!("{}:{table}:start", phase.label()),
            Event::TableProgress { phase, table, .. } => {
                format!("{}:{table}:batch", phase.label())
            }
            Event::TableFinished { phase, table, .. } => format!("{}:{table}:end", phase.label()),
            Event::Warning { .. } => "warning".to_string(),
        };
        // Events of a finished step are passed on before pausing, so a watcher has seen them.
        self.inner.event(event);
        at(&name);
    }
}
