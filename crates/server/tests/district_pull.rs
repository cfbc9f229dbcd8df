//! District-scale pulls (issue 13), the same story on both backends: a district of two blocks,
//! each with more areas below it than a pull reads one by one (3 sub-centres of 80 villages),
//! devices pushing from villages of both. The pull of the state, the district, each block, a
//! sub-centre and a village gives, page by page, exactly the events of the log placed inside it
//! or above it, in log order; a device's own events are left out when it asks. On SQLite, the
//! migration's listing of the events already stored gives what the server lists as it stores them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use teeka_domain::Event;
use teeka_protocol::{PullRequest, Role};
use teeka_server::db::within;
use teeka_server::{Database, Service};
use teeka_testkit::fixtures::{
    device_store, enroll_with_code as enroll, minutes, on_postgres, on_sqlite, register, t0,
};
use uuid::Uuid;

const DISTRICT: &str = "UP/Hardoi";

fn areas() -> String {
    let mut csv = String::from("state,district,block,subcentre,village\n");
    for block in ["Bawan", "Sandila"] {
        for sc in 1..=3 {
            for v in 1..=80 {
                writeln!(csv, "UP,Hardoi,{block},{block} SC {sc},{block} {sc}-{v}").unwrap();
            }
        }
    }
    csv
}

/// Every event of the log with the area it is placed in, in log order.
async fn placed<D: Database>(db: &D) -> Vec<(u64, String, Event)> {
    let (mut after, mut out) = (0, Vec::new());
    loop {
        let page = db.placed_after(after, 1_000).await.unwrap();
        let Some(last) = page.last() else { return out };
        after = last.0;
        out.extend(page.into_iter().map(|(seq, path, json)| (seq, path, serde_json::from_str(&json).unwrap())));
    }
}

/// The events a device of `scope` is given, by the rule: placed inside it or above it.
fn seen_by(log: &[(u64, String, Event)], scope: &str, leave_out: Option<Uuid>) -> Vec<u64> {
    log.iter()
        .filter(|(_, path, e)| (within(path, scope) || within(scope, path)) && Some(e.device_id) != leave_out)
        .map(|(seq, ..)| *seq)
        .collect()
}

async fn pulled<D: Database>(db: &D, scope: &str, limit: u32) -> Vec<u64> {
    let (mut after, mut out) = (0, Vec::new());
    loop {
        let (rows, more) = db.pull(scope.to_string(), after, limit).await.unwrap();
        for (seq, _, json) in &rows {
            assert!(*seq > after, "in log order");
            let event: Event = serde_json::from_str(json).unwrap();
            assert_eq!(rows.iter().filter(|r| r.0 == *seq).count(), 1, "{} once", event.id);
            after = *seq;
            out.push(*seq);
        }
        if !more {
            return out;
        }
    }
}

async fn story<D: Database>(svc: Service<D>) {
    svc.import_areas(areas().as_bytes(), t0()).await.unwrap();
    let villages = ["Hardoi/Bawan/Bawan SC 1/Bawan 1-1", "Bawan 2-80", "Bawan 3-40", "Sandila 1-7", "Sandila 3-80"];
    let mut devices = Vec::new();
    for (i, village) in villages.iter().enumerate() {
        let store = device_store(&register(&format!("D{i}"), village.rsplit('/').next().unwrap(), 12));
        let (code, ..) = svc.create_code(village, Role::Asha, chrono::Duration::days(1), t0()).await.unwrap();
        let (_, device) = enroll(&svc, &code, store.device_id(), t0()).await;
        let events = store.events().unwrap();
        let now = minutes(i as i64 + 1);
        let req = teeka_protocol::PushRequest { events, pending: 0, device_time_ms: now.timestamp_millis() };
        svc.push(&device, req, now).await.unwrap();
        devices.push(device);
    }
    let log = placed(svc.db()).await;
    assert!(log.len() > 2 * 3 * 80 + 5 * 36, "every area defined, every register pushed: {}", log.len());
    let scopes = [
        "UP",
        DISTRICT,
        "UP/Hardoi/Bawan",
        "UP/Hardoi/Sandila",
        "UP/Hardoi/Bawan/Bawan SC 2",
        "UP/Hardoi/Sandila/Sandila SC 3/Sandila 3-80",
        "UP/Hardoi/Bawa",
    ];
    for scope in scopes {
        let expected = seen_by(&log, scope, None);
        for limit in [7, 5_000] {
            assert_eq!(pulled(svc.db(), scope, limit).await, expected, "{scope}, pages of {limit}");
        }
    }
    assert_eq!(seen_by(&log, "UP/Hardoi/Bawa", None).len(), 2, "the state and the district only");

    // A block's supervisor, pushing its own event, is not given it back when it asks so.
    let (code, ..) =
        svc.create_code("UP/Hardoi/Bawan", Role::Supervisor, chrono::Duration::days(1), t0()).await.unwrap();
    let (_, supervisor) = enroll(&svc, &code, Uuid::now_v7(), minutes(20)).await;
    let mut pulled_events = Vec::new();
    let mut after = 0;
    loop {
        let page =
            svc.pull(&supervisor, PullRequest { after, limit: 100, exclude_own: true }, minutes(21)).await.unwrap();
        pulled_events.extend(page.events.iter().map(|e| e.id));
        after = page.next;
        if !page.more {
            break;
        }
    }
    let own = devices[0].id;
    let expected: Vec<Uuid> = log
        .iter()
        .filter(|(seq, ..)| seen_by(&log, "UP/Hardoi/Bawan", None).contains(seq))
        .map(|(_, _, e)| e.id)
        .collect();
    assert_eq!(pulled_events, expected);
    let others = seen_by(&log, "UP/Hardoi/Bawan", Some(own));
    let page =
        svc.pull(&devices[0], PullRequest { after: 0, limit: 5_000, exclude_own: true }, minutes(22)).await.unwrap();
    let village = seen_by(&log, "UP/Hardoi/Bawan/Bawan SC 1/Bawan 1-1", Some(own));
    assert_eq!(page.events.len(), village.len(), "a village device is not given its own events");
    assert!(others.len() < expected.len());
}

#[tokio::test]
async fn a_district_pull_gives_its_scope_on_sqlite() {
    on_sqlite(story).await;
}

#[tokio::test]
async fn a_district_pull_gives_its_scope_on_postgres() {
    on_postgres(story).await;
}

/// The migration lists the events stored before it the way the server lists new ones.
#[tokio::test]
async fn the_migration_lists_stored_events_as_the_server_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let svc = Service::new(teeka_server::SqliteDb::open(&path).unwrap());
    svc.import_areas(areas().as_bytes(), t0()).await.unwrap();
    drop(svc);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let listed = |conn: &rusqlite::Connection| -> Vec<(String, i64)> {
        conn.prepare("SELECT scope, seq FROM event_scopes ORDER BY scope, seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let by_server = listed(&conn);
    assert!(by_server.iter().any(|(s, _)| s == "UP/Hardoi/Sandila"));
    assert!(!by_server.iter().any(|(s, _)| s.matches('/').count() > 2), "three segments at most");
    let migration = include_str!("../../../migrations/server-sqlite/0005_event_scopes.sql");
    let start = migration.find("INSERT INTO event_scopes").unwrap();
    let end = start + migration[start..].find(';').unwrap();
    conn.execute("DELETE FROM event_scopes", []).unwrap();
    conn.execute(&migration[start..end], []).unwrap();
    assert_eq!(listed(&conn), by_server);
}

/// A district's pull reads its scope's listing and its ancestors' index, never the whole log:
/// checked through the query plan on SQLite.
#[test]
fn a_district_pull_reads_its_listing_not_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(teeka_server::SqliteDb::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let sql = teeka_server::db::pull_by_scope_sql(1, '?');
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(rusqlite::params![0, 10, DISTRICT, "UP"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(plan.iter().any(|p| p.contains("SEARCH event_scopes USING PRIMARY KEY (scope=? AND seq>?)")), "{plan:#?}");
    assert!(plan.iter().any(|p| p.contains("USING COVERING INDEX events_area_seq")), "{plan:#?}");
    assert!(!plan.iter().any(|p| p.starts_with("SCAN events")), "{plan:#?}");
}
