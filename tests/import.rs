//! Import from real files the tests write: byte-exact CSVs (Windows-1254, UTF-16, BOMs,
//! every delimiter, multi-line cells), xlsx made with rust_xlsxwriter (title rows, numeric
//! barcodes, dates in both systems), variants, modes, undo, every bad or hostile file the
//! issue lists, and a writer killed in the middle of a large import.

use raf::catalog::{self, product_detail, ProductFields, ProductKind};
use raf::import::{self, Applied, Cell, Field, ImportOptions, Key, MappingProblem, Mode, Plan, StockMode};
use raf::progress::{self, Step, Task};
use raf::stock::{self, check_ledger, Change, MovementKind};
use rusqlite::Connection;
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn catalog_at(dir: &Path) -> Connection {
    raf::db::open(&dir.join("raf.db")).unwrap()
}

fn plan(conn: &Connection, path: &Path, options: &ImportOptions) -> Plan {
    progress::silent(|task| import::plan(conn, path, options, task)).unwrap()
}

fn apply(conn: &mut Connection, path: &Path, options: &ImportOptions) -> Applied {
    progress::silent(|task| import::apply(conn, path, options, task)).unwrap()
}

fn import_err(conn: &mut Connection, path: &Path, options: &ImportOptions) -> raf::Error {
    progress::silent(|task| import::apply(conn, path, options, task)).unwrap_err()
}

fn plan_err(conn: &Connection, path: &Path, options: &ImportOptions) -> raf::Error {
    progress::silent(|task| import::plan(conn, path, options, task)).unwrap_err()
}

/// A cell the tests put in an xlsx.
enum X<'a> {
    S(&'a str),
    N(f64),
    E,
}
use X::{E, N, S};

fn write_xlsx(path: &Path, rows: &[&[X]]) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Ürünler").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                S(s) => sheet.write_string(r as u32, c as u16, *s).map(|_| ()).unwrap(),
                N(n) => sheet.write_number(r as u32, c as u16, *n).map(|_| ()).unwrap(),
                E => {}
            }
        }
    }
    book.save(path).unwrap();
}

fn write(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::write(path, bytes).unwrap();
    path.to_owned()
}

/// Everything an import may change, to compare before and after.
fn snapshot(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT sku || '|' || name || '|' || ifnull(barcode, '') || '|' || on_hand || '|' || vat_rate || '|' || ifnull(deleted_at, '') FROM products ORDER BY id",
        "SELECT sku || '|' || ifnull(barcode, '') || '|' || on_hand || '|' || ifnull(deleted_at, '') FROM variants ORDER BY id",
        "SELECT product_id || '|' || ifnull(variant_id, 0) || '|' || group_no || '|' || sale || '|' || ifnull(list, '') FROM prices ORDER BY 1",
        "SELECT count(*) FROM stock_movements",
        "SELECT count(*) FROM import_batches",
        "SELECT count(*) FROM categories",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, rusqlite::types::Value>(0)).unwrap();
        out.extend(rows.map(|v| format!("{:?}", v.unwrap())));
    }
    out
}

fn sale(conn: &Connection, sku: &str, group: usize) -> Option<Decimal> {
    let detail = product_detail(conn, sku).unwrap();
    match detail.variants.iter().find(|v| v.sku == sku) {
        Some(v) => v.prices[group - 1].sale,
        None => detail.prices[group - 1].sale,
    }
}

#[test]
fn a_windows_1254_semicolon_csv_with_turkish_prices() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    // What Turkish Excel writes for "CSV (noktalı virgülle ayrılmış)": Windows-1254, `;`,
    // decimal commas, thousands dots, CRLF, no BOM.
    let bytes = b"Stok Kodu;\xDCr\xFCn Ad\xFD;Sat\xFD\xFE Fiyat\xFD;KDV;Stok;Kategori\r\n\
LED-9W;I\xDEIK LED Ampul 9W;1.234,56;%20;10;Ayd\xFDnlatma\r\n\
CAY-1;\xC7ay Barda\xF0\xFD;12,5;8;3,5;Mutfak\r\n\
SUZ-2;S\xFCzge\xE7 \xDDnce;\xE2\x82\xBA;20;1;Mutfak\r\n";
    let path = write(&dir.path().join("urunler.csv"), bytes);

    let preview = import::inspect(&conn, &path, &ImportOptions::default()).unwrap();
    assert_eq!(preview.headers, ["Stok Kodu", "Ürün Adı", "Satış Fiyatı", "KDV", "Stok", "Kategori"]);
    let fields: Vec<String> = preview.mapping.iter().map(|f| f.as_ref().unwrap().to_string()).collect();
    assert_eq!(fields, ["sku", "name", "price", "vat", "stock", "category"]);
    assert_eq!(preview.rows[0].cells[1], "IŞIK LED Ampul 9W");

    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!((p.rows, p.creates, p.error_rows), (3, 2, 1), "{p:#?}");
    let e = &p.errors[0];
    assert_eq!((e.row, e.column.as_str(), e.code), (4, "Satış Fiyatı", "import.not_a_number"));
    assert_eq!(e.value, "₺", "a cell that is valid UTF-8 is read as UTF-8, the rest of the file as Windows-1254");

    // Fix the row, keep the encoding, apply.
    let fixed = [&bytes[..bytes.len() - 17], b"8,75;20;1;Mutfak\r\n"].concat();
    write(&path, &fixed);
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert!(applied.batch.is_some(), "{:#?}", applied.plan);
    let led = product_detail(&conn, "LED-9W").unwrap();
    assert_eq!(led.product.fields.name, "IŞIK LED Ampul 9W");
    assert_eq!(led.prices[0].sale, Some(d("1234.56")));
    assert_eq!(led.product.fields.vat_rate, d("20"));
    assert_eq!(led.product.on_hand, d("10"));
    assert_eq!(led.category.as_deref(), Some("Aydınlatma"), "a category named in the file is created");
    assert_eq!(product_detail(&conn, "CAY-1").unwrap().product.on_hand, d("3.5"));
    assert_eq!(product_detail(&conn, "SUZ-2").unwrap().product.fields.name, "Süzgeç İnce");
    assert_eq!(sale(&conn, "SUZ-2", 1), Some(d("8.75")));
    let found = catalog::search_products(&conn, &catalog::ProductQuery { search: Some("ışık".into()), ..Default::default() }).unwrap();
    assert_eq!(found.rows.len(), 1, "imported products are in the search index");
    assert_eq!(check_ledger(&conn).unwrap(), []);
    let history = stock::history(&conn, "LED-9W", 10, None).unwrap();
    assert_eq!(history[0].kind, MovementKind::Import);
}

#[test]
fn a_vat_typed_as_a_percent_in_excel_is_read_in_percent() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    // `%18` typed in Excel is stored as 0.18 shown as a percent (`0%`).
    let path = dir.path().join("kdv.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let percent = Format::new().set_num_format("0%");
    for (c, h) in ["Stok Kodu", "Ürün Adı", "KDV"].into_iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, (sku, vat)) in [("K1", 0.18), ("K2", 0.0), ("K3", 0.01), ("K4", 20.0)].into_iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, sku).unwrap();
        sheet.write_string(r, 1, format!("Ürün {sku}")).unwrap();
        sheet.write_number_with_format(r, 2, vat, &percent).unwrap();
    }
    book.save(&path).unwrap();
    assert!(apply(&mut conn, &path, &ImportOptions::default()).batch.is_some());
    let vat = |sku: &str| product_detail(&conn, sku).unwrap().product.fields.vat_rate;
    assert_eq!((vat("K1"), vat("K2"), vat("K3"), vat("K4")), (d("18"), d("0"), d("1"), d("20")));
}

#[test]
fn a_single_dot_before_three_digits_groups_thousands_in_a_semicolon_csv_and_a_comma_in_a_comma_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    // Turkish Excel writes 1250 formatted `#.##0` as "1.250": in a `;` file the decimal
    // mark is `,`, so a lone dot before three digits groups thousands.
    let turkish = write(&dir.path().join("hali.csv"), b"Stok Kodu;\xDCr\xFCn Ad\xFD;Sat\xFD\xFE Fiyat\xFD;Stok\r\nA1;Hal\xFD;1.250;1.000\r\nA2;Kilim;2.500,00;12\r\nA3;Yast\xFDk;1.250 TL;3\r\nA4;Minder;12.5;2\r\n");
    assert!(apply(&mut conn, &turkish, &ImportOptions::default()).batch.is_some());
    assert_eq!(sale(&conn, "A1", 1), Some(d("1250")));
    assert_eq!(product_detail(&conn, "A1").unwrap().product.on_hand, d("1000"));
    assert_eq!(sale(&conn, "A2", 1), Some(d("2500")));
    assert_eq!(sale(&conn, "A3", 1), Some(d("1250")));
    assert_eq!(sale(&conn, "A4", 1), Some(d("12.5")), "a dot before one digit is no thousands group");
    // English Excel's `,` file: "1,250" (quoted) is 1250 there, and a dot is the decimal mark.
    let english = write(&dir.path().join("rugs.csv"), b"SKU,Name,Price,Stock\nB1,Rug,\"1,250\",2\nB2,Mat,1.250,1\n");
    assert!(apply(&mut conn, &english, &ImportOptions::default()).batch.is_some());
    assert_eq!(sale(&conn, "B1", 1), Some(d("1250")));
    assert_eq!(sale(&conn, "B2", 1), Some(d("1.25")));
}

#[test]
fn an_xlsx_with_a_title_row_and_barcodes_typed_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = dir.path().join("liste.xlsx");
    write_xlsx(
        &path,
        &[
            &[S("ACME Toptan - Fiyat Listesi Kasım 2026")],
            &[],
            &[S("Ürün Kodu"), S("Barkod"), S("Adı"), S("Fiyat"), S("Fiyat 2"), S("Liste Fiyatı"), S("Miktar"), S("Marka")],
            &[N(1001.0), N(8690000000017.0), S("Kablo 3x1,5"), N(1234.56), N(1100.0), N(1500.0), N(12.0), S("Öz")],
            &[S("A-2"), N(8690000000024.0), S("Priz"), S("99,90"), E, E, N(0.5), E],
        ],
    );
    let preview = import::inspect(&conn, &path, &ImportOptions::default()).unwrap();
    assert_eq!((preview.sheet.as_str(), preview.header_row), ("Ürünler", 3), "title rows above the header are skipped");
    assert_eq!(preview.rows[0].cells[1], "8690000000017", "never 8.69E+12 nor 8690000000017.0");

    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!(applied.plan.creates, 2, "{:#?}", applied.plan);
    let p = product_detail(&conn, "1001").unwrap();
    assert_eq!(p.product.fields.barcode.as_deref(), Some("8690000000017"));
    assert_eq!(p.prices[0].sale, Some(d("1234.56")));
    assert_eq!(p.prices[0].list, Some(d("1500")));
    assert_eq!(p.prices[1].sale, Some(d("1100")));
    assert_eq!(p.brand.as_deref(), Some("Öz"));
    assert_eq!(p.product.on_hand, d("12"));
    assert_eq!(product_detail(&conn, "A-2").unwrap().product.on_hand, d("0.5"));

    // The header row can be given; a wrong one finds no key column.
    let err = progress::silent(|t| import::plan(&conn, &path, &ImportOptions { header_row: Some(1), ..Default::default() }, t)).unwrap_err();
    assert_eq!(err.code(), "import.bad_mapping");
}

#[test]
fn csv_encodings_delimiters_and_multi_line_cells() {
    let dir = tempfile::tempdir().unwrap();
    let conn = catalog_at(dir.path());
    let utf16: Vec<u8> = {
        let text = "SKU\tName\tPrice\r\nT-1\tTişört\t199,90\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        bytes
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("utf16.txt", utf16),
        ("bom.csv", b"\xEF\xBB\xBFStok Kodu,\xC3\x9Cr\xC3\xBCn Ad\xC4\xB1,Fiyat\nT-1,Ti\xC5\x9F\xC3\xB6rt,\"1,234.50\"\n".to_vec()),
        ("pipe.txt", "Kod|Adı|Fiyat\nT-1|Tişört|5\n".as_bytes().to_vec()),
        ("multi.csv", "Kod;Adı;Açıklama\nT-1;Tişört;\"iki\nsatır; tırnaklı \"\"söz\"\"\"\n".as_bytes().to_vec()),
    ];
    for (name, bytes) in cases {
        let path = write(&dir.path().join(name), &bytes);
        let preview = import::inspect(&conn, &path, &ImportOptions::default()).unwrap();
        assert_eq!(preview.rows.len(), 1, "{name}: {preview:#?}");
        assert_eq!(preview.rows[0].cells[0], "T-1", "{name}");
        assert_eq!(preview.rows[0].cells[1], "Tişört", "{name}");
        assert_eq!(preview.mapping[0], Some(Field::Sku), "{name}");
        assert_eq!(plan(&conn, &path, &ImportOptions::default()).creates, 1, "{name}");
    }
    let preview = import::inspect(&conn, &dir.path().join("multi.csv"), &ImportOptions::default()).unwrap();
    assert_eq!(preview.rows[0].cells[2], "iki\nsatır; tırnaklı \"söz\"");
}

/// Rewrites one part of a workbook rust_xlsxwriter wrote, for what it cannot write.
fn rewrite_part(path: &Path, part_name: &str, rewrite: impl Fn(String) -> String) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut part, &mut data).unwrap();
        parts.push((part.name().unwrap().into_owned(), data));
    }
    drop(zip);
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in parts {
        let data = if name == part_name { rewrite(String::from_utf8(data).unwrap()).into_bytes() } else { data };
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap();
}

/// Sets the 1904 date system on a workbook rust_xlsxwriter wrote (it writes 1900 only).
fn use_1904_dates(path: &Path) {
    rewrite_part(path, "xl/workbook.xml", |xml| xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1));
}

#[test]
fn a_formula_saved_without_its_result_and_an_excel_error_value_are_row_errors() {
    let dir = tempfile::tempdir().unwrap();
    let conn = catalog_at(dir.path());
    let path = dir.path().join("formul.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Stok Kodu", "Ürün Adı", "Fiyat"].into_iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, (sku, name, formula, result)) in
        [("F-1", "Kalem", "=10*1.2", "12"), ("F-2", "Silgi", "=5*2", "10"), ("F-3", "Defter", "=1/0", "0")].into_iter().enumerate()
    {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, sku).unwrap();
        sheet.write_string(r, 1, name).unwrap();
        sheet.write_formula(r, 2, rust_xlsxwriter::Formula::new(formula).set_result(result)).unwrap();
    }
    book.save(&path).unwrap();
    // F-2's result is left out, as a program that leaves computing to Excel writes it;
    // F-3's is the error Excel saves for a division by zero.
    rewrite_part(&path, "xl/worksheets/sheet1.xml", |xml| {
        let xml = xml.replacen("<f>5*2</f><v>10</v>", "<f>5*2</f>", 1);
        let xml = xml.replacen("<c r=\"C4\"", "<c r=\"C4\" t=\"e\"", 1).replacen("<f>1/0</f><v>0</v>", "<f>1/0</f><v>#DIV/0!</v>", 1);
        assert!(xml.contains("<f>5*2</f></c>") && xml.contains("#DIV/0!"), "{xml}");
        xml
    });

    let p = plan(&conn, &path, &ImportOptions::default());
    let found: Vec<_> = p.errors.iter().map(|e| (e.row, e.column.as_str(), e.value.as_str(), e.code)).collect();
    assert_eq!(found, [(3, "Fiyat", "=…", "import.formula_without_result"), (4, "Fiyat", "#DIV/0!", "import.error_value")], "{:#?}", p.errors);
    assert_eq!((p.creates, p.error_rows), (1, 2));
}

#[test]
fn excel_dates_in_the_1900_and_1904_systems() {
    let dir = tempfile::tempdir().unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut dates = Vec::new();
    for (name, system_1904) in [("d1900.xlsx", false), ("d1904.xlsx", true)] {
        let path = dir.path().join(name);
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Tarih").unwrap();
        sheet.write_number_with_format(1, 0, 45000.0, &date).unwrap();
        sheet.write_datetime_with_format(2, 0, ExcelDateTime::from_ymd(2026, 11, 22).unwrap(), &date).unwrap();
        book.save(&path).unwrap();
        if system_1904 {
            use_1904_dates(&path);
        }
        let mut workbook = import::open(&path).unwrap();
        let mut cells = Vec::new();
        workbook
            .read_rows("Sheet1", |row| {
                cells.push(row.cells[0].clone());
                Ok(true)
            })
            .unwrap();
        dates.push(cells);
    }
    assert_eq!(dates[0][1], Cell::Date("2023-03-15".into()));
    assert_eq!(dates[0][2], Cell::Date("2026-11-22".into()));
    assert_eq!(dates[1][1], Cell::Date("2027-03-16".into()), "serial 45000 counts from 1904-01-01");
}

fn seed(conn: &mut Connection) {
    let mut led = ProductFields::new("LED-9W", "LED Ampul 9W");
    led.barcode = Some("8690000000017".into());
    catalog::create_product(conn, &led).unwrap();
    catalog::set_price(conn, "LED-9W", 1, d("100"), Some(d("120"))).unwrap();
    stock::adjust(conn, "LED-9W", Change::Add(d("10")), None).unwrap();
    catalog::create_product(conn, &ProductFields::new("KBL-1", "Kablo")).unwrap();
    catalog::set_price(conn, "KBL-1", 1, d("50"), None).unwrap();
}

#[test]
fn the_plan_counts_every_outcome_lists_every_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    let path = write(
        &dir.path().join("p.csv"),
        "Stok Kodu,Adı,Fiyat,Stok,KDV\n\
         LED-9W,LED Ampul 9W,100,10,20\n\
         KBL-1,Kablo,55,,\n\
         NEW-1,Yeni,\"1.234,56\",2,\n\
         NEW-2,,5,1,\n\
         BAD-1,Kötü,abc,x,130\n\
         NEW-1,Tekrar,1,1,\n\
         ,Kodsuz,1,1,\n"
            .as_bytes(),
    );
    let before = snapshot(&conn);
    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!((p.rows, p.creates, p.updates, p.unchanged, p.error_rows), (7, 1, 1, 1, 4), "{p:#?}");
    assert_eq!(p.movements, 1);
    let errors: Vec<(u32, &str, &str)> = p.errors.iter().map(|e| (e.row, e.column.as_str(), e.code)).collect();
    assert_eq!(
        errors,
        [
            (5, "Adı", "import.required"),
            (6, "Fiyat", "import.not_a_number"),
            (6, "Stok", "import.not_a_number"),
            (6, "KDV", "input.invalid"),
            (7, "Stok Kodu", "import.duplicate_key"),
            (8, "Stok Kodu", "import.key_missing"),
        ],
        "every problem of every row, with its row and column"
    );
    assert!(p.errors[4].message.contains("row 4"), "{}", p.errors[4].message);
    assert_eq!(snapshot(&conn), before, "a dry run writes nothing");

    // Apply refuses the whole file while any row has an error.
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!(applied.batch, None);
    assert_eq!(applied.plan.error_rows, 4);
    assert_eq!(snapshot(&conn), before, "all or nothing");
    assert!(import::batches(&conn).unwrap().is_empty());

    // The errors go to a report file.
    let report = dir.path().join("report.csv");
    import::write_report(&p, &report).unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().count(), 7, "{text}");
    assert!(text.contains("6,Fiyat,abc,import.not_a_number"), "{text}");
}

#[test]
fn one_run_shows_every_problem_of_a_row_cells_that_cannot_be_read_and_rules_the_rest_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let conn = catalog_at(dir.path());
    let path = write(&dir.path().join("r.csv"), "Stok Kodu;Ürün Adı;Fiyat;KDV;Stok;Para Birimi\nR-1;;abc;150;x;Lira\n".as_bytes());
    let p = plan(&conn, &path, &ImportOptions::default());
    let errors: Vec<(&str, &str)> = p.errors.iter().map(|e| (e.column.as_str(), e.code)).collect();
    assert_eq!(
        errors,
        [
            ("Fiyat", "import.not_a_number"),
            ("Stok", "import.not_a_number"),
            ("Ürün Adı", "import.required"),
            ("KDV", "input.invalid"),
            ("Para Birimi", "input.invalid"),
        ],
        "{:#?}",
        p.errors
    );
}

#[test]
fn a_cell_split_by_an_unquoted_delimiter_and_a_file_with_no_name_column_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let conn = catalog_at(dir.path());
    let split = write(&dir.path().join("s.csv"), "Stok Kodu;Ürün Adı;Seçenekler\nS-1;Kazak;Renk:Beyaz;Beden:L\nS-2;Hırka;\n".as_bytes());
    let p = plan(&conn, &split, &ImportOptions::default());
    let e = &p.errors[0];
    assert_eq!((p.error_rows, e.row, e.column.as_str(), e.value.as_str(), e.code), (1, 2, "D", "Beden:L", "import.extra_cells"), "{:#?}", p.errors);
    assert!(e.message.contains("put quotes around a cell holding the delimiter"), "{}", e.message);

    let nameless = write(&dir.path().join("n.csv"), "Stok Kodu;Stok İsmi Yok\nN-1;Bir şey\n".as_bytes());
    let p = plan(&conn, &nameless, &ImportOptions::default());
    assert_eq!(p.errors[0].message, "a new product needs a name, and no column is mapped to name", "{:#?}", p.errors);
}

#[test]
fn a_quote_never_closed_is_named_by_its_row_and_column_and_a_cell_on_several_lines_still_imports() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    // Row 3's name opens a quote it never closes: the csv reader takes every line after
    // it into that cell, without an error of its own.
    let unclosed = "Stok Kodu;Ürün Adı;Fiyat\nK-1;Kalem;10\nK-2;\"Süper kalem;12\nK-3;Silgi;5\nK-4;Defter;20\n";
    let path = write(&dir.path().join("u.csv"), unclosed.as_bytes());
    let err = plan_err(&conn, &path, &ImportOptions::default());
    assert_eq!(err.code(), "import.unclosed_quote", "{err}");
    assert_eq!((err.details()["row"].as_u64(), err.details()["column"].as_u64()), (Some(3), Some(2)));
    assert!(err.to_string().starts_with("u.csv: the quote that opens the cell in row 3, column 2 is never closed"), "{err}");
    let err = import_err(&mut conn, &path, &ImportOptions::default());
    assert_eq!(err.code(), "import.unclosed_quote");
    assert_eq!(conn.query_row("SELECT count(*) FROM products", [], |r| r.get::<_, i64>(0)).unwrap(), 0, "nothing imported");

    // A description written on several lines, one of them with the delimiter in it.
    let lines = "Stok Kodu;Ürün Adı;Açıklama\nK-1;Kalem;\"Mavi mürekkep\nUç: 0,7 mm; iğne uç\"\nK-2;Silgi;Yumuşak\n";
    let path = write(&dir.path().join("l.csv"), lines.as_bytes());
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!((applied.plan.creates, applied.plan.error_rows), (2, 0), "{:#?}", applied.plan.errors);
    assert_eq!(product_detail(&conn, "K-1").unwrap().product.fields.description.as_deref(), Some("Mavi mürekkep\nUç: 0,7 mm; iğne uç"));
}

#[test]
fn an_option_given_twice_in_a_row_is_a_row_error_in_the_dry_run_and_the_apply() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let twice = "Stok Kodu;Ana Ürün Kodu;Ürün Adı;Seçenekler;Renk;Beden\nKZ-1-A;KZ-1;Kazak;Renk:Lacivert;Mor;S\nKZ-1-B;KZ-1;Kazak;;Mor;M\n";
    let path = write(&dir.path().join("k.csv"), twice.as_bytes());
    let p = plan(&conn, &path, &ImportOptions::default());
    let found: Vec<_> = p.errors.iter().map(|e| (e.row, e.column.as_str(), e.code)).collect();
    assert_eq!(found, [(2, "Renk", "import.option_twice")], "{:#?}", p.errors);
    assert!(p.errors[0].message.contains("Renk is given twice (Lacivert and Mor)"), "{}", p.errors[0].message);
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!((applied.batch, applied.plan.error_rows), (None, 1), "refused by its row, not by the database");
}

#[test]
fn an_import_that_zeroes_a_products_stock_to_give_it_variants_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    catalog::create_product(&mut conn, &ProductFields::new("PS-1", "Pantolon")).unwrap();
    stock::adjust(&mut conn, "PS-1", Change::Add(d("10")), None).unwrap();
    // The product's own stock goes to zero on its row; the variants' rows follow.
    let csv = "Stok Kodu;Ana Ürün Kodu;Ürün Adı;Beden;Stok\nPS-1;;Pantolon;;0\nPS-1-30;PS-1;;30;4\nPS-1-32;PS-1;;32;6\n";
    let path = write(&dir.path().join("p.csv"), csv.as_bytes());
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert!(applied.batch.is_some(), "{:#?}", applied.plan.errors);
    assert_eq!(product_detail(&conn, "PS-1").unwrap().variants.len(), 2);

    let summary = import::undo(&mut conn, None, false).unwrap();
    assert_eq!((summary.movements_reversed, summary.created_removed), (3, 2));
    let detail = product_detail(&conn, "PS-1").unwrap();
    assert_eq!((detail.variants.len(), detail.product.on_hand), (0, d("10")), "the product as it was, with its own stock");
    check_ledger(&conn).unwrap();
}

#[test]
fn two_columns_for_one_field_are_shown_as_a_problem_to_choose_from_not_decided_by_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = write(&dir.path().join("iki.csv"), "Stok Kodu;Ürün Adı;Satış Fiyatı;Satış Fiyatı\nL-1;Lamba;10;12\n".as_bytes());
    // The preview shows the file and what to change; the dry run and the import refuse.
    let preview = import::inspect(&conn, &path, &ImportOptions::default()).unwrap();
    let twice = MappingProblem::Twice { field: "price".into(), first: "C (Satış Fiyatı)".into(), second: "D (Satış Fiyatı)".into() };
    assert_eq!(preview.problems, [twice]);
    let err = plan_err(&conn, &path, &ImportOptions::default());
    assert_eq!(err.code(), "import.bad_mapping");
    assert!(err.to_string().contains("price is mapped to two columns, C (Satış Fiyatı) and D (Satış Fiyatı)"), "{err}");

    let newer = ImportOptions { mapping: vec![("C".into(), None)], ..ImportOptions::default() };
    assert_eq!(import::inspect(&conn, &path, &newer).unwrap().problems, []);
    apply(&mut conn, &path, &newer);
    assert_eq!(sale(&conn, "L-1", 1), Some(d("12")));

    // A key column the headers do not name: the preview still comes, to map it.
    let unnamed = write(&dir.path().join("no.csv"), "Ürün No;Ürün Adı\nL-2;Abajur\n".as_bytes());
    let preview = import::inspect(&conn, &unnamed, &ImportOptions::default()).unwrap();
    assert_eq!((preview.problems, preview.rows.len()), (vec![MappingProblem::KeyMissing { field: "sku".into() }], 1));
}

#[test]
fn a_variant_row_that_leaves_out_an_option_its_siblings_have_is_a_row_error() {
    let dir = tempfile::tempdir().unwrap();
    let conn = catalog_at(dir.path());
    let csv = "Stok Kodu;Ana Ürün Kodu;Ürün Adı;Renk;Beden\nK-1-A;K-1;Kazak;Beyaz;S\nK-1-B;K-1;Kazak;Siyah;M\nK-1-C;K-1;Kazak;Beyaz;\n";
    let p = plan(&conn, &write(&dir.path().join("k.csv"), csv.as_bytes()), &ImportOptions::default());
    let found: Vec<_> = p.errors.iter().map(|e| (e.row, e.code, e.message.as_str())).collect();
    assert_eq!(found, [(4, "import.options_mismatch", "K-1's other variants have the options beden, renk; this one has renk")]);
}

#[test]
fn a_file_with_a_header_and_no_rows_imports_nothing_and_leaves_no_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = write(&dir.path().join("bos.csv"), "Stok Kodu;Ürün Adı;Fiyat\n".as_bytes());
    assert_eq!(plan(&conn, &path, &ImportOptions::default()).rows, 0);
    let err = import_err(&mut conn, &path, &ImportOptions::default());
    assert_eq!(err.code(), "import.no_rows");
    assert_eq!(err.to_string(), "bos.csv has no rows below its header (sheet bos); there is nothing to import");
    assert_eq!(import::batches(&conn).unwrap(), []);
}

#[test]
fn without_a_sheet_named_a_hidden_sheet_is_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = dir.path().join("liste.xlsx");
    let mut book = Workbook::new();
    for (name, price) in [("Eski", 10), ("Güncel", 12)] {
        let sheet = book.add_worksheet().set_name(name).unwrap();
        for (c, h) in ["Stok Kodu", "Ürün Adı", "Fiyat"].into_iter().enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        sheet.write_string(1, 0, "L-1").unwrap();
        sheet.write_string(1, 1, "Lamba").unwrap();
        sheet.write_number(1, 2, price).unwrap();
    }
    book.worksheet_from_name("Güncel").unwrap().set_active(true);
    book.worksheet_from_name("Eski").unwrap().set_hidden(true);
    book.save(&path).unwrap();

    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!((applied.plan.sheet.as_str(), sale(&conn, "L-1", 1)), ("Güncel", Some(d("12"))));
    // Named, a hidden sheet is read.
    let old = ImportOptions { sheet: Some("Eski".into()), ..ImportOptions::default() };
    assert_eq!(plan(&conn, &path, &old).updates, 1);
}

#[test]
fn without_a_sheet_named_the_first_sheet_with_a_header_row_is_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = dir.path().join("rapor.xlsx");
    let mut book = Workbook::new();
    let cover = book.add_worksheet().set_name("Özet").unwrap();
    cover.write_string(0, 0, "Mağaza stok raporu").unwrap();
    cover.write_string(1, 0, "Toplam").unwrap();
    cover.write_number(1, 1, 2).unwrap();
    let list = book.add_worksheet().set_name("Ürünler").unwrap();
    for (c, h) in ["Stok Kodu", "Ürün Adı", "Fiyat"].into_iter().enumerate() {
        list.write_string(0, c as u16, h).unwrap();
    }
    list.write_string(1, 0, "L-1").unwrap();
    list.write_string(1, 1, "Lamba").unwrap();
    list.write_number(1, 2, 10).unwrap();
    book.save(&path).unwrap();

    let preview = import::inspect(&conn, &path, &ImportOptions::default()).unwrap();
    assert_eq!((preview.sheet.as_str(), preview.header_row), ("Ürünler", 1));
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!((applied.plan.sheet.as_str(), applied.plan.creates), ("Ürünler", 1));
    // A sheet named is read as it is: no header on the cover.
    let cover_only = ImportOptions { sheet: Some("özet".into()), ..ImportOptions::default() };
    assert_eq!(import::inspect(&conn, &path, &cover_only).unwrap_err().code(), "import.header_not_found");
}

#[test]
fn modes_keys_and_the_stock_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    let path = write(&dir.path().join("m.csv"), b"Barkod,Stok Kodu,Adi,Stok\n8690000000017,LED-9W,LED Ampul 9W,4\n8690000000099,NEW-9,Yeni,2\n");

    let insert = ImportOptions { mode: Mode::Insert, ..Default::default() };
    let p = plan(&conn, &path, &insert);
    assert_eq!((p.creates, p.error_rows, p.errors[0].code), (1, 1, "import.exists"));
    let update = ImportOptions { mode: Mode::Update, key: Key::Barcode, ..Default::default() };
    let p = plan(&conn, &path, &update);
    assert_eq!((p.updates, p.error_rows, p.errors[0].code, p.errors[0].column.as_str()), (1, 1, "import.not_found", "Barkod"));

    // Add: 10 + 4; set: the quantity becomes the cell's value. Both are import movements.
    let add = ImportOptions { key: Key::Barcode, stock: StockMode::Add, ..Default::default() };
    let applied = apply(&mut conn, &path, &add);
    assert_eq!((applied.plan.creates, applied.plan.updates), (1, 1), "{:#?}", applied.plan);
    assert_eq!(product_detail(&conn, "LED-9W").unwrap().product.on_hand, d("14"));
    assert_eq!(product_detail(&conn, "NEW-9").unwrap().product.on_hand, d("2"));
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!((applied.plan.updates, applied.plan.unchanged), (1, 1));
    assert_eq!(product_detail(&conn, "LED-9W").unwrap().product.on_hand, d("4"));
    let history = stock::history(&conn, "LED-9W", 10, None).unwrap();
    assert_eq!(
        history.iter().map(|m| (m.kind, m.delta)).collect::<Vec<_>>(),
        [(MovementKind::Import, d("-10")), (MovementKind::Import, d("4")), (MovementKind::Add, d("10"))]
    );
    assert_eq!(check_ledger(&conn).unwrap(), []);

    // Stock cannot go below zero unless the shop allows it.
    write(&path, b"Stok Kodu,Stok\nLED-9W,-1\n");
    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!(p.errors[0].code, "stock.would_go_negative");
}

#[test]
fn rows_sharing_a_parent_code_become_one_product_with_variants() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = dir.path().join("v.xlsx");
    write_xlsx(
        &path,
        &[
            &[S("Stok Kodu"), S("Ana Ürün Kodu"), S("Ürün Adı"), S("Renk"), S("Beden"), S("Fiyat"), S("Stok")],
            &[S("TS-BEYAZ-S"), S("TS"), S("Tişört"), S("Beyaz"), S("S"), N(199.9), N(3.0)],
            &[S("TS-BEYAZ-M"), S("TS"), S("Tişört"), S("Beyaz"), S("M"), N(199.9), N(4.0)],
            &[S("TS-SIYAH-M"), S("TS"), S("Tişört"), S("Siyah"), S("M"), N(209.9), E],
            &[S("TS-DUP"), S("TS"), S("Tişört"), S("beyaz"), S("m"), N(1.0), E],
        ],
    );
    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!((p.creates, p.error_rows), (3, 1), "{p:#?}");
    assert_eq!((p.errors[0].row, p.errors[0].code), (5, "import.duplicate_variant"));
    assert_eq!(p.errors[0].message, "row 3 already makes TS's variant beyaz / m", "the earlier row of the file is named");

    // A cell like `Renk:Beyaz;Beden:L` works as well as option columns.
    let csv = write(
        &dir.path().join("v.csv"),
        "Stok Kodu;Ana Ürün Kodu;Ürün Adı;Seçenekler;Fiyat;Stok\n\
         TS-BEYAZ-S;TS;Tişört;\"Renk:Beyaz;Beden:S\";199,90;3\n\
         TS-BEYAZ-M;TS;Tişört;\"Renk:Beyaz;Beden:M\";199,90;4\n\
         TS-SIYAH-M;TS;Tişört;\"Renk:Siyah;Beden:M\";209,90;\n"
            .as_bytes(),
    );
    let applied = apply(&mut conn, &csv, &ImportOptions::default());
    assert_eq!(applied.plan.creates, 3, "{:#?}", applied.plan);
    let ts = product_detail(&conn, "TS").unwrap();
    assert_eq!(ts.product.fields.name, "Tişört");
    assert_eq!(ts.variants.len(), 3);
    assert_eq!(ts.product.on_hand, d("7"), "the product's quantity is the sum of its variants'");
    let m = ts.variants.iter().find(|v| v.sku == "TS-BEYAZ-M").unwrap();
    assert_eq!(m.options.iter().map(|o| (o.group.as_str(), o.value.as_str())).collect::<Vec<_>>(), [("Renk", "Beyaz"), ("Beden", "M")]);
    assert_eq!(m.prices[0].sale, Some(d("199.9")));

    // The xlsx names the same variants: unchanged, and its duplicate is still refused.
    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!((p.unchanged, p.creates, p.updates, p.error_rows), (3, 0, 0, 1), "{p:#?}");
    assert_eq!(p.errors[0].message, "TS already has a variant beyaz / m", "now in the catalog");
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn applying_decides_every_row_as_the_dry_run_did() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    catalog::create_product(&mut conn, &ProductFields::new("ESKI", "Eski ürün")).unwrap();
    // The variant rows create the product KZ; the last row names KZ itself, which was not
    // in the catalog when the file was read: it completes the product they made.
    let csv = write(
        &dir.path().join("k.csv"),
        "Stok Kodu;Ana Ürün Kodu;Ürün Adı;Seçenekler;Fiyat\n\
         KZ-S;KZ;Kazak;\"Beden:S\";100\n\
         KZ-M;KZ;Kazak;\"Beden:M\";100\n\
         KZ;;Kazak yeni ad;;120\n"
            .as_bytes(),
    );
    let dry = plan(&conn, &csv, &ImportOptions::default());
    let applied = apply(&mut conn, &csv, &ImportOptions::default());
    let outcome = |p: &Plan| (p.creates, p.updates, p.unchanged, p.errors.iter().map(|e| (e.row, e.code)).collect::<Vec<_>>());
    assert_eq!(outcome(&applied.plan), outcome(&dry), "{dry:#?}");
    assert_eq!(outcome(&dry), (3, 0, 0, vec![]), "{dry:#?}");
    assert!(applied.batch.is_some());
    assert_eq!(product_detail(&conn, "KZ").unwrap().product.fields.name, "Kazak yeni ad");
}

#[test]
fn undo_restores_fields_prices_and_stock_and_trashes_what_it_created() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    let before = snapshot(&conn);
    let path = write(
        &dir.path().join("u.csv"),
        "Stok Kodu;Adı;Fiyat;Liste Fiyatı;Fiyat 3;Stok;KDV\n\
         LED-9W;LED Ampul 9W Yeni;110;130;90;7;10\n\
         KBL-1;Kablo;50;;;5;\n\
         NEW-1;Yeni;1,5;;;2;\n"
            .as_bytes(),
    );
    let first = apply(&mut conn, &path, &ImportOptions::default()).batch.unwrap();
    let led = product_detail(&conn, "LED-9W").unwrap();
    assert_eq!(led.product.fields.name, "LED Ampul 9W Yeni");
    assert_eq!((led.prices[0].sale, led.prices[0].list, led.prices[2].sale), (Some(d("110")), Some(d("130")), Some(d("90"))));
    assert_eq!(led.product.on_hand, d("7"));

    let second_file = write(&dir.path().join("u2.csv"), b"Stok Kodu,Stok\nKBL-1,9\n");
    let second = apply(&mut conn, &second_file, &ImportOptions::default()).batch.unwrap();
    let err = import::undo(&mut conn, Some(first), false).unwrap_err();
    assert_eq!(err.code(), "import.undo_order", "a later import changed the same catalog");

    let summary = import::undo(&mut conn, None, false).unwrap();
    assert_eq!(summary.batch, second);
    assert_eq!(product_detail(&conn, "KBL-1").unwrap().product.on_hand, d("5"));
    let summary = import::undo(&mut conn, None, false).unwrap();
    assert_eq!(summary.batch, first);
    assert_eq!((summary.products_restored, summary.prices_restored, summary.movements_reversed, summary.created_removed), (1, 2, 3, 1));

    let led = product_detail(&conn, "LED-9W").unwrap();
    assert_eq!(led.product.fields.name, "LED Ampul 9W");
    assert_eq!(led.product.fields.vat_rate, d("20"));
    assert_eq!((led.prices[0].sale, led.prices[0].list, led.prices[2].sale), (Some(d("100")), Some(d("120")), None));
    assert_eq!(led.product.on_hand, d("10"));
    assert_eq!(product_detail(&conn, "KBL-1").unwrap().product.on_hand, d("0"));
    assert!(product_detail(&conn, "NEW-1").unwrap().product.deleted_at.is_some(), "what the import created is in the trash");
    assert_eq!(check_ledger(&conn).unwrap(), []);
    let history = stock::history(&conn, "LED-9W", 10, None).unwrap();
    assert_eq!(history[0].kind, MovementKind::Undo, "stock came back through a compensating movement");
    assert_eq!(snapshot(&conn)[..2], before[..2], "LED-9W and KBL-1 are as they were");

    assert_eq!(import::undo(&mut conn, Some(first), false).unwrap_err().code(), "import.already_undone");
    assert_eq!(import::undo(&mut conn, None, false).unwrap_err().code(), "import.nothing_to_undo");
    assert_eq!(import::undo(&mut conn, Some(99), false).unwrap_err().code(), "import.batch_not_found");
    assert_eq!(import::batches(&conn).unwrap().len(), 2);
}

#[test]
fn undo_refuses_to_overwrite_edits_made_after_the_import_unless_forced_and_a_sale_since_is_no_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let first = write(&dir.path().join("m0.csv"), "Stok Kodu;Ürün Adı;Fiyat;Stok\nM-1;Eski Ad;10;5\nM-2;İkinci;20;1\n".as_bytes());
    apply(&mut conn, &first, &ImportOptions::default()).batch.unwrap();
    let renamed = write(&dir.path().join("m1.csv"), "Stok Kodu;Ürün Adı;Fiyat\nM-1;Yeni Ad;11\nM-2;İkinci Yeni;21\n".as_bytes());
    let batch = apply(&mut conn, &renamed, &ImportOptions::default()).batch.unwrap();

    // A sale after the import is no edit: undo keeps it (the import's own movements are reversed).
    std::thread::sleep(std::time::Duration::from_millis(5));
    stock::adjust(&mut conn, "M-2", Change::Sub(d("1")), None).unwrap();
    assert!(import::undo(&mut conn, Some(batch), false).is_ok());
    let m2 = product_detail(&conn, "M-2").unwrap();
    assert_eq!((m2.product.fields.name.as_str(), m2.product.on_hand), ("İkinci", d("0")));

    // Typed by hand after the import: undo would put the old values back over them. (Edits
    // are told from the import's own writes by their millisecond: a person is slower.)
    let batch = apply(&mut conn, &renamed, &ImportOptions::default()).batch.unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut fields = product_detail(&conn, "M-1").unwrap().product.fields;
    fields.barcode = Some("8690000000800".into());
    fields.description = Some("Elle girildi".into());
    catalog::update_product(&mut conn, "M-1", &fields).unwrap();
    catalog::set_price(&mut conn, "M-2", 1, d("25"), None).unwrap();
    let err = import::undo(&mut conn, Some(batch), false).unwrap_err();
    assert_eq!(err.code(), "import.edited_since");
    assert_eq!(err.details()["skus"], serde_json::json!(["M-1", "M-2"]), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    let m1 = product_detail(&conn, "M-1").unwrap();
    assert_eq!((m1.product.fields.name.as_str(), m1.product.fields.description.as_deref()), ("Yeni Ad", Some("Elle girildi")), "nothing was undone");

    let summary = import::undo(&mut conn, Some(batch), true).unwrap();
    assert_eq!(summary.products_restored, 2);
    assert_eq!(product_detail(&conn, "M-1").unwrap().product.fields.name, "Eski Ad", "forced: the import's values are replaced");
}

#[test]
fn a_file_imported_again_after_its_undo_brings_its_products_and_variants_back_from_the_trash_and_undo_trashes_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = write(
        &dir.path().join("u1.csv"),
        "Stok Kodu;Ana Ürün Kodu;Ürün Adı;Seçenekler;Fiyat;Stok\n\
         U-1;;Ürün Bir;;1.500;5\n\
         TS-S;TS;Tişört;\"Renk:Beyaz;Beden:S\";199,90;3\n\
         TS-M;TS;Tişört;\"Renk:Beyaz;Beden:M\";199,90;4\n"
            .as_bytes(),
    );
    let first = apply(&mut conn, &path, &ImportOptions::default()).batch.unwrap();
    import::undo(&mut conn, Some(first), false).unwrap();
    let trashed = |conn: &Connection, sku: &str| product_detail(conn, sku).unwrap().product.deleted_at.is_some();
    assert!(trashed(&conn, "U-1") && trashed(&conn, "TS"));

    // The corrected file (a price fixed) goes in again: the dry run and the apply agree.
    let fixed = std::fs::read_to_string(&path).unwrap().replace("1.500", "1.600");
    write(&path, fixed.as_bytes());
    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!((p.creates, p.updates, p.error_rows), (0, 3, 0), "{:#?}", p.errors);
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert_eq!((applied.plan.creates, applied.plan.updates), (0, 3), "{:#?}", applied.plan.errors);
    let u1 = product_detail(&conn, "U-1").unwrap();
    assert!(u1.product.deleted_at.is_none(), "back from the trash");
    assert_eq!((u1.prices[0].sale, u1.product.on_hand), (Some(d("1600")), d("5")));
    let ts = product_detail(&conn, "TS").unwrap();
    assert!(ts.product.deleted_at.is_none());
    assert_eq!(ts.variants.iter().map(|v| (v.sku.as_str(), v.on_hand)).collect::<Vec<_>>(), [("TS-S", d("3")), ("TS-M", d("4"))]);
    assert_eq!(
        catalog::search_products(&conn, &catalog::ProductQuery { search: Some("tişört".into()), ..Default::default() }).unwrap().rows.len(),
        1
    );

    // Undone again: back in the trash, stock reversed.
    let summary = import::undo(&mut conn, applied.batch, false).unwrap();
    assert_eq!(summary.created_removed, 4, "U-1, TS and its two variants go back to the trash");
    assert!(trashed(&conn, "U-1") && trashed(&conn, "TS"));
    assert_eq!(product_detail(&conn, "U-1").unwrap().product.on_hand, d("0"));
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn a_parent_row_after_its_variant_rows_completes_the_product_they_made() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    // Sorted by parent code in Excel: the parent's own row (no parent code) comes last.
    let sorted = "Ana Ürün Kodu;Stok Kodu;Ürün Adı;Seçenekler;Fiyat;Kategori;Stok\n\
                  P;P-K;Kazak;\"Beden:S\";100;;2\n\
                  P;P-M;Kazak;\"Beden:M\";100;;3\n\
                  ;P;Kazak Ana;;120;Giyim;\n";
    let path = write(&dir.path().join("at2.csv"), sorted.as_bytes());
    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!((p.creates, p.error_rows), (3, 0), "{:#?}", p.errors);
    assert!(apply(&mut conn, &path, &ImportOptions::default()).batch.is_some());
    let product = product_detail(&conn, "P").unwrap();
    assert_eq!(product.product.fields.name, "Kazak Ana");
    assert_eq!(product.category.as_deref(), Some("Giyim"));
    assert_eq!(product.prices[0].sale, Some(d("120")));
    assert_eq!(product.variants.iter().map(|v| v.sku.as_str()).collect::<Vec<_>>(), ["P-K", "P-M"]);
    assert_eq!(sale(&conn, "P-K", 1), Some(d("100")));

    // Its own stock cell is refused, in the dry run as when applied: the stock is the variants'.
    let with_stock = write(&dir.path().join("at3.csv"), sorted.replace('P', "R").replace("Giyim;", "Giyim;5").as_bytes());
    let p = plan(&conn, &with_stock, &ImportOptions::default());
    assert_eq!((p.error_rows, p.errors[0].row, p.errors[0].code), (1, 4, "stock.has_variants"), "{:#?}", p.errors);
    assert_eq!(apply(&mut conn, &with_stock, &ImportOptions::default()).plan.errors, p.errors);
}

fn tag_names(conn: &Connection, sku: &str) -> Vec<String> {
    product_detail(conn, sku).unwrap().tags.into_iter().map(|t| t.name).collect()
}

/// The columns beyond the basics, Turkish headers: a new product (the bulk path) and an
/// existing one get every field, and tags by name (an existing tag found folded).
#[test]
fn every_product_field_and_tags_come_from_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    catalog::add_tag(&mut conn, "İndirim", Some("#e11d48"), None).unwrap();
    let path = write(
        &dir.path().join("alanlar.csv"),
        "Stok Kodu;Ürün Adı;Alt Başlık;Barkod 2;Desi;Para Birimi;Aktif;Tür;Alış Fiyatı;Alış Para Birimi;Resimler;Etiketler\n\
         LED-9W;LED Ampul 9W;Sıcak ışık;8690000000024;0,5;USD;Pasif;Ürün;62,75;EUR;https://x.tr/a.jpg, https://x.tr/b.jpg;\"indirim; Yeni Sezon\"\n\
         MONTAJ;Montaj;;;;TL;evet;Hizmet;;;;Hizmet\n\
         KBL-1;Kablo;;;;;;;;;;\n"
            .as_bytes(),
    );
    let p = plan(&conn, &path, &ImportOptions::default());
    assert_eq!((p.creates, p.updates, p.unchanged, p.error_rows), (1, 1, 1, 0), "{p:#?}");
    apply(&mut conn, &path, &ImportOptions::default()).batch.unwrap();

    let led = product_detail(&conn, "LED-9W").unwrap();
    let f = &led.product.fields;
    assert_eq!((f.subtitle.as_deref(), f.barcode2.as_deref()), (Some("Sıcak ışık"), Some("8690000000024")));
    assert_eq!((f.desi, f.currency.as_str(), f.active, f.kind), (Some(d("0.5")), "USD", false, ProductKind::Good));
    assert_eq!((f.purchase_price, f.purchase_currency.as_deref()), (Some(d("62.75")), Some("EUR")));
    assert_eq!(f.image_urls, ["https://x.tr/a.jpg", "https://x.tr/b.jpg"]);
    assert_eq!(tag_names(&conn, "LED-9W"), ["İndirim", "Yeni Sezon"], "the existing tag is found by its folded name");
    assert_eq!(led.tags[0].color.as_deref(), Some("#e11d48"), "the existing tag is reused, not made again");
    let montaj = product_detail(&conn, "MONTAJ").unwrap();
    assert_eq!((montaj.product.fields.kind, montaj.product.fields.currency.as_str()), (ProductKind::Service, "TRY"));
    assert_eq!(tag_names(&conn, "MONTAJ"), ["Hizmet"]);
    assert_eq!(catalog::tags(&conn).unwrap().len(), 3);
    assert_eq!(tag_names(&conn, "KBL-1"), Vec::<String>::new());

    // The same file again changes nothing; a tag list in another order and case neither.
    assert_eq!(plan(&conn, &path, &ImportOptions::default()).unchanged, 3);
    let same = write(&dir.path().join("ayni.csv"), "SKU,Tags\nLED-9W,\"yeni sezon, İNDİRİM\"\n".as_bytes());
    assert_eq!(plan(&conn, &same, &ImportOptions::default()).unchanged, 1);
    // Tags set exactly to the cell's list: one stays, one goes, one comes.
    let retag = write(&dir.path().join("etiket.csv"), "SKU,Tags\nLED-9W,İndirim;Kampanya\n".as_bytes());
    assert_eq!(plan(&conn, &retag, &ImportOptions::default()).updates, 1);
    apply(&mut conn, &retag, &ImportOptions::default()).batch.unwrap();
    assert_eq!(tag_names(&conn, "LED-9W"), ["İndirim", "Kampanya"]);
}

#[test]
fn undo_puts_back_the_tags_and_fields_an_import_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    catalog::add_tag(&mut conn, "Eski", None, None).unwrap();
    catalog::tag_product(&mut conn, "LED-9W", "Eski").unwrap();
    let before = product_detail(&conn, "LED-9W").unwrap();
    let path = write(
        &dir.path().join("u.csv"),
        "SKU;Name;Etiket;Aktif;Desi;Resimler\n\
         LED-9W;LED Ampul 9W;Yeni;hayır;3;https://x.tr/1.jpg\n\
         KBL-1;Kablo;;;;\n\
         NEW-2;Yeni ürün;Yeni;;;\n"
            .as_bytes(),
    );
    let batch = apply(&mut conn, &path, &ImportOptions::default()).batch.unwrap();
    assert_eq!(tag_names(&conn, "LED-9W"), ["Yeni"]);
    assert_eq!(tag_names(&conn, "NEW-2"), ["Yeni"]);
    let led = product_detail(&conn, "LED-9W").unwrap().product.fields;
    assert_eq!((led.active, led.desi, led.image_urls.len()), (false, Some(d("3")), 1));

    let summary = import::undo(&mut conn, Some(batch), false).unwrap();
    assert_eq!((summary.tags_restored, summary.products_restored, summary.created_removed), (2, 1, 1));
    assert_eq!(tag_names(&conn, "LED-9W"), ["Eski"], "the tags it had before");
    assert_eq!(product_detail(&conn, "LED-9W").unwrap().product.fields, before.product.fields);
    let new = product_detail(&conn, "NEW-2").unwrap();
    assert!(new.product.deleted_at.is_some() && new.tags.is_empty(), "a created product goes to the trash without its tags");
}

/// An import journaled at schema 8, row by row (its new product and its movements as
/// journal rows, the table before 0009 rebuilt it), undoes after migrations 9 to 11: 0011
/// turns what it created into the batch's id ranges.
#[test]
fn an_import_journaled_at_schema_8_undoes_after_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let mut conn = Connection::open(&path).unwrap();
    raf::db::migrate(&mut conn, &path, &raf::db::MIGRATIONS[..8]).unwrap();
    seed(&mut conn);
    // What importing "LED-9W,LED Yeni,,4" and "NEW-1,Yeni,,2" (stock added) did and journaled.
    let before = product_detail(&conn, "LED-9W").unwrap().product;
    catalog::update_product(&mut conn, "LED-9W", &ProductFields { name: "LED Yeni".into(), ..before.fields.clone() }).unwrap();
    let led_in = stock::adjust(&mut conn, "LED-9W", Change::Add(d("4")), None).unwrap();
    let new = catalog::create_product(&mut conn, &ProductFields::new("NEW-1", "Yeni")).unwrap();
    let new_in = stock::adjust(&mut conn, "NEW-1", Change::Add(d("2")), None).unwrap();
    conn.execute(
        "INSERT INTO import_batches (id, file_name, sheet, options, rows, creates, updates, unchanged, created_at)
         VALUES (1, 'eski.csv', NULL, '{}', 2, 1, 1, 0, '2026-11-01T10:00:00.000Z')",
        [],
    )
    .unwrap();
    let journal = [
        ("product_updated", before.id, None, Some(serde_json::to_string(&before.fields).unwrap())),
        ("movement", before.id, Some(led_in.id), None),
        ("product_created", new.id, None, None),
        ("movement", new.id, Some(new_in.id), None),
    ];
    for (seq, (change, product, movement, before)) in journal.into_iter().enumerate() {
        conn.execute(
            "INSERT INTO import_changes (batch_id, seq, row_no, change, product_id, movement_id, before) VALUES (1, ?1, ?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![seq as i64 + 1, change, product, movement, before],
        )
        .unwrap();
    }
    drop(conn);

    let mut conn = raf::db::open(&path).unwrap();
    let kept: Vec<String> =
        conn.prepare("SELECT change FROM import_changes").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(kept, ["product_updated"], "what it created and its movements are ranges now");
    let summary = import::undo(&mut conn, Some(1), false).unwrap();
    assert_eq!((summary.products_restored, summary.movements_reversed, summary.created_removed), (1, 2, 1));
    let led = product_detail(&conn, "LED-9W").unwrap();
    assert_eq!((led.product.fields.name.as_str(), led.product.on_hand), ("LED Ampul 9W", d("10")));
    let new = product_detail(&conn, "NEW-1").unwrap().product;
    assert!(new.deleted_at.is_some() && new.on_hand.is_zero(), "the new product is in the trash, its stock reversed");
    let tags = write(&dir.path().join("etiket.csv"), b"SKU,Tags\nLED-9W,Yeni\n");
    apply(&mut conn, &tags, &ImportOptions::default()).batch.unwrap();
    assert_eq!(tag_names(&conn, "LED-9W"), ["Yeni"], "a tags_set change is journaled after the migrations");
}

#[test]
fn bad_cells_of_the_new_columns_are_reported_with_row_column_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    let long_tag = "t".repeat(101);
    let path = write(
        &dir.path().join("hatali.csv"),
        format!(
            "Stok Kodu;Adı;Aktif;Tür;Resimler;Alış Fiyatı;Etiket;Stok\n\
             LED-9W;LED;belki;araba;resim.jpg;;;\n\
             KBL-1;Kablo;;;;abc;;\n\
             NEW-1;Yeni;;;;;{long_tag};\n\
             NEW-2;Montaj;;hizmet;;;;5\n"
        )
        .as_bytes(),
    );
    let p = plan(&conn, &path, &ImportOptions::default());
    let errors: Vec<(u32, &str, &str, &str)> = p.errors.iter().map(|e| (e.row, e.column.as_str(), e.value.as_str(), e.code)).collect();
    assert_eq!(
        errors,
        [
            (2, "Aktif", "belki", "import.not_yes_no"),
            (2, "Tür", "araba", "import.bad_kind"),
            (2, "Resimler", "resim.jpg", "import.bad_image_url"),
            (3, "Alış Fiyatı", "abc", "import.not_a_number"),
            (4, "Etiket", long_tag.as_str(), "import.bad_tag"),
            (5, "Stok", "5", "input.invalid"),
        ],
        "{p:#?}"
    );
    // Cells that read well but break a catalog rule are reported on their column too.
    let rules = write(
        &dir.path().join("kurallar.csv"),
        "SKU;Name;Para Birimi;Desi;Alış Para Birimi\n\
         KBL-1;;DOLAR;;\n\
         LED-9W;;;-1;\n\
         NEW-1;Yeni;;;EURO\n"
            .as_bytes(),
    );
    let p = plan(&conn, &rules, &ImportOptions::default());
    let errors: Vec<(u32, &str, &str)> = p.errors.iter().map(|e| (e.row, e.column.as_str(), e.code)).collect();
    assert_eq!(errors, [(2, "Para Birimi", "input.invalid"), (3, "Desi", "input.invalid"), (4, "Alış Para Birimi", "input.invalid")], "{p:#?}");
}

#[test]
fn a_mapping_can_be_changed_and_is_saved_for_the_same_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let path = write(&dir.path().join("a.csv"), "Kod,Açıklama Adı,Tutar,Not\nX-1,Bir,5,boş\n".as_bytes());
    let preview = import::inspect(&conn, &path, &ImportOptions::default()).unwrap();
    assert_eq!(preview.mapping, [Some(Field::Sku), None, None, None]);
    let err = progress::silent(|t| {
        import::plan(
            &conn,
            &path,
            &ImportOptions {
                mapping: vec![("Tutar".into(), Some(Field::Price(2))), ("Yok Sütun".into(), None), ("Kod".into(), Some(Field::Price(2)))],
                ..Default::default()
            },
            t,
        )
    })
    .unwrap_err();
    assert_eq!(err.code(), "import.bad_mapping");
    assert_eq!(err.details()["problems"].as_array().unwrap().len(), 2, "all problems at once: {}", err.details());

    let options = ImportOptions {
        mapping: vec![("Açıklama Adı".into(), Some(Field::Name)), ("C".into(), Some(Field::Price(2))), ("Kod".into(), Some(Field::Sku))],
        ..Default::default()
    };
    assert!(apply(&mut conn, &path, &options).batch.is_some());
    assert_eq!(sale(&conn, "X-1", 2), Some(d("5")));

    let other = write(&dir.path().join("b.csv"), "Kod,Açıklama Adı,Tutar,Not\nX-2,İki,6,\n".as_bytes());
    let preview = import::inspect(&conn, &other, &ImportOptions::default()).unwrap();
    assert!(preview.saved_mapping);
    assert_eq!(preview.mapping, [Some(Field::Sku), Some(Field::Name), Some(Field::Price(2)), None]);
}

fn assert_refused(conn: &mut Connection, path: &Path, code: &str) -> raf::Error {
    let before = snapshot(conn);
    let err = import_err(conn, path, &ImportOptions::default());
    assert_eq!(err.code(), code, "{}: {err}", path.display());
    assert!(!err.to_string().is_empty());
    assert_eq!(snapshot(conn), before, "{}: the database is unchanged", path.display());
    err
}

fn zip_file(path: &Path, parts: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    for (name, data) in parts {
        zip.start_file(*name, deflated).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn bad_and_hostile_files_get_a_clear_error_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    let good = dir.path().join("good.xlsx");
    write_xlsx(&good, &[&[S("SKU"), S("Name")], &[S("Z-1"), S("Zed")]]);
    let good_bytes = std::fs::read(&good).unwrap();

    assert_refused(&mut conn, &write(&dir.path().join("empty.xlsx"), b""), "import.empty_file");
    assert_refused(&mut conn, &write(&dir.path().join("empty.csv"), b""), "import.empty_file");
    assert_refused(&mut conn, &write(&dir.path().join("blank.csv"), b"\n\n  \n"), "import.empty_file");
    assert_refused(&mut conn, &write(&dir.path().join("cut.xlsx"), &good_bytes[..good_bytes.len() / 2]), "import.corrupt_file");
    // Every part's data garbled; the zip's directory at the end still names them.
    let mut garbled = good_bytes.clone();
    let directory = good_bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    for b in &mut garbled[4..directory] {
        *b ^= 0x5A;
    }
    assert_refused(&mut conn, &write(&dir.path().join("garbled.xlsx"), &garbled), "import.corrupt_file");
    let err = assert_refused(&mut conn, &write(&dir.path().join("text.xlsx"), b"SKU,Name\nA,B\n"), "import.wrong_extension");
    assert!(err.to_string().contains("text (csv)"), "{err}");
    assert_refused(&mut conn, &write(&dir.path().join("book.csv"), &good_bytes), "import.wrong_extension");
    assert_refused(&mut conn, &write(&dir.path().join("image.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "import.unknown_format");

    // A password-protected workbook: Office stores it as an encrypted package in a compound file.
    let locked = dir.path().join("locked.xlsx");
    {
        let mut cfb = cfb::create(&locked).unwrap();
        cfb.create_stream("EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
        cfb.create_stream("EncryptedPackage").unwrap().write_all(&[0x5A; 4096]).unwrap();
        cfb.flush().unwrap();
    }
    assert_refused(&mut conn, &locked, "import.encrypted");

    // A zip bomb: a small file whose sheet expands a thousandfold.
    let bomb = dir.path().join("bomb.xlsx");
    zip_file(
        &bomb,
        &[("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"), ("xl/worksheets/sheet1.xml", &vec![b' '; 40 << 20])],
    );
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let err = assert_refused(&mut conn, &bomb, "import.too_large");
    assert!(err.to_string().contains("compression ratio"), "{err}");

    // A shared-strings part larger than what is held in memory.
    let strings = dir.path().join("strings.xlsx");
    let big = "<si><t>x</t></si>".repeat((257 << 20) / 17);
    zip_file(&strings, &[("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"), ("xl/sharedStrings.xml", big.as_bytes())]);
    drop(big);
    let err = assert_refused(&mut conn, &strings, "import.too_large");
    assert!(err.to_string().contains("sharedStrings"), "{err}");

    // Duplicate SKUs inside the file: every repeat is named, nothing is written.
    let dup = write(&dir.path().join("dup.csv"), b"SKU,Name\nD-1,A\nD-2,B\nD-1,C\nD-1,D\n");
    let applied = apply(&mut conn, &dup, &ImportOptions::default());
    assert_eq!(applied.batch, None);
    assert_eq!(applied.plan.errors.iter().map(|e| (e.row, e.code)).collect::<Vec<_>>(), [(4, "import.duplicate_key"), (5, "import.duplicate_key")]);
    assert!(catalog::resolve_sku(&conn, "D-1").is_err());

    // Too many columns, a missing sheet, no header.
    let wide = format!("{}\n", (0..2000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(","));
    assert_refused(&mut conn, &write(&dir.path().join("wide.csv"), wide.as_bytes()), "import.too_large");
    let err = progress::silent(|t| import::plan(&conn, &good, &ImportOptions { sheet: Some("Yok".into()), ..Default::default() }, t)).unwrap_err();
    assert_eq!(err.code(), "import.sheet_not_found");
    assert_eq!(err.details()["sheets"][0], "Ürünler");
    assert_refused(&mut conn, &write(&dir.path().join("numbers.csv"), b"1,2\n3,4\n"), "import.header_not_found");
}

#[test]
fn cancelling_rolls_the_import_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    let rows: String = (0..5000).map(|i| format!("C-{i},Ürün {i},{i},1\n")).collect();
    let path = write(&dir.path().join("c.csv"), format!("SKU,Name,Price,Stock\n{rows}").as_bytes());
    let before = snapshot(&conn);
    let cancelled = AtomicBool::new(false);
    let report = |step: Step| {
        if step.done >= 2048 {
            cancelled.store(true, Ordering::Relaxed);
        }
    };
    let err = import::apply(&mut conn, &path, &ImportOptions::default(), &Task::new(&cancelled, &report)).unwrap_err();
    assert_eq!(err.code(), "task.cancelled");
    assert_eq!(snapshot(&conn), before);
}

/// The import's steps, from a real import of `path`.
fn import_steps(conn: &mut Connection, path: &Path) -> Vec<(u64, u64)> {
    let never = AtomicBool::new(false);
    let steps = std::sync::Mutex::new(Vec::new());
    let report = |step: Step| {
        if step.phase == "import" {
            steps.lock().unwrap().push((step.done, step.total));
        }
    };
    let applied = import::apply(conn, path, &ImportOptions::default(), &Task::new(&never, &report)).unwrap();
    assert!(applied.batch.is_some(), "{:?}", applied.plan.errors);
    steps.into_inner().unwrap()
}

/// Progress has a total (an xlsx declares its rows; a csv's are estimated from the bytes
/// read) that is never below what is done, and the last step reaches it.
#[test]
fn import_progress_carries_a_total_that_the_last_step_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    const ROWS: u64 = 20_000;
    let body: String = (0..ROWS).map(|i| format!("P-{i},Ürün {i},{}\n", i % 50 + 1)).collect();
    let csv = write(&dir.path().join("ilerleme.csv"), format!("SKU,Name,Price\n{body}").as_bytes());
    let steps = import_steps(&mut conn, &csv);
    assert!(steps.len() > 10, "{steps:?}");
    assert!(steps.iter().all(|&(done, total)| total > 0 && done <= total), "{steps:?}");
    assert_eq!(steps.last(), Some(&(ROWS, ROWS)));
    let &(_, halfway_total) = steps.iter().find(|&&(done, _)| done >= ROWS / 2).unwrap();
    assert!(halfway_total.abs_diff(ROWS) <= ROWS / 4, "the estimate half way: {halfway_total}");

    let xlsx = dir.path().join("ilerleme.xlsx");
    let rows: Vec<Vec<String>> = (0..3000).map(|i| vec![format!("X-{i}"), format!("Ürün {i}")]).collect();
    let mut sheet: Vec<Vec<X>> = vec![vec![S("Rapor"), E], vec![S("SKU"), S("Name")]];
    sheet.extend(rows.iter().map(|r| vec![S(&r[0]), S(&r[1])]));
    write_xlsx(&xlsx, &sheet.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let steps = import_steps(&mut conn, &xlsx);
    assert!(steps.iter().all(|&(_, total)| total == 3000), "the sheet's dimension, less the title and header rows: {steps:?}");
    assert_eq!(steps.last(), Some(&(3000, 3000)));
}

const CRASH_ENV: &str = "RAF_IMPORT_CRASH_DB";

/// Run as a child by the test below: starts a large import and stops in the middle of
/// its transaction, waiting to be killed.
#[test]
fn crash_child() {
    let Ok(db) = std::env::var(CRASH_ENV) else { return };
    let db = PathBuf::from(db);
    let mut conn = raf::db::open(&db).unwrap();
    let ready = AtomicBool::new(false);
    let report = |step: Step| {
        if step.done >= 20_000 && !ready.swap(true, Ordering::Relaxed) {
            println!("READY");
            std::io::stdout().flush().unwrap();
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    };
    let never = AtomicBool::new(false);
    let _ = import::apply(&mut conn, &db.with_file_name("big.csv"), &ImportOptions::default(), &Task::new(&never, &report));
    panic!("the parent should have killed this process");
}

#[test]
fn a_writer_killed_during_a_large_import_leaves_the_catalog_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raf.db");
    let mut conn = raf::db::open(&db).unwrap();
    seed(&mut conn);
    let saved = snapshot(&conn);
    drop(conn);
    let rows: String = (0..40_000).map(|i| format!("K-{i:06};Ürün {i} {};{i},50;{}\n", "açıklama ".repeat(8), i % 9)).collect();
    write(&dir.path().join("big.csv"), format!("Stok Kodu;Ürün Adı;Fiyat;Stok\nLED-9W;LED;1;99\n{rows}").as_bytes());

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CRASH_ENV, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let ready = BufReader::new(child.stdout.take().unwrap()).lines().any(|line| line.unwrap().contains("READY"));
    assert!(ready, "the child never reached the middle of its import");
    child.kill().unwrap(); // SIGKILL: no rollback, no checkpoint
    assert!(!child.wait().unwrap().success());

    let conn = raf::db::open(&db).unwrap();
    assert_eq!(snapshot(&conn), saved);
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

/// Rows about the same product decide as the rows before them left it, in the dry run
/// as when applied: a stock cell after a row that gave the product variants is an error,
/// and so is a variant row after a row that gave the product stock.
#[test]
fn a_product_row_and_its_variant_rows_see_each_other_in_the_dry_run_as_when_applied() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = catalog_at(dir.path());
    seed(&mut conn);
    catalog::create_product(&mut conn, &ProductFields::new("PRZ-1", "Priz")).unwrap();
    let path = write(
        &dir.path().join("v.csv"),
        "Stok Kodu;Ana Ürün Kodu;Seçenekler;Stok\n\
         KBL-1-S;KBL-1;Renk:Siyah;2\n\
         KBL-1;;;5\n\
         PRZ-1;;;4\n\
         PRZ-1-B;PRZ-1;Renk:Beyaz;1\n\
         LED-9W;;;7\n"
            .as_bytes(),
    );
    let planned = plan(&conn, &path, &ImportOptions::default());
    let codes: Vec<(u32, &str)> = planned.errors.iter().map(|e| (e.row, e.code)).collect();
    assert_eq!(codes, [(3, "stock.has_variants"), (5, "catalog.stock_on_product")]);
    let applied = apply(&mut conn, &path, &ImportOptions::default());
    assert!(applied.batch.is_none());
    assert_eq!(applied.plan.errors.iter().map(|e| (e.row, e.code)).collect::<Vec<_>>(), codes);
    assert_eq!(product_detail(&conn, "LED-9W").unwrap().product.on_hand, d("10"), "nothing written");
}
