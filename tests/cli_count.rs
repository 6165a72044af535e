//! `raf count` and `raf labels` end to end: a scanner typing into the terminal (codes on
//! standard input), status, post, undo, and a label PDF.

use std::path::Path;

#[path = "support/shop.rs"]
mod support;
use support::Shop;

#[test]
fn a_count_scanned_from_standard_input_is_posted_and_undone() {
    let shop = Shop::new();
    shop.run(&["product", "add", "KALEM", "Kalem", "--barcode", "8690000000019", "--stock", "10"]);
    shop.run(&["product", "add", "DEFTER", "Defter", "--stock", "4"]);
    assert_eq!(shop.json(&["count", "start", "Raf 1"])["id"], 1);

    let scanned = shop.run_with_input(&["count", "scan", "1"], "8690000000019\n8690000000019\nDEFTER\n4006381333931\n");
    assert!(scanned.contains("KALEM  Kalem  counted 2  expected 10  difference -8"), "{scanned}");
    assert!(scanned.contains("UNKNOWN barcode 4006381333931"), "{scanned}");
    let status = shop.json(&["count", "status", "1"]);
    assert_eq!(status["lines"].as_array().unwrap().len(), 2);
    assert_eq!(status["unknown"][0]["barcode"], "4006381333931");

    assert!(shop.run(&["count", "approve", "1", "KALEM", "DEFTER"]).contains("2 lines approved"));
    assert!(shop.run(&["count", "reject", "1", "DEFTER"]).contains("1 lines rejected"));
    let posted = shop.run(&["count", "post", "1"]);
    assert!(posted.contains("1 movements; 1 unknown barcodes not posted; 1 differences not approved"), "{posted}");
    assert_eq!([shop.on_hand("KALEM"), shop.on_hand("DEFTER")], ["2", "4"]);
    let history = shop.json(&["stock", "history", "KALEM"]);
    assert_eq!(history[0]["kind"], "count");

    shop.run(&["count", "undo", "1"]);
    assert_eq!([shop.on_hand("KALEM"), shop.on_hand("DEFTER")], ["10", "4"]);
    let (_, stderr) = shop.fail(&["count", "scan", "1", "KALEM"], 1);
    assert!(stderr.contains("count #1 is undone, not open"), "{stderr}");
}

#[test]
fn labels_for_items_and_for_a_count_are_written_as_pdf() {
    let shop = Shop::new();
    shop.run(&["product", "add", "KALEM", "Kalem", "--price", "12.5"]);
    let pdf = shop.path("etiket.pdf");
    let made = shop.json(&["labels", pdf.to_str().unwrap(), "--items", "KALEM", "--assign-ean13", "200", "--layout", "3x7"]);
    assert_eq!((made["labels"].as_i64(), made["pages"].as_i64()), (Some(1), Some(1)));
    assert_eq!(made["assigned"][0][1], "2000000000015");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    shop.run(&["count", "start", "Raf"]);
    shop.run(&["count", "scan", "1", "2000000000015"]);
    let thermal = shop.path("termal.pdf");
    let made = shop.json(&["labels", thermal.to_str().unwrap(), "--count", "1", "--layout", "thermal"]);
    assert_eq!(made["labels"], 1);
    assert!(Path::new(&thermal).exists());
}

#[test]
fn a_product_is_created_for_an_unknown_barcode_from_the_terminal() {
    let shop = Shop::new();
    shop.run(&["count", "start", "Raf 1"]);
    shop.run(&["count", "scan", "1", "4006381333931", "4006381333931"]);
    let (_, stderr) = shop.fail(&["count", "create", "1", "4006381333931", "SILGI", "Silgi", "--price=-1"], 1);
    assert!(stderr.contains("sale: must not be negative"), "{stderr}");
    let created = shop.run(&["count", "create", "1", "4006381333931", "SILGI", "Silgi", "--unit", "kutu", "--price", "7.5"]);
    assert!(created.contains("4006381333931 -> new SILGI  Silgi  counted 2  expected 0"), "{created}");
    let product = shop.json(&["product", "show", "SILGI"]);
    assert_eq!((product["barcode"].as_str(), product["unit"].as_str()), (Some("4006381333931"), Some("kutu")));
    shop.run(&["count", "approve", "1", "--all"]);
    shop.run(&["count", "post", "1"]);
    assert_eq!(shop.on_hand("SILGI"), "2");
}
