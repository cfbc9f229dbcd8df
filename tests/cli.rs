//! End-to-end tests of the `teeka` CLI: import → due list → record → due list, coverage,
//! export round trips and refusals. Each test runs the real binary on its own store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TODAY: &str = "2026-11-22";
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/register.csv");

struct Device {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Device {
    fn new() -> Device {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("teeka.db");
        Device { _dir: dir, db }
    }

    fn with_demo() -> Device {
        let d = Device::new();
        d.ok(&["import", "register", DEMO]);
        d
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_teeka"))
            .arg("--db")
            .arg(&self.db)
            .args(["--today", TODAY, "--author", "test-anm"])
            .args(args)
            .env_remove("TEEKA_DB")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "teeka {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail with exit code 1; returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "teeka {args:?} should be refused: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn due(&self, on: &str) -> Value {
        self.json(&["due-list", "--on", on, "--format", "json"])
    }

    fn export(&self) -> Value {
        self.json(&["export", "--format", "json"])
    }
}

fn item<'a>(list: &'a Value, register_id: &str) -> Option<&'a Value> {
    list["items"].as_array().unwrap().iter().find(|i| i["register_id"] == register_id)
}

fn dose<'a>(item: &'a Value, code: &str) -> Option<&'a Value> {
    item["doses"].as_array().unwrap().iter().find(|d| d["code"] == code)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_demo_due_list_is_stable() {
    let d = Device::with_demo();
    insta::assert_json_snapshot!("demo_due_list_2026_11_25", d.due("2026-11-25"));
}

#[test]
fn the_due_list_json_has_the_documented_shape() {
    let d = Device::with_demo();
    let list = d.due("2026-11-25");
    assert_eq!(list["date"], "2026-11-25");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&list), ["date", "items"]);
    for i in list["items"].as_array().unwrap() {
        let mut k = keys(i);
        k.sort();
        assert_eq!(
            k,
            ["classification", "doses", "fully_immunized", "household_id", "kind", "name", "register_id", "village"]
        );
        assert!(!i["doses"].as_array().unwrap().is_empty());
        for dose in i["doses"].as_array().unwrap() {
            let mut k = keys(dose);
            k.sort();
            assert_eq!(k, ["code", "due_on", "last_on", "status"]);
            assert!(dose["status"] == "due" || dose["status"] == "overdue");
        }
    }
    // The migrated child is never listed; the newborn with her birth doses is not due.
    assert!(item(&list, "RMP-009").is_none());
    assert!(item(&list, "RMP-002").is_none());
}

#[test]
fn recording_a_dose_changes_the_due_list_and_the_coverage() {
    let d = Device::with_demo();
    let before = d.due(TODAY);
    let golu = item(&before, "RMP-005").unwrap();
    assert_eq!(golu["classification"], "left_out");
    assert_eq!(dose(golu, "BCG").unwrap()["status"], "overdue");
    let cov_before = d.json(&["coverage", "--on", TODAY, "--format", "json"]);

    let out = d.ok(&["record", "dose", "--register-id", "RMP-005", "--code", "BCG", "--date", TODAY]);
    assert!(out.contains("recorded BCG given to RMP-005 on 2026-11-22"), "{out}");
    for code in ["OPV1", "PENTA1", "RVV1", "FIPV1", "PCV1"] {
        d.ok(&["record", "dose", "--register-id", "RMP-005", "--code", code, "--date", "22/11/2026"]);
    }

    let after = d.due(TODAY);
    let golu = item(&after, "RMP-005");
    assert!(golu.is_none(), "all of Golu's due doses were given: {golu:?}");
    // Four weeks later his second doses are due, and he counts as started.
    let later = d.due("2026-12-20");
    let golu = item(&later, "RMP-005").unwrap();
    assert_eq!(dose(golu, "PENTA2").unwrap()["status"], "due");
    assert_eq!(dose(golu, "PENTA2").unwrap()["due_on"], "2026-12-20");
    assert_eq!(dose(golu, "PENTA2").unwrap()["last_on"], "2026-11-22");
    assert!(dose(golu, "BCG").is_none());

    let cov_after = d.json(&["coverage", "--on", TODAY, "--format", "json"]);
    assert_eq!(cov_after["left_out"].as_u64().unwrap(), cov_before["left_out"].as_u64().unwrap() - 1);
    // Golu (5 months old) is too young for MR1 and Penta3: his first doses change no drop-out
    // rate, whose cohort is the children who could have had the later dose.
    for pair in ["bcg_mr1", "penta1_penta3", "penta1_mr1", "mr1_mr2"] {
        assert_eq!(cov_after["dropout"][pair], cov_before["dropout"][pair], "{pair}");
    }
}

#[test]
fn a_refusal_is_recorded_and_marks_the_household_resistant() {
    let d = Device::with_demo();
    let out = d.ok(&[
        "record",
        "not-given",
        "--register-id",
        "SLP-002",
        "--code",
        "MR1",
        "--date",
        TODAY,
        "--reason",
        "REFUSED_RELIGIOUS",
    ]);
    assert!(out.contains("resistant"), "{out}");
    let export = d.export();
    let sonu = export["beneficiaries"].as_array().unwrap().iter().find(|b| b["register_id"] == "SLP-002").unwrap();
    assert_eq!(sonu["resistant_household"], true);
    assert_eq!(sonu["not_given"][0]["reason"], "REFUSED_RELIGIOUS");
    assert_eq!(sonu["not_given"][0]["code"], "MR1");
    let cov = d.json(&["coverage", "--on", TODAY, "--format", "json"]);
    assert_eq!(cov["resistant_households"], 1);
    // An obstacle is recorded but does not mark the household.
    d.ok(&[
        "record",
        "not-given",
        "--register-id",
        "RMP-003",
        "--code",
        "OPV2",
        "--date",
        TODAY,
        "--reason",
        "CHILD_SICK",
    ]);
    let cov = d.json(&["coverage", "--on", TODAY, "--format", "json"]);
    assert_eq!(cov["resistant_households"], 1);
    // The dose not given is still due.
    assert!(dose(item(&d.due(TODAY), "SLP-002").unwrap(), "MR1").is_some());
}

#[test]
fn impossible_records_are_refused_and_nothing_is_stored() {
    let d = Device::with_demo();
    let before = d.export();
    let cases: &[(&[&str], &str)] = &[
        (&["record", "dose", "--register-id", "RMP-005", "--code", "BCG", "--date", "2026-06-09"], "before birth"),
        (&["record", "dose", "--register-id", "RMP-005", "--code", "BCG", "--date", "2026-11-23"], "in the future"),
        (
            &["record", "dose", "--register-id", "NOPE-1", "--code", "BCG", "--date", TODAY],
            "no beneficiary with register id 'NOPE-1'",
        ),
        (&["record", "dose", "--register-id", "RMP-005", "--code", "TD1", "--date", TODAY], "pregnant woman's dose"),
        (&["record", "dose", "--register-id", "RMP-006", "--code", "BCG", "--date", TODAY], "a child's dose"),
        (
            &[
                "record",
                "not-given",
                "--register-id",
                "RMP-005",
                "--code",
                "BCG",
                "--date",
                "2030-01-01",
                "--reason",
                "OTHER",
            ],
            "in the future",
        ),
    ];
    for (args, message) in cases {
        let err = d.refused(args);
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(err.starts_with("error["), "{err}");
    }
    // Unknown codes, reasons and dates are refused by the argument parser (usage error, exit 2).
    for args in [
        ["record", "dose", "--register-id", "RMP-005", "--code", "PENTA4", "--date", TODAY],
        ["record", "dose", "--register-id", "RMP-005", "--code", "BCG", "--date", "2026-02-30"],
    ] {
        let out = d.run(&args);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("PENTA4") || err.contains("impossible date"), "{err}");
    }
    let out = d.run(&[
        "record",
        "not-given",
        "--register-id",
        "RMP-005",
        "--code",
        "BCG",
        "--date",
        TODAY,
        "--reason",
        "LAZY",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("REFUSED_FEAR_AEFI"));
    assert_eq!(d.export(), before);
}

#[test]
fn a_dose_outside_its_window_is_recorded_with_a_warning() {
    let d = Device::with_demo();
    // Rahul is over two: Penta can no longer be given, but if it was, it must be on record.
    let out = d.run(&["record", "dose", "--register-id", "RMP-008", "--code", "PENTA1", "--date", TODAY]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: PENTA1 given on 2026-11-22 is past its maximum age"), "{err}");
    // Twice the same dose: both kept, flagged.
    let out = d.run(&["record", "dose", "--register-id", "RMP-008", "--code", "PENTA1", "--date", TODAY]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already on record"));
    let export = d.export();
    let rahul = export["beneficiaries"].as_array().unwrap().iter().find(|b| b["register_id"] == "RMP-008").unwrap();
    assert_eq!(rahul["doses"].as_array().unwrap().iter().filter(|x| x["code"] == "PENTA1").count(), 2);
    // Having started Penta, he is no longer offered DPT catch-up but continues with PENTA2.
    let list = d.due("2026-12-20");
    let rahul = item(&list, "RMP-008").unwrap();
    assert!(dose(rahul, "DPT1").is_none());
    assert_eq!(dose(rahul, "PENTA2").unwrap()["status"], "due");
}

#[test]
fn export_csv_round_trips_through_import() {
    let d = Device::with_demo();
    d.ok(&["record", "dose", "--register-id", "RMP-005", "--code", "BCG", "--date", TODAY]);
    let csv = d.ok(&["export", "--format", "csv"]);
    assert!(csv.contains("आरव यादव"));
    let copy = Device::new();
    let file = write(copy._dir.path(), "export.csv", &csv);
    copy.ok(&["import", "register", file.to_str().unwrap()]);
    let strip = |mut v: Value| {
        for b in v["beneficiaries"].as_array_mut().unwrap() {
            for dose in b["doses"].as_array_mut().unwrap() {
                dose.as_object_mut().unwrap().remove("id");
            }
            // Refusals are events of the session, not columns of the register.
            b.as_object_mut().unwrap().remove("not_given");
        }
        v
    };
    assert_eq!(strip(copy.export()), strip(d.export()));
    assert_eq!(copy.ok(&["export", "--format", "csv"]), csv);
}

#[test]
fn importing_the_same_register_twice_adds_nothing() {
    let d = Device::with_demo();
    let before = d.export();
    let out = d.ok(&["import", "register", DEMO]);
    assert!(
        out.contains("0 villages, 0 households (0 updated), 0 beneficiaries (0 updated), 0 doses (0 corrected)"),
        "{out}"
    );
    assert_eq!(d.export(), before);
}

#[test]
fn a_changed_register_updates_fields_and_corrects_doses() {
    let d = Device::with_demo();
    let dir = tempfile::tempdir().unwrap();
    let header = "register_id,household_id,village,kind,name,sex,dob,status,BCG\n";
    let file = write(
        dir.path(),
        "r.csv",
        &format!("{header}RMP-005,RMP-H03,Rampur,child,Golu Kumar,M,2026-06-10,active,2026-06-12\n"),
    );
    let out = d.ok(&["import", "register", file.to_str().unwrap()]);
    assert!(out.contains("1 beneficiaries (1 updated)") || out.contains("(1 updated)"), "{out}");
    let file = write(
        dir.path(),
        "r2.csv",
        &format!("{header}RMP-005,RMP-H03,Rampur,child,Golu Kumar,M,2026-06-10,migrated,2026-06-11\n"),
    );
    let out = d.run(&["import", "register", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BCG corrected from 2026-06-12 to 2026-06-11"));
    let export = d.export();
    let golu = export["beneficiaries"].as_array().unwrap().iter().find(|b| b["register_id"] == "RMP-005").unwrap();
    assert_eq!(golu["name"], "Golu Kumar");
    assert_eq!(golu["status"], "migrated");
    let bcg: Vec<_> = golu["doses"].as_array().unwrap().iter().filter(|x| x["code"] == "BCG").collect();
    assert_eq!(bcg.len(), 1);
    assert_eq!(bcg[0]["date"], "2026-06-11");
    // Migrated: never on the due list.
    assert!(item(&d.due(TODAY), "RMP-005").is_none());
}

#[test]
fn village_filter_csv_format_and_unknown_village() {
    let d = Device::with_demo();
    let list = d.json(&["due-list", "--on", TODAY, "--village", "Salempur", "--format", "json"]);
    let items = list["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["village"] == "Salempur"));
    let csv = d.ok(&["due-list", "--on", TODAY, "--village", "Salempur", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("register_id,name,kind,household_id,village,classification,fully_immunized,code,status,due_on,last_on")
    );
    let doses: usize = items.iter().map(|i| i["doses"].as_array().unwrap().len()).sum();
    assert_eq!(lines.count(), doses);
    let err = d.refused(&["due-list", "--on", TODAY, "--village", "Atlantis"]);
    assert!(err.contains("no village named 'Atlantis'"), "{err}");
    let table = d.ok(&["due-list", "--on", TODAY, "--village", "Salempur"]);
    assert!(table.contains("SLP-002") && table.contains("left_out") && !table.contains("RMP-"), "{table}");
}

#[test]
fn je_is_due_only_where_the_village_is_endemic() {
    let d = Device::with_demo();
    let has_je = |list: &Value| list["items"].as_array().unwrap().iter().any(|i| dose(i, "JE1").is_some());
    assert!(!has_je(&d.due(TODAY)));
    d.ok(&["village", "set", "Rampur", "--je-endemic", "yes"]);
    let list = d.due(TODAY);
    let rahul = item(&list, "RMP-008").unwrap();
    assert_eq!(dose(rahul, "JE1").unwrap()["status"], "overdue");
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| dose(i, "JE1").is_some())
        .all(|i| i["village"] == "Rampur"));
    d.ok(&["village", "set", "Rampur", "--je-endemic", "no"]);
    assert!(!has_je(&d.due(TODAY)));
    assert!(d.refused(&["village", "set", "Atlantis", "--je-endemic", "yes"]).contains("Atlantis"));
}

#[test]
fn the_overdue_grace_is_a_setting() {
    let d = Device::with_demo();
    // Priya's 10-week doses fell due on 2026-11-21.
    let status = |d: &Device, on: &str| dose(item(&d.due(on), "RMP-007").unwrap(), "PENTA2").unwrap()["status"].clone();
    assert_eq!(status(&d, "2026-12-18"), "due");
    assert_eq!(status(&d, "2026-12-19"), "overdue");
    d.ok(&["settings", "set-overdue-grace-days", "7"]);
    assert_eq!(status(&d, "2026-11-27"), "due");
    assert_eq!(status(&d, "2026-11-28"), "overdue");
    assert_eq!(d.json(&["settings", "show"])["overdue_grace_days"], 7);
}

#[test]
fn coverage_reports_fic_and_drop_outs() {
    let d = Device::with_demo();
    let c = d.json(&["coverage", "--on", TODAY, "--format", "json"]);
    insta::assert_json_snapshot!("demo_coverage_2026_11_22", c);
    assert_eq!(c["fic"]["cohort"], 2);
    assert_eq!(c["fic"]["fully_immunized"], 2);
    assert_eq!(c["left_out"], 2);
    assert_eq!(c["resistant_households"], 0);
    let table = d.ok(&["coverage", "--on", TODAY, "--village", "Rampur"]);
    assert!(table.contains("village Rampur") && table.contains("Drop-out Penta1 → Penta3"), "{table}");
}

#[test]
fn a_store_is_required_and_a_damaged_one_is_reported() {
    let out = Command::new(env!("CARGO_BIN_EXE_teeka"))
        .args(["due-list", "--on", TODAY])
        .env_remove("TEEKA_DB")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--db PATH or set TEEKA_DB"));
    let d = Device::new();
    std::fs::write(&d.db, b"this is not a database, it is a letter").unwrap();
    let err = d.refused(&["due-list", "--on", TODAY]);
    assert!(err.contains("cannot open the store"), "{err}");
}

#[test]
fn a_delivery_is_recorded_and_registers_the_newborn() {
    let d = Device::with_demo();
    // Kamla Devi (RMP-006), LMP 2026-09-05, has no Td: left out even while TD1 is only due.
    assert_eq!(item(&d.due(TODAY), "RMP-006").unwrap()["classification"], "left_out");
    let err = d.refused(&[
        "record",
        "delivery",
        "--mother",
        "RMP-006",
        "--date",
        "2026-11-23",
        "--outcome",
        "live_birth",
        "--newborn",
        "Baby:F",
    ]);
    assert!(err.contains("in the future"), "{err}");
    let err = d.refused(&["record", "delivery", "--mother", "RMP-006", "--date", TODAY, "--outcome", "live_birth"]);
    assert!(err.contains("a live birth needs at least one newborn"), "{err}");
    let out = d.run(&[
        "record",
        "delivery",
        "--mother",
        "RMP-006",
        "--date",
        TODAY,
        "--outcome",
        "live_birth",
        "--newborn",
        "Baby",
    ]);
    assert_eq!(out.status.code(), Some(2), "NAME:SEX is checked by the parser");
    let out = d.ok(&[
        "record",
        "delivery",
        "--mother",
        "RMP-006",
        "--date",
        "2026-11-21",
        "--outcome",
        "live_birth",
        "--newborn",
        "Baby of Kamla: F",
        "--newborn",
        "Baby 2 of Kamla:m",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("recorded the delivery of RMP-006 on 2026-11-21: live_birth (event "), "{out}");
    assert!(
        lines[1].starts_with("registered newborn B-") && lines[1].ends_with(": Baby of Kamla (born 2026-11-21)"),
        "{out}"
    );
    let export = d.export();
    let rows = export["beneficiaries"].as_array().unwrap();
    let kamla = rows.iter().find(|b| b["register_id"] == "RMP-006").unwrap();
    assert_eq!(kamla["status"], "delivered");
    assert_eq!(kamla["delivery"], serde_json::json!({"date": "2026-11-21", "outcome": "live_birth", "live_births": 2}));
    let babies: Vec<&Value> = rows.iter().filter(|b| b["mother"] == "RMP-006").collect();
    assert_eq!(babies.len(), 2);
    assert!(babies
        .iter()
        .all(|b| b["household_id"] == "RMP-H03" && b["dob"] == "2026-11-21" && b["mother_name"] == "Kamla Devi"));
    // The newborns are on the due list with their birth doses; the mother is not.
    let due = d.due(TODAY);
    assert!(item(&due, "RMP-006").is_none());
    let baby = item(&due, babies[0]["register_id"].as_str().unwrap()).unwrap();
    assert!(dose(baby, "BCG").is_some() && dose(baby, "OPV0").is_some());
    // The CSV export still round-trips through import (the register's columns unchanged).
    let csv = d.ok(&["export", "--format", "csv"]);
    assert!(csv.starts_with("register_id,household_id,village,"));
}
