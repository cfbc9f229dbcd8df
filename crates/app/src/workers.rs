//! Workers and their PINs: who may sign in on this device, the signed-in worker (the author of
//! every event), the wait after wrong PINs, locking after inactivity, the language.

use crate::error::{AppCode, AppError};
use crate::fields::code_field;
use crate::pin::{check_pin, hash_pin, verify_pin};
use crate::types::{AddWorkerReq, LockReq, SetLanguageReq, SignInReq, TouchReq};
use crate::{App, Clock};
use chrono::{DateTime, Utc};
use serde::Serialize;
use teeka_domain::WorkerRole;
use teeka_store::{Ctx, LocalWorker};
use uuid::Uuid;

/// Minutes without activity after which the app locks, unless set otherwise.
pub const DEFAULT_LOCK_AFTER_MINUTES: u32 = 5;
/// Wrong PINs in a row that make the next sign-in wait.
pub const MAX_WRONG_PINS: u32 = 5;
/// How long to wait after too many wrong PINs.
pub const PIN_WAIT_SECONDS: i64 = 30;
/// Local settings keeping the wrong-PIN count and the end of the wait across restarts.
const WRONG_PINS_KEY: &str = "wrong_pins";
const PIN_WAIT_KEY: &str = "pin_wait_until";

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

/// The wrong-PIN count and the wait they caused, read from the store: they survive a restart, so
/// closing the app is no way around the wait. Unreadable values (a damaged setting) count as none.
pub(crate) fn pin_state(store: &teeka_store::Store) -> (u32, Option<DateTime<Utc>>) {
    let wrong_pins = store.local_setting(WRONG_PINS_KEY).ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
    let pin_wait_until = store
        .local_setting(PIN_WAIT_KEY)
        .ok()
        .flatten()
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&Utc));
    (wrong_pins, pin_wait_until)
}

impl App {
    /// Keeps the wrong-PIN count and the wait in the store.
    fn save_pin_state(&mut self) -> Result<(), AppError> {
        let count = (self.wrong_pins > 0).then(|| self.wrong_pins.to_string());
        self.store.set_local_setting(WRONG_PINS_KEY, count.as_deref())?;
        let until = self.pin_wait_until.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self.store.set_local_setting(PIN_WAIT_KEY, until.as_deref())?;
        Ok(())
    }

    pub(crate) fn lock_after_minutes(&self) -> Result<u32, AppError> {
        Ok(self
            .store
            .local_setting("lock_after_minutes")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_LOCK_AFTER_MINUTES))
    }

    /// Sets the minutes of inactivity after which the app locks (1 to 240).
    pub fn set_lock_after_minutes(&mut self, minutes: u32) -> Result<(), AppError> {
        if !(1..=240).contains(&minutes) {
            return Err(AppError::invalid("lock_after_minutes must be 1 to 240"));
        }
        Ok(self.store.set_local_setting("lock_after_minutes", Some(&minutes.to_string()))?)
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

    /// Activity, and a signed-in worker required: the context of a write.
    /// The signed-in worker's role, if one is signed in.
    pub(crate) fn signed_in_role(&self) -> Option<WorkerRole> {
        self.signed_in.as_ref().map(|w| w.role)
    }

    pub(crate) fn guard(&mut self, clock: &Clock) -> Result<Ctx, AppError> {
        self.activity(clock)?;
        let worker = self.signed_in.as_ref().ok_or_else(AppError::locked)?;
        Ok(Ctx { now: clock.now, today: clock.today, author: worker.name.clone() })
    }

    /// `set_language`: `en`, `hi` or null (works while locked).
    pub fn set_language(&mut self, req: SetLanguageReq, clock: Clock) -> Result<(), AppError> {
        self.activity(&clock)?;
        match req.language.as_deref() {
            None => Ok(self.store.set_local_setting("language", None)?),
            Some(l @ ("en" | "hi")) => Ok(self.store.set_local_setting("language", Some(l))?),
            Some(other) => Err(AppError::invalid(format!("language '{other}' is not one of: en hi"))),
        }
    }

    /// `add_worker`: the first worker needs no sign-in; later ones need a worker signed in, who
    /// confirms with their own PIN (`signed_in_pin`, checked as at sign-in: a wrong one is
    /// `WRONG_PIN` and counts towards the wait). The new worker is signed in.
    pub fn add_worker(&mut self, req: AddWorkerReq, clock: Clock) -> Result<Worker, AppError> {
        self.activity(&clock)?;
        let workers = self.store.workers()?;
        if !workers.is_empty() {
            let Some(signed_in) = self.signed_in.clone() else {
                return Err(AppError::new(AppCode::Locked, "a worker must be signed in to add another"));
            };
            let pin = req.signed_in_pin.as_deref().filter(|p| !p.is_empty()).ok_or_else(|| {
                AppError::invalid_field(
                    "signed_in_pin",
                    format!("signed_in_pin is missing: {} confirms adding a worker with their PIN", signed_in.name),
                )
            })?;
            let stored = workers.iter().find(|w| w.id == signed_in.id).ok_or_else(AppError::locked)?;
            self.attempt(stored, pin, &clock).map_err(|e| e.at("signed_in_pin"))?;
        }
        let role: WorkerRole = code_field("role", &req.role)?;
        check_pin(&req.pin).map_err(|e| e.at("pin"))?;
        teeka_domain::facts::required_text("name", &req.name)?;
        let hash = hash_pin(&req.pin)?;
        let ctx = Ctx { now: clock.now, today: clock.today, author: String::new() };
        let worker = Worker::from(self.store.add_worker(&req.name, role, &hash, &ctx)?);
        self.signed_in = Some(worker.clone());
        Ok(worker)
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
        let stored = self.store.workers()?.into_iter().find(|w| w.id == req.worker_id).ok_or_else(|| {
            AppError::new(AppCode::NotFound, format!("worker_id {}: no such worker on this device", req.worker_id))
        });
        // The wait comes first, whoever is named.
        self.end_of_wait(&clock)?;
        let stored = stored?;
        self.attempt(&stored, &req.pin, &clock)?;
        let worker = Worker::from(stored);
        self.signed_in = Some(worker.clone());
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
    fn attempt(&mut self, stored: &LocalWorker, pin: &str, clock: &Clock) -> Result<(), AppError> {
        self.end_of_wait(clock)?;
        check_pin(pin)?;
        if verify_pin(pin, &stored.credential) {
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
        Err(AppError::new(AppCode::WrongPin, format!("the PIN of {} does not match", stored.name)))
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
