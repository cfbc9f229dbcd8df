//! The register CSV importer: a head-count survey file, checked row by row before anything is
//! stored; its rows, when it has no problem, planned into events against an empty register.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::register_csv(data));
