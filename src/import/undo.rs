//! Import batches: every change an applied import made to what was already there is
//! journaled in order, with the values it replaced; what it created (products, variants,
//! ledger movements) is known by id range (migration 0011). Undo reverses the movements
//! through compensating ones (the ledger stays append-only), walks the journal backwards
//! (previous fields, prices and tags come back) and puts what the import created in the
//! trash.

use super::run::{Prepared, PriceChange};
use super::suspend::{touch, worth_suspending, Suspended, SUSPENDABLE_INDEXES};
use super::{ImportError, ImportOptions, Plan};
use crate::catalog::{self, Item, ProductFields, VariantFields};
use crate::db;
use crate::error::Result;
use crate::progress;
use crate::stock::{self, Entry, MovementKind};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::BTreeSet;

/// One journaled change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// `before`: the product's fields (JSON `ProductFields`).
    ProductUpdated,
    /// `before`: the variant's SKU, barcode and status (JSON `VariantFields`).
    VariantUpdated,
    /// `before`: the price it replaced (JSON `PriceChange`).
    PriceSet,
    /// `before`: the product's tag names (JSON array).
    TagsSet,
    /// A product (variant NULL) or variant brought back from the trash. `before`: when it
    /// had been trashed (JSON string).
    Restored,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::ProductUpdated => "product_updated",
            Change::VariantUpdated => "variant_updated",
            Change::PriceSet => "price_set",
            Change::TagsSet => "tags_set",
            Change::Restored => "restored",
        }
    }

    fn parse(s: &str) -> Option<Change> {
        [Change::ProductUpdated, Change::VariantUpdated, Change::PriceSet, Change::TagsSet, Change::Restored].into_iter().find(|c| c.as_str() == s)
    }
}

/// An applied import.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportBatch"))]
pub struct Batch {
    pub id: i64,
    pub file_name: String,
    pub sheet: Option<String>,
    pub rows: u64,
    pub creates: u64,
    pub updates: u64,
    pub unchanged: u64,
    pub created_at: String,
    pub undone_at: Option<String>,
}

/// What an undo put back.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UndoSummary {
    pub batch: i64,
    pub products_restored: u64,
    pub variants_restored: u64,
    pub prices_restored: u64,
    pub movements_reversed: u64,
    /// Products and variants the import created, now in the trash.
    pub created_removed: u64,
    /// Products whose tags were put back as they were.
    pub tags_restored: u64,
}

pub(crate) fn start_batch(tx: &Connection, prepared: &Prepared, options: &ImportOptions) -> Result<i64> {
    let file = prepared.workbook.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let recorded = serde_json::json!({
        "mode": options.mode, "key": options.key, "stock": options.stock,
        "header_row": prepared.header_row, "mapping": prepared.columns.fields,
    });
    // The next ids: where the ranges of what this import creates start.
    tx.execute(
        "INSERT INTO import_batches (file_name, sheet, options, rows, creates, updates, unchanged, created_at,
                                     products_from, variants_from, movements_from)
         VALUES (?1, ?2, ?3, 0, 0, 0, 0, ?4,
                 (SELECT ifnull(max(id), 0) + 1 FROM products), (SELECT ifnull(max(id), 0) + 1 FROM variants),
                 (SELECT ifnull(max(id), 0) + 1 FROM stock_movements))",
        params![file, prepared.sheet, recorded.to_string(), db::now()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Records the plan's counts and where the ranges of what the import created end.
pub(crate) fn finish_batch(tx: &Connection, batch: i64, plan: &Plan) -> Result<()> {
    tx.execute(
        "UPDATE import_batches SET rows = ?2, creates = ?3, updates = ?4, unchanged = ?5,
             products_to = (SELECT ifnull(max(id), 0) FROM products), variants_to = (SELECT ifnull(max(id), 0) FROM variants),
             movements_to = (SELECT ifnull(max(id), 0) FROM stock_movements), finished_at = ?6
         WHERE id = ?1",
        params![batch, plan.rows as i64, plan.creates as i64, plan.updates as i64, plan.unchanged as i64, db::now()],
    )?;
    Ok(())
}

/// Journals a change to a product or variant that was there before, with `before`, the
/// value it replaced (JSON).
#[allow(clippy::too_many_arguments)]
pub(crate) fn journal(
    tx: &Connection,
    batch: i64,
    seq: i64,
    row: u32,
    change: Change,
    product: i64,
    variant: Option<i64>,
    before: String,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO import_changes (batch_id, seq, row_no, change, product_id, variant_id, before)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![batch, seq, row, change.as_str(), product, variant, before])?;
    Ok(())
}

/// Applied imports, newest first.
pub fn batches(conn: &Connection) -> Result<Vec<Batch>> {
    let mut stmt =
        conn.prepare("SELECT id, file_name, sheet, rows, creates, updates, unchanged, created_at, undone_at FROM import_batches ORDER BY id DESC")?;
    let rows = stmt.query_map([], |r| {
        Ok(Batch {
            id: r.get(0)?,
            file_name: r.get(1)?,
            sheet: r.get(2)?,
            rows: r.get(3)?,
            creates: r.get(4)?,
            updates: r.get(5)?,
            unchanged: r.get(6)?,
            created_at: r.get(7)?,
            undone_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Undoes import `batch` (the latest one not undone when `None`), in one transaction.
/// Batches are undone newest first: a later import may have changed the same products.
/// Refuses, unless `force`, when products or variants the batch changed or created were
/// edited after it: putting back what it replaced would overwrite those edits.
pub fn undo(conn: &mut Connection, batch: Option<i64>, force: bool) -> Result<UndoSummary> {
    db::with_bulk_cache(conn, |conn| db::write(conn, |tx| undo_in(tx, batch, force)))
}

fn undo_in(tx: &Connection, batch: Option<i64>, force: bool) -> Result<UndoSummary> {
    let batch = match batch {
        Some(id) => id,
        None => tx
            .query_row("SELECT max(id) FROM import_batches WHERE undone_at IS NULL", [], |r| r.get::<_, Option<i64>>(0))?
            .ok_or(ImportError::NothingToUndo)?,
    };
    let undone: Option<String> = tx
        .query_row("SELECT undone_at FROM import_batches WHERE id = ?1", [batch], |r| r.get(0))
        .optional()?
        .ok_or(ImportError::BatchNotFound(batch))?;
    if undone.is_some() {
        return Err(ImportError::AlreadyUndone(batch).into());
    }
    let later: Option<i64> = tx.query_row("SELECT max(id) FROM import_batches WHERE id > ?1 AND undone_at IS NULL", [batch], |r| r.get(0))?;
    if let Some(later) = later {
        return Err(ImportError::UndoOrder { batch, later }.into());
    }
    let edited = if force { Vec::new() } else { edited_since(tx, batch)? };
    if !edited.is_empty() {
        return Err(ImportError::EditedSince { batch, skus: edited }.into());
    }
    let summary = revert(tx, batch)?;
    tx.execute("UPDATE import_batches SET undone_at = ?2 WHERE id = ?1", params![batch, db::now()])?;
    Ok(summary)
}

/// How many edited SKUs an `EditedSince` error names.
const EDITED_SHOWN: i64 = 10;

/// SKUs of the products and variants batch `batch` changed or created that were edited
/// after it (their `updated_at` is later than its end, or than the undo of a later batch:
/// later batches are undone by now, and their writes are no one's edits). Stock is not
/// among them: a sale since is kept, as undo reverses the import's own movements. Empty
/// for a batch from before its end was recorded (migration 0012).
fn edited_since(tx: &Connection, batch: i64) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "WITH b AS (
             SELECT *, max(finished_at, ifnull((SELECT max(undone_at) FROM import_batches WHERE id > ?1), '')) AS since
             FROM import_batches WHERE id = ?1 AND finished_at IS NOT NULL)
         SELECT p.sku FROM products p, b WHERE p.updated_at > b.since
           AND (p.id BETWEEN b.products_from AND b.products_to OR p.id IN (SELECT product_id FROM import_changes WHERE batch_id = ?1))
         UNION
         SELECT v.sku FROM variants v, b WHERE v.updated_at > b.since
           AND (v.id BETWEEN b.variants_from AND b.variants_to OR v.id IN (SELECT variant_id FROM import_changes WHERE batch_id = ?1))
         ORDER BY 1 LIMIT ?2",
    )?;
    let skus = stmt.query_map(params![batch, EDITED_SHOWN], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(skus)
}

/// Ids of what a batch created, inclusive (empty when `to < from`).
type Range = (Option<i64>, Option<i64>);

fn revert(tx: &Connection, batch: i64) -> Result<UndoSummary> {
    let mut summary = UndoSummary { batch, ..UndoSummary::default() };
    let (products, variants, movements): (Range, Range, Range) = tx.query_row(
        "SELECT products_from, products_to, variants_from, variants_to, movements_from, movements_to FROM import_batches WHERE id = ?1",
        [batch],
        |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?), (r.get(4)?, r.get(5)?))),
    )?;
    let suspended = suspend_for(tx, batch, [products, variants, movements])?;
    // Stock first, the variants' before the products': a variant goes only once it holds
    // none, and a product can take its own stock back only once the variants this import
    // gave it are gone (a file zeroes a product's stock on the row before its variants').
    let reason = format!("undo import #{batch}");
    let mut reverse = |ids: Vec<i64>| -> Result<()> {
        for id in ids {
            let movement = stock::movement(tx, id)?;
            if movement.undone_by.is_none() {
                let item = Item { product_id: movement.product_id, variant_id: movement.variant_id, sku: movement.sku };
                stock::record(tx, &item, -movement.delta, Entry { undoes: Some(id), ..Entry::new(MovementKind::Undo, Some(&reason)) })?;
                summary.movements_reversed += 1;
            }
        }
        Ok(())
    };
    let (of_variants, of_products) = movement_ids(tx, movements)?;
    reverse(of_variants)?;
    let created_variants = ids_in(tx, "variants", variants)?;
    for &id in &created_variants {
        catalog::remove_variant_in(tx, &item_of(tx, 0, Some(id))?.sku)?;
    }
    reverse(of_products)?;
    summary.created_removed += created_variants.len() as u64;
    revert_changes(tx, batch, &mut summary)?;
    let now = db::now();
    for id in ids_in(tx, "products", products)? {
        catalog::set_deleted_in(tx, id, Some(now.clone()))?;
        summary.created_removed += 1;
    }
    progress::silent(|task| suspended.rebuild(tx, task))?;
    Ok(summary)
}

/// Drops the indexes this undo moves many products in, as a large import does
/// (`suspend`): what it moves is known from the batch's ranges and journal.
fn suspend_for(tx: &Connection, batch: i64, [products, variants, movements]: [Range; 3]) -> Result<Suspended> {
    let size = |(from, to): Range| match (from, to) {
        (Some(from), Some(to)) if to >= from => (to - from + 1) as u64,
        _ => 0,
    };
    let (fields, own_prices, other_writes, catalog): (u64, u64, u64, u64) = tx.query_row(
        "SELECT count(*) FILTER (WHERE change = 'product_updated' OR change = 'restored'),
                count(*) FILTER (WHERE change = 'price_set' AND variant_id IS NULL),
                count(*) FILTER (WHERE change = 'price_set' OR change = 'variant_updated'),
                (SELECT count(*) FROM products)
         FROM import_changes WHERE batch_id = ?1",
        [batch],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let writes = [
        (touch::FIELDS, fields + size(products)),
        (touch::PRICE1, own_prices),
        (touch::UPDATED, other_writes + size(variants)),
        (touch::STOCK, size(movements)),
    ];
    let mut suspended = Suspended::default();
    for (name, moved_by) in SUSPENDABLE_INDEXES {
        let moved = writes.iter().filter(|(kind, _)| moved_by & kind != 0).map(|(_, n)| n).sum();
        // Known in full: nothing to project.
        if worth_suspending(moved, moved, moved, catalog) {
            suspended.suspend(tx, name)?;
        }
    }
    Ok(suspended)
}

/// The ids of `table` in `range`, newest first.
fn ids_in(tx: &Connection, table: &str, (from, to): Range) -> Result<Vec<i64>> {
    let mut stmt = tx.prepare(&format!("SELECT id FROM {table} WHERE id BETWEEN ?1 AND ?2 ORDER BY id DESC"))?;
    let ids = stmt.query_map(params![from, to], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// The ids of the ledger movements in `range`, newest first: the variants', then the
/// products' own.
fn movement_ids(tx: &Connection, (from, to): Range) -> Result<(Vec<i64>, Vec<i64>)> {
    let mut stmt = tx.prepare("SELECT id, variant_id IS NOT NULL FROM stock_movements WHERE id BETWEEN ?1 AND ?2 ORDER BY id DESC")?;
    let rows = stmt.query_map(params![from, to], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let (of_variants, of_products): (Vec<_>, Vec<_>) = rows.into_iter().partition(|&(_, of_variant)| of_variant);
    Ok((of_variants.into_iter().map(|(id, _)| id).collect(), of_products.into_iter().map(|(id, _)| id).collect()))
}

/// Walks the batch's journal backwards, putting back the values each change replaced.
fn revert_changes(tx: &Connection, batch: i64, summary: &mut UndoSummary) -> Result<()> {
    // Read as it is walked: a large batch's journal does not fit in memory twice.
    let mut journal = tx.prepare("SELECT change, product_id, variant_id, before FROM import_changes WHERE batch_id = ?1 ORDER BY seq DESC")?;
    let mut rows = journal.query([batch])?;
    let mut touched = BTreeSet::new();
    while let Some(r) = rows.next()? {
        let change: String = r.get(0)?;
        let change = Change::parse(&change).ok_or_else(|| crate::Error::Corrupt(format!("import journal: change {change}")))?;
        let (product_id, variant_id): (i64, Option<i64>) = (r.get(1)?, r.get(2)?);
        let before: Option<String> = r.get(3)?;
        let before = before.as_deref().unwrap_or_default();
        match change {
            Change::PriceSet => {
                let price: PriceChange = parse_before(before)?;
                let item = item_of(tx, product_id, variant_id)?;
                match price.before {
                    Some((sale, list)) => catalog::write_price(tx, &item, price.group as i64, sale, list)?,
                    None => catalog::remove_item_price(tx, &item, price.group as i64)?,
                }
                crate::sync::outbox::enqueue_item(tx, &item)?;
                summary.prices_restored += 1;
            }
            Change::ProductUpdated => {
                let fields: ProductFields = parse_before(before)?;
                catalog::update_product_unindexed(tx, product_id, &fields)?;
                touched.insert(product_id);
                summary.products_restored += 1;
            }
            Change::VariantUpdated => {
                let fields: VariantFields = parse_before(before)?;
                catalog::update_variant_in(tx, &item_of(tx, product_id, variant_id)?.sku, &fields)?;
                summary.variants_restored += 1;
            }
            Change::TagsSet => {
                let names: Vec<String> = parse_before(before)?;
                catalog::retag_product(tx, product_id, &names.iter().map(String::as_str).collect::<Vec<_>>())?;
                summary.tags_restored += 1;
            }
            Change::Restored => {
                let trashed_at: String = parse_before(before)?;
                match variant_id {
                    Some(variant_id) => catalog::set_variant_deleted_in(tx, variant_id, Some(trashed_at))?,
                    None => catalog::set_deleted_in(tx, product_id, Some(trashed_at))?,
                }
                touched.insert(product_id);
                summary.created_removed += 1;
            }
        }
    }
    catalog::reindex_products(tx, touched)
}

fn parse_before<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| crate::Error::Corrupt(format!("import journal: {e}")))
}

/// The product (`variant_id` None) or variant, with its SKU.
fn item_of(tx: &Connection, product_id: i64, variant_id: Option<i64>) -> Result<Item> {
    let sku = match variant_id {
        Some(v) => tx.prepare_cached("SELECT sku FROM variants WHERE id = ?1")?.query_row([v], |r| r.get(0))?,
        None => tx.prepare_cached("SELECT sku FROM products WHERE id = ?1")?.query_row([product_id], |r| r.get(0))?,
    };
    Ok(Item { product_id, variant_id, sku })
}
