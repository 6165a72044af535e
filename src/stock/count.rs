//! Stock counting sessions: scan the shelves (offline, often with a keyboard-wedge
//! scanner), compare with the expected quantities, post the differences as `count`
//! movements in one transaction, and undo a posted count.
//!
//! Every scan is its own committed write, so a crash or a power cut loses no scan; a
//! session is resumed by scanning into its id again. A line's `expected` is the item's
//! quantity when the line was started (its first scan): the count compares with the
//! quantity at scan time, so a sale made after the scan is kept when the count is posted.

use super::{on_hand, record, undo_in, Entry, MovementKind};
use crate::catalog::{brand_id, category_id, insert_product, resolve_sku, upsert_price, Item, ProductFields};
use crate::db::{self, Fixed};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;

/// Which items a count covers: the ones "not scanned" are taken from here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Scope {
    All,
    Category(String),
    Brand(String),
    /// A shelf list: product SKUs (with their variants) or variant SKUs.
    Skus(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NewCount {
    pub name: String,
    pub scope: Scope,
    /// Blind: the expected quantities are hidden until the count is posted.
    pub blind: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Open,
    Posted,
    Undone,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CountSession {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    pub blind: bool,
    pub status: SessionStatus,
    pub created_at: String,
    pub posted_at: Option<String>,
    pub undone_at: Option<String>,
}

/// One item's line. `expected`, `difference` and `value` are `None` while a blind
/// count is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CountLine {
    pub sku: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub counted: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub expected: Option<Decimal>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub difference: Option<Decimal>,
    /// The difference at the purchase price (`None` without one).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub value: Option<Decimal>,
    /// False for an item the post counted as zero because it was not scanned.
    pub scanned: bool,
    /// The `count` movement the post wrote (none when there was no difference).
    pub movement_id: Option<i64>,
    /// Approved for the post. A line whose count differs is posted only once approved;
    /// a new scan or typed quantity clears the approval (it was given to another figure).
    pub approved: bool,
}

/// What a scan did: the item's line, or a barcode no item has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ScanOutcome {
    Counted { line: CountLine },
    Unknown { barcode: String, scans: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UnknownBarcode {
    pub barcode: String,
    pub scans: i64,
}

/// An item of the scope with no line yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NotScanned {
    pub sku: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub on_hand: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CountStatus {
    pub session: CountSession,
    pub lines: Vec<CountLine>,
    pub unknown: Vec<UnknownBarcode>,
    pub not_scanned: Vec<NotScanned>,
    /// Sum of the lines' values (`None` while blind, or when no line has a purchase price).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub difference_value: Option<Decimal>,
}

/// What the post does with items of the scope that were not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Unscanned {
    /// Leave their stock as it is (a partial count).
    #[default]
    Keep,
    /// They were not on the shelf: their stock becomes zero.
    Zero,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PostSummary {
    /// `count` movements written.
    pub movements: usize,
    /// Unknown barcodes left unlinked (not posted).
    pub unknown: usize,
    /// Lines with a difference that were not approved, so not posted.
    pub unapproved: usize,
}

/// The count area's errors, each with a stable code (`count.*`).
#[derive(Debug, thiserror::Error)]
pub enum CountError {
    #[error("no count #{0}")]
    NotFound(i64),
    #[error("count #{id} is {status}, not open")]
    NotOpen { id: i64, status: &'static str },
    #[error("count #{0} is not posted, so there is nothing to undo")]
    NotPosted(i64),
    #[error("{sku} is not in this count's scope")]
    OutOfScope { sku: String },
    #[error("barcode {barcode} already belongs to {sku}")]
    BarcodeTaken { barcode: String, sku: String },
    #[error("{path}: {problems:?}")]
    BadSheet { path: String, problems: Vec<String> },
    #[error("{sku} has no line in count #{id}")]
    NoLine { id: i64, sku: String },
}

impl CountError {
    pub fn code(&self) -> &'static str {
        match self {
            CountError::NotFound(_) => "count.not_found",
            CountError::NotOpen { .. } => "count.not_open",
            CountError::NotPosted(_) => "count.not_posted",
            CountError::OutOfScope { .. } => "count.out_of_scope",
            CountError::BarcodeTaken { .. } => "count.barcode_taken",
            CountError::BadSheet { .. } => "count.bad_sheet",
            CountError::NoLine { .. } => "count.no_line",
        }
    }

    pub fn details(&self) -> Value {
        match self {
            CountError::NotFound(id) | CountError::NotPosted(id) => json!({ "count": id }),
            CountError::NotOpen { id, status } => json!({ "count": id, "status": status }),
            CountError::OutOfScope { sku } => json!({ "sku": sku }),
            CountError::BarcodeTaken { barcode, sku } => json!({ "barcode": barcode, "sku": sku }),
            CountError::BadSheet { path, problems } => json!({ "path": path, "problems": problems }),
            CountError::NoLine { id, sku } => json!({ "count": id, "sku": sku }),
        }
    }
}

impl CountSession {
    /// `open`, `posted` or `undone`.
    pub fn status_text(&self) -> &'static str {
        self.status.as_str()
    }
}

impl SessionStatus {
    fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Posted => "posted",
            SessionStatus::Undone => "undone",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "posted" => SessionStatus::Posted,
            "undone" => SessionStatus::Undone,
            _ => SessionStatus::Open,
        }
    }
}

/// Starts a session. The scope's category, brand or SKUs must exist.
pub fn start(conn: &mut Connection, new: &NewCount) -> Result<CountSession> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "a count needs a name"));
    }
    db::write(conn, |tx| {
        ScopeFilter::resolve(tx, &new.scope)?;
        tx.execute(
            "INSERT INTO count_sessions (name, scope, blind, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, serde_json::to_string(&new.scope).expect("a scope serializes"), new.blind, db::now()],
        )?;
        session(tx, tx.last_insert_rowid())
    })
}

pub fn session(conn: &Connection, id: i64) -> Result<CountSession> {
    conn.query_row(&format!("{SELECT_SESSION} WHERE id = ?1"), [id], session_from_row).optional()?.ok_or(Error::Count(CountError::NotFound(id)))
}

/// Every session, newest first.
pub fn sessions(conn: &Connection) -> Result<Vec<CountSession>> {
    let mut stmt = conn.prepare(&format!("{SELECT_SESSION} ORDER BY id DESC"))?;
    let rows = stmt.query_map([], session_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const SELECT_SESSION: &str = "SELECT id, name, scope, blind, status, created_at, posted_at, undone_at FROM count_sessions";

fn session_from_row(r: &rusqlite::Row) -> rusqlite::Result<CountSession> {
    let scope: String = r.get(2)?;
    let status: String = r.get(4)?;
    Ok(CountSession {
        id: r.get(0)?,
        name: r.get(1)?,
        scope: serde_json::from_str(&scope).unwrap_or(Scope::All),
        blind: r.get(3)?,
        status: SessionStatus::parse(&status),
        created_at: r.get(5)?,
        posted_at: r.get(6)?,
        undone_at: r.get(7)?,
    })
}

/// A scan: `qty` (1 for a scanner) is added to the line of the item with this barcode
/// (a variant's own barcode, a product's first or second barcode, or a SKU). A barcode
/// no item has is kept in the session's unknown list until it is linked.
pub fn scan(conn: &mut Connection, id: i64, barcode: &str, qty: Decimal) -> Result<ScanOutcome> {
    let barcode = barcode.trim();
    if barcode.is_empty() {
        return Err(Error::invalid("barcode", "empty scan"));
    }
    check_qty(qty)?;
    db::write(conn, |tx| {
        let session = open_session(tx, id)?;
        match find_barcode(tx, barcode)? {
            Some(item) => Ok(ScanOutcome::Counted { line: add_to_line(tx, &session, &item, qty, false)? }),
            None => {
                tx.execute(
                    "INSERT INTO count_unknown (session_id, barcode, created_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (session_id, barcode) DO UPDATE SET scans = scans + 1",
                    params![id, barcode, db::now()],
                )?;
                let scans =
                    tx.query_row("SELECT scans FROM count_unknown WHERE session_id = ?1 AND barcode = ?2", params![id, barcode], |r| r.get(0))?;
                Ok(ScanOutcome::Unknown { barcode: barcode.to_owned(), scans })
            }
        }
    })
}

/// A typed quantity: the line of item `sku` becomes `qty` (replacing what was scanned).
pub fn set_counted(conn: &mut Connection, id: i64, sku: &str, qty: Decimal) -> Result<CountLine> {
    if qty < Decimal::ZERO {
        return Err(Error::invalid("qty", "a counted quantity cannot be negative"));
    }
    db::write(conn, |tx| {
        let session = open_session(tx, id)?;
        let item = resolve_sku(tx, sku)?;
        add_to_line(tx, &session, &item, qty, true)
    })
}

/// Gives an unknown barcode to item `sku` (its variant's barcode, or the product's first
/// or second barcode, whichever is free) and counts the scans it had in this session.
pub fn link_barcode(conn: &mut Connection, id: i64, barcode: &str, sku: &str) -> Result<CountLine> {
    let barcode = barcode.trim();
    db::write(conn, |tx| {
        let session = open_session(tx, id)?;
        if let Some(owner) = find_barcode(tx, barcode)? {
            return Err(CountError::BarcodeTaken { barcode: barcode.to_owned(), sku: owner.sku }.into());
        }
        let item = resolve_sku(tx, sku)?;
        set_barcode(tx, &item, barcode)?;
        add_to_line(tx, &session, &item, take_unknown_scans(tx, id, barcode)?, false)
    })
}

/// Creates a product for an unknown barcode on the spot (the barcode becomes its first)
/// with its `sale` price in the first price group, and counts the scans it had in this
/// session, in one transaction: a taken SKU, a bad price or a product outside the count's
/// scope leaves neither a product nor a lost scan.
pub fn create_for_barcode(conn: &mut Connection, id: i64, barcode: &str, fields: &ProductFields, sale: Option<Decimal>) -> Result<CountLine> {
    let barcode = barcode.trim();
    db::write(conn, |tx| {
        let mut session = open_session(tx, id)?;
        if let Some(owner) = find_barcode(tx, barcode)? {
            return Err(CountError::BarcodeTaken { barcode: barcode.to_owned(), sku: owner.sku }.into());
        }
        let mut fields = ProductFields { barcode: Some(barcode.to_owned()), ..fields.clone() };
        // Found on the shelf being counted: it belongs to that category, brand or list.
        match &mut session.scope {
            Scope::Category(name) if fields.category_id.is_none() => fields.category_id = Some(category_id(tx, name)?),
            Scope::Brand(name) if fields.brand_id.is_none() => fields.brand_id = Some(brand_id(tx, name)?),
            Scope::Skus(skus) => {
                skus.push(fields.sku.trim().to_owned());
                let scope = serde_json::to_string(&session.scope).expect("a scope serializes");
                tx.execute("UPDATE count_sessions SET scope = ?2 WHERE id = ?1", params![id, scope])?;
            }
            _ => {}
        }
        let product = insert_product(tx, &fields)?;
        if let Some(sale) = sale {
            upsert_price(tx, &product.fields.sku, 1, sale, None)?;
        }
        let item = Item { product_id: product.id, variant_id: None, sku: product.fields.sku };
        add_to_line(tx, &session, &item, take_unknown_scans(tx, id, barcode)?, false)
    })
}

/// Removes an unknown barcode from the session's list; returns its scans (1 when it was
/// not listed: linking it counts the item once).
fn take_unknown_scans(tx: &Connection, id: i64, barcode: &str) -> Result<Decimal> {
    let scans: i64 = tx
        .query_row("DELETE FROM count_unknown WHERE session_id = ?1 AND barcode = ?2 RETURNING scans", params![id, barcode], |r| r.get(0))
        .optional()?
        .unwrap_or(1);
    Ok(Decimal::from(scans))
}

/// Lines, unknown barcodes, items of the scope not scanned yet, and the variance.
pub fn status(conn: &Connection, id: i64) -> Result<CountStatus> {
    let session = session(conn, id)?;
    let hide = session.blind && session.status == SessionStatus::Open;
    let lines = lines(conn, id, hide)?;
    let difference_value = if hide { None } else { lines.iter().filter_map(|l| l.value).reduce(|a, b| a + b) };
    let mut stmt = conn.prepare("SELECT barcode, scans FROM count_unknown WHERE session_id = ?1 ORDER BY created_at")?;
    let unknown = stmt.query_map([id], |r| Ok(UnknownBarcode { barcode: r.get(0)?, scans: r.get(1)? }))?.collect::<rusqlite::Result<_>>()?;
    let not_scanned = not_scanned(conn, &session)?
        .into_iter()
        .map(|i| NotScanned { sku: i.item.sku, name: i.name, on_hand: (!hide).then_some(i.on_hand) })
        .collect();
    Ok(CountStatus { session, lines, unknown, not_scanned, difference_value })
}

/// Writes the differences as `count` movements in one transaction and closes the session.
pub fn post(conn: &mut Connection, id: i64, unscanned: Unscanned) -> Result<PostSummary> {
    db::write(conn, |tx| {
        let session = open_session(tx, id)?;
        if unscanned == Unscanned::Zero {
            for item in not_scanned(tx, &session)? {
                insert_line(tx, id, &item.item, Decimal::ZERO, item.on_hand, false)?;
            }
        }
        let reason = format!("count #{id}: {}", session.name);
        let mut stmt = tx.prepare(
            "SELECT l.id, l.product_id, l.variant_id, coalesce(v.sku, p.sku), l.counted - l.expected
             FROM count_lines l JOIN products p ON p.id = l.product_id LEFT JOIN variants v ON v.id = l.variant_id
             WHERE l.session_id = ?1 AND l.counted != l.expected AND (l.approved OR NOT l.scanned) ORDER BY l.id",
        )?;
        let differences = stmt
            .query_map([id], |r| {
                Ok((r.get::<_, i64>(0)?, Item { product_id: r.get(1)?, variant_id: r.get(2)?, sku: r.get(3)? }, r.get::<_, Fixed>(4)?.0))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (line, item, delta) in &differences {
            let movement = record(tx, item, *delta, Entry::new(MovementKind::Count, Some(&reason)))?;
            tx.execute("UPDATE count_lines SET movement_id = ?2 WHERE id = ?1", params![line, movement.id])?;
        }
        tx.execute("UPDATE count_sessions SET status = 'posted', posted_at = ?2 WHERE id = ?1", params![id, db::now()])?;
        let unknown = tx.query_row("SELECT count(*) FROM count_unknown WHERE session_id = ?1", [id], |r| r.get(0))?;
        let unapproved =
            tx.query_row("SELECT count(*) FROM count_lines WHERE session_id = ?1 AND counted != expected AND scanned AND NOT approved", [id], |r| {
                r.get(0)
            })?;
        Ok(PostSummary { movements: differences.len(), unknown, unapproved })
    })
}

/// Approves (`approved`) or rejects lines of an open count for the post: the lines of
/// `skus`, or every line with `None`. Returns how many lines changed.
pub fn approve(conn: &mut Connection, id: i64, skus: Option<&[String]>, approved: bool) -> Result<usize> {
    db::write(conn, |tx| {
        open_session(tx, id)?;
        let Some(skus) = skus else {
            return Ok(tx.execute("UPDATE count_lines SET approved = ?2 WHERE session_id = ?1 AND approved != ?2", params![id, approved])?);
        };
        let mut changed = 0;
        for sku in skus {
            let item = resolve_sku(tx, sku)?;
            let found: Option<bool> = tx
                .query_row(
                    "SELECT approved FROM count_lines WHERE session_id = ?1 AND product_id = ?2 AND ifnull(variant_id, 0) = ifnull(?3, 0)",
                    params![id, item.product_id, item.variant_id],
                    |r| r.get(0),
                )
                .optional()?;
            match found {
                None => return Err(CountError::NoLine { id, sku: sku.clone() }.into()),
                Some(was) if was == approved => {}
                Some(_) => {
                    tx.execute(
                        "UPDATE count_lines SET approved = ?4 WHERE session_id = ?1 AND product_id = ?2 AND ifnull(variant_id, 0) = ifnull(?3, 0)",
                        params![id, item.product_id, item.variant_id, approved],
                    )?;
                    changed += 1;
                }
            }
        }
        Ok(changed)
    })
}

/// Undoes a posted count: one compensating movement per `count` movement it wrote (one
/// undone by hand since is left alone), in one transaction.
pub fn undo(conn: &mut Connection, id: i64) -> Result<usize> {
    db::write(conn, |tx| {
        if session(tx, id)?.status != SessionStatus::Posted {
            return Err(CountError::NotPosted(id).into());
        }
        let mut stmt = tx.prepare(
            "SELECT l.movement_id FROM count_lines l WHERE l.session_id = ?1 AND l.movement_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM stock_movements u WHERE u.undoes = l.movement_id) ORDER BY l.id",
        )?;
        let movements = stmt.query_map([id], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        let reason = format!("undo count #{id}");
        for movement in &movements {
            undo_in(tx, *movement, Some(&reason))?;
        }
        tx.execute("UPDATE count_sessions SET status = 'undone', undone_at = ?2 WHERE id = ?1", params![id, db::now()])?;
        Ok(movements.len())
    })
}

fn check_qty(qty: Decimal) -> Result<()> {
    if qty <= Decimal::ZERO || !db::fits(qty) {
        return Err(Error::invalid("qty", "a scanned quantity must be positive, with at most 4 decimals"));
    }
    Ok(())
}

fn open_session(tx: &Connection, id: i64) -> Result<CountSession> {
    let session = session(tx, id)?;
    if session.status != SessionStatus::Open {
        return Err(CountError::NotOpen { id, status: session.status.as_str() }.into());
    }
    Ok(session)
}

/// The item with this barcode: a variant's own first, then a product's, then a SKU.
fn find_barcode(conn: &Connection, barcode: &str) -> Result<Option<Item>> {
    let found = conn
        .prepare_cached(
            "SELECT product_id, id, sku FROM variants WHERE barcode = ?1 AND deleted_at IS NULL
             UNION ALL
             SELECT id, NULL, sku FROM products WHERE (barcode = ?1 OR barcode2 = ?1) AND deleted_at IS NULL
             LIMIT 1",
        )?
        .query_row([barcode], |r| Ok(Item { product_id: r.get(0)?, variant_id: r.get(1)?, sku: r.get(2)? }))
        .optional()?;
    match found {
        Some(item) => Ok(Some(item)),
        None => match resolve_sku(conn, barcode) {
            Ok(item) => Ok(Some(item)),
            Err(Error::ProductNotFound(_)) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// Adds `qty` to the item's line (or sets it, for a typed quantity), starting the line
/// with the item's quantity now as `expected`.
fn add_to_line(tx: &Connection, session: &CountSession, item: &Item, qty: Decimal, replace: bool) -> Result<CountLine> {
    if item.variant_id.is_none() {
        let has_variants: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM variants WHERE product_id = ?1 AND deleted_at IS NULL)", [item.product_id], |r| r.get(0))?;
        if has_variants {
            return Err(Error::HasVariants(item.sku.clone()));
        }
    }
    if !ScopeFilter::resolve(tx, &session.scope)?.contains(tx, item)? {
        return Err(CountError::OutOfScope { sku: item.sku.clone() }.into());
    }
    let updated = tx.execute(
        "UPDATE count_lines SET counted = CASE WHEN ?4 THEN ?3 ELSE counted + ?3 END, approved = 0, updated_at = ?5
         WHERE session_id = ?1 AND product_id = ?2 AND ifnull(variant_id, 0) = ifnull(?6, 0)",
        params![session.id, item.product_id, Fixed(qty), replace, db::now(), item.variant_id],
    )?;
    if updated == 0 {
        insert_line(tx, session.id, item, qty, on_hand(tx, item)?, true)?;
    }
    let hide = session.blind;
    lines(tx, session.id, hide)?.into_iter().find(|l| l.sku == item.sku).ok_or_else(|| Error::ProductNotFound(item.sku.clone()))
}

fn insert_line(tx: &Connection, session: i64, item: &Item, counted: Decimal, expected: Decimal, scanned: bool) -> Result<()> {
    tx.execute(
        "INSERT INTO count_lines (session_id, product_id, variant_id, counted, expected, scanned, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![session, item.product_id, item.variant_id, Fixed(counted), Fixed(expected), scanned, db::now()],
    )?;
    Ok(())
}

fn lines(conn: &Connection, session: i64, hide_expected: bool) -> Result<Vec<CountLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(v.sku, p.sku), p.name, l.counted, l.expected, p.purchase_price, l.scanned, l.movement_id, l.approved
         FROM count_lines l JOIN products p ON p.id = l.product_id LEFT JOIN variants v ON v.id = l.variant_id
         WHERE l.session_id = ?1 ORDER BY l.id",
    )?;
    let rows = stmt.query_map([session], |r| {
        let counted = r.get::<_, Fixed>(2)?.0;
        let expected = r.get::<_, Fixed>(3)?.0;
        let price = r.get::<_, Option<Fixed>>(4)?.map(|f| f.0);
        let difference = counted - expected;
        Ok(CountLine {
            sku: r.get(0)?,
            name: r.get(1)?,
            counted,
            expected: (!hide_expected).then_some(expected),
            difference: (!hide_expected).then_some(difference),
            value: price.filter(|_| !hide_expected).map(|p| (p * difference).round_dp(4)),
            scanned: r.get(5)?,
            movement_id: r.get(6)?,
            approved: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Gives the item a barcode: a variant's own, or a product's first or second, whichever
/// is free (labels use it too, for generated EAN-13 codes).
pub(crate) fn set_barcode(tx: &Connection, item: &Item, barcode: &str) -> Result<()> {
    match item.variant_id {
        Some(variant) => {
            tx.execute("UPDATE variants SET barcode = ?2, updated_at = ?3 WHERE id = ?1", params![variant, barcode, db::now()])?;
            crate::sync::outbox::enqueue_variant(tx, variant)?;
        }
        None => {
            let changed = tx.execute(
                "UPDATE products SET barcode = CASE WHEN barcode IS NULL THEN ?2 ELSE barcode END,
                    barcode2 = CASE WHEN barcode IS NOT NULL AND barcode2 IS NULL THEN ?2 ELSE barcode2 END, updated_at = ?3
                 WHERE id = ?1 AND (barcode IS NULL OR barcode2 IS NULL)",
                params![item.product_id, barcode, db::now()],
            )?;
            if changed == 0 {
                return Err(Error::invalid("barcode", format!("{} already has two barcodes", item.sku)));
            }
            crate::sync::outbox::enqueue_product(tx, item.product_id)?;
        }
    }
    crate::catalog::reindex_products(tx, [item.product_id])
}

/// A session's scope, with names resolved to ids.
enum ScopeFilter {
    All,
    Category(i64),
    Brand(i64),
    Items { products: HashSet<i64>, variants: HashSet<i64> },
}

impl ScopeFilter {
    fn resolve(conn: &Connection, scope: &Scope) -> Result<Self> {
        Ok(match scope {
            Scope::All => ScopeFilter::All,
            Scope::Category(name) => ScopeFilter::Category(category_id(conn, name)?),
            Scope::Brand(name) => ScopeFilter::Brand(brand_id(conn, name)?),
            Scope::Skus(skus) => {
                let (mut products, mut variants) = (HashSet::new(), HashSet::new());
                for sku in skus {
                    match resolve_sku(conn, sku)? {
                        Item { variant_id: Some(v), .. } => variants.insert(v),
                        item => products.insert(item.product_id),
                    };
                }
                ScopeFilter::Items { products, variants }
            }
        })
    }

    fn contains(&self, conn: &Connection, item: &Item) -> Result<bool> {
        let column = match self {
            ScopeFilter::All => return Ok(true),
            ScopeFilter::Items { products, variants } => {
                return Ok(products.contains(&item.product_id) || item.variant_id.is_some_and(|v| variants.contains(&v)))
            }
            ScopeFilter::Category(id) => ("category_id", *id),
            ScopeFilter::Brand(id) => ("brand_id", *id),
        };
        let sql = format!("SELECT {} IS ?2 FROM products WHERE id = ?1", column.0);
        Ok(conn.query_row(&sql, params![item.product_id, column.1], |r| r.get(0))?)
    }
}

struct ScopeItem {
    item: Item,
    name: String,
    on_hand: Decimal,
}

/// Stock-keeping items of the scope (goods without variants, and variants) with no line.
fn not_scanned(conn: &Connection, session: &CountSession) -> Result<Vec<ScopeItem>> {
    let filter = ScopeFilter::resolve(conn, &session.scope)?;
    let mut stmt = conn.prepare(
        "SELECT p.id, v.id, coalesce(v.sku, p.sku), p.name, coalesce(v.on_hand, p.on_hand)
         FROM products p LEFT JOIN variants v ON v.product_id = p.id AND v.deleted_at IS NULL
         WHERE p.deleted_at IS NULL AND p.kind = 'good'
           AND (v.id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM variants x WHERE x.product_id = p.id AND x.deleted_at IS NULL))
           AND NOT EXISTS (SELECT 1 FROM count_lines l WHERE l.session_id = ?1 AND l.product_id = p.id AND ifnull(l.variant_id, 0) = ifnull(v.id, 0))
         ORDER BY p.name_sort, p.id, v.position",
    )?;
    let rows = stmt.query_map([session.id], |r| {
        Ok(ScopeItem {
            item: Item { product_id: r.get(0)?, variant_id: r.get(1)?, sku: r.get(2)? },
            name: r.get(3)?,
            on_hand: r.get::<_, Fixed>(4)?.0,
        })
    })?;
    let mut items = Vec::new();
    for item in rows {
        let item = item?;
        if filter.contains(conn, &item.item)? {
            items.push(item);
        }
    }
    Ok(items)
}

/// The count sheet's columns, in this order.
const SHEET_HEADER: [&str; 5] = ["sku", "barcode", "name", "expected", "counted"];

/// The count sheet (sku, barcode, name, expected, counted) for counting on paper or
/// another device: xlsx, or csv when `path` ends in `.csv`. `expected` is left empty for
/// a blind count. Returns the rows written.
pub fn export_sheet(conn: &Connection, id: i64, path: &Path) -> Result<usize> {
    use crate::import::Value;
    let status = status(conn, id)?;
    let number = |d: Option<Decimal>| d.map_or(Value::Empty, |d| Value::Number(d.normalize()));
    let text = |s: Option<String>| s.map_or(Value::Empty, Value::Text);
    let lines = status.lines.iter().map(|l| (&l.sku, &l.name, l.expected, Some(l.counted)));
    let unscanned = status.not_scanned.iter().map(|i| (&i.sku, &i.name, i.on_hand, None));
    let mut rows = Vec::new();
    for (sku, name, expected, counted) in lines.chain(unscanned) {
        let barcode = barcode_of(conn, sku)?;
        rows.push(vec![Value::Text(sku.clone()), text(barcode), Value::Text(name.clone()), number(expected), number(counted)]);
    }
    Ok(crate::import::write_table(path, &SHEET_HEADER, rows)? as usize)
}

fn barcode_of(conn: &Connection, sku: &str) -> Result<Option<String>> {
    let item = resolve_sku(conn, sku)?;
    Ok(match item.variant_id {
        Some(v) => conn.query_row("SELECT barcode FROM variants WHERE id = ?1", [v], |r| r.get(0))?,
        None => conn.query_row("SELECT barcode FROM products WHERE id = ?1", [item.product_id], |r| r.get(0))?,
    })
}

/// Reads a count sheet filled in elsewhere (xlsx, csv, or any file the import reads):
/// each row with a `counted` value sets that item's line. Every bad row is reported (row
/// and why) and nothing is written then.
pub fn import_sheet(conn: &mut Connection, id: i64, path: &Path) -> Result<usize> {
    let shown = path.display().to_string();
    let bad = |problems: Vec<String>| Error::from(CountError::BadSheet { path: shown.clone(), problems });
    let mut book = crate::import::open(path).map_err(|e| bad(vec![e.to_string()]))?;
    let sheet = book.sheet(None)?;
    let decimal_mark = book.decimal_mark();
    let mut counts = Vec::new();
    let mut problems = Vec::new();
    book.read_rows(&sheet, |row| {
        let cell = |i: usize| row.cells.get(i).map(|c| c.text().trim().to_owned()).unwrap_or_default();
        let (sku, counted) = (crate::import::unneutralized(&cell(0)).to_owned(), cell(4));
        if row.number == 1 || counted.is_empty() {
            return Ok(true); // the header, or an item not counted
        }
        match crate::num::parse_decimal_in(&counted, decimal_mark) {
            Ok(qty) if qty >= Decimal::ZERO => counts.push((sku, qty)),
            _ => problems.push(format!("row {}, column counted: {counted:?} is not a quantity", row.number)),
        }
        Ok(true)
    })?;
    if !problems.is_empty() {
        return Err(bad(problems));
    }
    db::write(conn, |tx| {
        let session = open_session(tx, id)?;
        let mut problems = Vec::new();
        for (sku, qty) in &counts {
            let set = resolve_sku(tx, sku).and_then(|item| add_to_line(tx, &session, &item, *qty, true));
            if let Err(e) = set {
                problems.push(format!("{sku}: {e}"));
            }
        }
        if problems.is_empty() {
            Ok(counts.len())
        } else {
            Err(bad(problems))
        }
    })
}
