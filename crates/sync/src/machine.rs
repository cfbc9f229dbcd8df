//! The sync state machine: no sockets, no clock, no store. The driver feeds it the outbox, the
//! replies (or failures) of the server and the time; it says what to send, what to apply and
//! when to wait. Push first (oldest events first, in batches), then pull pages until the server
//! has no more.
//!
//! Every request it makes is safe to repeat, so a failure of any kind — a request lost, a reply
//! lost, a connection cut halfway — is handled the same way: wait (the [`Backoff`] of the
//! [`Config`], exponential with jitter) and go on from what the store says, re-reading the outbox
//! and the cursor.

use crate::backoff::{Backoff, Rng};
use teeka_domain::Event;
use teeka_protocol::{ApiError, ErrorCode, PullRequest, PullResponse, PushRequest, PushResponse, Rejection};
use uuid::Uuid;

/// Tunables of a sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Events per push (halved when the server says a body is too large).
    pub push_batch: usize,
    /// Events per pull page.
    pub pull_limit: u32,
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
            push_batch: 500,
            pull_limit: 2_000,
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
    batch: usize,
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
            batch: cfg.push_batch.max(1),
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
            Phase::Push => Step::ReadOutbox { limit: self.batch },
            Phase::PushReady(req) => {
                let req = req.clone();
                self.phase = Phase::PushSent;
                self.progress.round_trips += 1;
                Step::Send(req)
            }
            Phase::Acknowledging { accepted, rejected } => {
                Step::Acknowledge { accepted: accepted.clone(), rejected: rejected.clone() }
            }
            Phase::Pull => {
                self.phase = Phase::PullSent;
                self.progress.round_trips += 1;
                Step::Send(Request::Pull(PullRequest {
                    after: self.cursor,
                    limit: self.cfg.pull_limit,
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
    pub fn outbox(&mut self, events: Vec<Event>, pending_total: u64, device_time_ms: i64) {
        if self.phase != Phase::Push {
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

    /// The answer to the request last sent.
    pub fn on_reply(&mut self, reply: Result<Reply, Failure>, now_ms: u64) {
        let pushing = match self.phase {
            Phase::PushSent => true,
            Phase::PullSent => false,
            _ => return,
        };
        match reply {
            Ok(Reply::Push(r)) if pushing => {
                self.failures = 0;
                self.progress.pushed += r.accepted.len() as u64;
                self.progress.set_aside += r.rejected.len() as u64;
                self.phase = Phase::Acknowledging { accepted: r.accepted, rejected: r.rejected };
            }
            Ok(Reply::Pull(PullResponse { events, next, more })) if !pushing => {
                self.failures = 0;
                self.progress.pulled += events.len() as u64;
                self.phase = Phase::Applying { events, next, more };
            }
            Ok(_) => self.fail(now_ms, pushing, "the server answered another request".into(), None, true),
            Err(Failure::Transport(e)) => self.fail(now_ms, pushing, e, None, true),
            Err(Failure::Server(e)) if e.code == ErrorCode::TooLarge && pushing && self.batch > 1 => {
                self.batch = (self.batch / 2).max(1);
                self.phase = Phase::Push;
            }
            Err(Failure::Server(e)) if e.code == ErrorCode::TooLarge && pushing => {
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

    fn event() -> Event {
        Event {
            id: Uuid::now_v7(),
            device_id: Uuid::nil(),
            hlc: teeka_domain::Hlc::default(),
            author: "t".into(),
            recorded_at: chrono::DateTime::default(),
            body: teeka_domain::EventBody::VillageJeEndemicSet { area: Uuid::nil(), je_endemic: true },
        }
    }

    #[test]
    fn a_batch_too_large_is_halved_down_to_one() {
        let mut m = Machine::new(Config { push_batch: 8, ..Config::default() }, 0);
        let mut limits = Vec::new();
        for _ in 0..4 {
            let Step::ReadOutbox { limit } = m.poll(0) else { panic!("expected a read") };
            limits.push(limit);
            m.outbox(vec![event(); 1], 1, 0);
            assert!(matches!(m.poll(0), Step::Send(Request::Push(_))));
            m.on_reply(Err(Failure::Server(ApiError::new(ErrorCode::TooLarge, "too large"))), 0);
        }
        assert_eq!(limits, [8, 4, 2, 1]);
        // One event alone too large: it is set aside, and the queue goes on.
        let Step::Acknowledge { accepted, rejected } = m.poll(0) else { panic!("expected an acknowledgement") };
        assert!(accepted.is_empty());
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].code, ErrorCode::TooLarge);
        m.applied();
        assert!(matches!(m.poll(0), Step::ReadOutbox { limit: 1 }));
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
        assert!(matches!(m.poll(until_ms), Step::ReadOutbox { .. }));
        // Nothing left to push: pull from the cursor.
        m.outbox(vec![], 0, 0);
        assert_eq!(
            m.poll(until_ms),
            Step::Send(Request::Pull(PullRequest { after: 5, limit: 2_000, exclude_own: true }))
        );
        m.on_reply(Ok(Reply::Pull(PullResponse { events: vec![], next: 9, more: false })), until_ms);
        assert!(matches!(m.poll(until_ms), Step::ApplyPage { next: 9, .. }));
        m.applied();
        assert!(matches!(m.poll(until_ms), Step::Done(Outcome::Complete(Progress { failures: 1, .. }))));
    }
}
