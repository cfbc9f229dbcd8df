//! End-to-end tests of issue 12 through the real `teeka` binary: the national identifiers
//! (`teeka beneficiary set-ids`, the register CSV's columns) and FHIR documents out and in
//! (`teeka export --format fhir`, `teeka import fhir`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::Cli;

use serde_json::Value;
use std::path::{Path, PathBuf};

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
        Device(Cli::new(TODAY, "Meena Devi"))
    }

    fn with_demo() -> Device {
        let d = Device::new();
        d.ok(&["import", "register", DEMO]);
        d
    }

    fn export(&self) -> Value {
        serde_json::from_str(&self.ok(&["export", "--format", "json"])).unwrap()
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        write(self.dir.path(), name, text)
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn beneficiary<'a>(export: &'a Value, register_id: &str) -> &'a Value {
    export["beneficiaries"].as_array().unwrap().iter().find(|b| b["register_id"] == register_id).unwrap()
}

#[test]
fn identifiers_are_set_checked_and_exported_by_the_cli() {
    let d = Device::with_demo();
    let out = d.ok(&[
        "beneficiary",
        "set-ids",
        "--register-id",
        "RMP-001",
        "--abha",
        "22 7225 4829 5255",
        "--rch-id",
        "1234-5678-9012",
    ]);
    assert_eq!(out, "RMP-001: abha 22-7225-4829-5255, rch_id 123456789012\n");
    let e = d.export();
    let b = beneficiary(&e, "RMP-001");
    assert_eq!(
        (b["abha"].as_str(), b["rch_id"].as_str(), b.get("uwin_id")),
        (Some("22-7225-4829-5255"), Some("123456789012"), None)
    );
    assert!(beneficiary(&e, "RMP-002").get("abha").is_none(), "absent identifiers are not in the JSON");

    let before = d.export();
    let err = d.refused(&["beneficiary", "set-ids", "--register-id", "RMP-001", "--abha", "1234"]);
    assert!(
        err.starts_with("error[BAD_ABHA]: --abha: abha '1234' is not of its shape: an ABHA number has 14 digits"),
        "{err}"
    );
    let err = d.refused(&["beneficiary", "set-ids", "--register-id", "RMP-001", "--uwin-id", "a b"]);
    assert!(err.starts_with("error[BAD_UWIN_ID]: --uwin-id:"), "{err}");
    let err = d.refused(&["beneficiary", "set-ids", "--register-id", "NOPE", "--rch-id", "123456789012"]);
    assert!(err.starts_with("error[UNKNOWN_BENEFICIARY]"), "{err}");
    assert_eq!(d.export(), before, "nothing stored");

    // Cleared with an empty value; the register CSV carries them and a re-import keeps them.
    assert_eq!(
        d.ok(&["beneficiary", "set-ids", "--register-id", "RMP-001", "--rch-id", ""]),
        "RMP-001: rch_id cleared\n"
    );
    let csv = d.ok(&["export", "--format", "csv"]);
    assert!(csv.lines().next().unwrap().contains(",status,abha,rch_id,uwin_id,BCG,"));
    let fresh = Device::new();
    fresh.ok(&["import", "register", fresh.file("r.csv", &csv).to_str().unwrap()]);
    assert_eq!(beneficiary(&fresh.export(), "RMP-001")["abha"], "22-7225-4829-5255");
    assert!(beneficiary(&fresh.export(), "RMP-001").get("rch_id").is_none());

    // A register with a bad identifier is refused, located.
    let bad =
        "register_id,household_id,village,kind,name,sex,dob,rch_id\nX-1,XH-1,Rampur,child,Asha,F,2026-01-10,12345\n";
    let err = fresh.refused(&["import", "register", fresh.file("bad.csv", bad).to_str().unwrap()]);
    assert!(
        err.contains(
            "line 2, column 'rch_id': rch_id '12345' is not of its shape: an RCH ID has 12 digits (BAD_RCH_ID)"
        ),
        "{err}"
    );
}

/// The export without what a FHIR round trip does not carry: record ids, and not-given
/// records (a FHIR import adds only doses given).
fn comparable(export: &Value) -> Value {
    let mut e = export.clone();
    for b in e["beneficiaries"].as_array_mut().unwrap() {
        for d in b["doses"].as_array_mut().unwrap() {
            d.as_object_mut().unwrap().remove("id");
        }
        b["not_given"] = Value::Array(vec![]);
        // A refusal standing is a not-given record.
        b["resistant_household"] = Value::Bool(false);
    }
    e
}

#[test]
fn a_village_exported_as_fhir_imports_into_a_new_device_with_the_same_due_list() {
    let d = Device::with_demo();
    d.ok(&["beneficiary", "set-ids", "--register-id", "RMP-001", "--abha", "22-7225-4829-5255"]);
    d.ok(&[
        "record",
        "not-given",
        "--register-id",
        "RMP-005",
        "--code",
        "PENTA1",
        "--date",
        TODAY,
        "--reason",
        "REFUSED_FAMILY",
    ]);
    let ndjson = d.ok(&["export", "--format", "fhir"]);
    let lines: Vec<&str> = ndjson.lines().collect();
    let export = d.export();
    assert_eq!(lines.len(), export["beneficiaries"].as_array().unwrap().len(), "one line per beneficiary");
    for l in &lines {
        let b: Value = serde_json::from_str(l).unwrap();
        assert_eq!(teeka_domain::fhir::structural_problems(&b), Vec::<String>::new());
        assert_eq!(b["entry"][2]["resource"]["name"][0]["text"], "Meena Devi", "the exporting worker is the author");
    }
    assert!(ndjson.contains("\"PATOBJ\""));
    // Deterministic: the same store exports the same documents (--today fixes the date; the
    // timestamp is the clock's, so compare without it).
    let strip = |s: &str| {
        s.lines()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("timestamp");
                v["meta"].as_object_mut().unwrap().remove("lastUpdated");
                v["entry"][0]["resource"].as_object_mut().unwrap().remove("date");
                v["entry"].as_array().unwrap().len()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&ndjson), strip(&d.ok(&["export", "--format", "fhir"])));

    // One village only.
    let rampur = d.ok(&["export", "--format", "fhir", "--village", "rampur"]);
    assert!(rampur.lines().count() < lines.len() && rampur.lines().all(|l| l.contains("\"city\":\"Rampur\"")));
    let err = d.refused(&["export", "--format", "fhir", "--village", "Nowhere"]);
    assert!(err.starts_with("error[UNKNOWN_VILLAGE]"), "{err}");

    // Into a new device: the same beneficiaries, doses and due list.
    let fresh = Device::new();
    let file = fresh.file("demo.ndjson", &ndjson);
    let out = fresh.ok(&["import", "fhir", file.to_str().unwrap()]);
    let n = lines.len();
    let doses: usize =
        export["beneficiaries"].as_array().unwrap().iter().map(|b| b["doses"].as_array().unwrap().len()).sum();
    assert_eq!(out, format!("imported {n} records: {n} beneficiaries added, 0 matched by identifier, 0 by register id; {doses} doses added\n"));
    assert_eq!(comparable(&fresh.export()), comparable(&export));
    let due = |dev: &Device| dev.ok(&["due-list", "--on", TODAY, "--format", "json"]);
    let mut want: Value = serde_json::from_str(&due(&d)).unwrap();
    let got: Value = serde_json::from_str(&due(&fresh)).unwrap();
    // RMP-005's refusal is a not-given record, which the due list does not read.
    assert_eq!(got, {
        want["date"] = got["date"].clone();
        want
    });

    // The same file again adds nothing.
    let out = fresh.ok(&["import", "fhir", file.to_str().unwrap()]);
    assert_eq!(
        out,
        format!(
            "imported {n} records: 0 beneficiaries added, 1 matched by identifier, {} by register id; 0 doses added\n",
            n - 1
        )
    );
    assert_eq!(comparable(&fresh.export()), comparable(&export));
}

#[test]
fn hostile_fhir_is_refused_located_with_nothing_stored() {
    let d = Device::with_demo();
    let ndjson = d.ok(&["export", "--format", "fhir", "--village", "Rampur"]);
    let first: Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    let fresh = Device::new();
    fresh.ok(&["import", "register", DEMO]);
    let before = fresh.export();
    let refuse = |name: &str, text: String, expected: &str| {
        let file = fresh.file(name, &text);
        let err = fresh.refused(&["import", "fhir", file.to_str().unwrap()]);
        assert!(err.starts_with("error[FHIR_INVALID]: "), "{name}: {err}");
        assert!(err.contains(expected), "{name}: expected {expected:?} in {err}");
        assert_eq!(fresh.export(), before, "{name}: nothing stored");
    };
    let good = serde_json::to_string(&first).unwrap();
    let imm = first["entry"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["resource"]["resourceType"] == "Immunization")
        .unwrap();
    let mut wrong = first.clone();
    wrong["entry"][2]["resource"]["resourceType"] = "Observation".into();
    refuse(
        "wrong.ndjson",
        format!("{good}\n{wrong}\n"),
        "line 2: entry[2].resource.resourceType: Observation is not a resource of an immunization record",
    );
    refuse(
        "patient.ndjson",
        format!("{good}\n{{\"resourceType\":\"Patient\"}}\n"),
        "line 2: resourceType: expected a Bundle, found Patient",
    );
    let mut dangling = first.clone();
    dangling["entry"][imm]["resource"]["patient"]["reference"] = "urn:uuid:nowhere".into();
    refuse(
        "dangling.ndjson",
        format!("{dangling}\n"),
        &format!(
            "line 1: entry[{imm}].resource.patient.reference: urn:uuid:nowhere does not resolve inside the Bundle"
        ),
    );
    let mut unknown = first.clone();
    unknown["entry"][imm]["resource"]["vaccineCode"] =
        serde_json::json!({"coding": [{"system": "http://snomed.info/sct", "code": "12345"}]});
    refuse(
        "unknown.ndjson",
        format!("{good}\n{good}\n{unknown}\n"),
        &format!("line 3: entry[{imm}].resource.vaccineCode: unknown vaccine code 12345"),
    );
    let mut future = first.clone();
    future["entry"][imm]["resource"]["occurrenceDateTime"] = "2027-01-01".into();
    refuse(
        "future.ndjson",
        format!("{future}\n"),
        &format!("line 1: entry[{imm}].resource.occurrenceDateTime: 2027-01-01 is in the future (today is 2026-11-22)"),
    );
    let huge = format!("{good}\n{{\"resourceType\":\"Bundle\",\"pad\":\"{}\"}}\n", "x".repeat(50 << 20));
    let started = std::time::Instant::now();
    refuse("huge.ndjson", huge, "line 2: the line is longer than 1048576 bytes (1 MiB)");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn a_patient_from_another_system_is_added_noted_and_found_again() {
    let d = Device::with_demo();
    let ndjson = d.ok(&["export", "--format", "fhir"]);
    let mut doc: Value = serde_json::from_str(ndjson.lines().find(|l| l.contains("\"RMP-001\"")).unwrap()).unwrap();
    // As another system would write it: its own identifier, no Teeka extension, no village.
    let p = &mut doc["entry"][1]["resource"];
    p["identifier"] = serde_json::json!([{"system": "https://example.org/mrn", "value": "A-7"}]);
    let p = p.as_object_mut().unwrap();
    p.remove("extension");
    p.remove("address");
    let file = d.file("other.ndjson", &format!("{doc}\n"));
    let err = d.refused(&["import", "fhir", file.to_str().unwrap()]);
    assert!(
        err.contains("line 1: entry: the Patient has no village (address[0].city): give one with --village"),
        "{err}"
    );
    let out = d.run(&["import", "fhir", file.to_str().unwrap(), "--village", "Rampur"]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("note: line 1: आरव यादव (the Bundle) looks like RMP-001 आरव यादव of Rampur on record, born the same day; added as FHIR-"), "{stderr}");
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("imported 1 records: 1 beneficiaries added, 0 matched"));
    let before = d.export();
    let again = d.ok(&["import", "fhir", file.to_str().unwrap(), "--village", "Rampur"]);
    assert_eq!(
        again,
        "imported 1 records: 0 beneficiaries added, 0 matched by identifier, 1 by register id; 0 doses added\n"
    );
    assert_eq!(d.export(), before, "the same file again adds nothing");
}

/// The demo register's areas on the server: block Mahmudabad holds Rampur and Salempur (the
/// demo's villages); block Biswan a second Rampur and Kishanpur.
const SERVER_AREAS: &str = "state,district,block,subcentre,village
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Rampur
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Salempur
Uttar Pradesh,Sitapur,Biswan,Kishanpur SC,Kishanpur
Uttar Pradesh,Sitapur,Biswan,Kishanpur SC,Rampur
";

/// `teeka-server import fhir FILE --area AREA`: a device's FHIR export imported into the
/// server's block reaches a new device of one of its villages by sync, with the same due list;
/// the same file again adds nothing; a Patient of a village outside the area, or of a name two
/// villages of the area share, is refused, located, with nothing stored.
fn fhir_into_the_server(kind: common::Kind) {
    use common::world::Env;
    let Some(env) = Env::new(kind) else { return };
    env.admin(&["import", "areas", &env.write("areas.csv", SERVER_AREAS)]);
    let source = Device::with_demo();
    let ndjson = source.ok(&["export", "--format", "fhir"]);
    let file = env.write("demo.ndjson", &ndjson);
    let export = source.export();
    let n = export["beneficiaries"].as_array().unwrap().len();
    let doses: usize =
        export["beneficiaries"].as_array().unwrap().iter().map(|b| b["doses"].as_array().unwrap().len()).sum();
    // Refused, located, nothing stored.
    let empty = env.admin_json(&["export", "--format", "json"]);
    for (area, text, expected) in [
        (
            "Mahmudabad",
            ndjson.replace("\"city\":\"Salempur\"", "\"city\":\"Kishanpur\""),
            "no village named 'Kishanpur' within Uttar Pradesh/Sitapur/Mahmudabad",
        ),
        ("Sitapur", ndjson.clone(), "'Rampur' names 2 villages of Uttar Pradesh/Sitapur"),
        (
            "Mahmudabad",
            ndjson.replacen("\"occurrenceDateTime\":\"20", "\"occurrenceDateTime\":\"29", 1),
            "is in the future",
        ),
    ] {
        let file = env.write("hostile.ndjson", &text);
        let run = env.server_run(&["import", "fhir", &file, "--area", area, "--on", TODAY]);
        assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(run.stderr.starts_with("error[FHIR_INVALID]: "), "{}", run.stderr);
        assert!(run.stderr.contains(expected), "expected {expected:?} in {}", run.stderr);
        assert!(run.stderr.contains("line "), "located: {}", run.stderr);
        assert_eq!(env.admin_json(&["export", "--format", "json"]), empty, "nothing stored");
    }
    let import = ["import", "fhir", file.as_str(), "--area", "Mahmudabad", "--on", TODAY];
    assert_eq!(
        env.admin(&import),
        format!("imported {n} records: {n} beneficiaries added, 0 matched by identifier, 0 by register id; {doses} doses added\n")
    );
    let log = env.admin_json(&["export", "--format", "json"]);
    assert_eq!(comparable(&log), comparable(&export), "the server's register is the device's");
    assert_eq!(
        env.admin(&import),
        format!(
            "imported {n} records: 0 beneficiaries added, 0 matched by identifier, {n} by register id; 0 doses added\n"
        )
    );
    assert_eq!(env.admin_json(&["export", "--format", "json"]), log, "the same file again adds nothing");

    // A new device of Rampur syncs the imported records down: the same due list as the source's.
    let server = env.serve();
    let anm = env.device("anm-rampur", TODAY);
    anm.enroll(&server, &env.code("Mahmudabad/Rampur", "anm"));
    anm.sync(TODAY);
    let due = |json: String| serde_json::from_str::<Value>(&json).unwrap();
    let list = ["due-list", "--on", TODAY, "--village", "Rampur", "--format", "json"];
    assert_eq!(due(anm.ok(TODAY, &list)), due(source.ok(&list)));
    drop(server);

    let run = env.server_run(&["import", "fhir", &file, "--area", "Nowhere"]);
    assert!(run.status.code() == Some(1) && run.stderr.contains("no area named 'Nowhere'"), "{}", run.stderr);
}

#[test]
fn fhir_imported_into_the_server_reaches_a_device_on_sqlite() {
    fhir_into_the_server(common::Kind::Sqlite);
}

#[test]
fn fhir_imported_into_the_server_reaches_a_device_on_postgres() {
    fhir_into_the_server(common::Kind::Postgres);
}
