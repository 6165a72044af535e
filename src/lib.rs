//! Raf's core: the catalog, the stock ledger and orders over a local SQLite file.
//! No GUI here: the desktop shell (`src-tauri/`) and the `raf` CLI are thin fronts
//! over these modules. See ARCHITECTURE.md for the map and its invariants.

pub mod catalog;
pub mod db;
pub mod error;
pub mod import;
pub mod labels;
pub mod num;
pub mod orders;
pub mod progress;
pub mod report;
pub mod settings;
pub mod stock;
pub mod sync;
pub mod text;

pub use error::{Error, ErrorPayload, Result};

/// The folder name of Raf's data under the OS's per-user data directory.
pub const APP_DIR: &str = "raf";
