//! The sync protocol between a device and the central server (version 3): wire types, stable
//! error codes, and the body codec. Specified in `docs/sync-protocol.md`.
//!
//! Every request is a POST of a gzip-compressed JSON body to `/v1/...` (or a GET without a body,
//! for `/v1/devices` and `/v1/report`; the server also reads a plain JSON body); every answer is the same encoding, or an [`ApiError`] with a 4xx/5xx
//! status. Every request is safe to repeat.

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::io::{Read, Write};
use teeka_domain::{AreaLevel, Event};
use uuid::Uuid;

/// The protocol version this build speaks, sent in the [`VERSION_HEADER`] of every request.
/// Version 2 carries event kinds a version-1 app cannot read (the field-fit pass's and the
/// campaign's: `docs/sync-protocol.md`, "Versions").
pub const PROTOCOL_VERSION: u32 = 3;
/// The oldest version a server still takes enrollments, pushes and device lists from, so that an
/// app not yet updated never loses a record. Its pulls are refused with `UNSUPPORTED_VERSION`:
/// the log holds events it cannot read.
pub const OLDEST_PUSH_VERSION: u32 = 1;
pub const VERSION_HEADER: &str = "x-teeka-protocol";

/// Paths of the endpoints.
pub const ENROLL_PATH: &str = "/v1/enroll";
pub const PUSH_PATH: &str = "/v1/push";
pub const PULL_PATH: &str = "/v1/pull";
/// `GET`: the devices enrolled within the requesting device's area.
pub const DEVICES_PATH: &str = "/v1/devices";
/// `GET ?round=N&area=PATH[&on=YYYY-MM-DD]`: a round's report (`teeka_domain::monitor::Report`
/// as JSON) of an area within the requesting device's area.
pub const REPORT_PATH: &str = "/v1/report";
pub const HEALTH_PATH: &str = "/health";
/// `GET`: the OpenAPI 3.1 description of this API (no token, no version header).
pub const OPENAPI_PATH: &str = "/v1/openapi.json";

/// Largest request body accepted, compressed, and once decompressed.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
pub const MAX_DECODED_BYTES: usize = 32 * 1024 * 1024;
/// Most events in one push. The body limits allow more: usual events are 310–450 B of JSON and
/// 23–34 B of gzip each, so a push reaches [`MAX_DECODED_BYTES`] at 75,000–100,000 of them (and
/// [`MAX_BODY_BYTES`] at over 120,000). 10,000 usual events are 3–4.5 MB decompressed, so events
/// seven times larger than usual still fit, and a push's one transaction on the server stays
/// short (about 0.2 s).
/// Servers before issue 13 took at most [`V1_MAX_PUSH_EVENTS`]: they answer more with
/// `TOO_LARGE`, and the device halves its batch (docs/sync-protocol.md, "Adaptive batches").
pub const MAX_PUSH_EVENTS: usize = 10_000;
/// The per-push limit of servers before issue 13.
pub const V1_MAX_PUSH_EVENTS: usize = 2_000;
/// Most events in one pull page: a server asked for more answers this many. An answer has no
/// body limit on the server's side, but the device decodes at most [`MAX_DECODED_BYTES`]; 5,000
/// keeps a page of events even 6 KB each inside it.
pub const MAX_PULL_EVENTS: u32 = 5_000;

/// What a device may do: an ASHA surveys, an ANM runs sessions, a supervisor oversees a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Role {
    Asha,
    Anm,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Asha => "asha",
            Role::Anm => "anm",
            Role::Supervisor => "supervisor",
        }
    }

    /// The domain's role of the same name (`teeka_domain::roles`: who may record what).
    pub fn worker_role(self) -> teeka_domain::WorkerRole {
        match self {
            Role::Asha => teeka_domain::WorkerRole::Asha,
            Role::Anm => teeka_domain::WorkerRole::Anm,
            Role::Supervisor => teeka_domain::WorkerRole::Supervisor,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "asha" => Ok(Role::Asha),
            "anm" => Ok(Role::Anm),
            "supervisor" => Ok(Role::Supervisor),
            other => Err(format!("unknown role '{other}' (expected asha, anm or supervisor)")),
        }
    }
}

/// An area of the hierarchy as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AreaInfo {
    pub id: Uuid,
    pub level: AreaLevel,
    pub name: String,
    /// `State/District/Block/Subcentre/Village`, as far down as the area goes.
    pub path: String,
}

/// `POST /v1/enroll`: exchange a one-time code for a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EnrollRequest {
    pub code: String,
    pub device_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EnrollResponse {
    pub device_id: Uuid,
    /// Bearer token for every later request. The server keeps only its hash. A repeated enroll
    /// with the same code and device id gets a fresh token and the old one stops working.
    pub token: String,
    pub area: AreaInfo,
    pub role: Role,
}

/// `POST /v1/push`: events of this device not yet acknowledged, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushRequest {
    pub events: Vec<Event>,
    /// Events still waiting on the device after this batch (for the supervisor's view).
    pub pending: u64,
    /// The device's wall clock when sending, in Unix milliseconds (to measure its skew).
    pub device_time_ms: i64,
}

/// A push as the server reads it: each event is read on its own, so that one event it cannot
/// read (from a newer app, or damaged) is refused alone instead of failing the whole batch.
#[derive(Debug, Deserialize)]
pub struct RawPushRequest {
    /// Each event's JSON as sent: parsed to check it, kept as is to store it.
    pub events: Vec<Box<serde_json::value::RawValue>>,
    pub pending: u64,
    pub device_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushResponse {
    /// Stored (now or by an earlier attempt): the device may mark these sent.
    pub accepted: Vec<Uuid>,
    /// Refused for good, each with a reason: the device sets these aside.
    pub rejected: Vec<Rejection>,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rejection {
    pub id: Uuid,
    pub code: ErrorCode,
    pub message: String,
}

/// `POST /v1/pull`: events in the device's area after a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PullRequest {
    /// The `next` of the last page applied; 0 at first.
    pub after: u64,
    pub limit: u32,
    /// Leave out the events this device pushed itself (it holds them already); `next` still moves
    /// past them. Absent means `false`, as for clients older than this field.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_own: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PullResponse {
    pub events: Vec<Event>,
    /// The cursor to ask after next time.
    pub next: u64,
    /// More events wait after `next`.
    pub more: bool,
}

/// `GET /v1/devices`: the devices whose area is within the requesting device's area (itself
/// included), sorted by area path, then by enrollment time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DevicesResponse {
    pub devices: Vec<DeviceInfo>,
}

/// One enrolled device, as a supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceInfo {
    pub device_id: Uuid,
    /// The path of the device's area (`State/District/Block/Subcentre/Village`).
    pub area: String,
    pub role: Role,
    /// The worker who recorded its latest event the server holds (the event's author); `None`
    /// before it pushed any, and from servers older than this field.
    #[serde(default)]
    pub worker: Option<String>,
    /// When it first enrolled (enrolling again with the same code keeps this time).
    pub enrolled_at: DateTime<Utc>,
    /// Its last push or pull; `None` if it never synced.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Events waiting on the device, as it reported at its last push.
    pub pending: Option<i64>,
    /// Its clock minus the server's at its last push, in milliseconds.
    pub clock_skew_ms: Option<i64>,
    /// Cut off by the server (`teeka-server revoke`).
    pub revoked: bool,
}

/// Stable error codes. The UI translates them; nobody matches messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The body is not what the endpoint expects.
    BadRequest,
    /// The body is larger than the server accepts.
    TooLarge,
    /// The protocol version header is missing or not spoken by the server.
    UnsupportedVersion,
    /// No token, or a token the server does not know.
    Unauthorized,
    /// The device was revoked.
    Revoked,
    /// The enrollment code is unknown, expired or already used by another device.
    CodeInvalid,
    /// An event that is not this device's, or outside its area.
    OutOfScope,
    /// An event about a household or beneficiary the server does not know.
    UnknownEntity,
    /// A village name that matches several villages of the device's area.
    AmbiguousVillage,
    /// An event the server cannot read, or over a limit.
    InvalidEvent,
    /// An event the device's role may not make (an ASHA's session dose, an ANM's site…).
    ForbiddenRole,
    /// The server failed; try again later.
    Internal,
    /// The server is busy or shutting down; try again later.
    Unavailable,
    /// A report asked for a round that no block of the area sees.
    UnknownRound,
    /// The server's TLS certificate is not one this device trusts (not the pinned certificate,
    /// or from an authority the device does not know). Made by the device's client, never
    /// answered by a server; trying again does not help.
    UntrustedServer,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::BadRequest,
        ErrorCode::TooLarge,
        ErrorCode::UnsupportedVersion,
        ErrorCode::Unauthorized,
        ErrorCode::Revoked,
        ErrorCode::CodeInvalid,
        ErrorCode::OutOfScope,
        ErrorCode::UnknownEntity,
        ErrorCode::AmbiguousVillage,
        ErrorCode::InvalidEvent,
        ErrorCode::ForbiddenRole,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::UnknownRound,
        ErrorCode::UntrustedServer,
    ];

    /// Whether repeating the same request later may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorCode::Internal | ErrorCode::Unavailable)
    }

    /// The HTTP status the server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest | ErrorCode::InvalidEvent => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Revoked | ErrorCode::OutOfScope | ErrorCode::ForbiddenRole => 403,
            ErrorCode::CodeInvalid | ErrorCode::UnknownEntity | ErrorCode::AmbiguousVillage => 422,
            ErrorCode::TooLarge => 413,
            ErrorCode::UnsupportedVersion => 426,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
            ErrorCode::UnknownRound => 404,
            // Never answered: no connection was made. 495 is the status some proxies use for it.
            ErrorCode::UntrustedServer => 495,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::UnsupportedVersion => "UNSUPPORTED_VERSION",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Revoked => "REVOKED",
            ErrorCode::CodeInvalid => "CODE_INVALID",
            ErrorCode::OutOfScope => "OUT_OF_SCOPE",
            ErrorCode::UnknownEntity => "UNKNOWN_ENTITY",
            ErrorCode::AmbiguousVillage => "AMBIGUOUS_VILLAGE",
            ErrorCode::InvalidEvent => "INVALID_EVENT",
            ErrorCode::ForbiddenRole => "FORBIDDEN_ROLE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::UnknownRound => "UNKNOWN_ROUND",
            ErrorCode::UntrustedServer => "UNTRUSTED_SERVER",
        }
    }
}

/// The body of every 4xx/5xx answer (plain JSON, not compressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[error("{message} ({})", code.as_str())]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into() }
    }
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("body is not valid gzip: {0}")]
    Gzip(std::io::Error),
    #[error("body is larger than {0} bytes once decompressed")]
    TooLarge(usize),
    #[error("body is not the expected JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Bodies of more JSON than this are compressed fast (gzip level 1), smaller ones hard (level 6).
/// Only a link that answered fast carries such bodies: the adaptive windows grow past them only
/// then (a 2G day's push of 500 events is about 155 KB), and there compressing costs more time
/// than the bytes it saves. Measured on a first push (`docs/benchmarks.md`, "Wire"): level 6
/// gives 22.7 B an event in 2.29 µs, level 1 27.3 B in 0.39 µs.
pub const FAST_GZIP_ABOVE: usize = 256 * 1024;

/// Encodes a body: JSON, gzip-compressed (fast for a large body: [`FAST_GZIP_ABOVE`]).
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    let json = serde_json::to_vec(value)?;
    let level = if json.len() > FAST_GZIP_ABOVE { flate2::Compression::fast() } else { flate2::Compression::default() };
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), level);
    gz.write_all(&json).map_err(CodecError::Gzip)?;
    gz.finish().map_err(CodecError::Gzip)
}

/// Decodes a body, refusing one that decompresses past `limit` bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], limit: usize) -> Result<T, CodecError> {
    let mut json = Vec::new();
    let mut reader = flate2::read::GzDecoder::new(bytes).take(limit as u64 + 1);
    reader.read_to_end(&mut json).map_err(CodecError::Gzip)?;
    if json.len() > limit {
        return Err(CodecError::TooLarge(limit));
    }
    Ok(serde_json::from_slice(&json)?)
}

/// Decodes a request body as the server reads it: gzip-compressed, as devices send it (the gzip
/// magic bytes first), or plain JSON, for other clients (an integrator's, the API's tests). JSON
/// never begins with the byte 0x1f, so which it is is never in doubt.
pub fn decode_request<T: DeserializeOwned>(bytes: &[u8], limit: usize) -> Result<T, CodecError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return decode(bytes, limit);
    }
    if bytes.len() > limit {
        return Err(CodecError::TooLarge(limit));
    }
    Ok(serde_json::from_slice(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_and_bombs_are_refused() {
        let req = PullRequest { after: 42, limit: 500, exclude_own: false };
        let bytes = encode(&req).unwrap_or_default();
        assert_eq!(decode::<PullRequest>(&bytes, 1024).ok(), Some(req));
        let big = encode(&vec![0u8; 100_000]).unwrap_or_default();
        assert!(big.len() < 1_000);
        assert!(matches!(decode::<Vec<u8>>(&big, 10_000), Err(CodecError::TooLarge(10_000))));
        assert!(matches!(decode::<PullRequest>(b"not gzip", 1024), Err(CodecError::Gzip(_))));
    }

    #[test]
    fn a_large_body_is_compressed_fast_a_small_one_hard() {
        let gzip = |json: &[u8], level: flate2::Compression| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), level);
            gz.write_all(json).unwrap_or_default();
            gz.finish().unwrap_or_default()
        };
        let ids: Vec<String> = (0..20_000u32).map(|i| format!("event-{i:08}-of-a-first-push")).collect();
        let json = serde_json::to_vec(&ids).unwrap_or_default();
        assert!(json.len() > FAST_GZIP_ABOVE);
        assert_eq!(encode(&ids).ok(), Some(gzip(&json, flate2::Compression::fast())));
        assert_eq!(decode::<Vec<String>>(&gzip(&json, flate2::Compression::fast()), json.len()).ok(), Some(ids));
        let few: Vec<String> = (0..100u32).map(|i| format!("event-{i:08}")).collect();
        let json = serde_json::to_vec(&few).unwrap_or_default();
        assert_eq!(encode(&few).ok(), Some(gzip(&json, flate2::Compression::default())));
    }

    #[test]
    fn every_code_is_in_all_once() {
        // Exhaustive: a new code fails to compile here until it is given its place in `ALL`.
        let place = |c: ErrorCode| match c {
            ErrorCode::BadRequest => 0,
            ErrorCode::TooLarge => 1,
            ErrorCode::UnsupportedVersion => 2,
            ErrorCode::Unauthorized => 3,
            ErrorCode::Revoked => 4,
            ErrorCode::CodeInvalid => 5,
            ErrorCode::OutOfScope => 6,
            ErrorCode::UnknownEntity => 7,
            ErrorCode::AmbiguousVillage => 8,
            ErrorCode::InvalidEvent => 9,
            ErrorCode::ForbiddenRole => 10,
            ErrorCode::Internal => 11,
            ErrorCode::Unavailable => 12,
            ErrorCode::UnknownRound => 13,
            ErrorCode::UntrustedServer => 14,
        };
        for (i, c) in ErrorCode::ALL.into_iter().enumerate() {
            assert_eq!(place(c), i, "{c:?}");
        }
    }

    #[test]
    fn a_request_is_gzip_or_plain_json() {
        let req = PullRequest { after: 7, limit: 10, exclude_own: true };
        let gz = encode(&req).unwrap_or_default();
        assert_eq!(decode_request::<PullRequest>(&gz, 1024).ok(), Some(req.clone()));
        let plain = serde_json::to_vec(&req).unwrap_or_default();
        assert_eq!(decode_request::<PullRequest>(&plain, 1024).ok(), Some(req));
        assert!(matches!(decode_request::<PullRequest>(b"not json", 1024), Err(CodecError::Json(_))));
        assert!(matches!(decode_request::<PullRequest>(&gz[..gz.len() / 2], 1024), Err(CodecError::Gzip(_))));
        assert!(matches!(decode_request::<PullRequest>(&plain, 4), Err(CodecError::TooLarge(4))));
    }

    #[test]
    fn error_codes_are_screaming_snake_case_on_the_wire() {
        let e = ApiError::new(ErrorCode::OutOfScope, "village X is not in your area");
        let json = serde_json::to_string(&e).unwrap_or_default();
        assert_eq!(json, r#"{"code":"OUT_OF_SCOPE","message":"village X is not in your area"}"#);
        for code in [ErrorCode::Revoked, ErrorCode::AmbiguousVillage, ErrorCode::Unavailable] {
            let text = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(text, format!("\"{}\"", code.as_str()));
        }
        assert!(ErrorCode::Unavailable.is_retryable() && !ErrorCode::Revoked.is_retryable());
    }

    #[test]
    fn devices_answer_has_a_stable_shape() {
        let at = chrono::DateTime::from_timestamp(1_772_355_600, 0).unwrap_or_default();
        let info = DeviceInfo {
            device_id: Uuid::nil(),
            area: "UP/Sitapur/Mahmudabad".into(),
            role: Role::Supervisor,
            worker: Some("Meena".into()),
            enrolled_at: at,
            last_sync_at: None,
            pending: Some(2),
            clock_skew_ms: None,
            revoked: true,
        };
        let json = serde_json::to_value(DevicesResponse { devices: vec![info.clone()] }).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"devices": [{
                "device_id": "00000000-0000-0000-0000-000000000000",
                "area": "UP/Sitapur/Mahmudabad",
                "role": "supervisor",
                "worker": "Meena",
                "enrolled_at": "2026-03-01T09:00:00Z",
                "last_sync_at": null,
                "pending": 2,
                "clock_skew_ms": null,
                "revoked": true
            }]})
        );
        let back: Option<DevicesResponse> = serde_json::from_value(json.clone()).ok();
        assert_eq!(back.map(|b| b.devices), Some(vec![info.clone()]));
        // An older server's answer, without the worker, still reads.
        let mut older = json;
        if let Some(d) = older["devices"][0].as_object_mut() {
            d.remove("worker");
        }
        let back: Option<DevicesResponse> = serde_json::from_value(older).ok();
        assert_eq!(back.map(|b| b.devices), Some(vec![DeviceInfo { worker: None, ..info }]));
    }
}
