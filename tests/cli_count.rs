//! `raf count` and `raf labels` end to end: a scanner typing into the terminal (codes on
//! standard input), status, post, undo, and a label PDF.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

struct Shop {
    dir: TempDir,
    db: PathBuf,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("raf.db");
        let shop = Shop { dir, db };
        shop.run(&["init"], "");
        shop
    }

    fn output(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_raf"))
            .env_remove("RAF_DB")
            .env("HOME", self.dir.path())
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    fn run(&self, args: &[&str], stdin: &str) -> String {
        let out = self.output(args, stdin);
        assert_eq!(out.status.code(), Some(0), "raf {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.run(&[args, &["--json"]].concat(), "")).unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn on_hand(shop: &Shop, sku: &str) -> String {
    shop.json(&["product", "show", sku])["on_hand"].as_str().unwrap().to_owned()
}

#[test]
fn a_count_scanned_from_standard_input_is_posted_and_undone() {
    let shop = Shop::new();
    shop.run(&["product", "add", "KALEM", "Kalem", "--barcode", "8690000000019", "--stock", "10"], "");
    shop.run(&["product", "add", "DEFTER", "Defter", "--stock", "4"], "");
    assert_eq!(shop.json(&["count", "start", "Raf 1"])["id"], 1);

    let scanned = shop.run(&["count", "scan", "1"], "8690000000019\n8690000000019\nDEFTER\n4006381333931\n");
    assert!(scanned.contains("KALEM  Kalem  counted 2  expected 10  difference -8"), "{scanned}");
    assert!(scanned.contains("UNKNOWN barcode 4006381333931"), "{scanned}");
    let status = shop.json(&["count", "status", "1"]);
    assert_eq!(status["lines"].as_array().unwrap().len(), 2);
    assert_eq!(status["unknown"][0]["barcode"], "4006381333931");

    assert!(shop.run(&["count", "approve", "1", "KALEM", "DEFTER"], "").contains("2 lines approved"));
    assert!(shop.run(&["count", "reject", "1", "DEFTER"], "").contains("1 lines rejected"));
    let posted = shop.run(&["count", "post", "1"], "");
    assert!(posted.contains("1 movements; 1 unknown barcodes not posted; 1 differences not approved"), "{posted}");
    assert_eq!([on_hand(&shop, "KALEM"), on_hand(&shop, "DEFTER")], ["2", "4"]);
    let history = shop.json(&["stock", "history", "KALEM"]);
    assert_eq!(history[0]["kind"], "count");

    shop.run(&["count", "undo", "1"], "");
    assert_eq!([on_hand(&shop, "KALEM"), on_hand(&shop, "DEFTER")], ["10", "4"]);
    let refused = shop.output(&["count", "scan", "1", "KALEM"], "");
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("count #1 is undone, not open"));
}

#[test]
fn labels_for_items_and_for_a_count_are_written_as_pdf() {
    let shop = Shop::new();
    shop.run(&["product", "add", "KALEM", "Kalem", "--price", "12.5"], "");
    let pdf = shop.path("etiket.pdf");
    let made = shop.json(&["labels", pdf.to_str().unwrap(), "--items", "KALEM", "--assign-ean13", "200", "--layout", "3x7"]);
    assert_eq!((made["labels"].as_i64(), made["pages"].as_i64()), (Some(1), Some(1)));
    assert_eq!(made["assigned"][0][1], "2000000000015");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    shop.run(&["count", "start", "Raf"], "");
    shop.run(&["count", "scan", "1", "2000000000015"], "");
    let thermal = shop.path("termal.pdf");
    let made = shop.json(&["labels", thermal.to_str().unwrap(), "--count", "1", "--layout", "thermal"]);
    assert_eq!(made["labels"], 1);
    assert!(Path::new(&thermal).exists());
}
