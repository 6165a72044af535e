//! The `raf` binary end to end: every test gets its own catalog file in a temp folder
//! and drives it the way a person or a script would, through arguments, exit codes,
//! stdout and stderr.

use serde_json::Value;
use std::collections::HashSet;

#[path = "support/shop.rs"]
mod support;
use support::{raf, Shop};

fn skus(rows: &Value) -> Vec<String> {
    rows.as_array().unwrap().iter().map(|r| r["sku"].as_str().unwrap().to_owned()).collect()
}

// ---- init and the catalog file ----

#[test]
fn init_creates_the_catalog_file_and_its_folders() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop").join("2026").join("raf.db");
    assert!(!db.exists());
    raf(dir.path()).arg("--db").arg(&db).arg("init").assert().success();
    assert!(db.is_file(), "init made no file at {}", db.display());
    // Running it again on an up-to-date catalog is harmless.
    raf(dir.path()).arg("--db").arg(&db).arg("init").assert().success();
}

#[test]
fn raf_db_names_the_catalog_and_the_db_flag_wins_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let (from_env, from_flag) = (dir.path().join("env.db"), dir.path().join("flag.db"));

    raf(dir.path()).env("RAF_DB", &from_env).arg("init").assert().success();
    assert!(from_env.is_file());
    raf(dir.path()).env("RAF_DB", &from_env).args(["product", "add", "ENV-1", "Only in env.db"]).assert().success();
    raf(dir.path()).env("RAF_DB", &from_env).args(["product", "show", "ENV-1"]).assert().success();

    raf(dir.path()).env("RAF_DB", &from_env).arg("--db").arg(&from_flag).arg("init").assert().success();
    assert!(from_flag.is_file(), "--db was ignored in favour of RAF_DB");
    raf(dir.path()).env("RAF_DB", &from_env).arg("--db").arg(&from_flag).args(["product", "show", "ENV-1"]).assert().code(1);
    assert!(!dir.path().join("data").exists(), "the default catalog was opened although a path was given");
}

// ---- products ----

#[test]
fn product_show_json_has_on_hand_and_all_ten_price_groups() {
    let shop = Shop::new();
    shop.add("LMB-1", "Masa Lambası", &["--price", "149,90", "--list-price", "199,90", "--stock", "7", "--barcode", "8690000000017"]);
    let p = shop.show("LMB-1");
    assert_eq!(p["sku"], "LMB-1");
    assert_eq!(p["name"], "Masa Lambası");
    assert_eq!(p["barcode"], "8690000000017");
    assert_eq!(p["on_hand"], "7");
    let prices = p["prices"].as_array().unwrap();
    assert_eq!(prices.len(), 10, "{p}");
    let groups: Vec<u64> = prices.iter().map(|g| g["group"].as_u64().unwrap()).collect();
    assert_eq!(groups, (1..=10).collect::<Vec<_>>());
    let names: Vec<&str> = prices.iter().map(|g| g["group_name"].as_str().unwrap()).collect();
    assert_eq!(&names[..3], ["Perakende", "Toptan", "Bayi"]);
    assert_eq!(prices[0]["sale"], "149.9");
    assert_eq!(prices[0]["list"], "199.9");
    assert!(prices[1..].iter().all(|g| g["sale"].is_null()), "{p}");
    // The opening stock is a movement, not a bare number.
    let history = shop.json(&["stock", "history", "LMB-1"]);
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["after"], "7");
}

#[test]
fn product_text_output_names_the_product() {
    let shop = Shop::new();
    shop.add("LMB-1", "Masa Lambası", &["--price", "10"]);
    let text = shop.run(&["product", "show", "LMB-1"]);
    assert!(text.contains("Masa Lambası") && text.contains("Perakende"), "{text}");
}

#[test]
fn product_edit_changes_fields_and_can_rename_the_sku() {
    let shop = Shop::new();
    shop.run(&["category", "add", "Aydınlatma"]);
    shop.run(&["brand", "add", "Işıltı"]);
    shop.add("OLD-1", "Eski Ad", &["--barcode", "111", "--stock", "4", "--subtitle", "alt"]);
    shop.run(&["price", "set", "OLD-1", "--group", "2", "--sale", "5"]);

    let edited = shop.json(&[
        "product",
        "edit",
        "OLD-1",
        "--sku",
        "NEW-1",
        "--name",
        "Yeni Ad",
        "--category",
        "aydınlatma",
        "--brand",
        "IŞILTI",
        "--unit",
        "kg",
        "--vat",
        "10",
        "--min-stock",
        "2,5",
        "--barcode",
        "",
        "--subtitle",
        "",
    ]);
    assert_eq!(edited["sku"], "NEW-1");
    assert_eq!(edited["name"], "Yeni Ad");
    assert_eq!(edited["category"], "Aydınlatma");
    assert_eq!(edited["brand"], "Işıltı");
    assert_eq!(edited["unit"], "kg");
    assert_eq!(edited["vat_rate"], "10");
    assert_eq!(edited["min_stock"], "2.5");
    assert!(edited["barcode"].is_null(), "an empty value clears: {edited}");
    assert!(edited["subtitle"].is_null(), "{edited}");

    // The same product under its new SKU: stock, prices and history came along.
    let p = shop.show("NEW-1");
    assert_eq!(p["on_hand"], "4");
    assert_eq!(p["prices"][1]["sale"], "5");
    assert_eq!(shop.json(&["stock", "history", "NEW-1"]).as_array().unwrap().len(), 1);
    shop.error(&["product", "show", "OLD-1"], "catalog.not_found");
    assert_eq!(shop.list(&["--search", "yeni"]), ["NEW-1"]);
    assert!(shop.list(&["--search", "eski"]).is_empty(), "the search index still holds the old name");
    assert!(shop.list(&["--search", "OLD"]).is_empty(), "the search index still holds the old SKU");

    // Fields not named keep their values.
    shop.run(&["product", "edit", "NEW-1", "--status", "inactive"]);
    let p = shop.show("NEW-1");
    assert_eq!(p["active"], false);
    assert_eq!(p["unit"], "kg");
    assert_eq!(p["category"], "Aydınlatma");
}

#[test]
fn product_edit_refuses_a_taken_sku_and_changes_nothing() {
    let shop = Shop::new();
    shop.add("A-1", "Bir", &[]);
    shop.add("B-1", "İki", &[]);
    shop.error(&["product", "edit", "B-1", "--sku", "A-1", "--name", "Değişti"], "catalog.sku_taken");
    assert_eq!(shop.show("B-1")["name"], "İki");
    assert_eq!(shop.show("A-1")["name"], "Bir");
}

#[test]
fn product_rm_hides_it_from_the_list_and_restore_brings_it_back() {
    let shop = Shop::new();
    shop.add("KEEP", "Kalan", &[]);
    shop.add("GONE", "Giden", &[]);
    let removed = shop.json(&["product", "rm", "GONE"]);
    assert!(removed["deleted_at"].is_string(), "{removed}");

    assert_eq!(shop.list(&[]), ["KEEP"]);
    assert_eq!(shop.list(&["--status", "deleted"]), ["GONE"]);
    assert!(shop.list(&["--search", "giden"]).is_empty());
    assert!(shop.show("GONE")["deleted_at"].is_string(), "show still finds a product in the trash");

    shop.run(&["product", "restore", "GONE"]);
    assert!(shop.show("GONE")["deleted_at"].is_null());
    let mut all = shop.list(&[]);
    all.sort();
    assert_eq!(all, ["GONE", "KEEP"]);
    assert!(shop.list(&["--status", "deleted"]).is_empty());
}

#[test]
fn product_add_refuses_a_duplicate_sku() {
    let shop = Shop::new();
    shop.add("DUP", "İlk", &[]);
    let text = shop.user_error(&["product", "add", "DUP", "İkinci"]);
    assert!(text.contains("DUP"), "{text}");
    let err = shop.error(&["product", "add", "DUP", "İkinci"], "catalog.sku_taken");
    assert_eq!(err["details"]["sku"], "DUP");
    assert_eq!(shop.show("DUP")["name"], "İlk");
    assert_eq!(shop.list(&[]).len(), 1);
}

// ---- lists: search, filters, pages, counts ----

#[test]
fn search_folds_turkish_letters_both_ways() {
    let shop = Shop::new();
    shop.add("ISK-1", "IŞIK ŞERİT LED", &[]);
    shop.add("IST-1", "İSTANBUL MANZARALI KUPA", &[]);
    shop.add("CAY-1", "Çay Bardağı", &[]);
    shop.add("OTH-1", "Kahve Fincanı", &[]);

    assert_eq!(shop.list(&["--search", "ışık"]), ["ISK-1"]);
    assert_eq!(shop.list(&["--search", "isik"]), ["ISK-1"]);
    assert_eq!(shop.list(&["--search", "istanbul"]), ["IST-1"]);
    assert_eq!(shop.list(&["--search", "İstanbul"]), ["IST-1"]);
    assert_eq!(shop.list(&["--search", "cay"]), ["CAY-1"]);
    assert_eq!(shop.list(&["--search", "ÇAY"]), ["CAY-1"]);
    assert_eq!(shop.list(&["--search", "bardag"]), ["CAY-1"], "words match by prefix");
    assert_eq!(shop.list(&["--search", "şerit led"]), ["ISK-1"], "every word must match");
    assert!(shop.list(&["--search", "şerit kupa"]).is_empty());
    assert_eq!(shop.list(&["--search", "oth"]), ["OTH-1"], "a SKU prefix matches");
}

#[test]
fn list_filters_by_low_stock_and_category() {
    let shop = Shop::new();
    shop.run(&["category", "add", "Aydınlatma"]);
    shop.run(&["category", "add", "Avize", "--parent", "Aydınlatma"]);
    shop.run(&["category", "add", "Mutfak"]);
    shop.add("LOW", "Az Kalan", &["--min-stock", "5", "--stock", "5", "--category", "Mutfak"]);
    shop.add("OK", "Bol", &["--min-stock", "5", "--stock", "6", "--category", "Aydınlatma"]);
    shop.add("NOMIN", "Sınırsız", &["--category", "Avize"]);
    shop.add("NONE", "Kategorisiz", &[]);

    assert_eq!(shop.list(&["--low-stock"]), ["LOW"], "at the minimum counts as low; no minimum never does");
    shop.run(&["stock", "sub", "OK", "1"]);
    let mut low = shop.list(&["--low-stock"]);
    low.sort();
    assert_eq!(low, ["LOW", "OK"]);

    assert_eq!(shop.list(&["--category", "Mutfak"]), ["LOW"]);
    let mut lighting = shop.list(&["--category", "aydınlatma"]);
    lighting.sort();
    assert_eq!(lighting, ["NOMIN", "OK"], "a category includes its subcategories");
    assert_eq!(shop.list(&["--category", "Avize"]), ["NOMIN"]);
    shop.error(&["product", "list", "--category", "Yok"], "catalog.ref_not_found");
}

/// Walks every page of `product list ARGS --limit N` through `next`.
fn walk_pages(shop: &Shop, args: &[&str], limit: u32) -> Vec<String> {
    let limit = limit.to_string();
    let mut seen = Vec::new();
    let mut after: Option<i64> = None;
    for _ in 0..100 {
        let mut page_args = vec!["product", "list", "--limit", &limit];
        page_args.extend_from_slice(args);
        let after_text = after.map(|a| a.to_string());
        if let Some(a) = &after_text {
            page_args.extend(["--after", a.as_str()]);
        }
        let page = shop.json(&page_args);
        let rows = skus(&page["rows"]);
        assert!(rows.len() <= limit.parse().unwrap(), "{page}");
        seen.extend(rows);
        match page["next"].as_i64() {
            Some(next) => after = Some(next),
            None => {
                assert!(page["next"].is_null(), "{page}");
                return seen;
            }
        }
    }
    panic!("paging never ended");
}

#[test]
fn list_pages_with_limit_and_after_visit_every_product_once() {
    let shop = Shop::new();
    let mut all = Vec::new();
    for i in 0..23 {
        // Repeated names make the id tie-breaker matter; Turkish letters test the order key.
        let name = ["Şeker", "Çay", "Ilık Su", "İnce Bardak", "Ayran"][i % 5];
        let sku = format!("P-{i:02}");
        shop.add(&sku, name, &["--stock", &(i % 7).to_string()]);
        all.push(sku);
    }
    all.sort();

    for (args, limit) in [
        (vec![], 5),
        (vec!["--sort", "sku"], 4),
        (vec!["--desc"], 6),
        (vec!["--sort", "on-hand"], 3),
        (vec!["--sort", "on-hand", "--desc"], 4),
        (vec!["--sort", "created", "--desc"], 5),
        (vec!["--sort", "updated"], 6),
        (vec![], 23),
        (vec![], 50),
    ] {
        let mut seen = walk_pages(&shop, &args, limit);
        assert_eq!(seen.len(), all.len(), "{args:?} --limit {limit}: {seen:?}");
        seen.sort();
        assert_eq!(seen, all, "{args:?} --limit {limit}");
    }

    // By name the pages follow the Turkish alphabet: Ayran, Çay, Ilık, İnce, Şeker.
    let by_name = walk_pages(&shop, &[], 5);
    let first_of = |prefix: &str| {
        by_name.iter().position(|s| {
            let i: usize = s[2..].parse().unwrap();
            ["Şeker", "Çay", "Ilık Su", "İnce Bardak", "Ayran"][i % 5].starts_with(prefix)
        })
    };
    let order: Vec<usize> = ["Ayran", "Çay", "Ilık", "İnce", "Şeker"].iter().map(|n| first_of(n).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{by_name:?}");

    // A search pages too.
    let mut found = walk_pages(&shop, &["--search", "çay"], 2);
    found.sort();
    assert_eq!(found, all.iter().enumerate().filter(|(i, _)| i % 5 == 1).map(|(_, s)| s.clone()).collect::<Vec<_>>());
}

#[test]
fn list_count_counts_every_match_not_just_the_page() {
    let shop = Shop::new();
    for i in 0..7 {
        shop.add(&format!("C-{i}"), &format!("Kupa {i}"), &[]);
    }
    shop.add("X-1", "Tabak", &[]);
    let page = shop.json(&["product", "list", "--limit", "3", "--count"]);
    assert_eq!(page["count"], 8);
    assert_eq!(page["rows"].as_array().unwrap().len(), 3);
    assert_eq!(shop.json(&["product", "list", "--search", "kupa", "--limit", "2", "--count"])["count"], 7);
    assert!(shop.json(&["product", "list"])["count"].is_null(), "no count unless asked");
    let text = shop.run(&["product", "list", "--search", "kupa", "--count"]);
    assert!(text.contains("7 product(s) match"), "{text}");
}

// ---- variants ----

#[test]
fn variant_generate_makes_the_matrix_with_derived_skus() {
    let shop = Shop::new();
    shop.add("TS", "Tişört", &["--price", "100"]);
    let created = shop.json(&["variant", "generate", "TS", "--option", "Renk=Beyaz,Siyah", "--option", "Beden=S,M,L"]);
    let mut made = skus(&created);
    made.sort();
    assert_eq!(made, ["TS-BEYAZ-L", "TS-BEYAZ-M", "TS-BEYAZ-S", "TS-SIYAH-L", "TS-SIYAH-M", "TS-SIYAH-S"]);
    let first = &created[0];
    let options: Vec<(&str, &str)> =
        first["options"].as_array().unwrap().iter().map(|o| (o["group"].as_str().unwrap(), o["value"].as_str().unwrap())).collect();
    assert_eq!(options, [("Renk", "Beyaz"), ("Beden", "S")]);
    assert_eq!(shop.show("TS")["variants"].as_array().unwrap().len(), 6);

    // Again with one more size: only the missing combinations are made.
    let more = shop.json(&["variant", "generate", "TS", "--option", "Renk=Beyaz,Siyah", "--option", "Beden=S,M,L,XL"]);
    let mut more = skus(&more);
    more.sort();
    assert_eq!(more, ["TS-BEYAZ-XL", "TS-SIYAH-XL"]);

    // Variants hold the stock; the product sums them.
    shop.run(&["stock", "add", "TS-BEYAZ-M", "3"]);
    shop.run(&["stock", "add", "TS-SIYAH-L", "2"]);
    assert_eq!(shop.on_hand("TS-BEYAZ-M"), "3");
    assert_eq!(shop.show("TS")["on_hand"], "5");
    shop.error(&["stock", "add", "TS", "1"], "stock.has_variants");
    assert_eq!(shop.list(&["--search", "TS-SIYAH"]), ["TS"], "a variant's SKU finds its product");

    // A variant's own price shows in its product's table; the others take the product's.
    shop.run(&["price", "set", "TS-SIYAH-L", "--group", "1", "--sale", "120"]);
    let text = shop.run(&["product", "show", "TS"]);
    let row = text.lines().find(|l| l.starts_with("TS-SIYAH-L ")).unwrap_or_else(|| panic!("{text}"));
    assert!(row.trim_end().ends_with("1: 120"), "{text}");
    assert!(text.contains("OWN PRICES (GROUP: SALE)"), "{text}");
}

#[test]
fn variant_generate_needs_options_and_a_product_without_stock() {
    let shop = Shop::new();
    shop.add("ST", "Stoklu", &["--stock", "1"]);
    shop.fail(&["variant", "generate", "ST"], 2);
    shop.error(&["variant", "generate", "ST", "--option", "Renk=Mavi"], "catalog.stock_on_product");
    shop.error(&["variant", "generate", "YOK", "--option", "Renk=Mavi"], "catalog.not_found");
    shop.fail(&["variant", "generate", "ST", "--option", "RenkMavi"], 2);
}

// ---- prices ----

#[test]
fn price_set_reads_turkish_and_english_numbers() {
    let shop = Shop::new();
    shop.add("PR", "Fiyatlı", &[]);
    for (group, input, want) in [("1", "12.50", "12.5"), ("2", "12,50", "12.5"), ("3", "1.234,56", "1234.56"), ("4", "1,234.56", "1234.56")] {
        let out = shop.json(&["price", "set", "PR", "--group", group, "--sale", input]);
        assert_eq!(out["prices"].as_array().unwrap().len(), 10, "{out}");
        let stored = &shop.show("PR")["prices"][group.parse::<usize>().unwrap() - 1];
        assert_eq!(stored["sale"], want, "--sale {input}");
        assert!(stored["list"].is_null());
    }
    shop.run(&["price", "set", "PR", "--group", "10", "--sale", "9,99", "--list", "1.500"]);
    let p = shop.show("PR");
    assert_eq!(p["prices"][9]["sale"], "9.99");
    assert_eq!(p["prices"][9]["list"], "1.5", "a single mark is the decimal mark");
    shop.run(&["price", "set", "PR", "--group", "10", "--sale", "8", "--list", "1.500.000"]);
    assert_eq!(shop.show("PR")["prices"][9]["list"], "1500000", "repeated marks group thousands");
}

#[test]
fn price_set_on_a_variant_keeps_the_products_price() {
    let shop = Shop::new();
    shop.add("TS", "Tişört", &["--price", "100"]);
    shop.run(&["variant", "generate", "TS", "--option", "Renk=Beyaz,Siyah"]);
    shop.run(&["price", "set", "TS-SIYAH", "--group", "1", "--sale", "120"]);
    let p = shop.show("TS");
    assert_eq!(p["prices"][0]["sale"], "100");
    let black = p["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "TS-SIYAH").unwrap();
    assert_eq!(black["prices"][0]["sale"], "120");
    assert_eq!(black["prices"].as_array().unwrap().len(), 10);
}

#[test]
fn price_set_refuses_bad_groups_and_amounts() {
    let shop = Shop::new();
    shop.add("PR", "Fiyatlı", &[]);
    shop.fail(&["price", "set", "PR", "--group", "11", "--sale", "1"], 2);
    shop.fail(&["price", "set", "PR", "--group", "0", "--sale", "1"], 2);
    shop.fail(&["price", "set", "PR", "--group", "1", "--sale", "12,5,3"], 2);
    shop.fail(&["price", "set", "PR", "--group", "1"], 2);
    shop.error(&["price", "set", "PR", "--group", "1", "--sale=-1"], "input.invalid");
    shop.error(&["price", "set", "PR", "--group", "1", "--sale", "0,00001"], "input.invalid");
    shop.error(&["price", "set", "NOPE", "--group", "1", "--sale", "1"], "catalog.not_found");
    assert!(shop.show("PR")["prices"][0]["sale"].is_null());
}

#[test]
fn price_groups_can_be_renamed() {
    let shop = Shop::new();
    let groups = shop.json(&["price", "groups"]);
    assert_eq!(groups.as_array().unwrap().len(), 10);
    assert_eq!(groups[0]["name"], "Perakende");
    shop.run(&["price", "rename", "4", "İnternet"]);
    shop.add("PR", "Fiyatlı", &[]);
    assert_eq!(shop.show("PR")["prices"][3]["group_name"], "İnternet");
}

// ---- stock ----

#[test]
fn stock_add_sub_set_take_decimal_commas_and_record_before_and_after() {
    let shop = Shop::new();
    shop.add("KG", "Peynir", &["--unit", "kg"]);
    let m = shop.json(&["stock", "add", "KG", "3,5", "--reason", "tedarikçi"]);
    assert_eq!((m[0]["before"].as_str(), m[0]["after"].as_str(), m[0]["delta"].as_str()), (Some("0"), Some("3.5"), Some("3.5")));
    assert_eq!(m[0]["reason"], "tedarikçi");
    shop.run(&["stock", "add", "KG", "1.234,5"]);
    assert_eq!(shop.on_hand("KG"), "1238");
    shop.run(&["stock", "sub", "KG", "0,25", "--reason", "fire"]);
    assert_eq!(shop.on_hand("KG"), "1237.75");
    let set = shop.json(&["stock", "set", "KG", "10"]);
    assert_eq!(set[0]["delta"], "-1227.75");
    assert_eq!(set[0]["kind"], "set");
    shop.run(&["stock", "set", "KG", "0"]);
    assert_eq!(shop.on_hand("KG"), "0");

    let history = shop.json(&["stock", "history", "KG"]);
    let rows = history.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let kinds: Vec<&str> = rows.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["set", "set", "sub", "add", "add"], "newest first");
    let chain: Vec<(&str, &str)> = rows.iter().rev().map(|m| (m["before"].as_str().unwrap(), m["after"].as_str().unwrap())).collect();
    assert_eq!(chain, [("0", "3.5"), ("3.5", "1238"), ("1238", "1237.75"), ("1237.75", "10"), ("10", "0")]);
    assert_eq!(rows[2]["reason"], "fire");

    let text = shop.run(&["stock", "history", "KG"]);
    assert!(text.contains("3.5 -> 1238") && text.contains("fire"), "{text}");
    let older = shop.json(&["stock", "history", "KG", "--limit", "2", "--before", &rows[1]["id"].to_string()]);
    let older_ids: Vec<&Value> = older.as_array().unwrap().iter().map(|m| &m["id"]).collect();
    assert_eq!(older_ids, [&rows[2]["id"], &rows[3]["id"]]);
}

#[test]
fn stock_refuses_to_go_negative_and_changes_nothing() {
    let shop = Shop::new();
    shop.add("NEG", "Az", &["--stock", "2"]);
    let text = shop.user_error(&["stock", "sub", "NEG", "3"]);
    assert!(text.contains("NEG") && text.contains("negative"), "{text}");
    let err = shop.error(&["stock", "sub", "NEG", "2,5"], "stock.would_go_negative");
    assert_eq!(err["details"], serde_json::json!({ "sku": "NEG", "on_hand": "2", "delta": "-2.5" }));
    assert_eq!(shop.on_hand("NEG"), "2");
    assert_eq!(shop.json(&["stock", "history", "NEG"]).as_array().unwrap().len(), 1);
    shop.error(&["stock", "add", "NEG", "0"], "input.invalid");
    shop.error(&["stock", "add", "NEG", "-5"], "input.invalid");
    shop.error(&["stock", "add", "NEG", "0,00001"], "input.invalid");
    assert_eq!(shop.on_hand("NEG"), "2");
}

#[test]
fn stock_undo_compensates_once() {
    let shop = Shop::new();
    shop.add("UND", "Geri Al", &["--stock", "10"]);
    let sub = shop.json(&["stock", "sub", "UND", "4"]);
    let id = sub[0]["id"].to_string();
    let undo = shop.json(&["stock", "undo", &id]);
    assert_eq!(undo[0]["kind"], "undo");
    assert_eq!(undo[0]["delta"], "4");
    assert_eq!(undo[0]["undoes"].to_string(), id);
    assert_eq!(shop.on_hand("UND"), "10");
    let history = shop.json(&["stock", "history", "UND"]);
    let original = history.as_array().unwrap().iter().find(|m| m["id"] == sub[0]["id"]).unwrap();
    assert_eq!(original["undone_by"], undo[0]["id"]);

    shop.error(&["stock", "undo", &id], "stock.already_undone");
    shop.error(&["stock", "undo", "9999"], "stock.movement_not_found");
    assert_eq!(shop.on_hand("UND"), "10");
    shop.fail(&["stock", "undo", "abc"], 2);
}

#[test]
fn stock_low_lists_products_at_or_below_their_minimum() {
    let shop = Shop::new();
    shop.add("LOW", "Azalan", &["--min-stock", "3", "--stock", "2"]);
    shop.add("EDGE", "Sınırda", &["--min-stock", "3", "--stock", "3"]);
    shop.add("FULL", "Dolu", &["--min-stock", "3", "--stock", "4"]);
    shop.add("FREE", "Sınırsız", &[]);
    let mut low = skus(&shop.json(&["stock", "low"])["rows"]);
    low.sort();
    assert_eq!(low, ["EDGE", "LOW"]);
    shop.run(&["stock", "add", "LOW", "5"]);
    assert_eq!(skus(&shop.json(&["stock", "low"])["rows"]), ["EDGE"]);
    shop.run(&["product", "edit", "FULL", "--min-stock", "10"]);
    let mut low = skus(&shop.json(&["stock", "low"])["rows"]);
    low.sort();
    assert_eq!(low, ["EDGE", "FULL"]);
    shop.run(&["product", "edit", "FULL", "--min-stock", ""]);
    assert_eq!(skus(&shop.json(&["stock", "low"])["rows"]), ["EDGE"], "an empty --min-stock clears the minimum");
}

#[test]
fn stock_check_passes_a_sound_ledger_and_fails_a_tampered_one() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--stock", "5"]);
    shop.run(&["stock", "sub", "A", "2"]);
    assert_eq!(shop.json(&["stock", "check"]), serde_json::json!([]));

    let conn = rusqlite::Connection::open(&shop.db).unwrap();
    conn.execute("UPDATE products SET on_hand = on_hand + 10000 WHERE sku = 'A'", []).unwrap();
    drop(conn);
    let out = shop.cmd(&["stock", "check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mismatches: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(mismatches[0]["sku"], "A");
    assert_eq!(mismatches[0]["movements_sum"], "3");
    let err: Value = serde_json::from_str(String::from_utf8(out.stderr).unwrap().trim()).unwrap();
    assert_eq!(err["code"], "db.corrupt");
}

#[test]
fn check_verifies_the_file_and_the_ledger() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--stock", "5"]);
    assert!(shop.run(&["check"]).contains("catalog ok"));
    assert_eq!(shop.json(&["check"])["ok"], true);

    let conn = rusqlite::Connection::open(&shop.db).unwrap();
    conn.execute("UPDATE products SET on_hand = 10000 WHERE sku = 'A'", []).unwrap(); // 1, in units of 0.0001
    drop(conn);
    let err = shop.error(&["check"], "db.corrupt");
    assert!(err["message"].as_str().unwrap().contains("A: on hand 1, movements sum 5"), "{err}");
}

#[test]
fn restore_replaces_a_catalog_too_damaged_to_open() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--stock", "5"]);
    let backup = shop.path("yedek.raf");
    shop.run(&["backup", backup.to_str().unwrap()]);
    let mut file = std::fs::OpenOptions::new().write(true).open(&shop.db).unwrap();
    std::io::Write::write_all(&mut file, &[0x5a; 100]).unwrap(); // over the header
    drop(file);
    shop.error(&["product", "list"], "db.corrupt");

    assert_eq!(shop.json(&["restore", backup.to_str().unwrap()])["restored"], backup.to_str().unwrap());
    assert_eq!(shop.list(&[]), ["A"]);
    assert_eq!(shop.on_hand("A"), "5");
    assert!(shop.path(&format!("{}.damaged", shop.db.file_name().unwrap().to_str().unwrap())).is_file(), "the damaged file is kept");
}

// ---- categories, brands, tags ----

#[test]
fn categories_brands_and_tags_are_added_listed_and_removed() {
    let shop = Shop::new();
    shop.run(&["category", "add", "Aydınlatma", "--color", "#E11D48"]);
    shop.run(&["category", "add", "Avize", "--parent", "AYDINLATMA"]);
    shop.error(&["category", "add", "aydınlatma"], "catalog.name_taken");
    shop.error(&["category", "add", "Renkli", "--color", "kırmızı"], "input.invalid");
    let cats = shop.json(&["category", "list"]);
    let names: Vec<&str> = cats.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Avize", "Aydınlatma"]);
    let lighting = &cats[1];
    assert_eq!(lighting["color"], "#e11d48");
    assert_eq!(cats[0]["parent_id"], lighting["id"]);

    shop.run(&["brand", "add", "Işıltı"]);
    shop.run(&["brand", "add", "Arçelik"]);
    shop.error(&["brand", "add", "IŞILTI"], "catalog.name_taken");
    shop.add("P", "Ürün", &["--category", "Avize", "--brand", "ışıltı"]);
    let brands = shop.json(&["brand", "list"]);
    assert_eq!(brands.as_array().unwrap().len(), 2);
    let isilti = brands.as_array().unwrap().iter().find(|b| b["name"] == "Işıltı").unwrap();
    assert_eq!(isilti["products"], 1);
    assert_eq!(shop.list(&["--brand", "Işıltı"]), ["P"]);

    shop.run(&["category", "rm", "Avize"]);
    shop.run(&["brand", "rm", "Işıltı"]);
    let p = shop.show("P");
    assert!(p["category"].is_null() && p["brand"].is_null(), "removing leaves the product without one: {p}");
    assert_eq!(shop.json(&["category", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(shop.json(&["brand", "list"]).as_array().unwrap().len(), 1);
    shop.error(&["category", "rm", "Avize"], "catalog.ref_not_found");
    shop.error(&["brand", "rm", "Yok"], "catalog.ref_not_found");
    assert!(shop.run(&["brand", "list"]).contains("Arçelik"));
}

#[test]
fn tags_are_assigned_and_unassigned() {
    let shop = Shop::new();
    shop.run(&["tag", "add", "İndirim", "--color", "#0f0", "--description", "Haftanın fırsatları"]);
    shop.run(&["tag", "add", "Yeni"]);
    let tags = shop.json(&["tag", "list"]);
    assert_eq!(tags.as_array().unwrap().len(), 2);
    assert_eq!(tags[0]["name"], "İndirim");
    assert_eq!(tags[0]["color"], "#0f0");
    assert_eq!(tags[0]["description"], "Haftanın fırsatları");
    shop.error(&["tag", "add", "indirim"], "catalog.name_taken");

    shop.add("A", "Bir", &["--tag", "Yeni"]);
    shop.add("B", "İki", &[]);
    shop.add("C", "Üç", &[]);
    shop.run(&["tag", "assign", "indirim", "A", "B"]);
    shop.run(&["tag", "assign", "İNDİRİM", "A"]);
    let tag_names =
        |sku: &str| -> Vec<String> { shop.show(sku)["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect() };
    assert_eq!(tag_names("A"), ["İndirim", "Yeni"]);
    assert_eq!(tag_names("B"), ["İndirim"]);
    let mut tagged = shop.list(&["--tag", "İndirim"]);
    tagged.sort();
    assert_eq!(tagged, ["A", "B"]);

    shop.run(&["tag", "unassign", "İndirim", "A"]);
    assert_eq!(tag_names("A"), ["Yeni"]);
    assert_eq!(shop.list(&["--tag", "İndirim"]), ["B"]);
    shop.error(&["tag", "assign", "Yok", "A"], "catalog.ref_not_found");
    shop.error(&["tag", "assign", "Yeni", "NOPE"], "catalog.not_found");
    shop.fail(&["tag", "assign", "Yeni"], 2);

    shop.run(&["tag", "rm", "İndirim"]);
    assert!(tag_names("B").is_empty());
    assert_eq!(shop.json(&["tag", "list"]).as_array().unwrap().len(), 1);
    shop.error(&["product", "add", "D", "Dört", "--tag", "Yok"], "catalog.ref_not_found");
    shop.error(&["product", "show", "D"], "catalog.not_found");
}

// ---- orders ----

#[test]
fn an_order_takes_stock_out_once_and_cancel_puts_it_back() {
    let shop = Shop::new();
    shop.add("LMB", "Lamba", &["--price", "12,50", "--stock", "10"]);
    shop.add("KBL", "Kablo", &["--unit", "m", "--stock", "100"]);

    let order = shop.json(&["order", "add", "--code", "W-1", "--line", "LMB=2", "--line", "KBL=2,5@4,20", "--customer", "Ayşe Yılmaz"]);
    assert_eq!(order["code"], "W-1");
    assert_eq!(order["status"], "approved");
    assert_eq!(order["customer"]["name"], "Ayşe Yılmaz");
    assert_eq!(order["lines"].as_array().unwrap().len(), 2);
    assert_eq!(order["lines"][0]["unit_price"], "12.5", "the price defaults to group 1's");
    assert_eq!(order["lines"][1]["quantity"], "2.5");
    assert_eq!(order["total_price"], "35.5");
    assert_eq!((shop.on_hand("LMB"), shop.on_hand("KBL")), ("8".into(), "97.5".into()));
    let sale = &shop.json(&["stock", "history", "LMB"])[0];
    assert_eq!(sale["kind"], "sale");
    shop.error(&["stock", "undo", &sale["id"].to_string()], "stock.not_undoable");

    // The same code again, even with other lines: nothing changes.
    let out = shop.cmd(&["order", "add", "--code", "W-1", "--line", "LMB=5"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already recorded"));
    let again = shop.json(&["order", "add", "--code", "W-1", "--line", "LMB=5"]);
    assert_eq!(again["id"], order["id"]);
    assert_eq!(again["lines"].as_array().unwrap().len(), 2);
    assert_eq!(shop.on_hand("LMB"), "8");
    assert_eq!(shop.json(&["order", "list"]).as_array().unwrap().len(), 1);

    assert_eq!(shop.json(&["order", "show", "W-1"])["total_price"], "35.5");
    assert_eq!(shop.json(&["order", "status", "W-1", "shipped"])["status"], "shipped");
    assert_eq!(shop.on_hand("LMB"), "8", "shipping moves no stock");

    let cancelled = shop.json(&["order", "cancel", "W-1"]);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!((shop.on_hand("LMB"), shop.on_hand("KBL")), ("10".into(), "100".into()));
    shop.run(&["order", "cancel", "W-1"]);
    assert_eq!(shop.on_hand("LMB"), "10", "cancelling twice puts the stock back once");
    shop.error(&["order", "status", "W-1", "approved"], "order.cancelled");
    shop.run(&["order", "add", "--code", "W-1", "--line", "LMB=1"]);
    assert_eq!(shop.on_hand("LMB"), "10", "a cancelled order's code is still known");
    assert_eq!(shop.json(&["stock", "check"]), serde_json::json!([]));
}

#[test]
fn orders_are_listed_by_status_and_get_codes_of_their_own() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--price", "1", "--stock", "10"]);
    let first = shop.json(&["order", "add", "--line", "A=1"]);
    let second = shop.json(&["order", "add", "--line", "A=1", "--status", "awaiting", "--marketplace", "Trendyol"]);
    let (c1, c2) = (first["code"].as_str().unwrap(), second["code"].as_str().unwrap());
    assert!(c1.starts_with("R-") && c2.starts_with("R-") && c1 != c2, "{c1} {c2}");
    assert_eq!(shop.on_hand("A"), "8");

    let codes = |args: &[&str]| -> Vec<String> {
        let list = shop.json(&[&["order", "list"], args].concat());
        list.as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(codes(&[]), [c2, c1], "newest first");
    assert_eq!(codes(&["--status", "awaiting"]), [c2]);
    assert_eq!(codes(&["--status", "2"]), [c1]);
    assert_eq!(codes(&["--marketplace", "Trendyol"]), [c2]);
    assert_eq!(codes(&["--limit", "1"]), [c2]);
    assert_eq!(codes(&["--after", &second["id"].to_string()]), [c1]);
    assert!(codes(&["--from", "2000-01-01", "--to", "2000-12-31"]).is_empty());
    let day = &first["order_date"].as_str().unwrap()[..10];
    assert_eq!(codes(&["--from", day, "--to", day]), [c2, c1], "--to includes its whole day");
    assert!(shop.run(&["order", "list"]).contains(c1));
    shop.fail(&["order", "list", "--status", "lost"], 2);
    shop.error(&["order", "show", "NOPE"], "order.not_found");
    shop.error(&["order", "cancel", "NOPE"], "order.not_found");
}

#[test]
fn a_failing_order_line_records_nothing() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--price", "5", "--stock", "3"]);
    shop.add("NOPRICE", "Fiyatsız", &["--stock", "3"]);
    shop.error(&["order", "add", "--code", "X-1", "--line", "A=1", "--line", "NOPE=1"], "catalog.not_found");
    shop.error(&["order", "add", "--code", "X-2", "--line", "A=1", "--line", "A=3"], "stock.would_go_negative");
    shop.error(&["order", "add", "--code", "X-3", "--line", "NOPRICE=1"], "input.invalid");
    shop.error(&["order", "add", "--code", "X-4", "--line", "A=0"], "input.invalid");
    assert_eq!(shop.on_hand("A"), "3");
    assert!(shop.json(&["order", "list"]).as_array().unwrap().is_empty());
    shop.fail(&["order", "add", "--line", "A"], 2);
    shop.fail(&["order", "add", "--line", "A=abc"], 2);
    shop.fail(&["order", "add"], 2);
}

// ---- settings ----

#[test]
fn negative_stock_is_refused_until_the_setting_allows_it() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--price", "1", "--stock", "1"]);
    assert_eq!(shop.json(&["settings"]), serde_json::json!({ "allow_negative_stock": false }));
    shop.error(&["stock", "sub", "A", "3"], "stock.would_go_negative");

    let on = shop.json(&["settings", "--allow-negative-stock", "on"]);
    assert_eq!(on["allow_negative_stock"], true);
    assert!(shop.run(&["settings"]).contains("on"));
    shop.run(&["stock", "sub", "A", "3"]);
    assert_eq!(shop.on_hand("A"), "-2");
    shop.run(&["order", "add", "--line", "A=1"]);
    assert_eq!(shop.on_hand("A"), "-3");

    shop.run(&["settings", "--allow-negative-stock", "off"]);
    assert_eq!(shop.json(&["settings"])["allow_negative_stock"], false);
    shop.error(&["stock", "sub", "A", "1"], "stock.would_go_negative");
    shop.run(&["stock", "add", "A", "1"]);
    assert_eq!(shop.on_hand("A"), "-2", "adding to a negative stock is always allowed");
    shop.fail(&["settings", "--allow-negative-stock", "maybe"], 2);
}

// ---- backup and restore ----

#[test]
fn restore_brings_back_what_the_backup_held() {
    let shop = Shop::new();
    shop.run(&["tag", "add", "Yeni"]);
    shop.add("A", "Bir", &["--price", "10", "--stock", "5", "--tag", "Yeni"]);
    let backup = shop.path("yedek.raf");
    let backup_arg = backup.to_str().unwrap();
    shop.run(&["backup", backup_arg]);
    assert!(backup.is_file());
    assert!(!shop.path("yedek.partial").exists(), "the temporary copy was left behind");
    assert!(!shop.path("yedek.raf-wal").exists(), "the backup must be one self-contained file");
    let copy = rusqlite::Connection::open_with_flags(&backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let products: i64 = copy.query_row("SELECT count(*) FROM products", [], |r| r.get(0)).unwrap();
    assert_eq!(products, 1);
    drop(copy);

    shop.run(&["stock", "sub", "A", "4"]);
    shop.run(&["product", "edit", "A", "--name", "Değişti"]);
    shop.run(&["product", "add", "B", "Sonradan"]);
    shop.run(&["price", "set", "A", "--group", "1", "--sale", "99"]);
    shop.run(&["tag", "rm", "Yeni"]);

    let restored = shop.json(&["restore", backup_arg]);
    assert!(restored["restored"].is_string(), "{restored}");
    let a = shop.show("A");
    assert_eq!(a["name"], "Bir");
    assert_eq!(a["on_hand"], "5");
    assert_eq!(a["prices"][0]["sale"], "10");
    assert_eq!(a["tags"][0]["name"], "Yeni");
    shop.error(&["product", "show", "B"], "catalog.not_found");
    assert_eq!(shop.json(&["stock", "history", "A"]).as_array().unwrap().len(), 1);
    assert_eq!(shop.json(&["stock", "check"]), serde_json::json!([]));
    assert_eq!(shop.list(&["--search", "bir"]), ["A"], "the search index came back too");
    assert!(shop.list(&["--search", "sonradan"]).is_empty());

    // And the restored catalog keeps working.
    shop.run(&["stock", "add", "A", "1"]);
    assert_eq!(shop.on_hand("A"), "6");

    // A backup also moves a shop to a new, empty catalog.
    let moved = Shop::new();
    moved.run(&["restore", backup_arg]);
    assert_eq!(moved.on_hand("A"), "5");
    assert_eq!(moved.list(&["--tag", "Yeni"]), ["A"]);
}

#[test]
fn restore_refuses_what_is_not_a_catalog_and_keeps_the_data() {
    let shop = Shop::new();
    shop.add("A", "Bir", &[]);
    let text = shop.path("notlar.txt");
    std::fs::write(&text, "bu bir veritabanı değil").unwrap();
    shop.error(&["restore", text.to_str().unwrap()], "db.not_a_catalog");
    let other = shop.path("other.sqlite");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE x(y)").unwrap();
    shop.error(&["restore", other.to_str().unwrap()], "db.not_a_catalog");
    shop.error(&["restore", shop.path("missing.raf").to_str().unwrap()], "io.failed");
    assert_eq!(shop.show("A")["name"], "Bir");
    shop.fail(&["restore"], 2);
    shop.fail(&["backup"], 2);
}

// ---- errors and exit codes ----

#[test]
fn user_errors_exit_1_with_one_line_and_a_stable_json_code() {
    let shop = Shop::new();
    shop.add("A-1", "Bir", &["--stock", "1"]);

    let text = shop.user_error(&["product", "show", "NOPE"]);
    assert!(text.starts_with("raf: ") && text.contains("NOPE"), "{text}");
    let err = shop.error(&["product", "show", "NOPE"], "catalog.not_found");
    assert_eq!(err["details"]["sku"], "NOPE");
    shop.error(&["stock", "add", "NOPE", "1"], "catalog.not_found");
    shop.error(&["product", "rm", "NOPE"], "catalog.not_found");
    shop.error(&["product", "add", "A-1", "Yine"], "catalog.sku_taken");
    shop.error(&["stock", "sub", "A-1", "2"], "stock.would_go_negative");

    let err = shop.error(&["product", "edit", "A-1", "--min-stock", "12,5,3"], "input.not_a_number");
    assert_eq!(err["details"]["input"], "12,5,3");
    shop.user_error(&["product", "edit", "A-1", "--min-stock", "12,5,3"]);
    shop.error(&["product", "add", "B-1", "İki", "--min-stock", "12,5,3"], "input.not_a_number");
    shop.error(&["product", "show", "B-1"], "catalog.not_found");
    assert!(shop.show("A-1")["min_stock"].is_null());

    shop.error(&["product", "add", "has space", "Ad"], "input.invalid");
    shop.error(&["product", "add", "C-1", "Ad", "--image", "ftp://x"], "input.invalid");
    shop.error(&["product", "add", "C-1", "Ad", "--list-price", "5"], "input.invalid");
    shop.error(&["product", "show", "C-1"], "catalog.not_found");
    // Nothing went to stdout for a failed command.
    shop.cmd(&["product", "show", "NOPE"]).assert().code(1).stdout("");
}

#[test]
fn bad_usage_exits_2() {
    let shop = Shop::new();
    shop.add("A-1", "Bir", &[]);
    for args in [
        &["frobnicate"][..],
        &["product", "frobnicate"],
        &["product", "add", "ONLY-SKU"],
        &["product", "show"],
        &["stock", "add", "A-1"],
        &["stock", "add", "A-1", "abc"],
        &["stock", "sub", "A-1", "1,2,3"],
        &["stock", "set", "A-1", "12,5,3"],
        &["product", "add", "X", "Y", "--price", "abc"],
        &["product", "list", "--limit", "many"],
        &["product", "list", "--status", "lost"],
        &["variant", "generate", "A-1"],
    ] {
        let (_, stderr) = shop.fail(args, 2);
        assert!(!stderr.is_empty(), "{args:?}: clap explains the usage error");
    }
    raf(shop.dir.path()).assert().code(2);
    assert_eq!(shop.on_hand("A-1"), "0");
}

#[test]
fn help_and_version_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let help = raf(dir.path()).arg("--help").output().unwrap();
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    for command in ["init", "product", "variant", "price", "stock", "category", "brand", "tag", "order", "settings", "backup", "restore"] {
        assert!(help.contains(command), "--help lacks {command}");
    }
    raf(dir.path()).arg("--version").assert().success();
    raf(dir.path()).args(["stock", "--help"]).assert().success();
}

#[test]
fn every_product_appears_once_across_search_pages_with_equal_names() {
    // Many identical names on one search: the cursor must break ties by id, or rows
    // at page boundaries get skipped or repeated.
    let shop = Shop::new();
    let mut all = HashSet::new();
    for i in 0..9 {
        let sku = format!("K{i}");
        shop.add(&sku, "Kupa", &[]);
        all.insert(sku);
    }
    let seen = walk_pages(&shop, &["--search", "kupa"], 2);
    assert_eq!(seen.len(), 9, "{seen:?}");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), all);
}

#[test]
fn an_order_may_sell_a_service_which_moves_no_stock() {
    let shop = Shop::new();
    shop.add("SRV", "Montaj", &["--kind", "service", "--price", "50"]);
    shop.add("G", "Avize", &["--price", "200", "--stock", "3"]);
    let order = shop.json(&["order", "add", "--code", "S-1", "--line", "G=1", "--line", "SRV=1"]);
    assert_eq!(order["total_price"], "250");
    assert_eq!(shop.on_hand("G"), "2");
    assert_eq!(shop.on_hand("SRV"), "0");
    assert!(shop.json(&["stock", "history", "SRV"]).as_array().unwrap().is_empty());
    shop.run(&["order", "cancel", "S-1"]);
    assert_eq!(shop.on_hand("G"), "3");
    assert_eq!(shop.json(&["stock", "check"]), serde_json::json!([]));
}

#[test]
fn a_service_with_opening_stock_is_refused_and_leaves_nothing_behind() {
    let shop = Shop::new();
    shop.error(&["product", "add", "SRV", "Montaj", "--kind", "service", "--stock", "3"], "input.invalid");
    shop.error(&["product", "show", "SRV"], "catalog.not_found");
    shop.add("SRV", "Montaj", &["--kind", "service", "--stock", "0"]);
    shop.error(&["stock", "add", "SRV", "1"], "input.invalid");
}

#[test]
fn a_generated_order_code_skips_codes_already_taken() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--price", "1", "--stock", "10"]);
    let first = shop.json(&["order", "add", "--line", "A=1"]);
    let code = first["code"].as_str().unwrap();
    // A hand-typed code in the form of a generated one, ahead of the count.
    let taken = format!("{}0003", &code[..code.len() - 4]);
    shop.run(&["order", "add", "--code", &taken, "--line", "A=1"]);
    let third = shop.json(&["order", "add", "--line", "A=1"]);
    let fourth = shop.json(&["order", "add", "--line", "A=1"]);
    let codes: HashSet<&str> = [code, &taken, third["code"].as_str().unwrap(), fourth["code"].as_str().unwrap()].into();
    assert_eq!(codes.len(), 4, "a new order was taken for an old one: {codes:?}");
    assert_eq!(shop.on_hand("A"), "6");
    assert_eq!(shop.json(&["order", "list"]).as_array().unwrap().len(), 4);
}

#[test]
fn without_db_or_raf_db_the_catalog_lives_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    raf(dir.path()).arg("init").assert().success();
    assert!(dir.path().join("data").join("raf").join("raf.db").is_file());
}

#[test]
fn a_file_that_is_not_a_catalog_is_refused_in_one_line_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notlar.txt");
    std::fs::write(&notes, "bu bir veritabanı değil\n").unwrap();
    let foreign = dir.path().join("other-app.sqlite");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE products (x); INSERT INTO products VALUES (1);").unwrap();

    for file in [&notes, &foreign] {
        for json in [false, true] {
            let mut cmd = raf(dir.path());
            cmd.arg("--db").arg(file).args(["product", "list"]);
            if json {
                cmd.arg("--json");
            }
            let out = cmd.output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{}", file.display());
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", file.display());
            if json {
                let err: Value = serde_json::from_str(stderr.trim()).unwrap();
                assert!(err["code"].as_str().unwrap().starts_with("db."), "{err}");
            }
        }
    }
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "bu bir veritabanı değil\n");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0)).unwrap();
    assert_eq!(tables, 1, "the failed migration left tables behind");
}

#[test]
fn a_name_with_a_line_break_still_gives_a_one_line_error() {
    let shop = Shop::new();
    let text = shop.user_error(&["category", "rm", "Yok\nBöyle"]);
    assert!(text.contains("Yok") && text.contains("Böyle"), "{text}");
}

#[test]
fn processes_writing_at_once_queue_instead_of_losing_changes() {
    let shop = Shop::new();
    shop.add("A", "Bir", &["--price", "1", "--stock", "100"]);
    let spawn = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_raf"));
        cmd.env_remove("RAF_DB").arg("--db").arg(&shop.db).args(args);
        cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap()
    };
    let mut children: Vec<_> = (0..8).map(|_| spawn(&["stock", "add", "A", "1"])).collect();
    // The same marketplace order arriving several times at once goes out once.
    children.extend((0..6).map(|_| spawn(&["order", "add", "--code", "TY-77", "--line", "A=5"])));
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(shop.on_hand("A"), "103");
    assert_eq!(shop.json(&["order", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(shop.json(&["stock", "check"]), serde_json::json!([]));
}

#[test]
fn processes_opening_a_new_catalog_at_once_all_succeed() {
    // A script running commands in parallel against a fresh RAF_DB, or the app and the
    // CLI starting together: every one of them creates, migrates or waits.
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new.db");
        let children: Vec<_> = (0..8)
            .map(|i| {
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_raf"));
                cmd.env_remove("RAF_DB").arg("--db").arg(&db).args(["product", "add", &format!("P-{i}"), "Ürün"]);
                cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let out = raf(dir.path()).arg("--db").arg(&db).args(["product", "list", "--count", "--json"]).output().unwrap();
        let page: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(page["count"], 8);
    }
}
