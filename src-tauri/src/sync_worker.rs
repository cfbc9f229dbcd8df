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

/// When the next sync is due: the worker's policy, kept apart from its thread and its clock so
/// that it can be tested on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// When the next sync is due; `None`: only when kicked.
    pub next: Option<Instant>,
    /// Failed runs in a row.
    pub failures: usize,
}

impl Schedule {
    /// A local change: sync `DEBOUNCE` after it (a burst of changes shares one sync), unless a
    /// sync is due sooner, or the last run failed (the network is likely still down: the back-off
    /// stands).
    pub fn changed(&mut self, now: Instant) {
        if self.failures == 0 {
            let soon = now + DEBOUNCE;
            self.next = Some(self.next.map_or(soon, |t| t.min(soon)));
        }
    }

    /// Start, "Sync now", just enrolled: at once.
    pub fn now(&mut self, now: Instant) {
        self.next = Some(now);
    }

    pub fn is_due(&self, now: Instant) -> bool {
        self.next.is_some_and(|t| t <= now)
    }

    /// How long to sleep before looking again.
    pub fn wait(&self, now: Instant) -> Duration {
        self.next.map_or(Duration::from_secs(3600), |t| t.saturating_duration_since(now))
    }

    pub fn succeeded(&mut self, now: Instant) {
        self.failures = 0;
        self.next = Some(now + PERIOD);
    }

    /// A failed run: try again after a back-off that grows with each failure in a row.
    pub fn failed(&mut self, now: Instant) {
        self.failures += 1;
        let i = (self.failures - 1).min(BACKOFF.len() - 1);
        self.next = Some(now + Duration::from_secs(BACKOFF[i]));
    }

    /// Not enrolled: nothing to do until kicked.
    pub fn idle(&mut self) {
        self.failures = 0;
        self.next = None;
    }
}

/// One run retries a dropped request a few times at short intervals (a 2G link drops mid-request
/// and comes back), then gives up and tells the worker; the longer waits are the `Schedule`'s,
/// between runs, so the sync bar says "offline" within seconds rather than after a minute.
pub fn run_config() -> Config {
    Config { max_failures: 4, backoff_max_ms: 8_000, ..Config::default() }
}

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
        .spawn(move || Worker { store_path, store: None, live, schedule: Schedule::default(), notify }.run(rx));
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
                lock(&self.live).next_attempt = self.schedule.next;
                self.notify.state_changed();
            }
        }
    }

    /// One sync run; updates the schedule.
    fn sync_once(&mut self, rt: &tokio::runtime::Runtime) {
        if self.store.is_none() {
            match Store::open(&self.store_path) {
                Ok(s) => self.store = Some(s),
                Err(e) => return self.failed(e.code().to_string(), e.to_string()),
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
            Err(e) => return self.failed(e.code().to_string(), e.to_string()),
        }
        lock(&self.live).syncing = true;
        self.notify.state_changed();
        let result = rt.block_on(teeka_sync::sync(store, None, run_config(), |_| {}));
        lock(&self.live).syncing = false;
        match result {
            Ok(Outcome::Complete(progress)) => {
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
                self.failed(code.map_or("NETWORK", server_code).to_string(), error);
            }
            Err(e) => self.failed(error_code(&e), e.to_string()),
        }
    }

    fn failed(&mut self, code: String, message: String) {
        tracing::warn!("sync failed: {code}: {message}");
        self.schedule.failed(Instant::now());
        lock(&self.live).last_error = Some((code, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t0: Instant, secs: u64) -> Instant {
        t0 + Duration::from_secs(secs)
    }

    #[test]
    fn a_burst_of_changes_shares_one_sync() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        assert!(!s.is_due(t0));
        s.changed(t0);
        s.changed(at(t0, 1));
        s.changed(at(t0, 2));
        // Due DEBOUNCE after the first change: a burst never postpones the sync for ever.
        assert_eq!(s.next, Some(t0 + DEBOUNCE));
        assert!(!s.is_due(at(t0, 2)));
        assert!(s.is_due(t0 + DEBOUNCE));
    }

    #[test]
    fn failures_back_off_up_to_two_minutes_and_a_success_resets() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.now(t0);
        let mut waits = Vec::new();
        for _ in 0..7 {
            s.failed(t0);
            waits.push(s.wait(t0).as_secs());
        }
        assert_eq!(waits, [10, 20, 40, 80, 120, 120, 120]);
        // While failing, a change does not hurry the next try (the network is likely down)...
        s.changed(t0);
        assert_eq!(s.wait(t0).as_secs(), 120);
        // ... but "Sync now" does.
        s.now(t0);
        assert!(s.is_due(t0));
        s.succeeded(t0);
        assert_eq!((s.failures, s.wait(t0)), (0, PERIOD));
        // After a success a change syncs within DEBOUNCE again.
        s.changed(t0);
        assert_eq!(s.wait(t0), DEBOUNCE);
    }

    #[test]
    fn not_enrolled_waits_for_a_kick() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.failed(t0);
        s.idle();
        assert_eq!(s, Schedule::default());
        assert!(!s.is_due(at(t0, 100_000)));
        assert_eq!(s.wait(t0), Duration::from_secs(3600));
    }

    #[test]
    fn errors_get_the_codes_the_ui_translates() {
        use teeka_protocol::{ApiError, ErrorCode};
        assert_eq!(error_code(&SyncError::Unreachable("timed out".into())), "NETWORK");
        assert_eq!(error_code(&SyncError::NotEnrolled), "NOT_ENROLLED");
        assert_eq!(error_code(&SyncError::Refused(ApiError::new(ErrorCode::Revoked, "no"))), "UNAUTHORIZED");
        assert_eq!(error_code(&SyncError::Refused(ApiError::new(ErrorCode::CodeInvalid, "no"))), "CODE_INVALID");
        assert_eq!(error_code(&SyncError::Refused(ApiError::new(ErrorCode::Unavailable, "no"))), "SERVER");
        assert_eq!(error_code(&SyncError::Refused(ApiError::new(ErrorCode::UnsupportedVersion, "no"))), "UPDATE_APP");
        assert_eq!(error_code(&SyncError::Client("bad url".into())), "INVALID_INPUT");
    }
}
