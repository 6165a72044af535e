//! The label font: DejaVu Sans (Bitstream Vera license, see fonts/DejaVuSans-LICENSE),
//! embedded in each PDF as a subset of the glyphs its labels use, as a Type0 font with
//! Identity-H encoding (two bytes per glyph) and a ToUnicode map, so Turkish letters
//! (ğ ş ı İ Ç Ö Ü) print as they are and can be searched and copied from the PDF.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;

const DEJAVU_SANS: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
/// A subset's name starts with six capitals (PDF 32000, 9.6.4).
const BASE_FONT: Name = Name(b"RAFLBL+DejaVuSans");
const IDENTITY: SystemInfo = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

/// The glyphs of the characters the labels show, with their new ids in the subset.
pub(super) struct LabelFont {
    face: ttf_parser::Face<'static>,
    /// char -> (glyph id in the subset, advance width in 1/1000 em)
    glyphs: BTreeMap<char, (u16, f32)>,
    remapper: GlyphRemapper,
}

impl LabelFont {
    /// A font that can show every character of `texts` (one the font lacks shows as its
    /// empty box, glyph 0).
    pub(super) fn for_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> LabelFont {
        let face = ttf_parser::Face::parse(DEJAVU_SANS, 0).expect("the embedded DejaVu Sans parses");
        let mut font = LabelFont { face, glyphs: BTreeMap::new(), remapper: GlyphRemapper::new() };
        for c in texts.into_iter().flat_map(str::chars) {
            font.add(c);
        }
        font
    }

    fn add(&mut self, c: char) {
        if self.glyphs.contains_key(&c) {
            return;
        }
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        let advance = self.face.glyph_hor_advance(glyph).unwrap_or(0);
        let width = f32::from(advance) * 1000.0 / f32::from(self.face.units_per_em());
        self.glyphs.insert(c, (self.remapper.remap(glyph.0), width));
    }

    /// `s` as the content stream's two-byte glyph codes, cut to what fits in `max_width`
    /// points at `size`.
    pub(super) fn encode(&self, s: &str, size: f32, max_width: f32) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 * s.len());
        let mut width = 0.0;
        for c in s.chars() {
            let Some(&(glyph, advance)) = self.glyphs.get(&c) else { continue };
            width += advance * size / 1000.0;
            if width > max_width {
                break;
            }
            out.extend(glyph.to_be_bytes());
        }
        out
    }

    /// Writes the Type0 font at `id` and its parts at the refs after `id`; returns the
    /// next free ref.
    pub(super) fn write(&self, pdf: &mut Pdf, id: Ref) -> Ref {
        let mut next = id;
        let (type0, cid, descriptor, file, cmap) = (next.bump(), next.bump(), next.bump(), next.bump(), next.bump());
        pdf.type0_font(type0).base_font(BASE_FONT).encoding_predefined(Name(b"Identity-H")).descendant_font(cid).to_unicode(cmap);

        let mut cid_font = pdf.cid_font(cid);
        cid_font.subtype(CidFontType::Type2).base_font(BASE_FONT).system_info(IDENTITY).font_descriptor(descriptor);
        cid_font.cid_to_gid_map_predefined(Name(b"Identity"));
        let mut by_glyph: Vec<(u16, f32)> = self.glyphs.values().copied().collect();
        by_glyph.sort_by_key(|g| g.0);
        by_glyph.dedup_by_key(|g| g.0);
        let mut widths = cid_font.widths();
        for (glyph, width) in by_glyph {
            widths.consecutive(glyph, [width]);
        }
        widths.finish();
        cid_font.finish();

        let scale = 1000.0 / f32::from(self.face.units_per_em());
        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(BASE_FONT)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(self.face.ascender()) * scale)
            .descent(f32::from(self.face.descender()) * scale)
            .cap_height(f32::from(self.face.capital_height().unwrap_or(self.face.ascender())) * scale)
            .stem_v(80.0)
            .font_file2(file);

        let subset = subsetter::subset(DEJAVU_SANS, 0, &self.remapper).expect("DejaVu Sans subsets");
        pdf.stream(file, &subset);

        let mut unicode = UnicodeCmap::new(Name(b"Raf-UTF16"), IDENTITY);
        for (&c, &(glyph, _)) in self.glyphs.iter().filter(|(_, g)| g.0 != 0) {
            unicode.pair(glyph, c);
        }
        pdf.cmap(cmap, &unicode.finish());
        next
    }
}
