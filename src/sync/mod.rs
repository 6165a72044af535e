//! Sync with remote shops. A *connection* is one remote account (Sopyo today; stokdurumu
//! and KolayBi next) with its own links, outbox and merge bases. A *run* logs in, pulls
//! (a paged full scan), links by SKU, applies remote changes locally (stock as `sync`
//! movements), pushes the outbox, and records what it did. See ARCHITECTURE.md, "Sync".
//!
//! The API for fronts (CLI, desktop): connections CRUD and `test_connection`, `run` with a
//! `progress::Task` (steps + cancel), `last_run` / `runs`, `conflicts` / `resolve_conflict`,
//! `pending_count`. All take a `rusqlite::Connection`; `run` blocks its thread (the desktop
//! calls it from a blocking task) and drives the HTTP side on a runtime of its own.

mod engine;
mod error;
mod http;
pub mod kolaybi;
mod lenient;
mod model;
pub(crate) mod outbox;
pub mod quota;
mod secrets;
pub mod sopyo;
pub mod stokdurumu;
mod store;

pub use error::SyncError;
pub use http::{redact, Limits};
pub use model::{Capabilities, RemoteSearch, StockWrites};
pub use quota::{Clock, Plan};
pub use store::{Conflict, LogLine, RunCounts, RunSummary};

use crate::error::Result;
use crate::progress::Task;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// Which way an entity flows between Raf and the remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Off,
    Pull,
    Push,
    Both,
}

impl Direction {
    pub fn pulls(self) -> bool {
        matches!(self, Direction::Pull | Direction::Both)
    }

    pub fn pushes(self) -> bool {
        matches!(self, Direction::Push | Direction::Both)
    }

    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_value(serde_json::Value::String(text.trim().to_ascii_lowercase()))
            .map_err(|_| crate::Error::invalid("direction", format!("{text}: expected off, pull, push or both")))
    }
}

/// What a connection syncs and how. Stored as JSON (no secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Settings {
    /// Products, variants, prices and stock.
    pub products: Direction,
    /// Orders: pulled into local orders; local status changes pushed.
    pub orders: Direction,
    /// Whether local stock changes are sent (prices still are).
    pub push_stock: bool,
    /// `[local group, remote group]` pairs; groups not listed are not synced.
    pub price_groups: Vec<[u8; 2]>,
    /// Items per batch write.
    pub batch_size: usize,
    /// The remote's plan, for its daily request quota (stokdurumu).
    pub plan: Plan,
    /// KolayBi's `Channel` header value (issued by KolayBi; not a secret).
    pub channel: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            products: Direction::Both,
            orders: Direction::Pull,
            push_stock: true,
            price_groups: (1..=10).map(|g| [g, g]).collect(),
            batch_size: sopyo::BATCH_SIZE,
            plan: Plan::default(),
            channel: None,
        }
    }
}

impl Settings {
    /// Parses `1=1,2=3` (local=remote) into the price group map.
    pub fn parse_price_groups(text: &str) -> Result<Vec<[u8; 2]>> {
        text.split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|pair| {
                let bad = || crate::Error::invalid("price_groups", format!("{pair}: expected local=remote, e.g. 1=1,2=3 (groups 1..10)"));
                let (l, r) = pair.split_once('=').ok_or_else(bad)?;
                let group = |s: &str| s.trim().parse::<u8>().ok().filter(|g| (1..=10).contains(g)).ok_or_else(bad);
                Ok([group(l)?, group(r)?])
            })
            .collect()
    }
}

/// Supported remote kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Sopyo,
    Stokdurumu,
    Kolaybi,
}

impl Kind {
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sopyo" => Ok(Kind::Sopyo),
            "stokdurumu" => Ok(Kind::Stokdurumu),
            "kolaybi" => Ok(Kind::Kolaybi),
            other => Err(SyncError::UnknownKind(other.to_owned()).into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sopyo => "sopyo",
            Kind::Stokdurumu => "stokdurumu",
            Kind::Kolaybi => "kolaybi",
        }
    }

    pub fn default_url(self) -> &'static str {
        match self {
            Kind::Sopyo => sopyo::DEFAULT_URL,
            Kind::Stokdurumu => stokdurumu::DEFAULT_URL,
            Kind::Kolaybi => kolaybi::DEFAULT_URL,
        }
    }
}

/// A connection as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ConnectionInfo {
    pub id: i64,
    pub name: String,
    pub kind: Kind,
    pub base_url: String,
    pub settings: Settings,
    pub created_at: String,
    /// Local changes waiting to be pushed.
    pub pending: u64,
    pub open_conflicts: u64,
}

#[derive(Debug, Clone)]
pub struct NewConnection {
    pub name: String,
    pub kind: Kind,
    /// The kind's documented URL when `None`.
    pub base_url: Option<String>,
    pub settings: Settings,
}

/// How a run goes.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Pull and plan only: nothing is written locally or remotely.
    pub dry_run: bool,
    /// The API token for this run only (scripts: `RAF_SYNC_TOKEN`); else the keychain's.
    pub token: Option<String>,
    pub limits: Limits,
    /// The clock the quota day is read from (fixed in tests).
    pub clock: Clock,
}

/// Adds a connection and stores its token in the keychain (the token never reaches SQLite).
pub fn add_connection(conn: &mut Connection, new: &NewConnection, token: &str) -> Result<ConnectionInfo> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(crate::Error::invalid("name", "a connection needs a name of 1 to 64 characters"));
    }
    if token.trim().is_empty() {
        return Err(crate::Error::invalid("token", "the API token is empty"));
    }
    if new.kind == Kind::Kolaybi && new.settings.channel.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(crate::Error::invalid("channel", "KolayBi needs its Channel value (from api.support@kolaybi.com)"));
    }
    let url = new.base_url.as_deref().unwrap_or(new.kind.default_url()).trim().trim_end_matches('/').to_owned();
    http::Http::new(&url, Limits::default())?;
    store::insert_connection(conn, name, new.kind, &url, &new.settings)?;
    if let Err(e) = secrets::store(name, token.trim()) {
        store::delete_connection(conn, name)?;
        return Err(e.into());
    }
    connection(conn, name)
}

pub fn connections(conn: &Connection) -> Result<Vec<ConnectionInfo>> {
    store::connections(conn)
}

pub fn connection(conn: &Connection, name: &str) -> Result<ConnectionInfo> {
    store::connections(conn)?.into_iter().find(|c| c.name == name.trim()).ok_or_else(|| SyncError::ConnectionNotFound(name.trim().to_owned()).into())
}

pub fn update_settings(conn: &mut Connection, name: &str, settings: &Settings) -> Result<ConnectionInfo> {
    store::update_settings(conn, connection(conn, name)?.id, settings)?;
    connection(conn, name)
}

/// Removes the connection, its links, outbox, conflicts and runs, and its token.
pub fn remove_connection(conn: &mut Connection, name: &str) -> Result<()> {
    let info = connection(conn, name)?;
    store::delete_connection(conn, &info.name)?;
    secrets::delete(&info.name)?;
    Ok(())
}

/// Logs in with the stored (or given) token: `Ok` when the remote accepts it.
pub fn test_connection(conn: &Connection, name: &str, options: &RunOptions) -> Result<()> {
    let info = connection(conn, name)?;
    engine::test(&info, &token_for(&info, options)?, options)
}

/// Runs a sync of connection `name`, reporting steps to `task` (cancel stops between
/// steps). Returns the run's summary; the same summary is kept (`last_run`).
pub fn run(conn: &mut Connection, name: &str, options: &RunOptions, task: &Task) -> Result<RunSummary> {
    let info = connection(conn, name)?;
    let token = token_for(&info, options)?;
    engine::run(conn, &info, &token, options, task)
}

/// One product the remote holds, as `search_remote` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteHit {
    pub remote_id: Option<String>,
    pub sku: String,
    pub name: String,
    pub barcode: Option<String>,
    pub stock: Option<rust_decimal::Decimal>,
    /// The sale price of the remote's first price group.
    pub price: Option<rust_decimal::Decimal>,
}

/// The remote's products matching `search`, every page of its filtered list (a shop
/// owner checks what the remote holds for a code). stokdurumu's requests count against
/// the day's quota like a run's.
pub fn search_remote(conn: &mut Connection, name: &str, search: &RemoteSearch, options: &RunOptions) -> Result<Vec<RemoteHit>> {
    let info = connection(conn, name)?;
    let token = token_for(&info, options)?;
    let rt = engine::runtime()?;
    match info.kind {
        Kind::Sopyo => Ok(rt.block_on(search_all(&mut engine::sopyo(&info, &token, options)?, "Sopyo", search))?),
        Kind::Kolaybi => Ok(rt.block_on(search_all(&mut engine::kolaybi(&info, &token, options)?, "KolayBi", search))?),
        Kind::Stokdurumu => {
            let budget = info.settings.plan.daily_quota().map(|limit| quota::load(conn, info.id, limit, options.clock)).transpose()?;
            let mut remote = engine::stokdurumu(&info, &token, options, budget)?;
            let found = rt.block_on(search_all(&mut remote, "stokdurumu", search));
            if let Some(budget) = model::Connector::quota(&remote) {
                crate::db::write(conn, |tx| quota::save(tx, info.id, budget))?;
            }
            Ok(found?)
        }
    }
}

async fn search_all<K: model::Connector>(remote: &mut K, kind: &str, search: &RemoteSearch) -> std::result::Result<Vec<RemoteHit>, SyncError> {
    let mut hits = Vec::new();
    let mut page = 1;
    loop {
        let Some(found) = remote.search_products(search, page).await? else {
            return Err(SyncError::FilterUnsupported { remote: kind.to_owned(), filter: "any filter".into() });
        };
        hits.extend(found.items.into_iter().map(|p| RemoteHit {
            price: p.prices.values().next().and_then(|g| g.sale),
            remote_id: p.remote_id,
            sku: p.sku,
            name: p.name,
            barcode: p.barcode,
            stock: p.stock,
        }));
        if page >= found.last_page {
            return Ok(hits);
        }
        page += 1;
    }
}

/// Local changes waiting to be pushed, for one connection or all.
pub fn pending_count(conn: &Connection, name: Option<&str>) -> Result<u64> {
    let id = name.map(|n| connection(conn, n).map(|c| c.id)).transpose()?;
    store::pending_count(conn, id)
}

pub fn last_run(conn: &Connection, name: &str) -> Result<Option<RunSummary>> {
    Ok(store::runs(conn, connection(conn, name)?.id, 1)?.into_iter().next())
}

pub fn runs(conn: &Connection, name: &str, limit: u32) -> Result<Vec<RunSummary>> {
    store::runs(conn, connection(conn, name)?.id, limit)
}

/// Open conflicts, of one connection or all.
pub fn conflicts(conn: &Connection, name: Option<&str>) -> Result<Vec<Conflict>> {
    let id = name.map(|n| connection(conn, n).map(|c| c.id)).transpose()?;
    store::open_conflicts(conn, id)
}

/// Which value a conflict keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Keep Raf's value; the next run sends it.
    Local,
    /// Take the remote's value now (stock as a `sync` movement).
    Remote,
}

pub fn resolve_conflict(conn: &mut Connection, id: i64, side: Side) -> Result<Conflict> {
    engine::resolve(conn, id, side)
}

fn token_for(info: &ConnectionInfo, options: &RunOptions) -> Result<String> {
    if let Some(token) = options.token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(token.to_owned());
    }
    Ok(secrets::load(&info.name)?.ok_or_else(|| SyncError::TokenMissing(info.name.clone()))?)
}
