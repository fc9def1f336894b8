//! Keeping a run's memory flat.
//!
//! Rows stream in bounded batches, but with glibc's default of one malloc arena per core ×8,
//! every thread that allocates batches (source reader, target writer, parallel readers) gets
//! its own arena, and memory freed in one arena is not reused by another: the resident size
//! creeps up with the number of rows moved (measured: 75 MB at 1M rows against 49 MB at 100k
//! for PostgreSQL → SQLite; 57 MB with two arenas). Front ends call [`limit_allocator_arenas`]
//! once, at start-up, before any thread exists, and the engine calls
//! [`release_free_memory`] between phases.
//!
//! The binaries allocate Rust's memory with mimalloc (`#[global_allocator]` in each `main`):
//! a copy allocates and frees every value it moves, and glibc's malloc and free were a fifth
//! of a PostgreSQL → SQLite run's CPU (perf, 1M rows per table); with mimalloc the copy took
//! 12.1 s instead of 16.3 s. mimalloc frees a thread's memory for reuse by every thread, so
//! memory stays flat with it too. SQLite (C) still allocates from the C library, which is what
//! the two functions here tune.

/// Caps glibc's malloc arenas at two (no effect with other C libraries).
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before threads are started.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hands memory freed by a finished phase back to the system (glibc keeps it otherwise, and
/// the next phase's allocations land elsewhere): called between phases so the peak of a run
/// is the peak of its largest phase, not their sum.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}
