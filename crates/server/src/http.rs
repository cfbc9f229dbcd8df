//! The HTTP face of the server: three POST endpoints, `GET /v1/devices`, `GET /v1/report`, a
//! health check and the API's OpenAPI description, gzip JSON bodies (plain JSON read too),
//! errors as `{code, message}` with a 4xx/5xx status, limits on body size and time.

use crate::db::Database;
use crate::service::Service;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{de::DeserializeOwned, Serialize};
use std::sync::Arc;
use std::time::Duration;
use teeka_protocol::{
    decode_request, encode, ApiError, CodecError, ErrorCode, DEVICES_PATH, ENROLL_PATH, HEALTH_PATH, MAX_BODY_BYTES,
    MAX_DECODED_BYTES, OLDEST_PUSH_VERSION, OPENAPI_PATH, PROTOCOL_VERSION, PULL_PATH, PUSH_PATH, REPORT_PATH,
    VERSION_HEADER,
};

/// How long one request may take before the server gives up on it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

struct Failure(ApiError);

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        Failure(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

pub fn router<D: Database>(service: Arc<Service<D>>) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(health))
        .route(OPENAPI_PATH, get(openapi))
        .route(ENROLL_PATH, post(enroll::<D>))
        .route(PUSH_PATH, post(push::<D>))
        .route(PULL_PATH, post(pull::<D>))
        .route(DEVICES_PATH, get(devices::<D>))
        .route(REPORT_PATH, get(report::<D>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(service)
}

async fn health() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok", "protocol": PROTOCOL_VERSION }))
}

/// `GET /v1/openapi.json`: made once, from the wire types (`crate::openapi`).
async fn openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| serde_json::to_vec(&crate::openapi::document()).unwrap_or_default());
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.as_slice()).into_response()
}

/// Checks the protocol version header: this server's version, or for what an app not yet
/// updated may still do (`old_ok`: enroll, push, the device list) [`OLDEST_PUSH_VERSION`] on.
fn check_version(headers: &HeaderMap, old_ok: bool) -> Result<(), Failure> {
    let version = headers.get(VERSION_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u32>().ok());
    let oldest = if old_ok { OLDEST_PUSH_VERSION } else { PROTOCOL_VERSION };
    match version {
        Some(v) if (oldest..=PROTOCOL_VERSION).contains(&v) => Ok(()),
        Some(v) if v < PROTOCOL_VERSION => Err(Failure(ApiError::new(
            ErrorCode::UnsupportedVersion,
            format!(
                "this server speaks protocol {PROTOCOL_VERSION}; it still receives your records, but update the app \
                 (protocol {v}) to receive the others' records"
            ),
        ))),
        _ => Err(Failure(ApiError::new(
            ErrorCode::UnsupportedVersion,
            format!("this server speaks protocol {PROTOCOL_VERSION}; update the app"),
        ))),
    }
}

/// Checks the protocol version and decodes the body.
fn read<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    old_ok: bool,
) -> Result<T, Failure> {
    check_version(headers, old_ok)?;
    let body = body.map_err(|e| {
        let code =
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE { ErrorCode::TooLarge } else { ErrorCode::BadRequest };
        Failure(ApiError::new(code, format!("the request body could not be read: {e}")))
    })?;
    decode_request(&body, MAX_DECODED_BYTES).map_err(|e| {
        let code = match e {
            CodecError::TooLarge(_) => ErrorCode::TooLarge,
            _ => ErrorCode::BadRequest,
        };
        Failure(ApiError::new(code, e.to_string()))
    })
}

fn write<T: Serialize>(value: &T) -> Result<Response, Failure> {
    let body = encode(value).map_err(|e| Failure(ApiError::new(ErrorCode::Internal, e.to_string())))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
        ],
        body,
    )
        .into_response())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

async fn enroll<D: Database>(
    State(svc): State<Arc<Service<D>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Failure> {
    let req = read(&headers, body, true)?;
    let resp = svc.enroll(req, Utc::now()).await?;
    tracing::info!(device = %resp.device_id, area = %resp.area.path, role = resp.role.as_str(), "enrolled");
    write(&resp)
}

async fn push<D: Database>(
    State(svc): State<Arc<Service<D>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Failure> {
    let device = svc.authenticate(bearer(&headers)).await?;
    let req: teeka_protocol::RawPushRequest = read(&headers, body, true)?;
    let n = req.events.len();
    let resp = svc.push_raw(&device, req, Utc::now()).await?;
    tracing::info!(device = %device.id, events = n, accepted = resp.accepted.len(), rejected = resp.rejected.len(), "push");
    write(&resp)
}

async fn pull<D: Database>(
    State(svc): State<Arc<Service<D>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Failure> {
    let device = svc.authenticate(bearer(&headers)).await?;
    let req: teeka_protocol::PullRequest = read(&headers, body, false)?;
    let resp = svc.pull(&device, req, Utc::now()).await?;
    tracing::debug!(device = %device.id, events = resp.events.len(), next = resp.next, "pull");
    write(&resp)
}

/// `GET /v1/devices`: no body; authenticated and versioned like push and pull (token first).
async fn devices<D: Database>(State(svc): State<Arc<Service<D>>>, headers: HeaderMap) -> Result<Response, Failure> {
    let device = svc.authenticate(bearer(&headers)).await?;
    check_version(&headers, true)?;
    let resp = svc.devices(&device).await?;
    tracing::debug!(device = %device.id, devices = resp.devices.len(), "devices");
    write(&resp)
}

/// The query of `GET /v1/report`: `round` (a number), `area` (a path), `on` (a date; absent:
/// the server's today), each once.
fn report_query(
    uri: &axum::http::Uri,
    today: teeka_domain::Date,
) -> Result<(u32, String, teeka_domain::Date), Failure> {
    let bad = |m: String| Failure(ApiError::new(ErrorCode::BadRequest, m));
    let axum::extract::Query(pairs) = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|e| bad(format!("the query could not be read: {e}")))?;
    let one = |name: &str| -> Result<Option<&str>, Failure> {
        let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(bad(format!("{name} is given twice")));
        }
        Ok(first)
    };
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !matches!(k.as_str(), "round" | "area" | "on")) {
        return Err(bad(format!("'{k}' is not a parameter of the report: give round, area and on")));
    }
    let round = one("round")?.ok_or_else(|| bad("round is missing: give round=N".into()))?;
    let round: u32 = round.trim().parse().map_err(|_| bad(format!("round: '{round}' is not a round number")))?;
    let area = one("area")?
        .filter(|a| !a.trim().is_empty())
        .ok_or_else(|| bad("area is missing: give area=PATH, e.g. area=UP/Sitapur/Mahmudabad".into()))?;
    let on = match one("on")? {
        Some(on) => chrono::NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d")
            .ok()
            .filter(|_| on.trim().len() == 10)
            .ok_or_else(|| bad(format!("on: '{on}' is not a date: write YYYY-MM-DD")))?,
        None => today,
    };
    Ok((round, area.to_string(), on))
}

/// `GET /v1/report`: no body; authenticated and versioned like the device list (token first).
async fn report<D: Database>(
    State(svc): State<Arc<Service<D>>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, Failure> {
    let device = svc.authenticate(bearer(&headers)).await?;
    check_version(&headers, false)?;
    let now = Utc::now();
    let (round, area, on) = report_query(&uri, now.with_timezone(&chrono::Local).date_naive())?;
    let report = svc.report_for(&device, round, &area, on, now).await?;
    tracing::debug!(device = %device.id, round, area = %area, "report");
    write(&report)
}
