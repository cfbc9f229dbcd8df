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

/// Set to `1` to let a device speak plain `http://` to a public host (a test bench, a server
/// behind a VPN): never in the field.
pub const ALLOW_HTTP_VAR: &str = "TEEKA_ALLOW_HTTP";

/// Whether a server URL may carry the register: `https://` anywhere; plain `http://` only to
/// this device (loopback) or a private network (10/8, 172.16/12, 192.168/16, link-local, IPv6
/// unique-local), unless `allow_http`. Tokens and children's records never cross the internet
/// in clear.
pub fn check_server_url(server_url: &str, allow_http: bool) -> Result<(), SyncError> {
    let url = reqwest::Url::parse(server_url.trim())
        .map_err(|e| SyncError::Client(format!("'{server_url}' is not a server address ({e})")))?;
    let private = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Some(url::Host::Ipv6(ip)) => {
            let first = ip.segments()[0];
            ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if private || allow_http => Ok(()),
        "http" => Err(SyncError::Client(format!(
            "{server_url} is plain http:// to a host on the internet: the token and the register would cross it in \
             clear; use https:// (or, on a test bench only, set {ALLOW_HTTP_VAR}=1)"
        ))),
        other => Err(SyncError::Client(format!("'{server_url}': a server address is https:// (not {other}://)"))),
    }
}

/// The certificates of a PEM bundle that a device pins: the server's own (self-signed)
/// certificate, or the certificate authority that issued it. At least one, each well formed.
pub fn pinned_certificates(pem: &str) -> Result<Vec<reqwest::Certificate>, SyncError> {
    let bad = |reason: String| SyncError::Client(format!("the pinned server certificate is not usable: {reason}"));
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into()));
    }
    Ok(certs)
}

impl Client {
    /// A client of `server_url` that trusts the system's certificate authorities
    /// ([`Client::pinned`] with no pin).
    pub fn new(server_url: &str, token: Option<String>) -> Result<Client, SyncError> {
        Client::pinned(server_url, token, None)
    }

    /// A client of `server_url` ([`check_server_url`]: plain `http://` only to a private
    /// address, unless [`ALLOW_HTTP_VAR`] is `1`). With `pin` (PEM), an `https://` server is
    /// trusted only if its certificate is, or was issued by, one of the pinned certificates; the
    /// system's authorities are not consulted, and the host name is still checked.
    pub fn pinned(server_url: &str, token: Option<String>, pin: Option<&str>) -> Result<Client, SyncError> {
        let allow_http = std::env::var(ALLOW_HTTP_VAR).is_ok_and(|v| v == "1");
        check_server_url(server_url, allow_http)?;
        // The process's TLS provider, ring, unless one is installed already (reqwest is built
        // without one of its own: `rustls-no-provider`).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder =
            reqwest::Client::builder().connect_timeout(Duration::from_secs(15)).timeout(Duration::from_secs(90));
        if server_url.trim_start().get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://")) {
            // Plain HTTP needs no certificate: the system's roots (about 45 ms to read at every
            // start) are not loaded.
            builder = builder.tls_certs_only(std::iter::empty());
        } else if let Some(pem) = pin {
            builder = builder.tls_certs_only(pinned_certificates(pem)?);
        }
        let http = builder.build().map_err(|e| SyncError::Client(e.to_string()))?;
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
        let resp = req.send().await.map_err(|e| sent_failure(&e))?;
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

/// A request that got no answer: the network failing (tried again), or a server certificate
/// this device does not trust (rustls's "invalid peer certificate": not tried again, since the
/// same certificate would be refused the same way).
fn sent_failure(e: &reqwest::Error) -> Failure {
    let text = describe(e);
    if text.contains("invalid peer certificate") {
        return Failure::Server(ApiError::new(
            ErrorCode::UntrustedServer,
            format!(
                "the server's certificate is not the pinned one, nor from an authority this device trusts ({text})"
            ),
        ));
    }
    Failure::Transport(text)
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

#[cfg(test)]
mod tests {
    use super::check_server_url;

    #[test]
    fn plain_http_goes_only_to_this_device_or_a_private_network() {
        for ok in [
            "https://teeka.up.gov.in",
            "https://203.0.113.7:8443/",
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://10.1.2.3",
            "http://172.20.0.5:8080",
            "http://192.168.1.10",
            "http://169.254.3.4",
            "http://[::1]:8080",
            "http://[fd12:3456::1]",
        ] {
            assert!(check_server_url(ok, false).is_ok(), "{ok}");
        }
        for refused in
            ["http://teeka.up.gov.in", "http://203.0.113.7:8080", "http://172.32.0.1", "http://[2001:db8::1]"]
        {
            let e = check_server_url(refused, false).unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT");
            assert!(e.to_string().contains("use https://"), "{e}");
            assert!(check_server_url(refused, true).is_ok(), "told otherwise: {refused}");
        }
        assert!(check_server_url("ftp://x", true).is_err());
        assert!(check_server_url("not a url", true).is_err());
    }
}
