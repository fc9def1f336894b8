//! Ferry's engine: moves an application's database between SQLite and PostgreSQL and proves
//! that nothing was lost.
//!
//! The run is a pipeline of named phases, data flowing one way:
//! connect → introspect → plan (mapping) → preflight → backup → copy (source reader → value
//! conversion → sink writer) → finish (keys, indexes, sequences) → verify → commit or roll
//! back → report. See `ARCHITECTURE.md` at the repository root.

pub mod api;
pub mod backup;
pub mod bundle;
pub mod catalog;
pub mod convert;
pub mod copy;
pub mod digest;
pub mod error;
pub mod finding;
pub mod jobs;
pub mod location;
pub mod mapping;
pub mod memory;
pub mod names;
pub mod options;
pub mod order;
mod parallel_preflight;
pub mod parallel_verify;
pub mod pause;
pub mod plan;
pub mod planner;
pub mod postgres;
pub mod preflight;
pub mod progress;
pub mod report;
pub mod rowconv;
pub mod secret;
pub mod source;
pub mod sqlexpr;
pub mod sqlite;
pub mod target;
pub mod target_ddl;
pub mod temporal;
pub mod value;
pub mod verify;
pub mod workers;

pub use api::{export, inspect, migrate, plan, verify, Inspection, RunError};
pub use error::{Error, ErrorKind, Result};
pub use location::Location;
pub use options::Options;
pub use progress::{Cancel, Event, Phase, Progress};
pub use report::Report;
