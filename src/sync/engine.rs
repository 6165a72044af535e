//! A run: log in -> pull (paged full scan) -> link by SKU -> apply remote changes locally
//! (three-way against the base; stock as `sync` movements) -> push the outbox (batches,
//! per-item results) -> record the run. Writes whose outcome is unknown stay marked `sent`
//! and are settled by reading the remote back (the next pull) before anything is resent.
//!
//! SQLite is only touched on the calling thread; each HTTP call is driven to completion
//! with `Runtime::block_on` on a current-thread runtime the run owns.

use super::http::redact;
use super::kolaybi::KolayBi;
use super::model::*;
use super::quota;
use super::sopyo::Sopyo;
use super::stokdurumu::Stokdurumu;
use super::store::{self, Info, NewConflict, OutboxRow, RunCounts, RunSummary, Snapshot};
use super::{ConnectionInfo, Kind, RunOptions, Side, SyncError};
use crate::catalog::{self, Item, ProductFields};
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use crate::orders::{self, NewLine, NewOrder, OrderStatus};
use crate::progress::Task;
use crate::stock::{record, Entry, MovementKind};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use tokio::runtime::Runtime;

/// The conflict field of a linked product the remote no longer has.
const GONE: &str = "deleted";

/// Pull-push rounds per run: a round after an unclear write reads the remote back.
const ROUNDS: u32 = 3;
/// Products applied per write transaction.
const APPLY_CHUNK: usize = 500;

pub(super) fn runtime() -> Result<Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Sync(SyncError::Unreachable { what: "runtime".into(), reason: e.to_string() }))
}

pub(super) fn sopyo(info: &ConnectionInfo, token: &str, options: &RunOptions) -> Result<Sopyo> {
    Ok(Sopyo::new(&info.base_url, token, options.limits.clone(), info.settings.batch_size)?)
}

/// `budget` is the day's quota left (stokdurumu); `None` sends without counting.
pub(super) fn stokdurumu(info: &ConnectionInfo, token: &str, options: &RunOptions, budget: Option<quota::Budget>) -> Result<Stokdurumu> {
    Ok(Stokdurumu::new(&info.base_url, token, options.limits.clone(), budget)?)
}

pub(super) fn kolaybi(info: &ConnectionInfo, token: &str, options: &RunOptions) -> Result<KolayBi> {
    Ok(KolayBi::new(&info.base_url, token, info.settings.channel.as_deref().unwrap_or_default(), options.limits.clone())?)
}

pub fn test(info: &ConnectionInfo, token: &str, options: &RunOptions) -> Result<()> {
    let rt = runtime()?;
    match info.kind {
        Kind::Sopyo => Ok(rt.block_on(sopyo(info, token, options)?.check())?),
        Kind::Stokdurumu => Ok(rt.block_on(stokdurumu(info, token, options, None)?.check())?),
        Kind::Kolaybi => Ok(rt.block_on(kolaybi(info, token, options)?.check())?),
    }
}

pub fn run(conn: &mut Connection, info: &ConnectionInfo, token: &str, options: &RunOptions, task: &Task) -> Result<RunSummary> {
    let rt = runtime()?;
    match info.kind {
        Kind::Sopyo => Run::new(info, &rt, sopyo(info, token, options)?, options, token).go(conn, task),
        Kind::Stokdurumu => {
            let budget = info.settings.plan.daily_quota().map(|limit| quota::load(conn, info.id, limit, options.clock)).transpose()?;
            Run::new(info, &rt, stokdurumu(info, token, options, budget)?, options, token).go(conn, task)
        }
        Kind::Kolaybi => Run::new(info, &rt, kolaybi(info, token, options)?, options, token).go(conn, task),
    }
}

struct Run<'a, K> {
    info: &'a ConnectionInfo,
    rt: &'a Runtime,
    remote: K,
    dry_run: bool,
    token: &'a str,
    counts: RunCounts,
    log: Vec<store::LogLine>,
    /// Remote product id -> its tag names (one a line), when the remote has tags.
    remote_tags: Option<HashMap<String, String>>,
}

impl<'a, K: Connector> Run<'a, K> {
    fn new(info: &'a ConnectionInfo, rt: &'a Runtime, remote: K, options: &RunOptions, token: &'a str) -> Self {
        Run { info, rt, remote, dry_run: options.dry_run, token, counts: RunCounts::default(), log: Vec::new(), remote_tags: None }
    }

    fn go(mut self, conn: &mut Connection, task: &Task) -> Result<RunSummary> {
        let run_id = store::start_run(conn, self.info.id, self.dry_run)?;
        self.note("info", format!("sync with {} ({}) started{}", self.info.name, self.info.base_url, if self.dry_run { ", dry run" } else { "" }));
        let mut outcome = self.steps(conn, task);
        self.counts.requests = self.remote.requests();
        if let Some(budget) = self.remote.quota() {
            db::write(conn, |tx| quota::save(tx, self.info.id, budget))?;
        }
        // A spent quota pauses the run: what is left waits for the next quota day.
        if let Err(Error::Sync(e @ SyncError::QuotaSpent { .. })) = &outcome {
            self.note("warn", format!("paused: {e}"));
            outcome = Ok(false);
        }
        let (status, error) = match &outcome {
            Ok(true) => ("ok", None),
            Ok(false) => ("partial", None),
            Err(Error::Cancelled) => ("cancelled", Some("cancelled".to_owned())),
            Err(e) => ("failed", Some(redact(&e.to_string(), &[self.token]))),
        };
        if let Some(error) = &error {
            self.note("error", error.clone());
        }
        self.counts.unconfirmed = store::outbox(conn, self.info.id)?.iter().filter(|r| r.sent.is_some()).count() as u64;
        store::finish_run(conn, run_id, status, &self.counts, &self.log, error.as_deref())?;
        outcome?;
        Ok(store::runs(conn, self.info.id, 1)?.remove(0))
    }

    /// `Ok(true)` when everything was settled, `Ok(false)` when some items failed or
    /// still wait for a read-back.
    fn steps(&mut self, conn: &mut Connection, task: &Task) -> Result<bool> {
        task.step("login", 0, 1)?;
        self.call(async |k| k.check().await)?;
        let settings = self.info.settings.clone();
        // On a daily quota the catalog scan may take days: stock and order changes go
        // first, so a sale never waits for it.
        if !self.dry_run && self.remote.quota().is_some() {
            self.push_stock_first(conn, task)?;
        }
        for round in 1..=ROUNDS {
            if settings.products != super::Direction::Off {
                self.pull_option_groups(conn)?;
                for kind in ["category", "brand"] {
                    self.sync_names(conn, kind)?;
                }
                let tags = self.call(async |k| k.product_tags().await)?;
                self.remote_tags = tags.map(|m| m.into_iter().map(|(id, names)| (id, join_tags(names).unwrap_or_default())).collect());
                self.scan_products(conn, task)?;
            }
            if settings.orders.pulls() {
                self.pull_orders(conn, task)?;
            }
            if self.dry_run {
                self.counts.items_pushed = store::pending_count(conn, Some(self.info.id))?;
                return Ok(true);
            }
            let mut unsure = self.push(conn, task)?;
            if unsure && self.read_back_by_sku(conn, task)? {
                unsure = self.push(conn, task)?;
            }
            if !unsure {
                return Ok(self.counts.push_failed == 0 && self.counts.orders_skipped == 0);
            }
            self.note("warn", format!("some writes are unconfirmed; reading the remote back (round {round} of {ROUNDS})"));
        }
        Ok(false)
    }

    /// One HTTP operation, driven to its end on the run's runtime.
    fn call<T>(&mut self, op: impl AsyncFnOnce(&mut K) -> std::result::Result<T, SyncError>) -> Result<T> {
        Ok(self.rt.block_on(op(&mut self.remote))?)
    }

    fn note(&mut self, level: &str, message: String) {
        let message = redact(&message, &[self.token]);
        match level {
            "error" | "warn" => tracing::warn!(connection = %self.info.name, "{message}"),
            _ => tracing::info!(connection = %self.info.name, "{message}"),
        }
        self.log.push(store::LogLine { at: db::now(), level: level.to_owned(), message });
    }

    // ---- pull

    /// Reads back the products whose writes are unconfirmed, one filtered request each,
    /// and merges them as a pull would (which settles the writes). `false` when the remote
    /// cannot look up by SKU or a product is not found: the next round scans instead.
    fn read_back_by_sku(&mut self, conn: &mut Connection, task: &Task) -> Result<bool> {
        let c = self.info.id;
        let unsure: Vec<OutboxRow> = store::outbox(conn, c)?.into_iter().filter(|r| r.sent.is_some()).collect();
        if unsure.iter().any(|r| r.entity != "product") {
            return Ok(false);
        }
        let mut found = Vec::with_capacity(unsure.len());
        for row in &unsure {
            let Some(item) = store::item(conn, "product", row.local_id)? else { return Ok(false) };
            match self.call(async |k| k.product_by_sku(&item.sku).await)? {
                Some(Some(product)) => found.push(product),
                _ => return Ok(false),
            }
        }
        self.note("info", format!("read back {} products by SKU", found.len()));
        self.apply_products(conn, &found, task)?;
        Ok(store::outbox(conn, c)?.iter().all(|r| r.sent.is_none()))
    }

    /// The paged full scan, each page applied as it arrives. A scan the quota pauses
    /// keeps its place: the next run (the next quota day) goes on from that page.
    fn scan_products(&mut self, conn: &mut Connection, task: &Task) -> Result<()> {
        let c = self.info.id;
        let mut page = store::scan_page(conn, c)?;
        // Only a scan read from its first page in one run sees every remote product.
        let mut seen = (page == 1).then(Seen::default);
        loop {
            let got = match self.call(async |k| k.products_page(page).await) {
                Err(e @ Error::Sync(SyncError::QuotaSpent { .. })) => {
                    if !self.dry_run {
                        db::write(conn, |tx| store::set_scan_page(tx, c, page))?;
                    }
                    self.note("info", format!("catalog scan paused at page {page}; it goes on from there"));
                    return Err(e);
                }
                got => got?,
            };
            task.step("pull_products", page as u64, got.last_page as u64)?;
            self.apply_products(conn, &got.items, task)?;
            if let Some(seen) = &mut seen {
                seen.add(&got.items);
            }
            if page >= got.last_page {
                if !self.dry_run {
                    db::write(conn, |tx| store::set_scan_page(tx, c, 1))?;
                    self.pull_category_colors(conn)?;
                    if let Some(seen) = &seen {
                        self.flag_gone(conn, seen)?;
                    }
                }
                return Ok(());
            }
            page += 1;
        }
    }

    /// Colours of the remote's categories for Raf's categories of the same name that
    /// have none (Raf's own colours win; they go to the remote with new categories).
    fn pull_category_colors(&mut self, conn: &mut Connection) -> Result<()> {
        if !self.info.settings.products.pulls() {
            return Ok(());
        }
        let colors = match self.call(async |k| k.category_colors().await) {
            Ok(colors) => colors,
            Err(e @ (Error::Sqlite(_) | Error::Cancelled)) => return Err(e),
            // Colours are a nicety: a refusal or a spent quota does not stop the run.
            Err(e) => {
                self.note("warn", format!("category colours not read: {e}"));
                return Ok(());
            }
        };
        db::write(conn, |tx| {
            for (name, color) in colors.iter().filter_map(|(n, c)| Some((n, c.as_ref()?))) {
                tx.execute("UPDATE categories SET color = ?2 WHERE name = ?1 AND color IS NULL", params![name, color])?;
            }
            Ok(())
        })
    }

    /// The remote's variant groups and values become local option groups and values (new
    /// variants may use them); Raf's new ones are created remotely before their variants.
    fn pull_option_groups(&mut self, conn: &mut Connection) -> Result<()> {
        let groups = self.call(async |k| k.option_groups().await)?;
        if self.dry_run || !self.info.settings.products.pulls() || groups.is_empty() {
            return Ok(());
        }
        db::write(conn, |tx| groups.iter().try_for_each(|(group, values)| catalog::ensure_option_values(tx, group, values)))
    }

    /// Categories and brands as resources: each remote one is linked to the local one of
    /// the same (Turkish-folded) name, created locally when the connection pulls; local
    /// ones the remote lacks are created there when it pushes (found by name first).
    fn sync_names(&mut self, conn: &mut Connection, kind: &str) -> Result<()> {
        let Some(remote) = self.call(async |k| k.names(kind).await)? else { return Ok(()) };
        if self.dry_run {
            return Ok(());
        }
        let c = self.info.id;
        let (pulls, pushes) = (self.info.settings.products.pulls(), self.info.settings.products.pushes());
        db::write(conn, |tx| {
            for (remote_id, name) in &remote {
                let local = match kind {
                    "category" if pulls => Some(catalog::ensure_category(tx, name)?),
                    "category" => catalog::category_id(tx, name).ok(),
                    _ if pulls => Some(catalog::ensure_brand(tx, name)?),
                    _ => catalog::brand_id(tx, name).ok(),
                };
                if let Some(local) = local {
                    store::set_link(tx, c, kind, local, remote_id)?;
                }
            }
            Ok(())
        })?;
        if !pushes {
            return Ok(());
        }
        let linked: HashSet<i64> = store::links(conn, c, kind)?.into_iter().map(|(id, _)| id).collect();
        let local: Vec<(i64, String)> = match kind {
            "category" => catalog::categories(conn)?.into_iter().map(|x| (x.id, x.name)).collect(),
            _ => catalog::brands(conn)?.into_iter().map(|x| (x.id, x.name)).collect(),
        };
        for (id, name) in local.into_iter().filter(|(id, _)| !linked.contains(id)) {
            match self.call(async |k| k.ensure_name(kind, &name).await) {
                Ok(remote_id) => db::write(conn, |tx| store::set_link(tx, c, kind, id, &remote_id))?,
                Err(Error::Sync(e)) if !matches!(e, SyncError::Unauthorized) => {
                    self.counts.push_failed += 1;
                    self.note("warn", format!("{kind} {name}: not created on the remote: {e}"));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Remote group -> local group, for the groups the connection maps.
    fn to_local(&self, prices: &Prices) -> Prices {
        self.info.settings.price_groups.iter().filter_map(|[local, remote]| prices.get(remote).map(|p| (*local, *p))).collect()
    }

    fn to_remote(&self, prices: &Prices) -> Prices {
        self.info.settings.price_groups.iter().filter_map(|[local, remote]| prices.get(local).map(|p| (*remote, *p))).collect()
    }

    /// Applies the pull in transactions of `APPLY_CHUNK` products, so the app's own writes
    /// wait seconds at most; a dry run plans in transactions that are never committed.
    fn apply_products(&mut self, conn: &mut Connection, products: &[RemoteProduct], task: &Task) -> Result<()> {
        for (n, chunk) in products.chunks(APPLY_CHUNK).enumerate() {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for product in chunk {
                // A product the catalog refuses (a bad SKU ...) is logged and skipped, whole.
                tx.execute_batch("SAVEPOINT item")?;
                match self.apply_product(&tx, product) {
                    Ok(()) => tx.execute_batch("RELEASE item")?,
                    Err(e @ (Error::Sqlite(_) | Error::Cancelled)) => return Err(e),
                    Err(e) => {
                        tx.execute_batch("ROLLBACK TO item; RELEASE item")?;
                        self.note("warn", format!("{}: not applied: {e}", product.sku));
                    }
                }
            }
            if !self.dry_run {
                tx.commit()?;
            }
            task.step("apply", (n * APPLY_CHUNK + chunk.len()) as u64, products.len() as u64)?;
        }
        Ok(())
    }

    /// The local item linked to `remote_id`, else the one with the SKU.
    fn find_local(&self, tx: &Connection, entity: &str, remote_id: Option<&str>, sku: &str) -> Result<Option<Item>> {
        if let Some(id) = remote_id {
            if let Some(local) = store::local_by_remote(tx, self.info.id, entity, id)? {
                if let Some(item) = store::item(tx, entity, local)? {
                    return Ok(Some(item));
                }
            }
        }
        match catalog::resolve_sku(tx, sku) {
            Ok(item) => Ok(Some(item)),
            Err(Error::ProductNotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn apply_product(&mut self, tx: &Transaction, p: &RemoteProduct) -> Result<()> {
        self.counts.products_pulled += 1;
        self.counts.variants_pulled += p.variants.len() as u64;
        let Some(item) = self.find_local(tx, "product", p.remote_id.as_deref(), &p.sku)? else {
            if self.info.settings.products.pulls() {
                self.create_local(tx, p)?;
            }
            return Ok(());
        };
        if item.variant_id.is_some() {
            self.note("warn", format!("{}: a variant in Raf but a product on the remote; skipped", p.sku));
            return Ok(());
        }
        store::set_link(tx, self.info.id, "product", item.product_id, &remote_key(p.remote_id.as_deref(), &p.sku))?;
        let remote = Snapshot {
            stock: if p.variants.is_empty() { p.stock } else { None },
            prices: self.to_local(&p.prices),
            info: Some(self.remote_info(p)),
            ..Snapshot::default()
        };
        self.merge(tx, "product", item.product_id, &item, &remote)?;
        for v in &p.variants {
            if self.removed_locally(tx, v)? {
                continue;
            }
            match self.find_local(tx, "variant", v.remote_id.as_deref(), &v.sku)? {
                Some(local) if local.variant_id.is_some() && local.product_id == item.product_id => {
                    let id = local.variant_id.expect("checked");
                    store::set_link(tx, self.info.id, "variant", id, &remote_key(v.remote_id.as_deref(), &v.sku))?;
                    let remote = Snapshot { stock: v.stock, prices: self.to_local(&v.prices), ..Snapshot::default() };
                    self.merge(tx, "variant", id, &local, &remote)?;
                }
                Some(_) => self.note("warn", format!("{}: used by another item in Raf; variant skipped", v.sku)),
                None if self.info.settings.products.pulls() => {
                    let id = catalog::insert_variant(tx, item.product_id, &v.sku, v.barcode.as_deref(), &v.options)?;
                    catalog::reindex_products(tx, [item.product_id])?;
                    self.take_remote_values(
                        tx,
                        "variant",
                        id,
                        &Item { variant_id: Some(id), ..item.clone() },
                        v.remote_id.as_deref(),
                        v.stock,
                        &v.prices,
                        &v.sku,
                    )?;
                }
                None => {}
            }
        }
        if p.remote_id.is_some() {
            self.flag_gone_variants(tx, &item, p)?;
        }
        Ok(())
    }

    /// Linked live variants of `product` the remote product no longer lists: `deleted`
    /// conflicts, as for products (only when the product's variants were read: it has an id).
    fn flag_gone_variants(&mut self, tx: &Transaction, product: &Item, p: &RemoteProduct) -> Result<()> {
        let c = self.info.id;
        let ids: HashSet<&str> = p.variants.iter().filter_map(|v| v.remote_id.as_deref()).collect();
        let skus: HashSet<&str> = p.variants.iter().map(|v| v.sku.as_str()).collect();
        let mut stmt = tx.prepare_cached(
            "SELECT v.id, v.sku, l.remote_id FROM variants v JOIN sync_links l ON l.connection_id = ?1 AND l.entity = 'variant' AND l.local_id = v.id
             WHERE v.product_id = ?2 AND v.deleted_at IS NULL",
        )?;
        let linked: Vec<(i64, String, String)> =
            stmt.query_map(params![c, product.product_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        for (id, sku, remote_id) in linked {
            if ids.contains(remote_id.as_str()) || skus.contains(sku.as_str()) {
                continue;
            }
            if !store::conflicted_fields(tx, c, "variant", id)?.iter().any(|f| f == GONE) {
                let item = Item { product_id: product.product_id, variant_id: Some(id), sku };
                self.conflict(tx, "variant", id, &item, GONE.into(), json!(remote_id), json!(false), json!(true))?;
                self.counts.gone_remotely += 1;
            }
        }
        Ok(())
    }

    /// A remote variant linked to one Raf removed: its delete is on the way; not re-created.
    fn removed_locally(&self, tx: &Connection, v: &RemoteVariant) -> Result<bool> {
        match store::local_by_remote(tx, self.info.id, "variant", &remote_key(v.remote_id.as_deref(), &v.sku))? {
            Some(local) => store::is_deleted(tx, "variant", local),
            None => Ok(false),
        }
    }

    /// Linked products a full scan no longer shows were deleted on the remote. Raf never
    /// deletes the user's data on its own (README cross-API rules: nothing lost): each
    /// becomes a `deleted` conflict, and the user keeps the product (it is created on the
    /// remote again) or moves it to the trash. A product Raf deleted too is just unlinked.
    fn flag_gone(&mut self, conn: &mut Connection, seen: &Seen) -> Result<()> {
        let c = self.info.id;
        let (ids, skus) = (&seen.ids, &seen.skus);
        let links = store::links(conn, c, "product")?;
        db::write(conn, |tx| {
            for (local_id, remote_id) in links {
                let Some(item) = store::item(tx, "product", local_id)? else { continue };
                if ids.contains(remote_id.as_str()) || skus.contains(item.sku.as_str()) {
                    continue;
                }
                if store::is_deleted(tx, "product", local_id)? {
                    // Deleted on both sides: nothing left to decide.
                    store::unlink_product(tx, c, local_id)?;
                    store::settle(tx, c, "product", local_id)?;
                    store::close_field_conflict(tx, c, "product", local_id, GONE, "remote")?;
                } else if !store::conflicted_fields(tx, c, "product", local_id)?.iter().any(|f| f == GONE) {
                    self.conflict(tx, "product", local_id, &item, GONE.into(), json!(remote_id), json!(false), json!(true))?;
                    self.counts.gone_remotely += 1;
                }
            }
            Ok(())
        })
    }

    /// A product only the remote has: created locally with its variants, prices and stock.
    fn create_local(&mut self, tx: &Transaction, p: &RemoteProduct) -> Result<()> {
        let mut fields = ProductFields::new(&p.sku, if p.name.is_empty() { &p.sku } else { &p.name });
        fields.subtitle = p.subtitle.clone();
        fields.description = p.description.clone();
        fields.barcode = p.barcode.clone();
        fields.barcode2 = p.barcode2.clone();
        fields.vat_rate = p.vat_rate.unwrap_or(fields.vat_rate);
        fields.desi = p.desi;
        fields.currency = p.currency.as_deref().map(catalog::normalize_currency).unwrap_or(fields.currency);
        fields.image_urls = p.images.iter().filter(|u| u.starts_with("http://") || u.starts_with("https://")).cloned().collect();
        fields.category_id = p.category.as_deref().map(|c| catalog::ensure_category(tx, c)).transpose()?;
        fields.brand_id = p.brand.as_deref().map(|b| catalog::ensure_brand(tx, b)).transpose()?;
        fields.active = p.extra.get("active").is_none_or(|a| a.as_deref() != Some("false"));
        let product = catalog::insert_product(tx, &fields)?;
        let item = Item { product_id: product.id, variant_id: None, sku: product.fields.sku.clone() };
        let own_stock = if p.variants.is_empty() { p.stock } else { None };
        self.take_remote_values(tx, "product", product.id, &item, p.remote_id.as_deref(), own_stock, &p.prices, &p.sku)?;
        let mut base = store::link(tx, self.info.id, "product", product.id)?.and_then(|(_, b)| b).unwrap_or_default();
        let info = self.remote_info(p);
        if let Some(tags) = info.get("tags") {
            set_tags(tx, product.id, tags.as_deref())?;
        }
        base.info = Some(info);
        store::set_base(tx, self.info.id, "product", product.id, &base)?;
        for v in &p.variants {
            let id = catalog::insert_variant(tx, product.id, &v.sku, v.barcode.as_deref(), &v.options)?;
            let variant = Item { product_id: product.id, variant_id: Some(id), sku: v.sku.clone() };
            self.take_remote_values(tx, "variant", id, &variant, v.remote_id.as_deref(), v.stock, &v.prices, &v.sku)?;
        }
        catalog::reindex_products(tx, [product.id])?;
        self.counts.created_locally += 1;
        Ok(())
    }

    /// Links a newly created local item and gives it the remote's prices and stock; what
    /// it took becomes the base.
    #[allow(clippy::too_many_arguments)]
    fn take_remote_values(
        &mut self,
        tx: &Transaction,
        entity: &str,
        local_id: i64,
        item: &Item,
        remote_id: Option<&str>,
        stock: Option<Decimal>,
        prices: &Prices,
        sku: &str,
    ) -> Result<()> {
        store::set_link(tx, self.info.id, entity, local_id, &remote_key(remote_id, sku))?;
        let mut base = Snapshot::default();
        for (group, price) in self.to_local(prices) {
            if let Some(sale) = price.sale {
                catalog::upsert_price(tx, &item.sku, group.into(), sale, price.list)?;
                base.prices.insert(group, price);
            }
        }
        if let Some(qty) = stock {
            if !qty.is_zero() {
                record(tx, item, qty, Entry::new(MovementKind::Sync, Some(&self.reason())))?;
            }
            base.stock = Some(qty);
        }
        store::set_base(tx, self.info.id, entity, local_id, &base)
    }

    /// The remote's text fields, only those it has (a missing one is not a clear).
    fn remote_info(&self, p: &RemoteProduct) -> Info {
        let fields = self.remote.capabilities().text_fields;
        let mut info = remote_info(p);
        if let Some(tags) = &self.remote_tags {
            let names = p.remote_id.as_ref().and_then(|id| tags.get(id)).cloned().filter(|t| !t.is_empty());
            info.insert("tags".into(), names);
        }
        info.into_iter().filter(|(key, _)| fields.contains(&key.as_str())).collect()
    }

    fn reason(&self) -> String {
        format!("sync {}", self.info.name)
    }

    /// The three-way merge of one linked item: settles an unconfirmed write first, then
    /// applies what only the remote changed and records conflicts where both did. What
    /// only Raf changed stays for the push.
    fn merge(&mut self, tx: &Transaction, entity: &str, local_id: i64, item: &Item, remote: &Snapshot) -> Result<()> {
        let c = self.info.id;
        let (remote_id, mut base) = store::link(tx, c, entity, local_id)?.unwrap_or_default();
        if let Some(sent) = store::sent(tx, c, entity, local_id)? {
            self.settle_sent(tx, entity, local_id, item, &sent, remote, &mut base)?;
        }
        let blocked = store::conflicted_fields(tx, c, entity, local_id)?;
        let local = local_snapshot(tx, item)?;
        let first_link = base.is_none();
        let mut base = base.unwrap_or_default();
        let pulls = self.info.settings.products.pulls();
        if let (Some(r), Some(l)) = (remote.stock, local.stock) {
            if !blocked.iter().any(|f| f == "stock") {
                match base.stock {
                    Some(b) if pulls => {
                        if r != b {
                            base.history = self.take_remote_stock(tx, entity, item, &remote_id, b, r, base.history)?;
                            self.counts.stock_applied += 1;
                        }
                        base.stock = Some(r);
                    }
                    // Push only: Raf's quantity is the truth; the push sends it.
                    _ if !pulls => base.stock = Some(r),
                    _ if l == r => base.stock = Some(r),
                    _ if l.is_zero() && !has_movements(tx, item)? => {
                        record(tx, item, r, Entry::new(MovementKind::Sync, Some(&self.reason())))?;
                        self.counts.stock_applied += 1;
                        base.stock = Some(r);
                    }
                    _ => self.conflict(tx, entity, local_id, item, "stock".into(), json!(null), json!(l), json!(r))?,
                }
            }
        }
        for [group, _] in self.info.settings.price_groups.clone() {
            let field = format!("price.{group}");
            if blocked.contains(&field) {
                continue;
            }
            let (l, r, b) = (local.price(group), remote.price(group), base.prices.get(&group).copied());
            let only_remote_changed = match b {
                Some(b) => b == l && b != r,
                None => is_unset(l),
            };
            if l == r || !pulls {
                base.prices.insert(group, r);
            } else if only_remote_changed && r.sale.is_some() {
                catalog::upsert_price(tx, &item.sku, group.into(), r.sale.expect("checked"), r.list)?;
                self.counts.prices_applied += 1;
                base.prices.insert(group, r);
            } else if b == Some(r) || (first_link && is_unset(r)) {
                // Only Raf changed it: the push sends it.
                base.prices.entry(group).or_insert(r);
            } else {
                self.conflict(tx, entity, local_id, item, field, json!(b), json!(l), json!(r))?;
            }
        }
        if let (Some(remote_info), Some(local_info)) = (&remote.info, &local.info) {
            self.merge_info(tx, entity, local_id, item, remote_info, local_info, &blocked, &mut base)?;
        }
        store::set_base(tx, c, entity, local_id, &base)
    }

    /// Records the remote's stock change `base -> remote` in the ledger: one `sync`
    /// movement per entry of the remote's stock history when the history shows the way
    /// (entries up to `mark` were recorded already), else one movement for the whole
    /// change. Returns the new mark.
    #[allow(clippy::too_many_arguments)]
    fn take_remote_stock(
        &mut self,
        tx: &Transaction,
        entity: &str,
        item: &Item,
        remote_id: &str,
        base: Decimal,
        remote: Decimal,
        mark: Option<i64>,
    ) -> Result<Option<i64>> {
        let reason = self.reason();
        let history = match (entity, remote_id.starts_with("sku:")) {
            ("product", false) => match self.call(async |k| k.stock_history(remote_id).await) {
                Ok(history) => history.unwrap_or_default(),
                Err(e @ (Error::Sqlite(_) | Error::Cancelled)) => return Err(e),
                Err(e) => {
                    self.note("warn", format!("{}: stock history not read ({e}); the change is recorded as one", item.sku));
                    Vec::new()
                }
            },
            _ => Vec::new(),
        };
        let fresh: Vec<&HistoryEntry> = history.iter().filter(|e| mark.is_none_or(|m| e.id > m)).collect();
        let chain = history_chain(&fresh, base, remote);
        for e in &chain {
            let note = match &e.reason {
                Some(why) => format!("{reason} #{}: {why}", e.id),
                None => format!("{reason} #{}", e.id),
            };
            record(tx, item, e.new_qty - e.old_qty, Entry::new(MovementKind::Sync, Some(&note)))?;
        }
        let rest = remote - base - chain.iter().map(|e| e.new_qty - e.old_qty).sum::<Decimal>();
        if !rest.is_zero() {
            record(tx, item, rest, Entry::new(MovementKind::Sync, Some(&reason)))?;
        }
        Ok(history.iter().map(|e| e.id).max().max(mark))
    }

    /// Three-way merge of a product's text fields, field by field.
    #[allow(clippy::too_many_arguments)]
    fn merge_info(
        &mut self,
        tx: &Transaction,
        entity: &str,
        local_id: i64,
        item: &Item,
        remote: &Info,
        local: &Info,
        blocked: &[String],
        base: &mut Snapshot,
    ) -> Result<()> {
        let known = base.info.clone();
        let mut agreed = known.clone().unwrap_or_default();
        let mut take = Info::new();
        for (key, r) in remote {
            let field = format!("info.{key}");
            if blocked.contains(&field) {
                continue;
            }
            let l = local.get(key).cloned().flatten();
            // No base for the field (a first link, or a field synced since): a side
            // without a value has nothing to lose.
            let b = known.as_ref().and_then(|b| b.get(key).cloned());
            if l == *r || !self.info.settings.products.pulls() || (b.is_none() && r.is_none()) {
                agreed.insert(key.clone(), r.clone());
            } else if b.as_ref() == Some(&l) || (b.is_none() && l.is_none()) {
                take.insert(key.clone(), r.clone());
                agreed.insert(key.clone(), r.clone());
            } else if b.as_ref() != Some(r) {
                self.conflict(tx, entity, local_id, item, field, json!(b), json!(l), json!(r))?;
            }
        }
        if !take.is_empty() {
            apply_info(tx, item, &take)?;
            self.counts.info_applied += 1;
        }
        base.info = Some(agreed);
        Ok(())
    }

    /// A write sent earlier whose outcome was unknown, read back now: the remote shows
    /// the values sent (applied: they become the base), or the base (not applied: send
    /// again), or something else (nobody can tell: a conflict for the user).
    #[allow(clippy::too_many_arguments)]
    fn settle_sent(
        &mut self,
        tx: &Transaction,
        entity: &str,
        local_id: i64,
        item: &Item,
        sent: &Snapshot,
        remote: &Snapshot,
        base: &mut Option<Snapshot>,
    ) -> Result<()> {
        let mut settled = base.clone().unwrap_or_default();
        let mut resend = false;
        if let Some(s) = sent.stock {
            match remote.stock {
                Some(r) if r == s => settled.stock = Some(s),
                r if r == settled.stock => resend = true,
                r => {
                    let (b, l) = (json!(settled.stock), json!(s));
                    self.conflict(tx, entity, local_id, item, "stock".into(), b, l, json!(r))?;
                }
            }
        }
        for (group, s) in &sent.prices {
            let r = remote.price(*group);
            if r == *s {
                settled.prices.insert(*group, *s);
            } else if settled.prices.get(group) == Some(&r) {
                resend = true;
            } else {
                let b = json!(settled.prices.get(group));
                self.conflict(tx, entity, local_id, item, format!("price.{group}"), b, json!(s), json!(r))?;
            }
        }
        for (key, s) in sent.info.iter().flatten() {
            if remote.info.as_ref().and_then(|r| r.get(key)) == Some(s) {
                settled.info.get_or_insert_with(Info::new).insert(key.clone(), s.clone());
            }
        }
        if resend {
            store::retry_later(tx, self.info.id, entity, local_id, Some("not applied by the remote; sent again"))?;
        } else {
            store::settle(tx, self.info.id, entity, local_id)?;
        }
        *base = Some(settled);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn conflict(
        &mut self,
        tx: &Connection,
        entity: &str,
        local_id: i64,
        item: &Item,
        field: String,
        base: Value,
        local: Value,
        remote: Value,
    ) -> Result<()> {
        self.note("warn", format!("{}: {field} changed on both sides (Raf {local}, remote {remote}): a conflict to resolve", item.sku));
        store::add_conflict(tx, self.info.id, &NewConflict { entity, local_id, sku: &item.sku, field, base, local, remote })?;
        self.counts.conflicts += 1;
        Ok(())
    }

    fn pull_orders(&mut self, conn: &mut Connection, task: &Task) -> Result<()> {
        let mut page = 1;
        loop {
            let got = self.call(async |k| k.orders_page(page).await)?;
            for order in &got.items {
                self.counts.orders_pulled += 1;
                if !self.dry_run {
                    self.apply_order(conn, order)?;
                }
            }
            task.step("pull_orders", page as u64, got.last_page as u64)?;
            if page >= got.last_page {
                return self.resend_lost_orders(conn);
            }
            page += 1;
        }
    }

    /// Orders Raf created whose outcome was unknown and that a full pull did not show:
    /// not created, so sent again.
    fn resend_lost_orders(&mut self, conn: &mut Connection) -> Result<()> {
        if self.dry_run {
            return Ok(());
        }
        let c = self.info.id;
        let lost: Vec<i64> = store::outbox(conn, c)?.into_iter().filter(|r| r.entity == "order" && r.sent.is_some()).map(|r| r.local_id).collect();
        db::write(conn, |tx| {
            for id in lost {
                if store::link(tx, c, "order", id)?.is_none() {
                    store::retry_later(tx, c, "order", id, Some("not on the remote after an unclear create; sent again"))?;
                }
            }
            Ok(())
        })
    }

    /// A new remote order is recorded (its lines take stock out once: `record_order` is
    /// idempotent by code); a status the remote changed is applied.
    fn apply_order(&mut self, conn: &mut Connection, o: &RemoteOrder) -> Result<()> {
        let c = self.info.id;
        let remote_status = o.status.max(1);
        let Some(order_id) = store::local_by_remote(conn, c, "order", &o.remote_id)? else {
            return match orders::record_order(conn, &new_order(o)) {
                Ok((order, created)) => {
                    self.counts.orders_recorded += u64::from(created);
                    db::write(conn, |tx| {
                        store::set_link(tx, c, "order", order.id, &o.remote_id)?;
                        store::set_base(tx, c, "order", order.id, &Snapshot { status: Some(remote_status), ..Snapshot::default() })?;
                        // An order Raf created whose answer was lost: read back, settled.
                        if store::sent(tx, c, "order", order.id)?.is_some() {
                            store::settle(tx, c, "order", order.id)?;
                        }
                        Ok(())
                    })
                }
                Err(e @ Error::Sqlite(_)) => Err(e),
                Err(e) => {
                    self.counts.orders_skipped += 1;
                    self.note("warn", format!("order {}: not recorded: {e}", o.code));
                    Ok(())
                }
            };
        };
        let (code, local_status): (String, i64) =
            conn.query_row("SELECT code, status FROM orders WHERE id = ?1", [order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let base = store::link(conn, c, "order", order_id)?.and_then(|(_, b)| b).and_then(|b| b.status);
        if base == Some(remote_status) || local_status == remote_status {
            return Ok(());
        }
        if base == Some(local_status) || base.is_none() {
            match orders::set_status(conn, &code, OrderStatus::from_code(remote_status)?) {
                Ok(_) => {
                    db::write(conn, |tx| store::set_base(tx, c, "order", order_id, &Snapshot { status: Some(remote_status), ..Snapshot::default() }))?
                }
                Err(e) => self.note("warn", format!("order {code}: status {remote_status} not applied: {e}")),
            }
        }
        // Both changed: Raf's status stays and is pushed (an order's status only moves on).
        Ok(())
    }

    // ---- push

    /// Pushes the outbox. Returns whether some writes are unconfirmed (read back needed).
    fn push(&mut self, conn: &mut Connection, task: &Task) -> Result<bool> {
        let rows = store::outbox(conn, self.info.id)?;
        let batch_size = self.remote.capabilities().batch_size;
        let mut unsure = false;
        let mut batch: Vec<(OutboxRow, ItemWrite, Snapshot)> = Vec::new();
        let mut nothing_to_send = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if row.sent.is_some() {
                // Not seen in this round's pull: wait for a read-back.
                unsure = true;
                continue;
            }
            match row.entity.as_str() {
                "order" => unsure |= self.push_order(conn, row)?,
                "product" | "variant" if store::is_deleted(conn, &row.entity, row.local_id)? => unsure |= self.push_delete(conn, row)?,
                "product" if !self.push_info(conn, row)? => {}
                _ => match self.plan(conn, row)? {
                    Plan::Nothing => nothing_to_send.push(row),
                    Plan::Create(item) => unsure |= self.create_remote(conn, row, &item)?,
                    Plan::Variant(item, product_remote_id) => unsure |= self.push_variant(conn, row, &item, &product_remote_id)?,
                    Plan::Write(write, sent) => {
                        batch.push((row.clone(), write, sent));
                        if batch.len() >= batch_size {
                            unsure |= self.flush(conn, &mut batch)?;
                        }
                    }
                },
            }
            if i % 100 == 0 {
                task.step("push", i as u64, rows.len() as u64)?;
            }
        }
        unsure |= self.flush(conn, &mut batch)?;
        // Items the pull itself touched (their values are the base): one transaction.
        db::write(conn, |tx| nothing_to_send.iter().try_for_each(|row| store::discard(tx, self.info.id, row)))?;
        task.step("push", rows.len() as u64, rows.len() as u64)?;
        Ok(unsure)
    }

    /// Stock and order changes of linked items, sent before the catalog scan when the
    /// day's requests are counted. Stock goes as a change the remote merges (add/sub),
    /// so it needs no fresh read. Prices, texts and creates wait for the scan (they merge
    /// against it): every row sent here is queued again for the push after the scan,
    /// which finds nothing left to send when nothing is.
    fn push_stock_first(&mut self, conn: &mut Connection, task: &Task) -> Result<()> {
        let mut sent_rows = Vec::new();
        let result = self.send_stock_first(conn, task, &mut sent_rows);
        let c = self.info.id;
        db::write(conn, |tx| sent_rows.iter().try_for_each(|row: &OutboxRow| store::enqueue_for(tx, c, &row.entity, row.local_id)))?;
        result
    }

    fn send_stock_first(&mut self, conn: &mut Connection, task: &Task, sent_rows: &mut Vec<OutboxRow>) -> Result<()> {
        let rows = store::outbox(conn, self.info.id)?;
        let batch_size = self.remote.capabilities().batch_size;
        let mut batch: Vec<(OutboxRow, ItemWrite, Snapshot)> = Vec::new();
        for row in rows.iter().filter(|r| r.sent.is_none()) {
            if row.entity == "order" {
                self.push_order(conn, row)?;
                continue;
            }
            let Plan::Write(mut write, mut sent) = self.plan(conn, row)? else { continue };
            if write.stock.is_none() {
                continue;
            }
            write.prices.clear();
            sent.prices.clear();
            sent_rows.push(row.clone());
            batch.push((row.clone(), write, sent));
            if batch.len() >= batch_size {
                self.flush(conn, &mut batch)?;
            }
        }
        self.flush(conn, &mut batch)?;
        task.step("push_stock", sent_rows.len() as u64, sent_rows.len() as u64)?;
        Ok(())
    }

    /// Sends the text fields Raf changed on a linked product (a partial PUT, safe to
    /// repeat). `false` when the remote refused them: the row stays pending.
    fn push_info(&mut self, conn: &mut Connection, row: &OutboxRow) -> Result<bool> {
        let c = self.info.id;
        let (Some(item), Some((remote_id, Some(mut base)))) =
            (store::item(conn, "product", row.local_id)?, store::link(conn, c, "product", row.local_id)?)
        else {
            return Ok(true);
        };
        let (Some(local), Some(agreed)) = (local_snapshot(conn, &item)?.info, base.info.clone()) else { return Ok(true) };
        let fields = self.remote.capabilities().text_fields;
        let local: Info = local.into_iter().filter(|(key, _)| fields.contains(&key.as_str())).collect();
        let blocked = store::conflicted_fields(conn, c, "product", row.local_id)?;
        if blocked.iter().any(|f| f == GONE) {
            return Ok(true);
        }
        let changed: Info =
            local.into_iter().filter(|(key, value)| agreed.get(key) != Some(value) && !blocked.contains(&format!("info.{key}"))).collect();
        if changed.is_empty() || remote_id.starts_with("sku:") {
            return Ok(true);
        }
        let mut request = changed.clone();
        if let Some(Some(name)) = changed.get("category") {
            let color: Option<Option<String>> = conn.query_row("SELECT color FROM categories WHERE name = ?1", [name], |r| r.get(0)).optional()?;
            request.insert("category_color".into(), color.flatten());
        }
        match self.call(async |k| k.update_product(&remote_id, &request).await) {
            Ok(()) => {
                base.info.get_or_insert_with(Info::new).extend(changed);
                db::write(conn, |tx| store::set_base(tx, c, "product", row.local_id, &base))?;
                self.counts.items_pushed += 1;
                Ok(true)
            }
            Err(Error::Sync(e)) if !matches!(e, SyncError::Unauthorized) => {
                self.counts.push_failed += 1;
                let message = e.to_string();
                self.note("warn", format!("{}: not updated on the remote: {message}", item.sku));
                db::write(conn, |tx| store::retry_later(tx, c, "product", row.local_id, Some(&message)))?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// What an outbox row needs: nothing, a create, a variant upsert or a batch write of
    /// the fields that differ from the base.
    fn plan(&mut self, conn: &mut Connection, row: &OutboxRow) -> Result<Plan> {
        let c = self.info.id;
        let Some(item) = store::item(conn, &row.entity, row.local_id)? else { return Ok(Plan::Nothing) };
        let Some((remote_id, base)) = store::link(conn, c, &row.entity, row.local_id)? else {
            if row.entity == "product" {
                return Ok(Plan::Create(item));
            }
            return match store::link(conn, c, "product", item.product_id)? {
                Some((product_remote_id, _)) if !product_remote_id.starts_with("sku:") => Ok(Plan::Variant(item, product_remote_id)),
                // The product is created with its variants inline.
                _ => {
                    db::write(conn, |tx| store::enqueue_for(tx, c, "product", item.product_id))?;
                    Ok(Plan::Nothing)
                }
            };
        };
        let Some(base) = base else { return Ok(Plan::Nothing) };
        let gone = |entity: &str, id: i64| -> Result<bool> { Ok(store::conflicted_fields(conn, c, entity, id)?.iter().any(|f| f == GONE)) };
        if gone("product", item.product_id)? || gone(&row.entity, row.local_id)? {
            return Ok(Plan::Nothing);
        }
        let local = local_snapshot(conn, &item)?;
        let blocked = store::conflicted_fields(conn, c, &row.entity, row.local_id)?;
        let mut sent = Snapshot::default();
        let mut write = ItemWrite {
            sku: item.sku.clone(),
            kind: if item.variant_id.is_some() { ItemKind::Variant } else { ItemKind::Product },
            remote_id: Some(remote_id),
            stock: None,
            prices: Prices::new(),
        };
        if let (true, Some(l), Some(b)) = (self.info.settings.push_stock, local.stock, base.stock) {
            if l != b && !blocked.iter().any(|f| f == "stock") {
                write.stock = Some(StockWrite { target: l, delta: l - b });
                sent.stock = Some(l);
            }
        }
        for [group, _] in &self.info.settings.price_groups {
            let l = local.price(*group);
            if base.prices.get(group) != Some(&l) && l.sale.is_some() && !blocked.contains(&format!("price.{group}")) {
                sent.prices.insert(*group, l);
            }
        }
        write.prices = self.to_remote(&sent.prices);
        if write.stock.is_none() && write.prices.is_empty() {
            return Ok(Plan::Nothing);
        }
        Ok(Plan::Write(write, sent))
    }

    /// Sends one batch: marked `sent` first (a crash is read back), then settled per item.
    fn flush(&mut self, conn: &mut Connection, batch: &mut Vec<(OutboxRow, ItemWrite, Snapshot)>) -> Result<bool> {
        if batch.is_empty() {
            return Ok(false);
        }
        let c = self.info.id;
        let items = std::mem::take(batch);
        db::write(conn, |tx| items.iter().try_for_each(|(row, _, sent)| store::mark_sent(tx, c, &row.entity, row.local_id, sent)))?;
        let writes: Vec<ItemWrite> = items.iter().map(|(_, w, _)| w.clone()).collect();
        let outcomes = match self.call(async |k| k.write_items(&writes).await) {
            Ok(outcomes) => outcomes,
            Err(Error::Sync(e)) if e.is_ambiguous() => {
                self.note("warn", format!("{e} ({} items)", items.len()));
                return Ok(true);
            }
            Err(e) => {
                let message = e.to_string();
                db::write(conn, |tx| items.iter().try_for_each(|(row, _, _)| store::retry_later(tx, c, &row.entity, row.local_id, Some(&message))))?;
                return Err(e);
            }
        };
        let by_sku: HashMap<String, ItemOutcome> = outcomes.into_iter().collect();
        let mut unsure = false;
        let mut failures = Vec::new();
        db::write(conn, |tx| {
            for (row, write, sent) in &items {
                match by_sku.get(&write.sku).unwrap_or(&ItemOutcome::Unknown) {
                    ItemOutcome::Done => {
                        let mut base = store::link(tx, c, &row.entity, row.local_id)?.and_then(|(_, b)| b).unwrap_or_default();
                        base.absorb(sent);
                        store::set_base(tx, c, &row.entity, row.local_id, &base)?;
                        store::settle(tx, c, &row.entity, row.local_id)?;
                    }
                    ItemOutcome::Failed(message) => {
                        store::retry_later(tx, c, &row.entity, row.local_id, Some(message))?;
                        failures.push(format!("{}: {message}", write.sku));
                    }
                    ItemOutcome::Unknown => unsure = true,
                }
            }
            Ok(())
        })?;
        self.counts.items_pushed += (items.len() - failures.len()) as u64;
        self.counts.push_failed += failures.len() as u64;
        for failure in failures {
            self.note("warn", format!("refused by the remote: {failure}"));
        }
        Ok(unsure)
    }

    /// A product only Raf has: created on the remote with its variants. A create is not
    /// safe to repeat, so an unclear outcome is read back by SKU before a second try.
    fn create_remote(&mut self, conn: &mut Connection, row: &OutboxRow, item: &Item) -> Result<bool> {
        let c = self.info.id;
        let detail = catalog::product_detail(conn, &item.sku)?;
        if detail.product.deleted_at.is_some() {
            db::write(conn, |tx| store::discard(tx, c, row))?;
            return Ok(false);
        }
        let push_stock = self.info.settings.push_stock;
        let stock_of = |qty: Decimal| if push_stock { Some(qty) } else { Some(Decimal::ZERO) };
        let prices_of = |prices: &[catalog::Price]| -> Prices {
            prices.iter().filter(|p| p.sale.is_some()).map(|p| (p.group, GroupPrice { sale: p.sale, list: p.list })).collect()
        };
        let f = &detail.product.fields;
        let variants: Vec<(i64, RemoteVariant, Snapshot)> = detail
            .variants
            .iter()
            .map(|v| {
                let local = Snapshot { stock: stock_of(v.on_hand), prices: prices_of(&v.prices), ..Snapshot::default() };
                let remote = RemoteVariant {
                    remote_id: None,
                    sku: v.sku.clone(),
                    barcode: v.barcode.clone(),
                    stock: local.stock,
                    options: v.options.clone(),
                    prices: self.to_remote(&local.prices),
                };
                (v.id, remote, local)
            })
            .collect();
        let sent = Snapshot {
            stock: if variants.is_empty() { stock_of(detail.product.on_hand) } else { None },
            prices: prices_of(&detail.prices),
            info: Some(local_info(conn, item.product_id)?),
            status: None,
            history: None,
        };
        let fields = self.remote.capabilities().text_fields;
        let extra: Info = sent
            .info
            .iter()
            .flatten()
            .filter(|(key, _)| matches!(key.as_str(), "active" | "tags") && fields.contains(&key.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let product = RemoteProduct {
            remote_id: None,
            sku: f.sku.clone(),
            name: f.name.clone(),
            subtitle: f.subtitle.clone(),
            description: f.description.clone(),
            barcode: f.barcode.clone(),
            barcode2: f.barcode2.clone(),
            brand: detail.brand.clone(),
            category: detail.category.clone(),
            vat_rate: Some(f.vat_rate),
            desi: f.desi,
            currency: Some(f.currency.clone()),
            images: f.image_urls.clone(),
            stock: sent.stock,
            prices: self.to_remote(&sent.prices),
            variants: variants.iter().map(|(_, v, _)| v.clone()).collect(),
            extra,
        };
        db::write(conn, |tx| store::mark_sent(tx, c, &row.entity, row.local_id, &sent))?;
        let category_color: Option<String> = match detail.product.fields.category_id {
            Some(id) => conn.query_row("SELECT color FROM categories WHERE id = ?1", [id], |r| r.get(0))?,
            None => None,
        };
        let new = NewRemoteProduct { product, category_color };
        let mut created = self.call(async |k| k.create_product(&new).await);
        if matches!(&created, Err(Error::Sync(e)) if e.is_ambiguous()) {
            self.note("warn", format!("{}: create unconfirmed; reading back by SKU", item.sku));
            created = match self.call(async |k| k.find_product(&new.product.sku).await) {
                Ok(Some(id)) => Ok(id),
                Ok(None) => self.call(async |k| k.create_product(&new).await),
                Err(e) => Err(e),
            };
        }
        match created {
            Ok(remote_id) => {
                db::write(conn, |tx| {
                    store::set_link(tx, c, "product", item.product_id, &remote_id)?;
                    store::set_base(tx, c, "product", item.product_id, &sent)?;
                    store::settle(tx, c, "product", item.product_id)?;
                    for (id, v, local) in &variants {
                        store::set_link(tx, c, "variant", *id, &remote_key(None, &v.sku))?;
                        store::set_base(tx, c, "variant", *id, local)?;
                        store::settle(tx, c, "variant", *id)?;
                    }
                    Ok(())
                })?;
                self.counts.created_remotely += 1;
                Ok(false)
            }
            Err(Error::Sync(e)) if e.is_ambiguous() => {
                self.note("warn", format!("{}: {e}", item.sku));
                Ok(true)
            }
            Err(Error::Sync(e @ (SyncError::Http { .. } | SyncError::BadResponse { .. }))) => {
                db::write(conn, |tx| store::retry_later(tx, c, &row.entity, row.local_id, Some(&e.to_string())))?;
                self.counts.push_failed += 1;
                self.note("warn", format!("{}: not created on the remote: {e}", item.sku));
                Ok(false)
            }
            Err(e) => {
                db::write(conn, |tx| store::retry_later(tx, c, &row.entity, row.local_id, Some(&e.to_string())))?;
                Err(e)
            }
        }
    }

    /// A linked product Raf moved to the trash, or a variant it removed, is deleted on the
    /// remote once. A delete is safe to repeat (a 404 means gone); an unclear answer about a
    /// product is read back by SKU, and the delete is sent again only if it is still there.
    fn push_delete(&mut self, conn: &mut Connection, row: &OutboxRow) -> Result<bool> {
        let c = self.info.id;
        let Some((remote_id, _)) = store::link(conn, c, &row.entity, row.local_id)? else {
            // Never reached the remote (or already deleted there): nothing to do.
            db::write(conn, |tx| store::discard(tx, c, row))?;
            return Ok(false);
        };
        let (sku, product_id): (String, i64) = match row.entity.as_str() {
            "product" => conn.query_row("SELECT sku, id FROM products WHERE id = ?1", [row.local_id], |r| Ok((r.get(0)?, r.get(1)?)))?,
            _ => conn.query_row("SELECT sku, product_id FROM variants WHERE id = ?1", [row.local_id], |r| Ok((r.get(0)?, r.get(1)?)))?,
        };
        let product_remote = match row.entity.as_str() {
            "product" => Some(remote_id.clone()),
            _ => store::link(conn, c, "product", product_id)?.map(|(id, _)| id),
        };
        let product_remote = match product_remote {
            Some(id) if id.starts_with("sku:") => self.call(async |k| k.find_product(&id[4..]).await)?,
            other => other,
        };
        let deleted = match (row.entity.as_str(), product_remote) {
            (_, None) => Ok(true),
            ("product", Some(id)) => self.call(async |k| k.delete_product(&id).await),
            (_, Some(_)) if remote_id.starts_with("sku:") => Ok(false),
            (_, Some(product)) => self.call(async |k| k.delete_variant(&product, &remote_id).await),
        };
        let deleted = match deleted {
            Err(Error::Sync(e)) if row.entity == "product" && (e.is_ambiguous() || matches!(e, SyncError::Unreachable { .. })) => {
                self.note("warn", format!("{sku}: delete unconfirmed; reading back by SKU"));
                self.call(async |k| k.find_product(&sku).await).map(|found| found.is_none())
            }
            other => other,
        };
        match deleted {
            Ok(true) => {
                db::write(conn, |tx| {
                    match row.entity.as_str() {
                        "product" => store::unlink_product(tx, c, row.local_id)?,
                        _ => store::unlink(tx, c, "variant", row.local_id)?,
                    }
                    store::settle(tx, c, &row.entity, row.local_id)
                })?;
                self.counts.deleted_remotely += 1;
                self.note("info", format!("{sku}: deleted on the remote"));
                Ok(false)
            }
            Ok(false) => {
                self.note("warn", format!("{sku}: deleted in Raf; the remote cannot delete it, delete it there by hand"));
                db::write(conn, |tx| store::discard(tx, c, row))?;
                Ok(false)
            }
            Err(Error::Sync(e)) if !matches!(e, SyncError::Unauthorized) => {
                let message = e.to_string();
                self.note("warn", format!("{sku}: not deleted on the remote yet: {message}"));
                db::write(conn, |tx| store::retry_later(tx, c, &row.entity, row.local_id, Some(&message)))?;
                if e.is_ambiguous() || matches!(e, SyncError::Unreachable { .. }) {
                    return Ok(true);
                }
                self.counts.push_failed += 1;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// A variant Raf added to a product the remote has: an upsert by SKU (safe to repeat).
    fn push_variant(&mut self, conn: &mut Connection, row: &OutboxRow, item: &Item, product_remote_id: &str) -> Result<bool> {
        let c = self.info.id;
        let detail = catalog::product_detail(conn, &item.sku)?;
        let Some(v) = detail.variants.iter().find(|v| Some(v.id) == item.variant_id) else { return Ok(false) };
        let prices: Prices = v.prices.iter().filter(|p| p.sale.is_some()).map(|p| (p.group, GroupPrice { sale: p.sale, list: p.list })).collect();
        let sent = Snapshot { stock: self.info.settings.push_stock.then_some(v.on_hand), prices, ..Snapshot::default() };
        let variant = RemoteVariant {
            remote_id: None,
            sku: v.sku.clone(),
            barcode: v.barcode.clone(),
            stock: sent.stock,
            options: v.options.clone(),
            prices: self.to_remote(&sent.prices),
        };
        db::write(conn, |tx| store::mark_sent(tx, c, &row.entity, row.local_id, &sent))?;
        let product_remote_id = product_remote_id.to_owned();
        match self.call(async |k| k.upsert_variant(&product_remote_id, &variant).await) {
            Ok(remote_id) => {
                db::write(conn, |tx| {
                    store::set_link(tx, c, "variant", v.id, &remote_id)?;
                    store::set_base(tx, c, "variant", v.id, &sent)?;
                    store::settle(tx, c, "variant", v.id)
                })?;
                self.counts.created_remotely += 1;
                Ok(false)
            }
            Err(Error::Sync(e)) if e.is_ambiguous() || matches!(e, SyncError::Unreachable { .. }) => {
                // An upsert by SKU is safe to repeat: sent again in the next round, with
                // no read-back (a variant the remote never got is not in any pull).
                self.note("warn", format!("{}: {e}", item.sku));
                db::write(conn, |tx| store::retry_later(tx, c, &row.entity, row.local_id, Some(&e.to_string())))?;
                Ok(true)
            }
            Err(e) => {
                db::write(conn, |tx| store::retry_later(tx, c, &row.entity, row.local_id, Some(&e.to_string())))?;
                self.counts.push_failed += 1;
                self.note("warn", format!("{}: variant not sent: {e}", item.sku));
                Ok(false)
            }
        }
    }

    /// A status Raf changed on a linked order. Setting a status is safe to repeat.
    /// Returns whether a create's outcome is unknown (read back by the next orders pull).
    fn push_order(&mut self, conn: &mut Connection, row: &OutboxRow) -> Result<bool> {
        let c = self.info.id;
        let link = store::link(conn, c, "order", row.local_id)?;
        let order: Option<(i64, Option<String>)> =
            conn.query_row("SELECT status, order_type FROM orders WHERE id = ?1", [row.local_id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((status, order_type)) = order else { return db::write(conn, |tx| store::discard(tx, c, row)).map(|_| false) };
        let Some((remote_id, base)) = link else {
            // Only orders made in Raf are created; one pulled from a remote is linked by
            // the pull (a crash between recording and linking must not duplicate it).
            if order_type.as_deref() == Some(orders::MANUAL) {
                return self.create_order(conn, row, status);
            }
            return db::write(conn, |tx| store::discard(tx, c, row)).map(|_| false);
        };
        if base.as_ref().and_then(|b| b.status) == Some(status) {
            return db::write(conn, |tx| store::discard(tx, c, row)).map(|_| false);
        }
        match self.call(async |k| k.set_order_status(&remote_id, status).await) {
            Ok(()) => {
                self.counts.statuses_pushed += 1;
                db::write(conn, |tx| {
                    store::set_base(tx, c, "order", row.local_id, &Snapshot { status: Some(status), ..Snapshot::default() })?;
                    store::settle(tx, c, "order", row.local_id)
                })?;
                Ok(false)
            }
            Err(Error::Sync(e)) if !matches!(e, SyncError::Unauthorized) => {
                self.counts.push_failed += 1;
                let message = e.to_string();
                self.note("warn", format!("order status not sent: {message}"));
                db::write(conn, |tx| store::retry_later(tx, c, "order", row.local_id, Some(&message)))?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// An order made in Raf, created on the remote once and linked. Its lines took stock
    /// out when it was recorded here (the stock reaches the remote as absolute writes; the
    /// fake, like Sopyo's doc, does not take stock for an API-created order). It is marked
    /// `sent` first: an unclear create is read back by its code, and the orders pull links
    /// it by code, so pulling it back neither duplicates it nor takes its stock again.
    fn create_order(&mut self, conn: &mut Connection, row: &OutboxRow, status: i64) -> Result<bool> {
        let c = self.info.id;
        let code: String = conn.query_row("SELECT code FROM orders WHERE id = ?1", [row.local_id], |r| r.get(0))?;
        let order = orders::order(conn, &code)?;
        let remote = RemoteOrder {
            remote_id: String::new(),
            code: order.code.clone(),
            order_type: order.order_type.clone(),
            marketplace: order.marketplace.clone(),
            status,
            order_date: None,
            customer: order.customer.clone(),
            shipping: order.shipping.clone(),
            billing: order.billing.clone(),
            cargo: order.cargo.clone(),
            lines: order
                .lines
                .iter()
                .map(|l| RemoteOrderLine {
                    sku: l.sku.clone(),
                    variant_sku: l.variant_sku.clone(),
                    quantity: l.quantity,
                    total_price: l.total_price,
                    commission_price: l.commission_price,
                    marketplace_id: l.marketplace_id.clone(),
                    marketplace_product_id: l.marketplace_product_id.clone(),
                })
                .collect(),
        };
        let sent = Snapshot { status: Some(status), ..Snapshot::default() };
        db::write(conn, |tx| store::mark_sent(tx, c, "order", row.local_id, &sent))?;
        let mut created = self.call(async |k| k.create_order(&remote).await);
        if matches!(&created, Err(Error::Sync(e)) if e.is_ambiguous()) {
            self.note("warn", format!("order {}: create unconfirmed; reading back by code", order.code));
            created = match self.call(async |k| k.find_order(&remote.code).await) {
                Ok(Some(id)) => Ok(Some(id)),
                Ok(None) => self.call(async |k| k.create_order(&remote).await),
                Err(e) => Err(e),
            };
        }
        match created {
            Ok(Some(remote_id)) => {
                db::write(conn, |tx| {
                    store::set_link(tx, c, "order", row.local_id, &remote_id)?;
                    store::set_base(tx, c, "order", row.local_id, &sent)?;
                    store::settle(tx, c, "order", row.local_id)
                })?;
                self.counts.orders_created_remotely += 1;
                Ok(false)
            }
            Ok(None) => db::write(conn, |tx| store::settle(tx, c, "order", row.local_id)).map(|_| false),
            Err(Error::Sync(e)) if e.is_ambiguous() || matches!(e, SyncError::Unreachable { .. }) => {
                self.note("warn", format!("order {}: {e}", order.code));
                Ok(true)
            }
            Err(Error::Sync(e)) if !matches!(e, SyncError::Unauthorized) => {
                let message = e.to_string();
                self.counts.push_failed += 1;
                self.note("warn", format!("order {}: not created on the remote: {message}", order.code));
                db::write(conn, |tx| store::retry_later(tx, c, "order", row.local_id, Some(&message)))?;
                Ok(false)
            }
            Err(e) => {
                db::write(conn, |tx| store::retry_later(tx, c, "order", row.local_id, Some(&e.to_string())))?;
                Err(e)
            }
        }
    }
}

enum Plan {
    Nothing,
    Create(Item),
    Variant(Item, String),
    Write(ItemWrite, Snapshot),
}

/// The history entries (not Raf's own) that took the remote from `base` to `remote`,
/// oldest first: walked back from the newest, each entry must end where the next one
/// began. Raf's own entries are stepped over (their change is in the base already).
/// Empty when the entries do not connect the two quantities.
fn history_chain<'e>(entries: &[&'e HistoryEntry], base: Decimal, remote: Decimal) -> Vec<&'e HistoryEntry> {
    let (mut at, mut base) = (remote, base);
    let mut chain = Vec::new();
    for e in entries.iter().rev() {
        if at == base && !chain.is_empty() {
            break;
        }
        if e.new_qty != at {
            return Vec::new();
        }
        at = e.old_qty;
        if e.own {
            base -= e.new_qty - e.old_qty;
        } else {
            chain.push(*e);
        }
    }
    if at != base {
        return Vec::new();
    }
    chain.reverse();
    chain
}

/// The remote id, or `sku:<SKU>` while the remote has not told it (list rows without id,
/// variants created inline).
fn remote_key(remote_id: Option<&str>, sku: &str) -> String {
    remote_id.map(str::to_owned).unwrap_or_else(|| format!("sku:{sku}"))
}

fn is_unset(p: GroupPrice) -> bool {
    p.sale.is_none() && p.list.is_none()
}

fn has_movements(conn: &Connection, item: &Item) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM stock_movements WHERE product_id = ?1 AND variant_id IS ?2)",
        params![item.product_id, item.variant_id],
        |r| r.get(0),
    )?)
}

/// Raf's stock (none for a product with variants) and prices of one item.
/// The remote ids and SKUs a full scan saw: linked products missing from them were
/// deleted on the remote (`flag_gone`).
#[derive(Default)]
struct Seen {
    ids: HashSet<String>,
    skus: HashSet<String>,
}

impl Seen {
    fn add(&mut self, products: &[RemoteProduct]) {
        self.ids.extend(products.iter().filter_map(|p| p.remote_id.clone()));
        self.skus.extend(products.iter().map(|p| p.sku.clone()));
    }
}

fn local_snapshot(conn: &Connection, item: &Item) -> Result<Snapshot> {
    let stock: Option<Fixed> = match item.variant_id {
        Some(v) => conn.query_row("SELECT on_hand FROM variants WHERE id = ?1", [v], |r| r.get(0))?,
        None => conn.query_row(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM variants WHERE product_id = ?1 AND deleted_at IS NULL) THEN NULL ELSE on_hand END
             FROM products WHERE id = ?1",
            [item.product_id],
            |r| r.get(0),
        )?,
    };
    let mut stmt = conn.prepare_cached("SELECT group_no, sale, list FROM prices WHERE product_id = ?1 AND variant_id IS ?2")?;
    let prices = stmt
        .query_map(params![item.product_id, item.variant_id], |r| {
            Ok((r.get::<_, u8>(0)?, GroupPrice { sale: Some(r.get::<_, Fixed>(1)?.0), list: r.get::<_, Option<Fixed>>(2)?.map(|f| f.0) }))
        })?
        .collect::<rusqlite::Result<Prices>>()?;
    let info = match item.variant_id {
        Some(_) => None,
        None => Some(local_info(conn, item.product_id)?),
    };
    Ok(Snapshot { stock: stock.map(|f| f.0), prices, info, status: None, history: None })
}

/// A local product's synced fields: its text fields, then its images, category, brand and tags.
fn local_info(conn: &Connection, product_id: i64) -> Result<Info> {
    let mut info = conn.query_row(
        "SELECT p.name, p.barcode, p.subtitle, p.description, p.image_urls, c.name, b.name, p.active FROM products p
         LEFT JOIN categories c ON c.id = p.category_id LEFT JOIN brands b ON b.id = p.brand_id WHERE p.id = ?1",
        [product_id],
        |r| {
            let text = store::info(
                &r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.as_deref(),
                r.get::<_, Option<String>>(2)?.as_deref(),
                r.get::<_, Option<String>>(3)?.as_deref(),
            );
            let images: Vec<String> = serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default();
            let mut info = with_taxonomy(text, &images, r.get::<_, Option<String>>(5)?.as_deref(), r.get::<_, Option<String>>(6)?.as_deref());
            info.insert("active".into(), Some(r.get::<_, bool>(7)?.to_string()));
            Ok(info)
        },
    )?;
    let names = catalog::product_tags(conn, product_id)?.into_iter().map(|t| t.name).collect();
    info.insert("tags".into(), join_tags(names));
    Ok(info)
}

/// Adds `images` (the URLs, one a line, in order), `category` and `brand` (names) to `info`:
/// they merge three-way like the text fields.
fn with_taxonomy(mut info: Info, images: &[String], category: Option<&str>, brand: Option<&str>) -> Info {
    let clean = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let images: Vec<&str> = images.iter().map(|u| u.trim()).filter(|u| !u.is_empty()).collect();
    info.insert("images".into(), Some(images.join("\n")).filter(|i| !i.is_empty()));
    info.insert("category".into(), clean(category));
    info.insert("brand".into(), clean(brand));
    info
}

fn remote_info(p: &RemoteProduct) -> Info {
    let text = store::info(&p.name, p.barcode.as_deref(), p.subtitle.as_deref(), p.description.as_deref());
    let mut info = with_taxonomy(text, &p.images, p.category.as_deref(), p.brand.as_deref());
    // What only some remotes carry: `active`, `tags` (stokdurumu, KolayBi).
    info.extend(p.extra.clone());
    info
}

/// Writes the remote's synced fields into the local product (see `Info`).
fn apply_info(tx: &Connection, item: &Item, values: &Info) -> Result<()> {
    let mut fields = catalog::product_detail(tx, &item.sku)?.product.fields;
    for (key, value) in values {
        match key.as_str() {
            "name" => fields.name = value.clone().unwrap_or_else(|| fields.sku.clone()),
            "barcode" => fields.barcode = value.clone(),
            "subtitle" => fields.subtitle = value.clone(),
            "description" => fields.description = value.clone(),
            "images" => fields.image_urls = value.iter().flat_map(|v| v.lines()).map(str::to_owned).collect(),
            "category" => fields.category_id = value.as_deref().map(|c| catalog::ensure_category(tx, c)).transpose()?,
            "brand" => fields.brand_id = value.as_deref().map(|b| catalog::ensure_brand(tx, b)).transpose()?,
            "active" => fields.active = value.as_deref() != Some("false"),
            "tags" => set_tags(tx, item.product_id, value.as_deref())?,
            _ => {}
        }
    }
    catalog::update_product_unindexed(tx, item.product_id, &fields)?;
    catalog::reindex_products(tx, [item.product_id])
}

/// The product's tags become exactly those of a `tags` value (see `join_tags`); tags
/// Raf lacks are created.
fn set_tags(tx: &Connection, product_id: i64, value: Option<&str>) -> Result<()> {
    let names = split_tags(value);
    catalog::set_product_tags(tx, product_id, &names.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A Sopyo order as a local order; `order_date` (Istanbul time, no offset) becomes UTC.
fn new_order(o: &RemoteOrder) -> NewOrder {
    let lines = o
        .lines
        .iter()
        .map(|l| NewLine {
            sku: l.variant_sku.clone().unwrap_or_else(|| l.sku.clone()),
            quantity: l.quantity,
            unit_price: Some(if l.quantity.is_zero() { Decimal::ZERO } else { (l.total_price / l.quantity).round_dp(4) }),
            commission_price: l.commission_price,
            marketplace_id: l.marketplace_id.clone(),
            marketplace_product_id: l.marketplace_product_id.clone(),
        })
        .collect();
    let order_date = o
        .order_date
        .as_deref()
        .and_then(|d| chrono::NaiveDateTime::parse_from_str(d.trim(), "%Y-%m-%d %H:%M").ok())
        .map(|local| (local - chrono::Duration::hours(3)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
    NewOrder {
        code: Some(o.code.clone()),
        order_type: o.order_type.clone(),
        marketplace: o.marketplace.clone(),
        status: OrderStatus::from_code(o.status.clamp(1, 4)).unwrap_or(OrderStatus::Awaiting),
        order_date,
        customer: o.customer.clone(),
        shipping: o.shipping.clone(),
        billing: o.billing.clone(),
        cargo: o.cargo.clone(),
        currency: "TRY".into(),
        note: None,
        lines,
    }
}

/// Resolves a conflict: `Remote` takes the remote's value now (stock as a `sync`
/// movement); `Local` keeps Raf's and queues it for the next run.
pub fn resolve(conn: &mut Connection, id: i64, side: Side) -> Result<store::Conflict> {
    let (conflict, c) = store::open_conflict(conn, id)?;
    db::write(conn, |tx| {
        if conflict.field == GONE && conflict.entity == "variant" {
            // Gone from the remote product: removed here (its stock must be 0), or added there again.
            store::unlink(tx, c, "variant", conflict.local_id)?;
            match side {
                Side::Remote => catalog::remove_variant_in(tx, &conflict.sku)?,
                Side::Local => store::enqueue_for(tx, c, "variant", conflict.local_id)?,
            }
            return store::close_conflict(tx, id, if side == Side::Local { "local" } else { "remote" });
        }
        if conflict.field == GONE {
            // Gone from the remote: Raf's product goes to the trash, or is created there again.
            store::unlink_product(tx, c, conflict.local_id)?;
            match side {
                Side::Remote => catalog::set_deleted_in(tx, conflict.local_id, Some(db::now()))?,
                Side::Local => store::enqueue_for(tx, c, "product", conflict.local_id)?,
            }
            return store::close_conflict(tx, id, if side == Side::Local { "local" } else { "remote" });
        }
        let item = store::item(tx, &conflict.entity, conflict.local_id)?.ok_or_else(|| Error::ProductNotFound(conflict.sku.clone()))?;
        let mut base = store::link(tx, c, &conflict.entity, conflict.local_id)?.and_then(|(_, b)| b).unwrap_or_default();
        let bad = || Error::invalid("conflict", format!("conflict #{id} has no usable remote value"));
        if conflict.field == "stock" {
            let remote: Decimal = serde_json::from_value(conflict.remote.clone()).map_err(|_| bad())?;
            if side == Side::Remote {
                let local = local_snapshot(tx, &item)?.stock.unwrap_or_default();
                if remote != local {
                    record(
                        tx,
                        &item,
                        remote - local,
                        Entry::new(MovementKind::Sync, Some(&format!("sync {}: conflict #{id}", conflict.connection))),
                    )?;
                }
            }
            base.stock = Some(remote);
        } else if let Some(group) = conflict.field.strip_prefix("price.").and_then(|g| g.parse::<u8>().ok()) {
            let remote: GroupPrice = serde_json::from_value(conflict.remote.clone()).map_err(|_| bad())?;
            if side == Side::Remote {
                let sale = remote.sale.ok_or_else(|| Error::invalid("conflict", "the remote has no sale price here: keep Raf's"))?;
                catalog::upsert_price(tx, &item.sku, group.into(), sale, remote.list)?;
            }
            base.prices.insert(group, remote);
        } else if let Some(key) = conflict.field.strip_prefix("info.") {
            let remote: Option<String> = serde_json::from_value(conflict.remote.clone()).map_err(|_| bad())?;
            let values = Info::from([(key.to_owned(), remote)]);
            if side == Side::Remote {
                apply_info(tx, &item, &values)?;
            }
            base.info.get_or_insert_with(Info::new).extend(values);
        } else {
            return Err(bad());
        }
        store::set_base(tx, c, &conflict.entity, conflict.local_id, &base)?;
        if side == Side::Local {
            store::enqueue_for(tx, c, &conflict.entity, conflict.local_id)?;
        }
        store::close_conflict(tx, id, if side == Side::Local { "local" } else { "remote" })
    })?;
    Ok(conflict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, old: i64, new: i64, own: bool) -> HistoryEntry {
        HistoryEntry { id, old_qty: Decimal::from(old), new_qty: Decimal::from(new), reason: None, own }
    }

    fn ids(chain: Vec<&HistoryEntry>) -> Vec<i64> {
        chain.iter().map(|e| e.id).collect()
    }

    #[test]
    fn the_history_chain_connects_base_to_remote_stepping_over_rafs_own_entries() {
        let (d, entries) = (Decimal::from, [entry(1, 10, 8, false), entry(2, 8, 13, false)]);
        let all: Vec<&HistoryEntry> = entries.iter().collect();
        assert_eq!(ids(history_chain(&all, d(10), d(13))), [1, 2]);
        assert_eq!(ids(history_chain(&all, d(8), d(13))), [2], "older entries are before the base");
        assert!(history_chain(&all, d(9), d(13)).is_empty(), "no unbroken run: the change is taken as one");
        // A receipt of 2 elsewhere, then Raf's own sale of 3 (its base already holds it).
        let entries = [entry(1, 10, 12, false), entry(2, 12, 9, true)];
        let all: Vec<&HistoryEntry> = entries.iter().collect();
        assert_eq!(ids(history_chain(&all, d(7), d(9))), [1]);
    }
}
