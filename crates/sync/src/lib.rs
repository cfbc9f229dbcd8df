//! Device sync: the sans-IO [`machine`], and the one driver, [`drive`], that runs it against the
//! store over a [`Transport`] with a [`Clock`]. [`sync`] and [`enroll`] are the driver over HTTP
//! ([`Client`]) with the real clock; `tests/sim.rs` runs the same driver over a simulated lossy
//! network with simulated time.

pub mod backoff;
mod http;
pub mod machine;
mod transport;
pub mod window;

pub use backoff::Backoff;
pub use http::{pinned_certificates, Client};
pub use transport::{Clock, SystemClock, Transport};

use machine::{Config, Failure, Machine, Outcome, Progress, Reply, Request, Step};
use teeka_protocol::{ApiError, DevicesResponse, EnrollRequest, EnrollResponse, ErrorCode};
use teeka_store::{Enrollment, Store, StoreError};

/// Errors of the sync driver.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("this device is not enrolled: run `teeka enroll --server URL --code CODE` first")]
    NotEnrolled,
    #[error("could not reach the server: {0}")]
    Unreachable(String),
    #[error("the server refused: {0}")]
    Refused(ApiError),
    /// The server's certificate is not one this device trusts ([`Client::pinned`]).
    #[error("the server is not trusted: {0}")]
    Untrusted(String),
    #[error("{0}")]
    Client(String),
}

impl SyncError {
    /// A stable code for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Store(e) => e.code(),
            SyncError::NotEnrolled => "NOT_ENROLLED",
            SyncError::Unreachable(_) => "NETWORK",
            SyncError::Refused(e) => e.code.as_str(),
            SyncError::Untrusted(_) => ErrorCode::UntrustedServer.as_str(),
            SyncError::Client(_) => "INVALID_INPUT",
        }
    }
}

/// How many times a one-shot request (enroll, devices) is tried before giving up; the waits
/// between tries are [`backoff::ONE_SHOT`]'s (1, 2, 4, 8 s).
const ATTEMPTS: u32 = 5;

/// Runs `attempt` until it succeeds, fails for good (a refusal that is not retryable), or failed
/// [`ATTEMPTS`] times, sleeping on `clock` between attempts.
async fn retrying<A, F, Fut>(clock: &impl Clock, mut attempt: F) -> Result<A, SyncError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<A, Failure>>,
{
    let mut failures = 0;
    loop {
        match attempt().await {
            Ok(r) => return Ok(r),
            Err(Failure::Server(e)) if e.code == ErrorCode::UntrustedServer => {
                return Err(SyncError::Untrusted(e.message))
            }
            Err(Failure::Server(e)) if !e.code.is_retryable() => return Err(SyncError::Refused(e)),
            Err(f) => {
                failures += 1;
                if failures >= ATTEMPTS {
                    return Err(match f {
                        Failure::Server(e) => SyncError::Refused(e),
                        Failure::Transport(t) => SyncError::Unreachable(t),
                    });
                }
                clock.sleep(backoff::ONE_SHOT.delay(failures, 0)).await;
            }
        }
    }
}

/// Exchanges a one-time code for a device token over HTTP, and keeps the enrollment in the
/// store. Safe to repeat: enrolling again with the same code gives this device a fresh token.
/// With `server_cert` (PEM), the server is trusted only by that certificate ([`Client::pinned`]),
/// now and at every sync after.
pub async fn enroll(
    store: &mut Store,
    server_url: &str,
    code: &str,
    server_cert: Option<&str>,
) -> Result<EnrollResponse, SyncError> {
    let client = Client::pinned(server_url, None, server_cert)?;
    enroll_with(store, &client, &SystemClock::new(), server_url, code, server_cert).await
}

/// [`enroll`] over any transport: `server_url` and `server_cert` are what the enrollment keeps.
/// Tried again as [`retrying`] says.
pub async fn enroll_with(
    store: &mut Store,
    transport: &impl Transport,
    clock: &impl Clock,
    server_url: &str,
    code: &str,
    server_cert: Option<&str>,
) -> Result<EnrollResponse, SyncError> {
    let req = EnrollRequest { code: code.to_string(), device_id: store.device_id() };
    let resp: EnrollResponse = retrying(clock, || transport.enroll(req.clone())).await?;
    store.save_enrollment(&Enrollment {
        server_url: server_url.trim_end_matches('/').to_string(),
        token: resp.token.clone(),
        area_id: resp.area.id,
        area: resp.area.path.clone(),
        role: resp.role.as_str().to_string(),
        server_cert: server_cert.map(str::to_string),
    })?;
    Ok(resp)
}

/// The devices enrolled within this device's area (a supervisor's view). Transport failures and
/// retryable server errors are tried again (1, 2, 4, 8 s); a refusal (`UNAUTHORIZED`, `REVOKED`,
/// …) is returned at once as [`SyncError::Refused`].
pub async fn devices_with(transport: &impl Transport, clock: &impl Clock) -> Result<DevicesResponse, SyncError> {
    retrying(clock, || transport.devices()).await
}

/// Runs one sync over HTTP with the real clock: pushes everything pending, then pulls everything
/// new. `server_url` overrides the enrolled server for this run. `progress` is told after every
/// step that moved data.
pub async fn sync(
    store: &mut Store,
    server_url: Option<&str>,
    cfg: Config,
    progress: impl FnMut(Progress),
) -> Result<Outcome, SyncError> {
    let enrollment = store.enrollment()?.ok_or(SyncError::NotEnrolled)?;
    let client = Client::pinned(
        server_url.unwrap_or(&enrollment.server_url),
        Some(enrollment.token),
        enrollment.server_cert.as_deref(),
    )?;
    drive(store, &client, &SystemClock::new(), cfg, progress).await
}

/// The driver: runs the [`Machine`] to its end against the store, sending its requests over
/// `transport` and waiting on `clock`, then records the outcome in the store. `progress` is told
/// after every step that moved data.
pub async fn drive(
    store: &mut Store,
    transport: &impl Transport,
    clock: &impl Clock,
    cfg: Config,
    mut progress: impl FnMut(Progress),
) -> Result<Outcome, SyncError> {
    let mut machine = Machine::new(cfg, store.pull_cursor()?);
    let outcome = loop {
        match machine.poll(clock.monotonic_ms()) {
            Step::ReadOutbox { limit } => {
                let events = store.outbox(limit)?;
                let pending = store.pending_count()?;
                machine.outbox(events, pending, clock.now().timestamp_millis());
            }
            Step::Send(Request::Push(req)) => {
                let reply = transport.push(req).await.map(Reply::Push);
                machine.on_reply(reply, clock.monotonic_ms());
            }
            Step::Send(Request::Pull(req)) => {
                let reply = transport.pull(req).await.map(Reply::Pull);
                machine.on_reply(reply, clock.monotonic_ms());
            }
            Step::Acknowledge { accepted, rejected } => {
                let rejected: Vec<_> =
                    rejected.into_iter().map(|r| (r.id, r.code.as_str().to_string(), r.message)).collect();
                store.acknowledge(&accepted, &rejected, clock.now())?;
                machine.applied();
                progress(machine.progress());
            }
            Step::ApplyPage { events, next } => {
                store.apply_pulled(&events, next, clock.now())?;
                machine.applied();
                progress(machine.progress());
            }
            Step::Wait { until_ms } => {
                let wait = until_ms.saturating_sub(clock.monotonic_ms()).max(1);
                clock.sleep(std::time::Duration::from_millis(wait)).await;
            }
            Step::Done(outcome) => break outcome,
        }
    };
    let error = match &outcome {
        Outcome::Complete(_) => None,
        Outcome::Failed { error, .. } => Some(error.as_str()),
    };
    store.record_sync_outcome(clock.now(), error)?;
    Ok(outcome)
}
