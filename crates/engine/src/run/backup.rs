//! Backups that can be trusted: made with SQLite's online backup API (never a raw copy of a
//! live file), named with a UTC timestamp, never overwriting anything, readable by the owner
//! only, their SHA-256 recorded and then checked again by re-reading the finished file.

use std::path::{Path, PathBuf};

use crate::model::error::{io_error, Context};
use crate::model::report::BackupInfo;
use crate::sqlite::online_copy::sqlite_online_copy;
use crate::support::hashing::sha256_file;
use crate::{Error, Result};

/// Backs up the SQLite file `source` into `dir` (default: beside it) and checks the result.
///
/// # Errors
/// I/O or database errors; a backup whose re-read hash or integrity check fails.
pub fn backup_sqlite_file(source: &Path, dir: Option<&Path>) -> Result<BackupInfo> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => source
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    std::fs::create_dir_all(&dir).map_err(|e| io_error("creating the backup folder", &dir, e))?;
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".into());
    // Built under a temporary name and only then given a backup's name, by a hard link that
    // fails rather than overwrite: a run killed mid-backup leaves no file that looks like a
    // finished backup (an empty one would open as an empty database), only a temporary file
    // named like the target's, which the next run removes (`support::temp_files::remove_stale_temps`).
    let source_name = source
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".into());
    let partial = dir.join(format!(
        ".{source_name}.ferry-tmp-{}-backup",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&partial);
    let made = sqlite_online_copy(source, &partial).and_then(|()| {
        crate::model::pause::at("backup:copied");
        let sha256 = sha256_file(&partial)?;
        recheck_sqlite_backup(&partial, &sha256)?;
        Ok(sha256)
    });
    let published = made.and_then(|sha| publish(&partial, &dir, &stem).map(|path| (sha, path)));
    let _ = std::fs::remove_file(&partial);
    let (sha256, path) = published?;
    // The same bytes under their final name; check once more there.
    recheck_sqlite_backup(&path, &sha256)?;
    let bytes = std::fs::metadata(&path)
        .map_err(|e| io_error("reading the backup size", &path, e))?
        .len();
    Ok(BackupInfo {
        of: source.display().to_string(),
        path: path.display().to_string(),
        bytes,
        sha256,
        rechecked: true,
    })
}

/// Gives the finished temporary file a free backup name without ever replacing a file: a
/// hard link fails if the name was taken meanwhile (then the next name is tried); where
/// hard links are not supported, a rename to the name just found free.
fn publish(partial: &Path, dir: &Path, stem: &str) -> Result<PathBuf> {
    loop {
        let path = unique_backup_path(dir, stem, "db")?;
        match std::fs::hard_link(partial, &path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                std::fs::rename(partial, &path)
                    .map_err(|e| io_error("naming the finished backup", &path, e))?;
                return Ok(path);
            }
        }
    }
}

/// Re-reads a finished backup: same SHA-256 as recorded, and SQLite's integrity check passes.
///
/// # Errors
/// `Runtime` naming the backup when either check fails.
pub fn recheck_sqlite_backup(path: &Path, sha256: &str) -> Result<()> {
    let again = sha256_file(path)?;
    if again != sha256 {
        return Err(Error::runtime(format!(
            "backup {} changed after it was written (SHA-256 {again} ≠ {sha256})",
            path.display()
        )));
    }
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .context(|| format!("re-opening backup {}", path.display()))?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .context(|| format!("checking backup {}", path.display()))?;
    if verdict != "ok" {
        return Err(Error::runtime(format!(
            "backup {} failed SQLite's integrity check: {verdict}",
            path.display()
        )));
    }
    Ok(())
}

/// `dir/stem.ferry-backup-20261121T153045Z.ext`, with `-2`, `-3`… if that exists already.
///
/// # Errors
/// Only if thousands of names in a row are taken.
pub fn unique_backup_path(dir: &Path, stem: &str, ext: &str) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    for n in 1..10_000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let candidate = dir.join(format!("{stem}.ferry-backup-{stamp}{suffix}.{ext}"));
        if !candidate.exists() {
            return Ok(candidate);
        }
    }
    Err(Error::runtime(format!(
        "no free backup file name in {}",
        dir.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_never_overwrite_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3);",
        )
        .unwrap();
        // The source stays open and in WAL mode: the online backup must still see all rows.
        let first = backup_sqlite_file(&db, None).unwrap();
        let second = backup_sqlite_file(&db, None).unwrap();
        assert_ne!(
            first.path, second.path,
            "a second backup in the same second gets its own name"
        );
        assert_eq!(first.sha256, sha256_file(Path::new(&first.path)).unwrap());
        let copy = rusqlite::Connection::open(&first.path).unwrap();
        let n: i64 = copy
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Tampering is detected by the re-check.
        std::fs::write(&first.path, b"not a database any more").unwrap();
        assert!(recheck_sqlite_backup(Path::new(&first.path), &first.sha256).is_err());
    }
}
