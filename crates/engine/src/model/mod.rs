//! The engine's vocabulary: the types every other layer speaks (errors, values, the catalog,
//! findings, progress events, reports, secrets, time, locations, options). Nothing here
//! touches a database; everything above may use it.

pub mod batch;
pub mod catalog;
pub mod conventions;
pub mod error;
pub mod finding;
pub mod location;
pub mod options;
pub mod pause;
pub mod progress;
pub mod report;
pub mod secret;
pub mod stored_forms;
pub mod temporal;
pub mod tenancy;
pub mod value;
