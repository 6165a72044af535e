//! A stateful fake of KolayBi API v1 on 127.0.0.1, from the *fake:* notes of
//! `shared/api/kolaybi.md`: access tokens bound to a `Channel`, form-encoded writes,
//! stock only through `stock_histories` (negative stock allowed), the seed's unpaginated
//! product list (or, switched on, a list that silently stops at `truncate_at` rows unless
//! `page` is given), and the Sopyo fake's switchable faults. Shared by the tests and
//! `examples/fake_kolaybi.rs` through `#[path]`.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub const API_KEY: &str = "kb_test_api_key_0123456789";
pub const CHANNEL: &str = "raf-test-channel";

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    TooMany,
    ServerError,
    Delay(Duration),
    Reset,
    Truncated,
    /// Every token expires before this request: 401, then a new token works.
    ExpiredToken,
    LoseResponse,
}

impl Fault {
    pub fn all() -> Vec<Fault> {
        vec![
            Fault::TooMany,
            Fault::ServerError,
            Fault::Delay(Duration::from_millis(1500)),
            Fault::Reset,
            Fault::Truncated,
            Fault::ExpiredToken,
            Fault::LoseResponse,
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub barcode: Option<String>,
    pub description: Option<String>,
    /// None until a price is set (`sale_price: null`).
    pub price: Option<Decimal>,
    pub vat_rate: Decimal,
    pub stock: Decimal,
    pub tags: Vec<i64>,
    /// `good` or `service` (`product_type`; the list filter is `type`).
    pub product_type: String,
    /// Only a list filter: the response has no group (semantics undocumented; exact here).
    pub group: Option<String>,
}

impl Product {
    /// The list's filters as kolaybi.md §1 *fake:* says: `barcode`, `code`, `type` and
    /// `group` exact; `name` and `full_text_search` case-insensitive substrings (the
    /// latter over name, code, barcode and description).
    fn matches(&self, param: &dyn Fn(&str) -> Option<String>) -> bool {
        let contains = |hay: Option<&str>, needle: &str| hay.is_some_and(|h| h.to_lowercase().contains(&needle.to_lowercase()));
        let exact = |key: &str, value: Option<&str>| param(key).is_none_or(|want| value == Some(want.as_str()));
        exact("code", Some(&self.code))
            && exact("barcode", self.barcode.as_deref())
            && exact("type", Some(&self.product_type))
            && exact("group", self.group.as_deref())
            && param("name").is_none_or(|n| contains(Some(&self.name), &n))
            && param("full_text_search").is_none_or(|t| {
                [Some(self.name.as_str()), Some(self.code.as_str()), self.barcode.as_deref(), self.description.as_deref()]
                    .into_iter()
                    .any(|field| contains(field, &t))
            })
    }
}

pub struct World {
    tokens: HashSet<String>,
    /// Without `page`, GET /products silently returns only this many rows.
    pub truncate_at: Option<usize>,
    pub products: BTreeMap<i64, Product>,
    pub tags: BTreeMap<i64, String>,
    /// Every stock movement: (product id, signed quantity).
    pub movements: Vec<(i64, Decimal)>,
    next_id: i64,
    faults: VecDeque<(String, Fault)>,
    pub requests: Vec<String>,
}

impl World {
    fn new() -> Self {
        World {
            tokens: HashSet::new(),
            truncate_at: None,
            products: BTreeMap::new(),
            tags: BTreeMap::from([(12, "e-ticaret".to_owned())]),
            movements: Vec::new(),
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

    pub fn add_product(&mut self, code: &str, name: &str, stock: Decimal, price: Decimal) -> i64 {
        let id = self.id();
        let product = Product {
            id,
            name: name.into(),
            code: code.into(),
            barcode: None,
            description: None,
            price: Some(price),
            vat_rate: Decimal::from(20),
            stock,
            tags: Vec::new(),
            product_type: "good".into(),
            group: None,
        };
        self.products.insert(id, product);
        id
    }

    pub fn by_code(&self, code: &str) -> Option<&Product> {
        self.products.values().find(|p| p.code == code)
    }

    /// Another channel moves stock (a movement, as KolayBi records it).
    pub fn move_stock(&mut self, code: &str, delta: Decimal) {
        let p = self.products.values_mut().find(|p| p.code == code).expect("known code");
        p.stock += delta;
        let id = p.id;
        self.movements.push((id, delta));
    }
}

pub struct FakeKolayBi {
    pub addr: SocketAddr,
    world: Arc<Mutex<World>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeKolayBi {
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
        FakeKolayBi { addr, world, stop: Some(stop) }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/kolaybi/v1", self.addr)
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeKolayBi {
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
    let (bearer, channel, form) = {
        let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bearer = header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned));
        let form = header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        (bearer, header("channel"), form)
    };
    let body = axum::body::to_bytes(request.into_body(), 16 << 20).await.unwrap_or_default();
    let line = format!("{method} {path}");
    let fault = {
        let mut w = world.lock().unwrap();
        w.requests.push(line.clone());
        w.take_fault(&line)
    };
    match fault {
        Some(Fault::TooMany) => return (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({ "message": "Too Many Requests" }))).into_response(),
        Some(Fault::ServerError) => return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({ "message": "Server Error" }))).into_response(),
        Some(Fault::Reset) => return broken(),
        Some(Fault::ExpiredToken) => world.lock().unwrap().tokens.clear(),
        _ => {}
    }
    let (status, answer) = {
        let mut w = world.lock().unwrap();
        respond(&mut w, &method, &path, &query, bearer.as_deref(), channel.as_deref(), form, &body)
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

fn fail(status: StatusCode, message: &str) -> (StatusCode, Value) {
    (status, json!({ "success": false, "message": message }))
}

fn product_json(p: &Product, w: &World) -> Value {
    json!({
        "id": p.id, "product_type": p.product_type, "name": p.name, "code": p.code, "vat_type": "PERCENTAGE", "vat_value": p.vat_rate,
        "barcode": p.barcode, "description": p.description, "discount_type": "PERCENTAGE", "discount_value": 0,
        "sale_unit_description": "adet", "sale_price": p.price, "sale_currency": "try", "total_stock_quantity": p.stock,
        "tags": p.tags.iter().map(|t| json!({ "id": t, "name": w.tags.get(t) })).collect::<Vec<_>>(),
    })
}

#[allow(clippy::too_many_arguments)]
fn respond(
    w: &mut World,
    method: &str,
    path: &str,
    query: &[(String, String)],
    bearer: Option<&str>,
    channel: Option<&str>,
    form: bool,
    body: &[u8],
) -> (StatusCode, Value) {
    let Some(rest) = path.strip_prefix("/kolaybi/v1/") else { return fail(StatusCode::NOT_FOUND, "Not Found") };
    if channel != Some(CHANNEL) {
        return fail(StatusCode::UNAUTHORIZED, "Channel header missing or wrong");
    }
    if rest == "access_token" && method == "POST" {
        let key = serde_json::from_slice::<Value>(body).ok().and_then(|b| b["api_key"].as_str().map(str::to_owned));
        if key.as_deref() != Some(API_KEY) {
            return fail(StatusCode::UNAUTHORIZED, "Invalid API key");
        }
        let token = format!("tok-{}", w.id());
        w.tokens.insert(token.clone());
        return (StatusCode::OK, json!({ "data": token }));
    }
    if !bearer.is_some_and(|t| w.tokens.contains(t)) {
        return fail(StatusCode::UNAUTHORIZED, "Unauthenticated.");
    }
    if method != "GET" && !form {
        return fail(StatusCode::UNSUPPORTED_MEDIA_TYPE, "form-encoded body expected");
    }
    let fields: BTreeMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |k: &str| fields.get(k).cloned().filter(|v| !v.is_empty());
    let number = |k: &str| field(k).and_then(|v| Decimal::from_str(&v).ok());
    let param = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let seg: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let id = seg.get(1).and_then(|s| s.parse::<i64>().ok());
    match (method, seg.as_slice()) {
        ("GET", ["products"]) => {
            let rows: Vec<Value> = w.products.values().filter(|p| p.matches(&param)).map(|p| product_json(p, w)).collect();
            let rows = match (w.truncate_at, param("page").and_then(|p| p.parse::<usize>().ok())) {
                (Some(n), None) => rows.into_iter().take(n).collect(),
                (Some(n), Some(page)) => rows.into_iter().skip((page - 1) * n).take(n).collect(),
                (None, _) => rows,
            };
            (StatusCode::OK, json!({ "data": rows }))
        }
        ("GET", ["products", _]) => match id.and_then(|i| w.products.get(&i)) {
            Some(p) => (StatusCode::OK, json!({ "success": true, "data": product_json(p, w) })),
            None => fail(StatusCode::NOT_FOUND, "Ürün bulunamadı"),
        },
        ("POST", ["products"]) => {
            let Some(name) = field("name") else { return fail(StatusCode::UNPROCESSABLE_ENTITY, "name zorunludur") };
            let id = w.id();
            let product = Product {
                id,
                name,
                code: field("code").unwrap_or_else(|| format!("KB{id}")),
                barcode: field("barcode"),
                description: field("description"),
                price: number("price"),
                vat_rate: number("vat_rate").unwrap_or(Decimal::from(20)),
                stock: number("quantity").unwrap_or_default(),
                tags: Vec::new(),
                product_type: field("product_type").unwrap_or_else(|| "good".into()),
                group: None,
            };
            let answer = product_json(&product, w);
            w.products.insert(id, product);
            (StatusCode::OK, json!({ "success": true, "data": answer }))
        }
        ("PUT", ["products", _]) => {
            let Some(name) = field("name") else { return fail(StatusCode::UNPROCESSABLE_ENTITY, "name zorunludur") };
            let tags: Vec<i64> = fields.iter().filter(|(k, _)| k.starts_with("tags[")).filter_map(|(_, v)| v.parse().ok()).collect();
            let Some(p) = id.and_then(|i| w.products.get_mut(&i)) else { return fail(StatusCode::NOT_FOUND, "Ürün bulunamadı") };
            p.name = name;
            if fields.contains_key("barcode") {
                p.barcode = field("barcode");
            }
            if fields.contains_key("description") {
                p.description = field("description");
            }
            if let Some(price) = number("price") {
                p.price = Some(price);
            }
            // Tags replace the set (UNDOCUMENTED); an empty `tags` clears it.
            if !tags.is_empty() || fields.contains_key("tags") {
                p.tags = tags;
            }
            let p = p.clone();
            (StatusCode::OK, json!({ "success": true, "data": product_json(&p, w) }))
        }
        ("POST", ["stock_histories"]) => {
            let (Some(pid), Some(qty), Some(direction)) =
                (field("product_id").and_then(|p| p.parse::<i64>().ok()), number("quantity"), field("stock_flow_direction"))
            else {
                return fail(StatusCode::UNPROCESSABLE_ENTITY, "product_id, quantity, stock_flow_direction zorunludur");
            };
            let sign = match direction.as_str() {
                "1" => Decimal::ONE,
                "-1" => Decimal::NEGATIVE_ONE,
                _ => return fail(StatusCode::UNPROCESSABLE_ENTITY, "stock_flow_direction 1 veya -1 olmalı"),
            };
            let Some(p) = w.products.get_mut(&pid) else { return fail(StatusCode::NOT_FOUND, "Ürün bulunamadı") };
            // Negative stock is valid on KolayBi.
            p.stock += sign * qty;
            w.movements.push((pid, sign * qty));
            (StatusCode::OK, json!({ "success": true }))
        }
        ("GET", ["tags"]) => {
            let rows: Vec<Value> = w.tags.iter().map(|(id, name)| json!({ "id": id, "name": name })).collect();
            (StatusCode::OK, json!({ "data": rows }))
        }
        _ => fail(StatusCode::NOT_FOUND, "Not Found"),
    }
}
