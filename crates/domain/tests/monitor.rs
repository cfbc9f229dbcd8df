#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The round report on a register with known answers, and the roll-up: an area's figures are the
//! sums of its child areas' (a property, on generated registers and trees).

use proptest::prelude::*;
use teeka_domain::kit::VaccineTable;
use teeka_domain::monitor::{
    case_state, round_report, ActivityRef, AefiRef, AreaFigures, AreaNode, CaseFacts, HeldSession, Member, PlannedRef,
    RedItem, Refusal, Report, ReportInput, RoundFrame, Visit,
};
use teeka_domain::report::Person;
use teeka_domain::{
    parse_date, ActivityKind, AefiSeverity, Antigen, AreaLevel, BeneficiaryStatus, CaseStatus, Date, DoseCode, Given,
    Kind, NotHeldReason, Persuader, ReasonCode, ScheduleSettings, VisitAction, VisitOutcome,
};
use uuid::Uuid;

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn area(n: u128, parent: Option<u128>, level: AreaLevel, name: &str) -> AreaNode {
    AreaNode { id: id(n), parent: parent.map(id), level, name: name.into() }
}

/// Block B → sub-centre S → villages V1 (10), V2 (11).
fn tree() -> Vec<AreaNode> {
    vec![
        area(1, None, AreaLevel::Block, "Block"),
        area(2, Some(1), AreaLevel::Subcentre, "Sub"),
        area(10, Some(2), AreaLevel::Village, "Rampur"),
        area(11, Some(2), AreaLevel::Village, "Sitapur"),
    ]
}

fn member(n: u128, household: u128, village: u128, kind: Kind, anchor: &str, given: &[(DoseCode, &str)]) -> Member {
    Member {
        beneficiary: id(n),
        household: id(household),
        village: id(village),
        person: Person {
            register_id: format!("R-{n}").into(),
            name: format!("P{n}").into(),
            kind,
            household_id: format!("H-{household}").into(),
            village: if village == 10 { "Rampur".into() } else { "Sitapur".into() },
            status: BeneficiaryStatus::Active,
            anchor: d(anchor),
            je_endemic: false,
        },
        given: given.iter().map(|(code, date)| Given { code: *code, date: d(date) }).collect(),
    }
}

/// Every dose a child born on `dob` has by 14 weeks, given on time.
fn infant_doses(dob: &str) -> Vec<(DoseCode, String)> {
    let b = d(dob);
    let at = |days: u64| (b + chrono::Days::new(days)).format("%Y-%m-%d").to_string();
    vec![
        (DoseCode::Bcg, at(0)),
        (DoseCode::Opv0, at(0)),
        (DoseCode::Hepb0, at(0)),
        (DoseCode::Opv1, at(42)),
        (DoseCode::Penta1, at(42)),
        (DoseCode::Opv2, at(70)),
        (DoseCode::Penta2, at(70)),
        (DoseCode::Opv3, at(98)),
        (DoseCode::Penta3, at(98)),
    ]
}

const DAYS: [&str; 3] = ["2026-02-02", "2026-02-03", "2026-02-04"];

struct World {
    round: RoundFrame,
    members: Vec<Member>,
    refusals: Vec<Refusal>,
    planned: Vec<PlannedRef>,
    sessions: Vec<HeldSession>,
    aefi: Vec<AefiRef>,
    cases: Vec<CaseFacts>,
    activities: Vec<ActivityRef>,
    areas: Vec<AreaNode>,
}

impl World {
    fn report(&self, on: &str, root: Option<Uuid>) -> Report {
        let table = VaccineTable::default();
        let settings = ScheduleSettings::default();
        let input = ReportInput {
            round: &self.round,
            on: d(on),
            now: None,
            areas: &self.areas,
            members: &self.members,
            refusals: &self.refusals,
            planned: &self.planned,
            sessions: &self.sessions,
            aefi: &self.aefi,
            cases: &self.cases,
            activities: &self.activities,
            devices: &[],
            table: &table,
            settings: &settings,
        };
        round_report(&input, root).unwrap()
    }
}

/// Round 1 (2–4 Feb 2026). Rampur: a child of 10 months due MR1 (given on day 1), a child of 14
/// months never vaccinated (a left-out, refused on day 1 by its family, then given MR1 on day 2:
/// persuaded). Sitapur: a child due MR1 whose family refuses (still refusing), a pregnant woman
/// due Td-1 (given on day 2). Two sites, one session a day each; Sitapur's day 3 not held.
fn world() -> World {
    let mut rampur_done = infant_doses("2025-04-01");
    rampur_done.push((DoseCode::Mr1, "2026-02-02".into()));
    let a: Vec<(DoseCode, &str)> = rampur_done.iter().map(|(c, s)| (*c, s.as_str())).collect();
    let sitapur = infant_doses("2025-04-05");
    let c: Vec<(DoseCode, &str)> = sitapur.iter().map(|(c, s)| (*c, s.as_str())).collect();
    let members = vec![
        member(100, 50, 10, Kind::Child, "2025-04-01", &a),
        member(101, 51, 10, Kind::Child, "2024-12-01", &[(DoseCode::Mr1, "2026-02-03")]),
        member(102, 52, 11, Kind::Child, "2025-04-05", &c),
        member(103, 53, 11, Kind::PregnantWoman, "2025-11-20", &[(DoseCode::Td1, "2026-02-03")]),
    ];
    let refusals = vec![
        Refusal { beneficiary: id(101), code: DoseCode::Mr1, date: d("2026-02-02"), reason: ReasonCode::RefusedFamily },
        Refusal { beneficiary: id(102), code: DoseCode::Mr1, date: d("2026-01-20"), reason: ReasonCode::RefusedFamily },
    ];
    let planned_at = |site: &str, village: u128, day: &str, not_held| PlannedRef {
        site_id: site.into(),
        site_name: site.into(),
        village: id(village),
        day: d(day),
        not_held,
    };
    let planned = vec![
        planned_at("S-1", 10, DAYS[0], None),
        planned_at("S-1", 10, DAYS[1], None),
        planned_at("S-2", 11, DAYS[0], None),
        planned_at("S-2", 11, DAYS[1], None),
        planned_at("S-2", 11, DAYS[2], Some(NotHeldReason::AnmAbsent)),
    ];
    let held = |n, site: &str, village, day: &str, records, doses: Vec<(Antigen, u32)>, vials| HeldSession {
        session: id(n),
        village: id(village),
        site_id: Some(site.into()),
        date: d(day),
        records,
        doses,
        vials,
    };
    let sessions = vec![
        held(900, "S-1", 10, DAYS[0], 2, vec![(Antigen::Mr, 1)], vec![(Antigen::Mr, 1)]),
        held(901, "S-1", 10, DAYS[1], 1, vec![(Antigen::Mr, 1)], vec![(Antigen::Mr, 1)]),
        // Held but nothing recorded: a site that has not reported.
        held(902, "S-2", 11, DAYS[0], 0, vec![], vec![]),
        held(903, "S-2", 11, DAYS[1], 1, vec![(Antigen::Td, 1)], vec![(Antigen::Td, 1)]),
    ];
    let aefi = vec![
        AefiRef { register_id: "R-100".into(), village: id(10), date: d(DAYS[0]), severity: AefiSeverity::Minor },
        AefiRef { register_id: "R-101".into(), village: id(10), date: d(DAYS[1]), severity: AefiSeverity::Serious },
    ];
    let visit = |n, date: &str, outcome| Visit {
        id: id(n),
        date: d(date),
        by: Persuader::ReligiousLeader,
        by_name: None,
        action: VisitAction::ReligiousLeaderVisit,
        outcome,
        note: None,
    };
    let cases = vec![
        CaseFacts {
            household: id(51),
            visits: vec![visit(700, "2026-02-02", VisitOutcome::Persuaded)],
            ..Default::default()
        },
        CaseFacts {
            household: id(52),
            visits: vec![visit(701, "2026-02-03", VisitOutcome::StillRefusing)],
            escalated: Some(d("2026-02-03")),
            ..Default::default()
        },
    ];
    let activities = vec![
        ActivityRef { village: id(10), date: d(DAYS[0]), kind: ActivityKind::MothersMeeting, attendance: 14 },
        ActivityRef { village: id(11), date: d("2026-01-10"), kind: ActivityKind::Miking, attendance: 0 },
    ];
    World {
        round: RoundFrame { number: 1, days: DAYS.iter().map(|s| d(s)).collect() },
        members,
        refusals,
        planned,
        sessions,
        aefi,
        cases,
        activities,
        areas: tree(),
    }
}

#[test]
fn a_block_report_has_the_known_answers() {
    let r = world().report("2026-02-04", Some(id(1)));
    let t = &r.total;
    assert_eq!((r.round, t.area.as_str()), (1, "Block"));
    assert_eq!(r.areas.iter().map(|a| a.area.as_str()).collect::<Vec<_>>(), ["Block/Sub"]);
    // Sessions: 5 planned, 4 held, 1 not held (ANM absent), 3 with records.
    assert_eq!((t.sessions_planned, t.sessions_held, t.sessions_not_held, t.sessions_reported), (5, 4, 1, 3));
    assert_eq!(t.not_held.len(), 1);
    assert_eq!(t.reporting_percent, Some(75.0));
    // The due list on day 1: Rampur's two children (MR1; the left-out all its doses), Sitapur's
    // child (MR1) and the woman (Td-1).
    let mr = t.antigens.iter().find(|a| a.antigen == Antigen::Mr).unwrap();
    assert_eq!((mr.due, mr.vaccinated), (3, 2));
    let td = t.antigens.iter().find(|a| a.antigen == Antigen::Td).unwrap();
    assert_eq!((td.due, td.vaccinated, td.women_due), (1, 1, 1));
    assert_eq!((t.children.due, t.children.vaccinated), (3, 2));
    assert_eq!((t.pregnant_women.due, t.pregnant_women.vaccinated), (1, 1));
    assert_eq!(t.due, t.children.doses_due + t.pregnant_women.doses_due);
    // FIC (12–23 months): only the 14-month child, never fully immunized before its birthday.
    assert_eq!((t.fic_before.cohort, t.fic_before.fully_immunized), (1, 0));
    assert_eq!(t.fic_by_day.len(), 3);
    // Refusals: Rampur's family persuaded by the dose, Sitapur's still refusing and escalated.
    assert_eq!((t.refusal_families, t.refusals_persuaded, t.refusals_still_refusing), (2, 1, 1));
    assert_eq!((t.refusals_open, t.refusals_escalated, t.persuaded_percent), (0, 1, Some(50.0)));
    assert_eq!((t.aefi.minor, t.aefi.severe, t.aefi.serious), (1, 0, 1));
    let w = t.wastage.iter().find(|w| w.antigen == Antigen::Mr).unwrap();
    // MR comes in vials of 5 doses (the default vaccine table).
    assert_eq!((w.vials_opened, w.doses_given, w.doses_in_vials, w.rate), (2, 2, 10, Some(80.0)));
    // The activity before the round does not count.
    assert_eq!(t.activities.len(), 1);
    assert_eq!((t.activities[0].count, t.activities[0].attendance), (1, 14));
    assert_eq!(t.devices, None);
    // Bars per village; the red list.
    assert_eq!(r.units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["Rampur", "Sitapur"]);
    let kinds: Vec<&str> = r
        .red_list
        .iter()
        .map(|i| match i {
            RedItem::LowCoverage { .. } => "low",
            RedItem::NotReported { .. } => "not_reported",
            RedItem::OldCase { .. } => "old_case",
            RedItem::SeriousAefi { .. } => "aefi",
        })
        .collect();
    assert!(kinds.contains(&"not_reported"), "{kinds:?}");
    assert!(kinds.contains(&"old_case"), "Sitapur's case opened on 20 Jan: {kinds:?}");
    assert!(kinds.contains(&"aefi"), "{kinds:?}");
    assert!(r.red_list.iter().any(|i| matches!(i, RedItem::NotReported { site_id, .. } if site_id == "S-2")));
}

/// Two blocks' microplans may give two sites one code: a site is told apart by its village, so
/// the sessions held at one are never counted for the other.
#[test]
fn two_sites_of_one_code_in_two_villages_are_told_apart() {
    let mut w = world();
    let apart = w.report("2026-02-04", Some(id(1)));
    for p in &mut w.planned {
        p.site_id = "S-1".into();
    }
    for s in &mut w.sessions {
        s.site_id = Some("S-1".into());
    }
    let one_code = w.report("2026-02-04", Some(id(1)));
    let sessions = |f: &AreaFigures| {
        (f.sessions_planned, f.sessions_held, f.sessions_reported, f.sessions_not_held, f.sessions_unplanned)
    };
    assert_eq!(sessions(&one_code.total), (5, 4, 3, 1, 0));
    assert_eq!(sessions(&one_code.total), sessions(&apart.total));
    let not_reported = |r: &Report| r.red_list.iter().filter(|i| matches!(i, RedItem::NotReported { .. })).count();
    assert_eq!(not_reported(&one_code), not_reported(&apart));
}

/// A block of many villages (its register figured on several threads at once) has, village by
/// village, what one village alone has: 80 more villages, each holding a copy of the whole
/// register, give 81 times its register figures.
#[test]
fn many_villages_figure_as_one_village_does() {
    let mut w = world();
    let one = w.report("2026-02-04", Some(id(1))).total;
    let copies: Vec<Member> = (0..80u128)
        .flat_map(|k| {
            let village = 20_000 + k;
            w.members.iter().map(move |m| Member {
                beneficiary: id(m.beneficiary.as_u128() + 1_000_000 * (k + 1)),
                household: id(m.household.as_u128() + 1_000_000 * (k + 1)),
                village: id(village),
                ..m.clone()
            })
        })
        .collect();
    w.areas.extend((0..80u128).map(|k| area(20_000 + k, Some(2), AreaLevel::Village, &format!("V{k}"))));
    w.members.extend(copies);
    let many = w.report("2026-02-04", Some(id(1))).total;
    let register = |t: &AreaFigures| {
        vec![
            t.due,
            t.vaccinated,
            t.children.due,
            t.children.vaccinated,
            t.pregnant_women.due,
            t.pregnant_women.vaccinated,
            t.fic_before.cohort,
            t.fic_after.cohort,
            t.fic_after.fully_immunized,
            t.left_out,
            t.drop_out,
        ]
    };
    assert!(register(&one).iter().any(|n| *n > 0));
    assert_eq!(register(&many), register(&one).iter().map(|n| n * 81).collect::<Vec<_>>());
}

#[test]
fn a_report_before_the_round_has_nothing_vaccinated_and_the_day_before_counts_no_day() {
    let r = world().report("2026-02-01", Some(id(1)));
    assert_eq!((r.total.sessions_planned, r.total.sessions_planned_round), (0, 5));
    assert_eq!(r.total.vaccinated, 0);
    assert!(r.total.fic_by_day.is_empty());
}

#[test]
fn a_village_report_is_that_village_alone() {
    let w = world();
    let r = w.report("2026-02-04", Some(id(11)));
    assert_eq!(r.total.area, "Block/Sub/Sitapur");
    assert!(r.areas.is_empty());
    assert_eq!(r.total.sessions_planned, 3);
    assert_eq!(r.total.refusal_families, 1);
    let unknown = ReportInput {
        round: &w.round,
        on: d("2026-02-04"),
        now: None,
        areas: &w.areas,
        members: &[],
        refusals: &[],
        planned: &[],
        sessions: &[],
        aefi: &[],
        cases: &[],
        activities: &[],
        devices: &[],
        table: &VaccineTable::default(),
        settings: &ScheduleSettings::default(),
    };
    assert_eq!(round_report(&unknown, Some(id(999))).unwrap_err().code(), "UNKNOWN_AREA");
}

#[test]
fn a_case_is_persuaded_by_the_dose_not_by_the_visit() {
    let refusals =
        [Refusal { beneficiary: id(1), code: DoseCode::Mr1, date: d("2026-02-02"), reason: ReasonCode::RefusedFamily }];
    let visit = Visit {
        id: id(5),
        date: d("2026-02-03"),
        by: Persuader::Asha,
        by_name: None,
        action: VisitAction::HomeVisit,
        outcome: VisitOutcome::Persuaded,
        note: None,
    };
    let none: Vec<Given> = Vec::new();
    let agreed = case_state(&refusals, |_| &none, std::slice::from_ref(&visit), None, d("2026-02-04")).unwrap();
    assert_eq!((agreed.status, agreed.agreed_on), (CaseStatus::Open, Some(d("2026-02-03"))));
    let given = vec![Given { code: DoseCode::Mr1, date: d("2026-02-05") }];
    let done = case_state(&refusals, |_| &given, &[], None, d("2026-02-06")).unwrap();
    assert_eq!((done.status, done.persuaded_on, done.visits), (CaseStatus::Persuaded, Some(d("2026-02-05")), 0));
    // Seen on a date before the dose, it was still open.
    assert_eq!(case_state(&refusals, |_| &given, &[], None, d("2026-02-04")).unwrap().status, CaseStatus::Open);
    // A dose given before the refusal persuades nobody; no refusal by the date, no case.
    let before = vec![Given { code: DoseCode::Mr1, date: d("2026-02-01") }];
    assert_eq!(case_state(&refusals, |_| &before, &[], None, d("2026-02-06")).unwrap().status, CaseStatus::Open);
    assert!(case_state(&refusals, |_| &none, &[], None, d("2026-02-01")).is_none());
    let migrated = Visit { outcome: VisitOutcome::Migrated, ..visit };
    assert_eq!(
        case_state(&refusals, |_| &none, &[migrated], None, d("2026-02-04")).unwrap().status,
        CaseStatus::Migrated
    );
}

/// The additive figures of an area, for the sum checks.
fn additive(a: &AreaFigures) -> Vec<u64> {
    let mut v: Vec<u64> = [
        a.sessions_planned,
        a.sessions_planned_round,
        a.sessions_held,
        a.sessions_not_held,
        a.sessions_reported,
        a.sessions_unplanned,
        a.due,
        a.vaccinated,
        a.children.due,
        a.children.vaccinated,
        a.pregnant_women.due,
        a.pregnant_women.vaccinated,
        a.fic_before.cohort,
        a.fic_before.fully_immunized,
        a.fic_after.cohort,
        a.fic_after.fully_immunized,
        a.dropout.penta1_penta3.cohort,
        a.dropout.penta1_penta3.from,
        a.dropout.penta1_penta3.to,
        a.dropout.mr1_mr2.cohort,
        a.left_out,
        a.drop_out,
        a.pregnant_left_out,
        a.pregnant_drop_out,
        a.refusal_families,
        a.refusals_open,
        a.refusals_still_refusing,
        a.refusals_persuaded,
        a.refusals_migrated,
        a.refusals_escalated,
        a.aefi.minor,
        a.aefi.severe,
        a.aefi.serious,
    ]
    .iter()
    .map(|n| u64::from(*n))
    .collect();
    for antigen in Antigen::ALL {
        let f = a.antigens.iter().find(|x| x.antigen == *antigen);
        v.push(f.map_or(0, |f| u64::from(f.due)));
        v.push(f.map_or(0, |f| u64::from(f.vaccinated)));
        let w = a.wastage.iter().find(|x| x.antigen == *antigen);
        v.push(w.map_or(0, |w| u64::from(w.vials_opened)));
        v.push(w.map_or(0, |w| u64::from(w.doses_given)));
    }
    for kind in ActivityKind::ALL {
        let f = a.activities.iter().find(|x| x.kind == *kind);
        v.push(f.map_or(0, |f| u64::from(f.count)));
        v.push(f.map_or(0, |f| u64::from(f.attendance)));
    }
    for (i, _) in a.fic_by_day.iter().enumerate() {
        v.push(u64::from(a.fic_by_day[i].cohort));
        v.push(u64::from(a.fic_by_day[i].fully_immunized));
    }
    v
}

fn sum(rows: &[AreaFigures], len: usize) -> Vec<u64> {
    let mut out = vec![0u64; len];
    for r in rows {
        for (o, x) in out.iter_mut().zip(additive(r)) {
            *o += x;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// On any register spread over a district's villages, every area's figures are the sums of
    /// its child areas', down to the villages.
    #[test]
    fn every_area_is_the_sum_of_its_children(
        people in prop::collection::vec((0usize..6, 0u32..900, prop::bool::ANY, prop::collection::vec(0usize..12, 0..6)), 1..40),
        refused in prop::collection::vec((0usize..40, 0usize..12), 0..8),
        planned in prop::collection::vec((0usize..6, 0usize..3, prop::bool::ANY, prop::bool::ANY, 0u32..3), 0..20),
        aefi in prop::collection::vec((0usize..6, 0usize..3, 0usize..3), 0..6),
        on in 0usize..4,
    ) {
        // District 1 → blocks 2, 3 → sub-centres 4 (in 2), 5, 6 (in 3) → villages 10..16.
        let mut areas = vec![
            area(1, None, AreaLevel::District, "D"),
            area(2, Some(1), AreaLevel::Block, "B1"),
            area(3, Some(1), AreaLevel::Block, "B2"),
            area(4, Some(2), AreaLevel::Subcentre, "S1"),
            area(5, Some(3), AreaLevel::Subcentre, "S2"),
            area(6, Some(3), AreaLevel::Subcentre, "S3"),
        ];
        let subcentre_of = [4u128, 4, 5, 5, 6, 6];
        for (i, s) in subcentre_of.iter().enumerate() {
            areas.push(area(10 + i as u128, Some(*s), AreaLevel::Village, &format!("V{i}")));
        }
        let codes = [DoseCode::Bcg, DoseCode::Opv1, DoseCode::Penta1, DoseCode::Penta2, DoseCode::Penta3,
            DoseCode::Mr1, DoseCode::Mr2, DoseCode::Opv2, DoseCode::Opv3, DoseCode::Rvv1, DoseCode::Td1, DoseCode::Td2];
        let start = d("2026-02-02");
        let members: Vec<Member> = people.iter().enumerate().map(|(n, (village, age_days, pregnant, doses))| {
            let anchor = start - chrono::Days::new(u64::from(*age_days));
            let kind = if *pregnant && *age_days < 250 { Kind::PregnantWoman } else { Kind::Child };
            let given: Vec<(DoseCode, String)> = doses.iter().map(|c| {
                let date = anchor + chrono::Days::new(u64::from(*c as u32 * 20 + 1));
                (codes[*c], date.format("%Y-%m-%d").to_string())
            }).filter(|(c, _)| c.kind() == kind).collect();
            let g: Vec<(DoseCode, &str)> = given.iter().map(|(c, s)| (*c, s.as_str())).collect();
            member(1000 + n as u128, 5000 + n as u128, 10 + *village as u128, kind, &anchor.format("%Y-%m-%d").to_string(), &g)
        }).collect();
        let refusals: Vec<Refusal> = refused.iter().filter(|(p, _)| *p < members.len()).map(|(p, c)| Refusal {
            beneficiary: members[*p].beneficiary,
            code: codes[*c],
            date: start,
            reason: ReasonCode::RefusedFamily,
        }).collect();
        let planned_refs: Vec<PlannedRef> = planned.iter().map(|(v, day, not_held, _, _)| PlannedRef {
            site_id: format!("S-{v}"),
            site_name: String::new(),
            village: id(10 + *v as u128),
            day: d(DAYS[*day]),
            not_held: not_held.then_some(NotHeldReason::Weather),
        }).collect();
        let sessions: Vec<HeldSession> = planned.iter().enumerate().filter(|(_, p)| p.3).map(|(n, (v, day, _, _, records))| HeldSession {
            session: id(20_000 + n as u128),
            village: id(10 + *v as u128),
            site_id: Some(format!("S-{v}")),
            date: d(DAYS[*day]),
            records: *records,
            doses: vec![(Antigen::Penta, *records)],
            vials: vec![(Antigen::Penta, 1)],
        }).collect();
        let aefi_refs: Vec<AefiRef> = aefi.iter().map(|(v, day, sev)| AefiRef {
            register_id: String::new(),
            village: id(10 + *v as u128),
            date: d(DAYS[*day]),
            severity: AefiSeverity::ALL[*sev],
        }).collect();
        let w = World {
            round: RoundFrame { number: 1, days: DAYS.iter().map(|s| d(s)).collect() },
            members,
            refusals,
            planned: planned_refs,
            sessions,
            aefi: aefi_refs,
            cases: Vec::new(),
            activities: Vec::new(),
            areas,
        };
        let on = ["2026-02-01", DAYS[0], DAYS[1], DAYS[2]][on];
        for root in [1u128, 2, 3, 4, 5, 6] {
            let r = w.report(on, Some(id(root)));
            let len = additive(&r.total).len();
            prop_assert_eq!(sum(&r.areas, len), additive(&r.total), "root {}", root);
        }
        // The district is the sum of the blocks' reports, and of all villages' own reports.
        let district = w.report(on, Some(id(1)));
        let len = additive(&district.total).len();
        let blocks: Vec<AreaFigures> = [2u128, 3].iter().map(|b| w.report(on, Some(id(*b))).total).collect();
        prop_assert_eq!(sum(&blocks, len), additive(&district.total));
        let villages: Vec<AreaFigures> = (10u128..16).map(|v| w.report(on, Some(id(v))).total).collect();
        prop_assert_eq!(sum(&villages, len), additive(&district.total));
    }
}
