//! Product lists: Turkish-aware search, filters, sort, keyset pages and counts.
//!
//! Every list is a keyset page: the cursor is the id of the last row shown, and the
//! next page starts after that row's sort key, so page 10 000 costs what page 1 costs.
//! A search first collects the matching ids (full-text words, SKU prefix, exact
//! barcode) and then sorts only those.

use crate::db::{self, id_set, Fixed};
use crate::error::{Error, Result};
use crate::text::{fold, words};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Name,
    Sku,
    Created,
    Updated,
    OnHand,
    /// Sale price in price group 1 ("Fiyat"); products without one come last either way.
    Price,
}

impl Sort {
    /// The column a page is ordered on (with `id` as the tie-breaker).
    fn column(self, descending: bool) -> &'static str {
        match self {
            // A missing price is the largest key going up and the smallest going down.
            Sort::Price if descending => "p.price_down",
            Sort::Price => "p.price_up",
            Sort::Name => "p.name_sort",
            Sort::Sku => "p.sku",
            Sort::Created => "p.id",
            Sort::Updated => "p.updated_at",
            Sort::OnHand => "p.on_hand",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
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
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub price_min: Option<Decimal>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub barcode: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub unit: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub on_hand: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub min_stock: Option<Decimal>,
    /// Sale price in the query's price group.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub price: Option<Decimal>,
    pub active: bool,
    pub deleted: bool,
    pub variants: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProductPage {
    pub rows: Vec<ProductRow>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<i64>,
}

/// Most rows one page may hold.
pub const MAX_PAGE: u32 = 1000;

pub fn search_products(conn: &Connection, query: &ProductQuery) -> Result<ProductPage> {
    let mut sql = Sql::default();
    let from = sql.search_and_filters(conn, query, false)?;
    let limit = query.limit.clamp(1, MAX_PAGE);
    let (column, cmp, dir) =
        (query.sort.column(query.descending), if query.descending { "<" } else { ">" }, if query.descending { "DESC" } else { "ASC" });
    if let Some(after) = query.after {
        let key: Option<Value> = conn.query_row(&format!("SELECT {column} FROM products p WHERE p.id = ?1"), [after], |r| r.get(0)).optional()?;
        let key = key.ok_or_else(|| Error::invalid("after", format!("no product with id {after} to continue after")))?;
        sql.push_condition(&format!("({column}, p.id) {cmp} (?, ?)"), [key, Value::Integer(after)]);
    }
    let group = Value::Integer(query.price_group.clamp(1, 10).into());
    // The page's ids are chosen first and the display columns (names, price, variant
    // count) computed for those rows only, not for every match before the sort.
    let text = format!(
        "SELECT p.id, p.sku, p.name, p.barcode,
                (SELECT name FROM categories WHERE id = p.category_id),
                (SELECT name FROM brands WHERE id = p.brand_id),
                p.unit, p.on_hand, p.min_stock,
                (SELECT sale FROM prices WHERE product_id = p.id AND ifnull(variant_id, 0) = 0 AND group_no = ?),
                p.active, p.deleted_at IS NOT NULL,
                (SELECT count(*) FROM variants WHERE product_id = p.id AND deleted_at IS NULL),
                p.updated_at
         FROM (SELECT p.id, {column} AS k FROM {from} WHERE {} ORDER BY {column} {dir}, p.id {dir} LIMIT {}) page
         CROSS JOIN products p ON p.id = page.id
         ORDER BY page.k {dir}, p.id {dir}",
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
    let (text, params) = count_sql(conn, query)?;
    db::without_map(conn, |conn| Ok(conn.query_row(&text, params_from_iter(params), |r| r.get(0))?))
}

fn count_sql(conn: &Connection, query: &ProductQuery) -> Result<(String, Vec<Value>)> {
    // The whole catalog, as the products screen counts it when it opens: all rows less the
    // trashed ones. SQLite counts a table through its smallest index (20 MB for 1M
    // products, 60 ms); `deleted_at IS NULL` would read products_name, whose entries carry
    // each name's sort key (370 MB, 450 ms), and leave it in the app's memory.
    let whole = ProductQuery {
        sort: query.sort,
        descending: query.descending,
        limit: query.limit,
        after: query.after,
        price_group: query.price_group,
        ..Default::default()
    };
    if *query == whole {
        return Ok(("SELECT (SELECT count(*) FROM products) - (SELECT count(*) FROM products WHERE deleted_at IS NOT NULL)".to_owned(), Vec::new()));
    }
    let mut sql = Sql::default();
    let from = sql.search_and_filters(conn, query, true)?;
    Ok((format!("SELECT count(*) FROM {from} WHERE {}", sql.where_clause()), sql.params))
}

/// The `after` cursor of every page of the query (pages of `query.limit` rows): page k
/// starts after `anchors[k - 1]`. With them a table jumps to any row with one keyset page
/// instead of walking every page before it; finding them is one pass over the ordering.
pub fn page_anchors(conn: &Connection, query: &ProductQuery) -> Result<Vec<i64>> {
    let mut sql = Sql::default();
    let from = sql.search_and_filters(conn, query, true)?;
    let (column, dir) = (query.sort.column(query.descending), if query.descending { "DESC" } else { "ASC" });
    let text = format!(
        "SELECT id FROM (SELECT p.id, row_number() OVER (ORDER BY {column} {dir}, p.id {dir}) AS n FROM {from} WHERE {})
         WHERE n % ? = 0 ORDER BY n",
        sql.where_clause()
    );
    let page = Value::Integer(query.limit.clamp(1, MAX_PAGE).into());
    db::without_map(conn, |conn| {
        let mut stmt = conn.prepare(&text)?;
        let ids = stmt.query_map(params_from_iter(sql.params.into_iter().chain([page])), |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    })
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

    /// The FROM clause and the filter conditions. A search that matches few products
    /// collects their ids first and sorts only those; one that matches many walks the
    /// sort order and tests each product, which stops after one page. `for_count`
    /// always collects (a count has to see every match anyway).
    fn search_and_filters(&mut self, conn: &Connection, q: &ProductQuery, for_count: bool) -> Result<String> {
        let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(Search::new);
        let from = match &search {
            Some(search) if !for_count => match search.broad_matches(conn)? {
                // Many matches: walk the sort order and test each product against them.
                Some(ids) => {
                    self.push_condition("in_id_set(?, p.id)", [Value::Blob(ids)]);
                    "products p".to_owned()
                }
                None => search.collected(&mut self.params),
            },
            Some(search) => search.collected(&mut self.params),
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
}

/// What a search text matches: products whose words, SKUs or barcodes (their
/// variants' included) start with its words. The search index holds SKUs and barcodes
/// as words too, so a SKU prefix or a barcode is found like a name word. Text with no
/// letters or digits (`-`, `/`) is matched against SKUs and barcodes directly.
enum Search {
    /// An FTS5 query: `"isik"* AND "led"*`.
    Words(String),
    /// A folded SKU prefix and the text as a barcode.
    Code { prefix: String, exact: String },
}

impl Search {
    fn new(text: &str) -> Self {
        let words = words(text);
        if words.is_empty() {
            return Search::Code { prefix: fold(text), exact: text.to_owned() };
        }
        Search::Words(words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND "))
    }

    /// The matching product ids, each once.
    fn union(&self) -> (String, Vec<Value>) {
        match self {
            Search::Words(fts) => ("SELECT rowid AS id FROM product_search WHERE product_search MATCH ?".to_owned(), vec![Value::Text(fts.clone())]),
            Search::Code { prefix, exact } => {
                let high = format!("{prefix}\u{10FFFF}");
                let sql = "SELECT id FROM products WHERE sku_key >= ?1 AND sku_key < ?2
                           UNION SELECT product_id FROM variants WHERE sku_key >= ?1 AND sku_key < ?2
                           UNION SELECT id FROM products WHERE barcode = ?3 OR barcode2 = ?3
                           UNION SELECT product_id FROM variants WHERE barcode = ?3";
                // Numbered parameters are renumbered by position below: repeat the values.
                let sql = sql.replace("?1", "?").replace("?2", "?").replace("?3", "?");
                let (p, h, e) = (Value::Text(prefix.clone()), Value::Text(high), Value::Text(exact.clone()));
                (sql, vec![p.clone(), h.clone(), p, h, e.clone(), e.clone(), e])
            }
        }
    }

    /// The FROM clause of the matching products joined to their rows.
    fn collected(&self, params: &mut Vec<Value>) -> String {
        let (union, union_params) = self.union();
        params.extend(union_params);
        format!("({union}) m CROSS JOIN products p ON p.id = m.id")
    }

    /// The matching ids as an `id_set` blob when so many products match that walking
    /// the sort order finds a page sooner than sorting the matches; `None` when few do.
    /// Sorting m matches costs ~m row reads; walking costs ~page × n / m; they meet near
    /// m = sqrt(10 n) (measured: benches/catalog.rs). The walk tests rows against the
    /// blob: an `IN (SELECT ...)` would first build a temporary index of every match,
    /// which took three times as long as reading them (73 000 matches of "su" in 1M).
    fn broad_matches(&self, conn: &Connection) -> Result<Option<Vec<u8>>> {
        let Search::Words(fts) = self else { return Ok(None) };
        let n: i64 = conn.query_row("SELECT ifnull(max(id), 0) FROM products", [], |r| r.get(0))?;
        let broad = ((10 * n) as f64).sqrt().clamp(500.0, 5000.0) as usize;
        let sql = "SELECT id_set(rowid) FROM product_search WHERE product_search MATCH ?1";
        let ids: Vec<u8> = conn.prepare_cached(sql)?.query_row([fts], |r| r.get(0))?;
        Ok((id_set::len(&ids) >= broad).then_some(ids))
    }
}

fn category_and_descendants(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT c.id FROM categories c JOIN sub ON c.parent_id = sub.id)
         SELECT id FROM sub",
    )?;
    let ids = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_catalog_is_counted_without_reading_the_name_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(&dir.path().join("raf.db")).unwrap();
        for sku in ["A", "B", "C"] {
            crate::catalog::create_product(&mut conn, &crate::catalog::ProductFields::new(sku, sku)).unwrap();
        }
        crate::catalog::soft_delete_product(&mut conn, "B").unwrap();
        let whole = ProductQuery { sort: Sort::Sku, limit: 10, ..Default::default() };
        assert_eq!(count_products(&conn, &whole).unwrap(), 2);
        assert_eq!(count_products(&conn, &ProductQuery { status: StatusFilter::Deleted, ..Default::default() }).unwrap(), 1);

        let (text, params) = count_sql(&conn, &whole).unwrap();
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {text}")).unwrap();
        let steps: Vec<String> = plan.query_map(params_from_iter(params), |r| r.get(3)).unwrap().map(Result::unwrap).collect();
        let scan = steps.iter().find(|s| s.starts_with("SCAN products")).expect("a scan of all products");
        assert!(scan.contains("COVERING INDEX") && !scan.contains("products_name"), "{steps:?}");
    }

    /// Every price write keeps `prices_item` and no other index: a price filter reads a
    /// product's own rows through it (an index by group and sale made an import of 1M
    /// products a third slower writing prices, and nothing read it).
    #[test]
    fn a_price_filter_reads_the_products_own_prices_through_the_one_price_index() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("raf.db")).unwrap();
        let query = ProductQuery { price_min: Some(Decimal::ONE), price_max: Some(Decimal::TEN), ..Default::default() };
        let (text, params) = count_sql(&conn, &query).unwrap();
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {text}")).unwrap();
        let steps: Vec<String> = plan.query_map(params_from_iter(params), |r| r.get(3)).unwrap().map(Result::unwrap).collect();
        assert!(steps.iter().any(|s| s.contains("SEARCH pr USING INDEX prices_item (product_id=?")), "{steps:?}");
        let mut indexes = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'prices'").unwrap();
        let indexes: Vec<String> = indexes.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(indexes, ["prices_item"]);
    }
}
