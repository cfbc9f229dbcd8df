//! End-to-end tests of issue 12 through the real `teeka` binary: the national identifiers
//! (`teeka beneficiary set-ids`, the register CSV's columns) and FHIR documents out and in
//! (`teeka export --format fhir`, `teeka import fhir`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TODAY: &str = "2026-11-22";
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/register.csv");

struct Device {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Device {
    fn new() -> Device {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("teeka.db");
        Device { dir, db }
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
            .args(["--today", TODAY, "--author", "Meena Devi"])
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
