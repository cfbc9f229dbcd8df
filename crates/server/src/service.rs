//! The server's rules, once for both backends: areas and their names, enrollment codes, device
//! tokens, the scope of every event, pushes and pulls. Time is an argument.

use crate::db::{within, Area, CodeProblem, Database, DbError, Device, DeviceSeen, NewCode, StoredEvent};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use teeka_domain::audit::{audit, Audit, AuditFilter, Logged as AuditLogged};
use teeka_domain::{AreaLevel, BeneficiaryField, Event, EventBody, Export, Hlc, HouseholdField, Replay, SiteField};
use teeka_protocol::{
    ApiError, AreaInfo, DeviceInfo, DevicesResponse, EnrollRequest, EnrollResponse, ErrorCode, PullRequest,
    PullResponse, PushRequest, PushResponse, RawPushRequest, Rejection, Role, MAX_PULL_EVENTS, MAX_PUSH_EVENTS,
};
use uuid::Uuid;

/// The author of events the server itself makes (area definitions; FHIR imports, unless
/// `--author` names another); their device id is nil.
pub const SERVER_AUTHOR: &str = "teeka-server";

/// Errors of the administration commands (not of the protocol, which answers [`ApiError`]s).
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Invalid(String),
    /// A FHIR file the server will not import (every problem located; nothing stored).
    #[error(transparent)]
    Fhir(#[from] teeka_domain::fhir::FhirErrors),
    /// No block of the area (nor an area above it) sees a round of this number.
    #[error("no round {round} is defined for {area} (nor an area above or below it)")]
    UnknownRound { round: u32, area: String },
    /// Nothing of what was asked for (the audit of a beneficiary or a device the log has not).
    #[error("{0}")]
    NotFound(String),
}

/// Whose audit trail ([`Service::audit`]).
#[derive(Debug, Clone, Copy)]
pub enum AuditRequest<'a> {
    /// A register id, or a beneficiary's id.
    Beneficiary(&'a str),
    Device(Uuid),
    /// Any area name or path.
    Area(&'a str),
}

impl AdminError {
    /// The stable code the CLI prints (`error[CODE]`).
    pub fn code(&self) -> &'static str {
        match self {
            AdminError::UnknownRound { .. } => "UNKNOWN_ROUND",
            AdminError::NotFound(_) => "NOT_FOUND",
            AdminError::Fhir(e) => e.code(),
            AdminError::Db(_) | AdminError::Invalid(_) => "ERROR",
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        tracing::error!(error = %e, "database error");
        ApiError::new(ErrorCode::Internal, "the server could not reach its database; try again later")
    }
}

/// The letters of enrollment codes: no 0/O, 1/I/L, so that a code read aloud is typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Sha-256 of a text, hex.
pub fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// An enrollment code as typed: upper case, without dashes and spaces.
pub fn normalize_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| ApiError::new(ErrorCode::Internal, format!("no randomness: {e}")))?;
    Ok(b)
}

/// A new code: 8 letters of [`CODE_ALPHABET`], shown as `ABCD-EFGH`.
fn new_code() -> Result<String, ApiError> {
    let bytes = random_bytes::<8>()?;
    let letters: String = bytes.iter().map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char).collect();
    Ok(format!("{}-{}", &letters[..4], &letters[4..]))
}

/// What `import areas` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AreasImported {
    pub rows: usize,
    pub added: usize,
}

/// At most this many events are read by one pull that leaves out the device's own and finds
/// pages of nothing else: ten full pages.
pub const OWN_EVENTS_READ: usize = 10 * MAX_PULL_EVENTS as usize;

pub struct Service<D: Database> {
    db: D,
    /// The round report's folds of the log, kept between reports (`report.rs`).
    pub(crate) folds: tokio::sync::Mutex<crate::report::ReportFolds>,
}

impl<D: Database> Service<D> {
    pub fn new(db: D) -> Service<D> {
        Service { db, folds: Default::default() }
    }

    pub fn db(&self) -> &D {
        &self.db
    }

    /// Imports the area hierarchy: CSV with columns `state, district, block, subcentre,
    /// village`, one row per village. All rows or none; importing again adds nothing.
    pub async fn import_areas(&self, bytes: &[u8], now: DateTime<Utc>) -> Result<AreasImported, AdminError> {
        const COLUMNS: [&str; 5] = ["state", "district", "block", "subcentre", "village"];
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| AdminError::Invalid(format!("line 1: unreadable header: {e}")))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let mut problems = Vec::new();
        let index: Vec<Option<usize>> = COLUMNS.iter().map(|c| header.iter().position(|h| h == c)).collect();
        for (c, i) in COLUMNS.iter().zip(&index) {
            if i.is_none() {
                problems.push(format!("line 1, column '{c}': required column is missing"));
            }
        }
        for h in &header {
            if !COLUMNS.contains(&h.as_str()) {
                problems.push(format!("line 1, column '{h}': unknown column (expected {})", COLUMNS.join(", ")));
            }
        }
        if !problems.is_empty() {
            return Err(AdminError::Invalid(problems.join("\n")));
        }
        let existing = self.db.areas().await?;
        let mut by_path: HashMap<String, Area> = existing.into_iter().map(|a| (a.path.to_lowercase(), a)).collect();
        let mut new: Vec<Area> = Vec::new();
        let mut rows = 0;
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    problems.push(format!("line {line}: unreadable CSV: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows += 1;
            let mut names = Vec::new();
            for (c, i) in COLUMNS.iter().zip(&index) {
                let value = i.and_then(|i| record.get(i)).map(str::trim).unwrap_or_default();
                if value.is_empty() {
                    problems.push(format!("line {line}, column '{c}': required field is empty"));
                } else if value.contains('/') || value.chars().any(char::is_control) || value.chars().count() > 100 {
                    problems.push(format!(
                        "line {line}, column '{c}': '{value}' may not contain '/' or control characters, or exceed 100 characters"
                    ));
                } else {
                    names.push(value.to_string());
                }
            }
            if names.len() != COLUMNS.len() {
                continue;
            }
            let mut parent: Option<Uuid> = None;
            let mut path = String::new();
            for (level, name) in AreaLevel::ALL.iter().zip(&names) {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(name);
                let area = by_path.entry(path.to_lowercase()).or_insert_with(|| {
                    let a = Area {
                        id: Uuid::now_v7(),
                        level: *level,
                        name: name.clone(),
                        parent_id: parent,
                        path: path.clone(),
                    };
                    new.push(a.clone());
                    a
                });
                parent = Some(area.id);
            }
        }
        if !problems.is_empty() {
            let total = problems.len();
            problems.truncate(50);
            return Err(AdminError::Invalid(format!(
                "the areas file has {total} problem{}; nothing was imported\n  {}",
                if total == 1 { "" } else { "s" },
                problems.join("\n  ")
            )));
        }
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let mut with_events = Vec::new();
        for (i, a) in new.into_iter().enumerate() {
            let event = Event {
                id: Uuid::now_v7(),
                device_id: Uuid::nil(),
                hlc: Hlc { wall_ms: now_ms, counter: u32::try_from(i).unwrap_or(u32::MAX) },
                author: SERVER_AUTHOR.into(),
                worker: Some(teeka_domain::model::worker_for_author(Uuid::nil(), SERVER_AUTHOR)),
                recorded_at: now,
                body: EventBody::AreaDefined { area: a.id, level: a.level, name: a.name.clone(), parent: a.parent_id },
            };
            let json = serde_json::to_string(&event).map_err(|e| AdminError::Invalid(e.to_string()))?;
            let stored = StoredEvent { id: event.id, device_id: Uuid::nil(), area_path: a.path.clone(), json };
            with_events.push((a, stored));
        }
        let added = self.db.add_areas(with_events).await?;
        Ok(AreasImported { rows, added })
    }

    /// Finds an area by the name of any level, or, where a name is ambiguous, by a path of its
    /// name and some of its ancestors (`Sitapur/Mahmudabad/Rampur`). Case does not matter.
    pub async fn find_area(&self, text: &str) -> Result<Area, AdminError> {
        let wanted: Vec<String> = text.split('/').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect();
        if wanted.is_empty() {
            return Err(AdminError::Invalid("no area given".into()));
        }
        let areas = self.db.areas().await?;
        let matches: Vec<&Area> = areas
            .iter()
            .filter(|a| {
                // The last name is the area's own; the others are some of its ancestors, in order
                // (levels may be skipped: `Sitapur/Mahmudabad/Rampur` skips the sub-centre).
                let segments: Vec<String> = a.path.split('/').map(str::to_lowercase).collect();
                let (Some(own), Some(last)) = (segments.last(), wanted.last()) else { return false };
                let mut ancestors = segments[..segments.len() - 1].iter();
                own == last && wanted[..wanted.len() - 1].iter().all(|w| ancestors.any(|s| s == w))
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(AdminError::Invalid(format!("no area named '{text}' (import the areas first)"))),
            many => Err(AdminError::Invalid(format!(
                "'{text}' names {} areas: {}; give more of the path, e.g. '{}'",
                many.len(),
                many.iter().take(5).map(|a| a.path.as_str()).collect::<Vec<_>>().join(", "),
                many[0].path
            ))),
        }
    }

    /// Makes a one-time enrollment code for a device of `role` in `area`.
    pub async fn create_code(
        &self,
        area: &str,
        role: Role,
        valid_for: Duration,
        now: DateTime<Utc>,
    ) -> Result<(String, Area, DateTime<Utc>), AdminError> {
        if valid_for <= Duration::zero() {
            return Err(AdminError::Invalid("an enrollment code must stay valid for some time".into()));
        }
        let area = self.find_area(area).await?;
        let code = new_code().map_err(|e| AdminError::Invalid(e.message))?;
        let expires_at = now + valid_for;
        self.db
            .add_code(NewCode {
                code_hash: hash(&normalize_code(&code)),
                area_id: area.id,
                role,
                created_at: now,
                expires_at,
            })
            .await?;
        Ok((code, area, expires_at))
    }

    /// `POST /v1/enroll`. Repeating it (same code, same device) gives a fresh token.
    pub async fn enroll(&self, req: EnrollRequest, now: DateTime<Utc>) -> Result<EnrollResponse, ApiError> {
        let token = hex::encode(random_bytes::<32>()?);
        match self.db.enroll(hash(&normalize_code(&req.code)), req.device_id, hash(&token), now).await? {
            Ok(device) => Ok(EnrollResponse {
                device_id: device.id,
                token,
                area: AreaInfo {
                    id: device.area.id,
                    level: device.area.level,
                    name: device.area.name.clone(),
                    path: device.area.path.clone(),
                },
                role: device.role,
            }),
            Err(problem) => {
                let (code, message) = match problem {
                    CodeProblem::Unknown => {
                        (ErrorCode::CodeInvalid, "this enrollment code is not known: check it, or ask for a new one")
                    }
                    CodeProblem::Expired => {
                        (ErrorCode::CodeInvalid, "this enrollment code has expired: ask your supervisor for a new one")
                    }
                    CodeProblem::UsedByAnother => {
                        (ErrorCode::CodeInvalid, "this enrollment code was already used by another device")
                    }
                    CodeProblem::Revoked => {
                        (ErrorCode::Revoked, "this device was cut off; only a new enrollment code can bring it back")
                    }
                };
                Err(ApiError::new(code, message))
            }
        }
    }

    /// The device a bearer token belongs to.
    pub async fn authenticate(&self, token: Option<&str>) -> Result<Device, ApiError> {
        let token = token.ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "this device is not enrolled"))?;
        let device =
            self.db.device_by_token(hash(token)).await?.ok_or_else(|| {
                ApiError::new(ErrorCode::Unauthorized, "this device's token is not known: enroll again")
            })?;
        if device.revoked_at.is_some() {
            return Err(ApiError::new(
                ErrorCode::Revoked,
                "this device was cut off by the server: see your supervisor",
            ));
        }
        Ok(device)
    }

    /// `POST /v1/push` as read from the wire: events the server cannot read are refused one by
    /// one (`INVALID_EVENT`) and the rest go on to [`Service::push`].
    pub async fn push_raw(
        &self,
        device: &Device,
        raw: RawPushRequest,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ApiError> {
        if raw.events.len() > MAX_PUSH_EVENTS {
            return Err(too_many(raw.events.len()));
        }
        #[derive(serde::Deserialize)]
        struct IdOnly {
            id: Uuid,
        }
        let mut events = Vec::with_capacity(raw.events.len());
        let mut unreadable = Vec::new();
        for json in raw.events {
            match serde_json::from_str::<Event>(json.get()) {
                // Stored as sent: no second serialization.
                Ok(e) => events.push((e, String::from(Box::<str>::from(json)))),
                Err(e) => match serde_json::from_str::<IdOnly>(json.get()) {
                    Ok(IdOnly { id }) => unreadable.push(Rejection {
                        id,
                        code: ErrorCode::InvalidEvent,
                        message: format!(
                            "the server cannot read this record ({e}); an update of the server may be needed"
                        ),
                    }),
                    Err(_) => {
                        return Err(ApiError::new(
                            ErrorCode::BadRequest,
                            format!("an event without a readable id: {e}"),
                        ))
                    }
                },
            }
        }
        let mut resp = self.push_events(device, events, raw.pending, raw.device_time_ms, now).await?;
        resp.rejected.extend(unreadable);
        Ok(resp)
    }

    /// `POST /v1/push`: stores every event that belongs to the device's area; refuses the others
    /// one by one (never the whole batch). Events already stored are acknowledged again.
    pub async fn push(&self, device: &Device, req: PushRequest, now: DateTime<Utc>) -> Result<PushResponse, ApiError> {
        let mut events = Vec::with_capacity(req.events.len());
        for e in req.events {
            let json = serde_json::to_string(&e).map_err(|e| ApiError::new(ErrorCode::InvalidEvent, e.to_string()))?;
            events.push((e, json));
        }
        self.push_events(device, events, req.pending, req.device_time_ms, now).await
    }

    /// The events of a push, each with the JSON to store.
    async fn push_events(
        &self,
        device: &Device,
        events: Vec<(Event, String)>,
        pending: u64,
        device_time_ms: i64,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ApiError> {
        if events.len() > MAX_PUSH_EVENTS {
            return Err(too_many(events.len()));
        }
        let Placement { accepted, rejected, store, entities, worker } = self.place_events(device, events).await?;
        let skew = device_time_ms.saturating_sub(now.timestamp_millis());
        let seen = DeviceSeen { at: now, pending: i64::try_from(pending).ok(), clock_skew_ms: Some(skew), worker };
        self.db.store_events(device.id, store, entities, seen).await?;
        Ok(PushResponse { accepted, rejected, server_time_ms: now.timestamp_millis() })
    }

    /// Each event of `device` not stored yet placed in the area it belongs to, or refused (over
    /// a limit, out of the device's scope, naming what the server does not know, or not its
    /// role's to make): the rules of a push.
    pub(crate) async fn place_events(
        &self,
        device: &Device,
        events: Vec<(Event, String)>,
    ) -> Result<Placement, DbError> {
        let ids: Vec<Uuid> = events.iter().map(|(e, _)| e.id).collect();
        let known = self.db.known_events(ids).await?;
        let mut referenced: Vec<Uuid> =
            events.iter().filter(|(e, _)| !known.contains(&e.id)).flat_map(|(e, _)| e.body.references()).collect();
        referenced.sort_unstable();
        referenced.dedup();
        let mut paths = self.db.entity_paths(referenced).await?;
        let villages: Vec<Area> = if events.iter().any(|(e, _)| matches!(e.body, EventBody::AreaDefined { .. })) {
            self.db
                .areas()
                .await?
                .into_iter()
                .filter(|a| a.level == AreaLevel::Village && within(&a.path, &device.area.path))
                .collect()
        } else {
            Vec::new()
        };
        let mut out = Placement::default();
        for (event, json) in events {
            if known.contains(&event.id) {
                out.accepted.push(event.id);
                continue;
            }
            // Over a limit (a 3 MiB name, a list of thousands): refused on its own, the field named.
            if let Err(e) = teeka_domain::limits::check_event_json(&json) {
                let message = format!("{e} ({} is over its limit: docs/formats.md, \"Limits\")", e.field);
                out.rejected.push(Rejection { id: event.id, code: ErrorCode::InvalidEvent, message });
                continue;
            }
            // Within the device's scope, and then what its role may make.
            let placed = place(&event, device, &paths, &villages).and_then(|p| {
                teeka_domain::roles::may_record(device.role.worker_role(), &event.body)
                    .map(|()| p)
                    .map_err(|e| ApiError::new(ErrorCode::ForbiddenRole, e.to_string()))
            });
            match placed {
                Ok((path, moved)) => {
                    for (id, p) in moved {
                        paths.insert(id, p.clone());
                        out.entities.push((id, p));
                    }
                    out.worker = Some(event.author.clone());
                    out.store.push(StoredEvent { id: event.id, device_id: device.id, area_path: path, json });
                    out.accepted.push(event.id);
                }
                Err(r) => out.rejected.push(Rejection { id: event.id, code: r.code, message: r.message }),
            }
        }
        Ok(out)
    }

    /// `POST /v1/pull`: events of the device's area (and the areas above it) after the cursor.
    /// Leaving out the device's own events, it reads on past pages that held only those (at most
    /// [`OWN_EVENTS_READ`] events in all), so that a device that has just pushed its register
    /// learns what else is new in one round trip instead of one per page of its own.
    pub async fn pull(&self, device: &Device, req: PullRequest, now: DateTime<Utc>) -> Result<PullResponse, ApiError> {
        let limit = req.limit.clamp(1, MAX_PULL_EVENTS);
        let mut events = Vec::new();
        let mut next = req.after;
        let mut read = 0usize;
        let more = loop {
            let (rows, more) = self.db.pull(device.area.path.clone(), next, limit).await?;
            // The cursor moves past every event read, the device's own included when they are left out.
            next = rows.last().map_or(next, |r| r.0);
            read += rows.len();
            events.reserve(rows.len());
            for (seq, author_device, json) in rows {
                // The device's own events are left out by the log's column, never decoded.
                if req.exclude_own && author_device == device.id {
                    continue;
                }
                let event: Event = serde_json::from_str(&json).map_err(|e| {
                    tracing::error!(seq, error = %e, "unreadable stored event");
                    ApiError::new(ErrorCode::Internal, "the server holds an unreadable event")
                })?;
                events.push(event);
            }
            if !more || !events.is_empty() || read >= OWN_EVENTS_READ {
                break more;
            }
        };
        self.db
            .device_seen(device.id, DeviceSeen { at: now, pending: None, clock_skew_ms: None, worker: None })
            .await?;
        Ok(PullResponse { events, next, more })
    }

    /// `GET /v1/devices`: the devices whose area is within the requesting device's area (the
    /// same rule as the scope of events: a village device sees the devices of its village, a
    /// block supervisor those of every sub-centre and village of its block), itself included,
    /// revoked ones too, sorted by area path then enrollment time. Reads only: safe to repeat.
    pub async fn devices(&self, device: &Device) -> Result<DevicesResponse, ApiError> {
        let scope = &device.area.path;
        let mut devices: Vec<DeviceInfo> = self
            .db
            .devices()
            .await?
            .into_iter()
            .filter(|d| within(&d.area.path, scope))
            .map(|d| DeviceInfo {
                device_id: d.id,
                area: d.area.path,
                role: d.role,
                worker: d.worker,
                enrolled_at: d.enrolled_at,
                last_sync_at: d.last_sync_at,
                pending: d.pending,
                clock_skew_ms: d.clock_skew_ms,
                revoked: d.revoked_at.is_some(),
            })
            .collect();
        // Byte order, whatever the backend's collation; ties by enrollment, then id, so that the
        // answer is the same every time.
        devices.sort_by(|a, b| {
            (a.area.as_str(), a.enrolled_at, a.device_id).cmp(&(b.area.as_str(), b.enrolled_at, b.device_id))
        });
        Ok(DevicesResponse { devices })
    }
}

type Placed = (String, Vec<(Uuid, String)>);

/// The events of a push as placed: the ids acknowledged (stored now or before), those refused,
/// the events to store, the entities they place (or move), and the author of the last one.
#[derive(Debug, Default)]
pub(crate) struct Placement {
    pub accepted: Vec<Uuid>,
    pub rejected: Vec<Rejection>,
    pub store: Vec<StoredEvent>,
    pub entities: Vec<(Uuid, String)>,
    pub worker: Option<String>,
}

/// Where an event belongs (the path of its village) and which ids it places in a village, or why
/// it is refused.
fn place(event: &Event, device: &Device, paths: &HashMap<Uuid, String>, villages: &[Area]) -> Result<Placed, ApiError> {
    let scope = &device.area.path;
    if event.device_id != device.id {
        return Err(ApiError::new(ErrorCode::OutOfScope, "this event was recorded by another device"));
    }
    let path_of = |id: &Uuid, what: &str| {
        paths.get(id).cloned().ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownEntity,
                format!("the {what} {id} is not known to the server (its registration was refused or has not arrived)"),
            )
        })
    };
    let (path, moved) = match &event.body {
        EventBody::AreaDefined { area, level, name, .. } => {
            if *level != AreaLevel::Village {
                return Err(ApiError::new(ErrorCode::OutOfScope, "a device may only name villages, not other areas"));
            }
            let found: Vec<&Area> = villages.iter().filter(|v| v.name.eq_ignore_ascii_case(name.trim())).collect();
            match found.as_slice() {
                [one] => (one.path.clone(), vec![(*area, one.path.clone())]),
                [] => {
                    return Err(ApiError::new(
                        ErrorCode::OutOfScope,
                        format!("village '{name}' is not in this device's area ({scope})"),
                    ))
                }
                many => {
                    return Err(ApiError::new(
                        ErrorCode::AmbiguousVillage,
                        format!(
                            "'{name}' names {} villages of this device's area: {}",
                            many.len(),
                            many.iter().map(|a| a.path.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    ))
                }
            }
        }
        EventBody::VillageJeEndemicSet { area, .. } | EventBody::VillageAshaSet { area, .. } => {
            (path_of(area, "village")?, vec![])
        }
        EventBody::HouseholdRegistered { household, fields, .. } => {
            let village = HouseholdField::villages(fields)
                .next()
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidEvent, "a household registered without a village"))?;
            let path = path_of(&village, "village")?;
            (path.clone(), vec![(*household, path)])
        }
        EventBody::HouseholdUpdated { household, fields } => match HouseholdField::villages(fields).last() {
            Some(v) => {
                let new = path_of(&v, "village")?;
                let old = path_of(household, "household")?;
                if !within(&old, scope) {
                    return Err(out_of_scope(&old, scope));
                }
                (new.clone(), vec![(*household, new)])
            }
            None => (path_of(household, "household")?, vec![]),
        },
        EventBody::BeneficiaryRegistered { beneficiary, fields, .. } => {
            let household = BeneficiaryField::households(fields).next().ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidEvent, "a beneficiary registered without a household")
            })?;
            let path = path_of(&household, "household")?;
            (path.clone(), vec![(*beneficiary, path)])
        }
        EventBody::BeneficiaryUpdated { beneficiary, fields } => match BeneficiaryField::households(fields).last() {
            Some(h) => {
                let new = path_of(&h, "household")?;
                let old = path_of(beneficiary, "beneficiary")?;
                if !within(&old, scope) {
                    return Err(out_of_scope(&old, scope));
                }
                (new.clone(), vec![(*beneficiary, new)])
            }
            None => (path_of(beneficiary, "beneficiary")?, vec![]),
        },
        EventBody::DoseGiven { beneficiary, .. }
        | EventBody::DoseNotGiven { beneficiary, .. }
        | EventBody::AefiReported { beneficiary, .. }
        | EventBody::AefiUpdated { beneficiary, .. }
        | EventBody::NotGivenWithdrawn { beneficiary, .. } => (path_of(beneficiary, "beneficiary")?, vec![]),
        // A delivery is placed by the mother; its newborns are registered in the household it
        // names, which must be in scope too.
        EventBody::DeliveryRecorded { beneficiary, household, newborns, .. } => {
            let path = path_of(beneficiary, "beneficiary")?;
            let home = path_of(household, "household")?;
            if !within(&home, scope) {
                return Err(out_of_scope(&home, scope));
            }
            (path, newborns.iter().map(|n| (n.beneficiary, home.clone())).collect())
        }
        // A session site is placed where its villages meet: the village itself for a site of one
        // village, the sub-centre for a site serving two of its villages, and so on; its id with
        // it, so that what names the site follows it there.
        EventBody::SiteRegistered { site, fields, .. } => {
            let path = site_path(&SiteField::villages(fields), scope, &path_of)?;
            (path.clone(), vec![(*site, path)])
        }
        EventBody::SiteUpdated { site, fields } => {
            let old = path_of(site, "site")?;
            if !within(&old, scope) {
                return Err(out_of_scope(&old, scope));
            }
            if fields.iter().any(|f| matches!(f, SiteField::Villages(_))) {
                let new = site_path(&SiteField::villages(fields), scope, &path_of)?;
                (new.clone(), vec![(*site, new)])
            } else {
                (old, vec![])
            }
        }
        // A round belongs to the area whose device made it: every device below it sees it.
        EventBody::RoundDefined { round, .. } => (scope.clone(), vec![(*round, scope.clone())]),
        // Only the area that made a round, or one above it, changes its holidays.
        EventBody::RoundHolidaySet { round, .. } => {
            let path = path_of(round, "round")?;
            if !within(&path, scope) {
                return Err(ApiError::new(
                    ErrorCode::OutOfScope,
                    format!(
                        "the round {round} belongs to {path}: only a device of that area or above it changes its \
                         holidays (this device's area is {scope})"
                    ),
                ));
            }
            (path, vec![])
        }
        EventBody::SessionNotHeld { round, site, .. } | EventBody::SessionRescheduled { round, site, .. } => {
            let round_path = path_of(round, "round")?;
            if !within(&round_path, scope) && !within(scope, &round_path) {
                return Err(ApiError::new(
                    ErrorCode::OutOfScope,
                    format!("the round {round} belongs to {round_path}, outside this device's area ({scope})"),
                ));
            }
            (path_of(site, "site")?, vec![])
        }
        // A session at a microplan site goes with the site (its village must be in scope too);
        // without one, or when the site is above the device's area, with its village.
        EventBody::SessionOpened { session, site, session_site, .. } => {
            let village = path_of(site, "village")?;
            if !within(&village, scope) {
                return Err(out_of_scope(&village, scope));
            }
            // A village device at a site serving several villages (placed at their sub-centre,
            // above the device's area) keeps the session at its village: it still syncs, and
            // the sub-centre and above see it.
            let path = match session_site {
                Some(s) => Some(path_of(s, "site")?).filter(|p| within(p, scope)).unwrap_or(village),
                None => village,
            };
            (path.clone(), vec![(*session, path)])
        }
        EventBody::SessionClosed { session, .. } => (path_of(session, "session")?, vec![]),
        // A vial goes with its session; its discard with the vial (at a later session, carried
        // forward, that session must be in scope too).
        EventBody::VialOpened { vial, session, .. } => {
            let path = path_of(session, "session")?;
            (path.clone(), vec![(*vial, path)])
        }
        EventBody::VialDiscarded { vial, session, .. } => {
            if let Some(s) = session {
                let at = path_of(s, "session")?;
                if !within(&at, scope) {
                    return Err(out_of_scope(&at, scope));
                }
            }
            (path_of(vial, "vial")?, vec![])
        }
        // A resistant family's case file goes with its household; an activity with its village.
        EventBody::RefusalAssigned { household, .. }
        | EventBody::RefusalVisited { household, .. }
        | EventBody::RefusalEscalated { household, .. } => (path_of(household, "household")?, vec![]),
        EventBody::ActivityRecorded { village, .. } => (path_of(village, "village")?, vec![]),
    };
    if !within(&path, scope) {
        return Err(out_of_scope(&path, scope));
    }
    Ok((path, moved))
}

/// Where a site serving `villages` is placed: the deepest area above all of them (the village
/// itself for one). Every village must be known and within `scope`; a site serves at least one.
fn site_path(
    villages: &[Uuid],
    scope: &str,
    path_of: &dyn Fn(&Uuid, &str) -> Result<String, ApiError>,
) -> Result<String, ApiError> {
    if villages.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidEvent, "a session site must serve at least one village"));
    }
    let mut paths = Vec::with_capacity(villages.len());
    for v in villages {
        let p = path_of(v, "village")?;
        if !within(&p, scope) {
            return Err(ApiError::new(
                ErrorCode::OutOfScope,
                format!("the site serves the village {p}, outside this device's area ({scope})"),
            ));
        }
        paths.push(p);
    }
    Ok(common_ancestor(&paths))
}

/// The longest path, by whole segments, that every one of `paths` is within.
pub fn common_ancestor(paths: &[String]) -> String {
    let Some((first, rest)) = paths.split_first() else { return String::new() };
    let mut common: Vec<&str> = first.split('/').collect();
    for p in rest {
        let n = common.iter().zip(p.split('/')).take_while(|(a, b)| *a == b).count();
        common.truncate(n);
    }
    common.join("/")
}

fn too_many(n: usize) -> ApiError {
    ApiError::new(ErrorCode::TooLarge, format!("a push holds at most {MAX_PUSH_EVENTS} events; this one has {n}"))
}

fn out_of_scope(path: &str, scope: &str) -> ApiError {
    ApiError::new(ErrorCode::OutOfScope, format!("{path} is outside this device's area ({scope})"))
}

impl<D: Database> Service<D> {
    /// The audit trail of a beneficiary (register id or id), a device or an area and below
    /// (`teeka_domain::audit`): the whole log read in pages, in log order. An area is any name
    /// or path, as for `enroll`; nothing found for a beneficiary or a device is `NOT_FOUND`.
    pub async fn audit(&self, filter: AuditRequest<'_>) -> Result<Audit, AdminError> {
        let filter = match filter {
            AuditRequest::Beneficiary(id) => AuditFilter::Beneficiary(id.trim().to_string()),
            AuditRequest::Device(id) => AuditFilter::Device(id),
            AuditRequest::Area(text) => AuditFilter::Area(self.find_area(text).await?.path),
        };
        let mut log = Vec::new();
        let mut after = 0;
        loop {
            let page = self.db.logged_after(after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for l in page {
                let event: Event = serde_json::from_str(&l.json)
                    .map_err(|e| AdminError::Invalid(format!("event #{} is unreadable: {e}", l.seq)))?;
                log.push(AuditLogged { seq: l.seq, area: l.area_path, received_at: Some(l.received_at), event });
            }
        }
        let trail = audit(&log, &filter);
        if trail.entries.is_empty() {
            match &filter {
                AuditFilter::Beneficiary(id) => {
                    return Err(AdminError::NotFound(format!("no beneficiary '{id}' in the log")))
                }
                AuditFilter::Device(id) => {
                    return Err(AdminError::NotFound(format!("no event from device {id} in the log")))
                }
                AuditFilter::Area(_) | AuditFilter::Beneficiaries(_) => {}
            }
        }
        Ok(trail)
    }

    /// Everything, in the shape of `teeka export --format json`: the server's log, in its order,
    /// folded by the domain's replay (the device store's rules), so it equals the export of a
    /// device that has ingested every event.
    pub async fn export(&self) -> Result<Export, AdminError> {
        let mut register = Replay::default();
        let mut after = 0;
        loop {
            let page = self.db.events_after(after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for (seq, json) in &page {
                let event: Event = serde_json::from_str(json)
                    .map_err(|e| AdminError::Invalid(format!("event #{seq} is unreadable: {e}")))?;
                register.apply(&event).map_err(|e| AdminError::Invalid(format!("replaying the log: {e}")))?;
            }
        }
        Ok(register.export())
    }
}
