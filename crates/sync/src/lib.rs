//! Device sync: the sans-IO [`machine`] and the driver that runs it over HTTP against the store.

pub mod machine;

use chrono::Utc;
use machine::{Config, Failure, Machine, Outcome, Progress, Reply, Request, Step};
use std::time::Duration;
use teeka_protocol::{
    decode, encode, ApiError, DevicesResponse, EnrollRequest, EnrollResponse, ErrorCode, PullResponse, PushResponse,
    DEVICES_PATH, ENROLL_PATH, MAX_DECODED_BYTES, PROTOCOL_VERSION, PULL_PATH, PUSH_PATH, VERSION_HEADER,
};
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
    #[error("{0}")]
    Client(String),
}

impl SyncError {
    /// A stable code for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Store(e) => e.code(),
            SyncError::NotEnrolled => "NOT_ENROLLED",
            SyncError::Unreachable(_) => "SERVER_UNREACHABLE",
            SyncError::Refused(e) => e.code.as_str(),
            SyncError::Client(_) => "CLIENT",
        }
    }
}

/// An HTTP client for one server.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    pub fn new(server_url: &str, token: Option<String>) -> Result<Client, SyncError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(90))
            .build()
            .map_err(|e| SyncError::Client(e.to_string()))?;
        Ok(Client { http, base: server_url.trim_end_matches('/').to_string(), token })
    }

    /// Posts a body; a transport failure or an error status comes back as a [`Failure`].
    async fn post<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &Q,
    ) -> Result<A, Failure> {
        let bytes = encode(body).map_err(|e| Failure::Transport(format!("cannot encode the request: {e}")))?;
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(bytes);
        self.send(req).await
    }

    /// Gets a path (no body); a transport failure or an error status comes back as a [`Failure`].
    async fn get<A: serde::de::DeserializeOwned>(&self, path: &str) -> Result<A, Failure> {
        self.send(self.http.get(format!("{}{path}", self.base))).await
    }

    /// Sends a request with the version header and the token, and reads the gzip JSON answer.
    async fn send<A: serde::de::DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<A, Failure> {
        let mut req = req.header(VERSION_HEADER, PROTOCOL_VERSION.to_string());
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| Failure::Transport(describe(&e)))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| Failure::Transport(describe(&e)))?;
        if status.is_success() {
            return decode(&body, MAX_DECODED_BYTES).map_err(|e| Failure::Transport(format!("unreadable answer: {e}")));
        }
        match serde_json::from_slice::<ApiError>(&body) {
            Ok(e) => Err(Failure::Server(e)),
            // Not our server's error (a proxy, a captive portal): treat as the network failing.
            Err(_) if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 => {
                Err(Failure::Transport(format!("the server answered {status}")))
            }
            Err(_) => {
                Err(Failure::Server(ApiError::new(ErrorCode::BadRequest, format!("the server answered {status}"))))
            }
        }
    }

    /// `GET /v1/devices`: the devices enrolled within this device's area (a supervisor's view).
    /// Transport failures and retryable server errors are tried again a few times with back-off;
    /// a refusal (`UNAUTHORIZED`, `REVOKED`, …) is returned at once as [`SyncError::Refused`].
    pub async fn devices(&self) -> Result<DevicesResponse, SyncError> {
        retrying(|| self.get(DEVICES_PATH)).await
    }
}

/// How many times a one-shot request (enroll, devices) is tried before giving up.
const ATTEMPTS: u32 = 5;

/// Runs `attempt` until it succeeds, fails for good, or failed [`ATTEMPTS`] times, waiting 1 s,
/// 2 s, 4 s, 8 s between attempts.
async fn retrying<A, F, Fut>(mut attempt: F) -> Result<A, SyncError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<A, Failure>>,
{
    let mut failures = 0;
    loop {
        match attempt().await {
            Ok(r) => return Ok(r),
            Err(Failure::Server(e)) if !e.code.is_retryable() => return Err(SyncError::Refused(e)),
            Err(f) => {
                failures += 1;
                if failures >= ATTEMPTS {
                    return Err(match f {
                        Failure::Server(e) => SyncError::Refused(e),
                        Failure::Transport(t) => SyncError::Unreachable(t),
                    });
                }
                tokio::time::sleep(Duration::from_millis(500 << failures)).await;
            }
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Exchanges a one-time code for a device token, and keeps the enrollment in the store.
/// Safe to repeat: enrolling again with the same code gives this device a fresh token.
pub async fn enroll(store: &mut Store, server_url: &str, code: &str) -> Result<EnrollResponse, SyncError> {
    let client = Client::new(server_url, None)?;
    let req = EnrollRequest { code: code.to_string(), device_id: store.device_id() };
    let resp: EnrollResponse = retrying(|| client.post(ENROLL_PATH, &req)).await?;
    store.save_enrollment(&Enrollment {
        server_url: server_url.trim_end_matches('/').to_string(),
        token: resp.token.clone(),
        area_id: resp.area.id,
        area: resp.area.path.clone(),
        role: resp.role.as_str().to_string(),
    })?;
    Ok(resp)
}

/// Runs one sync: pushes everything pending, then pulls everything new. `server_url` overrides
/// the enrolled server for this run. `progress` is told after every step that moved data.
pub async fn sync(
    store: &mut Store,
    server_url: Option<&str>,
    cfg: Config,
    mut progress: impl FnMut(Progress),
) -> Result<Outcome, SyncError> {
    let enrollment = store.enrollment()?.ok_or(SyncError::NotEnrolled)?;
    let client = Client::new(server_url.unwrap_or(&enrollment.server_url), Some(enrollment.token))?;
    let mut machine = Machine::new(cfg, store.pull_cursor()?);
    let start = std::time::Instant::now();
    let now_ms = || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let outcome = loop {
        match machine.poll(now_ms()) {
            Step::ReadOutbox { limit } => {
                let events = store.outbox(limit)?;
                let pending = store.pending_count()?;
                machine.outbox(events, pending, Utc::now().timestamp_millis());
            }
            Step::Send(Request::Push(req)) => {
                let reply = client.post::<_, PushResponse>(PUSH_PATH, &req).await.map(Reply::Push);
                machine.on_reply(reply, now_ms());
            }
            Step::Send(Request::Pull(req)) => {
                let reply = client.post::<_, PullResponse>(PULL_PATH, &req).await.map(Reply::Pull);
                machine.on_reply(reply, now_ms());
            }
            Step::Acknowledge { accepted, rejected } => {
                let rejected: Vec<_> =
                    rejected.into_iter().map(|r| (r.id, r.code.as_str().to_string(), r.message)).collect();
                store.acknowledge(&accepted, &rejected, Utc::now())?;
                machine.applied();
                progress(machine.progress());
            }
            Step::ApplyPage { events, next } => {
                store.apply_pulled(&events, next, Utc::now())?;
                machine.applied();
                progress(machine.progress());
            }
            Step::Wait { until_ms } => {
                let wait = until_ms.saturating_sub(now_ms()).max(1);
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            Step::Done(outcome) => break outcome,
        }
    };
    let error = match &outcome {
        Outcome::Complete(_) => None,
        Outcome::Failed { error, .. } => Some(error.as_str()),
    };
    store.record_sync_outcome(Utc::now(), error)?;
    Ok(outcome)
}
