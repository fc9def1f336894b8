//! Reading rows with `COPY (SELECT …) TO STDOUT (FORMAT binary)`, streamed in batches.
//!
//! The stream is parsed as it arrives (signature, flags, header extension, tuples, trailer),
//! so memory stays bounded by one batch whatever the table size. Everything is validated: a
//! stream that ends early is an error, never a short table, and bytes after the trailer are
//! an error too. There is no `ORDER BY`: Ferry's digests do not depend on row order, and
//! sorting a large table would cost the server a full sort for nothing.
//!
//! Columns whose type moves as text ([`binary::moves_as_text`]: opaque types and arrays of
//! them) are selected `::text`; everything else, enums included, is read in binary.

use std::io::{BufRead, Read};

use super::binary;
use super::shared_snapshot::SnapshotReader;
use crate::convert::digest::{encode_null, TableDigest};
use crate::model::catalog::ColumnType;
use crate::model::error::Context;
use crate::model::value::Value;
use crate::{Error, Result};

/// A column to read or write, with the type its values are decoded/encoded as.
#[derive(Debug, Clone)]
pub struct CopyColumn {
    pub name: String,
    pub ty: ColumnType,
}

impl CopyColumn {
    /// Columns given as `(name, type)` pairs, the way the engine's readers carry them.
    pub fn from_pairs(pairs: &[(String, ColumnType)]) -> Vec<CopyColumn> {
        pairs
            .iter()
            .map(|(name, ty)| CopyColumn {
                name: name.clone(),
                ty: ty.clone(),
            })
            .collect()
    }
}

/// The 11-byte signature every binary COPY stream starts with.
pub(crate) const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// Upper bound for a batch's initial allocation, whatever `batch_rows` asks for.
const MAX_PREALLOCATED_ROWS: usize = 16 * 1024;

/// Streams every row of `schema.table` (only `columns`, in that order) to `on_batch`, in
/// batches of at most `batch_rows` rows. Returns the number of rows read.
///
/// Types binary COPY cannot carry in Ferry's value model (`ColumnType::Opaque` and arrays of
/// them) are selected as `::text` and arrive as `Value::Opaque`; enums arrive as `Value::Text`.
///
/// # Errors
/// `Postgres` when the query fails (missing table or column, connection lost), `Runtime`
/// when the stream is truncated or malformed or a value cannot be decoded (with the column
/// and row), and whatever `on_batch` returns, which stops the read.
pub fn read_table(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    batch_rows: usize,
    on_batch: &mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
) -> Result<u64> {
    read_table_where(client, schema, table, columns, None, batch_rows, on_batch)
}

/// [`read_table`], keeping only the rows for which `filter` (a PostgreSQL boolean expression
/// over the table's columns, e.g. a job's ownership test) is true.
///
/// # Errors
/// As [`read_table`].
pub fn read_table_where(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    filter: Option<&str>,
    batch_rows: usize,
    on_batch: &mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
) -> Result<u64> {
    let what = format!("{schema}.{table}");
    let sql = select_sql(schema, table, columns, filter);
    // The driver's reader is itself a `BufRead` over the chunks it received (one per row):
    // a `BufReader` around it copied every row once more, and zeroed its buffer to do so.
    let reader = client
        .copy_out(&sql)
        .context(|| format!("reading {what}"))?;
    read_stream(reader, &what, columns, batch_rows, on_batch)
}

/// [`read_table_where`] on the second connection into the source's snapshot
/// ([`SnapshotReader`]): the same statement, stream checks and errors.
///
/// # Errors
/// As [`read_table`].
pub fn read_table_shared(
    reader: &mut SnapshotReader,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    filter: Option<&str>,
    batch_rows: usize,
    on_batch: &mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
) -> Result<u64> {
    let what = format!("{schema}.{table}");
    let sql = select_sql(schema, table, columns, filter);
    reader.copy_out(&sql, &what, |stream| {
        read_stream(stream, &what, columns, batch_rows, on_batch)
    })
}

/// `COPY (SELECT "a", <"b" as text> FROM "s"."t") TO STDOUT (FORMAT binary)`.
fn select_sql(schema: &str, table: &str, columns: &[CopyColumn], filter: Option<&str>) -> String {
    let list: Vec<String> = columns
        .iter()
        .map(|c| {
            let name = quote_ident(&c.name);
            match &c.ty {
                // The type's output function (what an app reading the column sees), not its
                // cast to text, which for inet adds the mask (`::1` → `::1/128`).
                t if binary::moves_as_text(t) => {
                    format!("CASE WHEN {name} IS NULL THEN NULL ELSE format('%s', {name}) END")
                }
                // An array of a domain sends the domain's oid as its element type; cast to the
                // array of the base type the column is read as (for any other array the cast
                // is to its own type, which PostgreSQL drops).
                ColumnType::Array { element }
                    if !matches!(element.as_ref(), ColumnType::Enum { .. }) =>
                {
                    format!("{name}::{}", c.ty.pg_name())
                }
                _ => name,
            }
        })
        .collect();
    let filter = filter.map(|f| format!(" WHERE ({f})")).unwrap_or_default();
    format!(
        "COPY (SELECT {} FROM {}.{}{filter}) TO STDOUT (FORMAT binary)",
        list.join(", "),
        quote_ident(schema),
        quote_ident(table)
    )
}

/// Quotes an identifier for PostgreSQL: double quotes, inner double quotes doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Parses a binary COPY stream of `columns`-wide tuples; `what` names the table in errors.
pub(crate) fn read_stream<R: BufRead>(
    reader: R,
    what: &str,
    columns: &[CopyColumn],
    batch_rows: usize,
    on_batch: &mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
) -> Result<u64> {
    let batch_rows = batch_rows.max(1);
    let mut sink = Batches {
        width: columns.len(),
        batch_rows,
        batch: Vec::with_capacity(batch_rows.min(MAX_PREALLOCATED_ROWS)),
        row: Vec::with_capacity(columns.len()),
        on_batch,
    };
    let rows = walk_stream(reader, what, columns, &mut sink)?;
    if !sink.batch.is_empty() {
        (sink.on_batch)(sink.batch)?;
    }
    Ok(rows)
}

/// The digest of every row of `schema.table` (only `columns`, in that order) that `filter`
/// accepts, with the rows' values encoded straight from the stream's field bytes
/// ([`binary::digest`]): no `Value`s, no batches, memory flat whatever the table size. The
/// same query, framing checks and errors as [`read_table_where`].
///
/// # Errors
/// As [`read_table`].
pub fn digest_table_where(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    columns: &[CopyColumn],
    filter: Option<&str>,
) -> Result<TableDigest> {
    let what = format!("{schema}.{table}");
    let sql = select_sql(schema, table, columns, filter);
    let reader = client
        .copy_out(&sql)
        .context(|| format!("reading {what}"))?;
    digest_stream(reader, &what, columns)
}

/// [`digest_table_where`] of a stream.
pub(crate) fn digest_stream<R: BufRead>(
    reader: R,
    what: &str,
    columns: &[CopyColumn],
) -> Result<TableDigest> {
    let mut sink = Digesting {
        digest: TableDigest::new(),
        encoded: Vec::with_capacity(256),
    };
    walk_stream(reader, what, columns, &mut sink)?;
    Ok(sink.digest)
}

/// What a stream's rows go into, field by field.
trait Rows {
    /// One field of the current row, in column order (`None` for NULL).
    fn field(&mut self, column: &CopyColumn, bytes: Option<&[u8]>) -> Result<()>;
    /// The current row is complete.
    fn end_row(&mut self) -> Result<()>;
}

/// Rows decoded into `Value`s, handed on in batches.
struct Batches<'a> {
    width: usize,
    batch_rows: usize,
    batch: Vec<Vec<Value>>,
    row: Vec<Value>,
    on_batch: &'a mut dyn FnMut(Vec<Vec<Value>>) -> Result<()>,
}

impl Rows for Batches<'_> {
    fn field(&mut self, column: &CopyColumn, bytes: Option<&[u8]>) -> Result<()> {
        self.row.push(match bytes {
            None => Value::Null,
            Some(bytes) => binary::decode(bytes, &column.ty)?,
        });
        Ok(())
    }

    fn end_row(&mut self) -> Result<()> {
        let row = std::mem::replace(&mut self.row, Vec::with_capacity(self.width));
        self.batch.push(row);
        if self.batch.len() == self.batch_rows {
            let fresh = Vec::with_capacity(self.batch_rows.min(MAX_PREALLOCATED_ROWS));
            (self.on_batch)(std::mem::replace(&mut self.batch, fresh))?;
        }
        Ok(())
    }
}

/// Rows encoded canonically and added to a digest, one row's bytes at a time.
struct Digesting {
    digest: TableDigest,
    encoded: Vec<u8>,
}

impl Rows for Digesting {
    fn field(&mut self, column: &CopyColumn, bytes: Option<&[u8]>) -> Result<()> {
        match bytes {
            None => {
                encode_null(&mut self.encoded);
                Ok(())
            }
            Some(bytes) => binary::digest::encode_field(bytes, &column.ty, &mut self.encoded),
        }
    }

    fn end_row(&mut self) -> Result<()> {
        self.digest.add_encoded(&self.encoded);
        self.encoded.clear();
        Ok(())
    }
}

/// Walks a binary COPY stream into `rows`. Returns the number of rows, after checking the
/// trailer and that nothing follows it. A field's error is reported with the column and row;
/// an `end_row` error is returned as it is.
fn walk_stream<R: BufRead>(
    mut reader: R,
    what: &str,
    columns: &[CopyColumn],
    rows: &mut impl Rows,
) -> Result<u64> {
    let mut stream = Stream {
        reader: &mut reader,
        what,
        rows: 0,
    };
    stream.header()?;
    let mut field = Vec::new();
    loop {
        let count = stream.i16()?;
        if count == -1 {
            break;
        }
        if count as usize != columns.len() || count < 0 {
            return Err(stream.error(&format!(
                "a row has {count} fields, expected {}",
                columns.len()
            )));
        }
        for column in columns {
            let len = stream.i32()?;
            let result = if len == -1 {
                rows.field(column, None)
            } else {
                let len = usize::try_from(len)
                    .map_err(|_| stream.error(&format!("field length {len}")))?;
                stream.with_field(len, &mut field, |bytes| rows.field(column, Some(bytes)))
            };
            result.map_err(|e| {
                Error::runtime(format!(
                    "reading {what}, column {}, row {}: {e}",
                    column.name,
                    stream.rows + 1
                ))
            })?;
        }
        stream.rows += 1;
        rows.end_row()?;
    }
    let count = stream.rows;
    let after_trailer = match stream.reader.fill_buf() {
        Ok(rest) => rest.len(),
        Err(e) => return Err(stream.io(e)),
    };
    if after_trailer != 0 {
        return Err(stream.error("data after the end-of-data marker"));
    }
    Ok(count)
}

struct Stream<'a, R> {
    reader: &'a mut R,
    what: &'a str,
    rows: u64,
}

impl<R: BufRead> Stream<'_, R> {
    fn header(&mut self) -> Result<()> {
        let mut signature = [0u8; 11];
        self.read_exact(&mut signature)?;
        if &signature != SIGNATURE {
            return Err(self.error("not a binary COPY stream (bad signature)"));
        }
        let flags = self.i32()? as u32;
        if flags & (1 << 16) != 0 {
            return Err(self.error("stream includes OIDs, which was not asked for"));
        }
        // Bits 0–15 flag format changes a reader must understand; 17–31 may be ignored.
        if flags & 0xFFFF != 0 {
            return Err(self.error(&format!("unknown critical header flags {flags:#x}")));
        }
        let extension = self.i32()?;
        let extension =
            u64::try_from(extension).map_err(|_| self.error("negative header extension length"))?;
        let skipped = std::io::copy(
            &mut self.reader.by_ref().take(extension),
            &mut std::io::sink(),
        );
        if skipped.map_err(|e| self.io(e))? != extension {
            return Err(self.truncated());
        }
        Ok(())
    }

    fn i16(&mut self) -> Result<i16> {
        let mut b = [0u8; 2];
        self.read_exact(&mut b)?;
        Ok(i16::from_be_bytes(b))
    }

    fn i32(&mut self) -> Result<i32> {
        let mut b = [0u8; 4];
        self.read_exact(&mut b)?;
        Ok(i32::from_be_bytes(b))
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
        self.reader.read_exact(buf).map_err(|e| self.io(e))
    }

    /// Runs `f` on the next `len` bytes: straight from the reader's buffer when the field is
    /// there whole (the common case, no copy), else gathered into `scratch`.
    fn with_field<T>(
        &mut self,
        len: usize,
        scratch: &mut Vec<u8>,
        f: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let available = match self.reader.fill_buf() {
            Ok(available) => available,
            Err(e) => return Err(self.io(e)),
        };
        if available.len() >= len {
            let result = f(&available[..len]);
            self.reader.consume(len);
            return result;
        }
        scratch.clear();
        let got = self.reader.by_ref().take(len as u64).read_to_end(scratch);
        if got.map_err(|e| self.io(e))? != len {
            return Err(self.truncated());
        }
        f(scratch)
    }

    fn truncated(&self) -> Error {
        self.error(&format!(
            "the COPY stream ended early, after {} complete rows; the table was not read completely",
            self.rows
        ))
    }

    fn io(&self, e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            return self.truncated();
        }
        io_to_error(e, || format!("reading {}", self.what))
    }

    fn error(&self, why: &str) -> Error {
        Error::runtime(format!("reading {}: {why}", self.what))
    }
}

/// The sync client's COPY reader and writer report driver errors as `io::Error`s; unwrap
/// them back into `Error::Postgres` so SQLSTATEs and connection loss stay visible.
pub(crate) fn io_to_error(e: std::io::Error, context: impl FnOnce() -> String) -> Error {
    let context = context();
    if e.get_ref().is_none() {
        return Error::runtime(format!("{context}: {e}"));
    }
    match e
        .into_inner()
        .map(|inner| inner.downcast::<postgres::Error>())
    {
        Some(Ok(source)) => Error::Postgres {
            context,
            source: *source,
        },
        Some(Err(other)) => Error::runtime(format!("{context}: {other}")),
        None => Error::runtime(context),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn columns() -> Vec<CopyColumn> {
        vec![
            CopyColumn {
                name: "id".into(),
                ty: ColumnType::Int { bits: 32 },
            },
            CopyColumn {
                name: "name".into(),
                ty: ColumnType::Text,
            },
        ]
    }

    /// A well-formed stream of `rows` rows `(i, 'x')` followed by `trailer`.
    fn stream(rows: i32, trailer: &[u8]) -> Vec<u8> {
        let mut s = SIGNATURE.to_vec();
        s.extend_from_slice(&0i32.to_be_bytes());
        s.extend_from_slice(&4i32.to_be_bytes());
        s.extend_from_slice(b"extn");
        for i in 0..rows {
            s.extend_from_slice(&2i16.to_be_bytes());
            s.extend_from_slice(&4i32.to_be_bytes());
            s.extend_from_slice(&i.to_be_bytes());
            if i % 2 == 0 {
                s.extend_from_slice(&(-1i32).to_be_bytes());
            } else {
                s.extend_from_slice(&1i32.to_be_bytes());
                s.push(b'x');
            }
        }
        s.extend_from_slice(trailer);
        s
    }

    fn read(bytes: &[u8], batch_rows: usize) -> Result<(u64, Vec<usize>, Vec<Vec<Value>>)> {
        let mut sizes = Vec::new();
        let mut all = Vec::new();
        // A tiny buffer forces fields to straddle refills.
        let reader = BufReader::with_capacity(3, bytes);
        let n = read_stream(reader, "s.t", &columns(), batch_rows, &mut |batch| {
            sizes.push(batch.len());
            all.extend(batch);
            Ok(())
        })?;
        Ok((n, sizes, all))
    }

    #[test]
    fn well_formed_stream_is_read_in_batches() {
        let (n, sizes, rows) = read(&stream(5, &(-1i16).to_be_bytes()), 2).unwrap();
        assert_eq!((n, sizes), (5, vec![2, 2, 1]));
        assert_eq!(rows[0], vec![Value::Int(0), Value::Null]);
        assert_eq!(rows[3], vec![Value::Int(3), Value::Text("x".into())]);
    }

    #[test]
    fn malformed_streams_are_errors_not_short_tables() {
        let good = stream(3, &(-1i16).to_be_bytes());
        let mut bad_signature = good.clone();
        bad_signature[0] = b'X';
        let mut oids = good.clone();
        oids[11..15].copy_from_slice(&(1i32 << 16).to_be_bytes());
        let mut wide = stream(0, &[]);
        wide.extend_from_slice(&3i16.to_be_bytes());
        let mut trailing = good.clone();
        trailing.push(0);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty", vec![], "ended early"),
            ("bad signature", bad_signature, "bad signature"),
            ("oids", oids, "OIDs"),
            (
                "no trailer",
                stream(3, &[]),
                "ended early, after 3 complete rows",
            ),
            (
                "cut inside a field",
                good[..good.len() - 4].to_vec(),
                "ended early",
            ),
            (
                "cut inside the header extension",
                good[..17].to_vec(),
                "ended early",
            ),
            ("wrong field count", wide, "3 fields, expected 2"),
            (
                "data after trailer",
                trailing,
                "after the end-of-data marker",
            ),
        ];
        for (name, bytes, expected) in cases {
            let err = read(&bytes, 10).expect_err(name).to_string();
            assert!(
                err.contains(expected) && err.contains("s.t"),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn identifiers_are_quoted_and_opaque_columns_cast() {
        let cols = vec![
            CopyColumn {
                name: "we\"ird".into(),
                ty: ColumnType::Opaque {
                    name: "interval".into(),
                },
            },
            CopyColumn {
                name: "m".into(),
                ty: ColumnType::Enum {
                    name: "mood".into(),
                    labels: vec![],
                },
            },
        ];
        assert_eq!(
            select_sql("my schema", "t", &cols, None),
            r#"COPY (SELECT CASE WHEN "we""ird" IS NULL THEN NULL ELSE format('%s', "we""ird") END, "m" FROM "my schema"."t") TO STDOUT (FORMAT binary)"#
        );
        assert_eq!(
            select_sql("s", "t", &cols[1..], Some(r#""owner" = 7"#)),
            r#"COPY (SELECT "m" FROM "s"."t" WHERE ("owner" = 7)) TO STDOUT (FORMAT binary)"#
        );
    }
}
