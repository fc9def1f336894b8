//! The portable bundle: a folder with one JSON Lines file per table, the source's schema
//! (`schema.json`) and `manifest.json` listing every file's SHA-256 (and each table's row
//! count and column order).
//!
//! A bundle is a snapshot of one database in that database's own terms: the catalog as it
//! was introspected, and values as its reader produced them (SQLite storage classes, or
//! PostgreSQL-typed values). Reading a bundle back yields exactly what reading the original
//! database would have, and reports the original dialect, so importing a bundle *is* a
//! migration from that database — same plan, same preflight, same conversions, same
//! verification — and `SQLite → bundle → X` equals `SQLite → X` by construction.
//!
//! - writing: [`export`] (or `api::migrate` / `api::export` with a `Location::Bundle`
//!   target): `writer` builds a temporary folder, `export` checks it by reading it back,
//!   then renames it into place (all or nothing; an existing non-empty folder is refused);
//! - reading: `Source::Bundle` over [`reader::BundleSource`], which checks every file
//!   against the manifest ([`manifest::verify`]) before anything connects or is written;
//! - encoding of values: [`encode`].

pub mod encode;
pub(crate) mod export;
pub mod manifest;
pub mod reader;
pub mod writer;

use std::path::Path;

use crate::location::Location;
use crate::options::Options;
use crate::progress::{Cancel, Progress};
use crate::report::Report;
use crate::RunError;

/// Exports `source` into a new bundle folder `dir`, verified, all or nothing. This is the
/// entry point for jobs that write a bundle beside their own result (Extract's `--bundle`
/// exports the SQLite file it has just committed).
///
/// # Errors
/// A [`RunError`] with the report so far: bad input for a destination that exists and is
/// not an empty folder; connection and read errors of the source.
pub fn export(
    source: &Location,
    dir: &Path,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<Report, RunError> {
    let options = Options::new(
        source.clone(),
        Location::Bundle {
            dir: dir.to_path_buf(),
        },
    );
    crate::api::export(&options, progress, cancel)
}

/// Whether `path` looks like a bundle folder (it holds a `manifest.json`).
pub fn is_bundle_dir(path: &Path) -> bool {
    path.is_dir() && path.join(manifest::MANIFEST_FILE).is_file()
}
