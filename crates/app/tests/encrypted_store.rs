//! The app's store, encrypted at rest: a new device's store is encrypted when its first worker
//! is added; a copied store file holds no name and opens with no other tool; it stays closed
//! until a worker's PIN unwraps its key; another worker's wrap is added by one signed in; a
//! plain store from before encryption is encrypted in place at the first sign-in with nothing
//! lost and every worker keeping their PIN; an encryption cut short is finished at the next
//! sign-in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, Utc};
use serde_json::json;
use std::path::Path;
use teeka_app::{hash_pin, AddWorkerReq, App, Clock, SignInReq};
use teeka_domain::register::parse_register;
use teeka_domain::WorkerRole;
use teeka_store::keyring::NewWrap;
use teeka_store::{encrypt_in_place, file_state, Ctx, DataKey, FileState, Keyring, Store, StoreError};
use uuid::Uuid;

const REGISTER: &str = "register_id,household_id,village,kind,name,sex,dob,phone,BCG
R-1,H-1,Rampur,child,Pinki Kumari,F,2026-10-01,9812345678,2026-10-01
R-2,H-1,Rampur,child,Raju Kumar,M,2026-10-01,9812345678,
";

fn clock() -> Clock {
    Clock { now: Utc::now(), today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap() }
}

fn ctx() -> Ctx {
    Ctx { now: Utc::now(), today: clock().today, author: "Sunita".into(), worker: None }
}

fn import(store: &mut Store) {
    let rows = parse_register(REGISTER.as_bytes(), clock().today).unwrap();
    store.import_register(&rows, &ctx()).unwrap();
}

/// Whether any of the store's files (itself, its WAL, its keyring) holds `text`.
fn on_disk(path: &Path, text: &str) -> bool {
    let names = [path.to_path_buf(), format!("{}-wal", path.display()).into(), Keyring::path_for(path)];
    names.iter().filter(|p| p.exists()).any(|p| {
        let bytes = std::fs::read(p).unwrap();
        bytes.windows(text.len()).any(|w| w == text.as_bytes())
    })
}

fn worker(name: &str, role: &str, pin: &str, by: Option<&str>) -> AddWorkerReq {
    AddWorkerReq { name: name.into(), role: role.into(), pin: pin.into(), signed_in_pin: by.map(str::to_string) }
}

fn sign_in(app: &mut App, id: Uuid, pin: &str) -> Result<(), String> {
    app.sign_in(SignInReq { worker_id: id, pin: pin.into() }, clock()).map(|_| ()).map_err(|e| e.code.to_string())
}

fn export(app: &App) -> serde_json::Value {
    serde_json::to_value(app.store().unwrap().export().unwrap()).unwrap()
}

#[test]
fn a_new_devices_store_is_encrypted_from_its_first_worker_and_opens_only_with_a_pin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    let mut app = App::open(&path).unwrap();
    app.call("set_language", json!({"language": "hi"}), clock()).unwrap();
    let meena = app.add_worker(worker("Meena", "anm", "2468", None), clock()).unwrap().id;
    assert_eq!(file_state(&path).unwrap(), FileState::Encrypted);
    import(app.store_mut().unwrap());
    // A second worker, confirmed by the first's PIN.
    let e = app.add_worker(worker("Sunita", "asha", "1357", Some("0000")), clock()).unwrap_err();
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("WRONG_PIN", Some("signed_in_pin")));
    let sunita = app.add_worker(worker("Sunita", "asha", "1357", Some("2468")), clock()).unwrap().id;
    let before = export(&app);
    let device = app.store().unwrap().device_id();
    drop(app);

    // A copy of the files: no name, no phone number, and not a database to anyone else.
    assert!(!on_disk(&path, "Pinki Kumari") && !on_disk(&path, "9812345678"));
    assert!(matches!(Store::open(&path), Err(StoreError::Encrypted(_))));
    if let Ok(out) = std::process::Command::new("sqlite3").arg(&path).arg("SELECT count(*) FROM sqlite_master").output()
    {
        assert!(!out.status.success(), "the sqlite3 tool read it: {}", String::from_utf8_lossy(&out.stdout));
    }

    // After a restart: the lock screen's list and language, nothing of the store.
    let mut app = App::open(&path).unwrap();
    let state = app.call("app_state", json!({}), clock()).unwrap();
    assert_eq!(state["language"], "hi");
    let names: Vec<&str> = state["workers"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Meena", "Sunita"]);
    assert_eq!(state["workers"][1]["role"], "asha");
    // The sync bar's summary, kept when the store was last open (from the first worker's sign-in).
    assert_eq!(state["sync"]["device_id"], device.to_string());
    assert_eq!(app.store().err().map(|e| e.code.to_string()).as_deref(), Some("LOCKED"));
    assert_eq!(app.call("villages", json!({}), clock()).unwrap_err().code, "LOCKED");
    assert_eq!(sign_in(&mut app, meena, "1357"), Err("WRONG_PIN".into()), "another worker's PIN");
    assert!(app.store().is_err(), "a wrong PIN opens nothing");
    // Each worker's own PIN opens it, with everything in it.
    sign_in(&mut app, sunita, "1357").unwrap();
    assert_eq!(export(&app), before);
    drop(app);
    let mut app = App::open(&path).unwrap();
    sign_in(&mut app, meena, "2468").unwrap();
    assert_eq!(export(&app), before);
    // Locking keeps the key in memory (the background sync goes on); signing in again checks.
    app.call("lock", json!({}), clock()).unwrap();
    assert!(app.store().is_ok());
    assert_eq!(sign_in(&mut app, meena, "0000"), Err("WRONG_PIN".into()));
}

#[test]
fn a_plain_store_from_before_is_encrypted_at_the_first_sign_in_and_every_pin_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    let (anm, asha) = (Uuid::now_v7(), Uuid::now_v7());
    {
        let mut store = Store::open(&path).unwrap();
        import(&mut store);
        store.add_worker(anm, "Meena", WorkerRole::Anm, &hash_pin("2468").unwrap(), &ctx()).unwrap();
        store.add_worker(asha, "Sunita", WorkerRole::Asha, &hash_pin("1357").unwrap(), &ctx()).unwrap();
        store.set_local_setting("language", Some("hi")).unwrap();
    }
    let before = serde_json::to_value(Store::open(&path).unwrap().export().unwrap()).unwrap();

    let mut app = App::open(&path).unwrap();
    let state = app.call("app_state", json!({}), clock()).unwrap();
    assert_eq!((state["language"].as_str(), state["workers"].as_array().unwrap().len()), (Some("hi"), 2));
    assert_eq!(sign_in(&mut app, anm, "1111"), Err("WRONG_PIN".into()));
    assert_eq!(file_state(&path).unwrap(), FileState::Plain, "a wrong PIN changes nothing");
    sign_in(&mut app, anm, "2468").unwrap();
    assert_eq!(file_state(&path).unwrap(), FileState::Encrypted);
    assert_eq!(export(&app), before, "nothing lost");
    assert!(!on_disk(&path, "Pinki Kumari"));
    drop(app);

    // The other worker signs in with the PIN they had; their wrap is made anew with Argon2id.
    let labels = |p: &Path| Keyring::open(&Keyring::path_for(p)).unwrap().labels().unwrap();
    assert_eq!(labels(&path).iter().map(|l| l.current).collect::<Vec<_>>(), [true, false]);
    let mut app = App::open(&path).unwrap();
    assert_eq!(sign_in(&mut app, asha, "2468"), Err("WRONG_PIN".into()));
    sign_in(&mut app, asha, "1357").unwrap();
    assert_eq!(export(&app), before);
    drop(app);
    assert!(labels(&path).iter().all(|l| l.current));
    let mut app = App::open(&path).unwrap();
    sign_in(&mut app, asha, "1357").unwrap();
}

#[test]
fn an_encryption_cut_short_is_finished_at_the_next_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    let meena = Uuid::now_v7();
    {
        let mut store = Store::open(&path).unwrap();
        import(&mut store);
        store.add_worker(meena, "Meena", WorkerRole::Anm, &hash_pin("2468").unwrap(), &ctx()).unwrap();
    }
    let before = serde_json::to_value(Store::open(&path).unwrap().export().unwrap()).unwrap();
    // As a crash leaves it: the keyring holds the new key's wrap, the store file is still plain
    // (the encrypted copy was never renamed over it).
    let key = DataKey::random().unwrap();
    let wrap = NewWrap::argon2id(&format!("worker:{meena}"), Some(r#"{"name":"Meena","role":"anm"}"#.into()), "2468");
    Keyring::open(&Keyring::path_for(&path)).unwrap().add(wrap.unwrap(), &key).unwrap();
    std::fs::write(format!("{}.encrypting", path.display()), b"half a copy").unwrap();

    let mut app = App::open(&path).unwrap();
    assert!(app.store().is_err(), "not opened before the PIN");
    assert_eq!(sign_in(&mut app, meena, "1111"), Err("WRONG_PIN".into()));
    sign_in(&mut app, meena, "2468").unwrap();
    assert_eq!(file_state(&path).unwrap(), FileState::Encrypted);
    assert_eq!(export(&app), before);
    assert!(!Path::new(&format!("{}.encrypting", path.display())).exists());
    drop(app);
    // It was encrypted under the key the keyring holds.
    Store::open_keyed(&path, &key).unwrap();
}

#[test]
fn a_failed_encryption_leaves_the_plain_store_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teeka.db");
    import(&mut Store::open(&path).unwrap());
    let key = DataKey::random().unwrap();
    let e = encrypt_in_place(&path, &key, || Err(StoreError::Keyring("the disk is full".into()))).unwrap_err();
    assert_eq!(e.code(), "STORE_CORRUPT");
    let mut app = App::open(&path).unwrap();
    app.add_worker(worker("Meena", "anm", "2468", None), clock()).unwrap();
    assert_eq!(file_state(&path).unwrap(), FileState::Encrypted);
    assert_eq!(app.store().unwrap().export().unwrap().beneficiaries.len(), 2);
}

#[test]
fn every_event_carries_the_signed_in_workers_stable_id() {
    let mut app = App::open_in_memory().unwrap();
    let meena = app.add_worker(worker("Meena", "anm", "2468", None), clock()).unwrap().id;
    let sunita = app.add_worker(worker("Sunita", "asha", "1357", Some("2468")), clock()).unwrap().id;
    // Sunita is signed in now (the new worker is).
    app.call("add_village", json!({"name": "Rampur"}), clock()).unwrap();
    app.call("lock", json!({}), clock()).unwrap();
    sign_in(&mut app, meena, "2468").unwrap();
    app.call("add_village", json!({"name": "Salempur"}), clock()).unwrap();
    let events = app.store().unwrap().events().unwrap();
    let by: Vec<(Option<Uuid>, &str)> = events.iter().map(|e| (e.worker, e.author.as_str())).collect();
    assert_eq!(by, [(Some(sunita), "Sunita"), (Some(meena), "Meena")]);
    // The same worker's id whatever their name's later spelling: it is the id that is stable.
    assert_ne!(meena, sunita);
}
