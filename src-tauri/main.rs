//! Ferry's desktop shell: a Tauri window around the static UI in `ui/`.
//!
//! This file stays thin on purpose. Everything that moves or checks data lives in the
//! GUI-free engine (`crates/engine`); the shell only exposes commands the page calls over
//! Tauri's IPC and, later, runs migrations on a worker thread with progress over a Channel.

// Release builds on Windows should not open a console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use serde::Serialize;

/// What the page shows about the running build.
#[derive(Debug, Serialize)]
struct AppInfo {
    /// The engine's version. The engine does not export one yet; every crate shares the
    /// workspace version, so this package's version is the engine's too.
    engine_version: &'static str,
}

/// Tells the page which engine version it is talking to.
#[tauri::command]
fn app_info() -> AppInfo {
    AppInfo {
        engine_version: env!("CARGO_PKG_VERSION"),
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![app_info])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("ferry: cannot start the desktop app: {e}");
            std::process::exit(1);
        });
}
