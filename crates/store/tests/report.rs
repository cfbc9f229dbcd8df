//! The round report on the device (`Store::round_report`) over a register with known answers:
//! a block of two sub-centres, one village each, a round of three days, a session held with
//! its vial ledger and one marked not held, a refusal then the dose given, a serious AEFI. The
//! figures are checked one by one, and every area's counts are the sums of its child areas'.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;
use teeka_domain::calendar::Weekdays;
use teeka_domain::codes::NotHeldReason;
use teeka_domain::kit::VaccineTable;
use teeka_domain::monitor::{AreaFigures, RedItem};
use teeka_domain::plan::SessionNorms;
use teeka_domain::{
    AefiFacts, AefiSeverity, AefiSign, Antigen, AreaLevel, BeneficiaryFacts, DoseCode, EventBody, HouseholdFacts, Kind,
    ReasonCode, Referral, SiteField, SiteType,
};
use teeka_store::{Ctx, Enrollment, Store};
use uuid::Uuid;

fn date(s: &str) -> NaiveDate {
    teeka_domain::parse_date(s).unwrap()
}

fn ctx(day: &str, time: &str) -> Ctx {
    Ctx {
        now: DateTime::parse_from_rfc3339(&format!("{day}T{time}Z")).unwrap().with_timezone(&Utc),
        today: date(day),
        author: "anm".into(),
        worker: None,
    }
}

fn child(name: &str) -> BeneficiaryFacts {
    BeneficiaryFacts {
        name: name.into(),
        sex: None,
        dob: Some(date("2026-09-20")),
        lmp: None,
        mother_name: None,
        ..Default::default()
    }
}

fn site(site_id: &str, name: &str, village: Uuid) -> EventBody {
    EventBody::SiteRegistered {
        site: Uuid::now_v7(),
        site_id: site_id.into(),
        fields: vec![
            SiteField::Name(name.into()),
            SiteField::Villages(vec![village]),
            SiteField::SiteType(SiteType::Outreach),
        ],
    }
}

struct Register {
    block: Uuid,
    rampur: Uuid,
    /// Register ids: A and B in one household of Rampur, C in another; D in Other.
    ids: [String; 4],
}

/// Block "Block" with sub-centres SC-1 (Rampur, site S-01) and SC-2 (Other, site S-02); four
/// children born 2026-09-20 with no dose on record; round 1 from Tuesday 2026-11-10, three working
/// days skipping Wednesdays (10, 12 and 13 November).
///
/// Day 1: S-01 held, a BCG and a Penta vial opened; A given BCG and PENTA1, C given BCG; B's
/// family refuses PENTA1 (fear of AEFI); C has a serious AEFI (a seizure). Day 2: S-02, planned
/// that day, not held (the ANM absent); B given PENTA1 at home: the family is persuaded.
fn register(s: &mut Store) -> Register {
    let c = ctx("2026-11-01", "03:00:00");
    let (block, sc1, sc2, rampur, other) =
        (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let area = |area, level, name: &str, parent| EventBody::AreaDefined { area, level, name: name.into(), parent };
    s.append(
        &c,
        vec![
            area(block, AreaLevel::Block, "Block", None),
            area(sc1, AreaLevel::Subcentre, "SC-1", Some(block)),
            area(sc2, AreaLevel::Subcentre, "SC-2", Some(block)),
            area(rampur, AreaLevel::Village, "Rampur", Some(sc1)),
            area(other, AreaLevel::Village, "Other", Some(sc2)),
            site("S-01", "Rampur AWC", rampur),
            site("S-02", "Other school", other),
        ],
    )
    .unwrap();
    let mut ids = Vec::new();
    for (village, names) in [(rampur, &["A", "B"][..]), (rampur, &["C"][..]), (other, &["D"][..])] {
        let h = s.register_household(village, &HouseholdFacts::default(), &c).unwrap();
        for n in names {
            ids.push(s.register_beneficiary(h, Kind::Child, &child(n), &[], &c).unwrap().0);
        }
    }
    s.add_round(1, date("2026-11-10"), 3, &Weekdays::parse("wed").unwrap(), &BTreeSet::new(), &c).unwrap();

    let d1 = ctx("2026-11-10", "04:00:00");
    let (session, _) = s.open_site_session("S-01", date("2026-11-10"), &d1).unwrap();
    s.open_vial(session, Antigen::Bcg, None, None, Some(1), &d1).unwrap();
    s.open_vial(session, Antigen::Penta, None, None, Some(1), &d1).unwrap();
    let day1 = date("2026-11-10");
    s.record_doses(&ids[0], &[(DoseCode::Bcg, day1), (DoseCode::Penta1, day1)], Some(session), &d1).unwrap();
    s.record_doses(&ids[2], &[(DoseCode::Bcg, day1)], Some(session), &d1).unwrap();
    s.record_not_given_codes(&ids[1], &[DoseCode::Penta1], day1, ReasonCode::RefusedFearAefi, Some(session), &d1)
        .unwrap();
    let serious = AefiFacts {
        severity: AefiSeverity::Serious,
        signs: vec![AefiSign::Seizure],
        observed: String::new(),
        codes: vec![DoseCode::Bcg],
        onset: Some(d1.now),
        referral: Some(Referral::Phc),
    };
    s.report_aefi(&ids[2], Some(session), day1, &serious, &ctx("2026-11-10", "06:00:00")).unwrap();

    let d2 = ctx("2026-11-12", "05:00:00");
    let day2 = date("2026-11-12");
    s.session_not_held(1, "S-02", day2, NotHeldReason::AnmAbsent, None, &SessionNorms::default(), &d2).unwrap();
    s.record_dose(&ids[1], DoseCode::Penta1, date("2026-11-12"), &d2).unwrap();
    Register { block, rampur, ids: ids.try_into().unwrap() }
}

fn report(s: &Store, village: Option<Uuid>, on: &str) -> teeka_domain::monitor::Report {
    s.round_report(1, village, date(on), &SessionNorms::default(), &VaccineTable::default()).unwrap()
}

/// The counts of an area that its child areas' add up to.
fn counts(f: &AreaFigures) -> Vec<u32> {
    let mut v = vec![
        f.sessions_planned,
        f.sessions_planned_round,
        f.sessions_held,
        f.sessions_not_held,
        f.sessions_reported,
        f.sessions_unplanned,
        f.due,
        f.vaccinated,
        f.children.due,
        f.children.vaccinated,
        f.pregnant_women.due,
        f.fic_before.cohort,
        f.fic_after.cohort,
        f.left_out,
        f.drop_out,
        f.refusal_families,
        f.refusals_open,
        f.refusals_persuaded,
        f.aefi.minor,
        f.aefi.severe,
        f.aefi.serious,
    ];
    v.extend(f.wastage.iter().flat_map(|w| [w.vials_opened, w.doses_given]));
    v
}

fn sum(areas: &[AreaFigures]) -> Vec<u32> {
    let rows: Vec<Vec<u32>> = areas.iter().map(counts).collect();
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..n).map(|i| rows.iter().map(|r| r.get(i).copied().unwrap_or(0)).sum()).collect()
}

#[test]
fn the_round_report_of_a_known_register() {
    let mut s = Store::open_in_memory().unwrap();
    let reg = register(&mut s);
    // Not enrolled: every area the store holds, under one total.
    let r = report(&s, None, "2026-11-13");
    assert_eq!((r.round, r.total.area.as_str()), (1, "*"));
    assert_eq!(r.days, vec![date("2026-11-10"), date("2026-11-12"), date("2026-11-13")]);
    assert_eq!(r.areas.iter().map(|a| a.area.as_str()).collect::<Vec<_>>(), ["Block"]);

    // Enrolled for the block: the block, its sub-centres one level down.
    s.save_enrollment(&Enrollment {
        server_url: "http://server".into(),
        token: "t".into(),
        area_id: reg.block,
        area: "Block".into(),
        role: "supervisor".into(),
        server_cert: None,
    })
    .unwrap();
    let r = report(&s, None, "2026-11-13");
    let t = &r.total;
    assert_eq!((t.area.as_str(), t.level), ("Block", Some(AreaLevel::Block)));
    assert_eq!(r.areas.iter().map(|a| a.area.as_str()).collect::<Vec<_>>(), ["Block/SC-1", "Block/SC-2"]);
    // Sessions: S-01 held on day 1 with records; S-02 not held (ANM absent).
    assert_eq!(
        (t.sessions_planned, t.sessions_held, t.sessions_not_held, t.sessions_reported, t.sessions_unplanned),
        (2, 1, 1, 1, 0)
    );
    assert_eq!(t.reporting_percent, Some(100.0));
    assert_eq!(t.not_held.iter().map(|n| (n.reason, n.count)).collect::<Vec<_>>(), [(NotHeldReason::AnmAbsent, 1)]);
    // The round's due list on its first day: four children, each due BCG and the 6-week doses.
    // Each child 51 days old: BCG, OPV1, PENTA1, RVV1, FIPV1 and PCV1.
    let per_child = 6;
    assert_eq!(t.due, 4 * per_child);
    assert_eq!(
        t.antigens.iter().map(|a| (a.antigen, a.due)).collect::<Vec<_>>(),
        [
            (Antigen::Bcg, 4),
            (Antigen::Opv, 4),
            (Antigen::Penta, 4),
            (Antigen::Rvv, 4),
            (Antigen::Fipv, 4),
            (Antigen::Pcv, 4)
        ]
    );
    assert_eq!((t.children.due, t.children.vaccinated), (4, 3));
    assert_eq!(t.vaccinated, 4, "A: BCG and PENTA1; B: PENTA1 on day 2; C: BCG");
    assert_eq!(t.covered_percent.map(|p| (p * 10.0).round()), Some(167.0), "4 of 24");
    let bcg = t.antigens.iter().find(|a| a.antigen == Antigen::Bcg).unwrap();
    assert_eq!((bcg.due, bcg.vaccinated, bcg.children_due, bcg.women_due), (4, 2, 4, 0));
    let penta = t.antigens.iter().find(|a| a.antigen == Antigen::Penta).unwrap();
    assert_eq!((penta.due, penta.vaccinated), (4, 2));
    // No child is 12–23 months old.
    assert_eq!((t.fic_before.cohort, t.fic_after.cohort), (0, 0));
    assert_eq!(t.fic_by_day.len(), 3);
    // B's family refused on day 1 and was given the dose on day 2: persuaded.
    assert_eq!((t.refusal_families, t.refusals_persuaded, t.refusals_open), (1, 1, 0));
    assert_eq!(t.persuaded_percent, Some(100.0));
    assert_eq!((t.aefi.minor, t.aefi.severe, t.aefi.serious), (0, 0, 1));
    // Wastage from the vial ledger: one BCG vial for two doses, one Penta vial for one dose at
    // the session (B's dose at home is not a session's).
    let w = |a: Antigen| t.wastage.iter().find(|w| w.antigen == a).map(|w| (w.vials_opened, w.doses_given));
    assert_eq!(w(Antigen::Bcg), Some((1, 2)));
    assert_eq!(w(Antigen::Penta), Some((1, 1)));
    assert_eq!(t.devices, None, "a device does not know the others");

    // The total is the sum of its areas, and SC-2 holds Other's figures alone.
    assert_eq!(counts(t), sum(&r.areas));
    let sc2 = &r.areas[1];
    assert_eq!((sc2.due, sc2.vaccinated, sc2.sessions_not_held, sc2.refusal_families), (per_child, 0, 1, 0));

    // The bars are the villages; the red list: both villages below 80%, the serious AEFI.
    assert_eq!(
        r.units.iter().map(|u| (u.area.as_str(), u.vaccinated)).collect::<Vec<_>>(),
        [("Block/SC-1/Rampur", 4), ("Block/SC-2/Other", 0)]
    );
    assert!(matches!(&r.red_list[0], RedItem::LowCoverage { name, .. } if name == "Other"));
    assert!(matches!(&r.red_list[1], RedItem::LowCoverage { name, .. } if name == "Rampur"));
    assert!(matches!(&r.red_list[2], RedItem::SeriousAefi { register_id, .. } if *register_id == reg.ids[2]));
    assert_eq!(r.red_list.len(), 3);

    // On day 1 B's family's case is open, and B's dose not yet given.
    let r1 = report(&s, None, "2026-11-10");
    assert_eq!((r1.total.refusals_open, r1.total.refusals_persuaded, r1.total.vaccinated), (1, 0, 3));
    assert_eq!((r1.total.sessions_planned, r1.total.sessions_planned_round), (1, 2), "S-02's is on day 2");
    assert_eq!(r1.total.fic_by_day.len(), 1);
}

#[test]
fn a_village_s_report_and_the_errors() {
    let mut s = Store::open_in_memory().unwrap();
    let reg = register(&mut s);
    let r = report(&s, Some(reg.rampur), "2026-11-13");
    assert_eq!(r.total.area, "Block/SC-1/Rampur");
    assert!(r.areas.is_empty(), "a village has no child areas");
    assert_eq!((r.total.sessions_planned, r.total.vaccinated, r.total.aefi.serious), (1, 4, 1));
    assert_eq!(s.area_by_path("Block/SC-1/Rampur").unwrap(), reg.rampur);
    assert_eq!(s.area_by_path("Block").unwrap(), reg.block);
    assert_eq!(s.area_by_path("Block/SC-9").unwrap_err().code(), "NOT_FOUND");
    let sc1 = s.area_by_path("Block/SC-1").unwrap();
    let r = report(&s, Some(sc1), "2026-11-13");
    assert_eq!(r.areas.iter().map(|a| a.area.as_str()).collect::<Vec<_>>(), ["Block/SC-1/Rampur"]);
    let id = s.village_named("rampur").unwrap();
    assert_eq!(id, reg.rampur);
    assert_eq!(s.village_named("Nowhere").unwrap_err().code(), "UNKNOWN_VILLAGE");
    let e = s.round_report(2, None, date("2026-11-13"), &SessionNorms::default(), &VaccineTable::default());
    assert_eq!(e.unwrap_err().code(), "UNKNOWN_ROUND");
    let e =
        s.round_report(1, Some(Uuid::now_v7()), date("2026-11-13"), &SessionNorms::default(), &VaccineTable::default());
    assert_eq!(e.unwrap_err().code(), "UNKNOWN_VILLAGE");
}
