//! SQLite: opening sources read-only, introspecting, reading rows, writing a fresh file, DDL.
//!
//! File roles mirror `crate::postgres`: [`open`] (connect), [`introspect`] (schema into the
//! neutral catalog, helped by [`sql_text`], [`types`] and [`defaults`] for what the PRAGMAs do
//! not say), [`reader`] (rows out), [`ddl`] (schema in), [`writer`] (rows in), and
//! [`foreign_keys`] (rows whose key finds no parent, in a source or a written file).

pub mod ddl;
pub mod defaults;
pub mod foreign_keys;
pub mod introspect;
pub mod online_copy;
pub mod open;
pub mod reader;
pub mod sql_text;
pub mod types;
pub mod writer;

pub use ddl::{create_index_sql, create_table_sql, declared_type, quote_ident};
pub use defaults::parse_default;
pub use introspect::introspect;
pub use open::{end_snapshot, file_is_sqlite, open_recovering, open_source};
pub use reader::read_table;
pub use types::parse_declared_type;
pub use writer::SqliteWriter;
