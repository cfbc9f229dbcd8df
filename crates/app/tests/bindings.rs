//! `ui/src/bindings.ts` is what the Rust types generate: a change to a type that crosses to the UI
//! (or to the list of commands, or to a code list) must come with the refreshed file, so that the
//! UI's compiler sees it. `TEEKA_BLESS=1` rewrites the file instead of comparing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use teeka_app::bindings::{typescript, BINDINGS_PATH, REFRESH_COMMAND};

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(BINDINGS_PATH)
}

#[test]
fn the_committed_bindings_are_what_the_rust_types_generate() {
    let generated = typescript().unwrap_or_else(|e| panic!("{e}"));
    let path = committed_path();
    if std::env::var_os("TEEKA_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("first difference at line {}:\n  committed: {a}\n  generated: {b}", i + 1))
            .unwrap_or_else(|| {
                format!(
                    "one is a prefix of the other ({} lines committed, {} generated)",
                    committed.lines().count(),
                    generated.lines().count()
                )
            });
        panic!("{BINDINGS_PATH} is stale: the Rust types have changed.\n{first}\nRefresh it with:\n  {REFRESH_COMMAND}\nand commit it.");
    }
}

#[test]
fn every_command_and_the_types_of_its_answers_are_in_the_bindings() {
    let ts = typescript().unwrap_or_else(|e| panic!("{e}"));
    for c in teeka_app::COMMANDS {
        assert!(ts.contains(&format!("  {}: {{ req: ", c.name)), "{} is missing from Commands", c.name);
    }
    for decl in
        ["export type Member = ", "export type Warning = ", "export type AppCode = ", "export type DeviceInfo = "]
    {
        assert!(ts.contains(decl), "{decl} is missing");
    }
    // 64-bit counts are JSON numbers, not bigints.
    assert!(!ts.contains("bigint"));
}
