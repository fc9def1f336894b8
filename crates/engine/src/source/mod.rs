//! The source side of a run: one connection holding one consistent snapshot for everything
//! Ferry reads (introspection, preflight, copy, verification re-reads).
//!
//! SQLite sources are opened read-only inside one read transaction; PostgreSQL sources read
//! inside one `REPEATABLE READ READ ONLY` transaction. The source is never modified.

use crate::model::batch::RawBatch;
use crate::model::catalog::{Catalog, ColumnType, Dialect};
use crate::model::error::Context;
use crate::model::location::Location;
use crate::postgres::copy_out::CopyColumn;
use crate::{Error, Result};

/// Both variants are long-lived and few (one per run), so their size difference is moot.
#[allow(clippy::large_enum_variant)]
pub enum Source {
    Sqlite {
        conn: rusqlite::Connection,
        display: String,
        /// The private recovered copy `conn` reads, when the file had to be recovered first
        /// (a hot journal, a WAL in a read-only folder); it lives as long as the source.
        recovery: Option<crate::sqlite::open::Recovery>,
    },
    Postgres {
        client: postgres::Client,
        schema: String,
        display: String,
    },
    /// A bundle folder, checked against its manifest when opened; it reads and reports the
    /// dialect of the database it was exported from.
    Bundle {
        bundle: crate::bundle::reader::BundleSource,
        display: String,
    },
}

impl Source {
    /// Opens the source and starts its snapshot.
    ///
    /// # Errors
    /// Bad-input errors for files that are not databases, connection errors for servers.
    pub fn open(location: &Location, pg_schema: &str) -> Result<Source> {
        match location {
            Location::Sqlite { path } => {
                let opened = crate::sqlite::open::open_recovering(path)?;
                Ok(Source::Sqlite {
                    conn: opened.conn,
                    display: location.display(),
                    recovery: opened.recovery,
                })
            }
            Location::Postgres(pg) => {
                let mut client = crate::postgres::connect(pg)?;
                client
                    .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .context(|| {
                        format!("starting a read-only snapshot of {}", location.display())
                    })?;
                Ok(Source::Postgres {
                    client,
                    schema: pg_schema.to_string(),
                    display: location.display(),
                })
            }
            Location::Bundle { dir } => Ok(Source::Bundle {
                bundle: crate::bundle::reader::BundleSource::open(dir)?,
                display: location.display(),
            }),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Source::Sqlite { .. } => Dialect::Sqlite,
            Source::Postgres { .. } => Dialect::Postgres,
            Source::Bundle { bundle, .. } => bundle.dialect(),
        }
    }

    /// What the report must say about how the source was read (a recovery applied), one
    /// sentence each.
    pub fn notes(&self) -> Vec<String> {
        match self {
            Source::Sqlite {
                recovery: Some(r), ..
            } => vec![r.note().to_string()],
            _ => vec![],
        }
    }

    pub fn display(&self) -> &str {
        match self {
            Source::Sqlite { display, .. }
            | Source::Postgres { display, .. }
            | Source::Bundle { display, .. } => display,
        }
    }

    /// # Errors
    /// Database errors while reading the catalog.
    pub fn introspect(&mut self) -> Result<Catalog> {
        match self {
            Source::Sqlite { conn, .. } => crate::sqlite::introspect::introspect(conn),
            Source::Postgres { client, schema, .. } => {
                crate::postgres::introspect::introspect(client, schema)
            }
            Source::Bundle { bundle, .. } => Ok(bundle.catalog()),
        }
    }

    /// Streams the named columns of a table in batches; with a `filter` (a boolean SQL
    /// expression in the source's dialect, from [`crate::plan::TablePlan::source_filter`])
    /// only the rows it accepts.
    ///
    /// # Errors
    /// Database errors, and whatever `on_batch` returns.
    pub fn read(
        &mut self,
        table: &str,
        filter: Option<&str>,
        columns: &[(String, ColumnType)],
        batch_rows: usize,
        on_batch: &mut dyn FnMut(RawBatch) -> Result<()>,
    ) -> Result<u64> {
        match self {
            Source::Sqlite { conn, .. } => {
                let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
                crate::sqlite::reader::read_table_where(
                    conn,
                    table,
                    &names,
                    filter,
                    batch_rows,
                    &mut |rows| on_batch(RawBatch::Sqlite(rows)),
                )
            }
            Source::Postgres { client, schema, .. } => {
                let cols = CopyColumn::from_pairs(columns);
                crate::postgres::copy_out::read_table_where(
                    client,
                    schema,
                    table,
                    &cols,
                    filter,
                    batch_rows,
                    &mut |rows| on_batch(RawBatch::Pg(rows)),
                )
            }
            Source::Bundle { bundle, .. } => match filter {
                // A filter is SQL for the source's database; a bundle has none to run it.
                Some(_) => Err(Error::bad_input(format!(
                    "{table}: rows of a bundle cannot be filtered (Extract reads a database, not a bundle)"
                ))),
                None => bundle.read(table, columns, batch_rows, on_batch),
            },
        }
    }

    /// Storage classes present in a SQLite column (for columns without a declared type).
    ///
    /// # Errors
    /// Database errors.
    pub fn sqlite_storage_classes(
        &mut self,
        table: &str,
        column: &str,
    ) -> Result<Vec<(String, u64)>> {
        let conn = match self {
            Source::Sqlite { conn, .. } => conn,
            Source::Bundle { bundle, .. } => return Ok(bundle.storage_classes(table, column)),
            Source::Postgres { .. } => return Ok(vec![]),
        };
        let q = crate::sqlite::ddl::quote_ident;
        let sql = format!(
            "SELECT typeof({c}), count(*) FROM {t} GROUP BY 1 ORDER BY 2 DESC",
            c = q(column),
            t = q(table)
        );
        let mut stmt = conn
            .prepare(&sql)
            .context(|| format!("profiling {table}.{column}"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .context(|| format!("profiling {table}.{column}"))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .context(|| format!("profiling {table}.{column}"))
    }
}
