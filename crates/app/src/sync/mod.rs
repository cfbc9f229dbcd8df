//! Sync in the app: the background [`worker`] and its [`schedule`], enrollment and the devices
//! list (the network commands), and the one [`SyncState`] the UI is shown. Sync's errors reach
//! the UI by their own codes (`AppCode::from(&SyncError)`).
//!
//! Two names, two things: [`teeka_store::SyncStatus`] is the store's bookkeeping of sync (the
//! enrollment, pending and set-aside events, the last success and failure, the cursor: what
//! `teeka status` prints); [`SyncState`] is what the UI shows, built here from that and the
//! worker's [`Live`] part.

pub mod schedule;
pub mod worker;

pub use schedule::Schedule;
pub use worker::{run_config, start, Kick, Live, Notify, SyncHandle};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use teeka_protocol::DeviceInfo;
use teeka_store::SyncStatus;

use crate::{AppCode, AppError, ErrorBody, StoreAccess, SyncState};

/// The local setting (beside the store's sync bookkeeping) that keeps the UI's code of the last
/// failed run; the store keeps its message.
pub(crate) const ERROR_CODE_KEY: &str = "sync_error_code";

/// The one place a [`SyncState`] is made: the store's `status`, the code kept with its last
/// error, and the worker's `live` part, at `now`.
///
/// Until the worker's first run ends, the last error is the store's (a failure of an earlier
/// session) with the code kept beside it; a failure recorded without a code (by `teeka sync` on
/// the same store) is not shown, since its code is not known, and the first run, at start,
/// replaces it. From the first run on, the last error is the worker's.
pub(crate) fn sync_state(status: SyncStatus, kept_code: Option<String>, live: &Live, now: DateTime<Utc>) -> SyncState {
    let last_error = if live.ran {
        live.last_error.clone()
    } else {
        let code = kept_code.and_then(|c| c.parse::<AppCode>().ok());
        status.last_error.zip(code).map(|(message, code)| ErrorBody { code, message })
    };
    SyncState {
        enrolled: status.server_url.is_some(),
        server_url: status.server_url,
        area: status.area,
        role: status.role,
        device_id: status.device_id,
        pending: status.pending,
        set_aside: status.set_aside.len() as u64,
        syncing: live.syncing,
        last_success: status.last_success,
        last_error,
        next_attempt_in_s: live.next_attempt.map(|t| u64::try_from((t - now).num_seconds()).unwrap_or(0)),
    }
}

/// The keyring setting that keeps what the sync state showed while the store was last open, for
/// the lock screen after a restart (the store is closed until a PIN opens it). No record of the
/// register: the server, the area, the role, the device, counts and a time.
pub(crate) const SUMMARY_KEY: &str = "sync_summary";

/// What [`SUMMARY_KEY`] keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Summary {
    enrolled: bool,
    server_url: Option<String>,
    area: Option<String>,
    role: Option<String>,
    device_id: uuid::Uuid,
    pending: u64,
    set_aside: u64,
    last_success: Option<String>,
}

impl Summary {
    pub(crate) fn of(s: &SyncState) -> Summary {
        Summary {
            enrolled: s.enrolled,
            server_url: s.server_url.clone(),
            area: s.area.clone(),
            role: s.role.clone(),
            device_id: s.device_id,
            pending: s.pending,
            set_aside: s.set_aside,
            last_success: s.last_success.clone(),
        }
    }

    /// Whether it says something else of the enrollment than `other` (the counts aside).
    pub(crate) fn same_enrollment(&self, other: &Summary) -> bool {
        (&self.enrolled, &self.server_url, &self.area, &self.role, &self.device_id)
            == (&other.enrolled, &other.server_url, &other.area, &other.role, &other.device_id)
    }
}

/// The sync state while the store is still closed (no PIN has unwrapped its key since the app
/// started): what the store last said while it was open (`kept`), and the worker's live part;
/// nothing at all on a device never opened since encryption.
pub(crate) fn locked_state(live: &Live, kept: Option<Summary>) -> SyncState {
    let k = kept.unwrap_or(Summary {
        enrolled: false,
        server_url: None,
        area: None,
        role: None,
        device_id: uuid::Uuid::nil(),
        pending: 0,
        set_aside: 0,
        last_success: None,
    });
    SyncState {
        enrolled: k.enrolled,
        server_url: k.server_url,
        area: k.area,
        role: k.role,
        device_id: k.device_id,
        pending: k.pending,
        set_aside: k.set_aside,
        syncing: live.syncing,
        last_success: k.last_success,
        last_error: live.last_error.clone(),
        next_attempt_in_s: None,
    }
}

/// `enroll`'s request.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct EnrollReq {
    pub server: String,
    pub code: String,
    /// The server's certificate to pin (PEM: its own, or the authority that issued it), as the
    /// supervisor hands it over; absent or blank: the system's authorities.
    #[serde(default)]
    #[ts(optional)]
    pub server_cert: Option<String>,
}

/// `enroll`: exchanges an enrollment code for a token and keeps the enrollment in the store at
/// `store_path`, on a connection of its own (so that the UI's stays free while the request
/// crosses a slow link); safe to repeat with the same code. The caller then kicks the worker.
pub async fn enroll(access: &StoreAccess, req: EnrollReq) -> Result<(), AppError> {
    let server = req.server.trim();
    if !(server.starts_with("http://") || server.starts_with("https://")) {
        return Err(AppError::invalid(format!("server: '{server}' is not an address like https://teeka.example.org")));
    }
    let code = req.code.trim();
    if code.is_empty() {
        return Err(AppError::invalid("code: the enrollment code is empty"));
    }
    let pin = req.server_cert.as_deref().map(str::trim).filter(|pem| !pem.is_empty());
    if let Some(pem) = pin {
        teeka_sync::pinned_certificates(pem).map_err(|e| AppError::from(e).at("server_cert"))?;
    }
    let mut store = access.open()?;
    teeka_sync::enroll(&mut store, server, code, pin).await?;
    Ok(())
}

/// `devices`: the devices of the enrolled area, from the server (online only).
pub async fn devices(access: &StoreAccess) -> Result<Vec<DeviceInfo>, AppError> {
    let enrollment = access.open()?.enrollment()?;
    let enrollment = enrollment.ok_or_else(|| AppError::new(AppCode::NotEnrolled, "this device has no server yet"))?;
    let client =
        teeka_sync::Client::pinned(&enrollment.server_url, Some(enrollment.token), enrollment.server_cert.as_deref())?;
    Ok(client.devices().await?.devices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use teeka_protocol::ApiError;
    use uuid::Uuid;

    #[test]
    fn sync_errors_reach_the_ui_by_their_own_codes() {
        use teeka_protocol::ErrorCode;
        use teeka_sync::SyncError;
        let code = |e: SyncError| AppError::from(e).code;
        assert_eq!(code(SyncError::Unreachable("timed out".into())), AppCode::Network);
        assert_eq!(code(SyncError::NotEnrolled), AppCode::NotEnrolled);
        assert_eq!(code(SyncError::Refused(ApiError::new(ErrorCode::Revoked, "no"))), AppCode::Revoked);
        assert_eq!(code(SyncError::Refused(ApiError::new(ErrorCode::CodeInvalid, "no"))), AppCode::CodeInvalid);
        assert_eq!(code(SyncError::Refused(ApiError::new(ErrorCode::Unavailable, "no"))), AppCode::Unavailable);
        assert_eq!(code(SyncError::Client("bad url".into())), AppCode::InvalidInput);
        let e = AppError::from(SyncError::Unreachable("timed out".into()));
        assert_eq!((e.code.as_str(), e.message.as_str()), ("NETWORK", "could not reach the server: timed out"));
    }

    fn status(last_error: Option<&str>) -> SyncStatus {
        SyncStatus {
            device_id: Uuid::nil(),
            server_url: Some("https://teeka.example.org".into()),
            area: Some("UP/Sitapur".into()),
            role: Some("anm".into()),
            pending: 3,
            oldest_pending: None,
            set_aside: Vec::new(),
            last_success: None,
            last_error: last_error.map(str::to_string),
            last_error_at: None,
            pull_cursor: 0,
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn before_the_first_run_the_last_error_is_the_stores_with_its_kept_code() {
        let live = Live::default();
        let s = sync_state(status(Some("timed out")), Some("NETWORK".into()), &live, at(0));
        assert_eq!(s.last_error, Some(ErrorBody { code: AppCode::Network, message: "timed out".into() }));
        assert_eq!((s.enrolled, s.pending, s.syncing, s.next_attempt_in_s), (true, 3, false, None));
        // No code kept (a failure recorded by `teeka sync`): no invented one.
        assert_eq!(sync_state(status(Some("timed out")), None, &live, at(0)).last_error, None);
    }

    #[test]
    fn after_a_run_the_live_part_is_shown() {
        let failed = Live {
            syncing: false,
            ran: true,
            last_error: Some(ErrorBody { code: AppCode::Revoked, message: "revoked".into() }),
            next_attempt: Some(at(20)),
        };
        let s = sync_state(status(Some("older")), Some("NETWORK".into()), &failed, at(0));
        assert_eq!(s.last_error, failed.last_error);
        assert_eq!(s.next_attempt_in_s, Some(20));
        // A success clears the error, whatever the store still says; a due time passed is 0 s.
        let ok = Live { syncing: true, ran: true, last_error: None, next_attempt: Some(at(0)) };
        let s = sync_state(status(Some("older")), Some("NETWORK".into()), &ok, at(5));
        assert_eq!((s.last_error, s.syncing, s.next_attempt_in_s), (None, true, Some(0)));
    }
}
