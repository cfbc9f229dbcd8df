//! Background sync: one thread with its own store connection (SQLite WAL lets it write while the
//! UI's connection reads and writes), so a sync over a slow 2G link never holds the UI's lock.
//!
//! It syncs on start, a few seconds after each local change (changes that come in a burst share
//! one sync), when asked, and after a failure with growing back-off (10 s up to 2 min, so the
//! network coming back is noticed within two minutes); after a success, every 15 minutes (to
//! receive what other devices recorded).

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use teeka_store::Store;
use teeka_sync::machine::{Config, Outcome};
use teeka_sync::SyncError;

/// How long after a local change the sync starts (more changes in that time join it).
pub const DEBOUNCE: Duration = Duration::from_secs(3);
/// Between syncs when all is well.
pub const PERIOD: Duration = Duration::from_secs(15 * 60);
const BACKOFF: [u64; 5] = [10, 20, 40, 80, 120];

/// What the worker is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// A local change was stored.
    Changed,
    /// Sync as soon as possible (start, "Sync now", just enrolled).
    Now,
}

/// The worker's part of the sync state (the store knows the rest).
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub syncing: bool,
    /// The last run's error: stable code and message. `None` after a success.
    pub last_error: Option<(String, String)>,
    pub next_attempt: Option<Instant>,
}

/// What the worker reports to the shell.
pub trait Notify: Send + 'static {
    /// The live state changed.
    fn state_changed(&self);
    /// A sync brought records from other devices.
    fn data_changed(&self);
}

/// The shell's handle on the worker.
#[derive(Clone)]
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

/// A stable code for a failed sync, in the words of docs/app-api.md.
pub fn error_code(e: &SyncError) -> String {
    match e {
        SyncError::Unreachable(_) => "NETWORK".into(),
        SyncError::Refused(api) => server_code(api.code).into(),
        SyncError::Client(_) => "INVALID_INPUT".into(),
        other => other.code().into(),
    }
}

/// The UI's code for an error code of the server.
pub fn server_code(code: teeka_protocol::ErrorCode) -> &'static str {
    use teeka_protocol::ErrorCode as E;
    match code {
        E::Unauthorized | E::Revoked => "UNAUTHORIZED",
        E::CodeInvalid => "CODE_INVALID",
        E::Internal | E::Unavailable => "SERVER",
        E::UnsupportedVersion => "UPDATE_APP",
        _ => "SERVER",
    }
}

/// Starts the worker thread.
pub fn start(store_path: PathBuf, notify: impl Notify) -> SyncHandle {
    let (tx, rx) = mpsc::channel();
    let live = Arc::new(Mutex::new(Live::default()));
    let handle = SyncHandle { tx, live: live.clone() };
    let spawned = std::thread::Builder::new()
        .name("teeka-sync".into())
        .spawn(move || Worker { store_path, store: None, live, failures: 0, notify }.run(rx));
    if let Err(e) = spawned {
        tracing::error!("cannot start the sync thread: {e}");
    }
    handle.kick(Kick::Now);
    handle
}

struct Worker<N: Notify> {
    store_path: PathBuf,
    store: Option<Store>,
    live: Arc<Mutex<Live>>,
    failures: usize,
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
        let mut next: Option<Instant> = None;
        loop {
            let wait = next.map_or(Duration::from_secs(3600), |t| t.saturating_duration_since(Instant::now()));
            match rx.recv_timeout(wait) {
                Ok(Kick::Changed) => {
                    let soon = Instant::now() + DEBOUNCE;
                    // A change while backing off after a failure waits for the back-off: the
                    // network is likely still down.
                    if self.failures == 0 {
                        next = Some(next.map_or(soon, |t| t.min(soon)));
                    }
                }
                Ok(Kick::Now) => next = Some(Instant::now()),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if next.is_some_and(|t| t <= Instant::now()) {
                next = self.sync_once(&rt);
                lock(&self.live).next_attempt = next;
                self.notify.state_changed();
            }
        }
    }

    /// One sync run; returns when the next one is due (`None`: not enrolled, wait for a kick).
    fn sync_once(&mut self, rt: &tokio::runtime::Runtime) -> Option<Instant> {
        if self.store.is_none() {
            match Store::open(&self.store_path) {
                Ok(s) => self.store = Some(s),
                Err(e) => {
                    self.failed(e.code().to_string(), e.to_string());
                    return Some(Instant::now() + self.backoff());
                }
            }
        }
        let store = self.store.as_mut()?;
        match store.enrollment() {
            Ok(Some(_)) => {}
            Ok(None) => {
                self.failures = 0;
                lock(&self.live).last_error = None;
                return None;
            }
            Err(e) => {
                self.failed(e.code().to_string(), e.to_string());
                return Some(Instant::now() + self.backoff());
            }
        }
        lock(&self.live).syncing = true;
        self.notify.state_changed();
        let result = rt.block_on(teeka_sync::sync(store, None, Config::default(), |_| {}));
        lock(&self.live).syncing = false;
        match result {
            Ok(Outcome::Complete(progress)) => {
                self.failures = 0;
                lock(&self.live).last_error = None;
                if progress.pulled > 0 {
                    self.notify.data_changed();
                }
                Some(Instant::now() + PERIOD)
            }
            Ok(Outcome::Failed { progress, error, code, .. }) => {
                if progress.pulled > 0 {
                    self.notify.data_changed();
                }
                let code = code.map_or("NETWORK", server_code);
                self.failed(code.to_string(), error);
                Some(Instant::now() + self.backoff())
            }
            Err(e) => {
                self.failed(error_code(&e), e.to_string());
                Some(Instant::now() + self.backoff())
            }
        }
    }

    fn failed(&mut self, code: String, message: String) {
        tracing::warn!("sync failed: {code}: {message}");
        self.failures += 1;
        lock(&self.live).last_error = Some((code, message));
    }

    fn backoff(&self) -> Duration {
        let i = self.failures.saturating_sub(1).min(BACKOFF.len() - 1);
        Duration::from_secs(BACKOFF[i])
    }
}
