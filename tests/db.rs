//! The database file: pragmas, backup and restore, damaged files, and a writer that
//! dies in the middle of a transaction.

use raf::catalog::{count_products, create_product, product_detail, search_products, ProductFields, ProductQuery};
use raf::progress;
use raf::stock::{adjust, check_ledger, Change};
use rusqlite::{Connection, TransactionBehavior};
use rust_decimal::Decimal;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn all_skus(conn: &Connection) -> Vec<String> {
    let q = ProductQuery { limit: raf::catalog::MAX_PAGE, sort: raf::catalog::Sort::Sku, ..Default::default() };
    let page = search_products(conn, &q).unwrap();
    assert_eq!(page.next_after, None, "test data fits one page");
    page.rows.into_iter().map(|r| r.sku).collect()
}

/// Everything a test compares before and after: SKUs, quantities, movement count.
fn state(conn: &Connection) -> (Vec<(String, Decimal)>, i64) {
    let q = ProductQuery { limit: raf::catalog::MAX_PAGE, sort: raf::catalog::Sort::Sku, ..Default::default() };
    let rows = search_products(conn, &q).unwrap().rows.into_iter().map(|r| (r.sku, r.on_hand)).collect();
    let movements = conn.query_row("SELECT count(*) FROM stock_movements", [], |r| r.get(0)).unwrap();
    (rows, movements)
}

/// `n` products with stock and long descriptions, so the file spans many pages.
fn fill(conn: &mut Connection, n: usize) {
    for i in 0..n {
        let sku = format!("P-{i:05}");
        let description = format!("{} {}", "uzun açıklama ".repeat(20), i);
        create_product(conn, &ProductFields { description: Some(description), ..ProductFields::new(&sku, format!("Ürün {i}")) }).unwrap();
        adjust(conn, &sku, Change::Add(Decimal::from(i as i64 % 7 + 1)), None).unwrap();
    }
}

#[test]
fn open_sets_wal_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/raf.db");
    let conn = raf::db::open(&path).unwrap();
    assert!(path.is_file(), "open creates the file and its folders");
    let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal");
    let synchronous: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
    assert_eq!(synchronous, 2, "FULL");
    let foreign_keys: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
    assert_eq!(foreign_keys, 1);
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, raf::db::MIGRATIONS.len(), "migrated to the latest schema");

    // Foreign keys are enforced, not just switched on.
    let err = conn
        .execute("INSERT INTO stock_movements (product_id, kind, delta, qty_before, qty_after, created_at) VALUES (999, 'add', 1, 0, 1, 'x')", [])
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");

    // Opening again keeps the data and migrates nothing (so no backup copy is made).
    drop(conn);
    let mut conn = raf::db::open(&path).unwrap();
    create_product(&mut conn, &ProductFields::new("A", "Bir")).unwrap();
    drop(conn);
    let conn = raf::db::open(&path).unwrap();
    assert_eq!(all_skus(&conn), ["A"]);
    let baks: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bak"))
        .collect();
    assert!(baks.is_empty(), "no backup copy for an up-to-date file: {baks:?}");
}

#[test]
fn a_reader_sees_committed_data_and_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let mut conn = raf::db::open(&path).unwrap();
    create_product(&mut conn, &ProductFields::new("R-1", "Okunan")).unwrap();
    let reader = raf::db::open_reader(&path).unwrap();
    assert_eq!(all_skus(&reader), ["R-1"]);
    assert!(reader.execute("DELETE FROM products", []).is_err());
    assert_eq!(all_skus(&conn), ["R-1"]);
}

#[test]
fn backup_then_restore_brings_the_old_data_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let mut conn = raf::db::open(&path).unwrap();
    fill(&mut conn, 30);
    let saved = state(&conn);
    let backup = dir.path().join("yedek/raf-backup.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    raf::db::backup_to(&conn, &backup).unwrap();
    assert!(backup.is_file());
    assert!(!backup.with_extension("partial").exists(), "the temporary copy is renamed into place");

    // The backup is a catalog of its own.
    {
        let copy = raf::db::open_reader(&backup).unwrap();
        assert_eq!(state(&copy), saved);
    }

    // Change everything: add, delete, move stock.
    create_product(&mut conn, &ProductFields::new("NEW-1", "Sonradan")).unwrap();
    adjust(&mut conn, "P-00003", Change::Set(d("123.5")), None).unwrap();
    raf::catalog::soft_delete_product(&mut conn, "P-00007").unwrap();
    assert_ne!(state(&conn), saved);

    raf::db::restore_from(&mut conn, &backup).unwrap();
    assert_eq!(state(&conn), saved);
    assert!(raf::catalog::resolve_sku(&conn, "NEW-1").is_err());
    assert_eq!(product_detail(&conn, "P-00003").unwrap().product.on_hand, d("4"));
    assert_eq!(check_ledger(&conn).unwrap(), []);
    // The search index came back with the rows.
    let q = ProductQuery { search: Some("ürün 7".into()), ..Default::default() };
    assert!(search_products(&conn, &q).unwrap().rows.iter().any(|r| r.sku == "P-00007"));

    // The restored catalog is writable and survives reopening.
    create_product(&mut conn, &ProductFields::new("AFTER", "Geri yüklemeden sonra")).unwrap();
    drop(conn);
    let conn = raf::db::open(&path).unwrap();
    assert_eq!(count_products(&conn, &ProductQuery::default()).unwrap(), 31);
    let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn restoring_something_that_is_not_a_catalog_fails_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let mut conn = raf::db::open(&path).unwrap();
    fill(&mut conn, 5);
    let saved = state(&conn);

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "this is not a database\n".repeat(200)).unwrap();
    assert_eq!(raf::db::restore_from(&mut conn, &text).unwrap_err().code(), "db.not_a_catalog");
    assert_eq!(state(&conn), saved);

    let empty_file = dir.path().join("empty.db");
    std::fs::write(&empty_file, b"").unwrap();
    assert_eq!(raf::db::restore_from(&mut conn, &empty_file).unwrap_err().code(), "db.not_a_catalog");
    assert_eq!(state(&conn), saved);

    let other = dir.path().join("other.db");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi');").unwrap();
    let err = raf::db::restore_from(&mut conn, &other).unwrap_err();
    assert_eq!(err.code(), "db.not_a_catalog");
    assert!(err.to_string().contains("other.db"), "the message names the file: {err}");
    assert_eq!(state(&conn), saved);

    // A file with a products table but no Raf schema version is not a catalog either.
    let lookalike = dir.path().join("lookalike.db");
    Connection::open(&lookalike).unwrap().execute_batch("CREATE TABLE products (id INTEGER PRIMARY KEY);").unwrap();
    assert_eq!(raf::db::restore_from(&mut conn, &lookalike).unwrap_err().code(), "db.not_a_catalog");
    assert_eq!(state(&conn), saved);

    // A catalog from a newer Raf is refused.
    let newer = dir.path().join("newer.db");
    raf::db::backup_to(&conn, &newer).unwrap();
    Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    assert_eq!(raf::db::restore_from(&mut conn, &newer).unwrap_err().code(), "db.too_new");
    assert_eq!(state(&conn), saved);

    let missing = dir.path().join("missing.db");
    assert_eq!(raf::db::restore_from(&mut conn, &missing).unwrap_err().code(), "io.failed");
    assert!(!missing.exists(), "a failed restore creates no file");
    assert_eq!(state(&conn), saved);
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

/// Writes `len` bytes of garbage at `offset`.
fn scribble(path: &Path, offset: u64, len: usize) {
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    let garbage: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(7)).collect();
    file.write_all(&garbage).unwrap();
    file.sync_all().unwrap();
}

/// A closed catalog with enough rows to span many pages; returns its size.
fn closed_catalog(path: &Path) -> u64 {
    let mut conn = raf::db::open(path).unwrap();
    fill(&mut conn, 400);
    drop(conn); // the last connection checkpoints the WAL into the file
    let len = std::fs::metadata(path).unwrap().len();
    assert!(len > 256 * 1024, "the test needs a file of many pages, got {len} bytes");
    len
}

#[test]
fn a_damaged_file_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let len = closed_catalog(&path);
    scribble(&path, len / 2, 64 * 1024);
    let err = raf::db::open(&path).unwrap_err();
    assert!(matches!(err.code(), "db.corrupt" | "db.cannot_open"), "{}: {err}", err.code());
}

#[test]
fn check_file_finds_damage_that_a_large_file_skips_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let len = closed_catalog(&path);
    raf::db::check_file(&path).unwrap();
    scribble(&path, len / 2, 64 * 1024);
    let err = raf::db::check_file(&path).unwrap_err();
    assert_eq!(err.code(), "db.corrupt", "{err}");
    assert!(raf::db::checked_at_open(&path), "a small file is checked at open already");
    assert!(raf::db::checked_at_open(&dir.path().join("new.db")), "so is a new one");
}

#[test]
fn a_file_with_a_damaged_header_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    closed_catalog(&path);
    scribble(&path, 0, 100);
    let err = raf::db::open(&path).unwrap_err();
    assert!(matches!(err.code(), "db.corrupt" | "db.cannot_open"), "{}: {err}", err.code());
    // Nothing was written over the damaged file (no migration, no backup copy).
    assert!(!dir.path().join("raf.db.v0.bak").exists());
}

#[test]
fn a_backup_restored_over_a_catalog_that_cannot_open_replaces_it_and_keeps_the_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, backup) = (dir.path().join("raf.db"), dir.path().join("yedek.db"));
    let len = closed_catalog(&path);
    let saved = {
        let conn = raf::db::open(&path).unwrap();
        raf::db::backup_to(&conn, &backup).unwrap();
        state(&conn)
    };
    scribble(&path, 0, 100);
    let damaged = std::fs::read(&path).unwrap();
    assert!(raf::db::open(&path).is_err());

    // A file that is not a catalog is refused, and the damaged file stays where it was.
    let text = dir.path().join("notlar.txt");
    std::fs::write(&text, "not a catalog").unwrap();
    let err = progress::silent(|task| raf::db::restore_over_damaged(&path, &text, task)).unwrap_err();
    assert_eq!(err.code(), "db.not_a_catalog");
    assert_eq!(std::fs::read(&path).unwrap(), damaged);

    progress::silent(|task| raf::db::restore_over_damaged(&path, &backup, task)).unwrap();
    let conn = raf::db::open(&path).unwrap();
    assert_eq!(state(&conn), saved);
    assert_eq!(all_skus(&conn).len(), 400);
    let aside = dir.path().join("raf.db.damaged");
    assert_eq!(std::fs::read(&aside).unwrap(), damaged, "the damaged file is kept, {len} bytes");
}

#[test]
fn a_transaction_dropped_without_commit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let mut conn = raf::db::open(&path).unwrap();
    fill(&mut conn, 3);
    let saved = state(&conn);
    {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
        insert_raw(&tx, 0..50);
        // dropped here without commit
    }
    assert_eq!(state(&conn), saved);
    drop(conn);
    let conn = raf::db::open(&path).unwrap();
    assert_eq!(state(&conn), saved);
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

/// Products inserted the way the library does, in raw SQL; big enough rows that a long
/// run spills uncommitted pages into the WAL.
fn insert_raw(conn: &Connection, range: std::ops::Range<usize>) {
    for i in range {
        conn.execute(
            "INSERT INTO products (sku, sku_key, name, name_sort, description, on_hand, created_at, updated_at)
             VALUES (?1, lower(?1), ?2, lower(?2), ?3, 10000, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            rusqlite::params![format!("CRASH-{i}"), format!("Yarım kalan {i}"), "x".repeat(2000)],
        )
        .unwrap();
    }
}

const CRASH_ENV: &str = "RAF_TEST_CRASH_DB";

/// The child process of `a_writer_killed_mid_transaction_leaves_the_file_as_it_was`:
/// starts a big write, says so, and waits to be killed. In a normal run (no
/// `RAF_TEST_CRASH_DB`) it returns at once.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CRASH_ENV) else { return };
    let mut conn = raf::db::open(Path::new(&path)).unwrap();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
    // Enough rows that SQLite must spill uncommitted pages into the WAL file.
    insert_raw(&tx, 0..3000);
    println!("READY");
    std::io::stdout().flush().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(60));
    panic!("the parent should have killed this process");
}

#[test]
fn a_writer_killed_mid_transaction_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let saved = {
        let mut conn = raf::db::open(&path).unwrap();
        fill(&mut conn, 10);
        state(&conn)
    };

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CRASH_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = false;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if line.unwrap().contains("READY") {
            ready = true;
            break;
        }
    }
    assert!(ready, "the child never reached the middle of its write");
    let wal = std::fs::metadata(path.with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback, no checkpoint
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(wal > 0, "the killed writer had uncommitted pages in the WAL");

    let conn = raf::db::open(&path).unwrap();
    assert_eq!(state(&conn), saved);
    assert!(raf::catalog::resolve_sku(&conn, "CRASH-0").is_err());
    assert_eq!(check_ledger(&conn).unwrap(), []);
    raf::db::quick_check(&conn).unwrap();
}

#[test]
fn open_refuses_a_newer_catalog_and_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    {
        let mut conn = raf::db::open(&path).unwrap();
        fill(&mut conn, 2);
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = raf::db::open(&path).unwrap_err();
    assert_eq!(err.code(), "db.too_new");
    assert_eq!(err.details()["found"], 99);
    let raw = Connection::open(&path).unwrap();
    let version: i64 = raw.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 99, "the newer file is left as it is");

    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    assert_eq!(raf::db::open(&folder).unwrap_err().code(), "db.cannot_open");
}

/// The opcodes SQLite runs for `sql`.
fn opcodes(conn: &Connection, sql: &str) -> Vec<String> {
    let mut explain = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
    explain.query_map([], |r| r.get(1)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn migrating_rebuilds_the_ledger_with_every_movement_and_writes_a_movement_without_a_temporary_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let before = raf::db::MIGRATIONS.iter().position(|m| m.name == "0015_checks_without_in_lists").unwrap();
    let mut old = Connection::open(&path).unwrap();
    old.pragma_update(None, "foreign_keys", true).unwrap();
    raf::db::migrate(&mut old, &path, &raf::db::MIGRATIONS[..before]).unwrap();
    old.execute_batch(
        "INSERT INTO products (id, sku, sku_key, name, name_sort, on_hand, created_at, updated_at) VALUES (1, 'A', 'a', 'A', 'a', 30000, 'x', 'x');
         INSERT INTO stock_movements (id, product_id, kind, delta, qty_before, qty_after, created_at) VALUES (1, 1, 'add', 50000, 0, 50000, 'x');
         INSERT INTO stock_movements (id, product_id, kind, delta, qty_before, qty_after, undoes, created_at) VALUES (2, 1, 'undo', -50000, 50000, 0, 1, 'x');
         INSERT INTO stock_movements (id, product_id, kind, delta, qty_before, qty_after, created_at) VALUES (3, 1, 'count', 30000, 0, 30000, 'x');
         INSERT INTO import_batches (id, file_name, options, rows, creates, updates, unchanged, created_at) VALUES (1, 'a.csv', '{}', 1, 0, 1, 0, 'x');
         INSERT INTO import_changes (batch_id, seq, row_no, change, product_id, movement_id) VALUES (1, 1, 2, 'movement', 1, 3);",
    )
    .unwrap();
    drop(old);

    let conn = raf::db::open(&path).unwrap();
    let ledger: Vec<(i64, String, Option<i64>)> = conn
        .prepare("SELECT id, kind, undoes FROM stock_movements ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ledger, [(1, "add".to_owned(), None), (2, "undo".to_owned(), Some(1)), (3, "count".to_owned(), None)]);
    let journal: i64 = conn.query_row("SELECT movement_id FROM import_changes", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, 3);
    check_ledger(&conn).unwrap();
    let foreign_keys: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
    assert_eq!(foreign_keys, 1, "enforced again after migrating");

    // The kinds are still checked, and checking one builds no temporary b-tree of them.
    let insert = "INSERT INTO stock_movements (product_id, kind, delta, qty_before, qty_after, created_at) VALUES (1, 'nope', 1, 0, 1, 'x')";
    assert!(conn.execute(insert, []).unwrap_err().to_string().contains("CHECK"));
    assert!(!opcodes(&conn, insert).iter().any(|op| op == "OpenEphemeral"), "{:?}", opcodes(&conn, insert));
    let journal = "INSERT INTO import_changes (batch_id, seq, row_no, change, product_id) VALUES (1, 2, 3, 'price_set', 1)";
    assert!(!opcodes(&conn, journal).iter().any(|op| op == "OpenEphemeral"), "{:?}", opcodes(&conn, journal));
}

#[test]
fn migrating_an_older_catalog_fills_the_price_sort_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raf.db");
    let before = raf::db::MIGRATIONS.iter().position(|m| m.name == "0008_price_sort").unwrap();
    let mut old = Connection::open(&path).unwrap();
    raf::db::migrate(&mut old, &path, &raf::db::MIGRATIONS[..before]).unwrap();
    for (id, sku, price) in [(1, "A", Some(250_000)), (2, "B", None), (3, "C", Some(90_000))] {
        old.execute(
            "INSERT INTO products (id, sku, sku_key, name, name_sort, created_at, updated_at) VALUES (?1, ?2, ?2, ?2, ?2, 'x', 'x')",
            rusqlite::params![id, sku],
        )
        .unwrap();
        if let Some(price) = price {
            old.execute("INSERT INTO prices (product_id, group_no, sale) VALUES (?1, 1, ?2)", [id, price]).unwrap();
        }
        old.execute("INSERT INTO prices (product_id, group_no, sale) VALUES (?1, 2, ?2)", [id, 10 * id]).unwrap();
    }
    drop(old);

    let conn = raf::db::open(&path).unwrap();
    let sorted = |descending: bool| -> Vec<String> {
        let q = ProductQuery { sort: raf::catalog::Sort::Price, descending, ..Default::default() };
        search_products(&conn, &q).unwrap().rows.into_iter().map(|r| r.sku).collect()
    };
    assert_eq!(sorted(false), ["C", "A", "B"]);
    assert_eq!(sorted(true), ["A", "C", "B"]);
}
