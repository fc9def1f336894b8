//! A bundle as a source: checked in full when opened, then read line by line.
//!
//! Rows come back exactly as the original source produced them (SQLite storage classes or
//! PostgreSQL-typed values), so everything downstream — planner, preflight, conversion,
//! copy, verification — treats a bundle like the database it was exported from. Each read
//! hashes the bytes again as it goes and fails at the end if the file no longer matches the
//! manifest: a file changed after the opening check cannot slip in (the target is then
//! rolled back like after any read error).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::encode;
use super::manifest::{self, Manifest, ManifestTable, SchemaFile};
use crate::model::batch::RawBatch;
use crate::model::catalog::{Catalog, ColumnType, Dialect};
use crate::model::error::io_error;
use crate::{Error, Result};

pub struct BundleSource {
    dir: PathBuf,
    manifest: Manifest,
    schema: SchemaFile,
}

impl BundleSource {
    /// Opens a bundle after checking every file against the manifest.
    ///
    /// # Errors
    /// `BadInput` naming the file that is missing, changed, truncated, extra or malformed.
    pub fn open(dir: &Path) -> Result<BundleSource> {
        let (manifest, schema) = manifest::verify(dir)?;
        Ok(BundleSource {
            dir: dir.to_path_buf(),
            manifest,
            schema,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.manifest.source.dialect
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The catalog of the exported tables, as the original source described it.
    pub fn catalog(&self) -> Catalog {
        let mut catalog = self.schema.catalog.clone();
        catalog
            .tables
            .retain(|t| self.manifest.table(&t.name).is_some());
        catalog
    }

    pub fn storage_classes(&self, table: &str, column: &str) -> Vec<(String, u64)> {
        self.schema
            .storage_classes
            .get(table)
            .and_then(|t| t.get(column))
            .cloned()
            .unwrap_or_default()
    }

    /// Streams the named columns of a table in batches (types are not needed: the values
    /// are stored already decoded as the original source decoded them).
    ///
    /// # Errors
    /// `BadInput` for a line that does not decode or a file that changed since it was
    /// checked; whatever `on_batch` returns.
    pub fn read(
        &self,
        table: &str,
        columns: &[(String, ColumnType)],
        batch_rows: usize,
        on_batch: &mut dyn FnMut(RawBatch) -> Result<()>,
    ) -> Result<u64> {
        let entry = self.manifest.table(table).ok_or_else(|| {
            Error::bad_input(format!(
                "the bundle {} has no table {table}",
                self.dir.display()
            ))
        })?;
        let picks: Vec<usize> = columns
            .iter()
            .map(|(name, _)| {
                entry.columns.iter().position(|c| c == name).ok_or_else(|| {
                    Error::bad_input(format!(
                        "the bundle {} has no column {name} in table {table}",
                        self.dir.display()
                    ))
                })
            })
            .collect::<Result<_>>()?;
        let lines = Lines::open(&self.dir, entry)?;
        let width = entry.columns.len();
        match self.dialect() {
            Dialect::Sqlite => stream(
                lines,
                batch_rows,
                |line| Ok(project(encode::decode_sqlite_row(line, width)?, &picks)),
                RawBatch::Sqlite,
                on_batch,
            ),
            Dialect::Postgres => stream(
                lines,
                batch_rows,
                |line| Ok(project(encode::decode_pg_row(line, width)?, &picks)),
                RawBatch::Pg,
                on_batch,
            ),
        }
    }
}

/// Decodes every line into batches of at most `batch_rows` rows; the file's hash and row
/// count are checked before the last batch is handed on.
fn stream<T>(
    mut lines: Lines,
    batch_rows: usize,
    decode: impl Fn(&[u8]) -> std::result::Result<Vec<T>, String>,
    wrap: fn(Vec<Vec<T>>) -> RawBatch,
    on_batch: &mut dyn FnMut(RawBatch) -> Result<()>,
) -> Result<u64> {
    let batch_rows = batch_rows.max(1);
    let mut batch = Vec::with_capacity(batch_rows.min(4096));
    let mut count = 0u64;
    while let Some(line) = lines.next_line()? {
        let row = decode(line).map_err(|e| lines.bad_line(&e))?;
        batch.push(row);
        if batch.len() >= batch_rows {
            count += batch.len() as u64;
            on_batch(wrap(std::mem::take(&mut batch)))?;
        }
    }
    lines.finish()?;
    if !batch.is_empty() {
        count += batch.len() as u64;
        on_batch(wrap(batch))?;
    }
    Ok(count)
}

/// The requested columns of a full stored row, in the requested order.
fn project<T: Clone>(row: Vec<T>, picks: &[usize]) -> Vec<T> {
    if picks.len() == row.len() && picks.iter().enumerate().all(|(i, &p)| i == p) {
        return row;
    }
    picks.iter().map(|&i| row[i].clone()).collect()
}

/// The lines of one table file, hashed as they are read.
struct Lines<'a> {
    path: PathBuf,
    entry: &'a ManifestTable,
    reader: BufReader<std::fs::File>,
    hasher: Sha256,
    line: Vec<u8>,
    number: u64,
}

impl<'a> Lines<'a> {
    fn open(dir: &'a Path, entry: &'a ManifestTable) -> Result<Lines<'a>> {
        let path = dir.join(&entry.file);
        let file = manifest::open_listed(&path)?;
        Ok(Lines {
            path,
            entry,
            reader: BufReader::with_capacity(256 * 1024, file),
            hasher: Sha256::new(),
            line: Vec::with_capacity(4096),
            number: 0,
        })
    }

    /// The next line without its `\n`; `None` at the end of the file.
    fn next_line(&mut self) -> Result<Option<&[u8]>> {
        self.line.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .map_err(|e| io_error("reading a bundle file", &self.path, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.hasher.update(&self.line);
        if self.line.last() != Some(&b'\n') {
            return Err(manifest::truncated(&self.path));
        }
        self.number += 1;
        if self.number > self.entry.rows {
            return Err(self.changed());
        }
        Ok(Some(&self.line[..self.line.len() - 1]))
    }

    /// At the end of the file: the bytes read must be the bytes the manifest vouches for.
    fn finish(&mut self) -> Result<()> {
        let sha = crate::support::hashing::hex(&std::mem::take(&mut self.hasher).finalize());
        if sha != self.entry.sha256 || self.number != self.entry.rows {
            return Err(self.changed());
        }
        Ok(())
    }

    fn changed(&self) -> Error {
        Error::bad_input(format!(
            "{}: the file changed while it was being read (it no longer matches manifest.json); nothing was committed",
            self.path.display()
        ))
    }

    fn bad_line(&self, problem: &str) -> Error {
        Error::bad_input(format!(
            "{} line {}: {problem}",
            self.path.display(),
            self.number
        ))
    }
}
