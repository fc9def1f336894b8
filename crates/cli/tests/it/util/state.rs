//! "Exactly as before": fingerprints of a database's whole state, taken with independent SQL
//! (never Ferry's code), and of the files in a folder.

pub use ferry_testkit::files::{folder_fingerprint, sha256_file};
pub use ferry_testkit::pg::database_fingerprint;
