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
//! - writing: `run::export` (`api::export`, or `api::migrate` with a `Location::Bundle`
//!   target): [`write`] builds a temporary folder, the export checks it by reading it back,
//!   then renames it into place (all or nothing; an existing non-empty folder is refused);
//! - reading: `Source::Bundle` over [`read::BundleSource`], which checks every file
//!   against the manifest ([`manifest::verify`]) before anything connects or is written;
//! - encoding of values: [`encode`].

pub mod encode;
pub mod manifest;
pub mod read;
pub mod write;
