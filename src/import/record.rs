//! One sheet row read through the mapping: typed values, or every problem of the row.

use super::mapping::{column_name, Field};
use super::read::{Cell, Row};
use super::RowError;
use crate::catalog::OptionValue;
use crate::num::parse_decimal;
use rust_decimal::Decimal;
use std::str::FromStr;

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
}

/// The headers and the field of each column.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub headers: Vec<String>,
    pub fields: Vec<Option<Field>>,
}

impl Columns {
    /// The column a field comes from, as a user sees it.
    pub fn of(&self, field: &Field) -> String {
        self.fields.iter().position(|f| f.as_ref() == Some(field)).map(|i| column_name(&self.headers, i)).unwrap_or_default()
    }
}

/// Reads a row through the columns' fields; all problems of the row are returned together.
pub fn parse(row: &Row, columns: &Columns) -> Result<Record, Vec<RowError>> {
    let mut record = Record { row: row.number, ..Record::default() };
    let mut errors = Vec::new();
    for (i, field) in columns.fields.iter().enumerate() {
        let (Some(field), Some(cell)) = (field, row.cells.get(i)) else { continue };
        if cell.is_empty() {
            continue;
        }
        if let Err((code, message)) = fill(&mut record, field, cell) {
            errors.push(RowError {
                row: row.number,
                column: column_name(&columns.headers, i),
                value: cell.text().into_owned(),
                code,
                message,
            });
        }
    }
    if errors.is_empty() {
        Ok(record)
    } else {
        Err(errors)
    }
}

type Problem = (&'static str, String);

fn fill(record: &mut Record, field: &Field, cell: &Cell) -> Result<(), Problem> {
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
        Field::Vat => record.vat = Some(number(cell)?),
        Field::MinStock => record.min_stock = Some(number(cell)?),
        Field::Stock => record.stock = Some(number(cell)?),
        Field::Price(n) => record.sale[*n as usize - 1] = Some(number(cell)?),
        Field::ListPrice(n) => record.list[*n as usize - 1] = Some(number(cell)?),
        Field::Option(group) => record.options.push(OptionValue { group: group.clone(), value: cell.text().trim().to_owned() }),
        Field::Options => record.options.extend(options(&cell.text())?),
    }
    Ok(())
}

/// A number cell as it is; a text cell the Turkish or English way, with ₺/TL/% allowed.
fn number(cell: &Cell) -> Result<Decimal, Problem> {
    let parsed = match cell {
        Cell::Int(i) => Ok(Decimal::from(*i)),
        // Shortest text that reads back as the same f64: 12.5, not 12.4999999.
        Cell::Number(f) => Decimal::from_str(&f.to_string()).map_err(|_| ()),
        Cell::Text(t) => parse_decimal(t).map_err(|_| ()),
        _ => Err(()),
    };
    parsed.map_err(|()| ("import.not_a_number", format!("{:?} is not a number", cell.text())))
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

/// `text` made safe to open in a spreadsheet: `'` before a leading `=`, `+`, `-`, `@`, tab or CR.
pub(crate) fn neutralized(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(fields: &[&str]) -> Columns {
        Columns { headers: fields.iter().map(|f| f.to_string()).collect(), fields: fields.iter().map(|f| f.parse().ok()).collect() }
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
        let r = parse(&row, &cols).unwrap();
        assert_eq!(r.sku.as_deref(), Some("12345"));
        assert_eq!(r.barcode.as_deref(), Some("8690000000017"));
        assert_eq!(r.sale[0], Some(Decimal::new(123456, 2)));
        assert_eq!(r.stock, Some(Decimal::new(125, 1)));
        assert_eq!(r.options.len(), 2);
    }

    #[test]
    fn reports_every_bad_cell_of_a_row() {
        let cols = columns(&["sku", "price", "stock", "options"]);
        let row = Row { number: 7, cells: vec![Cell::Text("A".into()), Cell::Text("abc".into()), Cell::Text("1,2,3".into()), Cell::Text("Renk".into())] };
        let errors = parse(&row, &cols).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), ["price", "stock", "options"]);
        assert!(errors.iter().all(|e| e.row == 7));
    }

    #[test]
    fn neutralizing_round_trips() {
        for text in ["=SUM(A1)", "+90 555", "-5", "@x", "\tx", "plain", "'quoted"] {
            assert_eq!(unneutralized(&neutralized(text)), text);
        }
        assert_eq!(neutralized("=1+1"), "'=1+1");
    }
}
