//! The store's writes for the app: registration with MCP-card doses all or nothing, sessions,
//! AEFI, local workers and settings, and convergence of session and AEFI events whatever their
//! order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use teeka_domain::tally::{tally, Tally};
use teeka_domain::{
    AefiFacts, AefiSeverity, Antigen, BeneficiaryFacts, DoseCode, HouseholdFacts, Kind, ReasonCode, Sex, VialsUsed,
    WorkerRole,
};
use teeka_store::{AefiRecord, Ctx, Store};

fn date(s: &str) -> NaiveDate {
    teeka_domain::parse_date(s).unwrap()
}

fn ctx() -> Ctx {
    Ctx {
        now: Utc.with_ymd_and_hms(2026, 3, 10, 6, 0, 0).unwrap(),
        today: date("2026-03-10"),
        author: "anm".into(),
        worker: None,
    }
}

fn child(name: &str, dob: &str) -> BeneficiaryFacts {
    BeneficiaryFacts {
        name: name.into(),
        sex: Some(Sex::F),
        dob: Some(date(dob)),
        lmp: None,
        mother_name: None,
        ..Default::default()
    }
}

fn session_tally(s: &Store, session: uuid::Uuid) -> teeka_store::Result<Tally> {
    s.session(session)?;
    Ok(tally(session, s.session_facts(session)?))
}

fn aefi_of(s: &Store, register_id: &str) -> teeka_store::Result<Vec<AefiRecord>> {
    s.aefi_records(s.beneficiary(register_id)?.id)
}

/// A store with a village, a household and a child; returns (village, household, register id).
fn setup(s: &mut Store) -> (uuid::Uuid, uuid::Uuid, String) {
    let v = s.add_village("Rampur", &ctx()).unwrap();
    let h = s.register_household(v, &HouseholdFacts::default(), &ctx()).unwrap();
    let (rid, _) = s
        .register_beneficiary(
            h,
            Kind::Child,
            &child("Priya", "2026-01-01"),
            &[(DoseCode::Bcg, date("2026-01-01"))],
            &ctx(),
        )
        .unwrap();
    (v, h, rid)
}

#[test]
fn registration_with_card_doses_is_all_or_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    let (_, h, _) = setup(&mut s);
    let events = s.event_count().unwrap();
    let bad = [(DoseCode::Bcg, date("2026-01-01")), (DoseCode::Opv1, date("2025-12-31"))];
    let e = s.register_beneficiary(h, Kind::Child, &child("Asha", "2026-01-01"), &bad, &ctx()).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("doses[1]"), "{e}");
    let e = s
        .register_beneficiary(
            h,
            Kind::Child,
            &child("Asha", "2026-01-01"),
            &[(DoseCode::Td1, date("2026-01-02"))],
            &ctx(),
        )
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    let e = s.register_beneficiary(h, Kind::Child, &child("Asha", "2026-04-01"), &[], &ctx()).unwrap_err();
    assert!(e.to_string().contains("future"), "{e}");
    assert_eq!(s.event_count().unwrap(), events);
    assert_eq!(s.export().unwrap().beneficiaries.len(), 1);
    let (rid, _) = s
        .register_beneficiary(
            h,
            Kind::Child,
            &child("Asha", "2026-01-01"),
            &[(DoseCode::Bcg, date("2026-01-01")), (DoseCode::Opv0, date("2026-01-01"))],
            &ctx(),
        )
        .unwrap();
    assert_eq!(s.dose_records(s.beneficiary(&rid).unwrap().id).unwrap().len(), 2);
}

#[test]
fn a_closed_session_refuses_records() {
    let mut s = Store::open_in_memory().unwrap();
    let (v, _, rid) = setup(&mut s);
    let session = s.open_session(v, date("2026-03-10"), &ctx()).unwrap();
    assert_eq!(s.open_session(v, date("2026-03-10"), &ctx()).unwrap(), session);
    s.record_doses(
        &rid,
        &[(DoseCode::Opv1, date("2026-03-10")), (DoseCode::Penta1, date("2026-03-10"))],
        Some(session),
        &ctx(),
    )
    .unwrap();
    s.close_session(session, vec![VialsUsed { antigen: Antigen::Opv, opened: 1 }], &ctx()).unwrap();
    let events = s.event_count().unwrap();
    let e = s.record_doses(&rid, &[(DoseCode::Rvv1, date("2026-03-10"))], Some(session), &ctx()).unwrap_err();
    assert_eq!(e.code(), "SESSION_CLOSED");
    let e = s
        .record_not_given_codes(
            &rid,
            &[DoseCode::Rvv1],
            date("2026-03-10"),
            ReasonCode::ChildSick,
            Some(session),
            &ctx(),
        )
        .unwrap_err();
    assert_eq!(e.code(), "SESSION_CLOSED");
    assert_eq!(s.event_count().unwrap(), events);
    let tally = session_tally(&s, session).unwrap();
    assert_eq!(tally.by_dose.len(), 2);
    assert_eq!(tally.beneficiaries, 1);
}

#[test]
fn workers_and_local_settings_stay_local() {
    let mut s = Store::open_in_memory().unwrap();
    let events = s.event_count().unwrap();
    s.add_worker(uuid::Uuid::now_v7(), "Meena", WorkerRole::Anm, "hash", &ctx()).unwrap();
    s.set_local_setting("language", Some("hi")).unwrap();
    assert_eq!(s.local_setting("language").unwrap().as_deref(), Some("hi"));
    assert_eq!(s.workers().unwrap()[0].name, "Meena");
    assert_eq!(s.event_count().unwrap(), events, "no events");
}

#[test]
fn session_and_aefi_events_converge_in_any_order() {
    let mut a = Store::open_in_memory().unwrap();
    let (v, _, rid) = setup(&mut a);
    let session = a.open_session(v, date("2026-03-10"), &ctx()).unwrap();
    a.record_doses(&rid, &[(DoseCode::Opv1, date("2026-03-10"))], Some(session), &ctx()).unwrap();
    let fever = AefiFacts {
        severity: AefiSeverity::Minor,
        signs: vec![],
        observed: "fever".into(),
        codes: vec![DoseCode::Opv1],
        onset: None,
        referral: None,
    };
    a.report_aefi(&rid, Some(session), date("2026-03-10"), &fever, &ctx()).unwrap();
    a.close_session(session, vec![VialsUsed { antigen: Antigen::Opv, opened: 2 }], &ctx()).unwrap();
    let events = a.events().unwrap();
    let reference = (a.sessions().unwrap(), aefi_of(&a, &rid).unwrap(), session_tally(&a, session).unwrap());
    // Registrations keep their order (as the server's log keeps it); the closing and the AEFI
    // (the last two events) may come anywhere before them, and the session's dose before its
    // opening.
    let n = events.len();
    assert_eq!(n, 8);
    let mut orders: Vec<Vec<usize>> = Vec::new();
    for base in [vec![0, 1, 2, 3, 4, 5], vec![0, 1, 2, 3, 5, 4]] {
        for p in 0..=base.len() {
            for q in 0..=base.len() + 1 {
                let mut o = base.clone();
                o.insert(p, 7);
                o.insert(q, 6);
                orders.push(o);
            }
        }
    }
    for order in orders {
        let mut b = Store::open_in_memory().unwrap();
        for i in &order {
            b.ingest(std::slice::from_ref(&events[*i]), ctx().now).unwrap();
        }
        let got = (b.sessions().unwrap(), aefi_of(&b, &rid).unwrap_or_default(), session_tally(&b, session).ok());
        assert_eq!(got.0, reference.0, "sessions, order {order:?}");
        assert_eq!(got.1, reference.1, "AEFI, order {order:?}");
        assert_eq!(got.2.as_ref(), Some(&reference.2), "tally, order {order:?}");
    }
}
