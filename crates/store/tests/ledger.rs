//! Sessions at microplan sites and their vial ledger: opening at a site, opening and discarding
//! vials (every bad input refused with nothing stored), closing (the vials the open-vial policy
//! does not cover discarded, the others carried), the time left on vials, wastage with vials
//! carried forward, the carry kit with carried vials and their 28 days, and two devices'
//! discards converging whatever the order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, Utc};
use teeka_domain::kit::{VaccineTable, Wastage};
use teeka_domain::ledger::LimitKind;
use teeka_domain::{
    Antigen, AreaLevel, BeneficiaryFacts, DiscardReason, DoseCode, EventBody, HouseholdFacts, Kind, SiteField,
    SiteType, VialsUsed,
};
use teeka_store::{Ctx, Store};
use uuid::Uuid;

fn date(s: &str) -> NaiveDate {
    teeka_domain::parse_date(s).unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A context on `day` at `time` (UTC).
fn ctx_at(day: &str, time: &str) -> Ctx {
    Ctx { now: at(&format!("{day}T{time}Z")), today: date(day), author: "anm".into(), worker: None }
}

fn child(name: &str, dob: &str) -> BeneficiaryFacts {
    BeneficiaryFacts {
        name: name.into(),
        sex: None,
        dob: Some(date(dob)),
        lmp: None,
        mother_name: None,
        ..Default::default()
    }
}

struct Setup {
    rampur: Uuid,
    other: Uuid,
    /// Sub-centre SC-2.
    sc2: Uuid,
}

/// Sub-centre SC-1 with Rampur and Sitapur, served by site S-01; sub-centre SC-2 with Other,
/// served by S-02. Children A, B, C in Rampur and D in Other, all born 2026-09-20 with no dose
/// on record.
fn setup(s: &mut Store) -> Setup {
    REGISTER.with(|r| r.borrow_mut().clear());
    let c = ctx_at("2026-11-10", "03:00:00");
    let (sc1, sc2, rampur, sitapur, other) =
        (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let area = |area, level, name: &str, parent| EventBody::AreaDefined { area, level, name: name.into(), parent };
    s.append(
        &c,
        vec![
            area(sc1, AreaLevel::Subcentre, "SC-1", None),
            area(sc2, AreaLevel::Subcentre, "SC-2", None),
            area(rampur, AreaLevel::Village, "Rampur", Some(sc1)),
            area(sitapur, AreaLevel::Village, "Sitapur", Some(sc1)),
            area(other, AreaLevel::Village, "Other", Some(sc2)),
            site("S-01", "Rampur AWC", vec![rampur, sitapur]),
            site("S-02", "Other school", vec![other]),
        ],
    )
    .unwrap();
    for (village, names) in [(rampur, &["A", "B", "C"][..]), (other, &["D"][..])] {
        let h = s.register_household(village, &HouseholdFacts::default(), &c).unwrap();
        for n in names {
            let (rid, _) = s.register_beneficiary(h, Kind::Child, &child(n, "2026-09-20"), &[], &c).unwrap();
            REGISTER.with(|r| r.borrow_mut().push(((*n).to_string(), rid)));
        }
    }
    Setup { rampur, other, sc2 }
}

thread_local! {
    static REGISTER: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The register id of child `name`.
fn rid(name: &str) -> String {
    REGISTER.with(|r| r.borrow().iter().find(|(n, _)| n == name).map(|(_, id)| id.clone()).unwrap())
}

fn site(site_id: &str, name: &str, villages: Vec<Uuid>) -> EventBody {
    EventBody::SiteRegistered {
        site: Uuid::now_v7(),
        site_id: site_id.into(),
        fields: vec![
            SiteField::Name(name.into()),
            SiteField::Villages(villages),
            SiteField::SiteType(SiteType::Outreach),
        ],
    }
}

fn give(s: &mut Store, name: &str, codes: &[DoseCode], day: &str, session: Uuid, c: &Ctx) {
    for code in codes {
        s.record_dose_at(&rid(name), *code, date(day), Some(session), c).unwrap();
    }
}

fn of(w: &[Wastage], a: Antigen) -> Option<(u32, u32, u32, Option<f64>, bool)> {
    w.iter().find(|x| x.antigen == a).map(|x| (x.vials_opened, x.doses_in_vials, x.doses_given, x.rate, x.data_error))
}

/// Session 1 at S-01 on 2026-11-10: BCG, OPV and Penta vials opened at 04:00, child A given
/// BCG, OPV1 and PENTA1. Returns (session, [bcg, opv, penta]).
fn first_session(s: &mut Store) -> (Uuid, [Uuid; 3]) {
    let c = ctx_at("2026-11-10", "04:00:00");
    let (session, resumed) = s.open_site_session("S-01", date("2026-11-10"), &c).unwrap();
    assert!(!resumed);
    let bcg = s.open_vial(session, Antigen::Bcg, Some("B-77"), Some(date("2027-06-30")), Some(1), &c).unwrap();
    let opv = s.open_vial(session, Antigen::Opv, None, None, Some(2), &c).unwrap();
    let penta = s.open_vial(session, Antigen::Penta, Some("P-1"), None, None, &c).unwrap();
    give(s, "A", &[DoseCode::Bcg, DoseCode::Opv1, DoseCode::Penta1], "2026-11-10", session, &c);
    (session, [bcg, opv, penta])
}

#[test]
fn a_session_at_a_site_is_resumed_not_doubled_and_never_in_the_future() {
    let mut s = Store::open_in_memory().unwrap();
    let set = setup(&mut s);
    let c = ctx_at("2026-11-10", "04:00:00");
    let (id, resumed) = s.open_site_session("S-01", date("2026-11-10"), &c).unwrap();
    assert!(!resumed);
    assert_eq!(s.open_site_session("s-01", date("2026-11-10"), &c).unwrap(), (id, true));
    let l = s.session_ledger(id, c.now, &VaccineTable::default()).unwrap();
    assert_eq!(l.session.site_id.as_deref(), Some("S-01"));
    assert_eq!(l.session.site.as_deref(), Some("Rampur AWC"));
    assert_eq!((l.session.village_id, l.session.village.as_str()), (set.rampur, "Rampur"), "the first village");
    let events = s.event_count().unwrap();
    let e = s.open_site_session("S-01", date("2026-11-11"), &c).unwrap_err();
    assert_eq!(e.code(), "SESSION_IN_FUTURE");
    let e = s.open_site_session("S-09", date("2026-11-10"), &c).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("UNKNOWN_SITE", "no session site 'S-09' in this store (see `teeka plan sites list`)")
    );
    assert_eq!(s.event_count().unwrap(), events, "nothing stored");
}

#[test]
fn every_bad_vial_is_refused_and_nothing_is_stored() {
    let mut s = Store::open_in_memory().unwrap();
    setup(&mut s);
    let c = ctx_at("2026-11-10", "04:00:00");
    let (session, _) = s.open_site_session("S-01", date("2026-11-10"), &c).unwrap();
    let events = s.event_count().unwrap();
    let refused = |s: &mut Store, session, antigen, expiry: Option<&str>, vvm| {
        s.open_vial(session, antigen, None, expiry.map(date), vvm, &c).unwrap_err()
    };
    let e = refused(&mut s, Uuid::now_v7(), Antigen::Opv, None, None);
    assert_eq!(e.code(), "NOT_FOUND");
    assert!(e.to_string().ends_with("no such session on this device"), "{e}");
    let e = refused(&mut s, session, Antigen::Opv, None, Some(5));
    assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("vvm")));
    assert_eq!(e.to_string(), "vvm: 5 is not a VVM stage (1 to 4)");
    let e = refused(&mut s, session, Antigen::Opv, None, Some(3));
    assert_eq!((e.code(), e.field()), ("VIAL_NOT_USABLE", Some("vvm")));
    assert!(e.to_string().contains("stage 3 is at or past the discard point"), "{e}");
    assert_eq!(refused(&mut s, session, Antigen::Opv, None, Some(4)).code(), "VIAL_NOT_USABLE");
    let e = refused(&mut s, session, Antigen::Opv, Some("2026-11-09"), Some(1));
    assert_eq!((e.code(), e.field()), ("VIAL_NOT_USABLE", Some("expiry")));
    // The children are 7 weeks old: no one is due MR (9 months) or Td.
    let e = refused(&mut s, session, Antigen::Mr, None, None);
    assert_eq!((e.code(), e.field()), ("NO_DOSES_DUE", Some("antigen")));
    assert_eq!(
        e.to_string(),
        "antigen: no one on the due list of site S-01 (Rampur AWC) on 2026-11-10 is due MR, and no MR dose is \
         recorded at this session: open a vial only for doses due"
    );
    assert_eq!(refused(&mut s, session, Antigen::Td, None, None).code(), "NO_DOSES_DUE");
    let e = s.open_vial(session, Antigen::Opv, Some(&"x".repeat(500)), None, None, &c).unwrap_err();
    assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("batch")));
    assert_eq!(s.event_count().unwrap(), events, "nothing stored");

    // Once everyone due BCG has had it, a second BCG vial is still allowed: a BCG dose is on
    // record at this session.
    s.open_vial(session, Antigen::Bcg, None, None, None, &c).unwrap();
    for n in ["A", "B", "C"] {
        give(&mut s, n, &[DoseCode::Bcg], "2026-11-10", session, &c);
    }
    s.open_vial(session, Antigen::Bcg, None, None, None, &c).unwrap();

    // Discards: unknown, twice.
    let vial = s.open_vial(session, Antigen::Opv, None, None, None, &c).unwrap();
    let events = s.event_count().unwrap();
    let e = s.discard_vial(Uuid::now_v7(), DiscardReason::Frozen, &c).unwrap_err();
    assert_eq!(e.code(), "NOT_FOUND");
    s.discard_vial(vial, DiscardReason::Contaminated, &c).unwrap();
    let e = s.discard_vial(vial, DiscardReason::Frozen, &c).unwrap_err();
    assert_eq!((e.code(), e.field()), ("VIAL_DISCARDED", Some("vial")));
    assert!(e.to_string().contains("was already discarded (CONTAMINATED at 2026-11-10T04:00:00Z)"), "{e}");
    assert_eq!(s.event_count().unwrap(), events + 1);

    // A closed session takes no vial.
    s.close_ledger_session(session, &VaccineTable::default(), &c).unwrap();
    let e = s.open_vial(session, Antigen::Opv, None, None, None, &c).unwrap_err();
    assert_eq!(e.code(), "SESSION_CLOSED");
    assert_eq!(s.close_ledger_session(session, &VaccineTable::default(), &c).unwrap_err().code(), "SESSION_CLOSED");
}

#[test]
fn a_reconstituted_vial_past_four_hours_is_shown_past_and_discarded_time_limit_at_close() {
    let mut s = Store::open_in_memory().unwrap();
    setup(&mut s);
    let (session, [bcg, opv, penta]) = first_session(&mut s);
    let c = ctx_at("2026-11-10", "04:00:00");
    let rvv = s.open_vial(session, Antigen::Rvv, None, None, None, &c).unwrap();
    let t = VaccineTable::default();
    let l = s.session_ledger(session, at("2026-11-10T07:30:00Z"), &t).unwrap();
    let v = l.vials.iter().find(|v| v.id == bcg).unwrap();
    assert_eq!((v.time.limit, v.time.minutes_left, v.time.past_limit), (LimitKind::FourHours, Some(30), false));
    let v = l.vials.iter().find(|v| v.id == penta).unwrap();
    assert_eq!((v.time.limit, v.time.days_left, v.time.past_limit), (LimitKind::TwentyEightDays, Some(28), false));
    let l = s.session_ledger(session, at("2026-11-10T08:00:00Z"), &t).unwrap();
    let v = l.vials.iter().find(|v| v.id == bcg).unwrap();
    assert_eq!((v.time.minutes_left, v.time.past_limit), (Some(0), true), "4 hours after opening");

    // Closing at 08:30: BCG past its 4 hours (TIME_LIMIT), the single-dose RVV at the session's
    // end; OPV and Penta carried forward.
    let late = ctx_at("2026-11-10", "08:30:00");
    let closing = s.close_ledger_session(session, &t, &late).unwrap();
    assert_eq!(
        closing.discarded,
        vec![(bcg, Antigen::Bcg, DiscardReason::TimeLimit), (rvv, Antigen::Rvv, DiscardReason::SessionEnd)]
    );
    assert_eq!(closing.carried, vec![opv, penta]);
    let counted = vec![
        VialsUsed { antigen: Antigen::Bcg, opened: 1 },
        VialsUsed { antigen: Antigen::Opv, opened: 1 },
        VialsUsed { antigen: Antigen::Penta, opened: 1 },
        VialsUsed { antigen: Antigen::Rvv, opened: 1 },
    ];
    assert_eq!(closing.vials, counted);
    assert_eq!(s.session(session).unwrap().vials, counted, "the closing's vials are the ledger's counts");
    let l = s.session_ledger(session, late.now, &t).unwrap();
    assert!(l.session.closed);
    let reasons: Vec<_> = l.vials.iter().map(|v| (v.antigen, v.discarded.as_ref().map(|d| d.reason))).collect();
    assert_eq!(
        reasons,
        [
            (Antigen::Bcg, Some(DiscardReason::TimeLimit)),
            (Antigen::Opv, None),
            (Antigen::Penta, None),
            (Antigen::Rvv, Some(DiscardReason::SessionEnd))
        ]
    );
}

#[test]
fn the_counted_closing_still_works_without_a_ledger_and_a_ledger_takes_no_counts() {
    let mut s = Store::open_in_memory().unwrap();
    let set = setup(&mut s);
    let c = ctx_at("2026-11-10", "04:00:00");
    let plain = s.open_session(set.other, date("2026-11-10"), &c).unwrap();
    let counted = vec![VialsUsed { antigen: Antigen::Opv, opened: 2 }];
    s.close_session(plain, counted.clone(), &c).unwrap();
    assert_eq!(s.session(plain).unwrap().vials, counted);
    let (session, _) = first_session(&mut s);
    let e = s.close_session(session, counted, &c).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    s.close_session(session, Vec::new(), &c).unwrap();
    assert_eq!(s.session(session).unwrap().vials.len(), 3, "closed from its ledger");
}

#[test]
fn carried_vials_serve_later_sessions_of_the_sub_centre_and_wastage_counts_them_once() {
    let mut s = Store::open_in_memory().unwrap();
    let set = setup(&mut s);
    let t = VaccineTable::default();
    let (first, [_, opv, penta]) = first_session(&mut s);
    s.close_ledger_session(first, &t, &ctx_at("2026-11-10", "09:00:00")).unwrap();
    // Session 1 alone: one BCG vial of 10 doses, 1 given (90 %); OPV 1 of 20 (95 %); Penta 1
    // of 10 (90 %).
    let l = s.session_ledger(first, at("2026-11-10T09:00:00Z"), &t).unwrap();
    assert_eq!(of(&l.wastage, Antigen::Penta), Some((1, 10, 1, Some(90.0), false)));
    assert_eq!(of(&l.wastage, Antigen::Opv), Some((1, 20, 1, Some(95.0), false)));

    // Session 2 at the same site on 2026-12-02 (22 days later): the OPV and Penta vials are
    // carried in, with 6 days left; B gets OPV1 and PENTA1 from them.
    let c = ctx_at("2026-12-02", "04:00:00");
    let (second, _) = s.open_site_session("S-01", date("2026-12-02"), &c).unwrap();
    give(&mut s, "B", &[DoseCode::Opv1, DoseCode::Penta1], "2026-12-02", second, &c);
    let l = s.session_ledger(second, c.now, &t).unwrap();
    let carried: Vec<_> = l.vials.iter().map(|v| (v.id, v.carried_in, v.time.days_left)).collect();
    assert_eq!(carried, [(opv, true, Some(6)), (penta, true, Some(6))]);
    assert_eq!(l.open_vials_usable.get(&Antigen::Penta), Some(&1));
    assert_eq!(l.doses_given.get(&Antigen::Penta), Some(&1));
    // The doses came from the carried vials: they count against session 1's vials.
    assert_eq!(of(&l.wastage, Antigen::Penta), Some((0, 0, 0, None, false)));
    let l = s.session_ledger(first, c.now, &t).unwrap();
    assert_eq!(of(&l.wastage, Antigen::Penta), Some((1, 10, 2, Some(80.0), false)));
    // Per site and per sub-centre over both sessions: Penta 1 vial, 2 doses.
    let site = s.site_wastage("S-01", None, None, &t).unwrap();
    assert_eq!(of(&site, Antigen::Penta), Some((1, 10, 2, Some(80.0), false)));
    let round = s.site_wastage("S-01", Some(date("2026-12-01")), Some(date("2026-12-07")), &t).unwrap();
    assert_eq!(of(&round, Antigen::Penta), Some((0, 0, 0, None, false)));
    let sc = s.subcentre_wastage(set.rampur, None, None, &t).unwrap();
    assert_eq!(of(&sc, Antigen::Opv), Some((1, 20, 2, Some(90.0), false)));
    assert!(s.subcentre_wastage(set.other, None, None, &t).unwrap().is_empty(), "another sub-centre");
    let e = s.site_wastage("S-09", None, None, &t).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_SITE");

    // A session of the other sub-centre sees none of them.
    let (elsewhere, _) = s.open_site_session("S-02", date("2026-12-02"), &c).unwrap();
    assert!(s.session_ledger(elsewhere, c.now, &t).unwrap().vials.is_empty());

    // A carried vial discarded at session 2 is discarded there, and no longer usable.
    s.discard_vial(penta, DiscardReason::Contaminated, &c).unwrap();
    let l = s.session_ledger(second, c.now, &t).unwrap();
    let v = l.vials.iter().find(|v| v.id == penta).unwrap();
    assert_eq!(
        v.discarded.as_ref().map(|d| (d.reason, d.session_id)),
        Some((DiscardReason::Contaminated, Some(second)))
    );
    assert_eq!(l.open_vials_usable.get(&Antigen::Penta), None);
}

/// Closing a later session discards the vials carried in that are past their 28 days there
/// (`TIME_LIMIT`), at that session, and leaves those still within them carried.
#[test]
fn closing_discards_the_carried_vials_past_their_28_days() {
    let mut s = Store::open_in_memory().unwrap();
    setup(&mut s);
    let t = VaccineTable::default();
    let (first, [_, opv, penta]) = first_session(&mut s);
    s.close_ledger_session(first, &t, &ctx_at("2026-11-10", "09:00:00")).unwrap();
    // 2026-12-02: 22 days on, still usable: closing keeps them carried.
    let c = ctx_at("2026-12-02", "04:00:00");
    let (second, _) = s.open_site_session("S-01", date("2026-12-02"), &c).unwrap();
    let closing = s.close_ledger_session(second, &t, &ctx_at("2026-12-02", "09:00:00")).unwrap();
    assert!(closing.discarded.is_empty(), "{:?}", closing.discarded);
    // 2026-12-08: 28 days after opening on 11-10, past the limit: discarded at this session.
    let c = ctx_at("2026-12-08", "04:00:00");
    let (third, _) = s.open_site_session("S-01", date("2026-12-08"), &c).unwrap();
    let closing = s.close_ledger_session(third, &t, &ctx_at("2026-12-08", "09:00:00")).unwrap();
    let mut discarded: Vec<_> = closing.discarded.iter().map(|(id, _, reason)| (*id, *reason)).collect();
    discarded.sort();
    let mut expected = vec![(opv, DiscardReason::TimeLimit), (penta, DiscardReason::TimeLimit)];
    expected.sort();
    assert_eq!(discarded, expected);
    // The vial no longer serves that session (past its limit there): the ledger of the session
    // that opened it shows where and why it was discarded.
    let l = s.session_ledger(first, at("2026-12-08T09:00:00Z"), &t).unwrap();
    let v = l.vials.iter().find(|v| v.id == penta).unwrap();
    assert_eq!(v.discarded.as_ref().map(|d| (d.reason, d.session_id)), Some((DiscardReason::TimeLimit, Some(third))));
    assert!(s.site_kit("S-01", date("2026-12-09"), &t).unwrap().items.iter().all(|i| i.open_vials_usable == 0));
}

#[test]
fn more_doses_than_the_opened_vials_hold_is_a_negative_wastage_flagged() {
    let mut s = Store::open_in_memory().unwrap();
    setup(&mut s);
    let c = ctx_at("2026-11-10", "04:00:00");
    let (session, _) = s.open_site_session("S-01", date("2026-11-10"), &c).unwrap();
    // One single-dose RVV vial, two RVV1 doses recorded: -100 %, a data error.
    s.open_vial(session, Antigen::Rvv, None, None, None, &c).unwrap();
    give(&mut s, "A", &[DoseCode::Rvv1], "2026-11-10", session, &c);
    give(&mut s, "B", &[DoseCode::Rvv1], "2026-11-10", session, &c);
    // And an OPV dose with no OPV vial at all.
    give(&mut s, "C", &[DoseCode::Opv1], "2026-11-10", session, &c);
    let t = VaccineTable::default();
    let l = s.session_ledger(session, c.now, &t).unwrap();
    assert_eq!(of(&l.wastage, Antigen::Rvv), Some((1, 1, 2, Some(-100.0), true)));
    assert_eq!(of(&l.wastage, Antigen::Opv), Some((0, 0, 1, None, true)), "a dose from no vial");
}

#[test]
fn the_kit_takes_off_carried_vials_until_their_28_days_pass() {
    let mut s = Store::open_in_memory().unwrap();
    setup(&mut s);
    let t = VaccineTable::default();
    let (first, _) = first_session(&mut s);
    s.close_ledger_session(first, &t, &ctx_at("2026-11-10", "09:00:00")).unwrap();
    // An OPV vial opened in the other sub-centre is not carried to S-01.
    let c = ctx_at("2026-11-10", "04:00:00");
    let (elsewhere, _) = s.open_site_session("S-02", date("2026-11-10"), &c).unwrap();
    s.open_vial(elsewhere, Antigen::Opv, None, None, None, &c).unwrap();

    // On 2026-12-02 (children 10 weeks and 3 days old): B and C are due BCG, OPV1, PENTA1,
    // RVV1, FIPV1 and PCV1; A (given BCG, OPV1, PENTA1 on 11-10) RVV1, FIPV1 and PCV1 (A's
    // OPV2/PENTA2 fall due 4 weeks after 11-10, on 12-08). By hand, with the default vaccine
    // table (doses per vial, wastage factor):
    //   BCG   2 × 2.0  = 4    → 4 doses, 1 vial of 10 (a diluent, a reconstitution syringe)
    //   OPV   2 × 1.11 = 2.22 → 3 doses, 1 vial of 20, less the open vial carried: 0
    //   PENTA 2 × 1.18 = 2.36 → 3 doses, 1 vial of 10, less the open vial carried: 0
    //   RVV   3 × 1.05 = 3.15 → 4 doses, 4 single-dose vials
    //   FIPV  3 × 1.18 = 3.54 → 4 doses, 1 vial of 25
    //   PCV   3 × 1.18 = 3.54 → 4 doses, 1 vial of 4
    // MCP cards: B and C have no dose on record: 2.
    let k = s.site_kit("S-01", date("2026-12-02"), &t).unwrap();
    let items: Vec<_> =
        k.items.iter().map(|i| (i.antigen, i.doses_due, i.doses_needed, i.vials, i.open_vials_usable)).collect();
    assert_eq!(
        items,
        [
            (Antigen::Bcg, 2, 4, 1, 0),
            (Antigen::Opv, 2, 3, 0, 1),
            (Antigen::Penta, 2, 3, 0, 1),
            (Antigen::Rvv, 3, 4, 4, 0),
            (Antigen::Fipv, 3, 4, 1, 0),
            (Antigen::Pcv, 3, 4, 1, 0),
        ]
    );
    assert_eq!((k.site.as_str(), k.date), ("S-01", date("2026-12-02")));
    assert_eq!((k.supplies.mcp_cards, k.supplies.diluents.bcg, k.supplies.reconstitution_syringes), (2, 1, 1));

    // 2026-12-08 is 28 days after 11-10: the carried vials are past their limit. A's OPV2 and
    // PENTA2 are now due too: OPV 3 × 1.11 = 3.33 → 4 doses, 1 vial; PENTA 3 × 1.18 = 3.54 → 4,
    // 1 vial.
    let k = s.site_kit("S-01", date("2026-12-08"), &t).unwrap();
    let got: Vec<_> = k
        .items
        .iter()
        .filter(|i| matches!(i.antigen, Antigen::Opv | Antigen::Penta))
        .map(|i| (i.antigen, i.doses_due, i.doses_needed, i.vials, i.open_vials_usable))
        .collect();
    assert_eq!(got, [(Antigen::Opv, 3, 4, 1, 0), (Antigen::Penta, 3, 4, 1, 0)]);
    // The day before, still usable.
    let k = s.site_kit("S-01", date("2026-12-07"), &t).unwrap();
    assert!(k.items.iter().filter(|i| i.antigen == Antigen::Penta).all(|i| i.open_vials_usable == 1));

    assert_eq!(s.site_kit("S-09", date("2026-12-02"), &t).unwrap_err().code(), "UNKNOWN_SITE");

    // The block's kits at once are each site's kit.
    for day in ["2026-12-02", "2026-12-07", "2026-12-08"] {
        let all = s.site_kits(date(day), &t).unwrap();
        let each: Vec<_> = ["S-01", "S-02"].iter().map(|id| s.site_kit(id, date(day), &t).unwrap()).collect();
        assert_eq!(all, each, "{day}");
    }
}

#[test]
fn two_devices_discards_and_openings_converge_in_any_order() {
    let mut a = Store::open_in_memory().unwrap();
    setup(&mut a);
    let (session, [_, opv, _]) = first_session(&mut a);
    let base = a.events().unwrap();
    let mut b = Store::open_in_memory().unwrap();
    b.ingest(&base, at("2026-11-10T04:30:00Z")).unwrap();
    // A discards the OPV vial as contaminated at 05:00; B, apart, as frozen at 05:10.
    a.discard_vial(opv, DiscardReason::Contaminated, &ctx_at("2026-11-10", "05:00:00")).unwrap();
    b.discard_vial(opv, DiscardReason::Frozen, &ctx_at("2026-11-10", "05:10:00")).unwrap();
    let from_a: Vec<_> = a.events().unwrap().into_iter().skip(base.len()).collect();
    let from_b: Vec<_> = b.events().unwrap().into_iter().skip(base.len()).collect();
    a.ingest(&from_b, at("2026-11-10T06:00:00Z")).unwrap();
    b.ingest(&from_a, at("2026-11-10T06:00:00Z")).unwrap();
    // A third device gets the discards before the vial's opening, B's first.
    let mut c = Store::open_in_memory().unwrap();
    let opening =
        base.iter().position(|e| matches!(e.body, EventBody::VialOpened { vial, .. } if vial == opv)).unwrap();
    let before: Vec<_> = base.iter().take(opening).cloned().collect();
    let after: Vec<_> = base.iter().skip(opening).cloned().collect();
    c.ingest(&before, at("2026-11-10T06:00:00Z")).unwrap();
    c.ingest(&from_b, at("2026-11-10T06:00:00Z")).unwrap();
    c.ingest(&from_a, at("2026-11-10T06:00:00Z")).unwrap();
    c.ingest(&after, at("2026-11-10T06:00:00Z")).unwrap();
    let t = VaccineTable::default();
    let now = at("2026-11-10T06:00:00Z");
    let la = a.session_ledger(session, now, &t).unwrap();
    assert_eq!(la, b.session_ledger(session, now, &t).unwrap());
    assert_eq!(la, c.session_ledger(session, now, &t).unwrap());
    let v = la.vials.iter().find(|v| v.id == opv).unwrap();
    assert_eq!(v.discarded.as_ref().map(|d| d.reason), Some(DiscardReason::Contaminated), "the first by stamp");
}

/// A block's device holds the Rampur of each sub-centre: a site of the second Rampur counts its
/// own children, not the first's, one site at a time and for the whole block.
#[test]
fn a_site_of_a_second_village_of_the_same_name_counts_its_own_people() {
    let mut s = Store::open_in_memory().unwrap();
    let set = setup(&mut s);
    let c = ctx_at("2026-11-10", "03:00:00");
    let parent = Some(set.sc2);
    let second = Uuid::now_v7();
    s.append(
        &c,
        vec![
            EventBody::AreaDefined { area: second, level: AreaLevel::Village, name: "Rampur".into(), parent },
            site("S-03", "Rampur of SC-2", vec![second]),
        ],
    )
    .unwrap();
    let h = s.register_household(second, &HouseholdFacts::default(), &c).unwrap();
    s.register_beneficiary(h, Kind::Child, &child("E", "2026-09-20"), &[], &c).unwrap();
    let t = VaccineTable::default();
    let on = date("2026-12-02");
    let due = |k: &teeka_store::SiteKit, a| k.items.iter().find(|i| i.antigen == a).map(|i| i.doses_due);
    let third = s.site_kit("S-03", on, &t).unwrap();
    assert_eq!(due(&third, Antigen::Bcg), Some(1), "E alone, not A, B and C of the first Rampur");
    assert_eq!(third.supplies.mcp_cards, 1);
    let first = s.site_kit("S-01", on, &t).unwrap();
    assert_eq!(due(&first, Antigen::Bcg), Some(3));
    let all = s.site_kits(on, &t).unwrap();
    let each: Vec<_> = ["S-01", "S-02", "S-03"].iter().map(|id| s.site_kit(id, on, &t).unwrap()).collect();
    assert_eq!(all, each);
}
