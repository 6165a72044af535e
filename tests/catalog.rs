//! The catalog through the library's public API, on real SQLite files: products,
//! variants, prices, categories/brands/tags, Turkish-aware search, filters, sorts and
//! keyset pages.

#[path = "support/catalog.rs"]
mod support;
use support::{d, open};

use raf::catalog::{
    add_brand, add_category, add_tag, categories, count_products, create_product, generate_variants, price_groups, product_detail, resolve_sku,
    restore_product, search_products, set_price, soft_delete_product, tag_product, tags, untag_product, update_product, OptionAxis, ProductFields,
    ProductQuery, ProductRow, Sort, StatusFilter,
};
use raf::stock::{adjust, Change};
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::collections::HashSet;

fn add(conn: &mut Connection, sku: &str, name: &str) -> raf::catalog::Product {
    create_product(conn, &ProductFields::new(sku, name)).unwrap()
}

fn add_with(conn: &mut Connection, sku: &str, name: &str, edit: impl FnOnce(&mut ProductFields)) -> raf::catalog::Product {
    let mut fields = ProductFields::new(sku, name);
    edit(&mut fields);
    create_product(conn, &fields).unwrap()
}

fn axis(group: &str, values: &[&str]) -> OptionAxis {
    OptionAxis { group: group.into(), values: values.iter().map(|v| v.to_string()).collect() }
}

/// Every row the query matches, walking all pages.
fn walk(conn: &Connection, query: &ProductQuery) -> Vec<ProductRow> {
    let mut q = query.clone();
    q.after = None;
    let mut all = Vec::new();
    for _ in 0..10_000 {
        let page = search_products(conn, &q).unwrap();
        assert!(page.rows.len() <= q.limit as usize, "a page holds at most `limit` rows");
        all.extend(page.rows);
        match page.next_after {
            Some(after) => q.after = Some(after),
            None => return all,
        }
    }
    panic!("pagination never ended");
}

fn skus_of(rows: &[ProductRow]) -> Vec<String> {
    rows.iter().map(|r| r.sku.clone()).collect()
}

/// The SKUs the query matches, sorted (for set comparisons).
fn found(conn: &Connection, query: &ProductQuery) -> Vec<String> {
    let mut skus = skus_of(&walk(conn, query));
    skus.sort();
    skus
}

fn search(conn: &Connection, text: &str) -> Vec<String> {
    found(conn, &ProductQuery { search: Some(text.into()), ..Default::default() })
}

fn all_skus(conn: &Connection) -> Vec<String> {
    found(conn, &ProductQuery::default())
}

// ---------------------------------------------------------------- products

#[test]
fn creates_edits_soft_deletes_and_restores_a_product() {
    let (_dir, mut conn) = open();
    let created = add_with(&mut conn, " LMB-1 ", "  Masa Lambası ", |f| {
        f.currency = "tl".into();
        f.subtitle = Some("   ".into());
        f.min_stock = Some(d("2.5"));
        f.barcode = Some("8690000000017".into());
    });
    assert_eq!(created.fields.sku, "LMB-1", "SKU is trimmed");
    assert_eq!(created.fields.name, "Masa Lambası", "name is trimmed");
    assert_eq!(created.fields.currency, "TRY", "tl means TRY");
    assert_eq!(created.fields.subtitle, None, "a blank subtitle is no subtitle");
    assert_eq!(created.on_hand, Decimal::ZERO);
    assert_eq!(created.deleted_at, None);
    add(&mut conn, "OTHER", "Başka");

    let detail = product_detail(&conn, "LMB-1").unwrap();
    assert_eq!(detail.product, created);
    assert_eq!(detail.product.fields.min_stock, Some(d("2.5")));

    // Edit: every field, the SKU too.
    let mut fields = created.fields.clone();
    fields.sku = "LMB-2".into();
    fields.name = "Masa Lambası Beyaz".into();
    fields.active = false;
    fields.vat_rate = d("10");
    fields.image_urls = vec!["https://example.com/a.jpg".into()];
    let edited = update_product(&mut conn, "LMB-1", &fields).unwrap();
    assert_eq!(edited.id, created.id);
    assert_eq!(edited.fields, fields);
    assert_eq!(resolve_sku(&conn, "LMB-1").unwrap_err().code(), "catalog.not_found", "the old SKU is gone");
    assert_eq!(product_detail(&conn, "LMB-2").unwrap().product.fields, fields);
    assert_eq!(search(&conn, "beyaz"), ["LMB-2"], "the search index follows the edit");
    assert!(search(&conn, "LMB-1").is_empty(), "the old SKU is no longer indexed");

    // Soft delete: gone from lists, in the trash.
    let deleted = soft_delete_product(&mut conn, "LMB-2").unwrap();
    assert!(deleted.deleted_at.is_some());
    assert_eq!(all_skus(&conn), ["OTHER"]);
    assert!(search(&conn, "lamba").is_empty(), "a deleted product is not found by default");
    let trash = ProductQuery { status: StatusFilter::Deleted, ..Default::default() };
    let rows = walk(&conn, &trash);
    assert_eq!(skus_of(&rows), ["LMB-2"]);
    assert!(rows[0].deleted);
    assert_eq!(count_products(&conn, &trash).unwrap(), 1);
    assert_eq!(count_products(&conn, &ProductQuery::default()).unwrap(), 1);
    assert_eq!(found(&conn, &ProductQuery { search: Some("lamba".into()), ..trash.clone() }), ["LMB-2"]);

    // Restore.
    let restored = restore_product(&mut conn, "LMB-2").unwrap();
    assert_eq!(restored.deleted_at, None);
    assert_eq!(all_skus(&conn), ["LMB-2", "OTHER"]);
    assert!(walk(&conn, &trash).is_empty());
    assert_eq!(restored.fields, fields, "delete and restore keep the fields");
}

#[test]
fn a_sku_is_unique_across_products_and_variants() {
    let (_dir, mut conn) = open();
    add(&mut conn, "A-1", "Birinci");
    add(&mut conn, "B-1", "İkinci");
    add(&mut conn, "TS-1", "Tişört");
    generate_variants(&mut conn, "TS-1", &[axis("Renk", &["Beyaz"]), axis("Beden", &["S"])]).unwrap();

    let err = create_product(&mut conn, &ProductFields::new("A-1", "Kopya")).unwrap_err();
    assert_eq!(err.code(), "catalog.sku_taken");
    let err = create_product(&mut conn, &ProductFields::new("TS-1-BEYAZ-S", "Varyantla çakışan")).unwrap_err();
    assert_eq!(err.code(), "catalog.sku_taken", "a variant's SKU is taken for products too");

    let mut b = product_detail(&conn, "B-1").unwrap().product.fields;
    b.sku = "A-1".into();
    assert_eq!(update_product(&mut conn, "B-1", &b).unwrap_err().code(), "catalog.sku_taken");
    b.sku = "TS-1-BEYAZ-S".into();
    assert_eq!(update_product(&mut conn, "B-1", &b).unwrap_err().code(), "catalog.sku_taken");

    // Keeping one's own SKU is fine.
    let mut a = product_detail(&conn, "A-1").unwrap().product.fields;
    a.name = "Birinci (yeni)".into();
    update_product(&mut conn, "A-1", &a).unwrap();

    assert_eq!(all_skus(&conn), ["A-1", "B-1", "TS-1"], "refused changes wrote nothing");
    assert_eq!(product_detail(&conn, "B-1").unwrap().product.fields.name, "İkinci");

    // A derived variant SKU that a product already holds gets a numbered one instead.
    add(&mut conn, "TS-2-SIYAH", "Çakışan ürün");
    add(&mut conn, "TS-2", "Tişört 2");
    let made = generate_variants(&mut conn, "TS-2", &[axis("Renk", &["Siyah"])]).unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].sku, "TS-2-SIYAH-2");
}

#[test]
fn refuses_invalid_fields_with_codes_and_writes_nothing() {
    let (_dir, mut conn) = open();
    add(&mut conn, "OK-1", "Sağlam");

    let invalid = |fields: ProductFields, field: &str, conn: &mut Connection| {
        let err = create_product(conn, &fields).unwrap_err();
        assert_eq!(err.code(), "input.invalid", "{fields:?}");
        assert_eq!(err.details()["field"], field, "{fields:?}");
    };
    invalid(ProductFields::new("E-1", "   "), "name", &mut conn);
    invalid(ProductFields::new("", "Adsız SKU"), "sku", &mut conn);
    invalid(ProductFields::new("E 1", "Boşluklu SKU"), "sku", &mut conn);
    invalid(ProductFields { currency: "TURK".into(), ..ProductFields::new("E-2", "Para") }, "currency", &mut conn);
    invalid(ProductFields { currency: "T1R".into(), ..ProductFields::new("E-3", "Para") }, "currency", &mut conn);
    invalid(ProductFields { purchase_price: Some(d("-1")), ..ProductFields::new("E-4", "Eksi") }, "purchase_price", &mut conn);
    invalid(ProductFields { min_stock: Some(d("1.00001")), ..ProductFields::new("E-5", "Hassas") }, "min_stock", &mut conn);
    invalid(ProductFields { vat_rate: d("101"), ..ProductFields::new("E-6", "KDV") }, "vat_rate", &mut conn);
    invalid(ProductFields { image_urls: vec!["ftp://x/y.png".into()], ..ProductFields::new("E-7", "Resim") }, "image_urls", &mut conn);

    // Prices: negative, more than 4 decimals, for sale and list.
    for (sale, list, field) in
        [(d("-0.01"), None, "sale"), (d("1.23456"), None, "sale"), (d("1"), Some(d("-5")), "list"), (d("1"), Some(d("0.00001")), "list")]
    {
        let err = set_price(&mut conn, "OK-1", 1, sale, list).unwrap_err();
        assert_eq!(err.code(), "input.invalid");
        assert_eq!(err.details()["field"], field);
    }
    // Exactly 4 decimals is fine.
    set_price(&mut conn, "OK-1", 1, d("1.2345"), None).unwrap();

    // An edit with a bad field changes nothing.
    let before = product_detail(&conn, "OK-1").unwrap();
    let mut bad = before.product.fields.clone();
    bad.name = "Yeni ad".into();
    bad.currency = "XXXX".into();
    assert_eq!(update_product(&mut conn, "OK-1", &bad).unwrap_err().code(), "input.invalid");
    assert_eq!(product_detail(&conn, "OK-1").unwrap(), before);

    assert_eq!(all_skus(&conn), ["OK-1"], "no refused product was written");
    assert_eq!(product_detail(&conn, "OK-1").unwrap().prices[0].sale, Some(d("1.2345")));
}

// ---------------------------------------------------------------- variants

#[test]
fn generates_the_variant_matrix_and_later_only_the_missing_combinations() {
    let (_dir, mut conn) = open();
    add(&mut conn, "TS-1", "Tişört");
    let made = generate_variants(&mut conn, "TS-1", &[axis("Renk", &["Beyaz", "Siyah"]), axis("Beden", &["S", "M", "L"])]).unwrap();
    assert_eq!(made.len(), 6);
    let skus: Vec<&str> = made.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(skus, ["TS-1-BEYAZ-S", "TS-1-BEYAZ-M", "TS-1-BEYAZ-L", "TS-1-SIYAH-S", "TS-1-SIYAH-M", "TS-1-SIYAH-L"]);
    let first = &made[0];
    assert_eq!(first.options.len(), 2);
    assert_eq!((first.options[0].group.as_str(), first.options[0].value.as_str()), ("Renk", "Beyaz"));
    assert_eq!((first.options[1].group.as_str(), first.options[1].value.as_str()), ("Beden", "S"));
    assert_eq!(first.prices.len(), 10);
    assert!(first.prices.iter().all(|p| p.sale.is_none()));

    // Again with an extra value (and a repeated one differently cased): only the new ones.
    let more = generate_variants(&mut conn, "TS-1", &[axis("renk", &["BEYAZ", "Siyah", "Kırmızı"]), axis("Beden", &["S", "M", "L"])]).unwrap();
    let skus: Vec<&str> = more.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(skus, ["TS-1-KIRMIZI-S", "TS-1-KIRMIZI-M", "TS-1-KIRMIZI-L"]);
    let detail = product_detail(&conn, "TS-1").unwrap();
    assert_eq!(detail.variants.len(), 9);
    let unique: HashSet<&str> = detail.variants.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(unique.len(), 9);

    // Same axes once more: nothing new.
    let none = generate_variants(&mut conn, "TS-1", &[axis("Renk", &["Beyaz", "Siyah", "Kırmızı"]), axis("Beden", &["S", "M", "L"])]).unwrap();
    assert!(none.is_empty());
    assert_eq!(product_detail(&conn, "TS-1").unwrap().variants.len(), 9);

    // A variant SKU names its product and the row counts the variants.
    assert_eq!(resolve_sku(&conn, "TS-1-KIRMIZI-L").unwrap().product_id, detail.product.id);
    let rows = walk(&conn, &ProductQuery::default());
    assert_eq!(rows[0].variants, 9);

    // Generated through a variant SKU works on its product too.
    let xl = generate_variants(&mut conn, "TS-1-BEYAZ-S", &[axis("Renk", &["Beyaz"]), axis("Beden", &["XL"])]).unwrap();
    assert_eq!(xl.iter().map(|v| v.sku.as_str()).collect::<Vec<_>>(), ["TS-1-BEYAZ-XL"]);

    // Bad axes are refused.
    assert_eq!(generate_variants(&mut conn, "TS-1", &[]).unwrap_err().code(), "input.invalid");
    assert_eq!(generate_variants(&mut conn, "TS-1", &[axis("Renk", &[" "])]).unwrap_err().code(), "input.invalid");
    assert_eq!(generate_variants(&mut conn, "TS-1", &[axis("Renk", &["A"]), axis("RENK", &["B"])]).unwrap_err().code(), "input.invalid");
    assert_eq!(generate_variants(&mut conn, "NOPE", &[axis("Renk", &["A"])]).unwrap_err().code(), "catalog.not_found");
}

#[test]
fn refuses_variants_on_a_product_with_stock_of_its_own() {
    let (_dir, mut conn) = open();
    add(&mut conn, "KUP-1", "Kupa");
    adjust(&mut conn, "KUP-1", Change::Add(d("3")), None).unwrap();
    let err = generate_variants(&mut conn, "KUP-1", &[axis("Renk", &["Beyaz", "Siyah"])]).unwrap_err();
    assert_eq!(err.code(), "catalog.stock_on_product");
    assert!(product_detail(&conn, "KUP-1").unwrap().variants.is_empty(), "nothing was generated");

    // Once the product's own stock is zero, variants may come.
    adjust(&mut conn, "KUP-1", Change::Set(Decimal::ZERO), Some("varyantlara geçiş")).unwrap();
    assert_eq!(generate_variants(&mut conn, "KUP-1", &[axis("Renk", &["Beyaz", "Siyah"])]).unwrap().len(), 2);
}

// ---------------------------------------------------------------- prices

#[test]
fn prices_in_ten_groups_and_per_variant() {
    let (_dir, mut conn) = open();
    assert_eq!(price_groups(&conn).unwrap().iter().map(|g| g.no).collect::<Vec<_>>(), (1..=10).collect::<Vec<u8>>());
    add(&mut conn, "P-1", "Ürün");
    for group in 1..=10 {
        set_price(&mut conn, "P-1", group, Decimal::from(group * 10), Some(Decimal::from(group * 12))).unwrap();
    }
    for group in [0, 11, -1] {
        let err = set_price(&mut conn, "P-1", group, d("1"), None).unwrap_err();
        assert_eq!(err.code(), "catalog.bad_price_group", "group {group}");
    }
    let prices = product_detail(&conn, "P-1").unwrap().prices;
    assert_eq!(prices.len(), 10);
    for (i, p) in prices.iter().enumerate() {
        let group = i as i64 + 1;
        assert_eq!(p.group as i64, group);
        assert_eq!(p.sale, Some(Decimal::from(group * 10)));
        assert_eq!(p.list, Some(Decimal::from(group * 12)));
    }
    assert_eq!(prices[0].group_name, "Perakende");

    // Setting again replaces, and a missing list price clears it.
    set_price(&mut conn, "P-1", 3, d("29.99"), None).unwrap();
    let p3 = &product_detail(&conn, "P-1").unwrap().prices[2];
    assert_eq!((p3.sale, p3.list), (Some(d("29.99")), None));

    // Variant prices are their own; unset groups stay None on the variant.
    add(&mut conn, "V-1", "Varyantlı");
    set_price(&mut conn, "V-1", 1, d("100"), None).unwrap();
    generate_variants(&mut conn, "V-1", &[axis("Beden", &["S", "M"])]).unwrap();
    set_price(&mut conn, "V-1-M", 1, d("120.5"), Some(d("150"))).unwrap();
    set_price(&mut conn, "V-1-M", 10, d("90"), None).unwrap();
    let detail = product_detail(&conn, "V-1").unwrap();
    assert_eq!(detail.prices[0].sale, Some(d("100")), "the product's price is untouched");
    let s = detail.variants.iter().find(|v| v.sku == "V-1-S").unwrap();
    let m = detail.variants.iter().find(|v| v.sku == "V-1-M").unwrap();
    assert!(s.prices.iter().all(|p| p.sale.is_none()));
    assert_eq!((m.prices[0].sale, m.prices[0].list), (Some(d("120.5")), Some(d("150"))));
    assert_eq!(m.prices[9].sale, Some(d("90")));
    assert!(m.prices[1..9].iter().all(|p| p.sale.is_none()));
    assert_eq!(set_price(&mut conn, "NOPE", 1, d("1"), None).unwrap_err().code(), "catalog.not_found");
}

// ---------------------------------------------------------------- categories, brands, tags

#[test]
fn categories_with_parents_filter_their_subcategories_products() {
    let (_dir, mut conn) = open();
    let lighting = add_category(&mut conn, "Aydınlatma", Some("#E11D48"), None).unwrap();
    assert_eq!(lighting.color.as_deref(), Some("#e11d48"));
    let lamps = add_category(&mut conn, "Masa Lambaları", None, Some("aydınlatma")).unwrap();
    assert_eq!(lamps.parent_id, Some(lighting.id));
    let bulbs = add_category(&mut conn, "Ampuller", None, Some("AYDINLATMA")).unwrap();
    let deep = add_category(&mut conn, "LED Ampuller", None, Some("Ampuller")).unwrap();
    let kitchen = add_category(&mut conn, "Mutfak", None, None).unwrap();

    let in_cat = |id: i64| move |f: &mut ProductFields| f.category_id = Some(id);
    add_with(&mut conn, "L-0", "Avize", in_cat(lighting.id));
    add_with(&mut conn, "L-1", "Masa lambası", in_cat(lamps.id));
    add_with(&mut conn, "L-2", "Ampul", in_cat(bulbs.id));
    add_with(&mut conn, "L-3", "LED ampul", in_cat(deep.id));
    add_with(&mut conn, "K-1", "Tencere", in_cat(kitchen.id));
    add(&mut conn, "X-1", "Kategorisiz");

    let by = |id: i64| found(&conn, &ProductQuery { category_id: Some(id), ..Default::default() });
    assert_eq!(by(lighting.id), ["L-0", "L-1", "L-2", "L-3"], "a category includes its subcategories, at any depth");
    assert_eq!(by(bulbs.id), ["L-2", "L-3"]);
    assert_eq!(by(deep.id), ["L-3"]);
    assert_eq!(by(kitchen.id), ["K-1"]);
    assert_eq!(count_products(&conn, &ProductQuery { category_id: Some(lighting.id), ..Default::default() }).unwrap(), 4);

    let listed = categories(&conn).unwrap();
    let counts: Vec<(&str, i64)> = listed.iter().map(|c| (c.name.as_str(), c.products)).collect();
    assert!(counts.contains(&("Aydınlatma", 1)) && counts.contains(&("Masa Lambaları", 1)), "{counts:?}");
    assert_eq!(product_detail(&conn, "L-1").unwrap().category.as_deref(), Some("Masa Lambaları"));

    // Names are Turkish-folded: the same name under the same parent is taken.
    let err = add_category(&mut conn, "AYDINLATMA", None, None).unwrap_err();
    assert_eq!(err.code(), "catalog.name_taken");
    assert_eq!(add_category(&mut conn, "masa lambalari", None, Some("Aydınlatma")).unwrap_err().code(), "catalog.name_taken");
    // ... but may repeat under another parent.
    add_category(&mut conn, "Ampuller", None, Some("Mutfak")).unwrap();
    assert_eq!(add_category(&mut conn, "Yok", None, Some("Bilinmeyen")).unwrap_err().code(), "catalog.ref_not_found");
    assert_eq!(add_category(&mut conn, "Renkli", Some("kırmızı"), None).unwrap_err().code(), "input.invalid");
    assert_eq!(add_category(&mut conn, "  ", None, None).unwrap_err().code(), "input.invalid");

    // A category id that does not exist is refused by the foreign key.
    let err = create_product(&mut conn, &ProductFields { category_id: Some(9999), ..ProductFields::new("Z-1", "Hayalet") }).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert!(resolve_sku(&conn, "Z-1").is_err(), "the refused product was not written");
}

#[test]
fn brands_and_tags_filter_and_fold_their_names() {
    let (_dir, mut conn) = open();
    let philips = add_brand(&mut conn, "Philips").unwrap();
    let osram = add_brand(&mut conn, "OSRAM").unwrap();
    assert_eq!(add_brand(&mut conn, "philips").unwrap_err().code(), "catalog.name_taken");
    add_brand(&mut conn, "Işık Ltd").unwrap();
    assert_eq!(add_brand(&mut conn, "IŞIK LTD").unwrap_err().code(), "catalog.name_taken");

    add_with(&mut conn, "B-1", "Ampul", |f| f.brand_id = Some(philips.id));
    add_with(&mut conn, "B-2", "Şerit", |f| f.brand_id = Some(osram.id));
    add_with(&mut conn, "B-3", "Spot", |f| f.brand_id = Some(philips.id));
    let by_brand = |id: i64| found(&conn, &ProductQuery { brand_id: Some(id), ..Default::default() });
    assert_eq!(by_brand(philips.id), ["B-1", "B-3"]);
    assert_eq!(by_brand(osram.id), ["B-2"]);
    assert_eq!(product_detail(&conn, "B-2").unwrap().brand.as_deref(), Some("OSRAM"));
    assert_eq!(raf::catalog::brand_id(&conn, "osram").unwrap(), osram.id);
    let listed = raf::catalog::brands(&conn).unwrap();
    assert_eq!(listed.iter().find(|b| b.id == philips.id).unwrap().products, 2);

    let sale = add_tag(&mut conn, "İndirim", Some("#0a0"), Some("  ")).unwrap();
    assert_eq!(sale.color.as_deref(), Some("#0a0"));
    assert_eq!(sale.description, None);
    let new = add_tag(&mut conn, "Yeni", None, Some("yeni gelenler")).unwrap();
    assert_eq!(add_tag(&mut conn, "indirim", None, None).unwrap_err().code(), "catalog.name_taken");
    assert_eq!(add_tag(&mut conn, "INDIRIM", None, None).unwrap_err().code(), "catalog.name_taken");
    assert_eq!(tags(&conn).unwrap().len(), 2);

    tag_product(&mut conn, "B-1", "indirim").unwrap();
    tag_product(&mut conn, "B-1", "İNDİRİM").unwrap(); // twice changes nothing
    tag_product(&mut conn, "B-2", "İndirim").unwrap();
    tag_product(&mut conn, "B-2", "Yeni").unwrap();
    let by_tag = |conn: &Connection, id: i64| found(conn, &ProductQuery { tag_id: Some(id), ..Default::default() });
    assert_eq!(by_tag(&conn, sale.id), ["B-1", "B-2"]);
    assert_eq!(by_tag(&conn, new.id), ["B-2"]);
    assert_eq!(product_detail(&conn, "B-1").unwrap().tags, std::slice::from_ref(&sale));
    assert_eq!(product_detail(&conn, "B-2").unwrap().tags.len(), 2);

    untag_product(&mut conn, "B-1", "İndirim").unwrap();
    assert_eq!(by_tag(&conn, sale.id), ["B-2"]);
    assert!(product_detail(&conn, "B-1").unwrap().tags.is_empty());
    assert_eq!(tag_product(&mut conn, "B-1", "Bilinmeyen").unwrap_err().code(), "catalog.ref_not_found");
    assert_eq!(tag_product(&mut conn, "NOPE", "Yeni").unwrap_err().code(), "catalog.not_found");

    // Tag, brand and search filters combine.
    let q = ProductQuery { tag_id: Some(sale.id), brand_id: Some(osram.id), search: Some("şerit".into()), ..Default::default() };
    assert_eq!(found(&conn, &q), ["B-2"]);
    let q = ProductQuery { tag_id: Some(new.id), brand_id: Some(philips.id), ..Default::default() };
    assert!(found(&conn, &q).is_empty());
}

#[test]
fn category_names_fold_turkish_letters() {
    let (_dir, mut conn) = open();
    add_category(&mut conn, "AYDINLATMA", None, None).unwrap();
    let err = add_category(&mut conn, "aydınlatma", None, None).unwrap_err();
    assert_eq!(err.code(), "catalog.name_taken");
    assert_eq!(err.details()["kind"], "category");
    assert_eq!(raf::catalog::category_id(&conn, "Aydınlatma").unwrap(), raf::catalog::category_id(&conn, "AYDINLATMA").unwrap());
    assert_eq!(categories(&conn).unwrap().len(), 1);
}

#[test]
fn removing_a_category_brand_or_tag_leaves_the_products() {
    let (_dir, mut conn) = open();
    let parent = add_category(&mut conn, "Ev", None, None).unwrap();
    let child = add_category(&mut conn, "Mutfak", None, Some("Ev")).unwrap();
    let brand = add_brand(&mut conn, "Karaca").unwrap();
    add_tag(&mut conn, "Yeni", None, None).unwrap();
    add_with(&mut conn, "R-1", "Tencere", |f| {
        f.category_id = Some(parent.id);
        f.brand_id = Some(brand.id);
    });
    tag_product(&mut conn, "R-1", "Yeni").unwrap();

    raf::catalog::remove_category(&mut conn, "EV").unwrap();
    raf::catalog::remove_brand(&mut conn, "karaca").unwrap();
    raf::catalog::remove_tag(&mut conn, "yeni").unwrap();

    let detail = product_detail(&conn, "R-1").unwrap();
    assert_eq!((detail.product.fields.category_id, detail.category), (None, None));
    assert_eq!((detail.product.fields.brand_id, detail.brand), (None, None));
    assert!(detail.tags.is_empty());
    let left = categories(&conn).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!((left[0].id, left[0].parent_id), (child.id, None), "the subcategory is now top-level");
    assert_eq!(raf::catalog::remove_tag(&mut conn, "yeni").unwrap_err().code(), "catalog.ref_not_found");
    assert_eq!(all_skus(&conn), ["R-1"]);
    // The name is free again.
    add_brand(&mut conn, "KARACA").unwrap();
}

// ---------------------------------------------------------------- search

#[test]
fn search_meets_turkish_letters_both_ways() {
    let (_dir, mut conn) = open();
    add(&mut conn, "S-1", "IŞIK");
    add(&mut conn, "S-2", "ışık lamba");
    add(&mut conn, "S-3", "İSTANBUL manzaralı kupa");
    add(&mut conn, "S-4", "Çay bardağı");
    add(&mut conn, "S-5", "CAY demliği");
    add(&mut conn, "S-6", "Kahve");

    assert_eq!(search(&conn, "ışık"), ["S-1", "S-2"]);
    assert_eq!(search(&conn, "IŞIK"), ["S-1", "S-2"]);
    assert_eq!(search(&conn, "isik"), ["S-1", "S-2"]);
    assert_eq!(search(&conn, "istanbul"), ["S-3"]);
    assert_eq!(search(&conn, "İstanbul"), ["S-3"]);
    assert_eq!(search(&conn, "cay"), ["S-4", "S-5"]);
    assert_eq!(search(&conn, "çay"), ["S-4", "S-5"]);
    assert_eq!(search(&conn, "ÇAY"), ["S-4", "S-5"]);
    assert_eq!(search(&conn, "bardagi"), ["S-4"]);
    // Words match as prefixes.
    assert_eq!(search(&conn, "lam"), ["S-2"]);
    assert_eq!(search(&conn, "kah"), ["S-6"]);
    assert!(search(&conn, "çaydanlık").is_empty());
    assert!(search(&conn, "zzz").is_empty());
}

#[test]
fn search_needs_every_word() {
    let (_dir, mut conn) = open();
    add(&mut conn, "W-1", "LED Lamba Beyaz");
    add(&mut conn, "W-2", "Lamba Siyah");
    add(&mut conn, "W-3", "LED Şerit");
    add_with(&mut conn, "W-4", "Avize", |f| f.subtitle = Some("beyaz led".into()));
    assert_eq!(search(&conn, "led lamba"), ["W-1"]);
    assert_eq!(search(&conn, "lamba  LED"), ["W-1"], "word order and spacing do not matter");
    assert_eq!(search(&conn, "led"), ["W-1", "W-3", "W-4"]);
    assert_eq!(search(&conn, "beyaz led"), ["W-1", "W-4"], "the subtitle is searched too");
    assert_eq!(search(&conn, "led şerit"), ["W-3"]);
    assert!(search(&conn, "led siyah").is_empty());
    assert_eq!(count_products(&conn, &ProductQuery { search: Some("led lamba".into()), ..Default::default() }).unwrap(), 1);
    // A blank search is no search.
    assert_eq!(search(&conn, "   ").len(), 4);
}

#[test]
fn search_finds_sku_prefixes_and_exact_barcodes() {
    let (_dir, mut conn) = open();
    add_with(&mut conn, "AB-100", "Birinci", |f| {
        f.barcode = Some("8690000000017".into());
        f.barcode2 = Some("X-ALT-555".into());
    });
    add(&mut conn, "AB-200", "İkinci");
    add(&mut conn, "ZX9Q", "Üçüncü");
    add(&mut conn, "TS-1", "Tişört");
    generate_variants(&mut conn, "TS-1", &[axis("Renk", &["Beyaz", "Siyah"])]).unwrap();
    // No API sets a variant's barcode yet (sync will): set it in SQL, then save the
    // product unchanged, which rewrites its search entry as any change through the API does.
    conn.execute("UPDATE variants SET barcode = '8691111111112' WHERE sku = 'TS-1-SIYAH'", []).unwrap();
    let fields = product_detail(&conn, "TS-1").unwrap().product.fields;
    update_product(&mut conn, "TS-1", &fields).unwrap();
    assert_eq!(search(&conn, "8691111111112"), ["TS-1"], "a variant's barcode finds its product");

    assert_eq!(search(&conn, "AB-1"), ["AB-100"]);
    assert_eq!(search(&conn, "ab-"), ["AB-100", "AB-200"]);
    assert_eq!(search(&conn, "AB"), ["AB-100", "AB-200"]);
    assert_eq!(search(&conn, "zx9"), ["ZX9Q"]);
    assert_eq!(search(&conn, "TS-1-SİY"), ["TS-1"], "a variant SKU prefix finds its product");
    assert_eq!(search(&conn, "TS-1-BEYAZ"), ["TS-1"]);
    assert_eq!(search(&conn, "8690000000017"), ["AB-100"]);
    assert_eq!(search(&conn, "X-ALT-555"), ["AB-100"], "the second barcode is searched");
    assert!(search(&conn, "8690000000018").is_empty());
    // A product is listed once even when several of its SKUs match.
    assert_eq!(walk(&conn, &ProductQuery { search: Some("TS-1".into()), ..Default::default() }).len(), 1);
}

// ---------------------------------------------------------------- filters

#[test]
fn filters_status_low_stock_and_price_range() {
    let (_dir, mut conn) = open();
    add_with(&mut conn, "F-1", "Aktif az", |f| f.min_stock = Some(d("5")));
    add_with(&mut conn, "F-2", "Aktif çok", |f| f.min_stock = Some(d("5")));
    add_with(&mut conn, "F-3", "Pasif", |f| f.active = false);
    add_with(&mut conn, "F-4", "Silinecek", |f| f.min_stock = Some(d("1")));
    add(&mut conn, "F-5", "Sınırsız");
    adjust(&mut conn, "F-1", Change::Add(d("5")), None).unwrap(); // on_hand == min_stock: low
    adjust(&mut conn, "F-2", Change::Add(d("5.5")), None).unwrap(); // above: not low
    soft_delete_product(&mut conn, "F-4").unwrap();

    let with = |status: StatusFilter| found(&conn, &ProductQuery { status, ..Default::default() });
    assert_eq!(with(StatusFilter::All), ["F-1", "F-2", "F-3", "F-5"]);
    assert_eq!(with(StatusFilter::Active), ["F-1", "F-2", "F-5"]);
    assert_eq!(with(StatusFilter::Inactive), ["F-3"]);
    assert_eq!(with(StatusFilter::Deleted), ["F-4"]);

    let low = ProductQuery { low_stock: true, ..Default::default() };
    assert_eq!(found(&conn, &low), ["F-1"], "on_hand <= min_stock; no min_stock is never low; deleted ones stay out");
    adjust(&mut conn, "F-2", Change::Sub(d("0.5")), None).unwrap();
    assert_eq!(found(&conn, &low), ["F-1", "F-2"]);
    adjust(&mut conn, "F-1", Change::Add(d("0.0001")), None).unwrap();
    assert_eq!(found(&conn, &low), ["F-2"]);
    assert_eq!(count_products(&conn, &low).unwrap(), 1);

    // Prices: group 1 and group 2 differ; the range applies to the asked group.
    for (sku, g1, g2) in [("F-1", "10", "50"), ("F-2", "20", "15"), ("F-3", "30", "12.5"), ("F-5", "15.5", "99")] {
        set_price(&mut conn, sku, 1, d(g1), None).unwrap();
        set_price(&mut conn, sku, 2, d(g2), None).unwrap();
    }
    let range = |group: u8, min: Option<&str>, max: Option<&str>| {
        let q = ProductQuery { price_group: group, price_min: min.map(d), price_max: max.map(d), ..Default::default() };
        (found(&conn, &q), count_products(&conn, &q).unwrap())
    };
    assert_eq!(range(1, Some("10"), Some("20")), (vec!["F-1".to_string(), "F-2".into(), "F-5".into()], 3), "bounds are inclusive");
    assert_eq!(range(1, Some("15.6"), None), (vec!["F-2".to_string(), "F-3".into()], 2));
    assert_eq!(range(1, None, Some("15.5")), (vec!["F-1".to_string(), "F-5".into()], 2));
    assert_eq!(range(2, Some("10"), Some("20")), (vec!["F-2".to_string(), "F-3".into()], 2));
    assert_eq!(range(7, Some("0"), None).1, 0, "no product has a price in group 7");

    // Rows carry the sale price of the query's group.
    let rows = walk(&conn, &ProductQuery { price_group: 2, sort: Sort::Sku, ..Default::default() });
    let prices: Vec<Option<Decimal>> = rows.iter().map(|r| r.price).collect();
    assert_eq!(prices, [Some(d("50")), Some(d("15")), Some(d("12.5")), Some(d("99"))]);
}

// ---------------------------------------------------------------- sorts and pages

#[test]
fn sorts_by_name_in_turkish_order_sku_and_on_hand() {
    let (_dir, mut conn) = open();
    for (sku, name, qty) in [("S-3", "Duvar", "1"), ("S-1", "çay", "7"), ("S-4", "Cam", "3"), ("S-2", "Zeytin", "0.5"), ("S-5", "ılık", "3")] {
        add(&mut conn, sku, name);
        adjust(&mut conn, sku, Change::Add(d(qty)), None).unwrap();
    }
    let names = |sort: Sort, descending: bool| -> Vec<String> {
        walk(&conn, &ProductQuery { sort, descending, ..Default::default() }).into_iter().map(|r| r.name).collect()
    };
    assert_eq!(names(Sort::Name, false), ["Cam", "çay", "Duvar", "ılık", "Zeytin"]);
    assert_eq!(names(Sort::Name, true), ["Zeytin", "ılık", "Duvar", "çay", "Cam"]);
    let skus = |sort: Sort, descending: bool| skus_of(&walk(&conn, &ProductQuery { sort, descending, ..Default::default() }));
    assert_eq!(skus(Sort::Sku, false), ["S-1", "S-2", "S-3", "S-4", "S-5"]);
    assert_eq!(skus(Sort::Sku, true), ["S-5", "S-4", "S-3", "S-2", "S-1"]);
    // On hand, ties broken by id (creation order): S-4 before S-5.
    assert_eq!(skus(Sort::OnHand, false), ["S-2", "S-3", "S-4", "S-5", "S-1"]);
    assert_eq!(skus(Sort::OnHand, true), ["S-1", "S-5", "S-4", "S-3", "S-2"]);
    assert_eq!(skus(Sort::Created, false), ["S-3", "S-1", "S-4", "S-2", "S-5"]);
    assert_eq!(skus(Sort::Created, true), ["S-5", "S-2", "S-4", "S-1", "S-3"]);
}

/// Sort by the sale price of price group 1: ties by id, products without a group-1 price
/// last in both directions (also by id), every filter and search applied, pages breaking
/// inside runs of equal prices; the order follows every way a price is written.
#[test]
fn sorts_by_group_1_price_with_unpriced_products_last() {
    use raf::catalog::{add_brand, bulk_edit, page_anchors, remove_price, BulkChange};
    let (_dir, mut conn) = open();
    let lights = add_category(&mut conn, "Aydınlatma", None, None).unwrap();
    let brand = add_brand(&mut conn, "Işıltı").unwrap();
    add_tag(&mut conn, "Kampanya", None, None).unwrap();
    // (price in group 1, or none), in creation (id) order; repeated prices make ties.
    let group_1 = [Some("10"), None, Some("5.5"), Some("10"), Some("99.99"), None, Some("0.01"), Some("5.5"), Some("10"), None, Some("42")];
    let mut made = Vec::new();
    for (i, price) in group_1.iter().enumerate() {
        let sku = format!("PR-{i:02}");
        made.push(add_with(&mut conn, &sku, &format!("Lamba {i}"), |f| {
            f.category_id = (i % 2 == 0).then_some(lights.id);
            f.brand_id = (i % 3 == 0).then_some(brand.id);
            f.active = i != 4;
            f.min_stock = (i % 4 == 0).then(|| d("1"));
        }));
        if let Some(price) = price {
            set_price(&mut conn, &sku, 1, d(price), None).unwrap();
        }
        // Group 2 prices must not move the order: reversed against group 1.
        set_price(&mut conn, &sku, 2, Decimal::from(100 - i as i64), None).unwrap();
        if i % 3 == 1 {
            tag_product(&mut conn, &sku, "Kampanya").unwrap();
        }
    }
    // A variant's own group-1 price is the variant's, not the product's.
    generate_variants(&mut conn, "PR-09", &[axis("Renk", &["Beyaz"])]).unwrap();
    set_price(&mut conn, "PR-09-BEYAZ", 1, d("1"), None).unwrap();
    soft_delete_product(&mut conn, "PR-10").unwrap();

    let expected = |conn: &Connection, keep: &dyn Fn(&raf::catalog::Product) -> bool, descending: bool| -> Vec<i64> {
        let mut rows: Vec<(Option<Decimal>, i64)> = made
            .iter()
            .map(|p| product_detail(conn, &p.fields.sku).unwrap())
            .filter(|d| d.product.deleted_at.is_none() && keep(&d.product))
            .map(|d| (d.prices.iter().find(|p| p.group == 1).and_then(|p| p.sale), d.product.id))
            .collect();
        // Priced ones by (price, id) in the asked direction, then the unpriced by id likewise.
        rows.sort_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) if descending => (y, b.1).cmp(&(x, a.1)),
            (Some(x), Some(y)) => (x, a.1).cmp(&(y, b.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) if descending => b.1.cmp(&a.1),
            (None, None) => a.1.cmp(&b.1),
        });
        rows.into_iter().map(|r| r.1).collect()
    };
    let check = |conn: &Connection, label: &str| {
        let tag = tags(conn).unwrap().into_iter().find(|t| t.name == "Kampanya").unwrap().id;
        type Keep<'a> = Box<dyn Fn(&raf::catalog::Product) -> bool + 'a>;
        let cases: Vec<(&str, ProductQuery, Keep<'_>)> = vec![
            ("all", ProductQuery::default(), Box::new(|_| true)),
            ("search", ProductQuery { search: Some("lamba".into()), ..Default::default() }, Box::new(|_| true)),
            ("category", ProductQuery { category_id: Some(lights.id), ..Default::default() }, Box::new(|p| p.fields.category_id == Some(lights.id))),
            ("brand", ProductQuery { brand_id: Some(brand.id), ..Default::default() }, Box::new(|p| p.fields.brand_id == Some(brand.id))),
            ("tag", ProductQuery { tag_id: Some(tag), ..Default::default() }, Box::new(|p| p.fields.sku[3..].parse::<usize>().unwrap() % 3 == 1)),
            ("active", ProductQuery { status: StatusFilter::Active, ..Default::default() }, Box::new(|p| p.fields.active)),
            ("low stock", ProductQuery { low_stock: true, ..Default::default() }, Box::new(|p| p.fields.min_stock.is_some())),
        ];
        for (name, query, keep) in &cases {
            for descending in [false, true] {
                let want = expected(conn, keep.as_ref(), descending);
                for limit in [1, 2, 3, 50] {
                    let q = ProductQuery { sort: Sort::Price, descending, limit, ..query.clone() };
                    let walked: Vec<i64> = walk(conn, &q).iter().map(|r| r.id).collect();
                    assert_eq!(walked, want, "{label}: {name}, descending {descending}, limit {limit}");
                    let anchors = page_anchors(conn, &q).unwrap();
                    let every_limit: Vec<i64> = walked.iter().skip(limit as usize - 1).step_by(limit as usize).copied().collect();
                    assert_eq!(anchors, every_limit, "{label}: anchors of {name}, descending {descending}, limit {limit}");
                }
            }
        }
    };
    check(&conn, "as created");
    let ids = |skus: &[&str]| -> Vec<i64> { skus.iter().map(|s| made.iter().find(|p| p.fields.sku == *s).unwrap().id).collect() };
    let first = |conn: &Connection, descending: bool| skus_of(&walk(conn, &ProductQuery { sort: Sort::Price, descending, ..Default::default() }));
    assert_eq!(first(&conn, false)[..3], ["PR-06", "PR-02", "PR-07"]);
    assert_eq!(first(&conn, true)[..3], ["PR-04", "PR-08", "PR-03"], "PR-10 (42) is in the trash");
    assert_eq!(first(&conn, true)[7..], ["PR-09", "PR-05", "PR-01"], "unpriced last, by id downwards");

    // Every way a price changes moves the product: a new price, a removed one, a bulk %.
    set_price(&mut conn, "PR-01", 1, d("0.005"), None).unwrap();
    raf::db::write(&mut conn, |tx| remove_price(tx, "PR-02", 1)).unwrap();
    bulk_edit(&mut conn, &ids(&["PR-06", "PR-00"]), &BulkChange::ScalePrices { group: 1, percent: d("1000") }).unwrap();
    check(&conn, "after changes");
    assert_eq!(first(&conn, false)[0], "PR-01");
    assert_eq!(first(&conn, false).last().unwrap(), "PR-09", "unpriced, the highest id of the unpriced ones going up");
    assert_eq!(first(&conn, true)[0], "PR-00", "10 + 1000 % = 110");
    assert_eq!(first(&conn, true).last().unwrap(), "PR-02", "its price removed: unpriced, the lowest id going down");
}

/// Products with repeated names, Turkish letters and repeated quantities, so that
/// pages break inside runs of equal sort keys.
fn many(conn: &mut Connection) -> Vec<raf::catalog::Product> {
    let names = ["Lamba", "LAMBA", "ışık Lamba", "IŞIK", "Çay", "cay", "Cam", "Duvar", "İnce lamba", "ince", "Ördek", "Zeytin", "Şeker lamba"];
    let mut made = Vec::new();
    for i in 0..47 {
        let name = names[i % names.len()];
        let sku = format!("{}-{:03}", ["KA", "ka", "Ç", "B"][i % 4], (i * 37) % 101);
        made.push(add(conn, &sku, name));
        let qty = Decimal::from((i % 5) as i64) + Decimal::new((i % 3) as i64 * 25, 2);
        if qty > Decimal::ZERO {
            adjust(conn, &sku, Change::Add(qty), None).unwrap();
        }
    }
    // Some products are deleted and must be skipped by every walk.
    soft_delete_product(conn, &made[5].fields.sku).unwrap();
    soft_delete_product(conn, &made[30].fields.sku).unwrap();
    made
}

#[test]
fn keyset_pages_return_every_product_once_in_order() {
    let (_dir, mut conn) = open();
    let made = many(&mut conn);
    let live: Vec<raf::catalog::Product> =
        made.iter().filter(|p| p.id != made[5].id && p.id != made[30].id).map(|p| product_detail(&conn, &p.fields.sku).unwrap().product).collect();

    for search in [None, Some("lamba"), Some("ka"), Some("ışık")] {
        let matching: Vec<&raf::catalog::Product> = live
            .iter()
            .filter(|p| match search {
                None => true,
                Some(s) => {
                    let w = raf::text::fold(s);
                    raf::text::words(&p.fields.name).iter().any(|x| x.starts_with(&w))
                        || raf::text::fold(&p.fields.sku).starts_with(&w)
                        || raf::text::words(&p.fields.sku).iter().any(|x| x.starts_with(&w))
                }
            })
            .collect();
        assert!(!matching.is_empty());
        for sort in [Sort::Name, Sort::Sku, Sort::OnHand, Sort::Created, Sort::Updated, Sort::Price] {
            for descending in [false, true] {
                let mut expected = matching.clone();
                match sort {
                    // None of them has a price: all last, by id.
                    Sort::Price => expected.sort_by_key(|p| p.id),
                    Sort::Name => expected.sort_by_key(|p| (raf::text::sort_key(&p.fields.name), p.id)),
                    Sort::Sku => expected.sort_by(|a, b| (&a.fields.sku, a.id).cmp(&(&b.fields.sku, b.id))),
                    Sort::OnHand => expected.sort_by_key(|p| (p.on_hand, p.id)),
                    Sort::Created => expected.sort_by_key(|p| p.id),
                    Sort::Updated => expected.sort_by(|a, b| (&a.updated_at, a.id).cmp(&(&b.updated_at, b.id))),
                }
                if descending {
                    expected.reverse();
                }
                let expected: Vec<i64> = expected.iter().map(|p| p.id).collect();
                for limit in [1, 4, 7, 50] {
                    let q = ProductQuery { search: search.map(Into::into), sort, descending, limit, ..Default::default() };
                    let walked: Vec<i64> = walk(&conn, &q).iter().map(|r| r.id).collect();
                    assert_eq!(walked, expected, "search {search:?}, sort {sort:?}, descending {descending}, limit {limit}");
                    assert_eq!(count_products(&conn, &q).unwrap(), walked.len() as u64);
                }
            }
        }
    }
}

#[test]
fn pages_hold_limit_rows_and_the_last_has_no_cursor() {
    let (_dir, mut conn) = open();
    for i in 0..10 {
        add(&mut conn, &format!("P-{i:02}"), &format!("Ürün {i}"));
    }
    let q = ProductQuery { sort: Sort::Sku, limit: 4, ..Default::default() };
    let p1 = search_products(&conn, &q).unwrap();
    assert_eq!(skus_of(&p1.rows), ["P-00", "P-01", "P-02", "P-03"]);
    assert_eq!(p1.next_after, Some(p1.rows[3].id));
    let p2 = search_products(&conn, &ProductQuery { after: p1.next_after, ..q.clone() }).unwrap();
    assert_eq!(skus_of(&p2.rows), ["P-04", "P-05", "P-06", "P-07"]);
    let p3 = search_products(&conn, &ProductQuery { after: p2.next_after, ..q.clone() }).unwrap();
    assert_eq!(skus_of(&p3.rows), ["P-08", "P-09"]);
    assert_eq!(p3.next_after, None);
    // Exactly `limit` rows left: still the last page.
    let q8 = ProductQuery { limit: 8, ..q.clone() };
    let first = search_products(&conn, &q8).unwrap();
    let last = search_products(&conn, &ProductQuery { after: first.next_after, ..q8 }).unwrap();
    assert_eq!(last.rows.len(), 2);
    assert_eq!(last.next_after, None);
    let q10 = ProductQuery { limit: 10, ..q };
    assert_eq!(search_products(&conn, &q10).unwrap().next_after, None);
}

/// A search that matches most of a large catalog is served by walking the sort order
/// instead of sorting its matches: its pages must be the same.
#[test]
fn keyset_pages_of_a_broad_search_over_a_large_catalog() {
    let (_dir, mut conn) = open();
    let kinds = ["Lamba", "lamba ışık", "LAMBA Çay", "Avize", "Şerit lamba", "İnce LAMBA"];
    let category = add_category(&mut conn, "Aydınlatma", None, None).unwrap();
    let mut made = Vec::new();
    for i in 0..1500usize {
        let mut fields = ProductFields::new(format!("BR-{:04}", (i * 7919) % 10_000), format!("{} {}", kinds[i % kinds.len()], i % 13));
        if i % 4 == 0 {
            fields.category_id = Some(category.id);
        }
        made.push(create_product(&mut conn, &fields).unwrap());
    }
    for (i, p) in made.iter().enumerate().filter(|(i, _)| i % 9 == 0) {
        adjust(&mut conn, &p.fields.sku, Change::Add(Decimal::from((i % 5) as i64 + 1)), None).unwrap();
    }
    // Two in three have a group-1 price, with many ties; the rest sort last.
    let price: std::collections::HashMap<i64, Decimal> =
        made.iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(i, p)| (p.id, Decimal::from(((i * 7) % 13) as i64))).collect();
    raf::db::write(&mut conn, |tx| {
        made.iter().filter_map(|p| price.get(&p.id).map(|v| raf::catalog::upsert_price(tx, &p.fields.sku, 1, *v, None))).collect::<raf::Result<()>>()
    })
    .unwrap();
    soft_delete_product(&mut conn, &made[6].fields.sku).unwrap();
    let live: Vec<raf::catalog::Product> =
        made.iter().filter(|p| p.id != made[6].id).map(|p| raf::catalog::product_detail(&conn, &p.fields.sku).unwrap().product).collect();

    for (search, category_id) in [("lamba", None), ("lamba", Some(category.id)), ("LAMBA ışık", None), ("avize", None)] {
        let words = raf::text::words(search);
        let matching: Vec<&raf::catalog::Product> = live
            .iter()
            .filter(|p| words.iter().all(|w| raf::text::words(&p.fields.name).iter().any(|x| x.starts_with(w.as_str()))))
            .filter(|p| category_id.is_none() || p.fields.category_id == category_id)
            .collect();
        for sort in [Sort::Name, Sort::Sku, Sort::OnHand, Sort::Created, Sort::Price] {
            for descending in [false, true] {
                let mut expected = matching.clone();
                match sort {
                    Sort::Name => expected.sort_by_key(|p| (raf::text::sort_key(&p.fields.name), p.id)),
                    Sort::Sku => expected.sort_by_key(|p| (p.fields.sku.clone(), p.id)),
                    Sort::OnHand => expected.sort_by_key(|p| (p.on_hand, p.id)),
                    // Unpriced last either way: reversed below, so first here when descending.
                    Sort::Price => expected.sort_by_key(|p| (price.contains_key(&p.id) == descending, price.get(&p.id).copied(), p.id)),
                    _ => expected.sort_by_key(|p| p.id),
                }
                if descending {
                    expected.reverse();
                }
                let expected: Vec<i64> = expected.iter().map(|p| p.id).collect();
                let q = ProductQuery { search: Some(search.into()), category_id, sort, descending, limit: 97, ..Default::default() };
                let walked: Vec<i64> = walk(&conn, &q).iter().map(|r| r.id).collect();
                assert_eq!(walked.len(), expected.len(), "{search:?} {category_id:?} {sort:?} {descending}");
                assert_eq!(walked, expected, "{search:?} {category_id:?} {sort:?} {descending}");
                assert_eq!(count_products(&conn, &q).unwrap(), walked.len() as u64);
            }
        }
    }
}

#[test]
fn variants_are_edited_found_by_their_barcode_and_removed_when_empty() {
    use raf::catalog::{remove_variant, update_variant, VariantFields};
    let (_dir, mut conn) = open();
    add(&mut conn, "TS-1", "Tişört");
    add(&mut conn, "OTHER", "Başka");
    generate_variants(&mut conn, "TS-1", &[axis("Renk", &["Beyaz", "Siyah"])]).unwrap();

    let edited = VariantFields { sku: "TS-1-W".into(), barcode: Some("8690000000024".into()), active: true };
    let variant = update_variant(&mut conn, "TS-1-BEYAZ", &edited).unwrap();
    assert_eq!((variant.sku.as_str(), variant.barcode.as_deref()), ("TS-1-W", Some("8690000000024")));
    let found = search_products(&conn, &ProductQuery { search: Some("8690000000024".into()), ..Default::default() }).unwrap();
    assert_eq!(skus_of(&found.rows), ["TS-1"]);

    let taken = VariantFields { sku: "OTHER".into(), barcode: None, active: true };
    assert_eq!(update_variant(&mut conn, "TS-1-W", &taken).unwrap_err().code(), "catalog.sku_taken");
    assert_eq!(update_variant(&mut conn, "TS-1", &taken).unwrap_err().code(), "input.invalid", "a product is not a variant");

    adjust(&mut conn, "TS-1-W", Change::Add(d("2")), None).unwrap();
    assert_eq!(remove_variant(&mut conn, "TS-1-W").unwrap_err().code(), "input.invalid", "stock must be zero first");
    adjust(&mut conn, "TS-1-W", Change::Set(d("0")), None).unwrap();
    remove_variant(&mut conn, "TS-1-W").unwrap();
    let detail = product_detail(&conn, "TS-1").unwrap();
    assert_eq!(detail.variants.iter().map(|v| v.sku.as_str()).collect::<Vec<_>>(), ["TS-1-SIYAH"]);
    let gone = search_products(&conn, &ProductQuery { search: Some("8690000000024".into()), ..Default::default() }).unwrap();
    assert!(gone.rows.is_empty(), "a removed variant's barcode no longer finds the product");
}

#[test]
fn an_unknown_cursor_is_an_error_not_page_one() {
    let (_dir, mut conn) = open();
    add(&mut conn, "A", "Alfa");
    let err = search_products(&conn, &ProductQuery { after: Some(999), ..Default::default() }).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
}

#[test]
fn a_product_in_the_trash_takes_no_new_stock_or_orders() {
    use raf::orders::{record_order, NewLine, NewOrder};
    let (_dir, mut conn) = open();
    add(&mut conn, "A", "Alfa");
    let movement = adjust(&mut conn, "A", Change::Add(d("5")), None).unwrap();
    soft_delete_product(&mut conn, "A").unwrap();

    assert_eq!(adjust(&mut conn, "A", Change::Add(d("1")), None).unwrap_err().code(), "catalog.in_trash");
    let line = NewLine {
        sku: "A".into(),
        quantity: d("1"),
        unit_price: Some(d("10")),
        commission_price: Decimal::ZERO,
        marketplace_id: None,
        marketplace_product_id: None,
    };
    assert_eq!(record_order(&mut conn, &NewOrder::manual(vec![line])).unwrap_err().code(), "catalog.in_trash");
    // Undo still works: it only brings a quantity back to what it was.
    raf::stock::undo(&mut conn, movement.id, None).unwrap();
    restore_product(&mut conn, "A").unwrap();
    adjust(&mut conn, "A", Change::Add(d("1")), None).unwrap();
}
