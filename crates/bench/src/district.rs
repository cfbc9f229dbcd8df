//! `teeka-bench report`: a district's round report on the server, on PostgreSQL (issue 11):
//! 10 blocks of 200 villages each, about 1,000,000 events of beneficiaries in the log — the
//! register of each block (households, children and pregnant women with the doses on their
//! cards), its microplan (one session site per village) and round, and the round's first day
//! (a session at every site, doses given, refusals) — pushed by one device per block through
//! `Service::push`, as devices do.
//!
//! Timed: the district's report (`Service::report`, what `teeka-server report` and
//! `GET /v1/report` run) by a server that has just started (nothing folded yet), the same
//! report again, and again after a second day's work has been pushed; and one block's report.

use crate::{ctx, fmt_ms, mib, min_median_max, Cli};
use anyhow::{ensure, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use teeka_domain::calendar::Weekdays;
use teeka_domain::register::parse_register;
use teeka_domain::{iso, Date, ReasonCode};
use teeka_protocol::{EnrollRequest, PushRequest, Role, MAX_PUSH_EVENTS};
use teeka_server::{Database, PgDb, Service};
use teeka_store::Store;
use teeka_testkit::PgCluster;

#[derive(clap::Args)]
pub struct ReportArgs {
    #[arg(long, default_value_t = 10)]
    pub blocks: usize,
    /// Villages in all (each block has as many, each with one session site).
    #[arg(long, default_value_t = 2_000)]
    pub villages: usize,
    /// Beneficiaries in all (each block has as many).
    #[arg(long, default_value_t = 100_000)]
    pub beneficiaries: usize,
    /// Doses given on each round day in each block.
    #[arg(long, default_value_t = 2_000)]
    pub doses_per_day: usize,
    /// Timed runs of each warm measure.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

const DISTRICT: &str = "Uttar Pradesh/Hardoi";

/// A runtime, a throwaway PostgreSQL cluster and a service over it.
pub fn start_postgres() -> Result<(tokio::runtime::Runtime, PgCluster, Service<PgDb>)> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let t = Instant::now();
    let pg = PgCluster::start()?;
    let svc = rt.block_on(PgDb::connect(&pg.url())).map(Service::new).context("connecting to PostgreSQL")?;
    println!("PostgreSQL {} started in {}", pg.url(), fmt_ms(t.elapsed()));
    Ok((rt, pg, svc))
}

fn block_name(b: usize) -> String {
    format!("Block {:02}", b + 1)
}

/// A block's device: its store and its enrolment on the server.
struct BlockDevice {
    store: Store,
    device: teeka_server::db::Device,
    sites: Vec<(String, String)>,
}

pub fn report(cli: &Cli, args: &ReportArgs) -> Result<()> {
    ensure!(args.blocks > 0 && args.villages >= args.blocks, "--blocks and --villages");
    let per_block = args.beneficiaries / args.blocks;
    let villages_per_block = args.villages / args.blocks;
    println!(
        "== report: round 1 of a district on PostgreSQL: {} blocks, {} villages, {} beneficiaries",
        args.blocks,
        villages_per_block * args.blocks,
        per_block * args.blocks
    );
    let dir = crate::temp_dir(cli)?;
    let (rt, pg, svc) = crate::district::start_postgres()?;
    let url = pg.url();

    // The registers first: their villages make the areas CSV.
    let t = Instant::now();
    let mut registers = Vec::with_capacity(args.blocks);
    let mut areas = String::from("state,district,block,subcentre,village\n");
    for b in 0..args.blocks {
        let reg = crate::block::generate(per_block, villages_per_block, cli.today, cli.seed + b as u64)?;
        let rows = parse_register(reg.csv.as_bytes(), cli.today)?;
        let mut villages: Vec<String> = Vec::new();
        for r in &rows {
            if !villages.contains(&r.village) {
                villages.push(r.village.clone());
            }
        }
        for (i, v) in villages.iter().enumerate() {
            areas.push_str(&format!("Uttar Pradesh,Hardoi,{},SC {:02},{v}\n", block_name(b), i / 5 + 1));
        }
        registers.push((rows, villages));
    }
    rt.block_on(svc.import_areas(areas.as_bytes(), chrono::Utc::now()))
        .map_err(|e| anyhow::anyhow!("importing the areas: {e}"))?;
    println!("generated {} registers and imported the areas in {}", args.blocks, fmt_ms(t.elapsed()));

    let start = cli.today;
    let ri = Weekdays::parse("wed,sat")?;
    let mut devices = Vec::with_capacity(args.blocks);
    let t = Instant::now();
    for (b, (rows, villages)) in registers.into_iter().enumerate() {
        let mut store = Store::open(&dir.path().join(format!("block-{b:02}.db")))?;
        let c = ctx(cli.today);
        store.import_register(&rows, &c)?;
        store.import_sites(crate::campaign::sites_csv(&villages).as_bytes(), &c)?;
        store.add_round(1, start, 7, &ri, &BTreeSet::new(), &c)?;
        let area = format!("{DISTRICT}/{}", block_name(b));
        let (code, ..) = rt
            .block_on(svc.create_code(&area, Role::Supervisor, chrono::Duration::hours(2), chrono::Utc::now()))
            .map_err(|e| anyhow::anyhow!("a code for {area}: {e}"))?;
        let device_id = store.device_id();
        let enrolled = rt.block_on(svc.enroll(EnrollRequest { code, device_id }, chrono::Utc::now()))?;
        let device = rt
            .block_on(svc.authenticate(Some(&enrolled.token)))
            .map_err(|e| anyhow::anyhow!("authenticating the device of {area}: {e}"))?;
        let sites = villages.iter().enumerate().map(|(i, v)| (format!("S-{:03}", i + 1), v.clone())).collect();
        devices.push(BlockDevice { store, device, sites });
    }
    println!("imported {} block registers with their microplans and round in {}", args.blocks, fmt_ms(t.elapsed()));

    let round = devices[0].store.round(1)?;
    let (day1, day2) = match round.days.as_slice() {
        [a, b, ..] => (*a, *b),
        _ => anyhow::bail!("the round has fewer than two days"),
    };
    let t = Instant::now();
    let mut given = 0;
    for d in &mut devices {
        given += work_day(d, day1, args.doses_per_day)?;
    }
    println!("recorded day 1 ({}): {given} doses at the sessions of every site, in {}", iso(day1), fmt_ms(t.elapsed()));
    let t = Instant::now();
    let pushed = push_all(&rt, &svc, &mut devices)?;
    let events = count_events(&rt, &svc)?;
    println!(
        "pushed {pushed} events in {} ({} events in the log, {} beneficiaries' events, the rest areas); database {}",
        fmt_ms(t.elapsed()),
        events,
        pushed,
        pg_size(&rt, &url)?
    );
    drop(svc);

    // A server that has just started: nothing folded yet.
    let on = day1;
    let fresh = rt.block_on(PgDb::connect(&url)).map(Service::new)?;
    let t = Instant::now();
    let report = rt.block_on(fresh.report(1, DISTRICT, on, chrono::Utc::now()))?;
    let cold = t.elapsed();
    let due = report.total.due;
    println!(
        "district report by a server just started (every block's log folded): {} — {} areas below it, due {}, vaccinated {}, {} sessions held of {} planned",
        fmt_ms(cold),
        report.areas.len(),
        due,
        report.total.vaccinated,
        report.total.sessions_held,
        report.total.sessions_planned
    );
    let times = timed(args.runs, || rt.block_on(fresh.report(1, DISTRICT, on, chrono::Utc::now())).map(drop))?;
    println!("district report again (nothing new in the log): {} (goal under 2 s)", min_median_max(times));

    // The second day's work arrives; the report reads only what is new.
    let t = Instant::now();
    let mut given = 0;
    for d in &mut devices {
        given += work_day(d, day2, args.doses_per_day)?;
    }
    let pushed = push_all(&rt, &fresh, &mut devices)?;
    println!("recorded and pushed day 2 ({}): {given} doses, {pushed} events, in {}", iso(day2), fmt_ms(t.elapsed()));
    let t = Instant::now();
    let report2 = rt.block_on(fresh.report(1, DISTRICT, day2, chrono::Utc::now()))?;
    println!(
        "district report after day 2's {pushed} new events: {} (goal under 2 s); vaccinated {} (was {})",
        fmt_ms(t.elapsed()),
        report2.total.vaccinated,
        report.total.vaccinated
    );
    ensure!(report2.total.vaccinated > report.total.vaccinated, "day 2's doses are not in the report");

    // A server that folds every block's log at start, as `teeka-server serve` does.
    let started = rt.block_on(PgDb::connect(&url)).map(Service::new)?;
    let t = Instant::now();
    let blocks = rt.block_on(started.fold_reports()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let folding = t.elapsed();
    let t = Instant::now();
    rt.block_on(started.report(1, DISTRICT, day2, chrono::Utc::now()))?;
    println!(
        "a server starting folds its {blocks} blocks' logs in {}; its first district report then takes {}",
        fmt_ms(folding),
        fmt_ms(t.elapsed())
    );

    let block = format!("{DISTRICT}/{}", block_name(0));
    let other = rt.block_on(PgDb::connect(&url)).map(Service::new)?;
    let t = Instant::now();
    rt.block_on(other.report(1, &block, day2, chrono::Utc::now()))?;
    let cold_block = t.elapsed();
    let times = timed(args.runs, || rt.block_on(other.report(1, &block, day2, chrono::Utc::now())).map(drop))?;
    println!(
        "one block's report ({block}): by a server just started {}; again {}",
        fmt_ms(cold_block),
        min_median_max(times)
    );
    Ok(())
}

fn timed(runs: usize, mut f: impl FnMut() -> Result<(), teeka_server::service::AdminError>) -> Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t.elapsed());
    }
    Ok(times)
}

/// A round day at every site of the block: a session opened, the village's due people given
/// their due doses (every tenth family refusing) until `doses` doses are given in the block.
fn work_day(d: &mut BlockDevice, day: Date, doses: usize) -> Result<usize> {
    let c = ctx(day);
    let mut due_by_village: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for item in d.store.due_list(day, None)? {
        due_by_village.entry(item.village.to_string()).or_default().push(item);
    }
    let per_site = doses.div_ceil(d.sites.len().max(1));
    let mut given = 0;
    for (site, village) in &d.sites {
        let (session, _) = d.store.open_site_session(site, day, &c)?;
        let mut here = 0;
        for (i, item) in due_by_village.get(village).into_iter().flatten().enumerate() {
            if here >= per_site || given >= doses {
                break;
            }
            let codes: Vec<_> = item.doses.iter().map(|x| x.code).collect();
            if i % 10 == 9 {
                d.store.record_not_given_codes(
                    &item.register_id,
                    &codes,
                    day,
                    ReasonCode::RefusedFamily,
                    Some(session),
                    &c,
                )?;
                continue;
            }
            let list: Vec<_> = codes.iter().map(|code| (*code, day)).collect();
            d.store.record_doses(&item.register_id, &list, Some(session), &c)?;
            here += list.len();
            given += list.len();
        }
    }
    Ok(given)
}

/// Every device's outbox to the server, in pushes of the protocol's largest size.
fn push_all(rt: &tokio::runtime::Runtime, svc: &Service<PgDb>, devices: &mut [BlockDevice]) -> Result<usize> {
    let mut pushed = 0;
    for d in devices {
        loop {
            let events = d.store.outbox(MAX_PUSH_EVENTS)?;
            if events.is_empty() {
                break;
            }
            let n = events.len();
            let resp = rt.block_on(svc.push(
                &d.device,
                PushRequest { events, pending: 0, device_time_ms: chrono::Utc::now().timestamp_millis() },
                chrono::Utc::now(),
            ))?;
            ensure!(
                resp.rejected.is_empty(),
                "the server refused {} events: {:?}",
                resp.rejected.len(),
                resp.rejected.first()
            );
            d.store.acknowledge(&resp.accepted, &[], chrono::Utc::now())?;
            pushed += n;
        }
    }
    Ok(pushed)
}

fn count_events(rt: &tokio::runtime::Runtime, svc: &Service<PgDb>) -> Result<u64> {
    let (mut n, mut after) = (0, 0);
    loop {
        let page = rt.block_on(svc.db().events_after(after, 100_000))?;
        let Some(last) = page.last() else { break };
        after = last.0;
        n += page.len() as u64;
    }
    Ok(n)
}

fn pg_size(rt: &tokio::runtime::Runtime, url: &str) -> Result<String> {
    let (client, conn) = rt.block_on(tokio_postgres::connect(url, tokio_postgres::NoTls))?;
    rt.spawn(conn);
    let row = rt.block_on(client.query_one("SELECT pg_database_size(current_database())", &[]))?;
    let bytes: i64 = row.try_get(0)?;
    Ok(mib(u64::try_from(bytes).unwrap_or(0)))
}
