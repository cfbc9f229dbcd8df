#![allow(dead_code)]
//! What each fuzz target does with its input, shared by the targets (`fuzz_targets/`) and the
//! test that replays the committed corpus and every crash ever found through the same code
//! (`crates/protocol/tests/fuzz_corpus.rs`). Anything may come in; nothing may panic.

use teeka_domain::import::{import_events, Standing};
use teeka_domain::register::parse_register;
use teeka_domain::{fhir, Event, Export, ScheduleSettings};
use teeka_protocol::{decode, PullResponse, RawPushRequest, MAX_DECODED_BYTES};

fn today() -> teeka_domain::Date {
    teeka_domain::Date::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// The sync decoder: a push or pull body as the server or a device reads it off the wire (gzip,
/// then JSON, within the size limits: the one both read with, and a small one).
pub fn sync_decoder(data: &[u8]) {
    for limit in [MAX_DECODED_BYTES, 4096] {
        let _ = decode::<RawPushRequest>(data, limit);
        let _ = decode::<PullResponse>(data, limit);
    }
}

/// The event reader: one event's JSON as a push carries it, checked against the limits and read
/// into an `Event`, which writes back and reads again as the same event.
pub fn event_reader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = teeka_domain::limits::check_event_json(text);
    if let Ok(event) = serde_json::from_str::<Event>(text) {
        let again = serde_json::to_string(&event).expect("an event read writes back");
        let read: Event = serde_json::from_str(&again).expect("an event written reads back");
        assert_eq!(read, event);
        let _ = teeka_domain::roles::allowed(&event.body);
    }
}

/// The register CSV importer: a head-count survey file checked row by row; its rows, when it
/// has no problem, made into events against an empty register.
pub fn register_csv(data: &[u8]) {
    if let Ok(rows) = parse_register(data, today()) {
        let mut n = 0u128;
        let mut ids = || {
            n += 1;
            uuid::Uuid::from_u128(n)
        };
        let _ = import_events(&rows, Standing::default(), &ScheduleSettings::default(), &mut ids);
    }
}

/// The FHIR importer: NDJSON, a Bundle or a collection of Bundles, every problem located; the
/// records, when the file has no problem, matched against an empty register.
pub fn fhir_import(data: &[u8]) {
    if let Ok(records) = fhir::parse(data, today()) {
        let _ = fhir::plan_import(&records, &Export { beneficiaries: Vec::new() }, Some("Rampur"), today());
    }
}
