//! End-to-end tests of sync with real processes: `teeka-server` (over SQLite and over a throwaway
//! PostgreSQL cluster) and several `teeka` devices, each on its own store. Convergence, scope,
//! revocation, a fault-injecting TCP proxy, SIGKILLed clients and servers, hostile requests.
//!
//! Every scenario is written once, over a [`Backend`], and instantiated for both (`*_sqlite`,
//! `*_postgres`). Every process a test starts is killed when the test ends (guards), every command
//! has a timeout and every loop a bound: no test can hang or leave a process behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use teeka_testkit::proxy::{Fault, Faults, Link, Proxy, ProxyConfig};
use teeka_testkit::PgCluster;

const TODAY: &str = "2026-11-22";
mod common;
use common::{Backend, Kind, Proc, Run, PROCESS_SEQ};

const TEEKA: &str = env!("CARGO_BIN_EXE_teeka");
/// The longest any one command may run before the test kills it and fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How many `teeka sync` runs a test tries before it gives up.
const SYNC_ATTEMPTS: usize = 30;

/// The area hierarchy of every test: two villages in block Mahmudabad, one in block Biswan.
const AREAS: &str = "state,district,block,subcentre,village
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Rampur
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Salempur
Uttar Pradesh,Sitapur,Biswan,Kotra SC,Kotra
";

/// One test's world: its directory, the server's database (areas imported), and its processes'
/// logs. Fields drop in order: the cluster stops before the directory goes.
struct Env {
    backend: Backend,
    dir: tempfile::TempDir,
}

impl Env {
    /// A fresh world, or `None` when PostgreSQL tests are skipped (`TEEKA_SKIP_POSTGRES=1`).
    fn new(kind: Kind) -> Option<Env> {
        let dir = tempfile::Builder::new().prefix("teeka-e2e-").tempdir().unwrap();
        let backend = match kind {
            Kind::Sqlite => Backend::Sqlite(dir.path().join("server.db")),
            Kind::Postgres => Backend::Postgres(PgCluster::start_unless_skipped().unwrap()?),
        };
        let env = Env { backend, dir };
        let areas = env.write("areas.csv", AREAS);
        let out = env.admin(&["import", "areas", areas.to_str().unwrap()]);
        assert!(out.contains("imported 3 rows"), "{out}");
        Some(env)
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn url(&self) -> String {
        match &self.backend {
            Backend::Sqlite(path) => format!("sqlite:{}", path.display()),
            Backend::Postgres(cluster) => cluster.url(),
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn server_cmd(&self) -> Command {
        self.server_cmd_logging("info,tower_http=warn")
    }

    fn server_cmd_logging(&self, filter: &str) -> Command {
        let mut cmd = Command::new(teeka_testkit::server_binary());
        cmd.env_remove("TEEKA_DATABASE_URL").env("RUST_LOG", filter).arg("--database-url").arg(self.url());
        cmd
    }

    /// An administration command that must succeed; its stdout.
    fn admin(&self, args: &[&str]) -> String {
        let mut cmd = self.server_cmd();
        cmd.args(args);
        let run = Proc::spawn(cmd, self.dir(), &format!("teeka-server {}", args.join(" "))).finish(COMMAND_TIMEOUT);
        assert!(run.ok(), "teeka-server {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    /// A one-time enrollment code (the last line of `teeka-server enroll`).
    fn code(&self, area: &str, role: &str) -> String {
        let out = self.admin(&["enroll", "--area", area, "--role", role]);
        out.lines().last().unwrap().trim().to_string()
    }

    /// `teeka-server serve` on an ephemeral port.
    fn serve(&self) -> Server {
        self.serve_on("127.0.0.1:0")
    }

    /// `teeka-server serve --listen ADDR`; retries while the address is still taken (a restart).
    fn serve_on(&self, listen: &str) -> Server {
        self.serve_logging(listen, "info,tower_http=warn")
    }

    /// [`Env::serve_on`] with the server's log filter `filter` (`RUST_LOG`).
    fn serve_logging(&self, listen: &str, filter: &str) -> Server {
        self.serve_with(listen, filter, &[])
    }

    /// `teeka-server serve --listen ADDR` and `extra` arguments (`--tls-cert …`).
    fn serve_with(&self, listen: &str, filter: &str, extra: &[&str]) -> Server {
        for _ in 0..100 {
            let mut cmd = self.server_cmd_logging(filter);
            cmd.args(["serve", "--listen", listen]).args(extra);
            let mut proc = Proc::spawn(cmd, self.dir(), "teeka-server serve");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let out = proc.stdout_text();
                if let Some(url) = out.lines().find_map(|l| l.strip_prefix("listening on ")) {
                    let (scheme, addr) = url.trim().split_once("://").unwrap();
                    let scheme = if scheme == "https" { "https" } else { "http" };
                    return Server { proc, addr: addr.parse().unwrap(), scheme };
                }
                if !proc.running() {
                    let err = proc.stderr_text();
                    assert!(err.contains("cannot listen"), "teeka-server serve ended:\n{err}");
                    break;
                }
                assert!(Instant::now() < deadline, "teeka-server did not start within 30 s:\n{}", proc.stderr_text());
                std::thread::sleep(Duration::from_millis(5));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("teeka-server could not listen on {listen}")
    }

    fn export(&self) -> Value {
        serde_json::from_str(&self.admin(&["export", "--format", "json"])).unwrap()
    }

    fn device(&self, name: &str) -> Device {
        Device { name: name.to_string(), db: self.dir().join(format!("{name}.db")), logs: self.dir().to_path_buf() }
    }
}

/// A running `teeka-server serve`, SIGKILLed when dropped.
struct Server {
    proc: Proc,
    addr: SocketAddr,
    /// `http`, or `https` when it serves TLS.
    scheme: &'static str,
}

impl Server {
    fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// SIGKILL, as a crash or a power cut would.
    fn kill(mut self) {
        self.proc.kill();
    }
}

/// A TCP port of 127.0.0.1 that nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------

/// A device: a store and the `teeka` CLI.
struct Device {
    name: String,
    db: PathBuf,
    logs: PathBuf,
}

/// What a series of `teeka sync` runs did.
#[derive(Debug, Default)]
struct Tally {
    runs: usize,
    failed: usize,
    /// Events the server acknowledged, summed over the runs (success and failure lines).
    pushed: u64,
    /// Of which in runs that failed.
    pushed_by_failed: u64,
}

impl Device {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(TEEKA);
        cmd.env_remove("TEEKA_DB")
            .env_remove("TEEKA_TODAY")
            .env_remove("TEEKA_AUTHOR")
            .arg("--db")
            .arg(&self.db)
            .args(["--today", TODAY, "--author", &self.name])
            .args(args);
        cmd
    }

    fn spawn(&self, args: &[&str]) -> Proc {
        Proc::spawn(self.cmd(args), &self.logs, &format!("{} teeka {}", self.name, args.join(" ")))
    }

    fn run(&self, args: &[&str]) -> Run {
        self.spawn(args).finish(COMMAND_TIMEOUT)
    }

    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(run.ok(), "{}: teeka {args:?} failed:\n{}", self.name, run.stderr);
        run.stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn export(&self) -> Value {
        self.json(&["export", "--format", "json"])
    }

    fn status(&self) -> Value {
        self.json(&["status", "--format", "json"])
    }

    fn pending(&self) -> u64 {
        self.status()["pending"].as_u64().unwrap()
    }

    fn device_id(&self) -> String {
        self.status()["device_id"].as_str().unwrap().to_string()
    }

    fn import(&self, env: &Env, rows: &[Row]) -> String {
        let file = env.write(&format!("{}-register-{}.csv", self.name, PROCESS_SEQ.load(Ordering::SeqCst)), &csv(rows));
        self.ok(&["import", "register", file.to_str().unwrap()])
    }

    fn enroll(&self, server: &Server, code: &str) {
        let out = self.ok(&["enroll", "--server", &server.url(), "--code", code]);
        assert!(out.starts_with("enrolled device "), "{out}");
    }

    fn sync_args(server: Option<&str>) -> Vec<&str> {
        match server {
            Some(url) => vec!["sync", "--server", url],
            None => vec!["sync"],
        }
    }

    /// One `teeka sync` run (against the enrolled server, or `server`).
    fn sync_run(&self, server: Option<&str>) -> Run {
        self.run(&Device::sync_args(server))
    }

    /// A sync that must succeed at once.
    fn sync(&self) -> Run {
        let run = self.sync_run(None);
        assert!(run.ok(), "{}: teeka sync failed:\n{}", self.name, run.stderr);
        run
    }

    /// `teeka sync` until it exits 0 (at most [`SYNC_ATTEMPTS`] runs).
    fn sync_until_ok(&self, server: Option<&str>) -> Tally {
        let mut tally = Tally::default();
        for _ in 0..SYNC_ATTEMPTS {
            let run = self.sync_run(server);
            tally.runs += 1;
            if run.ok() {
                tally.pushed += pushed_on_success(&run.stdout);
                return tally;
            }
            tally.failed += 1;
            let pushed = pushed_on_failure(&run.stderr);
            tally.pushed += pushed;
            tally.pushed_by_failed += pushed;
        }
        panic!("{}: teeka sync did not succeed in {SYNC_ATTEMPTS} runs: {tally:?}", self.name)
    }

    fn spawn_sync(&self, server: Option<&str>) -> Proc {
        self.spawn(&Device::sync_args(server))
    }
}

/// `sync complete: N records pushed, …` → N.
fn pushed_on_success(stdout: &str) -> u64 {
    let line = stdout.lines().find_map(|l| l.strip_prefix("sync complete: ")).expect(stdout);
    line.split(' ').next().unwrap().parse().unwrap()
}

/// `error[…]: sync incomplete after N pushed and …` → N.
fn pushed_on_failure(stderr: &str) -> u64 {
    let (_, rest) =
        stderr.split_once("sync incomplete after ").unwrap_or_else(|| panic!("unexpected failure:\n{stderr}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Registers
// ---------------------------------------------------------------------------------------------

/// A row of a generated register: a child with BCG and OPV0 given at birth.
#[derive(Debug, Clone)]
struct Row {
    register_id: String,
    household_id: String,
    village: String,
    name: String,
    dob: String,
}

/// `n` children of `village`, two per household, ids `PREFIX-0001`…, born in 2026.
fn rows(prefix: &str, village: &str, n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| Row {
            register_id: format!("{prefix}-{:04}", i + 1),
            household_id: format!("{prefix}-H{:04}", i / 2 + 1),
            village: village.to_string(),
            name: format!("Child {prefix} {}", i + 1),
            dob: format!("2026-{:02}-{:02}", 1 + i % 9, 1 + i % 28),
        })
        .collect()
}

fn csv(rows: &[Row]) -> String {
    let mut text = String::from("register_id,household_id,village,house_no,kind,name,sex,dob,mother_name,BCG,OPV0\n");
    for (i, r) in rows.iter().enumerate() {
        let house = r.household_id.rsplit('H').next().unwrap_or("1");
        let sex = if i % 2 == 0 { "F" } else { "M" };
        text.push_str(&format!(
            "{},{},{},{house},child,{},{sex},{},Mother of {},{},{}\n",
            r.register_id, r.household_id, r.village, r.name, r.dob, r.register_id, r.dob, r.dob
        ));
    }
    text
}

/// Events a register of `rows` (fresh, one village) records: the village, the households, the
/// children and their two doses.
fn events_of(rows: &[Row]) -> u64 {
    let households: HashSet<&str> = rows.iter().map(|r| r.household_id.as_str()).collect();
    let villages: HashSet<&str> = rows.iter().map(|r| r.village.as_str()).collect();
    (villages.len() + households.len() + 3 * rows.len()) as u64
}

// ---------------------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------------------

fn beneficiaries(export: &Value) -> &Vec<Value> {
    export["beneficiaries"].as_array().unwrap()
}

fn beneficiary<'a>(export: &'a Value, register_id: &str) -> &'a Value {
    beneficiaries(export).iter().find(|b| b["register_id"] == register_id).unwrap_or_else(|| panic!("no {register_id}"))
}

fn register_ids(export: &Value) -> BTreeSet<String> {
    beneficiaries(export).iter().map(|b| b["register_id"].as_str().unwrap().to_string()).collect()
}

fn villages(export: &Value) -> BTreeSet<String> {
    beneficiaries(export).iter().map(|b| b["village"].as_str().unwrap().to_string()).collect()
}

/// The same export with only the beneficiaries of these villages.
fn only_villages(export: &Value, keep: &[&str]) -> Value {
    let kept: Vec<Value> =
        beneficiaries(export).iter().filter(|b| keep.iter().any(|v| b["village"] == *v)).cloned().collect();
    serde_json::json!({ "beneficiaries": kept })
}

/// Every dose and not-given record id, asserting that none appears twice.
fn record_ids(export: &Value) -> HashSet<String> {
    let mut ids = HashSet::new();
    for b in beneficiaries(export) {
        for list in ["doses", "not_given"] {
            for d in b[list].as_array().unwrap() {
                let id = d["id"].as_str().unwrap().to_string();
                assert!(ids.insert(id.clone()), "record {id} appears twice in the export");
            }
        }
    }
    ids
}

fn dose_count(export: &Value) -> usize {
    beneficiaries(export).iter().map(|b| b["doses"].as_array().unwrap().len()).sum()
}

/// Asserts two exports are equal, naming the first beneficiary that differs.
fn assert_same(left: &Value, right: &Value, what: &str) {
    if left == right {
        return;
    }
    let (l, r) = (beneficiaries(left), beneficiaries(right));
    let detail = l
        .iter()
        .zip(r)
        .find(|(a, b)| a != b)
        .map(|(a, b)| format!("first difference:\n{a:#}\n---\n{b:#}"))
        .unwrap_or_default();
    panic!("{what}: the exports differ ({} vs {} beneficiaries); {detail}", l.len(), r.len());
}

// ---------------------------------------------------------------------------------------------
// Links for the fault-injecting proxy (teeka_testkit::proxy)
// ---------------------------------------------------------------------------------------------

/// A link of `bytes_per_s` each way with `one_way_ms` of delay each way.
fn link(one_way_ms: u64, bytes_per_s: f64) -> Link {
    Link { bytes_per_s, one_way: Duration::from_millis(one_way_ms) }
}

/// A proxy emulating a slow link, without faults.
fn slow(one_way_ms: u64, bytes_per_s: f64) -> ProxyConfig {
    ProxyConfig::link(link(one_way_ms, bytes_per_s))
}

fn proxy(upstream: SocketAddr, config: ProxyConfig) -> Proxy {
    Proxy::start(upstream, config).unwrap()
}

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client, for hostile requests
// ---------------------------------------------------------------------------------------------

/// Sends one request (`Connection: close`) and reads the whole answer: (status, body).
fn http(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    http_or_reset(addr, method, path, headers, body).unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"))
}

/// As [`http`], but a connection reset before any answer is returned as an error: a server that
/// refuses a body larger than its limit answers and closes without reading it, and the peer's
/// TCP stack may then discard that answer (the reset overtakes it).
fn http_or_reset(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(u16, Vec<u8>), std::io::Error> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // The server may answer (and close) before reading a large body: write from another thread
    // and read the answer meanwhile.
    let mut writer = stream.try_clone().unwrap();
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if answer.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    let _ = sender.join();
    if answer.is_empty() {
        return Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "closed without an answer"));
    }
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let mut body = answer[split + 4..].to_vec();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

/// The `code` of a plain JSON error body.
fn error_code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not a JSON error ({e}): {}", String::from_utf8_lossy(body)));
    assert!(v["message"].is_string(), "{v}");
    v["code"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// Three devices of Rampur (two ANMs, one ASHA) after scenario 1's story, synced twice in rounds.
struct Village {
    a: Device,
    b: Device,
    c: Device,
}

const DOUBLE: (&str, &str) = ("R-0003", "OPV1");
const RENAMED: &str = "R-0005";

fn village_story(env: &Env, server: &Server) -> Village {
    let (a, b, c) = (env.device("anm-a"), env.device("anm-b"), env.device("asha-c"));
    let register = rows("R", "Rampur", 6);
    // A works offline first: a register and a dose, before it is enrolled.
    a.import(env, &register);
    a.ok(&["record", "dose", "--register-id", "R-0004", "--code", "OPV1", "--date", "2026-11-01"]);
    let before = a.pending();
    assert_eq!(before, events_of(&register) + 1);
    a.enroll(server, &env.code("Rampur", "anm"));
    let first = a.sync();
    assert_eq!(pushed_on_success(&first.stdout), before, "{}", first.stdout);
    assert_eq!(a.pending(), 0);
    assert_eq!(a.status()["set_aside"], serde_json::json!([]));
    b.enroll(server, &env.code("Rampur", "anm"));
    c.enroll(server, &env.code("Rampur", "asha"));
    b.sync();
    c.sync();
    let after_first = a.export();
    assert_same(&b.export(), &after_first, "B after its first pull");
    assert_same(&c.export(), &after_first, "C after its first pull");
    // Recorded before enrollment, pulled by the others.
    assert!(beneficiary(&after_first, "R-0004")["doses"].as_array().unwrap().len() > 2);

    // Different doses and a refusal for the same children on each device...
    a.ok(&["record", "dose", "--register-id", "R-0001", "--code", "OPV1", "--date", "2026-11-20"]);
    b.ok(&["record", "dose", "--register-id", "R-0001", "--code", "PENTA1", "--date", "2026-11-20"]);
    c.ok(&[
        "record",
        "not-given",
        "--register-id",
        "R-0002",
        "--code",
        "PENTA1",
        "--date",
        "2026-11-21",
        "--reason",
        "REFUSED_FAMILY",
    ]);
    b.ok(&["record", "dose", "--register-id", "R-0002", "--code", "OPV1", "--date", "2026-11-21"]);
    // ...the same dose for the same child on two devices...
    for d in [&a, &b] {
        d.ok(&["record", "dose", "--register-id", DOUBLE.0, "--code", DOUBLE.1, "--date", "2026-11-19"]);
    }
    // ...and the same child renamed differently on two devices (a changed register).
    for (d, name) in [(&b, "Renamed By B"), (&c, "Renamed By C")] {
        let mut changed = register.clone();
        changed.iter_mut().find(|r| r.register_id == RENAMED).unwrap().name = name.to_string();
        let out = d.import(env, &changed);
        assert!(out.contains("(1 updated)"), "{out}");
    }
    for _round in 0..2 {
        for d in [&a, &b, &c] {
            d.sync();
        }
    }
    Village { a, b, c }
}

fn convergence(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    // Everything the server logs, requests and answers included: no token, no name in it.
    let server = env.serve_logging("127.0.0.1:0", "debug,hyper=info,h2=info,tokio_postgres=info,tower=info");
    let Village { a, b, c } = village_story(&env, &server);

    let ea = a.export();
    assert_same(&b.export(), &ea, "B and A");
    assert_same(&c.export(), &ea, "C and A");
    assert_same(&env.export(), &ea, "the server and A");
    for d in [&a, &b, &c] {
        let status = d.status();
        assert_eq!(status["pending"], 0, "{}: {status:#}", d.name);
        assert_eq!(status["set_aside"], serde_json::json!([]), "{}: {status:#}", d.name);
        assert!(status["last_success"].is_string());
    }

    assert_eq!(beneficiaries(&ea).len(), 6);
    record_ids(&ea);
    // The double-recorded dose: both records kept, both flagged.
    let doubled: Vec<&Value> =
        beneficiary(&ea, DOUBLE.0)["doses"].as_array().unwrap().iter().filter(|d| d["code"] == DOUBLE.1).collect();
    assert_eq!(doubled.len(), 2, "{doubled:?}");
    assert!(doubled.iter().all(|d| d["flagged"] == true), "{doubled:?}");
    assert_ne!(doubled[0]["id"], doubled[1]["id"]);
    // Nothing else is flagged.
    let flagged =
        beneficiaries(&ea).iter().flat_map(|b| b["doses"].as_array().unwrap()).filter(|d| d["flagged"] == true).count();
    assert_eq!(flagged, 2);
    // Each device's records are there.
    let r1 = beneficiary(&ea, "R-0001");
    let codes: BTreeSet<&str> = r1["doses"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains("OPV1") && codes.contains("PENTA1"), "{r1:#}");
    let r2 = beneficiary(&ea, "R-0002");
    assert_eq!(r2["not_given"][0]["reason"], "REFUSED_FAMILY", "{r2:#}");
    assert_eq!(r2["resistant_household"], true);
    assert_eq!(beneficiary(&ea, "R-0001")["resistant_household"], true, "the same household as R-0002");
    // The rename converged on one of the two values, the same everywhere.
    let name = beneficiary(&ea, RENAMED)["name"].as_str().unwrap();
    assert!(name == "Renamed By B" || name == "Renamed By C", "{name}");

    // The server's log holds no device's token, and no one's name or phone.
    let log = server.proc.stderr_text();
    assert!(log.contains("push"), "the log was written at debug level:\n{log}");
    for d in [&a, &b, &c] {
        let token = teeka_store::Store::open(&d.db).unwrap().enrollment().unwrap().unwrap().token;
        assert!(!log.contains(&token), "{}'s token is in the server's log", d.name);
    }
    for b in beneficiaries(&ea) {
        let name = b["name"].as_str().unwrap();
        assert!(!log.contains(name), "'{name}' is in the server's log");
        if let Some(phone) = b["phone"].as_str() {
            assert!(!log.contains(phone), "a phone number is in the server's log");
        }
    }
}

#[test]
fn convergence_of_three_devices_in_one_village_sqlite() {
    convergence(Kind::Sqlite);
}

#[test]
fn convergence_of_three_devices_in_one_village_postgres() {
    convergence(Kind::Postgres);
}

fn scope(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let server = env.serve();
    let Village { a, .. } = village_story(&env, &server);

    // A device of the other block, with its own village's register.
    let k = env.device("anm-kotra");
    k.enroll(&server, &env.code("Kotra", "anm"));
    let kotra = rows("K", "Kotra", 4);
    k.import(&env, &kotra);
    k.sync();

    // A device of Rampur whose register also names Salempur (same block, not its village).
    let d = env.device("asha-d");
    let mut mixed = rows("D", "Rampur", 4);
    let outside = rows("S", "Salempur", 4);
    mixed.extend(outside.iter().cloned());
    d.import(&env, &mixed);
    d.enroll(&server, &env.code("Rampur", "asha"));
    let run = d.sync_run(None);
    assert!(run.ok(), "records out of scope must not fail the sync:\n{}", run.stderr);
    assert!(run.stderr.contains("set aside"), "{}", run.stderr);
    let status = d.status();
    assert_eq!(status["pending"], 0, "{status:#}");
    let aside = status["set_aside"].as_array().unwrap();
    // The Salempur village, its 2 households, 4 children and 8 doses.
    assert_eq!(aside.len() as u64, events_of(&outside), "{status:#}");
    assert!(aside.iter().any(|s| s["code"] == "OUT_OF_SCOPE"), "{status:#}");
    for s in aside {
        assert!(s["code"] == "OUT_OF_SCOPE" || s["code"] == "UNKNOWN_ENTITY", "{s:#}");
    }
    assert!(
        aside.iter().any(|s| s["code"] == "OUT_OF_SCOPE" && s["reason"].as_str().unwrap().contains("Salempur")),
        "{status:#}"
    );

    // The supervisor of the block sees all of Rampur (the three devices' data and D's), nothing of
    // Kotra, nothing of the refused Salempur records.
    let s = env.device("supervisor");
    s.enroll(&server, &env.code("Mahmudabad", "supervisor"));
    s.sync();
    // A supervisor records in the villages of the block too.
    s.ok(&["record", "dose", "--register-id", "D-0001", "--code", "OPV1", "--date", "2026-11-21"]);
    s.sync();
    assert_eq!(s.status()["set_aside"], serde_json::json!([]));
    a.sync();
    let all = env.export();
    assert_eq!(villages(&all), ["Kotra", "Rampur"].iter().map(|v| v.to_string()).collect());
    let es = s.export();
    assert_same(&es, &only_villages(&all, &["Rampur"]), "the supervisor and the server's Rampur");
    assert_same(&a.export(), &es, "A and the supervisor");
    let ids = register_ids(&es);
    assert!(ids.contains("R-0001") && ids.contains("D-0001"), "{ids:?}");
    let d1 = beneficiary(&es, "D-0001");
    assert!(d1["doses"].as_array().unwrap().iter().any(|d| d["code"] == "OPV1"), "{d1:#}");
    assert!(!ids.iter().any(|i| i.starts_with("K-") || i.starts_with("S-")), "{ids:?}");

    // The Kotra device sees none of block Mahmudabad.
    k.sync();
    let ek = k.export();
    assert_eq!(villages(&ek), ["Kotra".to_string()].into_iter().collect());
    assert!(register_ids(&ek).iter().all(|i| i.starts_with("K-")));
    assert_same(&ek, &only_villages(&all, &["Kotra"]), "the Kotra device and the server's Kotra");
}

#[test]
fn scope_of_supervisor_other_block_and_outside_village_sqlite() {
    scope(Kind::Sqlite);
}

#[test]
fn scope_of_supervisor_other_block_and_outside_village_postgres() {
    scope(Kind::Postgres);
}

/// The same register imported offline on two devices (the same register and household ids,
/// different internal ids), with different changes on each: one record per child everywhere.
fn same_register_offline(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let server = env.serve();
    let (a, b) = (env.device("anm-a"), env.device("asha-b"));
    let register = rows("R", "Rampur", 6);
    a.import(&env, &register);
    let mut changed = register.clone();
    changed[2].name = "Renamed Offline By B".into();
    b.import(&env, &changed);
    a.ok(&["record", "dose", "--register-id", "R-0001", "--code", "OPV1", "--date", "2026-11-20"]);
    b.ok(&["record", "dose", "--register-id", "R-0002", "--code", "OPV1", "--date", "2026-11-20"]);
    a.enroll(&server, &env.code("Rampur", "anm"));
    b.enroll(&server, &env.code("Rampur", "asha"));
    for _round in 0..2 {
        a.sync();
        b.sync();
    }
    let all = env.export();
    assert_same(&a.export(), &all, "A and the server");
    assert_same(&b.export(), &all, "B and the server");
    assert_eq!(register_ids(&all).len(), 6);
    assert_eq!(beneficiaries(&all).len(), 6, "one record per child");
    assert_eq!(beneficiary(&all, "R-0003")["name"], "Renamed Offline By B");
    for (id, code) in [("R-0001", "OPV1"), ("R-0002", "OPV1")] {
        let doses = beneficiary(&all, id)["doses"].as_array().unwrap();
        assert_eq!(doses.iter().filter(|d| d["code"] == code).count(), 1, "{id}: {doses:?}");
    }
    // The birth doses of the register were recorded on both devices: kept side by side, flagged
    // (docs/sync-protocol.md, "Conflicts").
    let bcg: Vec<&Value> =
        beneficiary(&all, "R-0001")["doses"].as_array().unwrap().iter().filter(|d| d["code"] == "BCG").collect();
    assert_eq!(bcg.len(), 2, "{bcg:?}");
    assert!(bcg.iter().all(|d| d["flagged"] == true), "{bcg:?}");
    record_ids(&all);
}

#[test]
fn same_register_imported_offline_on_two_devices_sqlite() {
    same_register_offline(Kind::Sqlite);
}

#[test]
fn same_register_imported_offline_on_two_devices_postgres() {
    same_register_offline(Kind::Postgres);
}

fn revocation(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let server = env.serve();
    let a = env.device("anm-a");
    let b = env.device("anm-b");
    a.enroll(&server, &env.code("Rampur", "anm"));
    b.enroll(&server, &env.code("Rampur", "anm"));
    a.import(&env, &rows("R", "Rampur", 4));
    a.sync();
    let id = a.device_id();
    let out = env.admin(&["revoke", "--device", &id]);
    assert!(out.contains("revoked"), "{out}");
    let devices: Value = serde_json::from_str(&env.admin(&["devices", "--format", "json"])).unwrap();
    let listed = devices["devices"].as_array().unwrap().iter().find(|d| d["device_id"] == id.as_str()).unwrap();
    assert!(listed["revoked_at"].is_string(), "{listed:#}");

    a.ok(&["record", "dose", "--register-id", "R-0001", "--code", "OPV1", "--date", "2026-11-20"]);
    let run = a.sync_run(None);
    assert!(!run.ok(), "a revoked device must not sync:\n{}", run.stdout);
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stderr.contains("REVOKED"), "{}", run.stderr);
    assert_eq!(a.pending(), 1, "nothing is lost on the device");
    // The others go on.
    b.sync();
    assert_eq!(register_ids(&b.export()).len(), 4);
    assert_eq!(dose_count(&env.export()), 8, "the revoked device's last dose never arrived");
}

/// A certificate made now for this machine's loopback names: (certificate PEM, key PEM).
fn self_signed() -> (String, String) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    (made.cert.pem(), made.signing_key.serialize_pem())
}

/// A certificate authority and a server certificate it issued for loopback:
/// (authority PEM, server chain PEM, server key PEM).
fn issued_by_an_authority() -> (String, String, String) {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Teeka test authority");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap().signed_by(&key, &issuer).unwrap();
    (ca.pem(), format!("{}{}", leaf.pem(), ca.pem()), key.serialize_pem())
}

/// The server serves TLS itself: a device that pinned the server's certificate (its own, or the
/// authority that issued it) enrolls and syncs over https://; a device that trusts only the
/// system's authorities, or pinned another certificate, is refused at once with
/// `UNTRUSTED_SERVER`, stores no enrollment and sends nothing; plain HTTP to the TLS port gets
/// nothing; a certificate that cannot be served is refused before anything listens.
fn tls(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let (cert, key) = self_signed();
    let cert_file = env.write("server-cert.pem", &cert);
    let key_file = env.write("server-key.pem", &key);
    let (cert_arg, key_arg) = (cert_file.to_str().unwrap(), key_file.to_str().unwrap());
    let server = env.serve_with("127.0.0.1:0", "info", &["--tls-cert", cert_arg, "--tls-key", key_arg]);
    assert_eq!(server.scheme, "https");

    let a = env.device("anm-a");
    let out =
        a.ok(&["enroll", "--server", &server.url(), "--code", &env.code("Rampur", "anm"), "--server-cert", cert_arg]);
    assert!(out.starts_with("enrolled device "), "{out}");
    a.import(&env, &rows("T", "Rampur", 3));
    let run = a.sync();
    assert_eq!(pushed_on_success(&run.stdout), events_of(&rows("T", "Rampur", 3)));
    let b = env.device("anm-b");
    b.ok(&["enroll", "--server", &server.url(), "--code", &env.code("Rampur", "anm"), "--server-cert", cert_arg]);
    b.sync();
    assert_eq!(register_ids(&b.export()).len(), 3, "b pulled a's register over TLS");

    // Not trusted: the system's authorities do not know a self-signed certificate, and another
    // certificate is not this one. Refused at once (no retries), nothing kept.
    let (other, _) = self_signed();
    let other_file = env.write("other-cert.pem", &other);
    let c = env.device("anm-c");
    let url = server.url();
    let no_pin = vec!["enroll", "--server", &url, "--code", "UNUSED"];
    let mut wrong_pin = no_pin.clone();
    wrong_pin.extend(["--server-cert", other_file.to_str().unwrap()]);
    for args in [&no_pin, &wrong_pin] {
        let started = Instant::now();
        let run = c.run(args);
        assert!(!run.ok(), "{args:?} must be refused:\n{}", run.stdout);
        assert!(run.stderr.contains("error[UNTRUSTED_SERVER]: the server is not trusted"), "{}", run.stderr);
        assert!(started.elapsed() < Duration::from_secs(5), "not tried again: {:?}", started.elapsed());
        assert!(c.status()["server_url"].is_null(), "no enrollment kept");
    }
    // A pin that is not a certificate says so, before any connection.
    let junk = env.write("junk.pem", "not a certificate");
    let run =
        c.run(&["enroll", "--server", &server.url(), "--code", "UNUSED", "--server-cert", junk.to_str().unwrap()]);
    assert!(run.stderr.contains("error[INVALID_INPUT]: the pinned server certificate is not usable"), "{}", run.stderr);
    // A pinned device whose server's certificate changes stops at once and keeps its records.
    a.ok(&["record", "dose", "--register-id", "T-0001", "--code", "OPV1", "--date", "2026-11-20"]);
    let run = a.sync_run(Some(&server.url().replace("127.0.0.1", "localhost")));
    assert!(run.ok(), "localhost is in the certificate too:\n{}", run.stderr);
    a.ok(&["record", "dose", "--register-id", "T-0002", "--code", "OPV1", "--date", "2026-11-20"]);
    let (ca, chain, chain_key) = issued_by_an_authority();
    let chain_file = env.write("issued-chain.pem", &chain);
    let chain_key_file = env.write("issued-key.pem", &chain_key);
    let issued = env.serve_with(
        "127.0.0.1:0",
        "info",
        &["--tls-cert", chain_file.to_str().unwrap(), "--tls-key", chain_key_file.to_str().unwrap()],
    );
    let run = a.sync_run(Some(&issued.url()));
    assert!(run.stderr.contains("UNTRUSTED_SERVER"), "{}", run.stderr);
    assert_eq!(a.pending(), 1, "nothing lost, nothing sent");

    // Pinning the authority trusts every certificate it issued.
    let ca_file = env.write("authority.pem", &ca);
    let d = env.device("anm-d");
    d.ok(&[
        "enroll",
        "--server",
        &issued.url(),
        "--code",
        &env.code("Rampur", "anm"),
        "--server-cert",
        ca_file.to_str().unwrap(),
    ]);
    d.sync();
    assert_eq!(register_ids(&d.export()).len(), 3);

    // A client that opens a connection and never starts its handshake holds up no one.
    let stalled = TcpStream::connect_timeout(&server.addr, Duration::from_secs(10)).unwrap();
    b.sync();
    drop(stalled);
    // Plain HTTP to the TLS port: no answer, no hang, and the server goes on.
    let mut stream = TcpStream::connect_timeout(&server.addr, Duration::from_secs(10)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "no HTTP answer in clear: {:?}", String::from_utf8_lossy(&answer));
    b.sync();

    // Served certificates are checked at start.
    for (cert, key, says) in [
        ("missing.pem", key_arg, "cannot read"),
        (key_arg, key_arg, "holds no PEM certificate"),
        (cert_arg, cert_arg, "holds no PEM private key"),
        (other_file.to_str().unwrap(), key_arg, "do not go together"),
    ] {
        let mut cmd = env.server_cmd();
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key]);
        let run = Proc::spawn(cmd, env.dir(), "teeka-server serve bad tls").finish(COMMAND_TIMEOUT);
        assert!(!run.ok(), "{cert} {key}");
        assert!(run.stderr.contains("error[INVALID_INPUT]") && run.stderr.contains(says), "{says}:\n{}", run.stderr);
        assert!(!run.stdout.contains("listening on"), "{}", run.stdout);
    }
    let mut cmd = env.server_cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert_arg]);
    let run = Proc::spawn(cmd, env.dir(), "teeka-server serve cert only").finish(COMMAND_TIMEOUT);
    assert!(!run.ok() && run.stderr.contains("--tls-key"), "{}", run.stderr);
}

#[test]
fn tls_with_pinned_certificates_sqlite() {
    tls(Kind::Sqlite);
}

#[test]
fn tls_with_pinned_certificates_postgres() {
    tls(Kind::Postgres);
}

#[test]
fn revoked_device_is_refused_sqlite() {
    revocation(Kind::Sqlite);
}

#[test]
fn revoked_device_is_refused_postgres() {
    revocation(Kind::Postgres);
}

/// Two devices of Rampur sync through a faulty proxy, each run after run until one exits 0:
/// nothing lost, nothing doubled, every replica equal. A has 700 children (2,451 events: five
/// pushes; with B's, two pull pages). Returns the series of runs: A's, B's, A's again.
fn through_faults(kind: Kind, config: ProxyConfig) -> Option<[Tally; 3]> {
    let env = Env::new(kind)?;
    let server = env.serve();
    let proxy = proxy(server.addr, config.clone());
    let (a, b) = (env.device("anm-a"), env.device("asha-b"));
    let big = rows("R", "Rampur", 700);
    let small = rows("B", "Rampur", 20);
    a.import(&env, &big);
    b.import(&env, &small);
    let (pending_a, pending_b) = (a.pending(), b.pending());
    assert_eq!(pending_a, events_of(&big));
    a.enroll(&server, &env.code("Rampur", "anm"));
    b.enroll(&server, &env.code("Rampur", "asha"));

    let url = proxy.url();
    let ta = a.sync_until_ok(Some(&url));
    let tb = b.sync_until_ok(Some(&url));
    let ta2 = a.sync_until_ok(Some(&url));
    eprintln!(
        "{kind:?} {:?}: A {ta:?} then {ta2:?}, B {tb:?}; {} connections, {} faulty, {} bytes",
        config.faults,
        proxy.connections(),
        proxy.faults(),
        {
            let t = proxy.traffic();
            t.up + t.down
        }
    );
    assert!(proxy.faults() > 0, "the proxy injected no fault");
    // Each event acknowledged exactly once: a push whose answer was lost is not counted, and
    // its repetition is acknowledged (again) by the server.
    assert_eq!(ta.pushed + ta2.pushed, pending_a, "A: {ta:?} {ta2:?}");
    assert_eq!(tb.pushed, pending_b, "B: {tb:?}");
    for d in [&a, &b] {
        let status = d.status();
        assert_eq!(status["pending"], 0, "{status:#}");
        assert_eq!(status["set_aside"], serde_json::json!([]), "{status:#}");
    }
    let all = env.export();
    assert_eq!(beneficiaries(&all).len(), 720);
    assert_eq!(record_ids(&all).len(), 2 * 720, "every dose once");
    assert_eq!(register_ids(&all).len(), 720);
    assert_same(&a.export(), &all, "A and the server");
    assert_same(&b.export(), &all, "B and the server");
    Some([ta, tb, ta2])
}

fn cut_mid_request(kind: Kind) {
    through_faults(kind, ProxyConfig::faults(Faults::first(3, Fault::Request(3_000))));
}

fn cut_mid_response(kind: Kind) {
    through_faults(kind, ProxyConfig::faults(Faults::first(3, Fault::Response(400))));
}

/// Faults at random, some of which (the portal) end a run at once.
fn random_faults(kind: Kind) {
    let faults = Faults::Random { seed: 0x7eec_a202, chunk_per_mille: 60, portal_percent: 10, max_faults: 16 };
    let config = ProxyConfig::faults(faults).with_chunk(8 * 1024).with_link(link(2, 4_096_000.0));
    if let Some(tallies) = through_faults(kind, config) {
        assert!(tallies.iter().any(|t| t.failed > 0), "no run failed: {tallies:?}");
    }
}

/// A long outage in the middle of A's first run: the run gives up after eight consecutive
/// failures (exit non-zero, back-off about 30–60 s in all), the next one resumes.
fn outage(kind: Kind) {
    let mut plan = vec![Some(Fault::Request(25_000))];
    plan.extend(std::iter::repeat(Some(Fault::Request(0))).take(8));
    if let Some([ta, ..]) = through_faults(kind, ProxyConfig::faults(Faults::Plan(plan))) {
        assert!(ta.failed > 0 && ta.pushed_by_failed > 0, "the first run must fail after some progress: {ta:?}");
    }
}

#[test]
fn faults_random_with_latency_sqlite() {
    random_faults(Kind::Sqlite);
}

#[test]
fn faults_random_with_latency_postgres() {
    random_faults(Kind::Postgres);
}

#[test]
fn faults_long_outage_ends_a_run_and_the_next_resumes_sqlite() {
    outage(Kind::Sqlite);
}

#[test]
fn faults_long_outage_ends_a_run_and_the_next_resumes_postgres() {
    outage(Kind::Postgres);
}

#[test]
fn faults_cut_mid_request_sqlite() {
    cut_mid_request(Kind::Sqlite);
}

#[test]
fn faults_cut_mid_request_postgres() {
    cut_mid_request(Kind::Postgres);
}

#[test]
fn faults_cut_mid_response_sqlite() {
    cut_mid_response(Kind::Sqlite);
}

#[test]
fn faults_cut_mid_response_postgres() {
    cut_mid_response(Kind::Postgres);
}

/// A device with 3,000 children (10,501 events) to push: five pushes on a fast link (the window
/// doubling from 250, then the rest whole: docs/sync-protocol.md, "Adaptive batches"), and the
/// pull pages.
fn big_device(env: &Env, server: &Server) -> Device {
    let a = env.device("anm-a");
    let big = rows("R", "Rampur", 3_000);
    a.import(env, &big);
    a.enroll(server, &env.code("Rampur", "anm"));
    assert_eq!(a.pending(), events_of(&big));
    a
}

/// After the crashes: everything on the server once, and every replica equal.
fn assert_complete(env: &Env, server: &Server, a: &Device) {
    let status = a.status();
    assert_eq!(status["pending"], 0, "{status:#}");
    assert_eq!(status["set_aside"], serde_json::json!([]), "{status:#}");
    let all = env.export();
    assert_eq!(beneficiaries(&all).len(), 3_000);
    assert_eq!(record_ids(&all).len(), 6_000);
    assert_same(&a.export(), &all, "A and the server");
    let fresh = env.device("asha-fresh");
    fresh.enroll(server, &env.code("Rampur", "asha"));
    fresh.sync();
    assert_same(&fresh.export(), &all, "a fresh device and the server");
}

fn kill_client(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let server = env.serve();
    let a = big_device(&env, &server);
    let slow = proxy(server.addr, slow(10, 409_600.0));
    let mut kills = 0;
    for delay_ms in [300, 900, 1_800, 3_000] {
        let mut run = a.spawn_sync(Some(&slow.url()));
        std::thread::sleep(Duration::from_millis(delay_ms));
        if run.running() {
            run.kill();
            kills += 1;
        } else {
            break;
        }
    }
    assert!(kills > 0, "the sync ended before it could be killed");
    eprintln!("{kind:?}: client SIGKILLed mid-sync {kills} times; {} pending", a.pending());
    a.sync_until_ok(None);
    assert_complete(&env, &server, &a);
}

#[test]
fn kill_9_client_mid_sync_sqlite() {
    kill_client(Kind::Sqlite);
}

#[test]
fn kill_9_client_mid_sync_postgres() {
    kill_client(Kind::Postgres);
}

fn kill_server(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = env.serve_on(&listen);
    let a = big_device(&env, &server);
    let b = env.device("asha-b");
    b.enroll(&server, &env.code("Rampur", "asha"));
    let slow = proxy(server.addr, slow(10, 409_600.0));
    let mut kills = Vec::new();
    // While A pushes, then while B (new) pulls everything A pushed.
    for (device, delay_ms) in [(&a, 400), (&b, 500)] {
        let mut run = device.spawn_sync(Some(&slow.url()));
        std::thread::sleep(Duration::from_millis(delay_ms));
        let mid_sync = run.running();
        server.kill();
        kills.push(mid_sync);
        std::thread::sleep(Duration::from_millis(200));
        server = env.serve_on(&listen);
        // The run in flight retries and may finish on the restarted server, or give up.
        let _ = run.finish(Duration::from_secs(120));
    }
    eprintln!("{kind:?}: server SIGKILLed mid-sync (push, pull): {kills:?}; {} pending", a.pending());
    assert!(kills[0], "A's sync ended before the server could be killed");
    a.sync_until_ok(None);
    b.sync_until_ok(None);
    assert_complete(&env, &server, &a);
    assert_same(&b.export(), &a.export(), "B and A");
}

#[test]
fn kill_9_server_mid_sync_sqlite() {
    kill_server(Kind::Sqlite);
}

#[test]
fn kill_9_server_mid_sync_postgres() {
    kill_server(Kind::Postgres);
}

/// Four devices push at once while a fifth pulls over and over; all converge, and no pull
/// passed over an event that committed later with a smaller sequence number. On PostgreSQL
/// through two `teeka-server` processes on one database (devices on either).
fn concurrent(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let s1 = env.serve();
    let s2 = (kind == Kind::Postgres).then(|| env.serve());
    let (u1, u2) = (s1.url(), s2.as_ref().map_or(s1.url(), Server::url));
    let devices: Vec<Device> = ["anm-a", "anm-b", "anm-d", "anm-e"].iter().map(|n| env.device(n)).collect();
    for (i, d) in devices.iter().enumerate() {
        d.import(&env, &rows(&format!("P{i}"), "Rampur", 500));
        d.enroll(&s1, &env.code("Rampur", "anm"));
    }
    let c = env.device("asha-c");
    c.enroll(&s1, &env.code("Rampur", "asha"));
    // Half the devices push to the first server, half to the second, each through a slow link
    // (so that the pushes spread over seconds while C pulls).
    let server_of = |i: usize| if i % 2 == 0 { s1.addr } else { s2.as_ref().map_or(s1.addr, |s| s.addr) };
    let links: Vec<Proxy> = (0..devices.len()).map(|i| proxy(server_of(i), slow(20, 102_400.0))).collect();
    let mut pushing: Vec<Proc> = devices.iter().zip(&links).map(|(d, l)| d.spawn_sync(Some(&l.url()))).collect();
    let mut pulls = 0;
    let start = Instant::now();
    while pushing.iter_mut().any(Proc::running) && start.elapsed() < COMMAND_TIMEOUT {
        let run = c.sync_run(Some(if pulls % 2 == 0 { &u2 } else { &u1 }));
        assert!(run.ok(), "{}", run.stderr);
        pulls += 1;
    }
    for p in pushing {
        let run = p.finish(COMMAND_TIMEOUT);
        assert!(run.ok(), "{}", run.stderr);
    }
    // Once more each, crossing servers.
    for (i, d) in devices.iter().enumerate() {
        d.sync_until_ok(Some(if i % 2 == 0 { &u2 } else { &u1 }));
    }
    c.sync_until_ok(Some(&u2));
    eprintln!("{kind:?}: C pulled {pulls} times during the pushes");
    let all = env.export();
    assert_eq!(beneficiaries(&all).len(), 2_000);
    assert_eq!(record_ids(&all).len(), 4_000);
    for d in devices.iter().chain([&c]) {
        assert_same(&d.export(), &all, &d.name);
        assert_eq!(d.pending(), 0);
    }
}

#[test]
fn concurrent_pushes_and_pulls_converge_sqlite() {
    concurrent(Kind::Sqlite);
}

#[test]
fn two_servers_on_one_database_converge_postgres() {
    concurrent(Kind::Postgres);
}

fn hostile(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let server = env.serve();
    let addr = server.addr;
    let v = ("x-teeka-protocol", "3");
    let gz = ("content-encoding", "gzip");
    let json = ("content-type", "application/json");

    // A real enrollment over the wire, for a token.
    let code = env.code("Rampur", "anm");
    let enroll = gzip(format!(r#"{{"code":"{code}","device_id":"01a201a0-0000-7000-8000-000000000001"}}"#).as_bytes());
    let (status, body) = http(addr, "POST", "/v1/enroll", &[v, gz, json], &enroll);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let answer: Value = serde_json::from_slice(&gunzip(&body)).unwrap();
    let token = format!("Bearer {}", answer["token"].as_str().unwrap());
    let auth = ("authorization", token.as_str());
    let pull = gzip(br#"{"after":0,"limit":10}"#);
    let (status, _) = http(addr, "POST", "/v1/pull", &[v, gz, json, auth], &pull);
    assert_eq!(status, 200);
    // The same code from the same device again (an answer lost): a fresh token, the old one dead.
    let (status, body) = http(addr, "POST", "/v1/enroll", &[v, gz, json], &enroll);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let again: Value = serde_json::from_slice(&gunzip(&body)).unwrap();
    assert_ne!(again["token"], answer["token"]);
    let (status, body) = http(addr, "POST", "/v1/pull", &[v, gz, json, auth], &pull);
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHORIZED"), "the old token");
    let token = format!("Bearer {}", again["token"].as_str().unwrap());
    let auth = ("authorization", token.as_str());
    let (status, _) = http(addr, "POST", "/v1/pull", &[v, gz, json, auth], &pull);
    assert_eq!(status, 200);
    // The same code from another device.
    let other = gzip(format!(r#"{{"code":"{code}","device_id":"01a201a0-0000-7000-8000-000000000002"}}"#).as_bytes());
    let (status, body) = http(addr, "POST", "/v1/enroll", &[v, gz, json], &other);
    assert_eq!((status, error_code(&body).as_str()), (422, "CODE_INVALID"));

    // No protocol header, or an unknown version.
    for path in ["/v1/enroll", "/v1/push", "/v1/pull"] {
        let (status, body) = http(addr, "POST", path, &[gz, json, auth], &pull);
        assert_eq!((status, error_code(&body).as_str()), (426, "UNSUPPORTED_VERSION"), "{path}");
    }
    let (status, body) = http(addr, "POST", "/v1/pull", &[("x-teeka-protocol", "4"), gz, json, auth], &pull);
    assert_eq!((status, error_code(&body).as_str()), (426, "UNSUPPORTED_VERSION"));
    // An app of protocol 1 (not yet updated) cannot read what the log holds now: its pulls are
    // refused, telling it to update; its pushes are still taken (`wire_push` speaks 1).
    let (status, body) = http(addr, "POST", "/v1/pull", &[("x-teeka-protocol", "1"), gz, json, auth], &pull);
    assert_eq!((status, error_code(&body).as_str()), (426, "UNSUPPORTED_VERSION"));
    assert!(String::from_utf8_lossy(&body).contains("still receives your records"));
    // Nor one of protocol 2 (before monitoring's events and the national identifiers).
    let (status, body) = http(addr, "POST", "/v1/pull", &[("x-teeka-protocol", "2"), gz, json, auth], &pull);
    assert_eq!((status, error_code(&body).as_str()), (426, "UNSUPPORTED_VERSION"));

    // No token, or an unknown one.
    let push = gzip(br#"{"events":[],"pending":0,"device_time_ms":0}"#);
    let (status, body) = http(addr, "POST", "/v1/push", &[v, gz, json], &push);
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHORIZED"));
    let (status, body) = http(addr, "POST", "/v1/push", &[v, gz, json, ("authorization", "Bearer 00ff")], &push);
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHORIZED"));

    // Plain JSON that is not the request (plain JSON is read as gzip is); gzip of something that
    // is not the request.
    for path in ["/v1/enroll", "/v1/push"] {
        let (status, body) = http(addr, "POST", path, &[v, json, auth], br#"{"events":[]}"#);
        assert_eq!((status, error_code(&body).as_str()), (400, "BAD_REQUEST"), "{path}");
    }
    let (status, body) = http(addr, "POST", "/v1/push", &[v, gz, json, auth], &gzip(b"[1,2,3]"));
    assert_eq!((status, error_code(&body).as_str()), (400, "BAD_REQUEST"));
    let (status, body) = http(addr, "POST", "/v1/push", &[v, gz, json, auth], &push[..push.len() / 2]);
    assert_eq!((status, error_code(&body).as_str()), (400, "BAD_REQUEST"), "a truncated gzip");

    // Over 4 MiB on the wire.
    let huge = vec![b'x'; 4 * 1024 * 1024 + 1];
    for path in ["/v1/enroll", "/v1/push"] {
        match http_or_reset(addr, "POST", path, &[v, gz, json, auth], &huge) {
            Ok((status, body)) => assert_eq!((status, error_code(&body).as_str()), (413, "TOO_LARGE"), "{path}"),
            Err(e) => assert!(
                matches!(e.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe),
                "{path}: {e}"
            ),
        }
    }

    // A gzip bomb: tiny on the wire, past 32 MiB once decompressed.
    let bomb = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..33 {
            gz.write_all(&zeros).unwrap();
        }
        gz.finish().unwrap()
    };
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    for path in ["/v1/enroll", "/v1/push"] {
        let (status, body) = http(addr, "POST", path, &[v, gz, json, auth], &bomb);
        assert_eq!((status, error_code(&body).as_str()), (413, "TOO_LARGE"), "{path}");
    }

    // JSON nested 100,000 deep (a parser's stack), inside the size limits.
    let deep = gzip(format!(r#"{{"events":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000)).as_bytes());
    for path in ["/v1/enroll", "/v1/push", "/v1/pull"] {
        let (status, body) = http(addr, "POST", path, &[v, gz, json, auth], &deep);
        assert_eq!((status, error_code(&body).as_str()), (400, "BAD_REQUEST"), "{path}");
    }
    // SQL and script text where the server reads a query: no area of that name.
    for area in
        ["Rampur'%20OR%20'1'='1", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "Rampur%22%3B%20DROP%20TABLE%20events%3B--"]
    {
        let path = format!("/v1/report?round=1&area={area}");
        let (status, body) = http(addr, "GET", &path, &[v, auth], b"");
        assert!((400..500).contains(&status), "{path}: {status} {}", String::from_utf8_lossy(&body));
    }

    // 1,000 junk requests at once (50 connections at a time): garbage, half a request, a request
    // line of 64 KiB, a body that never comes. Each is refused or closed; none takes the server down.
    let junk: [&[u8]; 4] = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
        b"POST /v1/push HTTP/1.1\r\nHost: x\r\n",
        b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n{",
        b"GET /",
    ];
    let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(64 * 1024)).into_bytes();
    std::thread::scope(|scope| {
        for t in 0..50 {
            let long_line = &long_line;
            scope.spawn(move || {
                for i in 0..20 {
                    let Ok(mut c) = std::net::TcpStream::connect(addr) else { continue };
                    c.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
                    let bytes: &[u8] = if (t + i) % 5 == 4 { long_line } else { junk[(t + i) % 4] };
                    let _ = c.write_all(bytes);
                    let mut answer = [0u8; 256];
                    let _ = std::io::Read::read(&mut c, &mut answer);
                }
            });
        }
    });

    // Still serving.
    let (status, body) = http(addr, "GET", "/health", &[], b"");
    assert_eq!(status, 200);
    let health: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health, serde_json::json!({"status": "ok", "protocol": 3}));
    let d = env.device("anm-d");
    d.import(&env, &rows("R", "Rampur", 2));
    d.enroll(&server, &env.code("Rampur", "anm"));
    d.sync();
    assert_same(&d.export(), &env.export(), "a device after the hostile requests");
}

#[test]
fn hostile_requests_are_refused_sqlite() {
    hostile(Kind::Sqlite);
}

#[test]
fn hostile_requests_are_refused_postgres() {
    hostile(Kind::Postgres);
}

/// Enrolls a device over the wire; the `authorization` header value of its token.
fn wire_enroll(env: &Env, server: &Server, device_id: &str) -> String {
    let code = env.code("Rampur", "anm");
    let body = gzip(format!(r#"{{"code":"{code}","device_id":"{device_id}"}}"#).as_bytes());
    let headers = [("x-teeka-protocol", "1"), ("content-encoding", "gzip"), ("content-type", "application/json")];
    let (status, body) = http(server.addr, "POST", "/v1/enroll", &headers, &body);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let answer: Value = serde_json::from_slice(&gunzip(&body)).unwrap();
    format!("Bearer {}", answer["token"].as_str().unwrap())
}

/// A push over the wire: (status, the answer decoded: gzip JSON on success, plain JSON else).
/// It speaks protocol 1, as an app not yet updated does: pushes of version 1 are still taken.
fn wire_push(server: &Server, auth: &str, events: &[Value]) -> (u16, Value) {
    let request = serde_json::json!({ "events": events, "pending": 0, "device_time_ms": 1_795_327_200_000_i64 });
    let headers = [
        ("x-teeka-protocol", "1"),
        ("content-encoding", "gzip"),
        ("content-type", "application/json"),
        ("authorization", auth),
    ];
    let (status, body) = http(server.addr, "POST", "/v1/push", &headers, &gzip(request.to_string().as_bytes()));
    let answer = if status == 200 { gunzip(&body) } else { body };
    (status, serde_json::from_slice(&answer).unwrap())
}

/// Per-event refusals come back inside the push answer and never fail the whole batch
/// (docs/sync-protocol.md, "Push"): an event recorded by another device is refused
/// `OUT_OF_SCOPE`, an event that cannot be read `INVALID_EVENT`, and the others are stored.
fn per_event_refusals(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let server = env.serve();
    let a = env.device("anm-a");
    a.import(&env, &rows("R", "Rampur", 2));
    a.enroll(&server, &env.code("Rampur", "anm"));
    a.sync();
    let me = "01a201a0-0000-7000-8000-0000000000aa";
    let auth = wire_enroll(&env, &server, me);
    // A dose event of A's, pulled over the wire, as the model of new events of this device.
    let headers = [
        ("x-teeka-protocol", "3"),
        ("content-encoding", "gzip"),
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
    ];
    let (status, body) = http(server.addr, "POST", "/v1/pull", &headers, &gzip(br#"{"after":0,"limit":1000}"#));
    assert_eq!(status, 200);
    let page: Value = serde_json::from_slice(&gunzip(&body)).unwrap();
    let model = page["events"].as_array().unwrap().iter().find(|e| e["body"]["type"] == "dose_given").unwrap().clone();
    let event = |n: u32, device: &str| {
        let mut e = model.clone();
        e["id"] = Value::from(format!("01a201a0-0000-7000-8000-{n:012x}"));
        e["device_id"] = Value::from(device);
        e["body"]["code"] = Value::from("OPV1");
        e["body"]["date"] = Value::from("2026-11-20");
        e
    };
    let good = event(1, me);
    let foreign = event(2, "01a201a0-0000-7000-8000-0000000000bb");
    let (status, answer) = wire_push(&server, &auth, &[good.clone(), foreign.clone()]);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["accepted"], serde_json::json!([good["id"]]), "{answer}");
    assert_eq!(answer["rejected"][0]["id"], foreign["id"], "{answer}");
    assert_eq!(answer["rejected"][0]["code"], "OUT_OF_SCOPE", "{answer}");
    // Repeated: acknowledged again, stored once.
    let (status, again) = wire_push(&server, &auth, std::slice::from_ref(&good));
    assert_eq!((status, &again["accepted"]), (200, &serde_json::json!([good["id"]])), "{again}");

    // One unreadable event (a type this server does not know, as a newer app might send) among
    // readable ones.
    let next = event(3, me);
    let mut unreadable = event(4, me);
    unreadable["body"]["type"] = Value::from("dose_teleported");
    let (status, answer) = wire_push(&server, &auth, &[next.clone(), unreadable.clone()]);
    assert_eq!(
        status, 200,
        "one unreadable event failed the whole batch (its device's queue is stuck behind it for good): {answer}"
    );
    assert_eq!(answer["accepted"], serde_json::json!([next["id"]]), "{answer}");
    assert_eq!(answer["rejected"][0]["id"], unreadable["id"], "{answer}");
    assert_eq!(answer["rejected"][0]["code"], "INVALID_EVENT", "{answer}");

    // An event the device's role (an ANM) may not make: a session site, a supervisor's plan.
    let village = page["events"].as_array().unwrap().iter().find(|e| e["body"]["level"] == "village").unwrap();
    let mut site = event(5, me);
    site["body"] = serde_json::json!({"type": "site_registered", "site": "01a201a0-0000-7000-8000-0000000000cc",
        "site_id": "S-9", "fields": [{"field": "name", "value": "AWC"}, {"field": "site_type", "value": "fixed"},
        {"field": "villages", "value": [village["body"]["area"]]}]});
    // A name of 3 MiB; SQL and script text in a text field (data: stored as written, never run).
    let mut huge = event(6, me);
    huge["body"] = serde_json::json!({"type": "beneficiary_updated", "beneficiary": model["body"]["beneficiary"],
        "fields": [{"field": "name", "value": "x".repeat(3 << 20)}]});
    let hostile_text = "Robert'); DROP TABLE events;-- <script>alert(1)</script>";
    let mut text = event(7, me);
    text["body"] = serde_json::json!({"type": "beneficiary_updated", "beneficiary": model["body"]["beneficiary"],
        "fields": [{"field": "mother_name", "value": hostile_text}]});
    let (status, answer) = wire_push(&server, &auth, &[site.clone(), huge.clone(), text.clone()]);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["accepted"], serde_json::json!([text["id"]]), "{answer}");
    let code_of =
        |id: &Value| answer["rejected"].as_array().unwrap().iter().find(|r| &r["id"] == id).unwrap()["code"].clone();
    assert_eq!(code_of(&site["id"]), "FORBIDDEN_ROLE", "{answer}");
    assert_eq!(code_of(&huge["id"]), "INVALID_EVENT", "{answer}");
    let export = env.export();
    assert!(beneficiaries(&export).iter().any(|b| b["mother_name"] == hostile_text), "stored as written");
    assert!(!serde_json::to_string(&export).unwrap().contains("xxxxxxxxxx"), "nothing of the 3 MiB name");
}

#[test]
fn push_refuses_bad_events_one_by_one_sqlite() {
    per_event_refusals(Kind::Sqlite);
}

#[test]
fn push_refuses_bad_events_one_by_one_postgres() {
    per_event_refusals(Kind::Postgres);
}
