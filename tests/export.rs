//! Export to xlsx and csv: typed cells, a styled frozen header with a filter, formula-like
//! text neutralized, the template, the error report, and the round trip: an export
//! imported again changes nothing, and imported into an empty catalog rebuilds it.

use calamine::{Data, Reader};
use raf::catalog::{self, OptionAxis, ProductFields, ProductKind};
use raf::import::{self, ExportFormat, ExportOptions, ImportOptions};
use raf::progress;
use raf::stock::{self, Change};
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::io::Read;
use std::path::Path;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A catalog with what an export must carry: barcodes of digits, ten price groups, list
/// prices, fractional stock, a category and a brand, formula-like text, a service, a
/// product with variants (one inactive), a product in the trash, tags, and every other
/// product field (subtitle, second barcode, desi, currencies, status, purchase price, images).
fn shop(path: &Path) -> Connection {
    let mut conn = raf::db::open(path).unwrap();
    catalog::add_category(&mut conn, "Aydınlatma", None, None).unwrap();
    catalog::add_brand(&mut conn, "Öz Işık").unwrap();
    let mut led = ProductFields::new("LED-9W", "IŞIK LED Ampul 9W");
    led.barcode = Some("8690000000017".into());
    led.description = Some("=HYPERLINK(\"http://x\")".into());
    led.category_id = Some(catalog::category_id(&conn, "aydınlatma").unwrap());
    led.brand_id = Some(catalog::brand_id(&conn, "öz ışık").unwrap());
    led.min_stock = Some(d("3"));
    led.vat_rate = d("10");
    led.unit = "kutu".into();
    led.subtitle = Some("Sıcak ışık; E27".into());
    led.barcode2 = Some("0012345678905".into());
    led.desi = Some(d("0.25"));
    led.currency = "USD".into();
    led.purchase_price = Some(d("61.1234"));
    led.purchase_currency = Some("EUR".into());
    led.image_urls = vec!["https://cdn.example.tr/led,9w.jpg".into(), "http://cdn.example.tr/led-2.jpg".into()];
    catalog::create_product(&mut conn, &led).unwrap();
    for tag in ["İndirim", "Yeni Sezon"] {
        catalog::add_tag(&mut conn, tag, None, None).unwrap();
        catalog::tag_product(&mut conn, "LED-9W", tag).unwrap();
    }
    catalog::set_price(&mut conn, "LED-9W", 1, d("1234.56"), Some(d("1500"))).unwrap();
    catalog::set_price(&mut conn, "LED-9W", 2, d("1100.5"), None).unwrap();
    for group in 3..=9 {
        catalog::set_price(&mut conn, "LED-9W", group, d(&format!("{group}0.5")), Some(d(&format!("{group}1")))).unwrap();
    }
    catalog::set_price(&mut conn, "LED-9W", 10, d("999.9999"), None).unwrap();
    stock::adjust(&mut conn, "LED-9W", Change::Add(d("3.5")), None).unwrap();

    let mut minus = ProductFields::new("-5", "-5 indirim @kampanya");
    minus.kind = ProductKind::Service;
    minus.active = false;
    catalog::create_product(&mut conn, &minus).unwrap();

    catalog::create_product(&mut conn, &ProductFields::new("TS", "Tişört")).unwrap();
    catalog::set_price(&mut conn, "TS", 1, d("199.9"), None).unwrap();
    let axes = [
        OptionAxis { group: "Renk".into(), values: vec!["Beyaz".into(), "Siyah".into()] },
        OptionAxis { group: "Beden".into(), values: vec!["M".into()] },
    ];
    catalog::generate_variants(&mut conn, "TS", &axes).unwrap();
    catalog::set_price(&mut conn, "TS-SIYAH-M", 1, d("209.9"), Some(d("250"))).unwrap();
    let inactive = catalog::VariantFields { sku: "TS-SIYAH-M".into(), barcode: Some("8690000000031".into()), active: false };
    catalog::update_variant(&mut conn, "TS-SIYAH-M", &inactive).unwrap();
    // One tag with a comma in its name, alone: an import splits a cell on `,` when it has no `;`.
    catalog::add_tag(&mut conn, "Giyim, Aksesuar", None, None).unwrap();
    catalog::tag_product(&mut conn, "TS", "Giyim, Aksesuar").unwrap();
    stock::adjust(&mut conn, "TS-BEYAZ-M", Change::Add(d("4")), None).unwrap();

    catalog::create_product(&mut conn, &ProductFields::new("OLD", "Eski")).unwrap();
    catalog::soft_delete_product(&mut conn, "OLD").unwrap();
    conn
}

fn export(conn: &Connection, path: &Path, options: &ExportOptions) -> import::ExportSummary {
    progress::silent(|task| import::export(conn, path, options, task)).unwrap()
}

fn plan(conn: &Connection, path: &Path) -> import::Plan {
    progress::silent(|task| import::plan(conn, path, &ImportOptions::default(), task)).unwrap()
}

fn part(xlsx: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn an_xlsx_export_is_typed_and_styled_and_imports_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = shop(&dir.path().join("raf.db"));
    let file = dir.path().join("katalog.xlsx");
    let summary = export(&conn, &file, &ExportOptions::default());
    assert_eq!(summary.rows, 5, "LED-9W, -5, TS and its two variants; not the product in the trash");

    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    let range = book.worksheet_range("Raf").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][0], Data::String("Stok Kodu".into()));
    assert_eq!(rows[1][0], Data::String("LED-9W".into()));
    assert_eq!(rows[1][3], Data::String("8690000000017".into()), "a barcode is text, kept digit for digit");
    assert_eq!(rows[1][5], Data::String("=HYPERLINK(\"http://x\")".into()), "formula-like text stays as it is, and text");
    assert_eq!(rows[1][11], Data::Float(3.5), "quantities and prices are numbers");
    assert_eq!(rows[1][12], Data::Float(1234.56));
    assert_eq!(rows[2][0], Data::String("-5".into()));
    assert_eq!(rows[2][11], Data::Empty, "a service has no stock column value");
    assert_eq!(rows[4][1], Data::String("TS".into()), "a variant row names its product");
    assert_eq!(rows[4][2], Data::String("Renk:Beyaz;Beden:M".into()));
    let sheet = part(&file, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "the header row is frozen");
    assert!(sheet.contains("<autoFilter ref=\"A1:"), "the header has a filter");
    let styles = part(&file, "xl/styles.xml");
    assert!(styles.contains("<b/>"), "the header is bold");
    // Neutralized with Excel's quote prefix: the cell stays text even when edited.
    let xfs = styles.split("<cellXfs").nth(1).unwrap().split("</cellXfs>").next().unwrap();
    let quoted = xfs.split("<xf ").skip(1).position(|xf| xf.contains("quotePrefix=\"1\"")).expect("a quote-prefix style");
    for cell in ["F2", "A3"] {
        assert!(sheet.contains(&format!("<c r=\"{cell}\" s=\"{quoted}\"")), "{cell} has the quote prefix: {sheet}");
    }
    assert!(!sheet.contains(&format!("<c r=\"A2\" s=\"{quoted}\"")), "LED-9W needs none");

    let p = plan(&conn, &file);
    assert_eq!((p.rows, p.creates, p.updates, p.unchanged, p.error_rows), (5, 0, 0, 5, 0), "{p:#?}");
    // Keyed by barcode, the rows without one (the service, the parent TS, its variants) go by SKU.
    let by_barcode = ImportOptions { key: import::Key::Barcode, ..ImportOptions::default() };
    let p = progress::silent(|task| import::plan(&conn, &file, &by_barcode, task)).unwrap();
    assert_eq!((p.unchanged, p.error_rows), (5, 0), "{p:#?}");
    let applied = progress::silent(|task| import::apply(&mut conn, &file, &ImportOptions::default(), task)).unwrap();
    assert_eq!(applied.plan.movements, 0);

    // Into an empty catalog, the export rebuilds what it holds.
    let mut copy = raf::db::open(&dir.path().join("copy.db")).unwrap();
    let applied = progress::silent(|task| import::apply(&mut copy, &file, &ImportOptions::default(), task)).unwrap();
    assert!(applied.batch.is_some(), "{:#?}", applied.plan);
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let csv = ExportOptions { format: ExportFormat::Csv, ..Default::default() };
    export(&conn, &a, &csv);
    export(&copy, &b, &csv);
    let (a, b) = (std::fs::read_to_string(a).unwrap(), std::fs::read_to_string(b).unwrap());
    assert_eq!(a, b, "every column came back: the service, the inactive variant, tags, images ...");
    assert_eq!(stock::check_ledger(&copy).unwrap(), []);
}

/// Every row of the tables an import writes to, every column, in order.
fn tables(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let tables = [
        "products",
        "variants",
        "prices",
        "tags",
        "product_tags",
        "categories",
        "brands",
        "option_groups",
        "option_values",
        "variant_values",
        "stock_movements",
        "product_search",
    ];
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT *, '' FROM {table} ORDER BY 1, 2")).unwrap();
        let columns = stmt.column_count();
        let rows = stmt.query_map([], |r| (0..columns).map(|i| r.get::<_, rusqlite::types::Value>(i)).collect::<rusqlite::Result<Vec<_>>>()).unwrap();
        out.extend(rows.map(|row| format!("{table}: {:?}", row.unwrap())));
    }
    out
}

/// Every column out and back in, as xlsx and as Turkish Excel's csv: the plan finds
/// nothing to create or update, and applying it leaves every table as it was.
#[test]
fn every_column_round_trips_through_xlsx_and_a_turkish_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = shop(&dir.path().join("raf.db"));
    let headers = import::inspect(
        &conn,
        &{
            let template = dir.path().join("sablon.csv");
            import::template(&template, &ExportOptions { format: ExportFormat::Csv, ..Default::default() }).unwrap();
            template
        },
        &ImportOptions::default(),
    )
    .unwrap()
    .mapping;
    for field in ["subtitle", "barcode2", "desi", "currency", "active", "kind", "purchase_price", "purchase_currency", "images", "tags"] {
        assert!(headers.iter().flatten().any(|f| f.to_string() == field), "the template has a {field} column");
    }
    let before = tables(&conn);
    let upsert = ImportOptions { mode: import::Mode::Upsert, ..Default::default() };
    for (name, options) in
        [("hepsi.xlsx", ExportOptions::default()), ("hepsi.csv", ExportOptions { format: ExportFormat::Csv, delimiter: b';', bom: true })]
    {
        let file = dir.path().join(name);
        export(&conn, &file, &options);
        let p = progress::silent(|task| import::plan(&conn, &file, &upsert, task)).unwrap();
        assert_eq!((p.rows, p.creates, p.updates, p.unchanged, p.error_rows), (5, 0, 0, 5, 0), "{name}: {p:#?}");
        let applied = progress::silent(|task| import::apply(&mut conn, &file, &upsert, task)).unwrap();
        assert!(applied.batch.is_some(), "{name}");
        assert_eq!(tables(&conn), before, "{name}: nothing changed");
    }
    let text = std::fs::read_to_string(dir.path().join("hepsi.csv")).unwrap();
    let led_tail = ";\"Sıcak ışık; E27\";0012345678905;0,25;USD;Evet;Ürün;61,1234;EUR;\"https://cdn.example.tr/led,9w.jpg\nhttp://cdn.example.tr/led-2.jpg\";\"İndirim; Yeni Sezon\"\n";
    assert!(text.contains(led_tail), "images one per line, tags separated by ;: {text}");
    assert!(text.contains(";Hayır;Hizmet;"), "the inactive service: {text}");
}

#[test]
fn a_turkish_excel_csv_export_has_a_bom_semicolons_and_decimal_commas() {
    let dir = tempfile::tempdir().unwrap();
    let conn = shop(&dir.path().join("raf.db"));
    let file = dir.path().join("katalog.csv");
    export(&conn, &file, &ExportOptions { format: ExportFormat::Csv, delimiter: b';', bom: true });
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFStok Kodu;Ana \xC3\x9Cr\xC3\xBCn Kodu;"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let led = text.lines().nth(1).unwrap();
    assert!(
        led.starts_with(
            "LED-9W;;;8690000000017;IŞIK LED Ampul 9W;\"'=HYPERLINK(\"\"http://x\"\")\";Aydınlatma;Öz Işık;kutu;10;3;3,5;1234,56;1100,5;"
        ),
        "{led}"
    );
    assert!(text.lines().any(|l| l.starts_with("'-5;")), "a SKU that starts like a formula is neutralized too");
    let p = plan(&conn, &file);
    assert_eq!((p.unchanged, p.error_rows), (5, 0), "{p:#?}");
}

#[test]
fn the_template_has_the_columns_only_and_every_column_is_recognized() {
    let dir = tempfile::tempdir().unwrap();
    let conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    let file = dir.path().join("sablon.xlsx");
    import::template(&file, &ExportOptions::default()).unwrap();
    let preview = import::inspect(&conn, &file, &ImportOptions::default()).unwrap();
    assert_eq!(preview.headers.len(), 42);
    assert!(preview.mapping.iter().all(Option::is_some), "{:?}", preview.mapping);
    assert!(preview.rows.is_empty());
    assert_eq!(plan(&conn, &file).rows, 0);
}

#[test]
fn the_error_report_lists_row_column_value_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    let file = dir.path().join("hatali.csv");
    std::fs::write(&file, "SKU;Name;Price\nA-1;A;x\nA-2;;5\n").unwrap();
    let p = plan(&conn, &file);
    let report = dir.path().join("rapor.xlsx");
    import::write_report(&p, &report).unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&report).unwrap();
    let range = book.worksheet_range("Raf").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0], ["Satır (Row)", "Sütun (Column)", "Değer (Value)", "Kod (Code)", "Hata (Error)"]);
    assert_eq!(rows[1][..4], ["2", "Price", "x", "import.not_a_number"]);
    assert_eq!(rows[2][..4], ["3", "Name", "", "import.required"]);
}
