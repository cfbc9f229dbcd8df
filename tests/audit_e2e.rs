//! End-to-end: `teeka-server audit` after two devices of one village edit the same child while
//! apart, through the real server, on SQLite and on PostgreSQL. The trail shows each change with
//! its device and worker, the device's time and the server's receipt time; the name the first
//! device wrote lost to the second's later write, and says so; the audit by device and by area
//! agree; unknown ones are refused with their code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::world::Env;
use common::Kind;
use serde_json::Value;

const TODAY: &str = "2026-11-22";
const AREAS: &str = "state,district,block,subcentre,village\nUP,Sitapur,Mahmudabad,Bhatpur,Rampur\n";

fn register(name: &str) -> String {
    format!(
        "register_id,household_id,village,kind,name,sex,dob,BCG\nR-1,H-1,Rampur,child,{name},F,2026-06-01,2026-06-01\n"
    )
}

fn story(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    env.admin(&["import", "areas", &env.write("areas.csv", AREAS)]);
    let server = env.serve();
    let (a, b) = (env.device("anm-meena", TODAY), env.device("asha-sunita", TODAY));
    a.enroll(&server, &env.code("Rampur", "anm"));
    b.enroll(&server, &env.code("Rampur", "asha"));
    a.ok(TODAY, &["import", "register", &env.write("first.csv", &register("Pinki"))]);
    a.sync(TODAY);
    b.sync(TODAY);
    // Apart, each renames her; the ASHA's change is the later one.
    a.ok(TODAY, &["import", "register", &env.write("a.csv", &register("Pinki Devi"))]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.ok(TODAY, &["import", "register", &env.write("b.csv", &register("Pinky"))]);
    b.sync(TODAY);
    a.sync(TODAY);
    let device_a = a.json(TODAY, &["status", "--format", "json"])["device_id"].as_str().unwrap().to_string();
    let device_b = b.json(TODAY, &["status", "--format", "json"])["device_id"].as_str().unwrap().to_string();

    let trail = env.admin_json(&["audit", "--beneficiary", "R-1", "--format", "json"]);
    let entries = trail["entries"].as_array().unwrap();
    let rows: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["author"].as_str().unwrap(), e["what"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("beneficiary_registered", "anm-meena", "registered R-1 (child): household, name, sex, dob, status"),
            ("dose_given", "anm-meena", "BCG given on 2026-06-01"),
            ("beneficiary_updated", "asha-sunita", "changed name"),
            ("beneficiary_updated", "anm-meena", "changed name"),
        ],
        "{trail:#}"
    );
    let lost: Vec<&Value> = entries.iter().map(|e| &e["lost"]).collect();
    assert_eq!(lost[3], &serde_json::json!(["name"]), "the ANM's rename lost to the ASHA's later one: {trail:#}");
    assert_eq!(lost[2], &Value::Null);
    assert_eq!(lost[0], &serde_json::json!(["name"]), "the first name was replaced by another device too");
    for e in entries {
        let device = e["device_id"].as_str().unwrap();
        assert!(device == device_a || device == device_b);
        assert!(e["worker"].as_str().is_some_and(|w| w.len() == 36), "a stable worker id: {e}");
        for time in ["received_at", "recorded_at"] {
            assert!(e[time].as_str().is_some_and(|t| t.starts_with("20")), "{time}: {e}");
        }
    }
    // One worker, one id: the ANM's two events carry the same id, the ASHA's another.
    assert_eq!(entries[0]["worker"], entries[3]["worker"]);
    assert_ne!(entries[0]["worker"], entries[2]["worker"]);
    // The server received the ANM's rename after the ASHA's, though it was made first.
    assert!(entries[3]["seq"].as_u64() > entries[2]["seq"].as_u64());

    // By device and by area: the same changes.
    let by_b = env.admin_json(&["audit", "--device", &device_b, "--format", "json"]);
    assert_eq!(by_b["entries"].as_array().unwrap().len(), 1);
    let by_area = env.admin_json(&["audit", "--area", "Rampur", "--format", "json"]);
    let kinds: Vec<&str> = by_area["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"household_registered") && kinds.len() >= 5, "{kinds:?}");
    let table = env.admin(&["audit", "--beneficiary", "R-1"]);
    assert!(table.contains("lost to a later write from another device: name"), "{table}");
    assert!(table.contains("asha-sunita ("), "{table}");
    assert!(table.trim_end().ends_with("4 change(s)"), "{table}");

    // What is not there, and a request without whose trail.
    let run = env.server_run(&["audit", "--beneficiary", "R-404"]);
    assert!(!run.status.success() && run.stderr.contains("error[NOT_FOUND]"), "{}", run.stderr);
    let run = env.server_run(&["audit", "--device", "0190a000-0000-7000-8000-000000000000"]);
    assert!(run.stderr.contains("error[NOT_FOUND]"), "{}", run.stderr);
    let run = env.server_run(&["audit", "--area", "Atlantis"]);
    assert!(!run.status.success(), "{}", run.stderr);
    let run = env.server_run(&["audit"]);
    assert_eq!(run.status.code(), Some(2), "{}", run.stderr);
}

#[test]
fn audit_of_two_devices_editing_one_child_sqlite() {
    story(Kind::Sqlite);
}

#[test]
fn audit_of_two_devices_editing_one_child_postgres() {
    story(Kind::Postgres);
}
