//! The "Done when" of issue 11 (monitoring) end to end, with real processes, on both server
//! backends (SQLite and a throwaway PostgreSQL cluster; `TEEKA_SKIP_POSTGRES=1` skips it): a
//! block supervisor's `teeka` imports the register, the sites and round 1; two ANMs' devices,
//! in Rampur and in Sonpur (two villages of one block), run the round's first two days:
//! sessions, doses, a family's refusal, a religious leader's visit that persuades it, the dose
//! given the next day, a mothers' meeting. They sync; the server's report of the block, as a
//! table, as JSON and as a one-page PDF in Hindi, holds the figures known by hand, and the
//! supervisor's device, synced, computes the same ones. Bad requests (an unknown round, an area
//! outside the server's hierarchy) get a clear error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::process::Command;

mod common;
use common::world::{find, items, Env};
use common::Kind;

/// Block Mahmudabad: sub-centre Rampur SC (Rampur, Salempur) and Kamalpur SC (Sonpur).
const AREAS: &str = "state,district,block,subcentre,village
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Rampur
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Salempur
Uttar Pradesh,Sitapur,Mahmudabad,Kamalpur SC,Sonpur
";
const BLOCK: &str = "Uttar Pradesh/Sitapur/Mahmudabad";

/// On round 1's first day (2 December 2019): in Rampur, RMP-001, -002, -003 and -005 are due
/// their 6-week doses (OPV1 PENTA1 RVV1 FIPV1 PCV1) and RMP-004 its 10- and 14-week ones (OPV2
/// PENTA2 RVV2 FIPV2 PCV2): 25 doses. Salempur: SLM-002, a pregnant woman, Td-1. Sonpur:
/// SNP-001, the 6-week doses. 31 doses due in the block.
const REGISTER: &str = "register_id,household_id,village,house_no,kind,name,sex,dob,lmp,BCG,OPV0,HEPB0,OPV1,PENTA1,RVV1,FIPV1,PCV1,OPV2,PENTA2,RVV2,OPV3,PENTA3,RVV3,FIPV2,PCV2
RMP-001,RMP-H01,Rampur,12,child,Aarav,M,2019-09-01,,2019-09-01,2019-09-01,2019-09-01,,,,,,,,,,,,,
RMP-002,RMP-H02,Rampur,7,child,Ayesha,F,2019-10-01,,2019-10-01,2019-10-01,2019-10-01,,,,,,,,,,,,,
RMP-003,RMP-H02,Rampur,7,child,Imran,M,2019-10-05,,2019-10-05,2019-10-05,2019-10-05,,,,,,,,,,,,,
RMP-004,RMP-H03,Rampur,9,child,Zoya,F,2019-08-01,,2019-08-01,2019-08-01,2019-08-01,2019-09-12,2019-09-12,2019-09-12,2019-09-12,2019-09-12,,,,,,,,
RMP-005,RMP-H03,Rampur,9,child,Kabir,M,2019-10-15,,2019-10-15,2019-10-15,2019-10-15,,,,,,,,,,,,,
SLM-001,SLM-H01,Salempur,3,child,Ravi,M,2019-06-01,,2019-06-01,2019-06-01,2019-06-01,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-08-10,2019-08-10,2019-08-10,2019-09-07,2019-09-07,2019-09-07,2019-09-07,2019-09-07
SLM-002,SLM-H02,Salempur,4,pregnant_woman,Kamla,F,,2019-08-01,,,,,,,,,,,,,,,,
SNP-001,SNP-H01,Sonpur,1,child,Farah,F,2019-10-10,,2019-10-10,2019-10-10,2019-10-10,,,,,,,,,,,,,
";

const SITES: &str = "site_id,name,villages,type,hra,anm,anm_phone,mobilizers,avd,distance_km,travel_minutes,ri_day
RMP-AWC,Rampur Anganwadi,Rampur,outreach,urban_slum,Meena Devi,9876501234,Sunita (ASHA):9123400001,,2.5,20,wed
SLM-SC,Salempur Sub-centre,Salempur,fixed,none,Kavita Singh,9876505678,Geeta (ASHA):9123400002,,0,0,sat
SNP-PHC,Sonpur PHC,Sonpur,fixed,none,Rani Verma,9876509999,Lata (ASHA):9123400003,,8,45,
";

const DAY1: &str = "2019-12-02";
const DAY2: &str = "2019-12-03";
const BEFORE: &str = "2019-11-29";

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no number {key} in {v:#}"))
}

/// The report's figures that a device and the server both compute (the devices are the
/// server's alone).
fn without_devices(mut area: Value) -> Value {
    area["devices"] = Value::Null;
    area
}

fn monitoring(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };

    // The server, the supervisor's register, sites and round; the two ANMs' devices.
    let out = env.admin(&["import", "areas", &env.write("areas.csv", AREAS)]);
    assert!(out.contains("imported 3 rows"), "{out}");
    let sup_code = env.code("Mahmudabad", "supervisor");
    let rampur_code = env.code("Rampur", "anm");
    let sonpur_code = env.code("Sonpur", "anm");
    let server = env.serve();
    let sup = env.device("supervisor", BEFORE);
    sup.enroll(&server, &sup_code);
    sup.ok(BEFORE, &["import", "register", &env.write("register.csv", REGISTER)]);
    sup.ok(BEFORE, &["plan", "sites", "import", &env.write("sites.csv", SITES)]);
    sup.ok(BEFORE, &["plan", "round", "add", "--number", "1", "--start", DAY1, "--ri-days", "wed,sat"]);
    sup.sync(BEFORE);
    let rampur = env.device("rampur", BEFORE);
    rampur.enroll(&server, &rampur_code);
    rampur.sync(BEFORE);
    let sonpur = env.device("sonpur", BEFORE);
    sonpur.enroll(&server, &sonpur_code);
    sonpur.sync(BEFORE);

    // Day 1 in Rampur: RMP-001 given OPV1 and PENTA1 from one vial each; RMP-002's family
    // refuses.
    let session = rampur.id(DAY1, &["session", "open", "--site", "RMP-AWC", "--date", DAY1]);
    for antigen in ["OPV", "PENTA"] {
        rampur.id(DAY1, &["session", "vial", "open", "--session", &session, "--antigen", antigen, "--vvm", "1"]);
    }
    for code in ["OPV1", "PENTA1"] {
        rampur.ok(
            DAY1,
            &["record", "dose", "--register-id", "RMP-001", "--code", code, "--date", DAY1, "--session", &session],
        );
    }
    rampur.ok(
        DAY1,
        &[
            "record",
            "not-given",
            "--register-id",
            "RMP-002",
            "--code",
            "PENTA1",
            "--date",
            DAY1,
            "--reason",
            "REFUSED_FAMILY",
        ],
    );
    rampur.ok(DAY1, &["session", "close", "--session", &session]);
    // Day 1 in Sonpur: SNP-001 given its five 6-week doses.
    let session = sonpur.id(DAY1, &["session", "open", "--site", "SNP-PHC", "--date", DAY1]);
    for code in ["OPV1", "PENTA1", "RVV1", "FIPV1", "PCV1"] {
        sonpur.ok(
            DAY1,
            &["record", "dose", "--register-id", "SNP-001", "--code", code, "--date", DAY1, "--session", &session],
        );
    }
    sonpur.ok(DAY1, &["session", "close", "--session", &session]);

    // The evening of day 1: the religious leader visits RMP-H02 and the family agrees; on day 2
    // RMP-002 is given PENTA1 (the family persuaded, by the dose); a mothers' meeting.
    let cases = rampur.json(DAY1, &["refusals", "list", "--format", "json"]);
    let case = find(items(&cases, "cases"), "household_id", "RMP-H02");
    assert_eq!(case["state"]["status"], "open", "{case:#}");
    rampur.id(
        DAY1,
        &[
            "refusals",
            "visit",
            "--household",
            "RMP-H02",
            "--date",
            DAY1,
            "--by",
            "religious_leader",
            "--action",
            "religious_leader_visit",
            "--outcome",
            "persuaded",
        ],
    );
    let session = rampur.id(DAY2, &["session", "open", "--site", "RMP-AWC", "--date", DAY2]);
    rampur.ok(
        DAY2,
        &["record", "dose", "--register-id", "RMP-002", "--code", "PENTA1", "--date", DAY2, "--session", &session],
    );
    rampur.ok(DAY2, &["session", "close", "--session", &session]);
    rampur.id(
        DAY2,
        &[
            "activity",
            "record",
            "--village",
            "Rampur",
            "--date",
            DAY2,
            "--kind",
            "mothers_meeting",
            "--led-by",
            "Sunita",
            "--leader",
            "asha",
            "--attendance",
            "18",
        ],
    );
    let cases = rampur.json(DAY2, &["refusals", "list", "--format", "json"]);
    assert_eq!(find(items(&cases, "cases"), "household_id", "RMP-H02")["state"]["status"], "persuaded");
    rampur.sync(DAY2);
    sonpur.sync(DAY2);

    // The block's report on the server, on day 2.
    let report = env.admin_json(&["report", "--round", "1", "--area", "Mahmudabad", "--on", DAY2, "--format", "json"]);
    assert_eq!((report["round"].as_u64(), report["on"].as_str()), (Some(1), Some(DAY2)));
    let total = &report["total"];
    assert_eq!(total["area"], BLOCK);
    // 31 doses due; vaccinated: RMP-001's 2, RMP-002's PENTA1, SNP-001's 5.
    assert_eq!((n(total, "due"), n(total, "vaccinated")), (31, 8), "{total:#}");
    let penta = find(items(total, "antigens"), "antigen", "PENTA");
    assert_eq!((n(penta, "due"), n(penta, "vaccinated")), (6, 3));
    assert_eq!((n(total, "refusal_families"), n(total, "refusals_persuaded")), (1, 1));
    assert_eq!(total["persuaded_percent"], 100.0);
    let meeting = find(items(total, "activities"), "kind", "mothers_meeting");
    assert_eq!((n(meeting, "count"), n(meeting, "attendance")), (1, 18));
    // Sessions held: Rampur's of day 1 (and of day 2 if the plan holds it), Sonpur's of day 1.
    assert!(n(total, "sessions_held") >= 2, "{total:#}");
    assert_eq!(n(total, "sessions_held") + n(total, "sessions_unplanned"), 3, "{total:#}");
    let devices = &total["devices"];
    assert_eq!(n(devices, "enrolled"), 3, "{devices:#}");
    // Its child areas are the block's sub-centres, and add up to it.
    let areas = items(&report, "areas");
    let names: Vec<&str> = areas.iter().map(|a| a["area"].as_str().unwrap()).collect();
    assert_eq!(names, [format!("{BLOCK}/Kamalpur SC"), format!("{BLOCK}/Rampur SC")]);
    for key in ["sessions_planned", "sessions_held", "due", "vaccinated", "refusal_families", "refusals_persuaded"] {
        assert_eq!(areas.iter().map(|a| n(a, key)).sum::<u64>(), n(total, key), "{key}");
    }

    // As a table and as CSV.
    let table = env.admin(&["report", "--round", "1", "--area", "Mahmudabad", "--on", DAY2, "--format", "table"]);
    assert!(table.contains("Rampur SC") && table.contains("Kamalpur SC"), "{table}");
    let csv = env.admin(&["report", "--round", "1", "--area", "Mahmudabad", "--on", DAY2, "--format", "csv"]);
    assert_eq!(csv.lines().count(), 4, "a header, the block, its two sub-centres:\n{csv}");

    // As a one-page PDF in Hindi that holds its text.
    let pdf = env.dir().join("pack-hi.pdf");
    env.admin(&[
        "report",
        "--round",
        "1",
        "--area",
        "Mahmudabad",
        "--on",
        DAY2,
        "--format",
        "pdf",
        "--lang",
        "hi",
        "--output",
        pdf.to_str().unwrap(),
    ]);
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    assert!(text.status.success(), "pdftotext: {}", String::from_utf8_lossy(&text.stderr));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("चरण"), "the round, in Hindi:\n{text}");
    assert!(text.contains("Mahmudabad"), "{text}");
    let pages = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&pages.stdout).to_string();
    let count = info.lines().find_map(|l| l.strip_prefix("Pages:")).map(str::trim);
    assert_eq!(count, Some("1"), "one page:\n{info}");

    // The supervisor's device, synced, computes the same figures.
    sup.sync(DAY2);
    let local = sup.json(DAY2, &["report", "--round", "1", "--on", DAY2, "--format", "json"]);
    assert_eq!(without_devices(local["total"].clone()), without_devices(total.clone()));
    assert_eq!(local["areas"].as_array().unwrap().len(), areas.len());
    for (mine, theirs) in items(&local, "areas").iter().zip(areas) {
        assert_eq!(without_devices(mine.clone()), without_devices(theirs.clone()));
    }

    // Bad requests: an unknown round, an unknown area.
    let run = env.server_run(&["report", "--round", "9", "--area", "Mahmudabad", "--format", "json"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("error[UNKNOWN_ROUND]"), "{}", run.stderr);
    let run = env.server_run(&["report", "--round", "1", "--area", "Nowhere", "--format", "json"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("Nowhere"), "{}", run.stderr);
    let run = sup.run(DAY2, &["report", "--round", "9", "--format", "json"]);
    assert!(run.stderr.starts_with("error[UNKNOWN_ROUND]"), "{}", run.stderr);
}

#[test]
fn a_round_day_is_reported_from_village_to_block_on_sqlite() {
    monitoring(Kind::Sqlite);
}

#[test]
fn a_round_day_is_reported_from_village_to_block_on_postgres() {
    monitoring(Kind::Postgres);
}
