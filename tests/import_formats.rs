//! The older and the open spreadsheet formats: an xls (BIFF8) and an ods written by
//! `tests/fixtures/make_sheets.py` (nothing in Rust writes them) with the sheet an xlsx
//! test uses: a title row, barcodes typed as numbers, Turkish letters, a date.

use raf::catalog::product_detail;
use raf::import::{self, Cell, Format, ImportOptions};
use raf::progress;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn imports_the_price_list(name: &str, format: Format) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    let path = fixture(name);

    let preview = import::inspect(&conn, &path, &ImportOptions::default()).unwrap();
    assert_eq!(preview.format, format);
    assert_eq!((preview.sheet.as_str(), preview.header_row), ("Ürünler", 3), "title rows above the header are skipped");
    assert_eq!(preview.rows[0].cells[1], "8690000000017", "never 8.69E+12 nor 8690000000017.0");
    assert_eq!(preview.rows[0].cells[2], "IŞIK Kablo 3x1,5");

    let mut workbook = import::open(&path).unwrap();
    let mut date = Cell::Empty;
    workbook
        .read_rows("Ürünler", |row| {
            if row.number == 4 {
                date = row.cells[6].clone();
            }
            Ok(true)
        })
        .unwrap();
    assert_eq!(date, Cell::Date("2026-11-22".into()), "a date cell is a date, not a serial number");

    let applied = progress::silent(|task| import::apply(&mut conn, &path, &ImportOptions::default(), task)).unwrap();
    assert_eq!((applied.plan.creates, applied.plan.error_rows), (2, 0), "{:#?}", applied.plan);
    let p = product_detail(&conn, "1001").unwrap();
    assert_eq!(p.product.fields.barcode.as_deref(), Some("8690000000017"));
    assert_eq!(p.product.fields.name, "IŞIK Kablo 3x1,5");
    assert_eq!(p.prices[0].sale, Some(d("1234.56")));
    assert_eq!(p.brand.as_deref(), Some("Öz"));
    assert_eq!(p.product.on_hand, d("12"));
    let priz = product_detail(&conn, "A-2").unwrap();
    assert_eq!((priz.product.fields.name.as_str(), priz.prices[0].sale, priz.product.on_hand), ("Priz ığdır", Some(d("99.90")), d("0.5")));
}

#[test]
fn an_xls_price_list_imports_like_its_xlsx() {
    imports_the_price_list("liste.xls", Format::Xls);
}

#[test]
fn an_ods_price_list_imports_like_its_xlsx() {
    imports_the_price_list("liste.ods", Format::Ods);
}
