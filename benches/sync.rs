//! Request counts for a bulk push: 10,000 changed prices and stocks sent through Sopyo's
//! batch endpoint (`/process/price-and-stock`) against the fake on 127.0.0.1. The issue's
//! bound: at most ceil(10,000 / batch size) + 3 requests for the push. Prints figures; it
//! is not a timed test.
//!
//! `cargo bench --bench sync` (RAF_BENCH_ITEMS to change the 10,000)

#[path = "../tests/support/sopyo_fake.rs"]
mod sopyo_fake;

use raf::catalog;
use raf::progress;
use raf::stock::{self, Change};
use raf::sync::{self, Limits, NewConnection, RunOptions, Settings};
use rust_decimal::Decimal;
use sopyo_fake::{FakeSopyo, Price, API_TOKEN};
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let items: usize = std::env::var("RAF_BENCH_ITEMS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    // SAFETY: set before any thread starts.
    unsafe { std::env::set_var("RAF_KEYRING", "mock") };
    let fake = FakeSopyo::start();
    {
        let mut world = fake.world();
        for i in 0..items {
            let prices = BTreeMap::from([(1, Price { sale: Some(Decimal::from(100 + i as i64)), list: None })]);
            world.add_product(&format!("B{i:06}"), &format!("Ürün {i}"), Decimal::from(10), prices, Vec::new());
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raf::db::open(&dir.path().join("raf.db")).unwrap();
    let settings = Settings::default();
    let batch = settings.batch_size;
    let new = NewConnection { name: "bench".into(), kind: sync::Kind::Sopyo, base_url: Some(fake.base_url()), settings };
    sync::add_connection(&mut conn, &new, API_TOKEN).unwrap();
    let options = RunOptions { token: Some(API_TOKEN.into()), limits: Limits::default(), ..RunOptions::default() };

    let started = Instant::now();
    let pull = progress::silent(|task| sync::run(&mut conn, "bench", &options, task)).unwrap();
    println!("pull of {items} products: {} requests, {:.1} s", pull.counts.requests, started.elapsed().as_secs_f64());

    // Half the items get a new price, half a stock change (every item changes once).
    let started = Instant::now();
    for i in 0..items {
        let sku = format!("B{i:06}");
        if i % 2 == 0 {
            catalog::set_price(&mut conn, &sku, 1, Decimal::from(5000 + i as i64), None).unwrap();
        } else {
            stock::adjust(&mut conn, &sku, Change::Add(Decimal::from(3)), None).unwrap();
        }
    }
    println!("{items} local edits queued in {:.1} s; pending {}", started.elapsed().as_secs_f64(), sync::pending_count(&conn, None).unwrap());

    let before = fake.world().requests.len();
    let started = Instant::now();
    let push = progress::silent(|task| sync::run(&mut conn, "bench", &options, task)).unwrap();
    let requests: Vec<String> = fake.world().requests[before..].to_vec();
    let batches = requests.iter().filter(|r| r.starts_with("POST /api/v2/process")).count();
    let other_writes =
        requests.iter().filter(|r| !r.starts_with("GET ") && !r.starts_with("POST /api/v2/process") && !r.contains("auth/login")).count();
    let bound = items.div_ceil(batch) + 3;
    let count = |prefix: &str| requests.iter().filter(|r| r.starts_with(prefix)).count();
    println!(
        "push of {items} changed prices/stocks: {} items in {batches} batch requests + {other_writes} other writes (bound ceil({items}/{batch}) + 3 = {bound}); {:.1} s",
        push.counts.items_pushed,
        started.elapsed().as_secs_f64()
    );
    println!(
        "whole second run: {} requests = {} login + {} product pages + {} order pages + {} variant group, category, brand and tag reads + {batches} batches",
        requests.len(),
        count("POST /api/v2/auth/login"),
        count("GET /api/v2/products"),
        count("GET /api/v2/orders"),
        count("GET /api/v2/variant-group") + count("GET /api/v2/categories") + count("GET /api/v2/brands") + count("GET /api/v2/tags")
    );
    assert!(batches + other_writes <= bound, "the push used more requests than the bound");
}
