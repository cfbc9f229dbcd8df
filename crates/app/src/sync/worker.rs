//! The background sync worker: one thread with its own store connection (SQLite WAL lets it
//! write while the UI's connection reads and writes) and a current-thread Tokio runtime, so that
//! a sync over a slow 2G link never holds the UI's lock.
//!
//! It syncs when its [`Schedule`] says: on start, a few seconds after each local change, when
//! asked, after a failure with growing back-off, and periodically after a success. It tells the
//! shell through [`Notify`].

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use teeka_protocol::ApiError;
use teeka_store::Store;
use teeka_sync::machine::{Config, Outcome};
use teeka_sync::{Backoff, SyncError};

use super::schedule::Schedule;
use super::ERROR_CODE_KEY;
use crate::AppCode;
use crate::ErrorBody;
use crate::StoreAccess;

/// One run retries a dropped request a few times at short intervals (a 2G link drops mid-request
/// and comes back: 0.5 s doubling up to 8 s, four failures), then gives up and tells the worker;
/// the longer waits are the [`Schedule`]'s, between runs, so the sync bar says "offline" within
/// seconds rather than after a minute.
pub fn run_config() -> Config {
    Config { max_failures: 4, backoff: Backoff::exponential(500, 8_000).jittered(), ..Config::default() }
}

/// What the worker is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// A local change was stored.
    Changed,
    /// Sync as soon as possible (start, "Sync now", just enrolled).
    Now,
}

/// The worker's part of the sync state (the store's [`teeka_store::SyncStatus`] has the rest);
/// the two make one [`crate::SyncState`] in [`super::sync_state`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    /// A run is under way.
    pub syncing: bool,
    /// A run (or an attempt that found nothing to do) has ended since the app started: from then
    /// on `last_error` is the worker's, not the store's.
    pub ran: bool,
    /// The last run's error: the UI's code and the message. `None` after a success.
    pub last_error: Option<ErrorBody>,
    /// When the next run is due (wall clock).
    pub next_attempt: Option<DateTime<Utc>>,
}

/// What the worker reports to the shell (which emits `sync-state` and `data-changed`).
pub trait Notify: Send + 'static {
    /// The live state changed.
    fn state_changed(&self);
    /// A sync brought records from other devices.
    fn data_changed(&self);
}

/// The handle on the worker: kick it, read its live state.
#[derive(Debug, Clone)]
pub struct SyncHandle {
    tx: Sender<Kick>,
    live: Arc<Mutex<Live>>,
}

impl SyncHandle {
    pub fn kick(&self, kick: Kick) {
        // The worker ends only with the process; a send error then is of no consequence.
        let _ = self.tx.send(kick);
    }

    pub fn live(&self) -> Live {
        lock(&self.live).clone()
    }
}

fn lock(live: &Mutex<Live>) -> MutexGuard<'_, Live> {
    // A panic while holding this lock leaves plain data behind: keep using it.
    live.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts the worker thread on the store `access` opens; it syncs at once, or as soon as the
/// store is open (a worker signed in: [`crate::App`] kicks it then).
pub fn start(access: StoreAccess, notify: impl Notify) -> SyncHandle {
    let (tx, rx) = mpsc::channel();
    let live = Arc::new(Mutex::new(Live::default()));
    let handle = SyncHandle { tx, live: live.clone() };
    let spawned = std::thread::Builder::new()
        .name("teeka-sync".into())
        .spawn(move || Worker { access, store: None, live, schedule: Schedule::default(), notify }.run(rx));
    if let Err(e) = spawned {
        tracing::error!("cannot start the sync thread: {e}");
    }
    handle.kick(Kick::Now);
    handle
}

struct Worker<N: Notify> {
    access: StoreAccess,
    store: Option<Store>,
    live: Arc<Mutex<Live>>,
    schedule: Schedule,
    notify: N,
}

impl<N: Notify> Worker<N> {
    fn run(mut self, rx: Receiver<Kick>) {
        let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                tracing::error!("cannot start the sync runtime: {e}");
                return;
            }
        };
        loop {
            match rx.recv_timeout(self.schedule.wait(Instant::now())) {
                Ok(Kick::Changed) => self.schedule.changed(Instant::now()),
                Ok(Kick::Now) => self.schedule.now(Instant::now()),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if self.schedule.is_due(Instant::now()) {
                self.sync_once(&rt);
                let now = Instant::now();
                let next_attempt = self.schedule.next.map(|t| {
                    let wait = TimeDelta::from_std(t.saturating_duration_since(now)).unwrap_or(TimeDelta::MAX);
                    Utc::now().checked_add_signed(wait).unwrap_or(DateTime::<Utc>::MAX_UTC)
                });
                let mut live = lock(&self.live);
                live.ran = true;
                live.next_attempt = next_attempt;
                drop(live);
                self.notify.state_changed();
            }
        }
    }

    /// One sync run; updates the schedule and the live state.
    fn sync_once(&mut self, rt: &tokio::runtime::Runtime) {
        if !self.access.may_sync() {
            // Not open yet: nothing syncs before a worker has signed in.
            self.schedule.idle();
            return;
        }
        if self.store.is_none() {
            match self.access.open() {
                Ok(s) => self.store = Some(s),
                Err(e) => return self.failed(e.code, e.message),
            }
        }
        let Some(store) = self.store.as_mut() else { return };
        match store.enrollment() {
            Ok(Some(_)) => {}
            Ok(None) => {
                self.schedule.idle();
                lock(&self.live).last_error = None;
                return;
            }
            Err(e) => return self.failed(AppCode::from(&e), e.to_string()),
        }
        lock(&self.live).syncing = true;
        self.notify.state_changed();
        let result = rt.block_on(teeka_sync::sync(store, None, run_config(), |_| {}));
        lock(&self.live).syncing = false;
        match result {
            Ok(Outcome::Complete(progress)) => {
                keep_error_code(store, None);
                self.schedule.succeeded(Instant::now());
                lock(&self.live).last_error = None;
                if progress.pulled > 0 {
                    self.notify.data_changed();
                }
            }
            Ok(Outcome::Failed { progress, error, code, .. }) => {
                if progress.pulled > 0 {
                    self.notify.data_changed();
                }
                // The run's failure as the error it is: refused with the server's code, or not
                // answered at all.
                let as_error = match code {
                    Some(code) => SyncError::Refused(ApiError::new(code, error.clone())),
                    None => SyncError::Unreachable(error.clone()),
                };
                let code = AppCode::from(&as_error);
                keep_error_code(store, Some(code));
                self.failed(code, error);
            }
            Err(e) => self.failed(AppCode::from(&e), e.to_string()),
        }
    }

    fn failed(&mut self, code: AppCode, message: String) {
        tracing::warn!("sync failed: {code}: {message}");
        self.schedule.failed(Instant::now());
        lock(&self.live).last_error = Some(ErrorBody { code, message });
    }
}

/// Keeps the UI's code of the run's failure beside the message the driver kept in the store, so
/// that after a restart the error shown until the first run ends has its code.
fn keep_error_code(store: &mut Store, code: Option<AppCode>) {
    if let Err(e) = store.set_local_setting(ERROR_CODE_KEY, code.map(AppCode::as_str)) {
        tracing::warn!("cannot keep the sync error's code: {e}");
    }
}
