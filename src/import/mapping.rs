//! Columns to fields: the fields a sheet can fill, the header row, the field each header
//! suggests (Turkish and English, with synonyms, Turkish-folded), and mappings saved per
//! set of headers.

use super::read::{Cell, Row};
use crate::db;
use crate::error::Result;
use crate::num::parse_decimal;
use crate::text::fold;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a column fills.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Field {
    Sku,
    Barcode,
    Name,
    Description,
    /// Sale price in price group 1..=10.
    Price(u8),
    /// List price in price group 1..=10.
    ListPrice(u8),
    Vat,
    Stock,
    Unit,
    Category,
    Brand,
    MinStock,
    /// The SKU of the product a variant row belongs to.
    Parent,
    /// One option group of a variant (`Renk`, `Beden`): the column's value is the value.
    Option(String),
    /// All option values in one cell: `Renk:Beyaz;Beden:L`.
    Options,
    Subtitle,
    Barcode2,
    Desi,
    Currency,
    /// On a product row the product's status, on a variant row the variant's.
    Active,
    Kind,
    PurchasePrice,
    PurchaseCurrency,
    /// Image addresses, one per line (or separated by `;`, or `,` when unambiguous).
    Images,
    /// Tag names separated by `;` (or `,`): the product's tags become exactly these.
    Tags,
}

impl fmt::Display for Field {
    /// The name used on the command line and in saved mappings: `sku`, `price3`,
    /// `list_price`, `option:Renk` ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Sku => f.write_str("sku"),
            Field::Barcode => f.write_str("barcode"),
            Field::Name => f.write_str("name"),
            Field::Description => f.write_str("description"),
            Field::Price(1) => f.write_str("price"),
            Field::Price(n) => write!(f, "price{n}"),
            Field::ListPrice(1) => f.write_str("list_price"),
            Field::ListPrice(n) => write!(f, "list_price{n}"),
            Field::Vat => f.write_str("vat"),
            Field::Stock => f.write_str("stock"),
            Field::Unit => f.write_str("unit"),
            Field::Category => f.write_str("category"),
            Field::Brand => f.write_str("brand"),
            Field::MinStock => f.write_str("min_stock"),
            Field::Parent => f.write_str("parent"),
            Field::Option(group) => write!(f, "option:{group}"),
            Field::Options => f.write_str("options"),
            Field::Subtitle => f.write_str("subtitle"),
            Field::Barcode2 => f.write_str("barcode2"),
            Field::Desi => f.write_str("desi"),
            Field::Currency => f.write_str("currency"),
            Field::Active => f.write_str("active"),
            Field::Kind => f.write_str("kind"),
            Field::PurchasePrice => f.write_str("purchase_price"),
            Field::PurchaseCurrency => f.write_str("purchase_currency"),
            Field::Images => f.write_str("images"),
            Field::Tags => f.write_str("tags"),
        }
    }
}

impl FromStr for Field {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let s = s.trim();
        if let Some(group) = s.strip_prefix("option:").map(str::trim).filter(|g| !g.is_empty()) {
            return Ok(Field::Option(group.to_owned()));
        }
        let group = |digits: &str| -> Option<u8> {
            match digits {
                "" => Some(1),
                d => d.parse().ok().filter(|n| (1..=10).contains(n)),
            }
        };
        let lower = s.to_ascii_lowercase();
        let field = match lower.as_str() {
            "sku" => Field::Sku,
            "barcode" => Field::Barcode,
            "name" => Field::Name,
            "description" => Field::Description,
            "vat" => Field::Vat,
            "stock" => Field::Stock,
            "unit" => Field::Unit,
            "category" => Field::Category,
            "brand" => Field::Brand,
            "min_stock" => Field::MinStock,
            "parent" => Field::Parent,
            "options" => Field::Options,
            "subtitle" => Field::Subtitle,
            "barcode2" => Field::Barcode2,
            "desi" => Field::Desi,
            "currency" => Field::Currency,
            "active" => Field::Active,
            "kind" => Field::Kind,
            "purchase_price" => Field::PurchasePrice,
            "purchase_currency" => Field::PurchaseCurrency,
            "images" => Field::Images,
            "tags" => Field::Tags,
            other => {
                if let Some(n) = other.strip_prefix("list_price").and_then(group) {
                    Field::ListPrice(n)
                } else if let Some(n) = other.strip_prefix("price").and_then(group) {
                    Field::Price(n)
                } else {
                    return Err(format!(
                        "unknown field {s:?}; fields: sku, barcode, name, description, price, price2..price10, list_price, \
                         list_price2..list_price10, vat, stock, unit, category, brand, min_stock, parent, options, option:GROUP, \
                         subtitle, barcode2, desi, currency, active, kind, purchase_price, purchase_currency, images, tags"
                    ));
                }
            }
        };
        Ok(field)
    }
}

impl TryFrom<String> for Field {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        s.parse()
    }
}

impl From<Field> for String {
    fn from(f: Field) -> String {
        f.to_string()
    }
}

/// Folded header words (`Satış Fiyatı` -> `satis fiyati`) mapped to fields.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("sku", &["stok kodu", "urun kodu", "sku", "kod", "kodu", "stock code", "product code", "item code", "code", "malzeme kodu"]),
    ("barcode", &["barkod", "ean", "barcode", "gtin", "barkod no", "ean13", "ean 13", "upc", "barkod numarasi", "urun barkod"]),
    ("name", &["urun adi", "adi", "ad", "name", "product name", "urun", "urun ismi", "isim", "stok adi", "stok ismi", "title"]),
    ("description", &["aciklama", "description", "urun aciklamasi", "detay"]),
    ("price", &["satis fiyati", "fiyat", "price", "sale price", "fiyati", "birim fiyat", "perakende fiyat"]),
    ("list_price", &["liste fiyati", "list price", "piyasa fiyati"]),
    ("vat", &["kdv", "vergi", "vat", "tax", "kdv orani", "vergi orani", "vat rate", "kdv yuzdesi"]),
    (
        "stock",
        &[
            "stok",
            "miktar",
            "adet",
            "quantity",
            "qty",
            "stock",
            "stok miktari",
            "stok adedi",
            "on hand",
            "mevcut",
            "mevcut stok",
            "fiili stok",
            "eldeki miktar",
            "eldeki stok",
        ],
    ),
    ("unit", &["birim", "unit", "olcu birimi"]),
    ("category", &["kategori", "category", "kategori adi", "grup"]),
    ("brand", &["marka", "brand", "uretici", "marka adi"]),
    (
        "min_stock",
        &["min stok", "minimum stok", "min stock", "minimum stock", "kritik stok", "asgari stok", "min stok miktari", "minimum stok miktari"],
    ),
    ("parent", &["ana urun kodu", "parent code", "parent sku", "ana kod", "model kodu", "ana urun", "parent"]),
    ("options", &["secenekler", "varyant", "options", "variant", "ozellikler"]),
    ("subtitle", &["alt baslik", "altbaslik", "subtitle", "alt isim"]),
    ("barcode2", &["barkod 2", "barkod2", "ikinci barkod", "barcode 2", "barcode2", "second barcode", "ean 2"]),
    ("desi", &["desi", "desi degeri", "kargo desi"]),
    ("currency", &["para birimi", "currency", "doviz", "doviz cinsi", "doviz turu"]),
    ("active", &["aktif", "durum", "active", "status", "aktif mi", "satista"]),
    ("kind", &["tur", "urun turu", "kind", "product kind"]),
    ("purchase_price", &["alis fiyati", "alis", "purchase price", "cost", "cost price", "maliyet"]),
    ("purchase_currency", &["alis para birimi", "alis doviz", "alis doviz cinsi", "purchase currency"]),
    ("images", &["resimler", "resim", "gorseller", "gorsel", "images", "image", "image urls", "resim url", "fotograflar", "photos"]),
    ("tags", &["etiket", "etiketler", "tags", "tag"]),
];

/// Option groups a column header may name.
const OPTION_GROUPS: &[&str] = &["renk", "beden", "color", "colour", "size", "numara", "olcu", "model", "desen", "malzeme"];

/// The key a header is compared on: folded, words separated by one space.
fn header_key(header: &str) -> String {
    fold(header).split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The field a header suggests, if any: by its words, then without a currency after them
/// (`Fiyat (TL)`, `Fiyat ₺`), then with the last word's Turkish possessive suffix taken off
/// (`Barkodu`, `Stok Miktarı`, `Birimi`, `Markası`).
pub fn suggest(header: &str) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    let bare = key.strip_suffix(" tl").or_else(|| key.strip_suffix(" try")).unwrap_or(&key);
    for candidate in [key.as_str(), bare].into_iter().chain(without_possessive(bare).as_deref()) {
        if let Some((field, _)) = SYNONYMS.iter().find(|(_, words)| words.contains(&candidate)) {
            return field.parse().ok();
        }
    }
    // "Fiyat 3", "Price 10", "Liste Fiyatı 2", "Satış Fiyatı 2".
    let (stem, number) = key.rsplit_once(' ')?;
    let n: u8 = number.parse().ok().filter(|n| (1..=10).contains(n))?;
    if ["fiyat", "price", "satis fiyati", "fiyati"].contains(&stem) {
        return Some(Field::Price(n));
    }
    if ["liste fiyati", "list price"].contains(&stem) {
        return Some(Field::ListPrice(n));
    }
    None
}

/// `key` with the possessive suffix of its last word taken off (`barkodu` -> `barkod`,
/// `markasi` -> `marka`), when it has one.
fn without_possessive(key: &str) -> Option<String> {
    let (head, last) = key.rsplit_once(' ').map_or(("", key), |(h, l)| (h, l));
    let stem = ["si", "su", "i", "u"].iter().find_map(|suffix| last.strip_suffix(suffix)).filter(|s| s.len() >= 3)?;
    Some(if head.is_empty() { stem.to_owned() } else { format!("{head} {stem}") })
}

/// `suggest`, then option groups: `Renk` is option group Renk.
fn suggest_with_options(header: &str) -> Option<Field> {
    suggest(header).or_else(|| OPTION_GROUPS.contains(&header_key(header).as_str()).then(|| Field::Option(header.trim().to_owned())))
}

/// One suggestion per column; a field already taken by an earlier column is not suggested twice.
pub fn suggest_all(headers: &[String]) -> Vec<Option<Field>> {
    // Two columns suggesting one field (the same header twice, `Barkod` and `EAN`) both
    // keep it: `check` asks which one is meant rather than taking the first.
    headers.iter().map(|h| suggest_with_options(h)).collect()
}

/// Rows searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// The header row among the first rows: the one whose cells name the most fields (title
/// rows above it name none), or the first row with two or more words that are not numbers.
pub fn find_header(rows: &[Row]) -> Option<usize> {
    let named = |row: &Row| row.cells.iter().filter(|c| matches!(c, Cell::Text(t) if suggest_with_options(t).is_some())).count();
    let best = rows.iter().enumerate().map(|(i, r)| (named(r), i)).max_by_key(|&(n, i)| (n, std::cmp::Reverse(i)));
    let word = |c: &Cell| matches!(c, Cell::Text(t) if !t.trim().is_empty() && parse_decimal(t).is_err());
    match best {
        Some((n, i)) if n >= 2 => Some(i),
        _ => rows.iter().position(|r| r.cells.iter().filter(|c| word(c)).count() >= 2),
    }
}

/// The headers of a header row, as text.
pub fn headers_of(row: &Row) -> Vec<String> {
    row.cells.iter().map(|c| c.text().trim().to_owned()).collect()
}

fn saved_key(headers: &[String]) -> String {
    headers.iter().map(|h| header_key(h)).collect::<Vec<_>>().join("\u{1f}")
}

/// The mapping saved for a file with exactly these headers.
pub fn saved_mapping(conn: &Connection, headers: &[String]) -> Result<Option<Vec<Option<Field>>>> {
    let json: Option<String> =
        conn.query_row("SELECT mapping FROM import_mappings WHERE headers_key = ?1", [saved_key(headers)], |r| r.get(0)).optional()?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// Saves the mapping used for these headers, for the next file like it.
pub(crate) fn save_mapping(tx: &Connection, headers: &[String], mapping: &[Option<Field>]) -> Result<()> {
    tx.execute(
        "INSERT INTO import_mappings (headers_key, mapping, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (headers_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        params![saved_key(headers), serde_json::to_string(mapping).expect("fields serialize"), db::now()],
    )?;
    Ok(())
}

/// Finds the column a user named: by header (folded) or by letter (`A`, `AB`).
pub fn column_index(headers: &[String], column: &str) -> Option<usize> {
    let key = header_key(column);
    if let Some(i) = headers.iter().position(|h| header_key(h) == key && !key.is_empty()) {
        return Some(i);
    }
    let letters = column.trim();
    if !letters.is_empty() && letters.len() <= 3 && letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        let n = letters.to_ascii_uppercase().bytes().fold(0usize, |n, b| n * 26 + (b - b'A' + 1) as usize);
        return Some(n - 1);
    }
    None
}

/// Problems with a mapping, all of them: a field on two columns, no key column.
pub fn check(mapping: &[Option<Field>], headers: &[String], key: &Field) -> Vec<MappingProblem> {
    let mut problems = Vec::new();
    let mut seen: std::collections::HashMap<&Field, usize> = Default::default();
    for (i, field) in mapping.iter().enumerate() {
        if let Some(field) = field {
            if let Some(&first) = seen.get(field) {
                let (first, second) = (column_label(headers, first), column_label(headers, i));
                problems.push(MappingProblem::Twice { field: field.to_string(), first, second });
            } else {
                seen.insert(field, i);
            }
        }
    }
    if !seen.contains_key(key) {
        problems.push(MappingProblem::KeyMissing { field: key.to_string() });
    }
    problems
}

/// Why a mapping cannot be used: the file's preview shows it for the user to change the
/// mapping; a dry run or an import refuses it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportMappingProblem"))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MappingProblem {
    /// Two columns fill one field; `first` and `second` are `C (Satış Fiyatı)`.
    Twice { field: String, first: String, second: String },
    /// No column fills the key that finds existing products.
    KeyMissing { field: String },
    /// A mapping names a column the file does not have.
    NoColumn { column: String, columns: Vec<String> },
}

impl fmt::Display for MappingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappingProblem::Twice { field, first, second } => {
                write!(f, "{field} is mapped to two columns, {first} and {second}; ignore one of them (--map COLUMN=ignore)")
            }
            MappingProblem::KeyMissing { field } => write!(f, "no column is mapped to {field}, the key that finds existing products"),
            MappingProblem::NoColumn { column, columns } => write!(f, "no column {column:?}; the columns are: {}", columns.join(", ")),
        }
    }
}

/// A column as a problem names it: its letter, and its header when it has one.
fn column_label(headers: &[String], i: usize) -> String {
    match headers.get(i).filter(|h| !h.is_empty()) {
        Some(h) => format!("{} ({h})", column_letter(i)),
        None => column_letter(i),
    }
}

/// A column as a user sees it: its header, or its letter when it has none.
pub fn column_name(headers: &[String], i: usize) -> String {
    match headers.get(i).filter(|h| !h.is_empty()) {
        Some(h) => h.clone(),
        None => column_letter(i),
    }
}

pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_fields_from_turkish_and_english_headers() {
        for (header, want) in [
            ("Stok Kodu", "sku"),
            ("ÜRÜN KODU", "sku"),
            ("SKU", "sku"),
            ("Barkod", "barcode"),
            ("EAN", "barcode"),
            ("Ürün Adı", "name"),
            ("Satış Fiyatı", "price"),
            ("Fiyat", "price"),
            ("Fiyat 3", "price3"),
            ("Price 10", "price10"),
            ("Liste Fiyatı", "list_price"),
            ("Liste Fiyatı 2", "list_price2"),
            ("KDV", "vat"),
            ("Vergi", "vat"),
            ("Miktar", "stock"),
            ("Adet", "stock"),
            ("Quantity", "stock"),
            ("Birim", "unit"),
            ("Kategori", "category"),
            ("Marka", "brand"),
            ("Açıklama", "description"),
            ("Min Stok", "min_stock"),
            ("Ana Ürün Kodu", "parent"),
            ("Seçenekler", "options"),
            ("Renk", "option:Renk"),
            ("BEDEN", "option:BEDEN"),
            ("Alt Başlık", "subtitle"),
            ("Subtitle", "subtitle"),
            ("Barkod 2", "barcode2"),
            ("Desi", "desi"),
            ("Para Birimi", "currency"),
            ("Currency", "currency"),
            ("Aktif", "active"),
            ("DURUM", "active"),
            ("Active", "active"),
            ("Tür", "kind"),
            ("Kind", "kind"),
            ("Alış Fiyatı", "purchase_price"),
            ("Purchase price", "purchase_price"),
            ("Alış Para Birimi", "purchase_currency"),
            ("Resimler", "images"),
            ("Görseller", "images"),
            ("Images", "images"),
            ("Etiket", "tags"),
            ("ETİKETLER", "tags"),
            ("Tags", "tags"),
        ] {
            assert_eq!(suggest_with_options(header).map(|f| f.to_string()).as_deref(), Some(want), "{header}");
        }
        assert_eq!(suggest("Not a column"), None);
        assert_eq!(suggest("Fiyat 11"), None);
    }

    #[test]
    fn suggests_through_a_currency_after_the_header_and_a_turkish_possessive_suffix() {
        for (header, want) in [
            ("Fiyat (TL)", "price"),
            ("Fiyat ₺", "price"),
            ("Satış Fiyatı TL", "price"),
            ("KDV (%)", "vat"),
            ("Barkodu", "barcode"),
            ("Ürün Barkodu", "barcode"),
            ("Barkod Numarası", "barcode"),
            ("EAN-13", "barcode"),
            ("Stok Miktarı", "stock"),
            ("Miktarı", "stock"),
            ("Mevcut Stok", "stock"),
            ("Fiili Stok", "stock"),
            ("Birimi", "unit"),
            ("Markası", "brand"),
            ("Marka Adı", "brand"),
            ("Kategorisi", "category"),
            ("Min Stok Miktarı", "min_stock"),
            ("Stok İsmi", "name"),
            ("Etiketi", "tags"),
        ] {
            assert_eq!(suggest(header).map(|f| f.to_string()).as_deref(), Some(want), "{header}");
        }
        // Not every word ending in a vowel is a possessive.
        assert_eq!(suggest("Rengi"), None);
        assert_eq!(suggest("Seri"), None);
    }

    #[test]
    fn field_names_round_trip() {
        for name in [
            "sku",
            "price",
            "price7",
            "list_price",
            "list_price10",
            "option:Renk",
            "min_stock",
            "subtitle",
            "barcode2",
            "desi",
            "currency",
            "active",
            "kind",
            "purchase_price",
            "purchase_currency",
            "images",
            "tags",
        ] {
            assert_eq!(name.parse::<Field>().unwrap().to_string(), name);
        }
        assert!("price11".parse::<Field>().is_err());
        assert!("nope".parse::<Field>().is_err());
    }

    #[test]
    fn finds_columns_by_header_or_letter() {
        let headers: Vec<String> = ["Stok Kodu", "Adı", ""].iter().map(|s| s.to_string()).collect();
        assert_eq!(column_index(&headers, "stok kodu"), Some(0));
        assert_eq!(column_index(&headers, "C"), Some(2));
        assert_eq!(column_index(&headers, "AA"), Some(26));
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(0), "A");
    }
}
