//! The PostgreSQL backend: for a state or a nation. A pool of connections (deadpool); every
//! method is one transaction, or one statement.
//!
//! Inserts into `events` are serialized by an advisory lock taken at the start of their
//! transaction ([`EVENTS_LOCK`]): `seq` (a BIGSERIAL) is drawn when a row is inserted but
//! becomes visible when its transaction commits, so two concurrent pushes could otherwise commit
//! 11 before 10, and a pull between the two commits would move its cursor past 10 for ever. With
//! the lock, numbers commit in order. Pulls take no lock.
//!
//! Behaves as [`super::sqlite::SqliteDb`] does, to the millisecond: times are stored truncated
//! to milliseconds, as the SQLite backend's text stamps are, and paths are ordered byte-wise
//! (`COLLATE "C"`), as SQLite orders them, whatever the database's locale.

use super::{
    Area, CodeProblem, Database, DbError, DbResult, Device, DeviceSeen, Logged, NewCode, Page, Placed, StoredEvent,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio_postgres::{NoTls, Row};
use uuid::Uuid;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../../migrations/server-postgres/0001_init.sql")),
    (2, include_str!("../../../../migrations/server-postgres/0002_pull_index.sql")),
    (3, include_str!("../../../../migrations/server-postgres/0003_device_events.sql")),
    (4, include_str!("../../../../migrations/server-postgres/0004_device_worker.sql")),
    (5, include_str!("../../../../migrations/server-postgres/0005_event_scopes.sql")),
];

/// Advisory lock held while migrating, so that two servers starting together do not race.
const MIGRATIONS_LOCK: i64 = 0x7465_656b_6100_0001;
/// Advisory lock held by every transaction that inserts into `events`.
const EVENTS_LOCK: i64 = 0x7465_656b_6100_0002;

/// Most connections one server opens.
const POOL_SIZE: usize = 16;

/// A PostgreSQL connection pool.
#[derive(Clone)]
pub struct PgDb {
    pool: Pool,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb").field("pool", &self.pool.status()).finish()
    }
}

/// A time as both backends keep it: to the millisecond.
fn ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

fn parse<T: std::str::FromStr>(text: &str) -> DbResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| DbError::Corrupt(format!("'{text}': {e}")))
}

fn seq(value: i64) -> DbResult<u64> {
    u64::try_from(value).map_err(|_| DbError::Corrupt(format!("event number {value}")))
}

fn pool_error(e: impl std::fmt::Display) -> DbError {
    DbError::Pool(e.to_string())
}

impl PgDb {
    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, no TLS) and applies the
    /// migrations this build knows, in one transaction.
    pub async fn connect(url: &str) -> DbResult<PgDb> {
        let config: tokio_postgres::Config = url.parse()?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(30)))
            .wait_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(pool_error)?;
        let db = PgDb { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn client(&self) -> DbResult<deadpool_postgres::Client> {
        self.pool.get().await.map_err(pool_error)
    }

    async fn migrate(&self) -> DbResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATIONS_LOCK]).await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
        )
        .await?;
        let current: i64 =
            tx.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM schema_migrations", &[]).await?.try_get(0)?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if current > known {
            return Err(DbError::TooNew { found: current, known });
        }
        for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &ms(Utc::now())],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn area_row(r: &Row) -> DbResult<Area> {
    Ok(Area {
        id: r.try_get(0)?,
        level: parse(r.try_get::<_, &str>(1)?)?,
        name: r.try_get(2)?,
        parent_id: r.try_get(3)?,
        path: r.try_get(4)?,
    })
}

const DEVICE_SELECT: &str = "SELECT d.id, a.id, a.level, a.name, a.parent_id, a.path, d.role, d.enrolled_at,
        d.revoked_at, d.last_sync_at, d.pending, d.clock_skew_ms
 FROM devices d JOIN areas a ON a.id = d.area_id";

fn device_row(r: &Row) -> DbResult<Device> {
    let area = Area {
        id: r.try_get(1)?,
        level: parse(r.try_get::<_, &str>(2)?)?,
        name: r.try_get(3)?,
        parent_id: r.try_get(4)?,
        path: r.try_get(5)?,
    };
    Ok(Device {
        id: r.try_get(0)?,
        area,
        role: parse(r.try_get::<_, &str>(6)?)?,
        enrolled_at: r.try_get(7)?,
        revoked_at: r.try_get(8)?,
        last_sync_at: r.try_get(9)?,
        pending: r.try_get(10)?,
        clock_skew_ms: r.try_get(11)?,
        worker: None,
    })
}

async fn note_seen(c: &impl GenericClient, device: Uuid, seen: DeviceSeen) -> DbResult<()> {
    c.execute(
        "UPDATE devices SET last_sync_at = $2, pending = coalesce($3::BIGINT, pending),
             clock_skew_ms = coalesce($4::BIGINT, clock_skew_ms), worker = coalesce($5::TEXT, worker)
         WHERE id = $1",
        &[&device, &ms(seen.at), &seen.pending, &seen.clock_skew_ms, &seen.worker],
    )
    .await?;
    Ok(())
}

/// Appends events in the order given, skipping ids already present (in the log or earlier in
/// `events`). The caller holds [`EVENTS_LOCK`].
async fn insert_events(c: &impl GenericClient, events: &[&StoredEvent], received_at: DateTime<Utc>) -> DbResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let devices: Vec<Uuid> = events.iter().map(|e| e.device_id).collect();
    let paths: Vec<&str> = events.iter().map(|e| e.area_path.as_str()).collect();
    let jsons: Vec<&str> = events.iter().map(|e| e.json.as_str()).collect();
    // `ORDER BY n`: rows are numbered in the order of the batch.
    c.execute(
        "INSERT INTO events (id, device_id, area_path, event, received_at)
         SELECT id, device_id, area_path, event, $5::TIMESTAMPTZ
         FROM unnest($1::UUID[], $2::UUID[], $3::TEXT[], $4::TEXT[]) WITH ORDINALITY
             AS e (id, device_id, area_path, event, n)
         ORDER BY n
         ON CONFLICT (id) DO NOTHING",
        &[&ids, &devices, &paths, &jsons, &ms(received_at)],
    )
    .await?;
    Ok(())
}

impl Database for PgDb {
    async fn areas(&self) -> DbResult<Vec<Area>> {
        let c = self.client().await?;
        let rows =
            c.query("SELECT id, level, name, parent_id, path FROM areas ORDER BY path COLLATE \"C\"", &[]).await?;
        rows.iter().map(area_row).collect()
    }

    async fn add_areas(&self, areas: Vec<(Area, StoredEvent)>) -> DbResult<usize> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK]).await?;
        let now = Utc::now();
        let insert_area = tx
            .prepare(
                "INSERT INTO areas (id, level, name, parent_id, path) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT DO NOTHING",
            )
            .await?;
        let insert_entity =
            tx.prepare("INSERT INTO entities (id, area_path) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING").await?;
        let mut added = 0;
        for (a, e) in &areas {
            let n = tx.execute(&insert_area, &[&a.id, &a.level.as_str(), &a.name, &a.parent_id, &a.path]).await?;
            if n == 0 {
                continue;
            }
            added += 1;
            insert_events(&tx, &[e], now).await?;
            tx.execute(&insert_entity, &[&a.id, &a.path]).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn add_code(&self, code: NewCode) -> DbResult<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO enrollment_codes (code_hash, area_id, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&code.code_hash, &code.area_id, &code.role.as_str(), &ms(code.created_at), &ms(code.expires_at)],
        )
        .await?;
        Ok(())
    }

    async fn enroll(
        &self,
        code_hash: String,
        device_id: Uuid,
        token_hash: String,
        now: DateTime<Utc>,
    ) -> DbResult<Result<Device, CodeProblem>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // FOR UPDATE: two devices racing for one code are served one after the other.
        let code = tx
            .query_opt(
                "SELECT area_id, role, expires_at, device_id FROM enrollment_codes WHERE code_hash = $1 FOR UPDATE",
                &[&code_hash],
            )
            .await?;
        let Some(code) = code else { return Ok(Err(CodeProblem::Unknown)) };
        let area_id: Uuid = code.try_get(0)?;
        let role: String = code.try_get(1)?;
        let expires_at: DateTime<Utc> = code.try_get(2)?;
        let used_by: Option<Uuid> = code.try_get(3)?;
        match used_by {
            Some(other) if other != device_id => return Ok(Err(CodeProblem::UsedByAnother)),
            _ if expires_at <= now => return Ok(Err(CodeProblem::Expired)),
            Some(_) => {
                let revoked = tx.query_opt("SELECT revoked_at FROM devices WHERE id = $1", &[&device_id]).await?;
                if let Some(row) = revoked {
                    if row.try_get::<_, Option<DateTime<Utc>>>(0)?.is_some() {
                        return Ok(Err(CodeProblem::Revoked));
                    }
                }
            }
            None => {
                tx.execute(
                    "UPDATE enrollment_codes SET device_id = $2, used_at = $3 WHERE code_hash = $1",
                    &[&code_hash, &device_id, &ms(now)],
                )
                .await?;
            }
        }
        tx.execute(
            "INSERT INTO devices (id, token_hash, area_id, role, enrolled_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, area_id = excluded.area_id,
                 role = excluded.role, revoked_at = NULL",
            &[&device_id, &token_hash, &area_id, &role, &ms(now)],
        )
        .await?;
        let row = tx.query_one(&format!("{DEVICE_SELECT} WHERE d.id = $1"), &[&device_id]).await?;
        let d = device_row(&row)?;
        tx.commit().await?;
        Ok(Ok(d))
    }

    async fn device_by_token(&self, token_hash: String) -> DbResult<Option<Device>> {
        let c = self.client().await?;
        let row = c.query_opt(&format!("{DEVICE_SELECT} WHERE d.token_hash = $1"), &[&token_hash]).await?;
        row.as_ref().map(device_row).transpose()
    }

    async fn known_events(&self, ids: Vec<Uuid>) -> DbResult<HashSet<Uuid>> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let c = self.client().await?;
        let rows = c.query("SELECT id FROM events WHERE id = ANY($1::UUID[])", &[&ids]).await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    async fn entity_paths(&self, ids: Vec<Uuid>) -> DbResult<HashMap<Uuid, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let c = self.client().await?;
        let rows = c.query("SELECT id, area_path FROM entities WHERE id = ANY($1::UUID[])", &[&ids]).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    async fn store_events(
        &self,
        device: Uuid,
        events: Vec<StoredEvent>,
        entities: Vec<(Uuid, String)>,
        seen: DeviceSeen,
    ) -> DbResult<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        if !events.is_empty() {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK]).await?;
            let refs: Vec<&StoredEvent> = events.iter().collect();
            insert_events(&tx, &refs, seen.at).await?;
        }
        if !entities.is_empty() {
            // The last path given for an id wins, as with one upsert after another (and one
            // statement may not update a row twice).
            let mut last: HashMap<Uuid, &str> = HashMap::new();
            for (id, path) in &entities {
                last.insert(*id, path);
            }
            let (ids, paths): (Vec<Uuid>, Vec<&str>) = last.into_iter().unzip();
            tx.execute(
                "INSERT INTO entities (id, area_path) SELECT * FROM unnest($1::UUID[], $2::TEXT[])
                 ON CONFLICT (id) DO UPDATE SET area_path = excluded.area_path",
                &[&ids, &paths],
            )
            .await?;
        }
        note_seen(&tx, device, seen).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pull(&self, scope: String, after: u64, limit: u32) -> DbResult<Page> {
        // The areas and the events are read from one snapshot. Read apart, an areas import
        // committing in between would leave its new area out of the paths read while its event,
        // numbered before later ones, was visible: the cursor would pass it for ever.
        let mut client = self.client().await?;
        let c = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let page = i64::from(limit) + 1;
        let plan = match super::PullPlan::shallow(&scope) {
            Some(plan) => plan,
            None => {
                let descendants: Vec<String> = c
                    .query("SELECT path FROM areas WHERE substr(path, 1, length($1) + 1) = $1 || '/'", &[&scope])
                    .await?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
                super::PullPlan::deep(&scope, descendants)
            }
        };
        type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);
        let rows = match &plan {
            super::PullPlan::Scope { ancestors } => {
                let stmt = c.prepare_cached(&super::pull_by_scope_sql(ancestors.len(), '$')).await?;
                let mut params: Vec<Param<'_>> = vec![&after, &page, &scope];
                params.extend(ancestors.iter().map(|p| p as Param<'_>));
                c.query(&stmt, &params).await?
            }
            super::PullPlan::Paths(paths) => {
                let stmt = c.prepare_cached(&super::pull_by_paths_sql(paths.len(), '$')).await?;
                let mut params: Vec<Param<'_>> = vec![&after, &page];
                params.extend(paths.iter().map(|p| p as Param<'_>));
                c.query(&stmt, &params).await?
            }
            super::PullPlan::Scan => {
                let sql = format!(
                    "SELECT seq, device_id, event FROM events WHERE seq > $1 AND {} ORDER BY seq LIMIT $2",
                    super::VISIBLE_SQL.replace("$S", "$3::TEXT")
                );
                let stmt = c.prepare_cached(&sql).await?;
                c.query(&stmt, &[&after, &page, &scope]).await?
            }
        };
        c.commit().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((seq(r.try_get(0)?)?, r.try_get(1)?, r.try_get(2)?));
        }
        let more = out.len() > limit as usize;
        out.truncate(limit as usize);
        Ok((out, more))
    }

    async fn device_seen(&self, device: Uuid, seen: DeviceSeen) -> DbResult<()> {
        let c = self.client().await?;
        note_seen(&c, device, seen).await
    }

    async fn revoke(&self, device: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
        let c = self.client().await?;
        let n = c
            .execute("UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", &[&device, &ms(now)])
            .await?;
        Ok(n > 0)
    }

    async fn devices(&self) -> DbResult<Vec<Device>> {
        let c = self.client().await?;
        // With the author of each device's latest event, kept as its events are stored.
        let select = DEVICE_SELECT.replace(" FROM devices", ", d.worker FROM devices");
        let rows = c.query(&format!("{select} ORDER BY a.path COLLATE \"C\", d.enrolled_at"), &[]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut d = device_row(r)?;
            d.worker = r.try_get(12)?;
            out.push(d);
        }
        Ok(out)
    }

    async fn events_after(&self, after: u64, limit: u32) -> DbResult<Vec<(u64, String)>> {
        let c = self.client().await?;
        let stmt = c.prepare_cached("SELECT seq, event FROM events WHERE seq > $1 ORDER BY seq LIMIT $2").await?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = c.query(&stmt, &[&after, &i64::from(limit)]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((seq(r.try_get(0)?)?, r.try_get(1)?));
        }
        Ok(out)
    }

    async fn logged_after(&self, after: u64, limit: u32) -> DbResult<Vec<Logged>> {
        let c = self.client().await?;
        let stmt = c
            .prepare_cached(
                "SELECT seq, area_path, event, received_at FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .await?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = c.query(&stmt, &[&after, &i64::from(limit)]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(Logged {
                seq: seq(r.try_get(0)?)?,
                area_path: r.try_get(1)?,
                json: r.try_get(2)?,
                received_at: r.try_get(3)?,
            });
        }
        Ok(out)
    }

    async fn placed_after(&self, after: u64, limit: u32) -> DbResult<Placed> {
        let c = self.client().await?;
        let stmt =
            c.prepare_cached("SELECT seq, area_path, event FROM events WHERE seq > $1 ORDER BY seq LIMIT $2").await?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = c.query(&stmt, &[&after, &i64::from(limit)]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((seq(r.try_get(0)?)?, r.try_get(1)?, r.try_get(2)?));
        }
        Ok(out)
    }
}
