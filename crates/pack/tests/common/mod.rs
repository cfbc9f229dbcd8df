//! A block of two villages through four days of round 2, with known figures, and its report
//! from `round_report` (never computed here).
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use std::sync::Arc;
use teeka_domain::codes::{
    ActivityKind, AefiSeverity, Antigen, AreaLevel, BeneficiaryStatus, DoseCode, Kind, NotHeldReason, ReasonCode,
};
use teeka_domain::kit::VaccineTable;
use teeka_domain::monitor::{
    round_report, ActivityRef, AefiRef, AreaNode, DeviceRef, HeldSession, Member, PlannedRef, Refusal, Report,
    ReportInput, RoundFrame,
};
use teeka_domain::plan::round_due_list;
use teeka_domain::report::Person;
use teeka_domain::schedule::{Given, ScheduleSettings};
use uuid::Uuid;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub const BLOCK: Uuid = Uuid::from_u128(1);
pub const RAMPUR: Uuid = Uuid::from_u128(2);
pub const SITAPUR: Uuid = Uuid::from_u128(3);

fn child(n: u128, village: Uuid, village_name: &str, dob: NaiveDate, given: Vec<Given>) -> Member {
    Member {
        beneficiary: Uuid::from_u128(100 + n),
        household: Uuid::from_u128(200 + n),
        village,
        person: Person {
            register_id: Arc::from(format!("R-{n:03}")),
            name: Arc::from(format!("Child {n}")),
            kind: Kind::Child,
            household_id: Arc::from(format!("H-{n:02}")),
            village: Arc::from(village_name),
            status: BeneficiaryStatus::Active,
            anchor: dob,
            je_endemic: false,
        },
        given,
    }
}

/// The round: 2026-03-02 to 2026-03-06 (five days); the report on day 4, 2026-03-05.
/// - Rampur: two infants (born 2025-12-01) given every dose of the due list on day 1: 100%.
/// - Sitapur: two infants of the same age given nothing: 0%, on the red list. One refused
///   Penta 1 on 2026-02-27 (a case open 6 days: red list).
/// - Sessions: two sites, one a day; Rampur's held with records every day (4); Sitapur's not
///   held on day 1 (ANM absent), held with records on day 2, nothing on days 3 and 4 (red list).
/// - AEFI: one minor and one serious (red list) in Rampur. A mothers' meeting of 14 in Sitapur.
/// - Two phones, one not synced for two days.
pub fn report() -> Report {
    let round = RoundFrame { number: 2, days: (2..=6).map(|n| d(2026, 3, n)).collect() };
    let day1 = d(2026, 3, 2);
    let settings = ScheduleSettings::default();
    let dob = d(2025, 12, 1);
    let infants: Vec<Member> = vec![
        child(1, RAMPUR, "Rampur", dob, vec![]),
        child(2, RAMPUR, "Rampur", dob, vec![]),
        child(3, SITAPUR, "Sitapur", dob, vec![]),
        child(4, SITAPUR, "Sitapur", dob, vec![]),
    ];
    // Rampur's are given every dose due on day 1.
    let people: Vec<(Person, Vec<Given>)> = infants.iter().map(|m| (m.person.clone(), m.given.clone())).collect();
    let due = round_due_list(&people, day1, &settings);
    let mut members = infants;
    for m in members.iter_mut().filter(|m| m.village == RAMPUR) {
        let item = due.iter().find(|i| *i.register_id == *m.person.register_id).unwrap();
        m.given = item.doses.iter().map(|dose| Given { code: dose.code, date: day1 }).collect();
    }
    let areas = vec![
        AreaNode { id: BLOCK, parent: None, level: AreaLevel::Block, name: "Bahraich Block".into() },
        AreaNode { id: RAMPUR, parent: Some(BLOCK), level: AreaLevel::Village, name: "Rampur".into() },
        AreaNode { id: SITAPUR, parent: Some(BLOCK), level: AreaLevel::Village, name: "Sitapur".into() },
    ];
    let refusals = vec![Refusal {
        beneficiary: Uuid::from_u128(103),
        code: DoseCode::Penta1,
        date: d(2026, 2, 27),
        reason: ReasonCode::RefusedFearAefi,
    }];
    let mut planned = Vec::new();
    for day in 2..=6 {
        for (site, name, village) in [("S-01", "Rampur AWC", RAMPUR), ("S-02", "Sitapur school", SITAPUR)] {
            planned.push(PlannedRef {
                site_id: site.into(),
                site_name: name.into(),
                village,
                day: d(2026, 3, day),
                not_held: (site == "S-02" && day == 2).then_some(NotHeldReason::AnmAbsent),
            });
        }
    }
    let mut sessions = Vec::new();
    for day in 2..=5 {
        sessions.push(HeldSession {
            session: Uuid::from_u128(300 + day),
            village: RAMPUR,
            site_id: Some("S-01".into()),
            date: d(2026, 3, day as u32),
            records: 6,
            doses: vec![(Antigen::Penta, 2)],
            vials: vec![(Antigen::Penta, 1)],
        });
    }
    sessions.push(HeldSession {
        session: Uuid::from_u128(400),
        village: SITAPUR,
        site_id: Some("S-02".into()),
        date: d(2026, 3, 3),
        records: 2,
        doses: vec![],
        vials: vec![],
    });
    let aefi = vec![
        AefiRef { register_id: "R-001".into(), village: RAMPUR, date: day1, severity: AefiSeverity::Minor },
        AefiRef { register_id: "R-002".into(), village: RAMPUR, date: day1, severity: AefiSeverity::Serious },
    ];
    let activities =
        vec![ActivityRef { village: SITAPUR, date: d(2026, 3, 3), kind: ActivityKind::MothersMeeting, attendance: 14 }];
    let now = Utc.with_ymd_and_hms(2026, 3, 5, 18, 0, 0).unwrap();
    let devices = vec![
        DeviceRef {
            area: RAMPUR,
            last_sync: Some(now - chrono::Duration::hours(2)),
            clock_offset_seconds: Some(4),
            revoked: false,
        },
        DeviceRef {
            area: SITAPUR,
            last_sync: Some(now - chrono::Duration::hours(50)),
            clock_offset_seconds: Some(900),
            revoked: false,
        },
    ];
    let table = VaccineTable::default();
    let input = ReportInput {
        round: &round,
        on: d(2026, 3, 5),
        now: Some(now),
        areas: &areas,
        members: &members,
        refusals: &refusals,
        planned: &planned,
        sessions: &sessions,
        aefi: &aefi,
        cases: &[],
        activities: &activities,
        devices: &devices,
        table: &table,
        settings: &settings,
    };
    round_report(&input, Some(BLOCK)).unwrap()
}

/// The text of `pdf` as `pdftotext -layout` extracts it (poppler-utils: scripts/setup.sh).
pub fn pdftotext(pdf: &[u8], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("teeka-pack-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pack.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = match std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output() {
        Ok(out) => out,
        Err(e) => panic!("pdftotext (apt-get install poppler-utils, as scripts/setup.sh does): {e}"),
    };
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
