//! End-to-end: the CLI's encrypted store. A passphrase (`--passphrase-file` or
//! `TEEKA_PASSPHRASE`) creates an encrypted store or encrypts a plain one in place; without it an
//! encrypted store is refused with its code; a copied file holds no name and is not SQLite to
//! anyone else (the `sqlite3` tool, when the machine has it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TODAY: &str = "2026-11-22";
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/register.csv");

fn teeka(db: &Path, env_pass: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_teeka"));
    cmd.arg("--db").arg(db).args(["--today", TODAY, "--author", "test-anm"]).args(args);
    cmd.env_remove("TEEKA_DB").env_remove("TEEKA_PASSPHRASE");
    if let Some(p) = env_pass {
        cmd.env("TEEKA_PASSPHRASE", p);
    }
    cmd.output().unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn refused(out: Output) -> String {
    assert_eq!(out.status.code(), Some(1), "should be refused: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

fn file_has(path: &Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Every file of the store (itself, its WAL), read as bytes.
fn store_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal"].iter().map(|s| PathBuf::from(format!("{}{s}", db.display()))).filter(|p| p.exists()).collect()
}

/// What the sqlite3 tool says of the file, if the machine has the tool.
fn sqlite3(db: &Path) -> Option<Output> {
    Command::new("sqlite3").arg(db).arg("SELECT count(*) FROM sqlite_master").output().ok()
}

#[test]
fn a_passphrase_file_makes_an_encrypted_store_that_nothing_else_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("teeka.db");
    let pass = dir.path().join("pass.txt");
    std::fs::write(&pass, "mera gaon 2026\n").unwrap();
    let pf = pass.to_str().unwrap();
    ok(teeka(&db, None, &["--passphrase-file", pf, "import", "register", DEMO]));
    let due = ok(teeka(&db, None, &["--passphrase-file", pf, "export", "--format", "json"]));
    assert!(due.contains("आरव यादव"), "{due}");
    // The same passphrase from the environment.
    let env_due = ok(teeka(&db, Some("mera gaon 2026"), &["export", "--format", "json"]));
    assert_eq!(env_due, due);

    // Nothing of the register is in the files, and they are not SQLite to anyone else.
    for f in store_files(&db) {
        assert!(!file_has(&f, "आरव यादव") && !file_has(&f, "9876543210"), "{} holds a name", f.display());
    }
    assert!(!file_has(&db, "SQLite format 3"));
    if let Some(out) = sqlite3(&db) {
        assert!(!out.status.success(), "sqlite3 read the store: {}", String::from_utf8_lossy(&out.stdout));
    }

    // Without the passphrase, or with a wrong one: refused by code, nothing changed.
    let e = refused(teeka(&db, None, &["due-list", "--on", TODAY]));
    assert!(e.starts_with("error[STORE_ENCRYPTED]") && e.contains("--passphrase-file"), "{e}");
    let e = refused(teeka(&db, Some("wrong"), &["due-list", "--on", TODAY]));
    assert!(e.starts_with("error[WRONG_PASSPHRASE]"), "{e}");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n").unwrap();
    let e = refused(teeka(&db, None, &["--passphrase-file", empty.to_str().unwrap(), "due-list", "--on", TODAY]));
    assert!(e.starts_with("error[INVALID_INPUT]") && e.contains("is empty"), "{e}");
    assert_eq!(ok(teeka(&db, None, &["--passphrase-file", pf, "export", "--format", "json"])), due);
}

#[test]
fn a_plain_store_given_a_passphrase_is_encrypted_in_place_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("teeka.db");
    ok(teeka(&db, None, &["import", "register", DEMO]));
    let before = ok(teeka(&db, None, &["export", "--format", "json"]));
    assert!(file_has(&db, "SQLite format 3"), "plain before");

    let after = ok(teeka(&db, Some("s3cret"), &["export", "--format", "json"]));
    assert_eq!(after, before, "every record kept");
    assert!(!file_has(&db, "SQLite format 3"));
    for f in store_files(&db) {
        assert!(!file_has(&f, "आरव यादव"), "{} holds a name", f.display());
    }
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("encrypting"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // It keeps working encrypted: a write, then a read.
    ok(teeka(
        &db,
        Some("s3cret"),
        &["record", "dose", "--register-id", "RMP-002", "--code", "PENTA1", "--date", TODAY],
    ));
    let e = refused(teeka(&db, None, &["export", "--format", "json"]));
    assert!(e.starts_with("error[STORE_ENCRYPTED]"), "{e}");
}
