//! End-to-end test of `teeka report`: a small register of two villages (the demo's sites),
//! IMI 2.0's round 1, a session held at Rampur with a Penta vial, a refusal then the dose given,
//! Salempur's session not held; the report as JSON (an insta snapshot), as a table and as CSV,
//! of one village, and its bad inputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::Cli;

use serde_json::Value;

const SITES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/sites.csv");

/// Children of Rampur due their 6-week doses on 2 December 2019; Salempur's child has nothing
/// due and its pregnant woman is due Td-1.
const REGISTER: &str = "register_id,household_id,village,house_no,kind,name,sex,dob,lmp,BCG,OPV0,HEPB0
RMP-001,RMP-H01,Rampur,12,child,Aarav,M,2019-10-01,,2019-10-01,2019-10-01,2019-10-01
RMP-002,RMP-H02,Rampur,7,child,Ayesha,F,2019-10-05,,2019-10-05,2019-10-05,2019-10-05
SLM-002,SLM-H02,Salempur,4,pregnant_woman,Kamla,F,,2019-08-01,,,
";

/// The shared harness (`common::cli`) with this file's fixtures.
struct Device(Cli);

impl std::ops::Deref for Device {
    type Target = Cli;
    fn deref(&self) -> &Cli {
        &self.0
    }
}

impl Device {
    fn refused(&self, code: &str, args: &[&str]) -> String {
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "teeka {args:?} should be refused: {err}");
        assert!(out.stdout.is_empty());
        let prefix = format!("error[{code}]: ");
        assert!(err.starts_with(&prefix), "teeka {args:?}: {err}");
        err[prefix.len()..].trim_end().to_string()
    }
}

fn round_day() -> Device {
    let d = Device(Cli::new("2019-12-06", "test-anm"));
    let register = d.dir.path().join("register.csv");
    std::fs::write(&register, REGISTER).unwrap();
    d.ok(&["import", "register", register.to_str().unwrap()]);
    d.ok(&["plan", "sites", "import", SITES]);
    d.ok(&["plan", "round", "add", "--number", "1", "--start", "2019-12-02", "--ri-days", "wed,sat"]);
    let out = d.ok(&["session", "open", "--site", "RMP-AWC", "--date", "2019-12-02"]);
    let session = out.lines().last().unwrap().to_string();
    d.ok(&["session", "vial", "open", "--session", &session, "--antigen", "PENTA"]);
    for code in ["PENTA1", "OPV1"] {
        d.ok(&[
            "record",
            "dose",
            "--register-id",
            "RMP-001",
            "--code",
            code,
            "--date",
            "2019-12-02",
            "--session",
            &session,
        ]);
    }
    d.ok(&[
        "record",
        "not-given",
        "--register-id",
        "RMP-002",
        "--code",
        "PENTA1",
        "--date",
        "2019-12-02",
        "--reason",
        "REFUSED_FAMILY",
    ]);
    d.ok(&["record", "dose", "--register-id", "RMP-002", "--code", "PENTA1", "--date", "2019-12-05"]);
    d.ok(&[
        "plan",
        "session",
        "not-held",
        "--round",
        "1",
        "--site",
        "SLM-SC",
        "--date",
        "2019-12-02",
        "--reason",
        "WEATHER",
    ]);
    d
}

#[test]
fn a_round_day_s_report_as_json_table_and_csv() {
    let d = round_day();
    let json = d.ok(&["report", "--round", "1", "--on", "2019-12-05", "--format", "json"]);
    // The areas' ids are made at random when the villages are named.
    let redacted: Vec<String> = json
        .lines()
        .map(|l| match l.split_once("\"id\": \"") {
            Some((head, _)) => format!("{head}\"id\": \"[id]\","),
            None => l.to_string(),
        })
        .collect();
    insta::assert_snapshot!("report_round_1_json", redacted.join("\n"));
    let r: Value = serde_json::from_str(&json).unwrap();
    let t = &r["total"];
    assert_eq!((t["sessions_planned"].as_u64(), t["sessions_held"].as_u64()), (Some(2), Some(1)));
    assert_eq!((t["refusal_families"].as_u64(), t["refusals_persuaded"].as_u64()), (Some(1), Some(1)));
    let areas: Vec<&str> = r["areas"].as_array().unwrap().iter().map(|a| a["area"].as_str().unwrap()).collect();
    assert_eq!(areas, ["Rampur", "Salempur"]);
    // The total is the sum of the areas.
    for key in ["sessions_planned", "sessions_held", "sessions_not_held", "due", "vaccinated", "refusal_families"] {
        let sum: u64 = r["areas"].as_array().unwrap().iter().map(|a| a[key].as_u64().unwrap()).sum();
        assert_eq!(t[key].as_u64(), Some(sum), "{key}");
    }
    insta::assert_snapshot!(
        "report_round_1_table",
        d.ok(&["report", "--round", "1", "--on", "2019-12-05", "--format", "table"])
    );
    let csv = d.ok(&["report", "--round", "1", "--on", "2019-12-05", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    let header = teeka_domain::monitor_render::REPORT_CSV_COLUMNS.join(",");
    assert_eq!(csv.lines().next(), Some(header.as_str()));
    assert!(csv.lines().nth(2).is_some_and(|l| l.starts_with("1,2019-12-05,Rampur,")), "{csv}");
    // --on defaults to today (2019-12-06).
    let today: Value = serde_json::from_str(&d.ok(&["report", "--round", "1", "--format", "json"])).unwrap();
    assert_eq!(today["on"], "2019-12-06");

    let village: Value = serde_json::from_str(&d.ok(&[
        "report",
        "--round",
        "1",
        "--village",
        "salempur",
        "--on",
        "2019-12-05",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(village["total"]["area"], "Salempur");
    assert_eq!(village["total"]["sessions_not_held"], 1);
    assert_eq!(village["areas"], serde_json::json!([]));
}

#[test]
fn bad_requests_are_refused_clearly() {
    let d = round_day();
    let e = d.refused("UNKNOWN_ROUND", &["report", "--round", "9", "--format", "json"]);
    assert_eq!(e, "--round: no round 9 in this store (see `teeka plan round list`)");
    let e = d.refused("UNKNOWN_VILLAGE", &["report", "--round", "1", "--village", "Nowhere"]);
    assert_eq!(e, "--village: no village named 'Nowhere' in this store");
    let out = d.run(&["report", "--round", "1", "--format", "pdf"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
}
