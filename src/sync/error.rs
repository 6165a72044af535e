//! The sync area's errors, each with a stable code (`sync.*`) the UI translates.

use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("no connection named {0}")]
    ConnectionNotFound(String),
    #[error("a connection named {0} already exists")]
    ConnectionExists(String),
    #[error("unknown connection kind {0} (known: sopyo, stokdurumu, kolaybi)")]
    UnknownKind(String),
    #[error("{url} is not an http(s) address")]
    BadUrl { url: String },
    #[error("no keychain is available on this machine ({reason}); set RAF_KEYRING=mock to add the connection without storing its token, and give RAF_SYNC_TOKEN to every run")]
    NoKeychain { reason: String },
    #[error("no API token is stored for connection {0}: add it again with --token, or set RAF_SYNC_TOKEN")]
    TokenMissing(String),
    #[error("the remote refused the API token (401): check it on the remote's API settings page")]
    Unauthorized,
    #[error("the remote answered {status} to {what}: {message}")]
    Http { what: String, status: u16, message: String },
    #[error("{what}: the remote kept failing ({reason}); try again later")]
    Unreachable { what: String, reason: String },
    #[error("{what}: the outcome is unknown ({reason}); it is read back before anything is sent again")]
    Ambiguous { what: String, reason: String },
    #[error("{what}: unexpected answer from the remote: {reason}")]
    BadResponse { what: String, reason: String },
    #[error("no open conflict #{0}")]
    ConflictNotFound(i64),
    #[error("the daily request quota ({used} of {limit}) is spent; sync paused until {resets_at} (midnight UTC+3)")]
    QuotaSpent { limit: u32, used: u32, resets_at: String },
    #[error("{what}: the remote's plan limit is reached (402: {message}); upgrade the plan or remove products there")]
    PlanLimit { what: String, message: String },
    #[error("{what}: the API key lacks permission for this (403: {message}); give the key write access on the remote")]
    Forbidden { what: String, message: String },
    #[error("{remote} cannot filter its product list by {filter}")]
    FilterUnsupported { remote: String, filter: String },
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::ConnectionNotFound(_) => "sync.connection_not_found",
            SyncError::ConnectionExists(_) => "sync.connection_exists",
            SyncError::UnknownKind(_) => "sync.unknown_kind",
            SyncError::BadUrl { .. } => "sync.bad_url",
            SyncError::NoKeychain { .. } => "sync.no_keychain",
            SyncError::TokenMissing(_) => "sync.token_missing",
            SyncError::Unauthorized => "sync.unauthorized",
            SyncError::Http { .. } => "sync.http",
            SyncError::Unreachable { .. } => "sync.unreachable",
            SyncError::Ambiguous { .. } => "sync.ambiguous",
            SyncError::BadResponse { .. } => "sync.bad_response",
            SyncError::ConflictNotFound(_) => "sync.conflict_not_found",
            SyncError::QuotaSpent { .. } => "sync.quota_spent",
            SyncError::PlanLimit { .. } => "sync.plan_limit",
            SyncError::Forbidden { .. } => "sync.forbidden",
            SyncError::FilterUnsupported { .. } => "sync.filter_unsupported",
        }
    }

    pub fn details(&self) -> Value {
        match self {
            SyncError::ConnectionNotFound(name) | SyncError::ConnectionExists(name) | SyncError::TokenMissing(name) => {
                json!({ "connection": name })
            }
            SyncError::UnknownKind(kind) => json!({ "kind": kind }),
            SyncError::BadUrl { url } => json!({ "url": url }),
            SyncError::NoKeychain { reason } => json!({ "reason": reason }),
            SyncError::Unauthorized => Value::Null,
            SyncError::Http { what, status, message } => json!({ "what": what, "status": status, "message": message }),
            SyncError::Unreachable { what, reason } | SyncError::Ambiguous { what, reason } | SyncError::BadResponse { what, reason } => {
                json!({ "what": what, "reason": reason })
            }
            SyncError::ConflictNotFound(id) => json!({ "conflict": id }),
            SyncError::QuotaSpent { limit, used, resets_at } => json!({ "limit": limit, "used": used, "resets_at": resets_at }),
            SyncError::PlanLimit { what, message } | SyncError::Forbidden { what, message } => json!({ "what": what, "message": message }),
            SyncError::FilterUnsupported { remote, filter } => json!({ "remote": remote, "filter": filter }),
        }
    }

    /// A write whose outcome is unknown: read back before sending it again.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, SyncError::Ambiguous { .. })
    }
}
