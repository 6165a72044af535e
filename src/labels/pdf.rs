//! Label sheets as PDF: bars drawn as filled rectangles, text in an embedded subset of
//! DejaVu Sans (`font.rs`), so Turkish names print as they are written.

use super::font::LabelFont;
use super::{Label, Layout};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const MM: f32 = 72.0 / 25.4;
const A4: (f32, f32) = (210.0 * MM, 297.0 * MM);
const FONT: Name = Name(b"F1");

/// A label's place on its page: lower-left corner, width and height, in points.
type Cell = (f32, f32, f32, f32);

/// The page size and the label cells (lower-left corner, width, height) of one page.
fn page_cells(layout: Layout) -> ((f32, f32), Vec<Cell>) {
    match layout {
        Layout::Thermal58x40 => ((58.0 * MM, 40.0 * MM), vec![(0.0, 0.0, 58.0 * MM, 40.0 * MM)]),
        Layout::A4 { columns, rows } => {
            let (w, h) = (A4.0 / columns as f32, A4.1 / rows as f32);
            let cells = (0..rows).flat_map(|r| (0..columns).map(move |c| (c as f32 * w, A4.1 - (r + 1) as f32 * h, w, h))).collect();
            (A4, cells)
        }
    }
}

/// The PDF bytes and its page count.
pub(super) fn render(labels: &[Label], layout: Layout) -> (Vec<u8>, usize) {
    let (page_size, cells) = page_cells(layout);
    let mut pdf = Pdf::new();
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let prices: Vec<Option<String>> = labels.iter().map(price_text).collect();
    let texts = labels.iter().flat_map(|l| [l.name.as_str(), l.barcode.as_str()]).chain(prices.iter().flatten().map(String::as_str));
    let label_font = LabelFont::for_texts(texts);
    let first_page = label_font.write(&mut pdf, font).get();
    let pages: Vec<&[Label]> = labels.chunks(cells.len()).collect();
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    for (page_labels, &page_id) in pages.iter().zip(&page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, page_size.0, page_size.1)).parent(tree).contents(content_id);
        page.resources().fonts().pair(FONT, font);
        page.finish();
        let mut content = Content::new();
        for (label, &cell) in page_labels.iter().zip(&cells) {
            draw_label(&mut content, &label_font, label, cell);
        }
        pdf.stream(content_id, &content.finish());
    }
    (pdf.finish(), pages.len())
}

/// Shelf prices are read in Turkish: 12,50 TL.
fn price_text(label: &Label) -> Option<String> {
    label.price.map(|price| format!("{:.2} TL", price.round_dp(2)).replace('.', ","))
}

/// Name on top, price under it, the bars, and the code in digits under them.
fn draw_label(content: &mut Content, font: &LabelFont, label: &Label, (x, y, w, h): Cell) {
    let margin = 3.0 * MM;
    let text_size = (h / 9.0).min(9.0);
    let text = |content: &mut Content, s: &str, x: f32, y: f32| {
        let glyphs = font.encode(s, text_size, w - 2.0 * margin);
        content.begin_text().set_font(FONT, text_size).next_line(x, y).show(Str(&glyphs)).end_text();
    };
    text(content, &label.name, x + margin, y + h - margin - text_size);
    if let Some(price) = price_text(label) {
        text(content, &price, x + margin, y + h - margin - 2.2 * text_size);
    }
    let bars_top = y + h - margin - 2.8 * text_size;
    let bars_bottom = y + margin + 1.3 * text_size;
    let modules = label.modules();
    // Ten modules of quiet zone on each side, as scanners expect.
    let module = (w - 2.0 * margin) / (modules.len() + 20) as f32;
    content.set_fill_gray(0.0);
    for (i, _) in modules.iter().enumerate().filter(|(_, &m)| m == 1) {
        content.rect(x + margin + (i + 10) as f32 * module, bars_bottom, module, bars_top - bars_bottom);
    }
    content.fill_nonzero();
    text(content, &label.barcode, x + margin + 10.0 * module, y + margin);
}
