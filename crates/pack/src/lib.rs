//! The task force's evening pack: one A4 page of a round report ([`Report`] from
//! `teeka_domain::monitor::round_report`), in English or Hindi, as SVG ([`pack_svg`]), PNG
//! ([`pack_png`]) and PDF ([`pack_pdf`]).
//!
//! The page is drawn once, as SVG; usvg lays its text out (rustybuzz shapes the Devanagari, so
//! conjuncts and vowel signs are joined), resvg paints it to PNG and krilla (krilla-svg) writes it as PDF
//! with real text that extracts as the words it shows. The font (Noto Sans Devanagari, Regular and Bold, which carries Latin
//! too) is compiled in: rendering never reads the system's fonts, so a phone renders the same
//! page as the server. No figure is computed here: every number is the report's.

mod page;
mod words;

use std::sync::{Arc, OnceLock};
pub use words::Lang;

use resvg::tiny_skia;
use resvg::usvg;
use teeka_domain::monitor::Report;

/// The page: A4 in PDF points (1/72 inch).
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;

/// The one font family the page uses (both weights are compiled in).
pub const FONT_FAMILY: &str = "Noto Sans Devanagari";
pub(crate) static FONT_REGULAR: &[u8] = include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf");
pub(crate) static FONT_BOLD: &[u8] = include_bytes!("../fonts/NotoSansDevanagari-Bold.ttf");

/// The widths a PNG may have, in pixels (595 is 72 dpi; 1240 is about 150 dpi).
pub const PNG_WIDTHS: std::ops::RangeInclusive<u32> = 100..=5000;

/// Why a page could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    #[error("the PNG width {0} is not between 100 and 5000 pixels")]
    BadWidth(u32),
    #[error("the evening pack could not be drawn: {0}")]
    Render(String),
}

impl PackError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            PackError::BadWidth(_) => "BAD_PACK_WIDTH",
            PackError::Render(_) => "PACK_FAILED",
        }
    }
}

/// The page as SVG (595 × 842 user units, an A4 page in points). Its text names
/// [`FONT_FAMILY`]; a viewer without that font shows it in another.
pub fn pack_svg(report: &Report, lang: Lang) -> String {
    page::draw(report, lang)
}

/// The page as a PNG `width` pixels wide (its height in proportion, A4).
pub fn pack_png(report: &Report, lang: Lang, width: u32) -> Result<Vec<u8>, PackError> {
    if !PNG_WIDTHS.contains(&width) {
        return Err(PackError::BadWidth(width));
    }
    let tree = tree(report, lang)?;
    let scale = width as f32 / PAGE_WIDTH;
    let height = (PAGE_HEIGHT * scale).round() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| PackError::Render(format!("no {width} × {height} picture")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| PackError::Render(e.to_string()))
}

/// The page as a one-page PDF, A4, its text embedded (a subset of the font) and extractable.
pub fn pack_pdf(report: &Report, lang: Lang) -> Result<Vec<u8>, PackError> {
    use krilla::geom::Size;
    use krilla_svg::{SurfaceExt, SvgSettings};
    let tree = tree(report, lang)?;
    let size = Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| PackError::Render("no page size".into()))?;
    let mut doc = krilla::Document::new();
    let mut page = doc.start_page_with(krilla::page::PageSettings::new(size));
    let mut surface = page.surface();
    let drawn = surface.draw_svg(&tree, size, SvgSettings::default());
    surface.finish();
    page.finish();
    drawn.ok_or_else(|| PackError::Render("the page could not be drawn into the PDF".into()))?;
    doc.finish().map_err(|e| PackError::Render(format!("{e:?}")))
}

fn tree(report: &Report, lang: Lang) -> Result<usvg::Tree, PackError> {
    let svg = pack_svg(report, lang);
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        languages: vec![lang.code().to_string()],
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(&svg, &options).map_err(|e| PackError::Render(e.to_string()))
}

/// The compiled-in fonts, loaded once; every generic family points at them.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for bytes in [FONT_REGULAR, FONT_BOLD] {
            db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(bytes)));
        }
        db.set_sans_serif_family(FONT_FAMILY);
        db.set_serif_family(FONT_FAMILY);
        db.set_monospace_family(FONT_FAMILY);
        db.set_cursive_family(FONT_FAMILY);
        db.set_fantasy_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fonts_are_the_two_weights_of_one_family() {
        let db = fonts();
        let faces: Vec<_> = db.faces().collect();
        assert_eq!(faces.len(), 2);
        for f in &faces {
            assert!(f.families.iter().any(|(name, _)| name == FONT_FAMILY), "{:?}", f.families);
        }
        let mut weights: Vec<u16> = faces.iter().map(|f| f.weight.0).collect();
        weights.sort();
        assert_eq!(weights, [400, 700]);
        let q = usvg::fontdb::Query { families: &[usvg::fontdb::Family::SansSerif], ..Default::default() };
        assert!(db.query(&q).is_some());
    }
}
