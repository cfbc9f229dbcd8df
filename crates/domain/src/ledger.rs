//! The vial ledger's rules: which vial may be opened at a session, how long an opened vial
//! lasts, and which vials the doses of a chain of sessions came from (for wastage).
//!
//! Teeka does not record the vial each dose was drawn from. Wastage over sessions that pass
//! vials on under the open-vial policy is therefore inferred by [`draw`]: at each session, in
//! order, the doses given of an antigen come first from the vials carried in (oldest first, up
//! to what each has left), then from the vials opened there. A vial's doses count once, at the
//! session that opened it; the doses drawn from it at later sessions count against it
//! (`docs/formats.md`, "Wastage"). Pure: dates, times and counts are arguments.

use crate::codes::{Antigen, DiscardReason};
use crate::dates::{iso, Date};
use crate::facts::InputError;
use crate::kit::{wastage, Vaccine, VaccineTable, Wastage, OPEN_VIAL_DAYS, RECONSTITUTED_HOURS};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Why a vial cannot be opened or discarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// VVM stage 3 or 4: at or past the discard point (domain reference §6.1).
    #[error("vvm: stage {vvm} is at or past the discard point (3 and 4 are): this vial must not be used; discard it and open another")]
    VvmDiscard { vvm: u8 },
    /// An expiry before the session's date.
    #[error("expiry: {} is before the session's date {}: this vial is expired and must not be used", iso(*expiry), iso(*date))]
    Expired { expiry: Date, date: Date },
    /// A vial for an antigen no one at the session is due for.
    #[error("antigen: no one on the due list of {place} on {} is due {antigen}, and no {antigen} dose is recorded at this session: open a vial only for doses due", iso(*date))]
    NoDosesDue { antigen: Antigen, date: Date, place: String },
    /// A vial already discarded.
    #[error("vial: {vial} was already discarded ({reason} at {at})")]
    AlreadyDiscarded { vial: String, reason: DiscardReason, at: String },
    /// Other input that cannot be stored (an impossible VVM stage, a batch too long…).
    #[error(transparent)]
    Input(#[from] InputError),
}

impl LedgerError {
    /// A stable code for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            LedgerError::VvmDiscard { .. } | LedgerError::Expired { .. } => "VIAL_NOT_USABLE",
            LedgerError::NoDosesDue { .. } => "NO_DOSES_DUE",
            LedgerError::AlreadyDiscarded { .. } => "VIAL_DISCARDED",
            LedgerError::Input(_) => "INVALID_INPUT",
        }
    }

    /// The request's field the error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            LedgerError::VvmDiscard { .. } => Some("vvm"),
            LedgerError::Expired { .. } => Some("expiry"),
            LedgerError::NoDosesDue { .. } => Some("antigen"),
            LedgerError::AlreadyDiscarded { .. } => Some("vial"),
            LedgerError::Input(e) => e.field.as_deref(),
        }
    }
}

/// Checks what is written on a vial about to be opened at a session held on `session_date`: a
/// VVM stage from 1 to 4 and not at the discard point (3 or 4), an expiry not before the date.
pub fn check_vial(vvm: Option<u8>, expiry: Option<Date>, session_date: Date) -> Result<(), LedgerError> {
    match vvm {
        Some(v) if !(1..=4).contains(&v) => {
            return Err(InputError::at("vvm", format!("vvm: {v} is not a VVM stage (1 to 4)")).into())
        }
        Some(v) if v >= 3 => return Err(LedgerError::VvmDiscard { vvm: v }),
        _ => {}
    }
    if let Some(expiry) = expiry.filter(|e| *e < session_date) {
        return Err(LedgerError::Expired { expiry, date: session_date });
    }
    Ok(())
}

/// Which limit an open vial is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Reconstituted (BCG, MR, JE): [`RECONSTITUTED_HOURS`] after opening, or the session's end.
    FourHours,
    /// Under the open-vial policy: [`OPEN_VIAL_DAYS`] from opening, at later sessions too.
    TwentyEightDays,
    /// Neither: discarded at the session's end.
    SessionEnd,
}

/// The time left on an open vial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimeLeft {
    pub limit: LimitKind,
    /// Minutes left under the 4-hour limit (0 once past), else `null`.
    pub minutes_left: Option<i64>,
    /// Days of use left under the 28-day limit, the day `on` included (0 once past), else `null`.
    pub days_left: Option<i64>,
    /// Past its limit: must not be used.
    pub past_limit: bool,
}

/// The limit of an opened vial of `antigen` (its row `vaccine` of the table) opened at
/// `opened_at`, at a session held on `opened_on`: minutes at `now` for a reconstituted vial,
/// days on `on` for one under the open-vial policy (opened on the 1st: 1 day left on the 28th,
/// past on the 29th), and an expiry before `on` is past too.
pub fn time_left(
    antigen: Antigen,
    vaccine: Option<&Vaccine>,
    opened_at: DateTime<Utc>,
    opened_on: Date,
    expiry: Option<Date>,
    now: DateTime<Utc>,
    on: Date,
) -> TimeLeft {
    let expired = expiry.is_some_and(|e| e < on);
    if antigen.reconstituted() {
        let end = opened_at + chrono::Duration::hours(RECONSTITUTED_HOURS);
        let seconds = (end - now).num_seconds().max(0);
        let minutes = (seconds + 59) / 60;
        return TimeLeft {
            limit: LimitKind::FourHours,
            minutes_left: Some(minutes),
            days_left: None,
            past_limit: now >= end || expired,
        };
    }
    if vaccine.is_some_and(|v| v.open_vial_policy) {
        let days = OPEN_VIAL_DAYS as i64 - (on - opened_on).num_days();
        return TimeLeft {
            limit: LimitKind::TwentyEightDays,
            minutes_left: None,
            days_left: Some(days.clamp(0, OPEN_VIAL_DAYS as i64)),
            past_limit: days <= 0 || expired,
        };
    }
    TimeLeft { limit: LimitKind::SessionEnd, minutes_left: None, days_left: None, past_limit: expired }
}

/// What closing a session does with a vial still open there (not carried in): `None` keeps it
/// open, carried forward under the open-vial policy; else the reason it is discarded with
/// (`TIME_LIMIT` once the 4 hours of a reconstituted vial passed at `now`, else `SESSION_END`).
pub fn closing_discard(
    antigen: Antigen,
    vaccine: Option<&Vaccine>,
    opened_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DiscardReason> {
    if !antigen.reconstituted() && vaccine.is_some_and(|v| v.open_vial_policy) {
        return None;
    }
    let past = antigen.reconstituted() && now >= opened_at + chrono::Duration::hours(RECONSTITUTED_HOURS);
    Some(if past { DiscardReason::TimeLimit } else { DiscardReason::SessionEnd })
}

/// One opened vial of an antigen in a chain of sessions (indexed in their order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainVial {
    /// The session that opened it.
    pub opened: usize,
    /// The last session it may serve (`opened` for a vial never carried).
    pub last: usize,
    /// Doses it holds.
    pub doses: u32,
}

/// Where the doses given at each session of a chain were drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Drawn {
    /// Doses drawn from each vial, in the order of the vials given.
    pub per_vial: Vec<u32>,
    /// Doses given at each session that no vial there could hold (a data error).
    pub unheld: Vec<u32>,
}

/// Draws the doses `given` at each session of a chain (in order) from its vials: first the
/// vials carried in (opened at an earlier session, `last` not before this one), oldest first,
/// then the vials opened there, each up to what it has left.
pub fn draw(vials: &[ChainVial], given: &[u32]) -> Drawn {
    let mut drawn = Drawn { per_vial: vec![0; vials.len()], unheld: vec![0; given.len()] };
    let mut order: Vec<usize> = (0..vials.len()).collect();
    order.sort_by_key(|&i| (vials[i].opened, i));
    for (step, &n) in given.iter().enumerate() {
        let mut left = n;
        let carried = order.iter().filter(|&&i| vials[i].opened < step && vials[i].last >= step);
        let own = order.iter().filter(|&&i| vials[i].opened == step);
        for &i in carried.chain(own) {
            if left == 0 {
                break;
            }
            let take = left.min(vials[i].doses.saturating_sub(drawn.per_vial[i]));
            drawn.per_vial[i] += take;
            left -= take;
        }
        drawn.unheld[step] = left;
    }
    drawn
}

/// The wastage of `antigen` over the sessions of a chain for which `counted` holds: the vials
/// they opened, the doses drawn from those vials (there or at later sessions they were carried
/// to) and the doses given there that no vial could hold; any of those is a data error.
pub fn chain_wastage(
    antigen: Antigen,
    vials: &[ChainVial],
    given: &[u32],
    counted: impl Fn(usize) -> bool,
    table: &VaccineTable,
) -> Wastage {
    let drawn = draw(vials, given);
    let mut opened = 0u32;
    let mut from_vials = 0u32;
    for (v, d) in vials.iter().zip(&drawn.per_vial) {
        if counted(v.opened) {
            opened += 1;
            from_vials += d;
        }
    }
    let unheld: u32 = drawn.unheld.iter().enumerate().filter(|(s, _)| counted(*s)).map(|(_, n)| n).sum();
    let w = wastage(antigen, opened, from_vials + unheld, table);
    Wastage { data_error: w.data_error || unheld > 0, ..w }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::parse_date(s).unwrap_or_default()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn a_vial_is_checked_before_it_is_opened() {
        let on = d("2026-12-02");
        assert!(check_vial(None, None, on).is_ok());
        assert!(check_vial(Some(2), Some(on), on).is_ok(), "expiring on the day is usable");
        let e = check_vial(Some(5), None, on).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("vvm")));
        assert_eq!(e.to_string(), "vvm: 5 is not a VVM stage (1 to 4)");
        let e = check_vial(Some(3), None, on).unwrap_err();
        assert_eq!((e.code(), e.field()), ("VIAL_NOT_USABLE", Some("vvm")));
        assert!(check_vial(Some(4), None, on).is_err());
        let e = check_vial(Some(1), Some(d("2026-12-01")), on).unwrap_err();
        assert_eq!(e.code(), "VIAL_NOT_USABLE");
        assert!(e.to_string().contains("2026-12-01 is before the session's date 2026-12-02"), "{e}");
    }

    #[test]
    fn a_reconstituted_vial_has_four_hours_and_a_policy_vial_28_days() {
        let t = VaccineTable::default();
        let opened = at("2026-12-02T04:00:00Z");
        let on = d("2026-12-02");
        let bcg = time_left(Antigen::Bcg, t.get(Antigen::Bcg), opened, on, None, at("2026-12-02T07:30:00Z"), on);
        assert_eq!((bcg.limit, bcg.minutes_left, bcg.past_limit), (LimitKind::FourHours, Some(30), false));
        let bcg = time_left(Antigen::Bcg, t.get(Antigen::Bcg), opened, on, None, at("2026-12-02T08:00:00Z"), on);
        assert_eq!((bcg.minutes_left, bcg.past_limit), (Some(0), true), "4 hours after opening: past");
        let penta = |on| time_left(Antigen::Penta, t.get(Antigen::Penta), opened, d("2026-11-01"), None, opened, on);
        assert_eq!(penta(d("2026-11-01")).days_left, Some(28));
        assert_eq!((penta(d("2026-11-28")).days_left, penta(d("2026-11-28")).past_limit), (Some(1), false));
        assert_eq!((penta(d("2026-11-29")).days_left, penta(d("2026-11-29")).past_limit), (Some(0), true));
        let rvv = time_left(Antigen::Rvv, t.get(Antigen::Rvv), opened, on, Some(d("2026-12-01")), opened, on);
        assert_eq!((rvv.limit, rvv.past_limit), (LimitKind::SessionEnd, true), "expired");
    }

    #[test]
    fn closing_carries_policy_vials_and_discards_the_others() {
        let t = VaccineTable::default();
        let opened = at("2026-12-02T04:00:00Z");
        let soon = at("2026-12-02T05:00:00Z");
        let late = at("2026-12-02T09:00:00Z");
        assert_eq!(closing_discard(Antigen::Penta, t.get(Antigen::Penta), opened, late), None);
        assert_eq!(closing_discard(Antigen::Mr, t.get(Antigen::Mr), opened, soon), Some(DiscardReason::SessionEnd));
        assert_eq!(closing_discard(Antigen::Mr, t.get(Antigen::Mr), opened, late), Some(DiscardReason::TimeLimit));
        assert_eq!(closing_discard(Antigen::Rvv, t.get(Antigen::Rvv), opened, late), Some(DiscardReason::SessionEnd));
    }

    #[test]
    fn doses_come_from_carried_vials_first_and_count_at_the_session_that_opened_them() {
        let t = VaccineTable::default();
        // Session 0 opens one 10-dose Penta vial and gives 6; it is carried to session 1, which
        // gives 7: 4 from the carried vial, 3 from a vial it opens.
        let vials = [ChainVial { opened: 0, last: 1, doses: 10 }, ChainVial { opened: 1, last: 1, doses: 10 }];
        let given = [6, 7];
        assert_eq!(draw(&vials, &given), Drawn { per_vial: vec![10, 3], unheld: vec![0, 0] });
        let first = chain_wastage(Antigen::Penta, &vials, &given, |s| s == 0, &t);
        assert_eq!((first.vials_opened, first.doses_given, first.rate, first.data_error), (1, 10, Some(0.0), false));
        let second = chain_wastage(Antigen::Penta, &vials, &given, |s| s == 1, &t);
        assert_eq!((second.doses_given, second.rate), (3, Some(70.0)));
        let both = chain_wastage(Antigen::Penta, &vials, &given, |_| true, &t);
        assert_eq!((both.vials_opened, both.doses_given, both.rate), (2, 13, Some(35.0)));
    }

    #[test]
    fn a_vial_not_carried_serves_only_its_session_and_more_doses_than_vials_are_flagged() {
        let t = VaccineTable::default();
        // The vial of session 0 is not carried (last 0): session 1's 4 doses have no vial.
        let vials = [ChainVial { opened: 0, last: 0, doses: 5 }];
        let given = [3, 4];
        assert_eq!(draw(&vials, &given).unheld, vec![0, 4]);
        let w = chain_wastage(Antigen::Mr, &vials, &given, |s| s == 1, &t);
        assert_eq!((w.vials_opened, w.doses_given, w.rate, w.data_error), (0, 4, None, true));
        let w = chain_wastage(Antigen::Mr, &vials, &[7], |_| true, &t);
        assert_eq!((w.doses_given, w.rate, w.data_error), (7, Some(-40.0), true), "negative and flagged");
    }
}
