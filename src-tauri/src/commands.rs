//! The commands the UI invokes. Each one is thin: take the arguments, call one core
//! function on a blocking thread, and return its result or its `{code, message, details}`.

use crate::db::{CmdResult, Db};
use crate::tasks::Tasks;
use raf::catalog::{
    self, Brand, BulkChange, Category, OptionAxis, PriceGroup, Product, ProductDetail, ProductFields, ProductPage, ProductQuery, Tag, Variant,
    VariantFields,
};
use raf::import::{self, Applied, Batch, ExportOptions, ExportSummary, ImportOptions, Plan, Preview, UndoSummary};
use raf::orders::{self, NewOrder, Order, OrderQuery, OrderStatus};
use raf::progress::Step;
use raf::report::{self, Dashboard};
use raf::stock::count::{self, CountLine, CountSession, CountStatus, NewCount, PostSummary, ScanOutcome, Unscanned};
use raf::stock::{self, Change, Movement, MovementQuery};
use raf::sync::{self, Conflict, ConnectionInfo, Kind, NewConnection, RunOptions, RunSummary, Settings, Side};
use raf::{db, settings};
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

/// Days of movements the dashboard charts.
const DASHBOARD_DAYS: u32 = 30;

/// The catalog, as every command receives it.
type DbState<'a> = State<'a, Db>;

#[derive(Serialize)]
pub struct AppInfo {
    db_path: PathBuf,
    version: &'static str,
}

#[tauri::command]
pub fn app_info(db: DbState) -> AppInfo {
    AppInfo { db_path: db.path().to_owned(), version: env!("CARGO_PKG_VERSION") }
}

/// Resolves when the catalog file has been found sound; fails with `db.corrupt` when
/// not (a large file is checked in the background after it opens).
#[tauri::command]
pub async fn db_check(db: DbState<'_>) -> CmdResult<()> {
    db.checked().await
}

/// The UI reports milestones of its start (`window`: it answers input; `first_page`: the
/// products table shows rows), logged as time since the process started (benchmarks).
#[tauri::command]
pub fn ui_ready(started: State<crate::Started>, milestone: String) {
    log::info!("{milestone} after {} ms", started.0.elapsed().as_millis());
    if milestone == "first_page" {
        // Start-up is over: what it allocated and freed need not stay resident.
        crate::memory::release_freed_memory();
    }
}

// --- products

#[tauri::command]
pub async fn products_search(db: DbState<'_>, query: ProductQuery) -> CmdResult<ProductPage> {
    db.read(move |c| catalog::search_products(c, &query)).await
}

#[tauri::command]
pub async fn products_count(db: DbState<'_>, query: ProductQuery) -> CmdResult<u64> {
    db.read(move |c| catalog::count_products(c, &query)).await
}

#[tauri::command]
pub async fn products_page_anchors(db: DbState<'_>, query: ProductQuery) -> CmdResult<Vec<i64>> {
    db.read(move |c| catalog::page_anchors(c, &query)).await
}

#[tauri::command]
pub async fn products_bulk_edit(db: DbState<'_>, ids: Vec<i64>, change: BulkChange) -> CmdResult<usize> {
    db.write(move |c| catalog::bulk_edit(c, &ids, &change)).await
}

#[tauri::command]
pub async fn product_get(db: DbState<'_>, sku: String) -> CmdResult<ProductDetail> {
    db.read(move |c| catalog::product_detail(c, &sku)).await
}

#[tauri::command]
pub async fn product_create(db: DbState<'_>, fields: ProductFields) -> CmdResult<Product> {
    db.write(move |c| catalog::create_product(c, &fields)).await
}

#[tauri::command]
pub async fn product_update(db: DbState<'_>, sku: String, fields: ProductFields) -> CmdResult<Product> {
    db.write(move |c| catalog::update_product(c, &sku, &fields)).await
}

#[tauri::command]
pub async fn product_delete(db: DbState<'_>, sku: String) -> CmdResult<Product> {
    db.write(move |c| catalog::soft_delete_product(c, &sku)).await
}

#[tauri::command]
pub async fn product_restore(db: DbState<'_>, sku: String) -> CmdResult<Product> {
    db.write(move |c| catalog::restore_product(c, &sku)).await
}

#[tauri::command]
pub async fn variants_generate(db: DbState<'_>, sku: String, axes: Vec<OptionAxis>) -> CmdResult<Vec<Variant>> {
    db.write(move |c| catalog::generate_variants(c, &sku, &axes)).await
}

#[tauri::command]
pub async fn variant_update(db: DbState<'_>, sku: String, fields: VariantFields) -> CmdResult<Variant> {
    db.write(move |c| catalog::update_variant(c, &sku, &fields)).await
}

#[tauri::command]
pub async fn variant_remove(db: DbState<'_>, sku: String) -> CmdResult<()> {
    db.write(move |c| catalog::remove_variant(c, &sku)).await
}

#[tauri::command]
pub async fn price_set(db: DbState<'_>, sku: String, group: i64, sale: Decimal, list: Option<Decimal>) -> CmdResult<()> {
    db.write(move |c| catalog::set_price(c, &sku, group, sale, list)).await
}

#[tauri::command]
pub async fn product_tag(db: DbState<'_>, sku: String, tag: String, on: bool) -> CmdResult<()> {
    db.write(move |c| if on { catalog::tag_product(c, &sku, &tag) } else { catalog::untag_product(c, &sku, &tag) }).await
}

// --- categories, brands, tags, price groups

#[tauri::command]
pub async fn categories(db: DbState<'_>) -> CmdResult<Vec<Category>> {
    db.read(catalog::categories).await
}

#[tauri::command]
pub async fn category_add(db: DbState<'_>, name: String, color: Option<String>, parent: Option<String>) -> CmdResult<Category> {
    db.write(move |c| catalog::add_category(c, &name, color.as_deref(), parent.as_deref())).await
}

#[tauri::command]
pub async fn category_remove(db: DbState<'_>, name: String) -> CmdResult<()> {
    db.write(move |c| catalog::remove_category(c, &name)).await
}

#[tauri::command]
pub async fn brands(db: DbState<'_>) -> CmdResult<Vec<Brand>> {
    db.read(catalog::brands).await
}

#[tauri::command]
pub async fn brand_add(db: DbState<'_>, name: String) -> CmdResult<Brand> {
    db.write(move |c| catalog::add_brand(c, &name)).await
}

#[tauri::command]
pub async fn brand_remove(db: DbState<'_>, name: String) -> CmdResult<()> {
    db.write(move |c| catalog::remove_brand(c, &name)).await
}

#[tauri::command]
pub async fn tags(db: DbState<'_>) -> CmdResult<Vec<Tag>> {
    db.read(catalog::tags).await
}

#[tauri::command]
pub async fn tag_add(db: DbState<'_>, name: String, color: Option<String>) -> CmdResult<Tag> {
    db.write(move |c| catalog::add_tag(c, &name, color.as_deref(), None)).await
}

#[tauri::command]
pub async fn tag_remove(db: DbState<'_>, name: String) -> CmdResult<()> {
    db.write(move |c| catalog::remove_tag(c, &name)).await
}

#[tauri::command]
pub async fn price_groups(db: DbState<'_>) -> CmdResult<Vec<PriceGroup>> {
    db.read(catalog::price_groups).await
}

#[tauri::command]
pub async fn price_group_rename(db: DbState<'_>, no: i64, name: String) -> CmdResult<()> {
    db.write(move |c| catalog::rename_price_group(c, no, &name)).await
}

// --- stock

#[tauri::command]
pub async fn stock_adjust(db: DbState<'_>, sku: String, change: Change, reason: Option<String>) -> CmdResult<Movement> {
    db.write(move |c| stock::adjust(c, &sku, change, reason.as_deref())).await
}

#[tauri::command]
pub async fn stock_undo(db: DbState<'_>, id: i64) -> CmdResult<Movement> {
    db.write(move |c| stock::undo(c, id, None)).await
}

#[tauri::command]
pub async fn stock_history(db: DbState<'_>, sku: String, limit: u32, before: Option<i64>) -> CmdResult<Vec<Movement>> {
    db.read(move |c| stock::history(c, &sku, limit, before)).await
}

#[tauri::command]
pub async fn movements_list(db: DbState<'_>, query: MovementQuery) -> CmdResult<Vec<Movement>> {
    db.read(move |c| stock::movements(c, &query)).await
}

#[tauri::command]
pub async fn dashboard(db: DbState<'_>) -> CmdResult<Dashboard> {
    db.read(|c| report::dashboard(c, DASHBOARD_DAYS)).await
}

// --- counting sessions

#[tauri::command]
pub async fn count_sessions(db: DbState<'_>) -> CmdResult<Vec<CountSession>> {
    db.read(count::sessions).await
}

#[tauri::command]
pub async fn count_start(db: DbState<'_>, new: NewCount) -> CmdResult<CountSession> {
    db.write(move |c| count::start(c, &new)).await
}

#[tauri::command]
pub async fn count_status(db: DbState<'_>, id: i64) -> CmdResult<CountStatus> {
    db.read(move |c| count::status(c, id)).await
}

#[tauri::command]
pub async fn count_scan(db: DbState<'_>, id: i64, barcode: String, qty: Decimal) -> CmdResult<ScanOutcome> {
    db.write(move |c| count::scan(c, id, &barcode, qty)).await
}

#[tauri::command]
pub async fn count_set(db: DbState<'_>, id: i64, sku: String, qty: Decimal) -> CmdResult<CountLine> {
    db.write(move |c| count::set_counted(c, id, &sku, qty)).await
}

#[tauri::command]
pub async fn count_link(db: DbState<'_>, id: i64, barcode: String, sku: String) -> CmdResult<CountLine> {
    db.write(move |c| count::link_barcode(c, id, &barcode, &sku)).await
}

/// A new product for an unknown barcode, with the shop's defaults (`ProductFields::new`)
/// but the unit; `sale` is its price in group 1.
#[tauri::command]
pub async fn count_create(
    db: DbState<'_>,
    id: i64,
    barcode: String,
    sku: String,
    name: String,
    unit: String,
    sale: Option<Decimal>,
) -> CmdResult<CountLine> {
    let fields = ProductFields { unit, ..ProductFields::new(sku, name) };
    db.write(move |c| count::create_for_barcode(c, id, &barcode, &fields, sale)).await
}

/// `skus: None` approves (or rejects) every line.
#[tauri::command]
pub async fn count_approve(db: DbState<'_>, id: i64, skus: Option<Vec<String>>, approved: bool) -> CmdResult<usize> {
    db.write(move |c| count::approve(c, id, skus.as_deref(), approved)).await
}

#[tauri::command]
pub async fn count_post(db: DbState<'_>, id: i64, unscanned: Unscanned) -> CmdResult<PostSummary> {
    db.write(move |c| count::post(c, id, unscanned)).await
}

#[tauri::command]
pub async fn count_undo(db: DbState<'_>, id: i64) -> CmdResult<usize> {
    db.write(move |c| count::undo(c, id)).await
}

#[tauri::command]
pub async fn count_export(db: DbState<'_>, id: i64, path: PathBuf) -> CmdResult<usize> {
    db.read(move |c| count::export_sheet(c, id, &path)).await
}

#[tauri::command]
pub async fn count_import(db: DbState<'_>, id: i64, path: PathBuf) -> CmdResult<usize> {
    db.write(move |c| count::import_sheet(c, id, &path)).await
}

// --- orders

#[tauri::command]
pub async fn orders_list(db: DbState<'_>, query: OrderQuery) -> CmdResult<Vec<Order>> {
    db.read(move |c| orders::list_orders(c, &query)).await
}

#[tauri::command]
pub async fn order_get(db: DbState<'_>, code: String) -> CmdResult<Order> {
    db.read(move |c| orders::order(c, &code)).await
}

#[tauri::command]
pub async fn order_create(db: DbState<'_>, order: NewOrder) -> CmdResult<Order> {
    db.write(move |c| orders::record_order(c, &order).map(|(order, _new)| order)).await
}

#[tauri::command]
pub async fn order_set_status(db: DbState<'_>, code: String, status: OrderStatus) -> CmdResult<Order> {
    db.write(move |c| orders::set_status(c, &code, status)).await
}

#[tauri::command]
pub async fn order_cancel(db: DbState<'_>, code: String) -> CmdResult<Order> {
    db.write(move |c| orders::cancel_order(c, &code)).await
}

// --- settings, backup, restore

#[tauri::command]
pub async fn allow_negative_stock(db: DbState<'_>) -> CmdResult<bool> {
    db.read(settings::allow_negative_stock).await
}

#[tauri::command]
pub async fn set_allow_negative_stock(db: DbState<'_>, allow: bool) -> CmdResult<()> {
    db.write(move |c| settings::set_allow_negative_stock(c, allow)).await
}

#[tauri::command]
pub async fn backup(db: DbState<'_>, tasks: State<'_, Tasks>, path: PathBuf, task: u32, on_progress: Channel<Step>) -> CmdResult<()> {
    let job = tasks.start(task, on_progress);
    db.read(move |c| job.run(|t| db::backup_with(c, &path, t))).await
}

#[tauri::command]
pub async fn restore(
    app: tauri::AppHandle,
    db: DbState<'_>,
    tasks: State<'_, Tasks>,
    path: PathBuf,
    task: u32,
    on_progress: Channel<Step>,
) -> CmdResult<()> {
    let job = tasks.start(task, on_progress);
    if db.restore(path, job).await? {
        app.request_restart();
    }
    Ok(())
}

#[tauri::command]
pub fn task_cancel(tasks: State<Tasks>, task: u32) -> bool {
    tasks.cancel(task)
}

// --- sync with remote shops (the CLI's `raf connection|sync|conflicts`)

#[tauri::command]
pub async fn sync_connections(db: DbState<'_>) -> CmdResult<Vec<ConnectionInfo>> {
    db.read(sync::connections).await
}

/// The token goes to the OS keychain; no command ever returns it.
#[tauri::command]
pub async fn sync_connection_add(
    db: DbState<'_>,
    name: String,
    kind: Kind,
    base_url: Option<String>,
    token: String,
    settings: Settings,
) -> CmdResult<ConnectionInfo> {
    let base_url = base_url.filter(|url| !url.trim().is_empty());
    db.write(move |c| sync::add_connection(c, &NewConnection { name, kind, base_url, settings }, &token)).await
}

#[tauri::command]
pub async fn sync_connection_test(db: DbState<'_>, name: String) -> CmdResult<()> {
    db.read(move |c| sync::test_connection(c, &name, &RunOptions::default())).await
}

#[tauri::command]
pub async fn sync_settings_update(db: DbState<'_>, name: String, settings: Settings) -> CmdResult<ConnectionInfo> {
    db.write(move |c| sync::update_settings(c, &name, &settings)).await
}

#[tauri::command]
pub async fn sync_connection_remove(db: DbState<'_>, name: String) -> CmdResult<()> {
    db.write(move |c| sync::remove_connection(c, &name)).await
}

#[tauri::command]
pub async fn sync_run(db: DbState<'_>, tasks: State<'_, Tasks>, name: String, task: u32, on_progress: Channel<Step>) -> CmdResult<RunSummary> {
    let job = tasks.start(task, on_progress);
    db.sync(move |c| job.run(|t| sync::run(c, &name, &RunOptions::default(), t))).await
}

#[tauri::command]
pub async fn sync_pending(db: DbState<'_>) -> CmdResult<u64> {
    db.read(|c| sync::pending_count(c, None)).await
}

#[tauri::command]
pub async fn sync_runs(db: DbState<'_>, name: String, limit: u32) -> CmdResult<Vec<RunSummary>> {
    db.read(move |c| sync::runs(c, &name, limit)).await
}

#[tauri::command]
pub async fn sync_conflicts(db: DbState<'_>) -> CmdResult<Vec<Conflict>> {
    db.read(|c| sync::conflicts(c, None)).await
}

#[tauri::command]
pub async fn sync_conflict_resolve(db: DbState<'_>, id: i64, side: Side) -> CmdResult<Conflict> {
    db.write(move |c| sync::resolve_conflict(c, id, side)).await
}

// --- import and export

#[tauri::command]
pub async fn import_inspect(db: DbState<'_>, path: PathBuf, options: ImportOptions) -> CmdResult<Preview> {
    db.read(move |c| import::inspect(c, &path, &options)).await
}

/// The dry run; with `report`, also writes every row error there (xlsx or csv).
#[tauri::command]
pub async fn import_plan(
    db: DbState<'_>,
    tasks: State<'_, Tasks>,
    path: PathBuf,
    options: ImportOptions,
    report: Option<PathBuf>,
    task: u32,
    on_progress: Channel<Step>,
) -> CmdResult<Plan> {
    let job = tasks.start(task, on_progress);
    db.read(move |c| {
        if let Some(report) = &report {
            import::refuse_imported(report, &path)?;
            import::refuse_catalog(c, report)?;
        }
        let plan = job.run(|t| import::plan(c, &path, &options, t))?;
        if let Some(report) = report {
            import::write_report(&plan, &report)?;
        }
        Ok(plan)
    })
    .await
}

#[tauri::command]
pub async fn import_apply(
    db: DbState<'_>,
    tasks: State<'_, Tasks>,
    path: PathBuf,
    options: ImportOptions,
    task: u32,
    on_progress: Channel<Step>,
) -> CmdResult<Applied> {
    let job = tasks.start(task, on_progress);
    db.write(move |c| job.run(|t| import::apply(c, &path, &options, t))).await
}

#[tauri::command]
pub async fn import_batches(db: DbState<'_>) -> CmdResult<Vec<Batch>> {
    db.read(import::batches).await
}

#[tauri::command]
pub async fn import_undo(db: DbState<'_>, batch: i64, force: bool) -> CmdResult<UndoSummary> {
    db.write(move |c| import::undo(c, Some(batch), force)).await
}

#[tauri::command]
pub async fn export_catalog(
    db: DbState<'_>,
    tasks: State<'_, Tasks>,
    path: PathBuf,
    options: ExportOptions,
    task: u32,
    on_progress: Channel<Step>,
) -> CmdResult<ExportSummary> {
    let job = tasks.start(task, on_progress);
    db.read(move |c| job.run(|t| import::export(c, &path, &options, t))).await
}
