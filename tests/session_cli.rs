//! End-to-end tests of a session at a microplan site from the `teeka` CLI: open at a site, open
//! vials, give doses with `--session`, discard, close, show the ledger and its wastage; the
//! carry kit with an open vial carried forward and one past its 28 days; every bad input refused
//! with a located, plain error and nothing stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::Cli;

use serde_json::Value;
use std::path::PathBuf;
use teeka_domain::{EventBody, SiteField, SiteType};

const TODAY: &str = "2026-11-22";
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/register.csv");

/// The shared harness (`common::cli`) with this file's fixtures.
struct Device(Cli);

impl std::ops::Deref for Device {
    type Target = Cli;
    fn deref(&self) -> &Cli {
        &self.0
    }
}

impl Device {
    /// The demo register, with site S-01 serving Rampur and S-02 serving Salempur (registered
    /// through the store: the sites' import is another command's).
    fn new() -> Device {
        let d = Device(Cli::new(TODAY, "test-anm"));
        d.ok(&["import", "register", DEMO]);
        let mut store = teeka_store::Store::open(&d.db).unwrap();
        let villages = store.village_records().unwrap();
        let id = |name: &str| villages.iter().find(|v| v.name == name).unwrap().id;
        let site = |site_id: &str, name: &str, village| EventBody::SiteRegistered {
            site: uuid::Uuid::now_v7(),
            site_id: site_id.into(),
            fields: vec![
                SiteField::Name(name.into()),
                SiteField::Villages(vec![village]),
                SiteField::SiteType(SiteType::Fixed),
            ],
        };
        let ctx = teeka_store::Ctx {
            now: chrono::Utc::now(),
            today: teeka_domain::parse_date(TODAY).unwrap(),
            author: "t".into(),
            worker: None,
        };
        store
            .append(
                &ctx,
                vec![site("S-01", "Rampur AWC", id("Rampur")), site("S-02", "Salempur school", id("Salempur"))],
            )
            .unwrap();
        d
    }

    /// The id a command printed last.
    fn id(&self, args: &[&str]) -> String {
        self.ok(args).lines().last().unwrap().to_string()
    }

    /// Runs a command that must fail with `code` (exit 1, `error[CODE]: …`) and store nothing;
    /// returns the message.
    fn refused(&self, code: &str, args: &[&str]) -> String {
        let before = self.events();
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "teeka {args:?} should be refused: {err}");
        let prefix = format!("error[{code}]: ");
        assert!(err.starts_with(&prefix), "teeka {args:?}: {err}");
        assert_eq!(self.events(), before, "teeka {args:?} stored something");
        err[prefix.len()..].trim_end().to_string()
    }

    /// A usage error: exit 2, nothing stored; returns stderr.
    fn usage(&self, args: &[&str]) -> String {
        let before = self.events();
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(2), "teeka {args:?}");
        assert_eq!(self.events(), before);
        String::from_utf8(out.stderr).unwrap()
    }

    fn events(&self) -> u64 {
        self.json(&["status", "--format", "json"])["pending"].as_u64().unwrap()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn wastage<'a>(ledger: &'a Value, antigen: &str) -> &'a Value {
    ledger["wastage"].as_array().unwrap().iter().find(|w| w["antigen"] == antigen).unwrap()
}

/// The ids and clock times of a ledger replaced, for its snapshot.
fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                match k.as_str() {
                    "id" | "session_id" | "village_id" if !x.is_null() => *x = Value::from("[id]"),
                    "opened_at" | "at" => *x = Value::from("[time]"),
                    "minutes_left" if !x.is_null() => *x = Value::from("[minutes]"),
                    _ => redact(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

/// A whole session from the CLI. Rampur's due list on 2026-11-22 (docs/cli.md, the demo):
/// RMP-003 OPV2 PENTA2 RVV2 FIPV2 PCV2, RMP-005 BCG OPV1 PENTA1 RVV1 FIPV1 PCV1, RMP-007 OPV2
/// PENTA2 RVV2, and others.
#[test]
fn a_whole_session_at_a_site_from_the_cli() {
    let d = Device::new();
    let out = d.ok(&["session", "open", "--site", "S-01", "--date", TODAY]);
    assert!(out.starts_with("opened a session at site S-01 on 2026-11-22\n"), "{out}");
    let session = out.lines().last().unwrap().to_string();
    let again = d.ok(&["session", "open", "--site", "S-01", "--date", TODAY]);
    assert_eq!(again, format!("resumed the open session at site S-01 on 2026-11-22\n{session}\n"));

    let s = session.as_str();
    let vial = |antigen: &str, more: &[&str]| {
        let mut args = vec!["session", "vial", "open", "--session", s, "--antigen", antigen];
        args.extend_from_slice(more);
        d.id(&args)
    };
    let bcg = vial("BCG", &["--batch", "0123X", "--expiry", "2027-06-30", "--vvm", "1"]);
    let opv = vial("opv", &["--vvm", "2"]);
    let penta = vial("PENTA", &[]);
    vial("RVV", &[]);
    for (rid, code) in [
        ("RMP-005", "BCG"),
        ("RMP-005", "OPV1"),
        ("RMP-005", "PENTA1"),
        ("RMP-005", "RVV1"),
        ("RMP-003", "OPV2"),
        ("RMP-003", "PENTA2"),
        ("RMP-003", "RVV2"),
        ("RMP-007", "RVV2"),
    ] {
        let out = d.ok(&["record", "dose", "--register-id", rid, "--code", code, "--date", TODAY, "--session", s]);
        assert!(out.starts_with(&format!("recorded {code} given to {rid} on 2026-11-22")), "{out}");
    }
    let out = d.ok(&["session", "vial", "discard", "--vial", &opv, "--reason", "vvm_discard"]);
    assert_eq!(out, format!("discarded vial {opv}: VVM_DISCARD\n"));

    let open = d.json(&["session", "show", "--session", s, "--format", "json"]);
    let b = open["vials"].as_array().unwrap().iter().find(|v| v["id"] == bcg.as_str()).unwrap();
    assert_eq!((b["limit"].as_str(), b["past_limit"].as_bool()), (Some("four_hours"), Some(false)));
    assert!(b["minutes_left"].as_i64().unwrap() > 230, "{b}");

    let out = d.ok(&["session", "close", "--session", s]);
    assert!(out.starts_with(&format!("closed session {s}: 4 vials opened (BCG 1, OPV 1, PENTA 1, RVV 1)\n")), "{out}");
    assert!(out.contains(&format!("discarded BCG vial {bcg}: SESSION_END")), "{out}");
    assert!(out.contains(&format!("carried forward vial {penta}")), "{out}");
    assert!(!out.contains(&opv), "the OPV vial was discarded before: {out}");

    let mut ledger = d.json(&["session", "show", "--session", s, "--format", "json"]);
    // BCG: 1 of 10 doses given, 90 %; OPV 2 of 20, 90 %; PENTA 2 of 10, 80 % (the vial is still
    // open, carried: its doses count here when given later); RVV: 3 doses from one single-dose
    // vial, −200 %, a data error.
    assert_eq!(wastage(&ledger, "PENTA")["rate"], 80.0);
    assert_eq!(wastage(&ledger, "OPV")["rate"], 90.0);
    let rvv = wastage(&ledger, "RVV");
    assert_eq!((rvv["rate"].as_f64(), rvv["data_error"].as_bool()), (Some(-200.0), Some(true)));
    assert_eq!(ledger["session"]["closed"], true);
    redact(&mut ledger);
    insta::assert_json_snapshot!("session_show_closed", ledger);

    let table = d.ok(&["session", "show", "--session", s]);
    assert!(table.contains("site S-01 (Rampur AWC), Rampur on 2026-11-22: closed"), "{table}");
    assert!(table.contains("DATA ERROR: more doses than the opened vials hold"), "{table}");
    assert!(table.contains("discarded VVM_DISCARD"), "{table}");

    // Closed: nothing more.
    d.refused("SESSION_CLOSED", &["session", "close", "--session", s]);
    d.refused("SESSION_CLOSED", &["session", "vial", "open", "--session", s, "--antigen", "OPV"]);
    let err = d.refused(
        "SESSION_CLOSED",
        &["record", "dose", "--register-id", "RMP-007", "--code", "OPV2", "--date", TODAY, "--session", s],
    );
    assert!(err.contains("is closed"), "{err}");
}

#[test]
fn every_bad_input_is_refused_located_and_nothing_is_stored() {
    let d = Device::new();
    let err = d.refused("UNKNOWN_SITE", &["session", "open", "--site", "S-09", "--date", TODAY]);
    assert_eq!(err, "--site: no session site 'S-09' in this store (see `teeka plan sites list`)");
    d.refused("SESSION_IN_FUTURE", &["session", "open", "--site", "S-01", "--date", "2026-11-23"]);
    let s = d.id(&["session", "open", "--site", "S-01", "--date", TODAY]);
    let unknown = "0193a000-0000-7000-8000-000000000000";
    let err = d.refused("NOT_FOUND", &["session", "vial", "open", "--session", unknown, "--antigen", "OPV"]);
    assert_eq!(err, format!("session {unknown}: no such session on this device"));
    let err =
        d.refused("INVALID_INPUT", &["session", "vial", "open", "--session", &s, "--antigen", "OPV", "--vvm", "7"]);
    assert_eq!(err, "vvm: 7 is not a VVM stage (1 to 4)");
    let err =
        d.refused("VIAL_NOT_USABLE", &["session", "vial", "open", "--session", &s, "--antigen", "OPV", "--vvm", "3"]);
    assert!(err.starts_with("vvm: stage 3 is at or past the discard point"), "{err}");
    let err = d.refused(
        "VIAL_NOT_USABLE",
        &["session", "vial", "open", "--session", &s, "--antigen", "OPV", "--expiry", "2026-11-21"],
    );
    assert!(err.starts_with("expiry: 2026-11-21 is before the session's date 2026-11-22"), "{err}");
    // Rampur is not JE-endemic: no one there is due JE.
    let err = d.refused("NO_DOSES_DUE", &["session", "vial", "open", "--session", &s, "--antigen", "JE"]);
    assert!(
        err.starts_with("antigen: no one on the due list of site S-01 (Rampur AWC) on 2026-11-22 is due JE"),
        "{err}"
    );
    let err = d.refused("NOT_FOUND", &["session", "vial", "discard", "--vial", unknown, "--reason", "FROZEN"]);
    assert_eq!(err, format!("vial {unknown}: no such vial on this device"));
    let v = d.id(&["session", "vial", "open", "--session", &s, "--antigen", "OPV"]);
    d.ok(&["session", "vial", "discard", "--vial", &v, "--reason", "FROZEN"]);
    let err = d.refused("VIAL_DISCARDED", &["session", "vial", "discard", "--vial", &v, "--reason", "EXPIRED"]);
    assert!(err.starts_with(&format!("vial: {v} was already discarded (FROZEN at ")), "{err}");
    d.refused("NOT_FOUND", &["session", "show", "--session", unknown]);
    d.refused("UNKNOWN_SITE", &["plan", "kit", "--site", "S-09", "--on", TODAY]);

    // Usage errors: exit 2, the flag named.
    let err = d.usage(&["session", "vial", "discard", "--vial", &v, "--reason", "LOST"]);
    assert!(err.contains("invalid value 'LOST' for '--reason <R>': unknown vial discard reason 'LOST'"), "{err}");
    let err = d.usage(&["session", "vial", "open", "--session", &s, "--antigen", "XYZ"]);
    assert!(err.contains("'--antigen <A>'"), "{err}");
    let err = d.usage(&["session", "vial", "open", "--session", "abc", "--antigen", "OPV"]);
    assert!(err.contains("'--session <ID>'"), "{err}");
    d.usage(&["session", "vial", "open", "--session", &s, "--antigen", "OPV", "--vvm", "two"]);

    // A bad vaccine table: every problem located.
    let bad = d.write(
        "vaccines.csv",
        "antigen,doses_per_vial,wastage_factor,open_vial_policy\nMR,5,1.33,yes\nOPV,0,1.1,yes\n",
    );
    let err = d.refused(
        "INVALID_INPUT",
        &["plan", "kit", "--site", "S-01", "--on", TODAY, "--vaccine-table", bad.to_str().unwrap()],
    );
    assert!(err.contains("vaccines.csv was refused: the vaccine table has 2 problems"), "{err}");
    assert!(err.contains("line 2, column open_vial_policy: MR is reconstituted"), "{err}");
    assert!(err.contains("line 3, column doses_per_vial: '0' is not a number of doses from 1 to 100"), "{err}");
}

/// The kit of S-01 on 2026-11-22, checked by hand against the default vaccine table (doses per
/// vial, wastage factor; docs/formats.md). Rampur's due list that day: BCG 1 (RMP-005); OPV 5
/// (RMP-003, -005, -007, -008, -010 OPVB); PENTA 3; RVV 3; FIPV 2; PCV 2; MR 2 (RMP-008 MR1,
/// RMP-010 MR2); DPT 2 (DPT1, DPTB1); TD 2 (RMP-004 TD2, RMP-006 TD1); VITA 2.
///   BCG   1 × 2.0  = 2    → 2 doses, 1 vial of 10 (1 diluent, 1 reconstitution syringe)
///   OPV   5 × 1.11 = 5.55 → 6 doses, 1 vial of 20
///   PENTA 3 × 1.18 = 3.54 → 4 doses, 1 vial of 10, less the one carried from 2026-10-26: 0
///   RVV   3 × 1.05 = 3.15 → 4 doses, 4 single-dose vials
///   FIPV  2 × 1.18 = 2.36 → 3 doses, 1 vial of 25;  PCV 2 × 1.18 → 3 doses, 1 vial of 4
///   MR    2 × 1.33 = 2.66 → 3 doses, 1 vial of 5 (1 diluent, 1 reconstitution syringe)
///   DPT, TD 2 × 1.18 → 3 doses, 1 vial of 10 each;  VITA 2 × 1.11 = 2.22 → 3 doses, 1 of 50
/// Syringes: 0.1 ml for BCG + FIPV = 3 × 1.11 = 3.33 → 4; 0.5 ml for PENTA, PCV, MR, DPT, TD =
/// 11 × 1.11 = 12.21 → 13. MCP cards: RMP-005 and RMP-006 have no dose on record: 2.
#[test]
fn the_kit_of_a_site_with_an_open_vial_carried_and_one_past_28_days() {
    let d = Device::new();
    // A session at S-02 (the same sub-centre: no village here has a parent) on 2026-10-26 opens
    // a Penta vial, carried at its closing; one on 2026-10-25 opens a DPT vial, carried too.
    let early = d.id(&["session", "open", "--site", "S-02", "--date", "2026-10-26"]);
    d.id(&["session", "vial", "open", "--session", &early, "--antigen", "PENTA"]);
    d.ok(&["session", "close", "--session", &early]);
    let earlier = d.id(&["session", "open", "--site", "S-02", "--date", "2026-10-25"]);
    d.refused("NO_DOSES_DUE", &["session", "vial", "open", "--session", &earlier, "--antigen", "DPT"]);
    d.id(&["session", "vial", "open", "--session", &earlier, "--antigen", "OPV"]);
    d.ok(&["session", "close", "--session", &earlier]);

    let kit = d.json(&["plan", "kit", "--site", "S-01", "--on", TODAY, "--format", "json"]);
    let keys: Vec<&String> = kit.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["date", "items", "site", "supplies"]);
    assert_eq!((kit["site"].as_str(), kit["date"].as_str()), (Some("S-01"), Some(TODAY)));
    let items: Vec<(String, u64, u64, u64, u64)> = kit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let keys: Vec<&String> = i.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["antigen", "doses_due", "doses_needed", "open_vials_usable", "vials"]);
            let n = |k: &str| i[k].as_u64().unwrap();
            (
                i["antigen"].as_str().unwrap().to_string(),
                n("doses_due"),
                n("doses_needed"),
                n("vials"),
                n("open_vials_usable"),
            )
        })
        .collect();
    let want: Vec<(String, u64, u64, u64, u64)> = [
        ("BCG", 1, 2, 1, 0),
        // The OPV vial opened on 2026-10-25 is 28 days old on 11-22: past its limit.
        ("OPV", 5, 6, 1, 0),
        ("PENTA", 3, 4, 0, 1),
        ("RVV", 3, 4, 4, 0),
        ("FIPV", 2, 3, 1, 0),
        ("PCV", 2, 3, 1, 0),
        ("MR", 2, 3, 1, 0),
        ("DPT", 2, 3, 1, 0),
        ("TD", 2, 3, 1, 0),
        ("VITA", 2, 3, 1, 0),
    ]
    .iter()
    .map(|(a, b, c, e, f)| (a.to_string(), *b, *c, *e, *f))
    .collect();
    assert_eq!(items, want);
    assert_eq!(
        kit["supplies"],
        serde_json::json!({"ad_syringes_0_1ml": 4, "ad_syringes_0_5ml": 13, "reconstitution_syringes": 2,
                           "diluents": {"BCG": 1, "MR": 1, "JE": 0}, "hub_cutters": 1, "red_bags": 1,
                           "black_bags": 1, "mcp_cards": 2})
    );
    // The day after, the Penta vial of 2026-10-26 is past its 28 days too.
    let next = d.json(&["plan", "kit", "--site", "S-01", "--on", "2026-11-23", "--format", "json"]);
    let penta = next["items"].as_array().unwrap().iter().find(|i| i["antigen"] == "PENTA").unwrap();
    assert_eq!((penta["vials"].as_u64(), penta["open_vials_usable"].as_u64()), (Some(1), Some(0)));

    // A state's table: 10-dose OPV vials. 6 doses → 1 vial still; Penta in single doses
    // (policy no): 4 vials, the carried vial no longer counted.
    let state = d.write("state.csv", "antigen,doses_per_vial,wastage_factor,open_vial_policy\nPENTA,1,1.05,no\n");
    let kit = d.json(&[
        "plan",
        "kit",
        "--site",
        "S-01",
        "--on",
        TODAY,
        "--vaccine-table",
        state.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let penta = kit["items"].as_array().unwrap().iter().find(|i| i["antigen"] == "PENTA").unwrap();
    // 3 × 1.05 = 3.15 → 4 doses, 4 vials.
    assert_eq!(
        (penta["doses_needed"].as_u64(), penta["vials"].as_u64(), penta["open_vials_usable"].as_u64()),
        (Some(4), Some(4), Some(0))
    );

    let table = d.ok(&["plan", "kit", "--site", "S-01", "--on", TODAY]);
    assert!(table.starts_with("Carry kit for site S-01 on 2026-11-22\n"), "{table}");
    assert!(table.contains("MCP cards"), "{table}");
}
