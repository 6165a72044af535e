//! Progress of long work (backup, restore; import and sync next) and the way to stop it.
//! The core reports steps and checks for cancellation; a front end decides how to show
//! them (the desktop sends them through a Tauri `Channel`, the CLI may draw a bar).

use crate::error::{Error, Result};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

/// One report: `done` of `total` units (pages, rows ...) in `phase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Step {
    /// A stable name the UI translates: `backup`, `restore`, `check` ...
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

/// Where a long operation sends its steps, and the flag that asks it to stop.
pub struct Task<'a> {
    cancelled: &'a AtomicBool,
    report: &'a (dyn Fn(Step) + Sync),
}

impl<'a> Task<'a> {
    pub fn new(cancelled: &'a AtomicBool, report: &'a (dyn Fn(Step) + Sync)) -> Self {
        Task { cancelled, report }
    }

    /// Reports a step, then fails with `Error::Cancelled` if cancellation was asked for,
    /// so the caller stops at a point where it can clean up.
    pub fn step(&self, phase: &'static str, done: u64, total: u64) -> Result<()> {
        self.report(phase, done, total);
        self.check()
    }

    /// Reports a step without offering to stop: for the last one, once the work is done.
    pub fn report(&self, phase: &'static str, done: u64, total: u64) {
        (self.report)(Step { phase, done, total });
    }

    /// Fails with `Error::Cancelled` if cancellation was asked for.
    pub fn check(&self) -> Result<()> {
        if self.cancelled.load(Ordering::Relaxed) {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// For callers with nobody to tell and nothing that cancels.
pub fn silent<T>(f: impl FnOnce(&Task) -> T) -> T {
    let never = AtomicBool::new(false);
    f(&Task::new(&never, &|_| {}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn reports_steps_and_stops_when_cancelled() {
        let cancelled = AtomicBool::new(false);
        let seen = Mutex::new(Vec::new());
        let report = |s: Step| seen.lock().unwrap().push(s.done);
        let task = Task::new(&cancelled, &report);
        assert!(task.step("backup", 1, 3).is_ok());
        cancelled.store(true, Ordering::Relaxed);
        assert_eq!(task.step("backup", 2, 3).unwrap_err().code(), "task.cancelled");
        assert_eq!(*seen.lock().unwrap(), vec![1, 2]);
    }
}
