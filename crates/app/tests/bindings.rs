//! `ui/src/bindings.ts` is what the Rust types generate: a change to a type that crosses to the UI
//! (or to the list of commands, or to a code list) must come with the refreshed file, so that the
//! UI's compiler sees it. `TEEKA_BLESS=1` rewrites the file instead of comparing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};
use std::path::PathBuf;
use teeka_app::bindings::{typescript, BINDINGS_PATH, REFRESH_COMMAND};
use teeka_app::types::*;
use teeka_app::{App, AppError, Clock};
use teeka_domain::report::{Coverage, DropOut, DropOuts, DueDose, Fic};
use teeka_domain::VialsUsed;
use ts_rs::{Config, TS};

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(BINDINGS_PATH)
}

#[test]
fn the_committed_bindings_are_what_the_rust_types_generate() {
    let generated = typescript().unwrap_or_else(|e| panic!("{e}"));
    let path = committed_path();
    if std::env::var_os("TEEKA_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("first difference at line {}:\n  committed: {a}\n  generated: {b}", i + 1))
            .unwrap_or_else(|| {
                format!(
                    "one is a prefix of the other ({} lines committed, {} generated)",
                    committed.lines().count(),
                    generated.lines().count()
                )
            });
        panic!("{BINDINGS_PATH} is stale: the Rust types have changed.\n{first}\nRefresh it with:\n  {REFRESH_COMMAND}\nand commit it.");
    }
}

#[test]
fn every_command_and_the_types_of_its_answers_are_in_the_bindings() {
    let ts = typescript().unwrap_or_else(|e| panic!("{e}"));
    for c in teeka_app::COMMANDS {
        assert!(ts.contains(&format!("  {}: {{ req: ", c.name)), "{} is missing from Commands", c.name);
    }
    for decl in
        ["export type Member = ", "export type Warning = ", "export type AppCode = ", "export type DeviceInfo = "]
    {
        assert!(ts.contains(decl), "{decl} is missing");
    }
    // 64-bit counts are JSON numbers, not bigints.
    assert!(!ts.contains("bigint"));
}

/// The top-level fields of an object type's TypeScript: (required, optional).
fn fields<T: TS>() -> (Vec<String>, Vec<String>) {
    let cfg = Config::new().with_large_int("number");
    let mut ts = T::inline(&cfg);
    while let Some(start) = ts.find("/**") {
        let end = ts[start..].find("*/").map_or(ts.len(), |e| start + e + 2);
        ts.replace_range(start..end, "");
    }
    let body =
        ts.trim().strip_prefix('{').and_then(|b| b.strip_suffix('}')).unwrap_or_else(|| panic!("not an object: {ts}"));
    let (mut required, mut optional) = (Vec::new(), Vec::new());
    let (mut depth, mut piece) = (0i32, String::new());
    for ch in body.chars().chain(std::iter::once(',')) {
        match ch {
            '{' | '[' | '(' | '<' => depth += 1,
            '}' | ']' | ')' | '>' => depth -= 1,
            ',' if depth == 0 => {
                if let Some((name, _)) = piece.split_once(':') {
                    let name = name.trim().trim_matches('"');
                    match name.strip_suffix('?') {
                        Some(n) => optional.push(n.to_string()),
                        None => required.push(name.to_string()),
                    }
                }
                piece.clear();
                continue;
            }
            _ => {}
        }
        piece.push(ch);
    }
    (required, optional)
}

/// A real answer has exactly the fields its TypeScript type declares: every required one, and
/// nothing undeclared.
fn same_fields<T: TS>(json: &Value) {
    let name = T::name(&Config::new());
    let obj = json.as_object().unwrap_or_else(|| panic!("{name}: not an object: {json}"));
    let (required, optional) = fields::<T>();
    for f in &required {
        assert!(obj.contains_key(f), "{name}: the JSON lacks '{f}', which the TypeScript requires: {json}");
    }
    for k in obj.keys() {
        assert!(required.contains(k) || optional.contains(k), "{name}: the JSON has '{k}', which the TypeScript lacks");
    }
}

#[test]
fn real_answers_have_the_fields_of_their_typescript() {
    let mut app = App::open_in_memory().unwrap();
    let clock = Clock {
        now: Utc.with_ymd_and_hms(2026, 3, 10, 5, 0, 0).unwrap(),
        today: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
    };
    let mut ok = |command: &str, req: Value| {
        app.call(command, req.clone(), clock).unwrap_or_else(|e| panic!("{command} {req}: {e}"))
    };

    let worker = ok("add_worker", json!({"name": "Sunita", "role": "anm", "pin": "1234"}));
    same_fields::<Worker>(&worker);
    let village = ok("add_village", json!({"name": "Rampur"}));
    same_fields::<Village>(&village);
    let household = ok(
        "save_household",
        json!({"village_id": village["id"], "house_no": "12", "head_of_household": "Ramesh", "risk_category": "brick_kiln"}),
    );
    same_fields::<Household>(&household);
    let child = ok(
        "add_child",
        json!({"household_id": household["id"], "name": "Aarav", "sex": "M", "dob": "2025-12-01",
               "doses": [{"code": "BCG", "date": "2025-12-01"}]}),
    );
    same_fields::<Member>(&child);
    same_fields::<teeka_domain::AgeParts>(&child["age"]);
    same_fields::<DueDose>(&child["due"][0]);
    let rid = child["register_id"].clone();
    let added = ok("add_doses", json!({"register_id": rid, "doses": [{"code": "BCG", "date": "2025-12-02"}]}));
    same_fields::<DosesAdded>(&added);
    assert_eq!(added["warnings"][0]["code"], "ALREADY_GIVEN", "{added}");

    let session = ok("open_session", json!({"site_id": village["id"], "date": "2026-03-10"}));
    same_fields::<OpenedSession>(&session);
    let sid = session["id"].clone();
    let due = ok("session_due", json!({"session_id": sid}));
    same_fields::<SessionItem>(&due[0]);
    let given = ok("record_given", json!({"session_id": sid, "register_id": rid, "codes": ["PENTA1"]}));
    same_fields::<ItemRecorded>(&given);
    same_fields::<SessionItem>(&given["item"]);
    let not = ok(
        "record_not_given",
        json!({"session_id": sid, "register_id": rid, "codes": ["OPV1"], "reason": "CHILD_SICK"}),
    );
    same_fields::<NotGivenCode>(&not["item"]["not_given"][0]);
    let aefi = ok(
        "report_aefi",
        json!({"session_id": sid, "register_id": rid, "severity": "minor", "observed": "fever", "codes": ["PENTA1"]}),
    );
    same_fields::<AefiReported>(&aefi);
    let edited = ok(
        "update_aefi",
        json!({"aefi_id": aefi["id"], "severity": "minor", "observed": "fever", "signs": ["rash"], "codes": ["PENTA1"]}),
    );
    same_fields::<Aefi>(&edited);
    let tally = ok("session_tally", json!({"session_id": sid}));
    same_fields::<Tally>(&tally);
    same_fields::<AntigenCount>(&tally["by_antigen"][0]);
    same_fields::<DoseCount>(&tally["by_dose"][0]);
    same_fields::<ReasonCount>(&tally["not_given"][0]);
    same_fields::<AefiCounts>(&tally["aefi"]);
    let undone = ok("undo_not_given", json!({"session_id": sid, "register_id": rid}));
    same_fields::<ItemRecorded>(&undone);
    let closed = ok("close_session", json!({"session_id": sid, "vials": [{"antigen": "PENTA", "opened": 1}]}));
    same_fields::<Session>(&closed);
    same_fields::<VialsUsed>(&closed["vials"][0]);

    ok("record_refusal", json!({"register_id": rid, "reason": "REFUSED_FAMILY"}));
    let refusals = ok("refusals", json!({}));
    same_fields::<Refusal>(&refusals[0]);
    let b = ok("beneficiary", json!({"register_id": rid}));
    same_fields::<Beneficiary>(&b);
    same_fields::<Dose>(&b["doses"][0]);
    same_fields::<NotGiven>(&b["not_given"][0]);
    same_fields::<Aefi>(&b["aefi"][0]);
    let follow_up = ok("follow_up", json!({}));
    assert!(follow_up[0].get("given").is_none(), "outside a session an item has no 'given': {follow_up}");
    same_fields::<FollowUpItem>(&follow_up[0]);
    let found = ok("search", json!({"text": "aarav"}));
    same_fields::<Found>(&found[0]);
    let cov = ok("coverage", json!({}));
    same_fields::<CoverageResp>(&cov);
    same_fields::<Coverage>(&cov["total"]);
    same_fields::<Fic>(&cov["total"]["fic"]);
    same_fields::<DropOuts>(&cov["total"]["dropout"]);
    same_fields::<DropOut>(&cov["total"]["dropout"]["penta1_penta3"]);
    same_fields::<VillageCoverage>(&cov["villages"][0]);
    let state = ok("app_state", json!({}));
    same_fields::<AppState>(&state);
    same_fields::<Codes>(&state["codes"]);
    same_fields::<SyncState>(&state["sync"]);

    // The campaign's answers (the clock's today is a working day of round 1).
    let site = ok(
        "save_site",
        json!({"site_id": "S-01", "new": true, "name": "Rampur AWC", "villages": [village["id"]], "type": "outreach", "hra": "none",
               "anm": {"name": "Meena", "phone": null}}),
    );
    same_fields::<SiteRecord>(&site);
    same_fields::<teeka_store::SiteVillage>(&site["villages"][0]);
    let round = ok("add_round", json!({"number": 1, "start": "2026-03-09"}));
    same_fields::<Round>(&round);
    same_fields::<RoundCalendar>(&round["calendar"]);
    same_fields::<CalendarDay>(&round["calendar"]["days"][0]);
    let plan = ok("round_plan", json!({"number": 1}));
    same_fields::<RoundPlanView>(&plan);
    same_fields::<PlanSite>(&plan["sites"][0]);
    same_fields::<PlanSession>(&plan["sessions"][0]);
    let mop_up = ok("mop_up", json!({"number": 1, "site_id": "S-01", "date": "2026-03-10"}));
    same_fields::<MopUp>(&mop_up);
    same_fields::<teeka_store::MopUpItem>(&mop_up["items"][0]);
    let kit = ok("site_kit", json!({"site_id": "S-01", "date": "2026-03-10"}));
    same_fields::<SiteKit>(&kit);
    let opened = ok("open_site_session", json!({"site_id": "S-01", "date": "2026-03-10"}));
    let antigen = kit["items"][0]["antigen"].clone();
    let ledger = ok("open_vial", json!({"session_id": opened["id"], "antigen": antigen, "batch": "P1", "vvm": 1}));
    same_fields::<SessionLedger>(&ledger);
    same_fields::<LedgerSession>(&ledger["session"]);
    same_fields::<LedgerVial>(&ledger["vials"][0]);
    let closed = ok("close_ledger_session", json!({"session_id": opened["id"]}));
    same_fields::<LedgerClosed>(&closed);
    let wastage = ok("round_wastage", json!({"number": 1}));
    same_fields::<RoundWastage>(&wastage);
    same_fields::<SiteWastage>(&wastage["sites"][0]);
    same_fields::<Wastage>(&wastage["total"][0]);

    let err = app.call("beneficiary", json!({"register_id": "NOPE"}), clock).unwrap_err();
    same_fields::<AppError>(&serde_json::to_value(&err).unwrap());
}
