//! The database: connection setup (pragmas), migrations, backup and restore.
//! Only this module knows the pragmas and the migration list.

mod backup;
mod fixed;
pub mod id_set;
mod migrate;

pub use backup::{backup_to, backup_with, restore_from, restore_over_damaged, restore_with};
pub use fixed::{fits, Fixed};
pub use migrate::{migrate, Migration, MIGRATIONS};

use crate::error::{Error, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a writer waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Files up to this size get `PRAGMA quick_check` at every open. It reads every page
/// (about 3 s for a 1M-product, 600 MB catalog), so larger files are checked by
/// `raf check` and by the desktop app in the background after its window shows.
const CHECK_AT_OPEN_MAX: u64 = 64 << 20;

/// Address space mapped for reads (not memory used up front).
const MMAP_SIZE: i64 = 1 << 30;

/// Opens (creating if needed) the catalog at `path`, applies pending migrations
/// (backing up the file first) and checks integrity.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let check = checked_at_open(path);
    let mut conn = connect(path, OpenFlags::default()).and_then(|c| if check { quick_check(&c).map(|()| c) } else { Ok(c) }).map_err(damaged)?;
    migrate(&mut conn, path, MIGRATIONS)?;
    Ok(conn)
}

/// SQLite reports a garbled header ("file is not a database") or a malformed page as a
/// plain error: name it a damaged file, so the user is offered a restore, not a bug.
fn damaged(err: Error) -> Error {
    match err {
        Error::Sqlite(rusqlite::Error::SqliteFailure(e, msg))
            if matches!(e.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) =>
        {
            Error::Corrupt(msg.unwrap_or_else(|| e.to_string()))
        }
        err => err,
    }
}

/// Opens an existing, already migrated catalog for reading only (extra reader connections).
pub fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    connect(path, flags)
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::open(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        // WAL lets readers go on while one writer writes. FULL: a lost commit could mean
        // a stock change or an outbox mark silently undone after a power cut.
        set_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    // Reads through a memory map skip a system call per page: random lookups over a
    // large catalog (search results) run several times faster.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    conn.set_prepared_statement_cache_capacity(64);
    id_set::register(&conn)?;
    Ok(conn)
}

/// Switching a new file to WAL takes an exclusive lock without calling the busy handler,
/// so it fails at once when another process opens the same new file: wait as a writer would.
fn set_wal(conn: &Connection) -> Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DatabaseBusy && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return Ok(result?),
        }
    }
}

/// True when `open` checks the file's integrity itself (a new or small file); a larger
/// one is for `check_file`, away from the user's wait.
pub fn checked_at_open(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |m| m.len() <= CHECK_AT_OPEN_MAX)
}

/// `quick_check` of the file on a connection of its own that reads through the page
/// cache, not a memory map: it reads every page once, and a map would leave the whole
/// file counted in the process's resident memory for as long as the app runs.
pub fn check_file(path: &Path) -> Result<()> {
    let conn = open_reader(path)?;
    without_map(&conn, quick_check).map_err(damaged)
}

/// `PRAGMA quick_check`: refuses to work on a damaged file.
pub fn quick_check(conn: &Connection) -> Result<()> {
    let verdict: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(Error::Corrupt(verdict))
    }
}

/// Runs `f` in an IMMEDIATE transaction (the write lock is taken up front, so two writers
/// queue instead of failing half-way) and commits only if `f` succeeds.
pub fn write<T>(conn: &mut Connection, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Runs `f` with a 256 MB page cache, then puts the default back: a bulk write (an import
/// of a million rows) touches far more index pages than the default 2 MB holds, and
/// inserts about twice as fast with them cached. The memory map is off meanwhile: pages
/// read through it stay resident, and a bulk pass reads most of a large file (peak RSS
/// 925 MB re-importing 1M rows with it, against the cache's bound without).
pub fn with_bulk_cache<T>(conn: &mut Connection, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
    let before: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -262_144)?;
    conn.pragma_update(None, "mmap_size", 0)?;
    let out = f(conn);
    conn.pragma_update(None, "cache_size", before)?;
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    out
}

/// Runs `f` with the memory map off: for a read that passes over much of the file (a
/// count, a report). Pages read through the map stay in the process's resident memory
/// for as long as the connection lives, and the kernel maps 64 KB around each one: a
/// count of products by category left 376 MB of a 1M-product catalog in the app, where
/// the page cache gives the same speed and keeps none. Turning the map off also lets go
/// of what earlier reads left mapped.
pub fn without_map<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    conn.pragma_update(None, "mmap_size", 0)?;
    let out = f(conn);
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    out
}

/// The catalog the desktop app and the CLI use when none is named: `<data dir>/raf/raf.db`.
pub fn default_path() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(crate::APP_DIR).join("raf.db")
}

/// Now, as stored in the database: UTC, RFC 3339, milliseconds.
pub fn now() -> String {
    // Not `format("%Y-...")`: that parses its pattern on every call, and an import calls
    // this for every row it writes.
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    /// Stored times sort as text in time order: always 24 characters, milliseconds, `Z`.
    #[test]
    fn now_is_utc_rfc3339_with_milliseconds() {
        let now = super::now();
        assert_eq!(now.len(), 24, "{now}");
        assert!(chrono::NaiveDateTime::parse_from_str(&now, "%Y-%m-%dT%H:%M:%S%.3fZ").is_ok(), "{now}");
    }
}
