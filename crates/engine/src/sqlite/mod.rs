//! SQLite: opening sources read-only, introspecting, reading rows, writing a fresh file, DDL.
//!
//! File roles mirror `crate::postgres`, with the same names: [`connect`] (opening),
//! [`introspect`] (schema into the neutral catalog, helped by [`sql_text`], [`types`] and
//! [`defaults`] for what the PRAGMAs do not say), [`read`] (rows out), [`ddl`] (schema in),
//! [`write`] (rows in), and [`foreign_keys`] (rows whose key finds no parent, in a source or a
//! written file).

mod bound_insert;
pub mod connect;
pub mod ddl;
pub mod defaults;
pub mod foreign_keys;
pub mod introspect;
pub mod online_copy;
pub mod read;
pub mod sample;
pub mod sql_text;
pub mod types;
pub mod write;

pub use connect::{end_snapshot, file_is_sqlite, open_recovering, open_source};
pub use ddl::{create_index_sql, create_table_sql, declared_type, quote_ident};
pub use defaults::parse_default;
pub use introspect::introspect;
pub use read::read_table;
pub use types::parse_declared_type;
pub use write::SqliteWriter;
