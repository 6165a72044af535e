//! One local catalog linked to Sopyo, stokdurumu and KolayBi at once (their fakes on
//! 127.0.0.1): a local sale reaches each the way its API writes stock (an absolute
//! quantity, a verified `sub`, an out-movement) and all end equal; a change made on one
//! system flows into Raf and on to the other two.

#[path = "support/kolaybi_fake.rs"]
mod kolaybi_fake;
#[path = "support/sopyo_fake.rs"]
mod sopyo_fake;
#[path = "support/stokdurumu_fake.rs"]
mod stokdurumu_fake;

use kolaybi_fake::FakeKolayBi;
use raf::catalog::{self, ProductFields};
use raf::progress;
use raf::stock::{self, Change};
use raf::sync::{self, Kind, Limits, NewConnection, Plan, RunOptions, Settings};
use rusqlite::Connection;
use rust_decimal::Decimal;
use sopyo_fake::FakeSopyo;
use std::time::Duration;
use stokdurumu_fake::FakeStokdurumu;

const SKUS: [&str; 3] = ["A-1", "A-2", "A-3"];

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

struct Shops {
    sopyo: FakeSopyo,
    stok: FakeStokdurumu,
    kolay: FakeKolayBi,
}

impl Shops {
    fn stock(&self, sku: &str) -> [Decimal; 3] {
        [self.sopyo.world().item(sku).unwrap().0, self.stok.world().by_sku(sku).unwrap().stock_qty, self.kolay.world().by_code(sku).unwrap().stock]
    }
}

fn token(kind: Kind) -> &'static str {
    match kind {
        Kind::Sopyo => sopyo_fake::API_TOKEN,
        Kind::Stokdurumu => stokdurumu_fake::API_KEY,
        Kind::Kolaybi => kolaybi_fake::API_KEY,
    }
}

fn connect(conn: &mut Connection, shops: &Shops) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any test thread reads the environment through keyring.
    ONCE.call_once(|| unsafe { std::env::set_var("RAF_KEYRING", "mock") });
    let base = Settings { price_groups: vec![[1, 1]], ..Settings::default() };
    let connections = [
        ("sopyo", Kind::Sopyo, shops.sopyo.base_url(), base.clone()),
        ("stok", Kind::Stokdurumu, shops.stok.base_url(), Settings { plan: Plan::Enterprise, ..base.clone() }),
        ("kolay", Kind::Kolaybi, shops.kolay.base_url(), Settings { channel: Some(kolaybi_fake::CHANNEL.into()), ..base }),
    ];
    for (name, kind, url, settings) in connections {
        let new = NewConnection { name: name.into(), kind, base_url: Some(url), settings };
        sync::add_connection(conn, &new, token(kind)).unwrap();
    }
}

fn run(conn: &mut Connection, name: &str) {
    let kind = sync::connection(conn, name).unwrap().kind;
    let options = RunOptions {
        token: Some(token(kind).into()),
        limits: Limits { timeout: Duration::from_secs(2), attempts: 3, backoff: Duration::from_millis(20), max_wait: Duration::from_secs(5) },
        ..RunOptions::default()
    };
    let summary = progress::silent(|task| sync::run(conn, name, &options, task)).unwrap();
    assert_eq!(summary.status, "ok", "{name}: {:?}", summary.log);
}

fn run_all(conn: &mut Connection) {
    for name in ["sopyo", "stok", "kolay"] {
        run(conn, name);
    }
}

fn on_hand(conn: &Connection, sku: &str) -> Decimal {
    catalog::product_detail(conn, sku).unwrap().product.on_hand
}

#[test]
fn one_catalog_serves_all_three_systems() {
    let shops = Shops { sopyo: FakeSopyo::start(), stok: FakeStokdurumu::start(), kolay: FakeKolayBi::start() };
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    connect(&mut conn, &shops);
    for (i, sku) in SKUS.into_iter().enumerate() {
        catalog::create_product(&mut conn, &ProductFields::new(sku, format!("Ürün {i}"))).unwrap();
        catalog::set_price(&mut conn, sku, 1, d(100 + i as i64), None).unwrap();
        stock::adjust(&mut conn, sku, Change::Add(d(10)), None).unwrap();
    }
    run_all(&mut conn);
    for sku in SKUS {
        assert_eq!(shops.stock(sku), [d(10); 3], "{sku} created everywhere");
    }

    // A sale of 3 in the shop.
    stock::adjust(&mut conn, "A-1", Change::Sub(d(3)), None).unwrap();
    let kolay_moves = shops.kolay.world().movements.len();
    run_all(&mut conn);
    assert_eq!(shops.stock("A-1"), [d(7); 3], "every system holds the local quantity");
    assert_eq!(on_hand(&conn, "A-1"), d(7));
    assert!(shops.sopyo.world().count("POST /api/v2/process/price-and-stock") >= 1, "Sopyo: an absolute stock write");
    let history = shops.stok.world().history.clone();
    assert!(history.iter().any(|h| h["action"] == "sub" && h["old_qty"] == 10 && h["new_qty"] == 7), "stokdurumu: a verified sub");
    let id = shops.kolay.world().by_code("A-1").unwrap().id;
    assert_eq!(shops.kolay.world().movements[kolay_moves..], [(id, d(-3))], "KolayBi: one out-movement");

    // A marketplace sale of 2 on stokdurumu flows into Raf, then on to the other two.
    shops.stok.world().move_stock("A-2", d(-2));
    run(&mut conn, "stok");
    assert_eq!(on_hand(&conn, "A-2"), d(8));
    run(&mut conn, "sopyo");
    run(&mut conn, "kolay");
    assert_eq!(shops.stock("A-2"), [d(8); 3]);

    // And a receipt on KolayBi the same way.
    shops.kolay.world().move_stock("A-3", d(5));
    run_all(&mut conn);
    run_all(&mut conn);
    assert_eq!(on_hand(&conn, "A-3"), d(15));
    assert_eq!(shops.stock("A-3"), [d(15); 3]);
    assert!(stock::check_ledger(&conn).unwrap().is_empty());
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
}

/// Each system holds exactly one product with this SKU (none when `None`).
fn copies(shops: &Shops, sku: &str) -> [usize; 3] {
    [
        shops.sopyo.world().products.values().filter(|p| p.stock_code == sku).count(),
        shops.stok.world().products.values().filter(|p| p.sku.as_deref() == Some(sku)).count(),
        shops.kolay.world().products.values().filter(|p| p.code == sku).count(),
    ]
}

#[test]
fn a_connection_added_to_an_existing_catalog_sends_what_the_remote_lacks_once() {
    let shops = Shops { sopyo: FakeSopyo::start(), stok: FakeStokdurumu::start(), kolay: FakeKolayBi::start() };
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    // The shop's catalog exists before any connection.
    for (i, sku) in SKUS.into_iter().enumerate() {
        catalog::create_product(&mut conn, &ProductFields::new(sku, format!("Ürün {i}"))).unwrap();
        catalog::set_price(&mut conn, sku, 1, d(100 + i as i64), None).unwrap();
        stock::adjust(&mut conn, sku, Change::Add(d(10)), None).unwrap();
    }
    catalog::create_product(&mut conn, &ProductFields::new("GOMLEK", "Gömlek")).unwrap();
    let axis = catalog::OptionAxis { group: "Beden".into(), values: vec!["M".into(), "L".into()] };
    catalog::generate_variants(&mut conn, "GOMLEK", &[axis]).unwrap();
    stock::adjust(&mut conn, "GOMLEK-M", Change::Add(d(4)), None).unwrap();
    // Every remote already has A-1 (same name, stock and price): it must be linked, not doubled.
    let price = sopyo_fake::Price { sale: Some(d(100)), list: None };
    shops.sopyo.world().add_product("A-1", "Ürün 0", d(10), [(1, price)].into(), Vec::new());
    shops.stok.world().add_product("A-1", "Ürün 0", d(10), d(100));
    shops.kolay.world().add_product("A-1", "Ürün 0", d(10), d(100));
    connect(&mut conn, &shops);
    assert_eq!(sync::pending_count(&conn, Some("stok")).unwrap(), 4, "the existing catalog is queued");
    assert_eq!(sync::pending_count(&conn, Some("sopyo")).unwrap(), 6, "with its variants where the remote has them");
    run_all(&mut conn);
    {
        let sopyo = shops.sopyo.world();
        let shirts: Vec<_> = sopyo.products.values().filter(|p| p.stock_code == "GOMLEK").collect();
        assert_eq!(shirts.len(), 1);
        assert_eq!(shirts[0].variants.len(), 2, "Sopyo gets the variants with the product");
        assert_eq!(sopyo.item("GOMLEK-M").unwrap().0, d(4));
    }
    for sku in SKUS {
        assert_eq!(copies(&shops, sku), [1; 3], "{sku}: once on every system");
        assert_eq!(shops.stock(sku), [d(10); 3], "{sku}");
    }
    assert_eq!(shops.stok.world().by_sku("A-3").unwrap().price, Some(d(102)));
    assert_eq!(shops.kolay.world().by_code("A-2").unwrap().price, Some(d(101)));
    assert!(sync::conflicts(&conn, None).unwrap().is_empty());
    // stokdurumu's category of A-1 ("Genel") came into Raf: it is queued for the others.
    assert_eq!(catalog::product_detail(&conn, "A-1").unwrap().category.as_deref(), Some("Genel"));

    // A second round creates nothing again and leaves nothing pending.
    let posts = shops.stok.world().count("POST /api/v1/products");
    run_all(&mut conn);
    assert_eq!(shops.stok.world().count("POST /api/v1/products"), posts);
    assert_eq!(sync::pending_count(&conn, None).unwrap(), 0);
    for sku in SKUS {
        assert_eq!(copies(&shops, sku), [1; 3], "{sku}");
    }
}
