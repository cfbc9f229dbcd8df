//! The HTTP transport: the protocol's requests over reqwest (gzip JSON, the version header, the
//! device's token).

use std::time::Duration;
use teeka_protocol::{
    decode, encode, ApiError, DevicesResponse, EnrollRequest, EnrollResponse, ErrorCode, PullRequest, PullResponse,
    PushRequest, PushResponse, DEVICES_PATH, ENROLL_PATH, MAX_BODY_BYTES, MAX_DECODED_BYTES, PROTOCOL_VERSION,
    PULL_PATH, PUSH_PATH, REPORT_PATH, VERSION_HEADER,
};

use crate::machine::Failure;
use crate::transport::{SystemClock, Transport};
use crate::SyncError;

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
        if bytes.len() > MAX_BODY_BYTES {
            // The server would refuse it after the upload: halve without sending it.
            return Err(Failure::Server(ApiError::new(
                ErrorCode::TooLarge,
                format!("the request is {} bytes compressed, over the {MAX_BODY_BYTES} a server accepts", bytes.len()),
            )));
        }
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
        crate::devices_with(self, &SystemClock::new()).await
    }

    /// `GET /v1/report`: round `round`'s report of the area at `area` (a path within this
    /// device's area) on `on`. Retried as [`Client::devices`]; `OUT_OF_SCOPE`, `UNKNOWN_ENTITY`
    /// (no such area) and `UNKNOWN_ROUND` come back as [`SyncError::Refused`].
    pub async fn report(
        &self,
        round: u32,
        area: &str,
        on: teeka_domain::Date,
    ) -> Result<teeka_domain::monitor::Report, SyncError> {
        let path = format!("{REPORT_PATH}?round={round}&area={}&on={}", query_text(area), teeka_domain::iso(on));
        crate::retrying(&SystemClock::new(), || self.get(&path)).await
    }
}

/// A query value, percent-encoded (everything but unreserved ASCII).
fn query_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

impl Transport for Client {
    async fn push(&self, req: PushRequest) -> Result<PushResponse, Failure> {
        self.post(PUSH_PATH, &req).await
    }

    async fn pull(&self, req: PullRequest) -> Result<PullResponse, Failure> {
        self.post(PULL_PATH, &req).await
    }

    async fn enroll(&self, req: EnrollRequest) -> Result<EnrollResponse, Failure> {
        self.post(ENROLL_PATH, &req).await
    }

    async fn devices(&self) -> Result<DevicesResponse, Failure> {
        self.get(DEVICES_PATH).await
    }
}
