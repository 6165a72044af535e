//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use raf::num::parse_decimal;
use rust_decimal::Decimal;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "raf", version, about = "Raf: offline-first inventory for small shops")]
pub struct Cli {
    /// The catalog file [default: the desktop app's, in your data folder]
    #[arg(long, global = true, env = "RAF_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print results (and errors, on stderr) as JSON
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum Command {
    /// Create the catalog file (or bring it up to date)
    Init,
    /// Products: add, edit, show, remove, list
    #[command(subcommand)]
    Product(ProductCmd),
    /// Variants built from option groups
    #[command(subcommand)]
    Variant(VariantCmd),
    /// Prices in the ten price groups
    #[command(subcommand)]
    Price(PriceCmd),
    /// The stock ledger
    #[command(subcommand)]
    Stock(StockCmd),
    /// Categories
    #[command(subcommand)]
    Category(CategoryCmd),
    /// Brands
    #[command(subcommand)]
    Brand(BrandCmd),
    /// Tags
    #[command(subcommand)]
    Tag(TagCmd),
    /// Orders
    #[command(subcommand)]
    Order(OrderCmd),
    /// Show or change the shop's settings
    Settings {
        /// Let sales and subtractions take stock below zero
        #[arg(long, value_name = "on|off", value_parser = on_off)]
        allow_negative_stock: Option<bool>,
    },
    /// Connections to remote shops (Sopyo, stokdurumu, KolayBi): add, list, test, rm
    #[command(subcommand)]
    Connection(crate::sync::ConnectionCmd),
    /// Sync with remote shops: pull, merge, push
    Sync(crate::sync::SyncArgs),
    /// Values changed on both sides since the last sync: list, resolve
    #[command(subcommand)]
    Conflicts(crate::sync::ConflictsCmd),
    /// Check the catalog file (PRAGMA quick_check) and the stock ledger
    Check,
    /// Import products, variants, prices and stock from xlsx, xls, ods or csv (or undo one)
    Import(crate::import::ImportArgs),
    /// Export products, variants, prices and stock to xlsx or csv
    Export(crate::import::ExportArgs),
    /// Stock counts: start, scan, status, post, undo
    #[command(subcommand)]
    Count(crate::count::CountCmd),
    /// Print barcode labels (EAN-13 or Code128, name, price) to a PDF
    Labels(crate::count::LabelsArgs),
    /// Copy the catalog to FILE (safe while the app is open)
    Backup { file: PathBuf },
    /// Replace the catalog with the backup FILE
    Restore { file: PathBuf },
}

#[derive(Subcommand)]
pub enum ProductCmd {
    /// Add a product
    Add {
        sku: String,
        name: String,
        #[command(flatten)]
        fields: FieldArgs,
        /// Sale price in price group 1
        #[arg(long, value_parser = decimal)]
        price: Option<Decimal>,
        /// List price in price group 1
        #[arg(long, value_parser = decimal)]
        list_price: Option<Decimal>,
        /// Opening stock (recorded as a movement)
        #[arg(long, value_parser = decimal)]
        stock: Option<Decimal>,
        /// Tag to put on the product (repeatable)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Change a product's fields (an empty value clears an optional field)
    Edit {
        sku: String,
        /// A new SKU
        #[arg(long = "sku", value_name = "SKU")]
        new_sku: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Show a product with its stock, prices and variants
    Show { sku: String },
    /// Move a product to the trash (restore brings it back)
    Rm { sku: String },
    /// Bring a product back from the trash
    Restore { sku: String },
    /// List products, a keyset page at a time
    List(ListArgs),
}

#[derive(Args, Default)]
pub struct FieldArgs {
    #[arg(long)]
    pub subtitle: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub barcode: Option<String>,
    #[arg(long)]
    pub barcode2: Option<String>,
    /// Category name ("" for none)
    #[arg(long)]
    pub category: Option<String>,
    /// Brand name ("" for none)
    #[arg(long)]
    pub brand: Option<String>,
    /// adet, kg, lt, m ...
    #[arg(long)]
    pub unit: Option<String>,
    /// VAT percent, e.g. 20 or 10
    #[arg(long, value_parser = decimal)]
    pub vat: Option<Decimal>,
    /// Shipping volume ("" for none)
    #[arg(long)]
    pub desi: Option<String>,
    /// Currency code (TRY, USD, EUR; TL is TRY)
    #[arg(long)]
    pub currency: Option<String>,
    /// Minimum stock before the product counts as low ("" for none)
    #[arg(long)]
    pub min_stock: Option<String>,
    /// Purchase (cost) price ("" for none)
    #[arg(long)]
    pub purchase_price: Option<String>,
    #[arg(long)]
    pub purchase_currency: Option<String>,
    /// active or inactive
    #[arg(long, value_enum)]
    pub status: Option<ActiveArg>,
    /// good or service
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Image URL (repeatable; replaces the list)
    #[arg(long = "image", value_name = "URL")]
    pub images: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ActiveArg {
    Active,
    Inactive,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Good,
    Service,
}

#[derive(Args)]
pub struct ListArgs {
    /// Words of the name, a SKU prefix or a barcode (Turkish-aware: ışık finds IŞIK)
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long)]
    pub low_stock: bool,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub brand: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long, value_enum, default_value = "all")]
    pub status: StatusArg,
    /// Lowest sale price (in --price-group)
    #[arg(long, value_parser = decimal)]
    pub min_price: Option<Decimal>,
    /// Highest sale price (in --price-group)
    #[arg(long, value_parser = decimal)]
    pub max_price: Option<Decimal>,
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub price_group: u8,
    #[arg(long, value_enum, default_value = "name")]
    pub sort: SortArg,
    #[arg(long)]
    pub desc: bool,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Start after this product id (the `next` of the previous page)
    #[arg(long)]
    pub after: Option<i64>,
    /// Also count every match
    #[arg(long)]
    pub count: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    All,
    Active,
    Inactive,
    Deleted,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SortArg {
    Name,
    Sku,
    Created,
    Updated,
    OnHand,
    /// Sale price in price group 1; products without one last
    Price,
}

#[derive(Subcommand)]
pub enum VariantCmd {
    /// Create the variant matrix: --option Renk=Beyaz,Siyah --option Beden=S,M,L
    Generate {
        sku: String,
        #[arg(long = "option", value_name = "GROUP=V1,V2", required = true, value_parser = option_axis)]
        options: Vec<raf::catalog::OptionAxis>,
    },
}

#[derive(Subcommand)]
pub enum PriceCmd {
    /// Set a product's or variant's price in one group
    Set {
        sku: String,
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=10))]
        group: i64,
        #[arg(long, value_parser = decimal)]
        sale: Decimal,
        #[arg(long, value_parser = decimal)]
        list: Option<Decimal>,
    },
    /// List the price groups
    Groups,
    /// Rename price group N
    Rename {
        #[arg(value_parser = clap::value_parser!(i64).range(1..=10))]
        group: i64,
        name: String,
    },
}

#[derive(Subcommand)]
pub enum StockCmd {
    /// Add QTY to the stock
    Add(StockChange),
    /// Take QTY out of the stock
    Sub(StockChange),
    /// Set the stock to QTY
    Set(StockChange),
    /// Movements of a product or variant, newest first
    History {
        sku: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only movements older than this movement id
        #[arg(long)]
        before: Option<i64>,
    },
    /// Undo a movement with a compensating one
    Undo {
        movement: i64,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Products at or below their minimum stock
    Low {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Check that every cached quantity equals the sum of its movements
    Check,
}

#[derive(Args)]
pub struct StockChange {
    pub sku: String,
    #[arg(value_parser = decimal, allow_hyphen_values = true)]
    pub qty: Decimal,
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Subcommand)]
pub enum CategoryCmd {
    Add {
        name: String,
        /// #rrggbb
        #[arg(long)]
        color: Option<String>,
        /// Parent category's name
        #[arg(long)]
        parent: Option<String>,
    },
    List,
    Rm {
        name: String,
    },
}

#[derive(Subcommand)]
pub enum BrandCmd {
    Add { name: String },
    List,
    Rm { name: String },
}

#[derive(Subcommand)]
pub enum TagCmd {
    Add {
        name: String,
        #[arg(long)]
        color: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    List,
    Rm {
        name: String,
    },
    /// Put the tag on products
    Assign {
        name: String,
        #[arg(required = true)]
        skus: Vec<String>,
    },
    /// Take the tag off products
    Unassign {
        name: String,
        #[arg(required = true)]
        skus: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum OrderCmd {
    /// Record a manual order; its lines take stock out
    Add {
        /// SKU=QTY or SKU=QTY@UNIT_PRICE (repeatable)
        #[arg(long = "line", value_name = "SKU=QTY[@PRICE]", required = true, value_parser = order_line)]
        lines: Vec<raf::orders::NewLine>,
        /// Order code [default: R-<date>-<n>]
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        marketplace: Option<String>,
        /// Customer's name
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// awaiting, approved or shipped
        #[arg(long, default_value = "approved", value_parser = order_status)]
        status: raf::orders::OrderStatus,
    },
    List {
        #[arg(long, value_parser = order_status)]
        status: Option<raf::orders::OrderStatus>,
        #[arg(long)]
        marketplace: Option<String>,
        /// From this day, YYYY-MM-DD
        #[arg(long)]
        from: Option<String>,
        /// Up to this day, YYYY-MM-DD
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        after: Option<i64>,
    },
    Show {
        code: String,
    },
    /// Change the status: awaiting, approved, shipped, cancelled (or 1-4)
    Status {
        code: String,
        #[arg(value_parser = order_status)]
        status: raf::orders::OrderStatus,
    },
    /// Cancel the order and put its stock back
    Cancel {
        code: String,
    },
}

pub(crate) fn decimal(s: &str) -> Result<Decimal, String> {
    parse_decimal(s).map_err(|e| e.to_string())
}

fn on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err("use on or off".into()),
    }
}

fn option_axis(s: &str) -> Result<raf::catalog::OptionAxis, String> {
    let (group, values) = s.split_once('=').ok_or("use GROUP=VALUE,VALUE (e.g. Renk=Beyaz,Siyah)")?;
    Ok(raf::catalog::OptionAxis { group: group.to_owned(), values: values.split(',').map(str::to_owned).collect() })
}

fn order_line(s: &str) -> Result<raf::orders::NewLine, String> {
    let (sku, rest) = s.split_once('=').ok_or("use SKU=QTY or SKU=QTY@PRICE")?;
    let (qty, price) = match rest.split_once('@') {
        Some((qty, price)) => (qty, Some(decimal(price)?)),
        None => (rest, None),
    };
    Ok(raf::orders::NewLine {
        sku: sku.trim().to_owned(),
        quantity: decimal(qty)?,
        unit_price: price,
        commission_price: Decimal::ZERO,
        marketplace_id: None,
        marketplace_product_id: None,
    })
}

fn order_status(s: &str) -> Result<raf::orders::OrderStatus, String> {
    raf::orders::OrderStatus::parse(s).map_err(|e| e.to_string())
}
