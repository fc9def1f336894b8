//! The target side of a run, written all-or-nothing.
//!
//! PostgreSQL: one transaction on one connection, DDL included; verification reads inside
//! it; only then `COMMIT` (a dry run, failure, cancel or lost connection rolls back — the
//! server discards an uncommitted transaction when the client dies).
//! SQLite: a fresh temporary file beside the destination (a copy of it, made with the online
//! backup API, when loading into an existing schema), verified, closed and fsynced, then
//! renamed over the destination. Leftover temporary files of killed runs are removed the next
//! time a run targets the same destination.

use std::path::PathBuf;

use crate::model::catalog::{Catalog, Dialect};
use crate::model::error::{io_error, Context};
use crate::model::location::Location;
use crate::model::value::{SqliteValue, Value};
use crate::plan::TablePlan;
use crate::postgres::read::CopyColumn;
use crate::postgres::write::Load;
use crate::sqlite::write::SqliteWriter;
use crate::support::temp_files::{probe_writable, remove_stale_temps, temp_path_for};
use crate::{Error, Result};

/// Rows ready for a particular sink.
pub enum SinkRows {
    Pg(Vec<Vec<Value>>),
    Sqlite(Vec<Vec<SqliteValue>>),
}

pub enum Target {
    Postgres {
        client: postgres::Client,
        schema: String,
        display: String,
    },
    Sqlite {
        dest: PathBuf,
        temp: PathBuf,
        writer: Option<SqliteWriter>,
        display: String,
    },
}

impl Target {
    /// Connects (PostgreSQL) or notes the destination (SQLite); writes nothing yet.
    ///
    /// # Errors
    /// Connection errors; a SQLite destination that is a directory.
    pub fn open(location: &Location, pg_schema: &str) -> Result<Target> {
        match location {
            Location::Postgres(pg) => {
                let client = crate::postgres::connect(pg)?;
                Ok(Target::Postgres {
                    client,
                    schema: pg_schema.to_string(),
                    display: location.display(),
                })
            }
            Location::Bundle { .. } => Err(Error::bad_input(format!(
                "{} is a bundle; bundles are written with `ferry export`",
                location.display()
            ))),
            Location::Sqlite { path } => {
                if path.is_dir() {
                    return Err(Error::bad_input(format!(
                        "{} is a directory; give a file name for the SQLite target",
                        path.display()
                    )));
                }
                let folder = path.parent().filter(|d| !d.as_os_str().is_empty());
                if folder.is_some_and(|d| !d.is_dir()) {
                    return Err(Error::bad_input(format!(
                        "the folder of the SQLite target {} does not exist; create it first",
                        path.display()
                    )));
                }
                // The target is built in a temporary file in this folder: a folder that cannot
                // be written is found now, before the preflight, not after it.
                let dir = folder.unwrap_or(std::path::Path::new("."));
                if let Err(e) = probe_writable(dir) {
                    return Err(Error::bad_input(format!(
                        "cannot write in the folder {} ({}), where the SQLite target {} is built; choose a folder you can write to, or change its permissions",
                        dir.display(),
                        io_reason(&e),
                        path.display()
                    )));
                }
                let temp = temp_path_for(path);
                Ok(Target::Sqlite {
                    dest: path.clone(),
                    temp,
                    writer: None,
                    display: location.display(),
                })
            }
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Target::Postgres { .. } => Dialect::Postgres,
            Target::Sqlite { .. } => Dialect::Sqlite,
        }
    }

    pub fn display(&self) -> &str {
        match self {
            Target::Postgres { display, .. } | Target::Sqlite { display, .. } => display,
        }
    }

    /// Whether PostgreSQL knows a type by this name (as `CREATE TABLE` would look it up, on the
    /// target's search path); always true for SQLite, which accepts any declared type.
    ///
    /// # Errors
    /// Database errors.
    pub fn has_type(&mut self, name: &str) -> Result<bool> {
        match self {
            Target::Postgres { client, .. } => {
                // to_regtype answers NULL for an unknown name but fails on one it cannot
                // parse, which would abort the target's transaction: hence the savepoint.
                let what = || format!("looking up type {name} in the target");
                client
                    .batch_execute("SAVEPOINT ferry_type_lookup")
                    .context(what)?;
                let found = match client.query_one("SELECT to_regtype($1) IS NOT NULL", &[&name]) {
                    Ok(row) => row.get(0),
                    Err(_) => {
                        client
                            .batch_execute("ROLLBACK TO SAVEPOINT ferry_type_lookup")
                            .context(what)?;
                        false
                    }
                };
                client
                    .batch_execute("RELEASE SAVEPOINT ferry_type_lookup")
                    .context(what)?;
                Ok(found)
            }
            Target::Sqlite { .. } => Ok(true),
        }
    }

    /// For each text, what PostgreSQL stores when it reads it as type `ty` and prints it back;
    /// returns only the texts it would store differently (with what it would print) or cannot
    /// read (with why). Writes nothing: every question runs under a savepoint that is undone.
    ///
    /// # Errors
    /// Database errors other than a value PostgreSQL cannot read.
    pub fn pg_reprint(&mut self, ty: &str, texts: &[String]) -> Result<Vec<(String, String)>> {
        let Target::Postgres { client, .. } = self else {
            return Ok(vec![]);
        };
        let what = || format!("asking the target how it stores {ty} values");
        if texts.is_empty() {
            return Ok(vec![]);
        }
        // The type as PostgreSQL itself names (and quotes) it: a declared type read from a
        // file never reaches the SQL as written.
        client
            .batch_execute("SAVEPOINT ferry_reprint")
            .context(what)?;
        let named = client.query_one("SELECT to_regtype($1)::text", &[&ty]);
        client
            .batch_execute("ROLLBACK TO SAVEPOINT ferry_reprint; RELEASE SAVEPOINT ferry_reprint")
            .context(what)?;
        let Some(ty) = named.ok().and_then(|r| r.get::<_, Option<String>>(0)) else {
            return Ok(vec![]); // no such type: a finding of its own (`unknown_type`)
        };
        let ty = ty.as_str();
        let ask = |client: &mut postgres::Client, texts: &[String]| {
            client.batch_execute("SAVEPOINT ferry_reprint")?;
            let sql = format!(
                // format('%s', …) is the type's output function, as Ferry's reader uses it.
                "SELECT v, format('%s', v::{ty}) FROM unnest($1::text[]) AS v WHERE format('%s', v::{ty}) IS DISTINCT FROM v"
            );
            let answer = client.query(&sql, &[&texts]);
            client.batch_execute(
                "ROLLBACK TO SAVEPOINT ferry_reprint; RELEASE SAVEPOINT ferry_reprint",
            )?;
            answer.map(|rows| {
                rows.iter()
                    .map(|r| {
                        let stored: String = r.get(1);
                        (r.get::<_, String>(0), format!("stored as '{stored}'"))
                    })
                    .collect::<Vec<(String, String)>>()
            })
        };
        match ask(client, texts) {
            Ok(found) => Ok(found),
            // Some value cannot be read at all: ask one by one to name it.
            Err(e) if e.as_db_error().is_some() => {
                let mut found = vec![];
                for text in texts {
                    match ask(client, std::slice::from_ref(text)) {
                        Ok(one) => found.extend(one),
                        Err(e) => match e.as_db_error() {
                            Some(db) => found.push((
                                text.clone(),
                                format!("PostgreSQL cannot read it as {ty}: {}", db.message()),
                            )),
                            None => return Err(e).context(what),
                        },
                    }
                }
                Ok(found)
            }
            Err(e) => Err(e).context(what),
        }
    }

    pub fn pg_schema(&self) -> Option<&str> {
        match self {
            Target::Postgres { schema, .. } => Some(schema),
            Target::Sqlite { .. } => None,
        }
    }

    /// The target's current schema, if it has one (an existing SQLite file or PostgreSQL
    /// schema). Read before anything is written.
    ///
    /// # Errors
    /// Database errors; a destination file that is not a SQLite database.
    pub fn introspect_existing(&mut self) -> Result<Option<Catalog>> {
        match self {
            Target::Postgres { client, schema, .. } => {
                client
                    .batch_execute("BEGIN")
                    .context(|| "starting the target transaction".into())?;
                let catalog = crate::postgres::introspect::introspect(client, schema)?;
                Ok(Some(catalog))
            }
            Target::Sqlite { dest, .. } => {
                if !dest.exists() {
                    return Ok(None);
                }
                let conn = crate::sqlite::connect::open_source(dest)?;
                let catalog = crate::sqlite::introspect::introspect(&conn)?;
                Ok(Some(catalog))
            }
        }
    }

    /// A bounded sample of the existing rows of an existing SQLite target: per (table,
    /// column) of `wanted`, at most `per_column` non-NULL stored values
    /// ([`crate::sqlite::sample`]). Empty for PostgreSQL (its types say the form) and for a
    /// file that does not exist yet. Read before anything is written.
    ///
    /// # Errors
    /// Database errors reading the file.
    pub fn sample_existing(
        &mut self,
        wanted: &[(String, Vec<String>)],
        per_column: usize,
    ) -> Result<std::collections::BTreeMap<(String, String), Vec<SqliteValue>>> {
        let mut out = std::collections::BTreeMap::new();
        let Target::Sqlite { dest, .. } = self else {
            return Ok(out);
        };
        if wanted.is_empty() || !dest.exists() {
            return Ok(out);
        }
        let conn = crate::sqlite::connect::open_source(dest)?;
        for (table, columns) in wanted {
            // SQLite allows 500 terms in one compound SELECT; two per column.
            for chunk in columns.chunks(200) {
                let sampled =
                    crate::sqlite::sample::sample_columns(&conn, table, chunk, per_column)?;
                for (column, values) in sampled {
                    out.insert((table.clone(), column), values);
                }
            }
        }
        Ok(out)
    }

    /// PostgreSQL: which of `tables` (existing ones) have row-level security that applies
    /// to the role connected ([`crate::postgres::row_security`]); SQLite has none.
    ///
    /// # Errors
    /// Database errors reading the catalog.
    pub fn row_security(
        &mut self,
        tables: &[String],
    ) -> Result<Option<crate::postgres::row_security::Filtered>> {
        match self {
            Target::Postgres { client, schema, .. } => {
                let filtered =
                    crate::postgres::row_security::filtered_tables(client, schema, tables)?;
                Ok((!filtered.is_empty()).then_some(filtered))
            }
            Target::Sqlite { .. } => Ok(None),
        }
    }

    /// Starts writing: PostgreSQL is already inside its transaction and gets its settings for
    /// the bulk load ([`crate::postgres::write::tune_transaction`]); SQLite gets its temporary
    /// file (a backup-API copy of the destination when `from_existing`).
    ///
    /// # Errors
    /// I/O and database errors.
    pub fn begin(&mut self, from_existing: bool) -> Result<()> {
        match self {
            Target::Postgres { client, .. } => crate::postgres::write::tune_transaction(client),
            Target::Sqlite {
                dest, temp, writer, ..
            } => {
                remove_stale_temps(dest);
                let w = if from_existing && dest.exists() {
                    crate::sqlite::online_copy::sqlite_online_copy(dest, temp)?;
                    SqliteWriter::open_existing(temp)?
                } else {
                    SqliteWriter::create(temp)?
                };
                w.begin()?;
                *writer = Some(w);
                Ok(())
            }
        }
    }

    /// Runs DDL (or any statement) on the target.
    ///
    /// # Errors
    /// The database's error, with the statement's purpose as context.
    pub fn execute(&mut self, sql: &str, purpose: &str) -> Result<()> {
        crate::model::pause::at("target:statement");
        match self {
            Target::Postgres { client, .. } => {
                client.batch_execute(sql).context(|| purpose.to_string())
            }
            Target::Sqlite { writer, .. } => writer_mut(writer)?
                .execute(sql)
                .map_err(|e| add_context(e, purpose)),
        }
    }

    /// Writes one table's rows.
    ///
    /// # Errors
    /// Database errors, or the first error the batch iterator yields.
    pub fn write_table(
        &mut self,
        table: &TablePlan,
        batches: &mut dyn Iterator<Item = Result<SinkRows>>,
    ) -> Result<u64> {
        let batches = &mut batches.inspect(|_| crate::model::pause::at("target:batch"));
        match self {
            Target::Postgres { client, schema, .. } => {
                let cols = CopyColumn::from_pairs(&table.target_columns());
                let mut rows = batches.map(|b| match b? {
                    SinkRows::Pg(rows) => Ok(rows),
                    SinkRows::Sqlite(_) => Err(Error::runtime(
                        "internal: SQLite rows sent to a PostgreSQL target",
                    )),
                });
                // A table the run created was created in this transaction, at its top level
                // (no savepoint is open during the copy), which is what FREEZE needs.
                let load = if table.create {
                    Load::Created
                } else {
                    Load::Existing
                };
                crate::postgres::write::write_table_as(
                    client,
                    schema,
                    &table.target_table,
                    &cols,
                    load,
                    &mut rows,
                )
            }
            Target::Sqlite { writer, .. } => {
                let w = writer_mut(writer)?;
                let columns: Vec<String> =
                    table.copied_columns().map(|c| c.target.clone()).collect();
                let mut n = 0u64;
                for batch in batches {
                    let SinkRows::Sqlite(rows) = batch? else {
                        return Err(Error::runtime(
                            "internal: PostgreSQL rows sent to a SQLite target",
                        ));
                    };
                    if table.replace_existing {
                        let key = &table.target_def.primary_key;
                        w.upsert_batch(&table.target_table, &columns, key, &rows)?;
                    } else {
                        w.insert_batch(&table.target_table, &columns, &rows)?;
                    }
                    n += rows.len() as u64;
                }
                Ok(n)
            }
        }
    }

    /// Whether rows for this target are stored through [`crate::convert::to_sqlite`].
    pub fn wants_sqlite_rows(&self) -> bool {
        matches!(self, Target::Sqlite { .. })
    }

    pub fn sqlite_writer(&mut self) -> Option<&mut SqliteWriter> {
        match self {
            Target::Sqlite { writer, .. } => writer.as_mut(),
            Target::Postgres { .. } => None,
        }
    }

    pub fn pg_client(&mut self) -> Option<(&mut postgres::Client, &str)> {
        match self {
            Target::Postgres { client, schema, .. } => Some((client, schema.as_str())),
            Target::Sqlite { .. } => None,
        }
    }

    /// Makes the write permanent: `COMMIT`, or close, fsync and rename into place.
    ///
    /// # Errors
    /// Database and I/O errors; after an error the target is unchanged.
    pub fn commit(&mut self) -> Result<()> {
        match self {
            Target::Postgres { client, .. } => client
                .batch_execute("COMMIT")
                .context(|| "committing the target transaction".into()),
            Target::Sqlite {
                dest, temp, writer, ..
            } => {
                let w = writer
                    .take()
                    .ok_or_else(|| Error::runtime("internal: nothing to commit"))?;
                w.commit()?;
                w.finish()?;
                crate::model::pause::at("target:sqlite:before-rename");
                std::fs::rename(&*temp, &*dest).map_err(|e| {
                    io_error("moving the verified file into place", dest.clone(), e)
                })?;
                if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
                    if let Ok(d) = std::fs::File::open(dir) {
                        let _ = d.sync_all();
                    }
                }
                Ok(())
            }
        }
    }

    /// Undoes everything: `ROLLBACK`, or delete the temporary file. Never fails loudly:
    /// it runs on error paths.
    pub fn rollback(&mut self) {
        match self {
            Target::Postgres { client, .. } => {
                let _ = client.batch_execute("ROLLBACK");
            }
            Target::Sqlite { temp, writer, .. } => {
                drop(writer.take());
                let _ = std::fs::remove_file(&*temp);
            }
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        // A temp file that was not renamed into place is never left behind by a live run.
        if let Target::Sqlite { temp, writer, .. } = self {
            drop(writer.take());
            if temp.exists() {
                let _ = std::fs::remove_file(&*temp);
            }
        }
    }
}

fn writer_mut(writer: &mut Option<SqliteWriter>) -> Result<&mut SqliteWriter> {
    writer
        .as_mut()
        .ok_or_else(|| Error::runtime("internal: the SQLite target was not started"))
}

fn add_context(e: Error, purpose: &str) -> Error {
    match e {
        Error::Sqlite { source, .. } => Error::Sqlite {
            context: purpose.to_string(),
            source,
        },
        other => other,
    }
}

/// An I/O error in words, without Rust's "(os error 13)" suffix.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        std::io::ErrorKind::StorageFull => "the disk is full".into(),
        _ => {
            let text = e.to_string();
            text.split(" (os error")
                .next()
                .unwrap_or(&text)
                .to_lowercase()
        }
    }
}
