//! The sync state machine: no sockets, no clock, no store. The driver feeds it the outbox, the
//! replies (or failures) of the server and the time; it says what to send, what to apply and
//! when to wait. Push first (oldest events first, in batches), then pull pages until the server
//! has no more. The size of each push and of each page is a [`Window`]: it grows while round
//! trips come back quickly and shrinks on a slow answer, a failure or `TOO_LARGE`; each round
//! trip is measured with the times the driver passes in.
//!
//! Every request it makes is safe to repeat, so a failure of any kind — a request lost, a reply
//! lost, a connection cut halfway — is handled the same way: wait (the [`Backoff`] of the
//! [`Config`], exponential with jitter) and go on from what the store says, re-reading the outbox
//! and the cursor.

use crate::backoff::{Backoff, Rng};
use crate::window::{self, TooLarge, Window, WindowRule};
use teeka_domain::Event;
use teeka_protocol::{ApiError, ErrorCode, PullRequest, PullResponse, PushRequest, PushResponse, Rejection};
use uuid::Uuid;

/// Tunables of a sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Events per push: an adaptive window ([`window::PUSH`] by default; [`WindowRule::fixed`]
    /// for a fixed batch, which `TOO_LARGE` still halves).
    pub push: WindowRule,
    /// Events asked for per pull page: an adaptive window ([`window::PULL`] by default).
    pub pull: WindowRule,
    /// Consecutive failures before the run gives up (it resumes next time).
    pub max_failures: u32,
    /// The wait after a failure (by default 0.5 s doubling up to 30 s, jittered).
    pub backoff: Backoff,
    /// Seed of the back-off jitter.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            push: window::PUSH,
            pull: window::PULL,
            max_failures: 8,
            backoff: Backoff::exponential(500, 30_000).jittered(),
            seed: 0x0007_eeca,
        }
    }
}

/// A request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Push(PushRequest),
    Pull(PullRequest),
}

/// The server's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Push(PushResponse),
    Pull(PullResponse),
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer: the connection failed, was cut, or timed out. Repeating is safe.
    Transport(String),
    /// The server answered with an error.
    Server(ApiError),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Everything pending was pushed (or set aside) and everything new was pulled.
    Complete(Progress),
    /// The run stopped; `retryable` says whether trying again later may succeed.
    Failed { progress: Progress, error: String, code: Option<ErrorCode>, retryable: bool },
}

/// Counters of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub pushed: u64,
    pub set_aside: u64,
    pub pulled: u64,
    pub round_trips: u64,
    pub failures: u64,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Read up to `limit` events from the outbox (oldest first) and pass them to
    /// [`Machine::outbox`].
    ReadOutbox {
        limit: usize,
    },
    /// Send this request, then pass the reply (or failure) to [`Machine::on_reply`].
    Send(Request),
    /// Remove these events from the outbox; set the rejected ones aside. Then [`Machine::applied`].
    Acknowledge {
        accepted: Vec<Uuid>,
        rejected: Vec<Rejection>,
    },
    /// Apply this page and move the cursor to `next`, in one transaction. Then [`Machine::applied`].
    ApplyPage {
        events: Vec<Event>,
        next: u64,
    },
    /// Do nothing until this time, then poll again.
    Wait {
        until_ms: u64,
    },
    Done(Outcome),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Push,
    PushReady(Request),
    PushSent,
    Acknowledging { accepted: Vec<Uuid>, rejected: Vec<Rejection> },
    Pull,
    PullSent,
    Applying { events: Vec<Event>, next: u64, more: bool },
    Waiting { until_ms: u64, then_push: bool },
    Done(Outcome),
}

/// The state machine of one sync run.
#[derive(Debug, Clone)]
pub struct Machine {
    cfg: Config,
    phase: Phase,
    cursor: u64,
    push: Window,
    pull: Window,
    /// When the request in flight was sent (the driver's monotonic milliseconds).
    sent_at_ms: u64,
    /// The outbox is read again, whole: what was left after a window's worth was at most as
    /// much again ([`Window::whole_queue_limit`]).
    whole_queue: Option<usize>,
    failures: u32,
    rng: Rng,
    progress: Progress,
    /// Ids of the events of the push in flight.
    in_flight: Vec<Uuid>,
}

impl Machine {
    /// A run that starts pulling after `cursor` (the store's).
    pub fn new(cfg: Config, cursor: u64) -> Machine {
        Machine {
            cfg,
            phase: Phase::Push,
            cursor,
            push: Window::new(cfg.push),
            pull: Window::new(cfg.pull),
            sent_at_ms: 0,
            whole_queue: None,
            failures: 0,
            rng: Rng::new(cfg.seed),
            progress: Progress::default(),
            in_flight: Vec::new(),
        }
    }

    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The next thing to do.
    pub fn poll(&mut self, now_ms: u64) -> Step {
        match &self.phase {
            Phase::Push => Step::ReadOutbox { limit: self.whole_queue.unwrap_or(self.push.size()) },
            Phase::PushReady(req) => {
                let req = req.clone();
                self.phase = Phase::PushSent;
                self.sent_at_ms = now_ms;
                self.progress.round_trips += 1;
                Step::Send(req)
            }
            Phase::Acknowledging { accepted, rejected } => {
                Step::Acknowledge { accepted: accepted.clone(), rejected: rejected.clone() }
            }
            Phase::Pull => {
                self.phase = Phase::PullSent;
                self.sent_at_ms = now_ms;
                self.progress.round_trips += 1;
                Step::Send(Request::Pull(PullRequest {
                    after: self.cursor,
                    limit: u32::try_from(self.pull.size()).unwrap_or(u32::MAX),
                    exclude_own: true,
                }))
            }
            Phase::Applying { events, next, .. } => Step::ApplyPage { events: events.clone(), next: *next },
            Phase::Waiting { until_ms, then_push } => {
                if now_ms >= *until_ms {
                    self.phase = if *then_push { Phase::Push } else { Phase::Pull };
                    self.poll(now_ms)
                } else {
                    Step::Wait { until_ms: *until_ms }
                }
            }
            Phase::Done(o) => Step::Done(o.clone()),
            // Waiting for a reply: the driver must call on_reply, not poll.
            Phase::PushSent | Phase::PullSent => Step::Wait { until_ms: now_ms },
        }
    }

    /// The outbox's oldest events (at most the limit asked), how many wait in all, and the
    /// device's clock (sent for the server to measure its skew).
    ///
    /// When what would be left after these events is no more than these (the whole queue is at
    /// most [`Window::whole_queue_limit`]), the machine asks for the whole queue instead: the rest
    /// would cost a round trip of its own, a latency (0.5 s on 2G) to save at most one window in
    /// flight. A day's work of 500 doses goes in one push from a window of 250.
    pub fn outbox(&mut self, events: Vec<Event>, pending_total: u64, device_time_ms: i64) {
        if self.phase != Phase::Push {
            return;
        }
        let reread = self.whole_queue.take().is_some();
        let total = usize::try_from(pending_total).unwrap_or(usize::MAX);
        if !reread && !events.is_empty() && events.len() < total && total <= self.push.whole_queue_limit() {
            self.whole_queue = Some(total);
            return;
        }
        self.phase = if events.is_empty() {
            Phase::Pull
        } else {
            let pending = pending_total.saturating_sub(events.len() as u64);
            self.in_flight = events.iter().map(|e| e.id).collect();
            Phase::PushReady(Request::Push(PushRequest { events, pending, device_time_ms }))
        };
    }

    /// The answer to the request last sent, or why there is none, at `now_ms` on the same clock
    /// as the `poll` that sent it: the round trip's time moves the window.
    pub fn on_reply(&mut self, reply: Result<Reply, Failure>, now_ms: u64) {
        let pushing = match self.phase {
            Phase::PushSent => true,
            Phase::PullSent => false,
            _ => return,
        };
        let elapsed = now_ms.saturating_sub(self.sent_at_ms);
        match reply {
            Ok(Reply::Push(r)) if pushing => {
                self.push.answered(elapsed, self.in_flight.len() >= self.push.size());
                self.failures = 0;
                self.progress.pushed += r.accepted.len() as u64;
                self.progress.set_aside += r.rejected.len() as u64;
                self.phase = Phase::Acknowledging { accepted: r.accepted, rejected: r.rejected };
            }
            Ok(Reply::Pull(PullResponse { events, next, more })) if !pushing => {
                self.pull.answered(elapsed, more);
                self.failures = 0;
                self.progress.pulled += events.len() as u64;
                self.phase = Phase::Applying { events, next, more };
            }
            Ok(_) => self.fail(now_ms, pushing, "the server answered another request".into(), None, true),
            Err(Failure::Transport(e)) => self.fail(now_ms, pushing, e, None, true),
            Err(Failure::Server(e)) if e.code == ErrorCode::TooLarge && pushing => {
                if self.push.too_large(self.in_flight.len()) == TooLarge::Halved {
                    self.phase = Phase::Push;
                    return;
                }
                // One event alone is too large: set it aside so that it does not block the queue.
                self.progress.set_aside += self.in_flight.len() as u64;
                let rejected = self
                    .in_flight
                    .iter()
                    .map(|id| Rejection { id: *id, code: ErrorCode::TooLarge, message: e.message.clone() })
                    .collect();
                self.phase = Phase::Acknowledging { accepted: Vec::new(), rejected };
            }
            Err(Failure::Server(e)) => {
                let retryable = e.code.is_retryable();
                self.fail(now_ms, pushing, e.message, Some(e.code), retryable)
            }
        }
    }

    /// The last [`Step::Acknowledge`] or [`Step::ApplyPage`] is done (committed).
    pub fn applied(&mut self) {
        self.phase = match std::mem::replace(&mut self.phase, Phase::Push) {
            Phase::Acknowledging { .. } => Phase::Push,
            Phase::Applying { next, more, .. } => {
                self.cursor = next;
                if more {
                    Phase::Pull
                } else {
                    Phase::Done(Outcome::Complete(self.progress))
                }
            }
            other => other,
        };
    }

    fn fail(&mut self, now_ms: u64, pushing: bool, error: String, code: Option<ErrorCode>, retryable: bool) {
        if pushing {
            self.push.failed();
        } else {
            self.pull.failed();
        }
        self.failures += 1;
        self.progress.failures += 1;
        if !retryable || self.failures >= self.cfg.max_failures {
            self.phase = Phase::Done(Outcome::Failed { progress: self.progress, error, code, retryable });
            return;
        }
        let delay = self.cfg.backoff.delay_ms(self.failures, self.rng.next_u64());
        self.phase = Phase::Waiting { until_ms: now_ms + delay, then_push: pushing };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::TARGET_MS;
    use teeka_protocol::{encode, MAX_PUSH_EVENTS};

    fn event() -> Event {
        Event {
            id: Uuid::now_v7(),
            device_id: Uuid::nil(),
            hlc: teeka_domain::Hlc::default(),
            author: "t".into(),
            worker: None,
            recorded_at: chrono::DateTime::default(),
            body: teeka_domain::EventBody::VillageJeEndemicSet { area: Uuid::nil(), je_endemic: true },
        }
    }

    fn too_large() -> Result<Reply, Failure> {
        Err(Failure::Server(ApiError::new(ErrorCode::TooLarge, "too large")))
    }

    #[test]
    fn a_batch_too_large_is_halved_down_to_one() {
        let mut m = Machine::new(Config { push: WindowRule::fixed(8), ..Config::default() }, 0);
        let mut limits = Vec::new();
        for _ in 0..4 {
            let Step::ReadOutbox { limit } = m.poll(0) else { panic!("expected a read") };
            limits.push(limit);
            m.outbox(vec![event(); limit], 8, 0);
            assert!(matches!(m.poll(0), Step::Send(Request::Push(_))));
            m.on_reply(too_large(), 0);
        }
        assert_eq!(limits, [8, 4, 2, 1]);
        // One event alone too large: it is set aside, and the queue goes on.
        let Step::Acknowledge { accepted, rejected } = m.poll(0) else { panic!("expected an acknowledgement") };
        assert!(accepted.is_empty());
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].code, ErrorCode::TooLarge);
        m.applied();
        assert!(matches!(m.poll(0), Step::ReadOutbox { limit: 1 }));
        assert_eq!(m.progress().set_aside, 1);
    }

    #[test]
    fn a_push_of_one_event_too_large_is_set_aside_at_once_whatever_the_window() {
        let mut m = Machine::new(Config::default(), 0);
        let Step::ReadOutbox { limit: 250 } = m.poll(0) else { panic!("expected a read of 250") };
        m.outbox(vec![event()], 1, 0);
        assert!(matches!(m.poll(0), Step::Send(Request::Push(_))));
        m.on_reply(too_large(), 0);
        let Step::Acknowledge { accepted, rejected } = m.poll(0) else { panic!("expected an acknowledgement") };
        assert!(accepted.is_empty());
        assert_eq!(rejected.len(), 1);
    }

    #[test]
    fn a_lost_answer_is_waited_out_then_the_outbox_is_read_again() {
        let mut m = Machine::new(Config::default(), 5);
        assert!(matches!(m.poll(0), Step::ReadOutbox { .. }));
        m.outbox(vec![event()], 1, 0);
        assert!(matches!(m.poll(0), Step::Send(_)));
        m.on_reply(Err(Failure::Transport("cut".into())), 1_000);
        let Step::Wait { until_ms } = m.poll(1_000) else { panic!("expected a wait") };
        assert!((1_250..=1_500).contains(&until_ms), "{until_ms}");
        assert!(matches!(m.poll(until_ms - 1), Step::Wait { .. }));
        assert!(matches!(m.poll(until_ms), Step::ReadOutbox { limit: 125 }), "the failure halved the window");
        // Nothing left to push: pull from the cursor, a first page of 500.
        m.outbox(vec![], 0, 0);
        assert_eq!(
            m.poll(until_ms),
            Step::Send(Request::Pull(PullRequest { after: 5, limit: 500, exclude_own: true }))
        );
        m.on_reply(Ok(Reply::Pull(PullResponse { events: vec![], next: 9, more: false })), until_ms);
        assert!(matches!(m.poll(until_ms), Step::ApplyPage { next: 9, .. }));
        m.applied();
        assert!(matches!(m.poll(until_ms), Step::Done(Outcome::Complete(Progress { failures: 1, .. }))));
    }

    /// A link of `bytes_per_s` each way and `one_way_ms` of latency, cut at the given times (a
    /// request or answer on the way at a cut is lost), in front of a server that keeps a log
    /// (idempotent by event id, as the real one) and refuses pushes of more than `limit` events.
    struct Link {
        bytes_per_s: u64,
        one_way_ms: u64,
        cuts: Vec<u64>,
        limit: usize,
    }

    /// What a run through a [`Link`] did.
    #[derive(Debug, Default)]
    struct Run {
        pushes: Vec<usize>,
        /// Each answered push's round trip.
        push_ms: Vec<u64>,
        pages: Vec<u32>,
        log: Vec<Uuid>,
        stored: std::collections::HashSet<Uuid>,
        acknowledged: Vec<Uuid>,
        elapsed_ms: u64,
        outcome: Option<Outcome>,
    }

    impl Link {
        fn transfer_ms(&self, bytes: usize) -> u64 {
            self.one_way_ms + (bytes as u64 * 1_000).div_ceil(self.bytes_per_s)
        }

        /// A cut within `[from, to)`, taken (each cut happens once).
        fn cut(&mut self, from: u64, to: u64) -> Option<u64> {
            let i = self.cuts.iter().position(|c| (from..to).contains(c))?;
            Some(self.cuts.remove(i))
        }

        /// Runs a machine to its end over an outbox of `events` (HTTP heads counted as 250 B
        /// up and 135 B down).
        fn run(&mut self, cfg: Config, events: Vec<Event>) -> Run {
            let mut m = Machine::new(cfg, 0);
            let mut outbox = events;
            let mut run = Run::default();
            let mut now = 0;
            for _ in 0..1_000_000 {
                match m.poll(now) {
                    Step::ReadOutbox { limit } => {
                        let n = limit.min(outbox.len());
                        m.outbox(outbox[..n].to_vec(), outbox.len() as u64, 0);
                    }
                    Step::Send(Request::Push(req)) => {
                        run.pushes.push(req.events.len());
                        let up = encode(&req).map_or(0, |b| b.len()) + 250;
                        let arrived = now + self.transfer_ms(up);
                        if let Some(cut) = self.cut(now, arrived) {
                            now = cut;
                            m.on_reply(Err(Failure::Transport("cut on the way up".into())), now);
                            continue;
                        }
                        let reply = if req.events.len() > self.limit {
                            Err(ApiError::new(ErrorCode::TooLarge, "too many"))
                        } else {
                            for e in &req.events {
                                if run.stored.insert(e.id) {
                                    run.log.push(e.id);
                                }
                            }
                            let accepted = req.events.iter().map(|e| e.id).collect();
                            Ok(PushResponse { accepted, rejected: vec![], server_time_ms: 0 })
                        };
                        let down = reply.as_ref().ok().map_or(100, |r| encode(r).map_or(0, |b| b.len())) + 135;
                        let answered = arrived + self.transfer_ms(down);
                        if let Some(cut) = self.cut(arrived, answered) {
                            now = cut;
                            m.on_reply(Err(Failure::Transport("cut on the way down".into())), now);
                            continue;
                        }
                        run.push_ms.push(answered - now);
                        now = answered;
                        m.on_reply(reply.map(Reply::Push).map_err(Failure::Server), now);
                    }
                    Step::Send(Request::Pull(req)) => {
                        run.pages.push(req.limit);
                        now += self.transfer_ms(300) + self.transfer_ms(200);
                        m.on_reply(Ok(Reply::Pull(PullResponse { events: vec![], next: 0, more: false })), now);
                    }
                    Step::Acknowledge { accepted, rejected } => {
                        assert!(rejected.is_empty(), "{rejected:?}");
                        let done: std::collections::HashSet<Uuid> = accepted.iter().copied().collect();
                        outbox.retain(|e| !done.contains(&e.id));
                        run.acknowledged.extend(accepted);
                        m.applied();
                    }
                    Step::ApplyPage { .. } => m.applied(),
                    Step::Wait { until_ms } => now = now.max(until_ms),
                    Step::Done(outcome) => {
                        run.elapsed_ms = now;
                        run.outcome = Some(outcome);
                        return run;
                    }
                }
            }
            panic!("the run did not end");
        }
    }

    /// 100 MB/s each way, 1 ms each way.
    fn fast() -> Link {
        Link { bytes_per_s: 100_000_000, one_way_ms: 1, cuts: Vec::new(), limit: MAX_PUSH_EVENTS }
    }

    /// 64 kbit/s each way, 250 ms each way.
    fn two_g() -> Link {
        Link { bytes_per_s: 8_000, one_way_ms: 250, cuts: Vec::new(), limit: MAX_PUSH_EVENTS }
    }

    /// A day's doses as a device records them (one author and device, the clock moving on, 120
    /// children, several vaccines): they compress as the real ones do, 23 B an event or so.
    fn doses(n: usize) -> Vec<Event> {
        let device_id = Uuid::now_v7();
        let children: Vec<Uuid> = (0..120).map(|_| Uuid::now_v7()).collect();
        let codes = [teeka_domain::DoseCode::Opv1, teeka_domain::DoseCode::Penta1, teeka_domain::DoseCode::Rvv1];
        (0..n)
            .map(|i| {
                let wall_ms = 1_795_300_000_000 + i as u64 * 1_733;
                Event {
                    id: Uuid::now_v7(),
                    device_id,
                    hlc: teeka_domain::Hlc { wall_ms, counter: 0 },
                    author: "Sunita Devi".into(),
                    worker: None,
                    recorded_at: chrono::DateTime::from_timestamp_millis(wall_ms as i64).unwrap_or_default(),
                    body: teeka_domain::EventBody::DoseGiven {
                        beneficiary: children[i % children.len()],
                        code: codes[i % codes.len()],
                        date: teeka_domain::parse_date("2026-11-22").unwrap_or_default(),
                        corrects: None,
                        session: None,
                    },
                }
            })
            .collect()
    }

    /// Every event once in the server's log, in the outbox's order; each acknowledged once.
    fn nothing_lost_or_doubled(run: &Run, events: &[Event]) {
        let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        assert_eq!(run.log, ids, "the server's log");
        let mut acknowledged = run.acknowledged.clone();
        acknowledged.sort_unstable();
        acknowledged.dedup();
        assert_eq!(acknowledged.len(), run.acknowledged.len(), "an event acknowledged twice");
        assert_eq!(acknowledged.len(), ids.len());
    }

    #[test]
    fn the_window_grows_on_a_fast_link_up_to_the_protocols_limit() {
        let events = doses(40_000);
        let run = fast().run(Config::default(), events.clone());
        assert!(matches!(run.outcome, Some(Outcome::Complete(_))), "{:?}", run.outcome);
        // Answers in a few milliseconds: eight times larger each, to the limit of 10,000.
        assert_eq!(run.pushes, [250, 2_000, 10_000, 10_000, 10_000, 7_750]);
        nothing_lost_or_doubled(&run, &events);
    }

    #[test]
    fn the_window_stays_small_on_2g() {
        let events = doses(3_000);
        let mut link = two_g();
        let run = link.run(Config::default(), events.clone());
        assert!(matches!(run.outcome, Some(Outcome::Complete(_))), "{:?}", run.outcome);
        // 250 events a push, in 1.6–1.8 s (within the band: held), and the last 500 whole.
        let last = run.pushes.len() - 1;
        assert!(run.pushes[..last].iter().all(|&n| n == 250), "{:?}", run.pushes);
        assert_eq!(run.pushes[last], 500);
        assert_eq!(run.pushes.iter().sum::<usize>(), 3_000);
        assert!(run.push_ms[..last].iter().all(|&ms| ms > TARGET_MS / 2 && ms <= TARGET_MS), "{:?}", run.push_ms);
        nothing_lost_or_doubled(&run, &events);
        // A day's work of 500 doses goes in one round trip: the outbox is read again, whole.
        let run = two_g().run(Config::default(), doses(500));
        assert_eq!(run.pushes, [500]);
        let run = two_g().run(Config::default(), doses(501));
        assert_eq!(run.pushes, [250, 251], "more than twice the window: not whole");
    }

    #[test]
    fn a_slower_link_shrinks_the_window_to_keep_round_trips_near_the_target() {
        // 16 kbit/s each way, 400 ms each way: 250 events take over 5 s, 125 over 3 s.
        let mut link = Link { bytes_per_s: 2_000, one_way_ms: 400, cuts: Vec::new(), limit: MAX_PUSH_EVENTS };
        let events = doses(2_000);
        let run = link.run(Config::default(), events.clone());
        assert_eq!(run.pushes[..3], [250, 125, 62]);
        assert!(run.push_ms[..2].iter().all(|&ms| ms > TARGET_MS), "{:?}", run.push_ms);
        // Then it holds: every round trip within the band.
        let last = run.pushes.len() - 1;
        assert!(run.pushes[2..last].iter().all(|&n| n == 62), "{:?}", run.pushes);
        assert!(run.push_ms[2..last].iter().all(|&ms| ms > TARGET_MS / 2 && ms <= TARGET_MS), "{:?}", run.push_ms);
        nothing_lost_or_doubled(&run, &events);
    }

    #[test]
    fn an_older_servers_too_large_halves_the_window_which_stays_under_its_limit() {
        let mut link = Link { limit: 2_000, ..fast() };
        let events = doses(30_000);
        let run = link.run(Config::default(), events.clone());
        assert!(matches!(run.outcome, Some(Outcome::Complete(Progress { set_aside: 0, .. }))), "{:?}", run.outcome);
        // 10,000 refused, halved twice more to 1,250; never past it again.
        assert_eq!(run.pushes[..6], [250, 2_000, 10_000, 5_000, 2_500, 1_250]);
        assert!(run.pushes[6..].iter().all(|&n| n <= 1_250), "{:?}", run.pushes);
        // The window overshoots at most eight times what passed: at most three refusals.
        assert_eq!(run.pushes.iter().filter(|&&n| n > 2_000).count(), 3, "three refusals in the run");
        nothing_lost_or_doubled(&run, &events);
    }

    #[test]
    fn a_cut_mid_batch_loses_nothing_and_doubles_nothing() {
        // On 2G: the first batch's upload is cut, then the second's answer (the server stored it).
        let mut link = Link { cuts: vec![1_000, 4_000], ..two_g() };
        let events = doses(1_000);
        let run = link.run(Config::default(), events.clone());
        assert!(matches!(run.outcome, Some(Outcome::Complete(Progress { failures: 2, .. }))), "{:?}", run.outcome);
        assert!(link.cuts.is_empty(), "both cuts fell on a transfer");
        assert_eq!(run.pushes[..2], [250, 125], "a cut halves the window");
        nothing_lost_or_doubled(&run, &events);
        // On a fast link: the answer to the third push (the 5,750 events left, whole) is lost,
        // the server having stored them; the pushes take 4, 4 and 5 ms.
        let mut link = Link { cuts: vec![12], ..fast() };
        let events = doses(8_000);
        let run = link.run(Config::default(), events.clone());
        assert!(link.cuts.is_empty());
        assert_eq!(run.pushes[..3], [250, 2_000, 5_750]);
        assert!(matches!(run.outcome, Some(Outcome::Complete(Progress { failures: 1, .. }))), "{:?}", run.outcome);
        nothing_lost_or_doubled(&run, &events);
    }

    #[test]
    fn pull_pages_grow_on_a_fast_server_and_the_server_caps_them() {
        let mut m = Machine::new(Config::default(), 0);
        m.poll(0);
        m.outbox(vec![], 0, 0);
        let mut limits = Vec::new();
        let mut now = 0;
        for i in 0..6 {
            let Step::Send(Request::Pull(req)) = m.poll(now) else { panic!("expected a pull") };
            limits.push(req.limit);
            now += 20;
            let more = i < 5;
            m.on_reply(Ok(Reply::Pull(PullResponse { events: vec![], next: i + 1, more })), now);
            assert!(matches!(m.poll(now), Step::ApplyPage { .. }));
            m.applied();
        }
        // Pages answered in 20 ms: grown eight times, then capped by the server's 5,000.
        assert_eq!(limits, [500, 4_000, 5_000, 5_000, 5_000, 5_000]);
        assert!(matches!(m.poll(now), Step::Done(Outcome::Complete(_))));
        // A slow page halves the next one, not below 100.
        let mut m = Machine::new(Config::default(), 0);
        m.poll(0);
        m.outbox(vec![], 0, 0);
        let mut now = 0;
        let mut limits = Vec::new();
        for i in 0..4 {
            let Step::Send(Request::Pull(req)) = m.poll(now) else { panic!("expected a pull") };
            limits.push(req.limit);
            now += 3_500;
            m.on_reply(Ok(Reply::Pull(PullResponse { events: vec![], next: i + 1, more: true })), now);
            m.poll(now);
            m.applied();
        }
        assert_eq!(limits, [500, 250, 125, 100]);
    }
}
