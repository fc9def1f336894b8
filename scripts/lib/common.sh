# shellcheck shell=bash
# Shared helpers for Ferry's scripts: loud stage headers and guarded Debian package installs.
# Sourced by scripts/test.sh and scripts/app.sh; not meant to be run on its own.

# Prints a stage header with the wall-clock time and the seconds since the script started, so
# a CI log shows where the time went.
stage() {
    printf '\n==> [%s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*"
}

note() {
    printf '    %s\n' "$*"
}

die() {
    printf '\nERROR: %s\n' "$*" >&2
    exit 1
}

# True when a Debian package is installed (not merely known or half-removed).
is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run '$*' (not root and no sudo); install it by hand and re-run"
    fi
}

# Installs the given Debian packages that are missing; does nothing (no apt-get update, no
# network) when all are present, so a second run is fast and offline.
ensure_packages() {
    command -v dpkg-query >/dev/null 2>&1 ||
        die "this script installs its prerequisites with apt on Debian/Ubuntu; dpkg-query is missing, so install these by hand: $*"
    local missing=() pkg
    for pkg in "$@"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        note "all ${#} packages present"
        return 0
    fi
    note "installing missing packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    for pkg in "${missing[@]}"; do
        is_installed "$pkg" || die "package $pkg is still not installed after apt-get install"
    done
}

# Fails with a useful message when Rust's cargo is not on PATH.
require_cargo() {
    if ! command -v cargo >/dev/null 2>&1 && [ -x "${HOME:-}/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    command -v cargo >/dev/null 2>&1 ||
        die "cargo (Rust) is not installed. Install Rust 1.95 or newer with rustup (https://rustup.rs), open a new shell, and run this again."
    # rust-toolchain.toml pins the toolchain; where rustup lacks it and cannot download it
    # (an offline machine), build with the installed default instead of failing.
    if [ -z "${RUSTUP_TOOLCHAIN:-}" ] && command -v rustup >/dev/null 2>&1; then
        local pinned
        pinned=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml 2>/dev/null || true)
        if [ -n "$pinned" ] && ! rustup toolchain list 2>/dev/null | grep -q "^$pinned"; then
            note "the pinned toolchain $pinned is not installed: using rustup's default ($(rustup default 2>/dev/null | cut -d' ' -f1))"
            export RUSTUP_TOOLCHAIN
            RUSTUP_TOOLCHAIN=$(rustup default 2>/dev/null | cut -d' ' -f1)
        fi
    fi
}
