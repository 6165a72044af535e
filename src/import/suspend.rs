//! Indexes a large import, or the undo of one, drops and builds again at its end:
//! sorting once costs less than keeping an index in order row by row. Only indexes no
//! statement of an import or an undo reads are dropped, and only in the transaction that
//! writes, so a rollback or a crash leaves them as they were.

use crate::error::Result;
use crate::progress::Task;
use rusqlite::{Connection, OptionalExtension};

/// An index is dropped once the rows that moved a product in it reach this many, and
/// half the catalog. A statement that names a column moves the row in every index holding
/// it, even when the value stays: 1M price changes kept six indexes in order in 12 s;
/// building them again takes 3.5 s.
const SUSPEND_INDEXES_AFTER: u64 = 50_000;
const CATALOG_SHARE: u64 = 2;
/// An import projects the rows it has written over the file's rows (as the file declares
/// them or its size suggests) once it has seen this many, so a large file of mostly
/// unchanged rows drops nothing.
const SUSPEND_SAMPLE: u64 = 10_000;

/// What a row's writes change, as far as the suspendable indexes are concerned.
pub(super) mod touch {
    /// A new product or variant: a row in every index.
    pub const NEW: u8 = 1;
    /// Product fields, the trash: one statement names every field column.
    pub const FIELDS: u8 = 2;
    /// The product's own group-1 price (`price1`, and `updated_at`).
    pub const PRICE1: u8 = 4;
    /// Other prices, a variant's fields: `updated_at` only.
    pub const UPDATED: u8 = 8;
    /// Stock: the product's `on_hand` (and `is_low`), a ledger movement.
    pub const STOCK: u8 = 16;
}

/// Indexes no statement of an import or an undo reads (the SKU index is unique: it stays; the
/// barcode one stays when barcodes are the key; `movements_undoes` serves `stock::movement`),
/// each with the writes that move a row in it.
pub(super) const SUSPENDABLE_INDEXES: [(&str, u8); 16] = {
    use touch::*;
    let product = NEW | FIELDS;
    [
        ("products_sku_key", product),
        ("products_barcode", product),
        ("products_barcode2", product),
        ("products_name", product),
        ("products_category", product),
        ("products_brand", product),
        ("products_low", product | STOCK),
        ("products_updated", product | PRICE1 | UPDATED),
        ("products_on_hand", product | STOCK),
        ("products_price_up", product | PRICE1 | STOCK),
        ("products_price_down", product | PRICE1 | STOCK),
        ("products_category_price_up", product | PRICE1 | STOCK),
        ("products_category_price_down", product | PRICE1 | STOCK),
        ("products_stock_value", product | PRICE1 | STOCK),
        ("movements_item", NEW | STOCK),
        ("movements_created", NEW | STOCK),
    ]
};

/// Whether an import whose rows so far moved `written` of `seen` rows in an index, of
/// about `expected` rows, into a catalog of `products_before` products, moves enough to
/// drop the index and build it again at its end.
pub(super) fn worth_suspending(written: u64, seen: u64, expected: u64, products_before: u64) -> bool {
    let projected = match seen >= SUSPEND_SAMPLE {
        true => written.saturating_mul(expected.max(seen)) / seen,
        false => written,
    };
    projected >= SUSPEND_INDEXES_AFTER.max(products_before / CATALOG_SHARE)
}

/// The indexes dropped so far, with the SQL that builds each again.
#[derive(Default)]
pub(super) struct Suspended(Vec<(String, String)>);

impl Suspended {
    /// Drops index `name` (once; one the catalog does not have is passed over).
    pub fn suspend(&mut self, conn: &Connection, name: &str) -> Result<()> {
        if self.0.iter().any(|(n, _)| n == name) {
            return Ok(());
        }
        let sql: Option<String> =
            conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1", [name], |r| r.get(0)).optional()?;
        if let Some(sql) = sql {
            conn.execute(&format!("DROP INDEX {name}"), [])?;
            self.0.push((name.to_owned(), sql));
        }
        Ok(())
    }

    /// Builds every dropped index again, one `import_indexes` step each: on 1M products
    /// they take seconds after the last row is read.
    pub fn rebuild(&self, conn: &Connection, task: &Task) -> Result<()> {
        let total = self.0.len() as u64;
        for (done, (_, sql)) in self.0.iter().enumerate() {
            task.step("import_indexes", done as u64, total)?;
            conn.execute(sql, [])?;
        }
        if total > 0 {
            task.step("import_indexes", total, total)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_dropped_only_for_many_writes_and_many_against_the_catalog() {
        // Before the sample, only what was written counts.
        assert!(!worth_suspending(9_999, 9_999, 1_000_000, 0));
        assert!(worth_suspending(50_000, 50_000, 50_000, 0));
        // After it, the writes so far are projected over the file.
        assert!(worth_suspending(10_000, 10_000, 1_000_000, 0));
        assert!(!worth_suspending(10, 10_000, 1_000_000, 0), "a large file of mostly unchanged rows drops nothing");
        // Into a large catalog, a file must move at least half of it.
        assert!(!worth_suspending(10_000, 10_000, 300_000, 1_000_000));
        assert!(worth_suspending(10_000, 10_000, 600_000, 1_000_000));
    }
}
