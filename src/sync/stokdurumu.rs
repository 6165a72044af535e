//! stokdurumu.com API v1 (`shared/api/stokdurumu.md`): the only file that knows its JSON.
//! A static `sk_` key on every call, one price, no variants or orders, categories by name
//! on read and by id on write, stock through `POST /stock` add/sub/set. Every request
//! spends the plan's daily quota (see `quota.rs`): stock work at `Priority::Stock`.

use super::error::SyncError;
use super::http::{Body, Http, Limits, Repeat, Reply};
use super::lenient::{bad, decimal, encode, text};
use super::model::*;
use super::quota::{Budget, Priority};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

pub const DEFAULT_URL: &str = "https://stokdurumu.com/api/v1";
/// The documented maximum page size.
const PAGE_LIMIT: u32 = 100;
/// stokdurumu has one price: Raf's group 1 maps onto it.
const PRICE_GROUP: u8 = 1;
/// The reason Raf's stock changes carry, which tells them apart in the stock history.
const REASON: &str = "Raf sync";
/// A new category's colour when Raf's category has none.
const NEUTRAL_COLOR: &str = "#6c757d";

pub struct Stokdurumu {
    http: Http,
    key: String,
    categories: HashMap<String, i64>,
}

impl Stokdurumu {
    pub fn new(base_url: &str, key: &str, limits: Limits, quota: Option<Budget>) -> Result<Self, SyncError> {
        Ok(Stokdurumu { http: Http::new(base_url, limits)?.with_quota(quota), key: key.to_owned(), categories: HashMap::new() })
    }

    async fn call(&mut self, method: Method, path: &str, body: Option<&Value>, repeat: Repeat, priority: Priority) -> Result<Reply, SyncError> {
        let body = body.map_or(Body::Empty, Body::Json);
        let reply = self.http.send(method.clone(), path, Some(&self.key), body, repeat, priority).await?;
        expect_ok(reply, &format!("{method} /{path}"))
    }

    async fn get(&mut self, path: &str, priority: Priority) -> Result<Value, SyncError> {
        Ok(self.call(Method::GET, path, None, Repeat::Safe, priority).await?.body)
    }

    /// Every category with its colour; the ids are kept for writes (names on read, ids
    /// on write).
    async fn load_categories(&mut self) -> Result<Vec<(String, Option<String>)>, SyncError> {
        let body = self.get("categories", Priority::Catalog).await?;
        let mut all = Vec::new();
        for c in list(&body, "categories") {
            if let (Some(n), Some(id)) = (text(&c["name"]), c["id"].as_i64()) {
                self.categories.entry(n.clone()).or_insert(id);
                all.push((n, text(&c["color"])));
            }
        }
        Ok(all)
    }

    /// The id of the category named `name`, created (with Raf's colour) when missing.
    async fn category_id(&mut self, name: &str, color: Option<&str>) -> Result<i64, SyncError> {
        if let Some(id) = self.categories.get(name) {
            return Ok(*id);
        }
        self.load_categories().await?;
        if let Some(id) = self.categories.get(name) {
            return Ok(*id);
        }
        let body = json!({ "name": name, "color": color.unwrap_or(NEUTRAL_COLOR) });
        let created = self.call(Method::POST, "categories", Some(&body), Repeat::Once, Priority::Catalog).await?.body;
        let id = unwrap(&created, "category")["id"].as_i64().ok_or_else(|| bad("POST /categories", "no id"))?;
        self.categories.insert(name.to_owned(), id);
        Ok(id)
    }

    /// `GET /products?sku=` (the `sku` filter: one request instead of a scan). Stock
    /// priority: it is the read-back of stock writes.
    async fn by_sku(&mut self, sku: &str) -> Result<Option<RemoteProduct>, SyncError> {
        let body = self.get(&format!("products?sku={}&limit=1", encode(sku)), Priority::Stock).await?;
        Ok(list(&body, "products").iter().filter_map(read_product).find(|p| p.sku == sku))
    }

    /// One page of `GET /products`, `query` (`&name=value...`) narrowing the list.
    async fn list_page(&mut self, query: &str, page: u32) -> Result<Page<RemoteProduct>, SyncError> {
        let body = self.get(&format!("products?page={page}&limit={PAGE_LIMIT}{query}"), Priority::Catalog).await?;
        // A product without a SKU cannot be linked: Raf leaves it alone.
        let items: Vec<RemoteProduct> = list(&body, "products").iter().filter_map(read_product).collect();
        let pages = body["meta"]["pages"].as_u64().map(|p| p as u32);
        let last_page = match pages {
            Some(pages) => pages.max(page),
            None if list(&body, "products").len() < PAGE_LIMIT as usize => page,
            None => page + 1,
        };
        Ok(Page { items, last_page })
    }

    /// One item: the price first (a PUT, safe to repeat), then the stock change, so a
    /// refused price never leaves a stock change behind that a retry would repeat.
    async fn write_item(&mut self, item: &ItemWrite) -> Result<ItemOutcome, SyncError> {
        let Some(id) = item.remote_id.as_deref().filter(|id| !id.starts_with("sku:")) else {
            return Ok(ItemOutcome::Failed("stokdurumu has no variants; only products are synced".into()));
        };
        if let Some(sale) = item.prices.get(&PRICE_GROUP).and_then(|p| p.sale) {
            let body = json!({ "price": sale });
            match self.call(Method::PUT, &format!("products/{id}"), Some(&body), Repeat::Safe, Priority::Catalog).await {
                Ok(_) => {}
                Err(SyncError::Http { message, .. }) => return Ok(ItemOutcome::Failed(message)),
                Err(e) => return Err(e),
            }
        }
        let Some(stock) = item.stock.filter(|s| !s.delta.is_zero()) else { return Ok(ItemOutcome::Done) };
        // A sale is a `sub`, stock in an `add`: the remote merges them with its own
        // changes. No idempotency key: an unclear answer is read back, never resent.
        let action = if stock.delta.is_sign_negative() { "sub" } else { "add" };
        let body = json!({ "product_id": number(id), "action": action, "qty": stock.delta.abs(), "reason": REASON });
        match self.call(Method::POST, "stock", Some(&body), Repeat::Once, Priority::Stock).await {
            Ok(reply) => Ok(verify(&reply.body, stock)),
            Err(SyncError::Ambiguous { .. }) => Ok(ItemOutcome::Unknown),
            Err(SyncError::Http { message, .. }) => Ok(ItemOutcome::Failed(message)),
            Err(e) => Err(e),
        }
    }
}

/// `old_qty`/`new_qty` must show the change applied; a different `old_qty` means the
/// remote moved meanwhile, which the next pull merges. Anything else: read back.
fn verify(body: &Value, stock: StockWrite) -> ItemOutcome {
    match (decimal(&body["old_qty"]), decimal(&body["new_qty"])) {
        (Some(old), Some(new)) if new - old == stock.delta => ItemOutcome::Done,
        // Applied somehow, but not as sent: never resend blindly, read back.
        _ => ItemOutcome::Unknown,
    }
}

impl Connector for Stokdurumu {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            stock_writes: StockWrites::Verified,
            price_groups: 1,
            variants: false,
            orders: false,
            batch_size: PAGE_LIMIT as usize,
            daily_quota: self.http.quota().map(|q| q.limit),
            text_fields: &["name", "category", "active"],
        }
    }

    async fn check(&mut self) -> Result<(), SyncError> {
        self.get("products?page=1&limit=1", Priority::Stock).await.map(|_| ())
    }

    async fn products_page(&mut self, page: u32) -> Result<Page<RemoteProduct>, SyncError> {
        self.list_page("", page).await
    }

    /// `GET /products` with `q`, `sku`, `status` and `low_stock`, paged like the full scan.
    async fn search_products(&mut self, search: &RemoteSearch, page: u32) -> Result<Option<Page<RemoteProduct>>, SyncError> {
        search.only("stokdurumu", &["text", "name", "sku", "active", "low_stock"])?;
        if search.text.is_some() && search.name.is_some() {
            // Both would be `q` (search by name): one of them.
            return Err(SyncError::FilterUnsupported { remote: "stokdurumu".into(), filter: "text with name".into() });
        }
        let mut query = String::new();
        if let Some(q) = search.text.as_ref().or(search.name.as_ref()) {
            query += &format!("&q={}", encode(q));
        }
        if let Some(sku) = &search.sku {
            query += &format!("&sku={}", encode(sku));
        }
        if let Some(active) = search.active {
            query += if active { "&status=active" } else { "&status=inactive" };
        }
        if search.low_stock {
            query += "&low_stock=true";
        }
        self.list_page(&query, page).await.map(Some)
    }

    async fn orders_page(&mut self, page: u32) -> Result<Page<RemoteOrder>, SyncError> {
        Ok(Page { items: Vec::new(), last_page: page })
    }

    async fn write_items(&mut self, items: &[ItemWrite]) -> Result<Vec<(String, ItemOutcome)>, SyncError> {
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            match self.write_item(item).await {
                Ok(outcome) => outcomes.push((item.sku.clone(), outcome)),
                // Quota spent mid-batch: what was done is reported; the rest was not sent.
                Err(e @ SyncError::QuotaSpent { .. }) if !outcomes.is_empty() => {
                    let rest = items[outcomes.len()..].iter().map(|i| (i.sku.clone(), ItemOutcome::Failed(e.to_string())));
                    outcomes.extend(rest.collect::<Vec<_>>());
                    return Ok(outcomes);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(outcomes)
    }

    async fn create_product(&mut self, new: &NewRemoteProduct) -> Result<String, SyncError> {
        let p = &new.product;
        let mut body = json!({ "name": p.name, "sku": p.sku, "stock_qty": p.stock.unwrap_or_default() });
        if let Some(sale) = p.prices.get(&PRICE_GROUP).and_then(|g| g.sale) {
            body["price"] = json!(sale);
        }
        if let Some(category) = &p.category {
            body["category_id"] = json!(self.category_id(category, new.category_color.as_deref()).await?);
        }
        let reply = self.call(Method::POST, "products", Some(&body), Repeat::Once, Priority::Catalog).await?;
        let id = match text(&unwrap(&reply.body, "product")["id"]) {
            Some(id) => id,
            None => self.find_product(&p.sku).await?.ok_or_else(|| bad("POST /products", "created, but no product with its sku"))?,
        };
        // A create takes no status (the doc lists none): a passive product is set after.
        if let Some(Some(active)) = p.extra.get("active") {
            if active == "false" {
                let body = json!({ "status": "inactive" });
                self.call(Method::PUT, &format!("products/{id}"), Some(&body), Repeat::Safe, Priority::Catalog).await?;
            }
        }
        Ok(id)
    }

    async fn find_product(&mut self, sku: &str) -> Result<Option<String>, SyncError> {
        Ok(self.by_sku(sku).await?.and_then(|p| p.remote_id))
    }

    async fn product_by_sku(&mut self, sku: &str) -> Result<Option<Option<RemoteProduct>>, SyncError> {
        self.by_sku(sku).await.map(Some)
    }

    async fn upsert_variant(&mut self, _product_remote_id: &str, variant: &RemoteVariant) -> Result<String, SyncError> {
        Err(SyncError::Http { what: "variants".into(), status: 422, message: format!("{}: stokdurumu has no variants", variant.sku) })
    }

    async fn set_order_status(&mut self, _remote_id: &str, _status: i64) -> Result<(), SyncError> {
        Ok(())
    }

    /// A partial PUT of the name, the status and the category (by id; `category_color`
    /// colours a category created for it).
    async fn update_product(&mut self, remote_id: &str, fields: &BTreeMap<String, Option<String>>) -> Result<(), SyncError> {
        let mut body = json!({});
        if let Some(Some(name)) = fields.get("name") {
            body["name"] = json!(name);
        }
        if let Some(active) = fields.get("active") {
            body["status"] = json!(if active.as_deref() == Some("false") { "inactive" } else { "active" });
        }
        if let Some(category) = fields.get("category") {
            let color = fields.get("category_color").cloned().flatten();
            body["category_id"] = match category {
                Some(name) => json!(self.category_id(name, color.as_deref()).await?),
                None => Value::Null,
            };
        }
        if body.as_object().is_none_or(|b| b.is_empty()) {
            return Ok(());
        }
        self.call(Method::PUT, &format!("products/{remote_id}"), Some(&body), Repeat::Safe, Priority::Catalog).await.map(|_| ())
    }

    /// `DELETE /products/{id}`; a 404 means it is gone already (a repeat after a lost answer).
    async fn delete_product(&mut self, remote_id: &str) -> Result<bool, SyncError> {
        match self.call(Method::DELETE, &format!("products/{remote_id}"), None, Repeat::Safe, Priority::Catalog).await {
            Ok(_) | Err(SyncError::Http { status: 404, .. }) => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// `GET /stock?product_id=` (undocumented answer: `history`, `data` or an array).
    async fn stock_history(&mut self, remote_id: &str) -> Result<Option<Vec<HistoryEntry>>, SyncError> {
        let body = self.get(&format!("stock?product_id={}&limit={PAGE_LIMIT}", encode(remote_id)), Priority::Catalog).await?;
        let mut entries: Vec<HistoryEntry> = list(&body, "history")
            .iter()
            .filter_map(|h| {
                Some(HistoryEntry {
                    id: h["id"].as_i64()?,
                    old_qty: decimal(&h["old_qty"])?,
                    new_qty: decimal(&h["new_qty"])?,
                    reason: text(&h["reason"]),
                    own: text(&h["reason"]).as_deref() == Some(REASON),
                })
            })
            .collect();
        entries.sort_by_key(|e| e.id);
        Ok(Some(entries))
    }

    async fn category_colors(&mut self) -> Result<Vec<(String, Option<String>)>, SyncError> {
        self.load_categories().await
    }

    fn requests(&self) -> u64 {
        self.http.requests()
    }

    fn quota(&self) -> Option<&Budget> {
        self.http.quota()
    }
}

/// 402 (plan limit) and 403 (key without permission) get their own messages; the
/// remote's `{"error": ...}` text goes with every refusal.
fn expect_ok(reply: Reply, what: &str) -> Result<Reply, SyncError> {
    if reply.ok() {
        return Ok(reply);
    }
    let what = what.to_owned();
    let message = text(&reply.body["error"]).unwrap_or_else(|| reply.message());
    Err(match reply.status {
        StatusCode::UNAUTHORIZED => SyncError::Unauthorized,
        StatusCode::PAYMENT_REQUIRED => SyncError::PlanLimit { what, message },
        StatusCode::FORBIDDEN => SyncError::Forbidden { what, message },
        status => SyncError::Http { what, status: status.as_u16(), message },
    })
}

/// Undocumented bodies: a bare object, `{key: object}` or `{data: object}`.
fn unwrap<'a>(body: &'a Value, key: &str) -> &'a Value {
    body.get(key).or_else(|| body.get("data")).filter(|v| v.is_object()).unwrap_or(body)
}

/// A list under `key`, `data`, or a bare array.
fn list<'a>(body: &'a Value, key: &str) -> &'a [Value] {
    let found = if body.is_array() { body } else { body.get(key).or_else(|| body.get("data")).unwrap_or(&Value::Null) };
    found.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// Ids go back as the JSON numbers they came as.
fn number(id: &str) -> Value {
    id.parse::<i64>().map_or_else(|_| json!(id), |n| json!(n))
}

fn read_product(row: &Value) -> Option<RemoteProduct> {
    let price = decimal(&row["price"]);
    Some(RemoteProduct {
        remote_id: text(&row["id"]),
        sku: text(&row["sku"])?,
        name: text(&row["name"]).unwrap_or_default(),
        subtitle: None,
        description: None,
        barcode: None,
        barcode2: None,
        brand: None,
        category: text(&row["category"]),
        vat_rate: None,
        desi: None,
        currency: None,
        images: Vec::new(),
        stock: decimal(&row["stock_qty"]),
        prices: price.map(|sale| (PRICE_GROUP, GroupPrice { sale: Some(sale), list: None })).into_iter().collect(),
        variants: Vec::new(),
        extra: BTreeMap::from([("active".to_owned(), Some((text(&row["status"]).as_deref() != Some("inactive")).to_string()))]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn reads_the_documented_product() {
        let row = json!({ "id": 1, "name": "Laptop Çantası", "sku": "LPC-001", "category": "Aksesuar", "price": "299.90",
            "stock_qty": 47, "min_stock": 5, "unit": "adet", "status": "active", "updated_at": "2024-01-15 14:30:00" });
        let p = read_product(&row).unwrap();
        assert_eq!((p.remote_id.as_deref(), p.sku.as_str(), p.category.as_deref()), (Some("1"), "LPC-001", Some("Aksesuar")));
        assert_eq!(p.prices[&1].sale, Some(Decimal::from_str("299.9").unwrap()));
        assert_eq!(p.stock, Some(Decimal::from(47)));
        assert!(read_product(&json!({ "id": 2, "name": "no sku" })).is_none());
    }

    #[test]
    fn a_stock_answer_is_verified_against_the_change_sent() {
        let write = StockWrite { target: Decimal::from(44), delta: Decimal::from(-3) };
        let answer = json!({ "success": true, "product_id": 42, "action": "sub", "old_qty": 47, "new_qty": 44, "change_qty": -3 });
        assert_eq!(verify(&answer, write), ItemOutcome::Done);
        assert_eq!(verify(&json!({ "success": true }), write), ItemOutcome::Unknown);
    }
}
