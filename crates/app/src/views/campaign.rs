//! The campaign's screens (issue 10): a round's calendar strip, built with the domain's rules
//! (`teeka_domain::calendar`); reads only.

use chrono::{Datelike, Weekday};
use serde::Serialize;
use teeka_domain::calendar::{CalendarError, RoundDays};
use teeka_domain::Date;

/// What a day of a round's calendar strip is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A working day of the round: sessions are held.
    Working,
    Sunday,
    /// The area's routine-immunization day: skipped by the round.
    RiDay,
    /// A day declared a holiday: skipped.
    Holiday,
}

/// One day of the strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CalendarDay {
    pub date: Date,
    pub kind: DayKind,
    /// 1 to the round's working days, on a working day; `null` on a day skipped.
    pub working_day: Option<u32>,
}

/// A round's calendar: every day from its start to its last working day, each marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RoundCalendar {
    pub days: Vec<CalendarDay>,
    /// The working days only, in order (the `days` of `teeka plan calendar`).
    pub working: Vec<Date>,
}

/// The strip of `round`: [`RoundDays::days`] with the days it skips between them.
pub fn calendar(round: &RoundDays) -> Result<RoundCalendar, CalendarError> {
    let working = round.days()?;
    let mut days = Vec::new();
    let mut n = 0;
    if let Some(last) = working.last().copied() {
        let mut day = round.start;
        while day <= last {
            let kind = if round.holidays.contains(&day) {
                DayKind::Holiday
            } else if day.weekday() == Weekday::Sun {
                DayKind::Sunday
            } else if round.ri_days.contains(day.weekday()) {
                DayKind::RiDay
            } else {
                DayKind::Working
            };
            let working_day = (kind == DayKind::Working).then(|| {
                n += 1;
                n
            });
            days.push(CalendarDay { date: day, kind, working_day });
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    Ok(RoundCalendar { days, working })
}

#[cfg(test)]
mod tests {
    use super::*;
    use teeka_domain::calendar::Weekdays;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn imi_round_one_with_ri_days_and_a_holiday() {
        // IMI 2.0 round 1 started on Monday 2019-12-02; RI on Wednesday and Saturday, a holiday
        // on Tuesday the 3rd.
        let round = RoundDays {
            start: d("2019-12-02"),
            working_days: 7,
            ri_days: Weekdays::parse("wed,sat").unwrap(),
            holidays: [d("2019-12-03")].into_iter().collect(),
        };
        let c = calendar(&round).unwrap();
        let kinds: Vec<(String, DayKind, Option<u32>)> =
            c.days.iter().map(|x| (x.date.format("%d").to_string(), x.kind, x.working_day)).collect();
        use DayKind::*;
        assert_eq!(
            kinds,
            [
                ("02".into(), Working, Some(1)),
                ("03".into(), Holiday, None),
                ("04".into(), RiDay, None),
                ("05".into(), Working, Some(2)),
                ("06".into(), Working, Some(3)),
                ("07".into(), RiDay, None),
                ("08".into(), Sunday, None),
                ("09".into(), Working, Some(4)),
                ("10".into(), Working, Some(5)),
                ("11".into(), RiDay, None),
                ("12".into(), Working, Some(6)),
                ("13".into(), Working, Some(7)),
            ]
        );
        assert_eq!(c.working.len(), 7);
        assert_eq!(c.working.last(), Some(&d("2019-12-13")));
    }
}
