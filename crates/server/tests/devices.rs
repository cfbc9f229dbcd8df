//! `GET /v1/devices` (a supervisor's view of the devices of its area) and the placement of the
//! session and AEFI events, told to both storage backends (SQLite and PostgreSQL): at the service
//! level, then through the real router over a socket (gzip, the version header, the refusals).
//!
//! The PostgreSQL tests start a throwaway cluster (`teeka-testkit`); they fail if PostgreSQL is
//! not installed, unless `TEEKA_SKIP_POSTGRES=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use teeka_domain::{AefiField, AefiSeverity, AefiSign, Antigen, DoseCode, Event, EventBody, VialsUsed};
use teeka_protocol::{
    decode, ApiError, DeviceInfo, DevicesResponse, ErrorCode, PullRequest, PushRequest, Role, DEVICES_PATH,
    VERSION_HEADER,
};
use teeka_server::db::Device;
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::path::{BHATPUR, BLOCK, KHERI, LALPUR, NAYA, RAMPUR, SONPUR};
use teeka_testkit::fixtures::{beneficiary_id, date, device_store, enroll, minutes, on_postgres, on_sqlite, t0, AREAS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// An event made by hand, at half past nine.
fn event(device_id: Uuid, body: EventBody) -> Event {
    teeka_testkit::fixtures::event(device_id, body, minutes(30))
}

fn opened(device_id: Uuid, session: Uuid, site: Uuid) -> Event {
    event(device_id, EventBody::SessionOpened { session, site, date: date(2026, 3, 1), session_site: None })
}

fn closed(device_id: Uuid, session: Uuid) -> Event {
    event(
        device_id,
        EventBody::SessionClosed { session, vials: vec![VialsUsed { antigen: Antigen::Penta, opened: 1 }] },
    )
}

fn aefi(device_id: Uuid, beneficiary: Uuid, session: Option<Uuid>) -> Event {
    event(
        device_id,
        EventBody::AefiReported {
            aefi: Uuid::now_v7(),
            beneficiary,
            session,
            date: date(2026, 3, 2),
            severity: AefiSeverity::Minor,
            observed: "fever".into(),
            codes: vec![DoseCode::Penta1],
            signs: vec![AefiSign::Fever],
            onset: None,
            referral: None,
        },
    )
}

/// An edit of an AEFI report (placed by its beneficiary, like the report).
fn aefi_updated(device_id: Uuid, beneficiary: Uuid) -> Event {
    let fields = vec![AefiField::Severity(AefiSeverity::Serious), AefiField::Signs(vec![AefiSign::Seizure])];
    event(device_id, EventBody::AefiUpdated { aefi: Uuid::now_v7(), beneficiary, fields })
}

/// A refusal undone (placed by its beneficiary).
fn withdrawn(device_id: Uuid, beneficiary: Uuid) -> Event {
    event(device_id, EventBody::NotGivenWithdrawn { beneficiary, session: None, records: vec![Uuid::now_v7()] })
}

async fn push<D: Database>(
    svc: &Service<D>,
    device: &Device,
    events: &[Event],
    now: DateTime<Utc>,
) -> Vec<(Uuid, Option<ErrorCode>)> {
    let req = PushRequest { events: events.to_vec(), pending: 0, device_time_ms: now.timestamp_millis() };
    let resp = svc.push(device, req, now).await.unwrap();
    let rejected: HashMap<Uuid, ErrorCode> = resp.rejected.iter().map(|r| (r.id, r.code)).collect();
    events
        .iter()
        .map(|e| match rejected.get(&e.id) {
            Some(code) => {
                assert!(!resp.accepted.contains(&e.id));
                (e.id, Some(*code))
            }
            None => {
                assert!(resp.accepted.contains(&e.id), "{:?} neither accepted nor refused", e.body);
                (e.id, None)
            }
        })
        .collect()
}

fn areas_of(resp: &DevicesResponse) -> Vec<(&str, Uuid)> {
    resp.devices.iter().map(|d| (d.area.as_str(), d.device_id)).collect()
}

/// The enrolled devices of the story, in the order `GET /v1/devices` gives them.
struct Fleet {
    supervisor: (String, Device),
    rampur: (String, Device),
    rampur_early: (String, Device),
    bhatpur_anm: (String, Device),
    kheri: (String, Device),
    sonpur: (String, Device),
    lalpur: (String, Device),
    naya: (String, Device),
}

async fn fleet<D: Database>(svc: &Service<D>) -> Fleet {
    svc.import_areas(AREAS.as_bytes(), t0()).await.unwrap();
    Fleet {
        supervisor: enroll(svc, "Mahmudabad", Role::Supervisor, Uuid::now_v7(), minutes(1)).await,
        // Rampur's ANM: she holds the sessions of the sessions' story.
        rampur: enroll(svc, "Bhatpur/Rampur", Role::Anm, Uuid::now_v7(), minutes(10)).await,
        // Enrolled after the other Rampur device is created, but earlier by its clock.
        rampur_early: enroll(svc, "Bhatpur/Rampur", Role::Asha, Uuid::now_v7(), minutes(5)).await,
        bhatpur_anm: enroll(svc, "Bhatpur", Role::Anm, Uuid::now_v7(), minutes(2)).await,
        kheri: enroll(svc, "Kheri", Role::Asha, Uuid::now_v7(), minutes(3)).await,
        sonpur: enroll(svc, "Sonpur", Role::Asha, Uuid::now_v7(), minutes(4)).await,
        lalpur: enroll(svc, "Lalpur", Role::Anm, Uuid::now_v7(), minutes(6)).await,
        naya: enroll(svc, "Naya", Role::Asha, Uuid::now_v7(), minutes(7)).await,
    }
}

async fn devices_story<D: Database>(svc: Service<D>) {
    let f = fleet(&svc).await;

    // The block's supervisor: itself, both sub-centres, every village of its block; not the
    // Biswan block, not the Mahmudabadi block (a prefix of text is not a path).
    let seen = svc.devices(&f.supervisor.1).await.unwrap();
    assert_eq!(
        areas_of(&seen),
        vec![
            (BLOCK, f.supervisor.1.id),
            (BHATPUR, f.bhatpur_anm.1.id),
            (KHERI, f.kheri.1.id),
            (RAMPUR, f.rampur_early.1.id),
            (RAMPUR, f.rampur.1.id),
            (SONPUR, f.sonpur.1.id),
        ],
        "by path, then by enrollment time"
    );
    let again = svc.devices(&f.supervisor.1).await.unwrap();
    assert_eq!(again, seen, "the same answer every time");
    let r = seen.devices.iter().find(|d| d.device_id == f.rampur.1.id).unwrap();
    assert_eq!(
        r,
        &DeviceInfo {
            device_id: f.rampur.1.id,
            area: RAMPUR.into(),
            role: Role::Anm,
            worker: None,
            enrolled_at: minutes(10),
            last_sync_at: None,
            pending: None,
            clock_skew_ms: None,
            revoked: false,
        }
    );

    // An ASHA of Rampur: only the devices of its village (itself and the other Rampur device),
    // not its sub-centre's ANM, not the neighbouring village.
    let seen = svc.devices(&f.rampur.1).await.unwrap();
    assert_eq!(areas_of(&seen), vec![(RAMPUR, f.rampur_early.1.id), (RAMPUR, f.rampur.1.id)]);
    // The sub-centre's ANM: its sub-centre's villages.
    let seen = svc.devices(&f.bhatpur_anm.1).await.unwrap();
    assert_eq!(
        areas_of(&seen),
        vec![
            (BHATPUR, f.bhatpur_anm.1.id),
            (KHERI, f.kheri.1.id),
            (RAMPUR, f.rampur_early.1.id),
            (RAMPUR, f.rampur.1.id)
        ]
    );
    // The other blocks see only themselves.
    assert_eq!(areas_of(&svc.devices(&f.lalpur.1).await.unwrap()), vec![(LALPUR, f.lalpur.1.id)]);
    assert_eq!(areas_of(&svc.devices(&f.naya.1).await.unwrap()), vec![(NAYA, f.naya.1.id)]);

    // What syncs report shows up: last sync, pending, clock skew.
    let req = PushRequest { events: vec![], pending: 7, device_time_ms: minutes(20).timestamp_millis() + 90_000 };
    svc.push(&f.rampur.1, req, minutes(20)).await.unwrap();
    svc.pull(&f.kheri.1, PullRequest { after: 0, limit: 10, exclude_own: false }, minutes(21)).await.unwrap();
    let seen = svc.devices(&f.supervisor.1).await.unwrap();
    let by_id: HashMap<Uuid, &DeviceInfo> = seen.devices.iter().map(|d| (d.device_id, d)).collect();
    let r = by_id[&f.rampur.1.id];
    assert_eq!((r.last_sync_at, r.pending, r.clock_skew_ms), (Some(minutes(20)), Some(7), Some(90_000)));
    let k = by_id[&f.kheri.1.id];
    assert_eq!((k.last_sync_at, k.pending, k.clock_skew_ms, k.role), (Some(minutes(21)), None, None, Role::Asha));

    // A revoked device is listed as revoked, and is itself refused as everywhere else.
    assert!(svc.db().revoke(f.rampur_early.1.id, minutes(30)).await.unwrap());
    let seen = svc.devices(&f.supervisor.1).await.unwrap();
    assert_eq!(seen.devices.len(), 6);
    let revoked: Vec<Uuid> = seen.devices.iter().filter(|d| d.revoked).map(|d| d.device_id).collect();
    assert_eq!(revoked, vec![f.rampur_early.1.id]);
    let refused = svc.authenticate(Some(&f.rampur_early.0)).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Revoked);
    assert_eq!(svc.authenticate(None).await.unwrap_err().code, ErrorCode::Unauthorized);
    assert_eq!(svc.authenticate(Some("not-a-token")).await.unwrap_err().code, ErrorCode::Unauthorized);
}

/// The session and AEFI events: placed by their village site, their session, their beneficiary.
async fn sessions_story<D: Database>(svc: Service<D>) {
    let f = fleet(&svc).await;
    let areas = svc.db().areas().await.unwrap();
    let area = |path: &str| areas.iter().find(|a| a.path == path).unwrap().id;
    let (rampur_v, kheri_v, lalpur_v) = (area(RAMPUR), area(KHERI), area(LALPUR));

    // Registers: Rampur's children, Lalpur's.
    let rampur_store = device_store(
        "register_id,household_id,village,kind,name,sex,dob
RMP-001,RMP-H01,Rampur,child,Aarav,M,2025-12-12
",
    );
    let lalpur_store = device_store(
        "register_id,household_id,village,kind,name,sex,dob
LAL-001,LAL-H01,Lalpur,child,Lakshmi,F,2025-11-05
",
    );
    // The stores have device ids of their own; the events go as the enrolled devices'.
    let rampur_events: Vec<Event> = rampur_store
        .events()
        .unwrap()
        .into_iter()
        .map(|e| Event { device_id: f.rampur.1.id, author: "Sunita".into(), worker: None, ..e })
        .collect();
    let lalpur_events: Vec<Event> =
        lalpur_store.events().unwrap().into_iter().map(|e| Event { device_id: f.lalpur.1.id, ..e }).collect();
    assert!(push(&svc, &f.rampur.1, &rampur_events, minutes(31)).await.iter().all(|r| r.1.is_none()));
    assert!(push(&svc, &f.lalpur.1, &lalpur_events, minutes(31)).await.iter().all(|r| r.1.is_none()));
    let aarav = beneficiary_id(&rampur_events, "RMP-001");
    // The phones name their worker: the author of the device's latest event stored.
    let workers = |seen: &DevicesResponse| -> Vec<(Uuid, Option<String>)> {
        seen.devices.iter().map(|d| (d.device_id, d.worker.clone())).collect()
    };
    let seen = svc.devices(&f.supervisor.1).await.unwrap();
    let named: HashMap<Uuid, Option<String>> = workers(&seen).into_iter().collect();
    assert_eq!(named[&f.rampur.1.id].as_deref(), Some("Sunita"));
    assert_eq!(named[&f.rampur_early.1.id], None, "no event pushed yet");
    let lakshmi = beneficiary_id(&lalpur_events, "LAL-001");

    // Lalpur opens a session of its own (placed in Lalpur).
    let lalpur_session = Uuid::now_v7();
    let lalpur_open = opened(f.lalpur.1.id, lalpur_session, lalpur_v);
    assert_eq!(
        push(&svc, &f.lalpur.1, std::slice::from_ref(&lalpur_open), minutes(32)).await,
        vec![(lalpur_open.id, None)]
    );

    // Rampur: a session opened and closed in one batch (its id placed by the opening, earlier in
    // the batch), an AEFI of its child at that session; one opened now and closed later.
    let me = f.rampur.1.id;
    let s1 = Uuid::now_v7();
    let s2 = Uuid::now_v7();
    let nowhere = Uuid::now_v7();
    let good = vec![opened(me, s1, rampur_v), aefi(me, aarav, Some(s1)), closed(me, s1), opened(me, s2, rampur_v)];
    let refused = [
        (opened(me, Uuid::now_v7(), lalpur_v), ErrorCode::OutOfScope), // another block's village
        (opened(me, Uuid::now_v7(), kheri_v), ErrorCode::OutOfScope),  // the neighbouring village
        (opened(me, Uuid::now_v7(), nowhere), ErrorCode::UnknownEntity), // no such village
        (closed(me, Uuid::now_v7()), ErrorCode::UnknownEntity),        // a session never opened
        (closed(me, lalpur_session), ErrorCode::OutOfScope),           // Lalpur's session
        (aefi(me, lakshmi, None), ErrorCode::OutOfScope),              // Lalpur's child
        (aefi(me, Uuid::now_v7(), None), ErrorCode::UnknownEntity),    // nobody's child
        (aefi_updated(me, lakshmi), ErrorCode::OutOfScope),            // an edit of Lalpur's AEFI
        (withdrawn(me, lakshmi), ErrorCode::OutOfScope),               // Lalpur's refusal
        (withdrawn(me, Uuid::now_v7()), ErrorCode::UnknownEntity),     // nobody's refusal
        (opened(f.lalpur.1.id, Uuid::now_v7(), rampur_v), ErrorCode::OutOfScope), // another device's
    ];
    let mut batch = good.clone();
    batch.extend(refused.iter().map(|(e, _)| e.clone()));
    let mut expected: Vec<(Uuid, Option<ErrorCode>)> = good.iter().map(|e| (e.id, None)).collect();
    expected.extend(refused.iter().map(|(e, code)| (e.id, Some(*code))));
    assert_eq!(push(&svc, &f.rampur.1, &batch, minutes(33)).await, expected);
    // The same batch again: the same answer, nothing stored twice.
    let before = svc.db().events_after(0, 10_000).await.unwrap().len();
    assert_eq!(push(&svc, &f.rampur.1, &batch, minutes(34)).await, expected);
    assert_eq!(svc.db().events_after(0, 10_000).await.unwrap().len(), before);

    // The sessions are placed in Rampur; the refused one is unknown.
    let paths = svc.db().entity_paths(vec![s1, s2, lalpur_session, nowhere]).await.unwrap();
    assert_eq!(paths.get(&s1).map(String::as_str), Some(RAMPUR));
    assert_eq!(paths.get(&s2).map(String::as_str), Some(RAMPUR));
    assert_eq!(paths.get(&lalpur_session).map(String::as_str), Some(LALPUR));
    assert_eq!(paths.len(), 3);

    // Closing s2 in a later push: found through the stored placement; an AEFI with no session.
    let later: Vec<Event> = vec![closed(me, s2), aefi(me, aarav, None), aefi_updated(me, aarav), withdrawn(me, aarav)]
        .into_iter()
        .map(|e| Event { author: "Meena".into(), worker: None, ..e })
        .collect();
    let answer = push(&svc, &f.rampur.1, &later, minutes(35)).await;
    assert_eq!(answer, later.iter().map(|e| (e.id, None)).collect::<Vec<_>>());
    // The worker of its latest event by the log's order; pushing old events again changes nothing.
    push(&svc, &f.rampur.1, &rampur_events, minutes(35)).await;
    let seen = svc.devices(&f.supervisor.1).await.unwrap();
    let named: HashMap<Uuid, Option<String>> = workers(&seen).into_iter().collect();
    assert_eq!(named[&f.rampur.1.id].as_deref(), Some("Meena"));
    // Lalpur cannot close Rampur's session.
    let theirs = closed(f.lalpur.1.id, s2);
    assert_eq!(
        push(&svc, &f.lalpur.1, std::slice::from_ref(&theirs), minutes(36)).await,
        vec![(theirs.id, Some(ErrorCode::OutOfScope))]
    );

    // Only an ANM opens sessions: the block's supervisor may not, even in its block (it may
    // report an AEFI there); the sub-centre's ANM opens and closes one in Kheri.
    let s3 = Uuid::now_v7();
    let sup = f.supervisor.1.id;
    let refused = opened(sup, Uuid::now_v7(), kheri_v);
    let sup_aefi = aefi(sup, aarav, None);
    let answer = push(&svc, &f.supervisor.1, &[refused.clone(), sup_aefi.clone()], minutes(37)).await;
    assert_eq!(answer, vec![(refused.id, Some(ErrorCode::ForbiddenRole)), (sup_aefi.id, None)]);
    let anm = f.bhatpur_anm.1.id;
    let block_batch = [opened(anm, s3, kheri_v), closed(anm, s3), sup_aefi];
    let answer = push(&svc, &f.bhatpur_anm.1, &block_batch[..2], minutes(37)).await;
    assert_eq!(answer, block_batch[..2].iter().map(|e| (e.id, None)).collect::<Vec<_>>());
    let outside = opened(anm, Uuid::now_v7(), lalpur_v);
    assert_eq!(
        push(&svc, &f.bhatpur_anm.1, std::slice::from_ref(&outside), minutes(38)).await,
        vec![(outside.id, Some(ErrorCode::OutOfScope))]
    );

    // Pulls: the session events of Rampur reach Rampur and the block, never Lalpur; the Kheri
    // session reaches the block and Kheri, not Rampur.
    let pulled = |device: Device| {
        let svc = &svc;
        async move {
            let page = svc
                .pull(&device, PullRequest { after: 0, limit: 5_000, exclude_own: false }, minutes(40))
                .await
                .unwrap();
            assert!(!page.more);
            page.events.into_iter().map(|e| e.id).collect::<Vec<Uuid>>()
        }
    };
    let rampur_ids: Vec<Uuid> = good.iter().chain(&later).map(|e| e.id).collect();
    let kheri_ids: Vec<Uuid> = block_batch.iter().map(|e| e.id).collect();
    let rampur_sees = pulled(f.rampur.1.clone()).await;
    let block_sees = pulled(f.supervisor.1.clone()).await;
    let lalpur_sees = pulled(f.lalpur.1.clone()).await;
    let kheri_sees = pulled(f.kheri.1.clone()).await;
    for id in &rampur_ids {
        assert!(rampur_sees.contains(id) && block_sees.contains(id) && !lalpur_sees.contains(id));
        assert!(!kheri_sees.contains(id));
    }
    // The supervisor's AEFI is about a Rampur child: placed in Rampur.
    assert!(rampur_sees.contains(&kheri_ids[2]) && !kheri_sees.contains(&kheri_ids[2]));
    for id in &kheri_ids[..2] {
        assert!(kheri_sees.contains(id) && block_sees.contains(id) && !rampur_sees.contains(id));
    }
    assert!(lalpur_sees.contains(&lalpur_open.id) && !block_sees.contains(&lalpur_open.id));
}

// --- Through the router, over a socket. ---

/// Serves the real router on a free port.
async fn serve<D: Database>(svc: Arc<Service<D>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = teeka_server::http::router(svc);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// One HTTP/1.1 request written by hand, so that nothing is added or hidden by a client.
async fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: HashMap<String, String> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    assert!(!headers.contains_key("transfer-encoding"), "a body of known length");
    let body = raw[split + 4..].to_vec();
    assert_eq!(headers.get("content-length").map(|l| l.parse::<usize>().unwrap()), Some(body.len()));
    Answer { status, headers, body }
}

fn api_error(a: &Answer) -> (u16, ErrorCode) {
    assert_eq!(a.headers.get("content-type").map(String::as_str), Some("application/json"));
    assert!(!a.headers.contains_key("content-encoding"), "errors are plain JSON");
    let e: ApiError = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(e.code.http_status(), a.status);
    assert!(!e.message.is_empty());
    (a.status, e.code)
}

async fn http_story<D: Database>(svc: Service<D>) {
    let svc = Arc::new(svc);
    let f = fleet(&svc).await;
    let addr = serve(svc.clone()).await;
    let bearer = format!("Bearer {}", f.supervisor.0);
    let ok = [(VERSION_HEADER, "1"), ("authorization", bearer.as_str())];

    let a = request(addr, "GET", DEVICES_PATH, &ok).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers.get("content-encoding").map(String::as_str), Some("gzip"));
    assert_eq!(a.headers.get("content-type").map(String::as_str), Some("application/json"));
    assert_eq!(&a.body[..2], &[0x1f, 0x8b], "gzip");
    let resp: DevicesResponse = decode(&a.body, 1 << 20).unwrap();
    assert_eq!(resp, svc.devices(&f.supervisor.1).await.unwrap());
    assert_eq!(resp.devices.len(), 6);
    // The wire shape.
    let json: serde_json::Value = decode(&a.body, 1 << 20).unwrap();
    let first = &json["devices"][0];
    assert_eq!(first["area"], BLOCK);
    assert_eq!(first["role"], "supervisor");
    assert_eq!(first["enrolled_at"], "2026-03-01T09:01:00Z");
    assert_eq!(first["revoked"], false);
    assert!(first["last_sync_at"].is_null() && first["pending"].is_null() && first["clock_skew_ms"].is_null());
    // Safe to repeat.
    let b = request(addr, "GET", DEVICES_PATH, &ok).await;
    assert_eq!(decode::<DevicesResponse>(&b.body, 1 << 20).unwrap(), resp);

    // A village device: its village only.
    let rampur = format!("Bearer {}", f.rampur.0);
    let a = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "1"), ("authorization", &rampur)]).await;
    let seen: DevicesResponse = decode(&a.body, 1 << 20).unwrap();
    assert_eq!(areas_of(&seen), vec![(RAMPUR, f.rampur_early.1.id), (RAMPUR, f.rampur.1.id)]);

    // Refusals, as on push and pull.
    let no_token = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "1")]).await;
    assert_eq!(api_error(&no_token), (401, ErrorCode::Unauthorized));
    let unknown = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "1"), ("authorization", "Bearer 00ff")]).await;
    assert_eq!(api_error(&unknown), (401, ErrorCode::Unauthorized));
    let not_bearer = format!("Basic {}", f.supervisor.0);
    let basic = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "1"), ("authorization", &not_bearer)]).await;
    assert_eq!(api_error(&basic), (401, ErrorCode::Unauthorized));
    let no_version = request(addr, "GET", DEVICES_PATH, &[("authorization", &bearer)]).await;
    assert_eq!(api_error(&no_version), (426, ErrorCode::UnsupportedVersion));
    let newer = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "4"), ("authorization", &bearer)]).await;
    assert_eq!(api_error(&newer), (426, ErrorCode::UnsupportedVersion));
    // An app of protocol 1 still lists devices (and pushes); its pulls are refused (below).
    let older = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "1"), ("authorization", &bearer)]).await;
    assert_eq!(older.status, 200);
    let old_pull =
        request(addr, "POST", teeka_protocol::PULL_PATH, &[(VERSION_HEADER, "1"), ("authorization", &bearer)]).await;
    assert_eq!(api_error(&old_pull), (426, ErrorCode::UnsupportedVersion));
    assert!(svc.db().revoke(f.supervisor.1.id, minutes(50)).await.unwrap());
    let revoked = request(addr, "GET", DEVICES_PATH, &ok).await;
    assert_eq!(api_error(&revoked), (403, ErrorCode::Revoked));
    // The same refusal as a pull gets.
    let pull =
        request(addr, "POST", teeka_protocol::PULL_PATH, &[(VERSION_HEADER, "3"), ("authorization", &bearer)]).await;
    assert_eq!(api_error(&pull), (403, ErrorCode::Revoked));
    // Only GET.
    let post = request(addr, "POST", DEVICES_PATH, &ok).await;
    assert_eq!(post.status, 405);
    // The devices below it are not affected; none of them sees the block's device.
    let a = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "1"), ("authorization", &rampur)]).await;
    assert_eq!(a.status, 200);
    let bhatpur = format!("Bearer {}", f.bhatpur_anm.0);
    let a = request(addr, "GET", DEVICES_PATH, &[(VERSION_HEADER, "1"), ("authorization", &bhatpur)]).await;
    assert!(decode::<DevicesResponse>(&a.body, 1 << 20).unwrap().devices.iter().all(|d| !d.revoked));
}

#[tokio::test]
async fn devices_on_sqlite() {
    on_sqlite(devices_story).await;
}

#[tokio::test]
async fn devices_on_postgres() {
    on_postgres(devices_story).await;
}

#[tokio::test]
async fn sessions_and_aefi_on_sqlite() {
    on_sqlite(sessions_story).await;
}

#[tokio::test]
async fn sessions_and_aefi_on_postgres() {
    on_postgres(sessions_story).await;
}

#[tokio::test]
async fn devices_over_http_on_sqlite() {
    on_sqlite(http_story).await;
}

#[tokio::test]
async fn devices_over_http_on_postgres() {
    on_postgres(http_story).await;
}
