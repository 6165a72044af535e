//! Barcode labels: EAN-13 check digits against known codes, generated codes under a
//! prefix, and label PDFs that really render (pdftoppm turns a page into an image,
//! which must hold dark bars).

#[path = "support/catalog.rs"]
mod support;
use support::open;

use raf::catalog::{create_product, generate_variants, set_price, OptionAxis, ProductFields};
use raf::labels::{self, ean13, Layout, Symbology};
use std::path::Path;
use std::process::Command;

#[test]
fn check_digits_of_known_codes() {
    // Published examples: Wikipedia's EAN-13 and ISBN-13 ones, GS1's, and UPC-A 012345678905.
    for code in ["4006381333931", "9780306406157", "5901234123457", "0012345678905"] {
        assert_eq!(ean13::check_digit(&code[..12]).unwrap(), code.as_bytes()[12] - b'0', "{code}");
        assert!(ean13::is_valid(code), "{code}");
    }
    assert!(!ean13::is_valid("4006381333932"));
    assert!(!ean13::is_valid("400638133393"));
    assert!(ean13::check_digit("40063813339A").is_err());
}

#[test]
fn generated_codes_are_valid_free_and_under_the_prefix() {
    let (_dir, mut conn) = open();
    create_product(&mut conn, &ProductFields { barcode: Some("2000000000015".into()), ..ProductFields::new("A", "Var") }).unwrap();
    create_product(&mut conn, &ProductFields::new("B", "Yok")).unwrap();
    create_product(&mut conn, &ProductFields::new("TS", "Tişört")).unwrap();
    generate_variants(&mut conn, "TS", &[OptionAxis { group: "Beden".into(), values: vec!["S".into(), "M".into()] }]).unwrap();

    let assigned = labels::assign_ean13(&mut conn, &["A".into(), "B".into(), "TS".into()], "200").unwrap();
    assert_eq!(
        assigned,
        [("B".into(), "2000000000022".into()), ("TS-S".into(), "2000000000039".into()), ("TS-M".into(), "2000000000046".into())],
        "the taken 2000000000015 is skipped; A keeps its code"
    );
    assert!(assigned.iter().all(|(_, code)| ean13::is_valid(code)));
    let all = labels::labels_for(&conn, &["A".into(), "B".into(), "TS".into()], 1).unwrap();
    assert!(all.iter().all(|l| l.symbology == Symbology::Ean13));
    assert!(ean13::free_codes(&conn, "2x", 1).is_err());
}

#[test]
fn a_label_without_an_ean13_uses_code128_and_carries_the_price_group() {
    let (_dir, mut conn) = open();
    create_product(&mut conn, &ProductFields::new("KLM-01", "Kalem")).unwrap();
    set_price(&mut conn, "KLM-01", 3, "12.5".parse().unwrap(), None).unwrap();
    let label = &labels::labels_for(&conn, &["KLM-01".into()], 3).unwrap()[0];
    assert_eq!((label.symbology, label.barcode.as_str(), label.price), (Symbology::Code128, "KLM-01", Some("12.5".parse().unwrap())));
    assert_eq!(labels::labels_for(&conn, &["KLM-01".into()], 2).unwrap()[0].price, None);
    assert!(!label.modules().is_empty());
}

/// The first page of `pdf` as a grayscale PGM at 72 dpi: (width, height, pixels).
fn render_first_page(pdf: &Path) -> (usize, usize, Vec<u8>) {
    let out = pdf.with_extension("");
    let status = Command::new("pdftoppm").args(["-gray", "-r", "72", "-f", "1", "-l", "1", "-singlefile"]).arg(pdf).arg(&out).status();
    let status = status.expect("pdftoppm (Debian's poppler-utils) renders the PDF; scripts/setup.sh installs it");
    assert!(status.success(), "pdftoppm refused {}", pdf.display());
    let bytes = std::fs::read(out.with_extension("pgm")).unwrap();
    // Binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
    let header: Vec<&[u8]> = bytes.splitn(4, |b| b.is_ascii_whitespace()).collect();
    let (w, h) = (std::str::from_utf8(header[1]).unwrap().parse().unwrap(), std::str::from_utf8(header[2]).unwrap().parse().unwrap());
    (w, h, header[3][1..].to_vec())
}

#[test]
fn label_sheets_and_a_thermal_label_render_with_bars() {
    let (dir, mut conn) = open();
    for i in 0..30 {
        let fields = ProductFields {
            barcode: (i % 2 == 0).then(|| "4006381333931".to_string()),
            ..ProductFields::new(format!("SKU-{i}"), format!("Çay bardağı {i}"))
        };
        create_product(&mut conn, &fields).unwrap();
    }
    let skus: Vec<String> = (0..30).map(|i| format!("SKU-{i}")).collect();
    let all = labels::labels_for(&conn, &skus, 1).unwrap();
    for (layout, pages, size) in [(Layout::A4_3X8, 2, (595, 842)), (Layout::A4_3X7, 2, (595, 842)), (Layout::Thermal58x40, 30, (164, 113))] {
        let path = dir.path().join(format!("{layout:?}.pdf").replace([' ', '{', '}', ':', ','], ""));
        assert_eq!(labels::write_pdf(&all, layout, &path).unwrap(), pages);
        let (w, h, pixels) = render_first_page(&path);
        assert!((w as i64 - size.0).abs() <= 1 && (h as i64 - size.1).abs() <= 1, "{layout:?}: {w}x{h}");
        let dark = pixels.iter().filter(|&&p| p < 128).count();
        assert!(dark > pixels.len() / 50, "{layout:?}: only {dark} dark pixels of {}", pixels.len());
        // Bars: a row through the first label crosses many dark/light edges.
        let row = &pixels[(h / if pages == 30 { 2 } else { 16 }) * w..][..w];
        let edges = row.windows(2).filter(|p| (p[0] < 128) != (p[1] < 128)).count();
        assert!(edges >= 20, "{layout:?}: {edges} edges across a label row");
    }
    assert!(labels::write_pdf(&[], Layout::A4_3X8, &dir.path().join("none.pdf")).is_err());
    assert_eq!(Layout::parse("3x7").unwrap(), Layout::A4_3X7);
    assert_eq!(Layout::parse("thermal").unwrap(), Layout::Thermal58x40);
    assert!(Layout::parse("0x9").is_err());
}

#[test]
fn turkish_names_print_with_their_own_letters() {
    let (dir, mut conn) = open();
    let name = "Işık Çağrı Şöğüt";
    create_product(&mut conn, &ProductFields { barcode: Some("4006381333931".into()), ..ProductFields::new("TR-1", name) }).unwrap();
    set_price(&mut conn, "TR-1", 1, "12.5".parse().unwrap(), None).unwrap();
    let all = labels::labels_for(&conn, &["TR-1".into()], 1).unwrap();
    for layout in [Layout::Thermal58x40, Layout::A4_3X8] {
        let path = dir.path().join("tr.pdf");
        labels::write_pdf(&all, layout, &path).unwrap();
        let out = Command::new("pdftotext").args(["-layout"]).arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
        assert!(out.status.success(), "pdftotext refused the PDF");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(name), "{layout:?}: {text:?}");
        assert!(text.contains("12,50 TL") && text.contains("4006381333931"), "{layout:?}: {text:?}");
        // The font is a subset embedded in the file, not one the machine happens to have.
        let fonts = Command::new("pdffonts").arg(&path).output().expect("pdffonts (poppler-utils)");
        let fonts = String::from_utf8(fonts.stdout).unwrap();
        assert!(fonts.contains("RAFLBL+DejaVuSans") && fonts.contains("CID TrueType"), "{fonts}");
        assert!(fonts.lines().last().unwrap().contains(" yes yes "), "embedded and subset: {fonts}");
        let (_, _, pixels) = render_first_page(&path);
        assert!(pixels.iter().any(|&p| p < 128), "{layout:?}: the page renders");
    }
    // The subset keeps the file small: DejaVu Sans itself is 740 KB.
    assert!(std::fs::metadata(dir.path().join("tr.pdf")).unwrap().len() < 60_000);
}
