#!/usr/bin/env bash
# Runs every test of Raf. Installs what it needs first (Debian 12); safe to run twice.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

step "install what is missing"
ensure_build_deps
ensure_rust
ensure_node
ensure_e2e_deps
ensure_ui_packages
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

step "core library and CLI: unit, integration and doc tests"
cargo test -p raf --locked

step "IPC bindings: TypeScript definitions from the Rust types (ts-rs)"
TS_RS_EXPORT_DIR="$PWD/ui/src/bindings" TS_RS_LARGE_INT=number cargo test -p raf --features ts --lib --locked export_bindings -q

step "desktop app: build"
CARGO_PROFILE_DEV_DEBUG=0 cargo build -p raf-desktop --locked
# The fake Sopyo, stokdurumu and KolayBi servers the Sync screen's end-to-end test runs.
cargo build --locked --example fake_sopyo --example fake_stokdurumu --example fake_kolaybi

step "UI: unit tests of the pure modules"
(cd ui && node --test test/)

step "UI: type check (tsc over JSDoc, against the generated bindings)"
(cd ui && npx --no-install tsc -p .)

step "end to end: the real app under Xvfb (tauri-driver, WebKitWebDriver)"
RAF_DESKTOP_BIN="$target_dir/debug/raf-desktop" xvfb-run -a -s "-screen 0 1280x800x24" bash -c 'cd ui && node --test e2e/'

step "all tests passed"
