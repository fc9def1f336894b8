#!/bin/sh
# Build the ferry CLI in release, then run the benchmark with the given arguments
# (default: 100k rows per table, 3 interleaved runs). Example:
#   bench/run.sh --rows 100000,1000000 --repeat 3
set -eu
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$(pwd)/target}"
export CARGO_TARGET_DIR
if ! cargo build --release -p ferry-cli; then
    echo "ferry build failed: the benchmark runs without it" >&2
fi
: "${FERRY_BIN:=$CARGO_TARGET_DIR/release/ferry}"
export FERRY_BIN
exec python3 bench/run.py "$@"
