//! A campaign round's calendar: its working days, counted from its first day, skipping Sundays,
//! the routine-immunization (RI) days of the area and the holidays.
//!
//! IMI 2.0's rounds were "seven working days, excluding Sundays, holidays and routine
//! immunization days" (`../shared/docs/domain-reference.md` §3.2). Pure: the dates are arguments.

use crate::dates::{iso, Date};
use chrono::{Datelike, Weekday};
use std::collections::BTreeSet;
use std::fmt;

/// The most working days a round may have (a round is a week or two of work, not a season).
pub const MAX_WORKING_DAYS: u32 = 31;

/// The working days of IMI rounds unless told otherwise.
pub const DEFAULT_WORKING_DAYS: u32 = 7;

/// Why a calendar cannot be made. Each has a stable [`CalendarError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("'{0}' is not a weekday: write mon, tue, wed, thu, fri, sat or sun")]
    Weekday(String),
    #[error("{0} working days: a round has 1 to {MAX_WORKING_DAYS}")]
    WorkingDays(u32),
    #[error("every day of the week is a Sunday, an RI day or a holiday: no working day can be found")]
    NoWorkingDay,
    #[error("holidays, line {line}: {problem}")]
    Holiday { line: usize, problem: String },
}

impl CalendarError {
    /// The stable code: bad input, in the one vocabulary of codes.
    pub fn code(&self) -> &'static str {
        "INVALID_INPUT"
    }
}

/// The days of the week a round skips besides Sunday, e.g. the RI days Wednesday and Saturday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weekdays(BTreeSet<u32>);

impl Weekdays {
    /// Parses `wed,sat` (three-letter or full English names, any case; empty: none).
    pub fn parse(text: &str) -> Result<Weekdays, CalendarError> {
        let mut days = BTreeSet::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            days.insert(parse_weekday(part)?.num_days_from_monday());
        }
        Ok(Weekdays(days))
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.0.contains(&day.num_days_from_monday())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The weekdays of a stored round (`RoundDefined.ri_days`).
    pub fn of(days: &[crate::codes::Day]) -> Weekdays {
        Weekdays(days.iter().map(|d| d.weekday().num_days_from_monday()).collect())
    }

    /// The weekdays as codes, Monday first (what `RoundDefined.ri_days` stores).
    pub fn days(&self) -> Vec<crate::codes::Day> {
        self.0.iter().filter_map(|d| crate::codes::Day::ALL.get(*d as usize).copied()).collect()
    }
}

impl fmt::Display for Weekdays {
    /// `wed,sat`: the form [`Weekdays::parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().filter_map(|d| WEEKDAYS.get(*d as usize).copied()).collect();
        f.write_str(&names.join(","))
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One weekday: `wed` or `wednesday`, any case.
pub fn parse_weekday(text: &str) -> Result<Weekday, CalendarError> {
    text.trim().parse::<Weekday>().map_err(|_| CalendarError::Weekday(text.trim().to_string()))
}

/// The short name of a weekday as the CLI and the files write it (`wed`).
pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize]
}

/// Reads a holidays file: one `YYYY-MM-DD` per line; `#` starts a comment; blank lines are
/// skipped. Every bad line is reported with its number (the first one is returned).
pub fn parse_holidays(text: &str) -> Result<BTreeSet<Date>, CalendarError> {
    let mut out = BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let problem = || CalendarError::Holiday {
            line: i + 1,
            problem: format!("'{line}' is not a date: write one YYYY-MM-DD per line"),
        };
        if line.len() != 10 {
            return Err(problem());
        }
        let date = Date::parse_from_str(line, "%Y-%m-%d").map_err(|_| problem())?;
        out.insert(date);
    }
    Ok(out)
}

/// What a round's calendar is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundDays {
    /// The round's first day (a day it skips moves the start to the next working day).
    pub start: Date,
    pub working_days: u32,
    /// Skipped besides Sundays.
    pub ri_days: Weekdays,
    pub holidays: BTreeSet<Date>,
}

impl RoundDays {
    /// Whether the round works on `day`: not a Sunday, not an RI day, not a holiday.
    pub fn works_on(&self, day: Date) -> bool {
        let w = day.weekday();
        w != Weekday::Sun && !self.ri_days.contains(w) && !self.holidays.contains(&day)
    }

    /// The round's working days, in order, from its start.
    pub fn days(&self) -> Result<Vec<Date>, CalendarError> {
        if !(1..=MAX_WORKING_DAYS).contains(&self.working_days) {
            return Err(CalendarError::WorkingDays(self.working_days));
        }
        if (0..7).all(|d| self.ri_days.0.contains(&d) || d == Weekday::Sun.num_days_from_monday()) {
            return Err(CalendarError::NoWorkingDay);
        }
        // At most 6 of 7 days skipped by weekday, and the holidays: the walk ends.
        let mut out = Vec::with_capacity(self.working_days as usize);
        let mut day = self.start;
        while out.len() < self.working_days as usize {
            if self.works_on(day) {
                out.push(day);
            }
            day = day.succ_opt().ok_or(CalendarError::NoWorkingDay)?;
        }
        Ok(out)
    }
}

/// The days as `YYYY-MM-DD` texts (the JSON of `teeka plan calendar`).
pub fn iso_days(days: &[Date]) -> Vec<String> {
    days.iter().map(|d| iso(*d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::parse_date(s).unwrap_or_default()
    }

    fn round(start: &str, holidays: &[&str]) -> RoundDays {
        RoundDays {
            start: d(start),
            working_days: DEFAULT_WORKING_DAYS,
            ri_days: Weekdays::parse("wed,sat").unwrap_or_default(),
            holidays: holidays.iter().map(|h| d(h)).collect(),
        }
    }

    fn days(r: &RoundDays) -> Vec<String> {
        iso_days(&r.days().unwrap_or_default())
    }

    /// IMI 2.0's four rounds (2 Dec 2019, 6 Jan, 3 Feb and 2 Mar 2020; domain reference §3.2),
    /// seven working days each without Sundays and the RI days Wednesday and Saturday.
    #[test]
    fn imi_2_rounds() {
        assert_eq!(
            days(&round("2019-12-02", &[])),
            ["2019-12-02", "2019-12-03", "2019-12-05", "2019-12-06", "2019-12-09", "2019-12-10", "2019-12-12"]
        );
        assert_eq!(
            days(&round("2020-01-06", &[])),
            ["2020-01-06", "2020-01-07", "2020-01-09", "2020-01-10", "2020-01-13", "2020-01-14", "2020-01-16"]
        );
        assert_eq!(
            days(&round("2020-02-03", &[])),
            ["2020-02-03", "2020-02-04", "2020-02-06", "2020-02-07", "2020-02-10", "2020-02-11", "2020-02-13"]
        );
        // Holi fell on Tuesday 10 March 2020: the round takes Thursday 12 and Friday 13 instead.
        assert_eq!(
            days(&round("2020-03-02", &[])),
            ["2020-03-02", "2020-03-03", "2020-03-05", "2020-03-06", "2020-03-09", "2020-03-10", "2020-03-12"]
        );
        assert_eq!(
            days(&round("2020-03-02", &["2020-03-10"])),
            ["2020-03-02", "2020-03-03", "2020-03-05", "2020-03-06", "2020-03-09", "2020-03-12", "2020-03-13"]
        );
    }

    #[test]
    fn a_start_on_a_skipped_day_moves_to_the_next_working_day() {
        // 1 December 2019 was a Sunday.
        assert_eq!(days(&round("2019-12-01", &[]))[0], "2019-12-02");
        let r = RoundDays { working_days: 3, ri_days: Weekdays::default(), ..round("2019-12-07", &[]) };
        assert_eq!(days(&r), ["2019-12-07", "2019-12-09", "2019-12-10"], "Saturday counts when it is no RI day");
    }

    #[test]
    fn impossible_calendars_are_refused() {
        let r = RoundDays { working_days: 0, ..round("2019-12-02", &[]) };
        assert_eq!(r.days(), Err(CalendarError::WorkingDays(0)));
        let r = RoundDays { working_days: 32, ..round("2019-12-02", &[]) };
        assert_eq!(r.days(), Err(CalendarError::WorkingDays(32)));
        let every = Weekdays::parse("mon,tue,wed,thu,fri,sat").unwrap_or_default();
        let r = RoundDays { ri_days: every, ..round("2019-12-02", &[]) };
        assert_eq!(r.days(), Err(CalendarError::NoWorkingDay));
    }

    #[test]
    fn weekdays_read_short_and_long_names() {
        let w = Weekdays::parse(" Wed,saturday ").unwrap_or_default();
        assert_eq!(w.to_string(), "wed,sat");
        assert!(w.contains(Weekday::Wed) && w.contains(Weekday::Sat) && !w.contains(Weekday::Mon));
        assert!(Weekdays::parse("").unwrap_or_default().is_empty());
        assert_eq!(Weekdays::parse("wed,someday"), Err(CalendarError::Weekday("someday".into())));
        assert_eq!(weekday_name(Weekday::Thu), "thu");
    }

    #[test]
    fn weekdays_go_to_codes_and_back() {
        let w = Weekdays::parse("sat,wed").unwrap_or_default();
        assert_eq!(w.days(), [crate::codes::Day::Wed, crate::codes::Day::Sat]);
        assert_eq!(Weekdays::of(&w.days()), w);
        assert!(Weekdays::of(&[]).is_empty());
    }

    #[test]
    fn holidays_files_have_comments_and_located_errors() {
        let text = "# State holidays 2020\n2020-03-10  # Holi\n\n2020-01-26\n";
        let h = parse_holidays(text).unwrap_or_default();
        assert_eq!(iso_days(&h.into_iter().collect::<Vec<_>>()), ["2020-01-26", "2020-03-10"]);
        let err = parse_holidays("2020-03-10\n10/03/2020\n").unwrap_err();
        assert_eq!(err.to_string(), "holidays, line 2: '10/03/2020' is not a date: write one YYYY-MM-DD per line");
        assert!(matches!(parse_holidays("2020-02-30"), Err(CalendarError::Holiday { line: 1, .. })));
    }
}
