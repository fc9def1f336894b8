//! PostgreSQL: connecting, introspecting, reading and writing with binary COPY, DDL.
//!
//! Everything takes a `&mut postgres::Client` so the same code reads a source snapshot, writes
//! a target inside its one transaction, and re-reads that target for verification before the
//! commit. Never call these from an async runtime thread: the sync client runs its own.

pub mod binary;
pub mod connect;
pub mod copy_in;
pub mod copy_out;
pub mod ddl;
mod domains;
pub mod introspect;
mod pg_default;
mod pg_types;
pub mod row_security;

pub use connect::{connect, describe_error, is_connection_error};
