//! The stock ledger. Every change of a quantity is a movement row (kind, delta, the
//! quantity before and after, a reason), written in the same transaction as the cached
//! `on_hand` of the variant and its product. Invariant: on_hand == SUM(delta).

pub mod count;
mod ledger;

pub use count::CountError;
pub use ledger::{adjust, check_ledger, history, movement, movements, undo, Change, LedgerMismatch, MovementQuery};
pub(crate) use ledger::{insert_movement, on_hand, record, undo_in, Entry};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Add,
    Sub,
    Set,
    Count,
    Import,
    Sale,
    /// Stock put back by a cancelled order line.
    Cancel,
    Sync,
    /// The compensating movement of an undo.
    Undo,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Add => "add",
            MovementKind::Sub => "sub",
            MovementKind::Set => "set",
            MovementKind::Count => "count",
            MovementKind::Import => "import",
            MovementKind::Sale => "sale",
            MovementKind::Cancel => "cancel",
            MovementKind::Sync => "sync",
            MovementKind::Undo => "undo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Movement {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: Option<i64>,
    /// The SKU of the variant, or of the product.
    pub sku: String,
    pub kind: MovementKind,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub delta: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub before: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub after: Decimal,
    pub reason: Option<String>,
    pub order_line_id: Option<i64>,
    /// The movement this one undoes.
    pub undoes: Option<i64>,
    /// The movement that undid this one.
    pub undone_by: Option<i64>,
    pub created_at: String,
}
