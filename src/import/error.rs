//! Import and export errors, each with a stable code (`import.*`, `export.*`).

use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file} is empty")]
    Empty { file: String },
    #[error("{file} is not a spreadsheet Raf can read (xlsx, xlsm, xls, ods, csv, tsv, txt)")]
    UnknownFormat { file: String },
    #[error("{file} is named .{extension} but holds {found}; rename it or save it again as .{extension}")]
    WrongExtension { file: String, extension: String, found: &'static str },
    #[error("{file} is damaged and cannot be read: {reason}")]
    Corrupt { file: String, reason: String },
    #[error("{file}: the quote that opens the cell in row {row}, column {column} is never closed, so the rows after it were read into that cell; close or remove the quote and import again")]
    UnclosedQuote { file: String, row: u32, column: usize },
    #[error("{file} is protected with a password; save a copy without one and import that")]
    Encrypted { file: String },
    #[error("{file} is too large to import safely: {what} is {size}, the limit is {limit}")]
    TooLarge { file: String, what: String, size: String, limit: String },
    #[error("no sheet named {sheet}; the file has: {}", sheets.join(", "))]
    SheetNotFound { sheet: String, sheets: Vec<String> },
    #[error("no header row found in the first {searched} rows of sheet {sheet}; give the header row's number, or choose another sheet (the file has: {})", sheets.join(", "))]
    HeaderNotFound { sheet: String, sheets: Vec<String>, searched: usize },
    #[error("sheet {sheet} has no row {row}; its last row is {last}")]
    HeaderRowMissing { sheet: String, row: u32, last: u32 },
    #[error("{file} is the catalog itself; choose another file to write")]
    WouldOverwriteCatalog { file: String },
    #[error("{file} is the file being imported; choose another file to write")]
    WouldOverwriteImported { file: String },
    #[error("the column mapping is not usable: {}", problems.join("; "))]
    BadMapping { problems: Vec<String> },
    #[error("{file} has no rows below its header (sheet {sheet}); there is nothing to import")]
    NoRows { file: String, sheet: String },
    #[error("{error_rows} of {rows} rows have errors; nothing was imported")]
    HasErrors { rows: usize, error_rows: usize },
    #[error("no import batch #{0}")]
    BatchNotFound(i64),
    #[error("import batch #{0} was already undone")]
    AlreadyUndone(i64),
    #[error("import batch #{batch} cannot be undone before the later batch #{later}")]
    UndoOrder { batch: i64, later: i64 },
    #[error("since import #{batch}, {} were edited; undoing it would overwrite those edits (undo it anyway with --force)", skus.join(", "))]
    EditedSince { batch: i64, skus: Vec<String> },
    #[error("there is no import to undo")]
    NothingToUndo,
    #[error("cannot write {file}: {reason}")]
    Export { file: String, reason: String },
}

impl ImportError {
    /// The stable code the UI and scripts match on. Never change a shipped one.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty { .. } => "import.empty_file",
            ImportError::UnknownFormat { .. } => "import.unknown_format",
            ImportError::WrongExtension { .. } => "import.wrong_extension",
            ImportError::Corrupt { .. } => "import.corrupt_file",
            ImportError::UnclosedQuote { .. } => "import.unclosed_quote",
            ImportError::Encrypted { .. } => "import.encrypted",
            ImportError::TooLarge { .. } => "import.too_large",
            ImportError::SheetNotFound { .. } => "import.sheet_not_found",
            ImportError::HeaderNotFound { .. } => "import.header_not_found",
            ImportError::HeaderRowMissing { .. } => "import.header_row_missing",
            ImportError::WouldOverwriteCatalog { .. } => "export.would_overwrite_catalog",
            ImportError::WouldOverwriteImported { .. } => "export.would_overwrite_imported",
            ImportError::BadMapping { .. } => "import.bad_mapping",
            ImportError::NoRows { .. } => "import.no_rows",
            ImportError::HasErrors { .. } => "import.has_errors",
            ImportError::BatchNotFound(_) => "import.batch_not_found",
            ImportError::AlreadyUndone(_) => "import.already_undone",
            ImportError::UndoOrder { .. } => "import.undo_order",
            ImportError::NothingToUndo => "import.nothing_to_undo",
            ImportError::EditedSince { .. } => "import.edited_since",
            ImportError::Export { .. } => "export.failed",
        }
    }

    /// Values for the UI's translated message.
    pub fn details(&self) -> Value {
        match self {
            ImportError::Empty { file }
            | ImportError::UnknownFormat { file }
            | ImportError::Encrypted { file }
            | ImportError::WouldOverwriteCatalog { file }
            | ImportError::WouldOverwriteImported { file } => json!({ "file": file }),
            ImportError::WrongExtension { file, extension, found } => json!({ "file": file, "extension": extension, "found": found }),
            ImportError::Corrupt { file, reason } | ImportError::Export { file, reason } => json!({ "file": file, "reason": reason }),
            ImportError::UnclosedQuote { file, row, column } => json!({ "file": file, "row": row, "column": column }),
            ImportError::TooLarge { file, what, size, limit } => json!({ "file": file, "what": what, "size": size, "limit": limit }),
            ImportError::SheetNotFound { sheet, sheets } => json!({ "sheet": sheet, "sheets": sheets }),
            ImportError::HeaderNotFound { sheet, sheets, searched } => json!({ "sheet": sheet, "sheets": sheets, "searched": searched }),
            ImportError::HeaderRowMissing { sheet, row, last } => json!({ "sheet": sheet, "row": row, "last": last }),

            ImportError::BadMapping { problems } => json!({ "problems": problems }),
            ImportError::NoRows { file, sheet } => json!({ "file": file, "sheet": sheet }),
            ImportError::HasErrors { rows, error_rows } => json!({ "rows": rows, "error_rows": error_rows }),
            ImportError::BatchNotFound(batch) | ImportError::AlreadyUndone(batch) => json!({ "batch": batch }),
            ImportError::UndoOrder { batch, later } => json!({ "batch": batch, "later": later }),
            ImportError::NothingToUndo => Value::Null,
            ImportError::EditedSince { batch, skus } => json!({ "batch": batch, "skus": skus }),
        }
    }
}
