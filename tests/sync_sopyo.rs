//! Sync with Sopyo end to end, against the stateful fake on 127.0.0.1: a large pull, offline
//! edits pushed in batches, orders pulled twice, three-way merges and conflicts, every
//! fault at every step, and a seeded simulation of edits, faults and restarts.

#[path = "support/sopyo_fake.rs"]
mod sopyo_fake;

use raf::catalog::{self, ProductFields};
use raf::progress::{self, Task};
use raf::stock::{self, Change};
use raf::sync::{self, Limits, NewConnection, RunOptions, Settings, Side};
use rusqlite::Connection;
use rust_decimal::Decimal;
use sopyo_fake::{FakeSopyo, Fault, Price, API_TOKEN};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tempfile::TempDir;

const NAME: &str = "sopyo";

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

fn open(dir: &TempDir) -> Connection {
    raf::db::open(&dir.path().join("raf.db")).unwrap()
}

/// Tests keep tokens in keyring's mock store (this process only).
fn use_mock_keychain() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any test thread reads the environment through keyring.
    ONCE.call_once(|| unsafe { std::env::set_var("RAF_KEYRING", "mock") });
}

fn options() -> RunOptions {
    RunOptions {
        dry_run: false,
        token: Some(API_TOKEN.into()),
        limits: Limits { timeout: Duration::from_millis(700), attempts: 4, backoff: Duration::from_millis(20), max_wait: Duration::from_secs(5) },
        ..RunOptions::default()
    }
}

fn connect(conn: &mut Connection, fake: &FakeSopyo, name: &str) {
    use_mock_keychain();
    let new = NewConnection { name: name.into(), kind: sync::Kind::Sopyo, base_url: Some(fake.base_url()), settings: Settings::default() };
    sync::add_connection(conn, &new, API_TOKEN).unwrap();
}

fn run(conn: &mut Connection) -> raf::Result<sync::RunSummary> {
    progress::silent(|task| sync::run(conn, NAME, &options(), task))
}

fn prices(sale: i64, list: Option<i64>) -> BTreeMap<u8, Price> {
    (1..=10u8).map(|g| (g, Price { sale: Some(d(sale + g as i64)), list: list.map(|l| d(l + g as i64)) })).collect()
}

fn local_stock(conn: &Connection, sku: &str) -> Decimal {
    let item = catalog::resolve_sku(conn, sku).unwrap();
    match item.variant_id {
        Some(v) => catalog::product_detail(conn, sku).unwrap().variants.into_iter().find(|x| x.id == v).unwrap().on_hand,
        None => catalog::product_detail(conn, sku).unwrap().product.on_hand,
    }
}

/// Local prices of a product or variant as (group -> (sale, list)).
fn local_prices(conn: &Connection, sku: &str) -> BTreeMap<u8, Price> {
    let detail = catalog::product_detail(conn, sku).unwrap();
    let list = match detail.variants.iter().find(|v| v.sku == sku) {
        Some(v) => v.prices.clone(),
        None => detail.prices.clone(),
    };
    list.into_iter().filter(|p| p.sale.is_some()).map(|p| (p.group, Price { sale: p.sale, list: p.list })).collect()
}

/// Every SKU the remote holds, with stock (None for products with variants) and prices.
fn remote_items(fake: &FakeSopyo) -> Vec<(String, Option<Decimal>, BTreeMap<u8, Price>)> {
    let world = fake.world();
    let mut items = Vec::new();
    for p in world.products.values() {
        items.push((p.stock_code.clone(), p.variants.is_empty().then_some(p.stock), p.prices.clone()));
        for v in &p.variants {
            items.push((v.stock_code.clone(), Some(v.stock), v.prices.clone()));
        }
    }
    items
}

/// Every local item: SKU -> (stock, None for a product with variants; prices).
fn local_items(conn: &Connection) -> BTreeMap<String, (Option<Decimal>, BTreeMap<u8, Price>)> {
    use raf::db::Fixed;
    let mut keys = BTreeMap::new();
    let mut items = BTreeMap::new();
    let mut stmt = conn
        .prepare(
            "SELECT p.sku, CASE WHEN EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL) THEN NULL ELSE p.on_hand END,
                    p.id, NULL FROM products p WHERE p.deleted_at IS NULL
             UNION ALL SELECT sku, on_hand, product_id, id FROM variants WHERE deleted_at IS NULL",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<Fixed>>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?)))
        .unwrap();
    for row in rows {
        let (sku, stock, product, variant) = row.unwrap();
        keys.insert((product, variant), sku.clone());
        items.insert(sku, (stock.map(|f| f.0), BTreeMap::new()));
    }
    let mut stmt = conn.prepare("SELECT product_id, variant_id, group_no, sale, list FROM prices").unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, u8>(2)?, r.get::<_, Fixed>(3)?, r.get::<_, Option<Fixed>>(4)?))
        })
        .unwrap();
    for row in rows {
        let (product, variant, group, sale, list) = row.unwrap();
        // Products in the trash are not compared (deleted on the remote).
        let Some(sku) = keys.get(&(product, variant)) else { continue };
        items.get_mut(sku).unwrap().1.insert(group, Price { sale: Some(sale.0), list: list.map(|f| f.0) });
    }
    items
}

/// The local catalog equals the remote: same SKUs, stock and prices, nothing extra.
fn assert_same(conn: &Connection, fake: &FakeSopyo) {
    let local = local_items(conn);
    let remote = remote_items(fake);
    for (sku, stock, prices) in &remote {
        let (local_stock, local_prices) = local.get(sku).unwrap_or_else(|| panic!("{sku} missing locally"));
        assert_eq!(local_stock, stock, "stock of {sku}");
        assert_eq!(local_prices, prices, "prices of {sku}");
    }
    assert_eq!(local.len(), remote.len(), "item counts");
    assert!(stock::check_ledger(conn).unwrap().is_empty(), "ledger holds");
}

fn seed_remote(fake: &FakeSopyo, products: usize) {
    let mut world = fake.world();
    for i in 0..products {
        let sku = format!("P{i:05}");
        if i % 10 == 0 {
            let variants = ["S", "M", "L"]
                .iter()
                .enumerate()
                .map(|(k, size)| {
                    (format!("{sku}-{size}"), vec![("Beden".to_owned(), size.to_string()), ("Renk".to_owned(), "Mavi".to_owned())], d(k as i64 + 1))
                })
                .collect();
            world.add_product(&sku, &format!("Ürün {sku}"), Decimal::ZERO, prices(100 + i as i64, Some(200)), variants);
        } else {
            world.add_product(&sku, &format!("Ürün {sku}"), d((i % 50) as i64), prices(100 + i as i64, None), Vec::new());
        }
    }
}

#[test]
fn pulls_5000_products_then_pushes_offline_price_and_stock_edits() {
    let fake = FakeSopyo::start();
    seed_remote(&fake, 5000);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);

    let first = run(&mut conn).unwrap();
    assert_eq!(first.status, "ok", "{:?}", first.log);
    assert_eq!(first.counts.created_locally, 5000);
    assert_eq!(first.counts.conflicts, 0);
    assert_same(&conn, &fake);
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0, "nothing to push after a pull");

    // Offline: prices and stock change in Raf only.
    for i in (1..5000).step_by(7).filter(|i| i % 10 != 0) {
        let sku = format!("P{i:05}");
        catalog::set_price(&mut conn, &sku, 1, d(9000 + i as i64), Some(d(9999))).unwrap();
        stock::adjust(&mut conn, &sku, Change::Add(d(5)), None).unwrap();
    }
    stock::adjust(&mut conn, "P00010-M", Change::Sub(d(1)), None).unwrap();
    assert!(sync::pending_count(&conn, Some(NAME)).unwrap() > 600);
    let before = fake.world().requests.len();
    let second = run(&mut conn).unwrap();
    assert_eq!(second.status, "ok", "{:?}", second.log);
    assert_same(&conn, &fake);
    assert_eq!(fake.world().item("P00010-M").unwrap().0, d(1));
    let pushes = fake.world().requests[before..].iter().filter(|r| r.starts_with("POST /api/v2/process")).count();
    assert_eq!(pushes, second.counts.items_pushed.div_ceil(100) as usize, "batched by 100");
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
}

#[test]
fn an_order_pulled_twice_takes_stock_out_once() {
    let fake = FakeSopyo::start();
    {
        let mut w = fake.world();
        w.add_product("KALEM-1", "Tükenmez kalem", d(10), prices(5, None), Vec::new());
        w.add_product(
            "TSHIRT",
            "Tişört basic",
            Decimal::ZERO,
            prices(100, None),
            vec![("TSHIRT-M".into(), vec![("Beden".into(), "M".into())], d(4))],
        );
        w.add_order("TY-1001", 1, &[("KALEM-1", None, 2, d(30)), ("TSHIRT", Some("TSHIRT-M"), 1, d(100))]);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.counts.orders_recorded, 1, "{:?}", summary.log);
    assert_eq!(local_stock(&conn, "KALEM-1"), d(8));
    assert_eq!(local_stock(&conn, "TSHIRT-M"), d(3));
    // The sale is a local change: Sopyo does not take stock for orders (fake, doc silent).
    assert_eq!(fake.world().item("KALEM-1").unwrap().0, d(8));

    // Pulled again, and again after losing the link (a crash between record and link).
    run(&mut conn).unwrap();
    conn.execute("DELETE FROM sync_links WHERE entity = 'order'", []).unwrap();
    let third = run(&mut conn).unwrap();
    assert_eq!(third.counts.orders_recorded, 0);
    assert_eq!(local_stock(&conn, "KALEM-1"), d(8));
    assert_eq!(local_stock(&conn, "TSHIRT-M"), d(3));
    let sales: i64 = conn.query_row("SELECT count(*) FROM stock_movements WHERE kind = 'sale'", [], |r| r.get(0)).unwrap();
    assert_eq!(sales, 2);

    // Cancelled on Sopyo: the stock comes back once; a local status change is pushed.
    let order_id = *fake.world().orders.keys().next().unwrap();
    fake.world().orders.get_mut(&order_id).unwrap()["order_status"] = serde_json::json!(4);
    run(&mut conn).unwrap();
    run(&mut conn).unwrap();
    assert_eq!(local_stock(&conn, "KALEM-1"), d(10));
    assert_eq!(raf::orders::order(&conn, "TY-1001").unwrap().status, raf::orders::OrderStatus::Cancelled);
}

#[test]
fn stock_merges_as_deltas_and_prices_changed_on_both_sides_become_conflicts() {
    let fake = FakeSopyo::start();
    fake.world().add_product("A-1", "Defter A4", d(20), prices(50, None), Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    run(&mut conn).unwrap();

    stock::adjust(&mut conn, "A-1", Change::Sub(d(2)), Some("tezgah")).unwrap();
    fake.world().move_stock("A-1", d(-3));
    catalog::set_price(&mut conn, "A-1", 1, d(70), None).unwrap();
    fake.world().set_price("A-1", 1, d(80));
    fake.world().set_price("A-1", 2, d(99));
    let summary = run(&mut conn).unwrap();
    assert_eq!(local_stock(&conn, "A-1"), d(15));
    assert_eq!(fake.world().item("A-1").unwrap().0, d(15));
    assert_eq!(local_prices(&conn, "A-1")[&2].sale, Some(d(99)), "a remote-only change is applied");
    assert_eq!(summary.counts.conflicts, 1);

    let conflicts = sync::conflicts(&conn, None).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].field, "price.1");
    assert_eq!(conflicts[0].local["sale"], "70");
    assert_eq!(conflicts[0].remote["sale"], "80");
    // Until resolved, neither side is overwritten.
    run(&mut conn).unwrap();
    assert_eq!(local_prices(&conn, "A-1")[&1].sale, Some(d(70)));
    assert_eq!(fake.world().item("A-1").unwrap().1[&1].sale, Some(d(80)));

    sync::resolve_conflict(&mut conn, conflicts[0].id, Side::Local).unwrap();
    run(&mut conn).unwrap();
    assert_eq!(fake.world().item("A-1").unwrap().1[&1].sale, Some(d(70)));
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
    assert_same(&conn, &fake);
}

#[test]
fn new_local_products_and_variants_are_created_remotely_once() {
    let fake = FakeSopyo::start();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    catalog::create_product(&mut conn, &ProductFields::new("YENI-1", "Yeni ürün bir")).unwrap();
    catalog::set_price(&mut conn, "YENI-1", 1, d(12), Some(d(15))).unwrap();
    stock::adjust(&mut conn, "YENI-1", Change::Add(d(7)), None).unwrap();
    catalog::create_product(&mut conn, &ProductFields::new("GOMLEK", "Gömlek slim")).unwrap();
    let axis = catalog::OptionAxis { group: "Beden".into(), values: vec!["M".into(), "L".into()] };
    catalog::generate_variants(&mut conn, "GOMLEK", &[axis]).unwrap();
    catalog::set_price(&mut conn, "GOMLEK-M", 1, d(300), None).unwrap();
    stock::adjust(&mut conn, "GOMLEK-M", Change::Add(d(2)), None).unwrap();
    // The first create's answer is lost: it is read back by SKU, not sent twice.
    fake.world().inject("POST /api/v2/products", Fault::LoseResponse, 1);
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.counts.created_remotely, 2, "{:?}", summary.log);
    assert_eq!(fake.world().products.len(), 2);
    assert_same(&conn, &fake);

    // A variant added later goes through the variant upsert.
    let axis = catalog::OptionAxis { group: "Beden".into(), values: vec!["XL".into()] };
    catalog::generate_variants(&mut conn, "GOMLEK", &[axis]).unwrap();
    stock::adjust(&mut conn, "GOMLEK-XL", Change::Add(d(1)), None).unwrap();
    run(&mut conn).unwrap();
    assert_same(&conn, &fake);
    assert_eq!(fake.world().count("PUT /api/v2/products/"), 1);
}

#[test]
fn a_dry_run_changes_nothing_and_a_bad_token_fails_clearly() {
    let fake = FakeSopyo::start();
    seed_remote(&fake, 30);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    let plan = progress::silent(|task| sync::run(&mut conn, NAME, &RunOptions { dry_run: true, ..options() }, task)).unwrap();
    assert_eq!(plan.counts.created_locally, 30);
    assert!(plan.dry_run);
    let products: i64 = conn.query_row("SELECT count(*) FROM products", [], |r| r.get(0)).unwrap();
    assert_eq!(products, 0);

    let err = progress::silent(|task| sync::run(&mut conn, NAME, &RunOptions { token: Some("wrong-token".into()), ..options() }, task)).unwrap_err();
    assert_eq!(err.code(), "sync.unauthorized");
    let last = sync::last_run(&conn, NAME).unwrap().unwrap();
    assert_eq!(last.status, "failed");
    assert!(sync::test_connection(&conn, NAME, &options()).is_ok());
    // The stored token (mock keychain) is used when none is given.
    assert!(sync::test_connection(&conn, NAME, &RunOptions { token: None, ..options() }).is_ok());
    let db_bytes = std::fs::read(dir.path().join("raf.db")).unwrap();
    assert!(!db_bytes.windows(API_TOKEN.len()).any(|w| w == API_TOKEN.as_bytes()), "no token in SQLite");
    assert!(last.log.iter().all(|l| !l.message.contains("wrong-token")), "no token in the log");
}

#[test]
fn cancelling_stops_the_run_and_the_next_run_resumes() {
    let fake = FakeSopyo::start();
    seed_remote(&fake, 250);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    let cancelled = AtomicBool::new(false);
    let report = |step: progress::Step| {
        if step.phase == "pull_products" && step.done == 2 {
            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let err = sync::run(&mut conn, NAME, &options(), &Task::new(&cancelled, &report)).unwrap_err();
    assert_eq!(err.code(), "task.cancelled");
    assert_eq!(sync::last_run(&conn, NAME).unwrap().unwrap().status, "cancelled");
    run(&mut conn).unwrap();
    assert_same(&conn, &fake);
}

/// Where a fault is injected: each step of a run.
const STEPS: &[&str] = &[
    "POST /api/v2/auth/login",
    "GET /api/v2/products",
    "GET /api/v2/orders",
    "POST /api/v2/process/price-and-stock",
    "POST /api/v2/products",
    "PUT /api/v2/products/",
    "DELETE /api/v2/products/",
    "POST /api/v2/orders",
    "POST /api/v2/variant-group",
    "POST /api/v2/tags",
];

/// Every fault at every step: afterwards no stock change is doubled or lost, on either side.
#[test]
fn fault_matrix_loses_and_doubles_nothing() {
    for step in STEPS {
        for fault in Fault::all() {
            let fake = FakeSopyo::start();
            seed_remote(&fake, 12);
            fake.world().add_order("TY-9", 1, &[("P00001", None, 1, d(10))]);
            let dir = tempfile::tempdir().unwrap();
            let mut conn = open(&dir);
            connect(&mut conn, &fake, NAME);
            let settings = Settings { orders: sync::Direction::Both, ..Settings::default() };
            sync::update_settings(&mut conn, NAME, &settings).unwrap();
            run(&mut conn).unwrap();
            let expected_after = |conn: &Connection| local_stock(conn, "P00002");
            // A linked product goes to the trash; a counter sale is recorded in Raf.
            catalog::soft_delete_product(&mut conn, "P00005").unwrap();
            let line = raf::orders::NewLine {
                sku: "P00004".into(),
                quantity: d(1),
                unit_price: None,
                commission_price: Decimal::ZERO,
                marketplace_id: None,
                marketplace_product_id: None,
            };
            let manual = raf::orders::record_order(&mut conn, &raf::orders::NewOrder::manual(vec![line])).unwrap().0;
            let expected_p4 = local_stock(&conn, "P00004");
            catalog::add_tag(&mut conn, "Kampanya", None, None).unwrap();
            catalog::tag_product(&mut conn, "P00006", "Kampanya").unwrap();
            // Both sides change; a new product and a new variant wait to be created.
            stock::adjust(&mut conn, "P00002", Change::Sub(d(1)), None).unwrap();
            stock::adjust(&mut conn, "P00010-S", Change::Add(d(4)), None).unwrap();
            catalog::set_price(&mut conn, "P00003", 1, d(777), None).unwrap();
            catalog::create_product(&mut conn, &ProductFields::new("NEW-1", "Yeni ürün")).unwrap();
            stock::adjust(&mut conn, "NEW-1", Change::Add(d(3)), None).unwrap();
            let axis = catalog::OptionAxis { group: "Beden".into(), values: vec!["XS".into()] };
            catalog::generate_variants(&mut conn, "P00010", &[axis]).unwrap();
            fake.world().move_stock("P00002", d(-2));
            fake.world().move_stock("P00010-S", d(-1));
            let expected_p2 = expected_after(&conn) - d(2);
            let expected_s = local_stock(&conn, "P00010-S") - d(1);

            fake.world().inject(step, fault.clone(), 1);
            let first = run(&mut conn);
            fake.world().clear_faults();
            let second = run(&mut conn);
            let context = format!(
                "{fault:?} at {step}: first {:?}, second {:?}",
                first.as_ref().map(|s| &s.log).map_err(|e| e.to_string()),
                second.as_ref().map(|s| (&s.status, &s.log)).map_err(|e| e.to_string())
            );
            let second = second.unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_eq!(second.status, "ok", "{context}");
            assert!(sync::conflicts(&conn, None).unwrap().is_empty(), "{context}");
            assert_eq!(local_stock(&conn, "P00002"), expected_p2, "{context}");
            assert_eq!(local_stock(&conn, "P00010-S"), expected_s, "{context}");
            assert_eq!(fake.world().item("P00003").unwrap().1[&1].sale, Some(d(777)), "{context}");
            assert_eq!(fake.world().products.values().filter(|p| p.stock_code == "NEW-1").count(), 1, "{context}");
            let sales: i64 = conn.query_row("SELECT count(*) FROM stock_movements WHERE kind = 'sale'", [], |r| r.get(0)).unwrap();
            assert_eq!(sales, 2, "{context}");
            assert_eq!(fake.world().products.values().filter(|p| p.stock_code == "P00005").count(), 0, "{context}");
            let created = fake.world().orders.values().filter(|o| o["order_code"] == manual.code.as_str()).count();
            assert_eq!(created, 1, "{context}");
            assert_eq!(local_stock(&conn, "P00004"), expected_p4, "{context}");
            {
                let w = fake.world();
                let p6 = w.products.iter().find(|(_, p)| p.stock_code == "P00006").map(|(id, _)| *id).unwrap();
                let tagged: Vec<_> = w.tags.values().filter(|(name, _, _)| name == "Kampanya").map(|(_, _, m)| m.clone()).collect();
                assert_eq!(tagged, [[p6].into()], "{context}");
                let groups: Vec<_> = w.variant_groups.values().filter(|(name, _)| name == "Beden").map(|(_, v)| v.len()).collect();
                assert_eq!(groups, [1], "one Beden group holding XS once: {context}");
            }
            let orders: i64 = conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
            assert_eq!(orders, 2, "{context}");
            assert_same(&conn, &fake);
            assert_eq!(sync::pending_count(&conn, None).unwrap(), 0, "{context}");
        }
    }
}

/// Random local and remote edits, faults and restarts, over many seeds: in the end both
/// sides hold every stock change exactly once and every price edit.
#[test]
fn seeded_simulation_keeps_every_change_exactly_once() {
    let seeds: u64 = std::env::var("RAF_SYNC_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    for seed in 0..seeds {
        simulate(seed);
    }
}

fn simulate(seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let fake = FakeSopyo::start();
    seed_remote(&fake, 15);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    // Both sides sell freely: quantities may dip below zero on the way.
    raf::settings::set_allow_negative_stock(&mut conn, true).unwrap();
    run(&mut conn).unwrap();
    let skus: Vec<String> = remote_items(&fake).into_iter().filter(|(_, stock, _)| stock.is_some()).map(|(sku, _, _)| sku).collect();
    // The expected quantity of each item: the pulled one plus every change on either side.
    let mut expected: BTreeMap<String, Decimal> = skus.iter().map(|s| (s.clone(), local_stock(&conn, s))).collect();
    let mut expected_price: BTreeMap<String, Decimal> = BTreeMap::new();
    let faults = Fault::all();
    for round in 0..6 {
        let mut priced_this_round = std::collections::HashSet::new();
        for _ in 0..rng.usize(1..6) {
            let sku = &skus[rng.usize(..skus.len())];
            let delta = d(rng.i64(-3..=4));
            if delta.is_zero() {
                continue;
            }
            if rng.bool() {
                let change = if delta > Decimal::ZERO { Change::Add(delta) } else { Change::Sub(-delta) };
                stock::adjust(&mut conn, sku, change, None).unwrap();
            } else {
                fake.world().move_stock(sku, delta);
            }
            *expected.get_mut(sku).unwrap() += delta;
            // One side per item per round edits a price, so no conflict is expected.
            if rng.u8(..4) == 0 && priced_this_round.insert(sku.clone()) {
                let price = d(rng.i64(1..100_000));
                if rng.bool() {
                    catalog::set_price(&mut conn, sku, 1, price, None).unwrap();
                } else {
                    fake.world().set_price(sku, 1, price);
                }
                expected_price.insert(sku.clone(), price);
            }
        }
        if rng.bool() {
            let step = STEPS[rng.usize(..4)];
            fake.world().inject(step, faults[rng.usize(..faults.len())].clone(), rng.usize(1..3));
        }
        let _ = run(&mut conn);
        if rng.u8(..3) == 0 {
            // A restart: the app closes and opens the catalog again.
            drop(conn);
            conn = open(&dir);
        }
        let _ = round;
    }
    fake.world().clear_faults();
    for _ in 0..2 {
        run(&mut conn).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
    assert!(sync::conflicts(&conn, None).unwrap().is_empty(), "seed {seed}: {:?}", sync::conflicts(&conn, None).unwrap());
    for (sku, qty) in &expected {
        assert_eq!(local_stock(&conn, sku), *qty, "seed {seed}: local stock of {sku}");
        assert_eq!(fake.world().item(sku).unwrap().0, *qty, "seed {seed}: remote stock of {sku}");
    }
    for (sku, price) in &expected_price {
        assert_eq!(local_prices(&conn, sku)[&1].sale, Some(*price), "seed {seed}: local price of {sku}");
        assert_eq!(fake.world().item(sku).unwrap().1[&1].sale, Some(*price), "seed {seed}: remote price of {sku}");
    }
    assert_same(&conn, &fake);
}

/// The CLI: `connection add|list|test|rm`, `sync [--dry-run] [--json]`, `conflicts list|resolve`.
#[test]
fn cli_connects_syncs_and_resolves_conflicts() {
    let fake = FakeSopyo::start();
    seed_remote(&fake, 5);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raf.db");
    let raf = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("raf").unwrap();
        cmd.env("RAF_DB", &db).env("RAF_KEYRING", "mock").env("RAF_SYNC_TOKEN", API_TOKEN).args(args);
        cmd
    };
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_slice(&raf(args).assert().success().get_output().stdout).unwrap() };
    raf(&["connection", "add", "shop", "--url", &fake.base_url(), "--price-groups", "1=1,2=2"]).assert().success();
    assert_eq!(json(&["connection", "list", "--json"])[0]["name"], "shop");
    raf(&["connection", "test", "shop"]).assert().success().stdout(predicates::str::contains("login ok"));

    let plan = json(&["sync", "shop", "--dry-run", "--json"]);
    assert_eq!(plan[0]["dry_run"], true);
    assert_eq!(plan[0]["counts"]["created_locally"], 5);
    let done = json(&["sync", "--json"]);
    assert_eq!(done[0]["status"], "ok");
    assert_eq!(done[0]["counts"]["created_locally"], 5);

    {
        let mut conn = open(&dir);
        catalog::set_price(&mut conn, "P00001", 1, d(11), None).unwrap();
    }
    fake.world().set_price("P00001", 1, d(12));
    raf(&["sync", "shop"]).assert().success().stdout(predicates::str::contains("1 conflicts"));
    let conflicts = json(&["conflicts", "list", "--json"]);
    assert_eq!(conflicts.as_array().unwrap().len(), 1);
    let id = conflicts[0]["id"].to_string();
    raf(&["conflicts", "resolve", &id, "--keep", "remote"]).assert().success();
    assert_eq!(local_prices(&open(&dir), "P00001")[&1].sale, Some(d(12)));

    let failed = raf(&["sync", "shop", "--json"]).env("RAF_SYNC_TOKEN", "not-the-token").assert().code(1);
    let err: serde_json::Value = serde_json::from_slice(&failed.get_output().stderr).unwrap();
    assert_eq!(err["code"], "sync.unauthorized");
    raf(&["connection", "rm", "shop"]).assert().success();
    raf(&["sync", "shop"]).assert().code(1).stderr(predicates::str::contains("no connection named shop"));
}

/// Names, barcodes, subtitles and descriptions merge three-way too, field by field.
#[test]
fn product_text_fields_merge_field_by_field() {
    let fake = FakeSopyo::start();
    fake.world().add_product("K-1", "Kahve fincanı", d(3), prices(10, None), Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    run(&mut conn).unwrap();

    let mut fields = catalog::product_detail(&conn, "K-1").unwrap().product.fields;
    fields.name = "Kahve fincanı seti".into();
    catalog::update_product(&mut conn, "K-1", &fields).unwrap();
    {
        let mut w = fake.world();
        let p = w.products.values_mut().next().unwrap();
        p.description = Some("Porselen, 6 adet".into());
    }
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.counts.conflicts, 0, "{:?}", summary.log);
    assert_eq!(fake.world().products.values().next().unwrap().title, "Kahve fincanı seti");
    let local = catalog::product_detail(&conn, "K-1").unwrap().product.fields;
    assert_eq!(local.description.as_deref(), Some("Porselen, 6 adet"));

    // Both rename it: a conflict with both names; keeping the remote's renames it here.
    let mut fields = local.clone();
    fields.name = "Fincan takımı".into();
    catalog::update_product(&mut conn, "K-1", &fields).unwrap();
    fake.world().products.values_mut().next().unwrap().title = "Fincan seti 6'lı".into();
    run(&mut conn).unwrap();
    let conflicts = sync::conflicts(&conn, Some(NAME)).unwrap();
    assert_eq!((conflicts.len(), conflicts[0].field.as_str()), (1, "info.name"));
    assert_eq!(conflicts[0].local, "Fincan takımı");
    sync::resolve_conflict(&mut conn, conflicts[0].id, Side::Remote).unwrap();
    run(&mut conn).unwrap();
    assert_eq!(catalog::product_detail(&conn, "K-1").unwrap().product.fields.name, "Fincan seti 6'lı");
    assert_eq!(fake.world().products.values().next().unwrap().title, "Fincan seti 6'lı");
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
}

fn counter_sale(sku: &str, quantity: i64) -> raf::orders::NewOrder {
    raf::orders::NewOrder::manual(vec![raf::orders::NewLine {
        sku: sku.into(),
        quantity: d(quantity),
        unit_price: None,
        commission_price: Decimal::ZERO,
        marketplace_id: None,
        marketplace_product_id: None,
    }])
}

/// Image URL lists, categories and brands merge three-way like the text fields; a local
/// category Sopyo lacks is created there (products name it by id on write).
#[test]
fn images_categories_and_brands_sync_both_ways() {
    let fake = FakeSopyo::start();
    let id = fake.world().add_product("IMG-1", "Resimli ürün", d(3), prices(10, None), Vec::new());
    {
        let mut w = fake.world();
        let p = w.products.get_mut(&id).unwrap();
        p.images = vec!["https://cdn.example.com/a.jpg".into(), "https://cdn.example.com/b.jpg".into()];
        p.brand = Some("Bot".into());
    }
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    run(&mut conn).unwrap();
    let detail = catalog::product_detail(&conn, "IMG-1").unwrap();
    assert_eq!(detail.product.fields.image_urls, ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"]);
    assert_eq!((detail.category.as_deref(), detail.brand.as_deref()), (Some("Genel"), Some("Bot")));

    // Raf changes all three: the remote gets the new list, a new category (by id) and brand.
    let mut fields = detail.product.fields.clone();
    fields.image_urls = vec!["https://cdn.example.com/c.jpg".into()];
    fields.category_id = Some(catalog::add_category(&mut conn, "Kırtasiye", None, None).unwrap().id);
    fields.brand_id = Some(catalog::add_brand(&mut conn, "Faber").unwrap().id);
    catalog::update_product(&mut conn, "IMG-1", &fields).unwrap();
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    {
        let w = fake.world();
        let p = &w.products[&id];
        assert_eq!(p.images, ["https://cdn.example.com/c.jpg"]);
        assert_eq!(p.brand.as_deref(), Some("Faber"));
        assert_eq!(w.categories[&p.category_id], "Kırtasiye");
        assert_eq!(w.categories.values().filter(|c| *c == "Kırtasiye").count(), 1);
    }

    // The remote changes the images back: pulled, nothing pushed again.
    fake.world().products.get_mut(&id).unwrap().images = vec!["https://cdn.example.com/d.jpg".into()];
    let puts = fake.world().count("PUT /api/v2/products/");
    run(&mut conn).unwrap();
    assert_eq!(catalog::product_detail(&conn, "IMG-1").unwrap().product.fields.image_urls, ["https://cdn.example.com/d.jpg"]);
    assert_eq!(fake.world().count("PUT /api/v2/products/"), puts);
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
}

/// A product Raf deletes (and a variant it removes) is deleted on Sopyo once, even when
/// the answer is lost. A product gone from Sopyo is never deleted in Raf on its own: it
/// becomes a `deleted` conflict; keeping it re-creates it remotely, taking the remote's
/// side moves it to the trash.
#[test]
fn deletes_reach_sopyo_once_and_remote_deletes_are_flagged() {
    let fake = FakeSopyo::start();
    {
        let mut w = fake.world();
        w.add_product("DEL-A", "Silinecek ürün", d(2), prices(10, None), Vec::new());
        let sizes = vec![("DEL-B-S".into(), vec![("Beden".into(), "S".into())], d(1)), ("DEL-B-M".into(), vec![("Beden".into(), "M".into())], d(0))];
        w.add_product("DEL-B", "Varyantlı ürün", Decimal::ZERO, prices(20, None), sizes);
        w.add_product("GONE-C", "Uzakta silinen", d(5), prices(30, None), Vec::new());
        w.add_product("GONE-D", "Uzakta silinen iki", d(6), prices(40, None), Vec::new());
    }
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    run(&mut conn).unwrap();

    catalog::soft_delete_product(&mut conn, "DEL-A").unwrap();
    catalog::remove_variant(&mut conn, "DEL-B-M").unwrap();
    fake.world().inject("DELETE /api/v2/products/", Fault::LoseResponse, 1);
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    assert_eq!(summary.counts.deleted_remotely, 2, "{:?}", summary.log);
    assert!(fake.world().item("DEL-A").is_none());
    assert!(fake.world().item("DEL-B-M").is_none());
    assert!(fake.world().item("DEL-B-S").is_some());
    let deletes = fake.world().count("DELETE ");
    run(&mut conn).unwrap();
    assert_eq!(fake.world().count("DELETE "), deletes, "a delete is sent until it is confirmed, then never again");
    assert_same(&conn, &fake);

    // A variant deleted in Sopyo's app: flagged; keeping it adds it there again.
    let b = *fake.world().products.iter().find(|(_, p)| p.stock_code == "DEL-B").unwrap().0;
    fake.world().products.get_mut(&b).unwrap().variants.clear();
    run(&mut conn).unwrap();
    let flagged = sync::conflicts(&conn, None).unwrap();
    assert_eq!(flagged.iter().map(|c| (c.sku.as_str(), c.field.as_str())).collect::<Vec<_>>(), [("DEL-B-S", "deleted")]);
    sync::resolve_conflict(&mut conn, flagged[0].id, Side::Local).unwrap();
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    assert_eq!(fake.world().item("DEL-B-S").unwrap().0, d(1));
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());

    // Deleted in Sopyo's own app: flagged, not deleted here.
    let ids: Vec<i64> = fake.world().products.iter().filter(|(_, p)| p.stock_code.starts_with("GONE")).map(|(id, _)| *id).collect();
    for id in ids {
        fake.world().products.remove(&id);
    }
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.counts.gone_remotely, 2);
    let conflicts = sync::conflicts(&conn, None).unwrap();
    assert_eq!(conflicts.iter().map(|c| (c.sku.as_str(), c.field.as_str())).collect::<Vec<_>>(), [("GONE-C", "deleted"), ("GONE-D", "deleted")]);
    stock::adjust(&mut conn, "GONE-C", Change::Add(d(1)), None).unwrap();
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.counts.gone_remotely, 0, "flagged once");
    assert_eq!(summary.counts.push_failed, 0, "nothing is written to a product the remote lacks");
    assert!(catalog::product_detail(&conn, "GONE-D").unwrap().product.deleted_at.is_none());

    sync::resolve_conflict(&mut conn, conflicts[0].id, Side::Local).unwrap();
    sync::resolve_conflict(&mut conn, conflicts[1].id, Side::Remote).unwrap();
    // Gone there, then moved to the trash here too: the conflict closes by itself.
    fake.world().add_product("GONE-E", "Uzakta silinen üç", d(1), prices(50, None), Vec::new());
    run(&mut conn).unwrap();
    let e = *fake.world().products.iter().find(|(_, p)| p.stock_code == "GONE-E").unwrap().0;
    fake.world().products.remove(&e);
    run(&mut conn).unwrap();
    assert_eq!(sync::conflicts(&conn, None).unwrap().len(), 1);
    catalog::soft_delete_product(&mut conn, "GONE-E").unwrap();
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    assert_eq!(fake.world().item("GONE-C").unwrap().0, d(6), "kept: created on Sopyo again with Raf's stock");
    assert!(catalog::product_detail(&conn, "GONE-D").unwrap().product.deleted_at.is_some(), "taken: in Raf's trash");
    assert!(fake.world().item("GONE-D").is_none());
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
    assert_same(&conn, &fake);
}

/// A sale recorded in Raf is created on Sopyo (`POST /orders`) once, even when the answer
/// is lost, and pulling it back neither duplicates it nor takes its stock again. Sopyo's
/// doc does not say that an order takes stock there (§3.8; the fake's rule: it does not),
/// so Raf's sale movement is the only decrement and reaches Sopyo as an absolute stock write.
#[test]
fn a_local_order_is_created_on_sopyo_once_and_takes_stock_once() {
    let fake = FakeSopyo::start();
    fake.world().add_product("KASA-1", "Kasa ürünü", d(10), prices(25, None), Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    let settings = Settings { orders: sync::Direction::Both, ..Settings::default() };
    sync::update_settings(&mut conn, NAME, &settings).unwrap();
    run(&mut conn).unwrap();

    let order = raf::orders::record_order(&mut conn, &counter_sale("KASA-1", 3)).unwrap().0;
    assert_eq!(local_stock(&conn, "KASA-1"), d(7));
    fake.world().inject("POST /api/v2/orders", Fault::LoseResponse, 1);
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    for _ in 0..2 {
        run(&mut conn).unwrap();
    }
    let w = fake.world();
    let created: Vec<&serde_json::Value> = w.orders.values().filter(|o| o["order_code"] == order.code.as_str()).collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["order_type"], "SOPYOAPI");
    assert_eq!(created[0]["order_items"][0]["quantity"], 3);
    assert_eq!(w.item("KASA-1").unwrap().0, d(7), "Sopyo holds Raf's quantity: one decrement");
    drop(w);
    assert_eq!(local_stock(&conn, "KASA-1"), d(7));
    let sales: i64 = conn.query_row("SELECT count(*) FROM stock_movements WHERE kind = 'sale'", [], |r| r.get(0)).unwrap();
    let orders: i64 = conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
    assert_eq!((sales, orders), (1, 1));
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);

    // Its status changed in Raf reaches Sopyo through the same link.
    raf::orders::set_status(&mut conn, &order.code, raf::orders::OrderStatus::Shipped).unwrap();
    run(&mut conn).unwrap();
    let w = fake.world();
    assert_eq!(w.orders.values().find(|o| o["order_code"] == order.code.as_str()).unwrap()["order_status"], 3);
}

/// Tags: a local assign or unassign reaches Sopyo through `tags/{id}/add-product` and
/// `remove-product` (a tag Sopyo lacks is created); one Sopyo adds is pulled. Membership is
/// many-to-many although products show a single `tag_id`.
#[test]
fn tags_assigned_in_raf_reach_sopyo_and_back() {
    let fake = FakeSopyo::start();
    let id = fake.world().add_product("TAG-1", "Etiketli ürün", d(1), prices(10, None), Vec::new());
    let other = fake.world().add_product("TAG-2", "Etiketli ürün iki", d(1), prices(10, None), Vec::new());
    fake.world().tags.insert(7, ("Popüler".into(), "black".into(), [other].into()));
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    run(&mut conn).unwrap();
    let names =
        |conn: &Connection, sku: &str| -> Vec<String> { catalog::product_detail(conn, sku).unwrap().tags.into_iter().map(|t| t.name).collect() };
    assert_eq!(names(&conn, "TAG-2"), ["Popüler"], "pulled");
    assert!(names(&conn, "TAG-1").is_empty());

    catalog::add_tag(&mut conn, "Yeni sezon", None, None).unwrap();
    catalog::tag_product(&mut conn, "TAG-1", "Yeni sezon").unwrap();
    catalog::tag_product(&mut conn, "TAG-1", "Popüler").unwrap();
    catalog::untag_product(&mut conn, "TAG-2", "Popüler").unwrap();
    fake.world().inject("POST /api/v2/tags/7/add-product", Fault::LoseResponse, 1);
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    {
        let w = fake.world();
        let members = |name: &str| w.tags.values().filter(|(n, _, _)| n == name).map(|(_, _, m)| m.clone()).collect::<Vec<_>>();
        assert_eq!(members("Popüler"), [[id].into()]);
        assert_eq!(members("Yeni sezon"), [[id].into()], "created once on Sopyo, with the product in it");
    }
    // Nothing left to send; Sopyo's own change comes back.
    let tag_writes = |fake: &FakeSopyo| {
        let w = fake.world();
        w.count("POST /api/v2/tags") + w.count("DELETE /api/v2/tags")
    };
    let writes = tag_writes(&fake);
    fake.world().tags.get_mut(&7).unwrap().2.insert(other);
    run(&mut conn).unwrap();
    assert_eq!(tag_writes(&fake), writes);
    assert_eq!(names(&conn, "TAG-2"), ["Popüler"]);
    assert_eq!(names(&conn, "TAG-1"), ["Popüler", "Yeni sezon"]);
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
}

/// Variant groups: Sopyo's groups and values become local option groups; a variant Raf
/// adds with a new group and value has them created on Sopyo first, once.
#[test]
fn variant_groups_are_pulled_and_new_ones_created_before_their_variants() {
    let fake = FakeSopyo::start();
    {
        let mut w = fake.world();
        w.variant_groups.insert(1, ("Beden".into(), [(2, "S".to_owned()), (3, "M".to_owned())].into()));
        w.variant_groups.insert(9, ("Hafıza".into(), [(10, "128GB".to_owned())].into()));
        let sizes = vec![("GRP-S".into(), vec![("Beden".into(), "S".into())], d(1))];
        w.add_product("GRP", "Gruplu ürün", Decimal::ZERO, prices(10, None), sizes);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    run(&mut conn).unwrap();
    let local: Vec<(String, String)> = conn
        .prepare("SELECT g.name, v.name FROM option_values v JOIN option_groups g ON g.id = v.group_id ORDER BY g.name, v.name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let pair = |g: &str, v: &str| (g.to_owned(), v.to_owned());
    assert_eq!(local, [pair("Beden", "M"), pair("Beden", "S"), pair("Hafıza", "128GB")]);

    // A new value of a known group, and a new group, on a new product's variant; the
    // first value create loses its answer: read again, not created twice.
    catalog::create_product(&mut conn, &ProductFields::new("RENKLI", "Renkli ürün")).unwrap();
    let axes = [
        catalog::OptionAxis { group: "Beden".into(), values: vec!["XL".into()] },
        catalog::OptionAxis { group: "Renk".into(), values: vec!["Kırmızı".into()] },
    ];
    catalog::generate_variants(&mut conn, "RENKLI", &axes).unwrap();
    fake.world().inject("POST /api/v2/variant-group/1/values", Fault::LoseResponse, 1);
    run(&mut conn).unwrap();
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    let w = fake.world();
    let groups: BTreeMap<String, Vec<String>> =
        w.variant_groups.values().map(|(name, values)| (name.clone(), values.values().cloned().collect())).collect();
    assert_eq!(groups["Beden"], ["S", "M", "XL"]);
    assert_eq!(groups["Renk"], ["Kırmızı"]);
    assert_eq!(w.products.values().filter(|p| p.stock_code == "RENKLI").count(), 1);
    let first_group_write = w.requests.iter().position(|r| r.starts_with("POST /api/v2/variant-group")).unwrap();
    let create = w.requests.iter().rposition(|r| r == "POST /api/v2/products").unwrap();
    assert!(first_group_write < create, "groups and values exist before the variant that uses them");
}

/// Categories and brands as resources: Sopyo's are linked to Raf's of the same name (made
/// locally when missing); Raf's that Sopyo lacks are created there once.
#[test]
fn categories_and_brands_are_linked_by_name_and_created_once() {
    let fake = FakeSopyo::start();
    {
        let mut w = fake.world();
        w.categories.insert(2, "Telefon".into());
        w.brands.insert(3, "Sopyo".into());
    }
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, NAME);
    catalog::add_category(&mut conn, "TELEFON", None, None).unwrap();
    catalog::add_category(&mut conn, "Kırtasiye", None, None).unwrap();
    catalog::add_brand(&mut conn, "Faber").unwrap();
    fake.world().inject("POST /api/v2/brands", Fault::LoseResponse, 1);
    run(&mut conn).unwrap();
    let summary = run(&mut conn).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    let mut local: Vec<String> = catalog::categories(&conn).unwrap().into_iter().map(|c| c.name).collect();
    local.sort();
    assert_eq!(local, ["Genel", "Kırtasiye", "TELEFON"], "Telefon is the same category, folded");
    let brands: Vec<String> = catalog::brands(&conn).unwrap().into_iter().map(|b| b.name).collect();
    assert_eq!(brands, ["Faber", "Sopyo"]);
    let w = fake.world();
    let mut remote: Vec<&String> = w.categories.values().collect();
    remote.sort();
    assert_eq!(remote, ["Genel", "Kırtasiye", "Telefon"]);
    let mut remote_brands: Vec<&String> = w.brands.values().collect();
    remote_brands.sort();
    assert_eq!(remote_brands, ["Faber", "Sopyo"], "an unclear create is found by name, not sent twice");
    let posts = w.count("POST /api/v2/categories") + w.count("POST /api/v2/brands");
    drop(w);
    run(&mut conn).unwrap();
    let w = fake.world();
    assert_eq!(w.count("POST /api/v2/categories") + w.count("POST /api/v2/brands"), posts);
}
