//! Crash safety of the app's core (issue 14): `teeka-app-driver`, the app's core as a process of
//! its own over an encrypted store, killed with SIGKILL at random moments while it writes a
//! household and its child, while its background worker syncs with a real server, and while a
//! plain store from before encryption is encrypted in place at its first sign-in;
//! `TEEKA_APP_CRASH_KILLS` times in all (250 by default: with the CLI's 750 in
//! `tests/crash_campaign.rs`, 1,000). After every kill the store opens with the worker's PIN,
//! passes `PRAGMA integrity_check`, and holds every write the driver acknowledged; a store killed
//! while it was being encrypted opens (encrypted, or still plain) with every record it had. At the
//! end one sync brings every acknowledged write to the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, Utc};
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use teeka_app::{hash_pin, App, Clock, EnrollReq};
use teeka_domain::register::parse_register;
use teeka_domain::WorkerRole;
use teeka_server::{Service, SqliteDb};
use teeka_store::{Ctx, Store};
use teeka_sync::backoff::Rng;

const DRIVER: &str = env!("CARGO_BIN_EXE_teeka-app-driver");
const PIN: &str = "2468";

fn clock() -> Clock {
    Clock { now: Utc::now(), today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap() }
}

/// A register of `rows` children of Rampur.
fn register(rows: usize) -> String {
    let mut csv = String::from("register_id,household_id,village,kind,name,sex,dob,BCG\n");
    for i in 1..=rows {
        csv.push_str(&format!("R-{i},RH-{i},Rampur,child,Bachcha {i},F,2026-06-01,2026-06-01\n"));
    }
    csv
}

fn import(store: &mut Store, rows: usize) {
    let today = clock().today;
    let parsed = parse_register(register(rows).as_bytes(), today).unwrap();
    store.import_register(&parsed, &Ctx { now: Utc::now(), today, author: "Meena".into(), worker: None }).unwrap();
}

/// The store opened as the app opens it, the worker signed in.
fn signed_in(path: &Path) -> App {
    let mut app = App::open(path).unwrap_or_else(|e| panic!("the app does not open {}: {e}", path.display()));
    let state = app.call("app_state", json!({}), clock()).unwrap();
    let worker = state["workers"][0]["id"].clone();
    app.call("sign_in", json!({"worker_id": worker, "pin": PIN}), clock())
        .unwrap_or_else(|e| panic!("{}: the worker cannot sign in: {e}", path.display()));
    app
}

fn heads(app: &mut App) -> Vec<String> {
    let villages = app.call("villages", json!({}), clock()).unwrap();
    let households = app.call("households", json!({"village_id": villages[0]["id"]}), clock()).unwrap();
    households.as_array().unwrap().iter().filter_map(|h| h["head_of_household"].as_str().map(str::to_string)).collect()
}

fn spawn(args: &[&str]) -> Child {
    Command::new(DRIVER).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap()
}

#[derive(Default)]
struct Tally {
    kills: usize,
    mid_way: usize,
    writes_acknowledged: usize,
    syncs_done: usize,
    encryptions: usize,
    encryptions_done: usize,
}

#[test]
fn the_apps_core_killed_at_random_moments_loses_nothing_acknowledged() {
    let kills: usize = std::env::var("TEEKA_APP_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(250);
    let dir = tempfile::tempdir().unwrap();

    // A real server on a socket.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let svc = Arc::new(Service::new(SqliteDb::open(&dir.path().join("server.db")).unwrap()));
    let (url, code) = rt.block_on(async {
        let areas = "state,district,block,subcentre,village\nUP,Sitapur,Mahmudabad,Rampur SC,Rampur\n";
        svc.import_areas(areas.as_bytes(), Utc::now()).await.unwrap();
        let (code, ..) =
            svc.create_code("Rampur", teeka_protocol::Role::Anm, chrono::Duration::hours(1), Utc::now()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = teeka_server::http::router(svc.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (url, code)
    });

    // The device: its first worker (the store encrypted), enrolled, a small register.
    let path = dir.path().join("teeka.db");
    {
        let mut app = App::open(&path).unwrap();
        let worker = json!({"name": "Meena", "role": "anm", "pin": PIN});
        app.call("add_worker", worker, clock()).unwrap();
        rt.block_on(teeka_app::sync::enroll(&app.access(), EnrollReq { server: url.clone(), code, server_cert: None }))
            .unwrap();
        import(app.store_mut().unwrap(), 20);
    }
    // A plain store from before encryption, copied for each kill during its encryption.
    let plain = dir.path().join("plain.db");
    {
        let mut store = Store::open(&plain).unwrap();
        import(&mut store, 400);
        let ctx = Ctx { now: Utc::now(), today: clock().today, author: String::new(), worker: None };
        store.add_worker(uuid::Uuid::now_v7(), "Meena", WorkerRole::Anm, &hash_pin(PIN).unwrap(), &ctx).unwrap();
    }
    let plain_export = serde_json::to_value(Store::open(&plain).unwrap().export().unwrap()).unwrap();

    let store_arg = path.to_str().unwrap().to_string();
    let mut rng = Rng::new(0x5eed_4321_dcba_0002);
    let mut tally = Tally::default();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut reach: [u64; 3] = [200_000; 3];
    let started = Instant::now();
    for n in 1..=kills {
        let what = (rng.next_u64() % 3) as usize;
        let copy = dir.path().join(format!("old-{n}.db"));
        let number = n.to_string();
        let mut child = match what {
            0 => spawn(&[&store_arg, PIN, "write", &number]),
            1 => spawn(&[&store_arg, PIN, "sync"]),
            _ => {
                std::fs::copy(&plain, &copy).unwrap();
                spawn(&[copy.to_str().unwrap(), PIN, "sign-in"])
            }
        };
        // A moment up to about the time each takes (learnt as the campaign goes), so that about
        // half the kills land part way.
        let max_us = &mut reach[what];
        std::thread::sleep(Duration::from_micros(rng.next_u64() % *max_us));
        let finished = child.try_wait().unwrap();
        let _ = child.kill();
        let status = child.wait().unwrap();
        tally.kills += 1;
        *max_us = if finished.is_some() { (*max_us * 9 / 10).max(2_000) } else { *max_us * 21 / 20 };
        let out = std::io::read_to_string(child.stdout.take().unwrap()).unwrap_or_default();
        let acknowledged_now = finished.is_some() && status.success();
        if finished.is_none() {
            tally.mid_way += 1;
        }
        match what {
            0 if acknowledged_now => {
                assert_eq!(out.trim(), format!("acknowledged C{n}"));
                acknowledged.push(format!("Crash {n}"));
                tally.writes_acknowledged += 1;
            }
            1 if acknowledged_now => tally.syncs_done += 1,
            2 => {
                // Killed while being encrypted (or before, or after): it opens with the PIN,
                // encrypted now, with everything it held.
                tally.encryptions += 1;
                tally.encryptions_done += usize::from(acknowledged_now);
                let app = signed_in(&copy);
                let store = app.store().unwrap();
                assert_eq!(store.integrity_problems().unwrap(), Vec::<String>::new(), "kill {n}");
                assert_eq!(serde_json::to_value(store.export().unwrap()).unwrap(), plain_export, "kill {n}");
                drop(app);
                assert_eq!(teeka_store::file_state(&copy).unwrap(), teeka_store::FileState::Encrypted, "kill {n}");
                for suffix in ["", "-wal", "-shm", ".keys", ".keys-wal", ".keys-shm", ".encrypting"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
                }
                continue;
            }
            _ => {}
        }
        // The store after the kill.
        let mut app = signed_in(&path);
        assert_eq!(app.store().unwrap().integrity_problems().unwrap(), Vec::<String>::new(), "kill {n}");
        if what == 0 && acknowledged_now {
            assert!(heads(&mut app).contains(&format!("Crash {n}")), "kill {n}: an acknowledged write is lost");
        }
    }
    let took = started.elapsed();

    // Every acknowledged write is in the store, and one sync brings it all to the server.
    let mut app = signed_in(&path);
    let kept = heads(&mut app);
    for head in &acknowledged {
        assert!(kept.contains(head), "the acknowledged household of {head} is lost");
    }
    drop(app);
    let out = Command::new(DRIVER).args([&store_arg, PIN, "sync"]).output().unwrap();
    assert!(out.status.success(), "the final sync: {}", String::from_utf8_lossy(&out.stderr));
    let on_server = serde_json::to_string(&rt.block_on(svc.export()).unwrap()).unwrap();
    for n in acknowledged.iter().filter_map(|h| h.strip_prefix("Crash ")) {
        assert!(on_server.contains(&format!("Child {n}\"")), "the acknowledged child of C{n} did not reach the server");
    }
    println!(
        "app crash campaign: {} kills in {:.1} s ({} part way), {} writes acknowledged, {} syncs completed, \
         {} plain stores killed while encrypted at their first sign-in ({} finished); integrity_check ok \
         after every kill, every store opened with its PIN, nothing acknowledged lost",
        tally.kills,
        took.as_secs_f64(),
        tally.mid_way,
        tally.writes_acknowledged,
        tally.syncs_done,
        tally.encryptions,
        tally.encryptions_done,
    );
    assert!(
        tally.mid_way * 4 >= tally.kills,
        "a quarter of the kills at least land part way: {} of {}",
        tally.mid_way,
        tally.kills
    );
}
