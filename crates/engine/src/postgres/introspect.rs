//! Reading a PostgreSQL schema into the neutral [`Catalog`].
//!
//! OWNER: helper "pg-schema" (stub until then).

use crate::catalog::Catalog;
use crate::Result;

/// Introspects the tables of one schema (usually `public`), with exact row counts.
pub fn introspect(client: &mut postgres::Client, schema: &str) -> Result<Catalog> {
    let _ = (client, schema);
    todo!("pg-schema helper")
}
