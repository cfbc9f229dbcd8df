//! One conformance story, told to both storage backends (SQLite and PostgreSQL): areas,
//! enrollment codes, enrollment, pushes with their refusals, scoped and paged pulls, the
//! devices' view, revocation and export. Then PostgreSQL alone: migrations, and pushes from two
//! servers at once while a puller pages through the log.
//!
//! The PostgreSQL tests start a throwaway cluster (`teeka-testkit`); they fail if PostgreSQL is
//! not installed, unless `TEEKA_SKIP_POSTGRES=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use teeka_domain::{AreaLevel, Date, DoseCode, Event, EventBody};
use teeka_protocol::{ApiError, EnrollRequest, ErrorCode, PullRequest, PushRequest, Role};
use teeka_server::db::{DbError, Device};
use teeka_server::service::AdminError;
use teeka_server::{Database, PgDb, Service, SqliteDb};
use teeka_testkit::fixtures::path::{BLOCK, KAMALPUR, KHERI, LALPUR, OTHER_RAMPUR, RAMPUR, SONPUR};
use teeka_testkit::fixtures::{
    beneficiary_id, ctx, date, device_store, enroll_with_code as enroll, event, minutes, on_postgres, on_sqlite,
    register, t0, AREAS, AREA_COUNT, AREA_ROWS,
};
use teeka_testkit::PgCluster;
use uuid::Uuid;

fn dose(device_id: Uuid, beneficiary: Uuid, code: DoseCode, on: Date) -> Event {
    event(device_id, EventBody::DoseGiven { beneficiary, code, date: on, corrects: None, session: None }, minutes(30))
}

fn push_request(events: Vec<Event>, pending: u64, now: DateTime<Utc>) -> PushRequest {
    // The device's clock runs three hours ahead.
    PushRequest { events, pending, device_time_ms: now.timestamp_millis() + 10_800_000 }
}

fn code_of(e: Result<impl std::fmt::Debug, ApiError>) -> (ErrorCode, String) {
    let e = e.unwrap_err();
    (e.code, e.message)
}

fn invalid(r: Result<impl std::fmt::Debug, AdminError>) -> String {
    match r.unwrap_err() {
        AdminError::Invalid(message) => message,
        other => panic!("expected an invalid input, got {other:?}"),
    }
}

/// Every log event, in order, with its number.
async fn log<D: Database>(db: &D) -> Vec<(u64, Event)> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = db.events_after(after, 100).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.0;
        out.extend(page.into_iter().map(|(seq, json)| (seq, serde_json::from_str(&json).unwrap())));
    }
    for pair in out.windows(2) {
        assert!(pair[0].0 < pair[1].0, "the log is in order");
    }
    out
}

/// Pulls everything a device sees, `limit` at a time; checks the cursor and `more` on the way.
async fn pull_all<D: Database>(svc: &Service<D>, device: &Device, limit: u32, now: DateTime<Utc>) -> Vec<Uuid> {
    let mut ids = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    loop {
        let page = svc.pull(device, PullRequest { after, limit, exclude_own: false }, now).await.unwrap();
        pages += 1;
        if page.more {
            assert_eq!(page.events.len(), limit.max(1) as usize, "a page followed by more is full");
        }
        if page.events.is_empty() {
            assert_eq!(page.next, after, "an empty page keeps the cursor");
        } else {
            assert!(page.next > after, "the cursor moves on");
        }
        ids.extend(page.events.iter().map(|e| e.id));
        after = page.next;
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, ids.len().div_ceil(limit.max(1) as usize).max(1), "paged");
    let again = svc.pull(device, PullRequest { after, limit, exclude_own: false }, now).await.unwrap();
    assert!(again.events.is_empty() && !again.more && again.next == after, "nothing after the end");
    ids
}

/// The log's events that a scope should see, in log order: the definitions of `areas` and the
/// events of `devices`.
fn expected(log: &[(u64, Event)], areas: &HashSet<Uuid>, devices: &[Uuid]) -> Vec<Uuid> {
    log.iter()
        .filter(|(_, e)| match &e.body {
            EventBody::AreaDefined { area, .. } if e.device_id.is_nil() => areas.contains(area),
            _ => devices.contains(&e.device_id),
        })
        .map(|(_, e)| e.id)
        .collect()
}

async fn story<D: Database>(svc: Service<D>) {
    // Areas: importing again adds nothing.
    let imported = svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    assert_eq!((imported.rows, imported.added), (AREA_ROWS, AREA_COUNT));
    let again = svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    assert_eq!((again.rows, again.added), (AREA_ROWS, 0));
    let broken = invalid(svc.import_areas(b"state,district,block,village\nUP,Sitapur,Biswan,Naya\n", t0()).await);
    assert!(broken.contains("'subcentre'"), "{broken}");
    let areas = svc.db().areas().await.unwrap();
    assert_eq!(areas.len(), AREA_COUNT);
    let paths: Vec<&str> = areas.iter().map(|a| a.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted, "areas come in path order");
    let by_path: HashMap<&str, Uuid> = areas.iter().map(|a| (a.path.as_str(), a.id)).collect();
    let area_ids = |wanted: &[&str]| -> HashSet<Uuid> { wanted.iter().map(|p| by_path[p]).collect() };
    assert_eq!(log(svc.db()).await.len(), AREA_COUNT, "one event per area");

    // Finding areas: by name, by an ambiguous name, by the end of a path.
    let kheri = svc.find_area("kheri").await.unwrap();
    assert_eq!((kheri.path.as_str(), kheri.level), (KHERI, AreaLevel::Village));
    let block = svc.find_area("Mahmudabad").await.unwrap();
    assert_eq!((block.path.as_str(), block.level), (BLOCK, AreaLevel::Block));
    assert_eq!(block.parent_id, Some(by_path["UP/Sitapur"]));
    let ambiguous = invalid(svc.find_area("Rampur").await);
    assert!(ambiguous.contains(RAMPUR) && ambiguous.contains(OTHER_RAMPUR), "{ambiguous}");
    assert_eq!(svc.find_area("Bhatpur/Rampur").await.unwrap().path, RAMPUR);
    assert_eq!(svc.find_area(" biswan / sadarpur / RAMPUR ").await.unwrap().path, OTHER_RAMPUR);
    invalid(svc.find_area("Nowhere").await);
    invalid(svc.find_area("Sitapur/Rampur").await);

    // Codes.
    let (rampur_code, area, expires) =
        svc.create_code("Bhatpur/Rampur", Role::Asha, Duration::days(7), t0()).await.unwrap();
    assert_eq!((area.path.as_str(), expires), (RAMPUR, t0() + Duration::days(7)));
    assert_eq!((rampur_code.len(), rampur_code.as_bytes()[4]), (9, b'-'));
    let (supervisor_code, area, _) =
        svc.create_code("Mahmudabad", Role::Supervisor, Duration::days(7), t0()).await.unwrap();
    assert_eq!(area.level, AreaLevel::Block);
    let (lalpur_code, ..) = svc.create_code("Lalpur", Role::Anm, Duration::days(7), t0()).await.unwrap();
    // A code valid for one minute, used at its last instant and after it.
    let (expired_now, ..) = svc.create_code("Kheri", Role::Asha, Duration::minutes(1), minutes(4)).await.unwrap();
    let (expired_before, ..) = svc.create_code("Kheri", Role::Asha, Duration::minutes(1), minutes(2)).await.unwrap();
    for valid_for in [Duration::zero(), Duration::minutes(-5)] {
        invalid(svc.create_code("Kheri", Role::Asha, valid_for, minutes(5)).await);
    }
    invalid(svc.create_code("Rampur", Role::Asha, Duration::days(7), t0()).await);

    // The Rampur device: its register names a village of another sub-centre's area too.
    let mut rampur_store = device_store(
        "register_id,household_id,village,kind,name,sex,dob,BCG
RMP-001,RMP-H01,Rampur,child,Aarav Yadav,M,2025-10-12,2025-10-12
RMP-002,RMP-H02,Rampur,child,Ayesha Salim,F,2026-01-20,
KHR-001,KHR-H01,Kheri,child,Kavya,F,2025-12-01,
",
    );
    rampur_store.record_dose("RMP-002", DoseCode::Bcg, date(2026, 1, 25), &ctx(minutes(10))).unwrap();
    let rampur_id = rampur_store.device_id();

    // Enrollment: the code as typed (lower case, no dash); again for a new token.
    let typed = rampur_code.to_lowercase().replace('-', "");
    let (old_token, device) = enroll(&svc, &typed, rampur_id, minutes(10)).await;
    assert_eq!((device.area.path.as_str(), device.role), (RAMPUR, Role::Asha));
    assert_eq!(device.enrolled_at, minutes(10));
    let (token, device) = enroll(&svc, &rampur_code, rampur_id, minutes(20)).await;
    assert_ne!(token, old_token);
    assert_eq!(device.enrolled_at, minutes(10), "enrolling again keeps the first enrollment's time");
    assert_eq!(code_of(svc.authenticate(Some(&old_token)).await).0, ErrorCode::Unauthorized);
    assert_eq!(code_of(svc.authenticate(None).await).0, ErrorCode::Unauthorized);
    assert_eq!(svc.authenticate(Some(&token)).await.unwrap().id, rampur_id);
    let used =
        code_of(svc.enroll(EnrollRequest { code: rampur_code.clone(), device_id: Uuid::now_v7() }, minutes(20)).await);
    assert_eq!(used.0, ErrorCode::CodeInvalid);
    assert!(used.1.contains("another device"), "{}", used.1);
    let unknown =
        code_of(svc.enroll(EnrollRequest { code: "ZZZZ-ZZZZ".into(), device_id: Uuid::now_v7() }, t0()).await);
    assert_eq!(unknown.0, ErrorCode::CodeInvalid);
    assert!(unknown.1.contains("not known"), "{}", unknown.1);
    for code in [&expired_now, &expired_before] {
        let expired =
            code_of(svc.enroll(EnrollRequest { code: code.clone(), device_id: Uuid::now_v7() }, minutes(5)).await);
        assert_eq!(expired.0, ErrorCode::CodeInvalid);
        assert!(expired.1.contains("expired"), "{}", expired.1);
    }

    // Push: the Kheri village is outside the device's area, and so is what hangs on it; the rest
    // of the batch is stored.
    let events = rampur_store.events().unwrap();
    assert!(events.iter().all(|e| e.device_id == rampur_id));
    let refused: HashMap<Uuid, ErrorCode> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::AreaDefined { name, .. } if name == "Kheri" => Some((e.id, ErrorCode::OutOfScope)),
            EventBody::HouseholdRegistered { household_id, .. } if household_id == "KHR-H01" => {
                Some((e.id, ErrorCode::UnknownEntity))
            }
            EventBody::BeneficiaryRegistered { register_id, .. } if register_id == "KHR-001" => {
                Some((e.id, ErrorCode::UnknownEntity))
            }
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 3);
    let stored: Vec<Uuid> = events.iter().map(|e| e.id).filter(|id| !refused.contains_key(id)).collect();
    let resp = svc.push(&device, push_request(events.clone(), 4, minutes(30)), minutes(30)).await.unwrap();
    assert_eq!(resp.accepted, stored);
    let rejected: HashMap<Uuid, ErrorCode> = resp.rejected.iter().map(|r| (r.id, r.code)).collect();
    assert_eq!(rejected, refused, "{:?}", resp.rejected);
    assert_eq!(resp.server_time_ms, minutes(30).timestamp_millis());
    assert_eq!(log(svc.db()).await.len(), AREA_COUNT + stored.len());

    // The same push again: acknowledged again, stored once.
    let resp = svc.push(&device, push_request(events.clone(), 4, minutes(31)), minutes(31)).await.unwrap();
    assert_eq!(resp.accepted, stored);
    assert_eq!(resp.rejected.len(), 3);
    assert_eq!(log(svc.db()).await.len(), AREA_COUNT + stored.len());

    // One event twice in a batch: stored once.
    let mut twice = rampur_store.record_dose("RMP-001", DoseCode::Opv1, date(2025, 11, 25), &ctx(minutes(32))).unwrap();
    let twice = twice.events.swap_remove(0);
    let resp = svc.push(&device, push_request(vec![twice.clone(), twice.clone()], 3, minutes(33)), minutes(33)).await;
    assert_eq!(resp.unwrap().accepted, vec![twice.id, twice.id]);
    let mut rampur_events = stored.clone();
    rampur_events.push(twice.id);
    assert_eq!(log(svc.db()).await.len(), AREA_COUNT + rampur_events.len());

    // The Lalpur device, in the other block.
    let lalpur_store = device_store(
        "register_id,household_id,village,kind,name,sex,dob
LAL-001,LAL-H01,Lalpur,child,Lakshmi,F,2025-11-05
",
    );
    let lalpur_id = lalpur_store.device_id();
    let (lalpur_token, lalpur) = enroll(&svc, &lalpur_code, lalpur_id, minutes(40)).await;
    assert_eq!((lalpur.area.path.as_str(), lalpur.role), (LALPUR, Role::Anm));
    let lalpur_events = lalpur_store.events().unwrap();
    let lalpur_ids: Vec<Uuid> = lalpur_events.iter().map(|e| e.id).collect();
    let resp = svc.push(&lalpur, push_request(lalpur_events.clone(), 0, minutes(41)), minutes(41)).await.unwrap();
    assert_eq!(resp.accepted, lalpur_ids);
    assert!(resp.rejected.is_empty());

    // Refused one by one: a dose in another block, an event of another device, a dose for a
    // beneficiary nobody registered. The good one is stored.
    let lakshmi = beneficiary_id(&lalpur_events, "LAL-001");
    let ayesha = beneficiary_id(&events, "RMP-002");
    let good = rampur_store
        .record_dose("RMP-002", DoseCode::Opv0, date(2026, 1, 25), &ctx(minutes(42)))
        .unwrap()
        .events
        .remove(0);
    let foreign = dose(rampur_id, lakshmi, DoseCode::Bcg, date(2025, 11, 6));
    let not_mine = dose(lalpur_id, ayesha, DoseCode::Hepb0, date(2026, 1, 20));
    let nobody = dose(rampur_id, Uuid::now_v7(), DoseCode::Bcg, date(2026, 1, 1));
    let batch = vec![foreign.clone(), good.clone(), not_mine.clone(), nobody.clone()];
    let resp = svc.push(&device, push_request(batch, 2, minutes(45)), minutes(45)).await.unwrap();
    assert_eq!(resp.accepted, vec![good.id]);
    let rejected: Vec<(Uuid, ErrorCode)> = resp.rejected.iter().map(|r| (r.id, r.code)).collect();
    assert_eq!(
        rejected,
        vec![
            (foreign.id, ErrorCode::OutOfScope),
            (not_mine.id, ErrorCode::OutOfScope),
            (nobody.id, ErrorCode::UnknownEntity)
        ]
    );
    rampur_events.push(good.id);

    // Pulls, in small pages: a village sees its area's definitions, the areas above it and its
    // events; not its neighbour, not the other block.
    let log_now = log(svc.db()).await;
    assert_eq!(log_now.len(), AREA_COUNT + rampur_events.len() + lalpur_ids.len());
    let up = ["UP", "UP/Sitapur"];
    let mahmudabad = [up[0], up[1], BLOCK, "UP/Sitapur/Mahmudabad/Bhatpur"];
    let biswan = [up[0], up[1], "UP/Sitapur/Biswan", "UP/Sitapur/Biswan/Sadarpur"];
    let village_sees = expected(&log_now, &area_ids(&[&mahmudabad[..], &[RAMPUR]].concat()), &[rampur_id]);
    assert_eq!(village_sees.len(), 5 + rampur_events.len());
    assert_eq!(pull_all(&svc, &device, 2, minutes(60)).await, village_sees);
    assert_eq!(pull_all(&svc, &device, 0, minutes(60)).await, village_sees, "a limit of 0 is taken as 1");
    assert_eq!(pull_all(&svc, &device, 5000, minutes(60)).await, village_sees);
    let lalpur_sees = expected(&log_now, &area_ids(&[&biswan[..], &[LALPUR]].concat()), &[lalpur_id]);
    assert_eq!(pull_all(&svc, &lalpur, 3, minutes(60)).await, lalpur_sees);
    // Asked to, a pull leaves out the device's own events; its pages and cursor step over them
    // all the same, so that the next pull starts after them, and it reads on past pages of its
    // own events only: no page comes back empty while more remain.
    let mut after = 0;
    let mut others = Vec::new();
    loop {
        let page = svc.pull(&device, PullRequest { after, limit: 2, exclude_own: true }, minutes(60)).await.unwrap();
        assert!(page.events.iter().all(|e| e.device_id != rampur_id), "no own event comes back");
        assert!(page.next > after || !page.more, "the cursor moves past own events too");
        assert!(!page.events.is_empty() || !page.more, "a page of own events only is read past");
        others.extend(page.events.iter().map(|e| e.id));
        after = page.next;
        if !page.more {
            break;
        }
    }
    assert_eq!(others, expected(&log_now, &area_ids(&[&mahmudabad[..], &[RAMPUR]].concat()), &[]));
    assert_eq!(after, log_now.iter().filter(|(_, e)| village_sees.contains(&e.id)).map(|(s, _)| *s).max().unwrap());

    // The block's supervisor sees every village of its block, in both its sub-centres.
    let supervisor_id = Uuid::now_v7();
    let (_, supervisor) = enroll(&svc, &supervisor_code, supervisor_id, minutes(50)).await;
    assert_eq!((supervisor.area.path.as_str(), supervisor.role), (BLOCK, Role::Supervisor));
    let block_sees =
        expected(&log_now, &area_ids(&[&mahmudabad[..], &[RAMPUR, KHERI, KAMALPUR, SONPUR]].concat()), &[rampur_id]);
    assert_eq!(block_sees.len(), 8 + rampur_events.len());
    assert_eq!(pull_all(&svc, &supervisor, 3, minutes(61)).await, block_sees);

    // The scope is matched by whole path segments.
    let (rows, more) = svc.db().pull("UP/Sitapur/Mahmud".into(), 0, 100).await.unwrap();
    assert!(!more);
    let ids: Vec<Uuid> = rows.iter().map(|(_, _, json)| serde_json::from_str::<Event>(json).unwrap().id).collect();
    assert_eq!(ids, expected(&log_now, &area_ids(&up), &[]));
    let (rows, more) = svc.db().pull("UP".into(), log_now[3].0, 4).await.unwrap();
    assert!(more);
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), log_now[4..8].iter().map(|r| r.0).collect::<Vec<_>>());

    // The devices' view: last sync, pending events, clock skew.
    let devices = svc.db().devices().await.unwrap();
    let paths: Vec<&str> = devices.iter().map(|d| d.area.path.as_str()).collect();
    assert_eq!(paths, [LALPUR, BLOCK, RAMPUR]);
    let seen: HashMap<Uuid, &Device> = devices.iter().map(|d| (d.id, d)).collect();
    let r = seen[&rampur_id];
    assert_eq!((r.last_sync_at, r.pending, r.clock_skew_ms), (Some(minutes(60)), Some(2), Some(10_800_000)));
    assert_eq!((r.enrolled_at, r.revoked_at, r.role), (minutes(10), None, Role::Asha));
    assert_eq!(r.area, svc.find_area("Bhatpur/Rampur").await.unwrap());
    let s = seen[&supervisor_id];
    assert_eq!((s.last_sync_at, s.pending, s.clock_skew_ms), (Some(minutes(61)), None, None));
    let l = seen[&lalpur_id];
    assert_eq!((l.last_sync_at, l.pending, l.clock_skew_ms), (Some(minutes(60)), Some(0), Some(10_800_000)));

    // Revocation.
    assert!(svc.db().revoke(rampur_id, minutes(70)).await.unwrap());
    assert_eq!(code_of(svc.authenticate(Some(&token)).await).0, ErrorCode::Revoked);
    assert!(svc.db().revoke(rampur_id, minutes(75)).await.unwrap());
    assert!(!svc.db().revoke(Uuid::now_v7(), minutes(75)).await.unwrap());
    let devices = svc.db().devices().await.unwrap();
    let r = devices.iter().find(|d| d.id == rampur_id).unwrap();
    assert_eq!(r.revoked_at, Some(minutes(70)), "revoking again keeps the first time");
    assert_eq!(svc.authenticate(Some(&lalpur_token)).await.unwrap().revoked_at, None);
    // The code it used cannot bring a revoked device back; a new code can.
    let back =
        code_of(svc.enroll(EnrollRequest { code: rampur_code.clone(), device_id: rampur_id }, minutes(76)).await);
    assert_eq!(back.0, ErrorCode::Revoked);
    let (fresh, ..) = svc.create_code("Bhatpur/Rampur", Role::Asha, Duration::days(1), minutes(77)).await.unwrap();
    let (new_token, device) = enroll(&svc, &fresh, rampur_id, minutes(78)).await;
    assert_eq!(device.revoked_at, None);
    assert_eq!(svc.authenticate(Some(&new_token)).await.unwrap().id, rampur_id);
    // A device clock at the end of time does not break the skew measure.
    let far = teeka_protocol::PushRequest { events: vec![], pending: 0, device_time_ms: i64::MIN };
    svc.push(&device, far, minutes(79)).await.unwrap();

    // Export: the log replayed.
    let export = svc.export().await.unwrap();
    let mut people: Vec<(&str, &str, Vec<DoseCode>)> = export
        .beneficiaries
        .iter()
        .map(|b| {
            let mut doses: Vec<DoseCode> = b.doses.iter().map(|d| d.code).collect();
            doses.sort_unstable();
            (b.register_id.as_str(), b.village.as_str(), doses)
        })
        .collect();
    people.sort_unstable();
    assert_eq!(
        people,
        vec![
            ("LAL-001", "Lalpur", vec![]),
            ("RMP-001", "Rampur", vec![DoseCode::Bcg, DoseCode::Opv1]),
            ("RMP-002", "Rampur", vec![DoseCode::Bcg, DoseCode::Opv0]),
        ]
    );
}

#[tokio::test]
async fn story_on_sqlite() {
    on_sqlite(story).await;
}

#[tokio::test]
async fn story_on_postgres() {
    on_postgres(story).await;
}

#[tokio::test]
async fn postgres_migrations_run_once_and_refuse_a_newer_schema() {
    let Some(cluster) = PgCluster::start_unless_skipped().unwrap() else { return };
    let url = cluster.url();
    // Two servers starting together.
    let (a, b) = tokio::join!(PgDb::connect(&url), PgDb::connect(&url));
    a.unwrap();
    b.unwrap();
    PgDb::connect(&url).await.unwrap();
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    let task = tokio::spawn(connection);
    let versions: Vec<i64> = client
        .query("SELECT version FROM schema_migrations ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, vec![1, 2, 3, 4, 5]);
    client.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (99, now())", &[]).await.unwrap();
    match PgDb::connect(&url).await {
        Err(DbError::TooNew { found: 99, known: 5 }) => {}
        Err(other) => panic!("expected TooNew, got {other}"),
        Ok(_) => panic!("expected TooNew, got a connection"),
    }
    drop(client);
    task.await.unwrap().unwrap();
    // A database that does not exist.
    let nobody = cluster.url_of("no_such_database");
    assert!(PgDb::connect(&nobody).await.is_err());
}

/// Two servers (two pools) take pushes from 8 devices at once, and areas are imported meanwhile,
/// while a puller pages through the log: it must see every event once, in order, none skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn postgres_concurrent_pushes_are_pulled_in_order_without_gaps() {
    let Some(cluster) = PgCluster::start_unless_skipped().unwrap() else { return };
    let url = cluster.url();
    let a = Arc::new(Service::new(PgDb::connect(&url).await.unwrap()));
    let b = Arc::new(Service::new(PgDb::connect(&url).await.unwrap()));
    a.import_areas(AREAS.as_bytes(), t0()).await.unwrap();

    let villages =
        [("Bhatpur/Rampur", "Rampur"), ("Kheri", "Kheri"), ("Sadarpur/Rampur", "Rampur"), ("Lalpur", "Lalpur")];
    let mut devices = Vec::new();
    for i in 0..8 {
        let (area, village) = villages[i % villages.len()];
        let store = device_store(&register(&format!("D{i}"), village, 30));
        let svc = if i % 2 == 0 { a.clone() } else { b.clone() };
        let (code, ..) = svc.create_code(area, Role::Asha, Duration::days(1), t0()).await.unwrap();
        let (_, device) = enroll(&svc, &code, store.device_id(), t0()).await;
        devices.push((svc, device, store.events().unwrap()));
    }
    let pushed: usize = devices.iter().map(|d| d.2.len()).sum();

    let done = Arc::new(AtomicBool::new(false));
    let puller = {
        let db = a.db().clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut seen: Vec<(u64, Uuid)> = Vec::new();
            let mut after = 0;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let (rows, _) = db.pull("UP".into(), after, 7).await.unwrap();
                if rows.is_empty() {
                    if finished {
                        return seen;
                    }
                    tokio::task::yield_now().await;
                    continue;
                }
                for (seq, _, json) in rows {
                    assert!(seq > after, "pages come in order");
                    after = seq;
                    seen.push((seq, serde_json::from_str::<Event>(&json).unwrap().id));
                }
            }
        })
    };

    let mut pushers = tokio::task::JoinSet::new();
    for (svc, device, events) in devices {
        pushers.spawn(async move {
            let mut pending = events.len();
            for chunk in events.chunks(3) {
                pending -= chunk.len();
                let req = push_request(chunk.to_vec(), pending as u64, minutes(1));
                let resp = svc.push(&device, req, minutes(1)).await.unwrap();
                assert_eq!(resp.accepted.len(), chunk.len());
                assert!(resp.rejected.is_empty(), "{:?}", resp.rejected);
            }
        });
    }
    {
        let b = b.clone();
        pushers.spawn(async move {
            for n in 0..10 {
                let csv = format!("state,district,block,subcentre,village\nUP,Sitapur,Biswan,Sadarpur,New {n}\n");
                assert_eq!(b.import_areas(csv.as_bytes(), minutes(1)).await.unwrap().added, 1);
            }
        });
    }
    while let Some(r) = pushers.join_next().await {
        r.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = puller.await.unwrap();

    let log = log(a.db()).await;
    assert_eq!(log.len(), AREA_COUNT + pushed + 10);
    let ids: HashSet<Uuid> = seen.iter().map(|s| s.1).collect();
    assert_eq!(ids.len(), seen.len(), "no event twice");
    let logged: Vec<(u64, Uuid)> = log.iter().map(|(seq, e)| (*seq, e.id)).collect();
    assert_eq!(seen, logged, "the puller saw the whole log, in order");
    drop(cluster);
}

/// A pull reads the device's areas from the index, not the whole log: a village device's page
/// costs its village's events. Checked through the query plan on SQLite.
#[test]
fn a_village_pull_uses_the_area_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(SqliteDb::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let sql = teeka_server::db::pull_by_paths_sql(3, '?');
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(rusqlite::params![0, 10, "UP", "UP/S", "UP/S/V"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let searches = plan.iter().filter(|p| p.contains("USING COVERING INDEX events_area_seq")).count();
    assert_eq!(searches, 3, "{plan:#?}");
    assert!(!plan.iter().any(|p| p.starts_with("SCAN events")), "{plan:#?}");
}
