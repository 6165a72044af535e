//! The sync tables (migration 0002): connections, links with their merge bases, the
//! outbox, conflicts and runs. Only this file writes their SQL.

use super::model::{GroupPrice, Prices};
use super::{ConnectionInfo, Kind, Settings, SyncError};
use crate::catalog::Item;
use crate::db;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Stock and prices of one item as a side last confirmed them (local price group numbers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Prices::is_empty")]
    pub prices: Prices,
    /// Orders: the status both sides agreed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// Products: the text fields both sides sync (see `Info`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Info>,
    /// The newest remote stock history entry already accounted for (stokdurumu): older
    /// entries are never recorded again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<i64>,
}

/// A product's synced fields: `name`, `barcode`, `subtitle`, `description`, `category`,
/// `active`, `tags` -> value.
pub type Info = std::collections::BTreeMap<String, Option<String>>;

/// The synced text fields of a product.
pub fn info(name: &str, barcode: Option<&str>, subtitle: Option<&str>, description: Option<&str>) -> Info {
    let clean = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    [("name", clean(Some(name))), ("barcode", clean(barcode)), ("subtitle", clean(subtitle)), ("description", clean(description))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

impl Snapshot {
    /// Takes every value `sent` holds.
    pub fn absorb(&mut self, sent: &Snapshot) {
        if sent.stock.is_some() {
            self.stock = sent.stock;
        }
        if sent.status.is_some() {
            self.status = sent.status;
        }
        if let Some(info) = &sent.info {
            self.info.get_or_insert_with(Info::new).extend(info.clone());
        }
        self.prices.extend(sent.prices.iter().map(|(g, p)| (*g, *p)));
    }

    pub fn price(&self, group: u8) -> GroupPrice {
        self.prices.get(&group).copied().unwrap_or_default()
    }
}

pub fn insert_connection(conn: &mut Connection, name: &str, kind: Kind, url: &str, settings: &Settings) -> Result<()> {
    db::write(conn, |tx| {
        let taken: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM sync_connections WHERE name = ?1)", [name], |r| r.get(0))?;
        if taken {
            return Err(SyncError::ConnectionExists(name.to_owned()).into());
        }
        tx.execute(
            "INSERT INTO sync_connections (name, kind, base_url, settings, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, kind.as_str(), url, json(settings), db::now()],
        )?;
        if settings.products.pushes() {
            enqueue_catalog(tx, tx.last_insert_rowid(), kind == Kind::Sopyo)?;
        }
        Ok(())
    })
}

/// Queues every live product (and variant, when the remote has variants) for a new
/// connection, so its first run sends what the remote lacks. The run links by SKU
/// before it creates anything, so what both sides have is never doubled.
fn enqueue_catalog(tx: &Connection, connection: i64, with_variants: bool) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_outbox (connection_id, entity, local_id, pending, updated_at)
         SELECT ?1, 'product', id, 1, ?2 FROM products WHERE deleted_at IS NULL",
        params![connection, db::now()],
    )?;
    if with_variants {
        tx.execute(
            "INSERT INTO sync_outbox (connection_id, entity, local_id, pending, updated_at)
             SELECT ?1, 'variant', v.id, 1, ?2 FROM variants v JOIN products p ON p.id = v.product_id
             WHERE v.deleted_at IS NULL AND p.deleted_at IS NULL",
            params![connection, db::now()],
        )?;
    }
    Ok(())
}

/// The page a paused catalog scan resumes at (1 when none was paused).
pub fn scan_page(conn: &Connection, connection: i64) -> Result<u32> {
    let page: Option<u32> = conn.query_row("SELECT next_page FROM sync_scan WHERE connection_id = ?1", [connection], |r| r.get(0)).optional()?;
    Ok(page.unwrap_or(1).max(1))
}

/// Keeps where the scan goes on; page 1 (a scan finished or restarted) forgets it.
pub fn set_scan_page(conn: &Connection, connection: i64, page: u32) -> Result<()> {
    if page <= 1 {
        conn.execute("DELETE FROM sync_scan WHERE connection_id = ?1", [connection])?;
    } else {
        conn.execute(
            "INSERT INTO sync_scan (connection_id, next_page) VALUES (?1, ?2)
             ON CONFLICT (connection_id) DO UPDATE SET next_page = excluded.next_page",
            params![connection, page],
        )?;
    }
    Ok(())
}

pub fn update_settings(conn: &mut Connection, id: i64, settings: &Settings) -> Result<()> {
    db::write(conn, |tx| {
        tx.execute("UPDATE sync_connections SET settings = ?2 WHERE id = ?1", params![id, json(settings)])?;
        Ok(())
    })
}

pub fn delete_connection(conn: &mut Connection, name: &str) -> Result<()> {
    db::write(conn, |tx| {
        tx.execute("DELETE FROM sync_connections WHERE name = ?1", [name])?;
        Ok(())
    })
}

pub fn connections(conn: &Connection) -> Result<Vec<ConnectionInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.kind, c.base_url, c.settings, c.created_at,
                (SELECT count(*) FROM sync_outbox o WHERE o.connection_id = c.id AND (o.pending OR o.sent IS NOT NULL)),
                (SELECT count(*) FROM sync_conflicts k WHERE k.connection_id = c.id AND k.resolved_at IS NULL)
         FROM sync_connections c ORDER BY c.name",
    )?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(2)?;
        let settings: String = r.get(4)?;
        Ok(ConnectionInfo {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: Kind::parse(&kind).unwrap_or(Kind::Sopyo),
            base_url: r.get(3)?,
            settings: serde_json::from_str(&settings).unwrap_or_default(),
            created_at: r.get(5)?,
            pending: r.get(6)?,
            open_conflicts: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

fn from_json<T: for<'de> Deserialize<'de> + Default>(text: Option<String>) -> T {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

// ---- links and bases

/// The local id linked to `remote_id`.
pub fn local_by_remote(conn: &Connection, connection: i64, entity: &str, remote_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT local_id FROM sync_links WHERE connection_id = ?1 AND entity = ?2 AND remote_id = ?3",
            params![connection, entity, remote_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// (remote id, base) of a linked local item.
pub fn link(conn: &Connection, connection: i64, entity: &str, local_id: i64) -> Result<Option<(String, Option<Snapshot>)>> {
    Ok(conn
        .query_row(
            "SELECT remote_id, base FROM sync_links WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3",
            params![connection, entity, local_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?
        .map(|(remote, base)| (remote, base.and_then(|b| serde_json::from_str(&b).ok()))))
}

/// Links (or re-links) a local item to a remote id; the base is kept.
pub fn set_link(conn: &Connection, connection: i64, entity: &str, local_id: i64, remote_id: &str) -> Result<()> {
    // A remote id can move (a product deleted and re-created remotely): free it first.
    conn.execute(
        "DELETE FROM sync_links WHERE connection_id = ?1 AND entity = ?2 AND remote_id = ?3 AND local_id != ?4",
        params![connection, entity, remote_id, local_id],
    )?;
    conn.execute(
        "INSERT INTO sync_links (connection_id, entity, local_id, remote_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id, entity, local_id) DO UPDATE SET remote_id = excluded.remote_id",
        params![connection, entity, local_id, remote_id],
    )?;
    Ok(())
}

/// Forgets the link of a local item (deleted on the remote, or to be created there again).
pub fn unlink(conn: &Connection, connection: i64, entity: &str, local_id: i64) -> Result<()> {
    conn.execute("DELETE FROM sync_links WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3", params![connection, entity, local_id])?;
    Ok(())
}

/// Forgets the links of a product and of its variants.
pub fn unlink_product(conn: &Connection, connection: i64, product_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM sync_links WHERE connection_id = ?1 AND entity = 'variant'
           AND local_id IN (SELECT id FROM variants WHERE product_id = ?2)",
        params![connection, product_id],
    )?;
    unlink(conn, connection, "product", product_id)
}

/// (local id, remote id) of every link of one entity.
pub fn links(conn: &Connection, connection: i64, entity: &str) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached("SELECT local_id, remote_id FROM sync_links WHERE connection_id = ?1 AND entity = ?2")?;
    let rows = stmt.query_map(params![connection, entity], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether Raf moved the product to the trash or removed the variant.
pub fn is_deleted(conn: &Connection, entity: &str, local_id: i64) -> Result<bool> {
    let sql = match entity {
        "product" => "SELECT deleted_at IS NOT NULL FROM products WHERE id = ?1",
        "variant" => "SELECT deleted_at IS NOT NULL FROM variants WHERE id = ?1",
        _ => return Ok(false),
    };
    Ok(conn.query_row(sql, [local_id], |r| r.get(0)).optional()?.unwrap_or(false))
}

pub fn set_base(conn: &Connection, connection: i64, entity: &str, local_id: i64, base: &Snapshot) -> Result<()> {
    conn.execute(
        "UPDATE sync_links SET base = ?4 WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3",
        params![connection, entity, local_id, json(base)],
    )?;
    Ok(())
}

/// The product or variant behind (entity, local id).
pub fn item(conn: &Connection, entity: &str, local_id: i64) -> Result<Option<Item>> {
    let sql = match entity {
        "product" => "SELECT id, NULL, sku FROM products WHERE id = ?1",
        "variant" => "SELECT product_id, id, sku FROM variants WHERE id = ?1 AND deleted_at IS NULL",
        _ => return Ok(None),
    };
    Ok(conn.query_row(sql, [local_id], |r| Ok(Item { product_id: r.get(0)?, variant_id: r.get(1)?, sku: r.get(2)? })).optional()?)
}

// ---- outbox

/// Rows of the outbox: pending changes, and writes whose outcome is unknown.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub entity: String,
    pub local_id: i64,
    pub version: i64,
    pub sent: Option<Snapshot>,
}

pub fn outbox(conn: &Connection, connection: i64) -> Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT entity, local_id, version, sent FROM sync_outbox WHERE connection_id = ?1 AND (pending OR sent IS NOT NULL)
         ORDER BY CASE entity WHEN 'product' THEN 0 WHEN 'variant' THEN 1 ELSE 2 END, local_id",
    )?;
    let rows = stmt.query_map([connection], |r| {
        Ok(OutboxRow {
            entity: r.get(0)?,
            local_id: r.get(1)?,
            version: r.get(2)?,
            sent: r.get::<_, Option<String>>(3)?.and_then(|s| serde_json::from_str(&s).ok()),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn sent(conn: &Connection, connection: i64, entity: &str, local_id: i64) -> Result<Option<Snapshot>> {
    let text: Option<Option<String>> = conn
        .query_row(
            "SELECT sent FROM sync_outbox WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3",
            params![connection, entity, local_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.flatten().and_then(|s| serde_json::from_str(&s).ok()))
}

/// Marks a write as on its way: committed before the request, so a crash is read back.
pub fn mark_sent(conn: &Connection, connection: i64, entity: &str, local_id: i64, sent: &Snapshot) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_outbox (connection_id, entity, local_id, pending, sent, attempts, updated_at) VALUES (?1, ?2, ?3, 0, ?4, 1, ?5)
         ON CONFLICT (connection_id, entity, local_id) DO UPDATE SET pending = 0, sent = excluded.sent, attempts = attempts + 1,
             updated_at = excluded.updated_at",
        params![connection, entity, local_id, json(sent), db::now()],
    )?;
    Ok(())
}

/// The write is settled (confirmed, or nothing to send): drop the row unless a newer
/// change made it pending again.
pub fn settle(conn: &Connection, connection: i64, entity: &str, local_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE sync_outbox SET sent = NULL, last_error = NULL WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3",
        params![connection, entity, local_id],
    )?;
    conn.execute(
        "DELETE FROM sync_outbox WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3 AND NOT pending",
        params![connection, entity, local_id],
    )?;
    Ok(())
}

/// The write did not happen: keep the change pending, with the reason when known.
pub fn retry_later(conn: &Connection, connection: i64, entity: &str, local_id: i64, error: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE sync_outbox SET pending = 1, sent = NULL, last_error = coalesce(?4, last_error), updated_at = ?5
         WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3",
        params![connection, entity, local_id, error, db::now()],
    )?;
    Ok(())
}

pub fn enqueue_for(conn: &Connection, connection: i64, entity: &str, local_id: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_outbox (connection_id, entity, local_id, pending, updated_at) VALUES (?1, ?2, ?3, 1, ?4)
         ON CONFLICT (connection_id, entity, local_id) DO UPDATE SET pending = 1, version = version + 1, updated_at = excluded.updated_at",
        params![connection, entity, local_id, db::now()],
    )?;
    Ok(())
}

/// Drops a row the push found nothing to send for, unless it changed since it was read.
pub fn discard(conn: &Connection, connection: i64, row: &OutboxRow) -> Result<()> {
    conn.execute(
        "DELETE FROM sync_outbox WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3 AND version = ?4 AND sent IS NULL",
        params![connection, row.entity, row.local_id, row.version],
    )?;
    Ok(())
}

pub fn pending_count(conn: &Connection, connection: Option<i64>) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM sync_outbox WHERE (pending OR sent IS NOT NULL) AND (?1 IS NULL OR connection_id = ?1)",
        [connection],
        |r| r.get(0),
    )?)
}

// ---- conflicts

/// A field changed on both sides; values are JSON (a quantity, or `{sale, list}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Conflict {
    pub id: i64,
    pub connection: String,
    pub entity: String,
    pub local_id: i64,
    pub sku: String,
    /// `stock`, `price.N` (local group), `info.<field>`, `deleted` (the remote no longer
    /// has the product: keep it and create it there again, or move it to the trash).
    pub field: String,
    pub base: serde_json::Value,
    pub local: serde_json::Value,
    pub remote: serde_json::Value,
    pub created_at: String,
}

pub struct NewConflict<'a> {
    pub entity: &'a str,
    pub local_id: i64,
    pub sku: &'a str,
    pub field: String,
    pub base: serde_json::Value,
    pub local: serde_json::Value,
    pub remote: serde_json::Value,
}

/// Records a conflict, or refreshes the values of the open one on the same field.
pub fn add_conflict(conn: &Connection, connection: i64, c: &NewConflict) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_conflicts (connection_id, entity, local_id, sku, field, base_value, local_value, remote_value, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (connection_id, entity, local_id, field) WHERE resolved_at IS NULL
         DO UPDATE SET local_value = excluded.local_value, remote_value = excluded.remote_value",
        params![connection, c.entity, c.local_id, c.sku, c.field, c.base.to_string(), c.local.to_string(), c.remote.to_string(), db::now()],
    )?;
    Ok(())
}

/// Fields of the item with an open conflict: the engine leaves them alone.
pub fn conflicted_fields(conn: &Connection, connection: i64, entity: &str, local_id: i64) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT field FROM sync_conflicts WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3 AND resolved_at IS NULL")?;
    let rows = stmt.query_map(params![connection, entity, local_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const SELECT_CONFLICT: &str = "SELECT k.id, c.name, k.entity, k.local_id, k.sku, k.field, k.base_value, k.local_value, k.remote_value,
        k.created_at, k.connection_id FROM sync_conflicts k JOIN sync_connections c ON c.id = k.connection_id";

fn conflict_from_row(r: &rusqlite::Row) -> rusqlite::Result<(Conflict, i64)> {
    let value = |i: usize| r.get::<_, Option<String>>(i).map(|v| v.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default());
    Ok((
        Conflict {
            id: r.get(0)?,
            connection: r.get(1)?,
            entity: r.get(2)?,
            local_id: r.get(3)?,
            sku: r.get(4)?,
            field: r.get(5)?,
            base: value(6)?,
            local: value(7)?,
            remote: value(8)?,
            created_at: r.get(9)?,
        },
        r.get(10)?,
    ))
}

pub fn open_conflicts(conn: &Connection, connection: Option<i64>) -> Result<Vec<Conflict>> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT_CONFLICT} WHERE k.resolved_at IS NULL AND (?1 IS NULL OR k.connection_id = ?1) ORDER BY k.id"))?;
    let rows = stmt.query_map([connection], conflict_from_row)?;
    Ok(rows.map(|r| r.map(|(c, _)| c)).collect::<rusqlite::Result<_>>()?)
}

/// An open conflict and its connection id.
pub fn open_conflict(conn: &Connection, id: i64) -> Result<(Conflict, i64)> {
    conn.query_row(&format!("{SELECT_CONFLICT} WHERE k.id = ?1 AND k.resolved_at IS NULL"), [id], conflict_from_row)
        .optional()?
        .ok_or_else(|| SyncError::ConflictNotFound(id).into())
}

/// Closes the open conflict on `field` of an item, if any (the user settled it in Raf).
pub fn close_field_conflict(conn: &Connection, connection: i64, entity: &str, local_id: i64, field: &str, resolution: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_conflicts SET resolved_at = ?5, resolution = ?6
         WHERE connection_id = ?1 AND entity = ?2 AND local_id = ?3 AND field = ?4 AND resolved_at IS NULL",
        params![connection, entity, local_id, field, db::now(), resolution],
    )?;
    Ok(())
}

pub fn close_conflict(conn: &Connection, id: i64, resolution: &str) -> Result<()> {
    conn.execute("UPDATE sync_conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1", params![id, db::now(), resolution])?;
    Ok(())
}

// ---- runs

/// What a run did, per entity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct RunCounts {
    pub products_pulled: u64,
    pub variants_pulled: u64,
    pub created_locally: u64,
    pub prices_applied: u64,
    pub stock_applied: u64,
    /// Products whose name, barcode, subtitle or description the remote changed.
    pub info_applied: u64,
    pub orders_pulled: u64,
    pub orders_recorded: u64,
    pub orders_skipped: u64,
    pub items_pushed: u64,
    pub created_remotely: u64,
    pub statuses_pushed: u64,
    pub push_failed: u64,
    pub unconfirmed: u64,
    pub conflicts: u64,
    pub requests: u64,
    /// Products and variants deleted on the remote because Raf deleted them.
    pub deleted_remotely: u64,
    /// Linked products the remote no longer has (each a `deleted` conflict).
    pub gone_remotely: u64,
    pub orders_created_remotely: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LogLine {
    pub at: String,
    /// `info`, `warn` or `error`.
    pub level: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RunSummary {
    pub id: i64,
    pub connection: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `ok`, `partial` (some items failed or wait for a read-back),
    /// `failed`, `cancelled`.
    pub status: String,
    pub dry_run: bool,
    pub counts: RunCounts,
    pub error: Option<String>,
    pub log: Vec<LogLine>,
}

pub fn start_run(conn: &mut Connection, connection: i64, dry_run: bool) -> Result<i64> {
    db::write(conn, |tx| {
        tx.execute("INSERT INTO sync_runs (connection_id, started_at, dry_run) VALUES (?1, ?2, ?3)", params![connection, db::now(), dry_run])?;
        Ok(tx.last_insert_rowid())
    })
}

pub fn finish_run(conn: &mut Connection, id: i64, status: &str, counts: &RunCounts, log: &[LogLine], error: Option<&str>) -> Result<()> {
    let log: String = log.iter().map(|l| json(l) + "\n").collect();
    db::write(conn, |tx| {
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, status = ?3, counts = ?4, log = ?5, error = ?6 WHERE id = ?1",
            params![id, db::now(), status, json(counts), log, error],
        )?;
        Ok(())
    })
}

/// The newest runs first.
pub fn runs(conn: &Connection, connection: i64, limit: u32) -> Result<Vec<RunSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, c.name, r.started_at, r.finished_at, r.status, r.dry_run, r.counts, r.error, r.log
         FROM sync_runs r JOIN sync_connections c ON c.id = r.connection_id WHERE r.connection_id = ?1 ORDER BY r.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![connection, limit.max(1)], |r| {
        let log: String = r.get(8)?;
        Ok(RunSummary {
            id: r.get(0)?,
            connection: r.get(1)?,
            started_at: r.get(2)?,
            finished_at: r.get(3)?,
            status: r.get(4)?,
            dry_run: r.get(5)?,
            counts: from_json(r.get(6)?),
            error: r.get(7)?,
            log: log.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
