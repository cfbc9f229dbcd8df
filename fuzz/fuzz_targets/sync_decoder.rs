//! The sync decoder: a push or pull body as the server or a device reads it off the wire
//! (gzip, then JSON, within the size limits). Anything may come in; nothing may panic.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::sync_decoder(data));
