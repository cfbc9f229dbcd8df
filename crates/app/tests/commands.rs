//! The app's commands end to end over a real store: an ASHA's survey, an ANM's session, locking,
//! PINs, error codes and JSON shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::{json, Value};
use teeka_app::{App, AppError, Clock};

fn clock_at(now: DateTime<Utc>) -> Clock {
    Clock { now, today: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap() }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 5, 0, 0).unwrap()
}

struct T {
    app: App,
    now: DateTime<Utc>,
}

impl T {
    fn new() -> T {
        T { app: App::open_in_memory().unwrap(), now: t0() }
    }

    fn call(&mut self, command: &str, req: Value) -> Result<Value, AppError> {
        self.now += TimeDelta::seconds(10);
        self.app.call(command, req, clock_at(self.now))
    }

    fn ok(&mut self, command: &str, req: Value) -> Value {
        self.call(command, req.clone()).unwrap_or_else(|e| panic!("{command} {req}: {e}"))
    }

    fn err(&mut self, command: &str, req: Value) -> AppError {
        match self.call(command, req.clone()) {
            Ok(v) => panic!("{command} {req} should fail, gave {v}"),
            Err(e) => e,
        }
    }

    /// A signed-in ASHA, a village, a household.
    fn surveyed() -> (T, String, String) {
        let mut t = T::new();
        t.ok("add_worker", json!({"name": "Sunita", "role": "asha", "pin": "1234"}));
        let v = t.ok("add_village", json!({"name": "Rampur"}));
        let village = v["id"].as_str().unwrap().to_string();
        let h = t.ok(
            "save_household",
            json!({"village_id": village, "house_no": "12", "head_of_household": "Ramesh", "phone": "9876543210", "risk_category": "brick_kiln"}),
        );
        (t, village, h["id"].as_str().unwrap().to_string())
    }
}

#[test]
fn an_asha_survey() {
    let (mut t, village, household) = T::surveyed();
    let state = t.ok("app_state", json!({}));
    assert_eq!(state["signed_in"]["name"], "Sunita");
    assert_eq!(state["lock_after_minutes"], 5);
    assert_eq!(state["today"], "2026-03-10");
    assert_eq!(state["antigens"].as_array().unwrap().len(), 12);
    assert_eq!(state["refusal_reasons"].as_array().unwrap().len(), 5);
    assert_eq!(state["sync"]["enrolled"], false);
    assert!(state["workers"][0].get("pin_hash").is_none(), "PIN hashes never leave the core");

    // The same village name in another case is the same village.
    let again = t.ok("add_village", json!({"name": "rampur"}));
    assert_eq!(again["id"], village.as_str());

    let child = t.ok(
        "add_child",
        json!({"household_id": household, "name": "Aarav", "sex": "M", "dob": "2025-12-01", "mother_name": "Pooja",
               "doses": [{"code": "BCG", "date": "2025-12-01"}, {"code": "OPV0", "date": "2025-12-01"}]}),
    );
    let rid = child["register_id"].as_str().unwrap().to_string();
    assert!(rid.starts_with("B-") && rid.len() == 14, "{rid}");
    assert_eq!(child["household_id"], household.as_str());
    assert_eq!(child["classification"], "drop_out");
    let due: Vec<&str> = child["due"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(due.contains(&"PENTA1"), "{due:?}");

    let by_age = t.ok("add_child", json!({"household_id": household, "name": "Priya", "sex": "F", "age_months": 3}));
    assert_eq!(by_age["dob"], "2025-12-10");

    let woman = t.ok("add_pregnant_woman", json!({"household_id": household, "name": "Kamla", "edd": "2026-09-01"}));
    assert_eq!(woman["lmp"], "2025-11-25");
    assert_eq!(woman["edd"], "2026-09-01");
    assert_eq!(woman["sex"], "F");

    let households = t.ok("households", json!({"village_id": village}));
    assert_eq!(households[0]["members"], 3);
    assert_eq!(households[0]["risk_category"], "brick_kiln");
    assert!(households[0]["household_id"].as_str().unwrap().starts_with("HH-"));
    let villages = t.ok("villages", json!({}));
    assert_eq!(villages[0]["children"], 2);
    assert_eq!(villages[0]["pregnant_women"], 1);
    assert_eq!(villages[0]["households"], 1);

    let members = t.ok("members", json!({"household_id": household}));
    assert_eq!(members.as_array().unwrap().len(), 3);

    let added = t.ok("add_doses", json!({"register_id": rid, "doses": [{"code": "PENTA1", "date": "2026-01-12"}]}));
    assert_eq!(added["member"]["register_id"], rid.as_str());

    let updated = t.ok("update_beneficiary", json!({"register_id": rid, "name": "Aarav Kumar"}));
    assert_eq!(updated["name"], "Aarav Kumar");

    let found = t.ok("search", json!({"text": "pooja"}));
    assert_eq!(found[0]["register_id"], rid.as_str());
    assert_eq!(found[0]["village"], "Rampur");
    assert_eq!(found[0]["head_of_household"], "Ramesh");
    let similar = t.ok("similar_children", json!({"village_id": village, "name": "Arav kumaar", "dob": "2025-11-20"}));
    assert_eq!(similar.as_array().unwrap().len(), 1);
    let none = t.ok("similar_children", json!({"village_id": village, "name": "Arav Kumar", "dob": "2025-05-01"}));
    assert_eq!(none.as_array().unwrap().len(), 0, "born too far apart");

    let refused = t.ok("record_refusal", json!({"register_id": rid, "reason": "REFUSED_FEAR_AEFI"}));
    assert!(!refused["due"].as_array().unwrap().is_empty(), "still due: a refusal is no dose");
    // The worker may choose which doses were refused, and say what an "other" reason was.
    let wid = t
        .ok("members", json!({"household_id": household}))
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "pregnant_woman")
        .unwrap()["register_id"]
        .as_str()
        .unwrap()
        .to_string();
    let e = t.err("record_refusal", json!({"register_id": wid, "reason": "CHILD_SICK"}));
    assert_eq!(e.code, "REASON_NOT_APPLICABLE");
    let e = t.err("record_refusal", json!({"register_id": rid, "reason": "OTHER", "codes": ["OPV2"]}));
    assert_eq!(e.code, "INVALID_INPUT");
    t.ok("record_refusal", json!({"register_id": rid, "reason": "OTHER", "codes": ["OPV2"], "note": "wedding"}));
    let b = t.ok("beneficiary", json!({"register_id": rid}));
    let other: Vec<&Value> = b["not_given"].as_array().unwrap().iter().filter(|n| n["reason"] == "OTHER").collect();
    assert_eq!(other.len(), 1, "only the dose chosen: {b}");
    assert_eq!((other[0]["code"].as_str(), other[0]["note"].as_str()), (Some("OPV2"), Some("wedding")));
    let refusals = t.ok("refusals", json!({}));
    assert!(!refusals.as_array().unwrap().is_empty());
    assert_eq!(refusals[0]["reason"], "REFUSED_FEAR_AEFI");
    // Whom it is about, as every list says it: kind, sex and age.
    let child = t.ok("beneficiary", json!({"register_id": rid}));
    assert_eq!(
        (&refusals[0]["kind"], &refusals[0]["sex"], &refusals[0]["age"]),
        (&child["kind"], &child["sex"], &child["age"])
    );
    assert!(refusals[0]["age"].is_object(), "{}", refusals[0]);
    let households = t.ok("households", json!({"village_id": village}));
    assert_eq!(households[0]["resistant"], true);

    let b = t.ok("beneficiary", json!({"register_id": rid}));
    assert_eq!(b["doses"].as_array().unwrap().len(), 3);
    assert!(!b["not_given"].as_array().unwrap().is_empty());
    assert_eq!(b["village"], "Rampur");

    let moved = t.ok("set_status", json!({"register_id": rid, "status": "migrated"}));
    assert_eq!(moved["status"], "migrated");
    assert_eq!(moved["due"], json!([]));

    let cov = t.ok("coverage", json!({}));
    assert_eq!(cov["villages"][0]["village"], "Rampur");
    assert_eq!(cov["total"]["pregnant_women"], 1);
    let follow = t.ok("follow_up", json!({"village_id": village}));
    assert!(follow.as_array().unwrap().iter().all(|i| i.get("given").is_none()));
}

#[test]
fn an_anm_session() {
    let (mut t, village, household) = T::surveyed();
    let child = t.ok("add_child", json!({"household_id": household, "name": "Aarav", "sex": "M", "dob": "2025-12-01"}));
    let rid = child["register_id"].as_str().unwrap().to_string();
    let woman = t.ok("add_pregnant_woman", json!({"household_id": household, "name": "Kamla", "lmp": "2025-12-01"}));
    let wid = woman["register_id"].as_str().unwrap().to_string();

    let s = t.ok("open_session", json!({"site_id": village, "date": "2026-03-10"}));
    let sid = s["id"].as_str().unwrap().to_string();
    assert_eq!(s["closed"], false);
    assert_eq!(s["site"], "Rampur");
    assert_eq!(s["resumed"], false);
    let same = t.ok("open_session", json!({"site_id": village, "date": "2026-03-10"}));
    assert_eq!(same["id"], sid.as_str(), "the open session of that site and date");
    assert_eq!(same["resumed"], true);

    let due = t.ok("session_due", json!({"session_id": sid}));
    let regs: Vec<&str> = due.as_array().unwrap().iter().map(|i| i["register_id"].as_str().unwrap()).collect();
    assert!(regs.contains(&rid.as_str()) && regs.contains(&wid.as_str()), "{regs:?}");

    let given = t.ok(
        "record_given",
        json!({"session_id": sid, "register_id": rid, "codes": ["PENTA1", "OPV1", "RVV1", "PCV1", "FIPV1"]}),
    );
    assert_eq!(given["item"]["given"].as_array().unwrap().len(), 5);
    let not = t.ok(
        "record_not_given",
        json!({"session_id": sid, "register_id": rid, "codes": ["BCG"], "reason": "VACCINE_OUT_OF_STOCK"}),
    );
    assert_eq!(not["item"]["not_given"][0]["reason"], "VACCINE_OUT_OF_STOCK");
    t.ok("record_given", json!({"session_id": sid, "register_id": wid, "codes": ["TD1"]}));
    let aefi = t.ok(
        "report_aefi",
        json!({"session_id": sid, "register_id": rid, "severity": "minor", "observed": "fever", "codes": ["PENTA1"]}),
    );
    assert!(aefi["id"].is_string());

    let tally = t.ok("session_tally", json!({"session_id": sid}));
    assert_eq!(tally["beneficiaries"], 2);
    assert_eq!(tally["children"], 1);
    assert_eq!(tally["pregnant_women"], 1);
    assert_eq!(tally["aefi"], json!({"minor": 1, "severe": 0, "serious": 0}));
    assert_eq!(tally["not_given"], json!([{"reason": "VACCINE_OUT_OF_STOCK", "count": 1}]));
    let antigen = |a: &str| {
        tally["by_antigen"].as_array().unwrap().iter().find(|x| x["antigen"] == a).map(|x| x["doses"].clone())
    };
    assert_eq!(antigen("PENTA"), Some(json!(1)));
    assert_eq!(antigen("TD"), Some(json!(1)));
    assert_eq!(tally["by_dose"].as_array().unwrap().len(), 6);

    // The child is still listed, with what the session recorded, even with nothing due left.
    let due = t.ok("session_due", json!({"session_id": sid}));
    let item = due.as_array().unwrap().iter().find(|i| i["register_id"] == rid.as_str()).unwrap();
    assert_eq!(item["given"].as_array().unwrap().len(), 5);

    let closed = t.ok(
        "close_session",
        json!({"session_id": sid, "vials": [{"antigen": "PENTA", "opened": 1}, {"antigen": "OPV", "opened": 1}]}),
    );
    assert_eq!(closed["closed"], true);
    assert_eq!(closed["vials"][0], json!({"antigen": "PENTA", "opened": 1}));
    let e = t.err("record_given", json!({"session_id": sid, "register_id": rid, "codes": ["MR1"]}));
    assert_eq!(e.code, "SESSION_CLOSED");
    let e = t.err("close_session", json!({"session_id": sid, "vials": []}));
    assert_eq!(e.code, "SESSION_CLOSED");
    // An AEFI may still be reported after the session closed.
    t.ok(
        "report_aefi",
        json!({"session_id": sid, "register_id": rid, "severity": "severe", "observed": "high fever",
               "onset": "2026-03-10T09:30:00+05:30", "referral": "phc"}),
    );
    let b = t.ok("beneficiary", json!({"register_id": rid}));
    assert_eq!(b["aefi"].as_array().unwrap().len(), 2);
    assert_eq!(b["doses"][0]["session_id"], sid.as_str());
    let sessions = t.ok("sessions", json!({}));
    assert_eq!(sessions.as_array().unwrap().len(), 1);
    // A new session of the same site and date can be opened once the first is closed.
    let next = t.ok("open_session", json!({"site_id": village, "date": "2026-03-10"}));
    assert_ne!(next["id"], sid.as_str());
}

/// Issue 9, items 5–7: AEFI signs, onset, referral and edits; refusals per dose with a note,
/// reasons by whom, undone within the session, one row per visit for the supervisor.
#[test]
fn an_anm_records_aefi_and_refusals_with_care() {
    let (mut t, village, household) = T::surveyed();
    let child = t.ok("add_child", json!({"household_id": household, "name": "Aarav", "sex": "M", "dob": "2025-12-01"}));
    let rid = child["register_id"].as_str().unwrap().to_string();
    let woman = t.ok("add_pregnant_woman", json!({"household_id": household, "name": "Kamla", "lmp": "2025-12-01"}));
    let wid = woman["register_id"].as_str().unwrap().to_string();
    let s = t.ok("open_session", json!({"site_id": village, "date": "2026-03-10"}));
    let sid = s["id"].as_str().unwrap().to_string();
    t.ok("record_given", json!({"session_id": sid, "register_id": rid, "codes": ["PENTA1"]}));

    // A seizure cannot be minor; serious asks for the onset (not after now) and the referral.
    let aefi = |severity: &str, extra: Value| {
        let mut req = json!({"session_id": sid, "register_id": rid, "severity": severity, "observed": "",
                             "signs": ["fever", "seizure"], "codes": ["PENTA1"]});
        req.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        req
    };
    let events = t.app.store().unwrap().event_count().unwrap();
    assert_eq!(t.err("report_aefi", aefi("minor", json!({}))).code, "AEFI_SEVERITY_TOO_LOW");
    assert_eq!(t.err("report_aefi", aefi("severe", json!({}))).code, "AEFI_SEVERITY_TOO_LOW");
    let e = t.err("report_aefi", aefi("serious", json!({})));
    assert_eq!((e.code.as_str(), e.message.starts_with("onset is missing")), ("INVALID_INPUT", true), "{e}");
    let e = t.err("report_aefi", aefi("serious", json!({"onset": "2026-03-10T11:00:00Z", "referral": "chc"})));
    assert_eq!(e.code, "ONSET_IN_FUTURE");
    let e = t.err("report_aefi", aefi("serious", json!({"onset": "10/03/2026 09:00", "referral": "chc"})));
    assert_eq!(e.code, "INVALID_INPUT");
    assert!(e.message.starts_with("onset:"), "{e}");
    assert_eq!(t.app.store().unwrap().event_count().unwrap(), events, "nothing stored");
    let onset = "2026-03-10T10:15:00+05:30";
    let id = t.ok("report_aefi", aefi("serious", json!({"onset": onset, "referral": "chc"})))["id"].clone();
    let b = t.ok("beneficiary", json!({"register_id": rid}));
    let saved = &b["aefi"][0];
    assert_eq!(saved["signs"], json!(["fever", "seizure"]));
    assert_eq!(saved["onset"], "2026-03-10T04:45:00Z");
    assert_eq!(saved["referral"], "chc");
    assert_eq!(saved["severity"], "serious");
    // The form reopens with what was saved and is saved again: referred to the hospital instead.
    let updated = t.ok(
        "update_aefi",
        json!({"aefi_id": id, "severity": "serious", "observed": "fits at home", "signs": ["fever", "seizure"],
               "codes": ["PENTA1"], "onset": saved["onset"], "referral": "hospital"}),
    );
    assert_eq!(updated["referral"], "hospital");
    assert_eq!(updated["observed"], "fits at home");
    let e = t.err("update_aefi", json!({"aefi_id": id, "severity": "minor", "observed": "x", "signs": ["seizure"]}));
    assert_eq!(e.code, "AEFI_SEVERITY_TOO_LOW");
    let e = t.err("update_aefi", json!({"aefi_id": household, "severity": "minor", "observed": "x"}));
    assert_eq!(e.code, "NOT_FOUND");
    let b = t.ok("beneficiary", json!({"register_id": rid}));
    assert_eq!(b["aefi"].as_array().unwrap().len(), 1, "an edit is not a second report");
    assert_eq!(b["aefi"][0]["referral"], "hospital");
    let tally = t.ok("session_tally", json!({"session_id": sid}));
    assert_eq!(tally["aefi"], json!({"minor": 0, "severe": 0, "serious": 1}));

    // Refusals: the doses chosen, "other" with its note, no "child is sick" for a woman.
    let e = t.err(
        "record_not_given",
        json!({"session_id": sid, "register_id": wid, "codes": ["TD1"], "reason": "CHILD_SICK"}),
    );
    assert_eq!(e.code, "REASON_NOT_APPLICABLE");
    let e =
        t.err("record_not_given", json!({"session_id": sid, "register_id": wid, "codes": ["TD1"], "reason": "OTHER"}));
    assert!(e.code == "INVALID_INPUT" && e.message.starts_with("note is empty"), "{e}");
    let not = t.ok(
        "record_not_given",
        json!({"session_id": sid, "register_id": wid, "codes": ["TD1"], "reason": "OTHER", "note": "at her mother's"}),
    );
    assert_eq!(not["item"]["not_given"][0], json!({"code": "TD1", "reason": "OTHER", "note": "at her mother's"}));
    t.ok(
        "record_not_given",
        json!({"session_id": sid, "register_id": rid, "codes": ["OPV1", "RVV1", "PCV1"], "reason": "REFUSED_FAMILY"}),
    );
    let refusals = t.ok("refusals", json!({}));
    assert_eq!(refusals.as_array().unwrap().len(), 1, "one row for the visit: {refusals}");
    assert_eq!(refusals[0]["codes"], json!(["OPV1", "RVV1", "PCV1"]));
    assert_eq!(refusals[0]["session_id"], sid.as_str());
    let households = t.ok("households", json!({"village_id": village}));
    assert_eq!(households[0]["resistant"], true);
    // Undone within the session: the doses are open again, the household no longer resistant.
    let undone = t.ok("undo_not_given", json!({"session_id": sid, "register_id": rid}));
    assert_eq!(undone["item"]["not_given"], json!([]));
    assert!(undone["item"]["doses"].as_array().unwrap().iter().any(|d| d["code"] == "OPV1"));
    assert_eq!(t.ok("refusals", json!({})), json!([]));
    let households = t.ok("households", json!({"village_id": village}));
    assert_eq!(households[0]["resistant"], false);
    assert_eq!(t.err("undo_not_given", json!({"session_id": sid, "register_id": rid})).code, "NOT_FOUND");
    t.ok("close_session", json!({"session_id": sid, "vials": []}));
    assert_eq!(t.err("undo_not_given", json!({"session_id": sid, "register_id": wid})).code, "SESSION_CLOSED");
}

#[test]
fn the_app_locks_after_inactivity_and_unlocks_with_the_pin() {
    let mut t = T::new();
    let w = t.ok("add_worker", json!({"name": "Meena", "role": "anm", "pin": "4321"}));
    t.ok("villages", json!({}));
    t.now += TimeDelta::minutes(4);
    t.ok("villages", json!({}));
    t.ok("touch", json!({}));
    t.now += TimeDelta::minutes(5);
    assert_eq!(t.err("villages", json!({})).code, "LOCKED");
    let state = t.ok("app_state", json!({}));
    assert_eq!(state["signed_in"], Value::Null);
    t.ok("sign_in", json!({"worker_id": w["id"], "pin": "4321"}));
    t.ok("villages", json!({}));
    t.ok("lock", json!({}));
    assert_eq!(t.err("villages", json!({})).code, "LOCKED");
    // A second worker needs someone signed in.
    assert_eq!(t.err("add_worker", json!({"name": "Asha 2", "role": "asha", "pin": "1111"})).code, "LOCKED");
}

#[test]
fn five_wrong_pins_make_the_worker_wait() {
    let mut t = T::new();
    let w = t.ok("add_worker", json!({"name": "Meena", "role": "anm", "pin": "4321"}));
    t.ok("lock", json!({}));
    for _ in 0..4 {
        assert_eq!(t.err("sign_in", json!({"worker_id": w["id"], "pin": "0000"})).code, "WRONG_PIN");
    }
    assert_eq!(t.err("sign_in", json!({"worker_id": w["id"], "pin": "0000"})).code, "PIN_WAIT");
    let e = t.err("sign_in", json!({"worker_id": w["id"], "pin": "4321"}));
    assert_eq!(e.code, "PIN_WAIT", "even the right PIN waits");
    assert!(e.message.contains("wait"), "{}", e.message);
    t.now += TimeDelta::seconds(30);
    t.ok("sign_in", json!({"worker_id": w["id"], "pin": "4321"}));
}

#[test]
fn bad_input_is_refused_naming_the_field_and_stores_nothing() {
    let (mut t, village, household) = T::surveyed();
    let events = t.app.store().unwrap().event_count().unwrap();
    let cases = [
        (
            "add_worker",
            json!({"name": "X", "role": "asha", "pin": "12ab", "signed_in_pin": "1234"}),
            "INVALID_INPUT",
            "pin",
        ),
        (
            "add_worker",
            json!({"name": "X", "role": "doctor", "pin": "1234", "signed_in_pin": "1234"}),
            "INVALID_INPUT",
            "role",
        ),
        ("add_village", json!({"name": "  "}), "INVALID_INPUT", "name"),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-02-30"}),
            "INVALID_INPUT",
            "dob",
        ),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "age_months": 2}),
            "INVALID_INPUT",
            "age_months",
        ),
        ("add_child", json!({"household_id": household, "name": "A", "sex": "M"}), "INVALID_INPUT", "dob"),
        (
            "add_child",
            json!({"household_id": household, "name": "", "sex": "M", "dob": "2026-01-01"}),
            "INVALID_INPUT",
            "name",
        ),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "doses": [{"code": "BCG", "date": "2026-01-01"}, {"code": "PENTA9", "date": "2026-01-01"}]}),
            "INVALID_INPUT",
            "doses[1].code",
        ),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "doses": [{"code": "BCG", "date": "2026-01-01"}, {"code": "OPV1", "date": "2025-12-01"}]}),
            "INVALID_INPUT",
            "before birth",
        ),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "doses": [{"code": "TD1", "date": "2026-01-01"}]}),
            "INVALID_INPUT",
            "doses[0]",
        ),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "doses": [{"code": "BCG", "date": "2026-04-01"}]}),
            "INVALID_INPUT",
            "future",
        ),
        (
            "add_child",
            json!({"household_id": village, "name": "A", "sex": "M", "dob": "2026-01-01"}),
            "NOT_FOUND",
            "household_id",
        ),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "colour": "red"}),
            "INVALID_INPUT",
            "colour",
        ),
        ("save_household", json!({"village_id": village, "phone": "12"}), "INVALID_INPUT", "phone"),
        ("save_household", json!({"village_id": village, "risk_category": "castle"}), "INVALID_INPUT", "risk_category"),
        ("beneficiary", json!({"register_id": "B-NOPE"}), "UNKNOWN_BENEFICIARY", "B-NOPE"),
        ("session_tally", json!({"session_id": household}), "NOT_FOUND", "session_id"),
        ("open_session", json!({"site_id": village, "date": "2026-13-01"}), "INVALID_INPUT", "date"),
        ("open_session", json!({"site_id": village, "date": "2026-03-11"}), "SESSION_IN_FUTURE", "in the future"),
        ("households", json!({"village_id": household}), "NOT_FOUND", "village_id"),
        ("set_language", json!({"language": "fr"}), "INVALID_INPUT", "language"),
        ("no_such_command", json!({}), "INVALID_INPUT", "no_such_command"),
    ];
    for (command, req, code, word) in cases {
        let e = t.err(command, req.clone());
        assert_eq!(e.code, code, "{command} {req}: {}", e.message);
        assert!(e.message.contains(word), "{command} {req}: '{}' should name {word}", e.message);
    }
    assert_eq!(t.app.store().unwrap().event_count().unwrap(), events, "nothing half-stored");
}

/// An error about one field of the request names it in `field`, the request's name for it, so
/// that a form shows the message beside that field; other errors have no `field`.
#[test]
fn an_error_about_one_field_names_it() {
    let (mut t, village, household) = T::surveyed();
    let cases = [
        ("add_village", json!({"name": "  "}), "name"),
        ("add_child", json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-02-30"}), "dob"),
        ("add_child", json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-04-01"}), "dob"),
        ("add_child", json!({"household_id": household, "name": "A", "sex": "M"}), "dob"),
        ("add_child", json!({"household_id": household, "name": "A", "sex": "M", "age_months": 80}), "age_months"),
        ("add_child", json!({"household_id": household, "name": "", "sex": "M", "dob": "2026-01-01"}), "name"),
        ("add_child", json!({"household_id": household, "name": "A", "sex": "Q", "dob": "2026-01-01"}), "sex"),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "mother_name": "a\u{7}"}),
            "mother_name",
        ),
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2026-01-01", "doses": [{"code": "BCG", "date": "2026-01-01"}, {"code": "OPV1", "date": "2025-12-01"}]}),
            "doses[1]",
        ),
        ("add_pregnant_woman", json!({"household_id": household, "name": "S"}), "lmp"),
        ("add_pregnant_woman", json!({"household_id": household, "name": "S", "edd": "2026-31-01"}), "edd"),
        ("save_household", json!({"village_id": village, "phone": "12"}), "phone"),
        ("save_household", json!({"village_id": village, "house_no": "a\u{7}"}), "house_no"),
        ("save_household", json!({"village_id": village, "risk_category": "castle"}), "risk_category"),
        ("open_session", json!({"site_id": village, "date": "2026-13-01"}), "date"),
    ];
    for (command, req, field) in cases {
        let e = t.err(command, req.clone());
        assert_eq!(e.field.as_deref(), Some(field), "{command} {req}: {}", e.message);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["field"], field);
    }
    let e = t.err("beneficiary", json!({"register_id": "B-NOPE"}));
    assert_eq!(e.field, None);
}

/// A child older than the schedule's last dose, or a pregnancy that cannot be ongoing, is refused
/// with its own code and the field; nothing is stored. (Today is 2026-03-10.)
#[test]
fn implausible_people_are_refused_with_their_codes() {
    let (mut t, _village, household) = T::surveyed();
    let events = t.app.store().unwrap().event_count().unwrap();
    let cases = [
        // Td at 16 was due on 2026-03-09: older than 16 years.
        (
            "add_child",
            json!({"household_id": household, "name": "A", "sex": "M", "dob": "2010-03-09"}),
            "DOB_TOO_OLD",
            "dob",
        ),
        (
            "add_pregnant_woman",
            json!({"household_id": household, "name": "S", "lmp": "2025-05-09"}),
            "LMP_TOO_OLD",
            "lmp",
        ),
        ("add_pregnant_woman", json!({"household_id": household, "name": "S", "lmp": "2025-06-01"}), "EDD_PAST", "lmp"),
        ("add_pregnant_woman", json!({"household_id": household, "name": "S", "edd": "2026-03-09"}), "EDD_PAST", "edd"),
    ];
    for (command, req, code, field) in cases {
        let e = t.err(command, req.clone());
        assert_eq!((e.code.as_str(), e.field.as_deref()), (code, Some(field)), "{command} {req}: {}", e.message);
    }
    assert_eq!(t.app.store().unwrap().event_count().unwrap(), events, "nothing stored");
    // The day Td-16 is due, and an EDD today, are still plausible.
    let child = t.ok("add_child", json!({"household_id": household, "name": "Ravi", "sex": "M", "dob": "2010-03-10"}));
    let woman = t.ok("add_pregnant_woman", json!({"household_id": household, "name": "Sita", "edd": "2026-03-10"}));
    // Editing is checked the same way.
    let rid = child["register_id"].as_str().unwrap();
    let e = t.err("update_beneficiary", json!({"register_id": rid, "dob": "2001-01-01"}));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("DOB_TOO_OLD", Some("dob")));
    let wid = woman["register_id"].as_str().unwrap();
    let e = t.err("update_beneficiary", json!({"register_id": wid, "lmp": "2025-01-01"}));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("LMP_TOO_OLD", Some("lmp")));
    // A pregnancy that is no longer active is not refused.
    t.ok("set_status", json!({"register_id": wid, "status": "migrated"}));
    t.ok("update_beneficiary", json!({"register_id": wid, "lmp": "2025-01-01"}));
}

#[test]
fn a_similar_household_is_found_by_house_number_or_phone() {
    let (mut t, village, household) = T::surveyed();
    // The household of T::surveyed: house 12, phone 9876543210.
    let other =
        t.ok("save_household", json!({"village_id": village, "house_no": "BK-3", "head_of_household": "Mohan"}));
    let found = |t: &mut T, req: Value| -> Vec<String> {
        let v = t.ok("similar_households", req);
        v.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(found(&mut t, json!({"village_id": village, "house_no": " 12 "})), [household.as_str()]);
    assert_eq!(found(&mut t, json!({"village_id": village, "phone": "+91 98765-43210"})), [household.as_str()]);
    assert_eq!(found(&mut t, json!({"village_id": village, "house_no": "bk-3"})), [other["id"].as_str().unwrap()]);
    assert!(found(&mut t, json!({"village_id": village, "house_no": "13", "phone": "9876543211"})).is_empty());
    assert!(found(&mut t, json!({"village_id": village})).is_empty());
    // The household being edited is not like itself.
    assert!(found(&mut t, json!({"village_id": village, "house_no": "12", "id": household})).is_empty());
    // Another village's households are not compared.
    let v2 = t.ok("add_village", json!({"name": "Salempur"}));
    assert!(found(&mut t, json!({"village_id": v2["id"], "house_no": "12"})).is_empty());
}

#[test]
fn adding_a_worker_takes_the_signed_in_workers_pin() {
    let mut t = T::new();
    let w = t.ok("add_worker", json!({"name": "Meena", "role": "anm", "pin": "4321"}));
    let e = t.err("add_worker", json!({"name": "Asha", "role": "asha", "pin": "1111"}));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("INVALID_INPUT", Some("signed_in_pin")));
    let e = t.err("add_worker", json!({"name": "Asha", "role": "asha", "pin": "1111", "signed_in_pin": "0000"}));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("WRONG_PIN", Some("signed_in_pin")));
    let a = t.ok("add_worker", json!({"name": "Asha", "role": "asha", "pin": "1111", "signed_in_pin": "4321"}));
    assert_eq!(t.ok("app_state", json!({}))["signed_in"]["id"], a["id"]);
    assert_eq!(t.ok("app_state", json!({}))["workers"].as_array().unwrap().len(), 2);
    // Wrong PINs here count towards the wait as at sign-in.
    for _ in 0..4 {
        t.err("add_worker", json!({"name": "X", "role": "asha", "pin": "2222", "signed_in_pin": "0000"}));
    }
    let e = t.err("add_worker", json!({"name": "X", "role": "asha", "pin": "2222", "signed_in_pin": "0000"}));
    assert_eq!(e.code, "PIN_WAIT");
    assert!(t.err("sign_in", json!({"worker_id": w["id"], "pin": "4321"})).code == "PIN_WAIT");
}

#[test]
fn the_app_state_tells_the_seconds_left_of_the_wait() {
    let mut t = T::new();
    let w = t.ok("add_worker", json!({"name": "Meena", "role": "anm", "pin": "4321"}));
    assert_eq!(t.ok("app_state", json!({}))["pin_wait_seconds"], Value::Null);
    t.ok("lock", json!({}));
    for _ in 0..5 {
        t.err("sign_in", json!({"worker_id": w["id"], "pin": "0000"}));
    }
    // Each call is 10 s later: the wait of 30 s began on the fifth wrong PIN.
    assert_eq!(t.ok("app_state", json!({}))["pin_wait_seconds"], 20);
    assert_eq!(t.ok("app_state", json!({}))["pin_wait_seconds"], 10);
    assert_eq!(t.ok("app_state", json!({}))["pin_wait_seconds"], Value::Null);
    t.ok("sign_in", json!({"worker_id": w["id"], "pin": "4321"}));
}

/// Ids and generated register ids replaced by placeholders (they differ on every run).
fn redact(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if ["id", "village_id", "household_id", "register_id", "session_id"].contains(&k.as_str())
                    && x.is_string()
                {
                    *x = json!(format!("[{k}]"));
                } else {
                    *x = redact(x.take());
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| *x = redact(x.take())),
        _ => {}
    }
    v
}

#[test]
fn json_shapes() {
    let (mut t, village, household) = T::surveyed();
    let child = t.ok("add_child", json!({"household_id": household, "name": "Aarav", "sex": "M", "dob": "2026-01-20"}));
    let mut keys: Vec<&String> = child.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "abha",
            "age",
            "classification",
            "delivery",
            "dob",
            "due",
            "edd",
            "fully_immunized",
            "household_id",
            "id",
            "kind",
            "lmp",
            "mother",
            "mother_name",
            "name",
            "pregnancy_weeks",
            "rch_id",
            "register_id",
            "sex",
            "status",
            "uwin_id"
        ]
    );
    insta::assert_json_snapshot!("member", redact(child));
    let h = t.ok("households", json!({"village_id": village}));
    insta::assert_json_snapshot!("households", redact(h));
    let s = t.ok("open_session", json!({"site_id": village, "date": "2026-03-10"}));
    let tally = t.ok("session_tally", json!({"session_id": s["id"]}));
    insta::assert_json_snapshot!("empty_tally", redact(tally));
    let e = serde_json::to_value(t.err("villages", json!({"x": 1}))).unwrap();
    assert_eq!(e.as_object().unwrap().keys().collect::<Vec<_>>(), ["code", "message"]);
}

#[test]
fn wrong_pins_and_the_wait_survive_closing_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    let now = std::cell::Cell::new(t0());
    let call = |app: &mut App, command: &str, req: Value| {
        now.set(now.get() + TimeDelta::seconds(1));
        app.call(command, req, clock_at(now.get()))
    };
    let mut app = App::open(&path).unwrap();
    let w = call(&mut app, "add_worker", json!({"name": "Meena", "role": "anm", "pin": "4321"})).unwrap();
    let wrong = json!({"worker_id": w["id"], "pin": "0000"});
    let right = json!({"worker_id": w["id"], "pin": "4321"});
    call(&mut app, "lock", json!({})).unwrap();
    for _ in 0..4 {
        assert_eq!(call(&mut app, "sign_in", wrong.clone()).unwrap_err().code, "WRONG_PIN");
    }
    // Closing the app does not forget the four wrong PINs: the fifth makes her wait...
    drop(app);
    let mut app = App::open(&path).unwrap();
    assert_eq!(call(&mut app, "sign_in", wrong.clone()).unwrap_err().code, "PIN_WAIT");
    // ... and closing it again does not end the wait.
    drop(app);
    let mut app = App::open(&path).unwrap();
    assert_eq!(call(&mut app, "sign_in", right.clone()).unwrap_err().code, "PIN_WAIT");
    drop(app);
    // The device clock moved back by a day: the wait is 30 s from now, not a day.
    let mut app = App::open(&path).unwrap();
    now.set(now.get() - TimeDelta::days(1));
    assert_eq!(call(&mut app, "sign_in", right.clone()).unwrap_err().code, "PIN_WAIT");
    now.set(now.get() + TimeDelta::seconds(31));
    call(&mut app, "sign_in", right.clone()).unwrap();
    // A right PIN clears the count: four wrong ones later do not make her wait.
    call(&mut app, "lock", json!({})).unwrap();
    for _ in 0..4 {
        assert_eq!(call(&mut app, "sign_in", wrong.clone()).unwrap_err().code, "WRONG_PIN");
    }
    call(&mut app, "sign_in", right).unwrap();
}

#[test]
fn warnings_are_codes_with_params_for_the_ui_to_translate() {
    let (mut t, _, household) = T::surveyed();
    let child = t.ok(
        "add_child",
        json!({"household_id": household, "name": "Aarav", "sex": "M", "dob": "2025-12-01",
               "doses": [{"code": "BCG", "date": "2025-12-01"}]}),
    );
    let rid = child["register_id"].as_str().unwrap().to_string();
    let added = t.ok("add_doses", json!({"register_id": rid, "doses": [{"code": "BCG", "date": "2025-12-03"}]}));
    assert_eq!(
        added["warnings"],
        json!([{"code": "ALREADY_GIVEN", "params": {"dose": "BCG", "given_on": "2025-12-01"}}])
    );
    // MR1 is due at 9 months: given at 3 months it is early, and says when it was due.
    let early = t.ok("add_doses", json!({"register_id": rid, "doses": [{"code": "MR1", "date": "2026-03-01"}]}));
    assert_eq!(early["warnings"][0]["code"], "EARLY");
    assert_eq!(early["warnings"][0]["params"]["dose"], "MR1");
    assert_eq!(early["warnings"][0]["params"]["due_on"], "2026-09-01");
    t.ok("set_status", json!({"register_id": rid, "status": "migrated"}));
    let inactive = t.ok("add_doses", json!({"register_id": rid, "doses": [{"code": "OPV0", "date": "2025-12-02"}]}));
    assert_eq!(
        inactive["warnings"][0],
        json!({"code": "NOT_ACTIVE", "params": {"register_id": rid, "status": "migrated"}})
    );
}

#[test]
fn a_delivery_closes_the_pregnancy_and_the_household_shows_the_newborn_with_birth_doses_due() {
    let (mut t, _, household) = T::surveyed();
    let woman = t.ok("add_pregnant_woman", json!({"household_id": household, "name": "Kamla", "lmp": "2025-06-10"}));
    // No Td: left out, never up to date.
    assert_eq!(woman["classification"], "left_out");
    let w = woman["register_id"].as_str().unwrap().to_string();
    // Refused: in the future, before the LMP, a live birth without a newborn, an unknown code.
    for (req, code) in [
        (
            json!({"register_id": w, "date": "2026-03-11", "outcome": "live_birth", "newborns": [{"name": "A", "sex": "F"}]}),
            "INVALID_INPUT",
        ),
        (
            json!({"register_id": w, "date": "2025-06-01", "outcome": "live_birth", "newborns": [{"name": "A", "sex": "F"}]}),
            "INVALID_INPUT",
        ),
        (json!({"register_id": w, "date": "2026-03-08", "outcome": "live_birth"}), "INVALID_INPUT"),
        (json!({"register_id": w, "date": "2026-03-08", "outcome": "twins"}), "INVALID_INPUT"),
        (json!({"register_id": "B-NOBODY", "date": "2026-03-08", "outcome": "stillbirth"}), "UNKNOWN_BENEFICIARY"),
    ] {
        assert_eq!(t.err("record_delivery", req.clone()).code.as_str(), code, "{req}");
    }
    let done = t.ok(
        "record_delivery",
        json!({"register_id": w, "date": "2026-03-10", "outcome": "live_birth", "newborns": [{"name": "Baby of Kamla", "sex": "F"}]}),
    );
    assert_eq!(done["mother"]["status"], "delivered");
    assert_eq!(done["mother"]["delivery"], json!({"date": "2026-03-10", "outcome": "live_birth", "live_births": 1}));
    assert_eq!(done["mother"]["due"], json!([]), "no Td is due once delivered");
    let baby = &done["newborns"][0];
    assert_eq!(
        (baby["kind"].as_str(), baby["dob"].as_str(), baby["sex"].as_str()),
        (Some("child"), Some("2026-03-10"), Some("F"))
    );
    assert_eq!((baby["mother"].as_str(), baby["mother_name"].as_str()), (Some(w.as_str()), Some("Kamla")));
    let codes: Vec<&str> = baby["due"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["BCG", "HEPB0", "OPV0"]);
    assert_eq!(baby["classification"], "up_to_date", "birth doses due now, nothing overdue");
    // The household lists the newborn.
    let members = t.ok("members", json!({"household_id": household}));
    assert!(members.as_array().unwrap().iter().any(|m| m["register_id"] == baby["register_id"]));
    // Recorded once only.
    let again = json!({"register_id": w, "date": "2026-03-10", "outcome": "stillbirth"});
    assert_eq!(t.err("record_delivery", again).code.as_str(), "INVALID_INPUT");
}

#[test]
fn the_workers_day_ages_search_across_scripts_and_follow_up() {
    let (mut t, village, household) = T::surveyed();
    // Today is 2026-03-10.
    let priya = t.ok(
        "add_child",
        json!({"household_id": household, "name": "प्रिया", "sex": "F", "dob": "2025-08-10", "mother_name": "सुनीता"}),
    );
    assert_eq!(priya["age"], json!({"years": 0, "months": 7, "weeks": 0, "days": 0}));
    assert_eq!(priya["pregnancy_weeks"], Value::Null);
    let newborn =
        t.ok("add_child", json!({"household_id": household, "name": "Mohammad", "sex": "M", "dob": "2026-02-22"}));
    assert_eq!(newborn["age"], json!({"years": 0, "months": 0, "weeks": 0, "days": 16}));
    let older = t.ok("add_child", json!({"household_id": household, "name": "Ravi", "sex": "M", "dob": "2025-01-05"}));
    assert_eq!(older["age"], json!({"years": 1, "months": 2, "weeks": 0, "days": 0}));
    let woman = t.ok("add_pregnant_woman", json!({"household_id": household, "name": "Kamla", "lmp": "2025-12-01"}));
    assert_eq!(woman["age"], Value::Null);
    assert_eq!(woman["pregnancy_weeks"], 14);

    // Latin finds Devanagari and Devanagari finds Latin; the mother's name is searched too.
    let names = |found: &Value| -> Vec<String> {
        found.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names(&t.ok("search", json!({"text": "priya"}))), ["प्रिया"]);
    assert_eq!(names(&t.ok("search", json!({"text": "मोहम्मद"}))), ["Mohammad"]);
    assert_eq!(names(&t.ok("search", json!({"text": "sunita"}))), ["प्रिया"]);
    assert_eq!(names(&t.ok("search", json!({"text": "कमला"}))), ["Kamla"]);
    // The head of household in either script, the phone's digits, the register id.
    assert_eq!(t.ok("search", json!({"text": "रमेश"})).as_array().unwrap().len(), 4);
    assert_eq!(t.ok("search", json!({"text": "98765"})).as_array().unwrap().len(), 4);
    let rid = priya["register_id"].as_str().unwrap();
    assert_eq!(names(&t.ok("search", json!({"text": rid.to_lowercase()}))), ["प्रिया"]);
    assert_eq!(t.ok("search", json!({"text": "zzz"})), json!([]));
    assert_eq!(t.ok("search", json!({"text": "priya", "village_id": village})).as_array().unwrap().len(), 1);
    let elsewhere = t.ok("add_village", json!({"name": "Sonpur"}));
    assert_eq!(t.ok("search", json!({"text": "priya", "village_id": elsewhere["id"]})), json!([]));
    assert_eq!(t.ok("search", json!({"text": "priya"}))[0]["phone"], "9876543210");

    // The card: doses not yet due with the date each falls due.
    let b = t.ok("beneficiary", json!({"register_id": newborn["register_id"]}));
    let upcoming = b["upcoming"].as_array().unwrap();
    assert_eq!(upcoming[0]["code"], "OPV1");
    assert_eq!(upcoming[0]["status"], "upcoming");
    assert_eq!(upcoming[0]["due_on"], "2026-04-05");

    // Follow-up: the left-out children and the pregnant woman with Td due, with how to reach them.
    let follow = t.ok("follow_up", json!({"village_id": village}));
    let items = follow.as_array().unwrap();
    let kamla = items.iter().find(|i| i["name"] == "Kamla").expect("the pregnant woman is followed up");
    assert_eq!(kamla["kind"], "pregnant_woman");
    assert_eq!(kamla["pregnancy_weeks"], 14);
    assert_eq!(kamla["edd"], "2026-09-07");
    assert_eq!(kamla["house_no"], "12");
    assert_eq!(kamla["phone"], "9876543210");
    let p = items.iter().find(|i| i["name"] == "प्रिया").expect("a left-out child is followed up");
    assert_eq!(p["classification"], "left_out");
    assert_eq!(p["mother_name"], "सुनीता");
    assert_eq!(p["head_of_household"], "Ramesh");
    assert_eq!(p["age"]["months"], 7);
    assert_eq!((&p["asha_name"], &p["asha_phone"]), (&json!("Sunita"), &Value::Null), "the device's ASHA");
    assert!(items.iter().all(|i| i["name"] != "Mohammad"), "a newborn with only birth doses due is on schedule");

    // The village's ASHA as the supervisor sets her, then on every follow-up item of the village.
    let e = t.err("set_village_asha", json!({"village_id": village, "asha_name": "Geeta", "asha_phone": "12"}));
    assert_eq!(e.code.as_str(), "INVALID_INPUT");
    let v = t.ok("set_village_asha", json!({"village_id": village, "asha_name": "Geeta", "asha_phone": "9812345678"}));
    assert_eq!((&v["asha_name"], &v["asha_phone"]), (&json!("Geeta"), &json!("9812345678")));
    assert_eq!(t.ok("villages", json!({}))[0]["asha_name"], "Geeta");
    let follow = t.ok("follow_up", json!({}));
    assert!(follow.as_array().unwrap().iter().all(|i| i["asha_name"] == "Geeta" && i["asha_phone"] == "9812345678"));
    let e = t.err("set_village_asha", json!({"village_id": household, "asha_name": "Geeta"}));
    assert_eq!(e.code.as_str(), "NOT_FOUND");

    // The session's list says each person's age too.
    let s = t.ok("open_session", json!({"site_id": village, "date": "2026-03-10"}));
    let due = t.ok("session_due", json!({"session_id": s["id"]}));
    let p = due.as_array().unwrap().iter().find(|i| i["name"] == "प्रिया").unwrap();
    assert_eq!(p["age"]["months"], 7);

    // A walk-in added at the session: her item, with her doses due, whether or not on the list.
    let walk_in = t.ok("add_pregnant_woman", json!({"household_id": household, "name": "Radha", "lmp": "2026-01-06"}));
    let item = t.ok("session_item", json!({"session_id": s["id"], "register_id": walk_in["register_id"]}));
    assert_eq!(item["name"], "Radha");
    assert_eq!(item["pregnancy_weeks"], 9);
    assert_eq!(item["doses"][0]["code"], "TD1");
    assert_eq!(item["given"], json!([]));
    let e = t.err("session_item", json!({"session_id": s["id"], "register_id": "B-NOBODY"}));
    assert_eq!(e.code.as_str(), "UNKNOWN_BENEFICIARY");
}

#[test]
fn national_identifiers_are_edited_checked_and_cleared() {
    let (mut t, _village, household) = T::surveyed();
    let child = t.ok("add_child", json!({"household_id": household, "name": "Aarav", "sex": "M", "dob": "2026-01-20"}));
    let id = child["register_id"].clone();
    let m =
        t.ok("update_beneficiary", json!({"register_id": id, "abha": "22 7225 4829 5255", "rch_id": "123456789012"}));
    assert_eq!(
        (&m["abha"], &m["rch_id"], &m["uwin_id"]),
        (&json!("22-7225-4829-5255"), &json!("123456789012"), &Value::Null)
    );
    for (field, value, code) in
        [("abha", "1234", "BAD_ABHA"), ("rch_id", "12", "BAD_RCH_ID"), ("uwin_id", "a b", "BAD_UWIN_ID")]
    {
        let e = t.err("update_beneficiary", json!({"register_id": id, field: value}));
        assert_eq!((e.code.as_str(), e.field.as_deref()), (code, Some(field)));
    }
    let m = t.ok("update_beneficiary", json!({"register_id": id, "abha": ""}));
    assert_eq!((&m["abha"], &m["rch_id"]), (&Value::Null, &json!("123456789012")), "emptied: cleared; the others stay");
}
