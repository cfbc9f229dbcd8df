//! An ANM's session work in the store (issue 9, items 5–7): AEFI reports edited field by field,
//! refusals per dose with a note, undone within the session, one row per visit for the
//! supervisor, a household resistant only while a refusal stands, sessions resumed and never in
//! the future; each projection converging whatever order its events arrive in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use teeka_domain::{
    AefiFacts, AefiSeverity, AefiSign, BeneficiaryFacts, DoseCode, Event, HouseholdFacts, Kind, ReasonCode, Referral,
    Sex,
};
use teeka_store::{Ctx, Store, Visit};
use uuid::Uuid;

fn date(s: &str) -> NaiveDate {
    teeka_domain::parse_date(s).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 6, 0, 0).unwrap()
}

fn ctx() -> Ctx {
    Ctx { now: now(), today: date("2026-03-10"), author: "anm".into(), worker: None }
}

/// A village with a household holding a child and a pregnant woman: (village, child, woman).
fn setup(s: &mut Store) -> (Uuid, String, String) {
    let v = s.add_village("Rampur", &ctx()).unwrap();
    let h = s.register_household(v, &HouseholdFacts::default(), &ctx()).unwrap();
    let facts = BeneficiaryFacts {
        name: "Priya".into(),
        sex: Some(Sex::F),
        dob: Some(date("2026-01-01")),
        ..Default::default()
    };
    let (child, _) = s.register_beneficiary(h, Kind::Child, &facts, &[], &ctx()).unwrap();
    let facts = BeneficiaryFacts { name: "Kamla".into(), lmp: Some(date("2026-01-05")), ..Default::default() };
    let (woman, _) = s.register_beneficiary(h, Kind::PregnantWoman, &facts, &[], &ctx()).unwrap();
    (v, child, woman)
}

fn fever() -> AefiFacts {
    AefiFacts {
        severity: AefiSeverity::Minor,
        signs: vec![AefiSign::Fever],
        observed: String::new(),
        codes: vec![DoseCode::Penta1],
        onset: None,
        referral: None,
    }
}

fn refused(s: &Store) -> bool {
    s.export().unwrap().beneficiaries.iter().any(|b| b.resistant_household)
}

/// Every order of `tail` after `head` (all permutations: the tails here are short).
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

fn replica(head: &[Event], tail: &[Event], order: &[usize]) -> Store {
    let mut b = Store::open_in_memory().unwrap();
    b.ingest(head, now()).unwrap();
    for i in order {
        b.ingest(std::slice::from_ref(&tail[*i]), now()).unwrap();
    }
    b
}

#[test]
fn an_aefi_with_a_danger_sign_is_serious_and_a_severe_one_needs_onset_and_referral() {
    let mut s = Store::open_in_memory().unwrap();
    let (_, child, _) = setup(&mut s);
    let events = s.event_count().unwrap();
    let seizure = AefiFacts { signs: vec![AefiSign::Seizure], ..fever() };
    let e = s.report_aefi(&child, None, date("2026-03-10"), &seizure, &ctx()).unwrap_err();
    assert_eq!(e.code(), "AEFI_SEVERITY_TOO_LOW");
    let serious = AefiFacts { severity: AefiSeverity::Serious, ..seizure };
    let e = s.report_aefi(&child, None, date("2026-03-10"), &serious, &ctx()).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().starts_with("onset is missing"), "{e}");
    let later = AefiFacts { onset: Some(now() + chrono::Duration::minutes(5)), ..serious.clone() };
    assert_eq!(s.report_aefi(&child, None, date("2026-03-10"), &later, &ctx()).unwrap_err().code(), "ONSET_IN_FUTURE");
    assert_eq!(s.event_count().unwrap(), events, "nothing stored");
    let onset = Utc.with_ymd_and_hms(2026, 3, 10, 5, 30, 0).unwrap();
    let ok = AefiFacts { onset: Some(onset), referral: Some(Referral::Chc), ..serious };
    let id = s.report_aefi(&child, None, date("2026-03-10"), &ok, &ctx()).unwrap();
    let (record, rid) = s.aefi_record(id).unwrap();
    assert_eq!(rid, child);
    assert_eq!(record.facts(), ok);
    assert_eq!((record.onset, record.referral), (Some(onset), Some(Referral::Chc)));
}

#[test]
fn an_aefi_edit_is_last_writer_wins_per_field_in_any_order() {
    let mut a = Store::open_in_memory().unwrap();
    let (_, child, _) = setup(&mut a);
    let head = a.events().unwrap();
    let id = a.report_aefi(&child, None, date("2026-03-10"), &fever(), &ctx()).unwrap();
    // The worker reopens the form: the child also had a rash, and later a seizure.
    let rash = AefiFacts { signs: vec![AefiSign::Fever, AefiSign::Rash], observed: "red spots".into(), ..fever() };
    a.update_aefi(id, &rash, &ctx()).unwrap();
    let count = a.event_count().unwrap();
    a.update_aefi(id, &rash, &ctx()).unwrap();
    assert_eq!(a.event_count().unwrap(), count, "saving what is saved appends nothing");
    let onset = Utc.with_ymd_and_hms(2026, 3, 10, 4, 0, 0).unwrap();
    let seizure = AefiFacts {
        severity: AefiSeverity::Serious,
        signs: vec![AefiSign::Fever, AefiSign::Rash, AefiSign::Seizure],
        onset: Some(onset),
        referral: Some(Referral::Hospital),
        ..rash.clone()
    };
    a.update_aefi(id, &seizure, &ctx()).unwrap();
    let e = a.update_aefi(id, &AefiFacts { severity: AefiSeverity::Minor, ..seizure.clone() }, &ctx()).unwrap_err();
    assert_eq!(e.code(), "AEFI_SEVERITY_TOO_LOW", "an edit is checked as a whole");
    let all = a.events().unwrap();
    let tail = &all[head.len()..];
    assert_eq!(tail.len(), 3, "the report and two edits");
    let reference = a.aefi_records(a.beneficiary(&child).unwrap().id).unwrap();
    assert_eq!(reference.len(), 1);
    assert_eq!(reference[0].facts(), seizure);
    for order in orders(tail.len()) {
        let b = replica(&head, tail, &order);
        let got = b.aefi_records(b.beneficiary(&child).unwrap().id).unwrap();
        assert_eq!(got, reference, "order {order:?}");
    }
    // The report and its edits before the child's registration: applied when it arrives.
    let mut early = Store::open_in_memory().unwrap();
    early.ingest(&head[..2], now()).unwrap();
    early.ingest(tail, now()).unwrap();
    early.ingest(&head[2..], now()).unwrap();
    assert_eq!(early.aefi_records(early.beneficiary(&child).unwrap().id).unwrap(), reference);
}

/// Two phones edit one report apart: one ticks a seizure (serious), the other, later by its
/// clock, saves it as severe. The fields converge one by one, and the report still reads serious:
/// a danger sign is never shown under a lower severity.
#[test]
fn a_danger_sign_from_one_phone_keeps_the_report_serious_whatever_the_other_chose() {
    let mut a = Store::open_in_memory().unwrap();
    let (_, child, _) = setup(&mut a);
    let id = a.report_aefi(&child, None, date("2026-03-10"), &fever(), &ctx()).unwrap();
    let mut b = Store::open_in_memory().unwrap();
    b.ingest(&a.events().unwrap(), now()).unwrap();
    let onset = Utc.with_ymd_and_hms(2026, 3, 10, 4, 0, 0).unwrap();
    let seizure = AefiFacts {
        severity: AefiSeverity::Serious,
        signs: vec![AefiSign::Fever, AefiSign::Seizure],
        onset: Some(onset),
        referral: Some(Referral::Hospital),
        ..fever()
    };
    a.update_aefi(id, &seizure, &ctx()).unwrap();
    let later = Ctx { now: now() + chrono::Duration::hours(1), ..ctx() };
    let severe =
        AefiFacts { severity: AefiSeverity::Severe, onset: Some(onset), referral: Some(Referral::Phc), ..fever() };
    b.update_aefi(id, &severe, &later).unwrap();
    let (from_a, from_b) = (a.events().unwrap(), b.events().unwrap());
    a.ingest(&from_b, now()).unwrap();
    b.ingest(&from_a, now()).unwrap();
    for s in [&a, &b] {
        let got = s.aefi_records(s.beneficiary(&child).unwrap().id).unwrap();
        assert_eq!(got[0].signs, [AefiSign::Fever, AefiSign::Seizure]);
        assert_eq!(got[0].severity, AefiSeverity::Serious);
        assert_eq!(got[0].referral, Some(Referral::Phc), "the later phone's referral");
    }
}

#[test]
fn a_refusal_of_chosen_doses_is_one_visit_with_its_note_and_applies_to_whom_it_can() {
    let mut s = Store::open_in_memory().unwrap();
    let (v, child, woman) = setup(&mut s);
    let session = s.open_session(v, date("2026-03-10"), &ctx()).unwrap();
    let events = s.event_count().unwrap();
    let visit = |reason, note| Visit { date: date("2026-03-10"), reason, note, session: Some(session) };
    let e = s.record_not_given_visit(&woman, &[DoseCode::Td1], visit(ReasonCode::ChildSick, None), &ctx()).unwrap_err();
    assert_eq!(e.code(), "REASON_NOT_APPLICABLE");
    let e =
        s.record_not_given_visit(&child, &[DoseCode::Opv1], visit(ReasonCode::Other, Some(" ")), &ctx()).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().starts_with("note is empty"), "{e}");
    assert_eq!(s.event_count().unwrap(), events, "nothing stored");
    let codes = [DoseCode::Penta1, DoseCode::Opv1, DoseCode::Rvv1];
    s.record_not_given_visit(&child, &codes, visit(ReasonCode::RefusedFamily, None), &ctx()).unwrap();
    s.record_not_given_visit(&woman, &[DoseCode::Td1], visit(ReasonCode::Other, Some("  at her mother's ")), &ctx())
        .unwrap();
    let refusals = s.refusal_records(None).unwrap();
    assert_eq!(refusals.len(), 1, "one row for the visit: {refusals:?}");
    assert_eq!(refusals[0].codes, [DoseCode::Opv1, DoseCode::Penta1, DoseCode::Rvv1], "in schedule order");
    assert_eq!((refusals[0].code, refusals[0].session_id), (DoseCode::Opv1, Some(session)));
    let records = s.session_records(session, Some(&woman)).unwrap();
    assert_eq!(records.not_given[&woman][0].note.as_deref(), Some("at her mother's"));
    let noted = s.not_given_records(s.beneficiary(&woman).unwrap().id).unwrap();
    assert_eq!(noted[0].note.as_deref(), Some("at her mother's"));
    assert!(refused(&s));
}

#[test]
fn an_undone_refusal_stands_no_more_and_the_household_is_resistant_only_while_one_stands() {
    let mut a = Store::open_in_memory().unwrap();
    let (v, child, woman) = setup(&mut a);
    let session = a.open_session(v, date("2026-03-10"), &ctx()).unwrap();
    let head = a.events().unwrap();
    let visit =
        Visit { date: date("2026-03-10"), reason: ReasonCode::RefusedFearAefi, note: None, session: Some(session) };
    a.record_not_given_visit(&child, &[DoseCode::Opv1, DoseCode::Penta1], visit, &ctx()).unwrap();
    assert!(refused(&a));
    let e = a.withdraw_not_given(session, &woman, &ctx()).unwrap_err();
    assert_eq!(e.code(), "NOT_FOUND", "nothing to undo for her");
    a.withdraw_not_given(session, &child, &ctx()).unwrap();
    assert!(!refused(&a), "resistant only because of that refusal: no longer");
    assert!(a.refusal_records(None).unwrap().is_empty());
    assert!(a.session_records(session, None).unwrap().not_given.is_empty());
    assert_eq!(a.withdraw_not_given(session, &child, &ctx()).unwrap_err().code(), "NOT_FOUND");
    let all = a.events().unwrap();
    let tail = all[head.len()..].to_vec();
    assert_eq!(tail.len(), 3, "two records and one withdrawal");
    let reference = a.export().unwrap();
    for order in orders(tail.len()) {
        let b = replica(&head, &tail, &order);
        assert_eq!(b.export().unwrap(), reference, "order {order:?}");
        assert!(b.refusal_records(None).unwrap().is_empty(), "order {order:?}");
        assert_eq!(teeka_domain::replay(&b.events().unwrap()).unwrap(), reference, "replay, order {order:?}");
    }
    // Another refusal of the household still makes it resistant; the session, once closed, is
    // past undoing.
    let visit =
        Visit { date: date("2026-03-10"), reason: ReasonCode::RefusedFamily, note: None, session: Some(session) };
    a.record_not_given_visit(&woman, &[DoseCode::Td1], visit, &ctx()).unwrap();
    assert!(refused(&a));
    a.close_session(session, vec![], &ctx()).unwrap();
    assert_eq!(a.withdraw_not_given(session, &woman, &ctx()).unwrap_err().code(), "SESSION_CLOSED");
}

#[test]
fn a_session_is_resumed_at_its_site_and_date_and_never_opened_in_the_future() {
    let mut s = Store::open_in_memory().unwrap();
    let (v, child, _) = setup(&mut s);
    let (id, resumed) = s.open_or_resume_session(v, date("2026-03-10"), &ctx()).unwrap();
    assert!(!resumed);
    s.record_doses(&child, &[(DoseCode::Opv1, date("2026-03-10"))], Some(id), &ctx()).unwrap();
    assert_eq!(s.open_or_resume_session(v, date("2026-03-10"), &ctx()).unwrap(), (id, true));
    assert_eq!(s.session_facts(id).unwrap().len(), 1, "with its tally");
    let events = s.event_count().unwrap();
    let e = s.open_or_resume_session(v, date("2026-03-11"), &ctx()).unwrap_err();
    assert_eq!(e.code(), "SESSION_IN_FUTURE");
    assert!(e.to_string().contains("2026-03-11 is in the future (today is 2026-03-10)"), "{e}");
    assert_eq!(s.event_count().unwrap(), events);
    let (other, resumed) = s.open_or_resume_session(v, date("2026-03-09"), &ctx()).unwrap();
    assert!(!resumed && other != id);
    s.close_session(id, vec![], &ctx()).unwrap();
    let (next, resumed) = s.open_or_resume_session(v, date("2026-03-10"), &ctx()).unwrap();
    assert!(!resumed && next != id, "a closed session is not resumed");
}
