//! The campaign's events on the server, on both storage backends: sites placed where their
//! villages meet and pulled by the villages below, a round at its block, refusals one event at a
//! time (a site with a village out of scope or unknown or none, a holiday of another area's
//! round), vials with their session; and the block's session plan (`plan sessions`), through the
//! service and through the binary.
//!
//! The PostgreSQL tests start a throwaway cluster (`teeka-testkit`); they fail if PostgreSQL is
//! not installed, unless `TEEKA_SKIP_POSTGRES=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use teeka_domain::plan::SessionNorms;
use teeka_domain::{
    Antigen, Contact, Date, Day, DiscardReason, Event, EventBody, HraType, NotHeldReason, SiteField, SiteType,
};
use teeka_protocol::{ErrorCode, PullRequest, PushRequest, PushResponse, Role};
use teeka_server::db::Device;
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::path::{BHATPUR, BLOCK, DISTRICT, KHERI, LALPUR, RAMPUR, SONPUR};
use teeka_testkit::fixtures::{
    area_id, date, device_store, enroll, minutes, on_postgres, on_sqlite, register, t0, AREAS,
};
use uuid::Uuid;

fn event(device: &Device, body: EventBody) -> Event {
    teeka_testkit::fixtures::event(device.id, body, minutes(30))
}

async fn push<D: Database>(svc: &Service<D>, device: &Device, events: Vec<Event>) -> PushResponse {
    let req = PushRequest { events, pending: 0, device_time_ms: Utc::now().timestamp_millis() };
    svc.push(device, req, minutes(31)).await.unwrap()
}

/// The event ids a device pulls, all pages.
async fn pulled<D: Database>(svc: &Service<D>, device: &Device) -> Vec<Event> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let r = svc.pull(device, PullRequest { after, limit: 5_000, exclude_own: true }, minutes(40)).await.unwrap();
        out.extend(r.events);
        after = r.next;
        if !r.more {
            return out;
        }
    }
}

async fn device<D: Database>(svc: &Service<D>, area: &str, role: Role) -> Device {
    enroll(svc, area, role, Uuid::now_v7(), minutes(1)).await.1
}

fn contact(name: &str) -> Contact {
    Contact { name: name.into(), phone: Some("9876543210".into()) }
}

fn site(site: Uuid, site_id: &str, name: &str, villages: Vec<Uuid>, kind: SiteType, anm: Option<&str>) -> EventBody {
    EventBody::SiteRegistered {
        site,
        site_id: site_id.into(),
        fields: vec![
            SiteField::Name(name.into()),
            SiteField::Villages(villages),
            SiteField::SiteType(kind),
            SiteField::Hra(HraType::None),
            SiteField::Anm(anm.map(contact)),
        ],
    }
}

fn round(round: Uuid, number: u32, start: Date) -> EventBody {
    EventBody::RoundDefined { round, number, start, working_days: 7, ri_days: vec![Day::Wed], holidays: vec![] }
}

fn ids(events: &[Event]) -> Vec<Uuid> {
    events.iter().map(|e| e.id).collect()
}

fn refusal(r: &PushResponse, id: Uuid) -> Option<ErrorCode> {
    r.rejected.iter().find(|x| x.id == id).map(|x| x.code)
}

/// A block supervisor's sites and round reach a village ANM of that block, not one of another
/// sub-centre's village for a site that is not theirs.
async fn sites_and_rounds_reach_the_villages<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    let supervisor = device(&svc, "Mahmudabad", Role::Supervisor).await;
    let (rampur, kheri, sonpur) =
        (area_id(&svc, RAMPUR).await, area_id(&svc, KHERI).await, area_id(&svc, SONPUR).await);
    let (s1, s2, s3, r1) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let batch = vec![
        event(&supervisor, site(s1, "S-01", "Bhatpur AWC", vec![rampur, kheri], SiteType::Outreach, Some("Meena"))),
        event(&supervisor, site(s2, "S-02", "Sonpur PHC", vec![sonpur], SiteType::Fixed, None)),
        event(&supervisor, site(s3, "S-03", "Across", vec![kheri, sonpur], SiteType::Mobile, None)),
        event(&supervisor, round(r1, 1, date(2026, 3, 2))),
    ];
    let r = push(&svc, &supervisor, batch.clone()).await;
    assert_eq!((r.accepted.len(), r.rejected.len()), (4, 0), "{:?}", r.rejected);
    let paths = svc.db().entity_paths(vec![s1, s2, s3, r1]).await.unwrap();
    assert_eq!(paths[&s1], BHATPUR, "two villages of one sub-centre: the sub-centre");
    assert_eq!(paths[&s2], SONPUR, "one village: the village itself");
    assert_eq!(paths[&s3], BLOCK, "villages of two sub-centres: the block");
    assert_eq!(paths[&r1], BLOCK, "a round: its device's area");

    let anm = device(&svc, "Bhatpur/Rampur", Role::Anm).await;
    let seen = ids(&pulled(&svc, &anm).await);
    for (e, visible) in batch.iter().zip([true, false, true, true]) {
        assert_eq!(seen.contains(&e.id), visible, "{} seen by Rampur", e.body.kind());
    }

    // The site's villages change: it is placed again; the village device cannot change it.
    let update =
        event(&supervisor, EventBody::SiteUpdated { site: s1, fields: vec![SiteField::Villages(vec![rampur])] });
    let r = push(&svc, &supervisor, vec![update]).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(svc.db().entity_paths(vec![s1]).await.unwrap()[&s1], RAMPUR);
    let village = device(&svc, "Bhatpur/Rampur", Role::Supervisor).await;
    let renamed = event(&village, EventBody::SiteUpdated { site: s3, fields: vec![SiteField::Name("Mine".into())] });
    let r = push(&svc, &village, vec![renamed.clone()]).await;
    assert_eq!(refusal(&r, renamed.id), Some(ErrorCode::OutOfScope), "a block's site from a village device");
    // The site, now serving Rampur alone, is the Rampur supervisor's to change; not its ANM's.
    let hra =
        |d: &Device| event(d, EventBody::SiteUpdated { site: s1, fields: vec![SiteField::Hra(HraType::BrickKiln)] });
    assert!(push(&svc, &village, vec![hra(&village)]).await.rejected.is_empty());
    let by_anm = hra(&anm);
    let r = push(&svc, &anm, vec![by_anm.clone()]).await;
    assert_eq!(refusal(&r, by_anm.id), Some(ErrorCode::ForbiddenRole), "an ANM plans no site");
}

/// One bad site in a batch is refused alone, each with its code.
async fn a_bad_site_is_refused_alone<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    let supervisor = device(&svc, "Mahmudabad", Role::Supervisor).await;
    let (rampur, lalpur) = (area_id(&svc, RAMPUR).await, area_id(&svc, LALPUR).await);
    let outside =
        event(&supervisor, site(Uuid::now_v7(), "S-09", "Lalpur", vec![rampur, lalpur], SiteType::Fixed, None));
    let unknown = event(&supervisor, site(Uuid::now_v7(), "S-08", "?", vec![Uuid::now_v7()], SiteType::Fixed, None));
    let empty = event(&supervisor, site(Uuid::now_v7(), "S-07", "None", vec![], SiteType::Fixed, None));
    let good = event(&supervisor, site(Uuid::now_v7(), "S-01", "Rampur AWC", vec![rampur], SiteType::Fixed, None));
    let moved = match &good.body {
        EventBody::SiteRegistered { site, .. } => {
            event(&supervisor, EventBody::SiteUpdated { site: *site, fields: vec![SiteField::Villages(vec![lalpur])] })
        }
        _ => unreachable!(),
    };
    let r = push(&svc, &supervisor, vec![outside.clone(), unknown.clone(), empty.clone(), good.clone(), moved.clone()])
        .await;
    assert_eq!(r.accepted, vec![good.id], "{:?}", r.rejected);
    assert_eq!(refusal(&r, outside.id), Some(ErrorCode::OutOfScope));
    assert_eq!(refusal(&r, unknown.id), Some(ErrorCode::UnknownEntity));
    assert_eq!(refusal(&r, empty.id), Some(ErrorCode::InvalidEvent));
    assert_eq!(refusal(&r, moved.id), Some(ErrorCode::OutOfScope), "moved to a village of another block");
    assert!(r.rejected.iter().all(|x| !x.message.is_empty()));
}

/// A session at a microplan site goes with the site; its vials with it, their discards with them.
async fn vials_follow_their_session<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    // The supervisor plans the site; the sub-centre's ANM holds the session there.
    let supervisor = device(&svc, "Bhatpur", Role::Supervisor).await;
    let anm = device(&svc, "Bhatpur", Role::Anm).await;
    let (rampur, kheri) = (area_id(&svc, RAMPUR).await, area_id(&svc, KHERI).await);
    let (s1, session, vial) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let day = date(2026, 3, 2);
    let at = minutes(60);
    let planned = vec![event(
        &supervisor,
        site(s1, "S-01", "Bhatpur AWC", vec![rampur, kheri], SiteType::Outreach, Some("Meena")),
    )];
    let r = push(&svc, &supervisor, planned.clone()).await;
    assert_eq!((r.accepted.len(), r.rejected.len()), (1, 0), "{:?}", r.rejected);
    let as_anm =
        push(&svc, &anm, vec![event(&anm, site(Uuid::now_v7(), "S-02", "x", vec![rampur], SiteType::Fixed, None))])
            .await;
    assert_eq!(refusal(&as_anm, as_anm.rejected[0].id), Some(ErrorCode::ForbiddenRole), "an ANM plans no site");
    let batch = vec![
        event(&anm, EventBody::SessionOpened { session, site: rampur, date: day, session_site: Some(s1) }),
        event(
            &anm,
            EventBody::VialOpened {
                vial,
                session,
                antigen: Antigen::Penta,
                batch: Some("B-1".into()),
                expiry: None,
                vvm: Some(1),
                opened_at: at,
            },
        ),
        event(&anm, EventBody::VialDiscarded { vial, session: None, reason: DiscardReason::SessionEnd, at }),
    ];
    let r = push(&svc, &anm, batch.clone()).await;
    assert_eq!((r.accepted.len(), r.rejected.len()), (3, 0), "{:?}", r.rejected);
    let paths = svc.db().entity_paths(vec![session, vial]).await.unwrap();
    assert_eq!((paths[&session].as_str(), paths[&vial].as_str()), (BHATPUR, BHATPUR), "with the site");
    // Kheri, served by the site, sees all of it; Sonpur, another sub-centre's, none.
    let all: Vec<Event> = planned.iter().chain(&batch).cloned().collect();
    let kheri_device = device(&svc, "Kheri", Role::Asha).await;
    assert_eq!(ids(&pulled(&svc, &kheri_device).await).iter().filter(|id| ids(&all).contains(id)).count(), 4);
    let sonpur_device = device(&svc, "Sonpur", Role::Asha).await;
    assert!(ids(&pulled(&svc, &sonpur_device).await).iter().all(|id| !ids(&all).contains(id)));

    // A session without a microplan site stays at its village; a discard of a vial the server
    // does not know, or a vial of a session it does not know, is refused alone.
    let plain = Uuid::now_v7();
    let opened = event(&anm, EventBody::SessionOpened { session: plain, site: kheri, date: day, session_site: None });
    let stray = event(
        &anm,
        EventBody::VialDiscarded { vial: Uuid::now_v7(), session: None, reason: DiscardReason::Frozen, at },
    );
    let orphan = event(
        &anm,
        EventBody::VialOpened {
            vial: Uuid::now_v7(),
            session: Uuid::now_v7(),
            antigen: Antigen::Bcg,
            batch: None,
            expiry: None,
            vvm: None,
            opened_at: at,
        },
    );
    let r = push(&svc, &anm, vec![opened.clone(), stray.clone(), orphan.clone()]).await;
    assert_eq!(r.accepted, vec![opened.id]);
    assert_eq!(svc.db().entity_paths(vec![plain]).await.unwrap()[&plain], KHERI);
    assert_eq!(refusal(&r, stray.id), Some(ErrorCode::UnknownEntity));
    assert_eq!(refusal(&r, orphan.id), Some(ErrorCode::UnknownEntity));
    // A session at a site whose village is outside the device's area.
    let sonpur = area_id(&svc, SONPUR).await;
    let far = event(
        &anm,
        EventBody::SessionOpened { session: Uuid::now_v7(), site: sonpur, date: day, session_site: Some(s1) },
    );
    assert_eq!(refusal(&push(&svc, &anm, vec![far.clone()]).await, far.id), Some(ErrorCode::OutOfScope));

    // An ANM's device enrolled at one village of the site: its session at the site (placed at
    // the sub-centre, above that device's area) stays at its village, with its vials; the
    // sub-centre's devices see it, another village's do not.
    let rampur_anm = device(&svc, "Bhatpur/Rampur", Role::Anm).await;
    let (own, own_vial) = (Uuid::now_v7(), Uuid::now_v7());
    let batch = vec![
        event(&rampur_anm, EventBody::SessionOpened { session: own, site: rampur, date: day, session_site: Some(s1) }),
        event(
            &rampur_anm,
            EventBody::VialOpened {
                vial: own_vial,
                session: own,
                antigen: Antigen::Opv,
                batch: None,
                expiry: None,
                vvm: None,
                opened_at: at,
            },
        ),
    ];
    let r = push(&svc, &rampur_anm, batch.clone()).await;
    assert_eq!((r.accepted.len(), r.rejected.len()), (2, 0), "{:?}", r.rejected);
    let paths = svc.db().entity_paths(vec![own, own_vial]).await.unwrap();
    assert_eq!((paths[&own].as_str(), paths[&own_vial].as_str()), (RAMPUR, RAMPUR));
    let sent = ids(&batch);
    let subcentre = ids(&pulled(&svc, &anm).await);
    assert!(sent.iter().all(|e| subcentre.contains(e)), "the sub-centre sees it");
    assert!(ids(&pulled(&svc, &kheri_device).await).iter().all(|e| !sent.contains(e)), "Kheri does not");
}

/// A holiday changes a round only from the area that made it or one above it.
async fn a_holiday_of_another_areas_round_is_refused<D: Database>(svc: Service<D>) {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    let block = device(&svc, "Mahmudabad", Role::Supervisor).await;
    let biswan = device(&svc, "Biswan", Role::Supervisor).await;
    let district = device(&svc, "Sitapur", Role::Supervisor).await;
    let village = device(&svc, "Bhatpur/Rampur", Role::Anm).await;
    let r1 = Uuid::now_v7();
    let holiday =
        |d: &Device, round: Uuid| event(d, EventBody::RoundHolidaySet { round, date: date(2026, 3, 6), holiday: true });
    assert!(push(&svc, &block, vec![event(&block, round(r1, 1, date(2026, 3, 2)))]).await.rejected.is_empty());
    for (d, expected) in [
        (&biswan, Some(ErrorCode::OutOfScope)),
        (&village, Some(ErrorCode::OutOfScope)),
        (&block, None),
        (&district, None),
    ] {
        let e = holiday(d, r1);
        let r = push(&svc, d, vec![e.clone()]).await;
        assert_eq!(refusal(&r, e.id), expected, "a holiday from {}", d.area.path);
    }
    let unknown = holiday(&block, Uuid::now_v7());
    assert_eq!(refusal(&push(&svc, &block, vec![unknown.clone()]).await, unknown.id), Some(ErrorCode::UnknownEntity));
    assert_eq!(svc.db().entity_paths(vec![r1]).await.unwrap()[&r1], BLOCK);

    // A planned session marked not held at the village's site, in the block's round: placed at
    // the site; in another block's round: refused.
    let rampur = area_id(&svc, RAMPUR).await;
    let s1 = Uuid::now_v7();
    let r2 = Uuid::now_v7();
    assert!(push(&svc, &biswan, vec![event(&biswan, round(r2, 1, date(2026, 3, 2)))]).await.rejected.is_empty());
    let not_held = |round| {
        event(
            &village,
            EventBody::SessionNotHeld {
                round,
                site: s1,
                date: date(2026, 3, 3),
                reason: NotHeldReason::AnmAbsent,
                note: None,
            },
        )
    };
    let registered = event(&block, site(s1, "S-01", "Rampur AWC", vec![rampur], SiteType::Outreach, None));
    assert!(push(&svc, &block, vec![registered]).await.rejected.is_empty());
    let (ours, theirs) = (not_held(r1), not_held(r2));
    let r = push(&svc, &village, vec![ours.clone(), theirs.clone()]).await;
    assert_eq!(r.accepted, vec![ours.id], "{:?}", r.rejected);
    assert_eq!(refusal(&r, theirs.id), Some(ErrorCode::OutOfScope));
    let seen = ids(&pulled(&svc, &biswan).await);
    assert!(!seen.contains(&ours.id));
}

/// A small block: the register of three villages from their devices, the supervisor's sites
/// and round with a holiday, a session not held and one moved.
/// The villages' device stores are returned, in that order: Rampur, Kheri, Sonpur.
async fn a_small_block<D: Database>(svc: &Service<D>) -> Vec<teeka_store::Store> {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    let mut stores = Vec::new();
    for (area, prefix, village, n) in
        [("Bhatpur/Rampur", "R", "Rampur", 3), ("Kheri", "K", "Kheri", 2), ("Sonpur", "S", "Sonpur", 20)]
    {
        let store = device_store(&register(prefix, village, n));
        let (_, d) = enroll(svc, area, Role::Asha, store.device_id(), minutes(1)).await;
        let r = push(svc, &d, store.events().unwrap()).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        stores.push(store);
    }
    let supervisor = device(svc, "Mahmudabad", Role::Supervisor).await;
    let (rampur, kheri, sonpur) = (area_id(svc, RAMPUR).await, area_id(svc, KHERI).await, area_id(svc, SONPUR).await);
    let (s1, s2, r1) = (Uuid::from_u128(0x51), Uuid::from_u128(0x52), Uuid::from_u128(0x71));
    let mut with_mobilizer = site(s1, "S-01", "Bhatpur AWC", vec![rampur, kheri], SiteType::Outreach, Some("Meena"));
    if let EventBody::SiteRegistered { fields, .. } = &mut with_mobilizer {
        fields.push(SiteField::Mobilizers(vec![contact("Sunita")]));
    }
    let batch = vec![
        event(&supervisor, with_mobilizer),
        event(&supervisor, site(s2, "S-02", "Sonpur PHC", vec![sonpur], SiteType::Fixed, Some("Kavita"))),
        event(&supervisor, round(r1, 1, date(2026, 3, 2))),
        event(&supervisor, EventBody::RoundHolidaySet { round: r1, date: date(2026, 3, 3), holiday: true }),
        event(
            &supervisor,
            EventBody::SessionNotHeld {
                round: r1,
                site: s2,
                date: date(2026, 3, 2),
                reason: NotHeldReason::VaccineNotAvailable,
                note: Some("no MR".into()),
            },
        ),
        event(
            &supervisor,
            EventBody::SessionRescheduled { round: r1, site: s1, date: date(2026, 3, 2), to: date(2026, 3, 10) },
        ),
    ];
    let r = push(svc, &supervisor, batch).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    stores
}

async fn the_block_plan<D: Database>(svc: Service<D>) {
    let stores = a_small_block(&svc).await;
    let plan = svc.plan_sessions(1, "Mahmudabad", &SessionNorms::default()).await.unwrap();
    insta::assert_json_snapshot!("block_plan", plan);
    // Who is expected at Sonpur's site is the Sonpur device's due list of the round's first day,
    // in its order, each with the same doses.
    let due = stores[2].due_list(plan.days[0], None).unwrap();
    let sonpur = plan.sites.iter().find(|s| s.site_id == "S-02").unwrap();
    let expected: Vec<(String, Vec<teeka_domain::DoseCode>)> = sonpur
        .sessions
        .iter()
        .flat_map(|s| s.expected.iter().map(|e| (e.register_id.clone(), e.doses.clone())))
        .collect();
    let on_device: Vec<(String, Vec<teeka_domain::DoseCode>)> =
        due.iter().map(|i| (i.register_id.to_string(), i.doses.iter().map(|d| d.code).collect())).collect();
    assert_eq!(expected, on_device);
    assert_eq!(expected.len(), 20);
    // The district's plan is its blocks', and the sites serving villages of two blocks (placed
    // at the district), with the people of each.
    let sitapur = device(&svc, "Sitapur", Role::Supervisor).await;
    let (kheri, lalpur) = (area_id(&svc, KHERI).await, area_id(&svc, LALPUR).await);
    let across = site(Uuid::now_v7(), "D-01", "Border camp", vec![lalpur, kheri], SiteType::Mobile, Some("Rani"));
    let r = push(&svc, &sitapur, vec![event(&sitapur, across)]).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(svc.plan_sessions(1, "Mahmudabad", &SessionNorms::default()).await.unwrap(), plan, "not the block's");
    let district = svc.plan_sessions(1, "Sitapur", &SessionNorms::default()).await.unwrap();
    assert_eq!((district.area.as_str(), district.days.as_slice()), (DISTRICT, plan.days.as_slice()));
    let (camp, blocks): (Vec<_>, Vec<_>) = district.sites.into_iter().partition(|s| s.site_id == "D-01");
    assert_eq!(blocks, plan.sites);
    assert_eq!(camp[0].path, DISTRICT);
    let expected: Vec<&str> =
        camp[0].sessions.iter().flat_map(|s| s.expected.iter().map(|e| e.register_id.as_str())).collect();
    assert_eq!(expected, ["K-1", "K-2"], "Lalpur has nobody registered");
    // Bad input: a round nobody defined, an unknown area.
    let e = svc.plan_sessions(2, "Mahmudabad", &SessionNorms::default()).await.unwrap_err();
    assert!(e.to_string().contains("no round 2"), "{e}");
    let e = svc.plan_sessions(1, "Nowhere", &SessionNorms::default()).await.unwrap_err();
    assert!(e.to_string().contains("no area named 'Nowhere'"), "{e}");
}

#[tokio::test]
async fn sites_and_rounds_reach_the_villages_on_sqlite() {
    on_sqlite(sites_and_rounds_reach_the_villages).await;
}

#[tokio::test]
async fn sites_and_rounds_reach_the_villages_on_postgres() {
    on_postgres(sites_and_rounds_reach_the_villages).await;
}

#[tokio::test]
async fn a_bad_site_is_refused_alone_on_sqlite() {
    on_sqlite(a_bad_site_is_refused_alone).await;
}

#[tokio::test]
async fn a_bad_site_is_refused_alone_on_postgres() {
    on_postgres(a_bad_site_is_refused_alone).await;
}

#[tokio::test]
async fn vials_follow_their_session_on_sqlite() {
    on_sqlite(vials_follow_their_session).await;
}

#[tokio::test]
async fn vials_follow_their_session_on_postgres() {
    on_postgres(vials_follow_their_session).await;
}

#[tokio::test]
async fn a_holiday_of_another_areas_round_is_refused_on_sqlite() {
    on_sqlite(a_holiday_of_another_areas_round_is_refused).await;
}

#[tokio::test]
async fn a_holiday_of_another_areas_round_is_refused_on_postgres() {
    on_postgres(a_holiday_of_another_areas_round_is_refused).await;
}

#[tokio::test]
async fn the_block_plan_on_sqlite() {
    on_sqlite(the_block_plan).await;
}

#[tokio::test]
async fn the_block_plan_on_postgres() {
    on_postgres(the_block_plan).await;
}

/// The binary prints the service's plan as JSON, and as CSV one row per session; bad input
/// exits 1 with a plain error.
#[tokio::test]
async fn teeka_server_plan_sessions_prints_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let svc = Service::new(teeka_server::SqliteDb::open(&db).unwrap());
    a_small_block(&svc).await;
    let expected =
        serde_json::to_value(svc.plan_sessions(1, "Mahmudabad", &SessionNorms::default()).await.unwrap()).unwrap();
    drop(svc);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_teeka-server"))
            .arg("--database-url")
            .arg(format!("sqlite:{}", db.display()))
            .args(["plan", "sessions"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, expected);
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!("block_plan_csv", String::from_utf8(out.stdout).unwrap());
    // Smaller outreach sessions: more of them.
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--outreach-size", "2-5"]);
    let small: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |v: &serde_json::Value| {
        v["sites"].as_array().unwrap().iter().map(|s| s["sessions"].as_array().unwrap().len()).sum::<usize>()
    };
    assert!(count(&small) > count(&expected), "{} vs {}", count(&small), count(&expected));
    for (args, says) in [
        (vec!["--round", "3", "--area", "Mahmudabad"], "no round 3"),
        (vec!["--round", "1", "--area", "Nowhere"], "no area named 'Nowhere'"),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    let out = run(&["--round", "1", "--area", "Mahmudabad", "--fixed-size", "70-40"]);
    assert_eq!(out.status.code(), Some(2), "a bad flag is a usage error");
}
