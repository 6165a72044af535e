//! The variant matrix: option groups (Renk, Beden) and their values make every
//! combination a variant with a SKU derived from the product's.

use super::products::{product_by_id, product_detail, product_id, reindex};
use super::{OptionValue, Variant};
use crate::db;
use crate::error::{Error, Result};
use crate::text::fold;
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One axis of the matrix: `Renk = [Beyaz, Siyah]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OptionAxis {
    pub group: String,
    pub values: Vec<String>,
}

/// Creates a variant for every combination of the axes' values that the product does
/// not have yet, and returns the new ones. Running it again with more values adds only
/// the missing combinations. SKUs are `<product SKU>-<VALUE>-<VALUE>`.
pub fn generate_variants(conn: &mut Connection, sku: &str, axes: &[OptionAxis]) -> Result<Vec<Variant>> {
    let axes = checked(axes)?;
    let (product_sku, created) = db::write(conn, |tx| {
        let product = product_by_id(tx, product_id(tx, sku)?)?;
        let existing = existing_combinations(tx, product.id)?;
        if existing.is_empty() && product.on_hand != Decimal::ZERO {
            return Err(Error::StockOnProduct(product.fields.sku));
        }
        let axes = axes.iter().map(|a| ensure_axis(tx, a)).collect::<Result<Vec<_>>>()?;
        let mut created = Vec::new();
        let mut position = existing.len() as i64;
        for combination in cartesian(&axes) {
            let key = combination_key(&combination);
            if existing.contains(&key) {
                continue;
            }
            let suffix: Vec<String> = combination.iter().map(|(_, _, name)| code(name)).collect();
            let variant_sku = free_sku(tx, &format!("{}-{}", product.fields.sku, suffix.join("-")))?;
            let now = db::now();
            tx.execute(
                "INSERT INTO variants (product_id, sku, sku_key, position, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![product.id, variant_sku, fold(&variant_sku), position, now],
            )?;
            let variant_id = tx.last_insert_rowid();
            for (group_id, value_id, _) in &combination {
                tx.execute("INSERT INTO variant_values (variant_id, group_id, value_id) VALUES (?1, ?2, ?3)", [variant_id, *group_id, *value_id])?;
            }
            crate::sync::outbox::enqueue_variant(tx, variant_id)?;
            created.push(variant_id);
            position += 1;
        }
        tx.execute("UPDATE products SET updated_at = ?2 WHERE id = ?1", params![product.id, db::now()])?;
        reindex(tx, product.id)?;
        Ok((product.fields.sku, created))
    })?;
    let detail = product_detail(conn, &product_sku)?;
    Ok(detail.variants.into_iter().filter(|v| created.contains(&v.id)).collect())
}

/// What a user edits on one variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VariantFields {
    pub sku: String,
    pub barcode: Option<String>,
    pub active: bool,
}

/// Adds one variant with these option values to the product, inside the caller's
/// transaction (import: rows that share a parent code). Leaves the search index to the
/// caller (`reindex_products`).
pub fn insert_variant(tx: &Connection, product_id: i64, sku: &str, barcode: Option<&str>, options: &[OptionValue]) -> Result<i64> {
    let (sku, barcode) = checked_sku_barcode(sku, barcode)?;
    if options.is_empty() {
        return Err(Error::invalid("options", format!("variant {sku} needs option values, e.g. Renk:Beyaz;Beden:L")));
    }
    super::products::ensure_sku_free(tx, sku, None)?;
    let product = product_by_id(tx, product_id)?;
    let existing = existing_combinations(tx, product_id)?;
    if existing.is_empty() && product.on_hand != Decimal::ZERO {
        return Err(Error::StockOnProduct(product.fields.sku));
    }
    let mut combination = Vec::with_capacity(options.len());
    for option in options {
        let axis = ensure_axis(tx, &OptionAxis { group: option.group.trim().to_owned(), values: vec![option.value.trim().to_owned()] })?;
        combination.extend(axis);
    }
    if existing.contains(&combination_key(&combination)) {
        let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
        return Err(Error::invalid("options", format!("{} already has a variant {}", product.fields.sku, values.join(" / "))));
    }
    let now = db::now();
    tx.prepare_cached(
        "INSERT INTO variants (product_id, sku, sku_key, barcode, position, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![product_id, sku, fold(sku), barcode, existing.len() as i64, now])?;
    let variant_id = tx.last_insert_rowid();
    for (group_id, value_id, _) in &combination {
        tx.prepare_cached("INSERT INTO variant_values (variant_id, group_id, value_id) VALUES (?1, ?2, ?3)")?
            .execute([variant_id, *group_id, *value_id])?;
    }
    crate::sync::outbox::enqueue_variant(tx, variant_id)?;
    Ok(variant_id)
}

/// A variant's SKU and barcode, trimmed and checked.
pub(crate) fn checked_sku_barcode<'a>(sku: &'a str, barcode: Option<&'a str>) -> Result<(&'a str, Option<&'a str>)> {
    let sku = sku.trim();
    let barcode = barcode.map(str::trim).filter(|b| !b.is_empty());
    if sku.is_empty() || sku.chars().count() > 64 || sku.chars().any(char::is_whitespace) {
        return Err(Error::invalid("sku", "a SKU has 1 to 64 characters and no spaces"));
    }
    if barcode.is_some_and(|b| b.chars().count() > 64 || b.chars().any(char::is_whitespace)) {
        return Err(Error::invalid("barcode", "a barcode has at most 64 characters and no spaces"));
    }
    Ok((sku, barcode))
}

/// Changes the SKU, barcode or status of the variant with SKU `sku`.
pub fn update_variant(conn: &mut Connection, sku: &str, fields: &VariantFields) -> Result<Variant> {
    let (product_id, variant_id) = db::write(conn, |tx| update_variant_in(tx, sku, fields))?;
    find_variant(conn, product_id, variant_id)
}

/// `update_variant` inside the caller's transaction; returns (product id, variant id).
pub fn update_variant_in(tx: &Connection, sku: &str, fields: &VariantFields) -> Result<(i64, i64)> {
    let (new_sku, barcode) = checked_sku_barcode(&fields.sku, fields.barcode.as_deref())?;
    let (product_id, variant_id) = variant_of(tx, sku)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM products WHERE sku = ?1) OR EXISTS (SELECT 1 FROM variants WHERE sku = ?1 AND id != ?2)",
        params![new_sku, variant_id],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::SkuTaken(new_sku.to_owned()));
    }
    tx.execute(
        "UPDATE variants SET sku = ?2, sku_key = ?3, barcode = ?4, active = ?5, updated_at = ?6 WHERE id = ?1",
        params![variant_id, new_sku, fold(new_sku), barcode, fields.active, db::now()],
    )?;
    crate::sync::outbox::enqueue_variant(tx, variant_id)?;
    reindex(tx, product_id)?;
    Ok((product_id, variant_id))
}

/// Removes a variant from its product (kept for the ledger's history). Its stock must
/// be zero first, so the product's quantity stays the sum of its variants'.
pub fn remove_variant(conn: &mut Connection, sku: &str) -> Result<()> {
    db::write(conn, |tx| remove_variant_in(tx, sku))
}

/// `remove_variant` inside the caller's transaction (undo of an import).
pub fn remove_variant_in(tx: &Connection, sku: &str) -> Result<()> {
    let (product_id, variant_id) = variant_of(tx, sku)?;
    let on_hand: crate::db::Fixed = tx.query_row("SELECT on_hand FROM variants WHERE id = ?1", [variant_id], |r| r.get(0))?;
    if !on_hand.0.is_zero() {
        return Err(Error::invalid("on_hand", format!("{sku} still has {} in stock; set it to 0 first", on_hand.0)));
    }
    tx.execute("UPDATE variants SET deleted_at = ?2 WHERE id = ?1", params![variant_id, db::now()])?;
    crate::sync::outbox::enqueue_variant(tx, variant_id)?;
    reindex(tx, product_id)
}

/// Puts variant `variant_id` in the trash at `at`, or brings it back (`None`). The
/// caller reindexes its product.
pub(crate) fn set_variant_deleted_in(tx: &Connection, variant_id: i64, at: Option<String>) -> Result<()> {
    tx.execute("UPDATE variants SET deleted_at = ?2, updated_at = ?3 WHERE id = ?1", params![variant_id, at, db::now()])?;
    crate::sync::outbox::enqueue_variant(tx, variant_id)
}

/// (product id, variant id) of the live variant with SKU `sku`.
fn variant_of(conn: &Connection, sku: &str) -> Result<(i64, i64)> {
    match crate::catalog::resolve_sku(conn, sku)? {
        crate::catalog::Item { product_id, variant_id: Some(variant_id), .. } => Ok((product_id, variant_id)),
        _ => Err(Error::invalid("sku", format!("{sku} is a product, not a variant"))),
    }
}

fn find_variant(conn: &Connection, product_id: i64, variant_id: i64) -> Result<Variant> {
    let sku: String = conn.query_row("SELECT sku FROM products WHERE id = ?1", [product_id], |r| r.get(0))?;
    product_detail(conn, &sku)?.variants.into_iter().find(|v| v.id == variant_id).ok_or_else(|| Error::ProductNotFound(sku))
}

fn checked(axes: &[OptionAxis]) -> Result<Vec<OptionAxis>> {
    if axes.is_empty() {
        return Err(Error::invalid("options", "give at least one option group, e.g. Renk=Beyaz,Siyah"));
    }
    let mut seen = HashSet::new();
    axes.iter()
        .map(|axis| {
            let group = axis.group.trim().to_owned();
            let mut values: Vec<String> = Vec::new();
            for v in axis.values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                if !values.iter().any(|known| fold(known) == fold(v)) {
                    values.push(v.to_owned());
                }
            }
            if group.is_empty() || values.is_empty() || !seen.insert(fold(&group)) {
                return Err(Error::invalid("options", format!("option group {group:?} needs a unique name and at least one value")));
            }
            Ok(OptionAxis { group, values })
        })
        .collect()
}

/// The option group `group` with these values, created when new (sync pulls a remote's
/// variant groups), inside the caller's transaction.
pub(crate) fn ensure_option_values(tx: &Connection, group: &str, values: &[String]) -> Result<()> {
    let axis = OptionAxis { group: group.trim().to_owned(), values: values.iter().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect() };
    if axis.group.is_empty() {
        return Ok(());
    }
    ensure_axis(tx, &axis).map(|_| ())
}

/// (group id, value id, value name) for each value of the axis, created when new.
type Axis = Vec<(i64, i64, String)>;

fn ensure_axis(tx: &Connection, axis: &OptionAxis) -> Result<Axis> {
    let group_key = fold(&axis.group);
    tx.execute("INSERT OR IGNORE INTO option_groups (name, name_key) VALUES (?1, ?2)", params![axis.group, group_key])?;
    let group_id: i64 = tx.query_row("SELECT id FROM option_groups WHERE name_key = ?1", [&group_key], |r| r.get(0))?;
    axis.values
        .iter()
        .enumerate()
        .map(|(position, value)| {
            let key = fold(value);
            tx.execute(
                "INSERT OR IGNORE INTO option_values (group_id, name, name_key, position) VALUES (?1, ?2, ?3, ?4)",
                params![group_id, value, key, position as i64],
            )?;
            let (id, name) =
                tx.query_row("SELECT id, name FROM option_values WHERE group_id = ?1 AND name_key = ?2", params![group_id, key], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            Ok((group_id, id, name))
        })
        .collect()
}

fn cartesian(axes: &[Axis]) -> Vec<Axis> {
    axes.iter().fold(vec![Vec::new()], |combos, axis| {
        combos.iter().flat_map(|combo| axis.iter().map(move |value| [combo.clone(), vec![value.clone()]].concat())).collect()
    })
}

/// A combination's identity: its sorted (group, value) ids.
fn combination_key(combination: &[(i64, i64, String)]) -> Vec<(i64, i64)> {
    let mut key: Vec<(i64, i64)> = combination.iter().map(|(g, v, _)| (*g, *v)).collect();
    key.sort_unstable();
    key
}

fn existing_combinations(conn: &Connection, product_id: i64) -> Result<HashSet<Vec<(i64, i64)>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.id, vv.group_id, vv.value_id FROM variants v JOIN variant_values vv ON vv.variant_id = v.id
         WHERE v.product_id = ?1 AND v.deleted_at IS NULL ORDER BY v.id, vv.group_id",
    )?;
    let mut by_variant: std::collections::BTreeMap<i64, Vec<(i64, i64)>> = Default::default();
    for row in stmt.query_map([product_id], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))? {
        let (variant, group, value) = row?;
        by_variant.entry(variant).or_default().push((group, value));
    }
    Ok(by_variant.into_values().collect())
}

/// The option values of each live variant of the product, as sorted folded
/// (group, value) pairs: what a new combination must differ from.
pub(crate) fn option_keys(conn: &Connection, product_id: i64) -> Result<HashSet<Vec<(String, String)>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.id, g.name_key, o.name_key FROM variants v JOIN variant_values vv ON vv.variant_id = v.id
         JOIN option_groups g ON g.id = vv.group_id JOIN option_values o ON o.id = vv.value_id
         WHERE v.product_id = ?1 AND v.deleted_at IS NULL ORDER BY v.id, g.name_key",
    )?;
    let mut by_variant: std::collections::BTreeMap<i64, Vec<(String, String)>> = Default::default();
    for row in stmt.query_map([product_id], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))? {
        let (variant, group, value) = row?;
        by_variant.entry(variant).or_default().push((group, value));
    }
    Ok(by_variant.into_values().collect())
}

/// `Açık Mavi` -> `ACIKMAVI`: the part of a variant SKU that names one value.
fn code(value: &str) -> String {
    fold(value).chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase()
}

/// `sku`, or `sku-2`, `sku-3` ... when it is taken.
fn free_sku(conn: &Connection, sku: &str) -> Result<String> {
    let taken = |candidate: &str| -> Result<bool> {
        Ok(conn
            .query_row("SELECT 1 FROM products WHERE sku = ?1 UNION ALL SELECT 1 FROM variants WHERE sku = ?1", [candidate], |_| Ok(()))
            .optional()?
            .is_some())
    };
    let mut candidate = sku.to_owned();
    let mut n = 2;
    while taken(&candidate)? {
        candidate = format!("{sku}-{n}");
        n += 1;
    }
    Ok(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_codes_are_ascii_upper() {
        assert_eq!(code("Açık Mavi"), "ACIKMAVI");
        assert_eq!(code("ışık"), "ISIK");
        assert_eq!(code("XL"), "XL");
    }
}
