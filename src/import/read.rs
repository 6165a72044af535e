//! Reading spreadsheets: xlsx/xlsm (calamine's streaming cell reader), xls and ods
//! (calamine ranges), csv/tsv/txt (the csv crate, any of `,` `;` tab `|`, UTF-8 with or
//! without BOM, UTF-16 with BOM, Windows-1254). A file is checked before it is parsed:
//! format by its first bytes, zip parts by their declared sizes (zip bombs, huge shared
//! strings), and rows and columns are capped while reading.

use super::ImportError;
use crate::error::{Error, Result};
use calamine::{Data, DataRef, Reader, Sheets, Xlsx};
use rust_decimal::Decimal;
use serde::Serialize;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Rows read from one sheet at most (Excel's own limit is 1,048,576).
pub const MAX_ROWS: u32 = 2_000_000;
/// Columns read from one row at most (Excel's own limit is 16,384).
pub const MAX_COLUMNS: usize = 1_024;
/// The largest part of a workbook, uncompressed, that is parsed.
const MAX_PART: u64 = 1 << 30;
/// The largest shared-strings part: calamine holds all of it in memory.
const MAX_SHARED_STRINGS: u64 = 256 << 20;
/// A part that expands more than this many times is a zip bomb, not a spreadsheet
/// (real sheets compress 5-20x; only large parts are judged).
const MAX_RATIO: u64 = 100;
const RATIO_JUDGED_FROM: u64 = 16 << 20;

const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "SheetFormat"))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
    Csv,
}

impl Format {
    fn described(self) -> &'static str {
        match self {
            Format::Xlsx => "an Excel (xlsx) workbook",
            Format::Xls => "an Excel 97-2003 (xls) workbook",
            Format::Ods => "an OpenDocument (ods) spreadsheet",
            Format::Csv => "text (csv)",
        }
    }

    /// The format a file name's extension promises, if it names one.
    fn of_extension(extension: &str) -> Option<Format> {
        match extension {
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "xls" => Some(Format::Xls),
            "ods" => Some(Format::Ods),
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// `f` to Excel's precision, 15 significant digits, as Excel shows it: a price computed
/// as `=10*1.18` is stored as 11.799999999999999 and shown, and meant, as 11.8.
pub(crate) fn excel_number(f: f64) -> Option<Decimal> {
    // Most cells (whole numbers, prices with two decimals) are already short: their
    // shortest round-trip digits are what Excel shows. Only the rest pay for formatting
    // at a fixed precision, which takes the slow exact path of float formatting.
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return Some(Decimal::from(f as i64));
    }
    let shortest = f.to_string();
    let digits = shortest.trim_start_matches(['-', '0', '.']).bytes().filter(u8::is_ascii_digit).count();
    if digits <= 15 {
        return shortest.parse::<Decimal>().ok().map(|d| d.normalize());
    }
    Decimal::from_scientific(&format!("{f:.14e}")).ok().map(|d| d.normalize())
}

/// Excel's precision by formatting alone: what `excel_number` must agree with.
#[cfg(test)]
fn excel_number_by_formatting(f: f64) -> Option<Decimal> {
    Decimal::from_scientific(&format!("{f:.14e}")).ok().map(|d| d.normalize())
}

/// A cell as the file typed it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    Bool(bool),
    /// A date or date-time, as ISO 8601 text (`2026-11-22`, `2026-11-22T13:20:00`).
    Date(String),
    /// What Excel shows for a formula it could not compute: `#DIV/0!`, `#N/A`, `#REF!` ...
    Error(String),
    /// A formula saved without its result: a program wrote the file and left computing
    /// it to a spreadsheet application (Excel saves results with formulas).
    NoResult,
}

impl Cell {
    /// The cell as text. Whole numbers come out as their exact digits (a barcode typed as
    /// a number is `8690000000017`, never `8.69E+12` or `8690000000017.0`); other numbers
    /// in their shortest exact form.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) | Cell::Date(s) | Cell::Error(s) => Cow::Borrowed(s.as_str()),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cow::Owned((*f as i64).to_string()),
            Cell::Number(f) => Cow::Owned(excel_number(*f).map_or_else(|| f.to_string(), |d| d.to_string())),
            Cell::Bool(b) => Cow::Borrowed(if *b { "1" } else { "0" }),
            Cell::NoResult => Cow::Borrowed("=…"),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    fn of_data(value: &Data) -> Cell {
        match value {
            Data::Int(i) => Cell::Int(*i),
            Data::Float(f) => Cell::Number(*f),
            Data::String(s) => Cell::Text(s.clone()),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(d) => date(d),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(s.clone()),
            Data::Error(e) => Cell::Error(e.to_string()),
            Data::Empty => Cell::Empty,
        }
    }

    fn of_data_ref(value: &DataRef) -> Cell {
        match value {
            DataRef::Int(i) => Cell::Int(*i),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::String(s) => Cell::Text(s.clone()),
            DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(d) => date(d),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Date(s.clone()),
            DataRef::Error(e) => Cell::Error(e.to_string()),
            DataRef::Empty => Cell::Empty,
        }
    }
}

/// An Excel serial date (1900 or 1904 system: calamine knows which the workbook uses).
fn date(value: &calamine::ExcelDateTime) -> Cell {
    match value.as_datetime() {
        Some(dt) if dt.time() == chrono::NaiveTime::MIN => Cell::Date(dt.date().to_string()),
        Some(dt) => Cell::Date(dt.format("%Y-%m-%dT%H:%M:%S").to_string()),
        None => Cell::Number(value.as_f64()),
    }
}

/// One row of a sheet: its number as the spreadsheet shows it (1-based) and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Cell>,
}

/// An opened spreadsheet file: its format and sheets, ready to read rows from.
pub struct Workbook {
    path: PathBuf,
    format: Format,
    sheets: Vec<String>,
    /// Sheets a workbook hides, and chart sheets: never read unless named.
    hidden: Vec<String>,
    book: Option<Sheets<BufReader<File>>>,
    delimiter: u8,
    progress: Arc<ReadProgress>,
}

/// How far reading a sheet has got, readable from another thread while it runs, so
/// progress can be shown as a share of the whole.
#[derive(Debug, Default)]
pub struct ReadProgress {
    /// The sheet's last row number as the file declares it (an xlsx `<dimension>`, an
    /// xls or ods range); 0 when it does not.
    declared_last_row: AtomicU64,
    /// The number of the last row read.
    row: AtomicU64,
    /// csv: the file's bytes read so far, and its size.
    bytes_read: AtomicU64,
    size: AtomicU64,
}

impl ReadProgress {
    /// The sheet's last row number: as declared, else (csv) estimated from the share of
    /// the file's bytes read so far; 0 when neither is known yet.
    pub fn last_row(&self) -> u64 {
        let declared = self.declared_last_row.load(Ordering::Relaxed);
        if declared > 0 {
            return declared;
        }
        let (row, read, size) = (self.row.load(Ordering::Relaxed), self.bytes_read.load(Ordering::Relaxed), self.size.load(Ordering::Relaxed));
        if read == 0 {
            return 0;
        }
        (row as u128 * size as u128 / read as u128) as u64
    }

    fn declare_last_row(&self, row: u64) {
        // An xlsx without a `<dimension>` reads as A1: unknown, not one row.
        if row > 1 {
            self.declared_last_row.store(row, Ordering::Relaxed);
        }
    }
}

/// A reader that counts the bytes it reads into a `ReadProgress`.
struct Counting<R> {
    inner: R,
    progress: Arc<ReadProgress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl std::fmt::Debug for Workbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook").field("path", &self.path).field("format", &self.format).field("sheets", &self.sheets).finish()
    }
}

/// Opens `path` after checking what it is: never panics or runs out of memory on a
/// damaged, hostile or misnamed file; says what is wrong instead.
pub fn open(path: &Path) -> Result<Workbook> {
    let file = display(path);
    let format = sniff(path)?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if let Some(promised) = Format::of_extension(&extension) {
        if promised != format {
            return Err(ImportError::WrongExtension { file, extension, found: format.described() }.into());
        }
    }
    match format {
        Format::Csv => {
            let delimiter = delimited::sniff_delimiter(path)?;
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Ok(Workbook { path: path.to_owned(), format, sheets: vec![name], hidden: Vec::new(), book: None, delimiter, progress: Arc::default() })
        }
        Format::Xlsx | Format::Ods => {
            check_zip_parts(path)?;
            open_book(path, format)
        }
        Format::Xls => open_book(path, format),
    }
}

fn open_book(path: &Path, format: Format) -> Result<Workbook> {
    let reader = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
    let book = match format {
        Format::Xlsx => Xlsx::new(reader).map(Sheets::Xlsx).map_err(calamine::Error::Xlsx),
        Format::Xls => calamine::Xls::new(reader).map(Sheets::Xls).map_err(calamine::Error::Xls),
        Format::Ods => calamine::Ods::new(reader).map(Sheets::Ods).map_err(calamine::Error::Ods),
        Format::Csv => unreachable!("csv is not a workbook"),
    }
    .map_err(|e| unreadable(path, e))?;
    let hidden = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible != calamine::SheetVisible::Visible || s.typ == calamine::SheetType::ChartSheet)
        .map(|s| s.name.clone())
        .collect();
    let sheets = book.sheet_names();
    Ok(Workbook { path: path.to_owned(), format, sheets, hidden, book: Some(book), delimiter: b',', progress: Arc::default() })
}

impl Workbook {
    pub fn format(&self) -> Format {
        self.format
    }

    /// The decimal mark of numbers written as text, when the file's format tells: Excel
    /// separates a csv's cells with `;` where `,` is the decimal mark (Turkish Excel),
    /// with `,` where `.` is. A workbook's numbers are typed cells; its text ones say nothing.
    pub fn decimal_mark(&self) -> Option<char> {
        match (self.format, self.delimiter) {
            (Format::Csv, b';') => Some(','),
            (Format::Csv, b',') => Some('.'),
            _ => None,
        }
    }

    pub fn sheets(&self) -> &[String] {
        &self.sheets
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How far the current `read_rows` has got, for another thread to show.
    pub fn progress(&self) -> Arc<ReadProgress> {
        Arc::clone(&self.progress)
    }

    /// The sheets read when none is named, in order: the visible ones (a workbook often
    /// hides an old copy of its list), or all of them when every one is hidden.
    pub fn visible_sheets(&self) -> Vec<String> {
        let visible: Vec<String> = self.sheets.iter().filter(|s| !self.hidden.contains(s)).cloned().collect();
        if visible.is_empty() {
            self.sheets.clone()
        } else {
            visible
        }
    }

    /// The sheet called `name` (folded comparison), or the first visible one.
    pub fn sheet(&self, name: Option<&str>) -> Result<String> {
        match name {
            None => Ok(self.visible_sheets().into_iter().next().unwrap_or_default()),
            Some(name) => self
                .sheets
                .iter()
                .find(|s| crate::text::fold(s.trim()) == crate::text::fold(name.trim()))
                .cloned()
                .ok_or_else(|| ImportError::SheetNotFound { sheet: name.to_owned(), sheets: self.sheets.clone() }.into()),
        }
    }

    /// Calls `each` with every non-empty row of `sheet`, in order, until it returns false.
    pub fn read_rows(&mut self, sheet: &str, mut each: impl FnMut(Row) -> Result<bool>) -> Result<()> {
        let path = self.path.clone();
        let progress = Arc::clone(&self.progress);
        progress.row.store(0, Ordering::Relaxed);
        progress.bytes_read.store(0, Ordering::Relaxed);
        let mut guarded = |row: Row| -> Result<bool> {
            progress.row.store(row.number as u64, Ordering::Relaxed);
            if row.number > MAX_ROWS {
                return Err(too_large(&path, "the number of rows", row.number.to_string(), MAX_ROWS.to_string()));
            }
            if row.cells.iter().all(Cell::is_empty) {
                return Ok(true);
            }
            each(row)
        };
        match self.book.as_mut() {
            None => delimited::read(&path, self.delimiter, &self.progress, &mut guarded),
            Some(Sheets::Xlsx(xlsx)) => read_xlsx(&path, xlsx, sheet, &self.progress, &mut guarded),
            Some(book) => {
                let range = book.worksheet_range(sheet).map_err(|e| unreadable(&path, e))?;
                let (first_row, first_col) = range.start().unwrap_or((0, 0));
                self.progress.declare_last_row(range.end().map_or(0, |(row, _)| row as u64 + 1));
                if range.width() + first_col as usize > MAX_COLUMNS {
                    return Err(too_large(&path, "the number of columns", range.width().to_string(), MAX_COLUMNS.to_string()));
                }
                for (i, cells) in range.rows().enumerate() {
                    let mut row: Vec<Cell> = vec![Cell::Empty; first_col as usize];
                    row.extend(cells.iter().map(Cell::of_data));
                    if !guarded(Row { number: first_row + i as u32 + 1, cells: row })? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }
}

/// xlsx through calamine's streaming cell reader: one row in memory at a time.
fn read_xlsx(
    path: &Path,
    xlsx: &mut Xlsx<BufReader<File>>,
    sheet: &str,
    progress: &ReadProgress,
    each: &mut dyn FnMut(Row) -> Result<bool>,
) -> Result<()> {
    let mut cells = xlsx.worksheet_cells_reader(sheet).map_err(|e| unreadable(path, calamine::Error::Xlsx(e)))?;
    progress.declare_last_row(cells.dimensions().end.0 as u64 + 1);
    let mut row = Row { number: 0, cells: Vec::new() };
    // With each cell's formula, if any: a formula saved without its result has no value,
    // and must not read as an empty cell.
    while let Some(cell) = cells.next_cell_with_formula_metadata().map_err(|e| unreadable(path, calamine::Error::Xlsx(e)))? {
        let (r, c) = cell.pos;
        if r + 1 != row.number {
            let done = std::mem::replace(&mut row, Row { number: r + 1, cells: Vec::new() });
            if done.number > 0 && !each(done)? {
                return Ok(());
            }
        }
        let c = c as usize;
        if c >= MAX_COLUMNS {
            return Err(too_large(path, "the number of columns", (c + 1).to_string(), MAX_COLUMNS.to_string()));
        }
        let value = match Cell::of_data_ref(&cell.value) {
            Cell::Empty if cell.formula.is_some() => Cell::NoResult,
            value => value,
        };
        if value != Cell::Empty {
            if row.cells.len() <= c {
                row.cells.resize(c + 1, Cell::Empty);
            }
            row.cells[c] = value;
        }
    }
    if row.number > 0 {
        each(row)?;
    }
    Ok(())
}

/// What the first bytes say the file is.
fn sniff(path: &Path) -> Result<Format> {
    let file = display(path);
    let mut head = [0u8; 4096];
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let n = read_up_to(&mut f, &mut head).map_err(|e| Error::io(path, e))?;
    let head = &head[..n];
    if head.is_empty() {
        return Err(ImportError::Empty { file }.into());
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return zip_format(path, f);
    }
    if head.starts_with(CFB_MAGIC) {
        // Office saves a password-protected xlsx as an encrypted package inside a compound
        // file, the container xls uses too: calamine's xlsx reader tells them apart.
        let reader = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
        if let Err(calamine::XlsxError::Password) = Xlsx::new(reader) {
            return Err(ImportError::Encrypted { file }.into());
        }
        return Ok(Format::Xls);
    }
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if !utf16 && head.contains(&0) {
        return Err(ImportError::UnknownFormat { file }.into());
    }
    Ok(Format::Csv)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// xlsx or ods, by the parts the zip holds.
fn zip_format(path: &Path, mut file: File) -> Result<Format> {
    file.rewind().map_err(|e| Error::io(path, e))?;
    let zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| corrupt(path, e))?;
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok()).map(|n| n.into_owned()).collect();
    if names.iter().any(|n| n.starts_with("xl/")) {
        Ok(Format::Xlsx)
    } else if names.iter().any(|n| n == "content.xml") {
        Ok(Format::Ods)
    } else {
        Err(ImportError::UnknownFormat { file: display(path) }.into())
    }
}

/// Refuses a workbook whose parts would expand past what can be parsed safely, before
/// anything is decompressed: the sizes come from the zip's central directory.
fn check_zip_parts(path: &Path) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| corrupt(path, e))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| corrupt(path, e))?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        if part.encrypted() {
            return Err(ImportError::Encrypted { file: display(path) }.into());
        }
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        let limit = if name.ends_with("sharedStrings.xml") { MAX_SHARED_STRINGS } else { MAX_PART };
        if size > limit {
            return Err(too_large(path, &format!("part {name}"), megabytes(size), megabytes(limit)));
        }
        if size >= RATIO_JUDGED_FROM && size / packed > MAX_RATIO {
            return Err(too_large(path, &format!("the compression ratio of part {name}"), format!("{}:1", size / packed), format!("{MAX_RATIO}:1")));
        }
        total = total.saturating_add(size);
    }
    if total > 2 * MAX_PART {
        return Err(too_large(path, "the workbook uncompressed", megabytes(total), megabytes(2 * MAX_PART)));
    }
    Ok(())
}

fn display(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

fn corrupt(path: &Path, reason: impl std::fmt::Display) -> Error {
    ImportError::Corrupt { file: display(path), reason: reason.to_string() }.into()
}

fn too_large(path: &Path, what: &str, size: String, limit: String) -> Error {
    ImportError::TooLarge { file: display(path), what: what.to_owned(), size, limit }.into()
}

fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes.div_ceil(1_000_000))
}

/// A calamine error, said the way a shop owner can act on.
fn unreadable(path: &Path, err: calamine::Error) -> Error {
    let password = matches!(
        &err,
        calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Xls(calamine::XlsError::Password)
            | calamine::Error::Ods(calamine::OdsError::Password)
    );
    if password {
        return ImportError::Encrypted { file: display(path) }.into();
    }
    if let calamine::Error::Xlsx(calamine::XlsxError::WorksheetNotFound(sheet)) | calamine::Error::Ods(calamine::OdsError::WorksheetNotFound(sheet)) =
        &err
    {
        return ImportError::SheetNotFound { sheet: sheet.clone(), sheets: Vec::new() }.into();
    }
    corrupt(path, err)
}

/// csv, tsv and txt files.
mod delimited {
    use super::{display, Cell, Counting, ReadProgress, Row};
    use crate::error::{Error, Result};
    use crate::import::ImportError;
    use std::fs::File;
    use std::io::{BufReader, Read, Seek};
    use std::path::Path;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    const SNIFF_BYTES: usize = 64 << 10;
    const SNIFF_RECORDS: usize = 50;

    /// The file's bytes as UTF-8: UTF-16 (with its BOM) is transcoded while reading;
    /// other files are read as they are (a UTF-8 BOM is dropped) and cells that are not
    /// UTF-8 are decoded as Windows-1254 (what Turkish Excel writes).
    fn utf8_reader(path: &Path, progress: Arc<ReadProgress>) -> Result<Box<dyn Read + Send>> {
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut bom = [0u8; 3];
        let n = super::read_up_to(&mut file, &mut bom).map_err(|e| Error::io(path, e))?;
        file.rewind().map_err(|e| Error::io(path, e))?;
        progress.size.store(file.metadata().map_err(|e| Error::io(path, e))?.len(), Ordering::Relaxed);
        let file = Counting { inner: file, progress };
        if bom[..n].starts_with(&[0xFF, 0xFE]) || bom[..n].starts_with(&[0xFE, 0xFF]) {
            return Ok(Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().build(BufReader::new(file))));
        }
        let mut file = BufReader::with_capacity(1 << 16, file);
        if bom[..n] == [0xEF, 0xBB, 0xBF] {
            let mut skip = [0u8; 3];
            file.read_exact(&mut skip).map_err(|e| Error::io(path, e))?;
        }
        Ok(Box::new(file))
    }

    /// The delimiter that splits the first records into the most columns, the same
    /// number on (nearly) every record.
    pub fn sniff_delimiter(path: &Path) -> Result<u8> {
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        utf8_reader(path, Arc::default())?.take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
        let score = |delimiter: u8| -> (usize, usize) {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(&head[..]);
            let counts: Vec<usize> = reader.byte_records().take(SNIFF_RECORDS).filter_map(|r| r.ok()).map(|r| r.len()).collect();
            let mut most = std::collections::HashMap::new();
            for &c in &counts {
                *most.entry(c).or_insert(0usize) += 1;
            }
            let (columns, rows) = most.into_iter().max_by_key(|&(columns, rows)| (rows, columns)).unwrap_or((1, 0));
            if columns < 2 {
                (0, 0)
            } else {
                (rows, columns)
            }
        };
        let best = CANDIDATES.iter().map(|&d| (score(d), d)).max_by_key(|&(score, d)| (score, std::cmp::Reverse(d))).map(|(_, d)| d);
        if head.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ImportError::Empty { file: display(path) }.into());
        }
        Ok(best.filter(|&d| score(d).1 >= 2).unwrap_or(b','))
    }

    pub fn read(path: &Path, delimiter: u8, progress: &Arc<ReadProgress>, each: &mut dyn FnMut(Row) -> Result<bool>) -> Result<()> {
        let reader = utf8_reader(path, Arc::clone(progress))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(reader);
        let mut record = csv::ByteRecord::new();
        let (mut number, mut width) = (0u32, 0);
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => return Err(ImportError::Corrupt { file: display(path), reason: e.to_string() }.into()),
            }
            number += 1;
            if record.len() > super::MAX_COLUMNS {
                return Err(super::too_large(path, "the number of columns", record.len().to_string(), super::MAX_COLUMNS.to_string()));
            }
            width = width.max(record.len());
            if let Some(column) = record.iter().position(|cell| swallowed_rows(cell, delimiter, width)) {
                return Err(ImportError::UnclosedQuote { file: display(path), row: number, column: column + 1 }.into());
            }
            let cells = record.iter().map(text_cell).collect();
            if !each(Row { number, cells })? {
                return Ok(());
            }
        }
    }

    /// True when a cell holds whole rows of the file: a line after its first with as many
    /// delimiters as a row of `width` cells has. A quote opening a cell and never closed
    /// makes the csv reader take the lines after it into that cell, without an error. A
    /// cell written on several lines (a description) does not hold rows; with fewer than
    /// three columns a row's one delimiter could be in any text, and nothing is said.
    fn swallowed_rows(cell: &[u8], delimiter: u8, width: usize) -> bool {
        width >= 3 && cell.split(|&b| b == b'\n').skip(1).any(|line| line.iter().filter(|&&b| b == delimiter).count() + 1 >= width)
    }

    fn text_cell(bytes: &[u8]) -> Cell {
        if bytes.is_empty() {
            return Cell::Empty;
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Cell::Text(s.to_owned()),
            Err(_) => Cell::Text(encoding_rs::WINDOWS_1254.decode_without_bom_handling(bytes).0.into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn excel_numbers_read_at_fifteen_significant_digits() {
        let cases = [
            (11.799999999999999, "11.8"),
            (8690000000017.0, "8690000000017"),
            (0.1 + 0.2, "0.3"),
            (12.5, "12.5"),
            (-0.0, "0"),
            (1e20, "100000000000000000000"),
            (0.00001234, "0.00001234"),
        ];
        for (f, want) in cases {
            assert_eq!(excel_number(f).unwrap().to_string(), want, "{f}");
        }
    }

    proptest! {
        #[test]
        fn the_fast_paths_agree_with_formatting(f in prop_oneof![
            -1e17f64..1e17,
            -1000f64..1000.0,
            -0.001f64..0.001,
            (-1_000_000_000i64..1_000_000_000, 0u32..6).prop_map(|(n, scale)| n as f64 / 10f64.powi(scale as i32)),
        ]) {
            prop_assert_eq!(excel_number(f), excel_number_by_formatting(f));
        }
    }
}
