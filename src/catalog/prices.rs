//! Ten price groups (Perakende, Toptan, Bayi ...), each with a sale and a list price per
//! product or variant.

use super::products::{check_amount, resolve_sku};
use super::{Item, Price};
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PriceGroup {
    pub no: u8,
    pub name: String,
}

pub fn price_groups(conn: &Connection) -> Result<Vec<PriceGroup>> {
    let mut stmt = conn.prepare_cached("SELECT no, name FROM price_groups ORDER BY no")?;
    let rows = stmt.query_map([], |r| Ok(PriceGroup { no: r.get(0)?, name: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn rename_price_group(conn: &mut Connection, no: i64, name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "a price group needs a name"));
    }
    group_no(no)?;
    db::write(conn, |tx| {
        tx.execute("UPDATE price_groups SET name = ?2 WHERE no = ?1", params![no, name])?;
        Ok(())
    })
}

/// Sets the sale price (and the list price, or clears it) of the product or variant
/// with SKU `sku` in price group `group`.
pub fn set_price(conn: &mut Connection, sku: &str, group: i64, sale: Decimal, list: Option<Decimal>) -> Result<()> {
    db::write(conn, |tx| upsert_price(tx, sku, group, sale, list))
}

/// `set_price` inside the caller's write transaction (bulk work: import, sync).
pub fn upsert_price(tx: &Connection, sku: &str, group: i64, sale: Decimal, list: Option<Decimal>) -> Result<()> {
    let item = resolve_sku(tx, sku)?;
    write_price(tx, &item, group, sale, list)?;
    crate::sync::outbox::enqueue_item(tx, &item)
}

/// `upsert_price` of an item already resolved, without queueing it for sync: the import,
/// which knows its items and whether any connection pushes them.
pub(crate) fn write_price(tx: &Connection, item: &Item, group: i64, sale: Decimal, list: Option<Decimal>) -> Result<()> {
    group_no(group)?;
    check_amount("sale", sale)?;
    if let Some(list) = list {
        check_amount("list", list)?;
    }
    tx.prepare_cached(
        "INSERT INTO prices (product_id, variant_id, group_no, sale, list) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (product_id, ifnull(variant_id, 0), group_no) DO UPDATE SET sale = excluded.sale, list = excluded.list",
    )?
    .execute(params![item.product_id, item.variant_id, group, Fixed(sale), list.map(Fixed)])?;
    prices_written(tx, item.product_id, item.variant_id, group)
}

/// Marks the product changed after a write to its (`variant_id` None) or a variant's
/// prices in `group`, and keeps `products.price1`, the product's own group-1 sale price
/// that sorting by price and the dashboard read. Every write to `prices` calls it (no
/// trigger does: see migration 0010); one UPDATE of the row for both.
pub(crate) fn prices_written(tx: &Connection, product_id: i64, variant_id: Option<i64>, group: i64) -> Result<()> {
    // A statement that names `price1` moves the product in every index holding it, even
    // when the value stays: only the product's own group-1 price names it.
    let sql = match variant_id.is_none() && group == 1 {
        true => {
            "UPDATE products SET updated_at = ?2,
                 price1 = (SELECT sale FROM prices WHERE product_id = ?1 AND ifnull(variant_id, 0) = 0 AND group_no = 1)
             WHERE id = ?1"
        }
        false => "UPDATE products SET updated_at = ?2 WHERE id = ?1",
    };
    tx.prepare_cached(sql)?.execute(params![product_id, db::now()])?;
    Ok(())
}

/// Removes the sale and list price of the product or variant with SKU `sku` in price
/// group `group` (undo of an import that set a price where there was none).
pub fn remove_price(tx: &Connection, sku: &str, group: i64) -> Result<()> {
    remove_item_price(tx, &resolve_sku(tx, sku)?, group)
}

/// `remove_price` of an item already resolved.
pub(crate) fn remove_item_price(tx: &Connection, item: &Item, group: i64) -> Result<()> {
    group_no(group)?;
    tx.prepare_cached("DELETE FROM prices WHERE product_id = ?1 AND variant_id IS ?2 AND group_no = ?3")?.execute(params![
        item.product_id,
        item.variant_id,
        group
    ])?;
    prices_written(tx, item.product_id, item.variant_id, group)
}

/// A sale price and its list price, if any.
pub(crate) type SaleAndList = (Decimal, Option<Decimal>);

/// All ten groups for a product (`variant_id` None) or a variant, with their names,
/// unset ones as None.
pub(crate) fn item_prices(conn: &Connection, product_id: i64, variant_id: Option<i64>) -> Result<Vec<Price>> {
    let values = item_price_values(conn, product_id, variant_id)?;
    let mut names = conn.prepare_cached("SELECT no, name FROM price_groups ORDER BY no")?;
    let rows = names.query_map([], |r| {
        let group: u8 = r.get(0)?;
        let value = values[usize::from(group) - 1];
        Ok(Price { group, group_name: r.get(1)?, sale: value.map(|v| v.0), list: value.and_then(|v| v.1) })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The sale and list price of a product (`variant_id` None) or a variant in each of the
/// ten groups (index 0 is group 1), unset ones None. One range of the `prices_item` index,
/// in its own terms (`ifnull(variant_id, 0)`), so the variant narrows the range too: an
/// import reads this for every row it compares, an export for every item.
pub(crate) fn item_price_values(conn: &Connection, product_id: i64, variant_id: Option<i64>) -> Result<[Option<SaleAndList>; 10]> {
    let mut stmt = conn.prepare_cached("SELECT group_no, sale, list FROM prices WHERE product_id = ?1 AND ifnull(variant_id, 0) = ?2")?;
    let mut rows = stmt.query(params![product_id, variant_id.unwrap_or(0)])?;
    let mut values = [None; 10];
    while let Some(r) = rows.next()? {
        let group: usize = r.get(0)?;
        if let Some(value) = values.get_mut(group.wrapping_sub(1)) {
            *value = Some((r.get::<_, Fixed>(1)?.0, r.get::<_, Option<Fixed>>(2)?.map(|f| f.0)));
        }
    }
    Ok(values)
}

fn group_no(no: i64) -> Result<()> {
    if (1..=10).contains(&no) {
        Ok(())
    } else {
        Err(Error::PriceGroup(no))
    }
}
