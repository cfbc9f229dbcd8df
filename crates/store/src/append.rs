//! Appending to the log: every write stamps its events with the hybrid logical clock, logs them
//! and applies them to the projection in one immediate transaction; events from other replicas
//! are logged and applied the same way, once each.

use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::{packed, project};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction};
use teeka_domain::{Date, Event, EventBody, Hlc, InputError, WorkerRole};
use uuid::Uuid;

/// What every write needs from the edge: the time, the date and who is writing.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub now: DateTime<Utc>,
    /// The worker's calendar date: nothing may be recorded after it.
    pub today: Date,
    pub author: String,
    /// The worker's stable id (the app's signed-in worker); `None`: derived from the device and
    /// `author` (`teeka_domain::model::worker_for_author`), as for the CLI.
    pub worker: Option<Uuid>,
}

impl Store {
    /// Appends events and applies them, in one transaction.
    pub fn append(&mut self, ctx: &Ctx, bodies: Vec<EventBody>) -> Result<Vec<Event>> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let events = append_in(&tx, self.device_id, ctx, bodies)?;
        tx.commit()?;
        Ok(events)
    }

    /// Takes in events recorded elsewhere (another device, through sync), in one transaction.
    /// Events already in the log are skipped, so taking the same events twice is harmless; the
    /// clock moves past every stamp seen. Each event must follow the events it refers to (the
    /// registration of the household or beneficiary it changes). Returns how many were new.
    pub fn ingest(&mut self, events: &[Event], now: DateTime<Utc>) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let new = ingest_in(&tx, events, now)?;
        tx.commit()?;
        Ok(new)
    }

    /// How many events the log holds.
    pub fn event_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?)
    }

    /// Every event, in the order appended.
    pub fn events(&self) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(read_event(r)?);
        }
        Ok(out)
    }
}

/// The columns [`read_event`] reads, in its order.
pub(crate) const EVENT_COLUMNS: &str =
    "events.id, events.device_id, events.hlc, events.author, events.recorded_at, events.body, events.worker";

/// An event from a row of [`EVENT_COLUMNS`].
pub(crate) fn read_event(r: &rusqlite::Row<'_>) -> Result<Event> {
    let id: String = r.get(0)?;
    let bad = |what: &str, e: String| StoreError::Corrupt(format!("event {id}: {what}: {e}"));
    Ok(Event {
        id: Uuid::parse_str(&id).map_err(|e| bad("id", e.to_string()))?,
        device_id: Uuid::parse_str(r.get_ref(1)?.as_str()?).map_err(|e| bad("device", e.to_string()))?,
        hlc: r.get_ref(2)?.as_str()?.parse().map_err(|e: teeka_domain::hlc::BadHlc| bad("hlc", e.to_string()))?,
        author: r.get(3)?,
        recorded_at: DateTime::parse_from_rfc3339(r.get_ref(4)?.as_str()?)
            .map_err(|e| bad("recorded_at", e.to_string()))?
            .with_timezone(&Utc),
        body: serde_json::from_str(r.get_ref(5)?.as_str()?).map_err(|e| bad("body", e.to_string()))?,
        worker: r
            .get::<_, Option<String>>(6)?
            .map(|w| Uuid::parse_str(&w))
            .transpose()
            .map_err(|e| bad("worker", e.to_string()))?,
    })
}

fn millis(t: DateTime<Utc>) -> u64 {
    u64::try_from(t.timestamp_millis()).unwrap_or(0)
}

fn load_clock(tx: &Transaction<'_>) -> Result<Hlc> {
    let last: Option<String> = tx.query_row("SELECT value FROM meta WHERE key = 'hlc'", [], |r| r.get(0)).optional()?;
    match last {
        Some(t) => t.parse().map_err(|e: teeka_domain::hlc::BadHlc| StoreError::Corrupt(e.to_string())),
        None => Ok(Hlc::default()),
    }
}

/// Logs an event; false if the log already has it (same id). `device` and `recorded_at` are
/// the event's, as text (one text for a whole batch of this device's own events).
fn insert_event(tx: &Transaction<'_>, event: &Event, device: &str, recorded_at: &str) -> Result<bool> {
    let json = serde_json::to_string(&event.body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    insert_event_json(tx, event, &json, device, recorded_at)
}

/// [`insert_event`] with the body's JSON made already.
fn insert_event_json(tx: &Transaction<'_>, event: &Event, json: &str, device: &str, recorded_at: &str) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT INTO events (id, device_id, hlc, author, recorded_at, kind, body, worker)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(rusqlite::params![
            event.id.to_string(),
            device,
            event.hlc.to_string(),
            event.author,
            recorded_at,
            event.body.kind(),
            json,
            event.worker.map(|w| w.to_string())
        ])?;
    Ok(n == 1)
}

/// An event's `recorded_at` as the log keeps it: to the millisecond.
fn recorded_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Logs and applies events from elsewhere inside an open transaction; returns how many were new.
pub(crate) fn ingest_in(tx: &Transaction<'_>, events: &[Event], now: DateTime<Utc>) -> Result<usize> {
    let mut clock = load_clock(tx)?;
    let now_ms = millis(now);
    let mut new = 0;
    let mut batch = project::Batch::default();
    for event in events {
        if insert_event(tx, event, &event.device_id.to_string(), &recorded_text(event.recorded_at))? {
            project::apply(tx, event, &mut batch)?;
            new += 1;
        }
        clock = clock.observe(event.hlc, now_ms);
    }
    packed::pack_doses(tx, &batch.dirty)?;
    save_clock(tx, clock)?;
    Ok(new)
}

/// Stamps, logs and applies events inside an open transaction; they all enter the outbox.
pub(crate) fn append_in(
    tx: &Transaction<'_>,
    device_id: Uuid,
    ctx: &Ctx,
    bodies: Vec<EventBody>,
) -> Result<Vec<Event>> {
    let mut clock = load_clock(tx)?;
    let now_ms = millis(ctx.now);
    let mut events = Vec::with_capacity(bodies.len());
    let mut batch = project::Batch::default();
    // Stored to the millisecond, so the event returned equals the one read back.
    let recorded_at = chrono::SubsecRound::trunc_subsecs(ctx.now, 3);
    let (device, recorded) = (device_id.to_string(), recorded_text(recorded_at));
    if ctx.author.chars().count() > teeka_domain::limits::MAX_TEXT_CHARS {
        let max = teeka_domain::limits::MAX_TEXT_CHARS;
        return Err(InputError::at("author", format!("the worker's name is longer than {max} characters")).into());
    }
    // An enrolled device makes nothing its role may not (the server would refuse it).
    let role: Option<String> =
        tx.query_row("SELECT value FROM meta WHERE key = 'role'", [], |r| r.get(0)).optional()?;
    if let Some(role) =
        role.map(|r| r.parse::<WorkerRole>()).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?
    {
        for body in &bodies {
            teeka_domain::roles::may_record(role, body)?;
        }
    }
    let last: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?;
    let worker = Some(ctx.worker.unwrap_or_else(|| teeka_domain::model::worker_for_author(device_id, &ctx.author)));
    for body in bodies {
        clock = clock.tick(now_ms);
        let event =
            Event { id: Uuid::now_v7(), device_id, hlc: clock, author: ctx.author.clone(), worker, recorded_at, body };
        // What the server would refuse is never made (the forms' own checks come first).
        let json = serde_json::to_string(&event.body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        teeka_domain::limits::check_event_json(&json).map_err(|e| InputError::at(e.field.clone(), e.to_string()))?;
        insert_event_json(tx, &event, &json, &device, &recorded)?;
        project::apply(tx, &event, &mut batch)?;
        events.push(event);
    }
    // Every event logged here since `last` is one of these (the transaction is immediate).
    tx.prepare_cached("INSERT INTO outbox (event_seq) SELECT seq FROM events WHERE seq > ?1 ORDER BY seq")?
        .execute([last])?;
    packed::pack_doses(tx, &batch.dirty)?;
    save_clock(tx, clock)?;
    Ok(events)
}

fn save_clock(tx: &Transaction<'_>, clock: Hlc) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('hlc', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [clock.to_string()],
    )?;
    Ok(())
}
