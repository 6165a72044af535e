//! Errors with stable machine codes. The UI translates by `code`; `message` is the
//! English fallback; `details` carries the values a translation needs.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Value};
use std::path::Path;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // catalog
    #[error("SKU {0} is already used by another product or variant")]
    SkuTaken(String),
    #[error("no product or variant with SKU {0}")]
    ProductNotFound(String),
    #[error("{kind} {name} already exists")]
    NameTaken { kind: &'static str, name: String },
    #[error("no {kind} named {name}")]
    NotFound { kind: &'static str, name: String },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("price group must be 1 to 10, not {0}")]
    PriceGroup(i64),
    #[error("product {0} has stock of its own; move it to zero before adding variants")]
    StockOnProduct(String),
    #[error("product {0} is in the trash; restore it first")]
    InTrash(String),

    // stock
    #[error("{sku}: stock would go negative ({on_hand} on hand, change {delta})")]
    WouldGoNegative { sku: String, on_hand: Decimal, delta: Decimal },
    #[error("product {0} has variants: give a variant's SKU to change stock")]
    HasVariants(String),
    #[error("no stock movement #{0}")]
    MovementNotFound(i64),
    #[error("stock movement #{0} was already undone")]
    AlreadyUndone(i64),
    #[error("a {kind} movement (#{id}) belongs to an order: cancel the order instead")]
    NotUndoable { id: i64, kind: String },

    // orders
    #[error("no order {0}")]
    OrderNotFound(String),
    #[error("order {0} is cancelled")]
    OrderCancelled(String),
    #[error("order status must be 1 (awaiting approval), 2 (approved), 3 (shipped) or 4 (cancelled), not {0}")]
    OrderStatus(i64),

    // numbers and text
    #[error("{input:?} is not a number")]
    NotANumber { input: String },

    // database
    #[error("cannot open {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the database is damaged: {0}")]
    Corrupt(String),
    #[error("{0} is not a Raf catalog")]
    NotACatalog(String),
    #[error("this catalog was written by a newer Raf (schema {found}, this version knows {known})")]
    TooNew { found: usize, known: usize },
    #[error("migration {name} failed: {source}")]
    Migration { name: &'static str, source: rusqlite::Error },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    // import and export
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),

    // sync with remote shops
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),

    // stock counting sessions
    #[error(transparent)]
    Count(#[from] crate::stock::CountError),

    // long work (progress::Task)
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.display().to_string(), source }
    }

    pub fn open(path: &Path, source: rusqlite::Error) -> Self {
        Error::Open { path: path.display().to_string(), source }
    }

    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid { field, reason: reason.into() }
    }

    /// The stable code the UI and scripts match on. Never change a shipped one.
    pub fn code(&self) -> &'static str {
        match self {
            Error::SkuTaken(_) => "catalog.sku_taken",
            Error::ProductNotFound(_) => "catalog.not_found",
            Error::NameTaken { .. } => "catalog.name_taken",
            Error::NotFound { .. } => "catalog.ref_not_found",
            Error::Invalid { .. } => "input.invalid",
            Error::PriceGroup(_) => "catalog.bad_price_group",
            Error::StockOnProduct(_) => "catalog.stock_on_product",
            Error::InTrash(_) => "catalog.in_trash",
            Error::WouldGoNegative { .. } => "stock.would_go_negative",
            Error::HasVariants(_) => "stock.has_variants",
            Error::MovementNotFound(_) => "stock.movement_not_found",
            Error::AlreadyUndone(_) => "stock.already_undone",
            Error::NotUndoable { .. } => "stock.not_undoable",
            Error::OrderNotFound(_) => "order.not_found",
            Error::OrderCancelled(_) => "order.cancelled",
            Error::OrderStatus(_) => "order.bad_status",
            Error::NotANumber { .. } => "input.not_a_number",
            Error::Open { .. } => "db.cannot_open",
            Error::Io { .. } => "io.failed",
            Error::Corrupt(_) => "db.corrupt",
            Error::NotACatalog(_) => "db.not_a_catalog",
            Error::TooNew { .. } => "db.too_new",
            Error::Migration { .. } => "db.migration_failed",
            Error::Sqlite(_) => "db.failed",
            Error::Import(e) => e.code(),
            Error::Sync(e) => e.code(),
            Error::Count(e) => e.code(),
            Error::Cancelled => "task.cancelled",
        }
    }

    /// Values for the UI's translated message.
    pub fn details(&self) -> Value {
        match self {
            Error::SkuTaken(sku) | Error::ProductNotFound(sku) | Error::HasVariants(sku) | Error::StockOnProduct(sku) | Error::InTrash(sku) => {
                json!({ "sku": sku })
            }
            Error::NameTaken { kind, name } | Error::NotFound { kind, name } => json!({ "kind": kind, "name": name }),
            Error::Invalid { field, reason } => json!({ "field": field, "reason": reason }),
            Error::PriceGroup(n) | Error::OrderStatus(n) => json!({ "value": n }),
            Error::WouldGoNegative { sku, on_hand, delta } => {
                json!({ "sku": sku, "on_hand": on_hand.to_string(), "delta": delta.to_string() })
            }
            Error::MovementNotFound(id) | Error::AlreadyUndone(id) => json!({ "movement": id }),
            Error::NotUndoable { id, kind } => json!({ "movement": id, "kind": kind }),
            Error::OrderNotFound(code) | Error::OrderCancelled(code) => json!({ "order": code }),
            Error::NotANumber { input } => json!({ "input": input }),
            Error::Open { path, .. } | Error::Io { path, .. } => json!({ "path": path }),
            Error::NotACatalog(path) => json!({ "path": path }),
            Error::TooNew { found, known } => json!({ "found": found, "known": known }),
            Error::Import(e) => e.details(),
            Error::Sync(e) => e.details(),
            Error::Count(e) => e.details(),
            Error::Corrupt(_) | Error::Migration { .. } | Error::Sqlite(_) | Error::Cancelled => Value::Null,
        }
    }

    /// The `{code, message, details}` form.
    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code(), message: self.to_string(), details: self.details() }
    }
}

/// What crosses a process boundary (CLI `--json`, Tauri IPC): `{code, message, details}`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorPayload {
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_message_details() {
        let err = Error::WouldGoNegative { sku: "A-1".into(), on_hand: Decimal::new(35, 1), delta: Decimal::new(-5, 0) };
        let v = serde_json::to_value(&err).unwrap();
        assert_eq!(
            v,
            json!({
                "code": "stock.would_go_negative",
                "message": "A-1: stock would go negative (3.5 on hand, change -5)",
                "details": { "sku": "A-1", "on_hand": "3.5", "delta": "-5" }
            })
        );
    }
}
