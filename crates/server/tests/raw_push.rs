//! A push is read event by event: one the server cannot read is refused alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use teeka_domain::register::parse_register;
use teeka_protocol::{EnrollRequest, ErrorCode, RawPushRequest, Role};
use teeka_server::{Service, SqliteDb};
use teeka_store::{Ctx, Store};

fn as_raw(values: &[serde_json::Value]) -> Vec<Box<serde_json::value::RawValue>> {
    values.iter().map(|v| serde_json::value::to_raw_value(v).unwrap()).collect()
}

#[tokio::test]
async fn an_unreadable_event_is_refused_alone() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::new(SqliteDb::open(&dir.path().join("s.db")).unwrap());
    svc.import_areas(b"state,district,block,subcentre,village\nUP,Sitapur,Mahmudabad,Rampur SC,Rampur\n", Utc::now())
        .await
        .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let today = teeka_domain::parse_date("2026-11-22").unwrap();
    let ctx = Ctx { now: Utc::now(), today, author: "t".into() };
    let csv = "register_id,household_id,village,kind,name,sex,dob\nR-1,H-1,Rampur,child,Golu,M,2026-06-10\n";
    store.import_register(&parse_register(csv.as_bytes(), today).unwrap(), &ctx).unwrap();
    let (code, ..) = svc.create_code("Rampur", Role::Anm, chrono::Duration::hours(1), Utc::now()).await.unwrap();
    let resp = svc.enroll(EnrollRequest { code, device_id: store.device_id() }, Utc::now()).await.unwrap();
    let device = svc.authenticate(Some(&resp.token)).await.unwrap();

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
    let r = svc.push_raw(&device, raw, Utc::now()).await.unwrap();
    assert_eq!(r.accepted.len(), n - 1);
    assert_eq!(r.rejected.len(), 1);
    assert_eq!((r.rejected[0].id, r.rejected[0].code), (future_id, ErrorCode::InvalidEvent));

    // An event without a readable id cannot even be refused alone: the request is.
    let raw = RawPushRequest { events: as_raw(&[serde_json::json!({"body": 1})]), pending: 0, device_time_ms: 0 };
    assert_eq!(svc.push_raw(&device, raw, Utc::now()).await.unwrap_err().code, ErrorCode::BadRequest);
}
