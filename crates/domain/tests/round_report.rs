//! A round's day in two villages of one sub-centre, from the events alone: the three folds
//! (register, microplan, report facts), the parts of round 1's report and the report itself,
//! with known answers, the same in any order of arrival, and its table and CSV (snapshots).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use teeka_domain::codes::{ActivityKind, AefiSeverity, Persuader, VisitAction, VisitOutcome};
use teeka_domain::kit::VaccineTable;
use teeka_domain::monitor::{report_csv, report_parts, report_table, round_report, Monitor, Report};
use teeka_domain::plan::SessionNorms;
use teeka_domain::{
    AefiField, Antigen, AreaLevel, BeneficiaryField, Contact, Date, DoseCode, Event, EventBody, Hlc, HouseholdField,
    Kind, Microplan, ReasonCode, Replay, ScheduleSettings, SiteField, SiteType, VialsUsed,
};
use uuid::Uuid;

fn d(s: &str) -> Date {
    teeka_domain::parse_date(s).unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

struct Log {
    events: Vec<Event>,
    next: u128,
}

impl Log {
    fn push(&mut self, device: u128, body: EventBody) -> Uuid {
        self.next += 1;
        let e = Event {
            id: id(0x1_0000 + self.next),
            device_id: id(device),
            hlc: Hlc { wall_ms: 1_000 + self.next as u64, counter: 0 },
            author: "t".into(),
            worker: None,
            recorded_at: chrono::DateTime::default(),
            body,
        };
        let event = e.id;
        self.events.push(e);
        event
    }
}

const STATE: u128 = 1;
const DISTRICT: u128 = 2;
const BLOCK: u128 = 3;
const SC: u128 = 4;
const RAMPUR: u128 = 5;
const KHERI: u128 = 6;
const A: u128 = 0xa;
const B: u128 = 0xb;
const SUPERVISOR: u128 = 0xc;

fn child(log: &mut Log, device: u128, n: u128, rid: &str, household: u128, dob: &str) -> Uuid {
    log.push(
        device,
        EventBody::BeneficiaryRegistered {
            beneficiary: id(n),
            register_id: rid.into(),
            kind: Kind::Child,
            fields: vec![
                BeneficiaryField::Name(format!("Child {rid}")),
                BeneficiaryField::Household(id(household)),
                BeneficiaryField::Dob(Some(d(dob))),
            ],
        },
    );
    id(n)
}

fn household(log: &mut Log, device: u128, n: u128, hid: &str, village: u128) {
    log.push(
        device,
        EventBody::HouseholdRegistered {
            household: id(n),
            household_id: hid.into(),
            fields: vec![HouseholdField::Village(id(village))],
        },
    );
}

fn dose(log: &mut Log, device: u128, b: Uuid, code: DoseCode, date: &str, session: Option<u128>) {
    log.push(
        device,
        EventBody::DoseGiven { beneficiary: b, code, date: d(date), corrects: None, session: session.map(id) },
    );
}

fn site(log: &mut Log, n: u128, site_id: &str, name: &str, village: u128, anm: &str) {
    log.push(
        SUPERVISOR,
        EventBody::SiteRegistered {
            site: id(n),
            site_id: site_id.into(),
            fields: vec![
                SiteField::Name(name.into()),
                SiteField::Villages(vec![id(village)]),
                SiteField::SiteType(SiteType::Outreach),
                SiteField::Anm(Some(Contact { name: anm.into(), phone: None })),
            ],
        },
    );
}

/// The hierarchy, two sites and round 1 (2026-03-02, 5 working days); in Rampur (device A)
/// R-1 vaccinated at the session, R-2's family refusing Penta1 there, visited and persuaded, given
/// it two days later; in Kheri (device B) K-1 vaccinated at its session with a minor AEFI later
/// found severe, a pregnant woman due Td not come, a mothers' meeting.
fn story() -> Vec<Event> {
    let mut log = Log { events: Vec::new(), next: 0 };
    let area = |log: &mut Log, n, level, name: &str, parent: Option<u128>| {
        log.push(0, EventBody::AreaDefined { area: id(n), level, name: name.into(), parent: parent.map(id) });
    };
    area(&mut log, STATE, AreaLevel::State, "UP", None);
    area(&mut log, DISTRICT, AreaLevel::District, "Sitapur", Some(STATE));
    area(&mut log, BLOCK, AreaLevel::Block, "Mahmudabad", Some(DISTRICT));
    area(&mut log, SC, AreaLevel::Subcentre, "Bhatpur", Some(BLOCK));
    area(&mut log, RAMPUR, AreaLevel::Village, "Rampur", Some(SC));
    area(&mut log, KHERI, AreaLevel::Village, "Kheri", Some(SC));
    site(&mut log, 0x51, "S-01", "Rampur AWC", RAMPUR, "Meena");
    site(&mut log, 0x52, "S-02", "Kheri AWC", KHERI, "Sunita");
    log.push(
        SUPERVISOR,
        EventBody::RoundDefined {
            round: id(0x60),
            number: 1,
            start: d("2026-03-02"),
            working_days: 5,
            ri_days: vec![],
            holidays: vec![],
        },
    );
    // Rampur.
    household(&mut log, A, 0x100, "R-H1", RAMPUR);
    let r1 = child(&mut log, A, 0x101, "R-1", 0x100, "2025-12-01");
    household(&mut log, A, 0x110, "R-H2", RAMPUR);
    let r2 = child(&mut log, A, 0x111, "R-2", 0x110, "2025-12-01");
    for b in [r1, r2] {
        for c in [DoseCode::Bcg, DoseCode::Opv0, DoseCode::Hepb0] {
            dose(&mut log, A, b, c, "2025-12-01", None);
        }
    }
    log.push(
        A,
        EventBody::SessionOpened {
            session: id(0x201),
            site: id(RAMPUR),
            date: d("2026-03-02"),
            session_site: Some(id(0x51)),
        },
    );
    log.push(
        A,
        EventBody::VialOpened {
            vial: id(0x301),
            session: id(0x201),
            antigen: Antigen::Penta,
            batch: None,
            expiry: None,
            vvm: Some(1),
            opened_at: chrono::DateTime::default(),
        },
    );
    for c in [DoseCode::Opv1, DoseCode::Penta1, DoseCode::Rvv1, DoseCode::Fipv1, DoseCode::Pcv1] {
        dose(&mut log, A, r1, c, "2026-03-02", Some(0x201));
    }
    log.push(
        A,
        EventBody::DoseNotGiven {
            beneficiary: r2,
            code: DoseCode::Penta1,
            date: d("2026-03-02"),
            reason: ReasonCode::RefusedFamily,
            corrects: None,
            session: Some(id(0x201)),
            note: None,
        },
    );
    log.push(
        A,
        EventBody::SessionClosed { session: id(0x201), vials: vec![VialsUsed { antigen: Antigen::Penta, opened: 3 }] },
    );
    log.push(
        A,
        EventBody::RefusalAssigned {
            household: id(0x110),
            persuader: Persuader::ReligiousLeader,
            name: Some("Maulana Sahab".into()),
        },
    );
    log.push(
        A,
        EventBody::RefusalVisited {
            visit: id(0x401),
            household: id(0x110),
            date: d("2026-03-03"),
            by: Persuader::ReligiousLeader,
            by_name: None,
            action: VisitAction::ReligiousLeaderVisit,
            outcome: VisitOutcome::Persuaded,
            note: None,
        },
    );
    dose(&mut log, A, r2, DoseCode::Penta1, "2026-03-04", None);
    // Kheri.
    household(&mut log, B, 0x120, "K-H1", KHERI);
    let k1 = child(&mut log, B, 0x121, "K-1", 0x120, "2025-12-01");
    for c in [DoseCode::Bcg, DoseCode::Opv0, DoseCode::Hepb0] {
        dose(&mut log, B, k1, c, "2025-12-01", None);
    }
    log.push(
        B,
        EventBody::BeneficiaryRegistered {
            beneficiary: id(0x122),
            register_id: "K-W1".into(),
            kind: Kind::PregnantWoman,
            fields: vec![
                BeneficiaryField::Name("Sunita".into()),
                BeneficiaryField::Household(id(0x120)),
                BeneficiaryField::Lmp(Some(d("2025-12-01"))),
            ],
        },
    );
    log.push(
        B,
        EventBody::SessionOpened {
            session: id(0x202),
            site: id(KHERI),
            date: d("2026-03-02"),
            session_site: Some(id(0x52)),
        },
    );
    for c in [DoseCode::Opv1, DoseCode::Penta1] {
        dose(&mut log, B, k1, c, "2026-03-02", Some(0x202));
    }
    log.push(
        B,
        EventBody::SessionClosed {
            session: id(0x202),
            vials: vec![
                VialsUsed { antigen: Antigen::Penta, opened: 1 },
                VialsUsed { antigen: Antigen::Opv, opened: 1 },
            ],
        },
    );
    log.push(
        B,
        EventBody::AefiReported {
            aefi: id(0x501),
            beneficiary: k1,
            session: Some(id(0x202)),
            date: d("2026-03-02"),
            severity: AefiSeverity::Minor,
            observed: "fever".into(),
            codes: vec![DoseCode::Penta1],
            signs: vec![],
            onset: None,
            referral: None,
        },
    );
    log.push(
        B,
        EventBody::AefiUpdated {
            aefi: id(0x501),
            beneficiary: k1,
            fields: vec![AefiField::Severity(AefiSeverity::Severe)],
        },
    );
    log.push(
        B,
        EventBody::ActivityRecorded {
            activity: id(0x601),
            village: id(KHERI),
            date: d("2026-03-03"),
            kind: ActivityKind::MothersMeeting,
            led_by: "ASHA Kamla".into(),
            leader: Some(Persuader::Asha),
            attendance: 12,
            note: None,
        },
    );
    log.events
}

fn report_of(events: &[Event], on: &str, root: u128) -> Report {
    let mut register = Replay::default();
    let mut microplan = Microplan::default();
    let mut monitor = Monitor::default();
    for e in events {
        register.apply(e).unwrap();
        microplan.apply(e).unwrap();
        monitor.apply(e);
    }
    let settings = ScheduleSettings::default();
    let parts = report_parts(&register, &microplan, &monitor, 1, &settings, &SessionNorms::default()).unwrap();
    let table = VaccineTable::default();
    round_report(&parts.input(d(on), None, &[], &table, &settings), Some(id(root))).unwrap()
}

#[test]
fn a_round_day_gives_its_known_figures() {
    let r = report_of(&story(), "2026-03-04", BLOCK);
    let t = &r.total;
    assert_eq!(t.area, "UP/Sitapur/Mahmudabad");
    assert_eq!(r.days, ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"].map(d));
    assert_eq!((t.sessions_planned, t.sessions_held, t.sessions_reported), (2, 2, 2));
    let penta = t.antigens.iter().find(|a| a.antigen == Antigen::Penta).unwrap();
    assert_eq!((penta.due, penta.vaccinated), (3, 3), "R-1, R-2 (persuaded) and K-1");
    let td = t.antigens.iter().find(|a| a.antigen == Antigen::Td).unwrap();
    assert_eq!((td.women_due, td.women_vaccinated), (1, 0));
    assert_eq!((t.children.due, t.children.vaccinated), (3, 3));
    assert_eq!((t.pregnant_women.due, t.pregnant_women.vaccinated), (1, 0));
    assert_eq!((t.refusal_families, t.refusals_persuaded, t.persuaded_percent), (1, 1, Some(100.0)));
    assert_eq!((t.aefi.minor, t.aefi.severe, t.aefi.serious), (0, 1, 0), "the edit wins");
    assert_eq!(t.activities.len(), 1);
    assert_eq!(
        (t.activities[0].kind, t.activities[0].count, t.activities[0].attendance),
        (ActivityKind::MothersMeeting, 1, 12)
    );
    // Wastage: the ledger's one Penta vial at Rampur (not the closing's 3), the closing's at Kheri.
    let w = t.wastage.iter().find(|w| w.antigen == Antigen::Penta).unwrap();
    assert_eq!((w.vials_opened, w.doses_given), (2, 2), "R-2's Penta1 was given outside a session");
    assert_eq!(r.areas.len(), 1, "the one sub-centre");
    assert_eq!(t.devices, None, "no devices in a report without the server's");
    // The sub-centre's villages sum to it.
    let village = report_of(&story(), "2026-03-04", RAMPUR).total;
    assert_eq!((village.due, village.sessions_held, village.refusal_families), (10, 1, 1));
}

#[test]
fn the_report_is_the_same_in_any_order_of_arrival_and_with_events_twice() {
    let events = story();
    let want = report_of(&events, "2026-03-04", BLOCK);
    // The register's events must come in an order the store takes (registrations first); the
    // report's facts, in any: reversed after the registrations, and everything twice.
    let facts = |e: &Event| {
        matches!(
            e.body,
            EventBody::SessionOpened { .. }
                | EventBody::SessionClosed { .. }
                | EventBody::VialOpened { .. }
                | EventBody::AefiReported { .. }
                | EventBody::AefiUpdated { .. }
                | EventBody::RefusalAssigned { .. }
                | EventBody::RefusalVisited { .. }
                | EventBody::ActivityRecorded { .. }
        )
    };
    let mut order: Vec<Event> = events.iter().filter(|e| !facts(e)).cloned().collect();
    order.extend(events.iter().filter(|e| facts(e)).rev().cloned());
    order.extend(events.iter().cloned());
    assert_eq!(report_of(&order, "2026-03-04", BLOCK), want);
}

#[test]
fn the_table_and_the_csv() {
    let r = report_of(&story(), "2026-03-04", BLOCK);
    insta::assert_snapshot!("round_report_table", report_table(&r));
    insta::assert_snapshot!("round_report_csv", report_csv(&r));
    let csv = report_csv(&r);
    let header = csv.lines().next().unwrap();
    assert_eq!(header, teeka_domain::monitor::REPORT_CSV_COLUMNS.join(","));
    assert_eq!(csv.lines().count(), 1 + 1 + r.areas.len(), "the header, the total, each child area");
    for line in csv.lines() {
        assert_eq!(line.split(',').count(), teeka_domain::monitor::REPORT_CSV_COLUMNS.len(), "{line}");
    }
}

#[test]
fn the_json_reads_back() {
    let r = report_of(&story(), "2026-03-04", BLOCK);
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), r);
}
