//! The supervisor's history of a record (`record_history`): who changed a beneficiary, what,
//! when and from which device, newest first, with its corrections and the writes another
//! device's later write replaced; read from the device's own log, aliases included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{NaiveDate, TimeDelta};
use common::Session;
use serde_json::json;
use teeka_app::App;
use teeka_domain::model::{BeneficiaryField, Event, EventBody};
use teeka_domain::Hlc;
use uuid::Uuid;

#[test]
fn a_supervisor_reads_who_changed_a_record_and_others_may_not() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let mut s = Session::new(App::open_in_memory().unwrap(), today, "asha");
    let asha = s.app.signed_in().unwrap().id;
    let v = s.ok("add_village", json!({"name": "Rampur"}));
    let h = s.ok("save_household", json!({"village_id": v["id"], "house_no": "12", "head_of_household": "Ramesh"}));
    let child = s.ok(
        "add_child",
        json!({"household_id": h["id"], "name": "Pinki", "sex": "F", "dob": "2025-06-01",
               "doses": [{"code": "BCG", "date": "2025-06-02"}]}),
    );
    let rid = child["register_id"].as_str().unwrap().to_string();
    s.ok("update_beneficiary", json!({"register_id": rid, "name": "Pinki Devi"}));
    s.ok("record_refusal", json!({"register_id": rid, "reason": "REFUSED_FAMILY", "codes": ["PENTA1"]}));

    // An ASHA may not read it: it is the supervisor's view.
    let e = s.err("record_history", json!({"register_id": rid}));
    assert_eq!(e.code.as_str(), "NOT_ALLOWED");

    // Another device renamed her later (by HLC), and its event arrived in a pull.
    let other = Uuid::now_v7();
    let beneficiary = s.app.store().unwrap().beneficiary(&rid).unwrap().id;
    let later = Hlc { wall_ms: u64::try_from((s.now + TimeDelta::hours(1)).timestamp_millis()).unwrap(), counter: 0 };
    let renamed = Event {
        id: Uuid::now_v7(),
        device_id: other,
        hlc: later,
        author: "Kamla".into(),
        worker: Some(Uuid::from_u128(42)),
        recorded_at: s.now + TimeDelta::hours(1),
        body: EventBody::BeneficiaryUpdated { beneficiary, fields: vec![BeneficiaryField::Name("Pinky".into())] },
    };
    let now = s.now;
    s.app.store_mut().unwrap().apply_pulled(&[renamed], 1, now).unwrap();

    // The supervisor, at a session: a not-given record, then withdrawn (a correction).
    s.ok("add_worker", json!({"name": "Rekha", "role": "supervisor", "pin": "5678", "signed_in_pin": "1234"}));
    let session = s.ok("open_session", json!({"site_id": v["id"], "date": "2026-03-10"}));
    s.ok(
        "record_not_given",
        json!({"session_id": session["id"], "register_id": rid, "codes": ["OPV1"], "reason": "CHILD_SICK"}),
    );
    s.ok("undo_not_given", json!({"session_id": session["id"], "register_id": rid}));
    let history = s.ok("record_history", json!({"register_id": rid}));
    assert_eq!((&history["register_id"], &history["name"]), (&json!(rid), &json!("Pinky")));
    let entries = history["entries"].as_array().unwrap();
    let types: Vec<&str> = entries.iter().map(|e| e["change"]["type"].as_str().unwrap()).collect();
    // Newest first by HLC (never the devices' clocks): the supervisor's withdrawal and not-given
    // record (this device's clock moved past the pulled rename's stamp when it arrived), the other
    // device's rename, the refusal, the ASHA's rename, the card's dose, the registration.
    assert_eq!(
        types,
        ["not_given_withdrawn", "dose_not_given", "changed", "dose_not_given", "changed", "dose_given", "registered"],
        "{history:#}"
    );
    let (withdrawal, not_given) = (&entries[0], &entries[1]);
    assert_eq!(withdrawal["corrects"], json!([not_given["event_id"]]));
    assert_eq!(withdrawal["change"], json!({"type": "not_given_withdrawn", "records": 1}));
    assert_eq!((&not_given["corrected"], &withdrawal["corrected"]), (&json!(true), &json!(false)));
    assert_eq!(withdrawal["author"], "Rekha");
    let entries: Vec<_> = entries.iter().filter(|e| e["author"] != "Rekha").collect();
    let (theirs, ours) = (entries[0], entries[2]);
    assert_eq!(
        (&theirs["author"], &theirs["this_device"], &theirs["pending"]),
        (&json!("Kamla"), &json!(false), &json!(false))
    );
    assert_eq!(theirs["device_id"], json!(other));
    assert_eq!((&ours["author"], &ours["worker"], &ours["this_device"]), (&json!("Meena"), &json!(asha), &json!(true)));
    assert_eq!(ours["pending"], true, "not yet sent: this device never synced");
    assert_eq!(ours["lost"], json!(["name"]), "the later rename from another device replaced it");
    assert_eq!(theirs["lost"], json!([]));
    assert_eq!(entries[4]["lost"], json!(["name"]), "the registration's name was replaced too");
    assert_eq!(
        entries[1]["change"],
        json!({"type": "dose_not_given", "code": "PENTA1", "date": "2026-03-10", "reason": "REFUSED_FAMILY"})
    );
    assert_eq!(entries[3]["change"], json!({"type": "dose_given", "code": "BCG", "date": "2025-06-02"}));
    assert_eq!(entries[4]["change"]["register_id"], json!(rid));

    let e = s.err("record_history", json!({"register_id": "C-404"}));
    assert_eq!(e.code.as_str(), "UNKNOWN_BENEFICIARY");
}
