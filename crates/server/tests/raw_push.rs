//! A push is read event by event: one the server cannot read is refused alone. On both storage
//! backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use teeka_protocol::{ErrorCode, RawPushRequest, Role};
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::{device_store, enroll, minutes, on_postgres, on_sqlite, register, t0, AREAS};

fn as_raw(values: &[serde_json::Value]) -> Vec<Box<serde_json::value::RawValue>> {
    values.iter().map(|v| serde_json::value::to_raw_value(v).unwrap()).collect()
}

async fn unreadable_event<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    let store = device_store(&register("R", "Rampur", 1));
    let (_, device) = enroll(&svc, "Bhatpur/Rampur", Role::Anm, store.device_id(), minutes(1)).await;

    let mut events: Vec<serde_json::Value> =
        store.events().unwrap().iter().map(|e| serde_json::to_value(e).unwrap()).collect();
    // A record from a newer app, of a type this server does not know.
    let future_id = uuid::Uuid::now_v7();
    let mut future = events[0].clone();
    future["id"] = serde_json::json!(future_id.to_string());
    future["body"] = serde_json::json!({"type": "session_closed", "site": "AWC 3"});
    events.insert(1, future);
    let n = events.len();
    let raw = RawPushRequest { events: as_raw(&events), pending: 0, device_time_ms: Utc::now().timestamp_millis() };
    let r = svc.push_raw(&device, raw, minutes(2)).await.unwrap();
    assert_eq!(r.accepted.len(), n - 1);
    assert_eq!(r.rejected.len(), 1);
    assert_eq!((r.rejected[0].id, r.rejected[0].code), (future_id, ErrorCode::InvalidEvent));

    // An event without a readable id cannot even be refused alone: the request is.
    let raw = RawPushRequest { events: as_raw(&[serde_json::json!({"body": 1})]), pending: 0, device_time_ms: 0 };
    assert_eq!(svc.push_raw(&device, raw, minutes(3)).await.unwrap_err().code, ErrorCode::BadRequest);
}

#[tokio::test]
async fn an_unreadable_event_is_refused_alone_on_sqlite() {
    on_sqlite(unreadable_event).await;
}

#[tokio::test]
async fn an_unreadable_event_is_refused_alone_on_postgres() {
    on_postgres(unreadable_event).await;
}
