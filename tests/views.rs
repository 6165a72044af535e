//! What the desktop app's screens read and do beyond the CLI, on real SQLite files: page
//! anchors of the virtualized table, bulk edits, the ledger screen's filters, the
//! dashboard's figures, and backup/restore that report progress and can be cancelled.

#[path = "support/catalog.rs"]
mod support;
use support::{d, open};

use raf::catalog::{
    add_category, bulk_edit, create_product, page_anchors, product_detail, search_products, set_price, BulkChange, ProductFields, ProductQuery, Sort,
    StatusFilter,
};
use raf::progress::{Step, Task};
use raf::stock::{adjust, movements, undo, Change, MovementKind, MovementQuery};
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

fn add(conn: &mut Connection, sku: &str, name: &str) -> i64 {
    create_product(conn, &ProductFields::new(sku, name)).unwrap().id
}

#[test]
fn page_anchors_start_every_page_of_the_walk() {
    let (_dir, mut conn) = open();
    for i in 0..23 {
        add(&mut conn, &format!("P-{i:02}"), &format!("Ürün {}", 23 - i));
    }
    for (sort, descending) in [(Sort::Name, false), (Sort::Sku, true), (Sort::OnHand, false)] {
        let query = ProductQuery { limit: 5, sort, descending, ..Default::default() };
        // Walk every page the slow way, remembering where each one ended.
        let (mut walked, mut after) = (Vec::new(), None);
        loop {
            let page = search_products(&conn, &ProductQuery { after, ..query.clone() }).unwrap();
            match page.next_after {
                Some(next) => {
                    walked.push(next);
                    after = Some(next);
                }
                None => break,
            }
        }
        assert_eq!(page_anchors(&conn, &query).unwrap(), walked, "{sort:?} descending={descending}");
    }
    let searched = ProductQuery { limit: 2, search: Some("ürün 1".into()), ..Default::default() };
    let anchors = page_anchors(&conn, &searched).unwrap();
    let second = search_products(&conn, &ProductQuery { after: Some(anchors[0]), ..searched.clone() }).unwrap();
    assert!(second.rows.iter().all(|r| r.name.starts_with("Ürün 1")));
}

#[test]
fn bulk_edit_sets_category_scales_prices_and_deletes() {
    let (_dir, mut conn) = open();
    let (a, b, c) = (add(&mut conn, "A", "Alfa"), add(&mut conn, "B", "Beta"), add(&mut conn, "C", "Gama"));
    let lamps = add_category(&mut conn, "Aydınlatma", None, None).unwrap();
    set_price(&mut conn, "A", 1, d("100"), Some(d("120"))).unwrap();
    set_price(&mut conn, "B", 1, d("9.99"), None).unwrap();
    set_price(&mut conn, "B", 2, d("50"), None).unwrap();

    let set = BulkChange::SetCategory { category_id: Some(lamps.id) };
    assert_eq!(bulk_edit(&mut conn, &[a, b, 999], &set).unwrap(), 2, "unknown ids are skipped");
    assert_eq!(product_detail(&conn, "A").unwrap().category.as_deref(), Some("Aydınlatma"));
    assert_eq!(product_detail(&conn, "C").unwrap().category, None);

    bulk_edit(&mut conn, &[a, b], &BulkChange::ScalePrices { group: 1, percent: d("10") }).unwrap();
    let price = |sku: &str, group: usize| {
        let p = &product_detail(&conn, sku).unwrap().prices[group - 1];
        (p.sale, p.list)
    };
    assert_eq!(price("A", 1), (Some(d("110")), Some(d("132"))));
    assert_eq!(price("B", 1), (Some(d("10.99")), None), "9.99 × 1.1 = 10.989, rounded to kuruş");
    assert_eq!(price("B", 2), (Some(d("50")), None), "other groups untouched");

    let too_far = BulkChange::ScalePrices { group: 1, percent: d("-100") };
    assert_eq!(bulk_edit(&mut conn, &[a], &too_far).unwrap_err().code(), "input.invalid");
    assert_eq!(bulk_edit(&mut conn, &[a], &BulkChange::ScalePrices { group: 11, percent: d("1") }).unwrap_err().code(), "catalog.bad_price_group");

    bulk_edit(&mut conn, &[b, c], &BulkChange::Delete).unwrap();
    let trash = search_products(&conn, &ProductQuery { status: StatusFilter::Deleted, ..Default::default() }).unwrap();
    assert_eq!(trash.rows.iter().map(|r| r.sku.as_str()).collect::<Vec<_>>(), ["B", "C"]);
}

#[test]
fn ledger_filters_by_item_kind_and_day() {
    let (_dir, mut conn) = open();
    add(&mut conn, "A", "Alfa");
    add(&mut conn, "B", "Beta");
    adjust(&mut conn, "A", Change::Add(d("5")), Some("teslimat")).unwrap();
    let b = adjust(&mut conn, "B", Change::Add(d("2")), None).unwrap();
    adjust(&mut conn, "A", Change::Sub(d("1.5")), None).unwrap();
    undo(&mut conn, b.id, None).unwrap();

    let ids = |q: MovementQuery| movements(&conn, &q).unwrap().iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(ids(MovementQuery::default()), [4, 3, 2, 1], "newest first");
    assert_eq!(ids(MovementQuery { sku: Some("A".into()), ..Default::default() }), [3, 1]);
    assert_eq!(ids(MovementQuery { sku: Some("B".into()), ..Default::default() }), [4, 2]);
    assert_eq!(ids(MovementQuery { kind: Some(MovementKind::Add), ..Default::default() }), [2, 1]);
    assert_eq!(ids(MovementQuery { limit: 2, ..Default::default() }), [4, 3]);
    assert_eq!(ids(MovementQuery { limit: 2, before: Some(3), ..Default::default() }), [2, 1]);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(ids(MovementQuery { from: Some(today.clone()), to: Some(today), ..Default::default() }).len(), 4);
    assert_eq!(ids(MovementQuery { to: Some("2000-01-01".into()), ..Default::default() }), Vec::<i64>::new());
    // Instants bound a local day (the desktop sends them): both ends inclusive.
    let all = movements(&conn, &MovementQuery::default()).unwrap();
    let (first, last) = (all.last().unwrap().created_at.clone(), all[0].created_at.clone());
    assert_eq!(ids(MovementQuery { from: Some(first.clone()), to: Some(last.clone()), ..Default::default() }).len(), 4);
    let after_last = (chrono::DateTime::parse_from_rfc3339(&last).unwrap() + chrono::Duration::milliseconds(1)).to_utc();
    let after_last = after_last.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    assert_eq!(ids(MovementQuery { from: Some(after_last), ..Default::default() }), Vec::<i64>::new());
    assert_eq!(movements(&conn, &MovementQuery { sku: Some("NOPE".into()), ..Default::default() }).unwrap_err().code(), "catalog.not_found");
}

#[test]
fn dashboard_values_stock_by_category() {
    let (_dir, mut conn) = open();
    let lamps = add_category(&mut conn, "Aydınlatma", None, None).unwrap();
    let mut led = ProductFields::new("LED", "IŞIK LED");
    led.category_id = Some(lamps.id);
    led.purchase_price = Some(d("12.5"));
    led.min_stock = Some(d("5"));
    create_product(&mut conn, &led).unwrap();
    add(&mut conn, "KBL", "Kablo");
    set_price(&mut conn, "KBL", 1, d("40"), None).unwrap();
    adjust(&mut conn, "LED", Change::Add(d("4")), None).unwrap();
    adjust(&mut conn, "KBL", Change::Add(d("2.5")), None).unwrap();
    adjust(&mut conn, "KBL", Change::Sub(d("1")), None).unwrap();

    let dash = raf::report::dashboard(&conn, 30).unwrap();
    let by: Vec<_> = dash.by_category.iter().map(|c| (c.category.as_deref(), c.quantity, c.value)).collect();
    // LED at purchase price (4 × 12.5); the cable has none, so its group-1 price (1.5 × 40).
    assert_eq!(by, [(None, d("1.5"), d("60")), (Some("Aydınlatma"), d("4"), d("50"))]);
    assert_eq!(dash.low_stock.iter().map(|r| r.sku.as_str()).collect::<Vec<_>>(), ["LED"]);
    assert_eq!(dash.by_day.len(), 1);
    assert_eq!((dash.by_day[0].added, dash.by_day[0].removed, dash.by_day[0].movements), (d("6.5"), d("1"), 3));

    // The value follows a new group-1 price, a removed one, and leaves out the trash.
    set_price(&mut conn, "KBL", 1, d("50"), None).unwrap();
    set_price(&mut conn, "KBL", 2, d("999"), None).unwrap();
    let by_category = |conn: &rusqlite::Connection| -> Vec<_> {
        raf::report::stock_value_by_category(conn).unwrap().into_iter().map(|c| (c.category, c.products, c.value)).collect()
    };
    assert_eq!(by_category(&conn), [(None, 1, d("75")), (Some("Aydınlatma".to_string()), 1, d("50"))]);
    raf::db::write(&mut conn, |tx| raf::catalog::remove_price(tx, "KBL", 1)).unwrap();
    assert_eq!(by_category(&conn), [(Some("Aydınlatma".to_string()), 1, d("50")), (None, 1, d("0"))]);
    raf::catalog::soft_delete_product(&mut conn, "LED").unwrap();
    assert_eq!(by_category(&conn), [(None, 1, d("0"))]);
}

#[test]
fn backup_and_restore_report_progress_and_stop_when_cancelled() {
    let (dir, mut conn) = open();
    for i in 0..300 {
        let mut fields = ProductFields::new(format!("P-{i}"), format!("Ürün {i}"));
        fields.description = Some("uzun açıklama ".repeat(40));
        create_product(&mut conn, &fields).unwrap();
    }
    let steps = Mutex::new(Vec::<Step>::new());
    let report = |s: Step| steps.lock().unwrap().push(s);
    let never = AtomicBool::new(false);
    let backup = dir.path().join("yedek.db");
    raf::db::backup_with(&conn, &backup, &Task::new(&never, &report)).unwrap();
    let seen = steps.lock().unwrap().clone();
    let last = seen.last().unwrap();
    assert!(seen.iter().all(|s| s.phase == "backup"));
    assert_eq!(last.done, last.total, "the last step is complete");

    // Cancelled on its first step: no backup file, and no partial one either.
    let cancelled = AtomicBool::new(true);
    let other = dir.path().join("iptal.db");
    let err = raf::db::backup_with(&conn, &other, &Task::new(&cancelled, &|_| {})).unwrap_err();
    assert_eq!(err.code(), "task.cancelled");
    assert!(!other.exists() && !other.with_extension("partial").exists());

    // A cancelled restore leaves the catalog as it was.
    add(&mut conn, "NEW", "Yedekten sonra");
    let err = raf::db::restore_with(&mut conn, &backup, &Task::new(&cancelled, &|_| {})).unwrap_err();
    assert_eq!(err.code(), "task.cancelled");
    assert!(product_detail(&conn, "NEW").is_ok());
    cancelled.store(false, Ordering::Relaxed);
    raf::db::restore_with(&mut conn, &backup, &Task::new(&cancelled, &|_| {})).unwrap();
    assert_eq!(product_detail(&conn, "NEW").unwrap_err().code(), "catalog.not_found");
}
