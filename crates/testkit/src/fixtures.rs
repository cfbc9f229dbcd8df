//! What the server's and sync's tests share: one area hierarchy, a clock and a date, device stores
//! holding small registers, events made by hand, enrollment against a [`Service`], and a story
//! run on each storage backend.
//!
//! Test support: a setup that fails panics, naming what failed (the test fails there).

use crate::PgCluster;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::fmt::Display;
use std::future::Future;
use teeka_domain::register::parse_register;
use teeka_domain::{Date, Event, EventBody, Hlc};
use teeka_protocol::{EnrollRequest, Role};
use teeka_server::db::Device;
use teeka_server::{Database, PgDb, Service, SqliteDb};
use teeka_store::{Ctx, Store};
use uuid::Uuid;

/// The area hierarchy of the server's tests (`teeka-server import areas` CSV):
/// - block Mahmudabad: sub-centre Bhatpur (villages Rampur and Kheri) and sub-centre Kamalpur
///   (village Sonpur);
/// - block Biswan: sub-centre Sadarpur (villages Rampur, a second village of that name, and
///   Lalpur);
/// - block Mahmudabadi (a name that starts with "Mahmudabad": inside it by text, not by path):
///   sub-centre Naya SC (village Naya).
pub const AREAS: &str = "state,district,block,subcentre,village
UP,Sitapur,Mahmudabad,Bhatpur,Rampur
UP,Sitapur,Mahmudabad,Bhatpur,Kheri
UP,Sitapur,Mahmudabad,Kamalpur,Sonpur
UP,Sitapur,Biswan,Sadarpur,Rampur
UP,Sitapur,Biswan,Sadarpur,Lalpur
UP,Sitapur,Mahmudabadi,Naya SC,Naya
";
/// The rows of [`AREAS`].
pub const AREA_ROWS: usize = 6;
/// The areas [`AREAS`] defines: the state, the district, 3 blocks, 4 sub-centres, 6 villages.
pub const AREA_COUNT: usize = 15;

/// The paths of the areas of [`AREAS`].
pub mod path {
    pub const STATE: &str = "UP";
    pub const DISTRICT: &str = "UP/Sitapur";
    pub const BLOCK: &str = "UP/Sitapur/Mahmudabad";
    pub const BHATPUR: &str = "UP/Sitapur/Mahmudabad/Bhatpur";
    pub const RAMPUR: &str = "UP/Sitapur/Mahmudabad/Bhatpur/Rampur";
    pub const KHERI: &str = "UP/Sitapur/Mahmudabad/Bhatpur/Kheri";
    pub const KAMALPUR: &str = "UP/Sitapur/Mahmudabad/Kamalpur";
    pub const SONPUR: &str = "UP/Sitapur/Mahmudabad/Kamalpur/Sonpur";
    pub const BISWAN: &str = "UP/Sitapur/Biswan";
    pub const SADARPUR: &str = "UP/Sitapur/Biswan/Sadarpur";
    /// The other village named Rampur, in the Biswan block.
    pub const OTHER_RAMPUR: &str = "UP/Sitapur/Biswan/Sadarpur/Rampur";
    pub const LALPUR: &str = "UP/Sitapur/Biswan/Sadarpur/Lalpur";
    pub const NAYA: &str = "UP/Sitapur/Mahmudabadi/Naya SC/Naya";
}

/// The value of a setup step, or a panic naming it.
fn must<T, E: Display>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// The tests' clock: 2026-03-01 09:00 UTC.
pub fn t0() -> DateTime<Utc> {
    match Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0) {
        chrono::LocalResult::Single(t) => t,
        _ => unreachable!("2026-03-01 09:00 UTC is one instant"),
    }
}

/// `n` minutes after [`t0`].
pub fn minutes(n: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(n)
}

/// A date; panics if there is no such day.
pub fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("no date {y}-{m}-{d}"))
}

/// The tests' date: the day of [`t0`].
pub fn today() -> Date {
    date(2026, 3, 1)
}

/// A device's context at `now`, on [`today`], by `asha-test`.
pub fn ctx(now: DateTime<Utc>) -> Ctx {
    Ctx { now, today: today(), author: "asha-test".into(), worker: None }
}

/// A small register CSV: `n` children of `village`, `PREFIX-1`…, each in a household of its own
/// (`PREFIX-H1`…), girls born on 2025-06-01 and given BCG that day.
pub fn register(prefix: &str, village: &str, n: usize) -> String {
    let mut csv = String::from("register_id,household_id,village,kind,name,sex,dob,BCG\n");
    for i in 1..=n {
        csv.push_str(&format!("{prefix}-{i},{prefix}-H{i},{village},child,Child {i},F,2025-06-01,2025-06-01\n"));
    }
    csv
}

/// The events a fresh store records importing [`register`]`(_, _, n)`: the village, then per
/// child its household, the child and the dose.
pub fn register_events(n: usize) -> usize {
    1 + 3 * n
}

/// A device's store (in memory) holding a register CSV, imported on [`today`] at [`t0`].
pub fn device_store(register: &str) -> Store {
    let mut store = must(Store::open_in_memory(), "opening a store in memory");
    let rows = must(parse_register(register.as_bytes(), today()), "parsing the register");
    must(store.import_register(&rows, &ctx(t0())), "importing the register");
    store
}

/// An event made by hand (what a misbehaving device could send), recorded at `now`.
pub fn event(device_id: Uuid, body: EventBody, now: DateTime<Utc>) -> Event {
    let wall_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    Event {
        id: Uuid::now_v7(),
        device_id,
        hlc: Hlc { wall_ms, counter: 0 },
        author: "test".into(),
        worker: None,
        recorded_at: now,
        body,
    }
}

/// The id of the beneficiary registered as `register_id` in these events.
pub fn beneficiary_id(events: &[Event], register_id: &str) -> Uuid {
    events
        .iter()
        .find_map(|e| match &e.body {
            EventBody::BeneficiaryRegistered { beneficiary, register_id: r, .. } if r == register_id => {
                Some(*beneficiary)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no beneficiary {register_id} is registered in these events"))
}

/// Enrolls `device_id` with `code` at `now`: its token and the device as the token
/// authenticates it (checked against the enrollment's answer).
pub async fn enroll_with_code<D: Database>(
    svc: &Service<D>,
    code: &str,
    device_id: Uuid,
    now: DateTime<Utc>,
) -> (String, Device) {
    let resp = must(svc.enroll(EnrollRequest { code: code.into(), device_id }, now).await, "enrolling");
    assert_eq!(resp.device_id, device_id);
    let device = must(svc.authenticate(Some(&resp.token)).await, "authenticating the new token");
    assert_eq!(device.id, device_id);
    assert_eq!(device.area.path, resp.area.path);
    assert_eq!(device.role, resp.role);
    (resp.token, device)
}

/// Enrolls `device_id` in `area` (any name or path end [`Service::find_area`] resolves) as
/// `role` at `now`, with a code made then (valid a day).
pub async fn enroll<D: Database>(
    svc: &Service<D>,
    area: &str,
    role: Role,
    device_id: Uuid,
    now: DateTime<Utc>,
) -> (String, Device) {
    let (code, ..) = must(svc.create_code(area, role, Duration::days(1), now).await, "making an enrollment code");
    enroll_with_code(svc, &code, device_id, now).await
}

/// The id of the area at `path` (one of [`path`]'s constants), as the server imported it.
pub async fn area_id<D: Database>(svc: &Service<D>, path: &str) -> Uuid {
    must(svc.db().areas().await, "reading the areas")
        .into_iter()
        .find(|a| a.path == path)
        .unwrap_or_else(|| panic!("no area {path} (import AREAS first)"))
        .id
}

/// Runs a story on a fresh service over SQLite (in a temporary directory).
pub async fn on_sqlite<F, Fut>(story: F)
where
    F: FnOnce(Service<SqliteDb>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = must(tempfile::tempdir(), "making a temporary directory");
    story(Service::new(must(SqliteDb::open(&dir.path().join("server.db")), "opening the SQLite database"))).await;
}

/// Runs a story on a fresh service over a throwaway PostgreSQL cluster; nothing when
/// `TEEKA_SKIP_POSTGRES=1`.
pub async fn on_postgres<F, Fut>(story: F)
where
    F: FnOnce(Service<PgDb>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(cluster) = must(PgCluster::start_unless_skipped(), "starting PostgreSQL") else { return };
    story(Service::new(must(PgDb::connect(&cluster.url()).await, "connecting to PostgreSQL"))).await;
    drop(cluster);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_areas_define_what_their_constants_say() {
        let dir = must(tempfile::tempdir(), "tempdir");
        let svc = Service::new(must(SqliteDb::open(&dir.path().join("s.db")), "open"));
        let imported = must(svc.import_areas(AREAS.as_bytes(), t0()).await, "import");
        assert_eq!((imported.rows, imported.added), (AREA_ROWS, AREA_COUNT));
        let mut paths: Vec<String> = must(svc.db().areas().await, "areas").into_iter().map(|a| a.path).collect();
        paths.sort_unstable();
        let mut named = vec![
            path::STATE,
            path::DISTRICT,
            path::BLOCK,
            path::BHATPUR,
            path::RAMPUR,
            path::KHERI,
            path::KAMALPUR,
            path::SONPUR,
            path::BISWAN,
            path::SADARPUR,
            path::OTHER_RAMPUR,
            path::LALPUR,
            "UP/Sitapur/Mahmudabadi",
            "UP/Sitapur/Mahmudabadi/Naya SC",
            path::NAYA,
        ];
        named.sort_unstable();
        assert_eq!(paths, named);

        // A store of a small register, enrolled in Rampur.
        let store = device_store(&register("R", "Rampur", 3));
        let events = must(store.events(), "events");
        assert_eq!(events.len(), register_events(3));
        let child = beneficiary_id(&events, "R-2");
        assert!(events
            .iter()
            .any(|e| matches!(&e.body, EventBody::DoseGiven { beneficiary, .. } if *beneficiary == child)));
        let (token, device) = enroll(&svc, "Bhatpur/Rampur", Role::Asha, store.device_id(), minutes(1)).await;
        assert_eq!(
            (device.area.path.as_str(), device.role, device.enrolled_at),
            (path::RAMPUR, Role::Asha, minutes(1))
        );
        assert_eq!(must(svc.authenticate(Some(&token)).await, "auth").id, store.device_id());
        let hand_made = event(
            device.id,
            EventBody::DoseGiven {
                beneficiary: child,
                code: teeka_domain::DoseCode::Opv0,
                date: date(2025, 6, 1),
                corrects: None,
                session: None,
            },
            minutes(2),
        );
        assert_eq!((hand_made.device_id, hand_made.recorded_at), (device.id, minutes(2)));
    }
}
