//! `raf import` and `raf export` end to end: arguments, exit codes, stdout, stderr, files.

use serde_json::Value;
use std::path::Path;

#[path = "support/shop.rs"]
mod support;
use support::Shop;

fn exists(path: &Path) -> bool {
    path.is_file()
}

#[test]
fn import_dry_run_apply_report_and_undo() {
    let shop = Shop::new();
    let file = shop.file("urunler.csv", "Stok Kodu;Ürün Adı;Fiyat;Stok\nLED-9W;LED Ampul;1.234,56;10\nKBL;Kablo;12,5;3\n");

    let dry = shop.json(&["import", &file, "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["plan"]["creates"], 2);
    assert_eq!(dry["batch"], Value::Null);
    assert_eq!(shop.json(&["product", "list"])["rows"].as_array().unwrap().len(), 0, "a dry run writes nothing");

    let text = shop.run(&["import", &file]);
    assert!(text.contains("2 rows: 2 to create, 0 to update, 0 unchanged, 0 with errors; 2 stock movements"), "{text}");
    assert!(text.contains("imported as batch #1 (undo: raf import --undo 1)"), "{text}");
    let led = shop.json(&["product", "show", "LED-9W"]);
    assert_eq!(led["prices"][0]["sale"], "1234.56");
    assert_eq!(led["on_hand"], "10");

    // Errors: exit 1, every error listed, the report written, nothing imported.
    let bad = shop.file("bad.csv", "Stok Kodu;Ürün Adı;Fiyat\nLED-9W;LED Ampul;abc\nNEW;;5\n");
    let report = shop.path("rapor.csv");
    let (stdout, stderr) = shop.fail(&["import", &bad, "--report", report.to_str().unwrap()], 1);
    assert!(stdout.contains("row 2, Fiyat \"abc\": \"abc\" is not a number (import.not_a_number)"), "{stdout}");
    assert!(stdout.contains("row 3, Ürün Adı: a new product needs a name (import.required)"), "{stdout}");
    assert!(stderr.contains("2 of 2 rows have errors; nothing was imported"), "{stderr}");
    assert!(exists(&report));
    let (stdout, stderr) = shop.fail(&["import", &bad, "--json"], 1);
    let plan: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["plan"]["errors"].as_array().unwrap().len(), 2);
    assert_eq!(plan["plan"]["errors"][0]["code"], "import.not_a_number");
    let err: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(err["code"], "import.has_errors");

    // Mapping, modes and keys from the command line.
    let other = shop.file("other.csv", "Kod,Tanım,Tutar,Adet\nKBL,Kablo,13,2\n");
    let out = shop.json(&["import", &other, "--map", "Tanım=name", "--map", "C=price2", "--mode", "update", "--stock", "add"]);
    assert_eq!(out["plan"]["updates"], 1);
    let kbl = shop.json(&["product", "show", "KBL"]);
    assert_eq!(kbl["prices"][1]["sale"], "13");
    assert_eq!(kbl["on_hand"], "5");
    let (_, stderr) = shop.fail(&["import", &other, "--map", "Tanım=nope"], 2);
    assert!(stderr.contains("unknown field"), "{stderr}");

    let undone = shop.json(&["import", "--undo"]);
    assert_eq!(undone["batch"], 2);
    assert_eq!(shop.json(&["product", "show", "KBL"])["on_hand"], "3");
    shop.run(&["import", "--undo", "1"]);
    let (_, stderr) = shop.fail(&["import", "--undo"], 1);
    assert!(stderr.contains("there is no import to undo"), "{stderr}");
}

#[test]
fn export_then_import_changes_nothing() {
    let shop = Shop::new();
    shop.run(&["product", "add", "LED-9W", "IŞIK LED", "--barcode", "8690000000017", "--price", "1.234,56", "--stock", "3,5"]);
    let xlsx = shop.path("k.xlsx");
    let out = shop.json(&["export", xlsx.to_str().unwrap()]);
    assert_eq!(out["rows"], 1);
    let again = shop.json(&["import", xlsx.to_str().unwrap()]);
    assert_eq!(again["plan"]["unchanged"], 1);

    // A `;` file is for Turkish Excel: it gets the BOM Excel needs to read UTF-8 unasked.
    let csv = shop.path("k.csv");
    shop.run(&["export", csv.to_str().unwrap(), "--delimiter", ";"]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}Stok Kodu;"), "{text}");
    assert!(text.contains("LED-9W;;;8690000000017;IŞIK LED;;;;adet;20;;3,5;1234,56;"), "{text}");
    assert_eq!(shop.json(&["import", csv.to_str().unwrap()])["plan"]["unchanged"], 1);

    // A .txt file is text: a csv, not an xlsx named .txt (which import then refuses).
    let txt = shop.path("k.txt");
    shop.run(&["export", txt.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&txt).unwrap().starts_with("Stok Kodu,"));
    assert_eq!(shop.json(&["import", txt.to_str().unwrap()])["plan"]["unchanged"], 1);

    let template = shop.path("sablon.xlsx");
    shop.run(&["export", template.to_str().unwrap(), "--template"]);
    assert!(exists(&template));

    let (_, stderr) = shop.fail(&["import", shop.file("x.xlsx", "not a workbook").as_str()], 1);
    assert!(stderr.contains("x.xlsx is named .xlsx but holds text (csv)"), "{stderr}");
}

#[test]
fn a_column_mapped_to_tags_sets_the_tags_and_undo_puts_them_back() {
    let shop = Shop::new();
    let file = shop.file("etiketli.csv", "Stok Kodu;Ürün Adı;Labels;Durum\nLED-9W;LED Ampul;\"İndirim, Yeni\";pasif\n");
    let out = shop.json(&["import", &file, "--map", "Labels=tags"]);
    assert_eq!(out["plan"]["creates"], 1);
    let led = shop.json(&["product", "show", "LED-9W"]);
    let tags: Vec<&str> = led["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tags, ["İndirim", "Yeni"]);
    assert_eq!(led["active"], false, "Durum is the status column");

    let retag = shop.file("yeniden.csv", "Stok Kodu;Labels\nLED-9W;Kampanya\n");
    let out = shop.json(&["import", &retag, "--map", "Labels=tags", "--mode", "update"]);
    assert_eq!(out["plan"]["updates"], 1);
    let names = |led: &Value| led["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(&shop.json(&["product", "show", "LED-9W"])), ["Kampanya"]);
    let undone = shop.json(&["import", "--undo"]);
    assert_eq!(undone["tags_restored"], 1);
    assert_eq!(names(&shop.json(&["product", "show", "LED-9W"])), ["İndirim", "Yeni"]);
}

#[test]
fn a_report_or_export_that_would_overwrite_the_catalog_or_the_sheet_or_cannot_be_written_is_refused_before_anything_is_written() {
    let shop = Shop::new();
    let file = shop.file("urunler.csv", "Stok Kodu;Stok\nRP-1;5\n");
    shop.run(&["product", "add", "RP-1", "Raf"]);
    let catalog_before = std::fs::read(&shop.db).unwrap();

    let missing = shop.path("yok").join("rapor.xlsx");
    let err = shop.error(&["import", &file, "--stock", "add", "--report", missing.to_str().unwrap()], "export.failed");
    assert!(err["message"].as_str().unwrap().contains("there is no folder"), "{err}");
    assert_eq!(shop.on_hand("RP-1"), "0", "the import was not applied");

    let err = shop.error(&["import", &file, "--dry-run", "--report", &file], "export.would_overwrite_imported");
    assert!(err["message"].as_str().unwrap().contains("the file being imported"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "Stok Kodu;Stok\nRP-1;5\n", "the sheet is as it was");

    let db = shop.db.to_str().unwrap();
    shop.error(&["export", db], "export.would_overwrite_catalog");
    shop.error(&["export", db, "--template"], "export.would_overwrite_catalog");
    shop.error(&["import", &file, "--report", db], "export.would_overwrite_catalog");
    assert_eq!(std::fs::read(&shop.db).unwrap(), catalog_before, "the catalog file is untouched");
    assert_eq!(shop.on_hand("RP-1"), "0");
}

#[test]
fn a_sheet_without_a_header_row_is_named_with_the_others_and_a_missing_header_row_says_where_the_sheet_ends() {
    let shop = Shop::new();
    let file = shop.file("liste.csv", "1;2\n3;4\n");
    let err = shop.error(&["import", &file], "import.header_not_found");
    assert_eq!(err["details"]["sheet"], "liste");
    assert!(err["message"].as_str().unwrap().contains("of sheet liste"), "{err}");
    let err = shop.error(&["import", &file, "--header-row", "9"], "import.header_row_missing");
    assert_eq!((err["details"]["row"].as_u64(), err["details"]["last"].as_u64()), (Some(9), Some(2)), "{err}");
}

#[test]
fn the_summary_says_which_column_filled_which_field_which_were_not_imported_and_when_a_saved_mapping_was_used() {
    let shop = Shop::new();
    let file = shop.file(
        "liste.csv",
        "Stok Kodu,Ürün Adı,Fiyat (TL),KDV (%),Stok Miktarı,Barkodu,Notlar\nH-1,Deneme,\"1.234,50\",18,5,8690000000550,kırılgan\n",
    );
    let text = shop.run(&["import", &file, "--dry-run"]);
    assert!(
        text.contains("columns: Stok Kodu → sku, Ürün Adı → name, Fiyat (TL) → price, KDV (%) → vat, Stok Miktarı → stock, Barkodu → barcode"),
        "{text}"
    );
    assert!(text.contains("not imported (no field; --map COLUMN=FIELD to use one): Notlar"), "{text}");
    assert!(!text.contains("saved by an earlier import"), "{text}");
    let plan = shop.json(&["import", &file, "--dry-run"]);
    assert_eq!(plan["plan"]["mapping"][6], Value::Null);

    shop.run(&["import", &file, "--map", "Notlar=description"]);
    let h1 = shop.show("H-1");
    assert_eq!((h1["prices"][0]["sale"].as_str(), h1["barcode"].as_str()), (Some("1234.5"), Some("8690000000550")), "{h1}");
    let again = shop.run(&["import", &file, "--dry-run"]);
    assert!(again.contains("Notlar → description"), "{again}");
    assert!(again.contains("the mapping saved by an earlier import of these headers was used (--map changes it)"), "{again}");
}

#[test]
fn bad_usage_with_json_is_a_json_error_too() {
    let shop = Shop::new();
    let file = shop.file("a.csv", "Stok Kodu;Ürün Adı\nA-1;Bir\n");
    for args in [vec!["--json", "import", file.as_str(), "--mode", "bogus"], vec!["import", file.as_str(), "--map", "Ürün Adı=bogus", "--json"]] {
        let (_, stderr) = shop.fail(&args, 2);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let err: Value = serde_json::from_str(&stderr).unwrap();
        assert_eq!(err["code"], "cli.usage", "{err}");
        assert!(err["message"].as_str().unwrap().contains("bogus"), "{err}");
    }
    // Without --json, clap's own text.
    let (_, stderr) = shop.fail(&["import", file.as_str(), "--mode", "bogus"], 2);
    assert!(stderr.starts_with("error: invalid value 'bogus'"), "{stderr}");
}
