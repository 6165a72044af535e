//! Online backup to a file and restore from one, with SQLite's backup API: safe while
//! the catalog is open, and never a half-copied file.

use crate::error::{Error, Result};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags, MAIN_DB};
use std::path::Path;
use std::time::Duration;

/// Copies the open catalog to `dest` (replaced if it exists) through a temporary file,
/// so a failed backup never leaves a truncated `dest`.
pub fn backup_to(conn: &Connection, dest: &Path) -> Result<()> {
    let tmp = dest.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    {
        let mut out = Connection::open(&tmp).map_err(|e| Error::open(&tmp, e))?;
        Backup::new(conn, &mut out)?.run_to_completion(1024, Duration::ZERO, None)?;
        out.pragma_update(None, "journal_mode", "DELETE")?;
    }
    std::fs::rename(&tmp, dest).map_err(|e| Error::io(dest, e))
}

/// Replaces the open catalog's content with the backup at `src`, after checking that
/// `src` is an intact Raf catalog this version can read.
pub fn restore_from(conn: &mut Connection, src: &Path) -> Result<()> {
    if !src.is_file() {
        return Err(Error::io(src, std::io::Error::from(std::io::ErrorKind::NotFound)));
    }
    let source = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| Error::open(src, e))?;
    let not_raf = || Error::NotACatalog(src.display().to_string());
    let verdict: String = source.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(|_| not_raf())?;
    if verdict != "ok" {
        return Err(Error::Corrupt(verdict));
    }
    let version: usize = source.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let has_products: bool = source
        .query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'products'", [], |r| r.get(0))
        .map_err(|_| not_raf())?;
    if version == 0 || !has_products {
        return Err(not_raf());
    }
    if version > super::MIGRATIONS.len() {
        return Err(Error::TooNew { found: version, known: super::MIGRATIONS.len() });
    }
    conn.restore(MAIN_DB, src, None::<fn(rusqlite::backup::Progress)>)?;
    let db_path = conn.path().map(std::path::PathBuf::from).unwrap_or_default();
    super::migrate(conn, &db_path, super::MIGRATIONS)
}
