//! End-to-end tests of the `teeka` CLI: import → due list → record → due list, coverage,
//! export round trips and refusals. Each test runs the real binary on its own store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::Cli;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

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
    fn new() -> Device {
        Device(Cli::new(TODAY, "test-anm"))
    }

    fn with_demo() -> Device {
        let d = Device::new();
        d.ok(&["import", "register", DEMO]);
        d
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
    // Golu (5 months old) is too young for MR1, and his Penta1 given today moves Penta3's
    // on-time date 8 weeks on: his first doses change no drop-out rate. He leaves the
    // Penta1 → Penta3 cohort (he was in it, past 14 weeks plus the grace, with no Penta1).
    for pair in ["bcg_mr1", "penta1_penta3", "penta1_mr1", "mr1_mr2"] {
        for field in ["from", "to", "rate"] {
            assert_eq!(cov_after["dropout"][pair][field], cov_before["dropout"][pair][field], "{pair}.{field}");
        }
    }
    assert_eq!(cov_before["dropout"]["penta1_penta3"]["cohort"], 6);
    assert_eq!(cov_after["dropout"]["penta1_penta3"]["cohort"], 5);
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
fn a_reason_must_apply_and_other_says_what_it_was() {
    let d = Device::with_demo();
    let before = d.export();
    let not_given = |rid: &'static str, code: &'static str, reason: &'static str| {
        vec!["record", "not-given", "--register-id", rid, "--code", code, "--date", TODAY, "--reason", reason]
    };
    let err = d.refused(&not_given("RMP-006", "TD1", "CHILD_SICK"));
    assert!(
        err.starts_with("error[REASON_NOT_APPLICABLE]: reason: CHILD_SICK does not apply to a pregnant woman"),
        "{err}"
    );
    let err = d.refused(&not_given("RMP-003", "OPV2", "OTHER"));
    assert!(err.starts_with("error[INVALID_INPUT]: note is empty"), "{err}");
    assert_eq!(d.export(), before, "nothing stored");
    let mut args = not_given("RMP-003", "OPV2", "OTHER");
    args.extend(["--note", "family wedding"]);
    let out = d.ok(&args);
    assert!(out.starts_with("recorded OPV2 not given to RMP-003"), "{out}");
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
    let file = write(copy.dir.path(), "export.csv", &csv);
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

/// The register's changes are checked as new rows are: a child's date of birth moved back past
/// the schedule's last dose, or a pregnant woman's LMP moved back past the EDD, is refused with
/// the located problem and nothing is stored; once she has moved away it is not refused.
#[test]
fn an_implausible_person_in_a_register_is_refused() {
    let d = Device::with_demo();
    let before = d.export();
    let dir = tempfile::tempdir().unwrap();
    let header = "register_id,household_id,village,kind,name,sex,dob,lmp,status\n";
    let file = write(
        dir.path(),
        "r.csv",
        &format!(
            "{header}RMP-005,RMP-H03,Rampur,child,Golu Kumar,M,2006-06-10,,active\n\
             RMP-004,RMP-H02,Rampur,pregnant_woman,Rukhsana Bano,F,,2025-12-01,\n"
        ),
    );
    let err = d.refused(&["import", "register", file.to_str().unwrap()]);
    assert!(err.starts_with("error[REGISTER_INVALID]: "), "{err}");
    assert!(err.contains("the register has 2 problems; nothing was imported"), "{err}");
    assert!(err.contains("line 2, column 'dob': dob 2006-06-10: the child would be older than 16 years"), "{err}");
    assert!(err.contains("line 3, column 'lmp': lmp 2025-12-01: more than 10 months before today"), "{err}");
    assert_eq!(d.export(), before);
    let file = write(
        dir.path(),
        "r2.csv",
        &format!("{header}RMP-004,RMP-H02,Rampur,pregnant_woman,Rukhsana Bano,F,,2025-12-01,migrated\n"),
    );
    d.ok(&["import", "register", file.to_str().unwrap()]);
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

/// The demo register's coverage on 22 November 2026, worked out by hand from
/// `demo/register.csv` (schedule: `docs/schedule.md`; overdue = 28 days past due).
///
/// Active children (10; Neha, RMP-009, migrated, is not counted), by age on the day:
/// - RMP-001 Aarav, 13 months: every dose to 9 months, MR1 on 14/07/2026. Up to date, FIC.
/// - RMP-002 the newborn, 7 days: BCG, HepB-0, OPV-0. Up to date.
/// - RMP-003 Ayesha, 7 months: the 6-week doses (03/06/2026) only; Penta2 overdue. Drop-out.
/// - RMP-005 Golu, 5 months: nothing. Left out.
/// - RMP-007 Priya, 10 weeks: birth and 6-week doses; the 10-week ones due 21/11. Up to date.
/// - RMP-008 Rahul, 26 months: BCG only. Drop-out; Penta can no longer start (DPT catch-up).
/// - RMP-010 Krishna, 17 months: every dose to MR1 (20/03/2026); MR2 due at 16 months
///   (18/10/2026), overdue from 15/11. Drop-out, FIC.
/// - SLP-001 Khushi, 10 months: 6- and 10-week doses; the 14-week ones overdue. Drop-out.
/// - SLP-002 Sonu, 11 months: nothing. Left out.
/// - SLP-004 Zoya, 12 weeks: BCG, OPV-0; the 6-week doses overdue. Drop-out.
///
/// FIC: 12–23 months are Aarav and Krishna, both fully immunized: 2 of 2, 100 %.
/// Drop-outs, over the children who could have had the later dose (choice 21):
/// - Penta1 → Penta3: past Penta3's on-time date + 28 days: Aarav, Krishna (both doses), Khushi
///   (Penta1, Penta2: Penta3 due 05/05), Ayesha (Penta1: Penta3 on time 29/07), Golu and Sonu
///   (neither; past 14 weeks). Not Priya, Zoya, the newborn (too young) nor Rahul (Penta no
///   longer applies). 6 children, 4 → 2: 50 %.
/// - Penta1 → MR1: past 9 months + 28 days: Aarav, Krishna, Khushi (9 months on 25/10, so
///   overdue from 22/11: today), Sonu, Rahul. 5 children; Penta1 3, MR1 2: 33.3 %.
/// - BCG → MR1: the same 5; BCG 4 (not Sonu), MR1 2: 50 %.
/// - MR1 → MR2: past 16 months (and MR1 on time + 4 weeks) + 28 days: Krishna (MR1) and Rahul
///   (neither); Aarav's MR2 is due in February 2027. 2 children, 1 → 0: 100 %.
#[test]
fn the_demo_coverage_is_what_a_hand_count_gives() {
    let d = Device::with_demo();
    let c = d.json(&["coverage", "--on", TODAY, "--format", "json"]);
    insta::assert_json_snapshot!("demo_coverage_2026_11_22", c);
    assert_eq!((&c["children"], &c["pregnant_women"]), (&Value::from(10), &Value::from(3)));
    assert_eq!(c["fic"], serde_json::json!({"cohort": 2, "fully_immunized": 2, "percent": 100.0}));
    let pair = |cohort: u32, from: u32, to: u32, rate: f64| serde_json::json!({"cohort": cohort, "from": from, "to": to, "rate": rate});
    assert_eq!(c["dropout"]["penta1_penta3"], pair(6, 4, 2, 50.0));
    assert_eq!(c["dropout"]["penta1_mr1"], pair(5, 3, 2, 33.3));
    assert_eq!(c["dropout"]["bcg_mr1"], pair(5, 4, 2, 50.0));
    assert_eq!(c["dropout"]["mr1_mr2"], pair(2, 1, 0, 100.0));
    assert_eq!((&c["left_out"], &c["drop_out"], &c["up_to_date"]), (&Value::from(2), &Value::from(5), &Value::from(3)));
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

/// `teeka plan calendar` against IMI 2.0's rounds (2 Dec 2019, 6 Jan, 3 Feb, 2 Mar 2020: seven
/// working days without Sundays and the RI days Wednesday and Saturday), with Holi (10 March
/// 2020) declared a holiday in a file with comments; it needs no store.
#[test]
fn plan_calendar_gives_imi_2_rounds_working_days() {
    let d = Device::new();
    let days = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["plan", "calendar", "--ri-days", "wed,sat", "--format", "json"];
        all.extend_from_slice(args);
        let v = d.json(&all);
        v["days"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
    };
    for (start, last) in [
        ("2019-12-02", "2019-12-12"),
        ("2020-01-06", "2020-01-16"),
        ("2020-02-03", "2020-02-13"),
        ("2020-03-02", "2020-03-12"),
    ] {
        let got = days(&["--start", start]);
        assert_eq!((got.len(), got[0].as_str(), got[6].as_str()), (7, start, last), "{got:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let holidays = write(dir.path(), "holidays.txt", "# Uttar Pradesh, 2020\n2020-03-10   # Holi\n\n");
    let holidays = holidays.to_str().unwrap();
    assert_eq!(
        days(&["--start", "2020-03-02", "--holidays", holidays]),
        ["2020-03-02", "2020-03-03", "2020-03-05", "2020-03-06", "2020-03-09", "2020-03-12", "2020-03-13"]
    );
    let table = d.ok(&["plan", "calendar", "--start", "2020-03-02", "--ri-days", "wed,sat", "--holidays", holidays]);
    assert!(
        table.starts_with("7 working days from 2020-03-02 (skipping Sundays, RI days wed,sat and 1 holiday)"),
        "{table}"
    );
    assert!(table.contains("6    2020-03-12  thu"), "{table}");
    assert!(!d.db.exists(), "the calendar opens no store");

    let bad = write(dir.path(), "bad.txt", "2020-03-10\n10/03/2020\n");
    let err = d.refused(&["plan", "calendar", "--start", "2020-03-02", "--holidays", bad.to_str().unwrap()]);
    assert!(err.starts_with("error[INVALID_INPUT]:") && err.contains("line 2: '10/03/2020' is not a date"), "{err}");
    let err = d.refused(&["plan", "calendar", "--start", "2020-03-02", "--working-days", "40"]);
    assert!(err.contains("error[INVALID_INPUT]: 40 working days: a round has 1 to 31"), "{err}");
    let out = d.run(&["plan", "calendar", "--start", "2020-03-02", "--ri-days", "wed,funday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'funday' is not a weekday"));
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
