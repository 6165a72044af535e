//! Stock counting sessions through the public API: scan sequences, typed quantities,
//! unknown barcodes, scopes, variance, post and undo, sales during a count, export and
//! import of a count sheet, and crash-resume (a child killed with SIGKILL mid-count).

#[path = "support/catalog.rs"]
mod support;
use support::{d, open};

use raf::catalog::{add_category, create_product, generate_variants, product_detail, update_variant, OptionAxis, ProductFields, VariantFields};
use raf::orders::{record_order, NewLine, NewOrder};
use raf::stock::count::{self, NewCount, ScanOutcome, Scope, SessionStatus, Unscanned};
use raf::stock::{adjust, check_ledger, history, Change, MovementKind};
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// `KALEM` (barcode 8690000000019, 10 in stock, bought at 2.50), `DEFTER` (barcode
/// 8690000000026, 4 in stock, category Kırtasiye), `TS` with variants `TS-S` (barcode
/// 8690000000033, 3 in stock) and `TS-M` (1 in stock).
fn shop(conn: &mut Connection) {
    add_category(conn, "Kırtasiye", None, None).unwrap();
    let category = raf::catalog::category_id(conn, "Kırtasiye").unwrap();
    let kalem = ProductFields { barcode: Some("8690000000019".into()), purchase_price: Some(d("2.50")), ..ProductFields::new("KALEM", "Kalem") };
    create_product(conn, &kalem).unwrap();
    let defter = ProductFields { barcode: Some("8690000000026".into()), category_id: Some(category), ..ProductFields::new("DEFTER", "Defter") };
    create_product(conn, &defter).unwrap();
    create_product(conn, &ProductFields::new("TS", "Tişört")).unwrap();
    generate_variants(conn, "TS", &[OptionAxis { group: "Beden".into(), values: vec!["S".into(), "M".into()] }]).unwrap();
    update_variant(conn, "TS-S", &VariantFields { sku: "TS-S".into(), barcode: Some("8690000000033".into()), active: true }).unwrap();
    for (sku, qty) in [("KALEM", "10"), ("DEFTER", "4"), ("TS-S", "3"), ("TS-M", "1")] {
        adjust(conn, sku, Change::Add(d(qty)), None).unwrap();
    }
}

fn on_hand(conn: &Connection, sku: &str) -> Decimal {
    let detail = product_detail(conn, sku).unwrap();
    detail.variants.iter().find(|v| v.sku == sku).map(|v| v.on_hand).unwrap_or(detail.product.on_hand)
}

fn start(conn: &mut Connection, scope: Scope, blind: bool) -> i64 {
    count::start(conn, &NewCount { name: "Raf sayımı".into(), scope, blind }).unwrap().id
}

fn scan(conn: &mut Connection, id: i64, barcode: &str) -> ScanOutcome {
    count::scan(conn, id, barcode, Decimal::ONE).unwrap()
}

fn counted(conn: &Connection, id: i64, sku: &str) -> Decimal {
    count::status(conn, id).unwrap().lines.into_iter().find(|l| l.sku == sku).map(|l| l.counted).unwrap_or_default()
}

#[test]
fn scans_add_to_one_line_per_item_and_variants_match_their_own_barcode() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    for code in ["8690000000019", "8690000000019", "8690000000033", "8690000000019", "TS-M"] {
        assert!(matches!(scan(&mut conn, id, code), ScanOutcome::Counted { .. }));
    }
    let status = count::status(&conn, id).unwrap();
    let lines: Vec<(&str, Decimal)> = status.lines.iter().map(|l| (l.sku.as_str(), l.counted)).collect();
    assert_eq!(lines, [("KALEM", d("3")), ("TS-S", d("1")), ("TS-M", d("1"))], "never a duplicate line");
    let kalem = &status.lines[0];
    assert_eq!((kalem.expected, kalem.difference, kalem.value), (Some(d("10")), Some(d("-7")), Some(d("-17.5"))));
    assert_eq!(status.difference_value, Some(d("-17.5")));
    assert_eq!(status.not_scanned.iter().map(|n| n.sku.as_str()).collect::<Vec<_>>(), ["DEFTER"]);

    // A typed quantity replaces the scanned one; a scan with a quantity adds it.
    count::set_counted(&mut conn, id, "KALEM", d("8")).unwrap();
    count::scan(&mut conn, id, "8690000000019", d("2")).unwrap();
    assert_eq!(counted(&conn, id, "KALEM"), d("10"));
    assert!(count::scan(&mut conn, id, "8690000000019", d("-1")).is_err());
    // The product with variants is not counted as itself.
    assert_eq!(count::set_counted(&mut conn, id, "TS", d("1")).unwrap_err().code(), "stock.has_variants");
}

#[test]
fn an_unknown_barcode_is_listed_then_linked_to_an_item_with_its_scans() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    assert_eq!(scan(&mut conn, id, "4006381333931"), ScanOutcome::Unknown { barcode: "4006381333931".into(), scans: 1 });
    assert_eq!(scan(&mut conn, id, "4006381333931"), ScanOutcome::Unknown { barcode: "4006381333931".into(), scans: 2 });
    assert_eq!(count::status(&conn, id).unwrap().unknown.len(), 1);

    let line = count::link_barcode(&mut conn, id, "4006381333931", "TS-M").unwrap();
    assert_eq!(line.counted, d("2"));
    assert!(count::status(&conn, id).unwrap().unknown.is_empty());
    // The barcode now belongs to the variant: the next scan finds it.
    scan(&mut conn, id, "4006381333931");
    assert_eq!(counted(&conn, id, "TS-M"), d("3"));
    let err = count::link_barcode(&mut conn, id, "4006381333931", "KALEM").unwrap_err();
    assert_eq!(err.code(), "count.barcode_taken");
}

#[test]
fn a_product_is_created_on_the_spot_for_an_unknown_barcode_with_its_scans() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    scan(&mut conn, id, "4006381333931");
    scan(&mut conn, id, "4006381333931");

    // A taken SKU or a bad price: nothing is half-made, the scans stay unknown.
    let taken = count::create_for_barcode(&mut conn, id, "4006381333931", &ProductFields::new("KALEM", "Silgi"), None).unwrap_err();
    assert_eq!(taken.code(), "catalog.sku_taken");
    let bad_price = count::create_for_barcode(&mut conn, id, "4006381333931", &ProductFields::new("SILGI", "Silgi"), Some(d("-1"))).unwrap_err();
    assert_eq!(bad_price.code(), "input.invalid");
    assert_eq!(product_detail(&conn, "SILGI").unwrap_err().code(), "catalog.not_found");
    assert_eq!(count::status(&conn, id).unwrap().unknown.len(), 1);

    let line = count::create_for_barcode(&mut conn, id, " 4006381333931 ", &ProductFields::new("SILGI", "Silgi"), Some(d("7.50"))).unwrap();
    assert_eq!((line.sku.as_str(), line.counted, line.expected), ("SILGI", d("2"), Some(Decimal::ZERO)));
    assert!(count::status(&conn, id).unwrap().unknown.is_empty());
    let detail = product_detail(&conn, "SILGI").unwrap();
    assert_eq!(detail.product.fields.barcode.as_deref(), Some("4006381333931"));
    assert_eq!(detail.prices[0].sale, Some(d("7.50")));
    // The next scan finds the new product; the barcode cannot be given twice.
    assert!(matches!(scan(&mut conn, id, "4006381333931"), ScanOutcome::Counted { .. }));
    assert_eq!(counted(&conn, id, "SILGI"), d("3"));
    let again = count::create_for_barcode(&mut conn, id, "4006381333931", &ProductFields::new("SILGI2", "Silgi"), None).unwrap_err();
    assert_eq!(again.code(), "count.barcode_taken");

    count::approve(&mut conn, id, None, true).unwrap();
    count::post(&mut conn, id, Unscanned::Keep).unwrap();
    assert_eq!(on_hand(&conn, "SILGI"), d("3"));
}

#[test]
fn a_product_made_while_counting_a_category_or_a_shelf_list_joins_it() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::Category("Kırtasiye".into()), false);
    scan(&mut conn, id, "4006381333931");
    let line = count::create_for_barcode(&mut conn, id, "4006381333931", &ProductFields::new("SILGI", "Silgi"), None).unwrap();
    assert_eq!((line.sku.as_str(), line.counted), ("SILGI", d("1")));
    assert_eq!(product_detail(&conn, "SILGI").unwrap().category.as_deref(), Some("Kırtasiye"));

    // On a shelf list, the new product joins the list.
    let shelf = start(&mut conn, Scope::Skus(vec!["KALEM".into()]), false);
    scan(&mut conn, shelf, "4006381333948");
    let line = count::create_for_barcode(&mut conn, shelf, "4006381333948", &ProductFields::new("CETVEL", "Cetvel"), None).unwrap();
    assert_eq!((line.sku.as_str(), line.counted), ("CETVEL", d("1")));
    assert!(matches!(scan(&mut conn, shelf, "4006381333948"), ScanOutcome::Counted { .. }), "scans of it count from now on");
    assert_eq!(count::session(&conn, shelf).unwrap().scope, Scope::Skus(vec!["KALEM".into(), "CETVEL".into()]));
}

#[test]
fn a_blind_count_hides_expected_quantities_until_posted() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, true);
    scan(&mut conn, id, "8690000000019");
    let status = count::status(&conn, id).unwrap();
    assert_eq!((status.lines[0].expected, status.lines[0].difference, status.difference_value), (None, None, None));
    assert!(status.not_scanned.iter().all(|n| n.on_hand.is_none()));
    count::post(&mut conn, id, Unscanned::Keep).unwrap();
    assert_eq!(count::status(&conn, id).unwrap().lines[0].expected, Some(d("10")));
}

#[test]
fn a_partial_count_refuses_items_outside_its_scope() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::Category("Kırtasiye".into()), false);
    let err = count::scan(&mut conn, id, "8690000000019", Decimal::ONE).unwrap_err();
    assert_eq!(err.code(), "count.out_of_scope");
    scan(&mut conn, id, "8690000000026");
    assert!(count::status(&conn, id).unwrap().not_scanned.is_empty());

    let shelf = start(&mut conn, Scope::Skus(vec!["TS".into()]), false);
    assert_eq!(count::status(&conn, shelf).unwrap().not_scanned.len(), 2, "a product SKU brings its variants");
    assert_eq!(
        count::start(&mut conn, &NewCount { name: "x".into(), scope: Scope::Brand("Yok".into()), blind: false }).unwrap_err().code(),
        "catalog.ref_not_found"
    );
}

#[test]
fn post_writes_count_movements_once_and_undo_puts_everything_back() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    for code in ["8690000000019"; 7] {
        scan(&mut conn, id, code);
    }
    count::set_counted(&mut conn, id, "TS-S", d("3")).unwrap(); // no difference: no movement
    count::approve(&mut conn, id, None, true).unwrap();
    let summary = count::post(&mut conn, id, Unscanned::Zero).unwrap();
    assert_eq!(summary.movements, 3, "KALEM -3, and DEFTER and TS-M not scanned: zero");
    assert_eq!([on_hand(&conn, "KALEM"), on_hand(&conn, "DEFTER"), on_hand(&conn, "TS-S"), on_hand(&conn, "TS-M")], [d("7"), d("0"), d("3"), d("0")]);
    let last = &history(&conn, "KALEM", 1, None).unwrap()[0];
    assert_eq!((last.kind, last.delta), (MovementKind::Count, d("-3")));
    assert_eq!(count::session(&conn, id).unwrap().status, SessionStatus::Posted);
    assert_eq!(count::post(&mut conn, id, Unscanned::Keep).unwrap_err().code(), "count.not_open");
    assert_eq!(count::scan(&mut conn, id, "KALEM", Decimal::ONE).unwrap_err().code(), "count.not_open");

    assert_eq!(count::undo(&mut conn, id).unwrap(), 3);
    assert_eq!(
        [on_hand(&conn, "KALEM"), on_hand(&conn, "DEFTER"), on_hand(&conn, "TS-S"), on_hand(&conn, "TS-M")],
        [d("10"), d("4"), d("3"), d("1")]
    );
    assert_eq!(count::undo(&mut conn, id).unwrap_err().code(), "count.not_posted");
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn keeping_unscanned_items_leaves_their_stock() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    scan(&mut conn, id, "8690000000026");
    count::approve(&mut conn, id, None, true).unwrap();
    assert_eq!(count::post(&mut conn, id, Unscanned::Keep).unwrap().movements, 1);
    assert_eq!([on_hand(&conn, "DEFTER"), on_hand(&conn, "KALEM")], [d("1"), d("10")]);
}

#[test]
fn a_sale_after_the_scan_is_kept_when_the_count_is_posted() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    for _ in 0..8 {
        scan(&mut conn, id, "8690000000019"); // 8 on the shelf, 10 expected
    }
    // Two sold at the till while the count goes on.
    let sale = NewLine {
        sku: "KALEM".into(),
        quantity: d("2"),
        unit_price: Some(d("5")),
        commission_price: Decimal::ZERO,
        marketplace_id: None,
        marketplace_product_id: None,
    };
    record_order(&mut conn, &NewOrder { code: Some("S-1".into()), ..NewOrder::manual(vec![sale]) }).unwrap();
    assert_eq!(on_hand(&conn, "KALEM"), d("8"));
    count::approve(&mut conn, id, Some(&["KALEM".into()]), true).unwrap();
    count::post(&mut conn, id, Unscanned::Keep).unwrap();
    // The count found 2 missing at scan time; the sale took 2 more since.
    assert_eq!(on_hand(&conn, "KALEM"), d("6"));
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn several_sessions_are_kept_apart() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let a = start(&mut conn, Scope::All, false);
    let b = start(&mut conn, Scope::All, false);
    scan(&mut conn, a, "KALEM");
    scan(&mut conn, b, "KALEM");
    scan(&mut conn, b, "KALEM");
    assert_eq!([counted(&conn, a, "KALEM"), counted(&conn, b, "KALEM")], [d("1"), d("2")]);
    assert_eq!(count::sessions(&conn).unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), [b, a]);
}

#[test]
fn a_count_sheet_goes_out_and_comes_back_filled_in() {
    let (dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    scan(&mut conn, id, "KALEM");
    let sheet = dir.path().join("sayim.csv");
    assert_eq!(count::export_sheet(&conn, id, &sheet).unwrap(), 4);
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.starts_with("sku,barcode,name,expected,counted\nKALEM,8690000000019,Kalem,10,1\n"), "{text}");

    // Counted on paper: DEFTER 3, TS-S 2,5 (Turkish decimal comma).
    let filled = text
        .replace("DEFTER,8690000000026,Defter,4,", "DEFTER,8690000000026,Defter,4,3")
        .replace("TS-S,8690000000033,Tişört,3,", "TS-S,8690000000033,Tişört,3,\"2,5\"");
    std::fs::write(&sheet, filled).unwrap();
    assert_eq!(count::import_sheet(&mut conn, id, &sheet).unwrap(), 3);
    assert_eq!([counted(&conn, id, "DEFTER"), counted(&conn, id, "TS-S"), counted(&conn, id, "KALEM")], [d("3"), d("2.5"), d("1")]);

    // A bad row is reported with its row and column, and nothing is written.
    std::fs::write(&sheet, "sku,barcode,name,expected,counted\nKALEM,,,,7\nDEFTER,,,,üç\n").unwrap();
    let err = count::import_sheet(&mut conn, id, &sheet).unwrap_err();
    assert_eq!(err.code(), "count.bad_sheet");
    assert!(err.to_string().contains("row 3, column counted"), "{err}");
    assert_eq!(counted(&conn, id, "KALEM"), d("1"));
}

#[test]
fn only_approved_differences_are_posted_and_a_new_count_clears_the_approval() {
    let (_dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    scan(&mut conn, id, "8690000000019"); // KALEM 1 of 10
    scan(&mut conn, id, "8690000000026"); // DEFTER 1 of 4
    count::set_counted(&mut conn, id, "TS-S", d("3")).unwrap(); // as expected
    assert!(count::status(&conn, id).unwrap().lines.iter().all(|l| !l.approved), "nothing is approved by itself");

    assert_eq!(count::approve(&mut conn, id, Some(&["KALEM".into(), "DEFTER".into()]), true).unwrap(), 2);
    assert_eq!(count::approve(&mut conn, id, Some(&["DEFTER".into()]), false).unwrap(), 1);
    // A scan after the approval changes the figure: it must be approved again.
    count::approve(&mut conn, id, Some(&["TS-S".into()]), true).unwrap();
    scan(&mut conn, id, "8690000000033");
    let approved: Vec<(String, bool)> = count::status(&conn, id).unwrap().lines.into_iter().map(|l| (l.sku, l.approved)).collect();
    assert_eq!(approved, [("KALEM".into(), true), ("DEFTER".into(), false), ("TS-S".into(), false)]);
    assert_eq!(count::approve(&mut conn, id, Some(&["TS-M".into()]), true).unwrap_err().code(), "count.no_line");

    let summary = count::post(&mut conn, id, Unscanned::Keep).unwrap();
    assert_eq!((summary.movements, summary.unapproved), (1, 2), "KALEM posted; DEFTER and TS-S left");
    assert_eq!([on_hand(&conn, "KALEM"), on_hand(&conn, "DEFTER"), on_hand(&conn, "TS-S")], [d("1"), d("4"), d("3")]);
    assert_eq!(count::approve(&mut conn, id, None, true).unwrap_err().code(), "count.not_open");
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn an_xlsx_count_sheet_goes_out_and_comes_back_filled_in() {
    use calamine::{Data, Reader, Xlsx};
    let (dir, mut conn) = open();
    shop(&mut conn);
    let id = start(&mut conn, Scope::All, false);
    scan(&mut conn, id, "KALEM");
    let sheet = dir.path().join("sayim.xlsx");
    assert_eq!(count::export_sheet(&conn, id, &sheet).unwrap(), 4);
    let mut book: Xlsx<_> = calamine::open_workbook(&sheet).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let cells = |row: usize| range.rows().nth(row).unwrap().iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(cells(0), ["sku", "barcode", "name", "expected", "counted"]);
    assert_eq!(cells(1), ["KALEM", "8690000000019", "Kalem", "10", "1"]);
    assert_eq!(range.get((1, 4)), Some(&Data::Float(1.0)), "quantities are numbers, not text");
    let skus: Vec<String> = (1..5).map(|r| cells(r)[0].clone()).collect();
    assert_eq!(skus, ["KALEM", "DEFTER", "TS-S", "TS-M"]);

    // Filled in on another computer: DEFTER 3 as a number, TS-S "2,5" typed as text.
    let filled = dir.path().join("dolu.xlsx");
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    for (c, h) in ["sku", "barcode", "name", "expected", "counted"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "DEFTER").unwrap();
    ws.write_number(1, 4, 3.0).unwrap();
    ws.write_string(2, 0, "TS-S").unwrap();
    ws.write_string(2, 4, "2,5").unwrap();
    ws.write_string(3, 0, "TS-M").unwrap(); // not counted: left alone
    out.save(&filled).unwrap();
    assert_eq!(count::import_sheet(&mut conn, id, &filled).unwrap(), 2);
    assert_eq!([counted(&conn, id, "DEFTER"), counted(&conn, id, "TS-S"), counted(&conn, id, "KALEM")], [d("3"), d("2.5"), d("1")]);
    assert!(count::status(&conn, id).unwrap().not_scanned.iter().any(|n| n.sku == "TS-M"));

    // A bad cell is reported with its row, and nothing is written.
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    ws.write_string(0, 0, "sku").unwrap();
    ws.write_string(1, 0, "KALEM").unwrap();
    ws.write_number(1, 4, 7.0).unwrap();
    ws.write_string(2, 0, "DEFTER").unwrap();
    ws.write_string(2, 4, "üç").unwrap();
    out.save(&filled).unwrap();
    let err = count::import_sheet(&mut conn, id, &filled).unwrap_err();
    assert_eq!(err.code(), "count.bad_sheet");
    assert!(err.to_string().contains("row 3, column counted"), "{err}");
    assert_eq!(counted(&conn, id, "KALEM"), d("1"));
}

const CRASH_ENV: &str = "RAF_TEST_COUNT_CRASH_DB";

/// Run by the crash test as a child process: scans into count 1 one by one, says how far
/// it got after each and waits for a line on stdin before the next (so it is never more
/// than one scan ahead of what the parent has read, however loaded the machine), and
/// never stops on its own. In a normal run it returns at once.
#[test]
fn count_crash_child() {
    let Ok(path) = std::env::var(CRASH_ENV) else { return };
    let mut conn = raf::db::open(Path::new(&path)).unwrap();
    let mut go = String::new();
    for i in 1.. {
        count::scan(&mut conn, 1, if i % 3 == 0 { "8690000000033" } else { "8690000000019" }, Decimal::ONE).unwrap();
        println!("SCANNED {i}");
        std::io::stdout().flush().unwrap();
        go.clear();
        if std::io::stdin().read_line(&mut go).unwrap() == 0 {
            return;
        }
    }
}

#[test]
fn a_count_killed_mid_scan_resumes_with_every_acknowledged_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    {
        let mut conn = raf::db::open(&path).unwrap();
        shop(&mut conn);
        assert_eq!(start(&mut conn, Scope::All, false), 1);
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["count_crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CRASH_ENV, &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut go = child.stdin.take().unwrap();
    let mut acknowledged = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        // The first one shares its line with libtest's "test count_crash_child ... ".
        if let Some((_, n)) = line.unwrap().rsplit_once("SCANNED ") {
            acknowledged = n.parse().unwrap();
            // One more scan starts; it is killed somewhere in it or just after it.
            writeln!(go).unwrap();
            if acknowledged >= 60 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback, no checkpoint
    assert!(!child.wait().unwrap().success());

    let mut conn = raf::db::open(&path).unwrap();
    let (kalem, ts) = (counted(&conn, 1, "KALEM"), counted(&conn, 1, "TS-S"));
    let total = kalem + ts;
    // Every scan the child reported is there; at most the one after it, too.
    assert!(total >= Decimal::from(acknowledged) && total <= Decimal::from(acknowledged + 1), "{total} vs {acknowledged}");
    assert_eq!(ts, Decimal::from(i64::try_from(total).unwrap() / 3));
    // The session resumes: more scans, then the post.
    scan(&mut conn, 1, "8690000000019");
    assert_eq!(counted(&conn, 1, "KALEM"), kalem + Decimal::ONE);
    count::approve(&mut conn, 1, None, true).unwrap();
    count::post(&mut conn, 1, Unscanned::Keep).unwrap();
    assert_eq!(on_hand(&conn, "KALEM"), kalem + Decimal::ONE);
    assert_eq!(check_ledger(&conn).unwrap(), []);
    raf::db::quick_check(&conn).unwrap();
}
