//! The evening pack of a block of two villages with known figures: the SVG holds them, the PDF
//! holds its text in both languages (pdftotext), the PNG is a page, not a blank.

mod common;

use teeka_pack::{pack_pdf, pack_png, pack_svg, Lang, PackError};

#[test]
fn the_report_has_the_known_figures() {
    let r = common::report();
    let t = &r.total;
    assert_eq!((t.vaccinated, t.due), (12, 24));
    assert_eq!((t.sessions_held, t.sessions_planned, t.sessions_not_held), (5, 8, 1));
    assert_eq!((t.aefi.minor, t.aefi.serious), (1, 1));
    assert_eq!(r.units.len(), 2);
    assert_eq!(r.red_list.len(), 5, "{:#?}", r.red_list);
}

#[test]
fn the_svg_holds_the_figures() {
    let r = common::report();
    let svg = pack_svg(&r, Lang::En);
    let text: String = svg.split('>').filter_map(|p| p.split('<').next()).collect::<Vec<_>>().join("");
    for s in [
        "Evening pack for the task force",
        "05-03-2026",
        "Round 2",
        "Day 4 of 5",
        "Bahraich Block",
        "50.0%",
        "12 of 24 doses given",
        "5 / 8",
        "Rampur",
        "Sitapur",
        "100.0% (12/12)",
        "0.0% (0/12)",
        "Red list",
        "Serious AEFI: R-002 (Rampur), 02-03-2026",
        "Refusing household H-03 (Sitapur): case open 6 days, since 27-02-2026",
        "1 / 2",
        "14 people attended",
    ] {
        assert!(text.contains(s), "{s} not in the page's text:\n{text}");
    }
    assert!(svg.contains(r#"font-family="Noto Sans Devanagari""#));
}

#[test]
fn the_pdf_holds_its_text_in_english() {
    let pdf = pack_pdf(&common::report(), Lang::En).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = common::pdftotext(&pdf, "en");
    for s in
        ["Evening pack for the task force", "Round 2", "Due list covered", "50.0%", "Rampur", "Sitapur", "Red list"]
    {
        assert!(text.contains(s), "{s} not in:\n{text}");
    }
}

/// pdftotext reads the Hindi letters and conjuncts as written, but puts a space where the page
/// places a new piece of text (after each cluster of several glyphs, see page.rs): compare the
/// text with its spaces taken out.
#[test]
fn the_pdf_holds_its_text_in_hindi() {
    let pdf = pack_pdf(&common::report(), Lang::Hi).unwrap();
    let text = common::pdftotext(&pdf, "hi");
    let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for s in [
        "चरण2",
        "दिन4",
        "टास्कफ़ोर्सकेलिएशामकीरिपोर्ट",
        "ड्यूलिस्टकीकवरेज",
        "सत्रहुए",
        "लालसूची",
        "अतिगंभीर",
        "बच्चे",
        "Rampur",
        "50.0%",
    ] {
        assert!(joined.contains(s), "{s} not in:\n{text}");
    }
    // Whole words with a conjunct come out as they are written.
    for s in ["चरण", "सत्र", "लिस्ट", "ड्यू"] {
        assert!(text.contains(s), "{s} not in:\n{text}");
    }
}

#[test]
fn the_png_is_an_a4_page_with_colours() {
    for lang in Lang::ALL {
        let png = pack_png(&common::report(), lang, 600).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h) =
            (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
        assert_eq!((w, h), (600, 849));
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        let mut colours = std::collections::HashSet::new();
        for p in pixmap.pixels() {
            colours.insert((p.red() / 32, p.green() / 32, p.blue() / 32));
        }
        assert!(colours.len() >= 6, "{lang:?}: only {} colours", colours.len());
        let red = pixmap.pixels().iter().filter(|p| p.red() > 150 && p.green() < 80 && p.blue() < 80).count();
        assert!(red > 500, "{lang:?}: the bars and the red list are red ({red} pixels)");
    }
    assert_eq!(pack_png(&common::report(), Lang::En, 10), Err(PackError::BadWidth(10)));
}
