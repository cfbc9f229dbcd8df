//! The campaign's screens (issue 10): sites, rounds and their calendar, the day's sessions, the
//! carry kit, the vial ledger and the mop-up list.

use crate::error::AppError;
use crate::fields::{code_field, date_field};
use crate::types::*;
use crate::views::campaign;
use crate::{App, Clock};
use std::collections::BTreeSet;
use teeka_domain::calendar::{RoundDays, Weekdays, DEFAULT_WORKING_DAYS};
use teeka_domain::{Date, Day};

/// The RI weekdays of a request (`ri_days[i]` named when one is wrong).
pub(crate) fn ri_days_field(days: &[String]) -> Result<Weekdays, AppError> {
    let days: Vec<Day> =
        days.iter().enumerate().map(|(i, d)| code_field(&format!("ri_days[{i}]"), d)).collect::<Result<_, _>>()?;
    let text: Vec<&str> = days.iter().map(|d| d.as_str()).collect();
    Weekdays::parse(&text.join(",")).map_err(|e| AppError::invalid_field("ri_days", e.to_string()))
}

/// The holidays of a request (`holidays[i]` named when one is wrong).
pub(crate) fn holidays_field(days: &[String]) -> Result<BTreeSet<Date>, AppError> {
    days.iter().enumerate().map(|(i, d)| date_field(&format!("holidays[{i}]"), d)).collect()
}

impl App {
    /// `round_calendar`: the strip of a round's days, each marked working, Sunday, RI day or
    /// holiday (`teeka plan calendar`'s days, with the days skipped between them).
    pub fn round_calendar(&mut self, req: RoundCalendarReq, clock: Clock) -> Result<RoundCalendar, AppError> {
        self.guard(&clock)?;
        let round = RoundDays {
            start: date_field("start", &req.start)?,
            working_days: req.working_days.unwrap_or(DEFAULT_WORKING_DAYS),
            ri_days: ri_days_field(req.ri_days.as_deref().unwrap_or_default())?,
            holidays: holidays_field(req.holidays.as_deref().unwrap_or_default())?,
        };
        campaign::calendar(&round).map_err(|e| {
            let field = if matches!(e, teeka_domain::calendar::CalendarError::WorkingDays(_)) {
                "working_days"
            } else {
                "ri_days"
            };
            AppError::invalid_field(field, e.to_string())
        })
    }
}
