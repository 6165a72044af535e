//! The catalog as the shell holds it: one writer behind a mutex and a few read-only
//! connections (WAL lets reads go on during a long write). All work runs on blocking
//! threads, never on the UI thread. The file is opened (integrity check, migrations) on a
//! thread of its own while the window comes up; commands wait for it.

use crate::tasks::Job;
use raf::{db, ErrorPayload};
use rusqlite::Connection;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Read connections kept open between commands.
const IDLE_READERS: usize = 4;

/// The error a command returns to the UI: `{code, message, details}`.
pub type CmdResult<T> = Result<T, ErrorPayload>;

#[derive(Clone)]
pub struct Db(Arc<Inner>);

struct Inner {
    path: PathBuf,
    opened: OnceLock<CmdResult<Pools>>,
    /// The integrity check of a file too large to check before opening: run after it
    /// opens, while the user works (`db::check_file`).
    checked: OnceLock<CmdResult<()>>,
}

struct Pools {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Sync runs' own read-write connection, opened at the first run. A run spends most of
    /// its time on the network between short transactions: on the writer it would make
    /// every edit in the app wait for the whole run. Its mutex also runs one sync at a time.
    sync: Mutex<Option<Connection>>,
    /// Held while the app runs: a second copy of Raf must not open the same catalog.
    _lock: File,
}

impl Db {
    /// Starts opening `path` in the background and returns at once.
    pub fn open_in_background(path: PathBuf) -> Db {
        let db = Db(Arc::new(Inner { path, opened: OnceLock::new(), checked: OnceLock::new() }));
        let opener = db.clone();
        std::thread::spawn(move || {
            let path = &opener.0.path;
            let started = std::time::Instant::now();
            let checked_at_open = db::checked_at_open(path);
            let pools = lock(path).and_then(|lock| {
                let writer = db::open(path).map_err(|e| e.payload())?;
                Ok(Pools { writer: Mutex::new(writer), readers: Mutex::new(Vec::new()), sync: Mutex::new(None), _lock: lock })
            });
            log::info!("catalog {} opened in {:?}", path.display(), started.elapsed());
            // A file that failed to open (a small damaged one fails its check there) is
            // the check's answer too, so the window's banner says so, not only each screen.
            let open_error = pools.as_ref().err().cloned();
            let _ = opener.0.opened.set(pools);
            let checked = if let Some(err) = open_error {
                Err(err)
            } else if !checked_at_open {
                let started = std::time::Instant::now();
                let result = db::check_file(path).map_err(|e| e.payload());
                log::info!("catalog {} checked in {:?}: {}", path.display(), started.elapsed(), if result.is_ok() { "ok" } else { "damaged" });
                result
            } else {
                log::info!("catalog {} checked at open", path.display());
                Ok(())
            };
            let _ = opener.0.checked.set(checked);
            // The check read the whole file through buffers it has freed by now.
            crate::memory::release_freed_memory();
        });
        db
    }

    /// Waits for the integrity check of the file (at once for a file checked at open).
    pub async fn checked(&self) -> CmdResult<()> {
        let db = self.clone();
        blocking(move || db.0.checked.wait().clone()).await
    }

    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// Runs `f` on a read-only connection, on a blocking thread.
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> raf::Result<T> + Send + 'static) -> CmdResult<T> {
        let db = self.clone();
        blocking(move || {
            let pools = db.pools()?;
            let idle = pools.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let conn = match idle {
                Some(conn) => conn,
                None => db::open_reader(&db.0.path).map_err(|e| e.payload())?,
            };
            let out = f(&conn).map_err(|e| e.payload());
            let mut idle = pools.readers.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE_READERS {
                idle.push(conn);
            }
            out
        })
        .await
    }

    /// Runs `f` with the one writer, on a blocking thread.
    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut Connection) -> raf::Result<T> + Send + 'static) -> CmdResult<T> {
        let db = self.clone();
        blocking(move || {
            let pools = db.pools()?;
            // A panic in an earlier write rolled its transaction back: the connection is fine.
            let mut writer = pools.writer.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut writer).map_err(|e| e.payload())
        })
        .await
    }

    /// Runs `f` (a sync run) on the sync connection, on a blocking thread; SQLite's busy
    /// timeout orders its transactions with the writer's.
    pub async fn sync<T: Send + 'static>(&self, f: impl FnOnce(&mut Connection) -> raf::Result<T> + Send + 'static) -> CmdResult<T> {
        let db = self.clone();
        blocking(move || {
            let pools = db.pools()?;
            let mut slot = pools.sync.lock().unwrap_or_else(|e| e.into_inner());
            let conn = match slot.as_mut() {
                Some(conn) => conn,
                None => slot.insert(db::open(&db.0.path).map_err(|e| e.payload())?),
            };
            f(conn).map_err(|e| e.payload())
        })
        .await
    }

    /// Puts the backup at `src` in place of the catalog: through the writer when the
    /// catalog is open, or over the file when it could not be opened because it is
    /// damaged. Returns true then: the app must start again to open the restored file.
    pub async fn restore(&self, src: PathBuf, job: Job) -> CmdResult<bool> {
        let db = self.clone();
        blocking(move || {
            let restored = match db.0.opened.wait() {
                Ok(pools) => {
                    let mut writer = pools.writer.lock().unwrap_or_else(|e| e.into_inner());
                    job.run(|t| db::restore_with(&mut writer, &src, t)).map(|()| false)
                }
                // Only a damaged file: any other failure (another window holds the file,
                // no permission) must not see the file replaced.
                Err(e) if e.code == "db.corrupt" => job.run(|t| db::restore_over_damaged(&db.0.path, &src, t)).map(|()| true),
                Err(e) => return Err(e.clone()),
            };
            restored.map_err(|e| e.payload())
        })
        .await
    }

    /// Waits until the file is open; the error of a failed open is every command's error.
    fn pools(&self) -> CmdResult<&Pools> {
        self.0.opened.wait().as_ref().map_err(Clone::clone)
    }
}

/// Takes the catalog's lock file (`<file>.lock`). The single-instance plugin already
/// hands a second launch over to the first; this also covers a copy started with another
/// identifier or where the session bus it relies on is missing.
fn lock(path: &Path) -> CmdResult<File> {
    let lock_path = PathBuf::from(format!("{}.lock", path.display()));
    if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| raf::Error::io(dir, e).payload())?;
    }
    let file = File::create(&lock_path).map_err(|e| raf::Error::io(&lock_path, e).payload())?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(_) => Err(ErrorPayload {
            code: "app.already_open",
            message: format!("{} is open in another Raf window", path.display()),
            details: serde_json::json!({ "path": path.display().to_string() }),
        }),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> CmdResult<T> + Send + 'static) -> CmdResult<T> {
    match tauri::async_runtime::spawn_blocking(f).await {
        Ok(result) => result,
        Err(join) => Err(ErrorPayload { code: "app.internal", message: join.to_string(), details: serde_json::Value::Null }),
    }
}
