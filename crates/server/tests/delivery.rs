//! A delivery is placed by its mother and places its newborns in her household, so that their
//! later doses are accepted; on both storage backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use teeka_domain::{DeliveryOutcome, DoseCode, EventBody, Sex};
use teeka_protocol::{ErrorCode, PushRequest, Role};
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::{ctx, device_store, enroll, event, minutes, on_postgres, on_sqlite, today, AREAS};

const REGISTER: &str = "register_id,household_id,village,kind,name,sex,dob,lmp
W-1,R-H1,Rampur,pregnant_woman,Kamla,F,,2025-06-01
";

async fn delivery<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), teeka_testkit::fixtures::t0()).await.unwrap();
    let mut store = device_store(REGISTER);
    let (_, device) = enroll(&svc, "Bhatpur/Rampur", Role::Anm, store.device_id(), minutes(1)).await;
    let on = today() - chrono::Days::new(5);
    let newborns = vec![("Baby of Kamla".to_string(), Some(Sex::M))];
    let (_, ids) = store.record_delivery("W-1", on, DeliveryOutcome::LiveBirth, &newborns, &ctx(minutes(2))).unwrap();
    store.record_dose(&ids[0], DoseCode::Bcg, on, &ctx(minutes(3))).unwrap();
    let events = store.events().unwrap();
    let n = events.len();
    let push = |events| PushRequest { events, pending: 0, device_time_ms: Utc::now().timestamp_millis() };
    let r = svc.push(&device, push(events), minutes(4)).await.unwrap();
    assert_eq!((r.accepted.len(), r.rejected.len()), (n, 0), "{:?}", r.rejected);
    let ex = svc.export().await.unwrap();
    assert_eq!(ex, store.export().unwrap(), "the server's export is the device's");
    let baby = ex.beneficiaries.iter().find(|b| b.register_id == ids[0]).unwrap();
    assert_eq!((baby.mother.as_deref(), baby.doses.len()), (Some("W-1"), 1));

    // A delivery of a mother the server does not know is refused with a reason.
    let unknown = EventBody::DeliveryRecorded {
        beneficiary: uuid::Uuid::now_v7(),
        household: uuid::Uuid::now_v7(),
        date: on,
        outcome: DeliveryOutcome::Stillbirth,
        mother_name: "X".into(),
        newborns: vec![],
    };
    let e = event(store.device_id(), unknown, minutes(5));
    let r = svc.push(&device, push(vec![e]), minutes(5)).await.unwrap();
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].code, ErrorCode::UnknownEntity);
}

#[tokio::test]
async fn a_delivery_places_its_newborns_on_sqlite() {
    on_sqlite(delivery).await;
}

#[tokio::test]
async fn a_delivery_places_its_newborns_on_postgres() {
    on_postgres(delivery).await;
}
