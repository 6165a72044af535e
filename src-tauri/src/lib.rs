//! Raf's desktop shell: plugins, the window, and the commands that call the core.
//! Only this crate knows Tauri; everything it does to the data is a `raf` function.

mod commands;
mod db;
mod memory;
mod tasks;
#[cfg(target_os = "linux")]
mod webkit;

use std::path::PathBuf;
use std::time::Instant;
use tauri::Manager;

/// When the process started, for the "window interactive after" log line.
pub struct Started(pub Instant);

/// The catalog file: `RAF_DB` if set (tests, a second shop), else the one the CLI uses.
fn catalog_path() -> PathBuf {
    std::env::var_os("RAF_DB").map(PathBuf::from).unwrap_or_else(raf::db::default_path)
}

pub fn run() {
    let started = Instant::now();
    #[cfg(target_os = "linux")]
    webkit::choose_acceleration();
    let path = catalog_path();
    tauri::Builder::default()
        // First: a second copy hands over to the running one (focus) and exits before it
        // touches the catalog.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_log::Builder::new().level(log::LevelFilter::Info).build())
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_fs::init())
        .plugin(tauri_plugin_opener::init())
        .manage(Started(started))
        .manage(tasks::Tasks::default())
        .setup(move |app| {
            #[cfg(target_os = "linux")]
            log::info!("webview hardware acceleration: {}", webkit::acceleration());
            app.manage(db::Db::open_in_background(path));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::ui_ready,
            commands::db_check,
            commands::products_search,
            commands::products_count,
            commands::products_page_anchors,
            commands::products_bulk_edit,
            commands::product_get,
            commands::product_create,
            commands::product_update,
            commands::product_delete,
            commands::product_restore,
            commands::variants_generate,
            commands::variant_update,
            commands::variant_remove,
            commands::price_set,
            commands::product_tag,
            commands::categories,
            commands::category_add,
            commands::category_remove,
            commands::brands,
            commands::brand_add,
            commands::brand_remove,
            commands::tags,
            commands::tag_add,
            commands::tag_remove,
            commands::price_groups,
            commands::price_group_rename,
            commands::stock_adjust,
            commands::stock_undo,
            commands::stock_history,
            commands::movements_list,
            commands::dashboard,
            commands::orders_list,
            commands::order_get,
            commands::order_create,
            commands::order_set_status,
            commands::order_cancel,
            commands::allow_negative_stock,
            commands::set_allow_negative_stock,
            commands::backup,
            commands::restore,
            commands::task_cancel,
            commands::import_inspect,
            commands::import_plan,
            commands::import_apply,
            commands::import_batches,
            commands::import_undo,
            commands::export_catalog,
            commands::sync_connections,
            commands::sync_connection_add,
            commands::sync_connection_test,
            commands::sync_settings_update,
            commands::sync_connection_remove,
            commands::sync_run,
            commands::sync_pending,
            commands::sync_runs,
            commands::sync_conflicts,
            commands::sync_conflict_resolve,
            commands::count_sessions,
            commands::count_start,
            commands::count_status,
            commands::count_scan,
            commands::count_set,
            commands::count_link,
            commands::count_create,
            commands::count_approve,
            commands::count_post,
            commands::count_undo,
            commands::count_export,
            commands::count_import,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Raf");
}
