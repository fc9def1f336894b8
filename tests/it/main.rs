//! End-to-end tests of the real app window (Xvfb + tauri-driver + WebKitWebDriver): one test
//! binary; `support` starts the display, the driver and the app.

mod support;

mod app_jobs;
mod app_window;
mod package;
