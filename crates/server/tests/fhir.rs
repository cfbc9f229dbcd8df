//! `teeka-server export --format fhir --area AREA` (`Service::export_fhir`): an area's register
//! as FHIR documents, the same as the device's but for the custodian, which the server knows
//! from its areas; on both storage backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use serde_json::Value;
use teeka_domain::BeneficiaryField;
use teeka_protocol::{PushRequest, Role};
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::{ctx, device_store, enroll, minutes, on_postgres, on_sqlite, register, today, AREAS};

fn of_type<'a>(b: &'a Value, t: &str) -> Vec<&'a Value> {
    b["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == t).collect()
}

async fn fhir_export<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), teeka_testkit::fixtures::t0()).await.unwrap();
    let mut store = device_store(&register("R", "Rampur", 3));
    let (_, device) = enroll(&svc, "Bhatpur/Rampur", Role::Anm, store.device_id(), minutes(1)).await;
    store
        .update_beneficiary("R-1", vec![BeneficiaryField::Abha(Some("22-7225-4829-5255".into()))], &ctx(minutes(2)))
        .unwrap();
    let events = store.events().unwrap();
    let req = PushRequest { events, pending: 0, device_time_ms: Utc::now().timestamp_millis() };
    let r = svc.push(&device, req, minutes(3)).await.unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);

    let now = minutes(10);
    let server = svc.export_fhir("Bhatpur", "Block office", today(), now).await.unwrap();
    let device = store.export_fhir(None, "Block office", today(), now).unwrap();
    assert_eq!(server.len(), 3);
    for (s, d) in server.iter().zip(&device) {
        assert_eq!(teeka_domain::fhir::structural_problems(s), Vec::<String>::new());
        assert_eq!(of_type(s, "Organization")[0]["name"], "Bhatpur", "the server knows the sub-centre");
        for t in ["Patient", "Practitioner", "Immunization"] {
            assert_eq!(of_type(s, t), of_type(d, t), "{t}");
        }
        // The same doses due (their authority is the custodian).
        let due = |b: &Value| of_type(b, "ImmunizationRecommendation")[0]["recommendation"].clone();
        assert_eq!(due(s), due(d));
    }
    assert_eq!(of_type(&server[0], "Patient")[0]["identifier"][0]["value"], "22-7225-4829-5255");
    // Another area has none of them; an unknown one is refused.
    assert!(svc.export_fhir("Kamalpur", "x", today(), now).await.unwrap().is_empty());
    assert!(svc.export_fhir("Nowhere", "x", today(), now).await.is_err());
}

#[tokio::test]
async fn an_area_exports_as_fhir_on_sqlite() {
    on_sqlite(fhir_export).await;
}

#[tokio::test]
async fn an_area_exports_as_fhir_on_postgres() {
    on_postgres(fhir_export).await;
}
