//! Workers and their PINs: who may sign in on this device, the signed-in worker (the author of
//! every event), the wait after wrong PINs, locking after inactivity, the language. A right PIN
//! is one that unwraps the store's key (`vault`), which opens the store.

use crate::error::{AppCode, AppError};
use crate::fields::code_field;
use crate::pin::{check_pin, hash_pin, verify_pin};
use crate::types::{AddWorkerReq, LockReq, SetLanguageReq, SignInReq, TouchReq};
use crate::vault::{worker_label, wrap_from_pin_hash, WORKER_LABEL_PREFIX};
use crate::{App, Clock};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;
use teeka_domain::WorkerRole;
use teeka_store::keyring::NewWrap;
use teeka_store::{Ctx, DataKey, Keyring, LocalWorker, Store};
use uuid::Uuid;

/// Minutes without activity after which the app locks, unless set otherwise.
pub const DEFAULT_LOCK_AFTER_MINUTES: u32 = 5;
/// Wrong PINs in a row that make the next sign-in wait.
pub const MAX_WRONG_PINS: u32 = 5;
/// How long to wait after too many wrong PINs.
pub const PIN_WAIT_SECONDS: i64 = 30;
/// Settings kept in the keyring (the lock screen reads them before the store is open): the
/// wrong-PIN count and the end of the wait (across restarts), the language, the lock delay.
const WRONG_PINS_KEY: &str = "wrong_pins";
const PIN_WAIT_KEY: &str = "pin_wait_until";
pub(crate) const LANGUAGE_KEY: &str = "language";
const LOCK_AFTER_KEY: &str = "lock_after_minutes";

/// A worker of this device (local only), as the UI sees them: never the PIN's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Worker {
    pub id: Uuid,
    pub name: String,
    pub role: WorkerRole,
}

impl From<LocalWorker> for Worker {
    fn from(w: LocalWorker) -> Worker {
        Worker { id: w.id, name: w.name, role: w.role }
    }
}

/// What the keyring keeps of a worker beside their wrap: the lock screen's list.
#[derive(Serialize, Deserialize)]
struct WorkerInfo {
    name: String,
    role: WorkerRole,
}

fn info_of(worker: &Worker) -> Option<String> {
    serde_json::to_string(&WorkerInfo { name: worker.name.clone(), role: worker.role }).ok()
}

/// The wrong-PIN count and the wait they caused, read from the keyring: they survive a restart,
/// so closing the app is no way around the wait. Unreadable values count as none.
pub(crate) fn pin_state(keys: &Keyring) -> (u32, Option<DateTime<Utc>>) {
    let wrong_pins = keys.setting(WRONG_PINS_KEY).ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
    let pin_wait_until = keys
        .setting(PIN_WAIT_KEY)
        .ok()
        .flatten()
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&Utc));
    (wrong_pins, pin_wait_until)
}

/// The settings a store from before encryption kept itself, carried into the keyring once.
pub(crate) fn carry_settings(store: &Store, keys: &mut Keyring) -> Result<(), AppError> {
    for key in [LANGUAGE_KEY, LOCK_AFTER_KEY, WRONG_PINS_KEY, PIN_WAIT_KEY] {
        if keys.setting(key)?.is_none() {
            if let Some(value) = store.local_setting(key)? {
                keys.set_setting(key, Some(&value))?;
            }
        }
    }
    Ok(())
}

impl App {
    /// Keeps the wrong-PIN count and the wait in the keyring.
    fn save_pin_state(&mut self) -> Result<(), AppError> {
        let count = (self.wrong_pins > 0).then(|| self.wrong_pins.to_string());
        self.keys.set_setting(WRONG_PINS_KEY, count.as_deref())?;
        let until = self.pin_wait_until.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self.keys.set_setting(PIN_WAIT_KEY, until.as_deref())?;
        Ok(())
    }

    pub(crate) fn lock_after_minutes(&self) -> Result<u32, AppError> {
        Ok(self.keys.setting(LOCK_AFTER_KEY)?.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_LOCK_AFTER_MINUTES))
    }

    /// Sets the minutes of inactivity after which the app locks (1 to 240).
    pub fn set_lock_after_minutes(&mut self, minutes: u32) -> Result<(), AppError> {
        if !(1..=240).contains(&minutes) {
            return Err(AppError::invalid("lock_after_minutes must be 1 to 240"));
        }
        Ok(self.keys.set_setting(LOCK_AFTER_KEY, Some(&minutes.to_string()))?)
    }

    /// Every command starts here: locks if the last activity is too old, then records this one.
    pub(crate) fn activity(&mut self, clock: &Clock) -> Result<(), AppError> {
        if let (Some(_), Some(last)) = (&self.signed_in, self.last_activity) {
            let limit = chrono::TimeDelta::minutes(i64::from(self.lock_after_minutes()?));
            if clock.now - last >= limit {
                self.signed_in = None;
            }
        }
        self.last_activity = Some(clock.now);
        Ok(())
    }

    /// The workers who may sign in here: the keyring's, once the store's key is wrapped; before
    /// (a new device's store, or one from before encryption), the store's.
    pub(crate) fn workers(&self) -> Result<Vec<Worker>, AppError> {
        if self.keys.is_empty()? {
            return Ok(match &self.store {
                Some(store) => store.workers()?.into_iter().map(Worker::from).collect(),
                None => Vec::new(),
            });
        }
        let mut out = Vec::new();
        for wrap in self.keys.labels()? {
            let Some(id) = wrap.label.strip_prefix(WORKER_LABEL_PREFIX).and_then(|id| Uuid::parse_str(id).ok()) else {
                continue;
            };
            let info: Option<WorkerInfo> = wrap.info.as_deref().and_then(|i| serde_json::from_str(i).ok());
            let info = info.ok_or_else(|| {
                AppError::new(AppCode::StoreCorrupt, format!("the keyring's entry of worker {id} is unreadable"))
            })?;
            out.push(Worker { id, name: info.name, role: info.role });
        }
        Ok(out)
    }

    /// Whether `pin` is `worker`'s; if so, the store is open afterwards (encrypted first if it
    /// was plain).
    fn open_with_pin(&mut self, worker: &Worker, pin: &str) -> Result<bool, AppError> {
        if self.keys.is_empty()? {
            // A store from before encryption: its own hash of the PIN, then encrypted.
            let store = self.store.as_ref().ok_or_else(AppError::locked)?;
            let stored = store.workers()?.into_iter().find(|w| w.id == worker.id).ok_or_else(AppError::locked)?;
            if !verify_pin(pin, &stored.credential) {
                return Ok(false);
            }
            self.encrypt(worker, pin)?;
            return Ok(true);
        }
        let label = worker_label(worker.id);
        let Some(key) = self.keys.unwrap(&label, pin)? else { return Ok(false) };
        if self.keys.labels()?.iter().any(|w| w.label == label && !w.current) {
            // Wrapped by the PIN's old hash when the store was encrypted: now with Argon2id.
            self.keys.add(NewWrap::argon2id(&label, info_of(worker), pin)?, &key)?;
        }
        self.unlock(key)?;
        Ok(true)
    }

    /// Opens the store with its key (encrypting it first if an encryption was cut short), once.
    fn unlock(&mut self, key: DataKey) -> Result<(), AppError> {
        if self.store.is_none() {
            let path = self.access.path().ok_or_else(AppError::locked)?.to_path_buf();
            if teeka_store::file_state(&path)? == teeka_store::FileState::Plain {
                teeka_store::encrypt_in_place(&path, &key, || Ok(()))?;
            }
            self.store = Some(Store::open_keyed(&path, &key)?);
            self.opened(key);
        } else if self.key.is_none() {
            self.key = Some(key);
        }
        Ok(())
    }

    /// The store is open under `key`: the sync worker may run.
    fn opened(&mut self, key: DataKey) {
        self.access.set_open(Some(key.clone()));
        self.key = Some(key);
        if let Some(sync) = &self.sync {
            sync.kick(crate::sync::Kick::Now);
        }
    }

    /// Encrypts the plain store in place under a new key, wrapped for every worker: `signer` by
    /// `pin` (Argon2id), the others by their PIN's hash until they sign in. A store in memory
    /// is only wrapped (there is no file to encrypt).
    fn encrypt(&mut self, signer: &Worker, pin: &str) -> Result<(), AppError> {
        let key = DataKey::random()?;
        let signer_wrap = NewWrap::argon2id(&worker_label(signer.id), info_of(signer), pin)?;
        let Some(path) = self.access.path().map(Path::to_path_buf) else {
            self.keys.add(signer_wrap, &key)?;
            self.key = Some(key);
            return Ok(());
        };
        let store = self.store.take().ok_or_else(AppError::locked)?;
        let others = store.workers();
        drop(store);
        let others = match others {
            Ok(w) => w,
            Err(e) => {
                self.store = Some(Store::open(&path)?);
                return Err(e.into());
            }
        };
        let mut wraps = vec![signer_wrap];
        for w in others.into_iter().filter(|w| w.id != signer.id) {
            let worker = Worker::from(w.clone());
            match wrap_from_pin_hash(worker_label(w.id), info_of(&worker), &w.credential) {
                Some(wrap) => wraps.push(wrap),
                None => tracing::warn!("worker {}: a PIN hash of an unknown shape; they must be added again", w.id),
            }
        }
        let keys = &mut self.keys;
        if let Err(e) = teeka_store::encrypt_in_place(&path, &key, || keys.replace_all(wraps, &key)) {
            // The plain store is as it was.
            self.store = Some(Store::open(&path)?);
            return Err(e.into());
        }
        self.store = Some(Store::open_keyed(&path, &key)?);
        self.opened(key);
        Ok(())
    }

    /// Activity, and a signed-in worker required: the context of a write.
    /// The signed-in worker's role, if one is signed in.
    pub(crate) fn signed_in_role(&self) -> Option<WorkerRole> {
        self.signed_in.as_ref().map(|w| w.role)
    }

    pub(crate) fn guard(&mut self, clock: &Clock) -> Result<Ctx, AppError> {
        self.activity(clock)?;
        let worker = self.signed_in.as_ref().ok_or_else(AppError::locked)?;
        Ok(Ctx { now: clock.now, today: clock.today, author: worker.name.clone(), worker: Some(worker.id) })
    }

    /// `set_language`: `en`, `hi` or null (works while locked).
    pub fn set_language(&mut self, req: SetLanguageReq, clock: Clock) -> Result<(), AppError> {
        self.activity(&clock)?;
        match req.language.as_deref() {
            None => Ok(self.keys.set_setting(LANGUAGE_KEY, None)?),
            Some(l @ ("en" | "hi")) => Ok(self.keys.set_setting(LANGUAGE_KEY, Some(l))?),
            Some(other) => Err(AppError::invalid(format!("language '{other}' is not one of: en hi"))),
        }
    }

    /// `add_worker`: the first worker needs no sign-in; later ones need a worker signed in, who
    /// confirms with their own PIN (`signed_in_pin`, checked as at sign-in: a wrong one is
    /// `WRONG_PIN` and counts towards the wait). The new worker is signed in.
    pub fn add_worker(&mut self, req: AddWorkerReq, clock: Clock) -> Result<Worker, AppError> {
        self.activity(&clock)?;
        let first = self.workers()?.is_empty();
        if !first {
            let Some(signed_in) = self.signed_in.clone() else {
                return Err(AppError::new(AppCode::Locked, "a worker must be signed in to add another"));
            };
            let pin = req.signed_in_pin.as_deref().filter(|p| !p.is_empty()).ok_or_else(|| {
                AppError::invalid_field(
                    "signed_in_pin",
                    format!("signed_in_pin is missing: {} confirms adding a worker with their PIN", signed_in.name),
                )
            })?;
            self.attempt(&signed_in, pin, &clock).map_err(|e| e.at("signed_in_pin"))?;
        }
        let role: WorkerRole = code_field("role", &req.role)?;
        check_pin(&req.pin).map_err(|e| e.at("pin"))?;
        teeka_domain::facts::required_text("name", &req.name)?;
        let hash = hash_pin(&req.pin)?;
        let ctx = Ctx { now: clock.now, today: clock.today, author: String::new(), worker: None };
        let store = self.store_mut()?;
        let worker = Worker::from(store.add_worker(Uuid::now_v7(), &req.name, role, &hash, &ctx)?);
        if self.keys.is_empty()? {
            // The device's first worker: the store is encrypted now, its key wrapped by their PIN.
            self.encrypt(&worker, &req.pin)?;
        } else {
            let key = self.key.clone().ok_or_else(AppError::locked)?;
            self.keys.add(NewWrap::argon2id(&worker_label(worker.id), info_of(&worker), &req.pin)?, &key)?;
        }
        self.signed_in = Some(worker.clone());
        self.refresh_summary(&clock);
        Ok(worker)
    }

    /// Keeps the sync summary for the lock screen as soon as the store is open (a failure to
    /// read it is no reason to refuse a sign-in: the next sync state keeps it).
    fn refresh_summary(&mut self, clock: &Clock) {
        if let Err(e) = self.sync_state_now(clock) {
            tracing::warn!("cannot keep the sync summary: {}", e.message);
        }
    }

    /// Seconds left of the wait after too many wrong PINs on `now`, if there is one. A wait
    /// longer than [`PIN_WAIT_SECONDS`] means the device clock was moved back: it counts from
    /// now rather than lasting until the clock catches up.
    pub(crate) fn pin_wait_left(&self, now: DateTime<Utc>) -> Option<u32> {
        let until = self.pin_wait_until?.min(now + chrono::TimeDelta::seconds(PIN_WAIT_SECONDS));
        (now < until).then(|| u32::try_from((until - now).num_seconds().max(1)).unwrap_or(1))
    }

    /// `sign_in`. After [`MAX_WRONG_PINS`] wrong PINs in a row, `PIN_WAIT` for
    /// [`PIN_WAIT_SECONDS`].
    pub fn sign_in(&mut self, req: SignInReq, clock: Clock) -> Result<Worker, AppError> {
        self.activity(&clock)?;
        let worker = self.workers()?.into_iter().find(|w| w.id == req.worker_id).ok_or_else(|| {
            AppError::new(AppCode::NotFound, format!("worker_id {}: no such worker on this device", req.worker_id))
        });
        // The wait comes first, whoever is named.
        self.end_of_wait(&clock)?;
        let worker = worker?;
        self.attempt(&worker, &req.pin, &clock)?;
        self.signed_in = Some(worker.clone());
        self.refresh_summary(&clock);
        Ok(worker)
    }

    /// `PIN_WAIT` while the wait lasts; forgets a wait that is over.
    fn end_of_wait(&mut self, clock: &Clock) -> Result<(), AppError> {
        if self.pin_wait_until.is_none() {
            return Ok(());
        }
        match self.pin_wait_left(clock.now) {
            Some(left) => {
                self.pin_wait_until = Some(clock.now + chrono::TimeDelta::seconds(i64::from(left)));
                Err(AppError::new(AppCode::PinWait, format!("too many wrong PINs: wait {left} s and try again")))
            }
            None => {
                self.pin_wait_until = None;
                self.save_pin_state()
            }
        }
    }

    /// One try of a worker's PIN: `PIN_WAIT` during the wait, `WRONG_PIN` (counted) when it
    /// does not match; a match clears the count.
    fn attempt(&mut self, worker: &Worker, pin: &str, clock: &Clock) -> Result<(), AppError> {
        self.end_of_wait(clock)?;
        check_pin(pin)?;
        if self.open_with_pin(worker, pin)? {
            if self.wrong_pins > 0 {
                self.wrong_pins = 0;
                self.save_pin_state()?;
            }
            return Ok(());
        }
        self.wrong_pins += 1;
        if self.wrong_pins >= MAX_WRONG_PINS {
            self.wrong_pins = 0;
            self.pin_wait_until = Some(clock.now + chrono::TimeDelta::seconds(PIN_WAIT_SECONDS));
            self.save_pin_state()?;
            return Err(AppError::new(
                AppCode::PinWait,
                format!("{MAX_WRONG_PINS} wrong PINs in a row: wait {PIN_WAIT_SECONDS} s and try again"),
            ));
        }
        self.save_pin_state()?;
        Err(AppError::new(AppCode::WrongPin, format!("the PIN of {} does not match", worker.name)))
    }

    /// `lock`.
    pub fn lock(&mut self, _req: LockReq, clock: Clock) -> Result<(), AppError> {
        self.activity(&clock)?;
        self.signed_in = None;
        Ok(())
    }

    /// `touch`: the UI reports activity.
    pub fn touch(&mut self, _req: TouchReq, clock: Clock) -> Result<(), AppError> {
        self.activity(&clock)
    }
}
