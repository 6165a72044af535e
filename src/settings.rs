//! Shop settings kept in the catalog (never secrets: those live in the OS keychain).

use crate::db;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

const ALLOW_NEGATIVE_STOCK: &str = "allow_negative_stock";

/// Whether a sale or a subtraction may take stock below zero. Off by default.
pub fn allow_negative_stock(conn: &Connection) -> Result<bool> {
    Ok(get(conn, ALLOW_NEGATIVE_STOCK)?.is_some_and(|v| v == "true"))
}

pub fn set_allow_negative_stock(conn: &mut Connection, allow: bool) -> Result<()> {
    set(conn, ALLOW_NEGATIVE_STOCK, if allow { "true" } else { "false" })
}

fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?)
}

fn set(conn: &mut Connection, key: &str, value: &str) -> Result<()> {
    db::write(conn, |tx| {
        tx.execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params![key, value])?;
        Ok(())
    })
}
