//! The round report: what a block or district task force reviews each evening of a round, for
//! any area of the hierarchy, from the register and the round's records alone.
//!
//! Every figure is counted per village, and an area's figures are the sums of its villages'
//! (so of its child areas'); rates and shares are computed from the summed counts, never
//! averaged. The device (from its store) and the server (from its log) hand the same plain
//! records to [`round_report`]. Pure: `on` and `now` are arguments. Definitions:
//! `docs/formats.md`, "Round report".

use crate::codes::{
    ActivityKind, AefiSeverity, Antigen, AreaLevel, CaseStatus, DoseCode, Kind, NotHeldReason, Persuader, ReasonCode,
    VisitAction, VisitOutcome,
};
use crate::dates::Date;
use crate::kit::{wastage, VaccineTable, Wastage};
use crate::plan::round_due_list;
use crate::report::{coverage, dropout, in_fic_cohort, percent, DropOuts, Fic, Person};
use crate::schedule::{fully_immunized, Given, ScheduleSettings};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub use crate::monitor_fold::{report_parts, Monitor, PartsError, ReportParts};
pub use crate::monitor_render::{report_csv, report_table, REPORT_CSV_COLUMNS};

/// An area below this share of its due list vaccinated (percent) is on the red list.
pub const LOW_COVERAGE_PERCENT: f64 = 80.0;
/// An open case older than this many days is on the red list.
pub const OLD_CASE_DAYS: i64 = 3;
/// A device not synced for this many hours is marked.
pub const STALE_HOURS: i64 = 24;
/// A device whose clock is off by more than this many seconds is marked.
pub const CLOCK_OFF_SECONDS: i64 = 300;

// ----- what the report reads -----

/// An area of the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaNode {
    pub id: Uuid,
    pub parent: Option<Uuid>,
    pub level: AreaLevel,
    pub name: String,
}

/// A round as it stands: its number and its working days now, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundFrame {
    pub number: u32,
    pub days: Vec<Date>,
}

/// A beneficiary with its household and village (canonical ids) and its doses standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub beneficiary: Uuid,
    pub household: Uuid,
    pub village: Uuid,
    pub person: Person,
    pub given: Vec<Given>,
}

/// A refusal standing (a not-given record with a refusal reason, not corrected nor withdrawn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub beneficiary: Uuid,
    pub code: DoseCode,
    pub date: Date,
    pub reason: ReasonCode,
}

/// A session the round's plan holds (after holidays, moves and not-held marks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRef {
    pub site_id: String,
    pub site_name: String,
    /// The first of the villages the site serves: where its sessions are counted.
    pub village: Uuid,
    pub day: Date,
    pub not_held: Option<NotHeldReason>,
}

/// A session that was opened, with what it recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldSession {
    pub session: Uuid,
    /// The village it was opened at (a site's first village).
    pub village: Uuid,
    /// The microplan site it was held at (`None`: a routine session).
    pub site_id: Option<String>,
    pub date: Date,
    /// Its dose and not-given records standing.
    pub records: u32,
    /// Doses given at it, by antigen.
    pub doses: Vec<(Antigen, u32)>,
    /// Vials opened at it, by antigen (the vial ledger's, or the counts given at its closing).
    pub vials: Vec<(Antigen, u32)>,
}

/// An AEFI report as it stands (its severity after its edits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AefiRef {
    pub register_id: String,
    pub village: Uuid,
    pub date: Date,
    pub severity: AefiSeverity,
}

/// Who is to persuade a family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assignment {
    pub persuader: Persuader,
    pub name: Option<String>,
}

/// A visit to a resistant family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Visit {
    pub id: Uuid,
    pub date: Date,
    pub by: Persuader,
    pub by_name: Option<String>,
    pub action: VisitAction,
    pub outcome: VisitOutcome,
    pub note: Option<String>,
}

/// A resistant family's case file as recorded: assignment, visits and escalation (its refusals
/// and doses are the register's).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFacts {
    pub household: Uuid,
    pub assigned: Option<Assignment>,
    pub visits: Vec<Visit>,
    /// The day it was escalated to the block task force (and not withdrawn).
    pub escalated: Option<Date>,
}

/// A communication activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRef {
    pub village: Uuid,
    pub date: Date,
    pub kind: ActivityKind,
    pub attendance: u32,
}

/// A device the server knows (the server's report only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRef {
    /// The area it is enrolled for.
    pub area: Uuid,
    pub last_sync: Option<DateTime<Utc>>,
    /// Its clock less the server's at its last sync, in seconds.
    pub clock_offset_seconds: Option<i64>,
    pub revoked: bool,
}

/// Everything [`round_report`] reads.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub round: &'a RoundFrame,
    pub on: Date,
    /// The server's time, for the devices' last syncs (`None` on a device: no device figures).
    pub now: Option<DateTime<Utc>>,
    pub areas: &'a [AreaNode],
    pub members: &'a [Member],
    pub refusals: &'a [Refusal],
    pub planned: &'a [PlannedRef],
    pub sessions: &'a [HeldSession],
    pub aefi: &'a [AefiRef],
    pub cases: &'a [CaseFacts],
    pub activities: &'a [ActivityRef],
    pub devices: &'a [DeviceRef],
    pub table: &'a VaccineTable,
    pub settings: &'a ScheduleSettings,
}

/// What [`round_report`] refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitorError {
    #[error("the area {0} is not known")]
    UnknownArea(Uuid),
    #[error("round {0} has no working days")]
    EmptyRound(u32),
}

impl MonitorError {
    pub fn code(&self) -> &'static str {
        match self {
            MonitorError::UnknownArea(_) => "UNKNOWN_AREA",
            MonitorError::EmptyRound(_) => "UNKNOWN_ROUND",
        }
    }
}

// ----- case files -----

/// Where a case stands on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseState {
    pub status: CaseStatus,
    /// The first refusal standing.
    pub opened_on: Date,
    /// The first dose given, of a dose a member refused, on or after that refusal and after the
    /// family's latest refusal.
    pub persuaded_on: Option<Date>,
    /// The last visit said "persuaded" and no refused dose is given yet.
    pub agreed_on: Option<Date>,
    pub last_visit: Option<Date>,
    pub visits: u32,
    pub escalated_on: Option<Date>,
}

/// The state of a family's case on `on`, from its members' refusals standing (`refusals`, with
/// the doses of each member by `given_of`) and its visits; `None` without a refusal by `on`.
///
/// Persuaded when a refused dose has been given since (on or after its refusal, and not before
/// the family's latest refusal): the doses show it, whatever the visits say. Otherwise the last
/// visit decides: migrated, still refusing, or open (also when it said "persuaded" and the dose
/// is still awaited: `agreed_on`).
pub fn case_state<'a>(
    refusals: &[Refusal],
    given_of: impl Fn(Uuid) -> &'a [Given],
    visits: &[Visit],
    escalated: Option<Date>,
    on: Date,
) -> Option<CaseState> {
    let standing: Vec<&Refusal> = refusals.iter().filter(|r| r.date <= on).collect();
    let opened_on = standing.iter().map(|r| r.date).min()?;
    let latest = standing.iter().map(|r| r.date).max().unwrap_or(opened_on);
    let persuaded_on = standing
        .iter()
        .flat_map(|r| {
            given_of(r.beneficiary)
                .iter()
                .filter(move |g| g.code == r.code && g.date >= r.date && g.date >= latest && g.date <= on)
                .map(|g| g.date)
        })
        .min();
    let mut seen: Vec<&Visit> = visits.iter().filter(|v| v.date <= on).collect();
    seen.sort_by_key(|v| (v.date, v.id));
    let last = seen.last();
    let status = match (persuaded_on, last.map(|v| v.outcome)) {
        (Some(_), _) => CaseStatus::Persuaded,
        (None, Some(VisitOutcome::Migrated)) => CaseStatus::Migrated,
        (None, Some(VisitOutcome::StillRefusing)) => CaseStatus::StillRefusing,
        (None, _) => CaseStatus::Open,
    };
    let agreed_on = match (status, last) {
        (CaseStatus::Open, Some(v)) if v.outcome == VisitOutcome::Persuaded => Some(v.date),
        _ => None,
    };
    Some(CaseState {
        status,
        opened_on,
        persuaded_on,
        agreed_on,
        last_visit: last.map(|v| v.date),
        visits: seen.len() as u32,
        escalated_on: escalated.filter(|d| *d <= on),
    })
}

// ----- the report -----

/// Due and vaccinated doses of one antigen: the round's due list (its first day) against the
/// doses given from that day to the report's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AntigenFigures {
    pub antigen: Antigen,
    pub due: u32,
    pub vaccinated: u32,
    pub children_due: u32,
    pub children_vaccinated: u32,
    pub women_due: u32,
    pub women_vaccinated: u32,
}

impl AntigenFigures {
    fn of(antigen: Antigen) -> AntigenFigures {
        AntigenFigures {
            antigen,
            due: 0,
            vaccinated: 0,
            children_due: 0,
            children_vaccinated: 0,
            women_due: 0,
            women_vaccinated: 0,
        }
    }
}

/// People on the round's due list, and those of them given at least one of their doses due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PeopleFigures {
    pub due: u32,
    pub vaccinated: u32,
    /// Doses due, and given.
    pub doses_due: u32,
    pub doses_vaccinated: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotHeldCount {
    pub reason: NotHeldReason,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AefiFigures {
    pub minor: u32,
    pub severe: u32,
    pub serious: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityFigures {
    pub kind: ActivityKind,
    pub count: u32,
    pub attendance: u32,
}

/// FIC on one day of the round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FicDay {
    pub day: Date,
    pub cohort: u32,
    pub fully_immunized: u32,
    pub percent: Option<f64>,
}

/// The devices enrolled within an area (the server's report only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceFigures {
    pub enrolled: u32,
    /// Not synced in the last 24 hours (or never).
    pub not_synced_24h: u32,
    /// Clock off by more than 5 minutes at the last sync.
    pub clock_off: u32,
}

/// The figures of one area (the JSON's `AREA`, `docs/formats.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AreaFigures {
    /// Its path (`State/District/Block/…`).
    pub area: String,
    /// Its id (`None` for the total of every area); absent from an older server's report.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub name: String,
    pub level: Option<AreaLevel>,
    /// Sessions the plan holds on the round's days up to the date, and in the whole round.
    pub sessions_planned: u32,
    pub sessions_planned_round: u32,
    /// Of those planned up to the date: held (a session opened at the site that day), marked
    /// not held, and held with records (reporting completeness).
    pub sessions_held: u32,
    pub sessions_not_held: u32,
    pub not_held: Vec<NotHeldCount>,
    pub sessions_reported: u32,
    /// `sessions_reported` ÷ (`sessions_planned` − `sessions_not_held`).
    pub reporting_percent: Option<f64>,
    /// Sessions held in the round that its plan does not hold (a routine session, another day).
    pub sessions_unplanned: u32,
    /// Doses of the round's due list, and given: the share covered is `covered_percent`.
    pub due: u32,
    pub vaccinated: u32,
    pub covered_percent: Option<f64>,
    pub children: PeopleFigures,
    pub pregnant_women: PeopleFigures,
    pub antigens: Vec<AntigenFigures>,
    /// FIC among children of 12–23 months the day before the round, on the date, and on each
    /// round day up to the date.
    pub fic_before: Fic,
    pub fic_after: Fic,
    pub fic_by_day: Vec<FicDay>,
    pub dropout: DropOuts,
    /// Left-outs and drop-outs remaining on the date (children; pregnant women by Td).
    pub left_out: u32,
    pub drop_out: u32,
    pub pregnant_left_out: u32,
    pub pregnant_drop_out: u32,
    /// Resistant families whose case was open at some time in the round, by where it stands on
    /// the date.
    pub refusal_families: u32,
    pub refusals_open: u32,
    pub refusals_still_refusing: u32,
    pub refusals_persuaded: u32,
    pub refusals_migrated: u32,
    pub refusals_escalated: u32,
    /// `refusals_persuaded` ÷ (`refusal_families` − `refusals_migrated`).
    pub persuaded_percent: Option<f64>,
    pub aefi: AefiFigures,
    pub wastage: Vec<Wastage>,
    pub activities: Vec<ActivityFigures>,
    /// `null` in a device's report.
    pub devices: Option<DeviceFigures>,
}

/// One bar of the evening pack's chart: the share of an area's due list covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnitBar {
    pub area: String,
    pub name: String,
    pub due: u32,
    pub vaccinated: u32,
    pub percent: Option<f64>,
}

/// What the task force must act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(tag = "kind", rename_all = "snake_case"))]
pub enum RedItem {
    /// An area below 80% of its due list.
    LowCoverage { area: String, name: String, due: u32, vaccinated: u32, percent: f64 },
    /// A planned session up to the date with no record and not marked not held.
    NotReported { site_id: String, site_name: String, area: String, day: Date },
    /// A case open (or still refusing) for more than 3 days.
    OldCase { household_id: String, area: String, opened_on: Date, days_open: i64, status: CaseStatus },
    /// A serious AEFI in the round.
    SeriousAefi { register_id: String, area: String, date: Date },
}

/// The round report of an area (`teeka report --format json`, `docs/formats.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    pub round: u32,
    pub on: Date,
    /// The round's working days.
    pub days: Vec<Date>,
    pub total: AreaFigures,
    /// Its child areas, one level down, by name.
    pub areas: Vec<AreaFigures>,
    /// The evening pack's bars: the villages of a block or smaller area, the blocks of a
    /// district or state.
    pub units: Vec<UnitBar>,
    pub red_list: Vec<RedItem>,
}

/// The counts of an area, summed from its villages.
#[derive(Debug, Clone, Default)]
struct Acc {
    planned: u32,
    planned_round: u32,
    held: u32,
    not_held: BTreeMap<NotHeldReason, u32>,
    reported: u32,
    unplanned: u32,
    antigens: BTreeMap<Antigen, AntigenFigures>,
    children: PeopleFigures,
    women: PeopleFigures,
    fic_before: [u32; 2],
    fic_after: [u32; 2],
    fic_days: Vec<[u32; 2]>,
    /// Per drop-out pair: cohort, from, to.
    pairs: [[u32; 3]; 4],
    left_out: u32,
    drop_out: u32,
    pregnant_left_out: u32,
    pregnant_drop_out: u32,
    cases: BTreeMap<CaseStatus, u32>,
    escalated: u32,
    aefi: AefiFigures,
    vials: BTreeMap<Antigen, [u32; 2]>,
    activities: BTreeMap<ActivityKind, [u32; 2]>,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        self.planned += o.planned;
        self.planned_round += o.planned_round;
        self.held += o.held;
        for (r, n) in &o.not_held {
            *self.not_held.entry(*r).or_default() += n;
        }
        self.reported += o.reported;
        self.unplanned += o.unplanned;
        for (a, f) in &o.antigens {
            let e = self.antigens.entry(*a).or_insert(AntigenFigures::of(*a));
            e.due += f.due;
            e.vaccinated += f.vaccinated;
            e.children_due += f.children_due;
            e.children_vaccinated += f.children_vaccinated;
            e.women_due += f.women_due;
            e.women_vaccinated += f.women_vaccinated;
        }
        for (mine, theirs) in [(&mut self.children, &o.children), (&mut self.women, &o.women)] {
            mine.due += theirs.due;
            mine.vaccinated += theirs.vaccinated;
            mine.doses_due += theirs.doses_due;
            mine.doses_vaccinated += theirs.doses_vaccinated;
        }
        add2(&mut self.fic_before, &o.fic_before);
        add2(&mut self.fic_after, &o.fic_after);
        if self.fic_days.len() < o.fic_days.len() {
            self.fic_days.resize(o.fic_days.len(), [0, 0]);
        }
        for (mine, theirs) in self.fic_days.iter_mut().zip(&o.fic_days) {
            add2(mine, theirs);
        }
        for (mine, theirs) in self.pairs.iter_mut().zip(&o.pairs) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        self.left_out += o.left_out;
        self.drop_out += o.drop_out;
        self.pregnant_left_out += o.pregnant_left_out;
        self.pregnant_drop_out += o.pregnant_drop_out;
        for (s, n) in &o.cases {
            *self.cases.entry(*s).or_default() += n;
        }
        self.escalated += o.escalated;
        self.aefi.minor += o.aefi.minor;
        self.aefi.severe += o.aefi.severe;
        self.aefi.serious += o.aefi.serious;
        for (a, v) in &o.vials {
            add2(self.vials.entry(*a).or_default(), v);
        }
        for (k, v) in &o.activities {
            add2(self.activities.entry(*k).or_default(), v);
        }
    }

    fn figures(
        &self,
        area: String,
        id: Option<Uuid>,
        name: String,
        level: Option<AreaLevel>,
        ctx: &Frame,
    ) -> AreaFigures {
        let fic = |[cohort, fully]: [u32; 2]| Fic { cohort, fully_immunized: fully, percent: percent(fully, cohort) };
        let [a, b, c, d] = self.pairs.map(|[cohort, from, to]| dropout(cohort, from, to));
        let case = |s| self.cases.get(&s).copied().unwrap_or(0);
        let families: u32 = self.cases.values().sum();
        let not_held: u32 = self.not_held.values().sum();
        let due = self.children.doses_due + self.women.doses_due;
        let vaccinated = self.children.doses_vaccinated + self.women.doses_vaccinated;
        AreaFigures {
            area,
            id,
            name,
            level,
            sessions_planned: self.planned,
            sessions_planned_round: self.planned_round,
            sessions_held: self.held,
            sessions_not_held: not_held,
            not_held: self.not_held.iter().map(|(r, n)| NotHeldCount { reason: *r, count: *n }).collect(),
            sessions_reported: self.reported,
            reporting_percent: percent(self.reported, self.planned.saturating_sub(not_held)),
            sessions_unplanned: self.unplanned,
            due,
            vaccinated,
            covered_percent: percent(vaccinated, due),
            children: self.children,
            pregnant_women: self.women,
            antigens: self.antigens.values().copied().collect(),
            fic_before: fic(self.fic_before),
            fic_after: fic(self.fic_after),
            fic_by_day: ctx
                .days_to_date
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    let [cohort, fully] = self.fic_days.get(i).copied().unwrap_or([0, 0]);
                    FicDay { day: *day, cohort, fully_immunized: fully, percent: percent(fully, cohort) }
                })
                .collect(),
            dropout: DropOuts { penta1_penta3: a, penta1_mr1: b, bcg_mr1: c, mr1_mr2: d },
            left_out: self.left_out,
            drop_out: self.drop_out,
            pregnant_left_out: self.pregnant_left_out,
            pregnant_drop_out: self.pregnant_drop_out,
            refusal_families: families,
            refusals_open: case(CaseStatus::Open),
            refusals_still_refusing: case(CaseStatus::StillRefusing),
            refusals_persuaded: case(CaseStatus::Persuaded),
            refusals_migrated: case(CaseStatus::Migrated),
            refusals_escalated: self.escalated,
            persuaded_percent: percent(case(CaseStatus::Persuaded), families - case(CaseStatus::Migrated)),
            aefi: self.aefi,
            wastage: self.vials.iter().map(|(a, [vials, doses])| wastage(*a, *vials, *doses, ctx.table)).collect(),
            activities: self
                .activities
                .iter()
                .map(|(k, [count, attendance])| ActivityFigures { kind: *k, count: *count, attendance: *attendance })
                .collect(),
            devices: None,
        }
    }
}

fn add2(a: &mut [u32; 2], b: &[u32; 2]) {
    a[0] += b[0];
    a[1] += b[1];
}

/// The report's window: the round's first day to the date (or the round's last day).
struct Frame<'a> {
    first: Date,
    end: Date,
    days_to_date: Vec<Date>,
    table: &'a VaccineTable,
}

impl Frame<'_> {
    fn in_window(&self, d: Date) -> bool {
        d >= self.first && d <= self.end
    }
}

/// The round report of `root` (an area's id; `None`: every area the input holds, under one
/// unnamed total `*`) on `on`: its figures, its child areas', the evening pack's bars and the
/// red list.
pub fn round_report(input: &ReportInput<'_>, root: Option<Uuid>) -> Result<Report, MonitorError> {
    let (Some(&first), Some(&last)) = (input.round.days.first(), input.round.days.last()) else {
        return Err(MonitorError::EmptyRound(input.round.number));
    };
    let end = input.on.min(last);
    let frame = Frame {
        first,
        end,
        days_to_date: input.round.days.iter().copied().filter(|d| *d <= end).collect(),
        table: input.table,
    };
    let tree = Tree::new(input.areas);
    if let Some(r) = root {
        if !tree.nodes.contains_key(&r) {
            return Err(MonitorError::UnknownArea(r));
        }
    }
    let mut red = Vec::new();
    let villages = village_figures(input, &frame, &tree, &mut red);

    // Sum up the tree.
    let in_root = |v: Uuid| root.map_or(true, |r| tree.is_within(v, r));
    let mut sums: HashMap<Uuid, Acc> = HashMap::new();
    let mut total = Acc::default();
    for (village, acc) in &villages {
        if !in_root(*village) {
            continue;
        }
        total.add(acc);
        for a in tree.ancestors_and_self(*village) {
            sums.entry(a).or_default().add(acc);
        }
    }
    let row = |id: Uuid, acc: &Acc| {
        let node = &tree.nodes[&id];
        let mut f = acc.figures(tree.path(id), Some(id), node.name.clone(), Some(node.level), &frame);
        f.devices = device_figures(input, &tree, Some(id));
        f
    };
    let empty = Acc::default();
    let total_row = match root {
        Some(r) => row(r, sums.get(&r).unwrap_or(&empty)),
        None => {
            let mut f = total.figures("*".into(), None, String::new(), None, &frame);
            f.devices = device_figures(input, &tree, None);
            f
        }
    };
    let mut children = tree.children(root);
    children.sort_by(|a, b| tree.nodes[a].name.cmp(&tree.nodes[b].name).then(a.cmp(b)));
    let areas = children.iter().map(|c| row(*c, sums.get(c).unwrap_or(&empty))).collect();

    // The bars: villages of a block or below, blocks of a district or above.
    let root_level = root.map(|r| tree.nodes[&r].level);
    let unit_level = match root_level {
        Some(AreaLevel::State | AreaLevel::District) => AreaLevel::Block,
        _ => AreaLevel::Village,
    };
    let mut units: Vec<UnitBar> = tree
        .nodes
        .values()
        .filter(|n| n.level == unit_level && in_root(n.id))
        .map(|n| {
            let acc = sums.get(&n.id).unwrap_or(&empty);
            let (due, vaccinated) = (
                acc.children.doses_due + acc.women.doses_due,
                acc.children.doses_vaccinated + acc.women.doses_vaccinated,
            );
            UnitBar { area: tree.path(n.id), name: n.name.clone(), due, vaccinated, percent: percent(vaccinated, due) }
        })
        .collect();
    units.sort_by(|a, b| a.area.cmp(&b.area));

    let mut red_list: Vec<RedItem> = units
        .iter()
        .filter_map(|u| match u.percent {
            Some(p) if p < LOW_COVERAGE_PERCENT => Some(RedItem::LowCoverage {
                area: u.area.clone(),
                name: u.name.clone(),
                due: u.due,
                vaccinated: u.vaccinated,
                percent: p,
            }),
            _ => None,
        })
        .collect();
    red_list.sort_by(|a, b| match (a, b) {
        (RedItem::LowCoverage { percent: x, .. }, RedItem::LowCoverage { percent: y, .. }) => x.total_cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    let mut rest: Vec<(Uuid, RedItem)> = red.into_iter().filter(|(v, _)| in_root(*v)).collect();
    rest.sort_by_key(|(_, item)| red_order(item));
    red_list.extend(rest.into_iter().map(|(_, item)| item));

    Ok(Report {
        round: input.round.number,
        on: input.on,
        days: input.round.days.clone(),
        total: total_row,
        areas,
        units,
        red_list,
    })
}

fn red_order(item: &RedItem) -> (u8, Date, String) {
    match item {
        RedItem::LowCoverage { area, .. } => (0, Date::default(), area.clone()),
        RedItem::NotReported { day, site_id, .. } => (1, *day, site_id.clone()),
        RedItem::OldCase { opened_on, household_id, .. } => (2, *opened_on, household_id.clone()),
        RedItem::SeriousAefi { date, register_id, .. } => (3, *date, register_id.clone()),
    }
}

/// Each village's counts, and the red list's items of villages (sites not reported, old cases,
/// serious AEFI) with the village they belong to.
fn village_figures(
    input: &ReportInput<'_>,
    frame: &Frame<'_>,
    tree: &Tree<'_>,
    red: &mut Vec<(Uuid, RedItem)>,
) -> BTreeMap<Uuid, Acc> {
    let mut out: BTreeMap<Uuid, Acc> = BTreeMap::new();
    let before = frame.first.pred_opt().unwrap_or(frame.first);

    // The register, village by village, on the machine's cores at once (each village's
    // figures are its own; the order of the result is the villages' order either way).
    let mut by_village: BTreeMap<Uuid, Vec<&Member>> = BTreeMap::new();
    for m in input.members {
        by_village.entry(m.village).or_default().push(m);
    }
    let villages: Vec<(&Uuid, &Vec<&Member>)> = by_village.iter().collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, villages.len().max(1));
    let chunk = villages.len().div_ceil(threads).max(1);
    let register = |part: &[(&Uuid, &Vec<&Member>)]| -> Vec<(Uuid, Acc)> {
        part.iter().map(|(v, members)| (**v, register_figures(members, input, frame, before))).collect()
    };
    let done: Vec<(Uuid, Acc)> = if threads == 1 || villages.len() < 64 {
        register(&villages)
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = villages.chunks(chunk).map(|part| s.spawn(move || register(part))).collect();
            // A thread of pure arithmetic that panicked is a bug: its panic goes on.
            handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        })
    };
    out.extend(done);

    // Sessions: the plan against what was held.
    // A site is known by its code and its first village: two blocks' microplans may give two
    // sites one code.
    let held: HashMap<(Uuid, &str, Date), &HeldSession> =
        input.sessions.iter().filter_map(|s| s.site_id.as_deref().map(|site| ((s.village, site, s.date), s))).collect();
    let mut planned_keys = std::collections::HashSet::new();
    for p in input.planned {
        planned_keys.insert((p.village, p.site_id.as_str(), p.day));
        let acc = out.entry(p.village).or_default();
        acc.planned_round += 1;
        if p.day > frame.end {
            continue;
        }
        acc.planned += 1;
        if let Some(reason) = p.not_held {
            *acc.not_held.entry(reason).or_default() += 1;
            continue;
        }
        if let Some(s) = held.get(&(p.village, p.site_id.as_str(), p.day)) {
            acc.held += 1;
            if s.records > 0 {
                acc.reported += 1;
                continue;
            }
        }
        red.push((
            p.village,
            RedItem::NotReported {
                site_id: p.site_id.clone(),
                site_name: p.site_name.clone(),
                area: tree.path(p.village),
                day: p.day,
            },
        ));
    }
    for s in input.sessions.iter().filter(|s| frame.in_window(s.date)) {
        let acc = out.entry(s.village).or_default();
        let planned = s.site_id.as_deref().is_some_and(|site| planned_keys.contains(&(s.village, site, s.date)));
        acc.unplanned += u32::from(!planned);
        for (a, n) in &s.vials {
            acc.vials.entry(*a).or_default()[0] += n;
        }
        for (a, n) in &s.doses {
            acc.vials.entry(*a).or_default()[1] += n;
        }
    }

    // AEFI.
    for a in input.aefi.iter().filter(|a| frame.in_window(a.date)) {
        let acc = out.entry(a.village).or_default();
        match a.severity {
            AefiSeverity::Minor => acc.aefi.minor += 1,
            AefiSeverity::Severe => acc.aefi.severe += 1,
            AefiSeverity::Serious => {
                acc.aefi.serious += 1;
                red.push((
                    a.village,
                    RedItem::SeriousAefi {
                        register_id: a.register_id.clone(),
                        area: tree.path(a.village),
                        date: a.date,
                    },
                ));
            }
        }
    }

    // Case files: the families with a refusal standing.
    let member_of: HashMap<Uuid, &Member> = input.members.iter().map(|m| (m.beneficiary, m)).collect();
    let mut refusals_of: BTreeMap<Uuid, Vec<Refusal>> = BTreeMap::new();
    for r in input.refusals {
        if let Some(m) = member_of.get(&r.beneficiary) {
            refusals_of.entry(m.household).or_default().push(r.clone());
        }
    }
    let facts: HashMap<Uuid, &CaseFacts> = input.cases.iter().map(|c| (c.household, c)).collect();
    for (household, refusals) in &refusals_of {
        let Some(m) = refusals.first().and_then(|r| member_of.get(&r.beneficiary)) else { continue };
        let f = facts.get(household);
        let visits = f.map_or(&[][..], |f| f.visits.as_slice());
        let given_of = |b: Uuid| member_of.get(&b).map_or(&[][..], |m| m.given.as_slice());
        let Some(state) = case_state(refusals, given_of, visits, f.and_then(|f| f.escalated), frame.end) else {
            continue;
        };
        let closed_before = match state.status {
            CaseStatus::Persuaded => state.persuaded_on.is_some_and(|d| d < frame.first),
            CaseStatus::Migrated => state.last_visit.is_some_and(|d| d < frame.first),
            _ => false,
        };
        if closed_before {
            continue;
        }
        let acc = out.entry(m.village).or_default();
        *acc.cases.entry(state.status).or_default() += 1;
        acc.escalated += u32::from(state.escalated_on.is_some());
        let days_open = (input.on - state.opened_on).num_days();
        if matches!(state.status, CaseStatus::Open | CaseStatus::StillRefusing) && days_open > OLD_CASE_DAYS {
            red.push((
                m.village,
                RedItem::OldCase {
                    household_id: m.person.household_id.to_string(),
                    area: tree.path(m.village),
                    opened_on: state.opened_on,
                    days_open,
                    status: state.status,
                },
            ));
        }
    }

    // Communication activities.
    for a in input.activities.iter().filter(|a| frame.in_window(a.date)) {
        let e = out.entry(a.village).or_default().activities.entry(a.kind).or_default();
        e[0] += 1;
        e[1] += a.attendance;
    }
    out
}

/// A village's register figures: its round's due list covered, coverage, FIC.
fn register_figures(members: &[&Member], input: &ReportInput<'_>, frame: &Frame<'_>, before: Date) -> Acc {
    let mut acc = Acc::default();
    let people: Vec<(Person, Vec<Given>)> = members.iter().map(|m| (m.person.clone(), m.given.clone())).collect();
    let given: HashMap<&str, &[Given]> = members.iter().map(|m| (&*m.person.register_id, m.given.as_slice())).collect();
    for item in round_due_list(&people, frame.first, input.settings) {
        let history = given.get(&*item.register_id).copied().unwrap_or(&[]);
        let child = item.kind == Kind::Child;
        let mut any = false;
        let people = if child { &mut acc.children } else { &mut acc.women };
        people.due += 1;
        for dose in &item.doses {
            let done = history.iter().any(|g| g.code == dose.code && frame.in_window(g.date));
            any |= done;
            people.doses_due += 1;
            people.doses_vaccinated += u32::from(done);
            let a = acc.antigens.entry(dose.code.antigen()).or_insert(AntigenFigures::of(dose.code.antigen()));
            a.due += 1;
            a.vaccinated += u32::from(done);
            if child {
                a.children_due += 1;
                a.children_vaccinated += u32::from(done);
            } else {
                a.women_due += 1;
                a.women_vaccinated += u32::from(done);
            }
        }
        let people = if child { &mut acc.children } else { &mut acc.women };
        people.vaccinated += u32::from(any);
    }
    let c = coverage(people.iter().map(|(p, h)| (p, h.as_slice())), 0, frame.end, None, input.settings);
    acc.left_out = c.left_out;
    acc.drop_out = c.drop_out;
    acc.pregnant_left_out = c.pregnant_left_out;
    acc.pregnant_drop_out = c.pregnant_drop_out;
    for (pair, d) in
        acc.pairs.iter_mut().zip([c.dropout.penta1_penta3, c.dropout.penta1_mr1, c.dropout.bcg_mr1, c.dropout.mr1_mr2])
    {
        *pair = [d.cohort, d.from, d.to];
    }
    acc.fic_days = vec![[0, 0]; frame.days_to_date.len()];
    for (p, history) in &people {
        if p.kind != Kind::Child || p.status != crate::codes::BeneficiaryStatus::Active {
            continue;
        }
        let fic_on = |on: Date, slot: &mut [u32; 2]| {
            if p.anchor <= on && in_fic_cohort(p.anchor, on) {
                slot[0] += 1;
                slot[1] += u32::from(fully_immunized(p.anchor, history, on));
            }
        };
        fic_on(before, &mut acc.fic_before);
        fic_on(frame.end, &mut acc.fic_after);
        for (day, slot) in frame.days_to_date.iter().zip(acc.fic_days.iter_mut()) {
            fic_on(*day, slot);
        }
    }
    acc
}

/// The devices enrolled within `area` (`None`: all), on the server.
fn device_figures(input: &ReportInput<'_>, tree: &Tree<'_>, area: Option<Uuid>) -> Option<DeviceFigures> {
    let now = input.now?;
    let mut f = DeviceFigures::default();
    for d in input.devices.iter().filter(|d| !d.revoked && area.map_or(true, |a| tree.is_within(d.area, a))) {
        f.enrolled += 1;
        let stale = d.last_sync.map_or(true, |t| now - t > chrono::Duration::hours(STALE_HOURS));
        f.not_synced_24h += u32::from(stale);
        f.clock_off += u32::from(d.clock_offset_seconds.is_some_and(|s| s.abs() > CLOCK_OFF_SECONDS));
    }
    Some(f)
}

/// The area hierarchy.
struct Tree<'a> {
    nodes: HashMap<Uuid, &'a AreaNode>,
}

impl<'a> Tree<'a> {
    fn new(areas: &'a [AreaNode]) -> Tree<'a> {
        Tree { nodes: areas.iter().map(|a| (a.id, a)).collect() }
    }

    /// `id` and the areas above it, nearest first (a cycle or an unknown parent ends it).
    fn ancestors_and_self(&self, id: Uuid) -> Vec<Uuid> {
        let mut out = Vec::new();
        let mut at = Some(id);
        while let Some(a) = at {
            if out.contains(&a) || !self.nodes.contains_key(&a) {
                break;
            }
            out.push(a);
            at = self.nodes[&a].parent;
        }
        out
    }

    fn is_within(&self, id: Uuid, root: Uuid) -> bool {
        self.ancestors_and_self(id).contains(&root)
    }

    fn path(&self, id: Uuid) -> String {
        let mut names: Vec<&str> = self.ancestors_and_self(id).iter().map(|a| self.nodes[a].name.as_str()).collect();
        names.reverse();
        names.join("/")
    }

    /// The areas one level below `root` (`None`: those without a known parent).
    fn children(&self, root: Option<Uuid>) -> Vec<Uuid> {
        self.nodes
            .values()
            .filter(|n| match root {
                Some(r) => n.parent == Some(r) && n.id != r,
                None => n.parent.map_or(true, |p| !self.nodes.contains_key(&p)),
            })
            .map(|n| n.id)
            .collect()
    }
}
