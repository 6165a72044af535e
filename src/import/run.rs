//! The dry run and the apply are one pass: each row is read, decided against the catalog
//! (create, update, unchanged, or its errors) and, when applying and no row has failed
//! yet, written. The file is read on one thread and written on another, through a
//! bounded channel of row batches, so parsing and SQLite overlap.

use super::mapping::{find_header, headers_of, Field, MappingProblem, HEADER_SEARCH_ROWS};
use super::read::{self, Row, Workbook};
use super::record::{self, Columns, Record};
use super::suspend::{touch, worth_suspending, Suspended, SUSPENDABLE_INDEXES};
use super::undo::{self, Change};
use super::{columns_for, ImportError, ImportOptions, Key, Mode, Plan, RowError, StockMode};
use crate::catalog::{self, Item, OptionValue, ProductFields, ProductKind, VariantFields};
use crate::db::Fixed;
use crate::error::{Error, Result};
use crate::progress::Task;
use crate::stock::{self, Entry, MovementKind};
use crate::text::fold;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rusqlite::Connection;
use rust_decimal::Decimal;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::hash_map;
use std::path::Path;

/// Rows sent from the reading thread at a time.
const BATCH: usize = 1024;
/// Batches the reading thread may be ahead by.
const BATCHES_AHEAD: usize = 8;
/// At most this many keys are reserved ahead from a file's declared size (a hostile
/// file may declare any).
const MAX_RESERVED_ROWS: usize = 2_000_000;

/// A file opened, its sheet chosen, its header found and its columns mapped.
pub(crate) struct Prepared {
    pub workbook: Workbook,
    pub sheet: String,
    pub header_row: u32,
    pub columns: Columns,
    pub saved_mapping: bool,
    pub problems: Vec<MappingProblem>,
}

impl Prepared {
    /// Itself when its mapping can be used; else the mapping's problems as the error.
    pub fn usable(self) -> Result<Prepared> {
        match self.problems.is_empty() {
            true => Ok(self),
            false => Err(ImportError::BadMapping { problems: self.problems.iter().map(ToString::to_string).collect() }.into()),
        }
    }
}

pub(crate) fn prepare(conn: &Connection, path: &Path, options: &ImportOptions) -> Result<Prepared> {
    let mut workbook = read::open(path)?;
    let first = workbook.sheet(options.sheet.as_deref())?;
    let (sheet, header) = match options.header_row {
        Some(wanted) => {
            let (mut header, mut last) = (None, 0);
            workbook.read_rows(&first, |row| {
                last = row.number;
                let past = row.number >= wanted;
                if row.number == wanted {
                    header = Some(row);
                }
                Ok(!past)
            })?;
            let header = header.ok_or_else(|| ImportError::HeaderRowMissing { sheet: first.clone(), row: wanted, last })?;
            (first, header)
        }
        None => {
            // Without a sheet named, the first sheet is often a cover or a summary: the
            // first visible sheet with a header row is the list.
            let candidates = match options.sheet {
                Some(_) => vec![first.clone()],
                None => workbook.visible_sheets(),
            };
            let mut found = None;
            for sheet in candidates {
                if let Some(header) = header_of(&mut workbook, &sheet)? {
                    found = Some((sheet, header));
                    break;
                }
            }
            found.ok_or_else(|| ImportError::HeaderNotFound { sheet: first, sheets: workbook.sheets().to_vec(), searched: HEADER_SEARCH_ROWS })?
        }
    };
    let (columns, saved_mapping, problems) = columns_for(conn, headers_of(&header), workbook.decimal_mark(), options)?;
    Ok(Prepared { workbook, sheet, header_row: header.number, columns, saved_mapping, problems })
}

/// The header row of `sheet`, found among its first rows.
fn header_of(workbook: &mut Workbook, sheet: &str) -> Result<Option<Row>> {
    let mut head: Vec<Row> = Vec::new();
    workbook.read_rows(sheet, |row| {
        head.push(row);
        Ok(head.len() < HEADER_SEARCH_ROWS)
    })?;
    Ok(find_header(&head).map(|i| head.swap_remove(i)))
}

/// Reads every data row of the prepared file and decides it; with `batch`, writes it too.
pub(crate) fn run(conn: &Connection, prepared: Prepared, options: &ImportOptions, batch: Option<i64>, task: &Task) -> Result<Plan> {
    let Prepared { mut workbook, sheet, header_row, columns, saved_mapping, .. } = prepared;
    let file = workbook.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let read = workbook.progress();
    let mut engine = Engine::new(conn, options, &columns, batch)?;
    engine.plan.file = file;
    engine.plan.sheet = sheet.clone();
    engine.plan.headers = columns.headers.clone();
    engine.plan.mapping = columns.fields.clone();
    engine.plan.saved_mapping = saved_mapping;
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<Parsed>>>(BATCHES_AHEAD);
        let (columns, sheet) = (&columns, &sheet);
        scope.spawn(move || {
            let mut rows = Vec::with_capacity(BATCH);
            let read = workbook.read_rows(sheet, |row| {
                if row.number <= header_row {
                    return Ok(true);
                }
                rows.push(record::parse(&row, columns));
                if rows.len() < BATCH {
                    return Ok(true);
                }
                // A closed channel means the writer stopped (cancelled or failed): stop reading.
                Ok(sender.send(Ok(std::mem::replace(&mut rows, Vec::with_capacity(BATCH)))).is_ok())
            });
            let _ = sender.send(read.map(|()| rows));
        });
        for rows in receiver {
            // Rows below the header, declared or estimated.
            engine.rows_expected = read.last_row().saturating_sub(header_row as u64);
            engine.reserve();
            for parsed in rows? {
                engine.take(parsed)?;
            }
            // Blank rows are not counted in `rows`: the total never goes below what is
            // done, and the last step meets it.
            task.step("import", engine.plan.rows, engine.rows_expected.max(engine.plan.rows))?;
        }
        task.step("import", engine.plan.rows, engine.plan.rows)?;
        engine.finish(task)
    })
}

/// What writing `action` changes (`touch`).
fn touches(action: &Action) -> u8 {
    match action {
        Action::Unchanged => 0,
        Action::CreateProduct { .. } | Action::CreateVariant { .. } | Action::CompleteParent { .. } => touch::NEW,
        Action::Update { item, restore, product, variant, prices, stock } => {
            let own_price1 = item.variant_id.is_none() && prices.iter().any(|p| p.group == 1);
            let changed_fields = product.as_ref().is_some_and(|(before, after, _)| after != before);
            [
                (restore.product.is_some() || restore.variant.is_some() || changed_fields, touch::FIELDS),
                (own_price1, touch::PRICE1),
                (variant.is_some() || !prices.is_empty(), touch::UPDATED),
                (stock.is_some(), touch::STOCK),
            ]
            .iter()
            .filter(|(yes, _)| *yes)
            .fold(0, |all, (_, bit)| all | bit)
        }
    }
}

/// A row's values, and its cells that could not be read.
type Parsed = (Record, Vec<RowError>);

/// What a row does. One lives at a time (per row), so its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Action {
    Unchanged,
    CreateProduct {
        fields: ProductFields,
        names: Names,
        prices: Vec<PriceChange>,
        stock: Option<Decimal>,
    },
    /// The product row of a parent that earlier variant rows of the file made (a sheet
    /// sorted by parent code puts it after them): its fields go onto that product.
    CompleteParent {
        sku: String,
        fields: ProductFields,
        names: Names,
        prices: Vec<PriceChange>,
    },
    CreateVariant {
        parent: Parent,
        sku: String,
        barcode: Option<String>,
        options: Vec<OptionValue>,
        prices: Vec<PriceChange>,
        stock: Option<Decimal>,
        /// `Some(false)`: the new variant is inactive.
        active: Option<bool>,
    },
    Update {
        item: Item,
        restore: Restore,
        product: Option<(ProductFields, ProductFields, Names)>,
        variant: Option<(VariantFields, VariantFields)>,
        prices: Vec<PriceChange>,
        stock: Option<Decimal>,
    },
}

impl Action {
    /// An update that changes nothing is `Unchanged`.
    fn or_unchanged(self) -> Action {
        match &self {
            Action::Update { restore: Restore { product: None, variant: None }, product: None, variant: None, prices, stock: None, .. }
                if prices.is_empty() =>
            {
                Action::Unchanged
            }
            _ => self,
        }
    }
}

/// What a row brings back from the trash (the file says it exists), with when each had
/// been trashed, for undo.
#[derive(Default)]
struct Restore {
    product: Option<String>,
    variant: Option<String>,
}

/// Where a new variant goes.
#[allow(clippy::large_enum_variant)]
enum Parent {
    Existing(i64),
    /// In the catalog, in the trash until this row: brought back, then given the variant.
    Restored(i64, String),
    /// Created by an earlier row of this file.
    InFile(String),
    /// Created by this row.
    New(ProductFields, Names),
}

/// Categories and brands a row names that do not exist yet: created when applied; and
/// the tags the product gets, when they differ from its own.
#[derive(Default)]
struct Names {
    category: Option<String>,
    brand: Option<String>,
    tags: Option<Vec<String>>,
}

impl Names {
    fn any(&self) -> bool {
        self.category.is_some() || self.brand.is_some() || self.tags.is_some()
    }
}

/// A sale/list price a row sets, and what was there before.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub(crate) struct PriceChange {
    pub group: u8,
    pub before: Option<catalog::SaleAndList>,
    pub sale: Decimal,
    pub list: Option<Decimal>,
}

/// A parent product named by variant rows: its id when it was in the catalog before this
/// file, and its variants' option values with the row of the file that makes each (`None`:
/// in the catalog), so two rows cannot make the same variant.
struct ParentInfo {
    existing: Option<i64>,
    combinations: HashMap<Vec<(String, String)>, Option<u32>>,
}

/// What a key finds in the catalog.
enum Found {
    Nothing,
    Product(i64),
    Variant(i64, i64),
    Several(usize),
}

struct Engine<'a> {
    conn: &'a Connection,
    options: &'a ImportOptions,
    columns: &'a Columns,
    /// Some while applying: the batch changes are journaled to.
    batch: Option<i64>,
    /// Applying stops writing at the first row error (and keeps deciding, to list them all).
    writing: bool,
    allow_negative: bool,
    /// Each key's first row, for duplicates within the file.
    seen: HashMap<(Key, String), u32>,
    /// SKUs that rows of this file create.
    new_skus: HashSet<String>,
    /// Categories and brands looked up by name (`"category"`/`"brand"`, name): `None`
    /// while one does not exist. Applying updates it when a row creates one.
    known_names: RefCell<HashMap<(&'static str, String), Option<i64>>>,
    /// True when a sync connection pushes products: writes then queue outbox entries.
    pushes: bool,
    /// Products in the catalog before this import wrote (0 for a dry run).
    products_before: u64,
    /// The largest product and variant ids before this import: a key is looked up in the
    /// catalog as it was, so applying decides each row as the dry run did (what this file
    /// creates is known from `seen` and `new_skus`), and a first import looks up nothing.
    last_ids: (i64, i64),
    /// Rows so far that moved a product in each of `SUSPENDABLE_INDEXES`.
    index_writes: [u64; SUSPENDABLE_INDEXES.len()],
    /// The file's data rows, as declared or estimated so far.
    rows_expected: u64,
    /// The indexes dropped for this import, built again by `finish`.
    suspended: Suspended,
    parents: HashMap<String, ParentInfo>,
    /// Products whose search index row is rewritten at the end.
    touched: HashSet<i64>,
    /// New products that variant rows made for their parent code, with the fields they
    /// were given (from the first variant row), until the parent's own row comes.
    made_parents: HashMap<String, ProductFields>,
    /// Products in the trash that earlier rows of this file bring back (a dry run writes
    /// nothing to read back).
    restored: HashSet<i64>,
    /// The stock earlier rows of this file give products that were in the catalog, for
    /// the rows after them (a dry run writes nothing to read back).
    stock_after: HashMap<i64, Decimal>,
    journal_seq: i64,
    plan: Plan,
}

type Verdict = std::result::Result<Action, Vec<RowError>>;

impl<'a> Engine<'a> {
    fn new(conn: &'a Connection, options: &'a ImportOptions, columns: &'a Columns, batch: Option<i64>) -> Result<Self> {
        Ok(Engine {
            conn,
            options,
            columns,
            batch,
            writing: batch.is_some(),
            allow_negative: crate::settings::allow_negative_stock(conn)?,
            seen: HashMap::new(),
            new_skus: HashSet::new(),
            known_names: RefCell::default(),
            pushes: batch.is_some() && crate::sync::outbox::pushes_products(conn)?,
            products_before: match batch {
                Some(_) => conn.query_row("SELECT count(*) FROM products", [], |r| r.get(0))?,
                None => 0,
            },
            last_ids: conn.query_row("SELECT (SELECT ifnull(max(id), 0) FROM products), (SELECT ifnull(max(id), 0) FROM variants)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?,
            index_writes: [0; SUSPENDABLE_INDEXES.len()],
            rows_expected: 0,
            suspended: Suspended::default(),
            parents: HashMap::new(),
            touched: HashSet::new(),
            restored: HashSet::new(),
            made_parents: HashMap::new(),
            stock_after: HashMap::new(),
            journal_seq: 0,
            plan: Plan::default(),
        })
    }

    /// Sizes the key map for the rows expected, once: growing it row by row rehashes a
    /// million keys several times.
    fn reserve(&mut self) {
        let expected = usize::try_from(self.rows_expected).unwrap_or(0).min(MAX_RESERVED_ROWS);
        self.seen.reserve(expected.saturating_sub(self.seen.capacity()));
    }

    fn take(&mut self, (record, mut errors): Parsed) -> Result<()> {
        self.plan.rows += 1;
        let row = record.row;
        // The cells that could not be read and what the rest of the row would do are
        // reported together: one run shows all of a row's problems.
        let verdict = match self.decide(record)? {
            Ok(action) if errors.is_empty() && self.writing => self.execute(row, action)?,
            Ok(action) if errors.is_empty() => Ok(action),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        };
        if let (Ok(action), true) = (&verdict, self.writing) {
            self.count_writes(action)?;
        }
        match verdict {
            Err(errors) => {
                self.plan.error_rows += 1;
                self.plan.errors.extend(errors);
                self.writing = false;
            }
            Ok(Action::Unchanged) => self.plan.unchanged += 1,
            Ok(Action::CompleteParent { .. }) => self.plan.creates += 1,
            Ok(Action::CreateProduct { stock, .. } | Action::CreateVariant { stock, .. }) => {
                self.plan.creates += 1;
                self.plan.movements += stock.is_some() as u64;
            }
            Ok(Action::Update { stock, .. }) => {
                self.plan.updates += 1;
                self.plan.movements += stock.is_some() as u64;
            }
        }
        Ok(())
    }

    fn finish(self, task: &Task) -> Result<Plan> {
        if self.writing {
            catalog::reindex_products(self.conn, self.touched.iter().copied())?;
            self.suspended.rebuild(self.conn, task)?;
        }
        Ok(self.plan)
    }

    /// Counts the row's writes against each suspendable index, and drops the ones that
    /// have become worth building again at the end (`worth_suspending`); `finish` builds
    /// them in the same transaction, so a rollback or a crash leaves them as they were.
    fn count_writes(&mut self, action: &Action) -> Result<()> {
        let touched = touches(action);
        for (i, (name, moved_by)) in SUSPENDABLE_INDEXES.iter().enumerate() {
            if touched & moved_by == 0 {
                continue;
            }
            self.index_writes[i] += 1;
            // Under the barcode key the import reads the barcode index.
            let read = *name == "products_barcode" && self.options.key == Key::Barcode;
            if !read && worth_suspending(self.index_writes[i], self.plan.rows, self.rows_expected, self.products_before) {
                self.suspended.suspend(self.conn, name)?;
            }
        }
        Ok(())
    }

    // ---- deciding ----

    fn decide(&mut self, r: Record) -> Result<Verdict> {
        let filled = |cell: &Option<String>| cell.clone().filter(|k| !k.is_empty());
        // Under the barcode key, a row without a barcode (a parent's row, as an export
        // writes it) is found by its SKU.
        let (by, key) = match (self.options.key, filled(&r.barcode)) {
            (Key::Barcode, Some(barcode)) => (Key::Barcode, Some(barcode)),
            _ => (Key::Sku, filled(&r.sku)),
        };
        let Some(key) = key else {
            let key_field = self.options.key.field();
            return Ok(Err(vec![self.error(&r, &key_field, "import.key_missing", format!("the {key_field} cell is empty"))]));
        };
        let key_field = by.field();
        match self.seen.entry((by, key.clone())) {
            hash_map::Entry::Occupied(first) => {
                let why = format!("{key_field} {key} is also on row {}; each product or variant must be on one row", first.get());
                return Ok(Err(vec![self.error(&r, &key_field, "import.duplicate_key", why)]));
            }
            hash_map::Entry::Vacant(slot) => {
                slot.insert(r.row);
            }
        }
        let found = self.find(by, &key)?;
        let mode = self.options.mode;
        let verdict = match found {
            Found::Several(n) => {
                Err(vec![self.error(&r, &key_field, "import.ambiguous_key", format!("{n} products or variants have {key_field} {key}"))])
            }
            Found::Nothing if mode == Mode::Update => {
                Err(vec![self.error(&r, &key_field, "import.not_found", format!("no product or variant has {key_field} {key} (mode update)"))])
            }
            Found::Product(_) | Found::Variant(..) if mode == Mode::Insert => {
                Err(vec![self.error(&r, &key_field, "import.exists", format!("{key_field} {key} already exists (mode insert)"))])
            }
            Found::Nothing if r.parent.is_some() => self.new_variant(r)?,
            Found::Nothing if by == Key::Sku && self.made_parents.contains_key(&key) => self.complete_parent(key, r)?,
            Found::Nothing => self.new_product(r)?,
            Found::Product(id) => self.product_update(id, r)?,
            Found::Variant(product, variant) => self.variant_update(product, variant, r)?,
        };
        Ok(verdict)
    }

    fn find(&self, by: Key, key: &str) -> Result<Found> {
        if self.last_ids == (0, 0) {
            return Ok(Found::Nothing);
        }
        // One statement for both tables: the product (variant NULL) or variant rows the key
        // names; products alone while the catalog has no variants.
        let sql = match by {
            Key::Sku if self.last_ids.1 == 0 => "SELECT id, NULL FROM products WHERE sku = ?1",
            Key::Sku => "SELECT id, NULL FROM products WHERE sku = ?1 UNION ALL SELECT product_id, id FROM variants WHERE sku = ?1",
            Key::Barcode => {
                "SELECT id, NULL FROM products WHERE barcode = ?1 AND deleted_at IS NULL
                 UNION ALL SELECT product_id, id FROM variants WHERE barcode = ?1 AND deleted_at IS NULL"
            }
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query([key])?;
        let mut found = Found::Nothing;
        while let Some(row) = rows.next()? {
            let (id, variant): (i64, Option<i64>) = (row.get(0)?, row.get(1)?);
            if variant.map_or(id > self.last_ids.0, |v| v > self.last_ids.1) {
                continue; // created by an earlier row of this file
            }
            found = match (found, variant) {
                (Found::Nothing, None) => Found::Product(id),
                (Found::Nothing, Some(variant)) => Found::Variant(id, variant),
                (Found::Several(n), _) => Found::Several(n + 1),
                (_, _) => Found::Several(2),
            };
        }
        Ok(found)
    }

    fn new_product(&mut self, r: Record) -> Result<Verdict> {
        let mut errors = Vec::new();
        let Some(sku) = r.sku.clone() else {
            return Ok(Err(vec![self.error(&r, &Field::Sku, "import.required", "a new product needs a sku".to_owned())]));
        };
        let name = r.name.clone().unwrap_or_else(|| {
            let unmapped = if self.columns.fields.contains(&Some(Field::Name)) { "" } else { ", and no column is mapped to name" };
            errors.push(self.error(&r, &Field::Name, "import.required", format!("a new product needs a name{unmapped}")));
            "-".to_owned() // stands in while the row's other cells are checked; never written
        });
        let mut fields = ProductFields::new(sku, name);
        let names = self.overlay(&mut fields, &r, &mut errors)?;
        let fields = self.validated(fields, None, &r, &mut errors)?;
        let prices = self.price_changes(&r, None, &mut errors)?;
        let stock = if r.stock.is_some() && r.kind == Some(ProductKind::Service) {
            errors.push(self.catalog_error(&r, Error::invalid("kind", format!("{} is a service and has no stock", key_sku(&r)))));
            None
        } else {
            self.stock_delta(&r, Decimal::ZERO, &mut errors)
        };
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let fields = fields.expect("validated without errors");
        self.new_skus.insert(fields.sku.clone());
        Ok(Ok(Action::CreateProduct { fields, names, prices, stock }))
    }

    fn new_variant(&mut self, r: Record) -> Result<Verdict> {
        let mut errors = Vec::new();
        let parent_sku = r.parent.clone().expect("a variant row has a parent");
        let Some(sku) = r.sku.clone() else {
            return Ok(Err(vec![self.error(&r, &Field::Sku, "import.required", "a new variant needs a SKU".into())]));
        };
        if let Err(e) = catalog::checked_sku_barcode(&sku, r.barcode.as_deref()) {
            errors.push(self.catalog_error(&r, e));
        }
        if r.options.is_empty() {
            errors.push(self.error(
                &r,
                &Field::Options,
                "import.options_missing",
                format!("variant {sku} needs option values, e.g. Renk:Beyaz;Beden:L"),
            ));
        }
        self.check_sku_free(&r, &sku, None, &mut errors)?;
        let parent = self.parent(&parent_sku, &r, &mut errors)?;
        let combination = combination_key(&r.options);
        if let Some(info) = self.parents.get(&parent_sku).filter(|_| !r.options.is_empty()) {
            if let Some(made_by) = info.combinations.get(&combination) {
                let values = r.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(" / ");
                let why = match made_by {
                    Some(row) => format!("row {row} already makes {parent_sku}'s variant {values}"),
                    None => format!("{parent_sku} already has a variant {values}"),
                };
                errors.push(self.error(&r, &Field::Options, "import.duplicate_variant", why));
            }
            // The variants of a product make a matrix (Renk × Beden): a row that leaves an
            // option out (an empty Beden cell) would make a variant outside it.
            let groups = |key: &[(String, String)]| key.iter().map(|(group, _)| group.clone()).collect::<Vec<_>>().join(", ");
            let same_groups = |other: &[(String, String)]| other.iter().map(|(group, _)| group).eq(combination.iter().map(|(group, _)| group));
            if let Some(other) = info.combinations.keys().next().filter(|other| !same_groups(other)) {
                let why = format!("{parent_sku}'s other variants have the options {}; this one has {}", groups(other), groups(&combination));
                errors.push(self.error(&r, &Field::Options, "import.options_mismatch", why));
            }
        }
        let prices = self.price_changes(&r, None, &mut errors)?;
        let stock = self.stock_delta(&r, Decimal::ZERO, &mut errors);
        let Some(parent) = parent.filter(|_| errors.is_empty()) else {
            return Ok(Err(errors));
        };
        self.parents.get_mut(&parent_sku).expect("parent known").combinations.insert(combination, Some(r.row));
        self.new_skus.insert(sku.clone());
        let (barcode, options, active) = (r.barcode.clone(), r.options.clone(), r.active);
        Ok(Ok(Action::CreateVariant { parent, sku, barcode, options, prices, stock, active }))
    }

    /// The product variant rows name by `parent_sku`: in the catalog, made by an earlier
    /// row, or to be made by this one from the row's product fields.
    fn parent(&mut self, parent_sku: &str, r: &Record, errors: &mut Vec<RowError>) -> Result<Option<Parent>> {
        if let Some(info) = self.parents.get(parent_sku) {
            return Ok(Some(match info.existing {
                Some(id) => Parent::Existing(id),
                None => Parent::InFile(parent_sku.to_owned()),
            }));
        }
        if self.new_skus.contains(parent_sku) {
            // An earlier row of the file creates the parent (a product row, then its variants).
            self.parents.insert(parent_sku.to_owned(), ParentInfo { existing: None, combinations: HashMap::new() });
            return Ok(Some(Parent::InFile(parent_sku.to_owned())));
        }
        match catalog::resolve_sku(self.conn, parent_sku) {
            Ok(Item { product_id, variant_id: None, .. }) => {
                let product = catalog::product_by_id(self.conn, product_id)?;
                let has_variants = self.has_variants(product_id, parent_sku)?;
                let on_hand = self.stock_after.get(&product_id).copied().unwrap_or(product.on_hand);
                if !has_variants && !on_hand.is_zero() {
                    errors.push(self.catalog_error(r, Error::StockOnProduct(parent_sku.to_owned())));
                    return Ok(None);
                }
                let combinations = catalog::option_keys(self.conn, product_id)?.into_iter().map(|key| (key, None)).collect();
                self.parents.insert(parent_sku.to_owned(), ParentInfo { existing: Some(product_id), combinations });
                Ok(Some(match self.restoring(product_id, &product.deleted_at) {
                    Some(trashed_at) => Parent::Restored(product_id, trashed_at),
                    None => Parent::Existing(product_id),
                }))
            }
            Ok(_) => {
                errors.push(self.error(r, &Field::Parent, "import.parent_is_variant", format!("{parent_sku} is a variant, not a product")));
                Ok(None)
            }
            Err(Error::ProductNotFound(_)) => {
                let Some(name) = r.name.clone() else {
                    errors.push(self.error(r, &Field::Name, "import.required", format!("the new product {parent_sku} needs a name")));
                    return Ok(None);
                };
                let mut fields = ProductFields::new(parent_sku, name);
                let names = self.overlay_product_level(&mut fields, r, errors)?;
                let Some(fields) = self.validated(fields, None, r, errors)? else { return Ok(None) };
                if !errors.is_empty() {
                    return Ok(None);
                }
                self.new_skus.insert(parent_sku.to_owned());
                self.parents.insert(parent_sku.to_owned(), ParentInfo { existing: None, combinations: HashMap::new() });
                self.made_parents.insert(parent_sku.to_owned(), fields.clone());
                Ok(Some(Parent::New(fields, names)))
            }
            Err(e) => Err(e),
        }
    }

    /// The row of product `sku` that earlier variant rows made: its fields over the ones
    /// they gave it. A product with variants holds no stock of its own.
    fn complete_parent(&mut self, sku: String, r: Record) -> Result<Verdict> {
        let mut errors = Vec::new();
        let mut fields = self.made_parents.remove(&sku).expect("a parent made by this file");
        let names = self.overlay(&mut fields, &r, &mut errors)?;
        let fields = self.validated(fields, Some(&sku), &r, &mut errors)?;
        let prices = self.price_changes(&r, None, &mut errors)?;
        if r.stock.is_some() {
            errors.push(self.catalog_error(&r, Error::HasVariants(sku.clone())));
        }
        match fields.filter(|_| errors.is_empty()) {
            Some(fields) => Ok(Ok(Action::CompleteParent { sku, fields, names, prices })),
            None => Ok(Err(errors)),
        }
    }

    fn product_update(&mut self, id: i64, r: Record) -> Result<Verdict> {
        let mut errors = Vec::new();
        let current = catalog::product_by_id(self.conn, id)?;
        if let Some(parent) = r.parent.as_ref().filter(|p| **p != current.fields.sku) {
            let why = format!("{} is a product, not a variant of {parent}", current.fields.sku);
            return Ok(Err(vec![self.error(&r, &Field::Parent, "import.not_a_variant", why)]));
        }
        let mut after = current.fields.clone();
        let mut names = self.overlay(&mut after, &r, &mut errors)?;
        if let Some(tags) = &names.tags {
            let own = catalog::product_tags(self.conn, id)?;
            if same_names(tags, own.iter().map(|t| t.name.as_str())) {
                names.tags = None;
            }
        }
        // Fields the row leaves as the catalog holds them were checked when written.
        let after = if after == current.fields { Some(after) } else { self.validated(after, Some(&current.fields.sku), &r, &mut errors)? };
        let prices = self.price_changes(&r, Some((id, None)), &mut errors)?;
        let stock = if r.stock.is_some() && r.kind.unwrap_or(current.fields.kind) == ProductKind::Service {
            errors.push(self.catalog_error(&r, Error::invalid("kind", format!("{} is a service and has no stock", current.fields.sku))));
            None
        } else if r.stock.is_some() && self.has_variants(id, &current.fields.sku)? {
            errors.push(self.catalog_error(&r, Error::HasVariants(current.fields.sku.clone())));
            None
        } else {
            self.stock_delta(&r, current.on_hand, &mut errors)
        };
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        if let Some(delta) = stock {
            self.stock_after.insert(id, current.on_hand + delta);
        }
        let after = after.expect("validated without errors");
        let restore = Restore { product: self.restoring(id, &current.deleted_at), variant: None };
        let product = (after != current.fields || names.any()).then_some((current.fields, after, names));
        let item = Item { product_id: id, variant_id: None, sku: product.as_ref().map(|p| p.1.sku.clone()).unwrap_or_else(|| key_sku(&r)) };
        Ok(Ok(Action::Update { item, restore, product, variant: None, prices, stock }.or_unchanged()))
    }

    fn variant_update(&mut self, product_id: i64, variant_id: i64, r: Record) -> Result<Verdict> {
        let mut errors = Vec::new();
        let product = catalog::product_by_id(self.conn, product_id)?;
        let (sku, barcode, active, on_hand, trashed_at): (String, Option<String>, bool, Fixed, Option<String>) = self
            .conn
            .prepare_cached("SELECT sku, barcode, active, on_hand, deleted_at FROM variants WHERE id = ?1")?
            .query_row([variant_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?;
        let before = VariantFields { sku, barcode, active };
        let mut after = before.clone();
        if let Some(barcode) = &r.barcode {
            after.barcode = Some(barcode.clone());
        }
        if let Some(active) = r.active {
            after.active = active;
        }
        if let Some(sku) = r.sku.as_ref().filter(|_| self.options.key == Key::Barcode) {
            after.sku = sku.clone();
            self.check_sku_free(&r, sku, Some(&before.sku), &mut errors)?;
        }
        if let Err(e) = catalog::checked_sku_barcode(&after.sku, after.barcode.as_deref()) {
            errors.push(self.catalog_error(&r, e));
        }
        let prices = self.price_changes(&r, Some((product_id, Some(variant_id))), &mut errors)?;
        let stock = self.stock_delta(&r, on_hand.0, &mut errors);
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let item = Item { product_id, variant_id: Some(variant_id), sku: after.sku.clone() };
        let restore = Restore { product: self.restoring(product_id, &product.deleted_at), variant: trashed_at };
        let variant = (after != before).then_some((before, after));
        Ok(Ok(Action::Update { item, restore, product: None, variant, prices, stock }.or_unchanged()))
    }

    /// Puts the row's values on `fields`; returns the category and brand it names that
    /// do not exist yet.
    fn overlay(&self, fields: &mut ProductFields, r: &Record, errors: &mut Vec<RowError>) -> Result<Names> {
        if let Some(sku) = &r.sku {
            fields.sku = sku.clone();
        }
        if let Some(barcode) = &r.barcode {
            fields.barcode = Some(barcode.clone());
        }
        // On a variant row, the status is the variant's.
        if let Some(active) = r.active {
            fields.active = active;
        }
        self.overlay_product_level(fields, r, errors)
    }

    /// When product `id` is in the trash and no earlier row of this file brings it back,
    /// when it was trashed: this row brings it back.
    fn restoring(&mut self, id: i64, trashed_at: &Option<String>) -> Option<String> {
        trashed_at.clone().filter(|_| self.restored.insert(id))
    }

    /// The fields a variant row also carries for its product.
    fn overlay_product_level(&self, fields: &mut ProductFields, r: &Record, errors: &mut Vec<RowError>) -> Result<Names> {
        let set = |target: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                target.clone_from(v);
            }
        };
        set(&mut fields.name, &r.name);
        set(&mut fields.unit, &r.unit);
        if r.description.is_some() {
            fields.description.clone_from(&r.description);
        }
        if let Some(vat) = r.vat {
            fields.vat_rate = vat;
        }
        if r.min_stock.is_some() {
            fields.min_stock = r.min_stock;
        }
        for (target, value) in
            [(&mut fields.subtitle, &r.subtitle), (&mut fields.barcode2, &r.barcode2), (&mut fields.purchase_currency, &r.purchase_currency)]
        {
            if value.is_some() {
                target.clone_from(value);
            }
        }
        set(&mut fields.currency, &r.currency);
        for (target, value) in [(&mut fields.desi, r.desi), (&mut fields.purchase_price, r.purchase_price)] {
            if value.is_some() {
                *target = value;
            }
        }
        if let Some(kind) = r.kind {
            fields.kind = kind;
        }
        if let Some(urls) = &r.image_urls {
            fields.image_urls.clone_from(urls);
        }
        let mut names = Names { tags: r.tags.clone().filter(|t| !t.is_empty()), ..Names::default() };
        if let Some(category) = &r.category {
            match self.named_id("category", category) {
                Ok(Some(id)) => fields.category_id = Some(id),
                Ok(None) => names.category = Some(category.clone()),
                Err(e) => errors.push(self.catalog_error(r, e)),
            }
        }
        if let Some(brand) = &r.brand {
            match self.named_id("brand", brand) {
                Ok(Some(id)) => fields.brand_id = Some(id),
                Ok(None) => names.brand = Some(brand.clone()),
                Err(e) => errors.push(self.catalog_error(r, e)),
            }
        }
        Ok(names)
    }

    /// The id of the category or brand named `name`, `None` when there is none yet; looked
    /// up once per name (a file names the same few categories on every row).
    fn named_id(&self, kind: &'static str, name: &str) -> Result<Option<i64>> {
        let key = (kind, name.to_owned());
        if let Some(known) = self.known_names.borrow().get(&key) {
            return Ok(*known);
        }
        let found = match kind {
            "category" => catalog::category_id(self.conn, name),
            _ => catalog::brand_id(self.conn, name),
        };
        let id = match found {
            Ok(id) => Some(id),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        self.known_names.borrow_mut().insert(key, id);
        Ok(id)
    }

    /// The fields as the catalog will store them, or the row's errors about them.
    /// `own_sku`: the product's SKU before the row, when it exists.
    fn validated(&self, fields: ProductFields, own_sku: Option<&str>, r: &Record, errors: &mut Vec<RowError>) -> Result<Option<ProductFields>> {
        let (fields, problems) = catalog::normalized_with_problems(&fields);
        if !problems.is_empty() {
            errors.extend(problems.into_iter().map(|e| self.catalog_error(r, e)));
            return Ok(None);
        }
        self.check_sku_free(r, &fields.sku, own_sku, errors)?;
        Ok(Some(fields))
    }

    /// A SKU about to be given to a new item (or to `own`, renamed) must be free in the
    /// catalog and in this file.
    fn check_sku_free(&self, r: &Record, sku: &str, own: Option<&str>, errors: &mut Vec<RowError>) -> Result<()> {
        if own == Some(sku) {
            return Ok(());
        }
        // The row's own key was looked up in products and variants already (`find`).
        let looked_up = self.options.key == Key::Sku && r.sku.as_deref() == Some(sku);
        let taken: bool = !looked_up
            && self
                .conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM products WHERE sku = ?1) OR EXISTS (SELECT 1 FROM variants WHERE sku = ?1)")?
                .query_row([sku], |row| row.get(0))?;
        if taken || self.new_skus.contains(sku) {
            errors.push(self.catalog_error(r, Error::SkuTaken(sku.to_owned())));
        }
        Ok(())
    }

    /// Whether product `sku` has live variants: ones it had, or ones earlier rows of this
    /// file give it (known from `parents`, not read back, so the dry run, which writes
    /// nothing, decides as the apply does).
    fn has_variants(&self, product_id: i64, sku: &str) -> Result<bool> {
        match self.parents.get(sku) {
            Some(parent) if !parent.combinations.is_empty() => return Ok(true),
            Some(ParentInfo { existing: None, .. }) => return Ok(false),
            _ if self.last_ids.1 == 0 => return Ok(false),
            _ => {}
        }
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM variants WHERE product_id = ?1 AND deleted_at IS NULL)")?
            .query_row([product_id], |row| row.get(0))?)
    }

    /// The prices the row changes, against the item's current ones (`None`: a new item).
    fn price_changes(&self, r: &Record, item: Option<(i64, Option<i64>)>, errors: &mut Vec<RowError>) -> Result<Vec<PriceChange>> {
        if r.sale.iter().chain(&r.list).all(Option::is_none) {
            return Ok(Vec::new());
        }
        let current = match item {
            Some((product, variant)) => catalog::item_price_values(self.conn, product, variant)?,
            None => [None; 10],
        };
        let mut changes = Vec::new();
        for (g, &before) in current.iter().enumerate() {
            let (sale, list) = (r.sale[g], r.list[g]);
            if sale.is_none() && list.is_none() {
                continue;
            }
            let group = g as u8 + 1;
            let Some(new_sale) = sale.or(before.map(|b| b.0)) else {
                let why = format!("a list price in group {group} needs a sale price there too");
                errors.push(self.error(r, &Field::ListPrice(group), "import.sale_price_missing", why));
                continue;
            };
            let new_list = list.or(before.and_then(|b| b.1));
            let mut ok = true;
            for (field, value) in [(Field::Price(group), Some(new_sale)), (Field::ListPrice(group), new_list)] {
                if let Some(Err(e)) = value.map(|v| catalog::check_amount(if matches!(field, Field::Price(_)) { "sale" } else { "list" }, v)) {
                    errors.push(self.error(r, &field, e.code(), e.to_string()));
                    ok = false;
                }
            }
            if ok && before != Some((new_sale, new_list)) {
                changes.push(PriceChange { group, before, sale: new_sale, list: new_list });
            }
        }
        Ok(changes)
    }

    /// The stock movement the row makes: `None` when it makes none.
    fn stock_delta(&self, r: &Record, on_hand: Decimal, errors: &mut Vec<RowError>) -> Option<Decimal> {
        let qty = r.stock?;
        if !crate::db::fits(qty.abs()) {
            errors.push(self.error(r, &Field::Stock, "input.invalid", "at most 4 decimal places".into()));
            return None;
        }
        let delta = match self.options.stock {
            StockMode::Set => qty - on_hand,
            StockMode::Add => qty,
        };
        let after = on_hand + delta;
        if delta < Decimal::ZERO && after < Decimal::ZERO && !self.allow_negative {
            let e = Error::WouldGoNegative { sku: key_sku(r), on_hand, delta };
            errors.push(self.error(r, &Field::Stock, e.code(), e.to_string()));
            return None;
        }
        (!delta.is_zero()).then_some(delta)
    }

    fn error(&self, r: &Record, field: &Field, code: &'static str, message: String) -> RowError {
        RowError { row: r.row, column: self.columns.of(field), value: value_of(r, field), code, message }
    }

    /// A catalog rule broken by the row, placed on the column of the field it names.
    fn catalog_error(&self, r: &Record, e: Error) -> RowError {
        let field = match &e {
            Error::Invalid { field, .. } => match *field {
                "name" => Field::Name,
                "unit" => Field::Unit,
                "vat_rate" => Field::Vat,
                "barcode" => Field::Barcode,
                "min_stock" => Field::MinStock,
                "options" => Field::Options,
                "kind" | "qty" => Field::Stock,
                "description" => Field::Description,
                "subtitle" => Field::Subtitle,
                "desi" => Field::Desi,
                "currency" => Field::Currency,
                "purchase_price" => Field::PurchasePrice,
                "purchase_currency" => Field::PurchaseCurrency,
                "image_urls" => Field::Images,
                _ => Field::Sku,
            },
            Error::NotFound { kind: "brand", .. } => Field::Brand,
            Error::NotFound { .. } => Field::Category,
            Error::InTrash(_) | Error::StockOnProduct(_) if r.parent.is_some() => Field::Parent,
            Error::HasVariants(_) | Error::StockOnProduct(_) => Field::Stock,
            _ => self.options.key.field(),
        };
        self.error(r, &field, e.code(), e.to_string())
    }

    // ---- writing ----

    /// Writes the row's action; a catalog rule broken here becomes the row's error.
    fn execute(&mut self, row: u32, action: Action) -> Result<Verdict> {
        match self.write(row, &action) {
            Ok(()) => Ok(Ok(action)),
            Err(e @ (Error::Sqlite(_) | Error::Cancelled)) => Err(e),
            Err(e) => Ok(Err(vec![RowError { row, column: String::new(), value: String::new(), code: e.code(), message: e.to_string() }])),
        }
    }

    fn write(&mut self, row: u32, action: &Action) -> Result<()> {
        match action {
            Action::Unchanged => Ok(()),
            Action::CreateProduct { fields, names, prices, stock } => self.insert_product(row, fields, names, prices, *stock),
            Action::CompleteParent { sku, fields, names, prices } => {
                // Made by this import: nothing to journal, undo trashes it.
                let item = catalog::resolve_sku(self.conn, sku)?;
                let mut fields = fields.clone();
                self.create_names(names, &mut fields)?;
                catalog::update_product_unindexed(self.conn, item.product_id, &fields)?;
                self.touched.insert(item.product_id);
                self.write_tags(row, item.product_id, names, true)?;
                self.write_prices(row, &item, prices, false)
            }
            Action::CreateVariant { parent, sku, barcode, options, prices, stock, active } => {
                let product_id = match parent {
                    Parent::Existing(id) => *id,
                    Parent::Restored(id, trashed_at) => {
                        self.bring_back(row, *id, None, trashed_at)?;
                        *id
                    }
                    Parent::InFile(parent_sku) => catalog::resolve_sku(self.conn, parent_sku)?.product_id,
                    Parent::New(fields, names) => self.create_product(row, fields, names)?,
                };
                let variant_id = catalog::insert_variant(self.conn, product_id, sku, barcode.as_deref(), options)?;
                if *active == Some(false) {
                    catalog::update_variant_in(self.conn, sku, &VariantFields { sku: sku.clone(), barcode: barcode.clone(), active: false })?;
                }
                self.touched.insert(product_id);
                let item = Item { product_id, variant_id: Some(variant_id), sku: sku.clone() };
                self.write_prices(row, &item, prices, false)?;
                self.write_stock(row, &item, *stock)
            }
            Action::Update { item, restore, product, variant, prices, stock } => {
                if let Some(trashed_at) = &restore.product {
                    self.bring_back(row, item.product_id, None, trashed_at)?;
                }
                if let Some(trashed_at) = &restore.variant {
                    self.bring_back(row, item.product_id, item.variant_id, trashed_at)?;
                }
                if let Some((before, after, names)) = product {
                    let mut after = after.clone();
                    self.create_names(names, &mut after)?;
                    // Only the tags may have changed.
                    if after != *before {
                        catalog::update_product_unindexed(self.conn, item.product_id, &after)?;
                        self.touched.insert(item.product_id);
                        self.journal(row, Change::ProductUpdated, item.product_id, None, json(before))?;
                    }
                    self.write_tags(row, item.product_id, names, false)?;
                }
                if let Some((before, after)) = variant {
                    catalog::update_variant_in(self.conn, &before.sku, after)?;
                    self.journal(row, Change::VariantUpdated, item.product_id, item.variant_id, json(before))?;
                }
                self.write_prices(row, item, prices, true)?;
                self.write_stock(row, item, *stock)
            }
        }
    }

    /// Brings a product (`variant` None) or a variant back from the trash, journaled with
    /// when it had been trashed.
    fn bring_back(&mut self, row: u32, product_id: i64, variant: Option<i64>, trashed_at: &str) -> Result<()> {
        match variant {
            Some(variant_id) => catalog::set_variant_deleted_in(self.conn, variant_id, None)?,
            None => catalog::set_deleted_in(self.conn, product_id, None)?,
        }
        self.touched.insert(product_id);
        self.journal(row, Change::Restored, product_id, variant, json(&trashed_at))
    }

    fn create_product(&mut self, row: u32, fields: &ProductFields, names: &Names) -> Result<i64> {
        let mut fields = fields.clone();
        self.create_names(names, &mut fields)?;
        let id = catalog::insert_product_unindexed(self.conn, &fields)?;
        self.touched.insert(id);
        self.write_tags(row, id, names, true)?;
        Ok(id)
    }

    /// The bulk path for the most common row, a new product: one INSERT with its stock,
    /// its prices and its search row, the movement and the journal; no reads. Queues the
    /// same outbox entries the per-item catalog and ledger functions would.
    fn insert_product(&mut self, row: u32, fields: &ProductFields, names: &Names, prices: &[PriceChange], stock: Option<Decimal>) -> Result<()> {
        let mut fields = fields.clone();
        self.create_names(names, &mut fields)?;
        let prices: Vec<(u8, Decimal, Option<Decimal>)> = prices.iter().map(|p| (p.group, p.sale, p.list)).collect();
        let id = catalog::insert_new_product(self.conn, &fields, stock.unwrap_or_default(), &prices)?;
        self.write_tags(row, id, names, true)?;
        if let Some(delta) = stock {
            let item = Item { product_id: id, variant_id: None, sku: fields.sku };
            let reason = self.movement_reason(row);
            stock::insert_movement(self.conn, &item, Decimal::ZERO, delta, Entry::new(MovementKind::Import, Some(&reason)))?;
        }
        if self.pushes {
            // update_product_unindexed, upsert_price for each price and stock::record each queue it once.
            for _ in 0..1 + prices.len() + stock.is_some() as usize {
                crate::sync::outbox::enqueue_product(self.conn, id)?;
            }
        }
        Ok(())
    }

    fn movement_reason(&self, row: u32) -> String {
        format!("import #{}, row {row}", self.batch.expect("writing in a batch"))
    }

    fn create_names(&self, names: &Names, fields: &mut ProductFields) -> Result<()> {
        if let Some(category) = &names.category {
            let id = catalog::ensure_category(self.conn, category)?;
            self.known_names.borrow_mut().insert(("category", category.clone()), Some(id));
            fields.category_id = Some(id);
        }
        if let Some(brand) = &names.brand {
            let id = catalog::ensure_brand(self.conn, brand)?;
            self.known_names.borrow_mut().insert(("brand", brand.clone()), Some(id));
            fields.brand_id = Some(id);
        }
        Ok(())
    }

    /// Gives the product the row's tags (`names.tags`), journaled with the ones it had
    /// (none when `new`: nothing is read for a new product).
    fn write_tags(&mut self, row: u32, product_id: i64, names: &Names, new: bool) -> Result<()> {
        let Some(tags) = &names.tags else { return Ok(()) };
        let before: Vec<String> = match new {
            true => Vec::new(),
            false => catalog::product_tags(self.conn, product_id)?.into_iter().map(|t| t.name).collect(),
        };
        catalog::retag_product(self.conn, product_id, &tags.iter().map(String::as_str).collect::<Vec<_>>())?;
        self.journal(row, Change::TagsSet, product_id, None, json(&before))
    }

    /// Sets prices; on an existing item each one is journaled with the price it replaces.
    fn write_prices(&mut self, row: u32, item: &Item, prices: &[PriceChange], journaled: bool) -> Result<()> {
        for price in prices {
            catalog::write_price(self.conn, item, price.group as i64, price.sale, price.list)?;
            if self.pushes {
                crate::sync::outbox::enqueue_item(self.conn, item)?;
            }
            if journaled {
                self.journal(row, Change::PriceSet, item.product_id, item.variant_id, json(price))?;
            }
        }
        Ok(())
    }

    fn write_stock(&mut self, row: u32, item: &Item, delta: Option<Decimal>) -> Result<()> {
        let Some(delta) = delta else { return Ok(()) };
        let reason = self.movement_reason(row);
        stock::record(self.conn, item, delta, Entry::new(MovementKind::Import, Some(&reason)))?;
        Ok(())
    }

    fn journal(&mut self, row: u32, change: Change, product: i64, variant: Option<i64>, before: String) -> Result<()> {
        self.journal_seq += 1;
        let batch = self.batch.expect("writing in a batch");
        undo::journal(self.conn, batch, self.journal_seq, row, change, product, variant, before)
    }
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

/// The SKU a row names, for messages.
fn key_sku(r: &Record) -> String {
    r.sku.clone().or_else(|| r.barcode.clone()).unwrap_or_default()
}

/// A variant's option values as the catalog compares them: folded, sorted by group.
fn combination_key(options: &[OptionValue]) -> Vec<(String, String)> {
    let mut key: Vec<(String, String)> = options.iter().map(|o| (fold(o.group.trim()), fold(o.value.trim()))).collect();
    key.sort();
    key
}

/// What the row holds for `field`, as text, for error reports.
fn value_of(r: &Record, field: &Field) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<Decimal>| v.map(|d| d.to_string()).unwrap_or_default();
    match field {
        Field::Sku => text(&r.sku),
        Field::Barcode => text(&r.barcode),
        Field::Name => text(&r.name),
        Field::Description => text(&r.description),
        Field::Unit => text(&r.unit),
        Field::Category => text(&r.category),
        Field::Brand => text(&r.brand),
        Field::Parent => text(&r.parent),
        Field::Vat => number(r.vat),
        Field::MinStock => number(r.min_stock),
        Field::Stock => number(r.stock),
        Field::Price(n) => number(r.sale[*n as usize - 1]),
        Field::ListPrice(n) => number(r.list[*n as usize - 1]),
        Field::Option(_) | Field::Options => r.options.iter().map(|o| format!("{}:{}", o.group, o.value)).collect::<Vec<_>>().join(";"),
        Field::Subtitle => text(&r.subtitle),
        Field::Barcode2 => text(&r.barcode2),
        Field::Currency => text(&r.currency),
        Field::PurchaseCurrency => text(&r.purchase_currency),
        Field::Desi => number(r.desi),
        Field::PurchasePrice => number(r.purchase_price),
        Field::Active => r.active.map(|a| a.to_string()).unwrap_or_default(),
        Field::Kind => r.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        Field::Images => r.image_urls.as_ref().map(|u| u.join("\n")).unwrap_or_default(),
        Field::Tags => r.tags.as_ref().map(|t| t.join("; ")).unwrap_or_default(),
    }
}

/// Whether two lists name the same tags (folded, in any order).
fn same_names<'a>(a: &[String], b: impl Iterator<Item = &'a str>) -> bool {
    let a: HashSet<String> = a.iter().map(|n| fold(n.trim())).collect();
    let b: HashSet<String> = b.map(|n| fold(n.trim())).collect();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(variant_id: Option<i64>, groups: &[u8], stock: bool) -> Action {
        let prices = groups.iter().map(|&group| PriceChange { group, before: None, sale: Decimal::ONE, list: None }).collect();
        Action::Update {
            item: Item { product_id: 1, variant_id, sku: "A".into() },
            restore: Restore { product: None, variant: None },
            product: None,
            variant: None,
            prices,
            stock: stock.then_some(Decimal::ONE),
        }
    }

    fn suspended_by(action: &Action) -> Vec<&'static str> {
        SUSPENDABLE_INDEXES.iter().filter(|(_, by)| touches(action) & by != 0).map(|(name, _)| *name).collect()
    }

    #[test]
    fn a_price_change_counts_against_the_indexes_that_hold_the_price_and_no_other() {
        let price_order = ["products_price_up", "products_price_down", "products_category_price_up", "products_category_price_down"];
        let own = suspended_by(&update(None, &[1], false));
        assert_eq!(own, [&["products_updated"][..], &price_order, &["products_stock_value"]].concat());
        assert_eq!(suspended_by(&update(None, &[2], false)), ["products_updated"]);
        assert_eq!(suspended_by(&update(Some(7), &[1], false)), ["products_updated"], "a variant's price is not the product's price1");
        let stock = suspended_by(&update(None, &[], true));
        assert!(stock.contains(&"products_on_hand") && stock.contains(&"movements_item") && !stock.contains(&"products_name"), "{stock:?}");
        assert!(suspended_by(&Action::Unchanged).is_empty());
    }
}
