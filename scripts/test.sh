#!/usr/bin/env bash
# Ferry's one test command (README "Set up"; CI runs it through .ci/run).
#
#   bash scripts/test.sh
#
# On a fresh Debian/Ubuntu machine it installs what the build and the tests need, makes sure a
# PostgreSQL server answers (starting a throwaway one when none does), then runs the Rust checks
# and every test of the workspace. Running it again installs nothing and starts where it can.
#
# Environment:
#   FERRY_TEST_PG                 use this server (libpq key=value or URL, maintenance database)
#   FERRY_TEST_FORCE_THROWAWAY=1  ignore FERRY_TEST_PG and 127.0.0.1:5432; start a private cluster
#   FERRY_TOOLS_DIR               where test tools (tauri-driver) are cached
#                                 (default: ${XDG_CACHE_HOME:-~/.cache}/ferry/tools)
#   CARGO_TARGET_DIR              honoured as usual
#
# A test never skips because PostgreSQL is missing: if no server can be found or started, this
# script stops with the reason.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh
# shellcheck source=scripts/lib/frameworks_venv.sh
. scripts/lib/frameworks_venv.sh

# Everything the build, the tests and the screenshots need. libssl-dev: the engine's TLS for
# hosted PostgreSQL goes through native-tls (OpenSSL). sqlite3/postgresql-client: the tests and
# a person debugging them use the command-line clients. chromium/poppler-utils: the HTML
# report is rendered, printed to PDF and that turned into a PNG (crates/cli/tests/it/report_html.rs).
# desktop-file-utils: the package test validates the installed desktop entry.
PACKAGES=(
    build-essential pkg-config libssl-dev
    libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev
    xvfb xauth webkit2gtk-driver imagemagick
    sqlite3 postgresql-client pgbouncer
    chromium poppler-utils desktop-file-utils
)

THROWAWAY_DIR=""

cleanup() {
    local status=$?
    if [ -n "$THROWAWAY_DIR" ] && [ -d "$THROWAWAY_DIR" ]; then
        stage "stopping the throwaway PostgreSQL cluster in $THROWAWAY_DIR"
        pg_as_owner "$PG_BIN/pg_ctl" -D "$THROWAWAY_DIR/data" -m fast -w stop >/dev/null 2>&1 ||
            pg_as_owner "$PG_BIN/pg_ctl" -D "$THROWAWAY_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$THROWAWAY_DIR"
    fi
    if [ "$status" -eq 0 ]; then
        stage "all checks and tests passed (${SECONDS}s)"
    else
        stage "FAILED with exit status $status (${SECONDS}s)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_packages() {
    stage "Debian packages"
    local wanted=("${PACKAGES[@]}")
    # A server is needed only when none is installed: a machine may have its own build of it.
    if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        wanted+=(postgresql)
    fi
    ensure_packages "${wanted[@]}"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

PG_BIN=""
PG_OWNER=""

# Runs a PostgreSQL server program as the cluster's owner: the `postgres` OS user when we are
# root (the server refuses to run as root), ourselves otherwise. Runs from the cluster's
# directory so the owner never has to read our working directory.
pg_as_owner() {
    if [ -n "$PG_OWNER" ]; then
        (cd "$THROWAWAY_DIR" && runuser -u "$PG_OWNER" -- "$@")
    else
        (cd "$THROWAWAY_DIR" && "$@")
    fi
}

# True when something accepts TCP connections on 127.0.0.1:$1 (pure bash, no extra tools).
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when the server described by a libpq connection string runs a query.
pg_answers() {
    PGCONNECT_TIMEOUT=5 psql "$1" -w -X -q -t -A -c 'select 1' </dev/null >/dev/null 2>&1
}

start_throwaway_cluster() {
    local bindir
    bindir=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1 || true)
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
        die "cannot start a throwaway PostgreSQL: no server binaries in /usr/lib/postgresql/*/bin (install the 'postgresql' package or set FERRY_TEST_PG)"
    fi
    PG_BIN=$bindir

    if [ "$(id -u)" -eq 0 ]; then
        PG_OWNER=postgres
        if ! id -u "$PG_OWNER" >/dev/null 2>&1; then
            note "creating the 'postgres' OS user to own the throwaway cluster"
            useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
                --shell /usr/sbin/nologin "$PG_OWNER"
        fi
    fi

    THROWAWAY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ferry-pg.XXXXXX")
    chmod 700 "$THROWAWAY_DIR"
    [ -z "$PG_OWNER" ] || chown "$PG_OWNER:" "$THROWAWAY_DIR"

    local port
    for port in $(seq 54329 54429); do
        port_in_use "$port" || break
    done
    port_in_use "$port" && die "cannot start a throwaway PostgreSQL: no free port in 54329-54429"

    note "initdb ($PG_BIN) into $THROWAWAY_DIR/data as ${PG_OWNER:-$(id -un)}, port $port"
    pg_as_owner "$PG_BIN/initdb" -D "$THROWAWAY_DIR/data" -U postgres -A trust -E UTF8 \
        --no-locale --no-sync >"$THROWAWAY_DIR/initdb.log" 2>&1 || {
        cat "$THROWAWAY_DIR/initdb.log" >&2
        die "initdb failed (log above)"
    }
    # Durability settings are off: this cluster lives for one test run and is deleted after.
    pg_as_owner "$PG_BIN/pg_ctl" -D "$THROWAWAY_DIR/data" -l "$THROWAWAY_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $THROWAWAY_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || {
        cat "$THROWAWAY_DIR/server.log" >&2
        die "the throwaway PostgreSQL did not start (server log above)"
    }
    export FERRY_TEST_PG="host=127.0.0.1 port=$port user=postgres dbname=postgres"
}

ensure_postgres() {
    stage "PostgreSQL for the tests"
    if [ "${FERRY_TEST_FORCE_THROWAWAY:-}" = 1 ]; then
        note "FERRY_TEST_FORCE_THROWAWAY=1: starting a private cluster"
        start_throwaway_cluster
    elif [ -n "${FERRY_TEST_PG:-}" ]; then
        note "using FERRY_TEST_PG from the environment"
    elif pg_isready -q -h 127.0.0.1 -p 5432 -t 5 &&
        pg_answers "host=127.0.0.1 port=5432 user=postgres dbname=postgres"; then
        export FERRY_TEST_PG="host=127.0.0.1 port=5432 user=postgres dbname=postgres"
        note "a server on 127.0.0.1:5432 accepts user postgres"
    else
        note "no server on 127.0.0.1:5432 accepts user postgres without a password: starting a throwaway cluster"
        start_throwaway_cluster
    fi
    pg_answers "$FERRY_TEST_PG" ||
        die "PostgreSQL at '$FERRY_TEST_PG' does not answer 'select 1' (psql: $(PGCONNECT_TIMEOUT=5 psql "$FERRY_TEST_PG" -w -X -c 'select 1' </dev/null 2>&1 | head -n 3))"
    note "FERRY_TEST_PG=$FERRY_TEST_PG"
    note "$(psql "$FERRY_TEST_PG" -w -X -t -A -c 'select version()' </dev/null)"
}

# ---------------------------------------------------------------------------------------------
# End-to-end GUI tests' prerequisites
# ---------------------------------------------------------------------------------------------

# The end-to-end tests (tests/ at the root) drive the real app window through WebDriver:
# tauri-driver -> WebKitWebDriver (package webkit2gtk-driver) -> the app, on an X display.
# The tests start their own Xvfb unless DISPLAY is set, so only the programs must exist here.
# tauri-driver is a crates.io binary, installed once into a cache and reused (~35 s the first
# time); 3.x is an alpha, so it is pinned to 2.x.
prepare_gui_tests() {
    stage "end-to-end GUI test prerequisites"
    local tools=${FERRY_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ferry/tools}
    if [ ! -x "$tools/bin/tauri-driver" ]; then
        note "installing tauri-driver 2.x into $tools"
        # Its own temporary target directory: nothing to share with the workspace build.
        env -u CARGO_TARGET_DIR cargo install tauri-driver --locked --version '^2' --root "$tools"
    fi
    export PATH="$tools/bin:$PATH"
    export FERRY_TAURI_DRIVER="$tools/bin/tauri-driver"
    command -v WebKitWebDriver >/dev/null 2>&1 || die "WebKitWebDriver is missing (package webkit2gtk-driver)"
    command -v Xvfb >/dev/null 2>&1 || die "Xvfb is missing (package xvfb)"
    note "tauri-driver: $("$FERRY_TAURI_DRIVER" --version 2>/dev/null || echo "$FERRY_TAURI_DRIVER")"
    note "WebKitWebDriver: $(command -v WebKitWebDriver); Xvfb: $(command -v Xvfb)"
}

# ---------------------------------------------------------------------------------------------
# Rust checks and tests
# ---------------------------------------------------------------------------------------------

# Stages that failed; the Rust stages all run even after one fails, so one CI log shows every
# problem (formatting, lints and test results), and the script fails at the end.
FAILED_STAGES=()

# Runs one named check; records it as failed instead of stopping the script.
check() {
    local name=$1
    shift
    stage "$name"
    if ! "$@"; then
        FAILED_STAGES+=("$name")
        printf '\n!!! FAILED: %s\n' "$name" >&2
    fi
}

engine_dependency_rule() {
    local tree forbidden
    tree=$(cargo tree -p ferry-engine -e normal --target all --prefix none --format '{p}') || return 1
    forbidden=$(printf '%s\n' "$tree" | awk '{print $1}' | sort -u | grep -E '^(tauri|clap|anyhow)([-_].*)?$' || true)
    if [ -n "$forbidden" ]; then
        cargo tree -p ferry-engine -e normal --target all -i "$(printf '%s\n' "$forbidden" | head -n 1)" || true
        printf 'ferry-engine must stay GUI- and CLI-free, but its dependencies include: %s\n' \
            "$(echo "$forbidden" | tr '\n' ' ')" >&2
        return 1
    fi
    note "ok: none of $(printf '%s\n' "$tree" | awk '{print $1}' | sort -u | wc -l) crates is tauri, clap or anyhow"
}

rust_checks() {
    stage "toolchain"
    require_cargo
    note "$(cargo --version); $(rustc --version)"
    cargo fmt --version >/dev/null 2>&1 || die "rustfmt is missing: rustup component add rustfmt"
    cargo clippy --version >/dev/null 2>&1 || die "clippy is missing: rustup component add clippy"
    note "CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-<cargo default: ./target>}"

    check "cargo fmt --all --check" cargo fmt --all --check
    check "engine dependency rule: no tauri, clap or anyhow in ferry-engine's tree" engine_dependency_rule
    check "cargo clippy --workspace --all-targets -- -D warnings" \
        cargo clippy --workspace --all-targets -- -D warnings
    check "cargo test --workspace" cargo test --workspace --no-fail-fast
    # After the workspace's tests, so the ferry and ferry-app binaries it packages are the
    # ones just tested; it installs the .deb (as root) and removes it again (tests/it/package.rs).
    # --workspace, as above: `-p ferry-app` alone unifies other features and rebuilds everything.
    check "the .deb: build, install, run (tests/it/package.rs)" \
        cargo test --workspace --test it package:: -- --ignored

    if [ "${#FAILED_STAGES[@]}" -gt 0 ]; then
        local name
        printf '\nFailed stages:\n' >&2
        for name in "${FAILED_STAGES[@]}"; do
            printf '  - %s\n' "$name" >&2
        done
        [[ " ${FAILED_STAGES[*]} " != *"cargo fmt"* ]] || printf '(formatting: run cargo fmt --all)\n' >&2
        exit 1
    fi
}

install_packages
ensure_postgres
require_cargo
prepare_gui_tests
ensure_frameworks_venv
rust_checks
