//! The evening pack on a supervisor's device (`evening_pack`): the round report of the device's
//! store drawn by teeka-pack and saved as PDF and PNG beside the store; the PDF holds its text
//! (pdftotext), the PNG is a page; an ASHA may not make it; bad requests are refused with
//! nothing saved.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Session;

use chrono::NaiveDate;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use teeka_app::{App, Clock};

struct T {
    s: Session,
    dir: tempfile::TempDir,
}

impl std::ops::Deref for T {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.s
    }
}

impl std::ops::DerefMut for T {
    fn deref_mut(&mut self) -> &mut Session {
        &mut self.s
    }
}

impl T {
    /// A store in a temporary directory with one supervisor (PIN 1234), signed in.
    fn new() -> T {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(&dir.path().join("teeka.db")).unwrap();
        T { s: Session::new(app, NaiveDate::from_ymd_opt(2019, 12, 2).unwrap(), "supervisor"), dir }
    }

    fn pack_dir(&self) -> PathBuf {
        self.dir.path().join(teeka_app::PACK_DIR_NAME)
    }

    /// Rampur with one child, its site, round 1 from today and a session with MR1 given.
    fn round_day(&mut self) -> Value {
        let v = self.ok("add_village", json!({"name": "Rampur"}))["id"].clone();
        let h = self.ok("save_household", json!({"village_id": v, "house_no": "1", "head_of_household": "Ramesh"}));
        let c =
            self.ok("add_child", json!({"household_id": h["id"], "name": "Aarav", "sex": "M", "dob": "2018-11-01"}));
        self.ok(
            "save_site",
            json!({"site_id": "S-01", "new": true, "name": "Rampur AWC", "villages": [v], "type": "outreach", "hra": "none"}),
        );
        self.ok("add_round", json!({"number": 1, "start": "2019-12-02"}));
        let s = self.ok("open_site_session", json!({"site_id": "S-01", "date": "2019-12-02"}));
        self.ok("open_vial", json!({"session_id": s["id"], "antigen": "MR"}));
        self.ok("record_given", json!({"session_id": s["id"], "register_id": c["register_id"], "codes": ["MR1"]}));
        v
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => vec![],
    };
    names.sort();
    names
}

fn pdftotext(pdf: &Path) -> String {
    let out = match std::process::Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output() {
        Ok(out) => out,
        Err(e) => panic!("pdftotext (apt-get install poppler-utils, as scripts/setup.sh does): {e}"),
    };
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A PNG's width and height, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn the_pack_of_the_devices_area_is_saved_as_pdf_and_png() {
    let mut t = T::new();
    t.round_day();
    let p = t.ok("evening_pack", json!({"round": 1, "lang": "en"}));
    let dir = t.pack_dir();
    // Not enrolled, the device's area is every area it holds (`*`).
    let stem = "evening-pack-all-areas-round1-2019-12-02-en";
    assert_eq!(p["file_stem"], stem);
    assert_eq!((p["round"].as_u64(), p["on"].as_str(), p["lang"].as_str()), (Some(1), Some("2019-12-02"), Some("en")));
    assert_eq!(p["area"].as_str(), Some("*"));
    assert_eq!(p["dir"].as_str(), Some(dir.display().to_string().as_str()));
    assert_eq!(p["pdf_path"].as_str(), Some(dir.join(format!("{stem}.pdf")).display().to_string().as_str()));
    assert_eq!(p["png_path"].as_str(), Some(dir.join(format!("{stem}.png")).display().to_string().as_str()));
    assert_eq!(files_in(&dir), [format!("{stem}.pdf"), format!("{stem}.png")], "no part-written file is left");

    let pdf = std::fs::read(dir.join(format!("{stem}.pdf"))).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&dir.join(format!("{stem}.pdf")));
    for s in ["Evening pack for the task force", "Round 1", "Rampur", "Red list"] {
        assert!(text.contains(s), "{s} not in:\n{text}");
    }

    let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap();
    assert_eq!(png_size(&png), (1240, 1755));
    assert_eq!((p["png_width"].as_u64(), p["png_height"].as_u64()), (Some(1240), Some(1755)));
    // The preview is the saved PNG itself.
    use base64::Engine as _;
    let url = p["png_data_url"].as_str().unwrap();
    let b64 = url.strip_prefix("data:image/png;base64,").expect("a PNG data URL");
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), png);
}

#[test]
fn in_hindi_of_an_area_by_its_path_on_a_day() {
    let mut t = T::new();
    t.round_day();
    let p = t.ok("evening_pack", json!({"round": 1, "area": "Rampur", "on": "2019-12-02", "lang": "hi"}));
    assert_eq!(p["file_stem"], "evening-pack-rampur-round1-2019-12-02-hi");
    let text = pdftotext(Path::new(p["pdf_path"].as_str().unwrap()));
    // pdftotext puts a space after some Devanagari clusters (crates/pack/tests/pack.rs).
    let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for s in ["शामकीरिपोर्ट", "चरण1", "लालसूची", "Rampur"] {
        assert!(joined.contains(s), "{s} not in:\n{text}");
    }
    // Made again, the same name: the files are replaced, not added to.
    t.ok("evening_pack", json!({"round": 1, "area": "Rampur", "on": "2019-12-02", "lang": "hi"}));
    assert_eq!(files_in(&t.pack_dir()).len(), 2);
}

#[test]
fn an_asha_may_not_make_the_pack_and_bad_requests_save_nothing() {
    let mut t = T::new();
    let v = t.round_day();
    // An ASHA, added by the supervisor, signed in.
    let asha = t.ok("add_worker", json!({"name": "Sunita", "role": "asha", "pin": "5678", "signed_in_pin": "1234"}));
    assert_eq!(asha["role"], "asha");
    let e = t.err("evening_pack", json!({"round": 1, "lang": "en"}));
    assert_eq!(e.code, "NOT_ALLOWED", "{e}");
    assert!(e.message.contains("ASHA"), "{e}");
    assert!(t.call("round_report", json!({"round": 1})).is_ok(), "the ASHA still sees the report");

    // An ANM may.
    t.ok("add_worker", json!({"name": "Kamla", "role": "anm", "pin": "2468", "signed_in_pin": "5678"}));
    let e = t.err("evening_pack", json!({"round": 1, "lang": "fr"}));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("INVALID_INPUT", Some("lang")));
    assert_eq!(t.err("evening_pack", json!({"round": 9, "lang": "en"})).code, "UNKNOWN_ROUND");
    assert_eq!(t.err("evening_pack", json!({"round": 1, "area": "Nowhere", "lang": "en"})).code, "NOT_FOUND");
    let e = t.err("evening_pack", json!({"round": 1, "on": "someday", "lang": "en"}));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("INVALID_INPUT", Some("on")));
    assert_eq!(t.err("evening_pack", json!({"round": 1})).code, "INVALID_INPUT", "lang is required");
    assert!(files_in(&t.pack_dir()).is_empty(), "nothing saved: {:?}", files_in(&t.pack_dir()));
    let p = t.ok("evening_pack", json!({"round": 1, "village_id": v, "lang": "en"}));
    assert_eq!(p["area"], "Rampur");

    t.ok("lock", json!({}));
    assert_eq!(t.err("evening_pack", json!({"round": 1, "lang": "en"})).code, "LOCKED");
}

#[test]
fn a_directory_that_cannot_be_made_is_pack_failed() {
    let mut t = T::new();
    t.round_day();
    // A file where the directory should be.
    let blocker = t.dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    t.app.set_pack_dir(blocker.join("packs"));
    let e = t.err("evening_pack", json!({"round": 1, "lang": "en"}));
    assert_eq!(e.code, "PACK_FAILED", "{e}");
    // An app over an in-memory store has no directory until the shell gives it one.
    let mut mem = App::open_in_memory().unwrap();
    let clock = Clock { now: t.now, today: NaiveDate::from_ymd_opt(2019, 12, 2).unwrap() };
    mem.call("add_worker", json!({"name": "Meena", "role": "supervisor", "pin": "1234"}), clock).unwrap();
    let e = mem.call("evening_pack", json!({"round": 1, "lang": "en"}), clock).unwrap_err();
    assert_eq!(e.code, "PACK_FAILED", "{e}");
}

/// The shell's `open_pack` opens only what `App::pack_file` gives: a pack's file, by its plain
/// name, in the directory for packs.
#[test]
fn only_a_saved_packs_file_can_be_opened() {
    let mut t = T::new();
    t.round_day();
    let p = t.ok("evening_pack", json!({"round": 1, "lang": "en"}));
    let stem = p["file_stem"].as_str().unwrap().to_string();
    let clock = Clock { now: t.now, today: NaiveDate::from_ymd_opt(2019, 12, 2).unwrap() };
    for ext in ["pdf", "png"] {
        let path = t.app.pack_file(&format!("{stem}.{ext}"), clock).unwrap();
        assert_eq!(path.display().to_string(), p[format!("{ext}_path")].as_str().unwrap());
    }
    for bad in
        ["", "..", "teeka.db", "../teeka.db", "evening-pack-x/../../teeka.db", "evening-pack-x.db", "/etc/passwd"]
    {
        let e = t.app.pack_file(bad, clock).unwrap_err();
        assert_eq!((e.code.as_str(), e.field.as_deref()), ("INVALID_INPUT", Some("file")), "{bad}: {e}");
    }
    assert_eq!(t.app.pack_file("evening-pack-nowhere-round1-2019-12-02-en.pdf", clock).unwrap_err().code, "NOT_FOUND");
    let req: teeka_app::OpenPackReq = teeka_app::request("open_pack", json!({"file": "x", "how": "open"})).unwrap();
    assert_eq!(req.how().unwrap(), teeka_app::OpenHow::Open);
    let req: teeka_app::OpenPackReq = teeka_app::request("open_pack", json!({"file": "x", "how": "print"})).unwrap();
    assert_eq!(req.how().unwrap_err().field.as_deref(), Some("how"));
    t.ok("add_worker", json!({"name": "Sunita", "role": "asha", "pin": "5678", "signed_in_pin": "1234"}));
    assert_eq!(t.app.pack_file(&format!("{stem}.pdf"), clock).unwrap_err().code, "NOT_ALLOWED");
}
