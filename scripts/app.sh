#!/usr/bin/env bash
# Starts the Ferry desktop app from source on a Debian/Ubuntu machine (README "Set up"):
#
#   bash scripts/app.sh [app arguments...]
#
# Installs the system libraries the app is built against (WebKitGTK, GTK, libsoup, OpenSSL and
# a C toolchain; only those missing, with apt), then builds and runs the app.
#
# Why a release build: the app is what a person moves their real data with, and the engine's
# copy and verification loops run many times faster optimised. The first build takes several
# minutes longer than a debug one; later starts are instant. `tauri/custom-protocol` makes it
# a production build (the UI embedded from ui/, no development server), as `cargo tauri build`
# would, without needing tauri-cli.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh

stage "Debian packages the app is built against"
ensure_packages build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev

stage "Rust toolchain"
require_cargo
note "$(cargo --version)"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    die "no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set): run this from a desktop terminal"
fi

stage "building and starting Ferry (release; the first build takes several minutes)"
exec cargo run --release -p ferry-app --features tauri/custom-protocol -- "$@"
