//! Sync with KolayBi end to end, against the stateful fake on 127.0.0.1: a token bound to
//! the Channel, form-encoded writes, stock only as movements (negative stock included),
//! a product list the server cuts silently still read whole, and every fault at every
//! step losing and doubling nothing.

#[path = "support/kolaybi_fake.rs"]
mod kolaybi_fake;

use kolaybi_fake::{FakeKolayBi, Fault, API_KEY, CHANNEL};
use raf::catalog::{self, ProductFields};
use raf::progress;
use raf::stock::{self, Change};
use raf::sync::{self, Limits, NewConnection, RunOptions, Settings};
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::time::Duration;
use tempfile::TempDir;

const NAME: &str = "kolay";

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

fn options() -> RunOptions {
    RunOptions {
        token: Some(API_KEY.into()),
        limits: Limits { timeout: Duration::from_millis(700), attempts: 4, backoff: Duration::from_millis(20), max_wait: Duration::from_secs(5) },
        ..RunOptions::default()
    }
}

fn connect(conn: &mut Connection, fake: &FakeKolayBi) {
    use_mock_keychain();
    let settings = Settings { price_groups: vec![[1, 1]], channel: Some(CHANNEL.into()), ..Settings::default() };
    let new = NewConnection { name: NAME.into(), kind: sync::Kind::Kolaybi, base_url: Some(fake.base_url()), settings };
    sync::add_connection(conn, &new, API_KEY).unwrap();
}

fn run(conn: &mut Connection) -> raf::Result<sync::RunSummary> {
    progress::silent(|task| sync::run(conn, NAME, &options(), task))
}

fn local(conn: &Connection, sku: &str) -> (Decimal, Option<Decimal>) {
    let detail = catalog::product_detail(conn, sku).unwrap();
    (detail.product.on_hand, detail.prices.iter().find(|p| p.group == 1).and_then(|p| p.sale))
}

fn assert_same(conn: &Connection, fake: &FakeKolayBi) {
    let world = fake.world();
    for p in world.products.values() {
        assert_eq!(local(conn, &p.code), (p.stock, p.price), "{}", p.code);
    }
    let count: i64 = conn.query_row("SELECT count(*) FROM products WHERE deleted_at IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(count as usize, world.products.len(), "product counts");
    assert!(stock::check_ledger(conn).unwrap().is_empty(), "ledger holds");
}

fn seed(fake: &FakeKolayBi, n: usize) {
    let mut world = fake.world();
    for i in 0..n {
        world.add_product(&format!("K{i:04}"), &format!("Ürün {i}"), d(10 + (i % 7) as i64), d(100 + i as i64));
    }
}

#[test]
fn pulls_then_pushes_sales_as_out_movements_and_prices() {
    let fake = FakeKolayBi::start();
    seed(&fake, 40);
    fake.world().move_stock("K0005", d(-20)); // negative stock is valid there
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake);
    let first = run(&mut conn).unwrap();
    assert_eq!(first.status, "ok", "{:?}", first.log);
    assert_eq!(first.counts.created_locally, 40);
    assert_same(&conn, &fake);

    stock::adjust(&mut conn, "K0001", Change::Sub(d(3)), None).unwrap();
    catalog::set_price(&mut conn, "K0002", 1, d(450), None).unwrap();
    catalog::create_product(&mut conn, &ProductFields::new("NEW-1", "Yeni ürün")).unwrap();
    stock::adjust(&mut conn, "NEW-1", Change::Add(d(4)), None).unwrap();
    fake.world().move_stock("K0001", d(-1));
    let moves_before = fake.world().movements.len();
    let second = run(&mut conn).unwrap();
    assert_eq!(second.status, "ok", "{:?}", second.log);
    assert_same(&conn, &fake);
    let id = fake.world().by_code("K0001").unwrap().id;
    assert_eq!(fake.world().movements[moves_before..], [(id, d(-3))], "one out-movement of the local sale");
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
}

#[test]
fn a_silently_truncated_product_list_is_still_read_whole() {
    let fake = FakeKolayBi::start();
    seed(&fake, 45);
    fake.world().truncate_at = Some(20);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake);
    let first = run(&mut conn).unwrap();
    assert_eq!(first.counts.created_locally, 45, "{:?}", first.log);
    assert_same(&conn, &fake);
}

const STEPS: [&str; 4] = ["GET /kolaybi/v1/products", "POST /kolaybi/v1/stock_histories", "PUT /kolaybi/v1/products", "POST /kolaybi/v1/products"];

#[test]
fn fault_matrix_loses_and_doubles_nothing() {
    for step in STEPS {
        for fault in Fault::all() {
            let fake = FakeKolayBi::start();
            seed(&fake, 12);
            let dir = tempfile::tempdir().unwrap();
            let mut conn = open(&dir);
            connect(&mut conn, &fake);
            run(&mut conn).unwrap();
            stock::adjust(&mut conn, "K0002", Change::Sub(d(3)), None).unwrap();
            stock::adjust(&mut conn, "K0004", Change::Add(d(2)), None).unwrap();
            catalog::set_price(&mut conn, "K0003", 1, d(777), None).unwrap();
            catalog::create_product(&mut conn, &ProductFields::new("NEW-1", "Yeni ürün")).unwrap();
            stock::adjust(&mut conn, "NEW-1", Change::Add(d(3)), None).unwrap();
            fake.world().move_stock("K0002", d(-2));
            let expected_k2 = local(&conn, "K0002").0 - d(2);
            let expected_k4 = local(&conn, "K0004").0;

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
            assert_eq!(local(&conn, "K0002").0, expected_k2, "{context}");
            assert_eq!(fake.world().by_code("K0002").unwrap().stock, expected_k2, "{context}");
            assert_eq!(fake.world().by_code("K0004").unwrap().stock, expected_k4, "{context}");
            assert_eq!(fake.world().by_code("K0003").unwrap().price, Some(d(777)), "{context}");
            assert_eq!(fake.world().products.values().filter(|p| p.code == "NEW-1").count(), 1, "{context}");
            assert_same(&conn, &fake);
            assert_eq!(sync::pending_count(&conn, None).unwrap(), 0, "{context}");
        }
    }
}

fn tag_names(conn: &Connection, sku: &str) -> Vec<String> {
    catalog::product_detail(conn, sku).unwrap().tags.into_iter().map(|t| t.name).collect()
}

#[test]
fn tags_sync_both_ways_and_a_tag_kolaybi_lacks_is_refused_clearly() {
    let fake = FakeKolayBi::start();
    seed(&fake, 3);
    fake.world().tags.insert(13, "indirim".into());
    fake.world().products.values_mut().find(|p| p.code == "K0000").unwrap().tags = vec![12];
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake);
    assert_eq!(run(&mut conn).unwrap().status, "ok");
    assert_eq!(tag_names(&conn, "K0000"), ["e-ticaret"], "KolayBi's tag names come into Raf");

    // Raf tags K0001 with a tag KolayBi has: sent as its id.
    catalog::add_tag(&mut conn, "indirim", None, None).unwrap();
    catalog::tag_product(&mut conn, "K0001", "indirim").unwrap();
    catalog::tag_product(&mut conn, "K0000", "indirim").unwrap();
    assert_eq!(run(&mut conn).unwrap().status, "ok");
    assert_eq!(fake.world().by_code("K0001").unwrap().tags, [13]);
    assert_eq!(fake.world().by_code("K0000").unwrap().tags, [12, 13]);

    // Untagged in Raf: cleared there too.
    catalog::untag_product(&mut conn, "K0001", "indirim").unwrap();
    assert_eq!(run(&mut conn).unwrap().status, "ok");
    assert!(fake.world().by_code("K0001").unwrap().tags.is_empty());

    // A tag KolayBi does not have (its API cannot create tags): the run says so.
    catalog::add_tag(&mut conn, "yerel", None, None).unwrap();
    catalog::tag_product(&mut conn, "K0002", "yerel").unwrap();
    let partial = run(&mut conn).unwrap();
    assert_eq!(partial.status, "partial");
    assert!(partial.log.iter().any(|l| l.message.contains("no tag named yerel")), "{:?}", partial.log);
    assert!(fake.world().by_code("K0002").unwrap().tags.is_empty());
    // Once KolayBi has it, the next run sends it.
    fake.world().tags.insert(14, "yerel".into());
    let later = progress::silent(|task| sync::run(&mut conn, NAME, &options(), task)).unwrap();
    assert_eq!(later.status, "ok", "{:?}", later.log);
    assert_eq!(fake.world().by_code("K0002").unwrap().tags, [14]);
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
    assert_same(&conn, &fake);
}

fn search(conn: &mut Connection, filters: sync::RemoteSearch) -> raf::Result<Vec<String>> {
    Ok(sync::search_remote(conn, NAME, &filters, &options())?.into_iter().map(|h| h.sku).collect())
}

#[test]
fn each_list_filter_returns_exactly_the_matching_products_even_from_a_truncated_list() {
    let fake = FakeKolayBi::start();
    seed(&fake, 60);
    {
        let mut w = fake.world();
        for (i, p) in w.products.values_mut().enumerate() {
            if i % 10 == 3 {
                p.product_type = "service".into();
            }
            if i % 20 == 5 {
                p.group = Some("toptan".into());
            }
        }
        let id = w.by_code("K0017").unwrap().id;
        let p = w.products.get_mut(&id).unwrap();
        p.barcode = Some("8690000000017".into());
        p.name = "Laptop Çantası".into();
        let id = w.by_code("K0031").unwrap().id;
        w.products.get_mut(&id).unwrap().description = Some("laptop için kılıf".into());
        // The seed's list without `page` silently stops at 20 rows.
        w.truncate_at = Some(20);
    }
    let dir = TempDir::new().unwrap();
    let mut conn = open(&dir);
    connect(&mut conn, &fake);
    let codes = |is: &[usize]| is.iter().map(|i| format!("K{i:04}")).collect::<Vec<_>>();

    assert_eq!(search(&mut conn, sync::RemoteSearch { sku: Some("K0042".into()), ..Default::default() }).unwrap(), codes(&[42]));
    let barcode = sync::RemoteSearch { barcode: Some("8690000000017".into()), ..Default::default() };
    assert_eq!(search(&mut conn, barcode).unwrap(), codes(&[17]));
    assert_eq!(search(&mut conn, sync::RemoteSearch { name: Some("laptop".into()), ..Default::default() }).unwrap(), codes(&[17]));
    // Full-text search also looks at the description.
    assert_eq!(search(&mut conn, sync::RemoteSearch { text: Some("LAPTOP".into()), ..Default::default() }).unwrap(), codes(&[17, 31]));
    // 6 services and 57 goods: the goods come past the 20-row cut, page by page.
    let services = sync::RemoteSearch { kind: Some("service".into()), ..Default::default() };
    assert_eq!(search(&mut conn, services).unwrap(), codes(&[3, 13, 23, 33, 43, 53]));
    let goods: Vec<usize> = (0..60).filter(|i| i % 10 != 3).collect();
    assert_eq!(search(&mut conn, sync::RemoteSearch { kind: Some("good".into()), ..Default::default() }).unwrap(), codes(&goods));
    let group = sync::RemoteSearch { group: Some("toptan".into()), ..Default::default() };
    assert_eq!(search(&mut conn, group).unwrap(), codes(&[5, 25, 45]));
    let both = sync::RemoteSearch { group: Some("toptan".into()), name: Some("Ürün 2".into()), ..Default::default() };
    assert_eq!(search(&mut conn, both).unwrap(), codes(&[25]));

    // Filters KolayBi's list does not have are refused, naming the filter.
    for (filters, filter) in [
        (sync::RemoteSearch { active: Some(true), ..Default::default() }, "active"),
        (sync::RemoteSearch { low_stock: true, ..Default::default() }, "low_stock"),
    ] {
        let err = search(&mut conn, filters).unwrap_err();
        assert_eq!(err.code(), "sync.filter_unsupported");
        assert_eq!(err.details()["filter"], filter);
    }
}
