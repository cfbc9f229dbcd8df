//! The device store: a SQLite register whose every change is an immutable event.
//!
//! Each write appends events to the `events` log and applies them to the projection (areas,
//! households, beneficiaries, doses) in one durable transaction: either both happen or neither.
//! The log is what sync ships. Stores open with WAL, foreign keys on and `synchronous=FULL`;
//! migrations from `migrations/device/` are applied on open, in one transaction.

mod app;
mod import;
mod migrate;
mod project;
mod query;
mod sync;

pub use app::{
    check_phone, optional_text, required_text, AefiCounts, AefiView, AntigenCount, BeneficiaryInput, BeneficiaryView,
    DoseCount, DoseView, FoundView, HouseholdInput, HouseholdView, MemberView, NotGivenCode, NotGivenView, Place,
    ReasonCount, RefusalView, SessionItem, SessionView, Tally, VillageView, Worker, MAX_TEXT, SEARCH_LIMIT,
    SIMILAR_DOB_DAYS,
};
pub use import::ImportSummary;
pub use query::{Export, ExportBeneficiary, ExportDose, ExportNotGiven};
pub use sync::{Enrollment, SetAside, SyncStatus};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use std::collections::HashSet;
use std::path::Path;
use teeka_domain::register::RegisterErrors;
use teeka_domain::{iso, Date, DoseCode, Event, EventBody, Hlc, Kind, ReasonCode, ScheduleSettings};
use uuid::Uuid;

/// What every write needs from the edge: the time, the date and who is writing.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub now: DateTime<Utc>,
    /// The worker's calendar date: nothing may be recorded after it.
    pub today: Date,
    pub author: String,
}

/// Errors of the store. Each has a stable [`StoreError::code`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("unexpected value in the database: {0}")]
    Value(#[from] rusqlite::types::FromSqlError),
    #[error(transparent)]
    Register(#[from] RegisterErrors),
    #[error("no beneficiary with register id '{0}'")]
    UnknownBeneficiary(String),
    #[error("no village named '{0}' in this store")]
    UnknownVillage(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    SessionClosed(String),
    #[error("this store was written by a newer Teeka (schema version {found}; this build knows up to {known})")]
    NewerSchema { found: i64, known: i64 },
    #[error("the store is damaged: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A stable code for scripts and the UI; never match the message.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Db(_) | StoreError::Value(_) => "STORE_DATABASE",
            StoreError::Register(_) => "REGISTER_INVALID",
            StoreError::UnknownBeneficiary(_) => "UNKNOWN_BENEFICIARY",
            StoreError::UnknownVillage(_) => "UNKNOWN_VILLAGE",
            StoreError::Invalid(_) => "INVALID_INPUT",
            StoreError::NotFound(_) => "NOT_FOUND",
            StoreError::SessionClosed(_) => "SESSION_CLOSED",
            StoreError::NewerSchema { .. } => "STORE_TOO_NEW",
            StoreError::Corrupt(_) => "STORE_CORRUPT",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A dose or not-given record that was stored, with any warnings about it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub event: Event,
    pub warnings: Vec<String>,
}

/// The device store.
pub struct Store {
    conn: Connection,
    device_id: Uuid,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Self::setup(Connection::open(path)?)
    }

    /// A store in memory, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Read the store through memory mapping and a larger page cache: the due list reads every
        // beneficiary, and copying pages in from the OS each time dominated it.
        conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
        conn.pragma_update(None, "cache_size", -16 * 1024)?;
        migrate::migrate(&mut conn)?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<String> =
            tx.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0)).optional()?;
        let device_id = match existing {
            Some(text) => Uuid::parse_str(&text).map_err(|e| StoreError::Corrupt(format!("device id: {e}")))?,
            None => {
                let id = Uuid::now_v7();
                tx.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?1)", [id.to_string()])?;
                id
            }
        };
        tx.commit()?;
        Ok(Store { conn, device_id })
    }

    /// This device's id, made when the store was created.
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// The schedule settings of this device.
    pub fn settings(&self) -> Result<ScheduleSettings> {
        let grace: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = 'overdue_grace_days'", [], |r| r.get(0))
            .optional()?;
        let mut s = ScheduleSettings::default();
        if let Some(g) = grace {
            s.overdue_grace_days =
                g.parse().map_err(|_| StoreError::Corrupt(format!("setting overdue_grace_days = '{g}'")))?;
        }
        Ok(s)
    }

    /// Sets the number of days after its due date at which a dose becomes overdue.
    pub fn set_overdue_grace_days(&mut self, days: u32) -> Result<()> {
        if days > 365 {
            return Err(StoreError::Invalid(format!("overdue grace of {days} days is more than a year")));
        }
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('overdue_grace_days', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [days.to_string()],
        )?;
        Ok(())
    }

    /// Appends events and applies them, in one transaction.
    pub fn append(&mut self, ctx: &Ctx, bodies: Vec<EventBody>) -> Result<Vec<Event>> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let events = append_in(&tx, self.device_id, ctx, bodies)?;
        tx.commit()?;
        Ok(events)
    }

    /// Marks a village JE-endemic (or not).
    pub fn set_je_endemic(&mut self, village: &str, je_endemic: bool, ctx: &Ctx) -> Result<Event> {
        let area = self.village_id(village)?.ok_or_else(|| StoreError::UnknownVillage(village.to_string()))?;
        let mut events = self.append(ctx, vec![EventBody::VillageJeEndemicSet { area, je_endemic }])?;
        events.pop().ok_or_else(|| StoreError::Corrupt("an append returned no event".into()))
    }

    /// Records a dose given. Refuses what cannot be true; warns about what is unusual.
    pub fn record_dose(&mut self, register_id: &str, code: DoseCode, date: Date, ctx: &Ctx) -> Result<Recorded> {
        let (beneficiary, warnings) = self.check_record(register_id, code, date, ctx, true)?;
        let mut events =
            self.append(ctx, vec![EventBody::DoseGiven { beneficiary, code, date, corrects: None, session: None }])?;
        let event = events.pop().ok_or_else(|| StoreError::Corrupt("an append returned no event".into()))?;
        Ok(Recorded { event, warnings })
    }

    /// Records a dose due that was not given, with the reason. A refusal marks the household
    /// resistant.
    pub fn record_not_given(
        &mut self,
        register_id: &str,
        code: DoseCode,
        date: Date,
        reason: ReasonCode,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        let (beneficiary, warnings) = self.check_record(register_id, code, date, ctx, false)?;
        let mut events = self.append(
            ctx,
            vec![EventBody::DoseNotGiven { beneficiary, code, date, reason, corrects: None, session: None }],
        )?;
        let event = events.pop().ok_or_else(|| StoreError::Corrupt("an append returned no event".into()))?;
        Ok(Recorded { event, warnings })
    }

    fn check_record(
        &self,
        register_id: &str,
        code: DoseCode,
        date: Date,
        ctx: &Ctx,
        given: bool,
    ) -> Result<(Uuid, Vec<String>)> {
        let (person, history, id) =
            self.person(register_id)?.ok_or_else(|| StoreError::UnknownBeneficiary(register_id.to_string()))?;
        if code.kind() != person.kind {
            let whose = if code.kind() == Kind::Child { "a child's" } else { "a pregnant woman's" };
            return Err(StoreError::Invalid(format!(
                "{code} is {whose} dose; {register_id} is a {}",
                person.kind.words()
            )));
        }
        if date > ctx.today {
            return Err(StoreError::Invalid(format!(
                "date {} is in the future (today is {})",
                iso(date),
                iso(ctx.today)
            )));
        }
        if date < person.anchor {
            let what = if person.kind == Kind::Child { "birth" } else { "the LMP" };
            return Err(StoreError::Invalid(format!(
                "date {} is before {what} ({}) of {register_id}",
                iso(date),
                iso(person.anchor)
            )));
        }
        let mut warnings = Vec::new();
        if person.status != teeka_domain::BeneficiaryStatus::Active {
            warnings.push(format!("{register_id} is marked {}", person.status));
        }
        if given {
            let subject =
                teeka_domain::Subject { kind: person.kind, anchor: person.anchor, je_endemic: person.je_endemic };
            warnings.extend(teeka_domain::record::dose_warnings(&subject, &history, code, date, &self.settings()?));
        }
        Ok((id, warnings))
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

    /// This connection's `foreign_keys` and `synchronous` settings (1 and 2 = FULL when open).
    pub fn connection_pragmas(&self) -> Result<(i64, i64)> {
        let fk = self.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        let sync = self.conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        Ok((fk, sync))
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
const EVENT_COLUMNS: &str = "events.id, events.device_id, events.hlc, events.author, events.recorded_at, events.body";

/// An event from a row of [`EVENT_COLUMNS`].
fn read_event(r: &rusqlite::Row<'_>) -> Result<Event> {
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

/// Logs an event; false if the log already has it (same id).
fn insert_event(tx: &Transaction<'_>, event: &Event) -> Result<bool> {
    let json = serde_json::to_string(&event.body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let n = tx
        .prepare_cached(
            "INSERT INTO events (id, device_id, hlc, author, recorded_at, kind, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(rusqlite::params![
            event.id.to_string(),
            event.device_id.to_string(),
            event.hlc.to_string(),
            event.author,
            event.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            event.body.kind(),
            json
        ])?;
    Ok(n == 1)
}

/// Logs and applies events from elsewhere inside an open transaction; returns how many were new.
fn ingest_in(tx: &Transaction<'_>, events: &[Event], now: DateTime<Utc>) -> Result<usize> {
    let mut clock = load_clock(tx)?;
    let now_ms = millis(now);
    let mut new = 0;
    let mut dirty = HashSet::new();
    for event in events {
        if insert_event(tx, event)? {
            project::apply(tx, event, &mut dirty)?;
            new += 1;
        }
        clock = clock.observe(event.hlc, now_ms);
    }
    project::pack_doses(tx, &dirty)?;
    save_clock(tx, clock)?;
    Ok(new)
}

/// Stamps, logs and applies events inside an open transaction.
fn append_in(tx: &Transaction<'_>, device_id: Uuid, ctx: &Ctx, bodies: Vec<EventBody>) -> Result<Vec<Event>> {
    let mut clock = load_clock(tx)?;
    let now_ms = millis(ctx.now);
    let mut events = Vec::with_capacity(bodies.len());
    let mut dirty = HashSet::new();
    for body in bodies {
        clock = clock.tick(now_ms);
        let event = Event {
            id: Uuid::now_v7(),
            device_id,
            hlc: clock,
            author: ctx.author.clone(),
            // Stored to the millisecond, so the event returned equals the one read back.
            recorded_at: chrono::SubsecRound::trunc_subsecs(ctx.now, 3),
            body,
        };
        insert_event(tx, &event)?;
        tx.prepare_cached("INSERT INTO outbox (event_seq) VALUES (last_insert_rowid())")?.execute([])?;
        project::apply(tx, &event, &mut dirty)?;
        events.push(event);
    }
    project::pack_doses(tx, &dirty)?;
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
