//! Runs the fake KolayBi server by hand, to try sync locally:
//!
//! ```sh
//! cargo run --example fake_kolaybi -- 127.0.0.1:8789 50
//! RAF_KEYRING=mock raf connection add kolay --kind kolaybi --channel raf-test-channel --url http://127.0.0.1:8789/kolaybi/v1 --token kb_test_api_key_0123456789
//! RAF_SYNC_TOKEN=kb_test_api_key_0123456789 raf sync kolay
//! ```
//!
//! Arguments: the address (default 127.0.0.1:8789) and how many sample products (default
//! 50). The API key and the Channel are printed at start.

#[path = "../tests/support/kolaybi_fake.rs"]
mod kolaybi_fake;

use kolaybi_fake::{FakeKolayBi, API_KEY, CHANNEL};
use rust_decimal::Decimal;

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8789".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    let fake = FakeKolayBi::start_on(&addr);
    {
        let mut world = fake.world();
        for i in 1..=count {
            world.add_product(
                &format!("DEMO-{i:04}"),
                &format!("Örnek ürün {i}"),
                Decimal::from(i as i64 % 17 - 3),
                Decimal::new(1000 + i as i64 * 25, 2),
            );
        }
    }
    println!("fake KolayBi listening on {} (API key: {API_KEY}, Channel: {CHANNEL}); Ctrl-C stops it", fake.base_url());
    loop {
        std::thread::park();
    }
}
