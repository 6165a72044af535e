//! Orders through the public API: stock out once per line, idempotent recording,
//! cancelling puts stock back once, and listing with keyset pages.

#[path = "support/catalog.rs"]
mod support;
use support::{d, open};

use raf::catalog::{create_product, generate_variants, product_detail, set_price, OptionAxis, ProductFields, ProductKind};
use raf::orders::{cancel_order, list_orders, order, record_order, set_status, NewLine, NewOrder, OrderQuery, OrderStatus};
use raf::stock::{adjust, check_ledger, history, undo, Change, MovementKind};
use rusqlite::Connection;
use rust_decimal::Decimal;
use tempfile::TempDir;

fn line(sku: &str, quantity: &str, unit_price: Option<&str>) -> NewLine {
    NewLine {
        sku: sku.into(),
        quantity: d(quantity),
        unit_price: unit_price.map(d),
        commission_price: Decimal::ZERO,
        marketplace_id: None,
        marketplace_product_id: None,
    }
}

fn coded(code: &str, lines: Vec<NewLine>) -> NewOrder {
    NewOrder { code: Some(code.into()), ..NewOrder::manual(lines) }
}

fn on_hand(conn: &Connection, sku: &str) -> Decimal {
    let detail = product_detail(conn, sku).unwrap();
    detail.variants.iter().find(|v| v.sku == sku).map(|v| v.on_hand).unwrap_or(detail.product.on_hand)
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// A shop with: `KALEM` (50 in stock, 12.50 in group 1), `DEFTER` (20, 30 in group 1),
/// `TS` with variants `TS-S` (own group 1 price 99.90, 5 in stock) and `TS-M`
/// (the product's price 80, 5 in stock).
fn shop() -> (TempDir, Connection) {
    let (dir, mut conn) = open();
    for (sku, name, stock, price) in [("KALEM", "Kurşun kalem", "50", "12.50"), ("DEFTER", "Çizgili defter", "20", "30")] {
        create_product(&mut conn, &ProductFields::new(sku, name)).unwrap();
        adjust(&mut conn, sku, Change::Add(d(stock)), None).unwrap();
        set_price(&mut conn, sku, 1, d(price), None).unwrap();
        set_price(&mut conn, sku, 2, d("1"), None).unwrap();
    }
    create_product(&mut conn, &ProductFields::new("TS", "Tişört")).unwrap();
    set_price(&mut conn, "TS", 1, d("80"), None).unwrap();
    generate_variants(&mut conn, "TS", &[OptionAxis { group: "Beden".into(), values: vec!["S".into(), "M".into()] }]).unwrap();
    set_price(&mut conn, "TS-S", 1, d("99.90"), None).unwrap();
    for sku in ["TS-S", "TS-M"] {
        adjust(&mut conn, sku, Change::Add(d("5")), None).unwrap();
    }
    (dir, conn)
}

#[test]
fn a_manual_order_takes_stock_out_once_per_line_and_totals_itself() {
    let (_dir, mut conn) = shop();
    let new = coded(
        "S-1",
        vec![
            line("KALEM", "3", None),
            line("DEFTER", "2", Some("27.5")),
            line("TS-S", "1", None),
            line("TS-M", "2", None),
            line("KALEM", "0.5", None),
        ],
    );
    let (o, created) = record_order(&mut conn, &new).unwrap();
    assert!(created);
    assert_eq!(o.code, "S-1");
    assert_eq!(o.status, OrderStatus::Approved);
    assert_eq!(o.order_type.as_deref(), Some("manual"));
    assert_eq!(o.lines.len(), 5);

    let prices: Vec<(Decimal, Decimal)> = o.lines.iter().map(|l| (l.unit_price, l.total_price)).collect();
    assert_eq!(
        prices,
        [(d("12.5"), d("37.5")), (d("27.5"), d("55")), (d("99.9"), d("99.9")), (d("80"), d("160")), (d("12.5"), d("6.25"))],
        "group 1 prices by default (a variant's own, else its product's); a given price wins"
    );
    assert_eq!(o.total_price, d("358.65"));
    assert_eq!(o.lines.iter().map(|l| l.line_no).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    let ts_s = &o.lines[2];
    assert_eq!((ts_s.sku.as_str(), ts_s.variant_sku.as_deref(), ts_s.variant_name.as_deref()), ("TS", Some("TS-S"), Some("S")));
    assert_eq!(ts_s.product_name, "Tişört");

    assert_eq!(on_hand(&conn, "KALEM"), d("46.5"));
    assert_eq!(on_hand(&conn, "DEFTER"), d("18"));
    assert_eq!(on_hand(&conn, "TS-S"), d("4"));
    assert_eq!(on_hand(&conn, "TS-M"), d("3"));
    assert_eq!(on_hand(&conn, "TS"), d("7"));

    // One sale movement per line, tied to it.
    let sales: Vec<_> = history(&conn, "KALEM", 100, None).unwrap().into_iter().filter(|m| m.kind == MovementKind::Sale).collect();
    assert_eq!(sales.len(), 2);
    let line_ids: Vec<Option<i64>> = vec![Some(o.lines[4].id), Some(o.lines[0].id)];
    assert_eq!(sales.iter().map(|m| m.order_line_id).collect::<Vec<_>>(), line_ids);
    assert_eq!(sales[1].delta, d("-3"));
    assert_eq!(sales[1].reason.as_deref(), Some("order S-1"));
    let sale_count: i64 = conn.query_row("SELECT count(*) FROM stock_movements WHERE kind = 'sale'", [], |r| r.get(0)).unwrap();
    assert_eq!(sale_count, 5);
    assert_eq!(order(&conn, "S-1").unwrap(), o);
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn recording_the_same_code_again_changes_nothing() {
    let (_dir, mut conn) = shop();
    let (first, created) = record_order(&mut conn, &coded("TY-100", vec![line("KALEM", "4", None)])).unwrap();
    assert!(created);
    let movements = count(&conn, "stock_movements");

    // Same code, even with other lines: the known order is returned as it is.
    let (again, created) = record_order(&mut conn, &coded(" TY-100 ", vec![line("KALEM", "4", None), line("DEFTER", "9", None)])).unwrap();
    assert!(!created);
    assert_eq!(again, first);
    assert_eq!(on_hand(&conn, "KALEM"), d("46"));
    assert_eq!(on_hand(&conn, "DEFTER"), d("20"));
    assert_eq!(count(&conn, "stock_movements"), movements);
    assert_eq!(count(&conn, "orders"), 1);
    assert_eq!(count(&conn, "order_lines"), 1);
}

#[test]
fn generated_codes_never_reuse_a_known_order() {
    let (_dir, mut conn) = shop();
    let (a, created) = record_order(&mut conn, &NewOrder::manual(vec![line("KALEM", "1", None)])).unwrap();
    assert!(created);
    assert!(a.code.starts_with("R-") && a.code.ends_with("-0001"), "{}", a.code);
    // A code typed by hand that takes the next generated number.
    let taken = a.code.replace("-0001", "-0002");
    record_order(&mut conn, &coded(&taken, vec![line("KALEM", "1", None)])).unwrap();
    let (c, created) = record_order(&mut conn, &NewOrder::manual(vec![line("DEFTER", "1", None)])).unwrap();
    assert!(created, "a new order without a code is a new order");
    assert!(c.code != a.code && c.code != taken, "{}", c.code);
    assert_eq!(c.lines[0].sku, "DEFTER");
    assert_eq!(on_hand(&conn, "DEFTER"), d("19"));
    assert_eq!(count(&conn, "orders"), 3);
}

#[test]
fn cancelling_puts_stock_back_exactly_once() {
    let (_dir, mut conn) = shop();
    record_order(&mut conn, &coded("C-1", vec![line("KALEM", "10", None), line("TS-S", "2", None)])).unwrap();
    assert_eq!((on_hand(&conn, "KALEM"), on_hand(&conn, "TS-S")), (d("40"), d("3")));

    let shipped = set_status(&mut conn, "C-1", OrderStatus::Shipped).unwrap();
    assert_eq!(shipped.status, OrderStatus::Shipped);
    assert_eq!(on_hand(&conn, "KALEM"), d("40"), "a status change other than cancel moves no stock");

    let cancelled = cancel_order(&mut conn, "C-1").unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!((on_hand(&conn, "KALEM"), on_hand(&conn, "TS-S"), on_hand(&conn, "TS")), (d("50"), d("5"), d("10")));
    let back: Vec<_> = history(&conn, "KALEM", 100, None).unwrap().into_iter().filter(|m| m.kind == MovementKind::Cancel).collect();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].delta, d("10"));
    assert_eq!(back[0].order_line_id, Some(cancelled.lines[0].id));

    let movements = count(&conn, "stock_movements");
    let twice = cancel_order(&mut conn, "C-1").unwrap();
    assert_eq!(twice.status, OrderStatus::Cancelled);
    assert_eq!(count(&conn, "stock_movements"), movements, "cancelling twice changes nothing");
    assert_eq!(on_hand(&conn, "KALEM"), d("50"));

    for status in [OrderStatus::Awaiting, OrderStatus::Approved, OrderStatus::Shipped] {
        let err = set_status(&mut conn, "C-1", status).unwrap_err();
        assert_eq!(err.code(), "order.cancelled", "{status:?}");
    }
    assert_eq!(order(&conn, "C-1").unwrap().status, OrderStatus::Cancelled);
    assert_eq!(count(&conn, "stock_movements"), movements);
    assert_eq!(set_status(&mut conn, "NOPE", OrderStatus::Shipped).unwrap_err().code(), "order.not_found");
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn an_order_recorded_cancelled_takes_no_stock() {
    let (_dir, mut conn) = shop();
    let new = NewOrder { status: OrderStatus::Cancelled, ..coded("X-1", vec![line("KALEM", "5", None)]) };
    let (o, created) = record_order(&mut conn, &new).unwrap();
    assert!(created);
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(on_hand(&conn, "KALEM"), d("50"));
    cancel_order(&mut conn, "X-1").unwrap();
    assert_eq!(on_hand(&conn, "KALEM"), d("50"), "nothing went out, so nothing comes back");
}

#[test]
fn a_bad_line_writes_nothing() {
    let (_dir, mut conn) = shop();
    let movements = count(&conn, "stock_movements");
    let snapshot = |conn: &Connection| (on_hand(conn, "KALEM"), on_hand(conn, "DEFTER"), count(conn, "orders"), count(conn, "order_lines"));
    let before = snapshot(&conn);

    let err = record_order(&mut conn, &coded("B-1", vec![line("KALEM", "2", None), line("YOK-999", "1", Some("5"))])).unwrap_err();
    assert_eq!(err.code(), "catalog.not_found");
    assert_eq!(snapshot(&conn), before);
    assert_eq!(count(&conn, "stock_movements"), movements);
    assert_eq!(order(&conn, "B-1").unwrap_err().code(), "order.not_found", "no order row");

    // Not enough stock on a later line: the earlier line's sale is rolled back too.
    let err = record_order(&mut conn, &coded("B-2", vec![line("KALEM", "2", None), line("DEFTER", "21", None)])).unwrap_err();
    assert_eq!(err.code(), "stock.would_go_negative");
    assert_eq!(snapshot(&conn), before);
    assert_eq!(count(&conn, "stock_movements"), movements);

    // No group 1 price and none given.
    create_product(&mut conn, &ProductFields::new("FIYATSIZ", "Fiyatsız")).unwrap();
    adjust(&mut conn, "FIYATSIZ", Change::Add(d("1")), None).unwrap();
    let movements = count(&conn, "stock_movements");
    let err = record_order(&mut conn, &coded("B-3", vec![line("KALEM", "1", None), line("FIYATSIZ", "1", None)])).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert_eq!(snapshot(&conn), before);
    assert_eq!(count(&conn, "stock_movements"), movements);

    // Bad quantities and no lines.
    for quantity in ["0", "-1", "0.00001"] {
        let err = record_order(&mut conn, &coded("B-4", vec![line("KALEM", quantity, None)])).unwrap_err();
        assert_eq!(err.code(), "input.invalid", "{quantity}");
    }
    assert_eq!(record_order(&mut conn, &coded("B-5", vec![])).unwrap_err().code(), "input.invalid");
    assert_eq!(snapshot(&conn), before);

    // A product with variants is sold through a variant's SKU.
    let err = record_order(&mut conn, &coded("B-6", vec![line("TS", "1", None)])).unwrap_err();
    assert_eq!(err.code(), "stock.has_variants");
    assert_eq!(snapshot(&conn), before);
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn services_are_sold_without_stock() {
    let (_dir, mut conn) = shop();
    create_product(&mut conn, &ProductFields { kind: ProductKind::Service, ..ProductFields::new("MONTAJ", "Montaj hizmeti") }).unwrap();
    let (o, created) = record_order(&mut conn, &coded("SV-1", vec![line("MONTAJ", "1", Some("250")), line("KALEM", "1", None)])).unwrap();
    assert!(created);
    assert_eq!(o.total_price, d("262.5"));
    assert_eq!(on_hand(&conn, "MONTAJ"), d("0"));
    assert_eq!(on_hand(&conn, "KALEM"), d("49"));
    cancel_order(&mut conn, "SV-1").unwrap();
    assert_eq!(on_hand(&conn, "KALEM"), d("50"));
    assert_eq!(check_ledger(&conn).unwrap(), []);
}

#[test]
fn order_movements_are_not_undone_by_hand() {
    let (_dir, mut conn) = shop();
    record_order(&mut conn, &coded("U-1", vec![line("KALEM", "5", None)])).unwrap();
    let sale = history(&conn, "KALEM", 1, None).unwrap().remove(0);
    assert_eq!(sale.kind, MovementKind::Sale);
    let movements = count(&conn, "stock_movements");
    let err = undo(&mut conn, sale.id, None).unwrap_err();
    assert_eq!(err.code(), "stock.not_undoable");
    assert_eq!(err.details()["kind"], "sale");
    assert_eq!(on_hand(&conn, "KALEM"), d("45"));
    assert_eq!(count(&conn, "stock_movements"), movements);

    cancel_order(&mut conn, "U-1").unwrap();
    let back = history(&conn, "KALEM", 1, None).unwrap().remove(0);
    assert_eq!(back.kind, MovementKind::Cancel);
    assert_eq!(undo(&mut conn, back.id, None).unwrap_err().code(), "stock.not_undoable");
    assert_eq!(on_hand(&conn, "KALEM"), d("50"));
}

#[test]
fn lists_orders_newest_first_by_status_with_keyset_pages() {
    let (_dir, mut conn) = shop();
    // Dates out of insertion order, with ties on the same date.
    let dates = [
        "2026-01-05T10:00:00.000Z",
        "2026-01-03T09:00:00.000Z",
        "2026-01-05T10:00:00.000Z",
        "2026-01-04T12:00:00.000Z",
        "2026-01-01T08:00:00.000Z",
        "2026-01-05T10:00:00.000Z",
        "2026-01-02T08:00:00.000Z",
    ];
    let mut made = Vec::new();
    for (i, date) in dates.iter().enumerate() {
        let status = if i % 3 == 0 { OrderStatus::Shipped } else { OrderStatus::Approved };
        let new = NewOrder { order_date: Some(date.to_string()), status, ..coded(&format!("L-{i}"), vec![line("KALEM", "1", None)]) };
        made.push(record_order(&mut conn, &new).unwrap().0);
    }
    cancel_order(&mut conn, "L-4").unwrap();

    let mut expected: Vec<(String, i64, String)> = made.iter().map(|o| (o.order_date.clone(), o.id, o.code.clone())).collect();
    expected.sort();
    expected.reverse();
    let expected: Vec<String> = expected.into_iter().map(|(_, _, code)| code).collect();
    assert_eq!(expected[..3], ["L-5", "L-2", "L-0"], "same date: the later id first");

    let walk = |conn: &Connection, q: OrderQuery| -> Vec<String> {
        let mut out = Vec::new();
        let mut q = q;
        loop {
            let page = list_orders(conn, &q).unwrap();
            assert!(page.len() <= q.limit as usize);
            assert!(page.iter().all(|o| o.lines.is_empty()), "lists come without lines");
            if page.is_empty() {
                return out;
            }
            q.after = page.last().map(|o| o.id);
            out.extend(page.into_iter().map(|o| o.code));
        }
    };
    for limit in [1, 2, 3, 100] {
        assert_eq!(walk(&conn, OrderQuery { limit, ..Default::default() }), expected, "limit {limit}");
    }
    let shipped: Vec<String> = expected.iter().filter(|c| ["L-0", "L-3", "L-6"].contains(&c.as_str())).cloned().collect();
    assert_eq!(walk(&conn, OrderQuery { status: Some(OrderStatus::Shipped), limit: 2, ..Default::default() }), shipped);
    assert_eq!(walk(&conn, OrderQuery { status: Some(OrderStatus::Cancelled), limit: 2, ..Default::default() }), ["L-4"]);
    assert_eq!(walk(&conn, OrderQuery { status: Some(OrderStatus::Approved), limit: 1, ..Default::default() }), ["L-5", "L-2", "L-1"]);
    assert_eq!(walk(&conn, OrderQuery { status: Some(OrderStatus::Awaiting), ..Default::default() }), Vec::<String>::new());
    // Date range, inclusive days.
    let q = OrderQuery { from: Some("2026-01-02".into()), to: Some("2026-01-04".into()), limit: 2, ..Default::default() };
    assert_eq!(walk(&conn, q), ["L-3", "L-1", "L-6"]);
}
