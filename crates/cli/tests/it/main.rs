//! The `ferry` command's integration tests, run against the built binary: one test binary, a
//! module per subject; `util` holds the shared helpers.

mod util;

mod bundle;
mod cli;
mod crashed_sqlite;
mod extract;
mod faults;
mod hostile;
mod kill;
mod promote;
mod secrets;
