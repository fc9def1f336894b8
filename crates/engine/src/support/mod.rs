//! Helpers that know no database and no plan: hashing, files, SQL identifier quoting,
//! temporary paths, worker threads, memory. They speak the engine's error type.

pub mod files;
pub mod hashing;
pub mod memory;
pub mod sql;
pub mod temp_files;
pub mod workers;
