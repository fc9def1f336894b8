#!/usr/bin/env bash
# Builds only the `ferry` command on a fresh Debian/Ubuntu machine (README "Quick start"):
#
#   bash scripts/cli.sh              # build target/release/ferry
#   bash scripts/cli.sh --install    # and copy it to ~/.local/bin/ferry
#
# Installs just what the command is built against — a C toolchain, pkg-config and OpenSSL's
# headers (TLS to hosted PostgreSQL goes through OpenSSL) — with apt, only those missing. No
# WebKit, GTK or X: the desktop app is scripts/app.sh. SQLite is compiled in (rusqlite's
# bundled SQLite), so no libsqlite3 is needed either.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh

INSTALL=no
case "${1:-}" in
"") ;;
--install) INSTALL=yes ;;
*) die "unknown argument: $1 (use --install or nothing)" ;;
esac

stage "Debian packages the command is built against"
ensure_packages build-essential pkg-config libssl-dev

stage "Rust toolchain"
require_cargo
note "$(cargo --version)"

stage "building ferry (release; the first build takes a few minutes)"
cargo build --release --locked -p ferry-cli
BIN=${CARGO_TARGET_DIR:-target}/release/ferry
note "$("$BIN" --version): $BIN"

if [ "$INSTALL" = yes ]; then
    install -D -m 0755 "$BIN" "$HOME/.local/bin/ferry"
    note "installed $HOME/.local/bin/ferry (make sure ~/.local/bin is on PATH)"
fi
