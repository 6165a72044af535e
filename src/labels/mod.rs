//! Barcode labels: EAN-13 (with its check digit) or Code128 bars, the item's name and
//! its price in one price group, on A4 label sheets or a single thermal label, as PDF.

pub mod ean13;
mod font;
mod pdf;

use crate::catalog::{resolve_sku, Item};
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use barcoders::sym::{code128::Code128, ean13::EAN13};
use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Where labels go: an A4 sheet of `columns` x `rows` labels, or one 58 x 40 mm thermal
/// label per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Layout {
    A4 { columns: u32, rows: u32 },
    Thermal58x40,
}

impl Layout {
    pub const A4_3X8: Layout = Layout::A4 { columns: 3, rows: 8 };
    pub const A4_3X7: Layout = Layout::A4 { columns: 3, rows: 7 };

    /// `3x8`, `3x7` (any `CxR` up to 10x20) or `thermal`.
    pub fn parse(s: &str) -> Result<Layout> {
        if s.eq_ignore_ascii_case("thermal") {
            return Ok(Layout::Thermal58x40);
        }
        let grid = s.split_once(['x', 'X']).and_then(|(c, r)| Some((c.parse().ok()?, r.parse().ok()?)));
        match grid {
            Some((columns @ 1..=10, rows @ 1..=20)) => Ok(Layout::A4 { columns, rows }),
            _ => Err(Error::invalid("layout", format!("{s:?}: use 3x8, 3x7 (columns x rows on A4) or thermal"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    Ean13,
    Code128,
}

/// One label. A valid EAN-13 barcode is printed as EAN-13; any other barcode, or the SKU
/// when the item has none, as Code128 (a count's scan also finds an item by its SKU).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Label {
    pub sku: String,
    pub name: String,
    pub barcode: String,
    pub symbology: Symbology,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub price: Option<Decimal>,
}

impl Label {
    /// The bar pattern, one entry per module (1 = bar).
    pub fn modules(&self) -> Vec<u8> {
        match self.symbology {
            Symbology::Ean13 => EAN13::new(&self.barcode).expect("checked when the label was made").encode(),
            // Character set B holds every printable ASCII character.
            Symbology::Code128 => Code128::new(format!("Ɓ{}", self.barcode)).expect("checked when the label was made").encode(),
        }
    }
}

/// The labels of these items (a product with variants gives one per variant), with
/// the sale price of price group `group`.
pub fn labels_for(conn: &Connection, skus: &[String], group: i64) -> Result<Vec<Label>> {
    let mut labels = Vec::new();
    for sku in skus {
        let item = resolve_sku(conn, sku)?;
        let variants: Vec<Item> = match item.variant_id {
            Some(_) => vec![],
            None => conn
                .prepare_cached("SELECT id, sku FROM variants WHERE product_id = ?1 AND deleted_at IS NULL ORDER BY position, id")?
                .query_map([item.product_id], |r| Ok(Item { product_id: item.product_id, variant_id: Some(r.get(0)?), sku: r.get(1)? }))?
                .collect::<rusqlite::Result<_>>()?,
        };
        if variants.is_empty() {
            labels.push(label(conn, &item, group)?);
        } else {
            for variant in &variants {
                labels.push(label(conn, variant, group)?);
            }
        }
    }
    Ok(labels)
}

/// The labels of the items a count has lines for.
pub fn labels_for_count(conn: &Connection, count: i64, group: i64) -> Result<Vec<Label>> {
    crate::stock::count::session(conn, count)?;
    let skus: Vec<String> = conn
        .prepare(
            "SELECT coalesce(v.sku, p.sku) FROM count_lines l JOIN products p ON p.id = l.product_id
             LEFT JOIN variants v ON v.id = l.variant_id WHERE l.session_id = ?1 ORDER BY l.id",
        )?
        .query_map([count], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    labels_for(conn, &skus, group)
}

fn label(conn: &Connection, item: &Item, group: i64) -> Result<Label> {
    let (name, barcode, price): (String, Option<String>, Option<Fixed>) = conn.query_row(
        "SELECT p.name, CASE WHEN ?2 IS NULL THEN coalesce(p.barcode, p.barcode2) ELSE v.barcode END,
            coalesce((SELECT sale FROM prices WHERE product_id = p.id AND variant_id IS ?2 AND group_no = ?3),
                     (SELECT sale FROM prices WHERE product_id = p.id AND variant_id IS NULL AND group_no = ?3))
         FROM products p LEFT JOIN variants v ON v.id = ?2 WHERE p.id = ?1",
        params![item.product_id, item.variant_id, group],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let barcode = barcode.filter(|b| !b.trim().is_empty()).unwrap_or_else(|| item.sku.clone());
    let symbology = if ean13::is_valid(&barcode) { Symbology::Ean13 } else { Symbology::Code128 };
    if symbology == Symbology::Code128 && Code128::new(format!("Ɓ{barcode}")).is_err() {
        return Err(Error::invalid("barcode", format!("{}: {barcode:?} cannot be printed as Code128 (printable ASCII only)", item.sku)));
    }
    Ok(Label { sku: item.sku.clone(), name, barcode, symbology, price: price.map(|p| p.0) })
}

/// Writes the labels to a PDF; returns the number of pages.
pub fn write_pdf(labels: &[Label], layout: Layout, path: &Path) -> Result<usize> {
    if labels.is_empty() {
        return Err(Error::invalid("items", "no labels to print"));
    }
    let (bytes, pages) = pdf::render(labels, layout);
    std::fs::write(path, bytes).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
    Ok(pages)
}

/// Gives a new EAN-13 under `prefix` to each of these items that has no barcode (a
/// product with variants: to each variant without one). Returns (SKU, code) pairs.
pub fn assign_ean13(conn: &mut Connection, skus: &[String], prefix: &str) -> Result<Vec<(String, String)>> {
    db::write(conn, |tx| {
        let missing: Vec<Label> = labels_for(tx, skus, 1)?.into_iter().filter(|l| l.barcode == l.sku).collect();
        let codes = ean13::free_codes(tx, prefix, missing.len())?;
        let mut assigned = Vec::new();
        for (label, code) in missing.iter().zip(codes) {
            crate::stock::count::set_barcode(tx, &resolve_sku(tx, &label.sku)?, &code)?;
            assigned.push((label.sku.clone(), code));
        }
        Ok(assigned)
    })
}
