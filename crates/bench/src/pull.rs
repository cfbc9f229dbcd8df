//! `teeka-bench pull`: a district supervisor's pull of one day's events on PostgreSQL (issue
//! 13). The district has 10 blocks of 200 villages. The log first holds `--old` events placed
//! in those villages (written straight into the log with one `INSERT … SELECT` per million, as
//! if pushed earlier, ids in the order made; never read by the timed pull), then a day's events: households
//! registered in every village, pushed by each block's device through `Service::push`.
//!
//! Timed: the district supervisor's device pulling everything after its cursor, page after page
//! (`Service::pull` with the largest page, each answer encoded as on the wire), until no more.

use crate::{fmt_ms, mib};
use anyhow::{ensure, Result};
use std::time::{Duration, Instant};
use teeka_domain::{EventBody, HouseholdField};
use teeka_protocol::{EnrollRequest, PullRequest, PushRequest, Role, MAX_PULL_EVENTS, MAX_PUSH_EVENTS};
use teeka_server::{Database, PgDb, Service};
use uuid::Uuid;

#[derive(clap::Args)]
pub struct PullArgs {
    #[arg(long, default_value_t = 10)]
    pub blocks: usize,
    /// Villages in all (each block has as many).
    #[arg(long, default_value_t = 2_000)]
    pub villages: usize,
    /// Events already in the log before the day's.
    #[arg(long, default_value_t = 10_000_000)]
    pub old: u64,
    /// The day's events (households registered, spread over every village).
    #[arg(long, default_value_t = 100_000)]
    pub new: usize,
}

const DISTRICT: &str = "Uttar Pradesh/Hardoi";

/// Returns the median of the three pulls' times (pages included).
pub fn pull(args: &PullArgs) -> Result<Duration> {
    ensure!(args.blocks > 0 && args.villages >= args.blocks, "--blocks and --villages");
    let per_block = args.villages / args.blocks;
    println!(
        "== pull: a district supervisor's pull on PostgreSQL: {} blocks, {} villages, {} events in the log, {} new",
        args.blocks,
        per_block * args.blocks,
        args.old,
        args.new
    );
    let (rt, pg, svc) = crate::district::start_postgres()?;
    let url = pg.url();

    let mut areas = String::from("state,district,block,subcentre,village\n");
    for b in 0..args.blocks {
        for v in 0..per_block {
            areas.push_str(&format!(
                "Uttar Pradesh,Hardoi,Block {:02},SC {:02},Village {b:02}-{v:03}\n",
                b + 1,
                v / 5 + 1
            ));
        }
    }
    rt.block_on(svc.import_areas(areas.as_bytes(), chrono::Utc::now()))
        .map_err(|e| anyhow::anyhow!("importing the areas: {e}"))?;
    let all = rt.block_on(svc.db().areas())?;
    let villages: Vec<&teeka_server::db::Area> =
        all.iter().filter(|a| a.level == teeka_domain::AreaLevel::Village).collect();
    let paths: Vec<&str> = villages.iter().map(|a| a.path.as_str()).collect();

    // The old log, straight into the table (its trigger lists it under its scopes).
    let (client, conn) = rt.block_on(tokio_postgres::connect(&url, tokio_postgres::NoTls))?;
    rt.spawn(conn);
    let template = serde_json::to_string(&teeka_domain::Event {
        id: Uuid::now_v7(),
        device_id: Uuid::now_v7(),
        hlc: teeka_domain::Hlc::default().tick(1),
        author: "asha-old".into(),
        worker: None,
        recorded_at: chrono::Utc::now(),
        body: EventBody::HouseholdRegistered {
            household: Uuid::now_v7(),
            household_id: "H-000000".into(),
            fields: vec![HouseholdField::Village(villages[0].id), HouseholdField::HouseNo(Some("12".into()))],
        },
    })?;
    let t = Instant::now();
    let mut written = 0u64;
    while written < args.old {
        let n = (args.old - written).min(1_000_000);
        let batch = t.elapsed();
        rt.block_on(client.execute(
            // Ids in the order they were made, as UUIDv7 are; one device per village.
            "INSERT INTO events (id, device_id, area_path, event, received_at)
             SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::UUID,
                    ('00000000-0000-7000-9000-' || lpad(to_hex(i % cardinality($1::TEXT[])), 12, '0'))::UUID,
                    ($1::TEXT[])[1 + i % cardinality($1::TEXT[])], $2, now()
             FROM generate_series($4::BIGINT + 1, $4::BIGINT + $3::BIGINT) AS i",
            &[&paths, &template, &i64::try_from(n)?, &i64::try_from(written)?],
        ))?;
        written += n;
        println!(
            "  old log: {written} events ({} for this million; {} in all)",
            fmt_ms(t.elapsed() - batch),
            fmt_ms(t.elapsed())
        );
    }
    rt.block_on(client.batch_execute("ANALYZE"))?;
    let cursor: i64 = rt.block_on(client.query_one("SELECT coalesce(max(seq), 0) FROM events", &[]))?.try_get(0)?;

    // The day: each block's device registers households in its villages.
    let t = Instant::now();
    let mut pushed = 0;
    for b in 0..args.blocks {
        let area = format!("{DISTRICT}/Block {:02}", b + 1);
        let device = enroll(&rt, &svc, &area, Role::Anm)?;
        let mine: Vec<&&teeka_server::db::Area> =
            villages.iter().filter(|a| teeka_server::db::within(&a.path, &area)).collect();
        let count = args.new / args.blocks;
        let mut clock = teeka_domain::Hlc::default();
        let mut events = Vec::with_capacity(count);
        for i in 0..count {
            let now = chrono::Utc::now();
            clock = clock.tick(u64::try_from(now.timestamp_millis()).unwrap_or(0));
            let village = mine[i % mine.len()];
            events.push(teeka_domain::Event {
                id: Uuid::now_v7(),
                device_id: device.id,
                hlc: clock,
                author: format!("anm-{b:02}"),
                worker: None,
                recorded_at: now,
                body: EventBody::HouseholdRegistered {
                    household: Uuid::now_v7(),
                    household_id: format!("H-{b:02}-{i:06}"),
                    fields: vec![
                        HouseholdField::Village(village.id),
                        HouseholdField::HouseNo(Some(format!("{}", i / mine.len() + 1))),
                        HouseholdField::HeadOfHousehold(Some(format!("Head {i}"))),
                    ],
                },
            });
        }
        for chunk in events.chunks(MAX_PUSH_EVENTS) {
            let now = chrono::Utc::now();
            let resp = rt.block_on(svc.push(
                &device,
                PushRequest { events: chunk.to_vec(), pending: 0, device_time_ms: now.timestamp_millis() },
                now,
            ))?;
            ensure!(resp.rejected.is_empty(), "the server refused {:?}", resp.rejected.first());
            pushed += chunk.len();
        }
    }
    println!("pushed the day's {pushed} events from {} block devices in {}", args.blocks, fmt_ms(t.elapsed()));
    let size: i64 = rt.block_on(client.query_one("SELECT pg_database_size(current_database())", &[]))?.try_get(0)?;
    println!("log: {} events; database {}", cursor as u64 + pushed as u64, mib(u64::try_from(size).unwrap_or(0)));

    let supervisor = enroll(&rt, &svc, DISTRICT, Role::Supervisor)?;
    let mut times = Vec::new();
    for run in 1..=3 {
        let t = Instant::now();
        let (mut after, mut pages, mut events, mut bytes) = (u64::try_from(cursor)?, 0, 0, 0);
        loop {
            let page = rt.block_on(svc.pull(
                &supervisor,
                PullRequest { after, limit: MAX_PULL_EVENTS, exclude_own: true },
                chrono::Utc::now(),
            ))?;
            bytes += teeka_protocol::encode(&page)?.len();
            pages += 1;
            events += page.events.len();
            after = page.next;
            if !page.more {
                break;
            }
        }
        ensure!(events == pushed, "the district was given {events} of the day's {pushed} events");
        println!(
            "district pull {run}: {events} events in {pages} pages, {} on the wire, in {}",
            mib(bytes as u64),
            fmt_ms(t.elapsed())
        );
        times.push(t.elapsed());
    }
    drop(pg);
    times.sort();
    Ok(times[1])
}

fn enroll(
    rt: &tokio::runtime::Runtime,
    svc: &Service<PgDb>,
    area: &str,
    role: Role,
) -> Result<teeka_server::db::Device> {
    let (code, ..) = rt
        .block_on(svc.create_code(area, role, chrono::Duration::hours(2), chrono::Utc::now()))
        .map_err(|e| anyhow::anyhow!("a code for {area}: {e}"))?;
    let enrolled = rt.block_on(svc.enroll(EnrollRequest { code, device_id: Uuid::now_v7() }, chrono::Utc::now()))?;
    rt.block_on(svc.authenticate(Some(&enrolled.token))).map_err(|e| anyhow::anyhow!("authenticating {area}: {e}"))
}
