//! A stateful fake of Sopyo API v2 on 127.0.0.1 (an ephemeral port), built from the
//! fake-server checklist of `shared/api/sopyo.md` §4, with switchable faults. Shared by the
//! tests (`mod support`), the benchmark and `examples/fake_sopyo.rs` through `#[path]`.
//!
//! What it keeps: products with variants and ten price groups, variant groups and their
//! values, categories, brands, tags (many-to-many), orders; login tokens with a TTL in minutes. What it answers: the
//! documented shapes (bare product objects, `{data}` elsewhere, Laravel pages with mixed
//! `/api/v2` and `api/v2` links, per-item `/process/*` results, "Kayıt Bulunamadı !" and
//! the orders' "Not Found"). Orders created through the API (`order_type` SOPYOAPI) do not
//! take stock: the doc is silent (§3.8), and the spec's fake rule says they do not.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const API_TOKEN: &str = "test-api-token-0123456789";

/// A fault the next matching request meets.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 429, with `Retry-After: n` seconds or without the header; nothing applied.
    TooMany(Option<u64>),
    /// 500 before anything is applied.
    ServerError,
    /// The request is applied, then the answer waits this long (past the client's timeout).
    Delay(Duration),
    /// The connection drops before anything is applied.
    Reset,
    /// Applied; the JSON answer is cut in half.
    Truncated,
    /// Every token expires before this request: 401, then a new login works.
    ExpiredToken,
    /// Applied; then the connection drops: the client never learns it worked.
    LoseResponse,
}

impl Fault {
    /// One of each, for fault matrices.
    pub fn all() -> Vec<Fault> {
        vec![
            Fault::TooMany(Some(1)),
            Fault::TooMany(None),
            Fault::ServerError,
            Fault::Delay(Duration::from_millis(1500)),
            Fault::Reset,
            Fault::Truncated,
            Fault::ExpiredToken,
            Fault::LoseResponse,
        ]
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Price {
    pub sale: Option<Decimal>,
    pub list: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: i64,
    pub stock_code: String,
    pub stock: Decimal,
    pub barcode: String,
    pub options: Vec<(String, String)>,
    pub prices: BTreeMap<u8, Price>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    pub title: String,
    pub stock_code: String,
    pub stock: Decimal,
    pub category_id: i64,
    pub brand: Option<String>,
    pub tax_rate: Decimal,
    pub desi: Decimal,
    pub barcode: Option<String>,
    pub sub_title: Option<String>,
    pub description: Option<String>,
    pub images: Vec<String>,
    pub prices: BTreeMap<u8, Price>,
    pub variants: Vec<Variant>,
}

/// A variant for `World::add_product`: (stock code, [(group, value)], stock).
pub type NewVariant = (String, Vec<(String, String)>, Decimal);

/// Everything the fake holds. Tests reach it through `FakeSopyo::world()`.
pub struct World {
    pub api_token: String,
    pub token_ttl_minutes: u64,
    tokens: HashMap<String, Instant>,
    pub per_page: usize,
    /// Prices as strings, stock as a string, `price1` arrays in lists (doc §5.2, §5.3).
    pub chaos: bool,
    /// POST /products answers with the doc's array of two unrelated products (§5.5).
    pub doc_faithful_create: bool,
    pub products: BTreeMap<i64, Product>,
    pub categories: BTreeMap<i64, String>,
    pub brands: BTreeMap<i64, String>,
    pub tags: BTreeMap<i64, (String, String, BTreeSet<i64>)>,
    pub orders: BTreeMap<i64, Value>,
    /// Variant groups (§3.2): id -> (name, value id -> value name).
    pub variant_groups: BTreeMap<i64, (String, BTreeMap<i64, String>)>,
    next_id: i64,
    faults: VecDeque<(String, Fault)>,
    /// `METHOD /path` of every request received, in order.
    pub requests: Vec<String>,
}

impl World {
    fn new() -> Self {
        World {
            api_token: API_TOKEN.into(),
            token_ttl_minutes: 1440,
            tokens: HashMap::new(),
            per_page: 100,
            chaos: false,
            doc_faithful_create: false,
            products: BTreeMap::new(),
            categories: BTreeMap::from([(1, "Genel".to_owned())]),
            brands: BTreeMap::new(),
            tags: BTreeMap::new(),
            orders: BTreeMap::new(),
            variant_groups: BTreeMap::new(),
            next_id: 100,
            faults: VecDeque::new(),
            requests: Vec::new(),
        }
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// The next `times` requests whose `METHOD /path` starts with `prefix` meet `fault`.
    pub fn inject(&mut self, prefix: &str, fault: Fault, times: usize) {
        for _ in 0..times {
            self.faults.push_back((prefix.to_owned(), fault.clone()));
        }
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    fn take_fault(&mut self, request: &str) -> Option<Fault> {
        let i = self.faults.iter().position(|(prefix, _)| request.starts_with(prefix.as_str()))?;
        self.faults.remove(i).map(|(_, f)| f)
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.requests.iter().filter(|r| r.starts_with(prefix)).count()
    }

    /// Adds a product (with variants `(sku, options, stock)`) as the shop's other channels would.
    pub fn add_product(&mut self, sku: &str, title: &str, stock: Decimal, prices: BTreeMap<u8, Price>, variants: Vec<NewVariant>) -> i64 {
        let id = self.id();
        let variants = variants
            .into_iter()
            .map(|(stock_code, options, stock)| Variant { id: self.id(), stock_code, stock, barcode: String::new(), options, prices: prices.clone() })
            .collect();
        self.products.insert(
            id,
            Product {
                id,
                title: title.into(),
                stock_code: sku.into(),
                stock,
                category_id: 1,
                brand: None,
                tax_rate: Decimal::from(20),
                desi: Decimal::ONE,
                barcode: None,
                sub_title: None,
                description: None,
                images: Vec::new(),
                prices,
                variants,
            },
        );
        id
    }

    /// The stock and prices of the product or variant with this stock code.
    pub fn item(&self, sku: &str) -> Option<(Decimal, BTreeMap<u8, Price>)> {
        self.products.values().find_map(|p| {
            if p.stock_code == sku {
                return Some((p.stock, p.prices.clone()));
            }
            p.variants.iter().find(|v| v.stock_code == sku).map(|v| (v.stock, v.prices.clone()))
        })
    }

    fn item_mut(&mut self, sku: &str, variant: bool) -> Option<(&mut Decimal, &mut BTreeMap<u8, Price>)> {
        for p in self.products.values_mut() {
            if !variant && p.stock_code == sku {
                return Some((&mut p.stock, &mut p.prices));
            }
            if variant {
                if let Some(v) = p.variants.iter_mut().find(|v| v.stock_code == sku) {
                    return Some((&mut v.stock, &mut v.prices));
                }
            }
        }
        None
    }

    /// A remote edit: stock moved by `delta` (a marketplace sale, a count in Sopyo's app).
    pub fn move_stock(&mut self, sku: &str, delta: Decimal) {
        let variant = !self.products.values().any(|p| p.stock_code == sku);
        let (stock, _) = self.item_mut(sku, variant).expect("known stock code");
        *stock += delta;
    }

    pub fn set_price(&mut self, sku: &str, group: u8, sale: Decimal) {
        let variant = !self.products.values().any(|p| p.stock_code == sku);
        let (_, prices) = self.item_mut(sku, variant).expect("known stock code");
        prices.entry(group).or_default().sale = Some(sale);
    }

    /// A marketplace order, as Sopyo would list it.
    pub fn add_order(&mut self, code: &str, status: i64, lines: &[(&str, Option<&str>, i64, Decimal)]) -> i64 {
        let id = self.id();
        let items: Vec<Value> = lines
            .iter()
            .map(|(sku, variant, qty, total)| {
                json!({ "marketplace_id": null, "marketplace_product_id": null, "stock_code": sku, "product_name": sku,
                        "variant_stock_code": variant, "variant_name": null, "commission_price": 0, "quantity": qty, "total_price": number(*total) })
            })
            .collect();
        self.orders.insert(
            id,
            json!({ "id": id, "order_code": code, "order_type": "trendyol", "order_date": "2026-11-20 14:30", "order_status": status,
                    "erp_transfer_status": 0, "market_place_id": null, "commission_total": 0, "total_price": 0,
                    "customer_info": { "email": "musteri@example.com" }, "shipping_info": {}, "billing_info": {},
                    "cargo_info": { "company": null, "type": "Satıcı Öder", "campaing_no": null, "tracking_no": null },
                    "order_items": items }),
        );
        id
    }
}

/// A running fake; stops when dropped.
pub struct FakeSopyo {
    pub addr: SocketAddr,
    world: Arc<Mutex<World>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeSopyo {
    pub fn start() -> Self {
        Self::start_on("127.0.0.1:0")
    }

    pub fn start_on(addr: &str) -> Self {
        let world = Arc::new(Mutex::new(World::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, bound) = std::sync::mpsc::channel();
        let shared = world.clone();
        let addr = addr.to_owned();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind 127.0.0.1");
                ready.send(listener.local_addr().expect("address")).expect("test alive");
                let app = Router::new().fallback(handle).with_state(shared);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        stopped.await.ok();
                    })
                    .await;
            });
        });
        let addr = bound.recv().expect("fake started");
        FakeSopyo { addr, world, stop: Some(stop) }
    }

    /// The base URL a connection uses (`…/api/v2`).
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.addr)
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeSopyo {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

type Shared = Arc<Mutex<World>>;

async fn handle(State(world): State<Shared>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query: Vec<(String, String)> = url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()).into_owned().collect();
    let bearer = request.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::to_owned);
    let body = axum::body::to_bytes(request.into_body(), 64 << 20).await.unwrap_or_default();
    let line = format!("{method} {path}");
    let fault = {
        let mut w = world.lock().unwrap();
        w.requests.push(line.clone());
        w.take_fault(&line)
    };
    match fault {
        Some(Fault::TooMany(after)) => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts.");
            if let Some(s) = after {
                r.headers_mut().insert("retry-after", HeaderValue::from(s));
            }
            return r;
        }
        Some(Fault::ServerError) => return error(StatusCode::INTERNAL_SERVER_ERROR, "Server Error"),
        Some(Fault::Reset) => return broken(),
        Some(Fault::ExpiredToken) => world.lock().unwrap().tokens.clear(),
        _ => {}
    }
    let (status, answer) = {
        let mut w = world.lock().unwrap();
        respond(&mut w, &method, &path, &query, bearer.as_deref(), &body)
    };
    match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            (status, axum::Json(answer)).into_response()
        }
        Some(Fault::Truncated) => {
            let text = answer.to_string();
            let cut = text[..text.len() / 2].to_owned();
            (status, [("content-type", "application/json")], cut).into_response()
        }
        Some(Fault::LoseResponse) => broken(),
        _ => (status, axum::Json(answer)).into_response(),
    }
}

/// A response whose body fails at once: the connection is dropped mid-answer.
fn broken() -> Response {
    let stream = futures_util::stream::iter([Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"))]);
    Response::builder().status(200).header("content-length", "100").body(Body::from_stream(stream)).expect("response")
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "status": false, "message": message }))).into_response()
}

fn not_found() -> (StatusCode, Value) {
    (StatusCode::NOT_FOUND, json!({ "status": false, "message": "Kayıt Bulunamadı !" }))
}

fn ok_action() -> (StatusCode, Value) {
    (StatusCode::OK, json!({ "status": true, "message": "İşlem başarılı" }))
}

fn invalid(field: &str, message: &str) -> (StatusCode, Value) {
    (StatusCode::UNPROCESSABLE_ENTITY, json!({ "message": message, "errors": { field: [message] } }))
}

fn respond(w: &mut World, method: &Method, path: &str, query: &[(String, String)], bearer: Option<&str>, body: &[u8]) -> (StatusCode, Value) {
    let Some(rest) = path.strip_prefix("/api/v2/") else { return not_found() };
    let body: Value = if body.is_empty() { Value::Null } else { serde_json::from_slice(body).unwrap_or(Value::Null) };
    let seg: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if seg == ["auth", "login"] && method == Method::POST {
        return login(w, &body);
    }
    let authorized = bearer.and_then(|t| w.tokens.get(t)).is_some_and(|expiry| Instant::now() < *expiry);
    if !authorized {
        return (StatusCode::UNAUTHORIZED, json!({ "status": false, "message": "Unauthenticated." }));
    }
    let id = |i: usize| seg.get(i).and_then(|s| s.parse::<i64>().ok());
    match (method.as_str(), seg.as_slice()) {
        ("GET", ["products"]) => {
            // Without filters only the requested page is rendered (large catalogs).
            let filtered = query.iter().any(|(k, v)| k.contains('[') || (k == "sort" && v == "desc"));
            let start = if filtered { 0 } else { page_start(w, query) };
            let take = if filtered { usize::MAX } else { w.per_page };
            let mut rows: Vec<Value> = w.products.values().skip(start).take(take).map(|p| product_json(p, w)).collect();
            if !filtered {
                // Placeholders keep the page arithmetic: only the requested slice is real.
                let mut all = vec![Value::Null; w.products.len()];
                all.splice(start..start + rows.len(), rows.drain(..));
                rows = all;
            }
            page(w, "products", rows, query, &["id", "title", "stock_code", "stock", "barcode", "brand", "category", "tax_rate", "source", "tag"])
        }
        ("POST", ["products"]) => create_product(w, &body),
        ("GET", ["products", _]) => match id(1).and_then(|i| w.products.get(&i)) {
            Some(p) => (StatusCode::OK, product_json(p, w)),
            None => not_found(),
        },
        ("PUT" | "PATCH", ["products", _]) => update_product(w, id(1), &body),
        ("DELETE", ["products", _]) => match id(1).and_then(|i| w.products.remove(&i)) {
            Some(_) => ok_action(),
            None => not_found(),
        },
        ("GET", ["products", _, "variants"]) => match id(1).and_then(|i| w.products.get(&i)) {
            Some(p) => {
                let rows = p.variants.iter().map(|v| variant_json(v, p.id, w.chaos)).collect();
                page(w, &format!("products/{}/variants", p.id), rows, query, &[])
            }
            None => not_found(),
        },
        ("PUT", ["products", _, "variants"]) => upsert_variant(w, id(1), None, &body),
        ("GET", ["products", _, "variants", _]) => {
            let found = id(1)
                .and_then(|i| w.products.get(&i))
                .and_then(|p| p.variants.iter().find(|v| Some(v.id) == id(3)).map(|v| variant_json(v, p.id, w.chaos)));
            found.map(|v| (StatusCode::OK, json!({ "data": v }))).unwrap_or_else(not_found)
        }
        ("PUT", ["products", _, "variants", _]) => upsert_variant(w, id(1), id(3), &body),
        ("DELETE", ["products", _, "variants", _]) => {
            let Some(p) = id(1).and_then(|i| w.products.get_mut(&i)) else { return not_found() };
            let before = p.variants.len();
            p.variants.retain(|v| Some(v.id) != id(3));
            if p.variants.len() < before {
                ok_action()
            } else {
                not_found()
            }
        }
        ("GET", ["products", _, "images"]) => match id(1).and_then(|i| w.products.get(&i)) {
            Some(p) => (StatusCode::OK, json!({ "data": p.images })),
            None => not_found(),
        },
        ("GET", [kind @ ("categories" | "brands")]) => {
            let rows = names(w, kind).iter().map(|(id, name)| json!({ "id": id, "name": name })).collect();
            page(w, kind, rows, query, &["id", "name"])
        }
        ("POST", [kind @ ("categories" | "brands")]) => match body["name"].as_str().filter(|n| !n.trim().is_empty()) {
            Some(name) => {
                let id = w.id();
                names_mut(w, kind).insert(id, name.to_owned());
                (StatusCode::CREATED, json!({ "data": { "id": id, "name": name } }))
            }
            None => invalid("name", "The name field is required."),
        },
        ("GET", [kind @ ("categories" | "brands"), _]) => match id(1).and_then(|i| names(w, kind).get(&i).cloned()) {
            Some(name) => (StatusCode::OK, json!({ "data": { "id": id(1), "name": name } })),
            None => not_found(),
        },
        ("PUT" | "PATCH", [kind @ ("categories" | "brands"), _]) => match (id(1), body["name"].as_str()) {
            (Some(i), Some(name)) if names(w, kind).contains_key(&i) => {
                names_mut(w, kind).insert(i, name.to_owned());
                (StatusCode::OK, json!({ "data": { "id": i, "name": name } }))
            }
            _ => not_found(),
        },
        ("DELETE", [kind @ ("categories" | "brands"), _]) => match id(1).and_then(|i| names_mut(w, kind).remove(&i)) {
            Some(_) => ok_action(),
            None => not_found(),
        },
        ("GET", ["tags"]) => {
            let rows = w.tags.iter().map(|(id, (name, color, _))| json!({ "id": id, "name": name, "color": color })).collect();
            page(w, "tags", rows, query, &[])
        }
        ("POST", ["tags"]) => {
            let id = w.id();
            let (name, color) = (body["name"].as_str().unwrap_or_default().to_owned(), body["color"].as_str().unwrap_or_default().to_owned());
            w.tags.insert(id, (name.clone(), color.clone(), BTreeSet::new()));
            (StatusCode::CREATED, json!({ "data": { "id": id, "name": name, "color": color } }))
        }
        ("POST" | "DELETE", ["tags", _, action @ ("add-product" | "remove-product")]) => {
            let known: BTreeSet<i64> = w.products.keys().copied().collect();
            let Some((_, _, members)) = id(1).and_then(|i| w.tags.get_mut(&i)) else { return not_found() };
            for product in body["products"].as_array().into_iter().flatten().filter_map(Value::as_i64).filter(|p| known.contains(p)) {
                if *action == "add-product" {
                    members.insert(product);
                } else {
                    members.remove(&product);
                }
            }
            ok_action()
        }
        ("DELETE", ["tags", _]) => match id(1).and_then(|i| w.tags.remove(&i)) {
            Some(_) => ok_action(),
            None => not_found(),
        },
        ("GET", ["variant-group"]) => {
            let rows = w
                .variant_groups
                .iter()
                .map(|(id, (name, values))| json!({ "id": id, "name": name, "values": values.values().collect::<Vec<_>>() }))
                .collect();
            page(w, "variant-group", rows, query, &["id", "name"])
        }
        ("POST", ["variant-group"]) => match body["name"].as_str().filter(|n| !n.trim().is_empty()) {
            Some(name) => {
                let id = w.id();
                let mut values = BTreeMap::new();
                for v in body["values"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    values.insert(w.id(), v.to_owned());
                }
                let listed: Vec<String> = values.values().cloned().collect();
                w.variant_groups.insert(id, (name.to_owned(), values));
                (StatusCode::CREATED, json!({ "data": { "id": id, "name": name, "values": listed } }))
            }
            None => invalid("name", "The name field is required."),
        },
        ("GET", ["variant-group", _]) => match id(1).and_then(|i| w.variant_groups.get(&i)) {
            Some((name, values)) => (StatusCode::OK, json!({ "data": { "id": id(1), "name": name, "values": values.values().collect::<Vec<_>>() } })),
            None => not_found(),
        },
        ("PUT", ["variant-group", _]) => match (id(1).and_then(|i| w.variant_groups.get_mut(&i)), body["name"].as_str()) {
            (Some(group), Some(name)) => {
                group.0 = name.to_owned();
                (StatusCode::OK, json!({ "data": { "id": id(1), "name": name } }))
            }
            _ => not_found(),
        },
        ("DELETE", ["variant-group", _]) => match id(1).and_then(|i| w.variant_groups.remove(&i)) {
            Some(_) => ok_action(),
            None => not_found(),
        },
        ("GET", ["variant-group", _, "values"]) => match id(1).and_then(|i| w.variant_groups.get(&i)) {
            Some((_, values)) => {
                let rows = values.iter().map(|(v, name)| json!({ "id": v, "group_id": id(1), "name": name })).collect();
                page(w, &format!("variant-group/{}/values", id(1).unwrap_or_default()), rows, query, &["id", "name"])
            }
            None => not_found(),
        },
        ("POST", ["variant-group", _, "values"]) => {
            let value_id = w.id();
            match (id(1).and_then(|i| w.variant_groups.get_mut(&i)), body["name"].as_str().filter(|n| !n.trim().is_empty())) {
                (Some((_, values)), Some(name)) => {
                    values.insert(value_id, name.to_owned());
                    (StatusCode::CREATED, json!({ "data": { "id": value_id, "group_id": id(1), "name": name } }))
                }
                (None, _) => not_found(),
                (_, None) => invalid("name", "The name field is required."),
            }
        }
        ("GET" | "PUT" | "DELETE", ["variant-group", _, "values", _]) => {
            let (group, value) = (id(1), id(3));
            let Some((_, values)) = group.and_then(|g| w.variant_groups.get_mut(&g)) else { return not_found() };
            let Some(v) = value.filter(|v| values.contains_key(v)) else { return not_found() };
            match method.as_str() {
                "DELETE" => {
                    values.remove(&v);
                    ok_action()
                }
                "PUT" => {
                    if let Some(name) = body["name"].as_str() {
                        values.insert(v, name.to_owned());
                    }
                    (StatusCode::OK, json!({ "data": { "id": v, "group_id": group, "name": values[&v] } }))
                }
                _ => (StatusCode::OK, json!({ "data": { "id": v, "group_id": group, "name": values[&v] } })),
            }
        }
        ("GET", ["orders"]) => {
            let rows = w.orders.values().cloned().collect();
            page(w, "orders", rows, query, &["id", "order_code", "order_type", "order_status", "erp_transfer_status"])
        }
        ("POST", ["orders"]) => create_order(w, &body),
        ("GET", ["orders", _]) => match id(1).and_then(|i| w.orders.get(&i)) {
            Some(o) => (StatusCode::OK, json!({ "data": o })),
            None => not_found(),
        },
        ("PUT", ["orders", by @ ("id" | "orderCode"), key]) => {
            let found = w.orders.values_mut().find(|o| if *by == "id" { text(&o["id"]) == *key } else { text(&o["order_code"]) == *key });
            let Some(order) = found else { return (StatusCode::NOT_FOUND, json!({ "status": false, "message": "Not Found" })) };
            if let Some(status) = body.get("order_status").and_then(|s| s.as_i64().or_else(|| s.as_str()?.parse().ok())) {
                if !(1..=4).contains(&status) {
                    return invalid("order_status", "The selected order status is invalid.");
                }
                order["order_status"] = json!(status);
            }
            if let Some(v) = body.get("erp_transfer_status") {
                order["erp_transfer_status"] = v.clone();
            }
            if let Some(cargo) = body.get("cargo_info").and_then(Value::as_object) {
                for (k, v) in cargo {
                    order["cargo_info"][k] = v.clone();
                }
            }
            (StatusCode::OK, json!({ "data": order.clone() }))
        }
        ("DELETE", ["orders", _]) => match id(1).and_then(|i| w.orders.remove(&i)) {
            Some(_) => ok_action(),
            None => not_found(),
        },
        ("POST", ["orders", "sendOrderMarketPlace", key]) => {
            let known = w.orders.values().any(|o| text(&o["order_code"]) == *key || text(&o["id"]) == *key);
            if known {
                ok_action()
            } else {
                not_found()
            }
        }
        ("POST", ["process", kind @ ("price-and-stock" | "price" | "stock")]) => process(w, kind, &body),
        _ => not_found(),
    }
}

fn login(w: &mut World, body: &Value) -> (StatusCode, Value) {
    // The doc's example sends the token as a one-element array (§5.15).
    let given = match &body["api_token"] {
        Value::Array(items) => items.first().and_then(Value::as_str).unwrap_or_default().to_owned(),
        v => v.as_str().unwrap_or_default().to_owned(),
    };
    if given != w.api_token {
        return (StatusCode::UNAUTHORIZED, json!({ "status": false, "message": "Unauthenticated." }));
    }
    let token = format!("jwt-{}-{}", w.id(), fastrand::u64(..));
    w.tokens.insert(token.clone(), Instant::now() + Duration::from_secs(w.token_ttl_minutes * 60));
    (
        StatusCode::OK,
        json!({ "status": true, "message": "", "user": { "id": 1, "name": "Sopyo Yazılım", "email": "bilgi@sopyo.com" },
                "access_token": { "token": token, "expire_in": w.token_ttl_minutes, "type": "bearer" } }),
    )
}

fn names<'a>(w: &'a World, kind: &str) -> &'a BTreeMap<i64, String> {
    if kind == "categories" {
        &w.categories
    } else {
        &w.brands
    }
}

fn names_mut<'a>(w: &'a mut World, kind: &str) -> &'a mut BTreeMap<i64, String> {
    if kind == "categories" {
        &mut w.categories
    } else {
        &mut w.brands
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn amount(d: Decimal, chaos: bool) -> Value {
    if chaos {
        Value::String(d.to_string())
    } else {
        number(d)
    }
}

fn prices_json(obj: &mut Map<String, Value>, prices: &BTreeMap<u8, Price>, chaos: bool) {
    for n in 1..=10u8 {
        let value = match prices.get(&n) {
            Some(p) => json!({ "sale_price": p.sale.map(|d| amount(d, chaos)), "list_price": p.list.map(|d| amount(d, chaos)) }),
            None => Value::Null,
        };
        obj.insert(format!("price_{n}"), value);
    }
}

/// Accepts `priceN` and `price_N`, arrays of one or objects, strings or numbers. A group
/// given as `null` or `[]` is cleared; a missing group is left as it is.
fn read_prices(body: &Value, prices: &mut BTreeMap<u8, Price>) {
    for n in 1..=10u8 {
        let Some(raw) = [format!("price_{n}"), format!("price{n}")].iter().find_map(|k| body.get(k)) else { continue };
        let group = match raw {
            Value::Array(items) => items.first(),
            Value::Null => None,
            other => Some(other),
        };
        match group {
            Some(g) => {
                let p = prices.entry(n).or_default();
                if let Some(sale) = g.get("sale_price") {
                    p.sale = decimal(sale);
                }
                if let Some(list) = g.get("list_price") {
                    p.list = decimal(list);
                }
            }
            None => {
                prices.remove(&n);
            }
        }
    }
}

fn variant_json(v: &Variant, product_id: i64, chaos: bool) -> Value {
    let mut obj = json!({ "id": v.id, "product_id": product_id, "stock_code": v.stock_code, "stock": number(v.stock), "barcode": v.barcode });
    let map = obj.as_object_mut().expect("object");
    for (i, (name, value)) in v.options.iter().enumerate() {
        map.insert(format!("option{}", i + 1), json!({ "name": name, "value": value }));
    }
    prices_json(map, &v.prices, chaos);
    obj
}

fn product_json(p: &Product, w: &World) -> Value {
    let tag_id = w.tags.iter().find(|(_, (_, _, members))| members.contains(&p.id)).map(|(id, _)| *id);
    let mut obj = json!({
        "id": p.id, "title": p.title, "sub_title": p.sub_title, "stock": amount(p.stock, w.chaos), "stock_code": p.stock_code,
        "barcode": p.barcode, "barcode_2": null, "tax_rate": number(p.tax_rate), "currency": "TL", "description": p.description,
        "brand": p.brand, "desi": p.desi.to_string(), "source": "sopyo", "tag_id": tag_id,
        "category": { "id": p.category_id, "name": w.categories.get(&p.category_id), "status": false },
        "images": p.images,
        "variants": p.variants.iter().map(|v| variant_json(v, p.id, w.chaos)).collect::<Vec<_>>(),
    });
    prices_json(obj.as_object_mut().expect("object"), &p.prices, w.chaos);
    obj
}

/// Filters (`field[op]=value`, §1.5), `sort`, and a Laravel page with relative links that
/// alternate between `/api/v2/...` and `api/v2/...` (§1.4).
fn page(w: &World, path: &str, mut rows: Vec<Value>, query: &[(String, String)], fields: &[&str]) -> (StatusCode, Value) {
    let mut page_no = 1usize;
    for (key, value) in query {
        if key == "page" {
            page_no = value.parse().unwrap_or(1).max(1);
            continue;
        }
        if key == "sort" {
            if value == "desc" {
                rows.reverse();
            }
            continue;
        }
        let Some((field, op)) = key.strip_suffix(']').and_then(|k| k.split_once('[')) else { continue };
        if !fields.contains(&field) {
            return invalid(field, "Unknown filter.");
        }
        rows.retain(|row| {
            let actual = match field {
                "category" => text(&row["category"]["id"]),
                // Many-to-many (§3.7): a product matches every tag it is in.
                "tag" => match value.parse::<i64>().ok().and_then(|t| w.tags.get(&t)) {
                    Some((_, _, members)) if row["id"].as_i64().is_some_and(|id| members.contains(&id)) => value.clone(),
                    _ => String::new(),
                },
                f => text(&row[f]),
            };
            let num = |s: &str| Decimal::from_str(s.trim()).ok();
            match op {
                "eq" => actual == *value,
                "like" => actual.to_lowercase().contains(&value.to_lowercase()),
                "in" => value.split(',').any(|v| v.trim() == actual),
                "lt" | "lte" | "gt" | "gte" => match (num(&actual), num(value)) {
                    (Some(a), Some(b)) => match op {
                        "lt" => a < b,
                        "lte" => a <= b,
                        "gt" => a > b,
                        _ => a >= b,
                    },
                    _ => false,
                },
                _ => false,
            }
        });
    }
    let total = rows.len();
    let last_page = total.div_ceil(w.per_page).max(1);
    let data: Vec<Value> = rows.into_iter().skip((page_no - 1) * w.per_page).take(w.per_page).collect();
    let prefix = if page_no.is_multiple_of(2) { "api/v2" } else { "/api/v2" };
    let link = |n: usize| json!(format!("{prefix}/{path}?page={n}"));
    let body = json!({
        "data": data,
        "links": { "first": link(1), "last": link(last_page), "prev": if page_no > 1 { link(page_no - 1) } else { Value::Null },
                   "next": if page_no < last_page { link(page_no + 1) } else { Value::Null } },
        "meta": { "current_page": page_no, "from": (page_no - 1) * w.per_page + 1, "last_page": last_page, "links": [],
                  "path": format!("{prefix}/{path}"), "per_page": w.per_page, "to": (page_no * w.per_page).min(total), "total": total },
    });
    (StatusCode::OK, body)
}

/// The index of the first row of the requested page.
fn page_start(w: &World, query: &[(String, String)]) -> usize {
    let page: usize = query.iter().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1).max(1);
    (page - 1) * w.per_page
}

fn check_title(body: &Value, required: bool) -> Result<(), (StatusCode, Value)> {
    match body.get("title").and_then(Value::as_str) {
        Some(t) if (5..=150).contains(&t.chars().count()) => Ok(()),
        None if !required => Ok(()),
        _ => Err(invalid("title", "The title must be between 5 and 150 characters.")),
    }
}

fn create_product(w: &mut World, body: &Value) -> (StatusCode, Value) {
    if let Err(e) = check_title(body, true) {
        return e;
    }
    let sku = text(&body["stock_code"]);
    if sku.is_empty() {
        return invalid("stock_code", "The stock code field is required.");
    }
    if w.item(&sku).is_some() {
        return invalid("stock_code", "The stock code has already been taken.");
    }
    let Some(category_id) = body["category_id"].as_i64().filter(|c| w.categories.contains_key(c)) else {
        return invalid("category_id", "The selected category id is invalid.");
    };
    let mut prices = BTreeMap::new();
    read_prices(body, &mut prices);
    let id = w.id();
    let mut variants = Vec::new();
    for v in body["variants"].as_array().into_iter().flatten() {
        let mut vp = BTreeMap::new();
        read_prices(v, &mut vp);
        variants.push(Variant {
            id: w.id(),
            stock_code: text(&v["stock_code"]),
            stock: decimal(&v["stock"]).unwrap_or_default(),
            barcode: text(&v["barcode"]),
            options: options(v),
            prices: vp,
        });
    }
    let product = Product {
        id,
        title: text(&body["title"]),
        stock_code: sku,
        stock: decimal(&body["stock"]).unwrap_or_default(),
        category_id,
        brand: body["brand"].as_str().map(str::to_owned),
        tax_rate: decimal(&body["tax_rate"]).unwrap_or_default(),
        desi: decimal(&body["desi"]).unwrap_or(Decimal::ONE),
        barcode: body["barcode"].as_str().map(str::to_owned),
        sub_title: body["sub_title"].as_str().map(str::to_owned),
        description: body["description"].as_str().map(str::to_owned),
        images: body["images"].as_array().map(|a| a.iter().map(text).collect()).unwrap_or_default(),
        prices,
        variants,
    };
    w.products.insert(id, product);
    if w.doc_faithful_create {
        // §5.5: an array of two unrelated sample products, neither of them the new one.
        return (
            StatusCode::CREATED,
            json!([{ "title": "Varyantsız Ürün Örneği", "stock_code": "SPYAPITEST005" }, { "id": 18248770, "stock_code": "HBCV00002Z3YQM" }]),
        );
    }
    (StatusCode::CREATED, product_json(&w.products[&id], w))
}

fn options(v: &Value) -> Vec<(String, String)> {
    v["values"].as_array().into_iter().flatten().map(|o| (text(&o["name"]), text(&o["value"]))).collect()
}

fn update_product(w: &mut World, id: Option<i64>, body: &Value) -> (StatusCode, Value) {
    if let Err(e) = check_title(body, false) {
        return e;
    }
    let categories: BTreeSet<i64> = w.categories.keys().copied().collect();
    let Some(p) = id.and_then(|i| w.products.get_mut(&i)) else { return not_found() };
    if let Some(t) = body["title"].as_str() {
        p.title = t.to_owned();
    }
    if let Some(s) = decimal(&body["stock"]) {
        p.stock = s;
    }
    if let Some(category) = body.get("category_id").filter(|c| !c.is_null()) {
        match category.as_i64().filter(|c| categories.contains(c)) {
            Some(c) => p.category_id = c,
            None => return invalid("category_id", "The selected category id is invalid."),
        }
    }
    for (key, field) in [("brand", &mut p.brand), ("barcode", &mut p.barcode), ("sub_title", &mut p.sub_title), ("description", &mut p.description)] {
        if let Some(value) = body.get(key) {
            *field = value.as_str().map(str::to_owned);
        }
    }
    if let Some(images) = body["images"].as_array() {
        p.images = images.iter().map(text).collect();
    }
    read_prices(body, &mut p.prices);
    let p = p.clone();
    (StatusCode::OK, product_json(&p, w))
}

/// `PUT products/{id}/variants` upserts by stock_code (checklist §4.6); with a variant id,
/// a partial update of that variant.
fn upsert_variant(w: &mut World, product: Option<i64>, variant: Option<i64>, body: &Value) -> (StatusCode, Value) {
    let new_id = w.id();
    let chaos = w.chaos;
    let Some(p) = product.and_then(|i| w.products.get_mut(&i)) else { return not_found() };
    let sku = text(&body["stock_code"]);
    let index = match variant {
        Some(vid) => match p.variants.iter().position(|v| v.id == vid) {
            Some(i) => i,
            None => return not_found(),
        },
        None => match p.variants.iter().position(|v| v.stock_code == sku) {
            Some(i) => i,
            None => {
                if sku.is_empty() {
                    return invalid("stock_code", "The stock code field is required.");
                }
                p.variants.push(Variant {
                    id: new_id,
                    stock_code: sku.clone(),
                    stock: Decimal::ZERO,
                    barcode: String::new(),
                    options: Vec::new(),
                    prices: BTreeMap::new(),
                });
                p.variants.len() - 1
            }
        },
    };
    let v = &mut p.variants[index];
    if !sku.is_empty() {
        v.stock_code = sku;
    }
    if let Some(s) = decimal(&body["stock"]) {
        v.stock = s;
    }
    if body.get("barcode").is_some() {
        v.barcode = text(&body["barcode"]);
    }
    if body.get("values").is_some() {
        v.options = options(body);
    }
    read_prices(body, &mut v.prices);
    (StatusCode::OK, json!({ "data": variant_json(v, p.id, chaos) }))
}

/// `/process/*`: items matched by stock_code + type; per-item results, always 200.
fn process(w: &mut World, kind: &str, body: &Value) -> (StatusCode, Value) {
    let mut success = Vec::new();
    let mut errors = Vec::new();
    for item in body["items"].as_array().into_iter().flatten() {
        let sku = text(&item["stock_code"]);
        let variant = item["type"].as_str() == Some("variant");
        let stock = decimal(&item["stock"]);
        if kind == "stock" && stock.is_none() {
            errors.push(json!({ "stock_code": sku, "message": "Stok alanı zorunludur" }));
            continue;
        }
        let Some((on_hand, prices)) = w.item_mut(&sku, variant) else {
            errors.push(json!({ "stock_code": sku, "message": "Ürün bulunamadı" }));
            continue;
        };
        if kind != "price" {
            if let Some(s) = stock {
                *on_hand = s;
            }
        }
        if kind != "stock" {
            read_prices(item, prices);
        }
        success.push(json!(sku));
    }
    let (s, e) = (success.len(), errors.len());
    (StatusCode::OK, json!({ "status": true, "message": "", "success": success, "errors": errors, "success_count": s, "error_count": e }))
}

fn create_order(w: &mut World, body: &Value) -> (StatusCode, Value) {
    let code = text(&body["order_code"]);
    if code.is_empty() {
        return invalid("order_code", "The order code field is required.");
    }
    if w.orders.values().any(|o| text(&o["order_code"]) == code) {
        return invalid("order_code", "The order code has already been taken.");
    }
    let status = body["order_status"].as_i64().unwrap_or(1);
    if !(0..=4).contains(&status) {
        return invalid("order_status", "The selected order status is invalid.");
    }
    let id = w.id();
    let mut order = body.clone();
    order["id"] = json!(id);
    order["order_type"] = json!("SOPYOAPI");
    order["order_status"] = json!(status);
    order["erp_transfer_status"] = json!(0);
    if order.get("order_date").is_none() {
        order["order_date"] = json!("2026-11-22 10:00");
    }
    w.orders.insert(id, order.clone());
    (StatusCode::CREATED, json!({ "data": order }))
}
