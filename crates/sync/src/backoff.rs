//! The one back-off policy: exponential (doubling from a base up to a ceiling), optionally with
//! jitter. Pure: the caller counts the failures and, for jitter, draws the random number.
//!
//! Three users, each with its own figures (docs/sync-protocol.md, docs/app-api.md):
//! - the sync machine between the requests of one run: 0.5 s up to 30 s, jittered
//!   ([`machine::Config`](crate::machine::Config));
//! - the one-shot requests, enroll and devices: 1, 2, 4, 8 s ([`ONE_SHOT`]);
//! - the app's sync worker between runs: 10 s up to 2 min (`teeka_app`'s schedule).

use std::time::Duration;

/// An exponential back-off: the wait after the `n`-th failure in a row is
/// `min(base · 2ⁿ⁻¹, max)`, or with [`Jitter::Half`] a random point in its upper half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: u64,
    pub max_ms: u64,
    pub jitter: Jitter,
}

/// How a wait is spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly the exponential figure.
    None,
    /// Anywhere in `[exp/2, exp]` ("full jitter" over the upper half): devices that lost the
    /// signal together do not come back together.
    Half,
}

/// The back-off of the one-shot requests (enroll, devices): 1, 2, 4, 8 s.
pub const ONE_SHOT: Backoff = Backoff::exponential(1_000, 8_000);

impl Backoff {
    /// Doubling from `base_ms` up to `max_ms`, without jitter.
    pub const fn exponential(base_ms: u64, max_ms: u64) -> Backoff {
        Backoff { base_ms, max_ms, jitter: Jitter::None }
    }

    /// The same, jittered over the upper half of each wait.
    pub const fn jittered(self) -> Backoff {
        Backoff { jitter: Jitter::Half, ..self }
    }

    /// The longest wait after the `failures`-th failure in a row (counted from 1; 0 counts as 1).
    pub fn ceiling_ms(&self, failures: u32) -> u64 {
        let doublings = failures.saturating_sub(1).min(20);
        self.base_ms.saturating_mul(1 << doublings).min(self.max_ms)
    }

    /// The wait after the `failures`-th failure in a row. `random` is any number drawn by the
    /// caller (see [`Rng`]); it is not used without jitter.
    pub fn delay_ms(&self, failures: u32, random: u64) -> u64 {
        let exp = self.ceiling_ms(failures);
        match self.jitter {
            Jitter::None => exp,
            Jitter::Half => exp / 2 + random % (exp / 2 + 1),
        }
    }

    /// [`Backoff::delay_ms`] as a `Duration`.
    pub fn delay(&self, failures: u32, random: u64) -> Duration {
        Duration::from_millis(self.delay_ms(failures, random))
    }
}

/// A small deterministic random source for jitter (xorshift64): the same seed gives the same
/// waits, so simulations replay exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_up_to_the_ceiling() {
        let b = Backoff::exponential(10_000, 120_000);
        let waits: Vec<u64> = (1..=7).map(|n| b.delay_ms(n, 12345)).collect();
        assert_eq!(waits, [10_000, 20_000, 40_000, 80_000, 120_000, 120_000, 120_000]);
        assert_eq!(b.delay_ms(0, 0), 10_000, "no failure counts as the first");
        assert_eq!(b.delay(2, 0), Duration::from_secs(20));
    }

    #[test]
    fn the_one_shot_requests_wait_one_two_four_eight_seconds() {
        let waits: Vec<u64> = (1..=4).map(|n| ONE_SHOT.delay_ms(n, 0)).collect();
        assert_eq!(waits, [1_000, 2_000, 4_000, 8_000]);
    }

    #[test]
    fn jitter_stays_in_the_upper_half_and_reaches_both_ends() {
        let b = Backoff::exponential(500, 30_000).jittered();
        assert_eq!(b.delay_ms(1, 0), 250);
        assert_eq!(b.delay_ms(1, 250), 500);
        assert_eq!(b.delay_ms(1, 251), 250);
        let mut rng = Rng::new(7);
        for n in 1..=40 {
            let exp = b.ceiling_ms(n);
            let d = b.delay_ms(n, rng.next_u64());
            assert!((exp / 2..=exp).contains(&d), "{n}: {d} not in {}..={exp}", exp / 2);
        }
        assert_eq!(b.ceiling_ms(40), 30_000);
    }

    #[test]
    fn a_huge_count_or_base_saturates_rather_than_overflows() {
        let b = Backoff::exponential(u64::MAX / 2, u64::MAX);
        assert_eq!(b.ceiling_ms(u32::MAX), u64::MAX);
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng::new(42), Rng::new(42));
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(xs, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(0).next_u64(), 0, "a zero seed still moves");
    }
}
