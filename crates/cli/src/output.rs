//! What the terminal gets besides the requested output: settled once in `main` from
//! `--quiet` and the environment, read by the progress bars and the run summaries.
//!
//! A process-wide setting rather than a parameter threaded through every subcommand: it is
//! decided before any command runs and never changes, like `NO_COLOR` itself.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no progress bars and no run summary.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Progress bars only for a person: stderr is a terminal that can redraw lines (not
/// `TERM=dumb`), stdout is not carrying `--json`, and `--quiet` was not given. A log file or
/// a CI job's stderr therefore never fills with redrawn bars.
pub fn bars_wanted(json: bool) -> bool {
    !json
        && !quiet()
        && std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// <https://no-color.org>: a `NO_COLOR` set to anything but the empty string turns colour
/// and other text attributes (bold) off.
pub fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
