#!/usr/bin/env bash
# Builds Raf's desktop app and opens it. Installs what it needs first (Debian 12); safe
# to run twice. The command line stays available: cargo run --bin raf -- --help
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

step "install what is missing"
ensure_build_deps
ensure_rust

step "build the desktop app (release)"
cargo build --release --locked -p raf-desktop

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "no display: run it from a desktop session (or under xvfb-run)" >&2
    exit 1
fi
step "open Raf"
exec "${CARGO_TARGET_DIR:-target}/release/raf-desktop" "$@"
