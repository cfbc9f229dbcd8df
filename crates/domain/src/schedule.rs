//! The National Immunization Schedule as data, and the engine that reads it.
//!
//! [`SCHEDULE`] is a table: one [`DoseRule`] per dose code, with the age it may first be given,
//! the age it is due, the age it expires, the dose of its series it must follow (and the minimum
//! interval), and the one condition, if any, that decides whether it applies at all. The choices
//! made where the reference is unverified or in conflict are written in `docs/schedule.md`.
//!
//! [`evaluate`] gives every dose of one beneficiary a [`DoseState`] on a date. It is pure: the
//! date, the history and the settings are arguments.

use crate::codes::{DoseCode, Kind};
use crate::dates::{Age, Date};
use serde::{Deserialize, Serialize};

/// The date a rule's ages count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The child's date of birth.
    Birth,
    /// The first day of the pregnant woman's last menstrual period.
    Lmp,
}

/// The dose a rule must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Nothing: the first dose of its series.
    Nothing,
    /// The given dose, at least this long before.
    Dose(DoseCode, Age),
    /// The third primary DPT-containing dose: PENTA3 when the child started Penta, else DPT3.
    DtpPrimary(Age),
}

/// When a rule applies at all; otherwise its dose is `not_applicable` (unless it was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    /// Only where the village is JE-endemic (a village setting).
    JeEndemic,
    /// DPT1–3: only for a child past the first birthday who never had Penta.
    DptCatchUp,
    /// fIPV-3: only for a child who had an fIPV dose before the first birthday, and not for a
    /// child whose MR-1 was given before fIPV-3 was introduced.
    FipvThird,
    /// fIPV-2: only for a child whose fIPV-1 was given before the first birthday ("no fIPV
    /// before 1 year: give none").
    FipvSecond,
    /// Td-1 and Td-2: not once a Td booster was given in this pregnancy.
    TdPrimary,
    /// Td booster: chosen by the ANM from the woman's history (two doses in a pregnancy within
    /// three years); never due by itself, and not once Td-1 was given.
    TdBooster,
}

/// One dose of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoseRule {
    pub code: DoseCode,
    pub anchor: Anchor,
    /// Youngest age at which the dose is valid.
    pub earliest: Age,
    /// Age at which the dose is due.
    pub due: Age,
    /// Age at which the dose expires: from that day on it is no longer given.
    pub expires: Option<Age>,
    pub after: After,
    pub condition: Condition,
}

/// fIPV-3 was introduced on 1 January 2023: a child whose MR-1 was given before that date does
/// not get it (reference §1.1, [fIPV-2023]).
pub const FIPV3_INTRODUCED: (i32, u32, u32) = (2023, 1, 1);

use After::{Dose, DtpPrimary, Nothing};
use Age::{Days, Months, Weeks, Years};
use Anchor::{Birth, Lmp};
use Condition::*;
use DoseCode as C;

const fn rule(
    code: DoseCode,
    anchor: Anchor,
    earliest: Age,
    due: Age,
    expires: Option<Age>,
    after: After,
    condition: Condition,
) -> DoseRule {
    DoseRule { code, anchor, earliest, due, expires, after, condition }
}

const fn child(code: DoseCode, at: Age, expires: Age, after: After) -> DoseRule {
    rule(code, Birth, at, at, Some(expires), after, Always)
}

/// The schedule, in the order of [`DoseCode::ALL`]. Every rule's `after` dose comes before it.
#[rustfmt::skip]
pub const SCHEDULE: [DoseRule; 42] = [
    // At birth.
    child(C::Bcg,    Days(0),  Years(1), Nothing),
    child(C::Hepb0,  Days(0),  Days(2),  Nothing),   // within 24 hours: the day of birth or the next
    child(C::Opv0,   Days(0),  Days(16), Nothing),   // within the first 15 days
    // 6, 10, 14 weeks.
    child(C::Opv1,   Weeks(6),  Years(5), Nothing),
    child(C::Opv2,   Weeks(10), Years(5), Dose(C::Opv1, Weeks(4))),
    child(C::Opv3,   Weeks(14), Years(5), Dose(C::Opv2, Weeks(4))),
    child(C::Penta1, Weeks(6),  Years(1), Nothing),
    child(C::Penta2, Weeks(10), Years(7), Dose(C::Penta1, Weeks(4))),
    child(C::Penta3, Weeks(14), Years(7), Dose(C::Penta2, Weeks(4))),
    child(C::Rvv1,   Weeks(6),  Years(1), Nothing),
    child(C::Rvv2,   Weeks(10), Years(5), Dose(C::Rvv1, Weeks(4))),
    child(C::Rvv3,   Weeks(14), Years(5), Dose(C::Rvv2, Weeks(4))),
    child(C::Fipv1,  Weeks(6),  Years(1), Nothing),
    rule(C::Fipv2, Birth, Weeks(14), Weeks(14), Some(Years(5)), Dose(C::Fipv1, Weeks(8)), FipvSecond),
    rule(C::Fipv3, Birth, Months(9), Months(9), Some(Years(5)), Dose(C::Fipv2, Weeks(4)), FipvThird),
    child(C::Pcv1,   Weeks(6),  Years(1), Nothing),
    child(C::Pcv2,   Weeks(14), Years(5), Dose(C::Pcv1, Weeks(8))),
    child(C::Pcvb,   Months(9), Years(5), Dose(C::Pcv2, Weeks(8))),
    // 9 completed months and 16 months.
    child(C::Mr1,    Months(9),  Years(5), Nothing),
    child(C::Mr2,    Months(16), Years(5), Dose(C::Mr1, Weeks(4))),
    rule(C::Je1, Birth, Months(9),  Months(9),  Some(Years(15)), Nothing, JeEndemic),
    rule(C::Je2, Birth, Months(16), Months(16), Some(Years(15)), Dose(C::Je1, Weeks(4)), JeEndemic),
    // Catch-up for a child past one year who never had Penta.
    rule(C::Dpt1, Birth, Years(1), Years(1), Some(Years(7)), Nothing, DptCatchUp),
    rule(C::Dpt2, Birth, Years(1), Years(1), Some(Years(7)), Dose(C::Dpt1, Weeks(4)), DptCatchUp),
    rule(C::Dpt3, Birth, Years(1), Years(1), Some(Years(7)), Dose(C::Dpt2, Weeks(4)), DptCatchUp),
    // Boosters.
    child(C::Dptb1,  Months(16), Years(7), DtpPrimary(Months(6))),
    child(C::Dptb2,  Years(5),   Years(7), Dose(C::Dptb1, Months(6))),
    child(C::Opvb,   Months(16), Years(5), Dose(C::Opv3, Months(6))),
    // Vitamin A: with MR-1, at 16 months, then every 6 months up to 5 years.
    child(C::Vita1,  Months(9),  Years(5), Nothing),
    child(C::Vita2,  Months(16), Years(5), Dose(C::Vita1, Months(6))),
    child(C::Vita3,  Months(22), Years(5), Dose(C::Vita2, Months(6))),
    child(C::Vita4,  Months(28), Years(5), Dose(C::Vita3, Months(6))),
    child(C::Vita5,  Months(34), Years(5), Dose(C::Vita4, Months(6))),
    child(C::Vita6,  Months(40), Years(5), Dose(C::Vita5, Months(6))),
    child(C::Vita7,  Months(46), Years(5), Dose(C::Vita6, Months(6))),
    child(C::Vita8,  Months(52), Years(5), Dose(C::Vita7, Months(6))),
    child(C::Vita9,  Months(58), Years(5), Dose(C::Vita8, Months(6))),
    // Td at 10 and 16 years.
    child(C::Td10,   Years(10), Years(16), Nothing),
    child(C::Td16,   Years(16), Years(18), Nothing),
    // Pregnant women, counted from the LMP; due by the end of the first trimester, given until
    // the expected date of delivery (LMP + 280 days).
    rule(C::Td1, Lmp, Days(0), Weeks(12), Some(Days(281)), Nothing, TdPrimary),
    rule(C::Td2, Lmp, Days(0), Weeks(12), Some(Days(281)), Dose(C::Td1, Weeks(4)), TdPrimary),
    rule(C::Tdb, Lmp, Days(0), Weeks(12), Some(Days(281)), Nothing, TdBooster),
];

/// The rule of a dose code.
pub fn rule_of(code: DoseCode) -> &'static DoseRule {
    &SCHEDULE[code.index()]
}

/// The child's dose due last in the schedule (Td at 16 years): a person past its due age is no
/// child of the schedule, and a date of birth before that is refused
/// ([`crate::facts::check_dob`]). Ages of different units compare through the dates they give
/// from one start (any: a month or a year is never shorter than the days it stands for here).
pub fn last_child_dose() -> Option<&'static DoseRule> {
    let start = Date::from_ymd_opt(2000, 1, 1)?;
    SCHEDULE.iter().filter(|r| r.anchor == Anchor::Birth).max_by_key(|r| r.due.after(start))
}

/// The doses a kind of beneficiary can receive, in schedule order.
pub fn codes_for(kind: Kind) -> impl Iterator<Item = DoseCode> {
    DoseCode::ALL.iter().copied().filter(move |c| c.kind() == kind)
}

/// Settings the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSettings {
    /// Days after its due date at which a dose not given becomes overdue.
    pub overdue_grace_days: u32,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings { overdue_grace_days: 28 }
    }
}

/// Who the engine evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub kind: Kind,
    /// Date of birth for a child, LMP for a pregnant woman.
    pub anchor: Date,
    /// Whether the beneficiary's village is JE-endemic.
    pub je_endemic: bool,
}

/// The status of one dose on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DoseStatus {
    Given,
    Due,
    Overdue,
    Upcoming,
    Expired,
    NotApplicable,
}

impl DoseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DoseStatus::Given => "given",
            DoseStatus::Due => "due",
            DoseStatus::Overdue => "overdue",
            DoseStatus::Upcoming => "upcoming",
            DoseStatus::Expired => "expired",
            DoseStatus::NotApplicable => "not_applicable",
        }
    }

    /// Due or overdue: the dose belongs on today's due list.
    pub fn is_actionable(self) -> bool {
        matches!(self, DoseStatus::Due | DoseStatus::Overdue)
    }
}

/// One dose's state on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DoseState {
    pub code: DoseCode,
    pub status: DoseStatus,
    /// When given: the date it was given. Otherwise the date it is (or was, or will be) due.
    pub due_on: Option<Date>,
    /// The date the dose was given, if it was.
    pub given_on: Option<Date>,
    /// The latest date on which an earlier dose of the same series was given.
    pub last_on: Option<Date>,
}

/// A dose on record: what the engine needs of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Given {
    pub code: DoseCode,
    pub date: Date,
}

/// Evaluates every dose for the subject's kind on `on`, from the doses given (in any order;
/// doses dated after `on` are ignored, so that a past date sees the past).
pub fn evaluate(subject: &Subject, history: &[Given], on: Date, settings: &ScheduleSettings) -> Vec<DoseState> {
    evaluate_with(subject, &AnchorDates::new(subject.anchor), history, on, settings)
}

/// The dates an anchor gives every rule. Computing them (calendar month arithmetic) is most of
/// the cost of [`evaluate`], and beneficiaries born on the same day share them: build them once
/// per anchor date and pass them to [`evaluate_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorDates {
    anchor: Date,
    earliest: [Option<Date>; 42],
    due: [Option<Date>; 42],
    expires: [Option<Date>; 42],
    first_birthday: Option<Date>,
}

impl AnchorDates {
    pub fn new(anchor: Date) -> AnchorDates {
        let mut d = AnchorDates {
            anchor,
            earliest: [None; 42],
            due: [None; 42],
            expires: [None; 42],
            first_birthday: Age::Years(1).after(anchor),
        };
        for (i, rule) in SCHEDULE.iter().enumerate() {
            d.earliest[i] = rule.earliest.after(anchor);
            d.due[i] = rule.due.after(anchor);
            d.expires[i] = rule.expires.and_then(|e| e.after(anchor));
        }
        d
    }

    /// The first birthday (for a child's anchor).
    pub fn first_birthday(&self) -> Option<Date> {
        self.first_birthday
    }
}

/// [`evaluate`] with the anchor's dates already computed. `dates` must be for `subject.anchor`.
pub fn evaluate_with(
    subject: &Subject,
    dates: &AnchorDates,
    history: &[Given],
    on: Date,
    settings: &ScheduleSettings,
) -> Vec<DoseState> {
    let mut out = Vec::with_capacity(42);
    evaluate_into(subject, dates, history, on, settings, &mut out);
    out
}

/// [`evaluate_with`] into a buffer the caller reuses (cleared first): a due list of a block
/// evaluates tens of thousands of beneficiaries.
pub fn evaluate_into(
    subject: &Subject,
    dates: &AnchorDates,
    history: &[Given],
    on: Date,
    settings: &ScheduleSettings,
    out: &mut Vec<DoseState>,
) {
    debug_assert_eq!(dates.anchor, subject.anchor);
    out.clear();
    let mut given: [Option<Date>; 42] = [None; 42];
    for g in history {
        if g.date <= on && g.code.kind() == subject.kind {
            let slot = &mut given[g.code.index()];
            *slot = Some(slot.map_or(g.date, |d| d.min(g.date)));
        }
    }
    let mut states: [Option<DoseState>; 42] = [None; 42];
    for rule in SCHEDULE.iter().filter(|r| r.code.kind() == subject.kind) {
        let s = evaluate_one(rule, subject, dates, &given, &states, on, settings);
        states[rule.code.index()] = Some(s);
        out.push(s);
    }
}

fn evaluate_one(
    rule: &DoseRule,
    subject: &Subject,
    dates: &AnchorDates,
    given: &[Option<Date>; 42],
    states: &[Option<DoseState>],
    on: Date,
    settings: &ScheduleSettings,
) -> DoseState {
    let prev_code = match rule.after {
        Nothing => None,
        Dose(code, interval) => Some((code, interval)),
        DtpPrimary(interval) => Some((dtp_primary_third(states), interval)),
    };
    // The latest earlier dose of the series: the previous dose, or the latest before it.
    let last_on = prev_code.and_then(|(p, _)| given[p.index()].max(states[p.index()].and_then(|s| s.last_on)));
    let state = |status, due_on| DoseState { code: rule.code, status, due_on, given_on: None, last_on };
    if let Some(date) = given[rule.code.index()] {
        return DoseState {
            code: rule.code,
            status: DoseStatus::Given,
            due_on: Some(date),
            given_on: Some(date),
            last_on,
        };
    }
    if !condition_holds(rule, subject, dates.first_birthday, given, on) {
        return state(DoseStatus::NotApplicable, None);
    }
    let i = rule.code.index();
    let (Some(mut eligible), Some(mut due)) = (dates.earliest[i], dates.due[i]) else {
        return state(DoseStatus::NotApplicable, None);
    };
    let expires = dates.expires[i];
    // The previous dose of the series: given (its date counts), or still to come (then this dose
    // waits for it), or never to come (then neither will this one).
    let mut waiting = false;
    if let Some((prev, interval)) = prev_code {
        let prev_state = states[prev.index()];
        let prev_date = match prev_state {
            Some(DoseState { status: DoseStatus::Given, given_on: Some(d), .. }) => d,
            Some(DoseState {
                status: DoseStatus::Due | DoseStatus::Overdue | DoseStatus::Upcoming,
                due_on: Some(d),
                ..
            }) => {
                waiting = true;
                d.max(on)
            }
            _ => return state(DoseStatus::NotApplicable, None),
        };
        let Some(earliest_after) = interval.after(prev_date) else {
            return state(DoseStatus::NotApplicable, None);
        };
        eligible = eligible.max(earliest_after);
        due = due.max(earliest_after);
    }
    if let Some(exp) = expires {
        if on >= exp {
            return state(DoseStatus::Expired, Some(due));
        }
        if eligible >= exp {
            // It could only become valid after it expires: it will never be given.
            return state(DoseStatus::NotApplicable, None);
        }
    }
    if waiting || on < eligible {
        // An upcoming dose shows the date it becomes due (eligible); the due date proper only
        // differs for Td, which may be given from the LMP but is due by 12 weeks.
        return state(DoseStatus::Upcoming, Some(eligible));
    }
    let overdue_from = due.checked_add_days(chrono::Days::new(u64::from(settings.overdue_grace_days)));
    if overdue_from.is_some_and(|o| on >= o) {
        state(DoseStatus::Overdue, Some(due))
    } else {
        state(DoseStatus::Due, Some(due))
    }
}

fn condition_holds(
    rule: &DoseRule,
    subject: &Subject,
    first_birthday: Option<Date>,
    given: &[Option<Date>; 42],
    on: Date,
) -> bool {
    let has = |c: DoseCode| given[c.index()].is_some();
    // No fIPV on record, or one given before the first birthday.
    let fipv_started_in_time = |codes: &[DoseCode]| {
        let mut dates = codes.iter().filter_map(|c| given[c.index()]).peekable();
        dates.peek().is_none() || dates.any(|d| first_birthday.is_some_and(|b| d < b))
    };
    match rule.condition {
        Always => true,
        JeEndemic => subject.je_endemic,
        DptCatchUp => {
            let any_penta = has(C::Penta1) || has(C::Penta2) || has(C::Penta3);
            !any_penta && first_birthday.is_some_and(|b| on >= b)
        }
        FipvSecond => fipv_started_in_time(&[C::Fipv1]),
        FipvThird => {
            let introduced =
                chrono::NaiveDate::from_ymd_opt(FIPV3_INTRODUCED.0, FIPV3_INTRODUCED.1, FIPV3_INTRODUCED.2);
            let mr1_before_rollout = matches!((given[C::Mr1.index()], introduced), (Some(m), Some(i)) if m < i);
            let rolled_out = introduced.is_some_and(|i| on >= i);
            fipv_started_in_time(&[C::Fipv1, C::Fipv2]) && rolled_out && !mr1_before_rollout
        }
        TdPrimary => !has(C::Tdb),
        TdBooster => false,
    }
}

/// The date `code` would have been due had every earlier dose of its series been given on time
/// after the ones actually given: its due age, and each missing earlier dose due on its own
/// on-time date plus the series' interval. `first` holds the first date each dose was given (on
/// or before the date evaluated); a dose given answers its own date. `None` when a date cannot
/// be computed (past the calendar's end). The drop-out cohorts use it: a child who missed the
/// middle dose of a series is still past the later dose's date, and a first dose given late
/// moves that date on instead of making a drop-out of the child at once.
pub fn on_time_due(
    code: DoseCode,
    dates: &AnchorDates,
    first: &[Option<Date>; 42],
    states: &[DoseState],
) -> Option<Date> {
    if let Some(d) = first[code.index()] {
        return Some(d);
    }
    let due = dates.due[code.index()]?;
    let prev = match rule_of(code).after {
        Nothing => return Some(due),
        Dose(prev, interval) => (prev, interval),
        DtpPrimary(interval) => {
            let dpt = states.iter().any(|s| s.code == C::Dpt3 && s.status != DoseStatus::NotApplicable);
            (if dpt { C::Dpt3 } else { C::Penta3 }, interval)
        }
    };
    let after_prev = prev.1.after(on_time_due(prev.0, dates, first, states)?)?;
    Some(due.max(after_prev))
}

/// The third primary DPT-containing dose a booster follows: DPT3 for a child on the DPT
/// catch-up series, PENTA3 otherwise.
fn dtp_primary_third(states: &[Option<DoseState>]) -> DoseCode {
    match states[C::Dpt3.index()] {
        Some(s) if s.status != DoseStatus::NotApplicable => C::Dpt3,
        _ => C::Penta3,
    }
}

/// Left-out, drop-out or up to date, from the vaccine doses (vitamin A does not count). A
/// pregnant woman is classified by Td ([`classify`]). "Up to date" is the classification alone:
/// doses may be due now (not yet overdue); the screens show how many beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Classification {
    /// A child: no vaccine received and at least one dose overdue. A pregnant woman: no Td.
    LeftOut,
    /// A child: at least one vaccine received and at least one dose overdue. A pregnant woman:
    /// Td-1 without Td-2 once Td-2 is due.
    DropOut,
    /// A child: nothing overdue. A pregnant woman: protected (Td-2 or a Td booster given), or
    /// Td-1 given and Td-2 not yet due.
    UpToDate,
}

impl Classification {
    /// Every classification, in declaration order.
    pub const ALL: [Classification; 3] = [Classification::LeftOut, Classification::DropOut, Classification::UpToDate];

    pub fn as_str(self) -> &'static str {
        match self {
            Classification::LeftOut => "left_out",
            Classification::DropOut => "drop_out",
            Classification::UpToDate => "up_to_date",
        }
    }
}

/// Classifies from evaluated states (all of one beneficiary's kind, as [`evaluate`] gives them).
///
/// A child by overdue doses: left out with none received, a drop-out with some. A pregnant
/// woman by Td, since her window is short (a dose due now may be the last chance before
/// delivery): left out with no Td at all, whatever is due; a drop-out with Td-1 and no Td-2 once
/// Td-2 is due (4 weeks after Td-1) or past; up to date with Td-2 or a Td booster (one booster
/// protects a woman vaccinated in a pregnancy within 3 years), or Td-1 with Td-2 not yet due.
pub fn classify(states: &[DoseState]) -> Classification {
    if states.iter().any(|s| s.code.kind() == Kind::PregnantWoman) {
        return classify_td(states);
    }
    let vaccines = states.iter().filter(|s| s.code.is_vaccine());
    let (mut received, mut overdue) = (false, false);
    for s in vaccines {
        received |= s.status == DoseStatus::Given;
        overdue |= s.status == DoseStatus::Overdue;
    }
    match (received, overdue) {
        (false, true) => Classification::LeftOut,
        (true, true) => Classification::DropOut,
        _ => Classification::UpToDate,
    }
}

fn classify_td(states: &[DoseState]) -> Classification {
    let status = |code: DoseCode| states.iter().find(|s| s.code == code).map(|s| s.status);
    let given = |code: DoseCode| status(code) == Some(DoseStatus::Given);
    if given(C::Td2) || given(C::Tdb) {
        Classification::UpToDate
    } else if !given(C::Td1) {
        Classification::LeftOut
    } else if matches!(status(C::Td2), Some(DoseStatus::Due | DoseStatus::Overdue | DoseStatus::Expired)) {
        Classification::DropOut
    } else {
        Classification::UpToDate
    }
}

/// The doses that make a fully immunized child when all are given before the first birthday.
pub const FIC_DOSES: [DoseCode; 8] = [C::Bcg, C::Opv1, C::Opv2, C::Opv3, C::Penta1, C::Penta2, C::Penta3, C::Mr1];

/// BCG, OPV1–3, Penta1–3 and MR1 all given before the first birthday (and on or before `on`).
pub fn fully_immunized(dob: Date, history: &[Given], on: Date) -> bool {
    fully_immunized_by(Age::Years(1).after(dob), history, on)
}

/// [`fully_immunized`] given the first birthday (see [`AnchorDates::first_birthday`]).
pub fn fully_immunized_by(first_birthday: Option<Date>, history: &[Given], on: Date) -> bool {
    let Some(birthday) = first_birthday else { return false };
    FIC_DOSES.iter().all(|code| history.iter().any(|g| g.code == *code && g.date < birthday && g.date <= on))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_code_order_and_every_series_points_backwards() {
        for (i, r) in SCHEDULE.iter().enumerate() {
            assert_eq!(r.code.index(), i, "{:?} out of place", r.code);
            if let Dose(prev, _) = r.after {
                assert!(prev.index() < i, "{:?} follows a later dose", r.code);
                assert_eq!(prev.kind(), r.code.kind());
            }
            assert_eq!(r.anchor == Lmp, r.code.kind() == Kind::PregnantWoman);
            let start = Date::default();
            assert!(r.earliest.after(start) <= r.due.after(start), "{:?} due before it may be given", r.code);
        }
    }
}
