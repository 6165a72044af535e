//! What the engine and the connectors exchange: remote items in Raf's terms, the writes
//! the engine asks for, and the `Connector` trait every remote API implements. Only the
//! connector modules (`sopyo.rs` ...) know an API's JSON.

use super::error::SyncError;
use crate::catalog::OptionValue;
use crate::orders::Cargo;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A sale and a list price in one price group (either may be unset).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPrice {
    pub sale: Option<Decimal>,
    pub list: Option<Decimal>,
}

/// Price group number -> price. Remote numbers in `Remote*`, local numbers in snapshots.
pub type Prices = BTreeMap<u8, GroupPrice>;

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteProduct {
    /// Sopyo's list rows may lack the id (doc §5.4); the engine then links by SKU.
    pub remote_id: Option<String>,
    pub sku: String,
    pub name: String,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    pub barcode: Option<String>,
    pub barcode2: Option<String>,
    pub brand: Option<String>,
    pub category: Option<String>,
    pub vat_rate: Option<Decimal>,
    pub desi: Option<Decimal>,
    pub currency: Option<String>,
    pub images: Vec<String>,
    pub stock: Option<Decimal>,
    pub prices: Prices,
    pub variants: Vec<RemoteVariant>,
    /// More fields synced like the text fields, when the remote has them (see
    /// `Capabilities::text_fields`): `active` (`true`/`false`), `tags` (names, sorted,
    /// joined by `, `).
    pub extra: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteVariant {
    pub remote_id: Option<String>,
    pub sku: String,
    pub barcode: Option<String>,
    pub stock: Option<Decimal>,
    pub options: Vec<OptionValue>,
    pub prices: Prices,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteOrderLine {
    pub sku: String,
    pub variant_sku: Option<String>,
    pub quantity: Decimal,
    pub total_price: Decimal,
    pub commission_price: Decimal,
    pub marketplace_id: Option<String>,
    pub marketplace_product_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteOrder {
    pub remote_id: String,
    pub code: String,
    pub order_type: Option<String>,
    pub marketplace: Option<String>,
    /// 0..4; 0 (seen in Sopyo's create doc) is read as 1, awaiting approval.
    pub status: i64,
    pub order_date: Option<String>,
    pub customer: Value,
    pub shipping: Value,
    pub billing: Value,
    pub cargo: Cargo,
    pub lines: Vec<RemoteOrderLine>,
}

/// Filters of a remote's product list (`raf connection search`). Each remote maps only
/// the filters its API has; any other set filter is refused (`SyncError::FilterUnsupported`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteSearch {
    /// General search: stokdurumu `q` (by name), KolayBi `full_text_search`.
    pub text: Option<String>,
    /// The product code: stokdurumu `sku`, KolayBi `code`.
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub name: Option<String>,
    /// Active (`true`) or passive products only: stokdurumu `status`.
    pub active: Option<bool>,
    /// Only products at or below their minimum stock: stokdurumu `low_stock`.
    pub low_stock: bool,
    /// KolayBi `type`: `good` or `service`.
    pub kind: Option<String>,
    /// KolayBi `group`.
    pub group: Option<String>,
}

impl RemoteSearch {
    /// The names of the filters set, as the CLI spells them.
    pub fn filters_set(&self) -> Vec<&'static str> {
        let set = [
            ("text", self.text.is_some()),
            ("sku", self.sku.is_some()),
            ("barcode", self.barcode.is_some()),
            ("name", self.name.is_some()),
            ("active", self.active.is_some()),
            ("low_stock", self.low_stock),
            ("type", self.kind.is_some()),
            ("group", self.group.is_some()),
        ];
        set.into_iter().filter(|(_, on)| *on).map(|(name, _)| name).collect()
    }

    /// Refuses the filters set that `remote` has no parameter for.
    pub fn only(&self, remote: &str, supported: &[&str]) -> Result<(), SyncError> {
        match self.filters_set().into_iter().find(|f| !supported.contains(f)) {
            Some(filter) => Err(SyncError::FilterUnsupported { remote: remote.to_owned(), filter: filter.to_owned() }),
            None => Ok(()),
        }
    }
}

/// One page of a paged full scan (no API offers "changed since").
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub last_page: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Product,
    Variant,
}

/// A stock write: the quantity the remote must end at, and the change that gets it there
/// from the last quantity the remote confirmed. An API with absolute writes sends
/// `target`; a delta-only API sends `delta` and reads back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StockWrite {
    pub target: Decimal,
    pub delta: Decimal,
}

/// Stock and prices for one product or variant, addressed by SKU (remote price groups).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemWrite {
    pub sku: String,
    pub kind: ItemKind,
    pub remote_id: Option<String>,
    pub stock: Option<StockWrite>,
    pub prices: Prices,
}

/// The per-item result of a batch write; only failures are retried.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOutcome {
    Done,
    /// The remote said no: not applied, safe to send again later.
    Failed(String),
    /// The answer did not mention the item: read back before sending again.
    Unknown,
}

/// How an API writes stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StockWrites {
    /// Sopyo `/process/stock`: the remote quantity becomes the value sent (safe to repeat).
    Absolute,
    /// stokdurumu `POST /stock {add|sub|set}`: set is absolute, add/sub are not.
    Verified,
    /// KolayBi `stock_histories`: deltas only, never blindly repeated; read back.
    DeltaOnly,
}

#[derive(Debug, Clone, Serialize)]
pub struct Capabilities {
    pub stock_writes: StockWrites,
    /// Price groups the remote has (Sopyo 10, the others 1).
    pub price_groups: u8,
    pub variants: bool,
    pub orders: bool,
    /// Items per batch write.
    pub batch_size: usize,
    /// Requests a day, when the plan limits them (stokdurumu).
    pub daily_quota: Option<u32>,
    /// The product fields synced as text (`name`, `barcode`, `subtitle`, `description`,
    /// `category`, `active`, `tags`) that the remote has.
    #[serde(skip)]
    pub text_fields: &'static [&'static str],
}

/// A new product for the remote, with its variants (Sopyo creates them inline).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRemoteProduct {
    pub product: RemoteProduct,
    /// The colour of the product's category in Raf, for a category the remote lacks.
    pub category_color: Option<String>,
}

/// One change in a remote's stock history (stokdurumu `GET /stock`).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: i64,
    pub old_qty: Decimal,
    pub new_qty: Decimal,
    pub reason: Option<String>,
    /// Written by Raf's own stock writes (already in Raf's ledger).
    pub own: bool,
}

/// A remote API. Every method is one logical operation; the connector handles login,
/// re-login on 401, retries of safe requests and the API's JSON quirks. Writes whose
/// outcome is unknown fail with `SyncError::Ambiguous`: the engine reads back.
#[allow(async_fn_in_trait)]
pub trait Connector {
    fn capabilities(&self) -> Capabilities;
    /// Logs in (or checks the static key): `raf connection test`.
    async fn check(&mut self) -> Result<(), SyncError>;
    async fn products_page(&mut self, page: u32) -> Result<Page<RemoteProduct>, SyncError>;
    async fn orders_page(&mut self, page: u32) -> Result<Page<RemoteOrder>, SyncError>;
    /// Batch write of stock and prices; per-item outcomes keyed by SKU.
    async fn write_items(&mut self, items: &[ItemWrite]) -> Result<Vec<(String, ItemOutcome)>, SyncError>;
    /// Creates a product (with its variants); returns its remote id. Not safe to repeat:
    /// after `Ambiguous`, call `find_product` first.
    async fn create_product(&mut self, product: &NewRemoteProduct) -> Result<String, SyncError>;
    /// The remote id of the product with this SKU, if any (read-back after a create).
    async fn find_product(&mut self, sku: &str) -> Result<Option<String>, SyncError>;
    /// Adds or updates one variant of a remote product (upsert by SKU: safe to repeat).
    async fn upsert_variant(&mut self, product_remote_id: &str, variant: &RemoteVariant) -> Result<String, SyncError>;
    async fn set_order_status(&mut self, remote_id: &str, status: i64) -> Result<(), SyncError>;
    /// Sets these text fields of a remote product (`name`, `barcode`, `subtitle`,
    /// `description`; `None` clears). A partial update: safe to repeat.
    async fn update_product(&mut self, remote_id: &str, fields: &std::collections::BTreeMap<String, Option<String>>) -> Result<(), SyncError>;
    /// The product with this SKU, read by a filtered list (one request): the read-back
    /// after an unclear write, instead of a full scan. `None` when the remote cannot
    /// look a product up by SKU.
    async fn product_by_sku(&mut self, _sku: &str) -> Result<Option<Option<RemoteProduct>>, SyncError> {
        Ok(None)
    }
    /// One page of the remote's product list filtered by `search` (page 1 first); `None`
    /// when the remote has no filtered list.
    async fn search_products(&mut self, _search: &RemoteSearch, _page: u32) -> Result<Option<Page<RemoteProduct>>, SyncError> {
        Ok(None)
    }
    /// Deletes a product. `Ok(false)` when the remote cannot delete products; a product
    /// already gone counts as deleted (safe to repeat).
    async fn delete_product(&mut self, _remote_id: &str) -> Result<bool, SyncError> {
        Ok(false)
    }
    /// The product's stock history, oldest first, when the remote keeps one.
    async fn stock_history(&mut self, _remote_id: &str) -> Result<Option<Vec<HistoryEntry>>, SyncError> {
        Ok(None)
    }
    /// The remote's categories with their colours, when it has coloured categories.
    async fn category_colors(&mut self) -> Result<Vec<(String, Option<String>)>, SyncError> {
        Ok(Vec::new())
    }
    /// Deletes a variant of a product; as `delete_product`.
    async fn delete_variant(&mut self, _product_remote_id: &str, _remote_id: &str) -> Result<bool, SyncError> {
        Ok(false)
    }
    /// Creates an order made in Raf; its remote id, `None` when the remote has no order
    /// create. Not safe to repeat: after `Ambiguous`, call `find_order` first.
    async fn create_order(&mut self, _order: &RemoteOrder) -> Result<Option<String>, SyncError> {
        Ok(None)
    }
    /// The remote id of the order with this code (read-back after a create).
    async fn find_order(&mut self, _code: &str) -> Result<Option<String>, SyncError> {
        Ok(None)
    }
    /// Every (remote id, name) of the remote's `category` or `brand` resource; `None` when
    /// it has no such resource.
    async fn names(&mut self, _kind: &str) -> Result<Option<Vec<(String, String)>>, SyncError> {
        Ok(None)
    }
    /// The remote id of the `category` or `brand` named `name`, created when missing (found
    /// by name first, so a repeat after an unclear answer does not create it twice).
    async fn ensure_name(&mut self, kind: &str, name: &str) -> Result<String, SyncError> {
        Err(SyncError::BadResponse { what: format!("{kind} {name}"), reason: "the remote has no such resource".into() })
    }
    /// The remote's option axes: (group name, value names). Empty when it has none.
    async fn option_groups(&mut self) -> Result<Vec<(String, Vec<String>)>, SyncError> {
        Ok(Vec::new())
    }
    /// Tag names per remote product id (a full read of the remote's tags), `None` when the
    /// remote has no tags. Read before each products pull; the `tags` product field.
    async fn product_tags(&mut self) -> Result<Option<std::collections::HashMap<String, Vec<String>>>, SyncError> {
        Ok(None)
    }
    /// Requests sent so far (retries and logins included).
    fn requests(&self) -> u64;
    /// The day's request budget after the requests sent, when the plan has a quota.
    fn quota(&self) -> Option<&super::quota::Budget> {
        None
    }
}

/// Tag names as one synced value: sorted, one a line (each side lists them in its own
/// order, and a tag name may hold a comma); `None` for no tags.
pub fn join_tags(mut names: Vec<String>) -> Option<String> {
    names.retain(|n| !n.trim().is_empty());
    names.sort();
    names.dedup();
    (!names.is_empty()).then(|| names.join("\n"))
}

pub fn split_tags(value: Option<&str>) -> Vec<String> {
    value.map(|v| v.lines().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}
