//! The source side of a run: one consistent snapshot for everything Ferry reads
//! (introspection, preflight, copy, verification re-reads).
//!
//! SQLite sources are opened read-only inside one read transaction; PostgreSQL sources read
//! inside one `REPEATABLE READ READ ONLY` transaction, whose snapshot a second connection
//! imports to stream the rows ([`RowConnection`]). The source is never modified.

use crate::model::batch::RawBatch;
use crate::model::catalog::{Catalog, ColumnType, Dialect};
use crate::model::error::Context;
use crate::model::location::{Location, PgLocation};
use crate::postgres::read::CopyColumn;
use crate::postgres::shared_snapshot::SnapshotReader;
use crate::{Error, Result};

/// Both variants are long-lived and few (one per run), so their size difference is moot.
#[allow(clippy::large_enum_variant)]
pub enum Source {
    Sqlite {
        conn: rusqlite::Connection,
        display: String,
        /// The private recovered copy `conn` reads, when the file had to be recovered first
        /// (a hot journal, a WAL in a read-only folder); it lives as long as the source.
        recovery: Option<crate::sqlite::connect::Recovery>,
    },
    Postgres {
        client: postgres::Client,
        schema: String,
        display: String,
        /// Where rows are streamed from: a second connection in `client`'s snapshot, opened
        /// at the first read (see [`crate::postgres::shared_snapshot`]).
        rows: RowConnection,
    },
    /// A bundle folder, checked against its manifest when opened; it reads and reports the
    /// dialect of the database it was exported from.
    Bundle {
        bundle: crate::bundle::read::BundleSource,
        display: String,
    },
}

/// Which connection a PostgreSQL source's rows are streamed on.
pub enum RowConnection {
    /// None opened yet: the first read tries to open a [`SnapshotReader`] to this server,
    /// importing the main connection's exported `snapshot`.
    NotYet {
        location: PgLocation,
        snapshot: String,
    },
    Shared(SnapshotReader),
    /// The main connection (no second one could be had, or it failed mid-read).
    Main,
}

impl RowConnection {
    /// The second connection, opened now if this is the first read; `None` means read on
    /// `main`.
    fn shared(&mut self) -> Option<&mut SnapshotReader> {
        if let RowConnection::NotYet { location, snapshot } = self {
            *self = match SnapshotReader::open(location, snapshot) {
                Ok(reader) => RowConnection::Shared(reader),
                Err(_) => RowConnection::Main,
            };
        }
        match self {
            RowConnection::Shared(reader) => Some(reader),
            _ => None,
        }
    }
}

impl Source {
    /// Opens the source and starts its snapshot.
    ///
    /// # Errors
    /// Bad-input errors for files that are not databases, connection errors for servers.
    pub fn open(location: &Location, pg_schema: &str) -> Result<Source> {
        match location {
            Location::Sqlite { path } => {
                let opened = crate::sqlite::connect::open_recovering(path)?;
                Ok(Source::Sqlite {
                    conn: opened.conn,
                    display: location.display(),
                    recovery: opened.recovery,
                })
            }
            Location::Postgres(pg) => {
                let mut client = crate::postgres::connect(pg)?;
                // Row security off, as pg_dump does: a policy makes the server refuse the read
                // instead of silently filtering it ([`Source::check_row_security`] says so first).
                let begin = format!(
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}",
                    crate::postgres::row_security::SOURCE_ROW_SECURITY_OFF
                );
                let start = |client: &mut postgres::Client| {
                    client.batch_execute(&begin).context(|| {
                        format!("starting a read-only snapshot of {}", location.display())
                    })
                };
                start(&mut client)?;
                let rows = match crate::postgres::shared_snapshot::export_snapshot(&mut client) {
                    Ok(snapshot) => RowConnection::NotYet {
                        location: pg.clone(),
                        snapshot,
                    },
                    Err(_) => {
                        // The failed export aborted the transaction, before anything was read
                        // in it: start it again, and stream rows on this connection.
                        client.batch_execute("ROLLBACK").context(|| {
                            format!("restarting the snapshot of {}", location.display())
                        })?;
                        start(&mut client)?;
                        RowConnection::Main
                    }
                };
                Ok(Source::Postgres {
                    client,
                    schema: pg_schema.to_string(),
                    display: location.display(),
                    rows,
                })
            }
            Location::Bundle { dir } => Ok(Source::Bundle {
                bundle: crate::bundle::read::BundleSource::open(dir)?,
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

    /// [`Source::introspect`] without the exact row counts, which read every table (a
    /// bundle's come from its manifest and are kept).
    ///
    /// # Errors
    /// As [`Source::introspect`].
    pub fn introspect_schema(&mut self) -> Result<Catalog> {
        match self {
            Source::Sqlite { conn, .. } => crate::sqlite::introspect::introspect_schema(conn),
            Source::Postgres { client, schema, .. } => {
                crate::postgres::introspect::introspect_schema(client, schema)
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
                crate::sqlite::read::read_table_where(
                    conn,
                    table,
                    &names,
                    filter,
                    batch_rows,
                    &mut |rows| on_batch(RawBatch::Sqlite(rows)),
                )
            }
            Source::Postgres {
                client,
                schema,
                rows,
                ..
            } => {
                let cols = CopyColumn::from_pairs(columns);
                let on_batch = &mut |batch| on_batch(RawBatch::Pg(batch));
                match rows.shared() {
                    Some(reader) => {
                        let read = crate::postgres::read::read_table_shared(
                            reader, schema, table, &cols, filter, batch_rows, on_batch,
                        );
                        if read.is_err() {
                            // Its connection may still be in the middle of the stream; later
                            // reads (a rescan after a blocked copy) go to the main one.
                            *rows = RowConnection::Main;
                        }
                        read
                    }
                    None => crate::postgres::read::read_table_where(
                        client, schema, table, &cols, filter, batch_rows, on_batch,
                    ),
                }
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

    /// Refuses, in one sentence, when row-level security would show only some rows of
    /// `tables` to the role this PostgreSQL source is read as: every read of a source (copy,
    /// verify, Extract's user list) calls it before reading rows. Other sources have no
    /// row security.
    ///
    /// # Errors
    /// `BadInput` naming the tables, the role and the ways out; database errors.
    pub fn check_row_security(&mut self, tables: &[String]) -> Result<()> {
        let Source::Postgres {
            client,
            schema,
            display,
            ..
        } = self
        else {
            return Ok(());
        };
        let filtered = crate::postgres::row_security::filtered_tables(client, schema, tables)?;
        if filtered.is_empty() {
            return Ok(());
        }
        let role = &filtered.role;
        let all_forced = filtered.tables.iter().all(|(_, forced)| *forced);
        let ways_out = if all_forced {
            format!("connect as a superuser or a role with BYPASSRLS (ALTER ROLE \"{role}\" BYPASSRLS), or turn FORCE off for the copy (ALTER TABLE … NO FORCE ROW LEVEL SECURITY)")
        } else {
            format!("connect as the table's owner or as a role with BYPASSRLS (ALTER ROLE \"{role}\" BYPASSRLS)")
        };
        Err(Error::bad_input(format!(
            "row-level security on {} in {display} shows role \"{role}\" only the rows its policies allow ({}), so Ferry cannot read the whole table and refuses to copy or verify it: {ways_out}, then run again",
            filtered.names(),
            filtered.why()
        )))
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

    /// The largest integer in a column (within `filter`), `None` when it holds none. Used to
    /// tell a user whose ids already reach their type's maximum what their sequence will do.
    ///
    /// # Errors
    /// Database errors.
    pub fn max_integer(
        &mut self,
        table: &str,
        column: &str,
        filter: Option<&str>,
    ) -> Result<Option<i64>> {
        let what = || format!("reading the largest {table}.{column}");
        let q = crate::support::sql::quote_ident;
        let and = filter.map_or_else(String::new, |f| format!(" AND ({f})"));
        match self {
            Source::Sqlite { conn, .. } => conn
                .query_row(
                    &format!(
                        "SELECT max({c}) FROM {t} WHERE typeof({c}) = 'integer'{and}",
                        c = q(column),
                        t = q(table)
                    ),
                    [],
                    |r| r.get(0),
                )
                .context(what),
            Source::Postgres { client, schema, .. } => {
                let sql = format!(
                    "SELECT max({c})::bigint FROM {t} WHERE true{and}",
                    c = q(column),
                    t = crate::postgres::ddl::qualified(schema, table)
                );
                // Only integer columns have sequences; another type has no integer maximum.
                match client.query_one(&sql, &[]) {
                    Ok(row) => Ok(row.get(0)),
                    Err(e) if e.code() == Some(&postgres::error::SqlState::CANNOT_COERCE) => {
                        Ok(None)
                    }
                    Err(e) => Err(e).context(what),
                }
            }
            Source::Bundle { .. } => {
                let ty = ColumnType::Int { bits: 64 };
                let mut max: Option<i64> = None;
                self.read(
                    table,
                    filter,
                    &[(column.to_string(), ty)],
                    10_000,
                    &mut |batch| {
                        let values: Vec<Option<i64>> = match batch {
                            RawBatch::Sqlite(rows) => rows
                                .iter()
                                .map(|r| match r[0] {
                                    crate::model::value::SqliteValue::Integer(i) => Some(i),
                                    _ => None,
                                })
                                .collect(),
                            RawBatch::Pg(rows) => rows
                                .iter()
                                .map(|r| match r[0] {
                                    crate::model::value::Value::Int(i) => Some(i),
                                    _ => None,
                                })
                                .collect(),
                        };
                        max = values.into_iter().flatten().chain(max).max();
                        Ok(())
                    },
                )?;
                Ok(max)
            }
        }
    }
}
