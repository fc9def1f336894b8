//! Hashes of files and folders, for tests that prove nothing was written ("the folder is
//! byte for byte as it was") independently of Ferry's own code.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Hex SHA-256 of a file's bytes.
pub fn sha256_file(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Names and SHA-256 of every file in a folder (not recursive), sorted.
pub fn folder_fingerprint(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                sha256_file(&p),
            )
        })
        .collect();
    files.sort();
    files
}

/// Builds a SQLite file at `path` from SQL text (fixtures live beside the tests that use
/// them), and returns the path.
pub fn sqlite_from_sql(path: &Path, sql: &str) -> PathBuf {
    let conn = rusqlite::Connection::open(path)
        .unwrap_or_else(|e| panic!("create the SQLite file {}: {e}", path.display()));
    conn.execute_batch(sql)
        .unwrap_or_else(|e| panic!("building {}: {e}", path.display()));
    path.to_path_buf()
}
