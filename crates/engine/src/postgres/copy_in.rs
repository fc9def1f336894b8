//! Writing rows with `COPY … FROM STDIN (FORMAT binary)`.
//!
//! OWNER: helper "pg-data" (stub until then).

use super::copy_out::CopyColumn;
use crate::value::Value;
use crate::Result;

/// Writes every batch from `batches` into `schema.table` (`columns` in row order) with one
/// binary COPY, inside whatever transaction the client is in. Returns rows written.
///
/// Columns whose type has no binary encoder here (`Opaque`, enums, arrays of those) are
/// loaded through a temporary staging table with those columns as `text` and then
/// `INSERT … SELECT col::type`, so PostgreSQL itself parses their text form.
pub fn write_table(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    batches: &mut dyn Iterator<Item = Result<Vec<Vec<Value>>>>,
) -> Result<u64> {
    let _ = (client, schema, table, columns, batches);
    todo!("pg-data helper")
}
