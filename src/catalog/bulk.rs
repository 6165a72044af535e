//! Changes to many products at once, from the products table's selection.

use super::prices::prices_written;
use super::products::{insert_row, set_deleted_in};
use super::ProductFields;
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use crate::text::fold;
use rusqlite::{params, Connection};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// What to do to every selected product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum BulkChange {
    /// `None` takes the products out of any category.
    SetCategory { category_id: Option<i64> },
    /// Sale and list prices in `group` (the products' and their variants') change by
    /// `percent` (10 raises by 10 %, -5 lowers by 5 %), rounded to kuruş.
    ScalePrices {
        group: u8,
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        percent: Decimal,
    },
    /// Moves them to the trash.
    Delete,
}

/// Applies `change` to the products with these ids in one transaction; returns how many
/// products it touched. Unknown ids are ignored (another window may have removed them).
pub fn bulk_edit(conn: &mut Connection, ids: &[i64], change: &BulkChange) -> Result<usize> {
    if let BulkChange::ScalePrices { group, percent } = change {
        if !(1..=10).contains(group) {
            return Err(Error::PriceGroup((*group).into()));
        }
        if *percent <= Decimal::from(-100) {
            return Err(Error::invalid("percent", "a price cannot go down by 100 % or more"));
        }
    }
    db::write(conn, |tx| {
        let mut touched = 0;
        for &id in ids {
            let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM products WHERE id = ?1)", [id], |r| r.get(0))?;
            if !exists {
                continue;
            }
            match change {
                BulkChange::SetCategory { category_id } => {
                    tx.prepare_cached("UPDATE products SET category_id = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
                        id,
                        category_id,
                        db::now()
                    ])?;
                }
                BulkChange::ScalePrices { group, percent } => scale_prices(tx, id, *group, *percent)?,
                BulkChange::Delete => set_deleted_in(tx, id, Some(db::now()))?,
            }
            touched += 1;
        }
        Ok(touched)
    })
}

fn scale_prices(tx: &Connection, product_id: i64, group: u8, percent: Decimal) -> Result<()> {
    let factor = (Decimal::ONE_HUNDRED + percent) / Decimal::ONE_HUNDRED;
    let scale = |d: Decimal| (d * factor).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let mut select = tx.prepare_cached("SELECT rowid, sale, list FROM prices WHERE product_id = ?1 AND group_no = ?2")?;
    let rows = select
        .query_map(params![product_id, group], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Fixed>(1)?.0, r.get::<_, Option<Fixed>>(2)?.map(|f| f.0))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut update = tx.prepare_cached("UPDATE prices SET sale = ?2, list = ?3 WHERE rowid = ?1")?;
    for (rowid, sale, list) in rows {
        update.execute(params![rowid, Fixed(scale(sale)), list.map(|l| Fixed(scale(l)))])?;
    }
    // The product's own price in the group changed, if it has one.
    prices_written(tx, product_id, None, group.into())
}

/// Inserts a new product in one statement, with `on_hand` already on it, its prices and
/// its search index row: the bulk path of an import, which has normalized the fields
/// (`normalized`), checked the SKU free across products and variants, checked the stock,
/// and writes the ledger movement for `on_hand` itself. No reads.
pub(crate) fn insert_new_product(tx: &Connection, f: &ProductFields, on_hand: Decimal, prices: &[(u8, Decimal, Option<Decimal>)]) -> Result<i64> {
    let price1 = prices.iter().find(|p| p.0 == 1).map(|p| p.1);
    let id = insert_row(tx, f, on_hand, price1)?;
    let mut insert_price = tx.prepare_cached("INSERT INTO prices (product_id, variant_id, group_no, sale, list) VALUES (?1, NULL, ?2, ?3, ?4)")?;
    for (group, sale, list) in prices {
        insert_price.execute(params![id, group, Fixed(*sale), list.map(Fixed)])?;
    }
    // What `reindex` writes for a product without variants.
    let text = [Some(&f.name), f.subtitle.as_ref(), Some(&f.sku), f.barcode.as_ref(), f.barcode2.as_ref()]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    tx.prepare_cached("INSERT INTO product_search (rowid, text) VALUES (?1, ?2)")?.execute(params![id, fold(&text)])?;
    Ok(id)
}
