//! One sheet row read through the mapping: typed values, or every problem of the row.

use super::mapping::{column_name, Field};
use super::read::{self, Cell, Row};
use super::RowError;
use crate::catalog::{OptionValue, ProductKind};
use crate::num::{is_ambiguous, parse_decimal_in};
use crate::text::fold;
use rust_decimal::Decimal;

/// A row's values. `None` (an empty cell, or a column not in the file) leaves the stored
/// value as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub row: u32,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub unit: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub vat: Option<Decimal>,
    pub min_stock: Option<Decimal>,
    pub stock: Option<Decimal>,
    /// Sale and list price per price group (index 0 is group 1).
    pub sale: [Option<Decimal>; 10],
    pub list: [Option<Decimal>; 10],
    pub parent: Option<String>,
    pub options: Vec<OptionValue>,
    pub subtitle: Option<String>,
    pub barcode2: Option<String>,
    pub desi: Option<Decimal>,
    pub currency: Option<String>,
    pub active: Option<bool>,
    pub kind: Option<ProductKind>,
    pub purchase_price: Option<Decimal>,
    pub purchase_currency: Option<String>,
    pub image_urls: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
}

/// The headers and the field of each column, and how the file writes numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub headers: Vec<String>,
    pub fields: Vec<Option<Field>>,
    /// The decimal mark of the file's numbers written as text, when known (`Workbook::decimal_mark`).
    pub decimal_mark: Option<char>,
}

impl Columns {
    /// The column a field comes from, as a user sees it.
    pub fn of(&self, field: &Field) -> String {
        self.fields.iter().position(|f| f.as_ref() == Some(field)).map(|i| column_name(&self.headers, i)).unwrap_or_default()
    }
}

/// Reads a row through the columns' fields: the values read, and every cell that could
/// not be (its field is left `None`), so the row's other problems can be found too.
pub fn parse(row: &Row, columns: &Columns) -> (Record, Vec<RowError>) {
    let mut record = Record { row: row.number, ..Record::default() };
    let mut errors = Vec::new();
    for (i, field) in columns.fields.iter().enumerate() {
        let (Some(field), Some(cell)) = (field, row.cells.get(i)) else { continue };
        if cell.is_empty() {
            continue;
        }
        if let Err((code, message)) = fill(&mut record, field, cell, columns.decimal_mark) {
            errors.push(RowError { row: row.number, column: column_name(&columns.headers, i), value: cell.text().into_owned(), code, message });
        }
    }
    // A value past the header's last column: in a csv most often a cell holding the
    // delimiter without quotes (`Renk:Beyaz;Beden:L` in a `;` file), split in two; in a
    // workbook a column left without a header.
    let extra = row.cells.iter().enumerate().skip(columns.headers.len()).find(|(_, c)| !c.is_empty());
    if let Some((i, cell)) = extra {
        let (code, message) = (
            "import.extra_cells",
            format!(
                "the row has a value past the header's {} columns; give that column a header or, in a csv, put quotes around a cell holding the delimiter",
                columns.headers.len()
            ),
        );
        errors.push(RowError { row: row.number, column: column_name(&columns.headers, i), value: cell.text().into_owned(), code, message });
    }
    (record, errors)
}

type Problem = (&'static str, String);

fn fill(record: &mut Record, field: &Field, cell: &Cell, decimal_mark: Option<char>) -> Result<(), Problem> {
    match cell {
        Cell::Error(shown) => {
            return Err(("import.error_value", format!("{shown} is what Excel shows for a formula it could not compute; correct the formula")))
        }
        Cell::NoResult => {
            let why = "the cell holds a formula saved without its result; open the file in Excel or LibreOffice and save it again";
            return Err(("import.formula_without_result", why.to_owned()));
        }
        _ => {}
    }
    if matches!(field, Field::Sku | Field::Barcode | Field::Barcode2 | Field::Parent) {
        code_as_typed(cell)?;
    }
    let number = |cell: &Cell| number(cell, decimal_mark);
    let text = || Some(unneutralized(cell.text().trim()).to_owned());
    match field {
        Field::Sku => record.sku = text(),
        Field::Barcode => record.barcode = text(),
        Field::Name => record.name = text(),
        Field::Description => record.description = text(),
        Field::Unit => record.unit = text(),
        Field::Category => record.category = text(),
        Field::Brand => record.brand = text(),
        Field::Parent => record.parent = text(),
        Field::Vat => record.vat = Some(percent(cell, number(cell)?)),
        Field::MinStock => record.min_stock = Some(number(cell)?),
        Field::Stock => record.stock = Some(number(cell)?),
        Field::Price(n) => record.sale[*n as usize - 1] = Some(number(cell)?),
        Field::ListPrice(n) => record.list[*n as usize - 1] = Some(number(cell)?),
        Field::Option(group) => add_options(record, vec![OptionValue { group: group.clone(), value: cell.text().trim().to_owned() }])?,
        Field::Options => add_options(record, options(&cell.text())?)?,
        Field::Subtitle => record.subtitle = text(),
        Field::Barcode2 => record.barcode2 = text(),
        Field::Currency => record.currency = text(),
        Field::PurchaseCurrency => record.purchase_currency = text(),
        Field::Desi => record.desi = Some(number(cell)?),
        Field::PurchasePrice => record.purchase_price = Some(number(cell)?),
        Field::Active => record.active = Some(yes_no(cell)?),
        Field::Kind => record.kind = Some(kind(cell)?),
        Field::Images => record.image_urls = Some(image_urls(&cell.text())?),
        Field::Tags => record.tags = Some(tags(&cell.text())?),
    }
    Ok(())
}

/// Refuses a code (SKU, barcode) whose digits were lost before it reached the file: an
/// Excel number keeps 15 digits, and Excel writes a long number as `8,69E+12` when it
/// saves a csv.
fn code_as_typed(cell: &Cell) -> Result<(), Problem> {
    let lost = match cell {
        Cell::Number(f) => f.abs() >= 1e15,
        Cell::Text(t) => {
            let t = t.trim();
            let (mantissa, exponent) = t.split_once(['E', 'e']).unwrap_or((t, ""));
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let mantissa_digits = mantissa.split_once([',', '.']).map_or(digits(mantissa), |(a, b)| digits(a) && digits(b));
            mantissa_digits && exponent.strip_prefix('+').is_some_and(digits)
        }
        _ => false,
    };
    match lost {
        true => Err((
            "import.digits_lost",
            format!("{} lost digits as an Excel number; format the column as text in Excel and type the codes again", cell.text()),
        )),
        false => Ok(()),
    }
}

/// A number cell as Excel shows it; a text cell the Turkish or English way (the file's,
/// when known), with ₺/TL/% allowed.
fn number(cell: &Cell, decimal_mark: Option<char>) -> Result<Decimal, Problem> {
    // A workbook's number typed as text has no decimal mark to go by (a csv has its
    // delimiter's): `1.250` may be 1250 or 1.25, and a wrong guess is off a thousandfold.
    if let Cell::Text(t) = cell {
        if decimal_mark.is_none() && is_ambiguous(t) {
            let why =
                format!("{t:?} may be read with its mark as a thousands mark or as a decimal mark; write it without a thousands mark (1250 or 1,25)");
            return Err(("import.ambiguous_number", why));
        }
    }
    let parsed = match cell {
        Cell::Int(i) => Ok(Decimal::from(*i)),
        Cell::Number(f) => read::excel_number(*f).ok_or(()),
        Cell::Text(t) => parse_decimal_in(t, decimal_mark).map_err(|_| ()),
        _ => Err(()),
    };
    parsed.map_err(|()| ("import.not_a_number", format!("{:?} is not a number", cell.text())))
}

/// A VAT rate in percent. Excel stores `%18` typed in a cell as the number 0.18 shown as
/// a percent, and no VAT rate lies between 0 and 1 percent: such a value, as a number or
/// as text without a `%` (`0,18`), is a fraction.
fn percent(cell: &Cell, value: Decimal) -> Decimal {
    let as_fraction = match cell {
        Cell::Number(_) => true,
        Cell::Text(t) => !t.contains('%'),
        _ => false,
    };
    let fraction = as_fraction && value > Decimal::ZERO && value < Decimal::ONE;
    if fraction {
        (value * Decimal::ONE_HUNDRED).normalize()
    } else {
        value
    }
}

/// Yes or no, the Turkish or English way: evet/hayır, aktif/pasif, 1/0, true/false, yes/no.
fn yes_no(cell: &Cell) -> Result<bool, Problem> {
    if let Cell::Bool(b) = cell {
        return Ok(*b);
    }
    match fold(cell.text().trim()).as_str() {
        "evet" | "e" | "aktif" | "1" | "true" | "yes" | "y" | "active" | "dogru" => Ok(true),
        "hayir" | "h" | "pasif" | "0" | "false" | "no" | "n" | "inactive" | "yanlis" => Ok(false),
        _ => Err(("import.not_yes_no", format!("{:?} is not yes or no (evet/hayır, aktif/pasif, 1/0)", cell.text()))),
    }
}

/// A good (ürün, mal) or a service (hizmet).
fn kind(cell: &Cell) -> Result<ProductKind, Problem> {
    match fold(cell.text().trim()).as_str() {
        "urun" | "mal" | "stoklu" | "good" | "goods" | "product" => Ok(ProductKind::Good),
        "hizmet" | "service" => Ok(ProductKind::Service),
        _ => Err(("import.bad_kind", format!("{:?} is not a kind: ürün or hizmet (good or service)", cell.text()))),
    }
}

/// Image addresses: one per line; on one line separated by `;`, or by `,` when every
/// part is an address (an address itself may hold a comma).
fn image_urls(cell: &str) -> Result<Vec<String>, Problem> {
    let parts: Vec<&str> = if cell.contains('\n') { cell.lines().collect() } else { cell.split(';').collect() };
    let is_url = |s: &str| s.starts_with("https://") || s.starts_with("http://");
    let mut urls = Vec::new();
    for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let by_comma: Vec<&str> = part.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        if by_comma.len() > 1 && by_comma.iter().all(|p| is_url(p)) {
            urls.extend(by_comma.into_iter().map(str::to_owned));
        } else if is_url(part) {
            urls.push(part.to_owned());
        } else {
            return Err(("import.bad_image_url", format!("{part:?} is not an http(s) address")));
        }
    }
    Ok(urls)
}

/// Tag names separated by `;`, or by `,` when the cell has no `;`; a name once (folded).
fn tags(cell: &str) -> Result<Vec<String>, Problem> {
    let separator = if cell.contains(';') { ';' } else { ',' };
    let mut seen = std::collections::HashSet::new();
    let mut names = Vec::new();
    for name in cell.split(separator).map(str::trim).filter(|n| !n.is_empty()) {
        if name.chars().count() > 100 {
            return Err(("import.bad_tag", format!("the tag {name:?} is longer than 100 characters")));
        }
        if seen.insert(fold(name)) {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// Adds options to the row's, each group once (a `Seçenekler` cell and a `Renk` column
/// may both name a color).
fn add_options(record: &mut Record, options: Vec<OptionValue>) -> Result<(), Problem> {
    for option in options {
        if let Some(given) = record.options.iter().find(|o| fold(&o.group) == fold(&option.group)) {
            let why = format!("the option {} is given twice ({} and {}); give each option once", given.group, given.value, option.value);
            return Err(("import.option_twice", why));
        }
        record.options.push(option);
    }
    Ok(())
}

/// `Renk:Beyaz;Beden:L`.
fn options(cell: &str) -> Result<Vec<OptionValue>, Problem> {
    cell.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once(':') {
            Some((group, value)) if !group.trim().is_empty() && !value.trim().is_empty() => {
                Ok(OptionValue { group: group.trim().to_owned(), value: value.trim().to_owned() })
            }
            _ => Err(("import.bad_options", format!("{part:?} is not an option like Renk:Beyaz (separate options with ;)"))),
        })
        .collect()
}

/// Characters that make a spreadsheet treat a cell as a formula.
pub(crate) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// An export puts `'` before a text that starts like a formula; reading it back removes it.
pub(crate) fn unneutralized(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

/// Whether a spreadsheet would read `text` as a formula: it starts with `=`, `+`, `-`,
/// `@`, tab or CR.
pub(crate) fn starts_like_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// `text` made safe to open in a spreadsheet: `'` before a leading `=`, `+`, `-`, `@`, tab or CR.
pub(crate) fn neutralized(text: &str) -> std::borrow::Cow<'_, str> {
    if starts_like_formula(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(fields: &[&str]) -> Columns {
        Columns {
            headers: fields.iter().map(|f| f.to_string()).collect(),
            fields: fields.iter().map(|f| f.parse().ok()).collect(),
            decimal_mark: None,
        }
    }

    #[test]
    fn reads_typed_and_turkish_values() {
        let cols = columns(&["sku", "barcode", "price", "stock", "options"]);
        let row = Row {
            number: 3,
            cells: vec![
                Cell::Number(12345.0),
                Cell::Number(8690000000017.0),
                Cell::Text("₺1.234,56".into()),
                Cell::Number(12.5),
                Cell::Text("Renk:Beyaz; Beden:L".into()),
            ],
        };
        let (r, errors) = parse(&row, &cols);
        assert_eq!(errors, []);
        assert_eq!(r.sku.as_deref(), Some("12345"));
        assert_eq!(r.barcode.as_deref(), Some("8690000000017"));
        assert_eq!(r.sale[0], Some(Decimal::new(123456, 2)));
        assert_eq!(r.stock, Some(Decimal::new(125, 1)));
        assert_eq!(r.options.len(), 2);
    }

    #[test]
    fn reads_numbers_at_excels_precision_and_refuses_what_excel_could_not_hold() {
        let cols = columns(&["sku", "barcode", "price", "stock", "vat", "price2"]);
        let row = |cells: Vec<Cell>| parse(&Row { number: 2, cells }, &cols);
        // `=10*1.18` and `=0.1+0.2` as Excel stores them, shown as 11,8 and 0,3.
        let (r, errors) = row(vec![
            Cell::Text("A".into()),
            Cell::Text("8690000000017".into()),
            Cell::Number(10.0 * 1.18),
            Cell::Number(0.1 + 0.2),
            Cell::Text("0,18".into()),
            Cell::Text("%0,5".into()),
        ]);
        assert_eq!(errors, []);
        assert_eq!((r.sale[0], r.stock), (Some(Decimal::new(118, 1)), Some(Decimal::new(3, 1))));
        assert_eq!(r.vat, Some(Decimal::from(18)), "0,18 written as text is a fraction too");
        assert_eq!(r.sale[1], Some(Decimal::new(5, 1)), "only the VAT column reads a fraction as percent");

        let (_, errors) =
            row(vec![Cell::Number(12345678901234567890.0), Cell::Text("8,69E+12".into()), Cell::Error("#DIV/0!".into()), Cell::Error("#N/A".into())]);
        let codes: Vec<_> = errors.iter().map(|e| (e.column.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [("sku", "import.digits_lost"), ("barcode", "import.digits_lost"), ("price", "import.error_value"), ("stock", "import.error_value")]
        );
        assert!(errors[2].message.starts_with("#DIV/0! is what Excel shows"), "{}", errors[2].message);
        assert_eq!(row(vec![Cell::Text("1E5".into())]).1, [], "a SKU like 1E5 is text, not a lost number");
    }

    #[test]
    fn a_number_written_as_text_that_reads_two_ways_is_refused_where_the_file_does_not_tell() {
        let cols = columns(&["sku", "price", "stock", "price2"]);
        let cells = || vec![Cell::Text("A".into()), Cell::Text("1.250".into()), Cell::Text("₺12,500".into()), Cell::Text("0,125".into())];
        let workbook = parse(&Row { number: 2, cells: cells() }, &cols);
        let codes: Vec<_> = workbook.1.iter().map(|e| (e.column.as_str(), e.code)).collect();
        assert_eq!(codes, [("price", "import.ambiguous_number"), ("stock", "import.ambiguous_number")]);
        assert_eq!(workbook.0.sale[1], Some(Decimal::new(125, 3)), "0,125 reads one way");
        // A `;` csv says its decimal mark is `,`.
        let csv = Columns { decimal_mark: Some(','), ..cols };
        let (r, errors) = parse(&Row { number: 2, cells: cells() }, &csv);
        assert_eq!((errors, r.sale[0], r.stock), (vec![], Some(Decimal::from(1250)), Some(Decimal::new(125, 1))));
    }

    #[test]
    fn reports_every_bad_cell_of_a_row() {
        let cols = columns(&["sku", "price", "stock", "options"]);
        let row =
            Row { number: 7, cells: vec![Cell::Text("A".into()), Cell::Text("abc".into()), Cell::Text("1,2,3".into()), Cell::Text("Renk".into())] };
        let errors = parse(&row, &cols).1;
        assert_eq!(errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), ["price", "stock", "options"]);
        assert!(errors.iter().all(|e| e.row == 7));
    }

    #[test]
    fn reads_status_kind_images_and_tags() {
        let cols = columns(&["sku", "active", "kind", "images", "tags", "desi", "purchase_price"]);
        let row = Row {
            number: 4,
            cells: vec![
                Cell::Text("A".into()),
                Cell::Text("Hayır".into()),
                Cell::Text("HİZMET".into()),
                Cell::Text("https://x.tr/a.jpg, https://x.tr/b.jpg\nhttps://x.tr/c,d.jpg".into()),
                Cell::Text("İndirim, yeni ,indirim".into()),
                Cell::Text("2,5".into()),
                Cell::Text("₺10,25".into()),
            ],
        };
        let (r, errors) = parse(&row, &cols);
        assert_eq!(errors, []);
        assert_eq!(r.active, Some(false));
        assert_eq!(r.kind, Some(ProductKind::Service));
        assert_eq!(r.image_urls.unwrap(), ["https://x.tr/a.jpg", "https://x.tr/b.jpg", "https://x.tr/c,d.jpg"]);
        assert_eq!(r.tags.unwrap(), ["İndirim", "yeni"], "a name once, compared folded");
        assert_eq!((r.desi, r.purchase_price), (Some(Decimal::new(25, 1)), Some(Decimal::new(1025, 2))));
        for (text, want) in
            [("evet", true), ("Aktif", true), ("1", true), ("TRUE", true), ("yes", true), ("pasif", false), ("0", false), ("no", false)]
        {
            assert_eq!(yes_no(&Cell::Text(text.into())), Ok(want), "{text}");
        }
        assert_eq!(tags("a;b,c").unwrap(), ["a", "b,c"], "with a ; in the cell, a comma belongs to the name");
    }

    #[test]
    fn reports_bad_status_kind_and_image_cells() {
        let cols = columns(&["sku", "active", "kind", "images"]);
        let row = Row {
            number: 9,
            cells: vec![Cell::Text("A".into()), Cell::Text("belki".into()), Cell::Text("araba".into()), Cell::Text("resim.jpg".into())],
        };
        let errors = parse(&row, &cols).1;
        let got: Vec<(&str, &str, &str)> = errors.iter().map(|e| (e.column.as_str(), e.value.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [("active", "belki", "import.not_yes_no"), ("kind", "araba", "import.bad_kind"), ("images", "resim.jpg", "import.bad_image_url")]
        );
    }

    #[test]
    fn neutralizing_round_trips() {
        for text in ["=SUM(A1)", "+90 555", "-5", "@x", "\tx", "plain", "'quoted"] {
            assert_eq!(unneutralized(&neutralized(text)), text);
        }
        assert_eq!(neutralized("=1+1"), "'=1+1");
    }
}
