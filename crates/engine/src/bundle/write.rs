//! Writing a bundle all-or-nothing: every file goes into a hidden temporary folder beside
//! the destination (same file system), which is checked by reading it back and only then
//! renamed into place. The destination must not exist or be an empty folder: a bundle is
//! an audit record and is never overwritten. Files are created `0600` and the folder `0700`
//! (a bundle holds the application's data).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::encode;
use super::manifest::{
    self, Manifest, ManifestFile, ManifestSource, ManifestTable, SchemaFile, FORMAT,
    FORMAT_VERSION, MANIFEST_FILE, SCHEMA_FILE,
};
use crate::model::batch::RawBatch;
use crate::model::catalog::{Catalog, ColumnType, Dialect};
use crate::model::error::io_error;
use crate::model::value::SqliteValue;
use crate::{Error, Result};

pub struct BundleWriter {
    dest: PathBuf,
    temp: PathBuf,
    tables: Vec<ManifestTable>,
    storage_classes: BTreeMap<String, BTreeMap<String, Vec<(String, u64)>>>,
    done: bool,
}

impl BundleWriter {
    /// Checks the destination and creates the temporary folder; writes nothing else.
    ///
    /// # Errors
    /// `BadInput` for a destination that is a file, a non-empty folder, or has no parent
    /// folder; I/O errors.
    pub fn create(dest: &Path) -> Result<BundleWriter> {
        check_destination(dest)?;
        crate::support::temp_files::remove_stale_temps(dest);
        let temp = crate::support::temp_files::temp_path_for(dest);
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&temp)
            .map_err(|e| io_error("creating the bundle's temporary folder", &temp, e))?;
        Ok(BundleWriter {
            dest: dest.to_path_buf(),
            temp,
            tables: vec![],
            storage_classes: BTreeMap::new(),
            done: false,
        })
    }

    /// Where the files are until [`BundleWriter::commit`].
    pub fn temp_dir(&self) -> &Path {
        &self.temp
    }

    /// Starts the file of the next table.
    ///
    /// # Errors
    /// I/O errors.
    pub fn table(
        &mut self,
        name: &str,
        columns: &[(String, ColumnType)],
        dialect: Dialect,
    ) -> Result<TableWriter> {
        let file = manifest::table_file_name(self.tables.len(), name);
        let path = self.temp.join(&file);
        let profile = (dialect == Dialect::Sqlite).then(|| {
            columns
                .iter()
                .map(|(_, ty)| matches!(ty, ColumnType::Any).then(ClassCounts::default))
                .collect()
        });
        Ok(TableWriter {
            out: HashingFile::create(&path)?,
            entry: ManifestTable {
                name: name.to_string(),
                file,
                rows: 0,
                sha256: String::new(),
                columns: columns.iter().map(|(n, _)| n.clone()).collect(),
            },
            lines: Vec::with_capacity(64 * 1024),
            profile,
        })
    }

    /// Closes a table's file and records it for the manifest.
    ///
    /// # Errors
    /// I/O errors.
    pub fn finish_table(&mut self, table: TableWriter) -> Result<&ManifestTable> {
        let TableWriter {
            out,
            mut entry,
            profile,
            ..
        } = table;
        entry.sha256 = out.finish()?;
        if let Some(profile) = profile {
            let columns: BTreeMap<String, Vec<(String, u64)>> = entry
                .columns
                .iter()
                .zip(profile)
                .filter_map(|(c, p)| p.map(|p| (c.clone(), p.sorted())))
                .collect();
            if !columns.is_empty() {
                self.storage_classes.insert(entry.name.clone(), columns);
            }
        }
        self.tables.push(entry);
        Ok(self.tables.last().expect("just pushed"))
    }

    /// Writes `schema.json` and `manifest.json` (last: a folder without a manifest is not a
    /// bundle), and syncs the folder.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write_manifest(&mut self, catalog: Catalog, source_description: &str) -> Result<()> {
        let schema = SchemaFile {
            catalog,
            storage_classes: std::mem::take(&mut self.storage_classes),
        };
        let dialect = schema.catalog.dialect;
        let schema_sha = write_json(&self.temp.join(SCHEMA_FILE), &schema)?;
        let manifest = Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            created_by: format!("ferry {}", env!("CARGO_PKG_VERSION")),
            source: ManifestSource {
                description: crate::model::location::mask_secrets(source_description),
                dialect,
            },
            schema: ManifestFile {
                file: SCHEMA_FILE.into(),
                sha256: schema_sha,
            },
            tables: self.tables.clone(),
        };
        write_json(&self.temp.join(MANIFEST_FILE), &manifest)?;
        sync_dir(&self.temp);
        Ok(())
    }

    /// Renames the checked folder into place.
    ///
    /// # Errors
    /// I/O errors (e.g. something was put into the destination meanwhile); the destination
    /// is then unchanged.
    pub fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.temp, &self.dest).map_err(|e| {
            io_error(
                "moving the verified bundle into place (the destination must not exist or be an empty folder)",
                &self.dest,
                e,
            )
        })?;
        self.done = true;
        if let Some(parent) = self.dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent);
        }
        Ok(())
    }

    /// Throws the temporary folder away (dry run, failure, cancel).
    pub fn rollback(mut self) {
        self.remove_temp();
    }

    fn remove_temp(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.temp);
            self.done = true;
        }
    }
}

impl Drop for BundleWriter {
    fn drop(&mut self) {
        self.remove_temp();
    }
}

/// One table's file being written.
pub struct TableWriter {
    out: HashingFile,
    entry: ManifestTable,
    lines: Vec<u8>,
    /// Storage-class counts of untyped SQLite columns (what the planner asks a SQLite source).
    profile: Option<Vec<Option<ClassCounts>>>,
}

impl TableWriter {
    /// Appends a batch of rows exactly as the source produced them.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&mut self, batch: &RawBatch) -> Result<()> {
        if let (Some(profile), RawBatch::Sqlite(rows)) = (&mut self.profile, batch) {
            for row in rows {
                for (counts, v) in profile.iter_mut().zip(row) {
                    if let Some(c) = counts {
                        c.add(v);
                    }
                }
            }
        }
        self.lines.clear();
        encode::batch(batch, &mut self.lines);
        self.out.write(&self.lines)?;
        self.entry.rows += batch.len() as u64;
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        self.entry.rows
    }

    pub fn bytes(&self) -> u64 {
        self.out.bytes
    }
}

#[derive(Default)]
struct ClassCounts([u64; 5]);

const CLASS_NAMES: [&str; 5] = ["null", "integer", "real", "text", "blob"];

impl ClassCounts {
    fn add(&mut self, v: &SqliteValue) {
        let i = CLASS_NAMES
            .iter()
            .position(|n| *n == v.storage_class())
            .unwrap_or(0);
        self.0[i] += 1;
    }

    /// As SQLite's `GROUP BY typeof(c) ORDER BY count(*) DESC` lists them.
    fn sorted(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = CLASS_NAMES
            .iter()
            .zip(self.0)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// A new file (mode 0600) whose SHA-256 is computed from exactly the bytes written.
struct HashingFile {
    path: PathBuf,
    out: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl HashingFile {
    fn create(path: &Path) -> Result<HashingFile> {
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let file = open
            .open(path)
            .map_err(|e| io_error("creating a bundle file", path, e))?;
        Ok(HashingFile {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(256 * 1024, file),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        self.out
            .write_all(bytes)
            .map_err(|e| io_error("writing a bundle file", &self.path, e))
    }

    /// Flushes and fsyncs; returns the hex SHA-256.
    fn finish(self) -> Result<String> {
        let HashingFile {
            path, out, hasher, ..
        } = self;
        let file = out
            .into_inner()
            .map_err(|e| io_error("writing a bundle file", &path, e.into_error()))?;
        file.sync_all()
            .map_err(|e| io_error("syncing a bundle file", &path, e))?;
        Ok(crate::support::hashing::hex(&hasher.finalize()))
    }
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<String> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::runtime(format!("writing {}: {e}", path.display())))?;
    bytes.push(b'\n');
    let mut file = HashingFile::create(path)?;
    file.write(&bytes)?;
    file.finish()
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn check_destination(dest: &Path) -> Result<()> {
    if dest.is_file() {
        return Err(Error::bad_input(format!(
            "{} is a file; a bundle is written into a new (or empty) folder",
            dest.display()
        )));
    }
    if dest.is_dir() {
        let mut entries = std::fs::read_dir(dest)
            .map_err(|e| io_error("looking into the bundle destination", dest, e))?;
        if entries.next().is_some() {
            return Err(Error::bad_input(format!(
                "{} already exists and is not empty; Ferry never overwrites a folder — choose a new one",
                dest.display()
            )));
        }
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::bad_input(format!(
            "the folder {} does not exist; create it first",
            parent.display()
        )));
    }
    if dest.file_name().is_none() {
        return Err(Error::bad_input(format!(
            "{} does not name a folder to create",
            dest.display()
        )));
    }
    Ok(())
}
