//! Sopyo API v2 (`shared/api/sopyo.md`): the only file that knows Sopyo's JSON. It reads
//! leniently (doc §5: `price1`/`price_1`, objects or arrays of one, strings or numbers,
//! bodies with or without `data`, rows without `id`) and writes each endpoint's spelling.

use super::error::SyncError;
use super::http::{Http, Limits, Repeat, Reply};
use super::lenient::{bad, decimal, encode, text};
use super::model::*;
use crate::catalog::OptionValue;
use crate::orders::Cargo;
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

pub const DEFAULT_URL: &str = "https://api.sopyo.dev/api/v2";
/// Items per `/process/*` call: the maximum is undocumented, so stay small.
pub const BATCH_SIZE: usize = 100;
/// Sopyo requires a category on create; products without one go here.
const DEFAULT_CATEGORY: &str = "Genel";

pub struct Sopyo {
    http: Http,
    api_token: String,
    session: Option<Session>,
    batch_size: usize,
    categories: HashMap<String, i64>,
    /// Tag name -> id, and product id -> its tag names, as the last tags read found them.
    tag_ids: HashMap<String, i64>,
    tag_members: HashMap<String, BTreeSet<String>>,
    /// Variant group name -> (id, its value names), read when first needed.
    variant_groups: HashMap<String, (i64, BTreeSet<String>)>,
}

struct Session {
    jwt: String,
    renew_at: Instant,
}

impl Sopyo {
    pub fn new(base_url: &str, api_token: &str, limits: Limits, batch_size: usize) -> Result<Self, SyncError> {
        Ok(Sopyo {
            http: Http::new(base_url, limits)?,
            api_token: api_token.to_owned(),
            session: None,
            batch_size: batch_size.clamp(1, 1000),
            categories: HashMap::new(),
            tag_ids: HashMap::new(),
            tag_members: HashMap::new(),
            variant_groups: HashMap::new(),
        })
    }

    /// `POST auth/login`; `expire_in` is in minutes (doc §5.16), renewed with a margin.
    async fn login(&mut self) -> Result<String, SyncError> {
        let body = json!({ "api_token": self.api_token });
        let reply = self.http.call(Method::POST, "auth/login", None, Some(&body), Repeat::Safe).await?;
        if matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY) {
            return Err(SyncError::Unauthorized);
        }
        let reply = expect_ok(reply, "POST /auth/login")?;
        let token = &reply.body["access_token"];
        let jwt = token["token"].as_str().filter(|t| !t.is_empty()).ok_or_else(|| bad("POST /auth/login", "no access_token.token"))?;
        let minutes = decimal(&token["expire_in"]).and_then(|m| u64::try_from(m.trunc().mantissa()).ok()).unwrap_or(60);
        let ttl = Duration::from_secs(minutes * 60);
        let margin = (ttl / 10).min(Duration::from_secs(300));
        self.session = Some(Session { jwt: jwt.to_owned(), renew_at: Instant::now() + ttl - margin });
        Ok(jwt.to_owned())
    }

    async fn token(&mut self) -> Result<String, SyncError> {
        match &self.session {
            Some(s) if Instant::now() < s.renew_at => Ok(s.jwt.clone()),
            _ => self.login().await,
        }
    }

    /// An authenticated call; a 401 means the token expired early: log in once more.
    async fn call(&mut self, method: Method, path: &str, body: Option<&Value>, repeat: Repeat) -> Result<Reply, SyncError> {
        let token = self.token().await?;
        let reply = self.http.call(method.clone(), path, Some(&token), body, repeat).await?;
        if reply.status != StatusCode::UNAUTHORIZED {
            return Ok(reply);
        }
        self.session = None;
        let token = self.login().await?;
        let reply = self.http.call(method, path, Some(&token), body, repeat).await?;
        if reply.status == StatusCode::UNAUTHORIZED {
            return Err(SyncError::Unauthorized);
        }
        Ok(reply)
    }

    async fn get(&mut self, path: &str) -> Result<Value, SyncError> {
        let reply = self.call(Method::GET, path, None, Repeat::Safe).await?;
        Ok(expect_ok(reply, &format!("GET /{path}"))?.body)
    }

    /// The remote id of the category named `name`, created when missing.
    async fn category_id(&mut self, name: &str) -> Result<i64, SyncError> {
        if let Some(id) = self.categories.get(name) {
            return Ok(*id);
        }
        let id = self.named_id("categories", name).await?;
        self.categories.insert(name.to_owned(), id);
        Ok(id)
    }

    /// The id of the category or brand (`path`) named `name`, created when missing. Safe
    /// to repeat in effect: a retry finds it by name first.
    async fn named_id(&mut self, path: &str, name: &str) -> Result<i64, SyncError> {
        let found = self.get(&format!("{path}?name[eq]={}", encode(name))).await?;
        match list(&found).iter().find(|c| text(&c["name"]).as_deref() == Some(name)).and_then(|c| c["id"].as_i64()) {
            Some(id) => Ok(id),
            None => {
                let what = format!("POST /{path}");
                let reply = self.call(Method::POST, path, Some(&json!({ "name": name })), Repeat::Once).await?;
                let body = expect_ok(reply, &what)?.body;
                unwrap_data(&body)["id"].as_i64().ok_or_else(|| bad(&what, "no id"))
            }
        }
    }

    /// Makes sure Sopyo has the variant groups and values these options name, before a
    /// variant that uses them is written. A create is not safe to repeat, so the cache
    /// entry is dropped first: after a failure the group is read again, not re-created.
    async fn ensure_options(&mut self, options: &[OptionValue]) -> Result<(), SyncError> {
        for option in options {
            let (id, mut values) = match self.variant_groups.remove(&option.group) {
                Some(known) => known,
                None => self.variant_group(&option.group).await?,
            };
            if !values.contains(&option.value) {
                let path = format!("variant-group/{id}/values");
                let reply = self.call(Method::POST, &path, Some(&json!({ "name": option.value })), Repeat::Once).await?;
                expect_ok(reply, &format!("POST /{path}"))?;
                values.insert(option.value.clone());
            }
            self.variant_groups.insert(option.group.clone(), (id, values));
        }
        Ok(())
    }

    /// The group named `name` with its value names (created when missing).
    async fn variant_group(&mut self, name: &str) -> Result<(i64, BTreeSet<String>), SyncError> {
        let found = self.all_pages(&format!("variant-group?name[eq]={}", encode(name))).await?;
        let id = match found.iter().find(|g| text(&g["name"]).as_deref() == Some(name)).and_then(|g| g["id"].as_i64()) {
            Some(id) => id,
            None => {
                let reply = self.call(Method::POST, "variant-group", Some(&json!({ "name": name })), Repeat::Once).await?;
                let body = expect_ok(reply, "POST /variant-group")?.body;
                unwrap_data(&body)["id"].as_i64().ok_or_else(|| bad("POST /variant-group", "no id"))?
            }
        };
        // Value ids and names come from the values endpoint (§3.3).
        let values = self.all_pages(&format!("variant-group/{id}/values")).await?;
        Ok((id, values.iter().filter_map(|v| text(&v["name"])).collect()))
    }

    /// Every row of a paged list (`path` may carry filters).
    async fn all_pages(&mut self, path: &str) -> Result<Vec<Value>, SyncError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut rows = Vec::new();
        let mut page = 1;
        loop {
            let body = self.get(&format!("{path}{sep}page={page}")).await?;
            let got = list(&body).to_vec();
            let last = page_of(&body, page, got.clone()).last_page;
            rows.extend(got);
            if page >= last {
                return Ok(rows);
            }
            page += 1;
        }
    }

    /// The id of the tag named `name`, created when missing (colour: the doc's "black").
    async fn tag_id(&mut self, name: &str) -> Result<i64, SyncError> {
        if let Some(id) = self.tag_ids.get(name) {
            return Ok(*id);
        }
        let reply = self.call(Method::POST, "tags", Some(&json!({ "name": name, "color": "black" })), Repeat::Once).await?;
        let body = expect_ok(reply, "POST /tags")?.body;
        let id = unwrap_data(&body)["id"].as_i64().ok_or_else(|| bad("POST /tags", "no id"))?;
        self.tag_ids.insert(name.to_owned(), id);
        Ok(id)
    }

    /// Puts the product in exactly these tags: `add-product` / `remove-product` for the
    /// difference (set operations: safe to repeat).
    async fn set_tags(&mut self, remote_id: &str, names: &BTreeSet<String>) -> Result<(), SyncError> {
        let product = remote_id.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(remote_id));
        let current = self.tag_members.get(remote_id).cloned().unwrap_or_default();
        for name in names.difference(&current) {
            let id = self.tag_id(name).await?;
            let path = format!("tags/{id}/add-product");
            let reply = self.call(Method::POST, &path, Some(&json!({ "products": [product] })), Repeat::Safe).await?;
            expect_ok(reply, &format!("POST /{path}"))?;
        }
        for name in current.difference(names) {
            let Some(id) = self.tag_ids.get(name).copied() else { continue };
            let path = format!("tags/{id}/remove-product");
            // A DELETE with a JSON body (doc §3.7).
            let reply = self.call(Method::DELETE, &path, Some(&json!({ "products": [product] })), Repeat::Safe).await?;
            expect_ok(reply, &format!("DELETE /{path}"))?;
        }
        self.tag_members.insert(remote_id.to_owned(), names.clone());
        Ok(())
    }
}

impl Connector for Sopyo {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            stock_writes: StockWrites::Absolute,
            price_groups: 10,
            variants: true,
            orders: true,
            batch_size: self.batch_size,
            daily_quota: None,
            text_fields: &["name", "barcode", "subtitle", "description", "images", "category", "brand", "tags"],
        }
    }

    async fn check(&mut self) -> Result<(), SyncError> {
        self.login().await.map(|_| ())
    }

    async fn products_page(&mut self, page: u32) -> Result<Page<RemoteProduct>, SyncError> {
        let body = self.get(&format!("products?page={page}&sort=asc")).await?;
        let mut items = Vec::new();
        for row in list(&body) {
            let mut product = read_product(row).ok_or_else(|| bad("GET /products", "a product without stock_code"))?;
            // The list example has no variants key: ask for them when it is missing.
            if row.get("variants").is_none() {
                if let Some(id) = &product.remote_id {
                    let variants = self.get(&format!("products/{id}/variants")).await?;
                    product.variants = list(&variants).iter().filter_map(read_variant).collect();
                }
            }
            items.push(product);
        }
        Ok(page_of(&body, page, items))
    }

    async fn orders_page(&mut self, page: u32) -> Result<Page<RemoteOrder>, SyncError> {
        let body = self.get(&format!("orders?page={page}&sort=asc")).await?;
        let items = list(&body).iter().filter_map(read_order).collect();
        Ok(page_of(&body, page, items))
    }

    async fn write_items(&mut self, items: &[ItemWrite]) -> Result<Vec<(String, ItemOutcome)>, SyncError> {
        let body = json!({ "items": items.iter().map(write_item).collect::<Vec<_>>() });
        // Absolute values, so repeating is harmless; still `Once`: the engine reads back
        // before it decides, as it must for APIs whose writes are deltas.
        let reply = self.call(Method::POST, "process/price-and-stock", Some(&body), Repeat::Once).await?;
        let body = expect_ok(reply, "POST /process/price-and-stock")?.body;
        Ok(batch_outcomes(&body, items))
    }

    async fn create_product(&mut self, new: &NewRemoteProduct) -> Result<String, SyncError> {
        let p = &new.product;
        let options: Vec<OptionValue> = p.variants.iter().flat_map(|v| v.options.clone()).collect();
        self.ensure_options(&options).await?;
        let category = self.category_id(p.category.as_deref().unwrap_or(DEFAULT_CATEGORY)).await?;
        let mut body = json!({
            "title": p.name,
            "stock_code": p.sku,
            "stock": p.stock.unwrap_or_default(),
            "category_id": category,
            "desi": p.desi.unwrap_or(Decimal::ONE),
            "tax_rate": p.vat_rate.unwrap_or(Decimal::from(20)).trunc(),
            "sub_title": p.subtitle,
            "barcode": p.barcode,
            "barcode_2": p.barcode2,
            "brand": p.brand,
            "description": p.description,
            "images": p.images,
            "variants": p.variants.iter().map(|v| variant_body(v, "price")).collect::<Vec<_>>(),
        });
        put_prices(body.as_object_mut().expect("object"), &p.prices, "price");
        let what = "POST /products";
        let reply = self.call(Method::POST, "products", Some(&body), Repeat::Once).await?;
        let reply = expect_ok(reply, what)?;
        // 201 may be an object, {data: object} or (doc §5.5) an array of other products.
        let created = match unwrap_data(&reply.body) {
            Value::Array(rows) => rows.iter().find(|r| text(&r["stock_code"]).as_deref() == Some(p.sku.as_str())).cloned(),
            row => Some(row.clone()),
        };
        match created.and_then(|row| id_of(&row["id"])) {
            Some(id) => Ok(id),
            None => self.find_product(&p.sku).await?.ok_or_else(|| bad(what, "created, but no product with its stock_code")),
        }
    }

    async fn find_product(&mut self, sku: &str) -> Result<Option<String>, SyncError> {
        let body = self.get(&format!("products?stock_code[eq]={}", encode(sku))).await?;
        Ok(list(&body).iter().find(|r| text(&r["stock_code"]).as_deref() == Some(sku)).and_then(|r| id_of(&r["id"])))
    }

    async fn upsert_variant(&mut self, product_remote_id: &str, variant: &RemoteVariant) -> Result<String, SyncError> {
        let what = format!("PUT /products/{product_remote_id}/variants");
        self.ensure_options(&variant.options).await?;
        let body = variant_body(variant, "price_");
        // Upsert by stock_code (doc §3.5): the same call twice leaves one variant.
        let reply = self.call(Method::PUT, &format!("products/{product_remote_id}/variants"), Some(&body), Repeat::Safe).await?;
        let body = expect_ok(reply, &what)?.body;
        id_of(&unwrap_data(&body)["id"]).ok_or_else(|| bad(&what, "no variant id"))
    }

    async fn set_order_status(&mut self, remote_id: &str, status: i64) -> Result<(), SyncError> {
        let what = format!("PUT /orders/id/{remote_id}");
        let reply = self.call(Method::PUT, &format!("orders/id/{remote_id}"), Some(&json!({ "order_status": status })), Repeat::Safe).await?;
        expect_ok(reply, &what).map(|_| ())
    }

    async fn update_product(&mut self, remote_id: &str, fields: &std::collections::BTreeMap<String, Option<String>>) -> Result<(), SyncError> {
        let what = format!("PUT /products/{remote_id}");
        let mut body = Map::new();
        for (field, value) in fields {
            let text = || value.clone().map_or(Value::Null, Value::String);
            match field.as_str() {
                "name" => body.insert("title".into(), text()),
                "subtitle" => body.insert("sub_title".into(), text()),
                // Images are set only here, as the whole list (doc §3.5).
                "images" => body.insert("images".into(), json!(value.iter().flat_map(|v| v.lines()).collect::<Vec<_>>())),
                // Products name their category by id (resolved, created when missing);
                // Sopyo requires one, so a cleared category is not sent.
                "category" => match value {
                    Some(name) => body.insert("category_id".into(), json!(self.category_id(name).await?)),
                    None => None,
                },
                "tags" => {
                    let names = value.iter().flat_map(|v| v.lines()).map(str::to_owned).collect();
                    self.set_tags(remote_id, &names).await?;
                    None
                }
                _ => body.insert(field.clone(), text()),
            };
        }
        if body.is_empty() {
            return Ok(());
        }
        let reply = self.call(Method::PUT, &format!("products/{remote_id}"), Some(&Value::Object(body)), Repeat::Safe).await?;
        expect_ok(reply, &what).map(|_| ())
    }

    /// Flat `{id, name}` lists (§3.6). Products name brands by name, so a brand's id is
    /// only its link.
    async fn names(&mut self, kind: &str) -> Result<Option<Vec<(String, String)>>, SyncError> {
        let rows = self.all_pages(if kind == "category" { "categories" } else { "brands" }).await?;
        Ok(Some(rows.iter().filter_map(|r| Some((id_of(&r["id"])?, text(&r["name"])?))).collect()))
    }

    async fn ensure_name(&mut self, kind: &str, name: &str) -> Result<String, SyncError> {
        if kind == "category" {
            return self.category_id(name).await.map(|id| id.to_string());
        }
        self.named_id("brands", name).await.map(|id| id.to_string())
    }

    async fn option_groups(&mut self) -> Result<Vec<(String, Vec<String>)>, SyncError> {
        let groups = self.all_pages("variant-group").await?;
        Ok(groups
            .iter()
            .filter_map(|g| {
                let values = g["values"].as_array().map(|v| v.iter().filter_map(text).collect()).unwrap_or_default();
                Some((text(&g["name"])?, values))
            })
            .collect())
    }

    /// Products carry one undocumented `tag_id` (doc §5.19), so membership is read per tag
    /// with the `tag[eq]` filter.
    async fn product_tags(&mut self) -> Result<Option<HashMap<String, Vec<String>>>, SyncError> {
        let tags = self.all_pages("tags").await?;
        self.tag_ids = tags.iter().filter_map(|t| Some((text(&t["name"])?, t["id"].as_i64()?))).collect();
        let mut members: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (name, id) in self.tag_ids.clone() {
            for row in self.all_pages(&format!("products?tag[eq]={id}")).await? {
                if let Some(product) = id_of(&row["id"]) {
                    members.entry(product).or_default().insert(name.clone());
                }
            }
        }
        self.tag_members = members;
        Ok(Some(self.tag_members.iter().map(|(id, names)| (id.clone(), names.iter().cloned().collect())).collect()))
    }

    async fn delete_product(&mut self, remote_id: &str) -> Result<bool, SyncError> {
        self.delete(&format!("products/{remote_id}")).await
    }

    async fn delete_variant(&mut self, product_remote_id: &str, remote_id: &str) -> Result<bool, SyncError> {
        self.delete(&format!("products/{product_remote_id}/variants/{remote_id}")).await
    }

    async fn create_order(&mut self, order: &RemoteOrder) -> Result<Option<String>, SyncError> {
        let what = "POST /orders";
        let reply = self.call(Method::POST, "orders", Some(&order_body(order)), Repeat::Once).await?;
        let body = expect_ok(reply, what)?.body;
        match id_of(&unwrap_data(&body)["id"]) {
            Some(id) => Ok(Some(id)),
            None => self.find_order(&order.code).await?.map(Some).ok_or_else(|| bad(what, "created, but no order with its code")),
        }
    }

    async fn find_order(&mut self, code: &str) -> Result<Option<String>, SyncError> {
        let body = self.get(&format!("orders?order_code[eq]={}", encode(code))).await?;
        Ok(list(&body).iter().find(|r| text(&r["order_code"]).as_deref() == Some(code)).and_then(|r| id_of(&r["id"])))
    }

    fn requests(&self) -> u64 {
        self.http.requests()
    }
}

impl Sopyo {
    /// A DELETE; a 404 means the record is already gone, so it is safe to repeat.
    async fn delete(&mut self, path: &str) -> Result<bool, SyncError> {
        let reply = self.call(Method::DELETE, path, None, Repeat::Safe).await?;
        if reply.status == StatusCode::NOT_FOUND {
            return Ok(true);
        }
        expect_ok(reply, &format!("DELETE /{path}")).map(|_| true)
    }
}

/// A JSON number (quantities are integers in the doc's examples).
fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// `POST /orders` (doc §3.8): a line names a variant by `variant_stock_code`, else the
/// product by `stock_code`; `cargo_info` keeps the API's `campaing_no` spelling.
fn order_body(o: &RemoteOrder) -> Value {
    let lines: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            json!({ "stock_code": l.sku, "product_name": l.sku, "variant_stock_code": l.variant_sku,
                    "variant_name": l.variant_sku, "quantity": number(l.quantity), "total_price": l.total_price.to_string(),
                    "commission_price": l.commission_price.to_string() })
        })
        .collect();
    let total: Decimal = o.lines.iter().map(|l| l.total_price).sum();
    json!({
        "order_code": o.code,
        "order_status": o.status,
        "total_price": total.to_string(),
        "customer_info": o.customer,
        "shipping_info": o.shipping,
        "billing_info": o.billing,
        "cargo_info": { "company": o.cargo.company, "type": o.cargo.kind, "campaing_no": o.cargo.campaign_no, "tracking_no": o.cargo.tracking_no },
        "order_items": lines,
    })
}

fn expect_ok(reply: Reply, what: &str) -> Result<Reply, SyncError> {
    if reply.ok() {
        Ok(reply)
    } else {
        Err(SyncError::Http { what: what.to_owned(), status: reply.status.as_u16(), message: reply.message() })
    }
}

/// `{data: x}` -> x; a bare body as it is (GET/PUT products/{id} are bare).
fn unwrap_data(body: &Value) -> &Value {
    match body.get("data") {
        Some(data) if body.is_object() => data,
        _ => body,
    }
}

fn list(body: &Value) -> &[Value] {
    unwrap_data(body).as_array().map(Vec::as_slice).unwrap_or_default()
}

/// Stops at `meta.last_page`, or when `links.next` is null, or on an empty page
/// (`meta.total`/`to` are not to be trusted, doc §5.9).
fn page_of<T>(body: &Value, page: u32, items: Vec<T>) -> Page<T> {
    let meta_last = body["meta"]["last_page"].as_u64().map(|n| n as u32);
    let no_next = body.get("links").is_some_and(|l| l["next"].is_null());
    let last_page = if items.is_empty() || no_next { page } else { meta_last.unwrap_or(page + 1).max(page) };
    Page { items, last_page }
}

fn id_of(v: &Value) -> Option<String> {
    text(v)
}

/// Price group `n` of an object: `price_n` or `pricen`, an object or an array of one, or null.
fn read_price(obj: &Value, n: u8) -> Option<GroupPrice> {
    let raw = [format!("price_{n}"), format!("price{n}")].into_iter().find_map(|k| obj.get(&k).filter(|v| !v.is_null()))?;
    let group = match raw {
        Value::Array(items) => items.first()?,
        other => other,
    };
    let price = GroupPrice { sale: decimal(&group["sale_price"]), list: decimal(&group["list_price"]) };
    (price.sale.is_some() || price.list.is_some()).then_some(price)
}

fn read_prices(obj: &Value) -> Prices {
    (1..=10).filter_map(|n| read_price(obj, n).map(|p| (n, p))).collect()
}

/// Writes price groups in an endpoint's spelling: `price` + n (products) or `price_` + n,
/// as strings like the doc's examples. A list price Raf does not have is sent as `null`,
/// so the remote drops its old one (an absent key would leave it).
fn put_prices(obj: &mut Map<String, Value>, prices: &Prices, prefix: &str) {
    let text = |d: Option<Decimal>| d.map_or(Value::Null, |d| Value::String(d.to_string()));
    for (n, p) in prices {
        let group = json!({ "sale_price": text(p.sale), "list_price": text(p.list) });
        obj.insert(format!("{prefix}{n}"), Value::Array(vec![group]));
    }
}

fn read_product(row: &Value) -> Option<RemoteProduct> {
    let opt = |key: &str| text(&row[key]);
    Some(RemoteProduct {
        remote_id: id_of(&row["id"]),
        sku: text(&row["stock_code"])?,
        name: opt("title").unwrap_or_default(),
        subtitle: opt("sub_title"),
        description: opt("description"),
        barcode: opt("barcode"),
        barcode2: opt("barcode_2"),
        brand: opt("brand"),
        category: text(&row["category"]["name"]),
        vat_rate: decimal(&row["tax_rate"]),
        desi: decimal(&row["desi"]),
        currency: opt("currency"),
        images: row["images"].as_array().map(|a| a.iter().filter_map(text).collect()).unwrap_or_default(),
        stock: decimal(&row["stock"]),
        prices: read_prices(row),
        variants: row["variants"].as_array().map(|a| a.iter().filter_map(read_variant).collect()).unwrap_or_default(),
        extra: Default::default(),
    })
}

/// Options come as `option1`, `option2` ... (any number, nulls skipped).
fn read_variant(row: &Value) -> Option<RemoteVariant> {
    let mut options: Vec<(u32, OptionValue)> = row
        .as_object()?
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix("option")?.parse().ok()?;
            Some((n, OptionValue { group: text(&v["name"])?, value: text(&v["value"])? }))
        })
        .collect();
    options.sort_by_key(|(n, _)| *n);
    Some(RemoteVariant {
        remote_id: id_of(&row["id"]),
        sku: text(&row["stock_code"])?,
        barcode: text(&row["barcode"]),
        stock: decimal(&row["stock"]),
        options: options.into_iter().map(|(_, o)| o).collect(),
        prices: read_prices(row),
    })
}

/// A variant body: inline on create (`price1`) or for the variant endpoints (`price_1`).
fn variant_body(v: &RemoteVariant, price_prefix: &str) -> Value {
    let mut body = json!({
        "stock_code": v.sku,
        "stock": v.stock.unwrap_or_default(),
        "barcode": v.barcode.clone().unwrap_or_default(),
        "values": v.options.iter().map(|o| json!({ "name": o.group, "value": o.value })).collect::<Vec<_>>(),
    });
    put_prices(body.as_object_mut().expect("object"), &v.prices, price_prefix);
    body
}

fn write_item(item: &ItemWrite) -> Value {
    let mut body = json!({
        "stock_code": item.sku,
        "type": match item.kind { ItemKind::Product => "product", ItemKind::Variant => "variant" },
    });
    let obj = body.as_object_mut().expect("object");
    if let Some(stock) = item.stock {
        obj.insert("stock".into(), json!(stock.target));
    }
    put_prices(obj, &item.prices, "price_");
    body
}

/// Per-item results of a `/process/*` answer. `success` holds codes or objects; `errors`
/// is a list (objects or codes) or a code -> message map (doc §3.9). An item named in
/// neither is `Unknown`: it is read back before being sent again.
fn batch_outcomes(body: &Value, items: &[ItemWrite]) -> Vec<(String, ItemOutcome)> {
    let code_of = |v: &Value| text(v).or_else(|| text(&v["stock_code"]));
    let mut failed: HashMap<String, String> = HashMap::new();
    match &body["errors"] {
        Value::Array(errors) => {
            for e in errors {
                if let Some(code) = code_of(e) {
                    let message = text(&e["message"]).or_else(|| text(&e["error"])).unwrap_or_else(|| "rejected".into());
                    failed.insert(code, message);
                }
            }
        }
        Value::Object(map) => {
            for (code, message) in map {
                failed.insert(code.clone(), text(message).unwrap_or_else(|| "rejected".into()));
            }
        }
        _ => {}
    }
    let succeeded: Vec<String> = body["success"].as_array().map(|a| a.iter().filter_map(code_of).collect()).unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let outcome = match failed.get(&item.sku) {
                Some(message) => ItemOutcome::Failed(message.clone()),
                None if succeeded.contains(&item.sku) => ItemOutcome::Done,
                None => ItemOutcome::Unknown,
            };
            (item.sku.clone(), outcome)
        })
        .collect()
}

fn read_order(row: &Value) -> Option<RemoteOrder> {
    let cargo = &row["cargo_info"];
    let lines = row["order_items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|l| {
                    Some(RemoteOrderLine {
                        sku: text(&l["stock_code"])?,
                        variant_sku: text(&l["variant_stock_code"]),
                        quantity: decimal(&l["quantity"])?,
                        total_price: decimal(&l["total_price"]).unwrap_or_default(),
                        commission_price: decimal(&l["commission_price"]).unwrap_or_default(),
                        marketplace_id: text(&l["marketplace_id"]),
                        marketplace_product_id: text(&l["marketplace_product_id"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Some(RemoteOrder {
        remote_id: id_of(&row["id"])?,
        code: text(&row["order_code"])?,
        order_type: text(&row["order_type"]),
        marketplace: text(&row["market_place_id"]),
        status: decimal(&row["order_status"]).and_then(|d| i64::try_from(d.trunc().mantissa()).ok()).unwrap_or(1),
        order_date: text(&row["order_date"]),
        customer: row["customer_info"].clone(),
        shipping: row["shipping_info"].clone(),
        billing: row["billing_info"].clone(),
        cargo: Cargo {
            company: text(&cargo["company"]),
            kind: text(&cargo["type"]),
            campaign_no: text(&cargo["campaing_no"]),
            tracking_no: text(&cargo["tracking_no"]),
        },
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn reads_both_price_spellings_and_shapes() {
        let row = json!({
            "stock_code": "A1", "title": "x",
            "price1": [{ "sale_price": "029714.4", "list_price": 2500 }],
            "price_2": { "sale_price": 681.08, "list_price": null },
            "price_3": null,
            "price6": [{ "list_price": "994721.68" }]
        });
        let p = read_product(&row).unwrap();
        assert_eq!(p.prices[&1], GroupPrice { sale: Some(Decimal::from_str("29714.4").unwrap()), list: Some(Decimal::from(2500)) });
        assert_eq!(p.prices[&2].sale, Some(Decimal::from_str("681.08").unwrap()));
        assert!(!p.prices.contains_key(&3));
        assert_eq!(p.prices[&6].sale, None);
        assert_eq!(p.remote_id, None);
    }

    #[test]
    fn batch_outcomes_accept_every_documented_shape() {
        let item = |sku: &str| ItemWrite { sku: sku.into(), kind: ItemKind::Product, remote_id: None, stock: None, prices: Prices::new() };
        let items = [item("A"), item("B"), item("C"), item("D")];
        let body = json!({ "success": ["A", { "stock_code": "B" }], "errors": { "C": "Ürün bulunamadı" } });
        let out = batch_outcomes(&body, &items);
        assert_eq!(out[0].1, ItemOutcome::Done);
        assert_eq!(out[1].1, ItemOutcome::Done);
        assert_eq!(out[2].1, ItemOutcome::Failed("Ürün bulunamadı".into()));
        assert_eq!(out[3].1, ItemOutcome::Unknown);
        let body = json!({ "success": [], "errors": [{ "stock_code": "A", "error": "x" }, "B"] });
        let out = batch_outcomes(&body, &items);
        assert_eq!(out[0].1, ItemOutcome::Failed("x".into()));
        assert_eq!(out[1].1, ItemOutcome::Failed("rejected".into()));
    }

    #[test]
    fn order_codes_and_statuses_may_be_numbers_or_strings() {
        let o = read_order(&json!({ "id": 7, "order_code": 881448484, "order_status": "2", "order_items": [
            { "stock_code": "A", "quantity": 2, "total_price": 100 }] }))
        .unwrap();
        assert_eq!((o.code.as_str(), o.status, o.lines.len()), ("881448484", 2, 1));
    }
}
