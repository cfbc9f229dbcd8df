//! The background sync worker, `enroll` and `devices` of `teeka_app::sync` against the real
//! server on a socket: a new device enrolls, syncs nothing until its first worker is added (the
//! store encrypted then), then ships what is pending and reports it; a failed run shows the UI's
//! code, and so does the store after a restart and a sign-in; enrollment's and the devices
//! list's checks and codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, Utc};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;
use teeka_app::sync::{self, Kick, Notify, SyncHandle};
use teeka_app::{AddWorkerReq, App, AppError, Clock, EnrollReq, SignInReq, StoreAccess, SyncState, SyncStateReq};
use teeka_domain::register::parse_register;
use teeka_protocol::Role;
use teeka_server::{Service, SqliteDb};
use teeka_store::{Ctx, Enrollment, Store};

const AREAS: &str = "state,district,block,subcentre,village
UP,Sitapur,Mahmudabad,Rampur SC,Rampur
";

const REGISTER: &str = "register_id,household_id,village,kind,name,sex,dob,BCG
R-1,H-1,Rampur,child,Pinki,F,2026-10-01,2026-10-01
R-2,H-1,Rampur,child,Raju,M,2026-10-01,
";

#[derive(Debug, PartialEq, Eq)]
enum Note {
    State,
    Data,
}

struct Notes(Sender<Note>);

impl Notify for Notes {
    fn state_changed(&self) {
        let _ = self.0.send(Note::State);
    }

    fn data_changed(&self) {
        let _ = self.0.send(Note::Data);
    }
}

fn clock() -> Clock {
    Clock { now: Utc::now(), today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap() }
}

/// A server on a socket, with a code for the village.
async fn server() -> (String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let svc = Arc::new(Service::new(SqliteDb::open(&dir.path().join("server.db")).unwrap()));
    svc.import_areas(AREAS.as_bytes(), Utc::now()).await.unwrap();
    let (code, ..) = svc.create_code("Rampur", Role::Anm, chrono::Duration::hours(1), Utc::now()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = teeka_server::http::router(svc);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, code, dir)
}

/// Records a small survey on the store; returns how many events wait to be pushed.
fn survey(store: &mut Store) -> u64 {
    let ctx = Ctx { now: Utc::now(), today: clock().today, author: "Sunita".into(), worker: None };
    let rows = parse_register(REGISTER.as_bytes(), clock().today).unwrap();
    store.import_register(&rows, &ctx).unwrap();
    let pending = store.pending_count().unwrap();
    assert!(pending > 0);
    pending
}

/// The worker's notes until `done` holds (at most 60 s).
fn until(notes: &Receiver<Note>, mut done: impl FnMut() -> bool) -> Vec<Note> {
    let started = std::time::Instant::now();
    let mut seen = Vec::new();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(60), "not done after a minute; notes: {seen:?}");
        if let Ok(note) = notes.recv_timeout(Duration::from_millis(50)) {
            seen.push(note);
        }
    }
    seen
}

fn run_ended(handle: &SyncHandle) -> bool {
    let live = handle.live();
    live.ran && !live.syncing
}

/// The device's first worker (PIN 2468): the store is encrypted and open from now on.
fn first_worker(app: &mut App) -> uuid::Uuid {
    let req = AddWorkerReq { name: "Sunita".into(), role: "anm".into(), pin: "2468".into(), signed_in_pin: None };
    app.add_worker(req, clock()).unwrap().id
}

fn state(app: &mut App) -> SyncState {
    app.sync_state(SyncStateReq {}, clock()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_ships_what_is_pending_and_reports_it() {
    let (url, code, _server) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    let mut app = App::open(&path).unwrap();

    // A new device: the worker's first run finds nothing it may do (no worker yet).
    let (tx, notes) = mpsc::channel();
    let handle = sync::start(app.access(), Notes(tx));
    app.attach_sync(handle.clone());
    tokio::task::block_in_place(|| until(&notes, || run_ended(&handle)));
    let s = state(&mut app);
    assert!(!s.enrolled);
    assert_eq!((s.pending, s.syncing, s.last_error, s.next_attempt_in_s), (0, false, None, None));

    // Enrolled first (as on the first-run screens), on a connection of its own.
    sync::enroll(
        &app.access(),
        EnrollReq { server: format!(" {url}/ "), code: format!(" {code} "), server_cert: None },
    )
    .await
    .unwrap();
    let s = state(&mut app);
    assert_eq!((s.enrolled, s.server_url.as_deref(), s.role.as_deref()), (true, Some(url.as_str()), Some("anm")));
    // Still nothing syncs: the store is plain until a worker is added.
    handle.kick(Kick::Now);
    tokio::task::block_in_place(|| std::thread::sleep(Duration::from_millis(300)));
    assert_eq!(state(&mut app).last_success, None);

    // The first worker: the store is encrypted, and the worker syncs at once.
    first_worker(&mut app);
    assert_eq!(teeka_store::file_state(&path).unwrap(), teeka_store::FileState::Encrypted);
    let pending = survey(app.store_mut().unwrap());
    handle.kick(Kick::Changed);
    let seen = tokio::task::block_in_place(|| {
        until(&notes, || run_ended(&handle) && handle.live().next_attempt.is_some() && state(&mut app).pending == 0)
    });
    assert!(pending > 0);
    assert!(seen.contains(&Note::Data), "the village's definitions were pulled: {seen:?}");
    assert!(seen.contains(&Note::State), "{seen:?}");
    let s = state(&mut app);
    assert_eq!((s.pending, s.syncing, s.last_error), (0, false, None));
    assert!(s.last_success.is_some());
    // After a success, the next run in 15 minutes.
    assert!((890..=900).contains(&s.next_attempt_in_s.unwrap()), "{:?}", s.next_attempt_in_s);

    // The devices list, from the server.
    let devices = sync::devices(&app.access()).await.unwrap();
    assert_eq!(devices.iter().map(|d| d.device_id).collect::<Vec<_>>(), vec![s.device_id]);
    assert_eq!(devices[0].pending, Some(0));
}

#[test]
fn a_failed_run_shows_the_uis_code_and_so_does_the_store_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    let mut app = App::open(&path).unwrap();
    let worker_id = first_worker(&mut app);
    let pending = survey(app.store_mut().unwrap());
    // Enrolled with a server that is gone: nothing listens on the port.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", gone.local_addr().unwrap());
    drop(gone);
    let enrollment = Enrollment {
        server_url: url,
        token: "T0KEN".into(),
        area_id: uuid::Uuid::nil(),
        area: "UP".into(),
        role: "anm".into(),
        server_cert: None,
    };
    app.store_mut().unwrap().save_enrollment(&enrollment).unwrap();

    let (tx, notes) = mpsc::channel();
    let handle = sync::start(app.access(), Notes(tx));
    app.attach_sync(handle.clone());
    let seen = until(&notes, || run_ended(&handle));
    assert!(!seen.contains(&Note::Data));
    let s = state(&mut app);
    let error = s.last_error.clone().expect("the run failed");
    assert_eq!(error.code, "NETWORK");
    assert_eq!(s.pending, pending, "nothing is lost");
    // The next run after the first step of the back-off between runs.
    assert!((9..=10).contains(&s.next_attempt_in_s.unwrap()), "{:?}", s.next_attempt_in_s);
    assert_eq!(app.store().unwrap().status().unwrap().last_error.as_deref(), Some(error.message.as_str()));

    // A restart: the store stays closed until a sign-in, and the lock screen shows what the
    // sync state said while it was open (kept in the keyring); then, before the worker's first
    // run, the store's error with the code it had.
    drop(app);
    let mut restarted = App::open(&path).unwrap();
    assert!(restarted.store().is_err(), "nothing of the store is read before a PIN");
    let locked = state(&mut restarted);
    assert_eq!(locked.last_error, None);
    assert_eq!((locked.enrolled, locked.area.as_deref(), locked.pending), (true, Some("UP"), pending));
    restarted.sign_in(SignInReq { worker_id, pin: "2468".into() }, clock()).unwrap();
    assert_eq!(state(&mut restarted).last_error, Some(error));
    assert_eq!(state(&mut restarted).next_attempt_in_s, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_and_the_devices_list_give_the_uis_codes() {
    let (url, code, _server) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    let access = StoreAccess::plain(path.clone());
    let enroll = |server: &str, code: &str| {
        sync::enroll(&access, EnrollReq { server: server.into(), code: code.into(), server_cert: None })
    };
    let code_of = |r: Result<(), AppError>| r.unwrap_err().code;

    let e = enroll("teeka.example.org", &code).await.unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("INVALID_INPUT", "server: 'teeka.example.org' is not an address like https://teeka.example.org")
    );
    let e = enroll(&url, "  ").await.unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("INVALID_INPUT", "code: the enrollment code is empty"));
    assert_eq!(code_of(enroll(&url, "NOT-A-CODE").await), "CODE_INVALID");
    // A pin that is not a certificate is the pin field's error, before anything is sent.
    let req = EnrollReq { server: url.clone(), code: code.clone(), server_cert: Some("not a certificate".into()) };
    let e = sync::enroll(&access, req).await.unwrap_err();
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("INVALID_INPUT", Some("server_cert")), "{}", e.message);
    assert!(e.message.starts_with("the pinned server certificate is not usable"), "{}", e.message);
    // A blank pin is no pin.
    let blank = EnrollReq { server: url.clone(), code: "NOT-A-CODE".into(), server_cert: Some("  \n".into()) };
    assert_eq!(code_of(sync::enroll(&access, blank).await), "CODE_INVALID");
    let e = sync::devices(&access).await.unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("NOT_ENROLLED", "this device has no server yet"));

    enroll(&url, &code).await.unwrap();
    assert_eq!(sync::devices(&access).await.unwrap().len(), 1);
    // A token the server does not know.
    let mut store = Store::open(&path).unwrap();
    let enrollment = Enrollment { token: "0123abcd".into(), ..store.enrollment().unwrap().unwrap() };
    store.save_enrollment(&enrollment).unwrap();
    assert_eq!(sync::devices(&access).await.unwrap_err().code, "UNAUTHORIZED");
}
