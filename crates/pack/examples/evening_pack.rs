//! Writes the rendered examples kept in docs/: the evening pack of the tests' block (two
//! villages, round 2, day 4) as PNG in English and Hindi, and as PDF in Hindi.
//! `cargo run -p teeka-pack --example evening_pack` (from the workspace root).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use teeka_pack::{pack_pdf, pack_png, Lang};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = common::report();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    for lang in Lang::ALL {
        let png = pack_png(&report, lang, 900)?;
        let path = docs.join(format!("evening-pack-{}.png", lang.code()));
        std::fs::write(&path, &png)?;
        println!("{} ({} bytes)", path.display(), png.len());
    }
    if let Ok(p) = std::env::var("PACK_SVG_OUT") {
        std::fs::write(p, teeka_pack::pack_svg(&report, Lang::Hi))?;
    }
    let pdf = pack_pdf(&report, Lang::Hi)?;
    let path = docs.join("evening-pack-hi.pdf");
    std::fs::write(&path, &pdf)?;
    println!("{} ({} bytes)", path.display(), pdf.len());
    Ok(())
}
