//! Sync with stokdurumu.com end to end, against the stateful fake on 127.0.0.1: pull and
//! push leave both sides equal, every fault at every step loses and doubles nothing, and
//! a Free plan (500 requests a UTC+3 day) is never exceeded: the run pauses and resumes
//! after midnight UTC+3 on a fake clock.

#[path = "support/shop.rs"]
mod shop;
#[path = "support/stokdurumu_fake.rs"]
mod stokdurumu_fake;

use raf::catalog::{self, ProductFields};
use raf::progress;
use raf::stock::{self, Change};
use raf::sync::{self, Clock, Limits, NewConnection, Plan, RunOptions, Settings};
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::time::Duration;
use stokdurumu_fake::{FakeStokdurumu, Fault, API_KEY};
use tempfile::TempDir;

const NAME: &str = "stok";

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

fn open(dir: &TempDir) -> Connection {
    raf::db::open(&dir.path().join("raf.db")).unwrap()
}

fn use_mock_keychain() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any test thread reads the environment through keyring.
    ONCE.call_once(|| unsafe { std::env::set_var("RAF_KEYRING", "mock") });
}

fn options(fake: &FakeStokdurumu) -> RunOptions {
    RunOptions {
        token: Some(API_KEY.into()),
        limits: Limits { timeout: Duration::from_millis(700), attempts: 4, backoff: Duration::from_millis(20), max_wait: Duration::from_secs(5) },
        clock: Clock::Fixed(fake.world().now),
        ..RunOptions::default()
    }
}

fn connect(conn: &mut Connection, fake: &FakeStokdurumu, plan: Plan) {
    use_mock_keychain();
    let settings = Settings { plan, price_groups: vec![[1, 1]], ..Settings::default() };
    let new = NewConnection { name: NAME.into(), kind: sync::Kind::Stokdurumu, base_url: Some(fake.base_url()), settings };
    sync::add_connection(conn, &new, API_KEY).unwrap();
}

fn run(conn: &mut Connection, fake: &FakeStokdurumu) -> raf::Result<sync::RunSummary> {
    let options = options(fake);
    progress::silent(|task| sync::run(conn, NAME, &options, task))
}

fn local(conn: &Connection, sku: &str) -> (Decimal, Option<Decimal>) {
    let detail = catalog::product_detail(conn, sku).unwrap();
    (detail.product.on_hand, detail.prices.iter().find(|p| p.group == 1).and_then(|p| p.sale))
}

/// Every remote product exists locally with the same stock and price, and vice versa.
fn assert_same(conn: &Connection, fake: &FakeStokdurumu) {
    let world = fake.world();
    for p in world.products.values() {
        let sku = p.sku.as_deref().unwrap();
        assert_eq!(local(conn, sku), (p.stock_qty, p.price), "{sku}");
    }
    let count: i64 = conn.query_row("SELECT count(*) FROM products WHERE deleted_at IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(count as usize, world.products.len(), "product counts");
    assert!(stock::check_ledger(conn).unwrap().is_empty(), "ledger holds");
}

fn seed(fake: &FakeStokdurumu, n: usize) {
    let mut world = fake.world();
    for i in 0..n {
        world.add_product(&format!("S{i:04}"), &format!("Ürün {i}"), d(10 + (i % 7) as i64), Decimal::new(29990 + i as i64, 2));
    }
}

#[test]
fn pulls_then_pushes_sales_prices_and_new_products() {
    let fake = FakeStokdurumu::start();
    seed(&fake, 250);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, Plan::Enterprise);
    let first = run(&mut conn, &fake).unwrap();
    assert_eq!(first.status, "ok", "{:?}", first.log);
    assert_eq!(first.counts.created_locally, 250);
    assert_eq!(fake.world().count("GET /api/v1/products"), 1 + 3, "the key check, then pages of 100");
    assert_same(&conn, &fake);

    stock::adjust(&mut conn, "S0001", Change::Sub(d(3)), None).unwrap();
    stock::adjust(&mut conn, "S0002", Change::Add(d(5)), None).unwrap();
    catalog::set_price(&mut conn, "S0003", 1, d(450), None).unwrap();
    catalog::create_product(&mut conn, &ProductFields::new("NEW-1", "Yeni ürün")).unwrap();
    stock::adjust(&mut conn, "NEW-1", Change::Add(d(4)), None).unwrap();
    fake.world().move_stock("S0001", d(-1));
    let second = run(&mut conn, &fake).unwrap();
    assert_eq!(second.status, "ok", "{:?}", second.log);
    assert_same(&conn, &fake);
    let history = fake.world().history.clone();
    assert!(history.iter().any(|h| h["action"] == "sub" && h["old_qty"] == 10 && h["new_qty"] == 7), "a verified sub: {history:?}");
    assert_eq!(local(&conn, "S0001").0, d(7), "11 - 3 here - 1 there");
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
}

const STEPS: [&str; 6] =
    ["GET /api/v1/products", "POST /api/v1/stock", "PUT /api/v1/products", "POST /api/v1/products", "DELETE /api/v1/products", "GET /api/v1/stock"];

#[test]
fn fault_matrix_loses_and_doubles_nothing() {
    for step in STEPS {
        for fault in Fault::all() {
            let fake = FakeStokdurumu::start();
            seed(&fake, 12);
            let dir = tempfile::tempdir().unwrap();
            let mut conn = open(&dir);
            connect(&mut conn, &fake, Plan::Enterprise);
            run(&mut conn, &fake).unwrap();
            stock::adjust(&mut conn, "S0002", Change::Sub(d(3)), None).unwrap();
            stock::adjust(&mut conn, "S0004", Change::Add(d(2)), None).unwrap();
            catalog::set_price(&mut conn, "S0003", 1, d(777), None).unwrap();
            catalog::create_product(&mut conn, &ProductFields::new("NEW-1", "Yeni ürün")).unwrap();
            stock::adjust(&mut conn, "NEW-1", Change::Add(d(3)), None).unwrap();
            catalog::soft_delete_product(&mut conn, "S0005").unwrap();
            fake.world().move_stock("S0002", d(-2));
            let expected_s2 = local(&conn, "S0002").0 - d(2);
            let expected_s4 = local(&conn, "S0004").0;

            fake.world().inject(step, fault.clone(), 1);
            let first = run(&mut conn, &fake);
            fake.world().clear_faults();
            let second = run(&mut conn, &fake);
            let context = format!(
                "{fault:?} at {step}: first {:?}, second {:?}",
                first.as_ref().map(|s| &s.log).map_err(|e| e.to_string()),
                second.as_ref().map(|s| (&s.status, &s.log)).map_err(|e| e.to_string())
            );
            let second = second.unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_eq!(second.status, "ok", "{context}");
            assert!(sync::conflicts(&conn, None).unwrap().is_empty(), "{context}");
            assert_eq!(local(&conn, "S0002").0, expected_s2, "{context}");
            assert_eq!(fake.world().by_sku("S0002").unwrap().stock_qty, expected_s2, "{context}");
            assert_eq!(fake.world().by_sku("S0004").unwrap().stock_qty, expected_s4, "{context}");
            assert_eq!(fake.world().by_sku("S0003").unwrap().price, Some(d(777)), "{context}");
            assert_eq!(fake.world().products.values().filter(|p| p.sku.as_deref() == Some("NEW-1")).count(), 1, "{context}");
            assert!(fake.world().by_sku("S0005").is_none(), "{context}");
            let remote_moves = history_movements(&conn, "S0002");
            assert!(remote_moves.len() <= 1, "the remote sale at most once in the ledger: {context}: {remote_moves:?}");
            assert_same(&conn, &fake);
            assert_eq!(sync::pending_count(&conn, None).unwrap(), 0, "{context}");
        }
    }
}

#[test]
fn a_free_plan_never_exceeds_500_requests_a_day_pauses_and_resumes_after_midnight() {
    let fake = FakeStokdurumu::start();
    seed(&fake, 600);
    fake.world().daily_quota = Some(500);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, Plan::Free);
    let first = run(&mut conn, &fake).unwrap();
    assert_eq!(first.status, "ok", "{:?}", first.log);
    // 600 sales, each its own verified `sub`: more than a day's quota.
    for i in 0..600 {
        stock::adjust(&mut conn, &format!("S{i:04}"), Change::Sub(d(1)), None).unwrap();
    }
    let paused = run(&mut conn, &fake).unwrap();
    assert_eq!(paused.status, "partial", "{:?}", paused.log);
    assert!(paused.log.iter().any(|l| l.message.contains("paused")), "{:?}", paused.log);
    assert_eq!(fake.world().used_today(), 500, "the whole quota, not one request more");

    // Later the same day: nothing is sent at all.
    fake.world().advance(2);
    let still = run(&mut conn, &fake).unwrap();
    assert_eq!(still.status, "partial");
    assert_eq!(fake.world().used_today(), 500);

    // 21:00 UTC is midnight in Turkey: a new quota day.
    fake.world().advance(11);
    let resumed = run(&mut conn, &fake).unwrap();
    assert_eq!(resumed.status, "ok", "{:?}", resumed.log);
    assert!(fake.world().busiest_day() <= 500, "never over the quota in a UTC+3 day");
    assert_same(&conn, &fake);
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
}

#[test]
fn a_read_only_key_and_the_plan_limit_get_clear_messages() {
    let fake = FakeStokdurumu::start();
    seed(&fake, 3);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, Plan::Enterprise);
    run(&mut conn, &fake).unwrap();

    fake.world().max_products = Some(3);
    catalog::create_product(&mut conn, &ProductFields::new("NEW-1", "Yeni ürün")).unwrap();
    let err = run(&mut conn, &fake).unwrap_err();
    assert_eq!(err.code(), "sync.plan_limit", "{err}");
    assert!(err.to_string().contains("Plan limiti aşıldı"), "{err}");

    fake.world().max_products = None;
    fake.world().read_only = true;
    let err = run(&mut conn, &fake).unwrap_err();
    assert_eq!(err.code(), "sync.forbidden", "{err}");
    assert!(err.to_string().contains("permission"), "{err}");

    fake.world().read_only = false;
    assert_eq!(run(&mut conn, &fake).unwrap().status, "ok");
    assert_same(&conn, &fake);
}

#[test]
fn on_a_tight_quota_a_sale_goes_before_the_catalog_scan_which_resumes_the_next_day() {
    let fake = FakeStokdurumu::start();
    // 1,000 products in pages of 2: 500 pages, more than a Free day (500 requests) can scan.
    seed(&fake, 1000);
    fake.world().daily_quota = Some(500);
    fake.world().max_limit = 2;
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, Plan::Free);

    // Day 1, 09:00 UTC: the scan runs until only the reserve is left, then pauses.
    let first = run(&mut conn, &fake).unwrap();
    assert_eq!(first.status, "partial", "{:?}", first.log);
    assert!(first.log.iter().any(|l| l.message.contains("paused")), "{:?}", first.log);
    let scanned = fake.world().count("GET /api/v1/products");
    let linked: i64 = conn.query_row("SELECT count(*) FROM products", [], |r| r.get(0)).unwrap();
    assert!(linked > 800 && linked < 1000, "most pages are read on day 1: {linked}");
    assert!(fake.world().used_today() <= 450, "the reserve is left: {}", fake.world().used_today());

    // A sale in the shop, then a run the same day: the sale reaches the remote at once.
    stock::adjust(&mut conn, "S0001", Change::Sub(d(3)), None).unwrap();
    let expected = local(&conn, "S0001").0;
    let requests_before = fake.world().requests.len();
    let second = run(&mut conn, &fake).unwrap();
    assert_eq!(second.status, "partial", "{:?}", second.log);
    assert_eq!(fake.world().by_sku("S0001").unwrap().stock_qty, expected, "the sale is on the remote on day 1");
    let sent: Vec<String> = fake.world().requests[requests_before..].to_vec();
    assert_eq!(sent.iter().filter(|r| r.starts_with("POST /api/v1/stock")).count(), 1, "{sent:?}");
    assert_eq!(sent.iter().filter(|r| r.starts_with("GET /api/v1/products")).count(), 1, "the key check, no scan: {sent:?}");
    assert!(fake.world().used_today() <= 500);

    // Day 2 (after 00:00 UTC+3): the scan goes on from where it stopped and completes.
    fake.world().advance(13);
    let third = run(&mut conn, &fake).unwrap();
    assert_eq!(third.status, "ok", "{:?}", third.log);
    let pages = fake.world().count("GET /api/v1/products") - scanned - 2;
    assert!(pages < 100, "day 2 reads only the pages left, not all 500: {pages}");
    assert!(fake.world().busiest_day() <= 500, "never over the quota in a UTC+3 day");
    assert_same(&conn, &fake);
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
}

/// Sync movements of `sku` whose reason names a remote history entry (`#id: why`).
fn history_movements(conn: &Connection, sku: &str) -> Vec<(Decimal, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT m.delta, m.reason FROM stock_movements m JOIN products p ON p.id = m.product_id
             WHERE p.sku = ?1 AND m.kind = 'sync' AND m.reason LIKE '%#%' ORDER BY m.id",
        )
        .unwrap();
    stmt.query_map([sku], |r| Ok((r.get::<_, raf::db::Fixed>(0)?.0, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn the_remote_stock_history_reaches_the_ledger_once_per_entry() {
    let fake = FakeStokdurumu::start();
    seed(&fake, 3);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, Plan::Enterprise);
    run(&mut conn, &fake).unwrap();

    fake.world().move_stock_because("S0000", d(-2), "Trendyol satışı");
    fake.world().move_stock_because("S0000", d(5), "Tedarikçi girişi");
    assert_eq!(run(&mut conn, &fake).unwrap().status, "ok");
    let moves = history_movements(&conn, "S0000");
    assert_eq!(moves.iter().map(|m| m.0).collect::<Vec<_>>(), [d(-2), d(5)], "{moves:?}");
    assert!(moves[0].1.ends_with("#1: Trendyol satışı") && moves[1].1.ends_with("#2: Tedarikçi girişi"), "{moves:?}");

    // Raf's own sale and a remote receipt around it: only the remote's entries are recorded.
    stock::adjust(&mut conn, "S0001", Change::Sub(d(3)), None).unwrap();
    fake.world().move_stock_because("S0001", d(1), "İade");
    run(&mut conn, &fake).unwrap();
    fake.world().move_stock_because("S0001", d(-4), "Hepsiburada satışı");
    run(&mut conn, &fake).unwrap();
    let moves = history_movements(&conn, "S0001");
    assert_eq!(moves.iter().map(|m| m.0).collect::<Vec<_>>(), [d(1), d(-4)], "{moves:?}");

    // Pulled again and again: nothing is recorded twice.
    run(&mut conn, &fake).unwrap();
    run(&mut conn, &fake).unwrap();
    assert_eq!(history_movements(&conn, "S0000").len(), 2);
    assert_eq!(history_movements(&conn, "S0001").len(), 2);
    // A change the history does not show (a PUT) is still taken, as one movement.
    fake.world().products.values_mut().find(|p| p.sku.as_deref() == Some("S0002")).unwrap().stock_qty += d(7);
    run(&mut conn, &fake).unwrap();
    assert!(history_movements(&conn, "S0002").is_empty());
    assert_same(&conn, &fake);
}

#[test]
fn status_category_colours_and_deletes_sync_both_ways_once() {
    let fake = FakeStokdurumu::start();
    seed(&fake, 4);
    fake.world().categories.insert(50, ("Kırtasiye".into(), "#198754".into()));
    fake.world().products.values_mut().find(|p| p.sku.as_deref() == Some("S0001")).unwrap().category_id = Some(50);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, Plan::Enterprise);
    run(&mut conn, &fake).unwrap();
    // Names on read, with the remote's colour.
    assert_eq!(catalog::product_detail(&conn, "S0001").unwrap().category.as_deref(), Some("Kırtasiye"));
    let color = |conn: &Connection, name: &str| -> Option<String> {
        conn.query_row("SELECT color FROM categories WHERE name = ?1", [name], |r| r.get(0)).unwrap()
    };
    assert_eq!(color(&conn, "Kırtasiye").as_deref(), Some("#198754"));

    // Raf's changes: a passive product, a new coloured category, a product deleted.
    catalog::add_category(&mut conn, "Elektronik", Some("#ff0000"), None).unwrap();
    let mut fields = catalog::product_detail(&conn, "S0000").unwrap().product.fields;
    fields.active = false;
    fields.category_id = Some(catalog::category_id(&conn, "Elektronik").unwrap());
    catalog::update_product(&mut conn, "S0000", &fields).unwrap();
    catalog::soft_delete_product(&mut conn, "S0003").unwrap();
    // The remote's change: S0002 made passive there.
    fake.world().products.values_mut().find(|p| p.sku.as_deref() == Some("S0002")).unwrap().status = "inactive".into();
    let summary = run(&mut conn, &fake).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    {
        let world = fake.world();
        let s0 = world.by_sku("S0000").unwrap();
        assert_eq!(s0.status, "inactive");
        let (name, colour) = &world.categories[&s0.category_id.unwrap()];
        assert_eq!((name.as_str(), colour.as_str()), ("Elektronik", "#ff0000"), "ids on write, Raf's colour");
        assert!(world.by_sku("S0003").is_none(), "deleted on the remote");
    }
    assert!(!catalog::product_detail(&conn, "S0002").unwrap().product.fields.active, "passive from the remote");

    // Made active again on both sides' terms; the delete is never sent twice.
    let mut fields = catalog::product_detail(&conn, "S0000").unwrap().product.fields;
    fields.active = true;
    catalog::update_product(&mut conn, "S0000", &fields).unwrap();
    run(&mut conn, &fake).unwrap();
    run(&mut conn, &fake).unwrap();
    assert_eq!(fake.world().by_sku("S0000").unwrap().status, "active");
    assert_eq!(fake.world().count("DELETE /api/v1/products"), 1);

    // Restored in Raf: created on the remote again, once.
    catalog::restore_product(&mut conn, "S0003").unwrap();
    let restored = run(&mut conn, &fake).unwrap();
    assert_eq!(restored.status, "ok", "{:?}", restored.log);
    run(&mut conn, &fake).unwrap();
    assert_eq!(fake.world().products.values().filter(|p| p.sku.as_deref() == Some("S0003")).count(), 1);
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
    assert_same(&conn, &fake);
}

#[test]
fn an_unclear_stock_write_is_read_back_by_sku_not_by_a_new_scan() {
    let fake = FakeStokdurumu::start();
    seed(&fake, 250);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake, Plan::Enterprise);
    run(&mut conn, &fake).unwrap();
    stock::adjust(&mut conn, "S0007", Change::Sub(d(2)), None).unwrap();
    fake.world().inject("POST /api/v1/stock", Fault::LoseResponse, 1);
    let before = fake.world().count("GET /api/v1/products");
    let summary = run(&mut conn, &fake).unwrap();
    assert_eq!(summary.status, "ok", "{:?}", summary.log);
    assert_eq!(fake.world().count("GET /api/v1/products") - before, 1 + 3 + 1, "key check, 3 pages, 1 read-back by sku");
    assert_eq!(fake.world().count("POST /api/v1/stock"), 1, "applied once, never resent");
    assert_eq!(fake.world().by_sku("S0007").unwrap().stock_qty, local(&conn, "S0007").0);
    assert_same(&conn, &fake);
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
}

fn search(conn: &mut Connection, fake: &FakeStokdurumu, filters: sync::RemoteSearch) -> raf::Result<Vec<String>> {
    let hits = sync::search_remote(conn, NAME, &filters, &options(fake))?;
    Ok(hits.into_iter().map(|h| h.sku).collect())
}

#[test]
fn each_list_filter_returns_exactly_the_matching_products_over_every_page() {
    let dir = TempDir::new().unwrap();
    let mut conn = open(&dir);
    let fake = FakeStokdurumu::start();
    seed(&fake, 250);
    {
        let mut w = fake.world();
        let id = w.by_sku("S0007").unwrap().id;
        let p = w.products.get_mut(&id).unwrap();
        p.name = "Laptop Çantası".into();
        p.status = "inactive".into();
        let id = w.by_sku("S0042").unwrap().id;
        w.products.get_mut(&id).unwrap().min_stock = d(100);
    }
    connect(&mut conn, &fake, Plan::Enterprise);
    let all_but = |skip: &str| (0..250).map(|i| format!("S{i:04}")).filter(|s| s != skip).collect::<Vec<_>>();

    assert_eq!(search(&mut conn, &fake, sync::RemoteSearch { sku: Some("S0123".into()), ..Default::default() }).unwrap(), ["S0123"]);
    assert_eq!(search(&mut conn, &fake, sync::RemoteSearch { text: Some("laptop".into()), ..Default::default() }).unwrap(), ["S0007"]);
    assert_eq!(search(&mut conn, &fake, sync::RemoteSearch { name: Some("çantası".into()), ..Default::default() }).unwrap(), ["S0007"]);
    assert_eq!(search(&mut conn, &fake, sync::RemoteSearch { active: Some(false), ..Default::default() }).unwrap(), ["S0007"]);
    assert_eq!(search(&mut conn, &fake, sync::RemoteSearch { low_stock: true, ..Default::default() }).unwrap(), ["S0042"]);
    // 249 active products take three pages of 100: every page is read, none twice.
    let pages_before = fake.world().count("GET /api/v1/products");
    assert_eq!(search(&mut conn, &fake, sync::RemoteSearch { active: Some(true), ..Default::default() }).unwrap(), all_but("S0007"));
    assert_eq!(fake.world().count("GET /api/v1/products") - pages_before, 3);
    // Filters combine: an inactive product is not among the active ones with its name.
    let both = sync::RemoteSearch { text: Some("laptop".into()), active: Some(true), ..Default::default() };
    assert!(search(&mut conn, &fake, both).unwrap().is_empty());

    // Filters stokdurumu's list does not have are refused, naming the filter.
    for (filters, filter) in [
        (sync::RemoteSearch { barcode: Some("869".into()), ..Default::default() }, "barcode"),
        (sync::RemoteSearch { kind: Some("good".into()), ..Default::default() }, "type"),
        (sync::RemoteSearch { group: Some("A".into()), ..Default::default() }, "group"),
    ] {
        let err = search(&mut conn, &fake, filters).unwrap_err();
        assert_eq!(err.code(), "sync.filter_unsupported");
        assert_eq!(err.details()["filter"], filter);
    }
}

/// `raf connection search`: what the remote holds for a code, as lines or `--json`.
#[test]
fn cli_search_lists_the_remote_products_matching_the_filters() {
    let fake = FakeStokdurumu::start();
    seed(&fake, 3);
    {
        let mut w = fake.world();
        let id = w.by_sku("S0001").unwrap().id;
        w.products.get_mut(&id).unwrap().status = "inactive".into();
    }
    let shop = shop::Shop::new();
    let raf = |args: &[&str]| {
        let mut cmd = shop.cmd(args);
        cmd.env("RAF_KEYRING", "mock").env("RAF_SYNC_TOKEN", API_KEY);
        cmd
    };
    let stdout = |args: &[&str]| String::from_utf8(raf(args).assert().success().get_output().stdout.clone()).unwrap();
    stdout(&["connection", "add", "stok", "--kind", "stokdurumu", "--plan", "enterprise", "--url", &fake.base_url()]);

    assert_eq!(stdout(&["connection", "search", "stok", "--sku", "S0002"]), "S0002\tÜrün 2\t12\t299.92\n");
    let passive: serde_json::Value = serde_json::from_str(&stdout(&["connection", "search", "stok", "--passive", "--json"])).unwrap();
    assert_eq!(passive.as_array().unwrap().len(), 1, "{passive}");
    assert_eq!((passive[0]["sku"].as_str(), passive[0]["name"].as_str()), (Some("S0001"), Some("Ürün 1")));
    assert_eq!((passive[0]["stock"].as_str(), passive[0]["price"].as_str()), (Some("11"), Some("299.91")));
    assert_eq!(stdout(&["connection", "search", "stok", "--name", "ürün 2"]), "S0002\tÜrün 2\t12\t299.92\n");
    assert_eq!(stdout(&["connection", "search", "stok", "--text", "yok böyle"]), "no matching products\n");

    let refused = raf(&["connection", "search", "stok", "--barcode", "869", "--json"]).assert().code(1);
    let err: serde_json::Value = serde_json::from_slice(&refused.get_output().stderr).unwrap();
    assert_eq!((err["code"].as_str(), err["details"]["filter"].as_str()), (Some("sync.filter_unsupported"), Some("barcode")));
}
