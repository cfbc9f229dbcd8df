//! Sync benchmarks: the real server (`teeka_server::http::router` over SQLite in a temporary
//! directory, in its own tokio runtime on 127.0.0.1) and real devices (`teeka_store::Store`
//! files synced with `teeka_sync::sync` over HTTP on loopback), with the registers of
//! [`crate::block`].
//!
//! - `sync-ingest`: events/s the server accepts from one device pushing a large register, and
//!   from many devices pushing at once.
//! - `sync-wire`: bytes on the wire per event (HTTP heads and bodies, counted by a proxy that
//!   understands HTTP/1.1 framing: `teeka_testkit::proxy`, the end-to-end tests' proxy too) and
//!   round trips per sync.
//! - `sync-2g`: a day's work pushed through that proxy emulating a 2G link.
//! - `sync-first`: the first sync of a sub-centre onto a new device.
//!
//! The push part of a sync is timed from its start to the acknowledgement of its last push
//! batch (seen through the progress callback); the pull that follows in the same sync is reported
//! apart. Threads are named (`teeka-srv` for the server's runtime and its blocking pool,
//! `teeka-proxy`, `teeka-dev-N`) so that the CPU time of each side is read from `/proc`.

use anyhow::{bail, ensure, Context, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use teeka_domain::register::{parse_register, RegisterRow};
use teeka_protocol::{PullRequest, PullResponse, PushRequest, PushResponse, RawPushRequest, Role};
use teeka_server::{Database, Service, SqliteDb};
use teeka_store::Store;
use teeka_sync::machine::{Config, Outcome, Progress};
use teeka_sync::window::WindowRule;
use teeka_testkit::proxy::{Link, Proxy, ProxyConfig, Tally, Traffic};
use tokio::net::TcpListener;
use uuid::Uuid;

use super::{ctx, fmt_ms, generate, mib, temp_dir, Cli};

const INGEST_BENEFICIARIES: usize = 8_500;
const INGEST_DEVICES: usize = 50;
/// The fixed batch of the in-process part-by-part runs of `sync-ingest` without `--push-batch`
/// (the sync's fixed batch before its window adapted, issue 13).
const PARTS_PUSH_BATCH: usize = 500;
const VILLAGE_BENEFICIARIES: usize = 1_000;
const DAY_EVENTS: usize = 500;
const SUBCENTRE_BENEFICIARIES: usize = 5_000;
const SUBCENTRE_VILLAGES: usize = 5;
/// Villages of the block every benchmark's server knows, five to a sub-centre.
pub(crate) const BLOCK_VILLAGES: usize = 50;
const VILLAGES_PER_SUBCENTRE: usize = 5;

/// `sync-ingest`.
#[derive(clap::Args, Debug, Clone)]
pub struct IngestArgs {
    /// Beneficiaries of the one device's register, all in one village (about 11 events each);
    /// 0 skips the one-device part.
    #[arg(long, default_value_t = INGEST_BENEFICIARIES)]
    pub beneficiaries: usize,
    /// Devices pushing at once, each with its own store and village; 0 skips this part.
    #[arg(long, default_value_t = INGEST_DEVICES)]
    pub devices: usize,
    /// Beneficiaries of the block the devices share out, one village each (8,500 in 50 villages:
    /// about 1,900 events per device).
    #[arg(long, default_value_t = INGEST_BENEFICIARIES)]
    pub block_beneficiaries: usize,
    /// A fixed number of events per push (which `TOO_LARGE` still halves); without it the sync's
    /// adaptive window (`teeka_sync::window::PUSH`), and 500 for the part-by-part runs.
    #[arg(long)]
    pub push_batch: Option<usize>,
}

impl Default for IngestArgs {
    fn default() -> Self {
        IngestArgs {
            beneficiaries: INGEST_BENEFICIARIES,
            devices: INGEST_DEVICES,
            block_beneficiaries: INGEST_BENEFICIARIES,
            push_batch: None,
        }
    }
}

/// `sync-wire` and `sync-2g`.
#[derive(clap::Args, Debug, Clone)]
pub struct DayArgs {
    /// Beneficiaries of the village register the device holds.
    #[arg(long, default_value_t = VILLAGE_BENEFICIARIES)]
    pub beneficiaries: usize,
    /// Doses recorded today (a day's work), taken from the due list.
    #[arg(long, default_value_t = DAY_EVENTS)]
    pub events: usize,
}

impl Default for DayArgs {
    fn default() -> Self {
        DayArgs { beneficiaries: VILLAGE_BENEFICIARIES, events: DAY_EVENTS }
    }
}

/// `sync-2g`.
#[derive(clap::Args, Debug, Clone)]
pub struct LinkArgs {
    #[command(flatten)]
    pub day: DayArgs,
    /// Bandwidth of the emulated link, each way, in kbit/s.
    #[arg(long, default_value_t = 64)]
    pub kbps: u32,
    /// Round trip time of the emulated link (half of it each way), in ms.
    #[arg(long, default_value_t = 500)]
    pub rtt_ms: u64,
}

impl Default for LinkArgs {
    fn default() -> Self {
        LinkArgs { day: DayArgs::default(), kbps: 64, rtt_ms: 500 }
    }
}

/// `sync-first`.
#[derive(clap::Args, Debug, Clone)]
pub struct FirstArgs {
    /// Beneficiaries of the sub-centre pushed beforehand by another device.
    #[arg(long, default_value_t = SUBCENTRE_BENEFICIARIES)]
    pub beneficiaries: usize,
    /// Beneficiaries of the rest of the block (the other sub-centres' villages), pushed first by a
    /// block supervisor's device, so that the server's log holds more than the sub-centre.
    #[arg(long, default_value_t = 0)]
    pub others: usize,
}

impl Default for FirstArgs {
    fn default() -> Self {
        FirstArgs { beneficiaries: SUBCENTRE_BENEFICIARIES, others: 0 }
    }
}

pub(crate) fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

pub(crate) fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

// ---------------------------------------------------------------------------------------------
// CPU time per thread group, from /proc (USER_HZ = 100)
// ---------------------------------------------------------------------------------------------

/// utime + stime in seconds from the text of a `/proc/…/stat` file.
fn stat_cpu(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// CPU seconds used so far by the calling thread.
fn own_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat").ok().and_then(|s| stat_cpu(&s)).unwrap_or(0.0)
}

/// CPU seconds used so far by the live threads of this process, by group.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cpu {
    pub(crate) server: f64,
    proxy: f64,
    /// The main thread and device threads.
    device: f64,
}

impl Cpu {
    pub(crate) fn now() -> Cpu {
        let mut cpu = Cpu::default();
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return cpu };
        for task in tasks.flatten() {
            let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            let Some(t) = std::fs::read_to_string(task.path().join("stat")).ok().and_then(|s| stat_cpu(&s)) else {
                continue;
            };
            if comm.starts_with("teeka-srv") {
                cpu.server += t;
            } else if comm.starts_with(teeka_testkit::proxy::THREAD_NAME) {
                cpu.proxy += t;
            } else {
                cpu.device += t;
            }
        }
        cpu
    }

    pub(crate) fn since(self, before: Cpu) -> Cpu {
        Cpu {
            server: self.server - before.server,
            proxy: self.proxy - before.proxy,
            device: self.device - before.device,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// The names of the block's villages, in the generator's order (village 0 first).
pub(crate) fn village_names(cli: &Cli, count: usize) -> Result<Vec<String>> {
    // The generator puts its first `count` households in villages 0, 1, 2, … in turn, and a
    // household has at most 4 members.
    let b = super::block::generate(4 * count, count, cli.today, cli.seed)?;
    let rows = parse_register(b.csv.as_bytes(), cli.today)?;
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        if !names.contains(&r.village) {
            names.push(r.village);
        }
    }
    ensure!(names.len() == count, "expected {count} villages, the generator made {}", names.len());
    Ok(names)
}

fn subcentre_name(village_index: usize) -> String {
    format!("SC {:02}", village_index / VILLAGES_PER_SUBCENTRE + 1)
}

/// The areas CSV: one block, five villages to a sub-centre.
fn areas_csv(villages: &[String]) -> String {
    let mut csv = String::from("state,district,block,subcentre,village\n");
    for (i, v) in villages.iter().enumerate() {
        csv.push_str(&format!("Uttar Pradesh,Hardoi,Mahmudabad,{},{v}\n", subcentre_name(i)));
    }
    csv
}

/// The server in its own runtime, on SQLite in a temporary directory, listening on 127.0.0.1.
pub(crate) struct Server {
    svc: Arc<Service<SqliteDb>>,
    pub(crate) addr: SocketAddr,
    // Dropped in this order: the runtime (and the server with it), then the directory.
    rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Server {
    pub(crate) fn start(cli: &Cli, villages: &[String]) -> Result<Server> {
        let dir = temp_dir(cli)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("teeka-srv")
            .thread_keep_alive(Duration::from_secs(3600))
            .enable_all()
            .build()?;
        let db = SqliteDb::open(&dir.path().join("server.db"))?;
        let svc = Arc::new(Service::new(db));
        rt.block_on(svc.import_areas(areas_csv(villages).as_bytes(), chrono::Utc::now()))
            .map_err(|e| anyhow::anyhow!("importing the areas: {e}"))?;
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        let app = teeka_server::http::router(svc.clone());
        rt.spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("the server stopped: {e}");
            }
        });
        Ok(Server { svc, addr, rt, _dir: dir })
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn code(&self, area: &str, role: Role) -> Result<String> {
        let (code, ..) = self
            .rt
            .block_on(self.svc.create_code(area, role, chrono::Duration::hours(2), chrono::Utc::now()))
            .map_err(|e| anyhow::anyhow!("making a code for {area}: {e}"))?;
        Ok(code)
    }

    pub(crate) fn events(&self) -> Result<u64> {
        let mut n = 0;
        let mut after = 0;
        loop {
            let page = self.rt.block_on(self.svc.db().events_after(after, 50_000))?;
            let Some(last) = page.last() else { break };
            after = last.0;
            n += page.len() as u64;
        }
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------

fn device_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// A device store at `path` holding `rows` (imported as a head-count survey would be).
pub(crate) fn device_with(cli: &Cli, path: &Path, rows: &[RegisterRow]) -> Result<(Store, usize)> {
    let mut store = Store::open(path)?;
    let summary = store.import_register(rows, &ctx(cli.today))?;
    ensure!(summary.warnings.is_empty(), "the register imported with {} warnings", summary.warnings.len());
    Ok((store, summary.events))
}

pub(crate) fn enroll(store: &mut Store, server: &Server, area: &str, role: Role) -> Result<()> {
    let code = server.code(area, role)?;
    device_runtime()?
        .block_on(teeka_sync::enroll(store, &server.url(), &code, None))
        .with_context(|| format!("enrolling a device for {area}"))?;
    Ok(())
}

/// One sync run, timed.
#[derive(Debug, Clone, Copy)]
struct SyncRun {
    started: Instant,
    /// From the start to the acknowledgement of the last push batch (zero if nothing was pushed).
    push: Duration,
    total: Duration,
    progress: Progress,
}

impl SyncRun {
    fn pull(&self) -> Duration {
        self.total.saturating_sub(self.push)
    }
}

/// Runs `teeka_sync::sync` with the default configuration, through `via` if given.
fn run_sync(store: &mut Store, via: Option<&str>) -> Result<SyncRun> {
    run_sync_with(store, via, Config::default())
}

fn run_sync_with(store: &mut Store, via: Option<&str>, cfg: Config) -> Result<SyncRun> {
    let rt = device_runtime()?;
    let mut steps: Vec<(Duration, Progress)> = Vec::new();
    let started = Instant::now();
    let outcome = rt.block_on(teeka_sync::sync(store, via, cfg, |p| steps.push((started.elapsed(), p))))?;
    let total = started.elapsed();
    let progress = match outcome {
        Outcome::Complete(p) => p,
        Outcome::Failed { progress, error, .. } => bail!("the sync failed after {progress:?}: {error}"),
    };
    let push = steps.iter().filter(|(_, p)| p.pulled == 0 && p.pushed + p.set_aside > 0).map(|s| s.0).next_back();
    Ok(SyncRun { started, push: push.unwrap_or(Duration::ZERO), total, progress })
}

fn check_clean(run: &SyncRun, what: &str) -> Result<()> {
    ensure!(
        run.progress.set_aside == 0 && run.progress.failures == 0,
        "{what}: {} events set aside, {} failures",
        run.progress.set_aside,
        run.progress.failures
    );
    Ok(())
}

/// A village's register of `beneficiaries` rows, all in village 0 of the block.
fn village_rows(cli: &Cli, beneficiaries: usize) -> Result<Vec<RegisterRow>> {
    let b = generate(cli, beneficiaries, 1)?;
    Ok(parse_register(b.csv.as_bytes(), cli.today)?)
}

/// Records up to `count` doses given today, as a session day would: the beneficiaries of the due
/// list in turn, each given all the doses due. Returns (doses, beneficiaries).
fn record_day(cli: &Cli, store: &mut Store, count: usize) -> Result<(usize, usize)> {
    let items = store.due_list(cli.today, None)?;
    let c = ctx(cli.today);
    let (mut doses, mut people) = (0, 0);
    for item in items {
        if doses == count {
            break;
        }
        people += 1;
        for d in item.doses.iter().take(count - doses) {
            store.record_dose(&item.register_id, d.code, cli.today, &c)?;
            doses += 1;
        }
    }
    ensure!(doses == count, "only {doses} doses were due in the register");
    Ok((doses, people))
}

// ---------------------------------------------------------------------------------------------
// What the proxy (teeka_testkit::proxy) counted
// ---------------------------------------------------------------------------------------------

fn check_counts(traffic: &Traffic) -> Result<()> {
    let framed: u64 = traffic.by_path.values().map(Tally::sent).sum();
    let framed_down: u64 = traffic.by_path.values().map(Tally::received).sum();
    ensure!(
        traffic.attributed(),
        "the proxy could not attribute every byte: {} unframed messages, {framed}/{} up, {framed_down}/{} down",
        traffic.unframed,
        traffic.up,
        traffic.down
    );
    Ok(())
}

/// "N requests, X B sent (head H), Y B received (head H')".
fn describe(t: &Tally) -> String {
    format!(
        "{} request{}, {} B up ({} B of HTTP heads), {} B down ({} B of HTTP heads)",
        t.requests,
        if t.requests == 1 { "" } else { "s" },
        t.sent(),
        t.request_head,
        t.received(),
        t.response_head
    )
}

// ---------------------------------------------------------------------------------------------
// sync-ingest
// ---------------------------------------------------------------------------------------------

/// The sync's configuration for `sync-ingest`: the default, or a fixed push batch.
fn ingest_config(args: &IngestArgs) -> Config {
    match args.push_batch {
        Some(n) => Config { push: WindowRule::fixed(n), ..Config::default() },
        None => Config::default(),
    }
}

/// A window's rule as the benchmarks print it.
fn window_text(rule: WindowRule) -> String {
    format!(
        "adaptive from {} between {} and {} events, target round trip {} ms",
        rule.start, rule.min, rule.max, rule.target_ms
    )
}

pub fn ingest(cli: &Cli, args: &IngestArgs) -> Result<()> {
    ensure!(args.push_batch.map_or(true, |n| n >= 1), "--push-batch must be at least 1");
    let villages = village_names(cli, BLOCK_VILLAGES.max(args.devices))?;
    println!(
        "== sync-ingest: the server (SQLite, synchronous=FULL) ingesting pushes over HTTP on loopback (push batch {}, pull pages {})",
        match args.push_batch {
            Some(n) => format!("fixed at {n}, not the default"),
            None => window_text(Config::default().push),
        },
        window_text(Config::default().pull)
    );

    let dir = temp_dir(cli)?;
    if args.beneficiaries > 0 {
        ingest_one(cli, args, &villages, dir.path())?;
    }
    if args.devices > 0 {
        if args.beneficiaries > 0 {
            println!();
        }
        ingest_many(cli, args, &villages, dir.path())?;
    }
    Ok(())
}

/// One device pushing a large village register.
fn ingest_one(cli: &Cli, args: &IngestArgs, villages: &[String], dir: &Path) -> Result<()> {
    let server = Server::start(cli, villages)?;
    let rows = village_rows(cli, args.beneficiaries)?;
    let t = Instant::now();
    let (mut store, events) = device_with(cli, &dir.join("device.db"), &rows)?;
    println!(
        "device store: {} beneficiaries in '{}', {} events in its outbox (imported in {})",
        rows.len(),
        villages[0],
        events,
        fmt_ms(t.elapsed())
    );
    enroll(&mut store, &server, &villages[0], Role::Anm)?;
    let cfg = ingest_config(args);
    let cpu = Cpu::now();
    let run = run_sync_with(&mut store, None, cfg)?;
    let cpu = Cpu::now().since(cpu);
    check_clean(&run, "the one device's sync")?;
    let p = run.progress;
    ensure!(p.pushed == events as u64, "{} of {events} events were pushed", p.pushed);
    let per_s = rate(p.pushed, run.push);
    println!(
        "sync-ingest one device: {} events pushed in {} = {:.0} events/s (goal ≥ 50000 events/s: {})",
        p.pushed,
        secs(run.push),
        per_s,
        verdict(per_s >= 50_000.0)
    );
    println!(
        "  the same sync then pulled {} events (its own left out, the cursor stepping over them) in {} = {:.0} events/s; whole sync {}, {} round trips",
        p.pulled,
        secs(run.pull()),
        rate(p.pulled, run.pull()),
        secs(run.total),
        p.round_trips
    );
    println!(
        "  CPU during the sync: server {:.2} s ({:.1} µs per event pushed or pulled), device {:.2} s; wall {}",
        cpu.server,
        cpu.server * 1e6 / (p.pushed + p.pulled) as f64,
        cpu.device,
        secs(run.total)
    );
    let server_events = server.events()?;
    let mut empty = Vec::with_capacity(5);
    for _ in 0..5 {
        let run = run_sync(&mut store, None)?;
        ensure!(run.progress.pushed + run.progress.pulled == 0, "the sync after the first one moved events");
        empty.push(run.total);
    }
    println!(
        "  an empty sync after it (nothing to push, one pull of nothing new: one round trip on a new connection): {}",
        super::min_median_max(empty)
    );

    // A second device of the same village: its first sync only pulls.
    let mut other = Store::open(&dir.join("other.db"))?;
    enroll(&mut other, &server, &villages[0], Role::Asha)?;
    let cpu = Cpu::now();
    let pull = run_sync(&mut other, None)?;
    let cpu = Cpu::now().since(cpu);
    check_clean(&pull, "the pulling device's sync")?;
    println!(
        "  pull only (a new device of the village): {} events in {} = {:.0} events/s, {} round trips; CPU server {:.2} s, device {:.2} s (server log: {} events)",
        pull.progress.pulled,
        secs(pull.total),
        rate(pull.progress.pulled, pull.total),
        pull.progress.round_trips,
        cpu.server,
        cpu.device,
        server_events
    );
    drop(server);
    push_parts(cli, villages, dir, &rows, args.push_batch.unwrap_or(PARTS_PUSH_BATCH))
}

/// The pushes of the same register part by part, in process and without HTTP, on a fresh server
/// and a fresh store, each part as the device's sync and the server's HTTP handler do it: where
/// the time of the push goes.
fn push_parts(cli: &Cli, villages: &[String], dir: &Path, rows: &[RegisterRow], batch: usize) -> Result<()> {
    use teeka_protocol::{decode, encode, MAX_DECODED_BYTES};
    let server = Server::start(cli, villages)?;
    let (mut store, _) = device_with(cli, &dir.join("parts.db"), rows)?;
    enroll(&mut store, &server, &villages[0], Role::Anm)?;
    let token = store.enrollment()?.context("not enrolled")?.token;
    // device read, encode, server decode, authenticate, Service::push, encode answer, device
    // decode answer, acknowledge
    let mut parts = [Duration::ZERO; 8];
    // known_events, entity_paths, ids referenced, distinct ids referenced
    let mut probe = (Duration::ZERO, Duration::ZERO, 0u64, 0u64);
    let mut timed = |i: usize, t: Instant| parts[i] += t.elapsed();
    let (mut pushed, mut batches) = (0u64, 0);
    loop {
        let t = Instant::now();
        let events = store.outbox(batch)?;
        let pending = store.pending_count()?;
        timed(0, t);
        if events.is_empty() {
            break;
        }
        let n = events.len() as u64;
        // The two lookups Service::push makes (the events' ids; the distinct ids they refer to),
        // timed alone below (read-only).
        let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        let mut refs: Vec<Uuid> = events.iter().flat_map(|e| e.body.references()).collect();
        probe.2 += refs.len() as u64;
        refs.sort_unstable();
        refs.dedup();
        probe.3 += refs.len() as u64;
        let t = Instant::now();
        let body = encode(&PushRequest {
            events,
            pending: pending.saturating_sub(n),
            device_time_ms: chrono::Utc::now().timestamp_millis(),
        })?;
        timed(1, t);
        let t = Instant::now();
        let req: RawPushRequest = decode(&body, MAX_DECODED_BYTES)?;
        timed(2, t);
        let t = Instant::now();
        server.rt.block_on(server.svc.db().known_events(ids))?;
        probe.0 += t.elapsed();
        let t = Instant::now();
        server.rt.block_on(server.svc.db().entity_paths(refs))?;
        probe.1 += t.elapsed();
        let t = Instant::now();
        let device = server.rt.block_on(server.svc.authenticate(Some(&token)))?;
        timed(3, t);
        let t = Instant::now();
        let resp = server.rt.block_on(server.svc.push_raw(&device, req, chrono::Utc::now()))?;
        timed(4, t);
        let t = Instant::now();
        let body = encode(&resp)?;
        timed(5, t);
        let t = Instant::now();
        let resp: PushResponse = decode(&body, MAX_DECODED_BYTES)?;
        timed(6, t);
        ensure!(resp.rejected.is_empty(), "{} events were refused", resp.rejected.len());
        let t = Instant::now();
        store.acknowledge(&resp.accepted, &[], chrono::Utc::now())?;
        timed(7, t);
        pushed += resp.accepted.len() as u64;
        batches += 1;
    }
    let sum: Duration = parts.iter().sum();
    println!(
        "  the same {pushed} events part by part ({batches} pushes in process, no HTTP): {} = {:.0} events/s, of which",
        secs(sum),
        rate(pushed, sum)
    );
    let names = [
        "device: outbox read (SQLite, JSON parse)",
        "device: encode push (JSON, gzip)",
        "server: decode push (gunzip, JSON parse into a Value per event)",
        "server: authenticate",
        "server: Service::push_raw (Value → Event, known_events, entity_paths, place, store_events)",
        "server: encode answer (JSON, gzip)",
        "device: decode answer",
        "device: acknowledge (outbox delete + commit)",
    ];
    for (name, d) in names.iter().zip(parts) {
        println!(
            "    {name:<88} {:>9} {:>5.1} % {:>6.2} µs/event",
            fmt_ms(d),
            100.0 * d.as_secs_f64() / sum.as_secs_f64().max(1e-9),
            d.as_secs_f64() * 1e6 / pushed.max(1) as f64
        );
    }
    println!(
        "    within Service::push_raw, timed alone: known_events (the events' ids) {} = {:.2} µs/event; entity_paths (the {} distinct ids of {} references) {} = {:.2} µs/event",
        fmt_ms(probe.0),
        probe.0.as_secs_f64() * 1e6 / pushed.max(1) as f64,
        probe.3,
        probe.2,
        fmt_ms(probe.1),
        probe.1.as_secs_f64() * 1e6 / pushed.max(1) as f64
    );
    Ok(())
}

/// Many devices pushing at once, each its own village.
fn ingest_many(cli: &Cli, args: &IngestArgs, villages: &[String], dir: &Path) -> Result<()> {
    let server = Server::start(cli, villages)?;
    let b = generate(cli, args.block_beneficiaries, args.devices)?;
    let rows = parse_register(b.csv.as_bytes(), cli.today)?;
    let mut by_village: Vec<(String, Vec<RegisterRow>)> = Vec::new();
    for row in rows {
        match by_village.iter_mut().find(|(v, _)| *v == row.village) {
            Some((_, rs)) => rs.push(row),
            None => by_village.push((row.village.clone(), vec![row])),
        }
    }
    let t = Instant::now();
    let mut devices = Vec::with_capacity(by_village.len());
    let mut outboxes = 0;
    for (i, (village, rows)) in by_village.iter().enumerate() {
        let (mut store, events) = device_with(cli, &dir.join(format!("device-{i:02}.db")), rows)?;
        enroll(&mut store, &server, village, Role::Anm)?;
        outboxes += events;
        devices.push((store, events));
    }
    let n = devices.len();
    println!(
        "{} device stores, one village each: {} events in their outboxes ({}–{} each), imported and enrolled in {}",
        n,
        outboxes,
        devices.iter().map(|d| d.1).min().unwrap_or(0),
        devices.iter().map(|d| d.1).max().unwrap_or(0),
        secs(t.elapsed())
    );
    // The outboxes as they are, for the server-only run afterwards.
    let mut outboxes_read = Vec::with_capacity(n);
    for ((store, _), (village, _)) in devices.iter().zip(&by_village) {
        outboxes_read.push((store.device_id(), village.clone(), store.outbox(usize::MAX)?));
    }
    let barrier = Arc::new(Barrier::new(n));
    let cfg = ingest_config(args);
    let cpu = Cpu::now();
    let handles: Vec<_> = devices
        .into_iter()
        .enumerate()
        .map(|(i, (mut store, _))| {
            let barrier = barrier.clone();
            std::thread::Builder::new().name(format!("teeka-dev-{i:02}")).spawn(move || -> Result<(SyncRun, f64)> {
                barrier.wait();
                let cpu = own_cpu();
                let run = run_sync_with(&mut store, None, cfg)?;
                Ok((run, own_cpu() - cpu))
            })
        })
        .collect::<std::io::Result<_>>()?;
    let mut runs = Vec::with_capacity(n);
    for h in handles {
        let r = h.join().map_err(|_| anyhow::anyhow!("a device thread panicked"))??;
        runs.push(r);
    }
    let server_cpu = Cpu::now().since(cpu).server;
    let device_cpu: f64 = runs.iter().map(|r| r.1).sum();
    let start = runs.iter().map(|r| r.0.started).min().context("no device ran")?;
    let push_end = runs.iter().map(|r| r.0.started + r.0.push).max().unwrap_or(start);
    let end = runs.iter().map(|r| r.0.started + r.0.total).max().unwrap_or(start);
    for (run, _) in &runs {
        check_clean(run, "a device's sync")?;
    }
    let pushed: u64 = runs.iter().map(|r| r.0.progress.pushed).sum();
    let pulled: u64 = runs.iter().map(|r| r.0.progress.pulled).sum();
    ensure!(pushed == outboxes as u64, "{pushed} of {outboxes} events were pushed");
    let window = push_end - start;
    let per_s = rate(pushed, window);
    let mut pushes: Vec<Duration> = runs.iter().map(|r| r.0.push).collect();
    pushes.sort();
    println!(
        "sync-ingest {n} devices at once: {} events pushed in {} (first start to last push acknowledged) = {:.0} events/s (goal ≥ 50000 events/s: {})",
        pushed,
        secs(window),
        per_s,
        verdict(per_s >= 50_000.0)
    );
    println!(
        "  per device, push part: min {}, median {}, max {}; all syncs (with pulling {} own events back) done after {}",
        secs(pushes[0]),
        secs(pushes[n / 2]),
        secs(pushes[n - 1]),
        pulled,
        secs(end - start)
    );
    println!(
        "  CPU: server {:.2} s ({:.1} µs per event pushed or pulled), devices {:.2} s; wall {} on {} cores",
        server_cpu,
        server_cpu * 1e6 / (pushed + pulled) as f64,
        device_cpu,
        secs(end - start),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    drop(server);
    server_capacity(cli, villages, &outboxes_read, args.push_batch.unwrap_or(PARTS_PUSH_BATCH))
}

/// The same pushes made to a fresh server in process, all devices at once as tasks of the
/// server's runtime, each request decoded, authenticated, stored by `Service::push_raw` and its
/// answer encoded (what the HTTP handler does): what the server alone can ingest, without HTTP, device work or pulls.
fn server_capacity(
    cli: &Cli,
    villages: &[String],
    devices: &[(Uuid, String, Vec<teeka_domain::Event>)],
    batch: usize,
) -> Result<()> {
    use teeka_protocol::{decode, encode, EnrollRequest, MAX_DECODED_BYTES};
    let server = Server::start(cli, villages)?;
    let mut work = Vec::with_capacity(devices.len());
    let mut events = 0;
    for (id, village, outbox) in devices {
        let code = server.code(village, Role::Anm)?;
        let enrolled =
            server.rt.block_on(server.svc.enroll(EnrollRequest { code, device_id: *id }, chrono::Utc::now()))?;
        let bodies = outbox
            .chunks(batch)
            .map(|c| encode(&PushRequest { events: c.to_vec(), pending: 0, device_time_ms: 0 }))
            .collect::<Result<Vec<_>, _>>()?;
        events += outbox.len() as u64;
        work.push((enrolled.token, bodies));
    }
    let cpu = Cpu::now();
    let t = Instant::now();
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(token, bodies)| {
            let svc = server.svc.clone();
            server.rt.spawn(async move {
                let mut accepted = 0;
                for body in bodies {
                    let device = svc.authenticate(Some(&token)).await?;
                    let req: RawPushRequest = decode(&body, MAX_DECODED_BYTES)?;
                    let resp = svc.push_raw(&device, req, chrono::Utc::now()).await?;
                    encode(&resp)?;
                    accepted += resp.accepted.len() as u64;
                }
                Ok::<u64, anyhow::Error>(accepted)
            })
        })
        .collect();
    let accepted = server.rt.block_on(async {
        let mut n = 0;
        for task in tasks {
            n += task.await??;
        }
        Ok::<u64, anyhow::Error>(n)
    })?;
    let elapsed = t.elapsed();
    let cpu = Cpu::now().since(cpu);
    ensure!(accepted == events, "{accepted} of {events} events were accepted");
    println!(
        "  the same pushes to a fresh server in process ({} devices at once as tasks of its runtime: decode, authenticate, Service::push_raw, encode answer; no HTTP, no device work, no pulls): {} = {:.0} events/s; server CPU {:.2} s",
        devices.len(),
        secs(elapsed),
        rate(accepted, elapsed),
        cpu.server
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// sync-wire
// ---------------------------------------------------------------------------------------------

/// A server and a village device holding a register, enrolled and synced once, directly.
struct Village {
    server: Server,
    store: Store,
    dir: tempfile::TempDir,
    village: String,
}

fn village_setup(cli: &Cli, beneficiaries: usize) -> Result<Village> {
    let villages = village_names(cli, BLOCK_VILLAGES)?;
    let server = Server::start(cli, &villages)?;
    let dir = temp_dir(cli)?;
    let rows = village_rows(cli, beneficiaries)?;
    let (mut store, events) = device_with(cli, &dir.path().join("device.db"), &rows)?;
    enroll(&mut store, &server, &villages[0], Role::Anm)?;
    println!("device store: {} beneficiaries in '{}', {} events", rows.len(), villages[0], events);
    Ok(Village { server, store, dir, village: villages[0].clone() })
}

fn per_event(bytes: u64, events: u64) -> f64 {
    bytes as f64 / events.max(1) as f64
}

pub fn wire(cli: &Cli, args: &DayArgs) -> Result<()> {
    println!("== sync-wire: bytes through a counting proxy (HTTP/1.1 heads and bodies; TCP/IP headers not counted)");
    let mut v = village_setup(cli, args.beneficiaries)?;
    let proxy = Proxy::counting(v.server.addr)?;
    let url = proxy.url();

    // The register's first sync: everything the survey made, pushed, then echoed back.
    let first = run_sync(&mut v.store, Some(&url))?;
    check_clean(&first, "the register's first sync")?;
    let c = proxy.take();
    check_counts(&c)?;
    let (push, pull) = (c.path(teeka_protocol::PUSH_PATH), c.path(teeka_protocol::PULL_PATH));
    let p = first.progress;
    println!(
        "sync-wire register push (first sync of the surveying device, {} events of every kind): {:.1} bytes/event; {}",
        p.pushed,
        per_event(push.total(), p.pushed),
        describe(&push)
    );
    println!(
        "  and the same sync's pull ({} events: its own left out): {:.1} bytes/event; {}; {} round trips in all, {} connection(s)",
        p.pulled,
        per_event(pull.total(), p.pulled),
        describe(&pull),
        p.round_trips,
        c.connections
    );

    // A day's work.
    let t = Instant::now();
    let (doses, people) = record_day(cli, &mut v.store, args.events)?;
    println!("recorded a day's work: {doses} doses given to {people} beneficiaries (in {})", secs(t.elapsed()));
    let outbox = v.store.outbox(doses)?;
    let json: usize = outbox.iter().map(|e| serde_json::to_vec(e).map_or(0, |j| j.len())).sum();
    let day = run_sync(&mut v.store, Some(&url))?;
    check_clean(&day, "the day's sync")?;
    let c = proxy.take();
    check_counts(&c)?;
    let (push, pull) = (c.path(teeka_protocol::PUSH_PATH), c.path(teeka_protocol::PULL_PATH));
    let p = day.progress;
    let push_per = per_event(push.total(), p.pushed);
    println!(
        "sync-wire push of a day's work ({} dose events): {:.1} bytes/event (goal ≤ 70: {}); {}",
        p.pushed,
        push_per,
        verdict(push_per <= 70.0),
        describe(&push)
    );
    println!(
        "  the events are {:.0} bytes each as JSON; request body {:.1} bytes/event, response body {:.1} bytes/event",
        json as f64 / doses as f64,
        per_event(push.request_body, p.pushed),
        per_event(push.response_body, p.pushed)
    );
    println!(
        "  and the same sync's pull ({} events: its own left out): {} ({:.1} bytes per event pushed)",
        p.pulled,
        describe(&pull),
        per_event(pull.total(), p.pushed)
    );
    println!(
        "sync-wire a day's sync: {} round trips, {} bytes in all = {:.1} bytes per event recorded",
        p.round_trips,
        push.total() + pull.total(),
        per_event(push.total() + pull.total(), p.pushed)
    );

    // A new device of the village: its first sync pulls everything.
    let mut other = Store::open(&v.dir.path().join("other.db"))?;
    enroll(&mut other, &v.server, &v.village, Role::Asha)?;
    let _ = proxy.take();
    let new = run_sync(&mut other, Some(&url))?;
    check_clean(&new, "the new device's first sync")?;
    let c = proxy.take();
    check_counts(&c)?;
    let pull = c.path(teeka_protocol::PULL_PATH);
    let p = new.progress;
    let pull_per = per_event(pull.total(), p.pulled);
    println!(
        "sync-wire pull (first sync of a new device of the village, {} events): {:.1} bytes/event (goal ≤ 70: {}); {}",
        p.pulled,
        pull_per,
        verdict(pull_per <= 70.0),
        describe(&pull)
    );
    println!(
        "sync-wire a first sync: {} round trips ({} events, pages {})",
        p.round_trips,
        p.pulled,
        window_text(Config::default().pull)
    );
    wire_breakdown(&outbox)?;
    Ok(())
}

/// Where the bytes of a push of these events go: JSON, gzip at several levels, without the ids.
fn wire_breakdown(events: &[teeka_domain::Event]) -> Result<()> {
    use std::io::Write;
    let n = events.len().max(1) as f64;
    let gz = |bytes: &[u8], level: u32| -> Result<usize> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
        e.write_all(bytes)?;
        Ok(e.finish()?.len())
    };
    // µs per event to compress, best of 10 runs.
    let gz_time = |bytes: &[u8], level: u32| -> Result<f64> {
        let mut best = Duration::MAX;
        for _ in 0..10 {
            let t = Instant::now();
            gz(bytes, level)?;
            best = best.min(t.elapsed());
        }
        Ok(best.as_secs_f64() * 1e6 / n)
    };
    let req = PushRequest { events: events.to_vec(), pending: 0, device_time_ms: 0 };
    let json = serde_json::to_vec(&req)?;
    let resp = PushResponse {
        accepted: events.iter().map(|e| e.id).collect(),
        rejected: Vec::new(),
        server_time_ms: chrono::Utc::now().timestamp_millis(),
    };
    let resp_json = serde_json::to_vec(&resp)?;
    // The same events with the fields every event of a batch shares taken out, as a measure of
    // what they cost.
    let mut values: Vec<serde_json::Value> = events.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
    for v in &mut values {
        if let Some(o) = v.as_object_mut() {
            o.remove("device_id");
            o.remove("author");
        }
    }
    let lean = serde_json::to_vec(&values)?;
    for v in &mut values {
        if let Some(o) = v.as_object_mut() {
            o.remove("id");
        }
    }
    let no_ids = serde_json::to_vec(&values)?;
    println!(
        "  where a push's bytes go, per event: request JSON {:.0} B, gzip level 6 (as sent) {:.1} B, level 9 {:.1} B, level 1 {:.1} B",
        json.len() as f64 / n,
        gz(&json, 6)? as f64 / n,
        gz(&json, 9)? as f64 / n,
        gz(&json, 1)? as f64 / n
    );
    println!(
        "    compressing it (miniz_oxide, flate2's default backend) takes {:.2} µs/event at level 6, {:.2} at level 1",
        gz_time(&json, 6)?,
        gz_time(&json, 1)?
    );
    println!(
        "    response (the accepted ids) JSON {:.0} B, gzip {:.1} B; request without device_id/author {:.1} B gzip, and without the event ids too {:.1} B gzip",
        resp_json.len() as f64 / n,
        gz(&resp_json, 6)? as f64 / n,
        gz(&lean, 6)? as f64 / n,
        gz(&no_ids, 6)? as f64 / n
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// sync-2g
// ---------------------------------------------------------------------------------------------

/// Returns the time until the day's push was acknowledged (the goal's figure).
pub fn two_g(cli: &Cli, args: &LinkArgs) -> Result<Duration> {
    ensure!(args.kbps > 0, "--kbps must be positive");
    println!(
        "== sync-2g: a day's work through a proxy emulating {} kbit/s each way and {} ms round trip ({} ms each way, plus one round trip for the TCP handshake)",
        args.kbps,
        args.rtt_ms,
        args.rtt_ms / 2
    );
    let mut v = village_setup(cli, args.day.beneficiaries)?;
    let first = run_sync(&mut v.store, None)?;
    check_clean(&first, "the register's first sync")?;
    println!(
        "first sync on loopback (not timed here): {} events pushed, {} pulled",
        first.progress.pushed, first.progress.pulled
    );
    let (doses, people) = record_day(cli, &mut v.store, args.day.events)?;
    println!("recorded a day's work: {doses} doses given to {people} beneficiaries");
    let link = Link::kbps(args.kbps, Duration::from_millis(args.rtt_ms));
    let proxy = Proxy::start(v.server.addr, ProxyConfig::link(link))?;
    let run = run_sync(&mut v.store, Some(&proxy.url()))?;
    check_clean(&run, "the day's sync over 2G")?;
    let c = proxy.take();
    check_counts(&c)?;
    let (push, pull) = (c.path(teeka_protocol::PUSH_PATH), c.path(teeka_protocol::PULL_PATH));
    let p = run.progress;
    let goal = Duration::from_secs(5);
    println!(
        "sync-2g push of a day's work ({} events): acknowledged after {} (goal ≤ 5 s: {})",
        p.pushed,
        secs(run.push),
        verdict(run.push <= goal)
    );
    println!(
        "  push: {}; at {} kbit/s the bytes alone take {} up and {} down",
        describe(&push),
        args.kbps,
        secs(link.send_time(push.sent())),
        secs(link.send_time(push.received()))
    );
    println!(
        "  the whole sync (the worker waits for it) took {} ({}): its pull brought {} events (its own left out) in {}; {}",
        secs(run.total),
        if run.total <= goal { "within 5 s" } else { "over 5 s" },
        p.pulled,
        secs(run.pull()),
        describe(&pull)
    );
    println!("  {} round trips, {} TCP connection(s)", p.round_trips, c.connections);
    Ok(run.push)
}

// ---------------------------------------------------------------------------------------------
// sync-first
// ---------------------------------------------------------------------------------------------

pub fn first(cli: &Cli, args: &FirstArgs) -> Result<()> {
    println!("== sync-first: the first sync of a new sub-centre device on loopback");
    let villages = village_names(cli, BLOCK_VILLAGES)?;
    let server = Server::start(cli, &villages)?;
    let subcentre = subcentre_name(0);
    let dir = temp_dir(cli)?;
    let b = generate(cli, args.beneficiaries, SUBCENTRE_VILLAGES)?;
    let rows = parse_register(b.csv.as_bytes(), cli.today)?;
    for r in &rows {
        let i = villages.iter().position(|v| *v == r.village).context("a village outside the block")?;
        ensure!(subcentre_name(i) == subcentre, "village {} is not in {subcentre}", r.village);
    }
    if args.others > 0 {
        // The rest of the block: the generator's villages outside the sub-centre.
        let b = generate(cli, args.others, BLOCK_VILLAGES)?;
        let outside: Vec<RegisterRow> = parse_register(b.csv.as_bytes(), cli.today)?
            .into_iter()
            .filter(|r| villages.iter().position(|v| *v == r.village).is_some_and(|i| subcentre_name(i) != subcentre))
            .collect();
        let (mut block, events) = device_with(cli, &dir.path().join("block.db"), &outside)?;
        enroll(&mut block, &server, "Mahmudabad", Role::Supervisor)?;
        let run = run_sync(&mut block, None)?;
        check_clean(&run, "the block device's sync")?;
        println!(
            "pushed first by a block supervisor's device: {} beneficiaries outside {subcentre}, {} events in {} ({:.0} events/s)",
            outside.len(),
            events,
            secs(run.push),
            rate(run.progress.pushed, run.push)
        );
    }
    let (mut pusher, events) = device_with(cli, &dir.path().join("pusher.db"), &rows)?;
    enroll(&mut pusher, &server, &subcentre, Role::Anm)?;
    let run = run_sync(&mut pusher, None)?;
    check_clean(&run, "the pushing device's sync")?;
    println!(
        "pushed beforehand by another device of {subcentre}: {} events in {} ({:.0} events/s); the server holds {} events",
        events,
        secs(run.push),
        rate(run.progress.pushed, run.push),
        server.events()?
    );
    drop(pusher);

    let mut fresh = Store::open(&dir.path().join("new.db"))?;
    enroll(&mut fresh, &server, &subcentre, Role::Anm)?;
    let cpu = Cpu::now();
    let run = run_sync(&mut fresh, None)?;
    let cpu = Cpu::now().since(cpu);
    check_clean(&run, "the new device's first sync")?;
    let p = run.progress;
    println!(
        "sync-first new device of {subcentre} ({} beneficiaries in {} villages): {} events pulled in {} = {:.0} events/s, {} round trips (goal ≤ 2 s: {})",
        rows.len(),
        SUBCENTRE_VILLAGES,
        p.pulled,
        secs(run.total),
        rate(p.pulled, run.total),
        p.round_trips,
        verdict(run.total <= Duration::from_secs(2))
    );
    println!("  CPU during the sync: server {:.2} s, device {:.2} s", cpu.server, cpu.device);
    let size =
        super::file_len(&dir.path().join("new.db")) + super::file_len(&super::wal_path(&dir.path().join("new.db")));
    println!("  the new store: {} events, {} (with its WAL)", fresh.event_count()?, mib(size));
    drop(fresh);

    // The same pages through each part alone, in process, to see where the time goes.
    let token = Store::open(&dir.path().join("new.db"))?.enrollment()?.context("not enrolled")?.token;
    let device = server.rt.block_on(server.svc.authenticate(Some(&token)))?;
    let mut replay = Store::open(&dir.path().join("replay.db"))?;
    let (mut read, mut encode, mut decode, mut apply) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut after, mut bytes, mut pages) = (0, 0, 0);
    loop {
        let t = Instant::now();
        let page = server.rt.block_on(server.svc.pull(
            &device,
            PullRequest { after, limit: teeka_protocol::MAX_PULL_EVENTS, exclude_own: true },
            chrono::Utc::now(),
        ))?;
        read += t.elapsed();
        let t = Instant::now();
        let body = teeka_protocol::encode(&page)?;
        encode += t.elapsed();
        let t = Instant::now();
        let page: PullResponse = teeka_protocol::decode(&body, teeka_protocol::MAX_DECODED_BYTES)?;
        decode += t.elapsed();
        let t = Instant::now();
        replay.apply_pulled(&page.events, page.next, chrono::Utc::now())?;
        apply += t.elapsed();
        bytes += body.len();
        pages += 1;
        after = page.next;
        if !page.more {
            break;
        }
    }
    println!(
        "  the events again in {pages} pages of up to {} (the server's cap) part by part: server Service::pull (SQLite read, JSON parse) {}, encode (JSON, gzip) {}, decode (gunzip, JSON parse) {}, device apply_pulled {}; {} of bodies",
        teeka_protocol::MAX_PULL_EVENTS,
        fmt_ms(read),
        fmt_ms(encode),
        fmt_ms(decode),
        fmt_ms(apply),
        mib(bytes as u64)
    );
    Ok(())
}

/// Every sync benchmark with its defaults.
pub fn all(cli: &Cli) -> Result<()> {
    ingest(cli, &IngestArgs::default())?;
    println!();
    wire(cli, &DayArgs::default())?;
    println!();
    two_g(cli, &LinkArgs::default())?;
    println!();
    first(cli, &FirstArgs::default())
}
