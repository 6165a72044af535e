//! The HTTP side every connector shares: timeouts on every request, retries only of what
//! is safe to repeat, Retry-After and jittered back-off on 429, and lenient JSON bodies.
//! Nothing here logs a header or a body, so a token never reaches a log line.

use super::error::SyncError;
use super::quota::{Budget, Priority};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// Whether a request may be sent again when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and writes that set the same state however often they run.
    Safe,
    /// Creates and other writes that would act twice: an unclear outcome is `Ambiguous`.
    Once,
}

/// Limits of one connection's HTTP traffic.
#[derive(Debug, Clone)]
pub struct Limits {
    pub timeout: Duration,
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first back-off; it doubles per attempt, with jitter.
    pub backoff: Duration,
    /// The longest Retry-After honoured; a longer one ends the run ("try later").
    pub max_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { timeout: Duration::from_secs(30), attempts: 4, backoff: Duration::from_millis(500), max_wait: Duration::from_secs(120) }
    }
}

/// An answer with a status the caller decides on (2xx, 401, 404, 422 ...).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    /// The parsed body; `Null` when empty or not JSON (Sopyo's malformed 401 examples).
    pub body: Value,
}

impl Reply {
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }

    /// The remote's `message`, for error reports.
    pub fn message(&self) -> String {
        self.body.get("message").and_then(Value::as_str).unwrap_or_default().to_owned()
    }
}

/// A request body: JSON, or form-encoded fields (KolayBi's writes).
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Empty,
    Json(&'a Value),
    Form(&'a [(String, String)]),
}

pub struct Http {
    client: reqwest::Client,
    base: Url,
    limits: Limits,
    requests: u64,
    /// Sent on every request (KolayBi's `Channel`).
    headers: Vec<(&'static str, String)>,
    /// The day's request quota, when the plan has one.
    quota: Option<Budget>,
}

impl Http {
    /// `base` is the API root every path is joined to (`.../api/v2`).
    pub fn new(base: &str, limits: Limits) -> Result<Self, SyncError> {
        let mut base = Url::parse(base.trim()).map_err(|_| SyncError::BadUrl { url: base.to_owned() })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(SyncError::BadUrl { url: base.to_string() });
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let client = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| SyncError::Unreachable { what: "HTTP client".into(), reason: e.to_string() })?;
        Ok(Http { client, base, limits, requests: 0, headers: Vec::new(), quota: None })
    }

    /// Sends `name: value` on every request.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// Spends `budget` on every attempt; a spent budget fails with `QuotaSpent` unsent.
    pub fn with_quota(mut self, budget: Option<Budget>) -> Self {
        self.quota = budget;
        self
    }

    pub fn quota(&self) -> Option<&Budget> {
        self.quota.as_ref()
    }

    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Sends `method path` (relative to the base; a leading `/` is tolerated) with an
    /// optional bearer token and JSON body, retrying as `repeat` allows.
    pub async fn call(&mut self, method: Method, path: &str, bearer: Option<&str>, body: Option<&Value>, repeat: Repeat) -> Result<Reply, SyncError> {
        let body = body.map_or(Body::Empty, Body::Json);
        self.send(method, path, bearer, body, repeat, Priority::Catalog).await
    }

    /// `call` with any body, spending the quota (if any) at `priority`.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Body<'_>,
        repeat: Repeat,
        priority: Priority,
    ) -> Result<Reply, SyncError> {
        let url = self.base.join(path.trim_start_matches('/')).map_err(|_| SyncError::BadUrl { url: path.to_owned() })?;
        let what = format!("{method} /{}", path.trim_start_matches('/'));
        let mut last_problem = String::new();
        for attempt in 0..self.limits.attempts {
            if attempt > 0 {
                tokio::time::sleep(self.backoff(attempt)).await;
            }
            if let Some(quota) = &mut self.quota {
                quota.take(priority)?;
            }
            let mut request = self.client.request(method.clone(), url.clone()).header("Accept", "application/json");
            for (name, value) in &self.headers {
                request = request.header(*name, value);
            }
            if let Some(token) = bearer {
                request = request.bearer_auth(token);
            }
            request = match body {
                Body::Empty => request,
                Body::Json(json) => request.json(json),
                Body::Form(fields) => request.form(fields),
            };
            self.requests += 1;
            let response = match request.send().await {
                Ok(response) => response,
                // Refused before anything was sent: always safe to try again.
                Err(e) if e.is_connect() => {
                    last_problem = describe(&e);
                    continue;
                }
                Err(e) => {
                    tracing::debug!(%what, attempt, "transport error: {}", describe(&e));
                    if repeat == Repeat::Once {
                        return Err(SyncError::Ambiguous { what, reason: describe(&e) });
                    }
                    last_problem = describe(&e);
                    continue;
                }
            };
            let status = response.status();
            tracing::debug!(%what, attempt, status = status.as_u16());
            if status == StatusCode::TOO_MANY_REQUESTS {
                // Refused, so not applied: waiting and sending again is safe for any request.
                let wait = retry_after(&response).unwrap_or_else(|| self.backoff(attempt + 1));
                if wait > self.limits.max_wait {
                    return Err(SyncError::Unreachable { what, reason: format!("rate limited; retry after {} s", wait.as_secs()) });
                }
                tokio::time::sleep(wait).await;
                last_problem = "429 too many requests".into();
                continue;
            }
            if status.is_server_error() {
                if repeat == Repeat::Once {
                    return Err(SyncError::Ambiguous { what, reason: format!("HTTP {}", status.as_u16()) });
                }
                last_problem = format!("HTTP {}", status.as_u16());
                continue;
            }
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) if repeat == Repeat::Once => return Err(SyncError::Ambiguous { what, reason: describe(&e) }),
                Err(e) => {
                    last_problem = describe(&e);
                    continue;
                }
            };
            let body = if bytes.iter().all(u8::is_ascii_whitespace) { Some(Value::Null) } else { serde_json::from_slice(&bytes).ok() };
            match body {
                Some(body) => return Ok(Reply { status, body }),
                // Error bodies may be malformed (Sopyo's doc shows some); a success must parse.
                None if !status.is_success() => return Ok(Reply { status, body: Value::Null }),
                None if repeat == Repeat::Once => return Err(SyncError::Ambiguous { what, reason: "truncated or invalid JSON".into() }),
                None => last_problem = "truncated or invalid JSON".into(),
            }
        }
        Err(SyncError::Unreachable { what, reason: last_problem })
    }

    /// `backoff × 2^(attempt-1)`, plus up to 50 % jitter so clients do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.limits.backoff.saturating_mul(1 << attempt.saturating_sub(1).min(6));
        base + base.mul_f64(fastrand::f64() * 0.5)
    }
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A transport error in a few words, without the URL (it may carry query values).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the connection failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

/// Replaces every secret in `text` with `***`: for log lines and stored run logs.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    secrets.iter().filter(|s| s.len() >= 4).fold(text.to_owned(), |text, secret| text.replace(secret, "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_secret() {
        assert_eq!(redact("token abcd1234 and Bearer abcd1234", &["abcd1234"]), "token *** and Bearer ***");
    }
}
