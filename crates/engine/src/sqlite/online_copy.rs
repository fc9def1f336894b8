//! Copying a (possibly live) SQLite database with the online backup API: backups, and the
//! starting point of a build into an existing file.

use std::path::Path;

use crate::model::error::Context;
use crate::support::files::restrict_to_owner;
use crate::Result;

/// Copies a (possibly live) SQLite database to `dest` with the online backup API.
///
/// # Errors
/// When the source cannot be read or `dest` cannot be written.
pub fn sqlite_online_copy(source: &Path, dest: &Path) -> Result<()> {
    let src = rusqlite::Connection::open_with_flags(
        source,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .context(|| format!("opening {} to back it up", source.display()))?;
    let mut dst =
        rusqlite::Connection::open(dest).context(|| format!("creating {}", dest.display()))?;
    {
        let backup = rusqlite::backup::Backup::new(&src, &mut dst)
            .context(|| format!("starting the backup of {}", source.display()))?;
        backup
            .run_to_completion(256, std::time::Duration::from_millis(5), None)
            .context(|| format!("backing up {}", source.display()))?;
    }
    // The copy is a file of its own: no WAL side files, so it can be moved and hashed.
    dst.execute_batch("PRAGMA journal_mode=DELETE")
        .context(|| format!("finishing {}", dest.display()))?;
    drop(dst);
    restrict_to_owner(dest)?;
    Ok(())
}
