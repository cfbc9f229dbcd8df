//! `vs-pouchdb`: a village device's first push, Teeka against PouchDB, in one run.
//!
//! Teeka: a device store holding a village register (2,000 children with 8 doses each on their
//! cards, in households of three: 18,667 events), enrolled with the real server (in this
//! process, over SQLite, as in the other sync benchmarks); then a whole `teeka sync` process,
//! timed from its start to its exit, through a byte-counting proxy
//! (`teeka_testkit::proxy`).
//!
//! PouchDB: the same events, one document each (the event's JSON with its id as `_id`), loaded
//! beforehand into a local PouchDB 9 (LevelDB on disk); then a whole `node replicate.mjs`
//! process (`PouchDB.replicate` to pouchdb-server 4.2 with its default options), timed the same
//! way, through the same kind of proxy. `bench/pouchdb` holds the scripts and the pinned
//! versions; the first run installs them from npm (`npm ci`).
//!
//! Every run starts from scratch on both sides: a new server, a new device store, a new local
//! PouchDB and a new pouchdb-server directory. The medians of `--runs` runs are compared.

use anyhow::{bail, ensure, Context, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use teeka_domain::register::RegisterRow;
use teeka_domain::{BeneficiaryFacts, Date, DoseCode, HouseholdFacts, Kind, Sex};
use teeka_protocol::Role;
use teeka_testkit::proxy::{Proxy, Traffic};

use super::sync::{device_with, enroll, secs, verdict, village_names, Cpu, Server};
use super::{quantile, temp_dir, Cli};

const CHILDREN: usize = 2_000;
const RUNS: usize = 3;
/// The doses on every child's card: the birth doses, then the 6-week ones.
const BIRTH_DOSES: [DoseCode; 3] = [DoseCode::Bcg, DoseCode::Hepb0, DoseCode::Opv0];
const SIX_WEEK_DOSES: [DoseCode; 5] =
    [DoseCode::Opv1, DoseCode::Penta1, DoseCode::Rvv1, DoseCode::Fipv1, DoseCode::Pcv1];
const CHILDREN_PER_HOUSEHOLD: usize = 3;
/// The goals of issue 13.
const RATIO_GOAL: f64 = 20.0;
const BYTES_GOAL: f64 = 0.2;

/// `vs-pouchdb`.
#[derive(clap::Args, Debug, Clone)]
pub struct PouchArgs {
    /// Children of the village register (8 doses each).
    #[arg(long, default_value_t = CHILDREN)]
    pub children: usize,
    /// Runs of each side (the medians are compared).
    #[arg(long, default_value_t = RUNS)]
    pub runs: usize,
    /// The `teeka` program (default: beside this one; `cargo build --release --bin teeka`).
    #[arg(long, value_name = "PATH")]
    pub teeka: Option<PathBuf>,
    /// The directory of the PouchDB side (package.json, load.mjs, replicate.mjs).
    #[arg(long, value_name = "DIR")]
    pub pouchdb_dir: Option<PathBuf>,
}

impl Default for PouchArgs {
    fn default() -> Self {
        PouchArgs { children: CHILDREN, runs: RUNS, teeka: None, pouchdb_dir: None }
    }
}

/// The comparison's figures (for `teeka-bench issue13`).
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    pub teeka: Duration,
    pub pouchdb: Duration,
    pub teeka_bytes_per_dose: f64,
    pub pouchdb_bytes_per_dose: f64,
}

impl Figures {
    pub fn ratio(&self) -> f64 {
        self.pouchdb.as_secs_f64() / self.teeka.as_secs_f64().max(1e-9)
    }

    pub fn bytes_ratio(&self) -> f64 {
        self.teeka_bytes_per_dose / self.pouchdb_bytes_per_dose.max(1e-9)
    }
}

/// One timed process and what went through its proxy.
struct Run {
    time: Duration,
    traffic: Traffic,
    /// What the process printed on its standard output.
    said: String,
    /// CPU seconds the server used meanwhile (Teeka's, in this process; 0 for pouchdb-server).
    server_cpu: f64,
}

/// The village register: `children` children born 100–299 days before `today`, each with the
/// three birth doses given on the day of birth and the five 6-week doses 42 days later.
fn village_register(village: &str, children: usize, today: Date) -> Result<Vec<RegisterRow>> {
    let mut rows = Vec::with_capacity(children);
    for n in 0..children {
        let age = 100 + (n as u64 * 37) % 200;
        let dob = today.checked_sub_days(chrono::Days::new(age)).context("a date of birth out of range")?;
        let six_weeks = dob.checked_add_days(chrono::Days::new(42)).context("a dose date out of range")?;
        let doses =
            BIRTH_DOSES.iter().map(|c| (*c, dob)).chain(SIX_WEEK_DOSES.iter().map(|c| (*c, six_weeks))).collect();
        let household = n / CHILDREN_PER_HOUSEHOLD;
        rows.push(RegisterRow {
            line: n as u64 + 2,
            register_id: format!("PV{:06}", n + 1),
            household_id: format!("PH-{:05}", household + 1),
            village: village.to_owned(),
            household: HouseholdFacts {
                house_no: Some(format!("{}", household + 1)),
                head_of_household: Some(format!("Head {}", household + 1)),
                phone: None,
                risk_category: None,
            },
            kind: Kind::Child,
            facts: BeneficiaryFacts {
                name: format!("Child {}", n + 1),
                sex: Some(if n % 2 == 0 { Sex::F } else { Sex::M }),
                dob: Some(dob),
                mother_name: Some(format!("Mother {}", household + 1)),
                ..Default::default()
            },
            status: None,
            doses,
            implausible: None,
        });
    }
    Ok(rows)
}

fn doses(rows: &[RegisterRow]) -> usize {
    rows.iter().map(|r| r.doses.len()).sum()
}

fn teeka_program(args: &PouchArgs) -> Result<PathBuf> {
    let path = match &args.teeka {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("teeka"),
    };
    ensure!(
        path.is_file(),
        "the teeka program is not at {} (build it: cargo build --release --bin teeka, or give --teeka PATH)",
        path.display()
    );
    Ok(path)
}

/// The PouchDB side's directory, absolute: its programs run with their own working directories.
fn pouchdb_dir(args: &PouchArgs) -> Result<PathBuf> {
    let dir =
        args.pouchdb_dir.clone().unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/pouchdb"));
    dir.canonicalize().with_context(|| format!("the PouchDB directory {}", dir.display()))
}

/// Installs the PouchDB side from npm once (`npm ci`: the versions of its package-lock.json).
fn install_pouchdb(dir: &Path) -> Result<()> {
    if dir.join("node_modules/pouchdb-server").is_dir() && dir.join("node_modules/pouchdb").is_dir() {
        return Ok(());
    }
    println!("installing PouchDB 9 and pouchdb-server 4.2 from npm into {} (once)…", dir.display());
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .context("running npm (install Node.js and npm)")?;
    ensure!(status.success(), "npm ci failed in {}", dir.display());
    Ok(())
}

/// Runs a program to its end, timed from its start to its exit; fails unless it succeeds.
fn timed(cmd: &mut Command, what: &str) -> Result<(Duration, String)> {
    let started = Instant::now();
    let out = cmd.stdin(Stdio::null()).output().with_context(|| format!("starting {what}"))?;
    let time = started.elapsed();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(
        out.status.success(),
        "{what} failed ({}): {}{}",
        out.status,
        said.trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok((time, said))
}

fn teeka_run(cli: &Cli, program: &Path, villages: &[String], rows: &[RegisterRow], events: usize) -> Result<Run> {
    let dir = temp_dir(cli)?;
    let server = Server::start(cli, villages)?;
    let db = dir.path().join("device.db");
    let (mut store, made) = device_with(cli, &db, rows)?;
    ensure!(made == events, "the register made {made} events, {events} before");
    enroll(&mut store, &server, &rows[0].village, Role::Anm)?;
    drop(store);
    let before = server.events()?;
    let proxy = Proxy::counting(server.addr)?;
    let cpu = Cpu::now();
    let (time, said) =
        timed(Command::new(program).arg("--db").arg(&db).arg("sync").arg("--server").arg(proxy.url()), "teeka sync")?;
    let expected = format!("sync complete: {events} records pushed");
    ensure!(said.contains(&expected), "teeka sync said {said:?}, not {expected:?}");
    let server_cpu = Cpu::now().since(cpu).server;
    let stored = server.events()? - before;
    ensure!(stored == events as u64, "the server took {stored} events, not {events}");
    Ok(Run { time, traffic: proxy.traffic(), said, server_cpu })
}

/// A free port of 127.0.0.1.
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `GET path` on `addr`, its whole answer (head and body) as text.
fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer)
}

/// pouchdb-server on a free port, in its own directory; killed when dropped.
struct PouchServer {
    child: Child,
    addr: SocketAddr,
}

impl PouchServer {
    fn start(pouch: &Path, dir: &Path) -> Result<PouchServer> {
        let port = free_port()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let child = Command::new("node")
            .arg(pouch.join("node_modules/pouchdb-server/bin/pouchdb-server"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--no-stdout-logs"])
            .arg("--dir")
            .arg(dir)
            .arg("--config")
            .arg(dir.join("config.json"))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting pouchdb-server (install Node.js)")?;
        let mut server = PouchServer { child, addr };
        let started = Instant::now();
        loop {
            if let Ok(answer) = http_get(addr, "/") {
                if answer.starts_with("HTTP/1.1 200") {
                    return Ok(server);
                }
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("pouchdb-server stopped at start ({status})");
            }
            ensure!(started.elapsed() < Duration::from_secs(30), "pouchdb-server did not answer within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PouchServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The device's events as PouchDB documents, one JSON object per line.
fn documents(cli: &Cli, rows: &[RegisterRow], dir: &Path) -> Result<(PathBuf, usize)> {
    let (store, events) = device_with(cli, &dir.join("source.db"), rows)?;
    let mut text = String::new();
    for event in store.events()? {
        let mut doc = serde_json::to_value(&event)?;
        let serde_json::Value::Object(map) = &mut doc else { bail!("an event is not a JSON object") };
        map.insert("_id".into(), serde_json::Value::String(event.id.to_string()));
        text.push_str(&serde_json::to_string(&doc)?);
        text.push('\n');
    }
    let path = dir.join("docs.ndjson");
    std::fs::write(&path, text)?;
    Ok((path, events))
}

fn pouchdb_run(cli: &Cli, pouch: &Path, docs: &Path, count: usize, run: usize) -> Result<Run> {
    let dir = temp_dir(cli)?;
    let local = dir.path().join("local");
    let remote_dir = dir.path().join("server");
    std::fs::create_dir_all(&remote_dir)?;
    let (_, said) = timed(Command::new("node").arg(pouch.join("load.mjs")).arg(&local).arg(docs), "node load.mjs")?;
    ensure!(said.contains(&format!("loaded {count} documents")), "load.mjs said {said:?}");
    let server = PouchServer::start(pouch, &remote_dir)?;
    let proxy = Proxy::counting(server.addr)?;
    let url = format!("{}/village{run}", proxy.url());
    let (time, said) =
        timed(Command::new("node").arg(pouch.join("replicate.mjs")).arg(&local).arg(&url), "node replicate.mjs")?;
    let expected = format!("replicated docs_written {count} doc_count {count}");
    ensure!(said.contains(&expected), "replicate.mjs said {said:?}, not {expected:?}");
    Ok(Run { time, traffic: proxy.traffic(), said, server_cpu: 0.0 })
}

fn bytes(t: &Traffic) -> u64 {
    t.up + t.down
}

fn per_dose(t: &Traffic, doses: usize) -> f64 {
    bytes(t) as f64 / doses.max(1) as f64
}

fn describe(name: &str, run: &Run, doses: usize) -> String {
    format!(
        "{name} {}, {} connections, {} B up + {} B down = {:.1} B/dose",
        secs(run.time),
        run.traffic.connections,
        run.traffic.up,
        run.traffic.down,
        per_dose(&run.traffic, doses)
    )
}

pub fn compare(cli: &Cli, args: &PouchArgs) -> Result<Figures> {
    ensure!(args.runs > 0, "--runs must be at least 1");
    ensure!(args.children > 0, "--children must be at least 1");
    let program = teeka_program(args)?;
    let pouch = pouchdb_dir(args)?;
    install_pouchdb(&pouch)?;
    let villages = village_names(cli, super::sync::BLOCK_VILLAGES)?;
    let rows = village_register(&villages[0], args.children, cli.today)?;
    let doses = doses(&rows);
    let work = temp_dir(cli)?;
    let (docs, events) = documents(cli, &rows, work.path())?;
    println!(
        "== vs-pouchdb: a village device's first push, {} children with {doses} doses, {events} events (one PouchDB document each), {} runs each",
        rows.len(),
        args.runs
    );
    let mut teeka = Vec::new();
    let mut pouchdb = Vec::new();
    for run in 0..args.runs {
        let t = teeka_run(cli, &program, &villages, &rows, events)?;
        println!(
            "run {}: {} (server CPU {:.2} s; it said: {})",
            run + 1,
            describe("teeka sync process", &t, doses),
            t.server_cpu,
            t.said.trim()
        );
        teeka.push(t);
        let p = pouchdb_run(cli, &pouch, &docs, events, run)?;
        println!("run {}: {} ({})", run + 1, describe("PouchDB replicate process", &p, doses), p.said.trim());
        pouchdb.push(p);
    }
    let mid = |runs: &[Run]| -> (Duration, f64) {
        let mut times: Vec<Duration> = runs.iter().map(|r| r.time).collect();
        times.sort();
        let time = quantile(&times, 0.5);
        let mut b: Vec<f64> = runs.iter().map(|r| per_dose(&r.traffic, doses)).collect();
        b.sort_by(f64::total_cmp);
        (time, b.get(b.len().saturating_sub(1) / 2).copied().unwrap_or_default())
    };
    let (t, tb) = mid(&teeka);
    let (p, pb) = mid(&pouchdb);
    let figures = Figures { teeka: t, pouchdb: p, teeka_bytes_per_dose: tb, pouchdb_bytes_per_dose: pb };
    println!(
        "first push: teeka sync {} against PouchDB {} (medians): {:.1}x faster (goal >= {RATIO_GOAL}x: {})",
        secs(t),
        secs(p),
        figures.ratio(),
        verdict(figures.ratio() >= RATIO_GOAL)
    );
    println!(
        "bytes per dose, up and down: teeka {tb:.1} B against PouchDB {pb:.1} B: {:.3}x (goal <= {BYTES_GOAL}x: {})",
        figures.bytes_ratio(),
        verdict(figures.bytes_ratio() <= BYTES_GOAL)
    );
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_has_eight_doses_a_child_in_households_of_three() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        let rows = village_register("Rampur", 7, today).unwrap_or_default();
        assert_eq!(rows.len(), 7);
        assert_eq!(doses(&rows), 56);
        let households: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.household_id.as_str()).collect();
        assert_eq!(households.len(), 3);
        assert!(rows.iter().all(|r| r.facts.dob.is_some_and(|d| d < today)));
    }
}
