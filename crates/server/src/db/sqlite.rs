//! The SQLite backend: the embedded default, nothing to install. One connection (SQLite has one
//! writer anyway), used from blocking threads; WAL, foreign keys, `synchronous=FULL`. Plain, or
//! encrypted with SQLCipher under a passphrase (`--passphrase-file`, `docs/security.md`).

use super::{
    Area, CodeProblem, Database, DbError, DbResult, Device, DeviceSeen, Logged, NewCode, Page, Placed, StoredEvent,
};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../../migrations/server-sqlite/0001_init.sql")),
    (2, include_str!("../../../../migrations/server-sqlite/0002_pull_index.sql")),
    (3, include_str!("../../../../migrations/server-sqlite/0003_device_events.sql")),
    (4, include_str!("../../../../migrations/server-sqlite/0004_device_worker.sql")),
    (5, include_str!("../../../../migrations/server-sqlite/0005_event_scopes.sql")),
    (6, include_str!("../../../../migrations/server-sqlite/0006_event_scopes_by_statement.sql")),
];

/// Lists one stored event (its `seq`) under each of its scopes ([`super::scopes_of`]) in
/// `event_scopes`, in the transaction that stored it. Migration 0005 listed them with a row
/// trigger, and then with one `INSERT … SELECT` computing the prefixes in SQL: the trigger cost
/// 37 µs an event, the statement 15 µs (SQLite expands each nested prefix expression where it is
/// used); three prepared inserts cost about 6 (migration 0006).
fn list_scopes(tx: &Connection, seq: i64, path: &str) -> DbResult<()> {
    let mut insert = tx.prepare_cached("INSERT INTO event_scopes (scope, seq) VALUES (?1, ?2)")?;
    for scope in super::scopes_of(path) {
        insert.execute(params![scope, seq])?;
    }
    Ok(())
}

#[derive(Clone)]
pub struct SqliteDb {
    conn: Arc<Mutex<Connection>>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_ts(text: &str) -> DbResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DbError::Corrupt(format!("time '{text}': {e}")))
}

fn uuid(text: &str) -> DbResult<Uuid> {
    Uuid::parse_str(text).map_err(|e| DbError::Corrupt(format!("id '{text}': {e}")))
}

fn parse<T: std::str::FromStr>(text: &str) -> DbResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| DbError::Corrupt(format!("'{text}': {e}")))
}

/// What a database file is, told by its first 16 bytes before it is opened: SQLCipher encrypts
/// the header too, so a file that is there without SQLite's header is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileState {
    Missing,
    Plain,
    Encrypted,
}

fn file_state(path: &Path) -> DbResult<FileState> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(e.into()),
    };
    let mut head = Vec::with_capacity(16);
    file.by_ref().take(16).read_to_end(&mut head)?;
    Ok(match head.as_slice() {
        [] => FileState::Missing,
        b"SQLite format 3\0" => FileState::Plain,
        _ => FileState::Encrypted,
    })
}

/// A connection to the encrypted database at `path` under `passphrase` (SQLCipher 4's defaults:
/// AES-256 per page, the key derived from the passphrase by PBKDF2-HMAC-SHA512, once per open),
/// checked to read with it.
fn keyed(path: &Path, passphrase: &str) -> DbResult<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "key", passphrase)?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(conn),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            Err(DbError::WrongPassphrase(path.display().to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

fn remove_if_there(path: &Path) -> DbResult<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Encrypts the plain database at `path` in place under `passphrase`: an encrypted copy beside
/// it, made durable and checked, then renamed over it, so that a crash leaves the plain database
/// whole or the encrypted one whole. The server must not be running on it.
fn encrypt_in_place(path: &Path, passphrase: &str) -> DbResult<()> {
    let copy = sibling(path, ".encrypting");
    remove_if_there(&copy)?;
    {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            return Err(DbError::Passphrase(format!("{} is in use: stop the server first", path.display())));
        }
        let name = copy.to_str().ok_or_else(|| DbError::Passphrase(format!("{}: not UTF-8", copy.display())))?;
        conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", params![name, passphrase])?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.execute("DETACH DATABASE encrypted", [])?;
    }
    std::fs::File::open(&copy)?.sync_all()?;
    let ok: String = keyed(&copy, passphrase)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if ok != "ok" {
        remove_if_there(&copy)?;
        return Err(DbError::Corrupt(format!("the encrypted copy of {} failed its check: {ok}", path.display())));
    }
    for leftover in ["-wal", "-shm"] {
        remove_if_there(&sibling(path, leftover))?;
    }
    std::fs::rename(&copy, path)?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

impl SqliteDb {
    /// Opens (creating if needed) the plain database file and applies its migrations.
    pub fn open(path: &Path) -> DbResult<SqliteDb> {
        SqliteDb::open_with(path, None)
    }

    /// Opens the database file, with or without a passphrase, and applies its migrations:
    /// - no passphrase: a plain database (created if missing); an encrypted one is
    ///   [`DbError::Encrypted`];
    /// - a passphrase and no database yet: a new encrypted one;
    /// - a passphrase and a plain database: encrypted in place first (nothing lost, the plain
    ///   file gone);
    /// - a passphrase and an encrypted database: opened, or [`DbError::WrongPassphrase`].
    pub fn open_with(path: &Path, passphrase: Option<&str>) -> DbResult<SqliteDb> {
        let mut conn = match (passphrase, file_state(path)?) {
            (None, FileState::Encrypted) => return Err(DbError::Encrypted(path.display().to_string())),
            (None, _) => Connection::open(path)?,
            (Some(passphrase), FileState::Plain) => {
                encrypt_in_place(path, passphrase)?;
                keyed(path, passphrase)?
            }
            (Some(passphrase), _) => keyed(path, passphrase)?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT",
        )?;
        let current: i64 = tx.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if current > known {
            return Err(DbError::TooNew { found: current, known });
        }
        for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, ts(Utc::now())],
            )?;
        }
        tx.commit()?;
        Ok(SqliteDb { conn: Arc::new(Mutex::new(conn)) })
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> DbResult<T> + Send + 'static,
    ) -> DbResult<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| DbError::Task("the database lock was poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
    }
}

fn area_row(r: &Row<'_>) -> DbResult<Area> {
    Ok(Area {
        id: uuid(&r.get::<_, String>(0)?)?,
        level: parse(&r.get::<_, String>(1)?)?,
        name: r.get(2)?,
        parent_id: r.get::<_, Option<String>>(3)?.map(|p| uuid(&p)).transpose()?,
        path: r.get(4)?,
    })
}

const DEVICE_SELECT: &str = "SELECT d.id, a.id, a.level, a.name, a.parent_id, a.path, d.role, d.enrolled_at,
        d.revoked_at, d.last_sync_at, d.pending, d.clock_skew_ms
 FROM devices d JOIN areas a ON a.id = d.area_id";

fn device_row(r: &Row<'_>) -> DbResult<Device> {
    let area = Area {
        id: uuid(&r.get::<_, String>(1)?)?,
        level: parse(&r.get::<_, String>(2)?)?,
        name: r.get(3)?,
        parent_id: r.get::<_, Option<String>>(4)?.map(|p| uuid(&p)).transpose()?,
        path: r.get(5)?,
    };
    let opt_ts = |i: usize| -> DbResult<Option<DateTime<Utc>>> {
        r.get::<_, Option<String>>(i)?.map(|t| parse_ts(&t)).transpose()
    };
    Ok(Device {
        id: uuid(&r.get::<_, String>(0)?)?,
        area,
        role: parse(&r.get::<_, String>(6)?)?,
        enrolled_at: parse_ts(&r.get::<_, String>(7)?)?,
        revoked_at: opt_ts(8)?,
        last_sync_at: opt_ts(9)?,
        pending: r.get(10)?,
        clock_skew_ms: r.get(11)?,
        worker: None,
    })
}

fn note_seen(tx: &Connection, device: Uuid, seen: DeviceSeen) -> DbResult<()> {
    tx.execute(
        "UPDATE devices SET last_sync_at = ?2, pending = coalesce(?3, pending), clock_skew_ms = coalesce(?4, clock_skew_ms),
             worker = coalesce(?5, worker)
         WHERE id = ?1",
        params![device.to_string(), ts(seen.at), seen.pending, seen.clock_skew_ms, seen.worker],
    )?;
    Ok(())
}

impl Database for SqliteDb {
    async fn areas(&self) -> DbResult<Vec<Area>> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT id, level, name, parent_id, path FROM areas ORDER BY path")?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(area_row(r)?);
            }
            Ok(out)
        })
        .await
    }

    async fn add_areas(&self, areas: Vec<(Area, StoredEvent)>) -> DbResult<usize> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut added = 0;
            let now = ts(Utc::now());
            for (a, e) in &areas {
                let n = tx.execute(
                    "INSERT INTO areas (id, level, name, parent_id, path) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT DO NOTHING",
                    params![a.id.to_string(), a.level.as_str(), a.name, a.parent_id.map(|p| p.to_string()), a.path],
                )?;
                if n == 0 {
                    continue;
                }
                added += 1;
                let stored = tx.execute(
                    "INSERT INTO events (id, device_id, area_path, event, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO NOTHING",
                    params![e.id.to_string(), e.device_id.to_string(), e.area_path, e.json, now],
                )?;
                if stored == 1 {
                    list_scopes(&tx, tx.last_insert_rowid(), &e.area_path)?;
                }
                tx.execute(
                    "INSERT INTO entities (id, area_path) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
                    params![a.id.to_string(), a.path],
                )?;
            }
            tx.commit()?;
            Ok(added)
        })
        .await
    }

    async fn add_code(&self, code: NewCode) -> DbResult<()> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO enrollment_codes (code_hash, area_id, role, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    code.code_hash,
                    code.area_id.to_string(),
                    code.role.as_str(),
                    ts(code.created_at),
                    ts(code.expires_at)
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn enroll(
        &self,
        code_hash: String,
        device_id: Uuid,
        token_hash: String,
        now: DateTime<Utc>,
    ) -> DbResult<Result<Device, CodeProblem>> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let code: Option<(String, String, String, Option<String>)> = tx
                .query_row(
                    "SELECT area_id, role, expires_at, device_id FROM enrollment_codes WHERE code_hash = ?1",
                    [&code_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((area_id, role, expires_at, used_by)) = code else { return Ok(Err(CodeProblem::Unknown)) };
            let device = device_id.to_string();
            match used_by {
                Some(other) if other != device => return Ok(Err(CodeProblem::UsedByAnother)),
                _ if parse_ts(&expires_at)? <= now => return Ok(Err(CodeProblem::Expired)),
                Some(_) => {
                    let revoked: Option<Option<String>> = tx
                        .query_row("SELECT revoked_at FROM devices WHERE id = ?1", [&device], |r| r.get(0))
                        .optional()?;
                    if matches!(revoked, Some(Some(_))) {
                        return Ok(Err(CodeProblem::Revoked));
                    }
                }
                None => {
                    tx.execute(
                        "UPDATE enrollment_codes SET device_id = ?2, used_at = ?3 WHERE code_hash = ?1",
                        params![code_hash, device, ts(now)],
                    )?;
                }
            }
            tx.execute(
                "INSERT INTO devices (id, token_hash, area_id, role, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, area_id = excluded.area_id,
                     role = excluded.role, revoked_at = NULL",
                params![device, token_hash, area_id, role, ts(now)],
            )?;
            let d = tx.query_row(&format!("{DEVICE_SELECT} WHERE d.id = ?1"), [&device], |r| Ok(device_row(r)))??;
            tx.commit()?;
            Ok(Ok(d))
        })
        .await
    }

    async fn device_by_token(&self, token_hash: String) -> DbResult<Option<Device>> {
        self.with(move |c| {
            c.query_row(&format!("{DEVICE_SELECT} WHERE d.token_hash = ?1"), [&token_hash], |r| Ok(device_row(r)))
                .optional()?
                .transpose()
        })
        .await
    }

    async fn known_events(&self, ids: Vec<Uuid>) -> DbResult<HashSet<Uuid>> {
        self.with(move |c| {
            let mut known = HashSet::new();
            for chunk in ids.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(",");
                let mut stmt = c.prepare_cached(&format!("SELECT id FROM events WHERE id IN ({marks})"))?;
                let mut rows = stmt.query(rusqlite::params_from_iter(chunk.iter().map(Uuid::to_string)))?;
                while let Some(r) = rows.next()? {
                    known.insert(uuid(&r.get::<_, String>(0)?)?);
                }
            }
            Ok(known)
        })
        .await
    }

    async fn entity_paths(&self, ids: Vec<Uuid>) -> DbResult<HashMap<Uuid, String>> {
        self.with(move |c| {
            let mut stmt = c.prepare_cached("SELECT area_path FROM entities WHERE id = ?1")?;
            let mut out = HashMap::new();
            for id in ids {
                if let Some(p) = stmt.query_row([id.to_string()], |r| r.get::<_, String>(0)).optional()? {
                    out.insert(id, p);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn store_events(
        &self,
        device: Uuid,
        events: Vec<StoredEvent>,
        entities: Vec<(Uuid, String)>,
        seen: DeviceSeen,
    ) -> DbResult<()> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = ts(seen.at);
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO events (id, device_id, area_path, event, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO NOTHING",
                )?;
                for e in &events {
                    let stored =
                        insert.execute(params![e.id.to_string(), e.device_id.to_string(), e.area_path, e.json, now])?;
                    if stored == 1 {
                        list_scopes(&tx, tx.last_insert_rowid(), &e.area_path)?;
                    }
                }
                let mut entity = tx.prepare_cached(
                    "INSERT INTO entities (id, area_path) VALUES (?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET area_path = excluded.area_path",
                )?;
                for (id, path) in &entities {
                    entity.execute(params![id.to_string(), path])?;
                }
            }
            note_seen(&tx, device, seen)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn pull(&self, scope: String, after: u64, limit: u32) -> DbResult<Page> {
        self.with(move |c| {
            let plan = match super::PullPlan::shallow(&scope) {
                Some(plan) => plan,
                None => {
                    let mut stmt =
                        c.prepare_cached("SELECT path FROM areas WHERE substr(path, 1, length(?1) + 1) = ?1 || '/'")?;
                    let rows = stmt.query_map([&scope], |r| r.get(0))?;
                    super::PullPlan::deep(&scope, rows.collect::<Result<_, _>>()?)
                }
            };
            let after = i64::try_from(after).unwrap_or(i64::MAX);
            let page = i64::from(limit) + 1;
            let (sql, mut values): (String, Vec<rusqlite::types::Value>) = match plan {
                super::PullPlan::Scope { ancestors } => (
                    super::pull_by_scope_sql(ancestors.len(), '?'),
                    [
                        vec![after.into(), page.into(), scope.clone().into()],
                        ancestors.into_iter().map(Into::into).collect(),
                    ]
                    .concat(),
                ),
                super::PullPlan::Paths(paths) => (
                    super::pull_by_paths_sql(paths.len(), '?'),
                    [vec![after.into(), page.into()], paths.into_iter().map(Into::into).collect()].concat(),
                ),
                super::PullPlan::Scan => (
                    format!(
                        "SELECT seq, device_id, event FROM events WHERE seq > ?1 AND {} ORDER BY seq LIMIT ?2",
                        super::VISIBLE_SQL.replace("$S", "?3")
                    ),
                    vec![after.into(), page.into(), scope.clone().into()],
                ),
            };
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(values.drain(..)))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seq = u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0);
                out.push((seq, uuid(&r.get::<_, String>(1)?)?, r.get(2)?));
            }
            let more = out.len() > limit as usize;
            out.truncate(limit as usize);
            Ok((out, more))
        })
        .await
    }

    async fn device_seen(&self, device: Uuid, seen: DeviceSeen) -> DbResult<()> {
        self.with(move |c| note_seen(c, device, seen)).await
    }

    async fn revoke(&self, device: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
        self.with(move |c| {
            let n = c.execute(
                "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
                params![device.to_string(), ts(now)],
            )?;
            Ok(n > 0)
        })
        .await
    }

    async fn devices(&self) -> DbResult<Vec<Device>> {
        self.with(|c| {
            // With the author of each device's latest event, kept as its events are stored.
            let mut stmt = c.prepare(&format!(
                "{} ORDER BY a.path, d.enrolled_at",
                DEVICE_SELECT.replace(" FROM devices", ", d.worker FROM devices")
            ))?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let mut d = device_row(r)?;
                d.worker = r.get(12)?;
                out.push(d);
            }
            Ok(out)
        })
        .await
    }

    async fn events_after(&self, after: u64, limit: u32) -> DbResult<Vec<(u64, String)>> {
        self.with(move |c| {
            let mut stmt = c.prepare_cached("SELECT seq, event FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
            let mut rows = stmt.query(params![i64::try_from(after).unwrap_or(i64::MAX), limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?));
            }
            Ok(out)
        })
        .await
    }

    async fn logged_after(&self, after: u64, limit: u32) -> DbResult<Vec<Logged>> {
        self.with(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, area_path, event, received_at FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![i64::try_from(after).unwrap_or(i64::MAX), limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(Logged {
                    seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    area_path: r.get(1)?,
                    json: r.get(2)?,
                    received_at: parse_ts(&r.get::<_, String>(3)?)?,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn placed_after(&self, after: u64, limit: u32) -> DbResult<Placed> {
        self.with(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT seq, area_path, event FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
            let mut rows = stmt.query(params![i64::try_from(after).unwrap_or(i64::MAX), limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?, r.get(2)?));
            }
            Ok(out)
        })
        .await
    }
}
