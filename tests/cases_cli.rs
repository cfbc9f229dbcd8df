//! End-to-end tests of `teeka refusals …` and `teeka activity …` (issue 11): a resistant
//! family's case file from the refusal to the dose given, communication activities, and bad
//! input refused naming its flag with nothing stored. Each test runs the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::Cli;

use serde_json::Value;

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
    /// The demo register, with SLP-002 (household SLP-H02, Salempur) refusing MR1 on 2026-11-20.
    fn with_refusal() -> Device {
        let d = Device(Cli::new(TODAY, "test-asha"));
        d.ok(&["import", "register", DEMO]);
        d.ok(&[
            "record",
            "not-given",
            "--register-id",
            "SLP-002",
            "--code",
            "MR1",
            "--date",
            "2026-11-20",
            "--reason",
            "REFUSED_RELIGIOUS",
        ]);
        d
    }

    fn cases(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["refusals", "list", "--format", "json"];
        args.extend(extra);
        self.json(&args)["cases"].as_array().unwrap().clone()
    }

    fn events(&self) -> usize {
        self.json(&["status", "--format", "json"])["pending"].as_u64().unwrap() as usize
    }
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or_default()
}

#[test]
fn a_resistant_family_is_visited_assigned_escalated_and_persuaded_by_the_dose() {
    let d = Device::with_refusal();
    let cases = d.cases(&[]);
    assert_eq!(cases.len(), 1);
    let c = &cases[0];
    assert_eq!(c["household_id"], "SLP-H02");
    assert_eq!(c["village"], "Salempur");
    assert_eq!(c["head_of_household"], "Jagdish Oraon");
    assert_eq!(c["refusals"][0]["register_id"], "SLP-002");
    assert_eq!(c["refusals"][0]["codes"], serde_json::json!(["MR1"]));
    assert_eq!(c["refusals"][0]["reason"], "REFUSED_RELIGIOUS");
    assert_eq!(c["state"]["status"], "open");
    assert_eq!(c["state"]["opened_on"], "2026-11-20");
    assert_eq!(c["days_open"], 2);

    let out = d.ok(&[
        "refusals",
        "visit",
        "--household",
        "SLP-H02",
        "--date",
        "2026-11-21",
        "--by",
        "asha",
        "--by-name",
        "Sunita",
        "--action",
        "home_visit",
        "--outcome",
        "still_refusing",
    ]);
    let visit: uuid::Uuid = last_line(&out).parse().unwrap();
    assert!(out.contains("the case is still_refusing"), "{out}");
    let out = d.ok(&["refusals", "assign", "--household", "slp-h02", "--to", "religious_leader", "--name", "Imam"]);
    assert_eq!(out.trim(), "SLP-H02: assigned to religious_leader (Imam)");
    d.ok(&["refusals", "escalate", "--household", "SLP-H02", "--note", "the father is hostile"]);
    let c = &d.cases(&["--open", "--assigned-to", "religious_leader", "--village", "Salempur"])[0];
    assert_eq!(c["visits"][0]["id"], visit.to_string());
    assert_eq!(c["visits"][0]["by_name"], "Sunita");
    assert_eq!(c["assigned"]["persuader"], "religious_leader");
    assert_eq!(c["escalated"]["on"], TODAY);
    assert_eq!(c["escalated"]["note"], "the father is hostile");
    assert_eq!(c["state"]["status"], "still_refusing");
    assert!(d.cases(&["--assigned-to", "anm"]).is_empty());
    assert!(d.cases(&["--village", "Rampur"]).is_empty());
    // Seen on the day of the refusal: open, not yet visited nor escalated.
    let c = &d.cases(&["--on", "2026-11-20"])[0];
    assert_eq!((c["state"]["status"].as_str(), c["state"]["escalated_on"].is_null()), (Some("open"), true));

    let out = d.ok(&["refusals", "escalate", "--household", "SLP-H02", "--withdraw"]);
    assert!(out.contains("withdrawn"), "{out}");
    assert!(d.cases(&[])[0]["escalated"].is_null());

    // The family agrees: open, the dose awaited; the dose given: persuaded by itself.
    d.ok(&[
        "refusals",
        "visit",
        "--household",
        "SLP-H02",
        "--date",
        TODAY,
        "--by",
        "religious_leader",
        "--action",
        "religious_leader_visit",
        "--outcome",
        "persuaded",
    ]);
    let c = &d.cases(&[])[0];
    assert_eq!((c["state"]["status"].as_str(), c["state"]["agreed_on"].as_str()), (Some("open"), Some(TODAY)));
    d.ok(&["record", "dose", "--register-id", "SLP-002", "--code", "MR1", "--date", TODAY]);
    let c = &d.cases(&[])[0];
    assert_eq!(c["state"]["status"], "persuaded");
    assert_eq!(c["state"]["persuaded_on"], TODAY);
    assert!(d.cases(&["--open"]).is_empty());

    let table = d.ok(&["refusals", "list"]);
    assert!(
        table.contains("SLP-H02") && table.contains("persuaded") && table.contains("religious_leader (Imam)"),
        "{table}"
    );
    let csv = d.ok(&["refusals", "list", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "household_id,village,head_of_household,phone,opened_on,days_open,status,assigned_to,assigned_name,\
             visits,last_visit,agreed_on,persuaded_on,escalated_on,refused"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "SLP-H02,Salempur,Jagdish Oraon,,2026-11-20,2,persuaded,religious_leader,Imam,2,2026-11-22,,2026-11-22,,\
             SLP-002 Sonu Oraon MR1 REFUSED_RELIGIOUS 2026-11-20"
        )
    );
}

#[test]
fn a_communication_activity_is_recorded_and_listed() {
    let d = Device::with_refusal();
    let out = d.ok(&[
        "activity",
        "record",
        "--village",
        "salempur",
        "--date",
        "2026-11-21",
        "--kind",
        "mothers_meeting",
        "--led-by",
        "Sunita",
        "--leader",
        "asha",
        "--attendance",
        "14",
        "--note",
        "at the anganwadi",
    ]);
    let id: uuid::Uuid = last_line(&out).parse().unwrap();
    assert_eq!(
        out.lines().next(),
        Some("recorded a mothers_meeting in Salempur on 2026-11-21, led by Sunita: 14 attended")
    );
    d.ok(&[
        "activity",
        "record",
        "--village",
        "Rampur",
        "--date",
        TODAY,
        "--kind",
        "miking",
        "--led-by",
        "Mobilizer Raju",
        "--attendance",
        "0",
    ]);
    let list = d.json(&["activity", "list", "--village", "Salempur", "--format", "json"]);
    let a = &list["activities"][0];
    assert_eq!(list["activities"].as_array().unwrap().len(), 1);
    assert_eq!(a["id"], id.to_string());
    assert_eq!(
        (a["kind"].as_str(), a["led_by"].as_str(), a["leader"].as_str()),
        (Some("mothers_meeting"), Some("Sunita"), Some("asha"))
    );
    assert_eq!(a["attendance"], 14);
    assert_eq!(a["note"], "at the anganwadi");
    let all = d.ok(&["activity", "list"]);
    assert!(all.starts_with("Communication activities: 2\n"), "{all}");
    assert!(all.find("miking").unwrap() < all.find("mothers_meeting").unwrap(), "newest first: {all}");
}

#[test]
fn bad_input_names_its_flag_and_stores_nothing() {
    let d = Device::with_refusal();
    let before = d.events();
    let visit = |household: &str, date: &str, by: &str, action: &str, outcome: &str| {
        d.refused(&[
            "refusals",
            "visit",
            "--household",
            household,
            "--date",
            date,
            "--by",
            by,
            "--action",
            action,
            "--outcome",
            outcome,
        ])
    };
    let err = visit("SLP-H02", TODAY, "asha", "home_visit", "x");
    assert_eq!(
        err.trim(),
        "error[INVALID_INPUT]: --outcome: unknown visit outcome 'x' (expected one of: persuaded still_refusing migrated)"
    );
    assert!(visit("SLP-H02", TODAY, "doctor", "home_visit", "persuaded").contains("--by: unknown persuader 'doctor'"));
    assert!(visit("SLP-H02", TODAY, "asha", "phone_call", "persuaded").contains("--action: unknown visit action"));
    let err = visit("SLP-H02", "2026-11-23", "asha", "home_visit", "persuaded");
    assert!(err.starts_with("error[INVALID_INPUT]: --date: date 2026-11-23 is in the future"), "{err}");
    let err = visit("SLP-H02", "2026-11-19", "asha", "home_visit", "persuaded");
    assert!(err.contains("--date: date 2026-11-19 is before the family's first refusal (2026-11-20)"), "{err}");
    let err = visit("RMP-H01", TODAY, "asha", "home_visit", "persuaded");
    assert!(err.starts_with("error[NO_REFUSAL]: --household: household RMP-H01 has no refusal standing"), "{err}");
    let err = visit("HH-NOPE", TODAY, "asha", "home_visit", "persuaded");
    assert!(err.starts_with("error[NOT_FOUND]: --household: household 'HH-NOPE'"), "{err}");
    let long = "n".repeat(101);
    let err = d.refused(&["refusals", "escalate", "--household", "SLP-H02", "--note", &long]);
    assert!(err.contains("--note: note is longer than 100 characters"), "{err}");
    let err = d.refused(&["refusals", "assign", "--household", "SLP-H02", "--to", "sarpanch"]);
    assert!(err.contains("--to: unknown persuader 'sarpanch' (expected one of: asha anm aww"), "{err}");
    let err = d.refused(&["refusals", "list", "--assigned-to", "x"]);
    assert!(err.contains("--assigned-to: unknown persuader 'x'"), "{err}");
    let err = d.refused(&["refusals", "list", "--village", "Nowhere"]);
    assert!(err.starts_with("error[UNKNOWN_VILLAGE]: --village:"), "{err}");

    let activity = |village: &str, date: &str, kind: &str, led_by: &str, attendance: &str| {
        d.refused(&[
            "activity",
            "record",
            "--village",
            village,
            "--date",
            date,
            "--kind",
            kind,
            "--led-by",
            led_by,
            "--attendance",
            attendance,
        ])
    };
    assert!(activity("Nowhere", TODAY, "rally", "S", "1").starts_with("error[UNKNOWN_VILLAGE]: --village:"));
    assert!(activity("Rampur", "2026-11-23", "rally", "S", "1").contains("--date: date 2026-11-23 is in the future"));
    assert!(activity("Rampur", TODAY, "dance", "S", "1").contains("--kind: unknown activity 'dance'"));
    assert!(activity("Rampur", TODAY, "rally", "  ", "1").contains("--led-by: led_by is empty"));
    assert!(
        activity("Rampur", TODAY, "rally", "S", "10001").contains("--attendance: attendance 10001 is more than 10000")
    );
    assert_eq!(d.events(), before, "nothing was stored");
    assert!(d.cases(&[])[0]["visits"].as_array().unwrap().is_empty());
}
