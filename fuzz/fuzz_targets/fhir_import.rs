//! The FHIR importer: NDJSON, a Bundle or a collection of Bundles, every problem located; the
//! records, when the file has no problem, matched against an empty register.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::fhir_import(data));
