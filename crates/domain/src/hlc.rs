//! Hybrid logical clock: orders events across devices whose wall clocks disagree.
//!
//! A stamp is (wall milliseconds, counter). `tick` stamps a local event; `observe` merges a stamp
//! seen from another replica. A stamp never goes backwards on one replica even when the device's
//! clock does, and a stamp always follows every stamp its replica has seen. Ties between replicas
//! are broken by the device id, outside this type. The wall clock is an argument, never read here.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, as far as the clock can tell.
    pub wall_ms: u64,
    /// Orders stamps that share a wall time.
    pub counter: u32,
}

impl Hlc {
    /// The stamp for a new local event, given the last stamp and the wall clock now.
    pub fn tick(self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc { wall_ms: now_ms, counter: 0 }
        } else {
            self.bump()
        }
    }

    /// The clock after seeing `remote`, given the last local stamp and the wall clock now.
    pub fn observe(self, remote: Hlc, now_ms: u64) -> Hlc {
        let wall = self.wall_ms.max(remote.wall_ms).max(now_ms);
        let counter = match (wall == self.wall_ms, wall == remote.wall_ms) {
            (true, true) => self.counter.max(remote.counter).saturating_add(1),
            (true, false) => self.counter.saturating_add(1),
            (false, true) => remote.counter.saturating_add(1),
            (false, false) => 0,
        };
        Hlc { wall_ms: wall, counter }
    }

    fn bump(self) -> Hlc {
        match self.counter.checked_add(1) {
            Some(counter) => Hlc { wall_ms: self.wall_ms, counter },
            None => Hlc { wall_ms: self.wall_ms + 1, counter: 0 },
        }
    }
}

/// Text form: 16 hex digits of wall time, a dot, 8 hex digits of counter. Sorts as the stamp.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}.{:08x}", self.wall_ms, self.counter)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a hybrid logical clock stamp")]
pub struct BadHlc(pub String);

impl FromStr for Hlc {
    type Err = BadHlc;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadHlc(s.to_string());
        let (w, c) = s.split_once('.').ok_or_else(bad)?;
        if w.len() != 16 || c.len() != 8 {
            return Err(bad());
        }
        Ok(Hlc {
            wall_ms: u64::from_str_radix(w, 16).map_err(|_| bad())?,
            counter: u32::from_str_radix(c, 16).map_err(|_| bad())?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Written as 16 hexadecimal digits of wall milliseconds, a dot, and 8 of the counter.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Hlc {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Hlc".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{16}\\.[0-9a-f]{8}$",
            "description": "Hybrid logical clock stamp: 16 hex digits of wall milliseconds, a dot, 8 of the counter",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_clock_that_goes_back_does_not_move_the_stamp_back() {
        let a = Hlc::default().tick(1_000);
        let b = a.tick(500);
        assert!(b > a);
        assert_eq!(b, Hlc { wall_ms: 1_000, counter: 1 });
        assert_eq!(b.tick(2_000), Hlc { wall_ms: 2_000, counter: 0 });
    }

    #[test]
    fn observing_a_stamp_from_the_future_follows_it() {
        let local = Hlc { wall_ms: 1_000, counter: 3 };
        let remote = Hlc { wall_ms: 9_000, counter: 7 };
        let merged = local.observe(remote, 1_200);
        assert!(merged > remote && merged > local);
        assert_eq!(merged, Hlc { wall_ms: 9_000, counter: 8 });
    }

    #[test]
    fn text_form_round_trips_and_sorts() {
        let a = Hlc { wall_ms: 0x18c_0000_0000, counter: 2 };
        let b = Hlc { wall_ms: 0x18c_0000_0000, counter: 10 };
        assert_eq!(a.to_string().parse::<Hlc>(), Ok(a));
        assert!(a.to_string() < b.to_string());
        assert!("12.3".parse::<Hlc>().is_err());
    }

    proptest! {
        #[test]
        fn stamps_strictly_increase(steps in proptest::collection::vec((0u64..10_000, any::<bool>(), 0u64..10_000, 0u32..5), 1..200)) {
            let mut clock = Hlc::default();
            for (now, remote_seen, remote_wall, remote_counter) in steps {
                let remote = Hlc { wall_ms: remote_wall, counter: remote_counter };
                let next = if remote_seen { clock.observe(remote, now) } else { clock.tick(now) };
                prop_assert!(next > clock);
                if remote_seen { prop_assert!(next > remote); }
                prop_assert_eq!(next.to_string().parse::<Hlc>(), Ok(next));
                prop_assert_eq!(next.to_string().cmp(&clock.to_string()), next.cmp(&clock));
                clock = next;
            }
        }
    }
}
