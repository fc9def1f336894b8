//! Ferry's engine: moves an application's database between SQLite and PostgreSQL and proves
//! that nothing was lost.
//!
//! The modules are layers; each uses only itself and the layers above it in this list (checked
//! by the layer test, `tests/it/layers.rs`; see `ARCHITECTURE.md`):
//!
//! 1. [`model`] — the vocabulary: errors, values, catalog, findings, progress, report,
//!    secrets, time, locations, options;
//! 2. [`support`] — hashing, files, SQL quoting, temporary paths, worker threads, memory;
//! 3. [`convert`] — what a value becomes in the target and in the digest;
//! 4. drivers: [`sqlite`], [`postgres`], [`bundle`] — the same roles in each;
//! 5. [`plan`] — mapping, load order, names, CHECK/default translation, the plan itself;
//! 6. [`source`], [`target`] — the two ends of a run over the drivers;
//! 7. [`jobs`] — Promote and Extract as transforms on the plan;
//! 8. [`run`] — the phases of a run, in order;
//! 9. [`api`] — the front door.

pub mod model;

pub mod support;

pub mod convert;

pub mod bundle;
pub mod postgres;
pub mod sqlite;

pub mod plan;

pub mod source;
pub mod target;

pub mod jobs;

pub mod run;

pub mod api;

// The vocabulary front ends speak, at the root: `ferry_engine::catalog::Table`, …
pub use model::{
    catalog, conventions, error, finding, location, options, progress, report, secret, temporal,
    value,
};

pub use api::{export, inspect, migrate, plan, verify, Inspection, RunError};
pub use model::error::{Error, ErrorKind, Result};
pub use model::location::Location;
pub use model::options::Options;
pub use model::progress::{Cancel, Event, Phase, Progress};
pub use model::report::Report;
