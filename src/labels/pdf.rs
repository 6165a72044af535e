//! Label sheets as PDF: bars drawn as filled rectangles, text in the built-in Helvetica
//! (no font file to embed, so the PDF stays small and needs nothing on the machine).

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
    let pages: Vec<&[Label]> = labels.chunks(cells.len()).collect();
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(4 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    for (page_labels, &page_id) in pages.iter().zip(&page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, page_size.0, page_size.1)).parent(tree).contents(content_id);
        page.resources().fonts().pair(FONT, font);
        page.finish();
        let mut content = Content::new();
        for (label, &cell) in page_labels.iter().zip(&cells) {
            draw_label(&mut content, label, cell);
        }
        pdf.stream(content_id, &content.finish());
    }
    (pdf.finish(), pages.len())
}

/// Name on top, price under it, the bars, and the code in digits under them.
fn draw_label(content: &mut Content, label: &Label, (x, y, w, h): Cell) {
    let margin = 3.0 * MM;
    let text_size = (h / 9.0).min(9.0);
    text(content, &label.name, x + margin, y + h - margin - text_size, text_size, w - 2.0 * margin);
    if let Some(price) = label.price {
        // Shelf prices are read in Turkish: 12,50 TL.
        let shown = format!("{:.2} TL", price.round_dp(2)).replace('.', ",");
        text(content, &shown, x + margin, y + h - margin - 2.2 * text_size, text_size, w - 2.0 * margin);
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
    text(content, &label.barcode, x + margin + 10.0 * module, y + margin, text_size, w - 2.0 * margin);
}

fn text(content: &mut Content, s: &str, x: f32, y: f32, size: f32, max_width: f32) {
    // Helvetica averages about half an em per character: cut what would not fit.
    let max_chars = (max_width / (size * 0.55)) as usize;
    let bytes: Vec<u8> = win_ansi(s).into_iter().take(max_chars).collect();
    content.begin_text().set_font(FONT, size).next_line(x, y).show(Str(&bytes)).end_text();
}

/// WinAnsi bytes for the standard fonts: Latin-1 characters as they are (ç ö ü Ç Ö Ü),
/// others transliterated (ğ ş ı İ -> g s i I), since WinAnsi has no Turkish ğ, ş or ı.
fn win_ansi(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) if b >= 0x20 => out.push(b),
            _ => out.extend(deunicode::deunicode_char(c).unwrap_or("?").bytes().filter(u8::is_ascii)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn turkish_letters_outside_win_ansi_are_transliterated() {
        assert_eq!(super::win_ansi("Çiğ şeker ı İ"), b"\xc7ig seker i I");
    }
}
