//! Writing rows with `COPY … FROM STDIN (FORMAT binary)`.
//!
//! One call is one COPY, inside whatever transaction the client is in, so a failure part
//! way leaves nothing behind once the caller rolls back. Rows are encoded into one reusable
//! buffer that goes to the server about 256 KiB at a time. The COPY is `finish`ed in exactly
//! one place, after every row encoded cleanly; on any error the writer is dropped unfinished,
//! which makes the driver abort the COPY (so a half-written table is never committed).
//!
//! A table created in the run's own transaction is loaded with `FREEZE` ([`Load::Created`]):
//! its rows are written already frozen and marked visible in the visibility map (PostgreSQL
//! 14+), so neither the finish (foreign key checks), the verifier's re-read nor the app's first
//! reads after the commit have to look each row's transaction up and set its hint bits, which
//! would dirty and write every page once more; and no later VACUUM has to freeze the table.
//! PostgreSQL allows it only for a table created (or truncated) in the current subtransaction
//! with no older snapshot or open cursor, and never for a partitioned or foreign table; it
//! is an error, not a fallback, otherwise — so an existing table is always [`Load::Existing`].
//!
//! Columns whose type moves as text (opaque types like `interval`, `inet`, `money`, and
//! arrays of them) have no binary encoder: those tables are loaded through a temporary
//! staging table with such columns as `text`, then `INSERT … SELECT col::type`, so that
//! PostgreSQL itself parses the text form. Enums need no staging (`enum_recv` takes the label
//! text); arrays of enums are written in binary with the element OID read from the target
//! column.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use super::binary;
use super::read::{io_to_error, quote_ident, CopyColumn, SIGNATURE};
use crate::model::catalog::ColumnType;
use crate::model::error::Context;
use crate::model::value::Value;
use crate::{Error, Result};

/// Encoded bytes are handed to the driver once the buffer holds this much.
const FLUSH_AT: usize = 256 * 1024;

static STAGE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The memory PostgreSQL may use for each key and index build after the data, in kB.
/// PostgreSQL's default (64 MB) makes the primary key sort of a million-row table spill to
/// disk in every participant of a parallel build; 256 MB keeps it in memory up to a few
/// million rows. It is what one build may take, one build at a time, for this transaction
/// only; a server already set higher keeps its own value.
const MAINTENANCE_WORK_MEM_KB: i64 = 256 * 1024;

/// Settings for the run's transaction, `SET LOCAL` (gone with its COMMIT or ROLLBACK, never
/// left on the session): `maintenance_work_mem` raised to [`MAINTENANCE_WORK_MEM_KB`] unless
/// the server already allows more.
///
/// # Errors
/// Database errors (the client must be inside a transaction for the settings to stay local).
pub fn tune_transaction(client: &mut postgres::Client) -> Result<()> {
    let kb = MAINTENANCE_WORK_MEM_KB;
    client
        .batch_execute(&format!(
            "SELECT set_config('maintenance_work_mem', '{kb}kB', true) \
             FROM pg_settings WHERE name = 'maintenance_work_mem' AND setting::bigint < {kb}"
        ))
        .context(|| "setting the memory for index builds in the target transaction".into())
}

/// What the writer may assume about the table it loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// A table that existed before this transaction (or whose origin is unknown): plain COPY.
    Existing,
    /// A plain table created in the current transaction, at its top level, with no savepoint
    /// open now: the COPY may `FREEZE` its rows.
    Created,
}

/// Writes every batch from `batches` into `schema.table` (`columns` in row order) with one
/// binary COPY, inside whatever transaction the client is in. Returns rows written.
/// The table is taken as [`Load::Existing`]; see [`write_table_as`].
///
/// # Errors
/// As [`write_table_as`].
pub fn write_table(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    batches: &mut dyn Iterator<Item = Result<Vec<Vec<Value>>>>,
) -> Result<u64> {
    write_table_as(client, schema, table, columns, Load::Existing, batches)
}

/// [`write_table`], told whether the table was created in this transaction (`load`).
///
/// Columns whose type has no binary encoder here (`Opaque` and arrays of it) are loaded
/// through a temporary staging table with those columns as `text` and then
/// `INSERT … SELECT col::type`, so PostgreSQL itself parses their text form.
///
/// # Errors
/// `BadInput` for a row whose width differs from `columns` or a value the column cannot
/// hold unchanged (named by column and row); `Postgres` when the server refuses the COPY or
/// a value; whatever error `batches` yields. After an error the COPY has been aborted; a
/// caller inside a transaction must roll it back. [`Load::Created`] for a table that was not
/// created in the current subtransaction is PostgreSQL's error.
pub fn write_table_as(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    load: Load,
    batches: &mut dyn Iterator<Item = Result<Vec<Vec<Value>>>>,
) -> Result<u64> {
    let what = format!("{schema}.{table}");
    if columns.is_empty() || columns.len() > i16::MAX as usize {
        return Err(Error::bad_input(format!(
            "writing {what}: cannot COPY {} columns",
            columns.len()
        )));
    }
    let target = format!("{}.{}", quote_ident(schema), quote_ident(table));
    let element_oids = element_oids(client, &target, &what, columns)?;
    if columns.iter().any(|c| binary::moves_as_text(&c.ty)) {
        // INSERT … SELECT cannot freeze: only the COPY into the staging table could, and
        // that table is read once and dropped, so it is not worth a rule of its own.
        write_staged(client, &target, &what, columns, &element_oids, batches)
    } else {
        let freeze = load == Load::Created;
        copy_binary(
            client,
            &target,
            &what,
            columns,
            freeze,
            &element_oids,
            batches,
        )
    }
}

/// For array-of-enum columns, the element type's OID in this database (other columns need
/// none: built-in OIDs are fixed, text-moved columns are not binary).
fn element_oids(
    client: &mut postgres::Client,
    target: &str,
    what: &str,
    columns: &[CopyColumn],
) -> Result<Vec<Option<u32>>> {
    let needs_oid = |ty: &ColumnType| match ty {
        ColumnType::Array { element } => {
            binary::type_oid(element).is_none() && !binary::moves_as_text(element)
        }
        _ => false,
    };
    if !columns.iter().any(|c| needs_oid(&c.ty)) {
        return Ok(vec![None; columns.len()]);
    }
    let rows = client
        .query(
            "SELECT a.attname::text, t.typelem FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            &[&target],
        )
        .context(|| format!("writing {what}: looking up array element types"))?;
    columns
        .iter()
        .map(|c| {
            if !needs_oid(&c.ty) {
                return Ok(None);
            }
            let row = rows.iter().find(|r| r.get::<_, String>(0) == c.name);
            match row.map(|r| r.get::<_, u32>(1)) {
                Some(oid) if oid != 0 => Ok(Some(oid)),
                _ => Err(Error::bad_input(format!(
                    "writing {what}: column {} is not an array column there",
                    c.name
                ))),
            }
        })
        .collect()
}

/// One binary COPY of every row into `target` (an already quoted name).
fn copy_binary(
    client: &mut postgres::Client,
    target: &str,
    what: &str,
    columns: &[CopyColumn],
    freeze: bool,
    element_oids: &[Option<u32>],
    batches: &mut dyn Iterator<Item = Result<Vec<Vec<Value>>>>,
) -> Result<u64> {
    let sql = format!(
        "COPY {target} ({}) FROM STDIN (FORMAT binary{})",
        column_list(columns),
        if freeze { ", FREEZE" } else { "" }
    );
    let mut writer = client.copy_in(&sql).context(|| format!("writing {what}"))?;
    match write_rows(&mut writer, what, columns, element_oids, batches) {
        Ok(rows) => {
            // The one place the COPY is completed; every error path drops `writer`
            // unfinished, which aborts it.
            let copied = writer.finish().context(|| format!("writing {what}"))?;
            if copied != rows {
                return Err(Error::runtime(format!(
                    "writing {what}: sent {rows} rows but PostgreSQL stored {copied}"
                )));
            }
            Ok(rows)
        }
        Err(e) => {
            drop(writer);
            Err(e)
        }
    }
}

/// Encodes the stream (header, tuples, trailer) into `writer`. Returns the rows written.
fn write_rows(
    writer: &mut impl Write,
    what: &str,
    columns: &[CopyColumn],
    element_oids: &[Option<u32>],
    batches: &mut dyn Iterator<Item = Result<Vec<Vec<Value>>>>,
) -> Result<u64> {
    let send = |writer: &mut dyn Write, buf: &[u8]| {
        writer
            .write_all(buf)
            .map_err(|e| io_to_error(e, || format!("writing {what}")))
    };
    let mut buf = Vec::with_capacity(FLUSH_AT + 64 * 1024);
    buf.extend_from_slice(SIGNATURE);
    buf.extend_from_slice(&0i32.to_be_bytes()); // flags
    buf.extend_from_slice(&0i32.to_be_bytes()); // header extension length
    let field_count = (columns.len() as i16).to_be_bytes();
    let mut rows = 0u64;
    for batch in batches {
        for row in batch? {
            if row.len() != columns.len() {
                return Err(Error::bad_input(format!(
                    "writing {what}: row {} has {} values for {} columns",
                    rows + 1,
                    row.len(),
                    columns.len()
                )));
            }
            buf.extend_from_slice(&field_count);
            for ((value, column), oid) in row.iter().zip(columns).zip(element_oids) {
                if value.is_null() {
                    buf.extend_from_slice(&(-1i32).to_be_bytes());
                    continue;
                }
                let at = buf.len();
                buf.extend_from_slice(&[0; 4]);
                let encoded = match oid {
                    Some(oid) => binary::encode_with_element_oid(value, &column.ty, *oid, &mut buf),
                    None => binary::encode(value, &column.ty, &mut buf),
                };
                let len = encoded.and_then(|()| {
                    i32::try_from(buf.len() - at - 4)
                        .map_err(|_| Error::bad_input("value is larger than 2 GiB"))
                });
                let len = len.map_err(|e| {
                    Error::bad_input(format!(
                        "writing {what}, column {}, row {}: {e}",
                        column.name,
                        rows + 1
                    ))
                })?;
                buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
            rows += 1;
            if buf.len() >= FLUSH_AT {
                send(writer, &buf)?;
                buf.clear();
            }
        }
    }
    buf.extend_from_slice(&(-1i16).to_be_bytes());
    send(writer, &buf)?;
    Ok(rows)
}

/// Loads through `pg_temp.ferry_stage_N` (text-moved columns as `text`, the rest with their
/// real types), then `INSERT INTO target … SELECT col::type …`.
///
/// The staging table is a plain temporary table dropped explicitly rather than
/// `ON COMMIT DROP`: outside a transaction that clause would drop it as soon as it was
/// created. After a failure inside a transaction the drop fails too (the transaction is
/// aborted) and the caller's rollback removes the table, so that error is ignored.
fn write_staged(
    client: &mut postgres::Client,
    target: &str,
    what: &str,
    columns: &[CopyColumn],
    element_oids: &[Option<u32>],
    batches: &mut dyn Iterator<Item = Result<Vec<Vec<Value>>>>,
) -> Result<u64> {
    let stage = format!(
        "pg_temp.ferry_stage_{}",
        STAGE_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let definitions: Vec<String> = columns
        .iter()
        .map(|c| {
            let ty = if binary::moves_as_text(&c.ty) {
                "text".to_string()
            } else {
                c.ty.pg_name()
            };
            format!("{} {ty}", quote_ident(&c.name))
        })
        .collect();
    client
        .batch_execute(&format!(
            "CREATE TEMP TABLE {stage} ({})",
            definitions.join(", ")
        ))
        .context(|| format!("writing {what}: creating a staging table"))?;
    let result = stage_and_insert(client, target, &stage, what, columns, element_oids, batches);
    let dropped = client.batch_execute(&format!("DROP TABLE IF EXISTS {stage}"));
    let rows = result?;
    dropped.context(|| format!("writing {what}: dropping the staging table"))?;
    Ok(rows)
}

fn stage_and_insert(
    client: &mut postgres::Client,
    target: &str,
    stage: &str,
    what: &str,
    columns: &[CopyColumn],
    element_oids: &[Option<u32>],
    batches: &mut dyn Iterator<Item = Result<Vec<Vec<Value>>>>,
) -> Result<u64> {
    let rows = copy_binary(client, stage, what, columns, false, element_oids, batches)?;
    let casts: Vec<String> = columns
        .iter()
        .map(|c| {
            let name = quote_ident(&c.name);
            if binary::moves_as_text(&c.ty) {
                format!("{name}::{}", c.ty.pg_name())
            } else {
                name
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO {target} ({}) SELECT {} FROM {stage}",
        column_list(columns),
        casts.join(", ")
    );
    let inserted = client
        .execute(&sql, &[])
        .context(|| format!("writing {what} from its staging table"))?;
    if inserted != rows {
        return Err(Error::runtime(format!(
            "writing {what}: staged {rows} rows but inserted {inserted}"
        )));
    }
    Ok(rows)
}

fn column_list(columns: &[CopyColumn]) -> String {
    columns
        .iter()
        .map(|c| quote_ident(&c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_framing_and_row_width() {
        let columns = vec![
            CopyColumn {
                name: "a".into(),
                ty: ColumnType::Int { bits: 16 },
            },
            CopyColumn {
                name: "b".into(),
                ty: ColumnType::Text,
            },
        ];
        let oids = [None, None];
        let mut out = Vec::new();
        let rows = vec![vec![Value::Int(7), Value::Null]];
        let n = write_rows(
            &mut out,
            "s.t",
            &columns,
            &oids,
            &mut std::iter::once(Ok(rows)),
        )
        .unwrap();
        let mut expected = SIGNATURE.to_vec();
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
        expected.extend_from_slice(&[0, 2, 0, 0, 0, 2, 0, 7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!((n, out), (1, expected));

        let narrow = vec![vec![Value::Int(7)]];
        let err = write_rows(
            &mut Vec::new(),
            "s.t",
            &columns,
            &oids,
            &mut std::iter::once(Ok(narrow)),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("row 1 has 1 values for 2 columns"),
            "{err}"
        );

        let wide_int = vec![vec![Value::Int(1 << 20), Value::Null]];
        let err = write_rows(
            &mut Vec::new(),
            "s.t",
            &columns,
            &oids,
            &mut std::iter::once(Ok(wide_int)),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("s.t, column a, row 1: 1048576 is out of range for smallint"),
            "{err}"
        );
    }
}
