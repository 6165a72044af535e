//! Runs the fake stokdurumu.com server by hand, to try sync locally:
//!
//! ```sh
//! cargo run --example fake_stokdurumu -- 127.0.0.1:8788 50 500
//! RAF_KEYRING=mock raf connection add stok --kind stokdurumu --plan free --url http://127.0.0.1:8788/api/v1 --token sk_test0123456789abcdefghij
//! RAF_SYNC_TOKEN=sk_test0123456789abcdefghij raf sync stok
//! ```
//!
//! Arguments: the address (default 127.0.0.1:8788), how many sample products (default
//! 50) and the daily request quota (default: unlimited). The API key is printed at start.

#[path = "../tests/support/stokdurumu_fake.rs"]
mod stokdurumu_fake;

use rust_decimal::Decimal;
use stokdurumu_fake::{FakeStokdurumu, API_KEY};

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8788".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    let quota: Option<u32> = args.next().and_then(|n| n.parse().ok());
    let fake = FakeStokdurumu::start_on(&addr);
    {
        let mut world = fake.world();
        world.now = chrono::Utc::now();
        world.daily_quota = quota;
        for i in 1..=count {
            world.add_product(
                &format!("DEMO-{i:04}"),
                &format!("Örnek ürün {i}"),
                Decimal::from(i as i64 % 17),
                Decimal::new(1000 + i as i64 * 25, 2),
            );
        }
    }
    println!("fake stokdurumu listening on {} (API key: {API_KEY}); Ctrl-C stops it", fake.base_url());
    loop {
        std::thread::park();
    }
}
