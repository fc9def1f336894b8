//! Running a list of independent reads on a few threads, each with its own connection: the
//! shape of the parallel preflight and the parallel verification of SQLite files.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::{Error, Result};

/// How many readers to use: one per core, at least two (one core still overlaps reading a
/// file with digesting or converting it), at most eight.
pub fn reader_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Lowers the calling thread's CPU priority (Linux: nice 10 for this thread only; elsewhere
/// nothing), so that it takes only the CPU the run's other threads leave: for work that runs
/// beside the run's critical path (the verifier's digests beside the index builds) and would
/// otherwise slow that path by as much as it gains.
pub fn yield_cpu_to_others() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no preconditions; setpriority on a thread id changes only that
    // thread's nice value (a failure leaves it as it was, which is harmless).
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}

/// How many parts to cut a table into per reader: a few, so that when one reader is held up
/// (by the one long foreign-key check, by a part with the big rows) the others still find work
/// and all finish together, instead of one reader running alone at the end.
pub const PARTS_PER_THREAD: usize = 4;

/// Runs every item of `work` on up to `threads` worker threads. Each worker first makes its
/// own state with `open` (a connection), then takes items from a shared queue in order and
/// runs `task` on them. Returns the results in the order of `work`, whatever the scheduling;
/// every worker is joined, and the first error (or a panic) is the result.
///
/// # Errors
/// The first error of `open` or `task`.
pub fn run<W, S, R>(
    work: Vec<W>,
    threads: usize,
    open: impl Fn() -> Result<S> + Sync,
    task: impl Fn(&mut S, W) -> Result<R> + Sync,
) -> Result<Vec<R>>
where
    W: Send,
    R: Send,
{
    let count = work.len();
    let queue = Mutex::new(work.into_iter().enumerate().collect::<VecDeque<_>>());
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, count.max(1)))
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    let mut state = open()?;
                    loop {
                        let next = queue.lock().map_err(poisoned)?.pop_front();
                        let Some((i, item)) = next else {
                            return Ok(());
                        };
                        let result = task(&mut state, item)?;
                        results.lock().map_err(poisoned)?[i] = Some(result);
                    }
                })
            })
            .collect();
        let mut first_error = None;
        for w in workers {
            let outcome = w.join().unwrap_or_else(|_| Err(panicked()));
            if let (Err(e), None) = (outcome, &first_error) {
                first_error = Some(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    })?;
    results
        .into_inner()
        .map_err(poisoned)?
        .into_iter()
        .map(|r| r.ok_or_else(|| Error::runtime("internal: a work item was not run")))
        .collect()
}

fn panicked() -> Error {
    Error::runtime("a worker thread panicked")
}

fn poisoned<T>(_: T) -> Error {
    panicked()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_work_order_and_the_first_error_wins() {
        let squares = run(
            (0..50u64).collect(),
            3,
            || Ok(0u64),
            |seen, n| {
                *seen += 1;
                Ok(n * n)
            },
        )
        .unwrap();
        assert_eq!(squares, (0..50u64).map(|n| n * n).collect::<Vec<_>>());

        let failed = run(
            (0..20u64).collect(),
            2,
            || Ok(()),
            |_, n| {
                if n == 7 {
                    Err(Error::runtime("item 7"))
                } else {
                    Ok(n)
                }
            },
        );
        assert!(failed.unwrap_err().to_string().contains("item 7"));
        let refused = run(
            vec![1],
            2,
            || Err::<(), _>(Error::runtime("no connection")),
            |_, n: i32| Ok(n),
        );
        assert!(refused.unwrap_err().to_string().contains("no connection"));
    }
}
