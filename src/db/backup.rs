//! Online backup to a file and restore from one, with SQLite's backup API: safe while
//! the catalog is open, and never a half-copied file.

use crate::error::{Error, Result};
use crate::progress::{self, Task};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Pages (4 KiB) copied between two progress reports.
const PAGES_PER_STEP: std::ffi::c_int = 1024;

/// Copies the open catalog to `dest` (replaced if it exists) through a temporary file,
/// so a failed backup never leaves a truncated `dest`.
pub fn backup_to(conn: &Connection, dest: &Path) -> Result<()> {
    progress::silent(|task| backup_with(conn, dest, task))
}

/// [`backup_to`], reporting pages copied to `task`; a cancelled backup leaves no file.
pub fn backup_with(conn: &Connection, dest: &Path, task: &Task) -> Result<()> {
    // Named per process: two processes may back up the same file at once (see migrate).
    let tmp = dest.with_extension(format!("partial-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let copied = (|| {
        let mut out = Connection::open(&tmp).map_err(|e| Error::open(&tmp, e))?;
        copy_pages(conn, &mut out, "backup", task)?;
        out.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    })();
    if let Err(err) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(err);
    }
    std::fs::rename(&tmp, dest).map_err(|e| Error::io(dest, e))
}

/// Copies every page of `src` into `dest` in slices, reporting after each. Until the last
/// slice `dest`'s write transaction is open, so stopping early leaves `dest` as it was.
fn copy_pages(src: &Connection, dest: &mut Connection, phase: &'static str, task: &Task) -> Result<()> {
    let backup = Backup::new(src, dest)?;
    task.check()?;
    loop {
        let state = backup.step(PAGES_PER_STEP)?;
        let p = backup.progress();
        let total = p.pagecount.max(0) as u64;
        let done = total - p.remaining.max(0) as u64;
        if state == StepResult::Done {
            // Committed: too late to stop, so only report.
            task.report(phase, done, total);
            return Ok(());
        }
        task.step(phase, done, total)?;
    }
}

/// Replaces the open catalog's content with the backup at `src`, after checking that
/// `src` is an intact Raf catalog this version can read.
pub fn restore_from(conn: &mut Connection, src: &Path) -> Result<()> {
    progress::silent(|task| restore_with(conn, src, task))
}

/// [`restore_from`], reporting pages copied to `task`; a cancelled restore changes nothing.
pub fn restore_with(conn: &mut Connection, src: &Path, task: &Task) -> Result<()> {
    let source = open_backup(src)?;
    copy_pages(&source, conn, "restore", task)?;
    let db_path = conn.path().map(std::path::PathBuf::from).unwrap_or_default();
    super::migrate(conn, &db_path, super::MIGRATIONS)
}

/// Puts the backup at `src` in place of the catalog file at `path` that cannot be opened
/// (damaged): the damaged file and its WAL are kept beside it as `<file>.damaged`, and
/// come back if the restore fails.
pub fn restore_over_damaged(path: &Path, src: &Path, task: &Task) -> Result<()> {
    let source = open_backup(src)?;
    let suffixed = |p: &Path, suffix: &str| {
        let mut name = p.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    let aside = |p: &Path| suffixed(p, ".damaged");
    let files: Vec<std::path::PathBuf> = ["", "-wal", "-shm"].iter().map(|s| suffixed(path, s)).filter(|p| p.exists()).collect();
    for file in &files {
        std::fs::rename(file, aside(file)).map_err(|e| Error::io(file, e))?;
    }
    let restored = (|| {
        let mut conn = Connection::open(path).map_err(|e| Error::open(path, e))?;
        copy_pages(&source, &mut conn, "restore", task)?;
        super::migrate(&mut conn, path, super::MIGRATIONS)
    })();
    if restored.is_err() {
        for file in &files {
            let _ = std::fs::rename(aside(file), file);
        }
    }
    restored
}

/// Opens the backup at `src` after checking that it is an intact Raf catalog this
/// version can read.
fn open_backup(src: &Path) -> Result<Connection> {
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
    let has_products: bool =
        source.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'products'", [], |r| r.get(0)).map_err(|_| not_raf())?;
    if version == 0 || !has_products {
        return Err(not_raf());
    }
    if version > super::MIGRATIONS.len() {
        return Err(Error::TooNew { found: version, known: super::MIGRATIONS.len() });
    }
    Ok(source)
}
