//! Every input the fuzzers start from (`fuzz/corpus/TARGET/`) and every crash they ever found
//! (`fuzz/regressions/TARGET/`, each kept as a file when it was fixed) goes through the same
//! harness as the fuzz targets (`fuzz/harness.rs`) in the ordinary test run: none may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

/// A fuzz target's name and what it does with an input.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 4] = [
    ("sync_decoder", harness::sync_decoder),
    ("event_reader", harness::event_reader),
    ("register_csv", harness::register_csv),
    ("fhir_import", harness::fhir_import),
];

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

#[test]
fn the_fuzz_corpus_and_every_crash_found_pass_through_their_harness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for (target, harness) in TARGETS {
        let corpus = inputs(&root.join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} holds the inputs the fuzzer starts from");
        for file in corpus.iter().chain(&inputs(&root.join("regressions").join(target))) {
            let data = std::fs::read(file).unwrap();
            let run = std::panic::catch_unwind(|| harness(&data));
            assert!(run.is_ok(), "{target} panicked on {}", file.display());
        }
    }
}
