#!/usr/bin/env bash
# Builds Raf and runs it. Until the desktop app lands this is the `raf` CLI:
#   bash scripts/run.sh product list --search ışık
# With no arguments it prints the CLI's help. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }
cargo build --release --locked --bin raf
if [ $# -eq 0 ]; then set -- --help; fi
exec target/release/raf "$@"
