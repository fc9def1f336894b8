//! Long work off the UI: every engine call runs on its own `std::thread`.
//!
//! Why not Tauri's async runtime (or its blocking pool): the engine's PostgreSQL client is
//! the synchronous `postgres` crate, which drives its own Tokio runtime and must not be
//! called from inside another one. A plain thread has no runtime context, and the async
//! command that started it just awaits a one-shot channel, so the window stays responsive.

use std::sync::Mutex;

use ferry_engine::Cancel;

use crate::ui_error::UiError;

/// Runs `work` on a new thread named `name` and waits for its result without blocking.
///
/// # Errors
/// When the thread cannot start or dies (a panic in the engine), as a runtime error.
pub async fn off_the_ui<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, UiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(format!("ferry-{name}"))
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| UiError::runtime(format!("cannot start a worker thread: {e}")))?;
    rx.await.map_err(|_| {
        UiError::runtime(format!(
            "the {name} step stopped unexpectedly (an internal error; the terminal that started Ferry shows the details)"
        ))
    })
}

/// The run in progress (a plan or a migration), so Cancel can reach it. One at a time: the
/// page never starts a second while one runs, and this refuses it if it tried.
#[derive(Default)]
pub struct Runs {
    current: Mutex<Option<Cancel>>,
}

/// Ends the registration when the run ends, however it ends.
pub struct RunGuard<'a> {
    runs: &'a Runs,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        *self.runs.lock() = None;
    }
}

impl Runs {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cancel>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new run and gives its cancel flag.
    ///
    /// # Errors
    /// When another run is still in progress.
    pub fn begin(&self) -> Result<(RunGuard<'_>, Cancel), UiError> {
        let mut current = self.lock();
        if current.is_some() {
            return Err(UiError::runtime(
                "another step is still running; wait for it or cancel it first",
            ));
        }
        let cancel = Cancel::new();
        *current = Some(cancel.clone());
        Ok((RunGuard { runs: self }, cancel))
    }

    /// Asks the run in progress to stop; false when nothing runs.
    pub fn cancel(&self) -> bool {
        match &*self.lock() {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_at_a_time_and_cancel_reaches_it() {
        let runs = Runs::default();
        assert!(!runs.cancel(), "nothing to cancel yet");
        let (guard, cancel) = runs.begin().unwrap();
        assert!(runs.begin().is_err(), "a second run must be refused");
        assert!(runs.cancel());
        assert!(cancel.is_cancelled());
        drop(guard);
        let (_guard, again) = runs.begin().unwrap();
        assert!(!again.is_cancelled(), "a new run starts uncancelled");
    }

    #[test]
    fn work_runs_on_a_thread_without_a_runtime() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let inside = rt.block_on(off_the_ui("probe", || {
            tokio::runtime::Handle::try_current().is_ok()
        }));
        assert!(!inside.unwrap(), "the worker must not see a runtime");
        let died = rt.block_on(off_the_ui("panicking", || -> u8 { panic!("on purpose") }));
        assert!(died.unwrap_err().message.contains("panicking"));
    }
}
