//! Ferry's engine: moves an application's database between SQLite and PostgreSQL and proves
//! that nothing was lost.
//!
//! The run is a pipeline of named phases, data flowing one way:
//! connect → introspect → plan (mapping) → preflight → backup → copy (source reader → value
//! conversion → sink writer) → finish (keys, indexes, sequences) → verify → commit or roll
//! back → report. See `ARCHITECTURE.md` at the repository root.

pub mod catalog;
pub mod convert;
pub mod error;
pub mod location;
pub mod postgres;
pub mod progress;
pub mod sqlexpr;
pub mod sqlite;
pub mod temporal;
pub mod value;

pub use error::{Error, ErrorKind, Result};
