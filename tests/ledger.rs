//! The stock ledger through the public API: movements, the negative-stock rule,
//! variants, undo, history, and a property test of the invariant
//! `on_hand == SUM(delta)` under random sequences of changes.

#[path = "support/catalog.rs"]
mod support;
use support::{d, open};

use proptest::prelude::*;
use raf::catalog::{create_product, generate_variants, product_detail, OptionAxis, ProductFields, ProductKind};
use raf::stock::{adjust, check_ledger, history, movement, undo, Change, MovementKind};
use rusqlite::Connection;
use rust_decimal::Decimal;

fn add_product(conn: &mut Connection, sku: &str, name: &str) {
    create_product(conn, &ProductFields::new(sku, name)).unwrap();
}

/// Product `sku` with variants `<sku>-A` and `<sku>-B`.
fn add_with_variants(conn: &mut Connection, sku: &str) {
    add_product(conn, sku, "Varyantlı ürün");
    let axes = [OptionAxis { group: "Tip".into(), values: vec!["A".into(), "B".into()] }];
    generate_variants(conn, sku, &axes).unwrap();
}

fn on_hand(conn: &Connection, sku: &str) -> Decimal {
    let detail = product_detail(conn, sku).unwrap();
    match detail.variants.iter().find(|v| v.sku == sku) {
        Some(v) => v.on_hand,
        None => detail.product.on_hand,
    }
}

fn movement_count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM stock_movements", [], |r| r.get(0)).unwrap()
}

fn assert_ledger_ok(conn: &Connection) {
    assert_eq!(check_ledger(conn).unwrap(), [], "on_hand must equal the sum of movements");
}

#[test]
fn add_sub_and_set_write_movements_with_before_and_after() {
    let (_dir, mut conn) = open();
    create_product(&mut conn, &ProductFields { unit: "lt".into(), ..ProductFields::new("YAG-1", "Zeytinyağı") }).unwrap();

    let m1 = adjust(&mut conn, "YAG-1", Change::Add(d("3.5")), Some("  tedarikçi teslimatı  ")).unwrap();
    assert_eq!((m1.kind, m1.delta, m1.before, m1.after), (MovementKind::Add, d("3.5"), d("0"), d("3.5")));
    assert_eq!(m1.reason.as_deref(), Some("tedarikçi teslimatı"), "the reason is trimmed");
    assert_eq!(m1.sku, "YAG-1");
    assert_eq!(m1.variant_id, None);
    assert_eq!(m1.undoes, None);
    assert_eq!(m1.undone_by, None);

    let m2 = adjust(&mut conn, "YAG-1", Change::Sub(d("1.25")), Some("satış")).unwrap();
    assert_eq!((m2.kind, m2.delta, m2.before, m2.after), (MovementKind::Sub, d("-1.25"), d("3.5"), d("2.25")));

    let m3 = adjust(&mut conn, "YAG-1", Change::Set(d("10")), Some("sayım")).unwrap();
    assert_eq!((m3.kind, m3.delta, m3.before, m3.after), (MovementKind::Set, d("7.75"), d("2.25"), d("10")));
    let m4 = adjust(&mut conn, "YAG-1", Change::Set(d("0.0001")), Some("   ")).unwrap();
    assert_eq!((m4.delta, m4.after), (d("-9.9999"), d("0.0001")));
    assert_eq!(m4.reason, None, "a blank reason is no reason");
    let m5 = adjust(&mut conn, "YAG-1", Change::Set(Decimal::ZERO), None).unwrap();
    assert_eq!((m5.delta, m5.after), (d("-0.0001"), d("0")));

    // What was returned is what was stored.
    for m in [&m1, &m2, &m3, &m4, &m5] {
        assert_eq!(&movement(&conn, m.id).unwrap(), m);
    }
    assert!(m1.id < m2.id && m2.id < m3.id && m3.id < m4.id && m4.id < m5.id);
    assert_eq!(on_hand(&conn, "YAG-1"), Decimal::ZERO);
    assert_eq!(movement_count(&conn), 5);
    assert_ledger_ok(&conn);
}

#[test]
fn refuses_bad_quantities_and_unknown_skus() {
    let (_dir, mut conn) = open();
    add_product(&mut conn, "Q-1", "Ürün");
    for change in [Change::Add(Decimal::ZERO), Change::Sub(Decimal::ZERO), Change::Add(d("-1")), Change::Sub(d("-1")), Change::Set(d("-1"))] {
        assert_eq!(adjust(&mut conn, "Q-1", change, None).unwrap_err().code(), "input.invalid", "{change:?}");
    }
    for change in [Change::Add(d("1.00001")), Change::Set(d("0.00005"))] {
        assert_eq!(adjust(&mut conn, "Q-1", change, None).unwrap_err().code(), "input.invalid", "{change:?}");
    }
    assert_eq!(adjust(&mut conn, "NOPE", Change::Add(d("1")), None).unwrap_err().code(), "catalog.not_found");
    assert_eq!(movement_count(&conn), 0);

    // A service has no stock.
    create_product(&mut conn, &ProductFields { kind: ProductKind::Service, ..ProductFields::new("SRV-1", "Montaj") }).unwrap();
    assert_eq!(adjust(&mut conn, "SRV-1", Change::Add(d("1")), None).unwrap_err().code(), "input.invalid");
    assert_eq!(movement_count(&conn), 0);
}

#[test]
fn refuses_to_go_negative_unless_allowed() {
    let (_dir, mut conn) = open();
    add_product(&mut conn, "N-1", "Ürün");
    adjust(&mut conn, "N-1", Change::Add(d("2")), None).unwrap();

    let err = adjust(&mut conn, "N-1", Change::Sub(d("2.5")), Some("fazla")).unwrap_err();
    assert_eq!(err.code(), "stock.would_go_negative");
    assert_eq!(err.details()["on_hand"], "2");
    assert_eq!(err.details()["delta"], "-2.5");
    assert_eq!(on_hand(&conn, "N-1"), d("2"), "nothing was written");
    assert_eq!(movement_count(&conn), 1);
    assert_eq!(history(&conn, "N-1", 100, None).unwrap().len(), 1);

    // Down to exactly zero is fine.
    adjust(&mut conn, "N-1", Change::Sub(d("2")), None).unwrap();
    assert_eq!(adjust(&mut conn, "N-1", Change::Sub(d("0.0001")), None).unwrap_err().code(), "stock.would_go_negative");

    assert!(!raf::settings::allow_negative_stock(&conn).unwrap(), "off by default");
    raf::settings::set_allow_negative_stock(&mut conn, true).unwrap();
    assert!(raf::settings::allow_negative_stock(&conn).unwrap());
    let m = adjust(&mut conn, "N-1", Change::Sub(d("3.5")), None).unwrap();
    assert_eq!((m.before, m.after), (d("0"), d("-3.5")));
    assert_eq!(on_hand(&conn, "N-1"), d("-3.5"));

    // Turned off again: further decreases are refused, increases are not.
    raf::settings::set_allow_negative_stock(&mut conn, false).unwrap();
    assert_eq!(adjust(&mut conn, "N-1", Change::Sub(d("1")), None).unwrap_err().code(), "stock.would_go_negative");
    let m = adjust(&mut conn, "N-1", Change::Add(d("1")), None).unwrap();
    assert_eq!(m.after, d("-2.5"));
    assert_eq!(adjust(&mut conn, "N-1", Change::Set(d("0")), None).unwrap().after, d("0"));
    assert_ledger_ok(&conn);
}

#[test]
fn variants_hold_the_stock_and_the_product_sums_them() {
    let (_dir, mut conn) = open();
    add_with_variants(&mut conn, "V");

    let err = adjust(&mut conn, "V", Change::Add(d("1")), None).unwrap_err();
    assert_eq!(err.code(), "stock.has_variants");
    assert_eq!(err.details()["sku"], "V");
    assert_eq!(movement_count(&conn), 0);

    let a = adjust(&mut conn, "V-A", Change::Add(d("4")), None).unwrap();
    assert_eq!(a.sku, "V-A");
    assert!(a.variant_id.is_some());
    adjust(&mut conn, "V-B", Change::Add(d("2.5")), None).unwrap();
    adjust(&mut conn, "V-A", Change::Sub(d("1")), None).unwrap();
    assert_eq!(on_hand(&conn, "V-A"), d("3"));
    assert_eq!(on_hand(&conn, "V-B"), d("2.5"));
    assert_eq!(on_hand(&conn, "V"), d("5.5"), "the product holds the sum of its variants");

    // The negative rule looks at the variant, not the product's sum.
    assert_eq!(adjust(&mut conn, "V-B", Change::Sub(d("3")), None).unwrap_err().code(), "stock.would_go_negative");
    let set = adjust(&mut conn, "V-B", Change::Set(d("1")), None).unwrap();
    assert_eq!((set.before, set.after), (d("2.5"), d("1")));
    assert_eq!(on_hand(&conn, "V"), d("4"));

    // History: a variant's own, and the product's including its variants'.
    assert_eq!(history(&conn, "V-A", 100, None).unwrap().len(), 2);
    assert_eq!(history(&conn, "V-B", 100, None).unwrap().len(), 2);
    assert_eq!(history(&conn, "V", 100, None).unwrap().len(), 4);
    assert_ledger_ok(&conn);
}

#[test]
fn undo_writes_a_compensating_movement_once() {
    let (_dir, mut conn) = open();
    add_product(&mut conn, "U-1", "Ürün");
    let added = adjust(&mut conn, "U-1", Change::Add(d("5")), None).unwrap();
    let taken = adjust(&mut conn, "U-1", Change::Sub(d("1.5")), None).unwrap();

    let undone = undo(&mut conn, taken.id, None).unwrap();
    assert_eq!(undone.kind, MovementKind::Undo);
    assert_eq!(undone.undoes, Some(taken.id));
    assert_eq!((undone.delta, undone.before, undone.after), (d("1.5"), d("3.5"), d("5")));
    assert_eq!(undone.reason, Some(format!("undo #{}", taken.id)));
    assert_eq!(movement(&conn, taken.id).unwrap().undone_by, Some(undone.id));
    assert_eq!(on_hand(&conn, "U-1"), d("5"));

    let count = movement_count(&conn);
    let err = undo(&mut conn, taken.id, None).unwrap_err();
    assert_eq!(err.code(), "stock.already_undone");
    assert_eq!(movement_count(&conn), count, "a refused undo writes nothing");
    assert_eq!(on_hand(&conn, "U-1"), d("5"));

    let with_reason = undo(&mut conn, added.id, Some("yanlış giriş")).unwrap();
    assert_eq!(with_reason.reason.as_deref(), Some("yanlış giriş"));
    assert_eq!(on_hand(&conn, "U-1"), d("0"));
    assert_eq!(undo(&mut conn, 9999, None).unwrap_err().code(), "stock.movement_not_found");

    // An undo that would take stock below zero follows the negative rule.
    let more = adjust(&mut conn, "U-1", Change::Add(d("2")), None).unwrap();
    adjust(&mut conn, "U-1", Change::Sub(d("2")), None).unwrap();
    assert_eq!(undo(&mut conn, more.id, None).unwrap_err().code(), "stock.would_go_negative");
    assert_eq!(movement(&conn, more.id).unwrap().undone_by, None);
    assert_ledger_ok(&conn);
}

#[test]
fn history_is_newest_first_and_pages_back() {
    let (_dir, mut conn) = open();
    add_product(&mut conn, "H-1", "Ürün");
    add_product(&mut conn, "H-2", "Başka");
    let mut ids = Vec::new();
    for i in 1..=7 {
        ids.push(adjust(&mut conn, "H-1", Change::Add(Decimal::from(i)), Some(&format!("giriş {i}"))).unwrap().id);
        adjust(&mut conn, "H-2", Change::Add(d("1")), None).unwrap();
    }
    ids.reverse();

    let all = history(&conn, "H-1", 100, None).unwrap();
    assert_eq!(all.iter().map(|m| m.id).collect::<Vec<_>>(), ids, "only H-1's, newest first");
    assert_eq!(all[0].reason.as_deref(), Some("giriş 7"));

    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = history(&conn, "H-1", 3, before).unwrap();
        assert!(page.len() <= 3);
        if page.is_empty() {
            break;
        }
        before = page.last().map(|m| m.id);
        paged.extend(page.into_iter().map(|m| m.id));
    }
    assert_eq!(paged, ids);
    assert_eq!(history(&conn, "H-1", 2, Some(ids[1])).unwrap().iter().map(|m| m.id).collect::<Vec<_>>(), &ids[2..4]);
    assert_ledger_ok(&conn);
}

// ---------------------------------------------------------------- property test

/// Items the random operations aim at: a plain product, a product with variants (whose
/// own stock must always be refused), and its two variants.
const TARGETS: [&str; 4] = ["P", "V-A", "V-B", "V"];

#[derive(Debug, Clone)]
enum Op {
    Add(usize, i64),
    Sub(usize, i64),
    Set(usize, i64),
    /// Undo the n-th movement written so far (modulo their number), or an unknown id.
    Undo(usize),
}

fn op() -> impl Strategy<Value = Op> {
    // Quantities in hundredths: up to 2 decimals, zero included (refused for add/sub).
    let target = 0..TARGETS.len();
    let qty = 0i64..2_000;
    prop_oneof![
        3 => (target.clone(), qty.clone()).prop_map(|(t, q)| Op::Add(t, q)),
        3 => (target.clone(), qty.clone()).prop_map(|(t, q)| Op::Sub(t, q)),
        2 => (target, qty).prop_map(|(t, q)| Op::Set(t, q)),
        2 => any::<usize>().prop_map(Op::Undo),
    ]
}

/// What the test believes the ledger holds, computed without the library.
#[derive(Default)]
struct Model {
    /// (id, target, delta, undone)
    movements: Vec<(i64, usize, Decimal, bool)>,
}

impl Model {
    fn on_hand(&self, target: usize) -> Decimal {
        match target {
            3 => self.on_hand(1) + self.on_hand(2),
            t => self.movements.iter().filter(|m| m.1 == t).map(|m| m.2).sum(),
        }
    }
}

/// The observable state: every item's quantity and the number of movements.
fn snapshot(conn: &Connection) -> (Vec<Decimal>, i64) {
    (TARGETS.iter().map(|t| on_hand(conn, t)).collect(), movement_count(conn))
}

/// The error code the model expects for a change of `delta` to `target`, if any.
fn expected_refusal(model: &Model, target: usize, delta: Decimal, allow_negative: bool) -> Option<&'static str> {
    let after = model.on_hand(target) + delta;
    if target == 3 {
        Some("stock.has_variants")
    } else if delta < Decimal::ZERO && after < Decimal::ZERO && !allow_negative {
        Some("stock.would_go_negative")
    } else {
        None
    }
}

fn run_ops(ops: &[Op], allow_negative: bool) -> Result<(), TestCaseError> {
    let (_dir, mut conn) = open();
    add_product(&mut conn, "P", "Düz ürün");
    add_with_variants(&mut conn, "V");
    raf::settings::set_allow_negative_stock(&mut conn, allow_negative).unwrap();
    let mut model = Model::default();

    for op in ops {
        let before = snapshot(&conn);
        // (result, expected refusal code, target, delta, expected kind, undone id)
        let (result, expected, target, delta, kind, undoes) = match *op {
            Op::Add(t, q) | Op::Sub(t, q) | Op::Set(t, q) => {
                let qty = Decimal::new(q, 2);
                let (change, kind, delta) = match op {
                    Op::Add(..) => (Change::Add(qty), MovementKind::Add, qty),
                    Op::Sub(..) => (Change::Sub(qty), MovementKind::Sub, -qty),
                    _ => (Change::Set(qty), MovementKind::Set, qty - model.on_hand(t)),
                };
                let expected =
                    if q == 0 && kind != MovementKind::Set { Some("input.invalid") } else { expected_refusal(&model, t, delta, allow_negative) };
                (adjust(&mut conn, TARGETS[t], change, Some("prop")), expected, t, delta, kind, None)
            }
            Op::Undo(n) => {
                if model.movements.is_empty() {
                    let result = undo(&mut conn, 1_000_000, None);
                    (result, Some("stock.movement_not_found"), 0, Decimal::ZERO, MovementKind::Undo, None)
                } else {
                    let (id, t, original, undone) = model.movements[n % model.movements.len()];
                    let expected = if undone { Some("stock.already_undone") } else { expected_refusal(&model, t, -original, allow_negative) };
                    (undo(&mut conn, id, None), expected, t, -original, MovementKind::Undo, Some(id))
                }
            }
        };

        match (&result, expected) {
            (Ok(m), None) => {
                prop_assert_eq!(m.kind, kind);
                prop_assert_eq!(m.delta, delta);
                prop_assert_eq!(m.before, model.on_hand(target));
                prop_assert_eq!(m.after, model.on_hand(target) + delta);
                prop_assert_eq!(m.undoes, undoes);
                prop_assert_eq!(&m.sku, TARGETS[target]);
                if let Some(undone) = undoes {
                    let original = model.movements.iter_mut().find(|x| x.0 == undone).unwrap();
                    original.3 = true;
                    prop_assert_eq!(movement(&conn, undone).unwrap().undone_by, Some(m.id));
                }
                model.movements.push((m.id, target, delta, false));
            }
            (Err(e), Some(code)) => {
                prop_assert_eq!(e.code(), code, "{:?}", op);
                prop_assert_eq!(&snapshot(&conn), &before, "a refused {:?} changed something", op);
            }
            (result, expected) => prop_assert!(false, "{:?}: got {:?}, expected refusal {:?}", op, result, expected),
        }

        prop_assert_eq!(check_ledger(&conn).unwrap(), vec![]);
        let (quantities, count) = snapshot(&conn);
        for (t, quantity) in quantities.iter().enumerate() {
            prop_assert_eq!(*quantity, model.on_hand(t), "{} after {:?}", TARGETS[t], op);
        }
        prop_assert_eq!(count, model.movements.len() as i64);
        if !allow_negative {
            prop_assert!(quantities.iter().all(|q| *q >= Decimal::ZERO), "negative stock while not allowed: {:?}", quantities);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_changes_keep_the_ledger_exact(ops in prop::collection::vec(op(), 1..=40), allow_negative in any::<bool>()) {
        run_ops(&ops, allow_negative)?;
    }
}
