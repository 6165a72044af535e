//! Product lists: Turkish-aware search, filters, sort, keyset pages and counts.
//!
//! Every list is a keyset page: the cursor is the id of the last row shown, and the
//! next page starts after that row's sort key, so page 10 000 costs what page 1 costs.
//! A search first collects the matching ids (full-text words, SKU prefix, exact
//! barcode) and then sorts only those.

use crate::db::Fixed;
use crate::error::Result;
use crate::text::{fold, words};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Name,
    Sku,
    Created,
    Updated,
    OnHand,
}

impl Sort {
    /// The column a page is ordered on (with `id` as the tie-breaker).
    fn column(self) -> &'static str {
        match self {
            Sort::Name => "p.name_sort",
            Sort::Sku => "p.sku",
            Sort::Created => "p.id",
            Sort::Updated => "p.updated_at",
            Sort::OnHand => "p.on_hand",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Active and inactive, not deleted.
    #[default]
    All,
    Active,
    Inactive,
    /// The trash: soft-deleted products.
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductQuery {
    /// Words of the name, a SKU prefix or an exact barcode.
    pub search: Option<String>,
    /// Includes the category's subcategories.
    pub category_id: Option<i64>,
    pub brand_id: Option<i64>,
    pub tag_id: Option<i64>,
    pub status: StatusFilter,
    /// Only products at or below their minimum stock.
    pub low_stock: bool,
    /// The price group that `price_min`/`price_max` and the rows' `price` refer to.
    pub price_group: u8,
    pub price_min: Option<Decimal>,
    pub price_max: Option<Decimal>,
    pub sort: Sort,
    pub descending: bool,
    pub limit: u32,
    /// The `next_after` of the previous page.
    pub after: Option<i64>,
}

impl Default for ProductQuery {
    fn default() -> Self {
        ProductQuery {
            search: None,
            category_id: None,
            brand_id: None,
            tag_id: None,
            status: StatusFilter::All,
            low_stock: false,
            price_group: 1,
            price_min: None,
            price_max: None,
            sort: Sort::Name,
            descending: false,
            limit: 50,
            after: None,
        }
    }
}

/// One line of the products table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub barcode: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub unit: String,
    pub on_hand: Decimal,
    pub min_stock: Option<Decimal>,
    /// Sale price in the query's price group.
    pub price: Option<Decimal>,
    pub active: bool,
    pub deleted: bool,
    pub variants: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductPage {
    pub rows: Vec<ProductRow>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<i64>,
}

/// Most rows one page may hold.
pub const MAX_PAGE: u32 = 1000;

pub fn search_products(conn: &Connection, query: &ProductQuery) -> Result<ProductPage> {
    let mut sql = Sql::default();
    let from = sql.from_and_filters(conn, query)?;
    let limit = query.limit.clamp(1, MAX_PAGE);
    let (column, cmp, dir) = (query.sort.column(), if query.descending { "<" } else { ">" }, if query.descending { "DESC" } else { "ASC" });
    if let Some(after) = query.after {
        let key: Option<Value> =
            conn.query_row(&format!("SELECT {column} FROM products p WHERE p.id = ?1"), [after], |r| r.get(0)).optional()?;
        if let Some(key) = key {
            sql.push_condition(&format!("({column}, p.id) {cmp} (?, ?)"), [key, Value::Integer(after)]);
        }
    }
    let group = Value::Integer(query.price_group.clamp(1, 10).into());
    let text = format!(
        "SELECT p.id, p.sku, p.name, p.barcode,
                (SELECT name FROM categories WHERE id = p.category_id),
                (SELECT name FROM brands WHERE id = p.brand_id),
                p.unit, p.on_hand, p.min_stock,
                (SELECT sale FROM prices WHERE product_id = p.id AND ifnull(variant_id, 0) = 0 AND group_no = ?),
                p.active, p.deleted_at IS NOT NULL,
                (SELECT count(*) FROM variants WHERE product_id = p.id AND deleted_at IS NULL),
                p.updated_at
         FROM {from} WHERE {} ORDER BY {column} {dir}, p.id {dir} LIMIT {}",
        sql.where_clause(),
        limit + 1
    );
    let params = std::iter::once(group).chain(sql.params);
    let mut stmt = conn.prepare(&text)?;
    let mut rows = stmt
        .query_map(params_from_iter(params), |r| {
            Ok(ProductRow {
                id: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                barcode: r.get(3)?,
                category: r.get(4)?,
                brand: r.get(5)?,
                unit: r.get(6)?,
                on_hand: r.get::<_, Fixed>(7)?.0,
                min_stock: r.get::<_, Option<Fixed>>(8)?.map(|f| f.0),
                price: r.get::<_, Option<Fixed>>(9)?.map(|f| f.0),
                active: r.get(10)?,
                deleted: r.get(11)?,
                variants: r.get(12)?,
                updated_at: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next_after = (rows.len() > limit as usize).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id)
    });
    Ok(ProductPage { rows, next_after: next_after.flatten() })
}

/// How many products the query's search and filters match (ignoring `after`/`limit`).
pub fn count_products(conn: &Connection, query: &ProductQuery) -> Result<u64> {
    let mut sql = Sql::default();
    let from = sql.from_and_filters(conn, query)?;
    let text = format!("SELECT count(*) FROM {from} WHERE {}", sql.where_clause());
    Ok(conn.query_row(&text, params_from_iter(sql.params), |r| r.get(0))?)
}

/// Conditions and their parameters, in order.
#[derive(Default)]
struct Sql {
    conditions: Vec<String>,
    params: Vec<Value>,
}

impl Sql {
    fn push_condition<const N: usize>(&mut self, condition: &str, params: [Value; N]) {
        self.conditions.push(condition.to_owned());
        self.params.extend(params);
    }

    fn where_clause(&self) -> String {
        self.conditions.join(" AND ")
    }

    /// The FROM clause (with the search's matches first, when there is a search) and
    /// the filter conditions.
    fn from_and_filters(&mut self, conn: &Connection, q: &ProductQuery) -> Result<String> {
        let from = match q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(search) => self.matches(search),
            None => "products p".to_owned(),
        };
        self.conditions.push(
            match q.status {
                StatusFilter::All => "p.deleted_at IS NULL",
                StatusFilter::Active => "p.deleted_at IS NULL AND p.active = 1",
                StatusFilter::Inactive => "p.deleted_at IS NULL AND p.active = 0",
                StatusFilter::Deleted => "p.deleted_at IS NOT NULL",
            }
            .to_owned(),
        );
        if let Some(category) = q.category_id {
            let ids = category_and_descendants(conn, category)?;
            let marks = vec!["?"; ids.len()].join(", ");
            self.conditions.push(format!("p.category_id IN ({marks})"));
            self.params.extend(ids.into_iter().map(Value::Integer));
        }
        if let Some(brand) = q.brand_id {
            self.push_condition("p.brand_id = ?", [Value::Integer(brand)]);
        }
        if let Some(tag) = q.tag_id {
            self.push_condition("EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = p.id AND t.tag_id = ?)", [Value::Integer(tag)]);
        }
        if q.low_stock {
            self.conditions.push("p.is_low = 1".to_owned());
        }
        if q.price_min.is_some() || q.price_max.is_some() {
            let bound = |d: Option<Decimal>, default: i64| Value::Integer(d.and_then(Fixed::to_units).unwrap_or(default));
            self.push_condition(
                "EXISTS (SELECT 1 FROM prices pr WHERE pr.product_id = p.id AND pr.group_no = ? AND pr.sale BETWEEN ? AND ?)",
                [Value::Integer(q.price_group.clamp(1, 10).into()), bound(q.price_min, i64::MIN), bound(q.price_max, i64::MAX)],
            );
        }
        Ok(from)
    }

    /// The ids whose words start with the search's words, whose SKU (or a variant's)
    /// starts with the search, or whose barcode (or a variant's) is the search.
    /// CROSS JOIN keeps SQLite from walking the whole sort index to find them.
    fn matches(&mut self, search: &str) -> String {
        let mut sources = Vec::new();
        let words = words(search);
        if !words.is_empty() {
            sources.push("SELECT rowid AS id FROM product_search WHERE product_search MATCH ?".to_owned());
            let fts = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ");
            self.params.push(Value::Text(fts));
        }
        let (low, high) = prefix_range(&fold(search));
        for table in ["products", "variants"] {
            let id = if table == "products" { "id" } else { "product_id" };
            sources.push(format!("SELECT {id} AS id FROM {table} WHERE sku_key >= ? AND sku_key < ?"));
            self.params.extend([Value::Text(low.clone()), Value::Text(high.clone())]);
        }
        for (table, id, column) in [("products", "id", "barcode"), ("products", "id", "barcode2"), ("variants", "product_id", "barcode")] {
            sources.push(format!("SELECT {id} AS id FROM {table} WHERE {column} = ?"));
            self.params.push(Value::Text(search.to_owned()));
        }
        format!("({}) m CROSS JOIN products p ON p.id = m.id", sources.join(" UNION "))
    }
}

/// Keys starting with `prefix` lie in `[prefix, prefix + U+10FFFF)`.
fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_owned(), format!("{prefix}\u{10FFFF}"))
}

fn category_and_descendants(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT c.id FROM categories c JOIN sub ON c.parent_id = sub.id)
         SELECT id FROM sub",
    )?;
    let ids = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}
