//! Reading rows with `COPY (SELECT …) TO STDOUT (FORMAT binary)`, streamed in batches.
//!
//! OWNER: helper "pg-data" (stub until then).

use crate::catalog::ColumnType;
use crate::value::Value;
use crate::Result;

/// A column to read or write, with the type its values are decoded/encoded as.
#[derive(Debug, Clone)]
pub struct CopyColumn {
    pub name: String,
    pub ty: ColumnType,
}

/// Streams every row of `schema.table` (only `columns`, in that order) to `on_batch`, in
/// batches of at most `batch_rows` rows. Returns the number of rows read.
///
/// Types binary COPY cannot carry in Ferry's value model (`ColumnType::Opaque`, arrays of
/// them, enums) are selected as `::text` and arrive as `Value::Opaque` / `Value::Text`.
pub fn read_table(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    batch_rows: usize,
    on_batch: &mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
) -> Result<u64> {
    let _ = (client, schema, table, columns, batch_rows, on_batch);
    todo!("pg-data helper")
}
