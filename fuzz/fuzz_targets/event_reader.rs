//! The event reader: one event's JSON as a push carries it, read into an `Event` and checked
//! against the limits (`teeka_domain::limits`), as the server does for every event.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::event_reader(data));
