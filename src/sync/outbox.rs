//! The outbox hooks: catalog, stock and order writes call these in their own transaction,
//! so a change a connection must receive is queued atomically with the change itself.
//! One row per item and connection: a second change before the push just keeps it pending;
//! the push sends the item's current values.

use crate::catalog::Item;
use crate::db;
use crate::error::Result;
use rusqlite::{params, Connection};

/// Queues the product or variant `item` for every connection that pushes products.
pub(crate) fn enqueue_item(tx: &Connection, item: &Item) -> Result<()> {
    match item.variant_id {
        Some(variant) => enqueue(tx, "variant", variant, "products"),
        None => enqueue(tx, "product", item.product_id, "products"),
    }
}

pub(crate) fn enqueue_product(tx: &Connection, product_id: i64) -> Result<()> {
    enqueue(tx, "product", product_id, "products")
}

pub(crate) fn enqueue_variant(tx: &Connection, variant_id: i64) -> Result<()> {
    enqueue(tx, "variant", variant_id, "products")
}

pub(crate) fn enqueue_order(tx: &Connection, order_id: i64) -> Result<()> {
    enqueue(tx, "order", order_id, "orders")
}

/// `setting` names the connection setting (a `Direction`) that must include push.
fn enqueue(tx: &Connection, entity: &str, local_id: i64, setting: &str) -> Result<()> {
    // Cached: an import enqueues each of a million products in one transaction.
    tx.prepare_cached(&format!(
        "INSERT INTO sync_outbox (connection_id, entity, local_id, pending, updated_at)
         SELECT id, ?1, ?2, 1, ?3 FROM sync_connections WHERE json_extract(settings, '$.{setting}') IN ('push', 'both')
         ON CONFLICT (connection_id, entity, local_id) DO UPDATE SET pending = 1, version = version + 1, updated_at = excluded.updated_at"
    ))?
    .execute(params![entity, local_id, db::now()])?;
    Ok(())
}

/// Whether any connection pushes products. Bulk writers (import) ask once and skip the
/// `enqueue_*` calls when none does: those calls would write nothing then.
pub(crate) fn pushes_products(tx: &Connection) -> Result<bool> {
    Ok(tx.query_row("SELECT EXISTS (SELECT 1 FROM sync_connections WHERE json_extract(settings, '$.products') IN ('push', 'both'))", [], |r| {
        r.get(0)
    })?)
}
