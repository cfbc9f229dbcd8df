//! Storage of the central server: one trait, two backends (SQLite, the embedded default;
//! PostgreSQL, for a state or a nation). Each backend owns its migrations
//! (`migrations/server-sqlite/`, `migrations/server-postgres/`) and applies them at start.
//!
//! The backends are thin: every rule (scope, validation, enrollment codes) lives in
//! `service.rs`, once. Each method is one transaction.

pub mod postgres;
pub mod sqlite;

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use teeka_domain::AreaLevel;
use teeka_protocol::Role;
use uuid::Uuid;

/// Errors of a backend.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(String),
    #[error("the database holds an unexpected value: {0}")]
    Corrupt(String),
    #[error("this database was migrated by a newer teeka-server (version {found}; this build knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("a database task failed: {0}")]
    Task(String),
    #[error("{0} is encrypted: give its passphrase (--passphrase-file FILE, or TEEKA_SERVER_PASSPHRASE)")]
    Encrypted(String),
    #[error("{0} does not open with this passphrase")]
    WrongPassphrase(String),
    #[error("{0}")]
    Passphrase(String),
    #[error("the database file: {0}")]
    Io(#[from] std::io::Error),
}

impl DbError {
    /// The stable code the command line prints (`error[CODE]`), as the device's for its store.
    pub fn code(&self) -> &'static str {
        match self {
            DbError::Encrypted(_) => "STORE_ENCRYPTED",
            DbError::WrongPassphrase(_) => "WRONG_PASSPHRASE",
            DbError::Passphrase(_) => "INVALID_INPUT",
            _ => "ERROR",
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// An area of the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub id: Uuid,
    pub level: AreaLevel,
    pub name: String,
    pub parent_id: Option<Uuid>,
    /// `State/District/Block/Subcentre/Village`.
    pub path: String,
}

/// An event as the log stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: Uuid,
    pub device_id: Uuid,
    /// The village (or area) it belongs to.
    pub area_path: String,
    /// The whole event, JSON.
    pub json: String,
}

/// A one-time enrollment code, as stored (hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCode {
    pub code_hash: String,
    pub area_id: Uuid,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Why a code could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    Unknown,
    Expired,
    UsedByAnother,
    /// The device was revoked: a code it already used cannot bring it back (a new code can).
    Revoked,
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub area: Area,
    pub role: Role,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub pending: Option<i64>,
    pub clock_skew_ms: Option<i64>,
    /// The author of its latest event in the log, kept as its events are stored (read by
    /// [`Database::devices`] only; `None` elsewhere).
    pub worker: Option<String>,
}

/// What a device reported, or what a sync told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSeen {
    pub at: DateTime<Utc>,
    pub pending: Option<i64>,
    pub clock_skew_ms: Option<i64>,
    /// The author of the latest event it pushed (`None`: unchanged).
    pub worker: Option<String>,
}

/// A page of the log: (seq, event JSON) in order, and whether more follow.
pub type Page = (Vec<PageEvent>, bool);

/// One event of a pull: its sequence number, the device that recorded it, its JSON.
pub type PageEvent = (u64, Uuid, String);

/// Events with their place, in log order: (seq, area path, event JSON).
pub type Placed = Vec<(u64, String, String)>;

/// One event of the log as the server keeps it: its place, its JSON, when the server took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub seq: u64,
    pub area_path: String,
    pub json: String,
    pub received_at: DateTime<Utc>,
}

/// The storage of the central server.
pub trait Database: Clone + Send + Sync + 'static {
    /// Every area.
    fn areas(&self) -> impl Future<Output = DbResult<Vec<Area>>> + Send;
    /// Adds the areas not present yet (by id), each with its event, in one transaction.
    fn add_areas(&self, areas: Vec<(Area, StoredEvent)>) -> impl Future<Output = DbResult<usize>> + Send;
    fn add_code(&self, code: NewCode) -> impl Future<Output = DbResult<()>> + Send;
    /// Uses a code for a device: the code must exist, not be expired and not be used by another
    /// device. Creates the device, or gives it a new token if it enrolled with this code before.
    fn enroll(
        &self,
        code_hash: String,
        device_id: Uuid,
        token_hash: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<Result<Device, CodeProblem>>> + Send;
    fn device_by_token(&self, token_hash: String) -> impl Future<Output = DbResult<Option<Device>>> + Send;
    /// The ids among `ids` already in the log.
    fn known_events(&self, ids: Vec<Uuid>) -> impl Future<Output = DbResult<HashSet<Uuid>>> + Send;
    /// The village paths of the given area, household and beneficiary ids that are known.
    fn entity_paths(&self, ids: Vec<Uuid>) -> impl Future<Output = DbResult<HashMap<Uuid, String>>> + Send;
    /// Appends events (skipping ids already present) and sets entity paths, in one transaction,
    /// and notes the device as seen.
    fn store_events(
        &self,
        device: Uuid,
        events: Vec<StoredEvent>,
        entities: Vec<(Uuid, String)>,
        seen: DeviceSeen,
    ) -> impl Future<Output = DbResult<()>> + Send;
    /// Up to `limit` events after `after` whose area is inside `scope` or above it.
    fn pull(&self, scope: String, after: u64, limit: u32) -> impl Future<Output = DbResult<Page>> + Send;
    fn device_seen(&self, device: Uuid, seen: DeviceSeen) -> impl Future<Output = DbResult<()>> + Send;
    /// Revokes a device; false if no such device.
    fn revoke(&self, device: Uuid, now: DateTime<Utc>) -> impl Future<Output = DbResult<bool>> + Send;
    /// Every device, each with the author of its latest event in the log (`worker`).
    fn devices(&self) -> impl Future<Output = DbResult<Vec<Device>>> + Send;
    /// Every event JSON, in log order, from `after` on, at most `limit`.
    fn events_after(&self, after: u64, limit: u32) -> impl Future<Output = DbResult<Vec<(u64, String)>>> + Send;
    /// Like [`Database::events_after`], each event with the area path it is placed in:
    /// `(seq, area_path, event JSON)`.
    fn placed_after(&self, after: u64, limit: u32) -> impl Future<Output = DbResult<Placed>> + Send;
    /// Like [`Database::placed_after`], each event with the time the server received it (the
    /// audit trail).
    fn logged_after(&self, after: u64, limit: u32) -> impl Future<Output = DbResult<Vec<Logged>>> + Send;
}

/// Whether `path` is `scope` or inside it.
pub fn within(path: &str, scope: &str) -> bool {
    path == scope || (path.len() > scope.len() && path.starts_with(scope) && path.as_bytes()[scope.len()] == b'/')
}

/// The SQL condition "area_path is inside ?scope or above it", the same on both backends.
/// `$S` stands for the scope parameter.
pub const VISIBLE_SQL: &str = "(area_path = $S
      OR substr(area_path, 1, length($S) + 1) = $S || '/'
      OR substr($S, 1, length(area_path) + 1) = area_path || '/')";

/// Beyond this many visible areas a pull scans the log instead of reading area by area.
pub const MAX_PULL_PATHS: usize = 200;

/// The area paths whose events a device of area `scope` receives: the areas above it, itself,
/// and the areas below it (`descendants`). `None` when there are too many to read one by one.
pub fn visible_paths(scope: &str, descendants: Vec<String>) -> Option<Vec<String>> {
    let mut paths: Vec<String> = scope.match_indices('/').map(|(i, _)| scope[..i].to_string()).collect();
    paths.push(scope.to_string());
    paths.extend(descendants);
    (paths.len() <= MAX_PULL_PATHS).then_some(paths)
}

/// The areas whose events are listed under them in `event_scopes` (migration 0005): paths of
/// at most this many segments (a state, a district, a block).
pub const SCOPE_DEPTH: usize = 3;

/// The scopes an event of area `path` is listed under in `event_scopes`: each prefix of the path
/// of at most [`SCOPE_DEPTH`] segments, the path itself when it has no more (migration 0005's
/// rule, which its backfill and PostgreSQL's trigger apply in SQL).
pub fn scopes_of(path: &str) -> impl Iterator<Item = &str> {
    let cuts = path.match_indices('/').map(|(i, _)| i).chain(std::iter::once(path.len()));
    cuts.take(SCOPE_DEPTH).map(move |i| &path[..i])
}

/// How a pull for a device of area `scope` reads the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullPlan {
    /// A state, a district or a block: its events from `event_scopes`, and the events of the
    /// areas above it (`ancestors`) from the `(area_path, seq)` index.
    Scope { ancestors: Vec<String> },
    /// A deeper area: each visible area's events from the `(area_path, seq)` index.
    Paths(Vec<String>),
    /// A deeper area with too many areas below it: the log, filtered.
    Scan,
}

impl PullPlan {
    /// The plan for a state, a district or a block; `None` for a deeper area, whose plan
    /// [`PullPlan::deep`] makes from the areas below it.
    pub fn shallow(scope: &str) -> Option<PullPlan> {
        let ancestors: Vec<String> = scope.match_indices('/').map(|(i, _)| scope[..i].to_string()).collect();
        (ancestors.len() < SCOPE_DEPTH).then_some(PullPlan::Scope { ancestors })
    }

    /// The plan for a deeper area with the areas below it (`descendants`).
    pub fn deep(scope: &str, descendants: Vec<String>) -> PullPlan {
        visible_paths(scope, descendants).map_or(PullPlan::Scan, PullPlan::Paths)
    }
}

/// A pull that reads a state's, a district's or a block's events from `event_scopes` and those
/// of each area above it from the `(area_path, seq)` index, at most one page each, merged in log
/// order. Parameters, written `?N` or `$N` after `sigil`: 1 = after, 2 = limit, 3 = the scope,
/// 4… = the ancestors.
pub fn pull_by_scope_sql(ancestors: usize, sigil: char) -> String {
    let mut branches = vec![format!(
        "SELECT seq FROM (SELECT seq FROM event_scopes WHERE scope = {sigil}3 AND seq > {sigil}1 \
         ORDER BY seq LIMIT {sigil}2) AS s"
    )];
    branches.extend((0..ancestors).map(|i| {
        format!(
            "SELECT seq FROM (SELECT seq FROM events WHERE area_path = {sigil}{} AND seq > {sigil}1 \
             ORDER BY seq LIMIT {sigil}2) AS p{i}",
            i + 4
        )
    }));
    format!(
        "SELECT seq, device_id, event FROM events WHERE seq IN (SELECT seq FROM ({}) AS visible ORDER BY seq LIMIT {sigil}2) \
         ORDER BY seq",
        branches.join(" UNION ALL ")
    )
}

/// A pull that reads each visible area's events from the `(area_path, seq)` index, at most one
/// page each, and merges them in log order: its cost follows the device's area, not the log.
/// Parameters, written `?N` or `$N` after `sigil`: 1 = after, 2 = limit, 3… = the paths.
pub fn pull_by_paths_sql(paths: usize, sigil: char) -> String {
    let branches: Vec<String> = (0..paths)
        .map(|i| {
            format!(
                "SELECT seq FROM (SELECT seq FROM events WHERE area_path = {sigil}{} AND seq > {sigil}1 \
                 ORDER BY seq LIMIT {sigil}2) AS p{i}",
                i + 3
            )
        })
        .collect();
    format!(
        "SELECT seq, device_id, event FROM events WHERE seq IN (SELECT seq FROM ({}) AS visible ORDER BY seq LIMIT {sigil}2) \
         ORDER BY seq",
        branches.join(" UNION ALL ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_listed_under_its_state_district_and_block_or_its_own_shorter_path() {
        fn all(p: &str) -> Vec<&str> {
            scopes_of(p).collect()
        }
        assert_eq!(all("UP/Sitapur/Mahmudabad/SC 01/Rampur"), vec!["UP", "UP/Sitapur", "UP/Sitapur/Mahmudabad"]);
        assert_eq!(all("UP/Sitapur/Mahmudabad"), vec!["UP", "UP/Sitapur", "UP/Sitapur/Mahmudabad"]);
        assert_eq!(all("UP/Sitapur"), vec!["UP", "UP/Sitapur"]);
        assert_eq!(all("UP"), vec!["UP"]);
    }

    #[test]
    fn a_state_a_district_and_a_block_read_their_scope_deeper_areas_their_paths() {
        assert_eq!(PullPlan::shallow("UP"), Some(PullPlan::Scope { ancestors: vec![] }));
        assert_eq!(
            PullPlan::shallow("UP/Sitapur/Mahmudabad"),
            Some(PullPlan::Scope { ancestors: vec!["UP".into(), "UP/Sitapur".into()] })
        );
        assert_eq!(PullPlan::shallow("UP/Sitapur/Mahmudabad/Rampur SC"), None);
        assert_eq!(
            PullPlan::deep("UP/Sitapur/Mahmudabad/Rampur SC", vec!["UP/Sitapur/Mahmudabad/Rampur SC/Rampur".into()]),
            PullPlan::Paths(vec![
                "UP".into(),
                "UP/Sitapur".into(),
                "UP/Sitapur/Mahmudabad".into(),
                "UP/Sitapur/Mahmudabad/Rampur SC".into(),
                "UP/Sitapur/Mahmudabad/Rampur SC/Rampur".into()
            ])
        );
        let many = (0..MAX_PULL_PATHS).map(|i| format!("UP/S/M/R/{i}")).collect();
        assert_eq!(PullPlan::deep("UP/S/M/R", many), PullPlan::Scan);
        let sql = pull_by_scope_sql(2, '?');
        assert!(sql.contains("event_scopes WHERE scope = ?3 AND seq > ?1 ORDER BY seq LIMIT ?2"), "{sql}");
        assert!(sql.contains("area_path = ?5"), "{sql}");
    }

    #[test]
    fn visible_paths_are_ancestors_self_and_descendants() {
        let p = visible_paths("UP/Sitapur/Mahmudabad", vec!["UP/Sitapur/Mahmudabad/Rampur SC".into()]).unwrap();
        assert_eq!(p, ["UP", "UP/Sitapur", "UP/Sitapur/Mahmudabad", "UP/Sitapur/Mahmudabad/Rampur SC"]);
        assert!(visible_paths("UP", (0..MAX_PULL_PATHS).map(|i| format!("UP/{i}")).collect()).is_none());
        let sql = pull_by_paths_sql(2, '$');
        assert!(sql.contains("area_path = $3 AND seq > $1 ORDER BY seq LIMIT $2"), "{sql}");
        assert!(sql.contains("area_path = $4"), "{sql}");
    }

    #[test]
    fn within_respects_path_segments() {
        assert!(within("UP/Sitapur/Mahmudabad", "UP/Sitapur"));
        assert!(within("UP/Sitapur", "UP/Sitapur"));
        assert!(!within("UP/Sitapurpur", "UP/Sitapur"));
        assert!(!within("UP", "UP/Sitapur"));
    }
}
