//! PostgreSQL: connecting, introspecting, reading and writing with binary COPY, DDL.
//!
//! Everything takes a `&mut postgres::Client` so the same code reads a source snapshot, writes
//! a target inside its one transaction, and re-reads that target for verification before the
//! commit. Never call these from an async runtime thread: the sync client runs its own.

pub mod binary;
pub mod connect;
pub mod ddl;
mod defaults;
mod domains;
pub mod introspect;
pub mod read;
pub mod row_security;
pub mod shared_snapshot;
mod types;
pub mod write;

pub use connect::{connect, describe_error, is_connection_error};
