//! The adaptive window: how many events go in one push, or are asked for in one pull page, the
//! way TCP's congestion window adapts. Pure: the machine measures each round trip with the times
//! the driver feeds it and tells the window what happened.
//!
//! The rule (docs/sync-protocol.md, "Adaptive batches"), with a target round trip `T`:
//! - start at [`WindowRule::start`];
//! - an answer in at most `T/2`, for a request that used the whole window: **grow** by the factor
//!   that would bring it to `T/2` at its pace, `(T/2) / elapsed`, at least 2 and at most
//!   [`MAX_GROWTH`] (never past [`WindowRule::max`], nor past what a `TOO_LARGE` showed): a fast
//!   link reaches its size in few round trips, which on a link with latency are what costs;
//! - an answer in `(T/2, T]`: **hold**;
//! - an answer slower than `T`, or no answer at all (a cut, a timeout, a retryable refusal):
//!   **halve**, not below [`WindowRule::min`];
//! - `TOO_LARGE` for `n > 1` items: **halve** to `n/2` whatever `min` says, and stay at or below
//!   that for the rest of the run (an older server's lower limit is learnt once); for one item:
//!   nothing left to halve, the item is set aside, and the limit learnt from the halvings that led
//!   to it is forgotten (the item was too large, not the batches);
//! - a queue of at most twice the window goes whole ([`Window::whole_queue_limit`]; the machine
//!   reads the outbox again), rather than leave a rest that costs a round trip of its own.
//!
//! Why the band is stable: a round trip costs a fixed part (latency, commits) plus a part
//! proportional to the items, so a batch `f` times as large takes at most `f` times as long.
//! Growing by `f ≤ (T/2) / elapsed` from an answer within `T/2` lands within `T/2`, and doubling
//! (when `(T/2) / elapsed` is below 2) within `T`; halving from an answer above `T` lands above
//! `T/2`. A steady link settles in the band instead of oscillating.

use teeka_protocol::{MAX_PULL_EVENTS, MAX_PUSH_EVENTS};

/// The target round trip of both windows: 3 s.
pub const TARGET_MS: u64 = 3_000;

/// The most a window grows by after one fast answer: eight times (a request of 250 events
/// answered in 20 ms would allow 75 times as many, but the pace of a small request says little
/// of a large one's).
pub const MAX_GROWTH: usize = 8;

/// The push window: 250 events at first, 50 to [`MAX_PUSH_EVENTS`].
///
/// 250 is safe on 2G: at 64 kbit/s with 250 ms each way, 250 events are about 6 KB up (24 B an
/// event) and 3 KB of answer (12 B an event), so a round trip takes about 1.7 s (2.2 s with a new
/// connection), inside the band, and a cut resends at most about a second of transfer (a day's
/// work of 500 doses still goes in one push: [`Window::whole_queue_limit`]). Below 50 events a
/// request is mostly its latency and its HTTP heads, so halving further would cost more than it
/// saves.
pub const PUSH: WindowRule = WindowRule { start: 250, min: 50, max: MAX_PUSH_EVENTS, target_ms: TARGET_MS };

/// The pull window: 500 events at first, 100 to [`MAX_PULL_EVENTS`] (the server's cap of a page).
/// A page of 500 events is about 12 KB (24 B an event): 2 s on the same 2G link, inside the band.
pub const PULL: WindowRule = WindowRule { start: 500, min: 100, max: MAX_PULL_EVENTS as usize, target_ms: TARGET_MS };

/// The figures of one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowRule {
    /// The size of the first request.
    pub start: usize,
    /// The floor of halving after a slow answer or a failure (not after `TOO_LARGE`).
    pub min: usize,
    /// The ceiling: the protocol's limit.
    pub max: usize,
    /// The target round trip, in milliseconds.
    pub target_ms: u64,
}

impl WindowRule {
    /// A window that never moves but for `TOO_LARGE`, which still halves it.
    pub const fn fixed(n: usize) -> WindowRule {
        WindowRule { start: n, min: n, max: n, target_ms: TARGET_MS }
    }
}

/// An adaptive window after the round trips it was told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    rule: WindowRule,
    size: usize,
    /// The largest size this run may use: the rule's `max`, lowered by `TOO_LARGE`.
    ceiling: usize,
    /// The ceiling before the `TOO_LARGE` answers in a row now going on.
    before_halving: Option<usize>,
}

/// What to do after a `TOO_LARGE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLarge {
    /// The window was halved: send again with the smaller window.
    Halved,
    /// The request held one item: set it aside.
    SetAside,
}

impl Window {
    /// A window at the rule's start. The rule is made sound: `max` at least 1, `min` within
    /// `1..=max`, `start` within `min..=max`.
    pub fn new(rule: WindowRule) -> Window {
        let max = rule.max.max(1);
        let min = rule.min.clamp(1, max);
        let rule = WindowRule { start: rule.start.clamp(min, max), min, max, ..rule };
        Window { rule, size: rule.start, ceiling: max, before_halving: None }
    }

    /// Items to send or ask for now.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The most a push may hold when it takes a short queue whole: twice the window, within the
    /// ceiling (so never past the limit, nor past what a `TOO_LARGE` showed; a fixed window's is
    /// its size).
    pub fn whole_queue_limit(&self) -> usize {
        self.size.saturating_mul(2).min(self.ceiling)
    }

    /// The rule after [`Window::new`] made it sound.
    pub fn rule(&self) -> WindowRule {
        self.rule
    }

    /// An answer came `elapsed_ms` after the request was sent. `full`: the request used the whole
    /// window (a push of `size` events; a pull page with more after it); only such a request
    /// shows that a larger one would be quick too.
    pub fn answered(&mut self, elapsed_ms: u64, full: bool) {
        self.before_halving = None;
        if elapsed_ms > self.rule.target_ms {
            self.shrink();
        } else if full && elapsed_ms <= self.rule.target_ms / 2 {
            let pace = (self.rule.target_ms / 2) / elapsed_ms.max(1);
            let factor = usize::try_from(pace).unwrap_or(MAX_GROWTH).clamp(2, MAX_GROWTH);
            self.size = self.size.saturating_mul(factor).min(self.ceiling);
        }
    }

    /// No answer (a cut, a timeout, a retryable refusal): the slowest answer of all.
    pub fn failed(&mut self) {
        self.before_halving = None;
        self.shrink();
    }

    /// The server answered `TOO_LARGE` to a request of `sent` items.
    pub fn too_large(&mut self, sent: usize) -> TooLarge {
        if sent <= 1 {
            if let Some(ceiling) = self.before_halving.take() {
                self.ceiling = ceiling;
            }
            self.size = self.size.min(self.ceiling);
            return TooLarge::SetAside;
        }
        if self.before_halving.is_none() {
            self.before_halving = Some(self.ceiling);
        }
        self.size = (self.size.min(sent) / 2).max(1);
        self.ceiling = self.ceiling.min(self.size);
        TooLarge::Halved
    }

    /// Halve, not below the floor, and never grow.
    fn shrink(&mut self) {
        self.size = (self.size / 2).max(self.rule.min).min(self.size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: WindowRule = WindowRule { start: 250, min: 50, max: 10_000, target_ms: 3_000 };

    #[test]
    fn fast_full_answers_double_up_to_the_limit() {
        let mut w = Window::new(RULE);
        let mut sizes = vec![w.size()];
        for _ in 0..8 {
            w.answered(1_500, true);
            sizes.push(w.size());
        }
        assert_eq!(sizes, [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
    }

    #[test]
    fn faster_answers_grow_the_window_more_up_to_eight_times() {
        let mut w = Window::new(RULE);
        w.answered(500, true);
        assert_eq!(w.size(), 750, "(T/2) / 500 ms: three times");
        w.answered(10, true);
        assert_eq!(w.size(), 6_000, "150 times would be allowed: eight");
        w.answered(0, true);
        assert_eq!(w.size(), 10_000, "not past the limit");
        let mut w = Window::new(RULE);
        w.answered(1_000, true);
        assert_eq!(w.size(), 500, "(T/2) / 1,000 ms is 1.5: at least double");
    }

    #[test]
    fn a_fast_answer_to_a_request_that_did_not_fill_the_window_proves_nothing() {
        let mut w = Window::new(RULE);
        w.answered(10, false);
        assert_eq!(w.size(), 250);
    }

    #[test]
    fn answers_within_the_band_hold_and_slow_ones_halve_down_to_the_floor() {
        let mut w = Window::new(RULE);
        w.answered(1_501, true);
        w.answered(3_000, true);
        assert_eq!(w.size(), 250, "within (T/2, T]: hold");
        let mut sizes = Vec::new();
        for _ in 0..5 {
            w.answered(3_001, true);
            sizes.push(w.size());
        }
        assert_eq!(sizes, [125, 62, 50, 50, 50]);
        w.failed();
        assert_eq!(w.size(), 50, "a failure halves too, not below the floor");
        let mut w = Window::new(RULE);
        w.failed();
        assert_eq!(w.size(), 125);
    }

    #[test]
    fn too_large_halves_below_the_floor_and_caps_the_run() {
        // Answers at T/2: doubling, to 4,000.
        let mut w = Window::new(RULE);
        for _ in 0..4 {
            w.answered(1_500, true);
        }
        assert_eq!(w.size(), 4_000);
        // An older server whose limit is 2,000 events.
        assert_eq!(w.too_large(4_000), TooLarge::Halved);
        assert_eq!(w.size(), 2_000);
        for _ in 0..3 {
            w.answered(1_500, true);
        }
        assert_eq!(w.size(), 2_000, "the limit it showed holds for the run");
        // Halving from what was sent, when that was less than the window.
        assert_eq!(w.too_large(300), TooLarge::Halved);
        assert_eq!(w.size(), 150);
        let mut halvings = Vec::new();
        while w.too_large(w.size()) == TooLarge::Halved {
            halvings.push(w.size());
        }
        assert_eq!(halvings, [75, 37, 18, 9, 4, 2, 1], "down to one, past the floor of 50");
        // One item alone too large: set aside; the halvings it caused are forgotten, the older
        // server's limit is not.
        assert_eq!(w.size(), 1);
        for _ in 0..20 {
            w.answered(1_500, true);
        }
        assert_eq!(w.size(), 2_000);
    }

    #[test]
    fn a_single_large_event_does_not_shrink_the_rest_of_the_run() {
        let mut w = Window::new(RULE);
        let mut sent = w.size();
        while w.too_large(sent) == TooLarge::Halved {
            sent = w.size();
        }
        assert_eq!(w.size(), 1);
        for _ in 0..20 {
            w.answered(10, true);
        }
        assert_eq!(w.size(), 10_000);
    }

    #[test]
    fn a_short_queue_may_go_whole_up_to_twice_the_window_within_the_ceiling() {
        let mut w = Window::new(RULE);
        assert_eq!(w.whole_queue_limit(), 500);
        for _ in 0..6 {
            w.answered(10, true);
        }
        assert_eq!((w.size(), w.whole_queue_limit()), (10_000, 10_000));
        w.too_large(10_000);
        assert_eq!((w.size(), w.whole_queue_limit()), (5_000, 5_000), "not past what TOO_LARGE showed");
        assert_eq!(Window::new(WindowRule::fixed(7)).whole_queue_limit(), 7);
    }

    #[test]
    fn a_fixed_window_moves_only_for_too_large() {
        let mut w = Window::new(WindowRule::fixed(7));
        w.answered(1, true);
        w.answered(60_000, true);
        w.failed();
        assert_eq!(w.size(), 7);
        assert_eq!(w.too_large(7), TooLarge::Halved);
        assert_eq!(w.size(), 3);
    }

    #[test]
    fn an_unsound_rule_is_made_sound() {
        let w = Window::new(WindowRule { start: 0, min: 0, max: 0, target_ms: 0 });
        assert_eq!((w.size(), w.rule().min, w.rule().max), (1, 1, 1));
        let w = Window::new(WindowRule { start: 90_000, min: 20, max: 100, target_ms: 1 });
        assert_eq!(w.size(), 100);
        let w = Window::new(WindowRule { start: 1, min: 500, max: 100, target_ms: 1 });
        assert_eq!((w.size(), w.rule().min), (100, 100));
    }

    #[test]
    fn the_protocols_limits_bound_the_default_windows() {
        assert_eq!(PUSH.max, MAX_PUSH_EVENTS);
        assert_eq!(PULL.max, MAX_PULL_EVENTS as usize);
        // Sound as written: Window::new has nothing to correct.
        assert_eq!(Window::new(PUSH).rule(), PUSH);
        assert_eq!(Window::new(PULL).rule(), PULL);
    }
}
