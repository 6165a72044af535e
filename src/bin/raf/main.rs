//! `raf`: the catalog, stock ledger and orders from the command line.
//! Exit codes: 0 success, 1 an error the user can act on (one line on stderr),
//! 2 bad usage (from clap).

mod cli;
mod count;
mod import;
mod output;
mod sync;

use clap::Parser;
use cli::*;
use output::Out;
use raf::catalog::{self, ProductFields, ProductKind, ProductQuery, Sort, StatusFilter};
use raf::num::parse_decimal;
use raf::orders::{self, NewOrder, OrderQuery};
use raf::stock::{self, Change};
use raf::{db, settings, Error, Result};
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let out = Out { json: cli.json };
    match run(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out.error(&err);
            ExitCode::from(1)
        }
    }
}

/// Bad usage exits with 2: clap's text, or with `--json` the same JSON as any error
/// (`cli.usage`), so a script reads every failure one way.
fn usage_error(e: clap::Error) -> ExitCode {
    let shown = matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion);
    if shown || !std::env::args().any(|a| a == "--json") {
        e.exit();
    }
    let text = e.render().to_string();
    let message = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("For more information")).collect::<Vec<_>>().join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    eprintln!("{}", serde_json::json!({ "code": "cli.usage", "message": message, "details": null }));
    ExitCode::from(2)
}

fn run(cli: Cli, out: &Out) -> Result<()> {
    let path = cli.db.clone().unwrap_or_else(db::default_path);
    let mut conn = match (db::open(&path), &cli.command) {
        (Err(Error::Corrupt(_)), Command::Restore { file }) => {
            // Too damaged to open: the backup takes the file's place (kept as <file>.damaged).
            raf::progress::silent(|task| db::restore_over_damaged(&path, file, task))?;
            return restored(file, out);
        }
        (opened, _) => opened?,
    };
    match cli.command {
        Command::Init => out.message(&serde_json::json!({ "db": path }), &format!("catalog ready at {}", path.display())),
        Command::Product(cmd) => product(&mut conn, cmd, out),
        Command::Variant(VariantCmd::Generate { sku, options }) => {
            let created = catalog::generate_variants(&mut conn, &sku, &options)?;
            out.variants(&created);
            Ok(())
        }
        Command::Price(cmd) => price(&mut conn, cmd, out),
        Command::Stock(cmd) => stock_cmd(&mut conn, cmd, out),
        Command::Category(cmd) => match cmd {
            CategoryCmd::Add { name, color, parent } => {
                let category = catalog::add_category(&mut conn, &name, color.as_deref(), parent.as_deref())?;
                out.message(&category, &format!("category {} added", category.name))
            }
            CategoryCmd::List => out.categories(&catalog::categories(&conn)?),
            CategoryCmd::Rm { name } => removed(catalog::remove_category(&mut conn, &name), &name, out),
        },
        Command::Brand(cmd) => match cmd {
            BrandCmd::Add { name } => {
                let brand = catalog::add_brand(&mut conn, &name)?;
                out.message(&brand, &format!("brand {} added", brand.name))
            }
            BrandCmd::List => out.brands(&catalog::brands(&conn)?),
            BrandCmd::Rm { name } => removed(catalog::remove_brand(&mut conn, &name), &name, out),
        },
        Command::Tag(cmd) => tag(&mut conn, cmd, out),
        Command::Order(cmd) => order(&mut conn, cmd, out),
        Command::Connection(cmd) => sync::connection(&mut conn, cmd, out),
        Command::Sync(args) => sync::sync(&mut conn, args, out),
        Command::Conflicts(cmd) => sync::conflicts(&mut conn, cmd, out),
        Command::Settings { allow_negative_stock } => {
            if let Some(allow) = allow_negative_stock {
                settings::set_allow_negative_stock(&mut conn, allow)?;
            }
            let allow = settings::allow_negative_stock(&conn)?;
            out.message(&serde_json::json!({ "allow_negative_stock": allow }), &format!("allow negative stock: {}", if allow { "on" } else { "off" }))
        }
        Command::Check => {
            db::check_file(&path)?;
            let mismatches = stock::check_ledger(&conn)?;
            if let Some(m) = mismatches.first() {
                return Err(Error::Corrupt(format!("{}: on hand {}, movements sum {}", m.sku, m.on_hand, m.movements_sum)));
            }
            out.message(&serde_json::json!({ "ok": true }), "catalog ok: the file is intact and every quantity equals the sum of its movements")
        }
        Command::Import(args) => import::import(&mut conn, args, out),
        Command::Export(args) => import::export(&conn, args, out),
        Command::Count(cmd) => count::count_cmd(&mut conn, cmd, out),
        Command::Labels(args) => count::labels_cmd(&mut conn, args, out),
        Command::Backup { file } => {
            db::backup_to(&conn, &file)?;
            out.message(&serde_json::json!({ "backup": file }), &format!("backed up to {}", file.display()))
        }
        Command::Restore { file } => {
            db::restore_from(&mut conn, &file)?;
            restored(&file, out)
        }
    }
}

fn restored(file: &std::path::Path, out: &Out) -> Result<()> {
    out.message(&serde_json::json!({ "restored": file }), &format!("restored from {}", file.display()))
}

fn product(conn: &mut Connection, cmd: ProductCmd, out: &Out) -> Result<()> {
    match cmd {
        ProductCmd::Add { sku, name, fields, price, list_price, stock, tags } => {
            let mut new = ProductFields::new(sku, name);
            fields.apply(conn, &mut new)?;
            // Check what follows the insert first, so a bad value leaves nothing behind.
            for (field, value) in [("price", price), ("list_price", list_price), ("stock", stock)] {
                if value.is_some_and(|v| v < Decimal::ZERO || !db::fits(v)) {
                    return Err(Error::invalid(field, "must be zero or more, with at most 4 decimal places"));
                }
            }
            if new.kind == ProductKind::Service && stock.is_some_and(|q| !q.is_zero()) {
                return Err(Error::invalid("stock", "a service has no stock"));
            }
            if list_price.is_some() && price.is_none() {
                return Err(Error::invalid("list_price", "give --price too"));
            }
            for tag in &tags {
                catalog::tag_id(conn, tag)?;
            }
            let product = catalog::create_product(conn, &new)?;
            let sku = &product.fields.sku;
            if let Some(sale) = price {
                catalog::set_price(conn, sku, 1, sale, list_price)?;
            }
            if let Some(qty) = stock.filter(|q| !q.is_zero()) {
                stock::adjust(conn, sku, Change::Add(qty), Some("opening stock"))?;
            }
            for tag in &tags {
                catalog::tag_product(conn, sku, tag)?;
            }
            out.product(&catalog::product_detail(conn, sku)?)
        }
        ProductCmd::Edit { sku, new_sku, name, fields } => {
            let mut edited = catalog::product_detail(conn, &sku)?.product.fields;
            if let Some(new_sku) = new_sku {
                edited.sku = new_sku;
            }
            if let Some(name) = name {
                edited.name = name;
            }
            fields.apply(conn, &mut edited)?;
            let product = catalog::update_product(conn, &sku, &edited)?;
            out.product(&catalog::product_detail(conn, &product.fields.sku)?)
        }
        ProductCmd::Show { sku } => out.product(&catalog::product_detail(conn, &sku)?),
        ProductCmd::Rm { sku } => {
            let product = catalog::soft_delete_product(conn, &sku)?;
            out.message(&product, &format!("{} moved to the trash (raf product restore {} brings it back)", product.fields.sku, product.fields.sku))
        }
        ProductCmd::Restore { sku } => {
            let product = catalog::restore_product(conn, &sku)?;
            out.message(&product, &format!("{} restored", product.fields.sku))
        }
        ProductCmd::List(args) => {
            let query = list_query(conn, &args)?;
            let page = catalog::search_products(conn, &query)?;
            let count = if args.count { Some(catalog::count_products(conn, &query)?) } else { None };
            out.product_page(&page, count)
        }
    }
}

fn list_query(conn: &Connection, a: &ListArgs) -> Result<ProductQuery> {
    Ok(ProductQuery {
        search: a.search.clone(),
        category_id: a.category.as_deref().map(|c| catalog::category_id(conn, c)).transpose()?,
        brand_id: a.brand.as_deref().map(|b| catalog::brand_id(conn, b)).transpose()?,
        tag_id: a.tag.as_deref().map(|t| catalog::tag_id(conn, t)).transpose()?,
        status: match a.status {
            StatusArg::All => StatusFilter::All,
            StatusArg::Active => StatusFilter::Active,
            StatusArg::Inactive => StatusFilter::Inactive,
            StatusArg::Deleted => StatusFilter::Deleted,
        },
        low_stock: a.low_stock,
        price_group: a.price_group,
        price_min: a.min_price,
        price_max: a.max_price,
        sort: match a.sort {
            SortArg::Name => Sort::Name,
            SortArg::Sku => Sort::Sku,
            SortArg::Created => Sort::Created,
            SortArg::Updated => Sort::Updated,
            SortArg::OnHand => Sort::OnHand,
            SortArg::Price => Sort::Price,
        },
        descending: a.desc,
        limit: a.limit,
        after: a.after,
    })
}

impl FieldArgs {
    /// Writes the given flags over `f`; an empty value clears an optional field.
    fn apply(&self, conn: &Connection, f: &mut ProductFields) -> Result<()> {
        let text = |v: &Option<String>, target: &mut Option<String>| {
            if let Some(v) = v {
                *target = Some(v.clone()).filter(|s| !s.trim().is_empty());
            }
        };
        text(&self.subtitle, &mut f.subtitle);
        text(&self.description, &mut f.description);
        text(&self.barcode, &mut f.barcode);
        text(&self.barcode2, &mut f.barcode2);
        text(&self.purchase_currency, &mut f.purchase_currency);
        if let Some(c) = &self.category {
            f.category_id = named(c, |c| catalog::category_id(conn, c))?;
        }
        if let Some(b) = &self.brand {
            f.brand_id = named(b, |b| catalog::brand_id(conn, b))?;
        }
        if let Some(unit) = &self.unit {
            f.unit = unit.clone();
        }
        if let Some(vat) = self.vat {
            f.vat_rate = vat;
        }
        if let Some(currency) = &self.currency {
            f.currency = currency.clone();
        }
        for (arg, target) in [(&self.desi, &mut f.desi), (&self.min_stock, &mut f.min_stock), (&self.purchase_price, &mut f.purchase_price)] {
            if let Some(v) = arg {
                *target = clearable_decimal(v)?;
            }
        }
        if let Some(status) = self.status {
            f.active = matches!(status, ActiveArg::Active);
        }
        if let Some(kind) = self.kind {
            f.kind = if matches!(kind, KindArg::Service) { ProductKind::Service } else { ProductKind::Good };
        }
        if !self.images.is_empty() {
            f.image_urls = self.images.iter().filter(|u| !u.trim().is_empty()).map(|u| u.trim().to_owned()).collect();
        }
        Ok(())
    }
}

fn named(name: &str, lookup: impl Fn(&str) -> Result<i64>) -> Result<Option<i64>> {
    if name.trim().is_empty() {
        Ok(None)
    } else {
        lookup(name).map(Some)
    }
}

fn clearable_decimal(v: &str) -> Result<Option<Decimal>> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        parse_decimal(v).map(Some)
    }
}

fn price(conn: &mut Connection, cmd: PriceCmd, out: &Out) -> Result<()> {
    match cmd {
        PriceCmd::Set { sku, group, sale, list } => {
            catalog::set_price(conn, &sku, group, sale, list)?;
            let item = catalog::resolve_sku(conn, &sku)?;
            let detail = catalog::product_detail(conn, &sku)?;
            let prices = match item.variant_id {
                Some(v) => detail.variants.into_iter().find(|x| x.id == v).map(|x| x.prices).unwrap_or_default(),
                None => detail.prices,
            };
            out.prices(&sku, &prices)
        }
        PriceCmd::Groups => out.price_groups(&catalog::price_groups(conn)?),
        PriceCmd::Rename { group, name } => {
            catalog::rename_price_group(conn, group, &name)?;
            out.price_groups(&catalog::price_groups(conn)?)
        }
    }
}

fn stock_cmd(conn: &mut Connection, cmd: StockCmd, out: &Out) -> Result<()> {
    let change = |c: &StockChange, f: fn(Decimal) -> Change| (c.sku.clone(), f(c.qty), c.reason.clone());
    let (sku, change, reason) = match &cmd {
        StockCmd::Add(c) => change(c, Change::Add),
        StockCmd::Sub(c) => change(c, Change::Sub),
        StockCmd::Set(c) => change(c, Change::Set),
        StockCmd::History { sku, limit, before } => return out.movements(&stock::history(conn, sku, *limit, *before)?),
        StockCmd::Undo { movement, reason } => return out.movements(&[stock::undo(conn, *movement, reason.as_deref())?]),
        StockCmd::Low { limit } => {
            let query = ProductQuery { low_stock: true, limit: *limit, ..Default::default() };
            return out.product_page(&catalog::search_products(conn, &query)?, None);
        }
        StockCmd::Check => {
            let mismatches = stock::check_ledger(conn)?;
            let text = match mismatches.is_empty() {
                true => "ledger ok: every quantity equals the sum of its movements".to_owned(),
                false => mismatches
                    .iter()
                    .map(|m| format!("{}: on hand {}, movements sum {}", m.sku, m.on_hand, m.movements_sum))
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            out.message(&mismatches, &text)?;
            return if mismatches.is_empty() {
                Ok(())
            } else {
                Err(Error::Corrupt(format!("{} item(s) whose quantity differs from their movements", mismatches.len())))
            };
        }
    };
    out.movements(&[stock::adjust(conn, &sku, change, reason.as_deref())?])
}

fn tag(conn: &mut Connection, cmd: TagCmd, out: &Out) -> Result<()> {
    match cmd {
        TagCmd::Add { name, color, description } => {
            let tag = catalog::add_tag(conn, &name, color.as_deref(), description.as_deref())?;
            out.message(&tag, &format!("tag {} added", tag.name))
        }
        TagCmd::List => out.tags(&catalog::tags(conn)?),
        TagCmd::Rm { name } => removed(catalog::remove_tag(conn, &name), &name, out),
        TagCmd::Assign { name, skus } => {
            for sku in &skus {
                catalog::tag_product(conn, sku, &name)?;
            }
            out.message(&serde_json::json!({ "tag": name, "assigned": skus }), &format!("{name} on {} product(s)", skus.len()))
        }
        TagCmd::Unassign { name, skus } => {
            for sku in &skus {
                catalog::untag_product(conn, sku, &name)?;
            }
            out.message(&serde_json::json!({ "tag": name, "unassigned": skus }), &format!("{name} off {} product(s)", skus.len()))
        }
    }
}

fn order(conn: &mut Connection, cmd: OrderCmd, out: &Out) -> Result<()> {
    match cmd {
        OrderCmd::Add { lines, code, marketplace, customer, note, status } => {
            let mut new = NewOrder::manual(lines);
            new.code = code;
            new.marketplace = marketplace;
            new.note = note;
            new.status = status;
            if let Some(name) = customer {
                new.customer = serde_json::json!({ "name": name });
            }
            let (order, created) = orders::record_order(conn, &new)?;
            if !created && !out.json {
                eprintln!("order {} was already recorded; nothing changed", order.code);
            }
            out.recorded_order(&order, created)
        }
        OrderCmd::List { status, marketplace, from, to, limit, after } => {
            out.orders(&orders::list_orders(conn, &OrderQuery { status, marketplace, from, to, limit, after })?)
        }
        OrderCmd::Show { code } => out.order(&orders::order(conn, &code)?),
        OrderCmd::Status { code, status } => out.order(&orders::set_status(conn, &code, status)?),
        OrderCmd::Cancel { code } => out.order(&orders::cancel_order(conn, &code)?),
    }
}

fn removed(result: Result<()>, name: &str, out: &Out) -> Result<()> {
    result?;
    out.message(&serde_json::json!({ "removed": name }), &format!("{name} removed"))
}
