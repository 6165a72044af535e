//! Orders and their lines, after Sopyo's order model. Each line takes stock out once
//! through the ledger (a `sale` movement unique per line); cancelling puts it back once
//! (a `cancel` movement, unique per line too). Recording an order whose code is known
//! changes nothing.

use crate::catalog::{product_detail, resolve_sku, Item};
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use crate::stock::{record, Entry, MovementKind};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// 1 awaiting approval, 2 approved, 3 shipped, 4 cancelled (Sopyo's codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Awaiting = 1,
    Approved = 2,
    Shipped = 3,
    Cancelled = 4,
}

impl OrderStatus {
    pub fn from_code(code: i64) -> Result<Self> {
        match code {
            1 => Ok(OrderStatus::Awaiting),
            2 => Ok(OrderStatus::Approved),
            3 => Ok(OrderStatus::Shipped),
            4 => Ok(OrderStatus::Cancelled),
            other => Err(Error::OrderStatus(other)),
        }
    }

    /// Also accepts the names: awaiting, approved, shipped, cancelled.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "awaiting" => Ok(OrderStatus::Awaiting),
            "approved" => Ok(OrderStatus::Approved),
            "shipped" => Ok(OrderStatus::Shipped),
            "cancelled" | "canceled" => Ok(OrderStatus::Cancelled),
            other => Self::from_code(other.parse().map_err(|_| Error::invalid("status", format!("{text} is not an order status")))?),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Cargo {
    pub company: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub campaign_no: Option<String>,
    pub tracking_no: Option<String>,
}

/// A line as entered: the SKU of a product or variant, and how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NewLine {
    pub sku: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub quantity: Decimal,
    /// Defaults to the item's price in price group 1.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub unit_price: Option<Decimal>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub commission_price: Decimal,
    #[serde(default)]
    pub marketplace_id: Option<String>,
    #[serde(default)]
    pub marketplace_product_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NewOrder {
    /// Generated (`R-<date>-<n>`) when absent.
    pub code: Option<String>,
    pub order_type: Option<String>,
    pub marketplace: Option<String>,
    pub status: OrderStatus,
    /// Defaults to now.
    pub order_date: Option<String>,
    pub customer: Value,
    pub shipping: Value,
    pub billing: Value,
    pub cargo: Cargo,
    pub currency: String,
    pub note: Option<String>,
    pub lines: Vec<NewLine>,
}

/// The `order_type` of an order made in Raf (the only kind pushed to a remote's order create).
pub const MANUAL: &str = "manual";

impl NewOrder {
    pub fn manual(lines: Vec<NewLine>) -> Self {
        NewOrder {
            code: None,
            order_type: Some(MANUAL.into()),
            marketplace: None,
            status: OrderStatus::Approved,
            order_date: None,
            customer: Value::Object(Default::default()),
            shipping: Value::Object(Default::default()),
            billing: Value::Object(Default::default()),
            cargo: Cargo::default(),
            currency: "TRY".into(),
            note: None,
            lines,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OrderLine {
    pub id: i64,
    pub line_no: i64,
    pub sku: String,
    pub product_name: String,
    pub variant_sku: Option<String>,
    pub variant_name: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub quantity: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub unit_price: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub total_price: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub commission_price: Decimal,
    pub marketplace_id: Option<String>,
    pub marketplace_product_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Order {
    pub id: i64,
    pub code: String,
    pub order_type: Option<String>,
    pub marketplace: Option<String>,
    pub status: OrderStatus,
    pub order_date: String,
    pub customer: Value,
    pub shipping: Value,
    pub billing: Value,
    pub cargo: Cargo,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub total_price: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub commission_total: Decimal,
    pub currency: String,
    pub note: Option<String>,
    pub lines: Vec<OrderLine>,
    pub created_at: String,
    pub updated_at: String,
}

/// Records an order and takes its stock out. An order whose code is already known is
/// returned as it is, with `false`: recording the same order twice changes nothing.
pub fn record_order(conn: &mut Connection, new: &NewOrder) -> Result<(Order, bool)> {
    if new.lines.is_empty() {
        return Err(Error::invalid("lines", "an order needs at least one line"));
    }
    for line in &new.lines {
        if line.quantity <= Decimal::ZERO || !db::fits(line.quantity) {
            return Err(Error::invalid("quantity", format!("{}: the quantity must be positive, with at most 4 decimals", line.sku)));
        }
    }
    let code = db::write(conn, |tx| {
        let code = match new.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => code.to_owned(),
            None => next_code(tx)?,
        };
        if order_id(tx, &code)?.is_some() {
            return Ok((code, false));
        }
        insert_order(tx, &code, new)?;
        Ok((code, true))
    });
    let (code, created) = code?;
    Ok((order(conn, &code)?, created))
}

fn insert_order(tx: &Transaction, code: &str, new: &NewOrder) -> Result<()> {
    let now = db::now();
    tx.execute(
        "INSERT INTO orders (code, order_type, marketplace, status, order_date, customer, shipping, billing,
                cargo_company, cargo_type, cargo_campaign_no, cargo_tracking_no, currency, note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
        params![
            code,
            new.order_type,
            new.marketplace,
            new.status as i64,
            new.order_date.clone().unwrap_or_else(|| now.clone()),
            new.customer.to_string(),
            new.shipping.to_string(),
            new.billing.to_string(),
            new.cargo.company,
            new.cargo.kind,
            new.cargo.campaign_no,
            new.cargo.tracking_no,
            crate::catalog::normalize_currency(&new.currency),
            new.note,
            now
        ],
    )?;
    let order_id = tx.last_insert_rowid();
    let (mut total, mut commission) = (Decimal::ZERO, Decimal::ZERO);
    for (no, line) in new.lines.iter().enumerate() {
        let item = resolve_sku(tx, &line.sku)?;
        let detail = product_detail(tx, &line.sku)?;
        let variant = item.variant_id.and_then(|v| detail.variants.iter().find(|x| x.id == v));
        let unit_price = match line.unit_price {
            Some(p) => p,
            None => group1_price(&detail, variant)
                .ok_or_else(|| Error::invalid("unit_price", format!("{}: no price in group 1; give the unit price", line.sku)))?,
        };
        let line_total = (unit_price * line.quantity).round_dp(4);
        let variant_name = variant.map(|v| v.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(" / "));
        tx.execute(
            "INSERT INTO order_lines (order_id, line_no, product_id, variant_id, sku, variant_sku, product_name, variant_name,
                    quantity, unit_price, total_price, commission_price, marketplace_id, marketplace_product_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                order_id,
                no as i64 + 1,
                item.product_id,
                item.variant_id,
                detail.product.fields.sku,
                variant.map(|v| v.sku.clone()),
                detail.product.fields.name,
                variant_name,
                Fixed(line.quantity),
                Fixed(unit_price),
                Fixed(line_total),
                Fixed(line.commission_price),
                line.marketplace_id,
                line.marketplace_product_id
            ],
        )?;
        total += line_total;
        commission += line.commission_price;
    }
    tx.execute("UPDATE orders SET total_price = ?2, commission_total = ?3 WHERE id = ?1", params![order_id, Fixed(total), Fixed(commission)])?;
    if new.status != OrderStatus::Cancelled {
        take_stock(tx, order_id, code)?;
    }
    crate::sync::outbox::enqueue_order(tx, order_id)?;
    Ok(())
}

fn group1_price(detail: &crate::catalog::ProductDetail, variant: Option<&crate::catalog::Variant>) -> Option<Decimal> {
    variant.and_then(|v| v.prices.first().and_then(|p| p.sale)).or_else(|| detail.prices.first().and_then(|p| p.sale))
}

/// A `sale` movement for every line that has none yet.
fn take_stock(tx: &Transaction, order_id: i64, code: &str) -> Result<()> {
    let reason = format!("order {code}");
    for (line_id, item, qty) in lines_without(tx, order_id, MovementKind::Sale)? {
        record(tx, &item, -qty, Entry { order_line_id: Some(line_id), ..Entry::new(MovementKind::Sale, Some(&reason)) })?;
    }
    Ok(())
}

/// A `cancel` movement for every line whose stock went out and has not come back.
fn put_stock_back(tx: &Transaction, order_id: i64, code: &str) -> Result<()> {
    let reason = format!("order {code} cancelled");
    let sold: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT l.id FROM order_lines l JOIN stock_movements m ON m.order_line_id = l.id AND m.kind = 'sale' WHERE l.order_id = ?1",
        )?;
        let ids = stmt.query_map([order_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids
    };
    for (line_id, item, qty) in lines_without(tx, order_id, MovementKind::Cancel)? {
        if sold.contains(&line_id) {
            record(tx, &item, qty, Entry { order_line_id: Some(line_id), ..Entry::new(MovementKind::Cancel, Some(&reason)) })?;
        }
    }
    Ok(())
}

/// The order's lines tied to a good (services are sold without stock) that have no
/// movement of `kind` yet.
fn lines_without(tx: &Transaction, order_id: i64, kind: MovementKind) -> Result<Vec<(i64, Item, Decimal)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT l.id, l.product_id, l.variant_id, coalesce(l.variant_sku, l.sku), l.quantity FROM order_lines l
         WHERE l.order_id = ?1 AND l.product_id IS NOT NULL
           AND (SELECT kind FROM products WHERE id = l.product_id) = 'good'
           AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.order_line_id = l.id AND m.kind = ?2)
         ORDER BY l.line_no",
    )?;
    let rows = stmt.query_map(params![order_id, kind.as_str()], |r| {
        Ok((r.get(0)?, Item { product_id: r.get(1)?, variant_id: r.get(2)?, sku: r.get(3)? }, r.get::<_, Fixed>(4)?.0))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Moves the order to `status`. Cancelling puts its stock back; a cancelled order stays
/// cancelled.
pub fn set_status(conn: &mut Connection, code: &str, status: OrderStatus) -> Result<Order> {
    db::write(conn, |tx| {
        let (id, current) = order_id(tx, code)?.ok_or_else(|| Error::OrderNotFound(code.to_owned()))?;
        if current == OrderStatus::Cancelled {
            return if status == OrderStatus::Cancelled { Ok(()) } else { Err(Error::OrderCancelled(code.to_owned())) };
        }
        tx.execute("UPDATE orders SET status = ?2, updated_at = ?3 WHERE id = ?1", params![id, status as i64, db::now()])?;
        crate::sync::outbox::enqueue_order(tx, id)?;
        if status == OrderStatus::Cancelled {
            put_stock_back(tx, id, code)?;
        }
        Ok(())
    })?;
    order(conn, code)
}

pub fn cancel_order(conn: &mut Connection, code: &str) -> Result<Order> {
    set_status(conn, code, OrderStatus::Cancelled)
}

fn order_id(conn: &Connection, code: &str) -> Result<Option<(i64, OrderStatus)>> {
    let row: Option<(i64, i64)> =
        conn.query_row("SELECT id, status FROM orders WHERE code = ?1", [code.trim()], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    row.map(|(id, status)| Ok((id, OrderStatus::from_code(status)?))).transpose()
}

/// `R-20261122-0001`: the next free manual order code of the day. The count is only a
/// start: a code typed by hand in this form may hold that number, and recording under
/// it would return the old order instead of a new one.
fn next_code(conn: &Connection) -> Result<String> {
    let prefix = format!("R-{}-", chrono::Utc::now().format("%Y%m%d"));
    let count: i64 = conn.query_row("SELECT count(*) FROM orders WHERE code >= ?1 AND code < ?1 || '~'", [&prefix], |r| r.get(0))?;
    let mut n = count + 1;
    while order_id(conn, &format!("{prefix}{n:04}"))?.is_some() {
        n += 1;
    }
    Ok(format!("{prefix}{n:04}"))
}

const SELECT_ORDER: &str = "SELECT id, code, order_type, marketplace, status, order_date, customer, shipping, billing,
        cargo_company, cargo_type, cargo_campaign_no, cargo_tracking_no, total_price, commission_total, currency, note,
        created_at, updated_at FROM orders";

pub fn order(conn: &Connection, code: &str) -> Result<Order> {
    let mut order = conn
        .query_row(&format!("{SELECT_ORDER} WHERE code = ?1"), [code.trim()], order_from_row)
        .optional()?
        .ok_or_else(|| Error::OrderNotFound(code.to_owned()))?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, line_no, sku, product_name, variant_sku, variant_name, quantity, unit_price, total_price,
                commission_price, marketplace_id, marketplace_product_id
         FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
    )?;
    order.lines = stmt
        .query_map([order.id], |r| {
            Ok(OrderLine {
                id: r.get(0)?,
                line_no: r.get(1)?,
                sku: r.get(2)?,
                product_name: r.get(3)?,
                variant_sku: r.get(4)?,
                variant_name: r.get(5)?,
                quantity: r.get::<_, Fixed>(6)?.0,
                unit_price: r.get::<_, Fixed>(7)?.0,
                total_price: r.get::<_, Fixed>(8)?.0,
                commission_price: r.get::<_, Fixed>(9)?.0,
                marketplace_id: r.get(10)?,
                marketplace_product_id: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(order)
}

fn order_from_row(r: &Row) -> rusqlite::Result<Order> {
    let json = |i: usize| r.get::<_, String>(i).map(|s| serde_json::from_str(&s).unwrap_or(Value::Null));
    let status: i64 = r.get(4)?;
    Ok(Order {
        id: r.get(0)?,
        code: r.get(1)?,
        order_type: r.get(2)?,
        marketplace: r.get(3)?,
        status: OrderStatus::from_code(status).unwrap_or(OrderStatus::Awaiting),
        order_date: r.get(5)?,
        customer: json(6)?,
        shipping: json(7)?,
        billing: json(8)?,
        cargo: Cargo { company: r.get(9)?, kind: r.get(10)?, campaign_no: r.get(11)?, tracking_no: r.get(12)? },
        total_price: r.get::<_, Fixed>(13)?.0,
        commission_total: r.get::<_, Fixed>(14)?.0,
        currency: r.get(15)?,
        note: r.get(16)?,
        lines: Vec::new(),
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub marketplace: Option<String>,
    /// Order dates from this UTC day (`YYYY-MM-DD`) or instant as stored, inclusive.
    /// The desktop sends the first instant of the user's local day.
    pub from: Option<String>,
    /// Order dates up to this UTC day or instant, inclusive (a prefix of the stored time).
    pub to: Option<String>,
    pub limit: u32,
    /// The id of the last order of the previous page (newest first).
    pub after: Option<i64>,
}

/// Orders, newest first, without their lines.
pub fn list_orders(conn: &Connection, q: &OrderQuery) -> Result<Vec<Order>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_ORDER} WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR marketplace = ?2)
           AND (?3 IS NULL OR order_date >= ?3) AND (?4 IS NULL OR order_date < ?4 || '~')
           AND (?5 IS NULL OR (order_date, id) < (SELECT order_date, id FROM orders WHERE id = ?5))
         ORDER BY order_date DESC, id DESC LIMIT ?6"
    ))?;
    let limit = if q.limit == 0 { 50 } else { q.limit.min(1000) };
    let rows = stmt.query_map(params![q.status.map(|s| s as i64), q.marketplace, q.from, q.to, q.after, limit], order_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
