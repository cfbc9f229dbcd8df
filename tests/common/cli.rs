//! A device's store driven through the real `teeka` binary, one store per test: what the CLI
//! tests share (`cli.rs`, `cases_cli.rs`, `session_cli.rs`, `plan_cli.rs`, `report_cli.rs`,
//! `fhir_cli.rs`), each wrapping it with its own fixtures.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

pub struct Cli {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    today: &'static str,
    author: &'static str,
}

impl Cli {
    /// A new store in a directory of its own; every command runs as on `today`, by `author`.
    pub fn new(today: &'static str, author: &'static str) -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("teeka.db");
        Cli { dir, db, today, author }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_teeka"))
            .arg("--db")
            .arg(&self.db)
            .args(["--today", self.today, "--author", self.author])
            .args(args)
            .env_remove("TEEKA_DB")
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "teeka {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail with exit code 1; returns its standard error.
    pub fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "teeka {args:?} should be refused: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}
