//! API tokens in the OS keychain (macOS Keychain, Windows Credential Manager, the Secret
//! Service on Linux), never in SQLite, files, logs or IPC. `RAF_KEYRING=mock` selects
//! keyring's in-memory mock store (tests, and boxes without a keychain); it lives only as
//! long as the process, so scripts pass the token per run through `RAF_SYNC_TOKEN`.

use super::error::SyncError;
use keyring::{Entry, Error as KeyringError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once, OnceLock};

const SERVICE: &str = "raf-sync";

/// Entries are kept for the process's life: the mock store keeps a secret per entry.
fn entry(connection: &str) -> Result<Arc<Entry>, SyncError> {
    static MOCK: Once = Once::new();
    MOCK.call_once(|| {
        if std::env::var("RAF_KEYRING").is_ok_and(|v| v == "mock") {
            keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        }
    });
    static ENTRIES: OnceLock<Mutex<HashMap<String, Arc<Entry>>>> = OnceLock::new();
    let mut entries = ENTRIES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(entry) = entries.get(connection) {
        return Ok(entry.clone());
    }
    let entry = Arc::new(Entry::new(SERVICE, connection).map_err(no_keychain)?);
    entries.insert(connection.to_owned(), entry.clone());
    Ok(entry)
}

fn no_keychain(e: KeyringError) -> SyncError {
    SyncError::NoKeychain { reason: e.to_string() }
}

pub fn store(connection: &str, token: &str) -> Result<(), SyncError> {
    entry(connection)?.set_password(token).map_err(no_keychain)
}

/// The stored token, or `None` when there is none.
pub fn load(connection: &str) -> Result<Option<String>, SyncError> {
    match entry(connection)?.get_password() {
        Ok(token) => Ok(Some(token)),
        Err(KeyringError::NoEntry) => Ok(None),
        Err(e) => Err(no_keychain(e)),
    }
}

pub fn delete(connection: &str) -> Result<(), SyncError> {
    match entry(connection)?.delete_credential() {
        Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
        Err(e) => Err(no_keychain(e)),
    }
}
