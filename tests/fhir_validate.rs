//! Every FHIR document Bundle of the demo register's export validates with an independent
//! library, `fhir.resources` (R4B models, PyPI), which `scripts/setup.sh` installs into its own
//! virtual environment (`TEEKA_FHIR_VENV`, default `~/.cache/teeka-fhir-venv`); and keeps
//! Teeka's own structural checks of the NRCeS profile, which that library does not make.
//! Skipped, saying so, only on a machine without Python.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::Cli;
use std::path::PathBuf;
use std::process::Command;

const TODAY: &str = "2026-11-22";
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/register.csv");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fhir_validate.py");

/// The virtual environment's Python, or `None` when this machine has no Python at all.
fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("TEEKA_FHIR_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/teeka-fhir-venv"));
    let py = venv.join("bin/python");
    if py.exists() {
        return Some(py);
    }
    let any = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(!any, "Python is here but {} is not: run scripts/setup.sh to install fhir.resources", py.display());
    None
}

fn validate(py: &PathBuf, file: &std::path::Path) -> (bool, String) {
    let out = Command::new(py).arg(SCRIPT).arg(file).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn every_exported_bundle_of_the_demo_register_validates() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no Python on this machine, so fhir.resources cannot validate the FHIR export");
        return;
    };
    let d = Cli::new(TODAY, "Meena Devi");
    d.ok(&["import", "register", DEMO]);
    // Something of every kind of entry: identifiers, a refusal, another reason, a dose at a session.
    d.ok(&[
        "beneficiary",
        "set-ids",
        "--register-id",
        "RMP-001",
        "--abha",
        "22-7225-4829-5255",
        "--rch-id",
        "123456789012",
        "--uwin-id",
        "UW-1",
    ]);
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
    d.ok(&[
        "record",
        "not-given",
        "--register-id",
        "RMP-005",
        "--code",
        "VITA1",
        "--date",
        TODAY,
        "--reason",
        "CHILD_SICK",
    ]);
    let ndjson = d.ok(&["export", "--format", "fhir"]);
    let lines: Vec<&str> = ndjson.lines().collect();
    assert_eq!(lines.len(), 14, "the demo register's 14 beneficiaries");
    for (i, l) in lines.iter().enumerate() {
        let b: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(teeka_domain::fhir::structural_problems(&b), Vec::<String>::new(), "line {}", i + 1);
    }
    let file = d.dir.path().join("demo.ndjson");
    std::fs::write(&file, &ndjson).unwrap();
    let (ok, out) = validate(&py, &file);
    assert!(ok, "fhir.resources refused the export:\n{out}");
    assert_eq!(out.trim(), "14 bundles valid");

    // The validator does refuse what is not FHIR: a wrong type and an unknown element.
    let mut bad: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    bad["entry"][1]["resource"]["birthDate"] = serde_json::json!(20251012);
    bad["entry"][1]["resource"]["favouriteColour"] = serde_json::json!("blue");
    std::fs::write(&file, format!("{}\n{bad}\n", lines[1])).unwrap();
    let (ok, out) = validate(&py, &file);
    assert!(!ok, "{out}");
    assert!(out.contains("line 2: entry.1.resource.birthDate"), "{out}");
    assert!(out.contains("line 2: entry.1.resource.favouriteColour: Extra inputs are not permitted"), "{out}");
}
