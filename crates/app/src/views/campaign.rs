//! The campaign's screens (issue 10): a round's calendar strip, built with the domain's rules
//! (`teeka_domain::calendar`); reads only.

use chrono::{Datelike, Weekday};
use serde::Serialize;
use teeka_domain::calendar::{CalendarError, RoundDays};
use teeka_domain::plan::PlanProblem;
use teeka_domain::{Date, Day, NotHeldReason, SiteType};
use teeka_store::{RoundPlan, RoundRecord};

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

/// A round with its calendar as it is now (holidays declared since it was made included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Round {
    pub number: u32,
    pub start: Date,
    pub working_days: u32,
    pub ri_days: Vec<Day>,
    pub holidays: Vec<Date>,
    pub calendar: RoundCalendar,
}

/// A round read from the store, with its strip.
pub fn round(r: RoundRecord) -> Result<Round, CalendarError> {
    let calendar = calendar(&r.round_days())?;
    Ok(Round {
        number: r.number,
        start: r.start,
        working_days: r.working_days,
        ri_days: r.ri_days,
        holidays: r.holidays,
        calendar,
    })
}

/// A site as the plan sees it: its due list's size and its sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PlanSite {
    pub site_id: String,
    pub name: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub site_type: SiteType,
    pub anm: Option<String>,
    pub villages: Vec<String>,
    /// Beneficiaries on the round's due list in its villages.
    pub due: u32,
    pub injections: u32,
    pub sessions: u32,
}

/// One session of the round's plan: which site, which day, how many expected, and what
/// happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PlanSession {
    pub site_id: String,
    pub site_name: String,
    pub day: Date,
    /// 1-based, among the site's sessions in the round.
    pub number: u32,
    pub injections: u32,
    /// How many beneficiaries are expected (the register ids are not sent).
    pub expected: u32,
    pub not_held: Option<NotHeldReason>,
    pub note: Option<String>,
    /// The day the plan first gave it, when it was moved.
    pub moved_from: Option<Date>,
}

/// A round's plan for the screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RoundPlanView {
    pub round: Round,
    pub sites: Vec<PlanSite>,
    pub sessions: Vec<PlanSession>,
    pub problems: Vec<PlanProblem>,
}

/// The plan with its round.
pub fn plan(round: Round, p: RoundPlan) -> RoundPlanView {
    RoundPlanView {
        round,
        sites: p
            .sites
            .into_iter()
            .map(|s| PlanSite {
                site_id: s.site_id,
                name: s.name,
                site_type: s.site_type,
                anm: s.anm,
                villages: s.villages,
                due: s.due,
                injections: s.injections,
                sessions: s.sessions,
            })
            .collect(),
        sessions: p
            .sessions
            .into_iter()
            .map(|s| PlanSession {
                site_id: s.site_id,
                site_name: s.site_name,
                day: s.day,
                number: s.number,
                injections: s.injections,
                expected: u32::try_from(s.expected.len()).unwrap_or(u32::MAX),
                not_held: s.not_held,
                note: s.note,
                moved_from: s.moved_from,
            })
            .collect(),
        problems: p.problems,
    }
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
