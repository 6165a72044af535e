//! Figures for the dashboard: stock value by category, what runs low, and movements
//! per day. Read-only; every figure comes from the catalog and the ledger as stored.

use crate::catalog::{search_products, ProductQuery, ProductRow};
use crate::db::{self, Fixed};
use crate::error::Result;
use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::Serialize;

/// Products shown in the dashboard's low-stock list.
const LOW_STOCK_ROWS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Dashboard {
    pub by_category: Vec<CategoryValue>,
    pub low_stock: Vec<ProductRow>,
    pub by_day: Vec<DayMovements>,
}

/// Stock of one category (`None`: products without one), valued at purchase price, or
/// at the price-group-1 sale price for products without a purchase price.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CategoryValue {
    pub category: Option<String>,
    pub products: i64,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub quantity: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub value: Decimal,
}

/// Stock that came in and went out on one day (UTC, `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DayMovements {
    pub day: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub added: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub removed: Decimal,
    pub movements: i64,
}

/// The dashboard, with movements of the last `days` days.
pub fn dashboard(conn: &Connection, days: u32) -> Result<Dashboard> {
    let low = ProductQuery { low_stock: true, limit: LOW_STOCK_ROWS, ..Default::default() };
    Ok(Dashboard { by_category: stock_value_by_category(conn)?, low_stock: search_products(conn, &low)?.rows, by_day: movements_by_day(conn, days)? })
}

pub fn stock_value_by_category(conn: &Connection) -> Result<Vec<CategoryValue>> {
    // Both factors carry 4 decimal places: dividing each product's product by 10^4 keeps
    // the sum in the same fixed-point scale (sub-0.0001 remainders are dropped).
    // Every product is read, from `products_stock_value` alone (migration 0008): a partial
    // index of the live goods holding exactly these columns, already in category order.
    // The group-1 price is `price1` on the row, kept by every price write. 1M products:
    // 0.19 s; the table itself plus a `prices` lookup per product took 3-4.5 s.
    db::without_map(conn, |conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT c.name, count(*), sum(p.on_hand), sum(p.on_hand * coalesce(p.purchase_price, p.price1, 0) / 10000)
             FROM products p INDEXED BY products_stock_value LEFT JOIN categories c ON c.id = p.category_id
             WHERE p.deleted_at IS NULL AND p.kind = 'good'
             GROUP BY p.category_id ORDER BY 4 DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CategoryValue { category: r.get(0)?, products: r.get(1)?, quantity: r.get::<_, Fixed>(2)?.0, value: r.get::<_, Fixed>(3)?.0 })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

pub fn movements_by_day(conn: &Connection, days: u32) -> Result<Vec<DayMovements>> {
    let since = (chrono::Utc::now() - chrono::Duration::days(days.into())).format("%Y-%m-%d").to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT substr(created_at, 1, 10) AS day, sum(max(delta, 0)), sum(max(-delta, 0)), count(*)
         FROM stock_movements WHERE created_at >= ?1 GROUP BY day ORDER BY day",
    )?;
    let rows = stmt.query_map(params![since], |r| {
        Ok(DayMovements { day: r.get(0)?, added: r.get::<_, Fixed>(1)?.0, removed: r.get::<_, Fixed>(2)?.0, movements: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
