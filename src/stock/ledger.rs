//! Writing and reading movements. `record` is the only code that changes a quantity.

use super::{Movement, MovementKind};
use crate::catalog::{resolve_sku, Item};
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use crate::settings::allow_negative_stock;
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A change a person asks for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "op", content = "qty", rename_all = "snake_case")]
pub enum Change {
    Add(#[cfg_attr(feature = "ts", ts(type = "string"))] Decimal),
    Sub(#[cfg_attr(feature = "ts", ts(type = "string"))] Decimal),
    /// The quantity on hand becomes this.
    Set(#[cfg_attr(feature = "ts", ts(type = "string"))] Decimal),
}

/// What a movement records besides its delta.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub kind: MovementKind,
    pub reason: Option<&'a str>,
    pub order_line_id: Option<i64>,
    pub undoes: Option<i64>,
}

impl<'a> Entry<'a> {
    pub fn new(kind: MovementKind, reason: Option<&'a str>) -> Self {
        Entry { kind, reason, order_line_id: None, undoes: None }
    }
}

/// Adds, subtracts or sets the stock of the product or variant with SKU `sku`.
pub fn adjust(conn: &mut Connection, sku: &str, change: Change, reason: Option<&str>) -> Result<Movement> {
    let (qty, kind) = match change {
        Change::Add(q) => (q, MovementKind::Add),
        Change::Sub(q) => (q, MovementKind::Sub),
        Change::Set(q) => (q, MovementKind::Set),
    };
    if qty < Decimal::ZERO || (qty == Decimal::ZERO && kind != MovementKind::Set) {
        return Err(Error::invalid("qty", "the quantity must be positive (zero is allowed for set)"));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    db::write(conn, |tx| {
        let item = resolve_sku(tx, sku)?;
        let delta = match change {
            Change::Add(q) => q,
            Change::Sub(q) => -q,
            Change::Set(q) => q - on_hand(tx, &item)?,
        };
        record(tx, &item, delta, Entry::new(kind, reason))
    })
}

/// Writes a compensating movement for movement `id`. Order movements are not undone
/// here: cancelling the order puts its stock back.
pub fn undo(conn: &mut Connection, id: i64, reason: Option<&str>) -> Result<Movement> {
    db::write(conn, |tx| undo_in(tx, id, reason))
}

/// `undo` inside the caller's transaction (a posted count is undone as a whole).
pub(crate) fn undo_in(tx: &Connection, id: i64, reason: Option<&str>) -> Result<Movement> {
    let original = movement(tx, id)?;
    if matches!(original.kind, MovementKind::Sale | MovementKind::Cancel) {
        return Err(Error::NotUndoable { id, kind: original.kind.as_str().to_owned() });
    }
    if original.undone_by.is_some() {
        return Err(Error::AlreadyUndone(id));
    }
    let item = Item { product_id: original.product_id, variant_id: original.variant_id, sku: original.sku.clone() };
    let default_reason = format!("undo #{id}");
    let entry = Entry { undoes: Some(id), ..Entry::new(MovementKind::Undo, Some(reason.unwrap_or(&default_reason))) };
    record(tx, &item, -original.delta, entry)
}

/// Appends one movement and moves the cached quantities with it. Call inside a write
/// transaction.
pub(crate) fn record(tx: &Connection, item: &Item, delta: Decimal, entry: Entry) -> Result<Movement> {
    // Cached statements: an import records a million of these in one transaction.
    let (kind, has_variants, in_trash): (String, bool, bool) = tx
        .prepare_cached(
            "SELECT kind, EXISTS (SELECT 1 FROM variants WHERE product_id = ?1 AND deleted_at IS NULL), deleted_at IS NOT NULL
             FROM products WHERE id = ?1",
        )?
        .query_row([item.product_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    // Stock that comes back (a cancelled order, an undo, the remote's word) is taken even
    // for a product in the trash; new changes are not.
    let brings_back = matches!(entry.kind, MovementKind::Cancel | MovementKind::Undo | MovementKind::Sync);
    if in_trash && !brings_back {
        return Err(Error::InTrash(item.sku.clone()));
    }
    if kind == "service" {
        return Err(Error::invalid("kind", format!("{} is a service and has no stock", item.sku)));
    }
    if item.variant_id.is_none() && has_variants {
        return Err(Error::HasVariants(item.sku.clone()));
    }
    let before = on_hand(tx, item)?;
    let after = before + delta;
    if !db::fits(delta.abs()) || !db::fits(after.abs()) {
        return Err(Error::invalid("qty", "at most 4 decimal places"));
    }
    let may_go_negative = entry.kind == MovementKind::Sync || allow_negative_stock(tx)?;
    if delta < Decimal::ZERO && after < Decimal::ZERO && !may_go_negative {
        return Err(Error::WouldGoNegative { sku: item.sku.clone(), on_hand: before, delta });
    }
    let id = insert_movement(tx, item, before, delta, entry)?;
    if let Some(variant) = item.variant_id {
        tx.prepare_cached("UPDATE variants SET on_hand = on_hand + ?2 WHERE id = ?1")?.execute(params![variant, Fixed(delta)])?;
    }
    tx.prepare_cached("UPDATE products SET on_hand = on_hand + ?2 WHERE id = ?1")?.execute(params![item.product_id, Fixed(delta)])?;
    crate::sync::outbox::enqueue_item(tx, item)?;
    movement(tx, id)
}

pub(crate) fn on_hand(conn: &Connection, item: &Item) -> Result<Decimal> {
    let fixed: Fixed = match item.variant_id {
        Some(v) => conn.prepare_cached("SELECT on_hand FROM variants WHERE id = ?1")?.query_row([v], |r| r.get(0))?,
        None => conn.prepare_cached("SELECT on_hand FROM products WHERE id = ?1")?.query_row([item.product_id], |r| r.get(0))?,
    };
    Ok(fixed.0)
}

const SELECT_MOVEMENT: &str = "SELECT m.id, m.product_id, m.variant_id, coalesce(v.sku, p.sku), m.kind, m.delta,
        m.qty_before, m.qty_after, m.reason, m.order_line_id, m.undoes,
        (SELECT u.id FROM stock_movements u WHERE u.undoes = m.id), m.created_at
     FROM stock_movements m JOIN products p ON p.id = m.product_id LEFT JOIN variants v ON v.id = m.variant_id";

pub fn movement(conn: &Connection, id: i64) -> Result<Movement> {
    conn.prepare_cached(&format!("{SELECT_MOVEMENT} WHERE m.id = ?1"))?
        .query_row([id], movement_from_row)
        .optional()?
        .ok_or(Error::MovementNotFound(id))
}

/// The item's movements, newest first; `before` (a movement id) pages back in time.
/// A product's history includes its variants'.
pub fn history(conn: &Connection, sku: &str, limit: u32, before: Option<i64>) -> Result<Vec<Movement>> {
    let item = resolve_sku(conn, sku)?;
    let (column, id) = match item.variant_id {
        Some(v) => ("m.variant_id", v),
        None => ("m.product_id", item.product_id),
    };
    let mut stmt = conn.prepare_cached(&format!("{SELECT_MOVEMENT} WHERE {column} = ?1 AND m.id < ?2 ORDER BY m.id DESC LIMIT ?3"))?;
    let rows = stmt.query_map(params![id, before.unwrap_or(i64::MAX), limit.clamp(1, 10_000)], movement_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which movements the ledger screen shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct MovementQuery {
    /// A product's SKU (its variants' movements included) or a variant's.
    pub sku: Option<String>,
    pub kind: Option<MovementKind>,
    /// From this UTC day (`YYYY-MM-DD`) or instant as stored (`2026-11-21T21:00:00.000Z`),
    /// inclusive. The desktop sends the first instant of the user's local day.
    pub from: Option<String>,
    /// Up to this UTC day or instant, inclusive (a prefix of the stored time).
    pub to: Option<String>,
    /// 0 means 100.
    pub limit: u32,
    /// The id of the last movement of the previous page (newest first).
    pub before: Option<i64>,
}

/// The ledger, newest first, filtered by item, kind and days.
pub fn movements(conn: &Connection, q: &MovementQuery) -> Result<Vec<Movement>> {
    let item = q.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| resolve_sku(conn, s)).transpose()?;
    let (product, variant) = match &item {
        Some(Item { variant_id: Some(v), .. }) => (None, Some(*v)),
        Some(item) => (Some(item.product_id), None),
        None => (None, None),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_MOVEMENT} WHERE (?1 IS NULL OR m.product_id = ?1) AND (?2 IS NULL OR m.variant_id = ?2)
           AND (?3 IS NULL OR m.kind = ?3) AND (?4 IS NULL OR m.created_at >= ?4) AND (?5 IS NULL OR m.created_at < ?5 || '~')
           AND m.id < ?6 ORDER BY m.id DESC LIMIT ?7"
    ))?;
    let limit = if q.limit == 0 { 100 } else { q.limit.min(10_000) };
    let kind = q.kind.map(MovementKind::as_str);
    let rows = stmt.query_map(params![product, variant, kind, q.from, q.to, q.before.unwrap_or(i64::MAX), limit], movement_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn movement_from_row(r: &Row) -> rusqlite::Result<Movement> {
    let kind: String = r.get(4)?;
    Ok(Movement {
        id: r.get(0)?,
        product_id: r.get(1)?,
        variant_id: r.get(2)?,
        sku: r.get(3)?,
        kind: MovementKind::parse(&kind).ok_or_else(|| rusqlite::Error::InvalidColumnType(4, kind, rusqlite::types::Type::Text))?,
        delta: r.get::<_, Fixed>(5)?.0,
        before: r.get::<_, Fixed>(6)?.0,
        after: r.get::<_, Fixed>(7)?.0,
        reason: r.get(8)?,
        order_line_id: r.get(9)?,
        undoes: r.get(10)?,
        undone_by: r.get(11)?,
        created_at: r.get(12)?,
    })
}

/// An item whose cached quantity differs from the sum of its movements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerMismatch {
    pub sku: String,
    pub on_hand: Decimal,
    pub movements_sum: Decimal,
}

/// Checks the ledger invariant for every product and variant; empty when it holds.
pub fn check_ledger(conn: &Connection) -> Result<Vec<LedgerMismatch>> {
    let mut stmt = conn.prepare(
        "SELECT p.sku, p.on_hand, (SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE product_id = p.id) s
         FROM products p WHERE p.on_hand != s
         UNION ALL
         SELECT v.sku, v.on_hand, (SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE variant_id = v.id) s
         FROM variants v WHERE v.on_hand != s",
    )?;
    let rows =
        stmt.query_map([], |r| Ok(LedgerMismatch { sku: r.get(0)?, on_hand: r.get::<_, Fixed>(1)?.0, movements_sum: r.get::<_, Fixed>(2)?.0 }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Appends a movement for an item whose checks the caller has made and whose cached
/// quantity the caller sets itself: bulk work (an import creates a product with its
/// stock already on it). Returns the movement's id; reads nothing.
pub(crate) fn insert_movement(tx: &Connection, item: &Item, before: Decimal, delta: Decimal, entry: Entry) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO stock_movements (product_id, variant_id, kind, delta, qty_before, qty_after, reason, order_line_id, undoes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        item.product_id,
        item.variant_id,
        entry.kind.as_str(),
        Fixed(delta),
        Fixed(before),
        Fixed(before + delta),
        entry.reason,
        entry.order_line_id,
        entry.undoes,
        db::now()
    ])?;
    Ok(tx.last_insert_rowid())
}
