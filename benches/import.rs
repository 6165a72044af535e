//! Imports a generated 1M-row sheet end to end, as xlsx and as csv, into a new catalog,
//! again unchanged, and as csv with every price changed, undoes the csv imports, and prints rows/s and peak RSS next to a raw parse of the same file in
//! the same run: calamine's streaming cell reader for the xlsx, the csv crate for the csv.
//!
//!     cargo bench --bench import                              # 1M rows, in a temp dir
//!     RAF_BENCH_IMPORT_ROWS=100000 cargo bench --bench import
//!
//! A line in between shows the floor: the same rows written by bare SQL inserts, without
//! the indexes an import rebuilds at its end. Each import runs in a child process, a fresh
//! one as the app or the CLI would be, so its peak RSS is its own.
//!
//! Targets on a 2-core machine: xlsx end to end <= 1.25x the raw parse, peak RSS <= 600 MB,
//! csv 1M rows upserted in <= 9 s, an unchanged re-import <= 1.1x its parse time.

use calamine::Reader;
use raf::import::{self, ImportOptions};
use raf::progress;
use std::path::Path;
use std::time::{Duration, Instant};

const HEADERS: [&str; 8] = ["Stok Kodu", "Barkod", "Ürün Adı", "Kategori", "Fiyat", "Fiyat 2", "Stok", "KDV"];
const WORDS: &[&str] = &["Işık", "Lamba", "Çay", "Bardak", "Kablo", "Priz", "Tişört", "Gömlek", "Süzgeç", "Şerit", "Ütü", "Kılıf"];
const CATEGORIES: &[&str] = &["Aydınlatma", "Mutfak", "Giyim", "Elektrik", "Ev"];

/// Row `i` of the generated sheet: SKU, barcode, name, category, two prices, stock, VAT.
fn row(i: u64) -> (String, String, String, &'static str, String, String, u64, u64) {
    let name = format!("{} {} {}", WORDS[(i % 12) as usize], WORDS[(i / 12 % 12) as usize], i);
    let price = 10 + i % 5000;
    (
        format!("SKU-{i:07}"),
        format!("869{:010}", i),
        name,
        CATEGORIES[(i % 5) as usize],
        format!("{price}.{:02}", i % 100),
        format!("{}.50", price - 1),
        i % 50,
        [1, 10, 20][(i % 3) as usize],
    )
}

/// The sheet as csv; `new_prices`: every group-1 price one lira up, as a supplier's new
/// price list would have it.
fn write_csv(path: &Path, rows: u64, new_prices: bool) {
    let mut out = csv::WriterBuilder::new().delimiter(b';').from_path(path).unwrap();
    out.write_record(HEADERS).unwrap();
    for i in 0..rows {
        let (sku, barcode, name, category, p1, p2, stock, vat) = row(i);
        let p1 = if new_prices { format!("{:.2}", p1.parse::<f64>().unwrap() + 1.0) } else { p1 };
        let (p1, p2) = (p1.replace('.', ","), p2.replace('.', ","));
        out.write_record([sku, barcode, name, category.to_owned(), p1, p2, stock.to_string(), vat.to_string()]).unwrap();
    }
    out.flush().unwrap();
}

fn write_xlsx(path: &Path, rows: u64) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        let (sku, barcode, name, category, p1, p2, stock, vat) = row(i);
        sheet.write_string(r, 0, sku).unwrap();
        sheet.write_number(r, 1, barcode.parse::<f64>().unwrap()).unwrap();
        sheet.write_string(r, 2, name).unwrap();
        sheet.write_string(r, 3, category).unwrap();
        sheet.write_number(r, 4, p1.parse::<f64>().unwrap()).unwrap();
        sheet.write_number(r, 5, p2.parse::<f64>().unwrap()).unwrap();
        sheet.write_number(r, 6, stock as f64).unwrap();
        sheet.write_number(r, 7, vat as f64).unwrap();
    }
    book.save(path).unwrap();
}

/// Peak resident memory since the last reset, in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0.0);
    kb / 1024.0
}

/// CPU time of this process (all threads, user and system) so far: on a shared machine
/// wall time depends on the neighbours, this does not.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at state, field 3.
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0 // utime and stime (fields 14 and 15), in USER_HZ = 100
}

/// Starts a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Figure {
    what: String,
    took: Duration,
    cpu: f64,
    rows: u64,
    rss: f64,
}

/// Runs `f`, prints its line of the table and returns it.
fn measure(what: &str, rows: u64, f: impl FnOnce()) -> Figure {
    reset_peak();
    let (start, cpu) = (Instant::now(), cpu_seconds());
    f();
    let figure = Figure { what: what.to_owned(), took: start.elapsed(), cpu: cpu_seconds() - cpu, rows, rss: peak_rss_mb() };
    print_figure(&figure);
    figure
}

fn print_figure(figure: &Figure) {
    let seconds = figure.took.as_secs_f64();
    println!("{:<42} {:>9.2} {:>9.2} {:>12.0} {:>12.0}", figure.what, seconds, figure.cpu, figure.rows as f64 / seconds, figure.rss);
}

fn raw_csv(path: &Path) -> u64 {
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_path(path).unwrap();
    let mut record = csv::ByteRecord::new();
    let mut cells = 0;
    while reader.read_byte_record(&mut record).unwrap() {
        cells += record.len() as u64;
    }
    cells
}

fn raw_xlsx(path: &Path) -> u64 {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let mut cells = book.worksheet_cells_reader(&sheet).unwrap();
    let mut n = 0;
    while let Some(cell) = cells.next_cell().unwrap() {
        std::hint::black_box(cell.get_value());
        n += 1;
    }
    n
}

/// What `bare_inserts` writes: all of it is the floor line; `RAF_BENCH_FLOOR_PARTS=1`
/// also prints what each part adds.
#[derive(Clone, Copy)]
struct Parts {
    prices: bool,
    movements: bool,
    search: Search,
    /// Build the indexes an import suspends again before the commit, as an import does.
    indexes: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Search {
    None,
    /// The name's words only, with the 2- and 3-letter prefix indexes.
    Name,
    /// Name, SKU and barcode, without the prefix indexes.
    NoPrefixes,
    /// What an import writes: name, SKU and barcode, with the prefix indexes.
    Full,
}

const FLOOR: Parts = Parts { prices: true, movements: true, search: Search::Full, indexes: false };

/// The floor under an import of new products: the rows it writes for each one (the
/// product, its two prices, its stock movement and its search row) inserted by bare
/// prepared statements, no file and no checks, with the indexes an import suspends
/// dropped. What this takes, an import cannot beat without writing less. Returns the
/// seconds of the rows, of building the indexes again, and of the commit.
fn bare_inserts(db: &Path, rows: u64, parts: Parts) -> [f64; 3] {
    let mut conn = raf::db::open(db).unwrap();
    conn.pragma_update(None, "cache_size", -262_144).unwrap();
    if parts.search == Search::NoPrefixes {
        conn.execute_batch(
            "DROP TABLE product_search; CREATE VIRTUAL TABLE product_search USING fts5(text, content='', contentless_delete=1, tokenize='unicode61')",
        )
        .unwrap();
    }
    let suspended: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('products', 'stock_movements') AND sql NOT LIKE '%UNIQUE%' AND name <> 'movements_variant'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let start = Instant::now();
    let tx = conn.transaction().unwrap();
    for (name, _) in &suspended {
        tx.execute(&format!("DROP INDEX {name}"), []).unwrap();
    }
    let mut product = tx
        .prepare(
            "INSERT INTO products (sku, sku_key, name, name_sort, barcode, category_id, vat_rate, on_hand, price1, created_at, updated_at)
             VALUES (?1, lower(?1), ?2, lower(?2), ?3, NULL, ?4, ?5, ?6, ?7, ?7)",
        )
        .unwrap();
    let mut price = tx.prepare("INSERT INTO prices (product_id, variant_id, group_no, sale, list) VALUES (?1, NULL, ?2, ?3, NULL)").unwrap();
    let mut movement = tx
        .prepare(
            "INSERT INTO stock_movements (product_id, kind, delta, qty_before, qty_after, reason, created_at) VALUES (?1, 'import', ?2, 0, ?2, ?3, ?4)",
        )
        .unwrap();
    let mut search = tx.prepare("INSERT INTO product_search (rowid, text) VALUES (?1, ?2)").unwrap();
    let now = raf::db::now();
    for i in 0..rows {
        let (sku, barcode, name, _, p1, p2, stock, vat) = row(i);
        let units = |p: &str| (p.parse::<f64>().unwrap() * 10_000.0).round() as i64;
        let stock = stock as i64 * 10_000;
        product.execute(rusqlite::params![sku, name, barcode, vat as i64 * 10_000, stock, units(&p1), now]).unwrap();
        let id = tx.last_insert_rowid();
        if parts.prices {
            price.execute(rusqlite::params![id, 1, units(&p1)]).unwrap();
            price.execute(rusqlite::params![id, 2, units(&p2)]).unwrap();
        }
        if stock != 0 && parts.movements {
            movement.execute(rusqlite::params![id, stock, format!("import #1, row {}", i + 2), now]).unwrap();
        }
        let text = match parts.search {
            Search::None => continue,
            Search::Name => name.to_lowercase(),
            Search::NoPrefixes | Search::Full => format!("{} {sku} {barcode}", name.to_lowercase()),
        };
        search.execute(rusqlite::params![id, text]).unwrap();
    }
    drop((product, price, movement, search));
    let written = start.elapsed().as_secs_f64();
    if parts.indexes {
        for (_, sql) in &suspended {
            tx.execute(sql, []).unwrap();
        }
    }
    let indexed = start.elapsed().as_secs_f64();
    tx.commit().unwrap();
    drop(conn);
    [written, indexed - written, start.elapsed().as_secs_f64() - indexed]
}

/// What each part of the floor costs, on its own catalog file: `RAF_BENCH_FLOOR_PARTS=1`.
fn floor_parts(dir: &Path, rows: u64) {
    let none = Parts { prices: false, movements: false, search: Search::None, indexes: false };
    let lines = [
        ("product rows (SKU index only)", none),
        ("+ two prices each", Parts { prices: true, ..none }),
        ("+ a ledger movement each", Parts { prices: true, movements: true, ..none }),
        ("+ search rows (the floor)", FLOOR),
        ("  search rows of the name alone", Parts { search: Search::Name, ..FLOOR }),
        ("  search rows without prefix indexes", Parts { search: Search::NoPrefixes, ..FLOOR }),
        ("+ the suspended indexes built", Parts { indexes: true, ..FLOOR }),
    ];
    println!("{:<42} {:>9} {:>9} {:>9}", "floor, part by part", "rows s", "indexes s", "commit s");
    for (i, (what, parts)) in lines.into_iter().enumerate() {
        let [written, indexed, committed] = bare_inserts(&dir.join(format!("part{i}.db")), rows, parts);
        println!("{what:<42} {written:>9.2} {indexed:>9.2} {committed:>9.2}");
    }
}

fn import(db: &Path, file: &Path) -> import::Plan {
    let mut conn = raf::db::open(db).unwrap();
    let applied = progress::silent(|task| import::apply(&mut conn, file, &ImportOptions::default(), task)).unwrap();
    assert!(applied.batch.is_some(), "the generated file imports without errors: {:?}", &applied.plan.errors[..applied.plan.errors.len().min(5)]);
    applied.plan
}

/// Set in the child process that runs one import, `DB|FILE`, or the undo of the latest
/// one, `DB|` (`UNDO`).
const CHILD: &str = "RAF_BENCH_IMPORT";
const UNDO: &str = "";

/// Imports `file` into `db` (or undoes its latest import, `file` `UNDO`) in a child
/// process of this bench, as the app or the CLI starts one: what earlier steps left in
/// this process's allocator does not count in its peak RSS. Prints its line and returns
/// the counts: the plan's creates, updates and unchanged, or the undo's created items
/// removed, prices restored and movements reversed.
fn import_in_child(what: &str, rows: u64, db: &Path, file: &Path) -> (Figure, (u64, u64, u64)) {
    let start = Instant::now();
    let out =
        std::process::Command::new(std::env::current_exe().unwrap()).env(CHILD, format!("{}|{}", db.display(), file.display())).output().unwrap();
    let took = start.elapsed();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let v: Vec<f64> = stdout.split_whitespace().map(|v| v.parse().unwrap()).collect();
    let figure = Figure { what: what.to_owned(), took, cpu: v[3], rows, rss: v[4] };
    print_figure(&figure);
    (figure, (v[0] as u64, v[1] as u64, v[2] as u64))
}

/// The child's side: the import or the undo, then its counts, CPU seconds and peak RSS.
fn child_import(spec: &str) {
    let (db, file) = spec.split_once('|').unwrap();
    let counts = if file == UNDO {
        let undone = import::undo(&mut raf::db::open(Path::new(db)).unwrap(), None, false).unwrap();
        (undone.created_removed, undone.prices_restored, undone.movements_reversed)
    } else {
        let plan = import(Path::new(db), Path::new(file));
        (plan.creates, plan.updates, plan.unchanged)
    };
    println!("{} {} {} {} {}", counts.0, counts.1, counts.2, cpu_seconds(), peak_rss_mb());
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        return child_import(&spec);
    }
    let rows: u64 = std::env::var("RAF_BENCH_IMPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let (csv_file, xlsx_file) = (dir.path().join("urunler.csv"), dir.path().join("urunler.xlsx"));
    let new_prices_file = dir.path().join("yeni-fiyatlar.csv");
    let start = Instant::now();
    write_csv(&csv_file, rows, false);
    write_csv(&new_prices_file, rows, true);
    write_xlsx(&xlsx_file, rows);
    let size = |p: &Path| std::fs::metadata(p).unwrap().len() as f64 / 1e6;
    println!("generated {rows} rows in {:.1} s: csv {:.0} MB, xlsx {:.0} MB", start.elapsed().as_secs_f64(), size(&csv_file), size(&xlsx_file));

    println!("{:<42} {:>9} {:>9} {:>12} {:>12}", "", "seconds", "cpu s", "rows/s", "peak RSS MB");
    let mut figures = vec![
        measure("raw csv parse (csv crate)", rows, || {
            std::hint::black_box(raw_csv(&csv_file));
        }),
        measure("raw xlsx parse (calamine cells reader)", rows, || {
            std::hint::black_box(raw_xlsx(&xlsx_file));
        }),
    ];
    measure("bare SQLite inserts of the same rows (floor)", rows, || {
        bare_inserts(&dir.path().join("bare.db"), rows, FLOOR);
    });
    if std::env::var_os("RAF_BENCH_FLOOR_PARTS").is_some() {
        floor_parts(dir.path(), rows);
    }
    let (csv_db, xlsx_db) = (dir.path().join("csv.db"), dir.path().join("xlsx.db"));
    for (what, db, file, counts) in [
        ("csv import, new catalog (creates)", &csv_db, csv_file.as_path(), (rows, 0, 0)),
        ("csv re-import, unchanged", &csv_db, csv_file.as_path(), (0, 0, rows)),
        ("xlsx import, new catalog (creates)", &xlsx_db, xlsx_file.as_path(), (rows, 0, 0)),
        ("xlsx re-import, unchanged", &xlsx_db, xlsx_file.as_path(), (0, 0, rows)),
        ("csv re-import, every price changed", &csv_db, new_prices_file.as_path(), (0, rows, 0)),
        ("undo of the price changes", &csv_db, Path::new(UNDO), (0, rows, 0)),
        ("undo of the unchanged re-import", &csv_db, Path::new(UNDO), (0, 0, 0)),
        ("undo of the creates", &csv_db, Path::new(UNDO), (rows, 0, rows - rows.div_ceil(50))),
    ] {
        let (figure, done) = import_in_child(what, rows, db, file);
        assert_eq!(done, counts, "{what}");
        figures.push(figure);
    }

    let ratio = |a: usize, b: usize| figures[a].took.as_secs_f64() / figures[b].took.as_secs_f64();
    println!("xlsx end to end / raw xlsx parse: {:.2}x (target <= 1.25x)", ratio(4, 1));
    println!("csv unchanged re-import / raw csv parse: {:.2}x (target <= 1.1x)", ratio(3, 0));
    println!("xlsx unchanged re-import / raw xlsx parse: {:.2}x (target <= 1.1x)", ratio(5, 1));
    println!(
        "csv 1M-row upsert target: <= 9 s (creates: {:.1} s, price changes: {:.1} s); peak RSS target: <= 600 MB",
        figures[2].took.as_secs_f64(),
        figures[6].took.as_secs_f64()
    );
}
