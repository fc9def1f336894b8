//! Ferry's desktop shell: a Tauri window around the static UI in `ui/`.
//!
//! This file only wires things together. Everything that moves or checks data lives in the
//! GUI-free engine (`crates/engine`); the modules here are thin: the page's request and its
//! translation to engine options (`request`), the commands (`commands`), running engine
//! work on its own thread (`worker`) with progress over a Channel (`progress`), and the
//! small things around a run (connection test, review, recent locations, report file and
//! page, "What next", opening folders, the file the app was started with).

// Release builds on Windows should not open a console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod connection;
mod extract_users;
mod framework;
mod next_steps;
mod open;
mod open_with;
mod pick;
mod progress;
mod recent;
mod report_file;
mod request;
mod review;
mod ui_error;
mod worker;
mod zones;

/// mimalloc for Rust's allocations (SQLite keeps the C library's): `support::memory` says why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    ferry_engine::support::memory::limit_allocator_arenas();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(worker::Runs::default())
        .manage(commands::Launch {
            source: open_with::source_from_args(std::env::args_os().skip(1)),
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::test_connection,
            commands::plan,
            commands::extract_users,
            commands::detect_framework,
            commands::start_run,
            commands::cancel_run,
            commands::pick_path,
            commands::recent_locations,
            commands::open_path,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("ferry: cannot start the desktop app: {e}");
            std::process::exit(1);
        });
}
