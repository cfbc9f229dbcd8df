//! Resistant families' case files and communication activities in the store (issue 11, items 2
//! and 3): a case's life cycle from the refusal to the dose given, a migrated family, the
//! escalation by last-writer-wins across two devices, the checks, and every order of arrival
//! converging.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use teeka_domain::{
    ActivityKind, BeneficiaryFacts, CaseStatus, DoseCode, Event, HouseholdFacts, Kind, Persuader, ReasonCode, Sex,
    VisitAction, VisitOutcome,
};
use teeka_store::{CaseFilter, Ctx, NewActivity, NewVisit, Store};
use uuid::Uuid;

fn date(s: &str) -> NaiveDate {
    teeka_domain::parse_date(s).unwrap()
}

fn at(day: &str, hour: u32) -> Ctx {
    let d = date(day);
    let now: DateTime<Utc> = Utc.from_utc_datetime(&d.and_hms_opt(hour, 0, 0).unwrap());
    Ctx { now, today: d, author: "asha".into(), worker: None }
}

fn ctx() -> Ctx {
    at("2026-03-10", 6)
}

/// A village with a household holding a child born 2026-01-01: (village, household id, child).
fn setup(s: &mut Store) -> (Uuid, String, String) {
    let v = s.add_village("Rampur", &ctx()).unwrap();
    let facts = HouseholdFacts { head_of_household: Some("Ramesh".into()), ..Default::default() };
    let h = s.register_household(v, &facts, &ctx()).unwrap();
    let facts = BeneficiaryFacts {
        name: "Priya".into(),
        sex: Some(Sex::F),
        dob: Some(date("2026-01-01")),
        ..Default::default()
    };
    let (child, _) = s.register_beneficiary(h, Kind::Child, &facts, &[], &ctx()).unwrap();
    let household_id = s.case_household(&h.to_string()).unwrap().1;
    (v, household_id, child)
}

fn visit(d: &str, outcome: VisitOutcome) -> NewVisit<'static> {
    NewVisit {
        date: date(d),
        by: Persuader::Asha,
        by_name: Some("Sunita"),
        action: VisitAction::HomeVisit,
        outcome,
        note: None,
    }
}

fn status(s: &Store, on: &str) -> CaseStatus {
    let files = s.case_files(&CaseFilter::all(date(on))).unwrap();
    assert_eq!(files.len(), 1);
    files[0].state.status
}

#[test]
fn a_case_file_runs_from_the_refusal_to_the_dose_given() {
    let mut s = Store::open_in_memory().unwrap();
    let (v, hh, child) = setup(&mut s);
    // No refusal: no case file, and nothing can be recorded in one.
    assert!(s.case_files(&CaseFilter::all(date("2026-03-10"))).unwrap().is_empty());
    let e = s.record_case_visit(&hh, visit("2026-03-05", VisitOutcome::StillRefusing), &ctx()).unwrap_err();
    assert_eq!(e.code(), "NO_REFUSAL", "{e}");
    assert_eq!(s.assign_case(&hh, Persuader::Anm, None, &ctx()).unwrap_err().code(), "NO_REFUSAL");
    assert_eq!(s.escalate_case(&hh, true, None, &ctx()).unwrap_err().code(), "NO_REFUSAL");
    assert_eq!(s.assign_case("HH-NONE", Persuader::Anm, None, &ctx()).unwrap_err().code(), "NOT_FOUND");

    s.record_not_given_codes(
        &child,
        &[DoseCode::Opv1, DoseCode::Penta1],
        date("2026-03-01"),
        ReasonCode::RefusedFearAefi,
        None,
        &at("2026-03-01", 6),
    )
    .unwrap();
    let files = s.case_files(&CaseFilter::all(date("2026-03-02"))).unwrap();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!((f.household_id.as_str(), f.village_id, f.village.as_str()), (hh.as_str(), v, "Rampur"));
    assert_eq!(f.head_of_household.as_deref(), Some("Ramesh"));
    assert_eq!(f.refusals.len(), 1, "one line per member and visit");
    assert_eq!(f.refusals[0].codes, vec![DoseCode::Opv1, DoseCode::Penta1]);
    assert_eq!(f.refusals[0].reason, ReasonCode::RefusedFearAefi);
    assert_eq!((f.state.status, f.state.opened_on, f.days_open), (CaseStatus::Open, date("2026-03-01"), 1));
    assert!(f.assigned.is_none() && f.visits.is_empty() && f.escalated.is_none());

    // Checked: not before the refusal, not in the future, a note that fits.
    let e = s.record_case_visit(&hh, visit("2026-02-28", VisitOutcome::StillRefusing), &ctx()).unwrap_err();
    assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("date")), "{e}");
    let e = s.record_case_visit(&hh, visit("2026-03-11", VisitOutcome::StillRefusing), &ctx()).unwrap_err();
    assert!(e.to_string().contains("future"), "{e}");
    let long = "n".repeat(101);
    let e = s
        .record_case_visit(&hh, NewVisit { note: Some(&long), ..visit("2026-03-05", VisitOutcome::Persuaded) }, &ctx())
        .unwrap_err();
    assert_eq!(e.field(), Some("note"), "{e}");
    let events = s.event_count().unwrap();

    // Assigned, visited (still refusing, then agreed), the dose given: persuaded by itself.
    s.assign_case(&hh, Persuader::ReligiousLeader, Some("Imam Sahab"), &at("2026-03-03", 6)).unwrap();
    let first = s.record_case_visit(&hh, visit("2026-03-04", VisitOutcome::StillRefusing), &ctx()).unwrap();
    assert_eq!(s.event_count().unwrap(), events + 2, "nothing was stored by the refused requests");
    assert_eq!(status(&s, "2026-03-04"), CaseStatus::StillRefusing);
    let second = s.record_case_visit(&hh, visit("2026-03-06", VisitOutcome::Persuaded), &ctx()).unwrap();
    let f = s.case_file(&hh, date("2026-03-07")).unwrap();
    assert_eq!(f.state.status, CaseStatus::Open, "agreed, the dose awaited: still open");
    assert_eq!(f.state.agreed_on, Some(date("2026-03-06")));
    assert_eq!(f.visits.iter().map(|v| v.id).collect::<Vec<_>>(), vec![first, second]);
    let a = f.assigned.unwrap();
    assert_eq!((a.persuader, a.name.as_deref()), (Persuader::ReligiousLeader, Some("Imam Sahab")));
    assert_eq!(s.case_files(&CaseFilter { open_only: true, ..CaseFilter::all(date("2026-03-07")) }).unwrap().len(), 1);
    let by_anm = CaseFilter { assigned_to: Some(Persuader::Anm), ..CaseFilter::all(date("2026-03-07")) };
    assert!(s.case_files(&by_anm).unwrap().is_empty());

    s.record_dose_at(&child, DoseCode::Opv1, date("2026-03-08"), None, &ctx()).unwrap();
    let f = s.case_file(&hh, date("2026-03-10")).unwrap();
    assert_eq!(f.state.status, CaseStatus::Persuaded);
    assert_eq!(f.state.persuaded_on, Some(date("2026-03-08")));
    assert!(s.case_files(&CaseFilter { open_only: true, ..CaseFilter::all(date("2026-03-10")) }).unwrap().is_empty());
    // On an earlier date the case is seen as it stood then.
    assert_eq!(status(&s, "2026-03-05"), CaseStatus::StillRefusing);
}

#[test]
fn a_family_that_moved_away_is_migrated_and_closed() {
    let mut s = Store::open_in_memory().unwrap();
    let (_, hh, child) = setup(&mut s);
    s.record_not_given(&child, DoseCode::Bcg, date("2026-03-01"), ReasonCode::RefusedReligious, &ctx()).unwrap();
    s.record_case_visit(&hh, visit("2026-03-09", VisitOutcome::Migrated), &ctx()).unwrap();
    assert_eq!(status(&s, "2026-03-10"), CaseStatus::Migrated);
    assert!(s.case_files(&CaseFilter { open_only: true, ..CaseFilter::all(date("2026-03-10")) }).unwrap().is_empty());
}

#[test]
fn an_escalation_set_and_withdrawn_on_two_devices_ends_as_the_later_says() {
    let mut a = Store::open_in_memory().unwrap();
    let (_, hh, child) = setup(&mut a);
    a.record_not_given(&child, DoseCode::Bcg, date("2026-03-01"), ReasonCode::RefusedFamily, &ctx()).unwrap();
    let mut b = Store::open_in_memory().unwrap();
    b.ingest(&a.events().unwrap(), Utc::now()).unwrap();
    let n = a.event_count().unwrap() as usize;

    // A escalates at 8; B, later at 9, withdraws it.
    a.escalate_case(&hh, true, Some("the father threatens the ASHA"), &at("2026-03-05", 8)).unwrap();
    b.escalate_case(&hh, false, None, &at("2026-03-05", 9)).unwrap();
    let from_a: Vec<Event> = a.events().unwrap().into_iter().skip(n).collect();
    let from_b: Vec<Event> = b.events().unwrap().into_iter().skip(n).collect();
    a.ingest(&from_b, Utc::now()).unwrap();
    b.ingest(&from_a, Utc::now()).unwrap();
    for s in [&a, &b] {
        let f = s.case_file(&hh, date("2026-03-10")).unwrap();
        assert_eq!((f.escalated.clone(), f.state.escalated_on), (None, None), "withdrawn, later");
    }

    // Escalated again at 10 on B: both see it, with its note.
    b.escalate_case(&hh, true, Some("refuses again"), &at("2026-03-06", 10)).unwrap();
    a.ingest(&b.events().unwrap(), Utc::now()).unwrap();
    for s in [&a, &b] {
        let e = s.case_file(&hh, date("2026-03-10")).unwrap().escalated.unwrap();
        assert_eq!((e.on, e.note.as_deref()), (date("2026-03-06"), Some("refuses again")));
    }
}

/// Every order of 0..n.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for o in orders(n - 1) {
        for p in 0..=o.len() {
            let mut o = o.clone();
            o.insert(p, n - 1);
            out.push(o);
        }
    }
    out
}

#[test]
fn case_files_and_activities_converge_in_any_order_of_arrival() {
    let mut s = Store::open_in_memory().unwrap();
    let (v, hh, child) = setup(&mut s);
    let head = s.events().unwrap();
    let t = |h| at("2026-03-08", h);
    s.record_not_given(&child, DoseCode::Bcg, date("2026-03-01"), ReasonCode::RefusedNoFaith, &t(6)).unwrap();
    s.assign_case(&hh, Persuader::Anm, Some("Meena"), &t(7)).unwrap();
    s.assign_case(&hh, Persuader::CommunityInfluencer, None, &t(8)).unwrap();
    s.record_case_visit(&hh, visit("2026-03-02", VisitOutcome::StillRefusing), &t(9)).unwrap();
    s.escalate_case(&hh, true, None, &t(10)).unwrap();
    let activity = NewActivity {
        date: date("2026-03-03"),
        kind: ActivityKind::MothersMeeting,
        led_by: "Sunita",
        leader: Some(Persuader::Asha),
        attendance: 14,
        note: None,
    };
    s.record_activity(v, activity, &t(11)).unwrap();
    let tail: Vec<Event> = s.events().unwrap().into_iter().skip(head.len()).collect();
    // The refusal first (a case needs it), then the case-file events in every order.
    let want = serde_json::to_string(&s.case_files(&CaseFilter::all(date("2026-03-10"))).unwrap()).unwrap();
    let acts = serde_json::to_string(&s.activities(None, None, None).unwrap()).unwrap();
    for order in orders(tail.len() - 1) {
        let mut r = Store::open_in_memory().unwrap();
        r.ingest(&head, Utc::now()).unwrap();
        for i in std::iter::once(0).chain(order.iter().map(|i| i + 1)) {
            r.ingest(std::slice::from_ref(&tail[i]), Utc::now()).unwrap();
        }
        let got = serde_json::to_string(&r.case_files(&CaseFilter::all(date("2026-03-10"))).unwrap()).unwrap();
        assert_eq!(got, want, "order {order:?}");
        assert_eq!(serde_json::to_string(&r.activities(None, None, None).unwrap()).unwrap(), acts);
    }
    let f = s.case_file(&hh, date("2026-03-10")).unwrap();
    assert_eq!(f.assigned.unwrap().persuader, Persuader::CommunityInfluencer, "the later assignment stands");
    assert_eq!(f.state.status, CaseStatus::StillRefusing);
}

#[test]
fn an_activity_is_checked_then_listed_by_village_and_dates() {
    let mut s = Store::open_in_memory().unwrap();
    let (v, _, _) = setup(&mut s);
    let other = s.add_village("Sonpur", &ctx()).unwrap();
    let base = NewActivity {
        date: date("2026-03-09"),
        kind: ActivityKind::Rally,
        led_by: "Sunita",
        leader: None,
        attendance: 40,
        note: Some("school children"),
    };
    let n = s.event_count().unwrap();
    let e = s.record_activity(Uuid::now_v7(), base, &ctx()).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_VILLAGE");
    let e = s.record_activity(v, NewActivity { date: date("2026-03-11"), ..base }, &ctx()).unwrap_err();
    assert_eq!(e.field(), Some("date"), "{e}");
    let e = s.record_activity(v, NewActivity { led_by: " ", ..base }, &ctx()).unwrap_err();
    assert_eq!(e.field(), Some("led_by"), "{e}");
    let e = s.record_activity(v, NewActivity { attendance: 10_001, ..base }, &ctx()).unwrap_err();
    assert_eq!(e.field(), Some("attendance"), "{e}");
    assert_eq!(s.event_count().unwrap(), n, "nothing stored");

    let first = s.record_activity(v, NewActivity { date: date("2026-03-01"), ..base }, &ctx()).unwrap();
    let second = s.record_activity(v, base, &ctx()).unwrap();
    let third = s.record_activity(other, NewActivity { kind: ActivityKind::Miking, ..base }, &ctx()).unwrap();
    let ids = |l: Vec<teeka_store::ActivityRecord>| l.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(ids(s.activities(Some(v), None, None).unwrap()), vec![second, first], "newest first");
    assert_eq!(ids(s.activities(None, Some(date("2026-03-05")), None).unwrap()).len(), 2);
    assert_eq!(ids(s.activities(None, None, Some(date("2026-03-05"))).unwrap()), vec![first]);
    let all = s.activities(Some(other), None, None).unwrap();
    assert_eq!((all[0].id, all[0].village.as_str(), all[0].kind), (third, "Sonpur", ActivityKind::Miking));
    assert_eq!(s.activity_refs().unwrap().len(), 3);
    assert_eq!(s.find_village("rampur").unwrap(), v);
    assert_eq!(s.find_village(&v.to_string()).unwrap(), v);
    assert_eq!(s.find_village("Nowhere").unwrap_err().code(), "UNKNOWN_VILLAGE");
}
