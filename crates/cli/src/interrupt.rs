//! Ctrl-C: the first asks the engine to stop ([`Cancel::cancel`]; it checks between batches,
//! rolls back and returns a report); the second exits at once with code 4.
//!
//! Exiting without waiting is safe: a PostgreSQL target is one transaction that the server
//! rolls back when the connection drops, and a SQLite target is a temporary file that the
//! next run cleans up. While the user is being asked to confirm nothing has started, so
//! there the first Ctrl-C exits.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use ferry_engine::Cancel;

use crate::exit::Code;

static PRESSES: AtomicU32 = AtomicU32::new(0);
static AT_PROMPT: AtomicBool = AtomicBool::new(false);

/// Installs the handler. `graceful`: the command checks `cancel` (plan, migrate, verify);
/// for the others the first Ctrl-C exits. A failure to install only loses the graceful
/// path, so it is a warning, not an error.
pub fn install(cancel: &Cancel, graceful: bool) {
    let cancel = cancel.clone();
    let installed = ctrlc::set_handler(move || {
        let presses = PRESSES.fetch_add(1, Ordering::SeqCst) + 1;
        if !graceful || presses >= 2 || AT_PROMPT.load(Ordering::SeqCst) {
            eprintln!("\nferry: interrupted; nothing was committed");
            std::process::exit(Code::Cancelled.as_i32());
        }
        // Said before the engine hears it: once cancelled, a run near its end can roll back
        // and exit before this thread would get to say it.
        eprintln!("\nferry: cancelling (rolling back; press Ctrl-C again to exit at once)");
        cancel.cancel();
    });
    if let Err(e) = installed {
        eprintln!("ferry: warning: cannot handle Ctrl-C gracefully: {e}");
    }
}

/// While the returned guard lives, Ctrl-C exits at once.
pub fn at_prompt() -> PromptGuard {
    AT_PROMPT.store(true, Ordering::SeqCst);
    PromptGuard
}

pub struct PromptGuard;

impl Drop for PromptGuard {
    fn drop(&mut self) {
        AT_PROMPT.store(false, Ordering::SeqCst);
    }
}
