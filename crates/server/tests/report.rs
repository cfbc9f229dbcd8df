//! The round report on the server, on both storage backends: two devices in two villages of one
//! block (Rampur of sub-centre Bhatpur, Sonpur of sub-centre Kamalpur) push a round's day —
//! sessions at their sites, doses, a refusal, a visit and the dose that persuades, a mothers'
//! meeting, an AEFI made severe — and the block's report has the known figures, its total is the
//! sum of its sub-centres, the district's report holds the block's figures; over HTTP, within
//! the device's scope only, with clear errors; through the binary as a table, JSON and CSV.
//!
//! The PostgreSQL tests start a throwaway cluster (`teeka-testkit`); they fail if PostgreSQL is
//! not installed, unless `TEEKA_SKIP_POSTGRES=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use teeka_domain::codes::{ActivityKind, AefiSeverity, Persuader, VisitAction, VisitOutcome};
use teeka_domain::monitor::{AreaFigures, Report};
use teeka_domain::{
    AefiField, Antigen, BeneficiaryField, Contact, Date, Day, DoseCode, Event, EventBody, Hlc, HouseholdField, Kind,
    ReasonCode, SiteField, SiteType, VialsUsed,
};
use teeka_protocol::{decode, ApiError, ErrorCode, PushRequest, Role, PROTOCOL_VERSION, REPORT_PATH, VERSION_HEADER};
use teeka_server::db::Device;
use teeka_server::service::AdminError;
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::path::{BLOCK, DISTRICT, RAMPUR, SONPUR};
use teeka_testkit::fixtures::{area_id, date, enroll, minutes, on_postgres, on_sqlite, t0, AREAS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// Each event a later HLC than the one before (a device's clock moves on).
static CLOCK: AtomicU64 = AtomicU64::new(0);

fn event(device: &Device, body: EventBody) -> Event {
    let tick = CLOCK.fetch_add(1, Ordering::Relaxed);
    let wall_ms = u64::try_from(minutes(30).timestamp_millis()).unwrap() + tick;
    Event {
        id: Uuid::now_v7(),
        device_id: device.id,
        hlc: Hlc { wall_ms, counter: 0 },
        author: "test".into(),
        worker: None,
        recorded_at: minutes(30),
        body,
    }
}

async fn push<D: Database>(svc: &Service<D>, device: &Device, bodies: Vec<EventBody>) {
    let events: Vec<Event> = bodies.into_iter().map(|b| event(device, b)).collect();
    let n = events.len();
    let req = PushRequest { events, pending: 0, device_time_ms: minutes(31).timestamp_millis() };
    let r = svc.push(device, req, minutes(31)).await.unwrap();
    assert_eq!((r.accepted.len(), r.rejected.len()), (n, 0), "{:?}", r.rejected);
}

fn site(site: Uuid, site_id: &str, name: &str, village: Uuid, anm: &str) -> EventBody {
    EventBody::SiteRegistered {
        site,
        site_id: site_id.into(),
        fields: vec![
            SiteField::Name(name.into()),
            SiteField::Villages(vec![village]),
            SiteField::SiteType(SiteType::Outreach),
            SiteField::Anm(Some(Contact { name: anm.into(), phone: None })),
        ],
    }
}

/// A household with one child born on 2025-12-01, given BCG, OPV0 and HepB0 that day: due the
/// 6-week doses (OPV1, Penta1, RVV1, fIPV1, PCV1) on the round's first day.
fn family(village: Uuid, household_id: &str, register_id: &str) -> (Uuid, Vec<EventBody>) {
    let (household, child) = (Uuid::now_v7(), Uuid::now_v7());
    let mut bodies = vec![
        EventBody::HouseholdRegistered {
            household,
            household_id: household_id.into(),
            fields: vec![HouseholdField::Village(village)],
        },
        EventBody::BeneficiaryRegistered {
            beneficiary: child,
            register_id: register_id.into(),
            kind: Kind::Child,
            fields: vec![
                BeneficiaryField::Name(format!("Child {register_id}")),
                BeneficiaryField::Household(household),
                BeneficiaryField::Dob(Some(date(2025, 12, 1))),
            ],
        },
    ];
    for code in [DoseCode::Bcg, DoseCode::Opv0, DoseCode::Hepb0] {
        bodies.push(given(child, code, date(2025, 12, 1), None));
    }
    (child, bodies)
}

fn given(beneficiary: Uuid, code: DoseCode, date: Date, session: Option<Uuid>) -> EventBody {
    EventBody::DoseGiven { beneficiary, code, date, corrects: None, session }
}

/// The family refuses the child's Penta1 at a session.
fn refused_penta1(beneficiary: Uuid, date: Date, session: Uuid) -> EventBody {
    EventBody::DoseNotGiven {
        beneficiary,
        code: DoseCode::Penta1,
        date,
        reason: ReasonCode::RefusedFamily,
        corrects: None,
        session: Some(session),
        note: None,
    }
}

const SIX_WEEKS: [DoseCode; 5] = [DoseCode::Opv1, DoseCode::Penta1, DoseCode::Rvv1, DoseCode::Fipv1, DoseCode::Pcv1];

struct Fleet {
    supervisor: (String, Device),
    rampur: (String, Device),
    sonpur: (String, Device),
}

/// The round's day (round 1: 2026-03-02, 5 working days): the block supervisor's sites and round,
/// then Rampur's device and Sonpur's device.
async fn round_day<D: Database>(svc: &Service<D>) -> Fleet {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    let supervisor = enroll(svc, "Mahmudabad", Role::Supervisor, Uuid::now_v7(), minutes(1)).await;
    let rampur = enroll(svc, "Bhatpur/Rampur", Role::Anm, Uuid::now_v7(), minutes(1)).await;
    let sonpur = enroll(svc, "Sonpur", Role::Anm, Uuid::now_v7(), minutes(1)).await;
    let (rampur_id, sonpur_id) = (area_id(svc, RAMPUR).await, area_id(svc, SONPUR).await);
    let (s1, s2) = (Uuid::now_v7(), Uuid::now_v7());
    push(
        svc,
        &supervisor.1,
        vec![
            site(s1, "S-01", "Rampur AWC", rampur_id, "Meena"),
            site(s2, "S-02", "Sonpur AWC", sonpur_id, "Sunita"),
            EventBody::RoundDefined {
                round: Uuid::now_v7(),
                number: 1,
                start: date(2026, 3, 2),
                working_days: 5,
                ri_days: vec![Day::Wed],
                holidays: vec![],
            },
        ],
    )
    .await;

    // Rampur: R-1 vaccinated at the session; R-2's family refuses Penta1 there, the religious
    // leader visits the next day, and R-2 is given Penta1 the day after; a mothers' meeting.
    let day = date(2026, 3, 2);
    let (r1, mut bodies) = family(rampur_id, "R-H1", "R-1");
    let (r2, more) = family(rampur_id, "R-H2", "R-2");
    bodies.extend(more);
    let session = Uuid::now_v7();
    bodies.push(EventBody::SessionOpened { session, site: rampur_id, date: day, session_site: Some(s1) });
    bodies.extend(SIX_WEEKS.iter().map(|c| given(r1, *c, day, Some(session))));
    bodies.push(refused_penta1(r2, day, session));
    bodies.push(EventBody::SessionClosed {
        session,
        vials: vec![VialsUsed { antigen: Antigen::Penta, opened: 1 }, VialsUsed { antigen: Antigen::Opv, opened: 1 }],
    });
    let household = bodies
        .iter()
        .find_map(|b| match b {
            EventBody::HouseholdRegistered { household, household_id, .. } if household_id == "R-H2" => {
                Some(*household)
            }
            _ => None,
        })
        .unwrap();
    bodies.push(EventBody::RefusalVisited {
        visit: Uuid::now_v7(),
        household,
        date: date(2026, 3, 3),
        by: Persuader::ReligiousLeader,
        by_name: Some("Maulana Sahab".into()),
        action: VisitAction::ReligiousLeaderVisit,
        outcome: VisitOutcome::Persuaded,
        note: None,
    });
    bodies.push(given(r2, DoseCode::Penta1, date(2026, 3, 4), None));
    bodies.push(EventBody::ActivityRecorded {
        activity: Uuid::now_v7(),
        village: rampur_id,
        date: date(2026, 3, 3),
        kind: ActivityKind::MothersMeeting,
        led_by: "ASHA Kamla".into(),
        leader: Some(Persuader::Asha),
        attendance: 15,
        note: None,
    });
    push(svc, &rampur.1, bodies).await;

    // Sonpur: S-1 given OPV1 and Penta1 at the session, a minor AEFI found severe later.
    let (s1_child, mut bodies) = family(sonpur_id, "S-H1", "S-1");
    let session = Uuid::now_v7();
    bodies.push(EventBody::SessionOpened { session, site: sonpur_id, date: day, session_site: Some(s2) });
    bodies.extend([DoseCode::Opv1, DoseCode::Penta1].iter().map(|c| given(s1_child, *c, day, Some(session))));
    bodies.push(EventBody::SessionClosed {
        session,
        vials: vec![VialsUsed { antigen: Antigen::Penta, opened: 1 }, VialsUsed { antigen: Antigen::Opv, opened: 1 }],
    });
    let aefi = Uuid::now_v7();
    bodies.push(EventBody::AefiReported {
        aefi,
        beneficiary: s1_child,
        session: Some(session),
        date: day,
        severity: AefiSeverity::Minor,
        observed: "fever".into(),
        codes: vec![DoseCode::Penta1],
        signs: vec![],
        onset: None,
        referral: None,
    });
    bodies.push(EventBody::AefiUpdated {
        aefi,
        beneficiary: s1_child,
        fields: vec![AefiField::Severity(AefiSeverity::Severe)],
    });
    push(svc, &sonpur.1, bodies).await;
    Fleet { supervisor, rampur, sonpur }
}

fn on() -> Date {
    date(2026, 3, 4)
}

fn soon() -> DateTime<Utc> {
    minutes(60)
}

/// The figures that add up, of one area, by name.
fn additive(f: &AreaFigures) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = vec![
        ("sessions_planned".into(), f.sessions_planned),
        ("sessions_planned_round".into(), f.sessions_planned_round),
        ("sessions_held".into(), f.sessions_held),
        ("sessions_not_held".into(), f.sessions_not_held),
        ("sessions_reported".into(), f.sessions_reported),
        ("sessions_unplanned".into(), f.sessions_unplanned),
        ("due".into(), f.due),
        ("vaccinated".into(), f.vaccinated),
        ("children.due".into(), f.children.due),
        ("children.vaccinated".into(), f.children.vaccinated),
        ("children.doses_due".into(), f.children.doses_due),
        ("pregnant_women.due".into(), f.pregnant_women.due),
        ("fic_before.cohort".into(), f.fic_before.cohort),
        ("fic_after.cohort".into(), f.fic_after.cohort),
        ("fic_after.fully_immunized".into(), f.fic_after.fully_immunized),
        ("dropout.penta1_penta3.from".into(), f.dropout.penta1_penta3.from),
        ("left_out".into(), f.left_out),
        ("drop_out".into(), f.drop_out),
        ("refusal_families".into(), f.refusal_families),
        ("refusals_open".into(), f.refusals_open),
        ("refusals_persuaded".into(), f.refusals_persuaded),
        ("refusals_escalated".into(), f.refusals_escalated),
        ("aefi.minor".into(), f.aefi.minor),
        ("aefi.severe".into(), f.aefi.severe),
        ("aefi.serious".into(), f.aefi.serious),
    ];
    for a in &f.antigens {
        out.push((format!("antigens.{}.due", a.antigen), a.due));
        out.push((format!("antigens.{}.vaccinated", a.antigen), a.vaccinated));
    }
    for w in &f.wastage {
        out.push((format!("wastage.{}.vials_opened", w.antigen), w.vials_opened));
        out.push((format!("wastage.{}.doses_given", w.antigen), w.doses_given));
    }
    for a in &f.activities {
        out.push((format!("activities.{}.count", a.kind), a.count));
        out.push((format!("activities.{}.attendance", a.kind), a.attendance));
    }
    // Not the devices: those enrolled at an area itself (a block supervisor's) are in its
    // figures and in no child's.
    out
}

/// The sums of `areas`' additive figures, by name (those that are 0 everywhere left out).
fn summed(areas: &[&AreaFigures]) -> std::collections::BTreeMap<String, u32> {
    let mut out = std::collections::BTreeMap::new();
    for a in areas {
        for (k, v) in additive(a) {
            *out.entry(k).or_insert(0) += v;
        }
    }
    out.retain(|_, v| *v > 0);
    out
}

fn figure<'a>(r: &'a Report, name: &str) -> &'a AreaFigures {
    r.areas.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no area {name} in {:?}", r.areas))
}

async fn the_block_report_has_the_known_figures<D: Database>(svc: Service<D>) {
    let fleet = round_day(&svc).await;
    let r = svc.report(1, "Mahmudabad", on(), soon()).await.unwrap();
    let t = &r.total;
    assert_eq!((r.round, r.on, t.area.as_str()), (1, on(), BLOCK));
    assert_eq!(r.days, [2, 3, 5, 6, 7].map(|d| date(2026, 3, d)), "Wednesday is the RI day");
    assert_eq!((t.sessions_planned, t.sessions_held, t.sessions_reported, t.sessions_not_held), (2, 2, 2, 0));
    assert_eq!(t.reporting_percent, Some(100.0));
    // Due: the 6-week doses of three children (15); given in the round: R-1's five, R-2's
    // Penta1, S-1's OPV1 and Penta1.
    assert_eq!((t.due, t.vaccinated), (15, 8));
    let penta = t.antigens.iter().find(|a| a.antigen == Antigen::Penta).unwrap();
    assert_eq!((penta.due, penta.vaccinated, penta.children_vaccinated), (3, 3, 3));
    assert_eq!((t.children.due, t.children.vaccinated), (3, 3));
    assert_eq!((t.refusal_families, t.refusals_persuaded, t.refusals_open), (1, 1, 0), "the dose persuades");
    assert_eq!(t.persuaded_percent, Some(100.0));
    assert_eq!((t.aefi.minor, t.aefi.severe, t.aefi.serious), (0, 1, 0), "the edit wins");
    assert_eq!(t.activities.len(), 1);
    assert_eq!(
        (t.activities[0].kind, t.activities[0].count, t.activities[0].attendance),
        (ActivityKind::MothersMeeting, 1, 15)
    );
    let w = t.wastage.iter().find(|w| w.antigen == Antigen::Penta).unwrap();
    assert_eq!((w.vials_opened, w.doses_given), (2, 2), "the closings' vials; R-2's dose was not at a session");
    let devices = t.devices.unwrap();
    assert_eq!((devices.enrolled, devices.not_synced_24h), (3, 0));

    // Each sub-centre on its own row; the total is their sum, figure by figure.
    let names: Vec<&str> = r.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Bhatpur", "Kamalpur"]);
    let (bhatpur, kamalpur) = (figure(&r, "Bhatpur"), figure(&r, "Kamalpur"));
    assert_eq!((bhatpur.due, bhatpur.vaccinated, bhatpur.refusal_families), (10, 6, 1));
    assert_eq!((kamalpur.due, kamalpur.vaccinated, kamalpur.aefi.severe), (5, 2, 1));
    assert_eq!(summed(&[t]), summed(&r.areas.iter().collect::<Vec<_>>()));
    let enrolled = |f: &AreaFigures| f.devices.unwrap().enrolled;
    assert_eq!((enrolled(bhatpur), enrolled(kamalpur)), (1, 1), "the supervisor's device is the block's own");
    // The villages' units of the evening pack.
    assert_eq!(r.units.iter().map(|u| u.area.as_str()).collect::<Vec<_>>().len(), 3, "Rampur, Kheri, Sonpur");

    // A village's report is its own part.
    let village = svc.report(1, "Bhatpur/Rampur", on(), soon()).await.unwrap();
    assert_eq!(village.total.due, bhatpur.due);
    assert_eq!(village.total.devices.unwrap().enrolled, 1);

    // The district: the block's figures on its row, the other blocks empty, the total the same.
    let district = svc.report(1, "Sitapur", on(), soon()).await.unwrap();
    assert_eq!(district.total.area, DISTRICT);
    assert_eq!(
        district.areas.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["Biswan", "Mahmudabad", "Mahmudabadi"]
    );
    assert_eq!(figure(&district, "Mahmudabad"), t, "the block's row is the block's report");
    assert_eq!(summed(&[&district.total]), summed(&[t]));
    assert_eq!(summed(&[&district.total]), summed(&district.areas.iter().collect::<Vec<_>>()));

    // Two days later nobody has synced for 24 hours.
    let later = svc.report(1, "Mahmudabad", on(), soon() + Duration::hours(48)).await.unwrap();
    assert_eq!(later.total.devices.unwrap().not_synced_24h, 3);

    // An unknown round, an unknown area.
    let e = svc.report(2, "Mahmudabad", on(), soon()).await.unwrap_err();
    assert!(matches!(e, AdminError::UnknownRound { round: 2, .. }), "{e}");
    assert_eq!(e.code(), "UNKNOWN_ROUND");
    assert!(e.to_string().contains("no round 2"), "{e}");
    let e = svc.report(1, "Nowhere", on(), soon()).await.unwrap_err();
    assert!(e.to_string().contains("no area named 'Nowhere'"), "{e}");

    // Through the service's device door: within the device's area only.
    let own = svc.report_for(&fleet.rampur.1, 1, RAMPUR, on(), soon()).await.unwrap();
    assert_eq!(own, village);
    let e = svc.report_for(&fleet.rampur.1, 1, BLOCK, on(), soon()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope, "{e}");
    let e = svc.report_for(&fleet.sonpur.1, 1, RAMPUR, on(), soon()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope, "{e}");
    let e = svc.report_for(&fleet.supervisor.1, 3, BLOCK, on(), soon()).await.unwrap_err();
    assert_eq!((e.code, e.code.http_status()), (ErrorCode::UnknownRound, 404));
    let e = svc.report_for(&fleet.supervisor.1, 1, "UP/Sitapur/Mahmudabad/Nowhere", on(), soon()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownEntity);
}

#[tokio::test]
async fn the_block_report_has_the_known_figures_on_sqlite() {
    on_sqlite(the_block_report_has_the_known_figures).await;
}

#[tokio::test]
async fn the_block_report_has_the_known_figures_on_postgres() {
    on_postgres(the_block_report_has_the_known_figures).await;
}

/// The report's folds are kept between reports: after more of the round arrives, the next
/// report reads only the new events and equals the report of a server that has just started
/// (which folds the whole log), for the block, its district and a sub-centre; and a report on
/// a village of another unit does not disturb them.
async fn the_kept_folds_give_a_fresh_servers_report<D: Database>(svc: Service<D>) {
    let fleet = round_day(&svc).await;
    let first = svc.report(1, "Mahmudabad", on(), soon()).await.unwrap();
    svc.report(1, DISTRICT, on(), soon()).await.unwrap();
    svc.report(1, SONPUR, on(), soon()).await.unwrap();

    // Day 3 in Sonpur: a new family, given the 6-week doses at a second session; another
    // family refuses there.
    let sonpur_id = area_id(&svc, SONPUR).await;
    let day = date(2026, 3, 5);
    let (child, mut bodies) = family(sonpur_id, "S-H2", "S-2");
    let (refusing, more) = family(sonpur_id, "S-H3", "S-3");
    bodies.extend(more);
    let session = Uuid::now_v7();
    bodies.push(EventBody::SessionOpened { session, site: sonpur_id, date: day, session_site: None });
    bodies.extend(SIX_WEEKS.iter().map(|c| given(child, *c, day, Some(session))));
    bodies.push(refused_penta1(refusing, day, session));
    push(&svc, &fleet.sonpur.1, bodies).await;

    let fresh = Service::new(svc.db().clone());
    for area in ["Mahmudabad", DISTRICT, SONPUR, "Kamalpur"] {
        let kept = svc.report(1, area, day, soon()).await.unwrap();
        let folded = fresh.report(1, area, day, soon()).await.unwrap();
        assert_eq!(kept, folded, "{area}: the kept folds and a fresh fold differ");
    }
    // A server that folds ahead at start (`serve`): the three blocks, then the same report.
    let warmed = Service::new(svc.db().clone());
    assert_eq!(warmed.fold_reports().await.unwrap(), 3);
    assert_eq!(
        warmed.report(1, DISTRICT, day, soon()).await.unwrap(),
        fresh.report(1, DISTRICT, day, soon()).await.unwrap()
    );
    let now = svc.report(1, "Mahmudabad", day, soon()).await.unwrap();
    assert_eq!((first.total.due, first.total.vaccinated), (15, 8));
    assert_eq!((now.total.due, now.total.vaccinated, now.total.refusal_families), (25, 13, 2), "{:?}", now.total);
}

#[tokio::test]
async fn the_kept_folds_give_a_fresh_servers_report_on_sqlite() {
    on_sqlite(the_kept_folds_give_a_fresh_servers_report).await;
}

#[tokio::test]
async fn the_kept_folds_give_a_fresh_servers_report_on_postgres() {
    on_postgres(the_kept_folds_give_a_fresh_servers_report).await;
}

// --- Through the router, over a socket. ---

async fn serve<D: Database>(svc: Arc<Service<D>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = teeka_server::http::router(svc);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A GET written by hand: the status and the body.
async fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut text =
        format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n{VERSION_HEADER}: {PROTOCOL_VERSION}\r\n");
    if let Some(t) = token {
        text.push_str(&format!("authorization: Bearer {t}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

fn refused(answer: &(u16, Vec<u8>)) -> (u16, ErrorCode) {
    let e: ApiError = serde_json::from_slice(&answer.1)
        .unwrap_or_else(|e| panic!("{e}: {} {}", answer.0, String::from_utf8_lossy(&answer.1)));
    assert_eq!(e.code.http_status(), answer.0);
    assert!(!e.message.is_empty());
    (answer.0, e.code)
}

async fn the_report_over_http<D: Database>(svc: Service<D>) {
    let svc = Arc::new(svc);
    let fleet = round_day(&svc).await;
    let addr = serve(svc.clone()).await;
    let supervisor = fleet.supervisor.0.as_str();
    let path = format!("{REPORT_PATH}?round=1&area=UP/Sitapur/Mahmudabad&on=2026-03-04");
    let (status, body) = get(addr, &path, Some(supervisor)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let report: Report = decode(&body, 1 << 24).unwrap();
    let want = svc.report_for(&fleet.supervisor.1, 1, BLOCK, on(), Utc::now()).await.unwrap();
    assert_eq!(report, want);
    // The wire shape: the contract's fields.
    let json: serde_json::Value = decode(&body, 1 << 24).unwrap();
    for key in ["round", "on", "total", "areas"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    for key in [
        "area",
        "sessions_planned",
        "sessions_held",
        "antigens",
        "fic_before",
        "fic_after",
        "refusal_families",
        "refusals_persuaded",
        "aefi",
        "wastage",
    ] {
        assert!(json["total"].get(key).is_some(), "total.{key}");
    }
    assert_eq!(json["total"]["area"], BLOCK);
    // A name with a space, percent-encoded.
    let naya = format!("{REPORT_PATH}?round=1&area=UP/Sitapur/Mahmudabadi/Naya%20SC&on=2026-03-04");
    assert_eq!(refused(&get(addr, &naya, Some(supervisor)).await), (403, ErrorCode::OutOfScope));

    // Outside the device's area; an unknown round; bad parameters; no token.
    let rampur = fleet.rampur.0.as_str();
    assert_eq!(refused(&get(addr, &path, Some(rampur)).await), (403, ErrorCode::OutOfScope));
    let own = format!("{REPORT_PATH}?round=1&area={RAMPUR}");
    assert_eq!(get(addr, &own, Some(rampur)).await.0, 200, "on: today by default");
    let round9 = format!("{REPORT_PATH}?round=9&area={BLOCK}");
    assert_eq!(refused(&get(addr, &round9, Some(supervisor)).await), (404, ErrorCode::UnknownRound));
    for bad in [
        format!("{REPORT_PATH}?area={BLOCK}"),
        format!("{REPORT_PATH}?round=one&area={BLOCK}"),
        format!("{REPORT_PATH}?round=1"),
        format!("{REPORT_PATH}?round=1&area={BLOCK}&on=04/03/2026"),
        format!("{REPORT_PATH}?round=1&area={BLOCK}&on=2026-02-30"),
        format!("{REPORT_PATH}?round=1&round=2&area={BLOCK}"),
        format!("{REPORT_PATH}?round=1&area={BLOCK}&village=Rampur"),
    ] {
        let answer = get(addr, &bad, Some(supervisor)).await;
        assert_eq!(refused(&answer), (400, ErrorCode::BadRequest), "{bad}");
    }
    assert_eq!(refused(&get(addr, &path, None).await), (401, ErrorCode::Unauthorized));
}

#[tokio::test]
async fn the_report_over_http_on_sqlite() {
    on_sqlite(the_report_over_http).await;
}

#[tokio::test]
async fn the_report_over_http_on_postgres() {
    on_postgres(the_report_over_http).await;
}

/// The binary prints the service's report as JSON, the domain's table and CSV; an unknown round
/// exits 1 with its code.
#[tokio::test]
async fn teeka_server_report_prints_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let svc = Service::new(teeka_server::SqliteDb::open(&db).unwrap());
    round_day(&svc).await;
    drop(svc);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_teeka-server"))
            .arg("--database-url")
            .arg(format!("sqlite:{}", db.display()))
            .arg("report")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--on", "2026-03-04", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report.total.area.as_str(), report.total.due, report.total.vaccinated), (BLOCK, 15, 8));
    // The devices are judged by the real clock: long unsynced by now.
    assert_eq!(report.total.devices.unwrap().not_synced_24h, 3);

    let out = run(&["--round", "1", "--area", "Mahmudabad", "--on", "2026-03-04"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        teeka_domain::monitor::report_table(&report),
        "table by default"
    );
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--on", "2026-03-04", "--format", "csv"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv, teeka_domain::monitor::report_csv(&report));
    assert_eq!(csv.lines().count(), 4, "the header, the block, its two sub-centres");

    let out = run(&["--round", "7", "--area", "Mahmudabad"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("error[UNKNOWN_ROUND]: no round 7 is defined for UP/Sitapur/Mahmudabad"), "{err}");
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--on", "2026-03-04", "--format", "pdf"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"%PDF-"), "the evening pack as PDF on standard output");
    let png = dir.path().join("pack.png");
    let out = run(&[
        "--round",
        "1",
        "--area",
        "Mahmudabad",
        "--on",
        "2026-03-04",
        "--format",
        "png",
        "--lang",
        "hi",
        "--output",
        png.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "written to --output, nothing on standard output");
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"), "the evening pack as PNG");
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--format", "docx"]);
    assert_eq!(out.status.code(), Some(2), "not a format");
}

/// The report's plan is the device's: the domain's `round_plan` over the folds of a device's log
/// gives the sessions `teeka plan sessions` gives from its store (several sessions at a site, a
/// site without an ANM, a holiday, a session not held and one moved).
#[test]
fn the_reports_plan_is_the_devices_plan() {
    use teeka_domain::calendar::Weekdays;
    use teeka_domain::monitor_fold::{people_by_village, round_days, round_plan};
    use teeka_domain::plan::SessionNorms;
    let mut csv = String::from("register_id,household_id,village,kind,name,sex,dob,BCG\n");
    for (prefix, village, n) in [("R", "Rampur", 3), ("K", "Kheri", 2), ("S", "Sonpur", 45)] {
        for i in 1..=n {
            csv.push_str(&format!("{prefix}-{i},{prefix}-H{i},{village},child,Child {i},F,2025-06-01,2025-06-01\n"));
        }
    }
    let mut store = teeka_testkit::fixtures::device_store(&csv);
    let ctx = teeka_testkit::fixtures::ctx(minutes(5));
    let sites = "site_id,name,villages,type,hra,anm,anm_phone,mobilizers,avd,distance_km,travel_minutes,ri_day\n\
                 S-01,Bhatpur AWC,Rampur;Kheri,outreach,,Meena,,,,,,\n\
                 S-02,Sonpur PHC,Sonpur,fixed,,Meena,,,,,,\n\
                 S-03,Kheri mobile,Kheri,mobile,,,,,,,,\n";
    store.import_sites(sites.as_bytes(), &ctx).unwrap();
    let wed = Weekdays::parse("wed").unwrap();
    store.add_round(1, date(2026, 3, 2), 7, &wed, &Default::default(), &ctx).unwrap();
    store.set_round_holiday(1, date(2026, 3, 3), true, &ctx).unwrap();
    let norms = SessionNorms::default();
    let before = store.round_plan(1, &norms).unwrap();
    let first = |site: &str| before.sessions.iter().find(|s| s.site_id == site).unwrap().day;
    store
        .session_not_held(1, "S-02", first("S-02"), teeka_domain::NotHeldReason::AnmAbsent, None, &norms, &ctx)
        .unwrap();
    let last = *before.days.last().unwrap();
    store.reschedule_session(1, "S-01", first("S-01"), last, &norms, &ctx).unwrap();
    let want = store.round_plan(1, &norms).unwrap();
    assert!(want.sessions.iter().filter(|s| s.site_id == "S-02").count() > 1, "{want:?}");

    let events = store.events().unwrap();
    let (mut register, mut microplan) = (teeka_domain::Replay::default(), teeka_domain::Microplan::default());
    for e in &events {
        register.apply(e).unwrap();
        microplan.apply(e).unwrap();
    }
    let round = microplan.round(1).unwrap();
    let days = round_days(&microplan, round).unwrap();
    assert_eq!(days, want.days);
    let people = people_by_village(&register.members());
    let got = round_plan(&microplan, round, &days, &people, &store.settings().unwrap(), &norms);
    let key = |site: &str, day, number, injections, expected: &[String], not_held, moved_from| {
        (site.to_string(), day, number, injections, expected.to_vec(), not_held, moved_from)
    };
    let want_sessions: Vec<_> = want
        .sessions
        .iter()
        .map(|s| key(&s.site_id, s.day, s.number, s.injections, &s.expected, s.not_held, s.moved_from))
        .collect();
    let got_sessions: Vec<_> = got
        .sessions
        .iter()
        .map(|s| key(&s.site_id, s.day, s.number, s.injections, &s.expected, s.not_held, s.moved_from))
        .collect();
    assert_eq!(got_sessions, want_sessions);
    assert_eq!(got.problems, want.problems);
    assert!(got.sessions.iter().any(|s| s.not_held.is_some()) && got.sessions.iter().any(|s| s.moved_from.is_some()));
}
