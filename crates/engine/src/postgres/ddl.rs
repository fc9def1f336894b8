//! Rendering the neutral catalog as PostgreSQL DDL.
//!
//! OWNER: helper "pg-schema" (stub until then).

use crate::catalog::Table;

/// `"name"` with embedded quotes doubled: every identifier Ferry emits goes through this.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
