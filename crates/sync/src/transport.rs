//! What the driver needs from the outside world, as two traits: a [`Transport`] to the server
//! and a [`Clock`]. The HTTP [`Client`](crate::Client) and the [`SystemClock`] are the real ones;
//! `tests/sim.rs` has a simulated lossy network in front of the server's logic and simulated
//! time.

use chrono::{DateTime, Utc};
use std::future::Future;
use std::time::{Duration, Instant};
use teeka_protocol::{
    DevicesResponse, EnrollRequest, EnrollResponse, PullRequest, PullResponse, PushRequest, PushResponse,
};

use crate::machine::Failure;

/// The requests of the sync protocol (docs/sync-protocol.md). Every one is safe to repeat; a
/// lost request or a lost answer is a [`Failure::Transport`], an error answer a
/// [`Failure::Server`].
pub trait Transport {
    fn push(&self, req: PushRequest) -> impl Future<Output = Result<PushResponse, Failure>>;
    fn pull(&self, req: PullRequest) -> impl Future<Output = Result<PullResponse, Failure>>;
    fn enroll(&self, req: EnrollRequest) -> impl Future<Output = Result<EnrollResponse, Failure>>;
    /// The devices within this device's area.
    fn devices(&self) -> impl Future<Output = Result<DevicesResponse, Failure>>;
}

/// Time as the driver sees it.
pub trait Clock {
    /// Milliseconds on a clock that never goes back (the machine's waits are measured on it).
    fn monotonic_ms(&self) -> u64;
    /// The wall clock: the store's `now`, and the device's time sent to the server.
    fn now(&self) -> DateTime<Utc>;
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
}

/// The real clock: `Instant` since creation, `Utc::now()`, Tokio's sleep.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    pub fn new() -> SystemClock {
        SystemClock { start: Instant::now() }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn monotonic_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        tokio::time::sleep(duration)
    }
}
