//! KolayBi API v1 (`shared/api/kolaybi.md`): the only file that knows its JSON. An access
//! token from the API key (24 h), sent with the `Channel` header on every call; writes
//! form-encoded; one sale price; stock only as `stock_histories` movements (deltas, never
//! blindly repeated); an unpaginated product list that is probed for silent truncation.

use super::error::SyncError;
use super::http::{Body, Http, Limits, Repeat, Reply};
use super::lenient::{bad, decimal, encode, text};
use super::model::*;
use super::quota::Priority;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

pub const DEFAULT_URL: &str = "https://ofis-api.kolaybi.com/kolaybi/v1";
/// KolayBi has one sale price: Raf's group 1 maps onto it.
const PRICE_GROUP: u8 = 1;
/// Tokens live 24 h; renew an hour early.
const TOKEN_LIFE: Duration = Duration::from_secs(23 * 3600);
/// Pages probed at most when the list shows no pagination (kolaybi.md §3.6).
const MAX_PAGES: u32 = 1000;

pub struct KolayBi {
    http: Http,
    api_key: String,
    session: Option<(String, Instant)>,
    /// Names by remote id, from the pull: every product PUT must carry `name`.
    names: HashMap<String, String>,
    /// Ids seen by this scan, to spot pages that repeat (the list ignores `page`).
    seen: HashSet<String>,
    /// Tag ids by name (`GET /tags`), read once a run when tags are written.
    tags: Option<HashMap<String, i64>>,
}

impl KolayBi {
    pub fn new(base_url: &str, api_key: &str, channel: &str, limits: Limits) -> Result<Self, SyncError> {
        Ok(KolayBi {
            http: Http::new(base_url, limits)?.with_header("Channel", channel.trim()),
            api_key: api_key.to_owned(),
            session: None,
            names: HashMap::new(),
            seen: HashSet::new(),
            tags: None,
        })
    }

    /// `POST access_token {"api_key"}` -> `{"data": "<token>"}` (or `data.token` ...).
    async fn login(&mut self) -> Result<String, SyncError> {
        let body = json!({ "api_key": self.api_key });
        let reply = self.http.call(Method::POST, "access_token", None, Some(&body), Repeat::Safe).await?;
        if matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY) {
            return Err(SyncError::Unauthorized);
        }
        let reply = expect_ok(reply, "POST /access_token")?;
        let data = &reply.body["data"];
        let token = text(data)
            .or_else(|| text(&data["access_token"]))
            .or_else(|| text(&data["token"]))
            .ok_or_else(|| bad("POST /access_token", "no token in data"))?;
        self.session = Some((token.clone(), Instant::now() + TOKEN_LIFE));
        Ok(token)
    }

    async fn token(&mut self) -> Result<String, SyncError> {
        match &self.session {
            Some((token, renew_at)) if Instant::now() < *renew_at => Ok(token.clone()),
            _ => self.login().await,
        }
    }

    /// An authenticated call; a 401 means the token expired early: one new token, one retry.
    async fn call(&mut self, method: Method, path: &str, body: Body<'_>, repeat: Repeat, priority: Priority) -> Result<Reply, SyncError> {
        let what = format!("{method} /{path}");
        let token = self.token().await?;
        let mut reply = self.http.send(method.clone(), path, Some(&token), body, repeat, priority).await?;
        if reply.status == StatusCode::UNAUTHORIZED {
            self.session = None;
            let token = self.login().await?;
            reply = self.http.send(method, path, Some(&token), body, repeat, priority).await?;
            if reply.status == StatusCode::UNAUTHORIZED {
                return Err(SyncError::Unauthorized);
            }
        }
        expect_ok(reply, &what)
    }

    async fn get(&mut self, path: &str) -> Result<Value, SyncError> {
        Ok(self.call(Method::GET, path, Body::Empty, Repeat::Safe, Priority::Catalog).await?.body)
    }

    /// `GET /products?code=` (the `code` filter: one request instead of the whole list).
    async fn by_code(&mut self, code: &str) -> Result<Option<RemoteProduct>, SyncError> {
        let body = self.get(&format!("products?code={}", encode(code))).await?;
        let found = list(&body).iter().filter_map(read_product).find(|p| p.sku == code);
        if let Some((id, name)) = found.as_ref().and_then(|p| Some((p.remote_id.clone()?, p.name.clone()))) {
            self.names.insert(id, name);
        }
        Ok(found)
    }

    /// One page of `GET /products` narrowed by `query` (`name=value` pairs). Page 1 is
    /// the documented call without `page`; see `products_page`.
    async fn list_page(&mut self, query: &[String], page: u32) -> Result<Page<RemoteProduct>, SyncError> {
        if page == 1 {
            self.seen.clear();
        }
        let mut params = query.to_vec();
        if page > 1 {
            params.push(format!("page={page}"));
        }
        let path = if params.is_empty() { "products".to_owned() } else { format!("products?{}", params.join("&")) };
        let body = self.get(&path).await?;
        let rows = list(&body);
        let fresh: Vec<&Value> = rows.iter().filter(|r| text(&r["id"]).is_some_and(|id| !self.seen.contains(&id))).collect();
        let mut items = Vec::with_capacity(fresh.len());
        for row in fresh {
            let product = read_product(row).ok_or_else(|| bad("GET /products", "a product without code"))?;
            if let Some(id) = &product.remote_id {
                self.seen.insert(id.clone());
                self.names.insert(id.clone(), product.name.clone());
            }
            items.push(product);
        }
        let last_page = match last_page_of(&body) {
            Some(last) => last.max(page),
            None if items.is_empty() => page,
            None if page >= MAX_PAGES => {
                return Err(bad("GET /products", "the list kept bringing new products past the page cap; it may be truncated"))
            }
            None => page + 1,
        };
        Ok(Page { items, last_page })
    }

    /// The product's name, which every update must send (from the pull, else read).
    async fn name_of(&mut self, id: &str) -> Result<String, SyncError> {
        if let Some(name) = self.names.get(id) {
            return Ok(name.clone());
        }
        let body = self.get(&format!("products/{id}")).await?;
        let name = text(&data(&body)["name"]).ok_or_else(|| bad("GET /products/{id}", "no name"))?;
        self.names.insert(id.to_owned(), name.clone());
        Ok(name)
    }

    async fn put_product(&mut self, id: &str, mut fields: Vec<(String, String)>) -> Result<(), SyncError> {
        if !fields.iter().any(|(k, _)| k == "name") {
            fields.push(("name".into(), self.name_of(id).await?));
        }
        self.call(Method::PUT, &format!("products/{id}"), Body::Form(&fields), Repeat::Safe, Priority::Catalog).await.map(|_| ())
    }

    /// `tags[0]=id, tags[1]=...` for these tag names (`tags=` for none). KolayBi has no
    /// tag create endpoint: a name it lacks is refused with a message saying so.
    async fn tag_fields(&mut self, names: &[String]) -> Result<Vec<(String, String)>, SyncError> {
        if self.tags.is_none() {
            let body = self.get("tags").await?;
            let known = list(&body).iter().filter_map(|t| Some((text(&t["name"])?, t["id"].as_i64()?))).collect();
            self.tags = Some(known);
        }
        let known = self.tags.as_ref().expect("loaded above");
        if names.is_empty() {
            return Ok(vec![("tags".into(), String::new())]);
        }
        names
            .iter()
            .enumerate()
            .map(|(i, name)| match known.get(name) {
                Some(id) => Ok((format!("tags[{i}]"), id.to_string())),
                None => Err(SyncError::Http {
                    what: "PUT /products".into(),
                    status: 422,
                    message: format!("KolayBi has no tag named {name}; add it in KolayBi first (the API cannot create tags)"),
                }),
            })
            .collect()
    }

    /// The price first (safe to repeat), then one stock movement for the delta from the
    /// last confirmed remote quantity; an unclear movement is read back, never resent.
    async fn write_item(&mut self, item: &ItemWrite) -> Result<ItemOutcome, SyncError> {
        let Some(id) = item.remote_id.clone().filter(|id| !id.starts_with("sku:")) else {
            return Ok(ItemOutcome::Failed("KolayBi has no variants; only products are synced".into()));
        };
        if let Some(sale) = item.prices.get(&PRICE_GROUP).and_then(|p| p.sale) {
            match self.put_product(&id, vec![("price".into(), sale.to_string())]).await {
                Ok(()) => {}
                Err(SyncError::Http { message, .. }) => return Ok(ItemOutcome::Failed(message)),
                Err(e) => return Err(e),
            }
        }
        let Some(stock) = item.stock.filter(|s| !s.delta.is_zero()) else { return Ok(ItemOutcome::Done) };
        let direction = if stock.delta.is_sign_negative() { "-1" } else { "1" };
        let fields = [
            ("product_id".to_owned(), id),
            ("quantity".to_owned(), stock.delta.abs().to_string()),
            ("stock_flow_direction".to_owned(), direction.to_owned()),
            ("description".to_owned(), "Raf sync".to_owned()),
        ];
        match self.call(Method::POST, "stock_histories", Body::Form(&fields), Repeat::Once, Priority::Stock).await {
            Ok(_) => Ok(ItemOutcome::Done),
            Err(SyncError::Ambiguous { .. }) => Ok(ItemOutcome::Unknown),
            Err(SyncError::Http { message, .. }) => Ok(ItemOutcome::Failed(message)),
            Err(e) => Err(e),
        }
    }
}

impl Connector for KolayBi {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            stock_writes: StockWrites::DeltaOnly,
            price_groups: 1,
            variants: false,
            orders: false,
            batch_size: 100,
            daily_quota: None,
            text_fields: &["name", "barcode", "description", "tags"],
        }
    }

    async fn check(&mut self) -> Result<(), SyncError> {
        self.login().await.map(|_| ())
    }

    /// Page 1 is the documented call without parameters. With a `pagination`/`meta`
    /// block its numbers are followed; without one, `page=2, 3 ...` are probed until a
    /// page brings nothing new, so a list the server cut silently is still read whole.
    async fn products_page(&mut self, page: u32) -> Result<Page<RemoteProduct>, SyncError> {
        self.list_page(&[], page).await
    }

    /// The list's filters `code`, `barcode`, `name`, `type`, `group`, `full_text_search`,
    /// probed page by page like the full scan (a filtered list may be cut silently too).
    async fn search_products(&mut self, search: &RemoteSearch, page: u32) -> Result<Option<Page<RemoteProduct>>, SyncError> {
        search.only("KolayBi", &["text", "sku", "barcode", "name", "type", "group"])?;
        let filters = [
            ("code", &search.sku),
            ("barcode", &search.barcode),
            ("name", &search.name),
            ("type", &search.kind),
            ("group", &search.group),
            ("full_text_search", &search.text),
        ];
        let query: Vec<String> = filters.iter().filter_map(|(key, value)| Some(format!("{key}={}", encode(value.as_deref()?)))).collect();
        self.list_page(&query, page).await.map(Some)
    }

    async fn orders_page(&mut self, page: u32) -> Result<Page<RemoteOrder>, SyncError> {
        Ok(Page { items: Vec::new(), last_page: page })
    }

    async fn write_items(&mut self, items: &[ItemWrite]) -> Result<Vec<(String, ItemOutcome)>, SyncError> {
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            outcomes.push((item.sku.clone(), self.write_item(item).await?));
        }
        Ok(outcomes)
    }

    async fn create_product(&mut self, new: &NewRemoteProduct) -> Result<String, SyncError> {
        let p = &new.product;
        let mut fields = vec![
            ("name".to_owned(), p.name.clone()),
            ("code".to_owned(), p.sku.clone()),
            ("product_type".to_owned(), "good".to_owned()),
            ("quantity".to_owned(), p.stock.unwrap_or_default().to_string()),
        ];
        let optional = [
            ("barcode", p.barcode.clone()),
            ("description", p.description.clone()),
            ("vat_rate", p.vat_rate.map(|v| v.trunc().to_string())),
            ("price", p.prices.get(&PRICE_GROUP).and_then(|g| g.sale).map(|s| s.to_string())),
            ("price_currency", p.currency.as_ref().map(|c| c.to_ascii_uppercase())),
        ];
        fields.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))));
        let reply = self.call(Method::POST, "products", Body::Form(&fields), Repeat::Once, Priority::Catalog).await?;
        let id = match text(&data(&reply.body)["id"]) {
            Some(id) => id,
            None => self.find_product(&p.sku).await?.ok_or_else(|| bad("POST /products", "created, but no product with its code"))?,
        };
        self.names.insert(id.clone(), p.name.clone());
        // Tags go with an update only (the create doc lists none).
        let tags = split_tags(p.extra.get("tags").cloned().flatten().as_deref());
        if !tags.is_empty() {
            let fields = self.tag_fields(&tags).await?;
            self.put_product(&id, fields).await?;
        }
        Ok(id)
    }

    async fn find_product(&mut self, sku: &str) -> Result<Option<String>, SyncError> {
        Ok(self.by_code(sku).await?.and_then(|p| p.remote_id))
    }

    async fn product_by_sku(&mut self, sku: &str) -> Result<Option<Option<RemoteProduct>>, SyncError> {
        self.by_code(sku).await.map(Some)
    }

    async fn upsert_variant(&mut self, _product_remote_id: &str, variant: &RemoteVariant) -> Result<String, SyncError> {
        Err(SyncError::Http { what: "variants".into(), status: 422, message: format!("{}: KolayBi has no variants", variant.sku) })
    }

    async fn set_order_status(&mut self, _remote_id: &str, _status: i64) -> Result<(), SyncError> {
        Ok(())
    }

    async fn update_product(&mut self, remote_id: &str, fields: &BTreeMap<String, Option<String>>) -> Result<(), SyncError> {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "name" | "barcode" | "description"))
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
            .collect();
        if let Some(tags) = fields.get("tags") {
            form.extend(self.tag_fields(&split_tags(tags.as_deref())).await?);
        }
        if form.is_empty() {
            return Ok(());
        }
        self.put_product(remote_id, form).await?;
        if let Some(Some(name)) = fields.get("name") {
            self.names.insert(remote_id.to_owned(), name.clone());
        }
        Ok(())
    }

    fn requests(&self) -> u64 {
        self.http.requests()
    }
}

fn expect_ok(reply: Reply, what: &str) -> Result<Reply, SyncError> {
    if reply.ok() {
        return Ok(reply);
    }
    let message = text(&reply.body["message"]).or_else(|| text(&reply.body["error"])).unwrap_or_default();
    Err(SyncError::Http { what: what.to_owned(), status: reply.status.as_u16(), message })
}

/// `{success?, data: x}` -> x.
fn data(body: &Value) -> &Value {
    body.get("data").unwrap_or(body)
}

fn list(body: &Value) -> &[Value] {
    let data = data(body);
    data.as_array().or_else(|| data["data"].as_array()).or_else(|| data["items"].as_array()).map(Vec::as_slice).unwrap_or_default()
}

/// The last page from `pagination {current_page, per_page, total}` or `meta.last_page`.
fn last_page_of(body: &Value) -> Option<u32> {
    if let Some(last) = body["meta"]["last_page"].as_u64() {
        return Some(last as u32);
    }
    let p = body.get("pagination").or_else(|| body.get("meta"))?;
    let (per_page, total) = (p["per_page"].as_u64()?, p["total"].as_u64()?);
    Some(total.div_ceil(per_page.max(1)).max(1) as u32)
}

fn read_product(row: &Value) -> Option<RemoteProduct> {
    let opt = |key: &str| text(&row[key]);
    let sale = decimal(&row["sale_price"]).or_else(|| decimal(&row["price"]));
    // VAT is a rate only when its type says so (NUMERIC is an amount).
    let vat_rate = match opt("vat_type").map(|t| t.to_ascii_uppercase()).as_deref() {
        Some("NUMERIC") => None,
        _ => decimal(&row["vat_value"]).or_else(|| decimal(&row["vat_rate"])),
    };
    Some(RemoteProduct {
        remote_id: opt("id"),
        sku: opt("code")?,
        name: opt("name").unwrap_or_default(),
        subtitle: None,
        description: opt("description"),
        barcode: opt("barcode"),
        barcode2: None,
        brand: None,
        category: None,
        vat_rate,
        desi: None,
        currency: opt("sale_currency").or_else(|| opt("price_currency")).map(|c| c.to_ascii_uppercase()),
        images: Vec::new(),
        // Negative stock is valid on KolayBi.
        stock: decimal(&row["total_stock_quantity"]).or_else(|| decimal(&row["quantity"])),
        prices: sale.map(|sale| (PRICE_GROUP, GroupPrice { sale: Some(sale), list: None })).into_iter().collect(),
        variants: Vec::new(),
        extra: BTreeMap::from([("tags".to_owned(), join_tags(tag_names(row)))]),
    })
}

/// The names of a product row's `tags` (`[{id, name, description?}]`).
fn tag_names(row: &Value) -> Vec<String> {
    row["tags"].as_array().map(|tags| tags.iter().filter_map(|t| text(&t["name"])).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn reads_the_seed_product_with_negative_stock() {
        let row = json!({ "id": 1, "product_type": "good", "name": "Test Ürün", "code": "URN001", "vat_type": "PERCENTAGE",
            "vat_value": 20, "barcode": "1234567890", "sale_price": 100, "sale_currency": "try", "total_stock_quantity": -4 });
        let p = read_product(&row).unwrap();
        assert_eq!((p.sku.as_str(), p.currency.as_deref(), p.stock), ("URN001", Some("TRY"), Some(Decimal::from(-4))));
        assert_eq!(p.prices[&1].sale, Some(Decimal::from(100)));
        assert_eq!(p.vat_rate, Some(Decimal::from(20)));
    }

    #[test]
    fn pagination_blocks_give_the_last_page() {
        assert_eq!(last_page_of(&json!({ "data": [], "pagination": { "current_page": 1, "per_page": 20, "total": 41 } })), Some(3));
        assert_eq!(last_page_of(&json!({ "data": [] })), None);
    }
}
