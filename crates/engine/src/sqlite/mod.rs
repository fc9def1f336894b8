//! SQLite: opening sources read-only, introspecting, reading rows, writing a fresh file, DDL.
//!
//! OWNER: helper "sqlite" (stub until then).

pub mod ddl;
pub mod introspect;
pub mod reader;
pub mod writer;
