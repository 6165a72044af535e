//! `raf import …` and `raf export …`: spreadsheets in and out, with a progress bar.

use crate::output::Out;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use raf::import::{self, ExportFormat, ExportOptions, Field, ImportError, ImportOptions, Key, Mode, Plan, StockMode};
use raf::progress::{Step, Task};
use raf::Result;
use rusqlite::Connection;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// Row errors printed as text; `--report FILE` has them all.
const ERRORS_SHOWN: usize = 50;

#[derive(Args)]
pub struct ImportArgs {
    /// The spreadsheet: xlsx, xlsm, xls, ods, csv, tsv or txt
    #[arg(required_unless_present = "undo")]
    file: Option<PathBuf>,
    /// The sheet to read [default: the first]
    #[arg(long)]
    sheet: Option<String>,
    /// The header row's number [default: found]
    #[arg(long, value_name = "N")]
    header_row: Option<u32>,
    /// Map a column (its header or letter) to a field: sku, barcode, name, description,
    /// price, price2..price10, list_price, list_price2..list_price10, vat, stock, unit,
    /// category, brand, min_stock, parent, options, option:GROUP, subtitle, barcode2, desi,
    /// currency, active, kind, purchase_price, purchase_currency, images, tags; or ignore
    #[arg(long = "map", value_name = "COLUMN=FIELD", value_parser = column_field)]
    map: Vec<(String, Option<Field>)>,
    #[arg(long, value_enum, default_value = "upsert")]
    mode: ModeArg,
    /// The column that finds existing products (with barcode, rows without one go by SKU)
    #[arg(long, value_enum, default_value = "sku")]
    key: KeyArg,
    /// The stock column sets the quantity on hand, or adds to it
    #[arg(long, value_enum, default_value = "set")]
    stock: StockArg,
    /// Check the file and show what would change; write nothing
    #[arg(long)]
    dry_run: bool,
    /// Write every row error to FILE (xlsx, or csv by its extension)
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Undo import BATCH [default: the latest]
    #[arg(long, value_name = "BATCH", num_args = 0..=1, conflicts_with = "file")]
    undo: Option<Option<i64>>,
    /// With --undo: undo even when products the import changed were edited since (those edits are lost)
    #[arg(long, requires = "undo")]
    force: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Insert,
    Update,
    Upsert,
}

#[derive(Clone, Copy, ValueEnum)]
enum KeyArg {
    Sku,
    Barcode,
}

#[derive(Clone, Copy, ValueEnum)]
enum StockArg {
    Set,
    Add,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Where to write: FILE.xlsx, or FILE.csv (.txt, .tsv)
    file: PathBuf,
    /// [default: by the file's extension, else xlsx]
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// CSV field separator: , or ; (Turkish Excel; decimals then use ,)
    #[arg(long, default_value = ",", value_parser = delimiter)]
    delimiter: u8,
    /// CSV: start with a UTF-8 BOM (Excel then reads Turkish letters right); always with
    /// --delimiter ';', which is for Excel
    #[arg(long)]
    bom: bool,
    /// Write only the columns: a blank file to fill and import
    #[arg(long)]
    template: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Xlsx,
    Csv,
}

fn column_field(s: &str) -> std::result::Result<(String, Option<Field>), String> {
    let (column, field) = s.split_once('=').ok_or_else(|| format!("{s:?} is not COLUMN=FIELD"))?;
    let field = match field.trim() {
        "ignore" | "-" | "" => None,
        f => Some(f.parse::<Field>()?),
    };
    Ok((column.trim().to_owned(), field))
}

fn delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "," | ";" | "|" => Ok(s.as_bytes()[0]),
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ => Err(format!("{s:?}: use , ; | or tab")),
    }
}

pub fn import(conn: &mut Connection, args: ImportArgs, out: &Out) -> Result<()> {
    if let Some(batch) = args.undo {
        let s = import::undo(conn, batch, args.force)?;
        let text = format!(
            "import #{} undone: {} products and {} variants restored, {} prices restored, {} stock movements reversed, {} created items moved to the trash",
            s.batch, s.products_restored, s.variants_restored, s.prices_restored, s.movements_reversed, s.created_removed
        );
        return out.message(&s, &text);
    }
    let file = args.file.expect("clap requires FILE without --undo");
    let options = ImportOptions {
        sheet: args.sheet,
        header_row: args.header_row,
        mapping: args.map,
        mode: match args.mode {
            ModeArg::Insert => Mode::Insert,
            ModeArg::Update => Mode::Update,
            ModeArg::Upsert => Mode::Upsert,
        },
        key: match args.key {
            KeyArg::Sku => Key::Sku,
            KeyArg::Barcode => Key::Barcode,
        },
        stock: match args.stock {
            StockArg::Set => StockMode::Set,
            StockArg::Add => StockMode::Add,
        },
    };
    if let Some(report) = &args.report {
        // Checked before anything is written: a report that cannot be written must not
        // hide an import that was applied.
        import::refuse_imported(report, &file)?;
        import::refuse_catalog(conn, report)?;
        writable(report)?;
    }
    let bar = progress_bar(out, if args.dry_run { "checking rows" } else { "importing rows" });
    let report = |step: Step| {
        if step.phase == "import_indexes" {
            bar.set_message("building indexes");
        }
        bar.set_length(step.total);
        bar.set_position(step.done);
    };
    let never = AtomicBool::new(false);
    let task = Task::new(&never, &report);
    let (batch, plan) = if args.dry_run {
        (None, import::plan(conn, &file, &options, &task)?)
    } else {
        let applied = import::apply(conn, &file, &options, &task)?;
        (applied.batch, applied.plan)
    };
    bar.finish_and_clear();
    let value = serde_json::json!({ "batch": batch, "dry_run": args.dry_run, "plan": &plan });
    out.message(&value, &summary(&plan, batch, args.dry_run, args.report.is_some()))?;
    if let Some(report) = &args.report {
        import::write_report(&plan, report)?;
    }
    if plan.error_rows > 0 {
        return Err(ImportError::HasErrors { rows: plan.rows as usize, error_rows: plan.error_rows as usize }.into());
    }
    Ok(())
}

pub fn export(conn: &Connection, args: ExportArgs, out: &Out) -> Result<()> {
    let extension = args.file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let text_file = matches!(extension.as_deref(), Some("csv" | "txt" | "tsv"));
    let format = match args.format {
        Some(FormatArg::Csv) => ExportFormat::Csv,
        Some(FormatArg::Xlsx) => ExportFormat::Xlsx,
        None if text_file => ExportFormat::Csv,
        None => ExportFormat::Xlsx,
    };
    // A `;` file is for Turkish Excel, which reads UTF-8 without a BOM as Windows-1254.
    let options = ExportOptions { format, delimiter: args.delimiter, bom: args.bom || args.delimiter == b';' };
    if args.template {
        import::refuse_catalog(conn, &args.file)?;
        import::template(&args.file, &options)?;
        let value = serde_json::json!({ "file": args.file, "rows": 0 });
        return out.message(&value, &format!("template written to {}", args.file.display()));
    }
    let bar = progress_bar(out, "exporting rows");
    let report = |step: Step| {
        bar.set_length(step.total);
        bar.set_position(step.done);
    };
    let never = AtomicBool::new(false);
    let summary = import::export(conn, &args.file, &options, &Task::new(&never, &report))?;
    bar.finish_and_clear();
    out.message(&summary, &format!("{} rows written to {}", summary.rows, summary.file))
}

/// Fails when `path` cannot be created because its folder is missing.
fn writable(path: &Path) -> Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if folder.is_dir() {
        return Ok(());
    }
    let reason = format!("there is no folder {}", folder.display());
    Err(ImportError::Export { file: path.display().to_string(), reason }.into())
}

/// A bar on stderr when a person watches; hidden for scripts (`--json`, no terminal).
fn progress_bar(out: &Out, what: &'static str) -> ProgressBar {
    if out.json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {pos}/{len} ({percent}%, {per_sec}) {elapsed}").expect("a valid template"));
    bar.set_message(what);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Which column filled which field, and the columns nothing was read from: a header Raf
/// did not recognise must not go unnoticed.
fn columns(plan: &Plan) -> Vec<String> {
    let header = |i: usize| plan.headers.get(i).filter(|h| !h.trim().is_empty()).cloned().unwrap_or_else(|| import::column_letter(i));
    let mut mapped = Vec::new();
    let mut ignored = Vec::new();
    for i in 0..plan.headers.len().max(plan.mapping.len()) {
        match plan.mapping.get(i).cloned().flatten() {
            Some(field) => mapped.push(format!("{} → {field}", header(i))),
            None if plan.headers.get(i).is_some_and(|h| !h.trim().is_empty()) => ignored.push(header(i)),
            None => {}
        }
    }
    let mut lines = vec![format!("  columns: {}", mapped.join(", "))];
    if !ignored.is_empty() {
        lines.push(format!("  not imported (no field; --map COLUMN=FIELD to use one): {}", ignored.join(", ")));
    }
    if plan.saved_mapping {
        lines.push("  the mapping saved by an earlier import of these headers was used (--map changes it)".to_owned());
    }
    lines
}

fn summary(plan: &Plan, batch: Option<i64>, dry_run: bool, reported: bool) -> String {
    let mut lines = vec![format!(
        "{} ({}): {} rows: {} to create, {} to update, {} unchanged, {} with errors; {} stock movements",
        plan.file, plan.sheet, plan.rows, plan.creates, plan.updates, plan.unchanged, plan.error_rows, plan.movements
    )];
    lines.extend(columns(plan));
    for e in plan.errors.iter().take(ERRORS_SHOWN) {
        let column = if e.column.is_empty() { String::new() } else { format!(", {}", e.column) };
        let value = if e.value.is_empty() { String::new() } else { format!(" {:?}", e.value) };
        lines.push(format!("  row {}{column}{value}: {} ({})", e.row, e.message, e.code));
    }
    if plan.errors.len() > ERRORS_SHOWN {
        let hint = if reported { "" } else { "; --report FILE lists them all" };
        lines.push(format!("  … {} more errors{hint}", plan.errors.len() - ERRORS_SHOWN));
    }
    lines.push(match (batch, dry_run) {
        (_, true) => "dry run: nothing was written".to_owned(),
        (Some(batch), false) => format!("imported as batch #{batch} (undo: raf import --undo {batch})"),
        (None, false) => "nothing was imported: fix the rows above and run again".to_owned(),
    });
    lines.join("\n")
}
