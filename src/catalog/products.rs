//! Creating, editing, deleting and reading products; the search index is kept here,
//! in the same transaction as every change it reflects.

use super::prices::item_prices;
use super::taxonomy::product_tags;
use super::{OptionValue, Product, ProductDetail, ProductFields, ProductKind, Variant};
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use crate::text::{fold, sort_key};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, ToSql};
use rust_decimal::Decimal;
use serde::Serialize;
use std::sync::LazyLock;

/// What a SKU names: a product, or one variant of it. Stock and prices live on items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub sku: String,
}

pub fn create_product(conn: &mut Connection, fields: &ProductFields) -> Result<Product> {
    db::write(conn, |tx| insert_product(tx, fields))
}

/// `create_product` inside the caller's write transaction (bulk work: import, sync).
pub fn insert_product(tx: &Connection, fields: &ProductFields) -> Result<Product> {
    let id = insert_product_unindexed(tx, fields)?;
    reindex(tx, id)?;
    product_by_id(tx, id)
}

/// `insert_product` for bulk work (import): returns the new id and leaves the search
/// index to one `reindex_products` call when the batch is written.
pub fn insert_product_unindexed(tx: &Connection, fields: &ProductFields) -> Result<i64> {
    let fields = normalized(fields)?;
    ensure_sku_free(tx, &fields.sku, None)?;
    let id = insert_row(tx, &fields, Decimal::ZERO, None)?;
    crate::sync::outbox::enqueue_product(tx, id)?;
    Ok(id)
}

/// Inserts a product row with every field, `on_hand` (whose movement the caller records)
/// and `price1` (its group-1 sale price, whose `prices` row the caller writes), unchecked:
/// the caller has normalized the fields and checked the SKU free. The per-item path and
/// the import's bulk path both insert through it.
pub(crate) fn insert_row(tx: &Connection, f: &ProductFields, on_hand: Decimal, price1: Option<Decimal>) -> Result<i64> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO products ({FIELD_COLUMNS}, on_hand, price1, created_at, updated_at) VALUES ({}, ?, ?, ?, ?)",
            ["?"; FIELD_COUNT].join(", ")
        )
    });
    let now = db::now();
    with_field_values(f, |fields| {
        let extra: [&dyn ToSql; 4] = [&Fixed(on_hand), &price1.map(Fixed), &now, &now];
        tx.prepare_cached(&SQL)?.execute(params_from_iter(fields.iter().chain(&extra)))
    })
    .map_err(foreign_key_error)?;
    Ok(tx.last_insert_rowid())
}

/// The editable columns of a product row, in the order of `with_field_values`.
const FIELD_COLUMNS: &str = "sku, sku_key, name, name_sort, subtitle, description, barcode, barcode2, category_id, brand_id, \
     unit, vat_rate, desi, currency, active, kind, min_stock, purchase_price, purchase_currency, image_urls";
const FIELD_COUNT: usize = 20;

/// Calls `write` with the values of `FIELD_COLUMNS` for `f` (the folded SKU, the sort
/// key and the image list as JSON derived here): the insert and the update share them.
fn with_field_values<T>(f: &ProductFields, write: impl FnOnce(&[&dyn ToSql; FIELD_COUNT]) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let fixed = |d: Option<Decimal>| d.map(Fixed);
    let (sku_key, name_sort) = (fold(&f.sku), sort_key(&f.name));
    let images = serde_json::to_string(&f.image_urls).expect("strings serialize");
    let (vat, desi, min_stock, purchase) = (Fixed(f.vat_rate), fixed(f.desi), fixed(f.min_stock), fixed(f.purchase_price));
    write(&[
        &f.sku,
        &sku_key,
        &f.name,
        &name_sort,
        &f.subtitle,
        &f.description,
        &f.barcode,
        &f.barcode2,
        &f.category_id,
        &f.brand_id,
        &f.unit,
        &vat,
        &desi,
        &f.currency,
        &f.active,
        &f.kind.as_str(),
        &min_stock,
        &purchase,
        &f.purchase_currency,
        &images,
    ])
}

/// `update_product` for bulk work, by id; the caller reindexes with `reindex_products`.
pub fn update_product_unindexed(tx: &Connection, id: i64, fields: &ProductFields) -> Result<()> {
    let fields = normalized(fields)?;
    ensure_sku_free(tx, &fields.sku, Some(id))?;
    write_fields(tx, id, &fields)
}

/// Rewrites the search index rows of these products (after bulk work).
pub fn reindex_products(tx: &Connection, ids: impl IntoIterator<Item = i64>) -> Result<()> {
    ids.into_iter().try_for_each(|id| reindex(tx, id))
}

/// Replaces every editable field of the product that has SKU `sku` (its SKU too).
pub fn update_product(conn: &mut Connection, sku: &str, fields: &ProductFields) -> Result<Product> {
    let fields = normalized(fields)?;
    db::write(conn, |tx| {
        let id = product_id(tx, sku)?;
        ensure_sku_free(tx, &fields.sku, Some(id))?;
        write_fields(tx, id, &fields)?;
        reindex(tx, id)?;
        product_by_id(tx, id)
    })
}

pub fn soft_delete_product(conn: &mut Connection, sku: &str) -> Result<Product> {
    set_deleted(conn, sku, Some(db::now()))
}

pub fn restore_product(conn: &mut Connection, sku: &str) -> Result<Product> {
    set_deleted(conn, sku, None)
}

fn set_deleted(conn: &mut Connection, sku: &str, at: Option<String>) -> Result<Product> {
    db::write(conn, |tx| {
        let id = product_id(tx, sku)?;
        set_deleted_in(tx, id, at)?;
        product_by_id(tx, id)
    })
}

/// Moves the product to the trash (`Some(now)`) or out of it (`None`) inside the
/// caller's transaction (undo of an import).
pub(crate) fn set_deleted_in(tx: &Connection, id: i64, at: Option<String>) -> Result<()> {
    tx.execute("UPDATE products SET deleted_at = ?2, updated_at = ?3 WHERE id = ?1", params![id, at, db::now()])?;
    // Connections delete it on the remote (or create it again after a restore).
    crate::sync::outbox::enqueue_product(tx, id)
}

/// The product or variant that has this SKU (deleted products included).
pub fn resolve_sku(conn: &Connection, sku: &str) -> Result<Item> {
    let sku = sku.trim();
    let product = conn.prepare_cached("SELECT id FROM products WHERE sku = ?1")?.query_row([sku], |r| r.get(0)).optional()?.map(|id| Item {
        product_id: id,
        variant_id: None,
        sku: sku.to_owned(),
    });
    let found = match product {
        Some(item) => Some(item),
        None => conn
            .prepare_cached("SELECT product_id, id FROM variants WHERE sku = ?1 AND deleted_at IS NULL")?
            .query_row([sku], |r| Ok(Item { product_id: r.get(0)?, variant_id: Some(r.get(1)?), sku: sku.to_owned() }))
            .optional()?,
    };
    found.ok_or_else(|| Error::ProductNotFound(sku.to_owned()))
}

/// The id of the product with SKU `sku` (a variant's SKU names its product here).
pub(crate) fn product_id(conn: &Connection, sku: &str) -> Result<i64> {
    Ok(resolve_sku(conn, sku)?.product_id)
}

/// The product with its category, brand, tags, ten prices and variants.
pub fn product_detail(conn: &Connection, sku: &str) -> Result<ProductDetail> {
    let product = product_by_id(conn, product_id(conn, sku)?)?;
    let name_of = |table: &str, id: Option<i64>| -> Result<Option<String>> {
        match id {
            Some(id) => Ok(conn.query_row(&format!("SELECT name FROM {table} WHERE id = ?1"), [id], |r| r.get(0)).optional()?),
            None => Ok(None),
        }
    };
    Ok(ProductDetail {
        category: name_of("categories", product.fields.category_id)?,
        brand: name_of("brands", product.fields.brand_id)?,
        tags: product_tags(conn, product.id)?,
        prices: item_prices(conn, product.id, None)?,
        variants: variants_of(conn, product.id)?,
        product,
    })
}

pub(crate) fn product_by_id(conn: &Connection, id: i64) -> Result<Product> {
    Ok(conn
        .prepare_cached(
            "SELECT id, sku, name, subtitle, description, barcode, barcode2, category_id, brand_id, unit, vat_rate, desi,
                currency, active, kind, min_stock, purchase_price, purchase_currency, image_urls, on_hand,
                created_at, updated_at, deleted_at
         FROM products WHERE id = ?1",
        )?
        .query_row([id], product_from_row)?)
}

fn product_from_row(r: &Row) -> rusqlite::Result<Product> {
    let fixed = |i: usize| r.get::<_, Option<Fixed>>(i).map(|f| f.map(|f| f.0));
    let kind: String = r.get(14)?;
    let images: String = r.get(18)?;
    Ok(Product {
        id: r.get(0)?,
        fields: ProductFields {
            sku: r.get(1)?,
            name: r.get(2)?,
            subtitle: r.get(3)?,
            description: r.get(4)?,
            barcode: r.get(5)?,
            barcode2: r.get(6)?,
            category_id: r.get(7)?,
            brand_id: r.get(8)?,
            unit: r.get(9)?,
            vat_rate: r.get::<_, Fixed>(10)?.0,
            desi: fixed(11)?,
            currency: r.get(12)?,
            active: r.get(13)?,
            kind: if kind == "service" { ProductKind::Service } else { ProductKind::Good },
            min_stock: fixed(15)?,
            purchase_price: fixed(16)?,
            purchase_currency: r.get(17)?,
            image_urls: serde_json::from_str(&images).unwrap_or_default(),
        },
        on_hand: r.get::<_, Fixed>(19)?.0,
        created_at: r.get(20)?,
        updated_at: r.get(21)?,
        deleted_at: r.get(22)?,
    })
}

fn variants_of(conn: &Connection, product_id: i64) -> Result<Vec<Variant>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, sku, barcode, on_hand, active FROM variants
         WHERE product_id = ?1 AND deleted_at IS NULL ORDER BY position, id",
    )?;
    let rows = stmt.query_map([product_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get::<_, Fixed>(3)?.0, r.get(4)?)))?;
    let mut variants = Vec::new();
    for row in rows {
        let (id, sku, barcode, on_hand, active) = row?;
        variants.push(Variant {
            options: variant_options(conn, id)?,
            prices: item_prices(conn, product_id, Some(id))?,
            id,
            sku,
            barcode,
            on_hand,
            active,
        });
    }
    Ok(variants)
}

pub(crate) fn variant_options(conn: &Connection, variant_id: i64) -> Result<Vec<OptionValue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.name, v.name FROM variant_values vv
         JOIN option_groups g ON g.id = vv.group_id JOIN option_values v ON v.id = vv.value_id
         WHERE vv.variant_id = ?1 ORDER BY g.id",
    )?;
    let rows = stmt.query_map([variant_id], |r| Ok(OptionValue { group: r.get(0)?, value: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses a SKU held by another product or by any variant (sync matches on SKUs, so
/// they must be unique across both).
pub(crate) fn ensure_sku_free(conn: &Connection, sku: &str, own_product: Option<i64>) -> Result<()> {
    let taken: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM products WHERE sku = ?1 AND id IS NOT ?2)
                 OR EXISTS (SELECT 1 FROM variants WHERE sku = ?1)",
        )?
        .query_row(params![sku, own_product], |r| r.get(0))?;
    if taken {
        return Err(Error::SkuTaken(sku.to_owned()));
    }
    Ok(())
}

fn write_fields(conn: &Connection, id: i64, f: &ProductFields) -> Result<()> {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("UPDATE products SET ({FIELD_COLUMNS}, updated_at) = ({}, ?) WHERE id = ?", ["?"; FIELD_COUNT].join(", ")));
    let now = db::now();
    with_field_values(f, |fields| {
        let extra: [&dyn ToSql; 2] = [&now, &id];
        conn.prepare_cached(&SQL)?.execute(params_from_iter(fields.iter().chain(&extra)))
    })
    .map_err(foreign_key_error)?;
    crate::sync::outbox::enqueue_product(conn, id)?;
    Ok(())
}

/// A category or brand that does not exist (the row's foreign keys).
fn foreign_key_error(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(err, _) if err.code == rusqlite::ErrorCode::ConstraintViolation => {
            Error::invalid("category_id/brand_id", "no such category or brand")
        }
        e => e.into(),
    }
}

/// Rewrites the product's row in the search index from its name, subtitle, SKUs and
/// barcodes, its variants' included.
pub(crate) fn reindex(conn: &Connection, id: i64) -> Result<()> {
    let text: String = conn
        .prepare_cached(
            "SELECT concat_ws(' ', name, subtitle, sku, barcode, barcode2,
                (SELECT group_concat(concat_ws(' ', sku, barcode), ' ') FROM variants
                 WHERE product_id = products.id AND deleted_at IS NULL))
         FROM products WHERE id = ?1",
        )?
        .query_row([id], |r| r.get(0))?;
    conn.prepare_cached("DELETE FROM product_search WHERE rowid = ?1")?.execute([id])?;
    conn.prepare_cached("INSERT INTO product_search (rowid, text) VALUES (?1, ?2)")?.execute(params![id, fold(&text)])?;
    Ok(())
}

/// Trims and checks user input; every rule for product fields is here.
pub(crate) fn normalized(f: &ProductFields) -> Result<ProductFields> {
    let (f, problems) = normalized_with_problems(f);
    match problems.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(f),
    }
}

/// `f` trimmed and with currencies upper-cased, and every rule it breaks (an import
/// reports all of a row's problems at once).
pub(crate) fn normalized_with_problems(f: &ProductFields) -> (ProductFields, Vec<Error>) {
    let mut f = f.clone();
    let opt = |s: &mut Option<String>| {
        *s = s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    };
    f.sku = f.sku.trim().to_owned();
    f.name = f.name.trim().to_owned();
    f.unit = f.unit.trim().to_owned();
    for s in [&mut f.subtitle, &mut f.description, &mut f.barcode, &mut f.barcode2, &mut f.purchase_currency] {
        opt(s);
    }
    f.currency = normalize_currency(&f.currency);
    f.purchase_currency = f.purchase_currency.as_deref().map(normalize_currency);
    let problems = problems(&f);
    (f, problems)
}

/// Every rule `f` breaks, in field order.
fn problems(f: &ProductFields) -> Vec<Error> {
    let mut out = Vec::new();
    let mut rule = |broken: bool, field: &'static str, why: &str| {
        if broken {
            out.push(Error::invalid(field, why.to_owned()));
        }
    };
    let bad_code = |c: &str| c.chars().count() > 64 || c.chars().any(char::is_whitespace);
    rule(f.sku.is_empty(), "sku", "a SKU is required");
    rule(bad_code(&f.sku), "sku", "a SKU has at most 64 characters and no spaces");
    rule(f.name.is_empty() || f.name.chars().count() > 250, "name", "a name of 1 to 250 characters is required");
    rule(f.unit.is_empty(), "unit", "a unit is required (adet, kg, lt ...)");
    let vat_in_range = (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&f.vat_rate);
    rule(!vat_in_range, "vat_rate", "VAT is a percent from 0 to 100");
    rule([&f.barcode, &f.barcode2].into_iter().flatten().any(|b| bad_code(b)), "barcode", "a barcode has at most 64 characters and no spaces");
    let not_a_code = |c: &str| !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()));
    rule(not_a_code(&f.currency), "currency", "a three-letter currency code such as TRY, USD, EUR");
    rule(f.purchase_currency.as_deref().is_some_and(not_a_code), "purchase_currency", "a three-letter currency code such as TRY, USD, EUR");
    let vat = Some(f.vat_rate).filter(|_| vat_in_range);
    for (field, value) in [("desi", f.desi), ("min_stock", f.min_stock), ("purchase_price", f.purchase_price), ("vat_rate", vat)] {
        out.extend(value.and_then(|v| check_amount(field, v).err()));
    }
    if let Some(url) = f.image_urls.iter().find(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        out.push(Error::invalid("image_urls", format!("{url} is not an http(s) address")));
    }
    out
}

/// A non-negative amount that the database stores exactly.
pub(crate) fn check_amount(field: &'static str, value: Decimal) -> Result<()> {
    if value < Decimal::ZERO {
        return Err(Error::invalid(field, "must not be negative"));
    }
    if !crate::db::fits(value) {
        return Err(Error::invalid(field, "at most 4 decimal places"));
    }
    Ok(())
}

/// `TL`, `tl`, `try`, `₺` all mean `TRY`; other codes are upper-cased.
pub fn normalize_currency(code: &str) -> String {
    match code.trim().to_uppercase().as_str() {
        "TL" | "₺" | "YTL" | "" => "TRY".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_become_iso() {
        assert_eq!(normalize_currency("TL"), "TRY");
        assert_eq!(normalize_currency("try"), "TRY");
        assert_eq!(normalize_currency("usd"), "USD");
    }
}
