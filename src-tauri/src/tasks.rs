//! Long work the UI can watch and stop: each run has an id chosen by the UI, reports
//! `raf::progress::Step`s through a Tauri `Channel`, and stops when `task_cancel(id)`
//! is called. Backup, restore and sync runs use it; import will too.

use raf::progress::{Step, Task};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::Channel;

/// The cancel flags of the runs in progress, by id.
#[derive(Default, Clone)]
pub struct Tasks(Arc<Mutex<HashMap<u32, Arc<AtomicBool>>>>);

impl Tasks {
    /// Registers run `id`; it is forgotten when the returned `Job` is dropped.
    pub fn start(&self, id: u32, progress: Channel<Step>) -> Job {
        let cancelled = Arc::new(AtomicBool::new(false));
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(id, cancelled.clone());
        Job { id, cancelled, progress, tasks: self.clone() }
    }

    /// Asks run `id` to stop; false if no such run is going on.
    pub fn cancel(&self, id: u32) -> bool {
        let runs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        runs.get(&id).inspect(|flag| flag.store(true, Ordering::Relaxed)).is_some()
    }
}

pub struct Job {
    id: u32,
    cancelled: Arc<AtomicBool>,
    progress: Channel<Step>,
    tasks: Tasks,
}

impl Job {
    /// Runs `f` with a `Task` that sends each step to the UI.
    pub fn run<T>(&self, f: impl FnOnce(&Task) -> raf::Result<T>) -> raf::Result<T> {
        let report = |step: Step| {
            // A closed window no longer listens; the work itself goes on.
            let _ = self.progress.send(step);
        };
        f(&Task::new(&self.cancelled, &report))
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.tasks.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
    }
}
