//! The import's bulk path (new products written in one INSERT each, no reads) leaves the
//! catalog, the ledger, the search index and the sync outbox exactly as the per-item
//! catalog and stock functions would.

use raf::catalog::{self, ProductFields, ProductQuery};
use raf::import::{self, ImportOptions};
use raf::progress::{self, Step, Task};
use raf::stock::{self, check_ledger, Change, MovementKind, MovementQuery};
use raf::sync::{self, Kind, NewConnection, Settings};
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// SKU, name, price 1, price 2, stock: one row with everything, one with no prices, one
/// with stock 0 (no movement), one with no stock column value.
const ROWS: [(&str, &str, &str, &str, &str); 4] = [
    ("LED-9W", "LED Ampul 9W", "100,50", "90", "12"),
    ("KBL-1", "Kablo Makarası", "", "", "3,5"),
    ("PRZ-2", "Üçlü Priz", "45", "", "0"),
    ("CAY-1", "Çay Bardağı", "12", "10", ""),
];

fn write_csv(path: &Path) {
    let mut text = String::from("Stok Kodu;Ürün Adı;Fiyat;Fiyat 2;Stok\n");
    for (sku, name, p1, p2, stock) in ROWS {
        text.push_str(&format!("{sku};{name};{p1};{p2};{stock}\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// A catalog with a connection that pushes products, so every write queues outbox rows.
fn catalog_with_connection(path: &Path) -> Connection {
    // SAFETY: set before any thread reads the environment through keyring; every test
    // of this file sets the same value.
    unsafe { std::env::set_var("RAF_KEYRING", "mock") };
    let mut conn = raf::db::open(path).unwrap();
    let new = NewConnection { name: "dukkan".into(), kind: Kind::Sopyo, base_url: Some("http://127.0.0.1:9".into()), settings: Settings::default() };
    sync::add_connection(&mut conn, &new, "token").unwrap();
    conn
}

/// The same rows through the per-item functions: create, set each price, set the stock.
fn per_item(conn: &mut Connection) {
    let amount = |s: &str| (!s.is_empty()).then(|| d(&s.replace(',', ".")));
    for (sku, name, p1, p2, stock) in ROWS {
        catalog::create_product(conn, &ProductFields::new(sku, name)).unwrap();
        for (group, price) in [(1, p1), (2, p2)] {
            if let Some(price) = amount(price) {
                catalog::set_price(conn, sku, group, price, None).unwrap();
            }
        }
        if let Some(qty) = amount(stock).filter(|q| !q.is_zero()) {
            stock::adjust(conn, sku, Change::Set(qty), None).unwrap();
        }
    }
}

/// The outbox by SKU: entity, pending, version.
fn outbox(conn: &Connection) -> Vec<(String, String, i64, i64)> {
    let mut stmt = conn
        .prepare(
            "SELECT p.sku, o.entity, o.pending, o.version FROM sync_outbox o JOIN products p ON p.id = o.local_id
             WHERE o.entity = 'product' ORDER BY p.sku",
        )
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// Every product's fields, prices and stock (what a user sees), by SKU.
fn catalog_state(conn: &Connection) -> Vec<String> {
    let mut skus: Vec<String> = ROWS.iter().map(|r| r.0.to_owned()).collect();
    skus.sort();
    skus.iter()
        .map(|sku| {
            let detail = catalog::product_detail(conn, sku).unwrap();
            format!("{:?} on_hand={} prices={:?}", detail.product.fields, detail.product.on_hand, detail.prices)
        })
        .collect()
}

fn found(conn: &Connection, words: &str) -> Vec<String> {
    let query = ProductQuery { search: Some(words.into()), limit: 50, ..ProductQuery::default() };
    catalog::search_products(conn, &query).unwrap().rows.into_iter().map(|r| r.sku).collect()
}

#[test]
fn new_products_written_in_bulk_match_the_per_item_functions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("urunler.csv");
    write_csv(&file);
    let mut bulk = catalog_with_connection(&dir.path().join("bulk.db"));
    let pragmas = |conn: &Connection| -> (i64, i64) {
        let get = |name: &str| conn.pragma_query_value(None, name, |r| r.get(0)).unwrap();
        (get("cache_size"), get("mmap_size"))
    };
    let connection_settings = pragmas(&bulk);
    let applied = progress::silent(|task| import::apply(&mut bulk, &file, &ImportOptions::default(), task)).unwrap();
    assert!(applied.batch.is_some(), "{:?}", applied.plan.errors);
    assert_eq!(pragmas(&bulk), connection_settings, "the import's cache and memory-map settings are put back");
    assert_eq!((applied.plan.creates, applied.plan.movements), (4, 2));
    let mut reference = catalog_with_connection(&dir.path().join("per-item.db"));
    per_item(&mut reference);

    assert_eq!(catalog_state(&bulk), catalog_state(&reference));
    assert_eq!(outbox(&bulk), outbox(&reference));
    assert_eq!(outbox(&bulk).iter().map(|o| o.3).collect::<Vec<_>>(), [2, 1, 3, 1], "CAY-1, KBL-1, LED-9W, PRZ-2");

    // The ledger: one import movement per stock, from 0, and on-hand == sum of movements.
    assert_eq!(check_ledger(&bulk).unwrap(), []);
    let movements = stock::movements(&bulk, &MovementQuery::default()).unwrap();
    let mut seen: Vec<(String, MovementKind, Decimal, Decimal, Decimal)> =
        movements.iter().map(|m| (m.sku.clone(), m.kind, m.before, m.delta, m.after)).collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        seen,
        [("KBL-1".into(), MovementKind::Import, d("0"), d("3.5"), d("3.5")), ("LED-9W".into(), MovementKind::Import, d("0"), d("12"), d("12")),]
    );

    // The search index has each new product, by folded name word, SKU prefix and more.
    assert_eq!(found(&bulk, "makara"), ["KBL-1"]);
    assert_eq!(found(&bulk, "UCLU"), ["PRZ-2"]);
    assert_eq!(found(&bulk, "çay bardağı"), ["CAY-1"]);
    assert_eq!(found(&bulk, "led-9"), found(&reference, "led-9"));
}

#[test]
fn a_bulk_import_undone_keeps_the_ledger_and_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("urunler.csv");
    write_csv(&file);
    let mut conn = catalog_with_connection(&dir.path().join("raf.db"));
    let applied = progress::silent(|task| import::apply(&mut conn, &file, &ImportOptions::default(), task)).unwrap();
    let undone = import::undo(&mut conn, applied.batch, false).unwrap();
    assert_eq!((undone.movements_reversed, undone.created_removed), (2, 4));
    assert_eq!(check_ledger(&conn).unwrap(), []);
    for (sku, ..) in ROWS {
        let product = catalog::product_detail(&conn, sku).unwrap().product;
        assert!(product.deleted_at.is_some(), "{sku} is in the trash");
        assert_eq!(product.on_hand, Decimal::ZERO);
    }
    // Imported again, the file brings its products back from the trash, with their stock.
    let again = progress::silent(|task| import::apply(&mut conn, &file, &ImportOptions::default(), task)).unwrap();
    assert_eq!((again.plan.creates, again.plan.updates, again.plan.error_rows), (0, 4, 0), "{:#?}", again.plan.errors);
    for (sku, ..) in ROWS {
        assert!(catalog::product_detail(&conn, sku).unwrap().product.deleted_at.is_none(), "{sku} is back");
    }
    assert_eq!(found(&conn, "makara"), ["KBL-1"]);
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

/// The catalog's index definitions, to compare before and after.
fn indexes(conn: &Connection) -> Vec<(String, Option<String>)> {
    let mut stmt = conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// More rows than the import writes before it drops the indexes it does not read.
const LARGE: usize = 60_000;

fn large_csv(path: &Path, bad_last_row: bool) {
    large_csv_priced(path, bad_last_row, |i| i % 900 + 1);
}

/// `large_csv` with row `i`'s price (before the `,50`) from `price`.
fn large_csv_priced(path: &Path, bad_last_row: bool, price: impl Fn(usize) -> usize) {
    let mut text = String::from("Stok Kodu;Ürün Adı;Kategori;Fiyat;Stok\n");
    for i in 0..LARGE {
        let price = if bad_last_row && i == LARGE - 1 { "abc".to_owned() } else { format!("{},50", price(i)) };
        text.push_str(&format!("B-{i:06};Ürün {i};{};{price};{}\n", ["Giyim", "Ev"][i % 2], i % 7));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_large_import_into_a_small_catalog_rebuilds_the_indexes_it_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    catalog::create_product(&mut conn, &ProductFields::new("LED-9W", "LED Ampul")).unwrap();
    stock::adjust(&mut conn, "LED-9W", Change::Add(d("4")), None).unwrap();
    let before = indexes(&conn);

    // A row error at the end: nothing is written and the dropped indexes come back with the rollback.
    let file = dir.path().join("buyuk.csv");
    large_csv(&file, true);
    let refused = progress::silent(|task| import::apply(&mut conn, &file, &ImportOptions::default(), task)).unwrap();
    assert_eq!((refused.batch, refused.plan.error_rows), (None, 1));
    assert_eq!(indexes(&conn), before);
    assert_eq!(catalog::count_products(&conn, &ProductQuery::default()).unwrap(), 1);

    large_csv(&file, false);
    let applied = progress::silent(|task| import::apply(&mut conn, &file, &ImportOptions::default(), task)).unwrap();
    assert_eq!(applied.plan.creates, LARGE as u64);
    assert_eq!(indexes(&conn), before);
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok", "every index holds every row");
    assert_eq!(check_ledger(&conn).unwrap(), []);
    // Queries that read the rebuilt indexes: by category and name order, by SKU prefix, low stock.
    let giyim = catalog::category_id(&conn, "Giyim").unwrap();
    let by_category = ProductQuery { category_id: Some(giyim), limit: 5, ..ProductQuery::default() };
    assert_eq!(catalog::count_products(&conn, &by_category).unwrap(), (LARGE / 2) as u64);
    assert_eq!(found(&conn, "B-05999"), (0..10).map(|i| format!("B-05999{i}")).collect::<Vec<_>>());
    assert_eq!(found(&conn, "ürün 59999"), ["B-059999"]);

    // The undo moves every product and reverses most movements: it drops and rebuilds too.
    let undone = import::undo(&mut conn, applied.batch, false).unwrap();
    assert_eq!(undone.created_removed, LARGE as u64);
    assert_eq!(indexes(&conn), before);
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(check_ledger(&conn).unwrap(), []);
    assert_eq!(catalog::count_products(&conn, &ProductQuery::default()).unwrap(), 1);
}

/// A large import that changes every product's price drops the indexes that hold the
/// price and builds them again: each is whole afterwards, as it was after a refused one,
/// and the price order (read through them) follows the new prices and their undo.
#[test]
fn a_large_price_update_rebuilds_the_indexes_it_dropped_and_its_undo_restores_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    let before = indexes(&conn);
    let file = dir.path().join("fiyatlar.csv");
    large_csv(&file, false);
    let apply = |conn: &mut Connection| progress::silent(|task| import::apply(conn, &file, &ImportOptions::default(), task)).unwrap();
    assert_eq!(apply(&mut conn).plan.creates, LARGE as u64);
    let integrity = |conn: &Connection| conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).unwrap();
    assert_eq!(by_price(&conn)[..2], ["B-000000", "B-000900"], "1,50 first, by id");

    // Every price turned around: 1,50 becomes 900,50 and 900,50 becomes 1,50.
    let falling = |i: usize| 900 - i % 900;
    large_csv_priced(&file, true, falling);
    let refused = apply(&mut conn);
    assert_eq!((refused.batch, refused.plan.updates, refused.plan.error_rows), (None, LARGE as u64 - 1, 1));
    assert_eq!(indexes(&conn), before);
    assert_eq!(by_price(&conn)[0], "B-000000");

    large_csv_priced(&file, false, falling);
    let steps = std::sync::Mutex::new(Vec::new());
    let report = |step: Step| steps.lock().unwrap().push((step.phase, step.done, step.total));
    let never = AtomicBool::new(false);
    let applied = import::apply(&mut conn, &file, &ImportOptions::default(), &Task::new(&never, &report)).unwrap();
    assert_eq!((applied.plan.creates, applied.plan.updates, applied.plan.movements), (0, LARGE as u64, 0));
    // Only the six indexes holding the group-1 price or `updated_at` were dropped, and
    // their building again is shown after the last row.
    let steps = steps.into_inner().unwrap();
    let last_row = steps.iter().rposition(|(phase, ..)| *phase == "import").unwrap();
    assert_eq!(steps[last_row], ("import", LARGE as u64, LARGE as u64));
    assert_eq!(steps[last_row + 1..], (0..=6).map(|done| ("import_indexes", done, 6)).collect::<Vec<_>>());
    assert_eq!(indexes(&conn), before);
    assert_eq!(integrity(&conn), "ok", "every index holds every row");
    assert_eq!(by_price(&conn)[..2], ["B-000899", "B-001799"]);

    let undone = import::undo(&mut conn, applied.batch, false).unwrap();
    assert_eq!(undone.prices_restored, LARGE as u64);
    assert_eq!(indexes(&conn), before);
    assert_eq!(integrity(&conn), "ok");
    assert_eq!(by_price(&conn)[..2], ["B-000000", "B-000900"]);
}

/// Cancelled while it builds the dropped indexes again, after every row was written, a
/// large import changes nothing: the prices and the indexes are as before.
#[test]
fn a_large_import_cancelled_while_building_its_indexes_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    let before = indexes(&conn);
    let file = dir.path().join("fiyatlar.csv");
    large_csv(&file, false);
    progress::silent(|task| import::apply(&mut conn, &file, &ImportOptions::default(), task)).unwrap();
    large_csv_priced(&file, false, |i| 900 - i % 900);

    let cancelled = AtomicBool::new(false);
    let report = |step: Step| {
        if step.phase == "import_indexes" && step.done == 2 {
            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let err = import::apply(&mut conn, &file, &ImportOptions::default(), &Task::new(&cancelled, &report)).unwrap_err();
    assert_eq!(err.code(), "task.cancelled");
    assert_eq!(indexes(&conn), before);
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(by_price(&conn)[..2], ["B-000000", "B-000900"], "the old prices");
    assert_eq!(import::batches(&conn).unwrap().len(), 1, "no batch for the cancelled import");
}

/// The products by group-1 price, ascending (unpriced last).
fn by_price(conn: &Connection) -> Vec<String> {
    let query = ProductQuery { sort: catalog::Sort::Price, limit: 50, ..ProductQuery::default() };
    catalog::search_products(conn, &query).unwrap().rows.into_iter().map(|r| r.sku).collect()
}

#[test]
fn imported_prices_and_their_undo_move_the_price_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("urunler.csv");
    write_csv(&file);
    let mut conn = catalog_with_connection(&dir.path().join("raf.db"));
    progress::silent(|task| import::apply(&mut conn, &file, &ImportOptions::default(), task)).unwrap();
    assert_eq!(by_price(&conn), ["CAY-1", "PRZ-2", "LED-9W", "KBL-1"], "12, 45, 100.50, none");

    // An update: a new price for the cheapest-to-be and a first one for the unpriced.
    let update = dir.path().join("fiyat.csv");
    std::fs::write(&update, "Stok Kodu;Fiyat\nLED-9W;5\nKBL-1;30\n").unwrap();
    let applied = progress::silent(|task| import::apply(&mut conn, &update, &ImportOptions::default(), task)).unwrap();
    assert!(applied.batch.is_some(), "{:?}", applied.plan.errors);
    assert_eq!(by_price(&conn), ["LED-9W", "CAY-1", "KBL-1", "PRZ-2"]);

    import::undo(&mut conn, applied.batch, false).unwrap();
    assert_eq!(by_price(&conn), ["CAY-1", "PRZ-2", "LED-9W", "KBL-1"], "the old prices, and no price again for KBL-1");
}

/// Tags an import sets (on new products, through the bulk path, and on existing ones) and
/// their undo queue the products for a pushing connection as tagging by hand does.
#[test]
fn tags_set_by_an_import_and_its_undo_queue_the_outbox_as_tagging_by_hand_does() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("etiket1.csv"), dir.path().join("etiket2.csv"));
    std::fs::write(&first, "Stok Kodu;Ürün Adı;Etiketler\nLED-9W;LED Ampul;\"A, B\"\nKBL-1;Kablo;\n").unwrap();
    std::fs::write(&second, "Stok Kodu;Etiketler\nLED-9W;\"b, C\"\n").unwrap();
    let mut imported = catalog_with_connection(&dir.path().join("import.db"));
    let apply = |conn: &mut Connection, file: &Path| progress::silent(|task| import::apply(conn, file, &ImportOptions::default(), task)).unwrap();
    apply(&mut imported, &first);
    let batch = apply(&mut imported, &second).batch;

    let mut by_hand = catalog_with_connection(&dir.path().join("hand.db"));
    catalog::create_product(&mut by_hand, &ProductFields::new("LED-9W", "LED Ampul")).unwrap();
    for tag in ["A", "B", "C"] {
        catalog::add_tag(&mut by_hand, tag, None, None).unwrap();
    }
    catalog::tag_product(&mut by_hand, "LED-9W", "A").unwrap();
    catalog::tag_product(&mut by_hand, "LED-9W", "B").unwrap();
    catalog::create_product(&mut by_hand, &ProductFields::new("KBL-1", "Kablo")).unwrap();
    catalog::untag_product(&mut by_hand, "LED-9W", "A").unwrap();
    catalog::tag_product(&mut by_hand, "LED-9W", "C").unwrap();
    assert_eq!(outbox(&imported), outbox(&by_hand));
    assert_eq!(outbox(&imported).iter().map(|o| o.3).collect::<Vec<_>>(), [0, 4], "KBL-1: created; LED-9W: created, then 4 tag changes");

    import::undo(&mut imported, batch, false).unwrap();
    catalog::untag_product(&mut by_hand, "LED-9W", "C").unwrap();
    catalog::tag_product(&mut by_hand, "LED-9W", "A").unwrap();
    assert_eq!(outbox(&imported), outbox(&by_hand));
    let tags = catalog::product_detail(&imported, "LED-9W").unwrap().tags.into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(tags, ["A", "B"]);
}
