//! What the CLI prints: JSON with `--json`, aligned text otherwise.

use raf::catalog::{Brand, Category, Price, PriceGroup, ProductDetail, ProductPage, Tag, Variant};
use raf::orders::Order;
use raf::stock::Movement;
use raf::{Error, Result};
use rust_decimal::Decimal;
use serde::Serialize;

pub struct Out {
    pub json: bool,
}

/// `println!` that ends the process quietly when stdout is closed (`raf ... | head`)
/// instead of panicking on the broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            panic!("cannot write to stdout: {e}");
        }
    }};
}

impl Out {
    /// Errors go to stderr: one line of text, or one line of `{code, message, details}`.
    pub fn error(&self, err: &Error) {
        if self.json {
            eprintln!("{}", serde_json::to_string(err).expect("errors serialize"));
        } else {
            // Keep the promise of one line whatever the message holds: SQLite quotes whole
            // statements in some errors, and names typed by people may carry line breaks.
            let text = err.to_string();
            eprintln!("raf: {}", text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "));
        }
    }

    pub fn value<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        say!("{}", serde_json::to_string_pretty(value).expect("values serialize"));
        Ok(())
    }

    pub fn message<T: Serialize + ?Sized>(&self, value: &T, text: &str) -> Result<()> {
        if self.json {
            return self.value(value);
        }
        say!("{text}");
        Ok(())
    }

    pub fn product(&self, p: &ProductDetail) -> Result<()> {
        if self.json {
            return self.value(p);
        }
        let f = &p.product.fields;
        let mut lines = vec![
            ("SKU", f.sku.clone()),
            ("Name", f.name.clone()),
            ("Subtitle", opt(&f.subtitle)),
            ("Barcode", [f.barcode.clone(), f.barcode2.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ")),
            ("Category", opt(&p.category)),
            ("Brand", opt(&p.brand)),
            ("Tags", p.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")),
            ("Unit", f.unit.clone()),
            ("VAT %", f.vat_rate.to_string()),
            (
                "Status",
                format!("{}{}", if f.active { "active" } else { "inactive" }, if p.product.deleted_at.is_some() { " (in the trash)" } else { "" }),
            ),
            ("Kind", f.kind.as_str().to_owned()),
            ("On hand", format!("{} {}", p.product.on_hand, f.unit)),
            ("Min stock", dec(f.min_stock)),
            ("Purchase", dec(f.purchase_price)),
        ];
        lines.retain(|(_, v)| !v.is_empty());
        for (label, value) in lines {
            say!("{label:<10} {value}");
        }
        print_prices(&p.prices);
        if !p.variants.is_empty() {
            say!();
            self.variants(&p.variants);
        }
        Ok(())
    }

    pub fn variants(&self, variants: &[Variant]) {
        if self.json {
            let _ = self.value(variants);
            return;
        }
        let rows = variants
            .iter()
            .map(|v| {
                let options = v.options.iter().map(|o| format!("{}: {}", o.group, o.value)).collect::<Vec<_>>().join(", ");
                // A group without a price of the variant's own takes the product's.
                let own = v.prices.iter().filter_map(|p| p.sale.map(|sale| format!("{}: {sale}", p.group))).collect::<Vec<_>>().join(", ");
                vec![v.sku.clone(), options, opt(&v.barcode), v.on_hand.to_string(), own]
            })
            .collect();
        table(&["VARIANT", "OPTIONS", "BARCODE", "ON HAND", "OWN PRICES (GROUP: SALE)"], rows);
    }

    pub fn prices(&self, sku: &str, prices: &[Price]) -> Result<()> {
        if self.json {
            return self.value(&serde_json::json!({ "sku": sku, "prices": prices }));
        }
        print_prices(prices);
        Ok(())
    }

    pub fn price_groups(&self, groups: &[PriceGroup]) -> Result<()> {
        if self.json {
            return self.value(groups);
        }
        table(&["GROUP", "NAME"], groups.iter().map(|g| vec![g.no.to_string(), g.name.clone()]).collect());
        Ok(())
    }

    pub fn product_page(&self, page: &ProductPage, count: Option<u64>) -> Result<()> {
        if self.json {
            return self.value(&serde_json::json!({ "rows": page.rows, "next": page.next_after, "count": count }));
        }
        let rows = page
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.sku.clone(),
                    r.name.clone(),
                    opt(&r.category),
                    format!("{} {}", r.on_hand, r.unit),
                    dec(r.price),
                    if r.deleted {
                        "deleted"
                    } else if r.active {
                        "active"
                    } else {
                        "inactive"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        table(&["ID", "SKU", "NAME", "CATEGORY", "ON HAND", "PRICE", "STATUS"], rows);
        if let Some(count) = count {
            say!("{count} product(s) match");
        }
        if let Some(next) = page.next_after {
            say!("more: --after {next}");
        }
        Ok(())
    }

    pub fn movements(&self, movements: &[Movement]) -> Result<()> {
        if self.json {
            return self.value(movements);
        }
        let rows = movements
            .iter()
            .map(|m| {
                let delta = if m.delta >= Decimal::ZERO { format!("+{}", m.delta) } else { m.delta.to_string() };
                let undone = m.undone_by.map(|u| format!("undone by #{u}")).unwrap_or_default();
                vec![
                    format!("#{}", m.id),
                    m.created_at.clone(),
                    m.sku.clone(),
                    m.kind.as_str().to_owned(),
                    delta,
                    format!("{} -> {}", m.before, m.after),
                    [m.reason.clone().unwrap_or_default(), undone].join(" ").trim().to_owned(),
                ]
            })
            .collect();
        table(&["ID", "AT", "SKU", "KIND", "CHANGE", "QUANTITY", "REASON"], rows);
        Ok(())
    }

    pub fn categories(&self, list: &[Category]) -> Result<()> {
        if self.json {
            return self.value(list);
        }
        let name_of = |id: Option<i64>| id.and_then(|id| list.iter().find(|c| c.id == id)).map(|c| c.name.clone()).unwrap_or_default();
        let rows = list.iter().map(|c| vec![c.name.clone(), opt(&c.color), name_of(c.parent_id), c.products.to_string()]).collect();
        table(&["CATEGORY", "COLOR", "PARENT", "PRODUCTS"], rows);
        Ok(())
    }

    pub fn brands(&self, list: &[Brand]) -> Result<()> {
        if self.json {
            return self.value(list);
        }
        table(&["BRAND", "PRODUCTS"], list.iter().map(|b| vec![b.name.clone(), b.products.to_string()]).collect());
        Ok(())
    }

    pub fn tags(&self, list: &[Tag]) -> Result<()> {
        if self.json {
            return self.value(list);
        }
        table(&["TAG", "COLOR", "DESCRIPTION"], list.iter().map(|t| vec![t.name.clone(), opt(&t.color), opt(&t.description)]).collect());
        Ok(())
    }

    pub fn order(&self, o: &Order) -> Result<()> {
        if self.json {
            return self.value(o);
        }
        say!("Order     {}", o.code);
        say!("Status    {:?}", o.status);
        say!("Date      {}", o.order_date);
        if let Some(m) = &o.marketplace {
            say!("Market    {m}");
        }
        if let Some(name) = o.customer.get("name").and_then(|n| n.as_str()) {
            say!("Customer  {name}");
        }
        say!("Total     {} {}", o.total_price, o.currency);
        let rows = o
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.line_no.to_string(),
                    l.variant_sku.clone().unwrap_or(l.sku.clone()),
                    l.product_name.clone(),
                    l.quantity.to_string(),
                    l.unit_price.to_string(),
                    l.total_price.to_string(),
                ]
            })
            .collect();
        table(&["#", "SKU", "PRODUCT", "QTY", "UNIT PRICE", "TOTAL"], rows);
        Ok(())
    }

    /// An order just recorded; in JSON, `created: false` says the code was known already.
    pub fn recorded_order(&self, o: &Order, created: bool) -> Result<()> {
        if self.json {
            let mut value = serde_json::to_value(o).expect("orders serialize");
            value["created"] = created.into();
            return self.value(&value);
        }
        self.order(o)
    }

    pub fn orders(&self, list: &[Order]) -> Result<()> {
        if self.json {
            return self.value(list);
        }
        let rows = list
            .iter()
            .map(|o| {
                vec![
                    o.code.clone(),
                    o.order_date.clone(),
                    format!("{:?}", o.status),
                    opt(&o.marketplace),
                    format!("{} {}", o.total_price, o.currency),
                ]
            })
            .collect();
        table(&["ORDER", "DATE", "STATUS", "MARKETPLACE", "TOTAL"], rows);
        Ok(())
    }
}

fn print_prices(prices: &[Price]) {
    let rows: Vec<Vec<String>> =
        prices.iter().filter(|p| p.sale.is_some()).map(|p| vec![p.group.to_string(), p.group_name.clone(), dec(p.sale), dec(p.list)]).collect();
    if !rows.is_empty() {
        say!();
        table(&["GROUP", "PRICE GROUP", "SALE", "LIST"], rows);
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn dec(v: Option<Decimal>) -> String {
    v.map(|d| d.to_string()).unwrap_or_default()
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count()))).collect();
        say!("{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
}
