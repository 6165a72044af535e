//! The catalog out to xlsx or csv, in the columns an import reads (so an export imported
//! again changes nothing), a blank template of those columns, and a plan's errors as a
//! report. Text that starts like a formula is neutralized: in csv with a leading `'`, in
//! xlsx with Excel's quote prefix (the cell stays text when edited; no `'` shows).

use super::record::{neutralized, starts_like_formula};
use super::{ImportError, Plan};
use crate::catalog;
use crate::db::Fixed;
use crate::error::{Error, Result};
use crate::progress::Task;
use rusqlite::Connection;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Xlsx,
    Csv,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportOptions {
    pub format: ExportFormat,
    /// CSV only: `,` or `;` (Turkish Excel opens `;` files, and then decimals use `,`).
    pub delimiter: u8,
    /// CSV only: start with a UTF-8 BOM, so Excel reads the letters right.
    pub bom: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions { format: ExportFormat::Xlsx, delimiter: b',', bom: false }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportSummary {
    pub file: String,
    /// Data rows written: one per product, plus one per variant.
    pub rows: u64,
}

/// The columns, in the words `mapping::suggest` reads back.
const HEADERS: [&str; 12] =
    ["Stok Kodu", "Ana Ürün Kodu", "Seçenekler", "Barkod", "Ürün Adı", "Açıklama", "Kategori", "Marka", "Birim", "KDV", "Min Stok", "Stok"];
/// The columns after the prices.
const MORE_HEADERS: [&str; 10] =
    ["Alt Başlık", "Barkod 2", "Desi", "Para Birimi", "Aktif", "Tür", "Alış Fiyatı", "Alış Para Birimi", "Resimler", "Etiketler"];

fn headers() -> Vec<String> {
    let mut all: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    all.extend((1..=10).map(|n| format!("Fiyat {n}")));
    all.extend((1..=10).map(|n| format!("Liste Fiyatı {n}")));
    all.extend(MORE_HEADERS.iter().map(|h| h.to_string()));
    all
}

/// `Evet` or `Hayır`, as the import reads them back.
fn yes_no(b: bool) -> Value {
    Value::Text(if b { "Evet" } else { "Hayır" }.to_owned())
}

/// One value of an exported row.
#[derive(Clone)]
pub enum Value {
    Text(String),
    Number(Decimal),
    Empty,
}

fn text(s: Option<&str>) -> Value {
    s.filter(|s| !s.is_empty()).map_or(Value::Empty, |s| Value::Text(s.to_owned()))
}

fn number(d: Option<Decimal>) -> Value {
    d.map_or(Value::Empty, Value::Number)
}

/// Writes every product (a product with variants: its own row, then one per variant) to `path`.
pub fn export(conn: &Connection, path: &Path, options: &ExportOptions, task: &Task) -> Result<ExportSummary> {
    refuse_catalog(conn, path)?;
    let total: u64 = conn.query_row("SELECT count(*) FROM products WHERE deleted_at IS NULL", [], |r| r.get(0))?;
    let mut sink = Sink::create(path, options)?;
    sink.row(headers().into_iter().map(Value::Text).collect())?;
    let mut rows = 0u64;
    let mut done = 0u64;
    for_each_row(
        conn,
        |row| {
            rows += 1;
            sink.row(row)
        },
        |_| {
            done += 1;
            if done.is_multiple_of(1000) {
                task.step("export", done, total)?;
            }
            Ok(())
        },
    )?;
    sink.finish(rows)?;
    task.step("export", done, total)?;
    Ok(ExportSummary { file: path.display().to_string(), rows })
}

/// The import columns with no rows: a file for users to fill.
pub fn template(path: &Path, options: &ExportOptions) -> Result<()> {
    let mut sink = Sink::create(path, options)?;
    sink.row(headers().into_iter().map(Value::Text).collect())?;
    sink.finish(0)
}

/// A plan's row errors as a sheet: row, column, value, code, message.
/// Refuses to write a report to `target` when it is the file being imported, so a
/// mistyped or misclicked name cannot write over the user's spreadsheet.
pub fn refuse_imported(target: &Path, imported: &Path) -> Result<()> {
    if same_file(target, imported) {
        return Err(ImportError::WouldOverwriteImported { file: target.display().to_string() }.into());
    }
    Ok(())
}

/// Refuses to write a spreadsheet to `target` when it is the catalog file `conn` has open.
pub fn refuse_catalog(conn: &Connection, target: &Path) -> Result<()> {
    if conn.path().is_some_and(|catalog| !catalog.is_empty() && same_file(target, Path::new(catalog))) {
        return Err(ImportError::WouldOverwriteCatalog { file: target.display().to_string() }.into());
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false, // one does not exist yet: a new file
    }
}

pub fn write_report(plan: &Plan, path: &Path) -> Result<()> {
    let header = ["Satır (Row)", "Sütun (Column)", "Değer (Value)", "Kod (Code)", "Hata (Error)"];
    let rows = plan.errors.iter().map(|e| {
        vec![
            Value::Number(Decimal::from(e.row)),
            Value::Text(e.column.clone()),
            Value::Text(e.value.clone()),
            Value::Text(e.code.to_owned()),
            Value::Text(e.message.clone()),
        ]
    });
    write_table(path, &header, rows).map(|_| ())
}

/// A small table (a header row, then `rows`) to `path`: csv (UTF-8, `,`) when its
/// extension says so, else xlsx. Returns the rows written.
pub fn write_table(path: &Path, header: &[&str], rows: impl IntoIterator<Item = Vec<Value>>) -> Result<u64> {
    let format = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => ExportFormat::Csv,
        _ => ExportFormat::Xlsx,
    };
    let mut sink = Sink::create(path, &ExportOptions { format, ..ExportOptions::default() })?;
    sink.row(header.iter().map(|h| Value::Text(h.to_string())).collect())?;
    let mut written = 0;
    for row in rows {
        sink.row(row)?;
        written += 1;
    }
    sink.finish(written)?;
    Ok(written)
}

/// Calls `row` with each exported row and `product` after each product.
fn for_each_row(conn: &Connection, mut row: impl FnMut(Vec<Value>) -> Result<()>, mut product: impl FnMut(i64) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.sku, p.barcode, p.name, p.description, c.name, b.name, p.unit, p.vat_rate, p.min_stock, p.on_hand, p.kind,
                EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL),
                p.subtitle, p.barcode2, p.desi, p.currency, p.active, p.purchase_price, p.purchase_currency, p.image_urls
         FROM products p LEFT JOIN categories c ON c.id = p.category_id LEFT JOIN brands b ON b.id = p.brand_id
         WHERE p.deleted_at IS NULL ORDER BY p.id",
    )?;
    let mut products = stmt.query([])?;
    let mut variants = conn.prepare(
        "SELECT v.id, v.sku, v.barcode, v.on_hand, v.active,
                (SELECT group_concat(g.name || ':' || o.name, ';') FROM variant_values vv
                 JOIN option_groups g ON g.id = vv.group_id JOIN option_values o ON o.id = vv.value_id WHERE vv.variant_id = v.id)
         FROM variants v WHERE v.product_id = ?1 AND v.deleted_at IS NULL ORDER BY v.position, v.id",
    )?;
    while let Some(p) = products.next()? {
        let id: i64 = p.get(0)?;
        let sku: String = p.get(1)?;
        let fixed = |i: usize| p.get::<_, Option<Fixed>>(i).map(|f| f.map(|f| f.0));
        let has_variants: bool = p.get(12)?;
        let is_good = p.get::<_, String>(11)? == "good";
        let product_part = [
            text(p.get::<_, Option<String>>(3)?.as_deref()),
            text(p.get::<_, Option<String>>(4)?.as_deref()),
            text(p.get::<_, Option<String>>(5)?.as_deref()),
            text(p.get::<_, Option<String>>(6)?.as_deref()),
            text(p.get::<_, Option<String>>(7)?.as_deref()),
            number(fixed(8)?),
            number(fixed(9)?),
        ];
        // A product with variants holds no stock of its own, nor does a service.
        let stock = if has_variants || !is_good { Value::Empty } else { number(fixed(10)?) };
        let image_urls: Vec<String> = serde_json::from_str(&p.get::<_, String>(20)?).unwrap_or_default();
        let tags: Vec<String> = catalog::product_tags(conn, id)?.into_iter().map(|t| t.name).collect();
        // The columns after the prices; `Aktif` (index 4) is the variant's own on a variant row.
        let more = [
            text(p.get::<_, Option<String>>(13)?.as_deref()),
            text(p.get::<_, Option<String>>(14)?.as_deref()),
            number(fixed(15)?),
            Value::Text(p.get(16)?),
            yes_no(p.get(17)?),
            Value::Text(if is_good { "Ürün" } else { "Hizmet" }.to_owned()),
            number(fixed(18)?),
            text(p.get::<_, Option<String>>(19)?.as_deref()),
            text(Some(&image_urls.join("\n"))),
            text(Some(&tags_cell(&tags))),
        ];
        let mut values = vec![Value::Text(sku.clone()), Value::Empty, Value::Empty, text(p.get::<_, Option<String>>(2)?.as_deref())];
        values.extend(product_part.iter().cloned());
        values.push(stock);
        values.extend(prices(&catalog::item_price_values(conn, id, None)?));
        values.extend(more.iter().cloned());
        row(values)?;
        if has_variants {
            let mut rows = variants.query([id])?;
            while let Some(v) = rows.next()? {
                let variant_id: i64 = v.get(0)?;
                let mut values = vec![
                    Value::Text(v.get(1)?),
                    Value::Text(sku.clone()),
                    text(v.get::<_, Option<String>>(5)?.as_deref()),
                    text(v.get::<_, Option<String>>(2)?.as_deref()),
                ];
                values.extend(product_part.iter().cloned());
                values.push(number(Some(v.get::<_, Fixed>(3)?.0)));
                values.extend(prices(&catalog::item_price_values(conn, id, Some(variant_id))?));
                let mut more = more.clone();
                more[4] = yes_no(v.get(4)?);
                values.extend(more);
                row(values)?;
            }
        }
        product(id)?;
    }
    Ok(())
}

/// Sale prices of groups 1..10, then list prices of groups 1..10.
fn prices(prices: &[Option<catalog::SaleAndList>; 10]) -> impl Iterator<Item = Value> + '_ {
    prices.iter().map(|p| number(p.map(|p| p.0))).chain(prices.iter().map(|p| number(p.and_then(|p| p.1))))
}

/// Where rows go: an xlsx sheet written in constant memory, or a CSV file. One lives per
/// export, so the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Sink {
    Xlsx { book: Box<Workbook>, path: std::path::PathBuf, row: u32, formats: XlsxFormats, width: u16 },
    Csv { writer: csv::Writer<std::io::BufWriter<std::fs::File>>, path: std::path::PathBuf, decimal_comma: bool },
}

impl Sink {
    fn create(path: &Path, options: &ExportOptions) -> Result<Sink> {
        let failed = |e: &dyn std::fmt::Display| Error::from(ImportError::Export { file: path.display().to_string(), reason: e.to_string() });
        match options.format {
            ExportFormat::Xlsx => {
                let mut book = Box::new(Workbook::new());
                book.add_worksheet_with_constant_memory().map_err(|e| failed(&e))?.set_name("Raf").map_err(|e| failed(&e))?;
                let header = Format::new().set_bold().set_background_color(Color::RGB(0xE2E8F0)).set_border_bottom(FormatBorder::Thin);
                let price = Format::new().set_num_format("#,##0.00##");
                let formats = XlsxFormats { header, price, quoted: Format::new().set_quote_prefix() };
                Ok(Sink::Xlsx { book, path: path.to_owned(), row: 0, formats, width: 0 })
            }
            ExportFormat::Csv => {
                let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| Error::io(path, e))?);
                if options.bom {
                    file.write_all(b"\xEF\xBB\xBF").map_err(|e| Error::io(path, e))?;
                }
                let writer = csv::WriterBuilder::new().delimiter(options.delimiter).from_writer(file);
                Ok(Sink::Csv { writer, path: path.to_owned(), decimal_comma: options.delimiter == b';' })
            }
        }
    }

    fn row(&mut self, values: Vec<Value>) -> Result<()> {
        match self {
            Sink::Xlsx { book, path, row, formats, width } => {
                let sheet = book.worksheet_from_index(0).map_err(|e| xlsx_failed(path, e))?;
                write_xlsx_row(sheet, *row, &values, *row == 0, formats).map_err(|e| xlsx_failed(path, e))?;
                *width = (*width).max(values.len() as u16);
                *row += 1;
                Ok(())
            }
            Sink::Csv { writer, path, decimal_comma } => {
                let fields = values.iter().map(|v| match v {
                    Value::Text(s) => neutralized(s).into_owned(),
                    Value::Number(d) if *decimal_comma => d.normalize().to_string().replace('.', ","),
                    Value::Number(d) => d.normalize().to_string(),
                    Value::Empty => String::new(),
                });
                writer.write_record(fields).map_err(|e| csv_failed(path, e))
            }
        }
    }

    fn finish(self, rows: u64) -> Result<()> {
        match self {
            Sink::Xlsx { mut book, path, width, .. } => {
                let sheet = book.worksheet_from_index(0).map_err(|e| xlsx_failed(&path, e))?;
                let last_col = width.saturating_sub(1);
                sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_failed(&path, e))?;
                sheet.autofilter(0, 0, rows.min(u32::MAX as u64 - 1) as u32, last_col).map_err(|e| xlsx_failed(&path, e))?;
                book.save(&path).map_err(|e| xlsx_failed(&path, e))
            }
            Sink::Csv { mut writer, path, .. } => writer.flush().map_err(|e| Error::io(&path, e)),
        }
    }
}

/// The cell formats of an xlsx export.
struct XlsxFormats {
    header: Format,
    price: Format,
    /// Excel's quote prefix, for text that starts like a formula.
    quoted: Format,
}

fn write_xlsx_row(sheet: &mut Worksheet, row: u32, values: &[Value], header: bool, formats: &XlsxFormats) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (col, value) in values.iter().enumerate() {
        let col = col as u16;
        match value {
            Value::Text(s) if header => {
                sheet.write_string_with_format(row, col, s, &formats.header)?;
                sheet.set_column_width(col, (s.chars().count() as f64 + 4.0).max(10.0))?;
            }
            Value::Text(s) if starts_like_formula(s) => {
                sheet.write_string_with_format(row, col, s, &formats.quoted)?;
            }
            Value::Text(s) => {
                sheet.write_string(row, col, s)?;
            }
            // Money and quantities have at most 4 decimals and stay far below 2^53:
            // the f64 Excel stores reads back as the same decimal.
            Value::Number(d) => {
                sheet.write_number_with_format(row, col, d.to_f64().unwrap_or_default(), &formats.price)?;
            }
            Value::Empty => {}
        }
    }
    Ok(())
}

fn xlsx_failed(path: &Path, e: rust_xlsxwriter::XlsxError) -> Error {
    ImportError::Export { file: path.display().to_string(), reason: e.to_string() }.into()
}

fn csv_failed(path: &Path, e: csv::Error) -> Error {
    ImportError::Export { file: path.display().to_string(), reason: e.to_string() }.into()
}

/// Tag names joined by `; `. One name with a comma in it ends with `;`, or an import
/// would split it at the comma (a cell without `;` is split on `,`).
fn tags_cell(tags: &[String]) -> String {
    let mut cell = tags.join("; ");
    if tags.len() == 1 && cell.contains(',') {
        cell.push(';');
    }
    cell
}
