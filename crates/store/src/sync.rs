//! What the device keeps for sync: its enrollment, the outbox of its own events not yet
//! acknowledged, the events the server set aside, the pull cursor and the last outcome.
//!
//! Every step that changes sync state is one transaction with the data it concerns: a pulled page
//! is applied together with the cursor that follows it; acknowledged events leave the outbox in
//! one step. So a sync cut at any point resumes without losing or doubling anything.

use crate::append::{ingest_in, read_event, EVENT_COLUMNS};
use crate::error::{Result, StoreError};
use crate::store::Store;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use teeka_domain::Event;
use uuid::Uuid;

/// What enrollment gave this device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub server_url: String,
    pub token: String,
    pub area_id: Uuid,
    /// `State/District/…` of the device's area.
    pub area: String,
    pub role: String,
    /// The server certificate (PEM) the device trusts instead of the system's authorities, if
    /// one was pinned at enrollment.
    pub server_cert: Option<String>,
}

/// One of this device's events that the server refused for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetAside {
    pub event_id: Uuid,
    pub code: String,
    pub reason: String,
    pub at: String,
}

/// `teeka status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub device_id: Uuid,
    pub server_url: Option<String>,
    pub area: Option<String>,
    pub role: Option<String>,
    /// Own events not yet acknowledged by the server (set-aside ones excluded).
    pub pending: u64,
    /// When the oldest of them was recorded (device clock).
    pub oldest_pending: Option<String>,
    pub set_aside: Vec<SetAside>,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub pull_cursor: u64,
}

const SYNC_KEYS: [&str; 5] = ["server_url", "token", "area_id", "area", "role"];
/// The pinned server certificate: kept beside [`SYNC_KEYS`], and absent when none was pinned.
const SERVER_CERT_KEY: &str = "server_cert";

fn get_meta(tx: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// The enrollment, if this device is enrolled.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        let mut values = Vec::new();
        for key in SYNC_KEYS {
            match get_meta(&self.conn, key)? {
                Some(v) => values.push(v),
                None => return Ok(None),
            }
        }
        let area_id = Uuid::parse_str(&values[2]).map_err(|e| StoreError::Corrupt(format!("area id: {e}")))?;
        Ok(Some(Enrollment {
            server_url: values[0].clone(),
            token: values[1].clone(),
            area_id,
            area: values[3].clone(),
            role: values[4].clone(),
            server_cert: get_meta(&self.conn, SERVER_CERT_KEY)?,
        }))
    }

    /// Keeps what enrollment gave. Enrolling again (another code) replaces it; the pull cursor
    /// starts over so that the device receives everything of its (new) area.
    pub fn save_enrollment(&mut self, e: &Enrollment) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let area_id = e.area_id.to_string();
        for (key, value) in SYNC_KEYS.iter().zip([&e.server_url, &e.token, &area_id, &e.area, &e.role]) {
            set_meta(&tx, key, value)?;
        }
        match &e.server_cert {
            Some(pem) => set_meta(&tx, SERVER_CERT_KEY, pem)?,
            None => {
                tx.execute("DELETE FROM meta WHERE key = ?1", [SERVER_CERT_KEY])?;
            }
        }
        set_meta(&tx, "pull_cursor", "0")?;
        tx.commit()?;
        Ok(())
    }

    /// Up to `limit` of this device's events not yet acknowledged, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM outbox o JOIN events ON events.seq = o.event_seq ORDER BY o.event_seq LIMIT ?1"
        ))?;
        let mut rows = stmt.query([i64::try_from(limit).unwrap_or(i64::MAX)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(read_event(r)?);
        }
        Ok(out)
    }

    /// Own events waiting in the outbox.
    pub fn pending_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }

    /// After a push: accepted events leave the outbox; rejected ones leave it too and are set
    /// aside with the server's reason. One transaction.
    pub fn acknowledge(
        &mut self,
        accepted: &[Uuid],
        rejected: &[(Uuid, String, String)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for chunk in accepted.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            tx.prepare_cached(&format!(
                "DELETE FROM outbox WHERE event_seq IN (SELECT seq FROM events WHERE id IN ({marks}))"
            ))?
            .execute(rusqlite::params_from_iter(chunk.iter().map(Uuid::to_string)))?;
        }
        {
            let mut remove =
                tx.prepare_cached("DELETE FROM outbox WHERE event_seq = (SELECT seq FROM events WHERE id = ?1)")?;
            let mut aside = tx.prepare_cached(
                "INSERT INTO set_aside (event_id, code, reason, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (event_id) DO UPDATE SET code = excluded.code, reason = excluded.reason",
            )?;
            for (id, code, reason) in rejected {
                let known = remove.execute([id.to_string()])?;
                if known > 0 {
                    aside.execute(params![id.to_string(), code, reason, stamp(now)])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The cursor the next pull asks after.
    pub fn pull_cursor(&self) -> Result<u64> {
        get_meta(&self.conn, "pull_cursor")?
            .map_or(Ok(0), |c| c.parse().map_err(|_| StoreError::Corrupt(format!("pull cursor '{c}'"))))
    }

    /// Applies a pulled page and moves the cursor past it, in one transaction: a cut
    /// connection or a killed process leaves either both or neither.
    pub fn apply_pulled(&mut self, events: &[Event], next: u64, now: DateTime<Utc>) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let new = ingest_in(&tx, events, now)?;
        set_meta(&tx, "pull_cursor", &next.to_string())?;
        tx.commit()?;
        Ok(new)
    }

    /// Notes the outcome of a sync run.
    pub fn record_sync_outcome(&mut self, now: DateTime<Utc>, error: Option<&str>) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        match error {
            None => {
                set_meta(&tx, "last_success", &stamp(now))?;
                tx.execute("DELETE FROM meta WHERE key IN ('last_error', 'last_error_at')", [])?;
            }
            Some(e) => {
                set_meta(&tx, "last_error", e)?;
                set_meta(&tx, "last_error_at", &stamp(now))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The events the server set aside, oldest first.
    pub fn set_aside(&self) -> Result<Vec<SetAside>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.event_id, s.code, s.reason, s.at FROM set_aside s JOIN events e ON e.id = s.event_id
             ORDER BY e.seq",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, code, reason, at) = row?;
            let event_id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("set-aside id: {e}")))?;
            out.push(SetAside { event_id, code, reason, at });
        }
        Ok(out)
    }

    /// Everything `teeka status` shows.
    pub fn status(&self) -> Result<SyncStatus> {
        let enrollment = self.enrollment()?;
        let oldest_pending: Option<String> = self
            .conn
            .query_row(
                "SELECT e.recorded_at FROM outbox o JOIN events e ON e.seq = o.event_seq ORDER BY o.event_seq LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(SyncStatus {
            device_id: self.device_id,
            server_url: enrollment.as_ref().map(|e| e.server_url.clone()),
            area: enrollment.as_ref().map(|e| e.area.clone()),
            role: enrollment.as_ref().map(|e| e.role.clone()),
            pending: self.pending_count()?,
            oldest_pending,
            set_aside: self.set_aside()?,
            last_success: get_meta(&self.conn, "last_success")?,
            last_error: get_meta(&self.conn, "last_error")?,
            last_error_at: get_meta(&self.conn, "last_error_at")?,
            pull_cursor: self.pull_cursor()?,
        })
    }
}
