//! Calendar dates as workers write them, and ages as the schedule counts them.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A calendar date (no time, no zone): what a worker writes on a card.
pub type Date = NaiveDate;

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date: write YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY")]
    Format(String),
    #[error("'{0}' is an impossible date (no such month, or no such day in that month)")]
    Impossible(String),
}

/// Parses `YYYY-MM-DD`, `DD/MM/YYYY` or `DD-MM-YYYY` (day and month may have one digit).
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let t = text.trim();
    let format = || DateError::Format(t.to_string());
    let parts: Vec<&str> = if t.contains('/') { t.split('/').collect() } else { t.split('-').collect() };
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format());
    }
    let (y, m, d) = if parts[0].len() == 4 && !t.contains('/') {
        if parts[1].len() > 2 || parts[2].len() > 2 {
            return Err(format());
        }
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 && parts[0].len() <= 2 && parts[1].len() <= 2 {
        (parts[2], parts[1], parts[0])
    } else {
        return Err(format());
    };
    let (y, m, d): (i32, u32, u32) = match (y.parse(), m.parse(), d.parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return Err(format()),
    };
    if !(1900..=9999).contains(&y) {
        return Err(DateError::Impossible(t.to_string()));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DateError::Impossible(t.to_string()))
}

/// Formats a date as `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An age or interval as the schedule states it.
///
/// Weeks are 7-day steps. Months and years are calendar months and years: "9 completed months"
/// after 15 March is 15 December. Where the day does not exist in the target month (31 January
/// plus one month) the last day of that month is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Age {
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
}

impl Age {
    /// The date this age is reached from `start`. `None` only past the calendar's end.
    pub fn after(self, start: Date) -> Option<Date> {
        match self {
            Age::Days(n) => start.checked_add_days(Days::new(u64::from(n))),
            Age::Weeks(n) => start.checked_add_days(Days::new(7 * u64::from(n))),
            Age::Months(n) => start.checked_add_months(Months::new(n)),
            Age::Years(n) => start.checked_add_months(Months::new(12 * n)),
        }
    }

    /// Human text such as "6 weeks" or "9 months".
    pub fn describe(self) -> String {
        let (n, unit) = match self {
            Age::Days(n) => (n, "day"),
            Age::Weeks(n) => (n, "week"),
            Age::Months(n) => (n, "month"),
            Age::Years(n) => (n, "year"),
        };
        format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// Completed calendar months from `from` to `to` (0 if `to` is earlier).
pub fn completed_months(from: Date, to: Date) -> u32 {
    if to < from {
        return 0;
    }
    let mut months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if months > 0 && Age::Months(months as u32).after(from).is_some_and(|d| d > to) {
        months -= 1;
    }
    months.max(0) as u32
}

/// An age as an ANM says it: the parts to say, the others zero. From five years on, years
/// only ("6 years"); from one year, years and months ("1 yr 2 mo"); from one month, completed
/// months ("7 months"); under a month, whole weeks from three weeks on ("3 weeks") and days
/// before that ("16 days": the birth doses are counted in days). Months are completed calendar
/// months, as the schedule counts them ([`completed_months`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgeParts {
    pub years: u32,
    pub months: u32,
    pub weeks: u32,
    pub days: u32,
}

/// The age on `today` of someone born on `dob`, as an ANM says it ([`AgeParts`]); `None` when
/// `dob` is after `today`.
pub fn age_on(dob: Date, today: Date) -> Option<AgeParts> {
    if dob > today {
        return None;
    }
    let months = completed_months(dob, today);
    if months >= 60 {
        return Some(AgeParts { years: months / 12, ..AgeParts::default() });
    }
    if months >= 12 {
        return Some(AgeParts { years: months / 12, months: months % 12, ..AgeParts::default() });
    }
    if months >= 1 {
        return Some(AgeParts { months, ..AgeParts::default() });
    }
    let days = u32::try_from((today - dob).num_days()).unwrap_or(0);
    if days >= 21 {
        Some(AgeParts { weeks: days / 7, ..AgeParts::default() })
    } else {
        Some(AgeParts { days, ..AgeParts::default() })
    }
}

/// Completed weeks of pregnancy on `today` from the LMP (gestational age, as the MCP card
/// counts it); `None` when the LMP is after `today`.
pub fn pregnancy_weeks(lmp: Date, today: Date) -> Option<u32> {
    u32::try_from((today - lmp).num_days()).ok().map(|d| d / 7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_three_formats_parse() {
        assert_eq!(parse_date("2025-03-09"), Ok(d(2025, 3, 9)));
        assert_eq!(parse_date("09/03/2025"), Ok(d(2025, 3, 9)));
        assert_eq!(parse_date("9/3/2025"), Ok(d(2025, 3, 9)));
        assert_eq!(parse_date("09-03-2025"), Ok(d(2025, 3, 9)));
        assert_eq!(parse_date(" 2024-02-29 "), Ok(d(2024, 2, 29)));
    }

    #[test]
    fn impossible_and_malformed_dates_are_told_apart() {
        assert!(matches!(parse_date("2025-02-29"), Err(DateError::Impossible(_))));
        assert!(matches!(parse_date("31/04/2025"), Err(DateError::Impossible(_))));
        assert!(matches!(parse_date("2025-13-01"), Err(DateError::Impossible(_))));
        assert!(matches!(parse_date("0000-01-01"), Err(DateError::Impossible(_))));
        for bad in ["", "2025", "2025/03/09", "03-2025-09", "tomorrow", "2025-3-9x", "1-1-25", "+1-01-2025"] {
            assert!(matches!(parse_date(bad), Err(DateError::Format(_))), "{bad}");
        }
    }

    #[test]
    fn ages_use_weeks_of_seven_days_and_calendar_months() {
        let dob = d(2025, 1, 31);
        assert_eq!(Age::Weeks(6).after(dob), Some(d(2025, 3, 14)));
        assert_eq!(Age::Months(1).after(dob), Some(d(2025, 2, 28)));
        assert_eq!(Age::Months(9).after(d(2025, 3, 15)), Some(d(2025, 12, 15)));
        assert_eq!(Age::Years(1).after(d(2024, 2, 29)), Some(d(2025, 2, 28)));
        assert_eq!(Age::Days(16).after(dob), Some(d(2025, 2, 16)));
    }

    #[test]
    fn completed_months_counts_whole_months() {
        assert_eq!(completed_months(d(2025, 3, 15), d(2025, 12, 14)), 8);
        assert_eq!(completed_months(d(2025, 3, 15), d(2025, 12, 15)), 9);
        assert_eq!(completed_months(d(2025, 3, 15), d(2025, 3, 1)), 0);
        assert_eq!(completed_months(d(2025, 1, 31), d(2025, 2, 28)), 1);
    }

    #[test]
    fn ages_are_said_in_completed_months_years_weeks_or_days() {
        let a = |y, m, w, dd| Some(AgeParts { years: y, months: m, weeks: w, days: dd });
        let dob = d(2025, 3, 15);
        assert_eq!(age_on(dob, d(2025, 3, 15)), a(0, 0, 0, 0));
        assert_eq!(age_on(dob, d(2025, 3, 31)), a(0, 0, 0, 16));
        assert_eq!(age_on(dob, d(2025, 4, 5)), a(0, 0, 3, 0));
        assert_eq!(age_on(dob, d(2025, 4, 14)), a(0, 0, 4, 0));
        assert_eq!(age_on(dob, d(2025, 4, 15)), a(0, 1, 0, 0));
        assert_eq!(age_on(dob, d(2025, 10, 14)), a(0, 6, 0, 0));
        assert_eq!(age_on(dob, d(2025, 10, 15)), a(0, 7, 0, 0));
        assert_eq!(age_on(dob, d(2026, 3, 14)), a(0, 11, 0, 0));
        assert_eq!(age_on(dob, d(2026, 5, 20)), a(1, 2, 0, 0));
        assert_eq!(age_on(dob, d(2030, 3, 14)), a(4, 11, 0, 0));
        assert_eq!(age_on(dob, d(2031, 9, 1)), a(6, 0, 0, 0));
        assert_eq!(age_on(dob, d(2025, 3, 14)), None);
    }

    #[test]
    fn month_ends_and_leap_days_count_like_the_schedule() {
        let a = |y, m| Some(AgeParts { years: y, months: m, weeks: 0, days: 0 });
        // Born on 31 January: a month is reached on the last day of February.
        assert_eq!(age_on(d(2025, 1, 31), d(2025, 2, 27)), Some(AgeParts { weeks: 3, ..AgeParts::default() }));
        assert_eq!(age_on(d(2025, 1, 31), d(2025, 2, 28)), a(0, 1));
        assert_eq!(age_on(d(2025, 1, 31), d(2025, 4, 30)), a(0, 3));
        // Born on a leap day: the first birthday is 28 February.
        assert_eq!(age_on(d(2024, 2, 29), d(2025, 2, 27)), a(0, 11));
        assert_eq!(age_on(d(2024, 2, 29), d(2025, 2, 28)), a(1, 0));
        assert_eq!(age_on(d(2024, 2, 29), d(2028, 2, 29)), a(4, 0));
        // 29 days in a leap February.
        assert_eq!(age_on(d(2024, 2, 1), d(2024, 2, 29)), Some(AgeParts { weeks: 4, ..AgeParts::default() }));
        assert_eq!(age_on(d(2024, 2, 1), d(2024, 3, 1)), a(0, 1));
    }

    #[test]
    fn weeks_of_pregnancy_are_completed_weeks_from_the_lmp() {
        assert_eq!(pregnancy_weeks(d(2025, 1, 1), d(2025, 1, 7)), Some(0));
        assert_eq!(pregnancy_weeks(d(2025, 1, 1), d(2025, 1, 8)), Some(1));
        assert_eq!(pregnancy_weeks(d(2025, 1, 1), d(2025, 7, 16)), Some(28));
        assert_eq!(pregnancy_weeks(d(2025, 1, 2), d(2025, 1, 1)), None);
    }
}
