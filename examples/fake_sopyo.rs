//! Runs the fake Sopyo server by hand, so a shop owner (or a developer) can try sync
//! locally without touching the real service:
//!
//! ```sh
//! cargo run --example fake_sopyo -- 127.0.0.1:8787 200
//! RAF_KEYRING=mock raf connection add demo --kind sopyo --url http://127.0.0.1:8787/api/v2 --token test-api-token-0123456789
//! RAF_SYNC_TOKEN=test-api-token-0123456789 raf sync demo
//! ```
//!
//! Arguments: the address to listen on (default 127.0.0.1:8787) and how many sample
//! products to start with (default 50). The API token is printed at start.

#[path = "../tests/support/sopyo_fake.rs"]
mod sopyo_fake;

use rust_decimal::Decimal;
use sopyo_fake::{FakeSopyo, Price, API_TOKEN};
use std::collections::BTreeMap;

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8787".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    let fake = FakeSopyo::start_on(&addr);
    {
        let mut world = fake.world();
        for i in 1..=count {
            let prices = BTreeMap::from([(1, Price { sale: Some(Decimal::new(1000 + i as i64 * 25, 2)), list: None })]);
            if i % 5 == 0 {
                let variants = ["S", "M", "L"]
                    .iter()
                    .map(|s| (format!("DEMO-{i:04}-{s}"), vec![("Beden".to_owned(), s.to_string())], Decimal::from(3)))
                    .collect();
                world.add_product(&format!("DEMO-{i:04}"), &format!("Örnek tişört {i}"), Decimal::ZERO, prices, variants);
            } else {
                world.add_product(&format!("DEMO-{i:04}"), &format!("Örnek ürün {i}"), Decimal::from(i as i64 % 17), prices, Vec::new());
            }
        }
        world.add_order("DEMO-ORDER-1", 1, &[("DEMO-0001", None, 1, Decimal::from(10))]);
    }
    println!("fake Sopyo listening on {} (API token: {API_TOKEN}); Ctrl-C stops it", fake.base_url());
    loop {
        std::thread::park();
    }
}
