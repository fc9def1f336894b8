//! File permissions for what holds user data.

use std::path::Path;

use crate::model::error::io_error;
use crate::Result;

/// Backups and reports hold user data: owner-only (0600).
///
/// # Errors
/// I/O errors setting permissions.
pub fn restrict_to_owner(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_error("restricting permissions of", path, e))?;
    }
    Ok(())
}
