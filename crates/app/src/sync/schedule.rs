//! When the sync worker runs: a pure policy, kept apart from the worker's thread and clock so
//! that it is tested on its own.

use std::time::{Duration, Instant};
use teeka_sync::Backoff;

/// How long after a local change the sync starts (more changes in that time join it).
pub const DEBOUNCE: Duration = Duration::from_secs(3);
/// Between syncs when all is well (to receive what other devices recorded).
pub const PERIOD: Duration = Duration::from_secs(15 * 60);
/// Between failed runs: 10 s doubling up to 2 min, so that the network coming back is noticed
/// within two minutes. No jitter: each device retries on its own timetable already.
pub const BETWEEN_RUNS: Backoff = Backoff::exponential(10_000, 120_000);
/// How long the worker sleeps when nothing is due (it wakes earlier when kicked).
const IDLE: Duration = Duration::from_secs(3600);

/// When the next sync is due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// When the next sync is due; `None`: only when kicked.
    pub next: Option<Instant>,
    /// Failed runs in a row.
    pub failures: u32,
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
        self.next.map_or(IDLE, |t| t.saturating_duration_since(now))
    }

    pub fn succeeded(&mut self, now: Instant) {
        self.failures = 0;
        self.next = Some(now + PERIOD);
    }

    /// A failed run: try again after [`BETWEEN_RUNS`], which grows with each failure in a row.
    pub fn failed(&mut self, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        self.next = Some(now + BETWEEN_RUNS.delay(self.failures, 0));
    }

    /// Not enrolled: nothing to do until kicked.
    pub fn idle(&mut self) {
        self.failures = 0;
        self.next = None;
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
}
