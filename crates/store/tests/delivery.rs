//! Deliveries (issue 9, item 11): one event closes the pregnancy and registers the newborns; it
//! converges in any order of arrival, twice or once, and equals the domain's replay.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use teeka_domain::register::parse_register;
use teeka_domain::report::standing;
use teeka_domain::{
    replay, BeneficiaryStatus, DeliveryOutcome, DoseStatus, Event, EventBody, Kind, ScheduleSettings, Sex,
};
use teeka_store::{Ctx, Store, StoreError};

fn date(s: &str) -> NaiveDate {
    teeka_domain::parse_date(s).unwrap()
}

fn ctx_at(now: DateTime<Utc>) -> Ctx {
    Ctx { now, today: date("2026-11-22"), author: "anm-1".into(), worker: None }
}

fn ctx() -> Ctx {
    ctx_at(Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0).unwrap())
}

const REGISTER: &str = "register_id,household_id,village,house_no,phone,kind,name,sex,dob,lmp,mother_name,BCG,OPV1
C-1,H-1,Rampur,12,9876543210,child,आरव,M,2026-06-01,,सुनीता,2026-06-01,
W-1,H-2,Rampur,7,,pregnant_woman,Kamla,F,,2026-03-01,,,
";

fn imported() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    let rows = parse_register(REGISTER.as_bytes(), date("2026-11-22")).unwrap();
    s.import_register(&rows, &ctx()).unwrap();
    s
}

fn export(s: &Store) -> String {
    serde_json::to_string(&s.export().unwrap()).unwrap()
}

#[test]
fn a_live_birth_closes_the_pregnancy_and_registers_the_newborn_with_birth_doses_due() {
    let mut s = imported();
    let newborns = vec![("Baby of Kamla".to_string(), Some(Sex::F))];
    let (event, ids) =
        s.record_delivery("W-1", date("2026-11-20"), DeliveryOutcome::LiveBirth, &newborns, &ctx()).unwrap();
    assert_eq!(event.body.kind(), "delivery_recorded");
    assert_eq!(ids.len(), 1);
    assert!(ids[0].starts_with("B-"));
    let mother = s.beneficiary("W-1").unwrap();
    assert_eq!(mother.status, BeneficiaryStatus::Delivered);
    let d = mother.delivery.unwrap();
    assert_eq!((d.date, d.outcome, d.live_births), (date("2026-11-20"), DeliveryOutcome::LiveBirth, 1));
    let baby = s.beneficiary(&ids[0]).unwrap();
    assert_eq!((baby.kind, baby.household, baby.facts.dob), (Kind::Child, mother.household, Some(date("2026-11-20"))));
    assert_eq!((baby.facts.sex, baby.facts.mother_name.as_deref()), (Some(Sex::F), Some("Kamla")));
    assert_eq!(baby.mother.as_deref(), Some("W-1"));
    // Birth doses due from the date of delivery.
    let st = standing(&baby.subject().unwrap(), baby.status, &[], date("2026-11-22"), &ScheduleSettings::default());
    let due: Vec<_> = st.due.iter().filter(|x| x.status == DoseStatus::Due).map(|x| x.code.as_str()).collect();
    assert_eq!(due, vec!["BCG", "OPV0"], "HepB birth dose is given within 24 hours only");
    let st = standing(&baby.subject().unwrap(), baby.status, &[], date("2026-11-20"), &ScheduleSettings::default());
    assert_eq!(st.due.iter().map(|x| x.code.as_str()).collect::<Vec<_>>(), vec!["BCG", "HEPB0", "OPV0"]);
    // A delivered woman is off the due list; the export shows the newborn and the link.
    let ex = s.export().unwrap();
    let b = ex.beneficiaries.iter().find(|b| b.register_id == ids[0]).unwrap();
    assert_eq!(b.mother.as_deref(), Some("W-1"));
    assert!(s.due_list(date("2026-11-22"), None).unwrap().iter().all(|i| &*i.register_id != "W-1"));
    // The same export as the domain's replay of the log.
    assert_eq!(replay(&s.events().unwrap()).unwrap(), ex);
}

#[test]
fn impossible_deliveries_are_refused_and_store_nothing() {
    let mut s = imported();
    let before = s.events().unwrap().len();
    let baby = vec![("Baby".to_string(), None)];
    let refuse = |s: &mut Store, who: &str, on: &str, o, n: &[(String, Option<Sex>)]| {
        s.record_delivery(who, date(on), o, n, &ctx()).unwrap_err()
    };
    let e = refuse(&mut s, "W-1", "2026-11-23", DeliveryOutcome::LiveBirth, &baby);
    assert_eq!(
        (e.code(), e.to_string()),
        ("INVALID_INPUT", "date 2026-11-23 is in the future (today is 2026-11-22)".into())
    );
    let e = refuse(&mut s, "W-1", "2026-02-01", DeliveryOutcome::LiveBirth, &baby);
    assert_eq!(e.to_string(), "date 2026-02-01 is before W-1's LMP 2026-03-01");
    let e = refuse(&mut s, "C-1", "2026-11-20", DeliveryOutcome::LiveBirth, &baby);
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(matches!(
        refuse(&mut s, "X-9", "2026-11-20", DeliveryOutcome::Stillbirth, &[]),
        StoreError::UnknownBeneficiary(_)
    ));
    assert_eq!(s.events().unwrap().len(), before);
    // Once delivered, not again.
    s.record_delivery("W-1", date("2026-06-01"), DeliveryOutcome::Abortion, &[], &ctx()).unwrap();
    assert_eq!(refuse(&mut s, "W-1", "2026-11-20", DeliveryOutcome::LiveBirth, &baby).code(), "INVALID_INPUT");
    let w = s.beneficiary("W-1").unwrap();
    assert_eq!((w.status, w.delivery.map(|d| d.live_births)), (BeneficiaryStatus::Delivered, Some(0)));
}

#[test]
fn a_maternal_death_marks_the_mother_died() {
    let mut s = imported();
    let (_, ids) = s
        .record_delivery(
            "W-1",
            date("2026-11-20"),
            DeliveryOutcome::MaternalDeath,
            &[("Baby of Kamla".into(), Some(Sex::M))],
            &ctx(),
        )
        .unwrap();
    assert_eq!(s.beneficiary("W-1").unwrap().status, BeneficiaryStatus::Died);
    assert_eq!(s.beneficiary(&ids[0]).unwrap().status, BeneficiaryStatus::Active);
}

/// Every order of `events`.
fn orders(events: &[Event]) -> Vec<Vec<Event>> {
    if events.len() <= 1 {
        return vec![events.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..events.len() {
        let mut rest = events.to_vec();
        let first = rest.remove(i);
        for mut o in orders(&rest) {
            o.insert(0, first.clone());
            out.push(o);
        }
    }
    out
}

#[test]
fn deliveries_converge_in_any_order_of_arrival_and_twice_is_once() {
    // Device A registers the household and the woman; B takes them, then each records the
    // same delivery (B's newborn has another id and register id), and A renames the woman.
    let mut a = imported();
    let mut b = Store::open_in_memory().unwrap();
    let base = a.events().unwrap();
    b.ingest(&base, Utc::now()).unwrap();
    let t = |h| ctx_at(Utc.with_ymd_and_hms(2026, 11, 22, h, 0, 0).unwrap());
    let one = vec![("Baby of Kamla".to_string(), Some(Sex::F))];
    a.record_delivery("W-1", date("2026-11-20"), DeliveryOutcome::LiveBirth, &one, &t(7)).unwrap();
    b.record_delivery("W-1", date("2026-11-21"), DeliveryOutcome::LiveBirth, &one, &t(8)).unwrap();
    let w1 = a.beneficiary("W-1").unwrap().id;
    a.append(
        &t(9),
        vec![EventBody::BeneficiaryUpdated {
            beneficiary: w1,
            fields: vec![teeka_domain::BeneficiaryField::Name("Kamla Devi".into())],
        }],
    )
    .unwrap();
    let mut late: Vec<Event> = a.events().unwrap()[base.len()..].to_vec();
    late.extend(b.events().unwrap()[base.len()..].iter().cloned());
    // The registrations of the woman and her household may also come after the deliveries.
    let woman = base
        .iter()
        .position(|e| matches!(&e.body, EventBody::BeneficiaryRegistered { register_id, .. } if register_id == "W-1"))
        .unwrap();
    let mut head = base.clone();
    let registration = head.remove(woman);
    late.push(registration.clone());
    let update = late.iter().find(|e| matches!(e.body, EventBody::BeneficiaryUpdated { .. })).unwrap().id;
    let mut want: Option<String> = None;
    for order in orders(&late) {
        let at = |id| order.iter().position(|e: &Event| e.id == id);
        if at(update) < at(registration.id) {
            continue; // an update before its registration is left out, as everywhere
        }
        let mut s = Store::open_in_memory().unwrap();
        s.ingest(&head, Utc::now()).unwrap();
        for e in &order {
            s.ingest(std::slice::from_ref(e), Utc::now()).unwrap();
        }
        assert_eq!(s.ingest(&order, Utc::now()).unwrap(), 0, "twice is once");
        let got = export(&s);
        let mut log = head.clone();
        log.extend(order.iter().cloned());
        assert_eq!(serde_json::to_string(&replay(&log).unwrap()).unwrap(), got, "the replay agrees");
        match &want {
            Some(w) => assert_eq!(&got, w),
            None => want = Some(got),
        }
    }
    let ex: serde_json::Value = serde_json::from_str(&want.unwrap()).unwrap();
    let rows = ex["beneficiaries"].as_array().unwrap();
    let w = rows.iter().find(|r| r["register_id"] == "W-1").unwrap();
    assert_eq!((w["status"].as_str(), w["name"].as_str()), (Some("delivered"), Some("Kamla Devi")));
    assert_eq!(w["delivery"]["date"], "2026-11-21", "the later delivery record wins");
    let babies: Vec<_> = rows.iter().filter(|r| r["mother"] == "W-1").collect();
    assert_eq!(babies.len(), 2, "two records of the birth, two register ids: both kept for review");
    assert!(babies.iter().all(|b| b["mother_name"] == "Kamla" && b["kind"] == "child"));
}
