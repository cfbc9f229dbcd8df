//! End-to-end tests of `teeka plan sites|round|sessions|session|mop-up`: a block's sites
//! imported (demo/sites.csv, for the demo register's villages), IMI 2.0's round 1 with its RI
//! days and a holiday, its session plan, a holiday declared after planning moving sessions, a
//! session not held and moved, the mop-up list on day 7; and every bad input refused with a
//! located error and nothing stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::Cli;

use serde_json::Value;
use std::path::{Path, PathBuf};

const SITES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/sites.csv");

/// The demo's villages in 2019: children due their 6-week doses when IMI 2.0 started
/// (2 December 2019), a pregnant woman due Td-1, a child with nothing due.
const REGISTER: &str = "register_id,household_id,village,house_no,kind,name,sex,dob,lmp,BCG,OPV0,HEPB0,OPV1,PENTA1,RVV1,FIPV1,PCV1,OPV2,PENTA2,RVV2,OPV3,PENTA3,RVV3,FIPV2,PCV2
RMP-001,RMP-H01,Rampur,12,child,Aarav,M,2019-09-01,,2019-09-01,2019-09-01,2019-09-01,,,,,,,,,,,,,
RMP-002,RMP-H02,Rampur,7,child,Ayesha,F,2019-10-01,,2019-10-01,2019-10-01,2019-10-01,,,,,,,,,,,,,
RMP-003,RMP-H02,Rampur,7,child,Imran,M,2019-10-05,,2019-10-05,2019-10-05,2019-10-05,,,,,,,,,,,,,
SLM-001,SLM-H01,Salempur,3,child,Ravi,M,2019-06-01,,2019-06-01,2019-06-01,2019-06-01,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-08-10,2019-08-10,2019-08-10,2019-09-07,2019-09-07,2019-09-07,2019-09-07,2019-09-07
SLM-002,SLM-H02,Salempur,4,pregnant_woman,Kamla,F,,2019-08-01,,,,,,,,,,,,,,,,
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
    fn new() -> Device {
        Device(Cli::new("2019-12-12", "test-supervisor"))
    }

    /// The register imported and the sites of demo/sites.csv.
    fn block() -> Device {
        let d = Device::new();
        let register = d.file("register.csv", REGISTER);
        d.ok(&["import", "register", register.to_str().unwrap()]);
        d
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        write(self.dir.path(), name, text)
    }

    /// A command that must fail with `code` (1: refused, 2: usage); returns stderr.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(code), "teeka {args:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(out.stdout.is_empty(), "nothing printed on stdout");
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    fn events(&self) -> usize {
        self.json(&["status"])["pending"].as_u64().unwrap() as usize
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn days(plan: &Value, site: &str) -> Vec<String> {
    plan["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["site_id"] == site)
        .map(|s| s["day"].as_str().unwrap().to_string())
        .collect()
}

/// The story of the issue, as a new user would go through it.
#[test]
fn a_block_plans_imi_round_1_and_mops_up_on_day_7() {
    let d = Device::block();
    assert_eq!(d.ok(&["plan", "sites", "import", SITES]), "imported 2 sites (2 new, 0 changed, 0 unchanged)\n");
    assert_eq!(d.ok(&["plan", "sites", "import", SITES]), "imported 2 sites (0 new, 0 changed, 2 unchanged)\n");
    insta::assert_snapshot!("plan_sites_list", d.ok(&["plan", "sites", "list"]));
    let sites = d.json(&["plan", "sites", "list"]);
    let first = &sites["sites"][0];
    assert_eq!(first["site_id"], "RMP-AWC");
    assert_eq!(first["villages"][0]["name"], "Rampur");
    assert_eq!(first["type"], "outreach");
    assert_eq!(first["anm"]["phone"], "9876501234");
    assert_eq!(first["distance_tenths_km"], 25);
    assert_eq!(first["ri_day"], "wed");

    // IMI 2.0 round 1, Wednesdays and Saturdays being RI days, with a holiday on 10 December.
    let holidays = d.file("holidays.txt", "# district holidays\n2019-12-10\n");
    let out = d.ok(&[
        "plan",
        "round",
        "add",
        "--number",
        "1",
        "--start",
        "2019-12-02",
        "--ri-days",
        "wed,sat",
        "--holidays",
        holidays.to_str().unwrap(),
    ]);
    assert_eq!(out, "round 1 added: 7 working days from 2019-12-02 to 2019-12-13\n");
    insta::assert_snapshot!("plan_round_list", d.ok(&["plan", "round", "list"]));
    let rounds = d.json(&["plan", "round", "list"]);
    assert_eq!(rounds["rounds"][0]["holidays"], serde_json::json!(["2019-12-10"]));
    assert_eq!(rounds["rounds"][0]["ri_days"], serde_json::json!(["wed", "sat"]));
    assert_eq!(rounds["rounds"][0]["days"].as_array().unwrap().len(), 7);

    // The plan, with small outreach sessions so that Rampur needs two.
    let small = ["--outreach-size", "1-5"];
    let sessions = |extra: &[&str]| {
        let mut args = vec!["plan", "sessions", "--round", "1"];
        args.extend(small);
        args.extend(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let table = |d: &Device, extra: &[&str]| d.ok(&sessions(extra).iter().map(String::as_str).collect::<Vec<_>>());
    insta::assert_snapshot!("plan_sessions_round_1", table(&d, &[]));
    let plan: Value = serde_json::from_str(&table(&d, &["--format", "json"])).unwrap();
    assert_eq!(days(&plan, "RMP-AWC"), ["2019-12-02", "2019-12-03"]);
    assert_eq!(days(&plan, "SLM-SC"), ["2019-12-02"]);
    let s = &plan["sessions"][0];
    for key in ["site_id", "site_name", "day", "number", "injections", "expected", "not_held", "note", "moved_from"] {
        assert!(s.get(key).is_some(), "{key} in {s}");
    }
    assert_eq!(plan["problems"], serde_json::json!([]));
    let expected: Vec<&str> = plan["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["expected"].as_array().unwrap())
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(expected.len(), 4, "SLM-001 has nothing due: {expected:?}");

    // A holiday declared after planning moves Rampur's second session to the 5th.
    assert_eq!(
        d.ok(&["plan", "round", "holiday", "--number", "1", "--date", "2019-12-03"]),
        "round 1: 2019-12-03 is a holiday; 7 working days from 2019-12-02 to 2019-12-16\n"
    );
    let plan: Value = serde_json::from_str(&table(&d, &["--format", "json"])).unwrap();
    assert_eq!(days(&plan, "RMP-AWC"), ["2019-12-02", "2019-12-05"]);

    // The first session at Rampur was not held (rain); it is moved to the 16th.
    let out = d.ok(&[
        "plan",
        "session",
        "not-held",
        "--round",
        "1",
        "--site",
        "RMP-AWC",
        "--date",
        "2019-12-02",
        "--reason",
        "WEATHER",
        "--note",
        "heavy rain",
        "--outreach-size",
        "1-5",
    ]);
    assert_eq!(out, "round 1: the session at RMP-AWC on 2019-12-02 was not held: WEATHER\n");
    let out = d.ok(&[
        "plan",
        "session",
        "move",
        "--round",
        "1",
        "--site",
        "RMP-AWC",
        "--date",
        "2019-12-02",
        "--to",
        "2019-12-16",
        "--outreach-size",
        "1-5",
    ]);
    assert_eq!(out, "round 1: the session at RMP-AWC on 2019-12-02 moves to 2019-12-16\n");
    insta::assert_snapshot!("plan_sessions_round_1_changed", table(&d, &[]));
    let plan: Value = serde_json::from_str(&table(&d, &["--format", "json"])).unwrap();
    let moved = plan["sessions"].as_array().unwrap().iter().find(|s| s["moved_from"] == "2019-12-02").unwrap();
    assert_eq!((moved["site_id"].as_str(), moved["day"].as_str()), (Some("RMP-AWC"), Some("2019-12-16")));

    // Doses given at the second session; a child kept home sick; the mop-up on day 7 (the 16th,
    // since the holiday of the 3rd).
    for code in ["PENTA1", "OPV1", "RVV1", "FIPV1", "PCV1"] {
        d.ok(&["record", "dose", "--register-id", "RMP-002", "--code", code, "--date", "2019-12-05"]);
    }
    d.ok(&[
        "record",
        "not-given",
        "--register-id",
        "RMP-003",
        "--code",
        "PENTA1",
        "--date",
        "2019-12-05",
        "--reason",
        "CHILD_SICK",
    ]);
    let mop = d.json(&["plan", "mop-up", "--round", "1", "--site", "RMP-AWC", "--on", "2019-12-16"]);
    let ids: Vec<&str> = mop["items"].as_array().unwrap().iter().map(|i| i["register_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["RMP-001", "RMP-003"], "RMP-002 had every dose due");
    assert_eq!(mop["items"][1]["last_not_given"]["reason"], "CHILD_SICK");
    assert_eq!(mop["items"][0]["last_not_given"], Value::Null);
    insta::assert_snapshot!(
        "plan_mop_up_day_7",
        d.ok(&["plan", "mop-up", "--round", "1", "--site", "RMP-AWC", "--on", "2019-12-16"])
    );
}

/// Every bad input gets a located, plain error, and nothing is stored.
#[test]
fn bad_input_is_refused_with_a_located_error_and_nothing_stored() {
    let d = Device::block();
    d.ok(&["plan", "sites", "import", SITES]);
    d.ok(&["plan", "round", "add", "--number", "1", "--start", "2019-12-02", "--ri-days", "wed,sat"]);
    let before = d.events();
    let refused = |args: &[&str], code: &str, text: &str| {
        let err = d.fails(1, args);
        assert!(err.starts_with(&format!("error[{code}]: ")), "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: {err}");
    };
    let bad_sites =
        d.file("bad.csv", &std::fs::read_to_string(SITES).unwrap().replace(",Salempur,", ",Salempur;Nowhere,"));
    refused(
        &["plan", "sites", "import", bad_sites.to_str().unwrap()],
        "INVALID_INPUT",
        "line 3, column 'villages': no village named 'Nowhere'",
    );
    let bad_type = d.file("bad2.csv", &std::fs::read_to_string(SITES).unwrap().replace(",fixed,", ",static,"));
    refused(&["plan", "sites", "import", bad_type.to_str().unwrap()], "INVALID_INPUT", "line 3, column 'type'");
    refused(
        &["plan", "round", "add", "--number", "1", "--start", "2020-01-06"],
        "ROUND_EXISTS",
        "--number: round 1 is already defined here (it starts on 2019-12-02)",
    );
    refused(
        &["plan", "round", "add", "--number", "2", "--start", "2020-01-06", "--working-days", "40"],
        "INVALID_INPUT",
        "--working-days: 40 working days: a round has 1 to 31",
    );
    refused(
        &["plan", "round", "add", "--number", "2", "--start", "2020-01-06", "--ri-days", "mon,tue,wed,thu,fri,sat"],
        "INVALID_INPUT",
        "--ri-days: every day of the week",
    );
    let bad_holidays = d.file("h.txt", "2020-01-26\n26/01/2020\n");
    refused(
        &[
            "plan",
            "round",
            "add",
            "--number",
            "2",
            "--start",
            "2020-01-06",
            "--holidays",
            bad_holidays.to_str().unwrap(),
        ],
        "INVALID_INPUT",
        "holidays, line 2: '26/01/2020' is not a date",
    );
    refused(
        &["plan", "round", "holiday", "--number", "1", "--date", "2019-12-20"],
        "OUTSIDE_ROUND",
        "2019-12-20 is a date outside the round: round 1 runs from 2019-12-02 to 2019-12-12",
    );
    refused(
        &["plan", "round", "holiday", "--number", "1", "--date", "2019-12-05", "--remove"],
        "INVALID_INPUT",
        "--date: 2019-12-05 is not a holiday of round 1",
    );
    refused(
        &["plan", "round", "holiday", "--number", "4", "--date", "2019-12-05"],
        "UNKNOWN_ROUND",
        "--number: no round 4",
    );
    refused(&["plan", "sessions", "--round", "2"], "UNKNOWN_ROUND", "--round: no round 2 in this store");
    let not_held = |site: &str, date: &str, reason: &str| {
        vec!["plan", "session", "not-held", "--round", "1", "--site", site, "--date", date, "--reason", reason]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let args = |v: &[String]| v.iter().map(String::as_str).collect::<Vec<_>>().join("\u{1}");
    let run = |v: Vec<String>, code: &str, text: &str| {
        let joined = args(&v);
        refused(&joined.split('\u{1}').collect::<Vec<_>>(), code, text);
    };
    run(not_held("RMP-XYZ", "2019-12-02", "WEATHER"), "UNKNOWN_SITE", "--site: no session site 'RMP-XYZ'");
    run(not_held("RMP-AWC", "2019-12-20", "WEATHER"), "OUTSIDE_ROUND", "--date 2019-12-20: a date outside the round");
    run(
        not_held("RMP-AWC", "2019-12-03", "WEATHER"),
        "OUTSIDE_ROUND",
        "round 1's plan has no session at RMP-AWC that day (its sessions: 2019-12-02)",
    );
    run(not_held("RMP-AWC", "2019-12-02", "OTHER"), "INVALID_INPUT", "--note: note is empty");
    let err = d.fails(
        2,
        &[
            "plan",
            "session",
            "not-held",
            "--round",
            "1",
            "--site",
            "RMP-AWC",
            "--date",
            "2019-12-02",
            "--reason",
            "RAIN",
        ],
    );
    assert!(err.contains("invalid value 'RAIN' for '--reason <REASON>'"), "{err}");
    assert!(err.contains("WEATHER"), "the reasons are listed: {err}");
    refused(
        &["plan", "session", "move", "--round", "1", "--site", "RMP-AWC", "--date", "2019-12-02", "--to", "2019-12-04"],
        "OUTSIDE_ROUND",
        "--to 2019-12-04: a date outside the round",
    );
    refused(
        &["plan", "mop-up", "--round", "1", "--site", "RMP-AWC", "--on", "2019-12-13"],
        "OUTSIDE_ROUND",
        "--on 2019-12-13: a date outside the round: not one of its working days (round 1 runs from 2019-12-02 to 2019-12-12)",
    );
    refused(&["plan", "mop-up", "--round", "1", "--site", "NOPE", "--on", "2019-12-12"], "UNKNOWN_SITE", "NOPE");
    let err = d.fails(2, &["plan", "sessions", "--round", "1", "--fixed-size", "70-40"]);
    assert!(err.contains("'70-40' is not MIN-MAX injections per session"), "{err}");
    assert_eq!(d.events(), before, "nothing was stored");
    assert_eq!(d.json(&["plan", "round", "list"])["rounds"].as_array().unwrap().len(), 1);
}
