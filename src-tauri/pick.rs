//! "Browse…": the native file chooser (GTK on Linux), an open dialog for a source and a save
//! dialog for a new target. The dialog plugin creates it on the main thread, as GTK needs;
//! this runs from an async command, so the page stays alive while the chooser is open.

use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

use crate::connection::Role;

const SQLITE_EXTENSIONS: &[&str] = &["db", "sqlite", "sqlite3", "db3"];

/// The chosen path, or `None` when the person closed the chooser.
pub fn sqlite_file(app: &AppHandle, role: Role, current: Option<&str>) -> Option<String> {
    let mut dialog = app
        .dialog()
        .file()
        .add_filter("SQLite database", SQLITE_EXTENSIONS)
        .add_filter("All files", &["*"]);
    // GTK starts in the working directory, which for a launched app is meaningless: start
    // beside the current choice, else in the home folder.
    if let Some(home) = std::env::var_os("HOME").filter(|h| std::path::Path::new(h).is_dir()) {
        dialog = dialog.set_directory(home);
    }
    if let Some(current) = current.map(str::trim).filter(|c| !c.is_empty()) {
        let path = std::path::Path::new(current);
        if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        if let Some(name) = path.file_name() {
            dialog = dialog.set_file_name(name.to_string_lossy());
        }
    }
    let picked = match role {
        Role::Source => dialog
            .set_title("Choose the SQLite database to copy")
            .blocking_pick_file(),
        Role::Target => dialog
            .set_title("Where should Ferry write the SQLite database?")
            .blocking_save_file(),
    };
    picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
}
