//! The hidden temporary files and folders Ferry builds beside a destination (same file
//! system, so the final rename is atomic), the check that they can be made there, and the
//! removal of those a killed run left behind.

use std::path::{Path, PathBuf};

const TEMP_MARK: &str = ".ferry-tmp-";

/// `dir/.name.ferry-tmp-<pid>-<nanos>`: hidden, beside the destination (same filesystem, so
/// the final rename is atomic), unique per run.
pub fn temp_path_for(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ferry.db".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    dest.with_file_name(format!(".{name}{TEMP_MARK}{}-{nanos}", std::process::id()))
}

/// Whether a temporary file can be created in `dir`, tried for real: permission bits do not
/// tell (root ignores them; a read-only mount, an ACL or a full quota refuse root too). The
/// probe file is removed at once, so the folder holds the same files afterwards.
///
/// # Errors
/// Why the file could not be created.
pub fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = temp_path_for(&dir.join("probe"));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

/// Removes temporary files (or bundle folders) left by runs that were killed (their process
/// is gone).
pub fn remove_stale_temps(dest: &Path) {
    let Some(name) = dest.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = format!(".{name}{TEMP_MARK}");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid: Option<u32> = rest.split('-').next().and_then(|p| p.parse().ok());
        let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let path = entry.path();
            // file_type does not follow symlinks: only a real folder of ours is emptied.
            let _ = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
        }
    }
}

/// A folder only this process's user can enter (0700), under the system's temporary folder
/// (`TMPDIR`), removed with everything in it when dropped. It holds private copies of files
/// Ferry must not change (a crashed SQLite source recovered there); folders left by a killed
/// run are removed by the next one.
#[derive(Debug)]
pub struct PrivateDir {
    path: PathBuf,
}

const PRIVATE_PREFIX: &str = "ferry-private-";

impl PrivateDir {
    /// # Errors
    /// I/O errors creating the folder.
    pub fn new() -> crate::Result<PrivateDir> {
        let base = std::env::temp_dir();
        remove_stale_private_dirs(&base);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = base.join(format!("{PRIVATE_PREFIX}{}-{nanos}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&path)
            .map_err(|e| crate::model::error::io_error("creating a private folder", &path, e))?;
        Ok(PrivateDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn remove_stale_private_dirs(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(PRIVATE_PREFIX) else {
            continue;
        };
        let pid: Option<u32> = rest.split('-').next().and_then(|p| p.parse().ok());
        let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
        // Only our own folders: another user's are not ours to remove (and we could not).
        if !alive && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
