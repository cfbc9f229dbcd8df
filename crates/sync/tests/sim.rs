//! The real sync driver (`teeka_sync::drive`, and `enroll_with`) against the real server logic,
//! over a simulated network that loses requests and answers, with simulated time: deterministic
//! for a seed, no sockets. A second network, [`LinkNet`], times each request and answer by its
//! bytes over a link of a given speed and latency, cut at given moments: the adaptive windows of
//! issue 13 against it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::time::Duration;
use teeka_domain::register::parse_register;
use teeka_domain::{parse_date, DoseCode, ReasonCode};
use teeka_protocol::{
    encode, ApiError, DevicesResponse, EnrollRequest, EnrollResponse, ErrorCode, PullRequest, PullResponse,
    PushRequest, PushResponse, Role, MAX_PULL_EVENTS, MAX_PUSH_EVENTS, V1_MAX_PUSH_EVENTS,
};
use teeka_server::{Service, SqliteDb};
use teeka_store::{Ctx, Enrollment, Store};
use teeka_sync::machine::{Config, Failure, Outcome};
use teeka_sync::window::{self, WindowRule};
use teeka_sync::{Clock, SyncError, Transport};
use teeka_testkit::fixtures::{path, AREAS};

fn register(prefix: &str, n: usize) -> String {
    let mut csv = String::from("register_id,household_id,village,kind,name,sex,dob,BCG\n");
    for i in 0..n {
        csv.push_str(&format!(
            "{prefix}-{i},{prefix}-H{},Rampur,child,Child {i},F,2026-0{}-1{},2026-0{}-1{}\n",
            i / 3,
            1 + i % 8,
            i % 10,
            1 + i % 8,
            i % 10
        ));
    }
    csv
}

fn ctx(minute: u32) -> Ctx {
    Ctx {
        now: Utc.with_ymd_and_hms(2026, 11, 22, 8, minute % 60, 0).unwrap(),
        today: parse_date("2026-11-22").unwrap(),
        author: "sim".into(),
        worker: None,
    }
}

/// A network that loses requests and answers with the given odds (in percent), from a seed.
struct Network {
    rng: u64,
    lose_request: u64,
    lose_answer: u64,
}

impl Network {
    fn roll(&mut self, percent: u64) -> bool {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % 100 < percent
    }
}

/// Simulated time: a sleep returns at once, having moved the clock on. The wall clock is a fixed
/// morning plus the simulated time, so that runs replay exactly.
struct SimClock {
    ms: Cell<u64>,
    reads: Cell<u64>,
}

impl SimClock {
    fn new() -> SimClock {
        SimClock { ms: Cell::new(0), reads: Cell::new(0) }
    }

    fn advance(&self, ms: u64) {
        self.ms.set(self.ms.get() + ms);
    }

    fn set(&self, ms: u64) {
        self.ms.set(ms);
    }
}

impl Clock for SimClock {
    fn monotonic_ms(&self) -> u64 {
        // The driver reads the clock at every step: a run that never ends is caught here.
        self.reads.set(self.reads.get() + 1);
        assert!(self.reads.get() < 1_000_000, "the sync did not end");
        self.ms.get()
    }

    fn now(&self) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap() + chrono::Duration::milliseconds(self.ms.get() as i64)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        self.advance(u64::try_from(duration.as_millis()).unwrap());
        std::future::ready(())
    }
}

/// The second transport: each request crosses the lossy network (40 ms of simulated time) to
/// the server's logic, which serves it unless the request was lost; its answer may be lost too.
struct SimNet<'a> {
    service: &'a Service<SqliteDb>,
    token: Option<String>,
    net: RefCell<&'a mut Network>,
    clock: &'a SimClock,
    requests: Cell<u64>,
}

impl SimNet<'_> {
    async fn exchange<A>(&self, serve: impl Future<Output = Result<A, ApiError>>) -> Result<A, Failure> {
        self.requests.set(self.requests.get() + 1);
        self.clock.advance(40);
        let (lose_request, lose_answer) = {
            let net = self.net.borrow();
            (net.lose_request, net.lose_answer)
        };
        if self.net.borrow_mut().roll(lose_request) {
            return Err(Failure::Transport("request lost".into()));
        }
        let answer = serve.await.map_err(Failure::Server);
        if self.net.borrow_mut().roll(lose_answer) {
            return Err(Failure::Transport("answer lost".into()));
        }
        answer
    }
}

impl Transport for SimNet<'_> {
    async fn push(&self, req: PushRequest) -> Result<PushResponse, Failure> {
        let now = self.clock.now();
        self.exchange(async {
            let device = self.service.authenticate(self.token.as_deref()).await?;
            self.service.push(&device, req, now).await
        })
        .await
    }

    async fn pull(&self, req: PullRequest) -> Result<PullResponse, Failure> {
        let now = self.clock.now();
        self.exchange(async {
            let device = self.service.authenticate(self.token.as_deref()).await?;
            self.service.pull(&device, req, now).await
        })
        .await
    }

    async fn enroll(&self, req: EnrollRequest) -> Result<EnrollResponse, Failure> {
        let now = self.clock.now();
        self.exchange(self.service.enroll(req, now)).await
    }

    async fn devices(&self) -> Result<DevicesResponse, Failure> {
        self.exchange(async {
            let device = self.service.authenticate(self.token.as_deref()).await?;
            self.service.devices(&device).await
        })
        .await
    }
}

struct Sim {
    rt: tokio::runtime::Runtime,
    service: Service<SqliteDb>,
    _dir: tempfile::TempDir,
}

impl Sim {
    fn new() -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let service = Service::new(SqliteDb::open(&dir.path().join("server.db")).unwrap());
        rt.block_on(service.import_areas(AREAS.as_bytes(), Utc::now())).unwrap();
        Sim { rt, service, _dir: dir }
    }

    fn code(&self, role: Role) -> String {
        let (code, _, _) = self
            .rt
            .block_on(self.service.create_code(path::RAMPUR, role, chrono::Duration::hours(1), Utc::now()))
            .unwrap();
        code
    }

    fn enroll(&self, store: &mut Store, role: Role) {
        let (token, device) = self.rt.block_on(teeka_testkit::fixtures::enroll(
            &self.service,
            path::RAMPUR,
            role,
            store.device_id(),
            Utc::now(),
        ));
        store
            .save_enrollment(&Enrollment {
                server_url: "sim://".into(),
                token,
                area_id: device.area.id,
                area: device.area.path,
                role: device.role.as_str().into(),
                server_cert: None,
            })
            .unwrap();
    }

    fn net<'a>(&'a self, token: Option<String>, net: &'a mut Network, clock: &'a SimClock) -> SimNet<'a> {
        SimNet { service: &self.service, token, net: RefCell::new(net), clock, requests: Cell::new(0) }
    }

    /// Runs one sync of a device to its end with the real driver through the network; returns
    /// the outcome and the simulated time it took.
    fn sync(&self, store: &mut Store, net: &mut Network, cfg: Config) -> (Outcome, u64) {
        let token = store.enrollment().unwrap().unwrap().token;
        let clock = SimClock::new();
        let transport = self.net(Some(token), net, &clock);
        let outcome = self.rt.block_on(teeka_sync::drive(store, &transport, &clock, cfg, |_| {})).unwrap();
        assert!(transport.requests.get() < 100_000, "the sync did not end");
        (outcome, clock.ms.get())
    }

    /// Syncs until a run completes (each run may give up on a bad network).
    fn sync_to_completion(&self, store: &mut Store, net: &mut Network, cfg: Config) -> u32 {
        for runs in 1..=200 {
            if let (Outcome::Complete(_), _) = self.sync(store, net, cfg) {
                return runs;
            }
        }
        panic!("no sync completed in 200 runs");
    }
}

fn export(s: &Store) -> String {
    serde_json::to_string(&s.export().unwrap()).unwrap()
}

fn small_batches() -> Config {
    Config { push: WindowRule::fixed(7), pull: WindowRule::fixed(11), ..Config::default() }
}

#[test]
fn a_clean_run_pushes_then_pulls_then_completes() {
    let sim = Sim::new();
    let mut a = Store::open_in_memory().unwrap();
    a.import_register(
        &parse_register(register("A", 10).as_bytes(), parse_date("2026-11-22").unwrap()).unwrap(),
        &ctx(0),
    )
    .unwrap();
    let own = a.event_count().unwrap();
    sim.enroll(&mut a, Role::Anm);
    let mut net = Network { rng: 1, lose_request: 0, lose_answer: 0 };
    let (outcome, _) = sim.sync(&mut a, &mut net, small_batches());
    let Outcome::Complete(p) = outcome else { panic!("{outcome:?}") };
    assert_eq!(p.pushed, own);
    assert_eq!(p.failures, 0);
    assert_eq!(a.pending_count().unwrap(), 0);
    // Pulled: the area definitions above and of its village, not its own events back. The log
    // holds the 5 definitions, then its own events: the first page of 11 brings the definitions
    // (and steps over 6 of its own), the second is the server reading past all the rest of its
    // own, page after page, to the log's end.
    assert!(own > 6);
    assert_eq!(p.pulled, 5);
    assert_eq!(p.round_trips, own.div_ceil(7) + 2);
    assert_eq!(a.event_count().unwrap(), own + 5);
}

#[test]
fn a_revoked_device_stops_at_once_and_keeps_its_records() {
    let sim = Sim::new();
    let mut a = Store::open_in_memory().unwrap();
    sim.enroll(&mut a, Role::Asha);
    a.import_register(
        &parse_register(register("A", 3).as_bytes(), parse_date("2026-11-22").unwrap()).unwrap(),
        &ctx(0),
    )
    .unwrap();
    let pending = a.pending_count().unwrap();
    sim.rt.block_on(teeka_server::Database::revoke(sim.service.db(), a.device_id(), Utc::now())).unwrap();
    let mut net = Network { rng: 1, lose_request: 0, lose_answer: 0 };
    let (outcome, _) = sim.sync(&mut a, &mut net, Config::default());
    match outcome {
        Outcome::Failed { code: Some(ErrorCode::Revoked), retryable: false, progress, .. } => {
            assert_eq!(progress.round_trips, 1)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(a.pending_count().unwrap(), pending);
}

#[test]
fn back_off_grows_and_a_dead_network_ends_the_run() {
    let sim = Sim::new();
    let mut a = Store::open_in_memory().unwrap();
    sim.enroll(&mut a, Role::Anm);
    let mut net = Network { rng: 1, lose_request: 100, lose_answer: 0 };
    let cfg = Config::default();
    let (outcome, elapsed) = sim.sync(&mut a, &mut net, cfg);
    let Outcome::Failed { retryable: true, progress, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(progress.failures, u64::from(cfg.max_failures));
    // Seven waits of at least half of 0.5, 1, 2, 4, 8, 16, 30 s.
    assert!(elapsed >= (250 + 500 + 1000 + 2000 + 4000 + 8000 + 15000), "{elapsed}");
    assert!(elapsed <= 500 + 1000 + 2000 + 4000 + 8000 + 16000 + 30000 + 8 * 40, "{elapsed}");
}

/// Three devices record in the same village while the network loses requests and answers; after
/// syncing to completion (twice round, so that each sees the others' work) all replicas are equal
/// to each other and to the server's log, with nothing lost or doubled.
fn converge(seed: u64, lose_request: u64, lose_answer: u64) {
    let sim = Sim::new();
    let today = parse_date("2026-11-22").unwrap();
    let mut devices: Vec<Store> = (0..3).map(|_| Store::open_in_memory().unwrap()).collect();
    // Device 0 surveys before it is enrolled.
    devices[0].import_register(&parse_register(register("R", 12).as_bytes(), today).unwrap(), &ctx(1)).unwrap();
    for (i, d) in devices.iter_mut().enumerate() {
        sim.enroll(d, if i == 2 { Role::Asha } else { Role::Anm });
    }
    let mut net = Network { rng: seed | 1, lose_request, lose_answer };
    let cfg = Config { seed, ..small_batches() };
    sim.sync_to_completion(&mut devices[0], &mut net, cfg);
    for d in devices.iter_mut().skip(1) {
        sim.sync_to_completion(d, &mut net, cfg);
    }
    // Everyone works on the same children.
    for (i, d) in devices.iter_mut().enumerate() {
        let m = i as u32;
        d.record_dose("R-1", DoseCode::Opv1, parse_date("2026-03-05").unwrap(), &ctx(10 + m)).unwrap();
        d.record_not_given("R-2", DoseCode::Penta1, today, ReasonCode::RefusedFamily, &ctx(10 + m)).unwrap();
        let rename = format!(
            "register_id,household_id,village,kind,name,sex,dob\nR-3,R-H1,Rampur,child,Renamed by {i},F,2026-04-13\n"
        );
        d.import_register(&parse_register(rename.as_bytes(), today).unwrap(), &ctx(20 + m)).unwrap();
    }
    for _round in 0..2 {
        for d in devices.iter_mut() {
            sim.sync_to_completion(d, &mut net, cfg);
        }
    }
    let server = sim.rt.block_on(sim.service.export()).unwrap();
    let server = serde_json::to_string(&server).unwrap();
    for d in &devices {
        assert_eq!(d.pending_count().unwrap(), 0);
        assert_eq!(export(d), server);
    }
    let ex = devices[0].export().unwrap();
    let r1 = ex.beneficiaries.iter().find(|b| b.register_id == "R-1").unwrap();
    let opv1: Vec<_> = r1.doses.iter().filter(|d| d.code == DoseCode::Opv1).collect();
    assert_eq!(opv1.len(), 3, "the same dose from three devices: three records");
    assert!(opv1.iter().all(|d| d.flagged));
    let r3 = ex.beneficiaries.iter().find(|b| b.register_id == "R-3").unwrap();
    assert_eq!(r3.facts.name, "Renamed by 2", "the rename with the latest stamp wins");
    // No event doubled anywhere: every replica holds each event once.
    let total = devices[0].event_count().unwrap();
    assert!(devices.iter().all(|d| d.event_count().unwrap() == total));
}

#[test]
fn three_devices_converge_on_a_perfect_network() {
    converge(7, 0, 0);
}

#[test]
fn three_devices_converge_when_a_third_of_everything_is_lost() {
    converge(11, 20, 20);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn replicas_converge_on_any_lossy_network(seed in 1u64..u64::MAX, lose_request in 0u64..40, lose_answer in 0u64..40) {
        converge(seed, lose_request, lose_answer);
    }
}

#[test]
fn the_driver_keeps_the_outcome_of_each_run_in_the_store() {
    let sim = Sim::new();
    let mut a = Store::open_in_memory().unwrap();
    sim.enroll(&mut a, Role::Anm);
    let mut dead = Network { rng: 3, lose_request: 100, lose_answer: 0 };
    let (outcome, _) = sim.sync(&mut a, &mut dead, Config::default());
    let Outcome::Failed { error, .. } = outcome else { panic!("{outcome:?}") };
    let status = a.status().unwrap();
    assert_eq!(status.last_error.as_deref(), Some(error.as_str()));
    assert!(status.last_error_at.is_some());
    assert!(status.last_success.is_none());
    let mut clean = Network { rng: 3, lose_request: 0, lose_answer: 0 };
    assert!(matches!(sim.sync(&mut a, &mut clean, Config::default()).0, Outcome::Complete(_)));
    let status = a.status().unwrap();
    assert_eq!(status.last_error, None);
    assert!(status.last_success.is_some());
}

#[test]
fn enrollment_through_a_lossy_network_is_tried_again_and_then_syncs() {
    let sim = Sim::new();
    let mut a = Store::open_in_memory().unwrap();
    let code = sim.code(Role::Anm);
    // The first answers are lost: the server enrolled the device, the device did not hear it.
    // Repeating with the same code gives it a fresh token, which works.
    let mut net = Network { rng: 8, lose_request: 0, lose_answer: 60 };
    let clock = SimClock::new();
    let transport = sim.net(None, &mut net, &clock);
    let resp =
        sim.rt.block_on(teeka_sync::enroll_with(&mut a, &transport, &clock, "sim://server/", &code, None)).unwrap();
    let tries = transport.requests.get();
    assert_eq!(tries, 3, "this seed loses the first two answers");
    assert_eq!(clock.ms.get(), 1_000 + 2_000 + 3 * 40, "waits of 1 s, then 2 s, between tries");
    let enrollment = a.enrollment().unwrap().unwrap();
    assert_eq!((enrollment.token, enrollment.server_url), (resp.token, "sim://server".to_string()));
    let mut clean = Network { rng: 5, lose_request: 0, lose_answer: 0 };
    assert!(matches!(sim.sync(&mut a, &mut clean, Config::default()).0, Outcome::Complete(_)));
}

#[test]
fn one_shot_requests_give_up_after_five_tries_and_a_refusal_is_not_retried() {
    let sim = Sim::new();
    let mut a = Store::open_in_memory().unwrap();
    let code = sim.code(Role::Supervisor);
    let mut dead = Network { rng: 9, lose_request: 100, lose_answer: 0 };
    let clock = SimClock::new();
    let transport = sim.net(None, &mut dead, &clock);
    let err = sim.rt.block_on(teeka_sync::enroll_with(&mut a, &transport, &clock, "sim://", &code, None)).unwrap_err();
    assert!(matches!(err, SyncError::Unreachable(_)), "{err:?}");
    assert_eq!(transport.requests.get(), 5);
    assert_eq!(clock.ms.get(), 1_000 + 2_000 + 4_000 + 8_000 + 5 * 40);
    assert!(a.enrollment().unwrap().is_none());

    let mut clean = Network { rng: 9, lose_request: 0, lose_answer: 0 };
    let clock = SimClock::new();
    let transport = sim.net(None, &mut clean, &clock);
    let err =
        sim.rt.block_on(teeka_sync::enroll_with(&mut a, &transport, &clock, "sim://", "WRONG", None)).unwrap_err();
    assert_eq!(err.code(), "CODE_INVALID");
    assert_eq!((transport.requests.get(), clock.ms.get()), (1, 40), "no back-off for a refusal");
    let err = sim.rt.block_on(teeka_sync::devices_with(&transport, &clock)).unwrap_err();
    assert_eq!(err.code(), "UNAUTHORIZED");

    // Enrolled, the supervisor lists the devices of its area over the same network.
    sim.rt.block_on(teeka_sync::enroll_with(&mut a, &transport, &clock, "sim://", &code, None)).unwrap();
    let token = a.enrollment().unwrap().unwrap().token;
    let mut lossy = Network { rng: 9, lose_request: 30, lose_answer: 30 };
    let clock = SimClock::new();
    let transport = sim.net(Some(token), &mut lossy, &clock);
    let list = sim.rt.block_on(teeka_sync::devices_with(&transport, &clock)).unwrap();
    assert_eq!(list.devices.iter().map(|d| d.device_id).collect::<Vec<_>>(), vec![a.device_id()]);
}

// ---------------------------------------------------------------------------------------------
// The adaptive windows (issue 13) over links timed by their bytes
// ---------------------------------------------------------------------------------------------

/// A link of `bytes_per_s` each way and `one_way_ms` of latency. A transfer under way at one of
/// the `cuts` (simulated ms; each happens once) is lost: a request cut on its way up never
/// reaches the server, an answer cut on its way down was served and committed but is not heard.
/// `limit`: the server refuses pushes of more events with `TOO_LARGE`, as a server of that limit
/// does (an older server's 2,000).
#[derive(Debug, Clone)]
struct Link {
    bytes_per_s: u64,
    one_way_ms: u64,
    cuts: Vec<u64>,
    limit: usize,
}

/// 64 kbit/s each way, 250 ms each way: the benchmarks' 2G.
fn two_g() -> Link {
    Link { bytes_per_s: 8_000, one_way_ms: 250, cuts: Vec::new(), limit: MAX_PUSH_EVENTS }
}

/// 100 Mbit/s each way, 5 ms each way.
fn fast() -> Link {
    Link { bytes_per_s: 12_500_000, one_way_ms: 5, cuts: Vec::new(), limit: MAX_PUSH_EVENTS }
}

impl Link {
    /// HTTP heads as the benchmarks counted them: 250 B a request, 135 B an answer.
    fn transfer_ms(&self, body: usize, head: usize) -> u64 {
        self.one_way_ms + ((body + head) as u64 * 1_000).div_ceil(self.bytes_per_s)
    }

    fn cut(&mut self, from: u64, to: u64) -> Option<u64> {
        let i = self.cuts.iter().position(|c| (from..to).contains(c))?;
        Some(self.cuts.remove(i))
    }
}

/// The server's logic behind a [`Link`], on the simulated clock; it records every push (its
/// events and its round trip) and every page asked for.
struct LinkNet<'a> {
    service: &'a Service<SqliteDb>,
    token: String,
    link: RefCell<&'a mut Link>,
    clock: &'a SimClock,
    pushes: RefCell<Vec<(usize, u64)>>,
    pages: RefCell<Vec<(u32, u64)>>,
}

impl LinkNet<'_> {
    /// Sends `body` up, lets `serve` answer at the time it arrives, sends the answer down.
    /// Returns the answer (or the failure) and the round trip's time.
    async fn exchange<A: serde::Serialize>(
        &self,
        body: &impl serde::Serialize,
        serve: impl Future<Output = Result<A, ApiError>>,
    ) -> (Result<A, Failure>, u64) {
        let start = self.clock.ms.get();
        let arrived = start + self.link.borrow().transfer_ms(encode(body).unwrap().len(), 250);
        let cut = self.link.borrow_mut().cut(start, arrived);
        if let Some(cut) = cut {
            self.clock.set(cut);
            return (Err(Failure::Transport("cut on the way up".into())), cut - start);
        }
        self.clock.set(arrived);
        let answer = serve.await;
        let down = match &answer {
            Ok(a) => encode(a).unwrap().len(),
            Err(e) => serde_json::to_vec(e).unwrap().len(),
        };
        let answered = arrived + self.link.borrow().transfer_ms(down, 135);
        let cut = self.link.borrow_mut().cut(arrived, answered);
        if let Some(cut) = cut {
            self.clock.set(cut);
            return (Err(Failure::Transport("cut on the way down".into())), cut - start);
        }
        self.clock.set(answered);
        (answer.map_err(Failure::Server), answered - start)
    }
}

impl Transport for LinkNet<'_> {
    async fn push(&self, req: PushRequest) -> Result<PushResponse, Failure> {
        let n = req.events.len();
        let limit = self.link.borrow().limit;
        let body = req.clone();
        let (answer, ms) = self
            .exchange(&body, async {
                if n > limit {
                    // What a server of that limit answers (crates/server's `too_many`).
                    return Err(ApiError::new(
                        ErrorCode::TooLarge,
                        format!("a push holds at most {limit} events; this one has {n}"),
                    ));
                }
                let device = self.service.authenticate(Some(&self.token)).await?;
                self.service.push(&device, req, self.clock.now()).await
            })
            .await;
        self.pushes.borrow_mut().push((n, ms));
        answer
    }

    async fn pull(&self, req: PullRequest) -> Result<PullResponse, Failure> {
        let limit = req.limit;
        let body = req.clone();
        let (answer, ms) = self
            .exchange(&body, async {
                let device = self.service.authenticate(Some(&self.token)).await?;
                self.service.pull(&device, req, self.clock.now()).await
            })
            .await;
        self.pages.borrow_mut().push((limit, ms));
        answer
    }

    async fn enroll(&self, _: EnrollRequest) -> Result<EnrollResponse, Failure> {
        Err(Failure::Transport("not used here".into()))
    }

    async fn devices(&self) -> Result<DevicesResponse, Failure> {
        Err(Failure::Transport("not used here".into()))
    }
}

/// What the runs of [`Sim::sync_over`] did: each push's events and round trip, each page's limit
/// and round trip, in order, over all runs.
#[derive(Debug, Default)]
struct Trips {
    pushes: Vec<(usize, u64)>,
    pages: Vec<(u32, u64)>,
    runs: u32,
}

impl Trips {
    fn push_sizes(&self) -> Vec<usize> {
        self.pushes.iter().map(|p| p.0).collect()
    }

    fn page_limits(&self) -> Vec<u32> {
        self.pages.iter().map(|p| p.0).collect()
    }
}

impl Sim {
    /// Syncs a device over `link` with the default (adaptive) configuration until a run
    /// completes; every run starts where the last ended on the simulated clock.
    fn sync_over(&self, store: &mut Store, link: &mut Link) -> Trips {
        let token = store.enrollment().unwrap().unwrap().token;
        let clock = SimClock::new();
        let mut trips = Trips::default();
        for _ in 0..50 {
            let net = LinkNet {
                service: &self.service,
                token: token.clone(),
                link: RefCell::new(&mut *link),
                clock: &clock,
                pushes: RefCell::default(),
                pages: RefCell::default(),
            };
            let outcome = self.rt.block_on(teeka_sync::drive(store, &net, &clock, Config::default(), |_| {})).unwrap();
            trips.pushes.extend(net.pushes.take());
            trips.pages.extend(net.pages.take());
            trips.runs += 1;
            if matches!(outcome, Outcome::Complete(_)) {
                return trips;
            }
        }
        panic!("no sync completed in 50 runs");
    }

    /// The ids of the server's log, in its order.
    fn server_log(&self) -> Vec<uuid::Uuid> {
        let rows = self.rt.block_on(teeka_server::Database::events_after(self.service.db(), 0, u32::MAX)).unwrap();
        rows.iter().map(|(_, json)| serde_json::from_str::<teeka_domain::Event>(json).unwrap().id).collect()
    }
}

/// A device of Rampur holding a register of `n` children (about 2.3 events each), enrolled.
fn surveyed(sim: &Sim, prefix: &str, n: usize) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let rows = parse_register(register(prefix, n).as_bytes(), parse_date("2026-11-22").unwrap()).unwrap();
    store.import_register(&rows, &ctx(0)).unwrap();
    sim.enroll(&mut store, Role::Anm);
    store
}

/// Every event the device recorded is in the server's log exactly once, and the device's outbox
/// is empty; the device and the server agree.
fn pushed_exactly_once(sim: &Sim, device: &Store) {
    assert_eq!(device.pending_count().unwrap(), 0);
    let log = sim.server_log();
    let mut unique = log.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), log.len(), "an event twice in the server's log");
    let own: Vec<uuid::Uuid> =
        device.events().unwrap().into_iter().filter(|e| e.device_id == device.device_id()).map(|e| e.id).collect();
    assert!(!own.is_empty());
    for id in &own {
        assert!(unique.binary_search(id).is_ok(), "event {id} was lost");
    }
    let mine = log.iter().filter(|id| own.contains(id)).count();
    assert_eq!(mine, own.len());
    let server = serde_json::to_string(&sim.rt.block_on(sim.service.export()).unwrap()).unwrap();
    assert_eq!(export(device), server);
}

#[test]
fn on_a_fast_link_the_push_window_grows_eightfold_and_so_do_the_pages_of_a_new_device() {
    let sim = Sim::new();
    let mut a = surveyed(&sim, "A", 3_000);
    let own = a.event_count().unwrap() as usize;
    assert!(own > 6_000, "{own}");
    let mut link = fast();
    let trips = sim.sync_over(&mut a, &mut link);
    assert_eq!(trips.runs, 1);
    // Round trips of 11 and 15 ms, far under T/2: eight times larger each time, and the rest
    // (under the limit of 10,000) in one push.
    let sizes = trips.push_sizes();
    assert_eq!(sizes, [250, 2_000, own - 2_250], "{sizes:?}");
    assert!(own - 2_250 <= MAX_PUSH_EVENTS);
    pushed_exactly_once(&sim, &a);

    // A new device of the village pulls it all: a page of 500, then of 4,000.
    let mut b = Store::open_in_memory().unwrap();
    sim.enroll(&mut b, Role::Asha);
    let trips = sim.sync_over(&mut b, &mut link);
    assert_eq!(trips.page_limits(), [500, 4_000, 5_000]);
    assert!(trips.page_limits().iter().all(|&l| l <= MAX_PULL_EVENTS));
    assert_eq!(export(&b), export(&a));
}

#[test]
fn on_2g_the_push_window_stays_small_and_each_round_trip_near_the_target() {
    let sim = Sim::new();
    let mut a = surveyed(&sim, "A", 600);
    let mut link = two_g();
    let trips = sim.sync_over(&mut a, &mut link);
    assert_eq!(trips.runs, 1);
    let sizes = trips.push_sizes();
    // 250 events a push (the last ones, at most 500, whole), each within the target.
    let last = sizes.len() - 1;
    assert!(sizes[..last].iter().all(|&n| n == 250), "the window moved on 2G: {sizes:?}");
    assert!(sizes[last] <= 500, "{sizes:?}");
    for (n, ms) in &trips.pushes[..last] {
        assert!(*ms <= window::TARGET_MS, "a push of {n} events took {ms} ms");
    }
    pushed_exactly_once(&sim, &a);

    // A day's work of 500 doses: one round trip.
    let due: Vec<String> = (0..500).map(|i| format!("A-{i}")).collect();
    for id in &due {
        a.record_dose(id, DoseCode::Opv1, parse_date("2026-11-20").unwrap(), &ctx(30)).unwrap();
    }
    let trips = sim.sync_over(&mut a, &mut link);
    assert_eq!(trips.push_sizes(), [500]);
    pushed_exactly_once(&sim, &a);
}

#[test]
fn an_older_servers_too_large_halves_the_batch_and_the_run_stays_under_its_limit() {
    let sim = Sim::new();
    let mut a = surveyed(&sim, "A", 5_000);
    let own = a.event_count().unwrap() as usize;
    let mut link = Link { limit: V1_MAX_PUSH_EVENTS, ..fast() };
    let trips = sim.sync_over(&mut a, &mut link);
    assert_eq!(trips.runs, 1, "TOO_LARGE is not a failure");
    let sizes = trips.push_sizes();
    // After 2,250 events the rest (under the limit of 10,000) goes whole: refused, halved and
    // refused twice more, then pushes of at most an eighth of it, under the older limit.
    let rest = own - 2_250;
    assert!(rest > 8 * V1_MAX_PUSH_EVENTS / 2 && rest <= MAX_PUSH_EVENTS, "{own}");
    assert_eq!(sizes[..6], [250, 2_000, rest, rest / 2, rest / 4, rest / 8], "{sizes:?}");
    assert!(sizes[6..].iter().all(|&n| n <= rest / 8), "{sizes:?}");
    let refused: Vec<usize> = sizes.iter().copied().filter(|&n| n > V1_MAX_PUSH_EVENTS).collect();
    assert_eq!(refused, [rest, rest / 2, rest / 4]);
    assert_eq!(sizes.iter().sum::<usize>(), own + refused.iter().sum::<usize>(), "only refused pushes were sent twice");
    assert_eq!(a.status().unwrap().set_aside.len(), 0);
    pushed_exactly_once(&sim, &a);
}

#[test]
fn a_cut_mid_batch_loses_nothing_and_doubles_nothing() {
    let sim = Sim::new();
    let mut a = surveyed(&sim, "A", 600);
    // On 2G: the first push's upload is cut (at 0.5 s of about 1.3 s), then the third push's
    // answer, after the server committed it.
    let mut link = Link { cuts: vec![500, 5_600], ..two_g() };
    let trips = sim.sync_over(&mut a, &mut link);
    assert!(link.cuts.is_empty(), "both cuts fell on a transfer: {:?}", trips.pushes);
    assert_eq!(trips.push_sizes()[..2], [250, 125], "a cut halves the window: {:?}", trips.pushes);
    pushed_exactly_once(&sim, &a);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    /// Any link speed, latency and cuts: every event reaches the server once, and the batches
    /// and pages stay within the protocol's limits.
    #[test]
    fn nothing_is_lost_or_doubled_on_any_link(
        bytes_per_s in 1_000u64..20_000_000,
        one_way_ms in 1u64..600,
        cuts in proptest::collection::vec(0u64..60_000, 0..6),
        children in 30usize..600,
    ) {
        let sim = Sim::new();
        let mut a = surveyed(&sim, "A", children);
        let mut link = Link { bytes_per_s, one_way_ms, cuts, limit: MAX_PUSH_EVENTS };
        let trips = sim.sync_over(&mut a, &mut link);
        prop_assert!(trips.pushes.iter().all(|&(n, _)| (1..=MAX_PUSH_EVENTS).contains(&n)));
        prop_assert!(trips.pages.iter().all(|&(l, _)| (1..=MAX_PULL_EVENTS).contains(&l)));
        pushed_exactly_once(&sim, &a);
        // A second device of the village over the same link ends equal to the first.
        let mut b = Store::open_in_memory().unwrap();
        sim.enroll(&mut b, Role::Asha);
        sim.sync_over(&mut b, &mut link);
        prop_assert_eq!(export(&b), export(&a));
    }
}
