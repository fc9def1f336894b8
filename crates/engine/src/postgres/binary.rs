//! PostgreSQL's binary wire format for every [`ColumnType`]: encode a [`Value`] for
//! `COPY … FROM STDIN (FORMAT binary)` and decode one from `COPY … TO STDOUT (FORMAT binary)`.
//!
//! OWNER: helper "pg-data" (stub until then).

use crate::catalog::ColumnType;
use crate::value::Value;
use crate::Result;

/// Appends the binary field body (without the 4-byte length) of `value` for a column of
/// type `ty` to `out`. `Null` is handled by the caller (length -1).
///
/// # Errors
/// `BadInput` when the value cannot be represented in `ty` (the converter should have caught it).
pub fn encode(value: &Value, ty: &ColumnType, out: &mut Vec<u8>) -> Result<()> {
    let _ = (value, ty, out);
    todo!("pg-data helper")
}

/// Decodes one non-NULL field body of a column of type `ty`.
pub fn decode(bytes: &[u8], ty: &ColumnType) -> Result<Value> {
    let _ = (bytes, ty);
    todo!("pg-data helper")
}
