//! The `ferry` command's integration tests, run against the built binary: one test binary, a
//! module per subject; `util` holds the shared helpers.

mod util;

mod bundle;
mod cli;
mod crashed_sqlite;
mod distribute;
mod errors;
mod extract;
mod faults;
mod frameworks;
mod hostile;
mod hostile_table;
mod kill;
mod one_pass;
mod promote;
mod promote_rls;
mod promote_tenancy;
mod report_html;
mod row_security;
mod secrets;
