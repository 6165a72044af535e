//! Builds a large catalog (1M products by default) and prints p50/p99 latencies of the
//! lists the app shows: search by a name word, by SKU prefix, by exact barcode, and a
//! keyset page deep in the list (plain and filtered by category; by name, SKU and price),
//! and the dashboard's stock value by category.
//!
//!     cargo bench --bench catalog                      # 1M products, in a temp dir
//!     RAF_BENCH_PRODUCTS=100000 cargo bench --bench catalog
//!     RAF_BENCH_DB=/tmp/raf-1m.db cargo bench --bench catalog   # keep and reuse the file
//!
//! Targets on a 2-core machine: search p99 <= 10 ms, page p99 <= 5 ms.

use raf::catalog::{self, ProductFields, ProductQuery, Sort};
use raf::db;
use rust_decimal::Decimal;
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
    "ışık",
    "lamba",
    "ampul",
    "şerit",
    "kablo",
    "priz",
    "anahtar",
    "çay",
    "kahve",
    "bardak",
    "fincan",
    "tabak",
    "çatal",
    "kaşık",
    "bıçak",
    "tencere",
    "tava",
    "süzgeç",
    "havlu",
    "çarşaf",
    "yastık",
    "battaniye",
    "perde",
    "halı",
    "kilim",
    "sandalye",
    "masa",
    "dolap",
    "raf",
    "kutu",
    "sepet",
    "çanta",
    "cüzdan",
    "kemer",
    "gömlek",
    "tişört",
    "pantolon",
    "etek",
    "elbise",
    "ceket",
    "mont",
    "kazak",
    "hırka",
    "çorap",
    "ayakkabı",
    "terlik",
    "bot",
    "şapka",
    "eldiven",
    "atkı",
    "defter",
    "kalem",
    "silgi",
    "cetvel",
    "makas",
    "yapıştırıcı",
    "boya",
    "fırça",
    "tuval",
    "çerçeve",
    "ayna",
    "saat",
    "vazo",
    "mum",
    "sabun",
    "şampuan",
    "krem",
    "parfüm",
    "deterjan",
    "sünger",
    "kova",
    "paspas",
    "süpürge",
    "ütü",
    "mikser",
    "blender",
    "tost",
    "ızgara",
    "fırın",
    "buzdolabı",
    "çamaşır",
    "bulaşık",
    "telefon",
    "kılıf",
    "şarj",
    "kulaklık",
    "hoparlör",
    "klavye",
    "fare",
    "monitör",
    "yazıcı",
    "kağıt",
    "zımba",
    "dosya",
    "klasör",
    "etiket",
    "bant",
    "ip",
    "zincir",
    "kilit",
    "çivi",
    "vida",
    "matkap",
    "tornavida",
    "pense",
    "çekiç",
    "metre",
    "su",
    "terazi",
    "merdiven",
    "bahçe",
    "hortum",
    "saksı",
    "toprak",
    "tohum",
    "gübre",
    "organik",
    "doğal",
    "büyük",
    "küçük",
    "orta",
    "uzun",
    "kısa",
    "geniş",
    "dar",
    "yeni",
    "klasik",
    "modern",
    "beyaz",
    "siyah",
    "kırmızı",
    "mavi",
    "yeşil",
    "sarı",
    "turuncu",
    "mor",
    "pembe",
    "gri",
    "kahverengi",
    "lacivert",
    "bej",
    "altın",
    "gümüş",
    "bakır",
    "çelik",
    "ahşap",
    "plastik",
    "cam",
    "seramik",
    "pamuk",
    "yün",
    "ipek",
    "deri",
    "keten",
    "istanbul",
    "ankara",
    "izmir",
    "bursa",
    "antalya",
];

fn main() {
    let products: u64 = std::env::var("RAF_BENCH_PRODUCTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = std::env::var("RAF_BENCH_DB").map(Into::into).unwrap_or_else(|_| tmp.path().join("bench.db"));
    let opened = Instant::now();
    let mut conn = db::open(&path).expect("open");
    // An older file is migrated here (1M products: the price-sort keys and indexes of 0009).
    println!("open: {} ms", opened.elapsed().as_millis());
    let have: u64 = conn.query_row("SELECT count(*) FROM products", [], |r| r.get(0)).unwrap();
    if have < products {
        build(&mut conn, have, products);
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("catalog: {products} products, {:.0} MB file at {}", size as f64 / 1e6, path.display());

    let categories: Vec<i64> = catalog::categories(&conn).unwrap().iter().map(|c| c.id).collect();
    let mut rng = fastrand::Rng::with_seed(7);
    let runs = 300;
    let query = |q: ProductQuery| move |conn: &rusqlite::Connection| catalog::search_products(conn, &q).unwrap().rows.len();

    report("search: name word", &conn, runs, |_| {
        query(ProductQuery { search: Some(WORDS[rng.usize(..WORDS.len())].to_owned()), ..Default::default() })
    });
    let mut rng = fastrand::Rng::with_seed(8);
    report("search: two name words", &conn, runs, |_| {
        let (a, b) = (WORDS[rng.usize(..WORDS.len())], WORDS[rng.usize(..WORDS.len())]);
        query(ProductQuery { search: Some(format!("{a} {b}")), ..Default::default() })
    });
    let mut rng = fastrand::Rng::with_seed(9);
    report("search: SKU prefix", &conn, runs, |_| {
        query(ProductQuery { search: Some(format!("SKU-{:05}", rng.u64(..products / 100))), ..Default::default() })
    });
    let mut rng = fastrand::Rng::with_seed(10);
    report("search: exact barcode", &conn, runs, |_| query(ProductQuery { search: Some(barcode(rng.u64(..products))), ..Default::default() }));
    let mut rng = fastrand::Rng::with_seed(11);
    report("page: deep keyset, by name", &conn, runs, |_| query(ProductQuery { after: Some(rng.i64(1..=products as i64)), ..Default::default() }));
    let mut rng = fastrand::Rng::with_seed(12);
    report("page: deep keyset, by SKU desc", &conn, runs, |_| {
        query(ProductQuery { after: Some(rng.i64(1..=products as i64)), sort: Sort::Sku, descending: true, ..Default::default() })
    });
    let mut rng = fastrand::Rng::with_seed(13);
    report("page: category filter, by name", &conn, runs, |_| {
        let category_id = Some(categories[rng.usize(..categories.len())]);
        query(ProductQuery { category_id, after: Some(rng.i64(1..=products as i64)), ..Default::default() })
    });
    report("page: low stock", &conn, runs, |_| query(ProductQuery { low_stock: true, ..Default::default() }));
    let mut rng = fastrand::Rng::with_seed(15);
    report("page: deep keyset, by price", &conn, runs, |_| {
        query(ProductQuery { after: Some(rng.i64(1..=products as i64)), sort: Sort::Price, ..Default::default() })
    });
    let mut rng = fastrand::Rng::with_seed(16);
    report("page: deep keyset, by price desc", &conn, runs, |_| {
        query(ProductQuery { after: Some(rng.i64(1..=products as i64)), sort: Sort::Price, descending: true, ..Default::default() })
    });
    let mut rng = fastrand::Rng::with_seed(17);
    report("page: category filter, by price", &conn, runs, |_| {
        let category_id = Some(categories[rng.usize(..categories.len())]);
        query(ProductQuery { category_id, after: Some(rng.i64(1..=products as i64)), sort: Sort::Price, ..Default::default() })
    });
    let mut rng = fastrand::Rng::with_seed(18);
    report("page: name word, by price", &conn, runs, |_| {
        query(ProductQuery { search: Some(WORDS[rng.usize(..WORDS.len())].to_owned()), sort: Sort::Price, ..Default::default() })
    });
    report("dashboard: stock value by category", &conn, 20, |_| {
        |conn: &rusqlite::Connection| raf::report::stock_value_by_category(conn).unwrap().len()
    });
    let mut rng = fastrand::Rng::with_seed(14);
    report("count: name word", &conn, 50, |_| {
        let q = ProductQuery { search: Some(WORDS[rng.usize(..WORDS.len())].to_owned()), ..Default::default() };
        move |conn: &rusqlite::Connection| catalog::count_products(conn, &q).unwrap() as usize
    });
    report("count: whole catalog", &conn, 50, |_| {
        |conn: &rusqlite::Connection| catalog::count_products(conn, &ProductQuery::default()).unwrap() as usize
    });
    println!("peak memory: {} MB", peak_rss_mb());
}

/// Fills the catalog from product `from` to `to` in transactions of 10 000.
fn build(conn: &mut rusqlite::Connection, from: u64, to: u64) {
    // Only the bench's own throwaway file: the app keeps synchronous=FULL.
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    for (i, name) in ["Aydınlatma", "Mutfak", "Giyim", "Kırtasiye", "Hırdavat", "Bahçe", "Elektronik", "Ev Tekstili"].iter().enumerate() {
        if from == 0 {
            catalog::add_category(conn, name, None, None).unwrap();
            for sub in 0..4 {
                catalog::add_category(conn, &format!("{name} {}", sub + 1), None, Some(name)).unwrap();
            }
            catalog::add_brand(conn, &format!("Marka {i}")).unwrap();
        }
    }
    let categories: Vec<i64> = catalog::categories(conn).unwrap().iter().map(|c| c.id).collect();
    let brands: Vec<i64> = catalog::brands(conn).unwrap().iter().map(|b| b.id).collect();
    let mut rng = fastrand::Rng::with_seed(from);
    let started = Instant::now();
    let mut done = from;
    while done < to {
        let end = (done + 10_000).min(to);
        db::write(conn, |tx| {
            for n in done..end {
                let name = (0..3).map(|_| WORDS[rng.usize(..WORDS.len())]).collect::<Vec<_>>().join(" ");
                let mut f = ProductFields::new(format!("SKU-{n:07}"), format!("{} {}", capitalize(&name), rng.u32(1..500)));
                f.barcode = Some(barcode(n));
                f.category_id = Some(categories[rng.usize(..categories.len())]);
                f.brand_id = Some(brands[rng.usize(..brands.len())]);
                f.min_stock = (rng.u8(..20) == 0).then(|| Decimal::from(5));
                let product = catalog::insert_product(tx, &f)?;
                catalog::upsert_price(tx, &product.fields.sku, 1, Decimal::new(rng.i64(100..1_000_000), 2), None)?;
            }
            Ok(())
        })
        .unwrap();
        done = end;
        if done.is_multiple_of(100_000) || done == to {
            let secs = started.elapsed().as_secs_f64();
            println!("built {done} products ({:.0} products/s)", (done - from) as f64 / secs);
        }
    }
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("ANALYZE").unwrap();
}

/// A valid EAN-13 in Turkey's 869 range for product `n`.
fn barcode(n: u64) -> String {
    let body = format!("869{:09}", n);
    let sum: u32 = body.bytes().enumerate().map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 }).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Runs `make(i)(conn)` `runs` times and prints p50/p99/max in milliseconds.
fn report<F, Q>(label: &str, conn: &rusqlite::Connection, runs: usize, mut make: F)
where
    F: FnMut(usize) -> Q,
    Q: FnOnce(&rusqlite::Connection) -> usize,
{
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut rows = 0;
    for i in 0..runs {
        let q = make(i);
        let t = Instant::now();
        rows += q(conn);
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| ms(times[((times.len() as f64 * p) as usize).min(times.len() - 1)]);
    println!(
        "{label:<34} p50 {:>7.3} ms   p99 {:>7.3} ms   max {:>7.3} ms   ({runs} runs, {:.0} rows/run)",
        pct(0.50),
        pct(0.99),
        ms(*times.last().unwrap()),
        rows as f64 / runs as f64
    );
}

fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()).unwrap_or(0) / 1024
}
