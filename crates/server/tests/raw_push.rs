//! A push is read event by event: one the server cannot read, or one over a limit (a 3 MiB
//! name, a phone that is not one, a list of hundreds), is refused alone. On both storage
//! backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use teeka_domain::{BeneficiaryField, EventBody, HouseholdField};
use teeka_protocol::{ErrorCode, RawPushRequest, Role};
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::{
    beneficiary_id, device_store, enroll, event, minutes, on_postgres, on_sqlite, register, t0, AREAS,
};

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

async fn events_over_limits<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    let store = device_store(&register("R", "Rampur", 1));
    let (_, device) = enroll(&svc, "Bhatpur/Rampur", Role::Anm, store.device_id(), minutes(1)).await;
    let mut events = store.events().unwrap();
    let child = beneficiary_id(&events, "R-1");
    let household = events
        .iter()
        .find_map(|e| match e.body {
            EventBody::HouseholdRegistered { household, .. } => Some(household),
            _ => None,
        })
        .unwrap();
    let n = events.len();
    let huge = event(
        store.device_id(),
        EventBody::BeneficiaryUpdated { beneficiary: child, fields: vec![BeneficiaryField::Name("x".repeat(3 << 20))] },
        minutes(2),
    );
    let phone = event(
        store.device_id(),
        EventBody::HouseholdUpdated { household, fields: vec![HouseholdField::Phone(Some("12345".into()))] },
        minutes(2),
    );
    let many = event(
        store.device_id(),
        EventBody::BeneficiaryUpdated {
            beneficiary: child,
            fields: (0..101).map(|i| BeneficiaryField::Name(format!("Asha {i}"))).collect(),
        },
        minutes(2),
    );
    let ok = event(
        store.device_id(),
        EventBody::BeneficiaryUpdated { beneficiary: child, fields: vec![BeneficiaryField::Name("अ".repeat(200))] },
        minutes(2),
    );
    events.extend([huge.clone(), phone.clone(), many.clone(), ok.clone()]);
    let values: Vec<serde_json::Value> = events.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
    let raw = RawPushRequest { events: as_raw(&values), pending: 0, device_time_ms: Utc::now().timestamp_millis() };
    let r = svc.push_raw(&device, raw, minutes(3)).await.unwrap();
    assert_eq!(r.accepted.len(), n + 1, "the register and the 200-character name");
    assert!(r.accepted.contains(&ok.id));
    let refused: Vec<_> = r.rejected.iter().map(|x| (x.id, x.code, x.message.as_str())).collect();
    assert_eq!(refused.len(), 3, "{refused:?}");
    for (id, (code, starts)) in [
        (huge.id, (ErrorCode::InvalidEvent, "body.fields[0].value: name is 3145728 characters long; at most 200")),
        (phone.id, (ErrorCode::InvalidEvent, "body.fields[0].value: phone '12345' has 5 digits")),
        (many.id, (ErrorCode::InvalidEvent, "body.fields: fields has more than 100 items")),
    ] {
        let (_, c, m) = refused.iter().find(|x| x.0 == id).unwrap();
        assert_eq!(*c, code);
        assert!(m.starts_with(starts), "{m}");
    }
    // Nothing of them is stored: the name on record is the accepted one.
    let export = svc.export().await.unwrap();
    assert_eq!(export.beneficiaries[0].facts.name, "अ".repeat(200));
    assert_eq!(export.beneficiaries[0].household.phone, None);
}

#[tokio::test]
async fn an_event_over_a_limit_is_refused_alone_on_sqlite() {
    on_sqlite(events_over_limits).await;
}

#[tokio::test]
async fn an_event_over_a_limit_is_refused_alone_on_postgres() {
    on_postgres(events_over_limits).await;
}
