//! The catalog: products, variants and their option groups, the ten price groups,
//! categories, brands and tags, and search over all of it.

mod bulk;
mod prices;
mod products;
mod search;
mod taxonomy;
mod variants;

pub(crate) use bulk::insert_new_product;
pub use bulk::{bulk_edit, BulkChange};
pub(crate) use prices::{item_price_values, remove_item_price, write_price, SaleAndList};
pub use prices::{price_groups, remove_price, rename_price_group, set_price, upsert_price, PriceGroup};
pub(crate) use products::{check_amount, normalized_with_problems, product_by_id, set_deleted_in};
pub use products::{
    create_product, insert_product, insert_product_unindexed, normalize_currency, product_detail, reindex_products, resolve_sku, restore_product,
    soft_delete_product, update_product, update_product_unindexed, Item,
};
pub use search::{count_products, page_anchors, search_products, ProductPage, ProductQuery, ProductRow, Sort, StatusFilter, MAX_PAGE};
pub use taxonomy::{
    add_brand, add_category, add_tag, brand_id, brands, categories, category_id, ensure_brand, ensure_category, remove_brand, remove_category,
    remove_tag, tag_id, tag_product, tags, untag_product, Brand, Category, Tag,
};
pub(crate) use taxonomy::{product_tags, retag_product, set_product_tags};
pub(crate) use variants::{checked_sku_barcode, ensure_option_values, option_keys, set_variant_deleted_in};
pub use variants::{
    generate_variants, insert_variant, remove_variant, remove_variant_in, update_variant, update_variant_in, OptionAxis, VariantFields,
};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Goods are counted in stock; services are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum ProductKind {
    #[default]
    Good,
    Service,
}

impl ProductKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Good => "good",
            ProductKind::Service => "service",
        }
    }
}

/// Everything about a product that a user edits. Create and edit both take the whole set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProductFields {
    pub sku: String,
    pub name: String,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    pub barcode: Option<String>,
    pub barcode2: Option<String>,
    pub category_id: Option<i64>,
    pub brand_id: Option<i64>,
    /// Free text: adet, kg, lt, m, kutu ...
    pub unit: String,
    /// Percent (20 for 20 %).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub vat_rate: Decimal,
    /// Shipping volume (desi).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub desi: Option<Decimal>,
    /// Upper-case ISO 4217 (`TRY`).
    pub currency: String,
    pub active: bool,
    pub kind: ProductKind,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub min_stock: Option<Decimal>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub purchase_price: Option<Decimal>,
    pub purchase_currency: Option<String>,
    pub image_urls: Vec<String>,
}

impl ProductFields {
    /// A new active good with the shop's usual defaults: unit adet, 20 % VAT, TRY.
    pub fn new(sku: impl Into<String>, name: impl Into<String>) -> Self {
        ProductFields {
            sku: sku.into(),
            name: name.into(),
            subtitle: None,
            description: None,
            barcode: None,
            barcode2: None,
            category_id: None,
            brand_id: None,
            unit: "adet".into(),
            vat_rate: Decimal::from(20),
            desi: None,
            currency: "TRY".into(),
            active: true,
            kind: ProductKind::Good,
            min_stock: None,
            purchase_price: None,
            purchase_currency: None,
            image_urls: Vec::new(),
        }
    }
}

/// A stored product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Product {
    pub id: i64,
    #[serde(flatten)]
    pub fields: ProductFields,
    /// For a product with variants, the sum of its variants' quantities.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub on_hand: Decimal,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// A sale and list price in one price group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Price {
    pub group: u8,
    pub group_name: String,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub sale: Option<Decimal>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub list: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OptionValue {
    pub group: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Variant {
    pub id: i64,
    pub sku: String,
    pub barcode: Option<String>,
    pub options: Vec<OptionValue>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub on_hand: Decimal,
    pub active: bool,
    /// All ten groups; a group without a price of the variant's own is `None` there
    /// and the product's price applies.
    pub prices: Vec<Price>,
}

/// A product with everything shown on its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProductDetail {
    #[serde(flatten)]
    pub product: Product,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub tags: Vec<Tag>,
    /// All ten price groups, in order.
    pub prices: Vec<Price>,
    pub variants: Vec<Variant>,
}
