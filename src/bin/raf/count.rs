//! `raf count …` (stock counting sessions) and `raf labels …` (barcode label PDFs).

use crate::cli::decimal;
use crate::output::Out;
use clap::{Args, Subcommand};
use raf::catalog::ProductFields;
use raf::labels::{self, Layout};
use raf::stock::count::{self, CountLine, CountStatus, NewCount, ScanOutcome, Scope, Unscanned};
use raf::Result;
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum CountCmd {
    /// Start a count: everything, or one category, brand or shelf list
    Start {
        name: String,
        #[arg(long, conflicts_with_all = ["brand", "skus"])]
        category: Option<String>,
        #[arg(long, conflicts_with = "skus")]
        brand: Option<String>,
        /// A shelf list: product or variant SKUs, comma-separated
        #[arg(long, value_delimiter = ',')]
        skus: Option<Vec<String>>,
        /// Hide expected quantities until the count is posted
        #[arg(long)]
        blind: bool,
    },
    /// List the counts
    List,
    /// Scan barcodes (or SKUs) into count ID; with none given, read one per line from
    /// standard input (a USB scanner typing into the terminal). Each scan is saved at once.
    Scan {
        id: i64,
        codes: Vec<String>,
        /// Add this many per scan
        #[arg(long, value_parser = decimal, default_value = "1")]
        qty: Decimal,
    },
    /// Set the counted quantity of SKU (replaces what was scanned)
    Set {
        id: i64,
        sku: String,
        #[arg(value_parser = decimal)]
        qty: Decimal,
    },
    /// Give an unknown BARCODE to item SKU and count its scans
    Link { id: i64, barcode: String, sku: String },
    /// Create product SKU NAME for an unknown BARCODE (the barcode becomes its own) and
    /// count its scans
    Create {
        id: i64,
        barcode: String,
        sku: String,
        name: String,
        #[arg(long, default_value = "adet")]
        unit: String,
        /// Sale price in the first price group
        #[arg(long, value_parser = decimal)]
        price: Option<Decimal>,
    },
    /// Lines, variance, unknown barcodes and items not scanned
    Status { id: i64 },
    /// Approve lines for the post (a line whose count differs is posted only once approved)
    Approve {
        id: i64,
        /// The lines' SKUs
        #[arg(required_unless_present = "all")]
        skus: Vec<String>,
        /// Every line of the count
        #[arg(long, conflicts_with = "skus")]
        all: bool,
    },
    /// Take the approval back from lines (they are not posted)
    Reject {
        id: i64,
        #[arg(required_unless_present = "all")]
        skus: Vec<String>,
        #[arg(long, conflicts_with = "skus")]
        all: bool,
    },
    /// Post the approved differences as count movements
    Post {
        id: i64,
        /// Items of the scope that were not scanned become zero (default: left as they are)
        #[arg(long)]
        zero_unscanned: bool,
    },
    /// Undo a posted count
    Undo { id: i64 },
    /// Write the count sheet (csv) for counting on paper or another device
    Export { id: i64, file: PathBuf },
    /// Read a filled-in count sheet (csv): its `counted` column sets the lines
    Import { id: i64, file: PathBuf },
}

#[derive(Args)]
pub struct LabelsArgs {
    /// The PDF to write
    file: PathBuf,
    /// The items' SKUs, comma-separated (a product with variants: one label per variant)
    #[arg(long, value_delimiter = ',', required_unless_present = "count")]
    items: Vec<String>,
    /// The items of count ID
    #[arg(long, value_name = "ID", conflicts_with = "items")]
    count: Option<i64>,
    /// 3x8 or 3x7 (columns x rows on A4), or thermal (58 x 40 mm, one per page)
    #[arg(long, default_value = "3x8", value_parser = |s: &str| Layout::parse(s).map_err(|e| e.to_string()))]
    layout: Layout,
    /// The price group printed on the label
    #[arg(long, default_value_t = 1)]
    group: i64,
    /// First give items without a barcode a new EAN-13 under this prefix (e.g. 200)
    #[arg(long, value_name = "PREFIX")]
    assign_ean13: Option<String>,
}

pub fn count_cmd(conn: &mut Connection, cmd: CountCmd, out: &Out) -> Result<()> {
    match cmd {
        CountCmd::Start { name, category, brand, skus, blind } => {
            let scope = match (category, brand, skus) {
                (Some(c), _, _) => Scope::Category(c),
                (_, Some(b), _) => Scope::Brand(b),
                (_, _, Some(skus)) => Scope::Skus(skus),
                _ => Scope::All,
            };
            let session = count::start(conn, &NewCount { name, scope, blind })?;
            out.message(&session, &format!("count #{} started", session.id))
        }
        CountCmd::List => {
            let sessions = count::sessions(conn)?;
            let text: Vec<String> = sessions.iter().map(|s| format!("#{}  {:<7} {}  {}", s.id, s.status_text(), s.created_at, s.name)).collect();
            out.message(&sessions, &text.join("\n"))
        }
        CountCmd::Scan { id, codes, qty } => scan(conn, id, codes, qty, out),
        CountCmd::Set { id, sku, qty } => {
            let line = count::set_counted(conn, id, &sku, qty)?;
            out.message(&line, &line_text(&line))
        }
        CountCmd::Link { id, barcode, sku } => {
            let line = count::link_barcode(conn, id, &barcode, &sku)?;
            out.message(&line, &format!("{barcode} -> {}", line_text(&line)))
        }
        CountCmd::Create { id, barcode, sku, name, unit, price } => {
            let fields = ProductFields { unit, ..ProductFields::new(sku, name) };
            let line = count::create_for_barcode(conn, id, &barcode, &fields, price)?;
            out.message(&line, &format!("{barcode} -> new {}", line_text(&line)))
        }
        CountCmd::Status { id } => {
            let status = count::status(conn, id)?;
            out.message(&status, &status_text(&status))
        }
        CountCmd::Approve { id, skus, all } => approve(conn, id, skus, all, true, out),
        CountCmd::Reject { id, skus, all } => approve(conn, id, skus, all, false, out),
        CountCmd::Post { id, zero_unscanned } => {
            let summary = count::post(conn, id, if zero_unscanned { Unscanned::Zero } else { Unscanned::Keep })?;
            let unknown = if summary.unknown > 0 { format!("; {} unknown barcodes not posted", summary.unknown) } else { String::new() };
            let left = if summary.unapproved > 0 { format!("; {} differences not approved", summary.unapproved) } else { String::new() };
            out.message(&summary, &format!("count #{id} posted: {} movements{unknown}{left}", summary.movements))
        }
        CountCmd::Undo { id } => {
            let undone = count::undo(conn, id)?;
            out.message(&serde_json::json!({ "undone": undone }), &format!("count #{id} undone: {undone} movements reversed"))
        }
        CountCmd::Export { id, file } => {
            let rows = count::export_sheet(conn, id, &file)?;
            out.message(&serde_json::json!({ "rows": rows, "file": file }), &format!("{rows} rows written to {}", file.display()))
        }
        CountCmd::Import { id, file } => {
            let rows = count::import_sheet(conn, id, &file)?;
            out.message(&serde_json::json!({ "rows": rows }), &format!("{rows} counted quantities read from {}", file.display()))
        }
    }
}

fn approve(conn: &mut Connection, id: i64, skus: Vec<String>, all: bool, approved: bool, out: &Out) -> Result<()> {
    let changed = count::approve(conn, id, (!all).then_some(skus.as_slice()), approved)?;
    let verb = if approved { "approved" } else { "rejected" };
    out.message(&serde_json::json!({ "changed": changed }), &format!("{changed} lines {verb}"))
}

/// Scans the given codes, or each line of standard input until it ends. An unknown
/// barcode is reported and the scanning goes on.
fn scan(conn: &mut Connection, id: i64, codes: Vec<String>, qty: Decimal, out: &Out) -> Result<()> {
    let mut each = |code: &str| -> Result<()> {
        if code.trim().is_empty() {
            return Ok(());
        }
        let outcome = count::scan(conn, id, code, qty)?;
        let text = match &outcome {
            ScanOutcome::Counted { line } => line_text(line),
            ScanOutcome::Unknown { barcode, scans } => format!("UNKNOWN barcode {barcode} (scanned {scans}x): raf count link {id} {barcode} SKU"),
        };
        out.message(&outcome, &text)
    };
    if !codes.is_empty() {
        return codes.iter().try_for_each(|c| each(c));
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|source| raf::Error::Io { path: "stdin".into(), source })?;
        each(&line)?;
    }
    Ok(())
}

fn line_text(line: &CountLine) -> String {
    let expected = match (line.expected, line.difference) {
        (Some(e), Some(d)) => format!("  expected {}  difference {}", e.normalize(), d.normalize()),
        _ => String::new(),
    };
    let approved = if line.approved { "  approved" } else { "" };
    format!("{}  {}  counted {}{expected}{approved}", line.sku, line.name, line.counted.normalize())
}

fn status_text(s: &CountStatus) -> String {
    let mut text = vec![format!("count #{} {} ({})", s.session.id, s.session.name, s.session.status_text())];
    text.extend(s.lines.iter().map(line_text));
    if let Some(value) = s.difference_value {
        text.push(format!("difference value: {}", value.round_dp(2)));
    }
    text.extend(s.unknown.iter().map(|u| format!("UNKNOWN {} (scanned {}x)", u.barcode, u.scans)));
    if !s.not_scanned.is_empty() {
        text.push(format!("{} items not scanned", s.not_scanned.len()));
    }
    text.join("\n")
}

pub fn labels_cmd(conn: &mut Connection, args: LabelsArgs, out: &Out) -> Result<()> {
    let skus = match args.count {
        Some(id) => labels::labels_for_count(conn, id, args.group)?.into_iter().map(|l| l.sku).collect(),
        None => args.items,
    };
    let assigned = match &args.assign_ean13 {
        Some(prefix) => labels::assign_ean13(conn, &skus, prefix)?,
        None => Vec::new(),
    };
    let all = labels::labels_for(conn, &skus, args.group)?;
    let pages = labels::write_pdf(&all, args.layout, &args.file)?;
    let summary = serde_json::json!({ "labels": all.len(), "pages": pages, "file": args.file, "assigned": assigned });
    out.message(&summary, &format!("{} labels on {pages} pages written to {} ({} new EAN-13 codes)", all.len(), args.file.display(), assigned.len()))
}
