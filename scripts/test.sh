#!/usr/bin/env bash
# Runs every test of Raf. Installs what it needs first; safe to run twice.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }

# Core library and CLI: unit tests, integration tests (tests/), doc tests.
cargo test --workspace --locked
