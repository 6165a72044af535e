//! `raf connection …`, `raf sync …`, `raf conflicts …`: remote shops from the command line.
//! Tokens come from `--token` or `RAF_SYNC_TOKEN`; `connection add` stores it in the OS
//! keychain (`RAF_KEYRING=mock`: keyring's in-memory store, for tests and boxes without
//! one), later commands read it from there unless one is given.

use crate::output::Out;
use clap::{Args, Subcommand, ValueEnum};
use raf::progress;
use raf::sync::{self, ConnectionInfo, Direction, Kind, NewConnection, Plan, RemoteHit, RemoteSearch, RunOptions, RunSummary, Settings, Side};
use raf::Result;
use rusqlite::Connection;
use std::time::Duration;

#[derive(Subcommand)]
pub enum ConnectionCmd {
    /// Add a connection; its API token goes to the OS keychain
    Add {
        name: String,
        /// Remote kind: sopyo, stokdurumu or kolaybi
        #[arg(long, default_value = "sopyo")]
        kind: String,
        /// API base URL [default: the kind's documented one]
        #[arg(long, env = "RAF_SYNC_URL")]
        url: Option<String>,
        /// API token (from the remote's API settings page)
        #[arg(long, env = "RAF_SYNC_TOKEN", hide_env_values = true)]
        token: String,
        /// Products, variants, prices and stock: off, pull, push or both
        #[arg(long, default_value = "both", value_parser = direction)]
        products: Direction,
        /// Orders: off, pull, push (status changes) or both
        #[arg(long, default_value = "pull", value_parser = direction)]
        orders: Direction,
        /// Do not send stock changes (prices still go)
        #[arg(long)]
        no_push_stock: bool,
        /// Price group map, local=remote: 1=1,2=3 [default: 1..10 each to itself]
        #[arg(long, value_name = "LOCAL=REMOTE,...")]
        price_groups: Option<String>,
        /// Items per batch write
        #[arg(long, default_value_t = sync::sopyo::BATCH_SIZE)]
        batch_size: usize,
        /// stokdurumu plan, for its daily request quota: free (500), basic, pro, enterprise
        #[arg(long, default_value = "free", value_parser = plan)]
        plan: Plan,
        /// KolayBi's Channel header value (required for kolaybi)
        #[arg(long)]
        channel: Option<String>,
    },
    /// List connections with pending changes and open conflicts
    List,
    /// Log in with the stored (or given) token
    Test {
        name: String,
        #[arg(long, env = "RAF_SYNC_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Remove a connection, its links, queue and token
    Rm { name: String },
    /// List the remote's products matching filters (stokdurumu: text, sku, active,
    /// low-stock; KolayBi: text, sku, barcode, name, type, group)
    Search {
        name: String,
        #[command(flatten)]
        filters: SearchFilters,
        #[arg(long, env = "RAF_SYNC_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
}

#[derive(Args)]
pub struct SearchFilters {
    /// General search (stokdurumu: by name; KolayBi: full text)
    #[arg(long)]
    text: Option<String>,
    /// Product code (SKU)
    #[arg(long)]
    sku: Option<String>,
    #[arg(long)]
    barcode: Option<String>,
    /// Product name (the id differs from the connection's `name`)
    #[arg(long = "name", id = "product_name")]
    product_name: Option<String>,
    /// Active products only
    #[arg(long, conflicts_with = "passive")]
    active: bool,
    /// Passive products only
    #[arg(long)]
    passive: bool,
    /// Products at or below their minimum stock
    #[arg(long)]
    low_stock: bool,
    /// Product type: good or service
    #[arg(long = "type")]
    kind: Option<String>,
    /// Product group
    #[arg(long)]
    group: Option<String>,
}

impl SearchFilters {
    fn search(self) -> RemoteSearch {
        let active = match (self.active, self.passive) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        let SearchFilters { text, sku, barcode, product_name, low_stock, kind, group, .. } = self;
        RemoteSearch { text, sku, barcode, name: product_name, active, low_stock, kind, group }
    }
}

#[derive(Args)]
pub struct SyncArgs {
    /// The connection [default: every connection]
    pub name: Option<String>,
    /// Pull and plan only: change nothing here or there
    #[arg(long)]
    pub dry_run: bool,
    /// API token for this run (else the keychain's)
    #[arg(long, env = "RAF_SYNC_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Seconds before a request is given up
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Subcommand)]
pub enum ConflictsCmd {
    /// Open conflicts (both values shown)
    List { name: Option<String> },
    /// Keep one side's value
    Resolve {
        id: i64,
        #[arg(long, value_enum)]
        keep: Keep,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Keep {
    Local,
    Remote,
}

fn direction(text: &str) -> Result<Direction, String> {
    Direction::parse(text).map_err(|e| e.to_string())
}

fn plan(text: &str) -> std::result::Result<Plan, String> {
    Plan::parse(text).map_err(|e| e.to_string())
}

pub fn connection(conn: &mut Connection, cmd: ConnectionCmd, out: &Out) -> Result<()> {
    match cmd {
        ConnectionCmd::Add { name, kind, url, token, products, orders, no_push_stock, price_groups, batch_size, plan, channel } => {
            let defaults = Settings::default();
            let settings = Settings {
                products,
                orders,
                push_stock: !no_push_stock,
                price_groups: match price_groups {
                    Some(text) => Settings::parse_price_groups(&text)?,
                    None => defaults.price_groups,
                },
                batch_size,
                plan,
                channel,
            };
            let new = NewConnection { name, kind: Kind::parse(&kind)?, base_url: url, settings };
            let info = sync::add_connection(conn, &new, &token)?;
            out.message(&info, &format!("connection {} added ({}); token stored in the keychain", info.name, info.base_url))
        }
        ConnectionCmd::List => {
            let list = sync::connections(conn)?;
            let text: Vec<String> = list.iter().map(describe).collect();
            out.message(&list, &if text.is_empty() { "no connections".to_owned() } else { text.join("\n") })
        }
        ConnectionCmd::Test { name, token } => {
            sync::test_connection(conn, &name, &RunOptions { token, ..RunOptions::default() })?;
            out.message(&serde_json::json!({ "connection": name, "ok": true }), &format!("{name}: login ok"))
        }
        ConnectionCmd::Search { name, filters, token } => {
            let hits = sync::search_remote(conn, &name, &filters.search(), &RunOptions { token, ..RunOptions::default() })?;
            let text: Vec<String> = hits.iter().map(hit_line).collect();
            out.message(&hits, &if text.is_empty() { "no matching products".to_owned() } else { text.join("\n") })
        }
        ConnectionCmd::Rm { name } => {
            sync::remove_connection(conn, &name)?;
            out.message(&serde_json::json!({ "removed": name }), &format!("connection {name} removed"))
        }
    }
}

/// SKU, name, stock and price, tab-separated (`-` when the remote gives none).
fn hit_line(h: &RemoteHit) -> String {
    let or_dash = |d: Option<rust_decimal::Decimal>| d.map_or("-".to_owned(), |d| d.normalize().to_string());
    format!("{}\t{}\t{}\t{}", h.sku, h.name, or_dash(h.stock), or_dash(h.price))
}

fn describe(c: &ConnectionInfo) -> String {
    format!(
        "{}\t{}\t{}\tproducts {:?}, orders {:?}\t{} pending\t{} conflicts",
        c.name,
        c.kind.as_str(),
        c.base_url,
        c.settings.products,
        c.settings.orders,
        c.pending,
        c.open_conflicts
    )
    .to_lowercase()
}

pub fn sync(conn: &mut Connection, args: SyncArgs, out: &Out) -> Result<()> {
    let names = match args.name {
        Some(name) => vec![name],
        None => sync::connections(conn)?.into_iter().map(|c| c.name).collect(),
    };
    let limits = sync::Limits { timeout: Duration::from_secs(args.timeout.max(1)), ..sync::Limits::default() };
    let options = RunOptions { dry_run: args.dry_run, token: args.token, limits, ..RunOptions::default() };
    let mut summaries = Vec::new();
    for name in names {
        summaries.push(progress::silent(|task| sync::run(conn, &name, &options, task))?);
    }
    let text: Vec<String> = summaries.iter().map(summary_text).collect();
    out.message(&summaries, &text.join("\n"))
}

fn summary_text(s: &RunSummary) -> String {
    let c = &s.counts;
    let mut text = format!(
        "{}: {}{}\n  pulled {} products, {} variants, {} orders\n  local: {} created, {} prices, {} stock changes, {} orders recorded\n  \
         remote: {} items pushed, {} created, {} statuses, {} deleted, {} orders created; {} failed, {} unconfirmed\n  \
         {} conflicts ({} products gone from the remote), {} requests",
        s.connection,
        s.status,
        if s.dry_run { " (dry run: nothing written)" } else { "" },
        c.products_pulled,
        c.variants_pulled,
        c.orders_pulled,
        c.created_locally,
        c.prices_applied,
        c.stock_applied,
        c.orders_recorded,
        c.items_pushed,
        c.created_remotely,
        c.statuses_pushed,
        c.deleted_remotely,
        c.orders_created_remotely,
        c.push_failed,
        c.unconfirmed,
        c.conflicts,
        c.gone_remotely,
        c.requests
    );
    for line in s.log.iter().filter(|l| l.level != "info") {
        text.push_str(&format!("\n  {}: {}", line.level, line.message));
    }
    text
}

pub fn conflicts(conn: &mut Connection, cmd: ConflictsCmd, out: &Out) -> Result<()> {
    match cmd {
        ConflictsCmd::List { name } => {
            let list = sync::conflicts(conn, name.as_deref())?;
            let text: Vec<String> = list
                .iter()
                .map(|c| format!("#{}\t{}\t{}\t{}\tRaf {}\tremote {}\tbase {}", c.id, c.connection, c.sku, c.field, c.local, c.remote, c.base))
                .collect();
            out.message(&list, &if text.is_empty() { "no conflicts".to_owned() } else { text.join("\n") })
        }
        ConflictsCmd::Resolve { id, keep } => {
            let side = match keep {
                Keep::Local => Side::Local,
                Keep::Remote => Side::Remote,
            };
            let c = sync::resolve_conflict(conn, id, side)?;
            let kept = if side == Side::Local { "Raf's value kept; it is sent on the next sync" } else { "the remote's value taken" };
            out.message(&c, &format!("conflict #{id} ({} {}): {kept}", c.sku, c.field))
        }
    }
}
