//! Lenient reading shared by the connectors: every API here sends numbers as strings
//! sometimes and ids as numbers or strings.

use super::error::SyncError;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

pub(super) fn bad(what: &str, reason: &str) -> SyncError {
    SyncError::BadResponse { what: what.to_owned(), reason: reason.to_owned() }
}

pub(super) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A decimal from a number or a numeric string (leading zeros allowed: `"029714.4"`).
pub(super) fn decimal(v: &Value) -> Option<Decimal> {
    let s = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    Decimal::from_str(&s).or_else(|_| Decimal::from_scientific(&s)).ok().map(|d| d.normalize())
}

/// A string from a string or a number (`order_code` is both).
pub(super) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
