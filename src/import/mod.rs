//! Import from spreadsheets and export to them.
//!
//! The steps a wizard (or the CLI) drives, each a function here:
//!
//! 1. [`inspect`]: open the file (checked first: format, zip part sizes), list its sheets,
//!    find the header row, suggest a field for each column (or reuse the mapping saved for
//!    the same headers) and map the first rows, with each row's problems.
//! 2. [`plan`]: the dry run. Reads every row, decides what each would do against the
//!    catalog (create, update, unchanged) and returns the counts and every row error.
//!    Writes nothing.
//! 3. [`apply`]: the same decisions, written in ONE transaction, only when no row has an
//!    error. Reports progress and stops when cancelled (through `progress::Task`); records
//!    an import batch with every change it made.
//! 4. [`undo`]: restores what a batch changed: previous field values and prices, stock
//!    through compensating movements; what it created goes to the trash.
//!
//! [`export`] writes the catalog to xlsx or csv in the same columns an import reads, so
//! an export imported again changes nothing; [`template`] writes those columns, empty.

mod error;
mod export;
mod mapping;
mod read;
mod record;
mod run;
mod suspend;
mod undo;

pub use error::ImportError;
pub use export::{export, refuse_catalog, refuse_imported, template, write_report, write_table, ExportFormat, ExportOptions, ExportSummary, Value};
pub use mapping::{column_letter, suggest, Field, MappingProblem};
pub use read::{open, Cell, Format, Row, Workbook, MAX_COLUMNS, MAX_ROWS};
pub(crate) use record::unneutralized;
pub use undo::{batches, undo, Batch, UndoSummary};

use crate::error::Result;
use crate::progress::Task;
use record::Columns;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which rows may do what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportMode"))]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Only new products; a row whose key exists is an error.
    Insert,
    /// Only existing products; a row whose key is unknown is an error.
    Update,
    /// New ones are created, existing ones updated.
    #[default]
    Upsert,
}

/// The column that finds an existing product or variant. Under `Barcode`, a row without a
/// barcode is found by its SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportKey"))]
#[serde(rename_all = "lowercase")]
pub enum Key {
    #[default]
    Sku,
    Barcode,
}

impl Key {
    pub fn field(self) -> Field {
        match self {
            Key::Sku => Field::Sku,
            Key::Barcode => Field::Barcode,
        }
    }
}

/// What the stock column means. Either way the change is a ledger movement of kind import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum StockMode {
    /// The quantity on hand becomes the cell's value.
    #[default]
    Set,
    /// The cell's value is added to the quantity on hand.
    Add,
}

/// Everything a user chooses about an import. The defaults suit a file Raf exported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportOptions {
    /// The sheet to read (folded match); when `None`, the first one with a header row.
    pub sheet: Option<String>,
    /// The header row as the spreadsheet numbers it (1-based); found when `None`.
    pub header_row: Option<u32>,
    /// Changes to the suggested mapping: a column (its header, or its letter `A`, `B` ...)
    /// and the field it fills, `None` to ignore the column.
    #[cfg_attr(feature = "ts", ts(type = "Array<[string, string | null]>"))]
    pub mapping: Vec<(String, Option<Field>)>,
    pub mode: Mode,
    pub key: Key,
    pub stock: StockMode,
}

/// One problem of one row: where it is, what the cell held and why it cannot be used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportRowError"))]
pub struct RowError {
    /// The row number as the spreadsheet shows it.
    pub row: u32,
    /// The column's header (or its letter); empty when the problem is the whole row's.
    pub column: String,
    pub value: String,
    /// A stable code the UI translates (`import.not_a_number`, `catalog.sku_taken` ...).
    pub code: &'static str,
    /// The English explanation.
    pub message: String,
}

/// What the file looks like and how it will be read: the wizard's first screens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportPreview"))]
pub struct Preview {
    pub format: Format,
    pub sheets: Vec<String>,
    pub sheet: String,
    pub header_row: u32,
    pub headers: Vec<String>,
    /// The field of each column (`None`: ignored), suggested or saved, with the options' changes.
    #[cfg_attr(feature = "ts", ts(type = "Array<string | null>"))]
    pub mapping: Vec<Option<Field>>,
    /// True when the mapping came from a previous import of a file with these headers.
    pub saved_mapping: bool,
    /// The first rows after the header, each cell as text, with the row's problems.
    pub rows: Vec<PreviewRow>,
    /// What makes the mapping unusable, for the user to change it; empty when it is usable.
    pub problems: Vec<MappingProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportPreviewRow"))]
pub struct PreviewRow {
    pub row: u32,
    pub cells: Vec<String>,
    pub errors: Vec<RowError>,
}

/// The dry run's (and an apply's) verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportPlan"))]
pub struct Plan {
    pub file: String,
    pub sheet: String,
    /// The header of each column and the field it filled (`None`: ignored), so a user
    /// sees what a column with an unknown header did: nothing.
    pub headers: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "Array<string | null>"))]
    pub mapping: Vec<Option<Field>>,
    /// True when the mapping came from a previous import of a file with these headers.
    pub saved_mapping: bool,
    /// Data rows read (empty rows are skipped).
    pub rows: u64,
    pub creates: u64,
    pub updates: u64,
    pub unchanged: u64,
    /// Rows with at least one error.
    pub error_rows: u64,
    /// Stock movements the import makes.
    pub movements: u64,
    /// Every problem of every row, in row order.
    pub errors: Vec<RowError>,
}

/// What `apply` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ImportApplied"))]
pub struct Applied {
    /// The import batch, for undo; `None` when nothing was written because rows had errors.
    pub batch: Option<i64>,
    pub plan: Plan,
}

/// Rows of the preview.
pub const PREVIEW_ROWS: usize = 20;

/// Step 1: the file's sheets, header, mapping and first rows mapped.
pub fn inspect(conn: &Connection, path: &Path, options: &ImportOptions) -> Result<Preview> {
    let mut prepared = run::prepare(conn, path, options)?;
    let mut rows = Vec::new();
    let (header_row, columns) = (prepared.header_row, prepared.columns.clone());
    prepared.workbook.read_rows(&prepared.sheet, |row| {
        if row.number > header_row {
            let errors = record::parse(&row, &columns).1;
            rows.push(PreviewRow { row: row.number, cells: row.cells.iter().map(|c| c.text().into_owned()).collect(), errors });
        }
        Ok(rows.len() < PREVIEW_ROWS)
    })?;
    Ok(Preview {
        format: prepared.workbook.format(),
        sheets: prepared.workbook.sheets().to_vec(),
        sheet: prepared.sheet,
        header_row,
        headers: columns.headers,
        mapping: columns.fields,
        saved_mapping: prepared.saved_mapping,
        rows,
        problems: prepared.problems,
    })
}

/// Step 2: the dry run. Counts and every row error; writes nothing.
pub fn plan(conn: &Connection, path: &Path, options: &ImportOptions, task: &Task) -> Result<Plan> {
    let prepared = run::prepare(conn, path, options)?.usable()?;
    // One read snapshot for the whole run; rolled back (nothing was written) on drop.
    let snapshot = conn.unchecked_transaction()?;
    run::run(&snapshot, prepared, options, None, task)
}

/// Step 3: the import, all or nothing, in one transaction. Writes only when no row has
/// an error; then the batch id is returned for undo and the mapping is saved for the
/// next file with the same headers.
pub fn apply(conn: &mut Connection, path: &Path, options: &ImportOptions, task: &Task) -> Result<Applied> {
    let prepared = run::prepare(conn, path, options)?.usable()?;
    let mut refused = None;
    let applied = crate::db::with_bulk_cache(conn, |conn| {
        crate::db::write(conn, |tx| {
            let batch = undo::start_batch(tx, &prepared, options)?;
            let columns = prepared.columns.clone();
            let plan = run::run(tx, prepared, options, Some(batch), task)?;
            // A file with no rows records no empty batch to undo: rolled back.
            if plan.rows == 0 {
                return Err(ImportError::NoRows { file: plan.file, sheet: plan.sheet }.into());
            }
            if plan.error_rows > 0 {
                let err = ImportError::HasErrors { rows: plan.rows as usize, error_rows: plan.error_rows as usize };
                refused = Some(plan);
                return Err(err.into()); // rolls everything back
            }
            undo::finish_batch(tx, batch, &plan)?;
            mapping::save_mapping(tx, &columns.headers, &columns.fields)?;
            Ok(Applied { batch: Some(batch), plan })
        })
    });
    match (applied, refused) {
        (Err(_), Some(plan)) => Ok(Applied { batch: None, plan }),
        (applied, _) => applied,
    }
}

/// The columns of `headers` with the mapping that `options` and saved mappings give, for
/// a file whose numbers written as text use `decimal_mark` (when known); whether a saved
/// mapping was used; and what makes the mapping unusable.
pub(crate) fn columns_for(
    conn: &Connection,
    headers: Vec<String>,
    decimal_mark: Option<char>,
    options: &ImportOptions,
) -> Result<(Columns, bool, Vec<MappingProblem>)> {
    let saved = mapping::saved_mapping(conn, &headers)?.filter(|m| m.len() == headers.len());
    let saved_used = saved.is_some();
    let mut fields = saved.unwrap_or_else(|| mapping::suggest_all(&headers));
    let mut problems = Vec::new();
    for (column, field) in &options.mapping {
        match mapping::column_index(&headers, column) {
            Some(i) if i < MAX_COLUMNS => {
                if fields.len() <= i {
                    fields.resize(i + 1, None);
                }
                // A field moved to this column leaves the column it was suggested for.
                if let Some(field) = field {
                    fields.iter_mut().filter(|f| f.as_ref() == Some(field)).for_each(|f| *f = None);
                }
                fields[i] = field.clone();
            }
            _ => problems.push(MappingProblem::NoColumn { column: column.clone(), columns: headers.clone() }),
        }
    }
    problems.extend(mapping::check(&fields, &headers, &options.key.field()));
    Ok((Columns { headers, fields, decimal_mark }, saved_used, problems))
}
