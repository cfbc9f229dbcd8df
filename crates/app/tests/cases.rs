//! The case-files screen's commands over a real store (issue 11): an ASHA's families to visit,
//! her visits and activities, the ANM's assignment and escalation (not the ASHA's), and bad
//! requests naming their field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Session;

use chrono::NaiveDate;
use serde_json::{json, Value};
use teeka_app::App;

struct T {
    s: Session,
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
    fn new() -> T {
        T { s: Session::new(App::open_in_memory().unwrap(), NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(), "anm") }
    }

    /// A household of `village` with a child who refused BCG; (household id, register id).
    fn refusing(&mut self, village: &Value, head: &str) -> (Value, String) {
        let h = self.ok("save_household", json!({"village_id": village, "head_of_household": head}));
        let c =
            self.ok("add_child", json!({"household_id": h["id"], "name": "Priya", "sex": "F", "dob": "2026-02-01"}));
        let register_id = c["register_id"].as_str().unwrap().to_string();
        self.ok("record_refusal", json!({"register_id": register_id, "reason": "REFUSED_FAMILY", "codes": ["BCG"]}));
        (h["id"].clone(), register_id)
    }

    fn as_asha(&mut self) {
        self.ok("add_worker", json!({"name": "Sunita", "role": "asha", "pin": "4321", "signed_in_pin": "1234"}));
        let id = self.ok("app_state", json!({}))["workers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["role"] == "asha")
            .unwrap()["id"]
            .clone();
        self.ok("sign_in", json!({"worker_id": id, "pin": "4321"}));
    }
}

#[test]
fn an_asha_visits_her_families_and_the_anm_assigns_and_escalates() {
    let mut t = T::new();
    let v = t.ok("add_village", json!({"name": "Rampur"}))["id"].clone();
    let other = t.ok("add_village", json!({"name": "Sonpur"}))["id"].clone();
    let (h1, child) = t.refusing(&v, "Ramesh");
    let (h2, _) = t.refusing(&v, "Suresh");
    t.refusing(&other, "Mahesh");

    // The ANM: all open cases, oldest first; assigns and escalates.
    let all = t.ok("case_files", json!({"open_only": true}));
    assert_eq!(all.as_array().unwrap().len(), 3);
    let c = t.ok("assign_case", json!({"household": h1, "persuader": "religious_leader", "name": "Maulana"}));
    assert_eq!(c["assigned"], json!({"persuader": "religious_leader", "name": "Maulana"}));
    let c = t.ok("escalate_case", json!({"household": h2, "escalated": true, "note": "hostile"}));
    assert_eq!(c["escalated"], json!({"on": "2026-03-10", "note": "hostile"}));
    let c = t.ok("escalate_case", json!({"household": h2, "escalated": false}));
    assert!(c["escalated"].is_null());

    // The ASHA: her village's families; she records a visit and an activity, not an assignment.
    t.as_asha();
    let e = t.err("assign_case", json!({"household": h1, "persuader": "anm"}));
    assert_eq!(e.code, "NOT_ALLOWED");
    assert_eq!(t.err("escalate_case", json!({"household": h1, "escalated": true})).code, "NOT_ALLOWED");
    let c = t.ok(
        "record_case_visit",
        json!({"household": h1, "date": "2026-03-10", "by": "asha", "by_name": "Sunita", "action": "counselling", "outcome": "persuaded"}),
    );
    assert_eq!((c["state"]["status"].as_str(), c["state"]["agreed_on"].as_str()), (Some("open"), Some("2026-03-10")));
    assert_eq!(c["visits"][0]["action"], "counselling");
    t.ok(
        "record_case_visit",
        json!({"household": h2, "date": "2026-03-10", "by": "asha", "action": "home_visit", "outcome": "migrated"}),
    );
    let mine = t.ok("case_files", json!({"village_id": v, "mine": true}));
    let heads: Vec<&str> = mine.as_array().unwrap().iter().map(|c| c["head_of_household"].as_str().unwrap()).collect();
    assert_eq!(heads, ["Ramesh", "Suresh"], "still to visit first, then the migrated family");
    assert_eq!(mine[1]["state"]["status"], "migrated");

    // The dose given: persuaded, by itself.
    t.ok("add_doses", json!({"register_id": child, "doses": [{"code": "BCG", "date": "2026-03-10"}]}));
    let cases = t.ok("case_files", json!({"village_id": v}));
    // Both cases opened the same day: found by household, not by place in the list.
    let c = cases.as_array().unwrap().iter().find(|c| c["household"] == h1).unwrap();
    assert_eq!(c["state"]["status"], "persuaded");

    let a = t.ok(
        "record_activity",
        json!({"village_id": v, "date": "2026-03-09", "kind": "mothers_meeting", "led_by": "Sunita", "leader": "asha", "attendance": 18}),
    );
    assert_eq!((a["kind"].as_str(), a["attendance"].as_u64()), (Some("mothers_meeting"), Some(18)));
    let list = t.ok("activities", json!({"village_id": v}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(t.ok("activities", json!({"village_id": other})).as_array().unwrap().is_empty());
}

#[test]
fn bad_requests_name_their_field_and_store_nothing() {
    let mut t = T::new();
    let v = t.ok("add_village", json!({"name": "Rampur"}))["id"].clone();
    let (h, _) = t.refusing(&v, "Ramesh");
    let free = t.ok("save_household", json!({"village_id": v, "head_of_household": "Dinesh"}))["id"].clone();
    let visit = |household: &Value, date: &str, outcome: &str| json!({"household": household, "date": date, "by": "asha", "action": "home_visit", "outcome": outcome});
    let e = t.err("record_case_visit", visit(&h, "2026-03-10", "maybe"));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("INVALID_INPUT", Some("outcome")));
    let e = t.err("record_case_visit", visit(&h, "2026-03-11", "persuaded"));
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("INVALID_INPUT", Some("date")));
    assert_eq!(t.err("record_case_visit", visit(&free, "2026-03-10", "persuaded")).code, "NO_REFUSAL");
    let e = t.err("assign_case", json!({"household": h, "persuader": "sarpanch"}));
    assert_eq!(e.field.as_deref(), Some("persuader"));
    let act = |kind: &str, led_by: &str, attendance: u32| json!({"village_id": v, "date": "2026-03-10", "kind": kind, "led_by": led_by, "attendance": attendance});
    assert_eq!(t.err("record_activity", act("dance", "S", 1)).field.as_deref(), Some("kind"));
    assert_eq!(t.err("record_activity", act("rally", " ", 1)).field.as_deref(), Some("led_by"));
    assert_eq!(t.err("record_activity", act("rally", "S", 10_001)).field.as_deref(), Some("attendance"));
    let e = t.err(
        "record_activity",
        json!({"village_id": h, "date": "2026-03-10", "kind": "rally", "led_by": "S", "attendance": 1}),
    );
    assert_eq!(e.code, "UNKNOWN_VILLAGE");
    assert!(t.ok("activities", json!({})).as_array().unwrap().is_empty());
    let c = &t.ok("case_files", json!({}))[0];
    assert!(c["visits"].as_array().unwrap().is_empty() && c["assigned"].is_null());
}
