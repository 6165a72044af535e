//! What most tests start from: a new catalog file in a temp dir, and decimals from text.
// Each test crate compiles its own copy and uses part of it.
#![allow(dead_code)]

use rusqlite::Connection;
use rust_decimal::Decimal;
use tempfile::TempDir;

/// A new catalog in a temp dir (removed when the `TempDir` drops).
pub fn open() -> (TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    (dir, conn)
}

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}
