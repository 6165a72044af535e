//! A stateful fake of stokdurumu.com API v1 on 127.0.0.1, from the *fake:* notes of
//! `shared/api/stokdurumu.md`, with the Sopyo fake's switchable faults and a daily quota
//! counted per UTC+3 day of a clock the test moves (`World::now`). Shared by the tests and
//! `examples/fake_stokdurumu.rs` through `#[path]`.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, Duration as Days, FixedOffset, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub const API_KEY: &str = "sk_test0123456789abcdefghij";

/// A fault the next matching request meets (as in the Sopyo fake).
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 429, nothing applied.
    TooMany,
    /// 500 before anything is applied.
    ServerError,
    /// Applied, then the answer waits past the client's timeout.
    Delay(Duration),
    /// The connection drops before anything is applied.
    Reset,
    /// Applied; the JSON answer is cut in half.
    Truncated,
    /// Applied; then the connection drops.
    LoseResponse,
}

impl Fault {
    pub fn all() -> Vec<Fault> {
        vec![Fault::TooMany, Fault::ServerError, Fault::Delay(Duration::from_millis(1500)), Fault::Reset, Fault::Truncated, Fault::LoseResponse]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub sku: Option<String>,
    pub category_id: Option<i64>,
    /// None until a price is set (`price: null`; the real default is undocumented).
    pub price: Option<Decimal>,
    pub stock_qty: Decimal,
    pub min_stock: Decimal,
    pub status: String,
}

impl Product {
    /// The list's filters as stokdurumu.md §3.1 *fake:* says: `sku` exact, `q` a
    /// case-insensitive substring of the name, `status`, and `low_stock` (`true`, `1`,
    /// `yes`) meaning `stock_qty <= min_stock`.
    fn matches(&self, param: &dyn Fn(&str) -> Option<String>) -> bool {
        let low = param("low_stock").is_some_and(|v| matches!(v.as_str(), "true" | "1" | "yes"));
        param("sku").is_none_or(|sku| self.sku.as_deref() == Some(sku.as_str()))
            && param("q").is_none_or(|q| self.name.to_lowercase().contains(&q.to_lowercase()))
            && param("status").is_none_or(|status| self.status == status)
            && (!low || self.stock_qty <= self.min_stock)
    }
}

pub struct World {
    pub api_key: String,
    /// Writes answer 403 (a read-only key).
    pub read_only: bool,
    /// Requests a UTC+3 day; `None` = unlimited (Enterprise).
    pub daily_quota: Option<u32>,
    /// POST /products answers 402 past this many products.
    pub max_products: Option<usize>,
    /// The largest page GET /products gives (the doc's maximum is 100; a smaller one
    /// makes a catalog that takes days to scan on a Free plan without 45,000 products).
    pub max_limit: usize,
    /// The fake's clock, for the quota day.
    pub now: DateTime<Utc>,
    used: BTreeMap<NaiveDate, u32>,
    pub products: BTreeMap<i64, Product>,
    pub categories: BTreeMap<i64, (String, String)>,
    pub history: Vec<Value>,
    next_id: i64,
    faults: VecDeque<(String, Fault)>,
    /// `METHOD /path` of every request received, in order.
    pub requests: Vec<String>,
}

fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&FixedOffset::east_opt(3 * 3600).expect("offset")).date_naive()
}

impl World {
    fn new() -> Self {
        World {
            api_key: API_KEY.into(),
            read_only: false,
            daily_quota: None,
            max_products: None,
            max_limit: 100,
            now: DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").expect("date").with_timezone(&Utc),
            used: BTreeMap::new(),
            products: BTreeMap::new(),
            categories: BTreeMap::from([(1, ("Genel".to_owned(), "#6c757d".to_owned()))]),
            history: Vec::new(),
            next_id: 100,
            faults: VecDeque::new(),
            requests: Vec::new(),
        }
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

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

    /// Requests counted on the quota day `now` falls in.
    pub fn used_today(&self) -> u32 {
        self.used.get(&day_of(self.now)).copied().unwrap_or(0)
    }

    /// The most requests any UTC+3 day received.
    pub fn busiest_day(&self) -> u32 {
        self.used.values().copied().max().unwrap_or(0)
    }

    pub fn advance(&mut self, hours: i64) {
        self.now += Days::hours(hours);
    }

    pub fn add_product(&mut self, sku: &str, name: &str, stock: Decimal, price: Decimal) -> i64 {
        let id = self.id();
        let product = Product {
            id,
            name: name.into(),
            sku: Some(sku.into()),
            category_id: Some(1),
            price: Some(price),
            stock_qty: stock,
            min_stock: Decimal::ZERO,
            status: "active".into(),
        };
        self.products.insert(id, product);
        id
    }

    pub fn by_sku(&self, sku: &str) -> Option<&Product> {
        self.products.values().find(|p| p.sku.as_deref() == Some(sku))
    }

    /// Another channel sells or receives stock.
    /// It goes through `POST /stock` like any client's, so it is in the stock history.
    pub fn move_stock(&mut self, sku: &str, delta: Decimal) {
        self.move_stock_because(sku, delta, "Pazaryeri satışı");
    }

    pub fn move_stock_because(&mut self, sku: &str, delta: Decimal, reason: &str) {
        let p = self.products.values_mut().find(|p| p.sku.as_deref() == Some(sku)).expect("known sku");
        let (old, id) = (p.stock_qty, p.id);
        p.stock_qty += delta;
        let action = if delta.is_sign_negative() { "sub" } else { "add" };
        let entry = json!({ "id": self.history.len() + 1, "product_id": id, "action": action, "qty": num(delta.abs()),
            "old_qty": num(old), "new_qty": num(old + delta), "change_qty": num(delta), "reason": reason,
            "created_at": self.now.format("%Y-%m-%d %H:%M:%S").to_string() });
        self.history.push(entry);
    }
}

pub struct FakeStokdurumu {
    pub addr: SocketAddr,
    world: Arc<Mutex<World>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeStokdurumu {
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
        FakeStokdurumu { addr, world, stop: Some(stop) }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeStokdurumu {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

type Shared = Arc<Mutex<World>>;

async fn handle(State(world): State<Shared>, request: Request) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query: Vec<(String, String)> = url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()).into_owned().collect();
    let bearer = request.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::to_owned);
    let body = axum::body::to_bytes(request.into_body(), 16 << 20).await.unwrap_or_default();
    let line = format!("{method} {path}");
    let fault = {
        let mut w = world.lock().unwrap();
        w.requests.push(line.clone());
        // Every request counts on the quota day, refused ones too.
        let day = day_of(w.now);
        let quota = w.daily_quota;
        let used = w.used.entry(day).or_insert(0);
        *used += 1;
        if quota.is_some_and(|q| *used > q) {
            return error(StatusCode::TOO_MANY_REQUESTS, "Günlük istek limiti aşıldı");
        }
        w.take_fault(&line)
    };
    match fault {
        Some(Fault::TooMany) => return error(StatusCode::TOO_MANY_REQUESTS, "Rate limit"),
        Some(Fault::ServerError) => return error(StatusCode::INTERNAL_SERVER_ERROR, "Sunucu hatası"),
        Some(Fault::Reset) => return broken(),
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
            (status, [("content-type", "application/json")], text[..text.len() / 2].to_owned()).into_response()
        }
        Some(Fault::LoseResponse) => broken(),
        _ => (status, axum::Json(answer)).into_response(),
    }
}

fn broken() -> Response {
    let stream = futures_util::stream::iter([Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"))]);
    Response::builder().status(200).header("content-length", "100").body(Body::from_stream(stream)).expect("response")
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn fail(status: StatusCode, message: &str) -> (StatusCode, Value) {
    (status, json!({ "error": message }))
}

fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

/// Quantities as JSON numbers, as the doc's examples show them.
fn num(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).expect("a decimal is a JSON number")
}

fn product_json(p: &Product, w: &World) -> Value {
    json!({
        "id": p.id, "name": p.name, "sku": p.sku,
        "category": p.category_id.and_then(|c| w.categories.get(&c)).map(|(n, _)| n.clone()),
        "price": p.price.map(|p| format!("{p:.2}")), "stock_qty": num(p.stock_qty), "min_stock": num(p.min_stock),
        "unit": "adet", "status": p.status, "updated_at": "2024-01-15 14:30:00",
    })
}

fn respond(w: &mut World, method: &str, path: &str, query: &[(String, String)], bearer: Option<&str>, body: &[u8]) -> (StatusCode, Value) {
    let Some(rest) = path.strip_prefix("/api/v1/") else { return fail(StatusCode::NOT_FOUND, "Bulunamadı") };
    if bearer != Some(w.api_key.as_str()) {
        return fail(StatusCode::UNAUTHORIZED, "API anahtarı gerekli");
    }
    if w.read_only && method != "GET" {
        return fail(StatusCode::FORBIDDEN, "Bu işlem için yetkiniz yok");
    }
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let param = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let seg: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let id = seg.get(1).and_then(|s| s.parse::<i64>().ok());
    match (method, seg.as_slice()) {
        ("GET", ["products"]) => {
            let limit: usize = param("limit").and_then(|l| l.parse().ok()).unwrap_or(20).clamp(1, w.max_limit);
            let page: usize = param("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
            let rows: Vec<&Product> = w.products.values().filter(|p| p.matches(&param)).collect();
            let total = rows.len();
            let products: Vec<Value> = rows.iter().skip((page - 1) * limit).take(limit).map(|p| product_json(p, w)).collect();
            let meta = json!({ "total": total, "page": page, "limit": limit, "pages": total.div_ceil(limit) });
            (StatusCode::OK, json!({ "products": products, "meta": meta }))
        }
        ("GET", ["products", _]) => match id.and_then(|i| w.products.get(&i)) {
            Some(p) => (StatusCode::OK, product_json(p, w)),
            None => fail(StatusCode::NOT_FOUND, "Ürün bulunamadı"),
        },
        ("POST", ["products"]) => {
            let Some(name) = body["name"].as_str().filter(|n| !n.trim().is_empty()) else {
                return fail(StatusCode::UNPROCESSABLE_ENTITY, "Ürün adı zorunludur");
            };
            if w.max_products.is_some_and(|max| w.products.len() >= max) {
                return fail(StatusCode::PAYMENT_REQUIRED, "Plan limiti aşıldı");
            }
            let sku = body["sku"].as_str().map(str::to_owned);
            if sku.is_some() && w.products.values().any(|p| p.sku == sku) {
                return fail(StatusCode::UNPROCESSABLE_ENTITY, "Bu SKU zaten kullanılıyor");
            }
            let id = w.id();
            let product = Product {
                id,
                name: name.into(),
                sku,
                category_id: body["category_id"].as_i64(),
                price: decimal(&body["price"]),
                stock_qty: decimal(&body["stock_qty"]).unwrap_or_default(),
                min_stock: decimal(&body["min_stock"]).unwrap_or_default(),
                status: "active".into(),
            };
            let answer = product_json(&product, w);
            w.products.insert(id, product);
            (StatusCode::CREATED, answer)
        }
        ("PUT", ["products", _]) => {
            let Some(p) = id.and_then(|i| w.products.get_mut(&i)) else { return fail(StatusCode::NOT_FOUND, "Ürün bulunamadı") };
            if let Some(name) = body["name"].as_str() {
                p.name = name.into();
            }
            if let Some(price) = decimal(&body["price"]) {
                p.price = Some(price);
            }
            if let Some(status) = body["status"].as_str() {
                p.status = status.into();
            }
            if let Some(c) = body["category_id"].as_i64() {
                p.category_id = Some(c);
            }
            let p = p.clone();
            (StatusCode::OK, product_json(&p, w))
        }
        ("DELETE", ["products", _]) => match id.and_then(|i| w.products.remove(&i)) {
            Some(_) => (StatusCode::OK, json!({ "success": true })),
            None => fail(StatusCode::NOT_FOUND, "Ürün bulunamadı"),
        },
        ("POST", ["stock"]) => {
            let (Some(pid), Some(qty)) = (body["product_id"].as_i64(), decimal(&body["qty"])) else {
                return fail(StatusCode::UNPROCESSABLE_ENTITY, "product_id ve qty zorunludur");
            };
            if qty.is_sign_negative() {
                return fail(StatusCode::UNPROCESSABLE_ENTITY, "qty negatif olamaz");
            }
            let Some(p) = w.products.get_mut(&pid) else { return fail(StatusCode::NOT_FOUND, "Ürün bulunamadı") };
            let action = body["action"].as_str().unwrap_or_default().to_owned();
            let old = p.stock_qty;
            let new = match action.as_str() {
                "add" => old + qty,
                "sub" if old >= qty => old - qty,
                "sub" => return fail(StatusCode::UNPROCESSABLE_ENTITY, "Stok yetersiz"),
                "set" => qty,
                _ => return fail(StatusCode::UNPROCESSABLE_ENTITY, "Geçersiz işlem"),
            };
            p.stock_qty = new;
            let answer = json!({ "success": true, "product_id": pid, "action": action, "old_qty": num(old), "new_qty": num(new), "change_qty": num(new - old) });
            let mut entry = answer.clone();
            entry["id"] = json!(w.history.len() + 1);
            entry["reason"] = body["reason"].clone();
            entry["created_at"] = json!(w.now.format("%Y-%m-%d %H:%M:%S").to_string());
            w.history.push(entry);
            (StatusCode::OK, answer)
        }
        ("GET", ["stock"]) => {
            let pid = param("product_id").and_then(|p| p.parse::<i64>().ok());
            let rows: Vec<Value> = w.history.iter().filter(|h| pid.is_none() || h["product_id"].as_i64() == pid).cloned().collect();
            (StatusCode::OK, json!({ "history": rows }))
        }
        ("GET", ["categories"]) => {
            let rows: Vec<Value> = w.categories.iter().map(|(id, (n, c))| json!({ "id": id, "name": n, "color": c })).collect();
            (StatusCode::OK, json!({ "categories": rows }))
        }
        ("POST", ["categories"]) => {
            let name = body["name"].as_str().unwrap_or_default().to_owned();
            let color = body["color"].as_str().unwrap_or("#0d6efd").to_owned();
            let id = w.id();
            w.categories.insert(id, (name.clone(), color.clone()));
            (StatusCode::CREATED, json!({ "id": id, "name": name, "color": color }))
        }
        _ => fail(StatusCode::NOT_FOUND, "Bulunamadı"),
    }
}
