//! `manifest.json` and `schema.json`: what a bundle holds, and the check that it still holds
//! exactly that.
//!
//! The manifest lists every file with its SHA-256 (and, for tables, the row count and the
//! column order of each line). [`verify`] runs before a bundle is used for anything: every
//! listed file must exist and match its hash and row count, no unlisted `.jsonl` file may sit
//! in the folder (it would look imported but not be), and file names must be plain names
//! inside the folder, so an edited manifest cannot point elsewhere.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::catalog::{Catalog, Dialect};
use crate::model::error::io_error;
use crate::support::hashing::hex;
use crate::{Error, Result};

pub const MANIFEST_FILE: &str = crate::model::location::BUNDLE_MANIFEST;
pub const SCHEMA_FILE: &str = "schema.json";
pub const FORMAT: &str = "ferry-bundle";
pub const FORMAT_VERSION: u32 = 1;
/// The extension of table files; an unlisted file with it is refused.
pub const TABLE_EXTENSION: &str = ".jsonl";

/// A manifest larger than this is not one Ferry wrote.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `ferry-bundle`.
    pub format: String,
    pub format_version: u32,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// `ferry 0.1.0`.
    pub created_by: String,
    pub source: ManifestSource,
    pub schema: ManifestFile,
    /// In the order they were exported (the source's table order).
    pub tables: Vec<ManifestTable>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestSource {
    /// Where the data came from, password masked.
    pub description: String,
    /// Whose terms the values are in: SQLite storage classes or PostgreSQL types.
    pub dialect: Dialect,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    pub file: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestTable {
    /// The table's real name (file names are sanitised; this is not).
    pub name: String,
    pub file: String,
    pub rows: u64,
    pub sha256: String,
    /// The columns of each line, in order.
    pub columns: Vec<String>,
}

/// `schema.json`: the source's catalog as introspected, plus what the planner would have
/// asked the SQLite source about columns without a declared type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SchemaFile {
    pub catalog: Catalog,
    /// table → column → storage classes and their counts (largest first), for SQLite
    /// columns without a declared type.
    #[serde(default)]
    pub storage_classes: BTreeMap<String, BTreeMap<String, Vec<(String, u64)>>>,
}

impl Manifest {
    pub fn table(&self, name: &str) -> Option<&ManifestTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// Reads the manifest and checks every file it lists; returns it with the schema.
///
/// # Errors
/// `BadInput` naming the file for anything missing, changed, truncated, extra or malformed.
pub fn verify(dir: &Path) -> Result<(Manifest, SchemaFile)> {
    let manifest = read_manifest(dir)?;
    let schema_bytes = read_small(&dir.join(&manifest.schema.file), "the bundle's schema")?;
    let actual = hex(&Sha256::digest(&schema_bytes));
    if actual != manifest.schema.sha256 {
        return Err(changed(
            dir,
            &manifest.schema.file,
            &actual,
            &manifest.schema.sha256,
        ));
    }
    for table in &manifest.tables {
        let path = dir.join(&table.file);
        let (sha, rows) = hash_lines(&path)?;
        if sha != table.sha256 {
            return Err(changed(dir, &table.file, &sha, &table.sha256));
        }
        if rows != table.rows {
            return Err(Error::bad_input(format!(
                "{}: has {rows} row(s) but manifest.json lists {} for table {}; the bundle was edited — re-export it",
                dir.join(&table.file).display(),
                table.rows,
                table.name
            )));
        }
    }
    refuse_unlisted(dir, &manifest)?;
    let schema: SchemaFile = serde_json::from_slice(&schema_bytes).map_err(|e| {
        Error::bad_input(format!(
            "{}: not a Ferry bundle schema ({e})",
            dir.join(&manifest.schema.file).display()
        ))
    })?;
    if schema.catalog.dialect != manifest.source.dialect {
        return Err(Error::bad_input(format!(
            "{}: the schema is {:?} but manifest.json says the values are {:?}",
            dir.display(),
            schema.catalog.dialect,
            manifest.source.dialect
        )));
    }
    for t in &manifest.tables {
        let def = schema.catalog.table(&t.name).ok_or_else(|| {
            Error::bad_input(format!(
                "{}: manifest.json lists table {} but the schema has no such table",
                dir.display(),
                t.name
            ))
        })?;
        if let Some(c) = t.columns.iter().find(|c| def.column(c).is_none()) {
            return Err(Error::bad_input(format!(
                "{}: manifest.json lists column {c} of {} but the schema has no such column",
                dir.display(),
                t.name
            )));
        }
    }
    Ok((manifest, schema))
}

fn read_manifest(dir: &Path) -> Result<Manifest> {
    if !dir.is_dir() {
        return Err(Error::bad_input(format!(
            "{} is not a folder; a bundle is a folder with {MANIFEST_FILE} in it",
            dir.display()
        )));
    }
    let path = dir.join(MANIFEST_FILE);
    if !path.exists() {
        return Err(Error::bad_input(format!(
            "{} has no {MANIFEST_FILE}: it is not a Ferry bundle (or an export did not finish)",
            dir.display()
        )));
    }
    let bytes = read_small(&path, "the bundle's manifest")?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        Error::bad_input(format!(
            "{}: not a Ferry bundle manifest ({e})",
            path.display()
        ))
    })?;
    if manifest.format != FORMAT {
        return Err(Error::bad_input(format!(
            "{}: format is \"{}\", not \"{FORMAT}\"",
            path.display(),
            manifest.format
        )));
    }
    if manifest.format_version != FORMAT_VERSION {
        return Err(Error::bad_input(format!(
            "{}: bundle format version {} (this Ferry reads version {FORMAT_VERSION}); use a Ferry that matches the one that wrote it ({})",
            path.display(),
            manifest.format_version,
            manifest.created_by
        )));
    }
    let mut seen = std::collections::HashSet::new();
    check_name(&path, &manifest.schema.file, ".json")?;
    for t in &manifest.tables {
        check_name(&path, &t.file, TABLE_EXTENSION)?;
        if !seen.insert(t.file.as_str()) || t.file == manifest.schema.file {
            return Err(Error::bad_input(format!(
                "{}: file {} is listed twice",
                path.display(),
                t.file
            )));
        }
    }
    Ok(manifest)
}

/// A listed file name must be one plain component inside the folder.
fn check_name(manifest: &Path, name: &str, extension: &str) -> Result<()> {
    let plain = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name.ends_with(extension)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if plain {
        Ok(())
    } else {
        Err(Error::bad_input(format!(
            "{}: \"{}\" is not a file name Ferry writes (a plain name ending in {extension})",
            manifest.display(),
            name.escape_debug()
        )))
    }
}

/// An unlisted `.jsonl` file looks like a table that would be imported but would not be.
fn refuse_unlisted(dir: &Path, manifest: &Manifest) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| io_error("listing the bundle folder", dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(TABLE_EXTENSION) && !manifest.tables.iter().any(|t| t.file == name) {
            return Err(Error::bad_input(format!(
                "{}: this table file is not listed in {MANIFEST_FILE}, so it would not be imported; remove it or export the bundle again",
                dir.join(&name).display()
            )));
        }
    }
    Ok(())
}

/// SHA-256 of a table file and its number of lines; a last line without its `\n` is a
/// truncated file.
///
/// # Errors
/// `BadInput` for a missing or truncated file, I/O errors otherwise.
pub fn hash_lines(path: &Path) -> Result<(String, u64)> {
    let file = open_listed(path)?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut hasher = Sha256::new();
    let mut lines = 0u64;
    let mut last = b'\n';
    loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| io_error("reading a bundle file", path, e))?;
        if buf.is_empty() {
            break;
        }
        hasher.update(buf);
        lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[buf.len() - 1];
        let n = buf.len();
        reader.consume(n);
    }
    if last != b'\n' {
        return Err(truncated(path));
    }
    Ok((hex(&hasher.finalize()), lines))
}

pub fn truncated(path: &Path) -> Error {
    Error::bad_input(format!(
        "{}: the last line is cut off (the file is truncated); the bundle is damaged — export it again",
        path.display()
    ))
}

/// Opens a file the manifest lists; a missing one is the bundle's fault, not an I/O error.
pub fn open_listed(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::bad_input(format!(
                "{}: listed in {MANIFEST_FILE} but missing; the bundle is incomplete",
                path.display()
            ))
        } else {
            io_error("opening a bundle file", path, e)
        }
    })
}

fn read_small(path: &Path, what: &str) -> Result<Vec<u8>> {
    let file = open_listed(path)?;
    let mut bytes = vec![];
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(format!("reading {what}"), path, e))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(Error::bad_input(format!(
            "{}: too large to be {what}",
            path.display()
        )));
    }
    Ok(bytes)
}

pub fn changed(dir: &Path, file: &str, actual: &str, listed: &str) -> Error {
    Error::bad_input(format!(
        "{}: the file was changed or damaged after export (its SHA-256 is {actual}, manifest.json lists {listed}); nothing was imported",
        dir.join(file).display()
    ))
}

/// `0003-order_items.jsonl`: a sequence number (unique whatever the names are, case-only
/// differences included) and a readable, safe rendering of the name.
pub fn table_file_name(sequence: usize, table: &str) -> String {
    let safe: String = table
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    format!("{:04}-{safe}{TABLE_EXTENSION}", sequence + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_file_names_are_plain_and_unique() {
        let names = [
            "Order",
            "order",
            "../etc/passwd",
            "a/b",
            "naïve ✓",
            "\"q\"",
            "",
        ];
        let files: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| table_file_name(i, n))
            .collect();
        for f in &files {
            check_name(Path::new("m"), f, TABLE_EXTENSION).unwrap();
        }
        let unique: std::collections::HashSet<&String> = files.iter().collect();
        assert_eq!(unique.len(), files.len());
        assert_eq!(files[2], "0003-___etc_passwd.jsonl");
    }

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        for bad in [
            "../x.jsonl",
            "/etc/x.jsonl",
            "a/b.jsonl",
            ".hidden.jsonl",
            "x.txt",
            "",
        ] {
            assert!(
                check_name(Path::new("m"), bad, TABLE_EXTENSION).is_err(),
                "{bad}"
            );
        }
    }
}
