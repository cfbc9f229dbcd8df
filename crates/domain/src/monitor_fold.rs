//! The round report's records from a log: a pure fold ([`Monitor`]) of what the register's
//! replay and the microplan's fold pass over (areas, sessions and their vials, AEFI, case files,
//! activities), and [`report_parts`], which puts the three folds together into the owned records
//! of a [`ReportInput`] for one round. The server builds its report with it from its log.
//!
//! The rules, the device store's:
//! - An event is applied once, however often it arrives (keyed by its id).
//! - Facts keyed by an id (an area, a session's opening, a vial, an AEFI report, a visit, an
//!   activity) keep the first by [`Stamp`] when the same id comes twice, so the order of arrival
//!   does not matter.
//! - A session's closing vials, an AEFI's severity (its report, then its edits), a family's
//!   assignment and escalation follow last-writer-wins by [`Stamp`] (`Stamp::overrides`).
//! - Ids are resolved through [`Replay::canonical`] (aliases of villages, households and
//!   beneficiaries) and [`Microplan::resolve`] (sites) when the parts are built, never when
//!   applied, so an alias known later changes nothing of what was folded.

use crate::calendar::{CalendarError, RoundDays, Weekdays};
use crate::codes::{AefiSeverity, Antigen};
use crate::dates::Date;
use crate::kit::VaccineTable;
use crate::microplan::{Microplan, Round};
use crate::model::{AefiField, Event, EventBody, Stamp, VialsUsed};
use crate::monitor::{
    ActivityRef, AefiRef, AreaNode, Assignment, CaseFacts, DeviceRef, HeldSession, Member, PlannedRef, Refusal,
    ReportInput, RoundFrame, Visit,
};
use crate::plan::{apply_changes, plan_sessions, round_due_list, Expected, SessionNorms, SessionPlan, SiteToPlan};
use crate::replay::Replay;
use crate::report::{DueItem, Person};
use crate::schedule::{Given, ScheduleSettings};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// A session as opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Opened {
    stamp: Stamp,
    village: Uuid,
    session_site: Option<Uuid>,
    date: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AefiRow {
    stamp: Stamp,
    beneficiary: Uuid,
    date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ActivityRow {
    stamp: Stamp,
    village: Uuid,
    activity: ActivityRef,
}

/// The report's facts after the events applied so far.
#[derive(Debug, Default)]
pub struct Monitor {
    applied: HashSet<Uuid>,
    areas: HashMap<Uuid, (Stamp, AreaNode)>,
    sessions: HashMap<Uuid, Opened>,
    closings: HashMap<Uuid, (Stamp, Vec<VialsUsed>)>,
    /// Vials opened: their session and antigen.
    vials: HashMap<Uuid, (Stamp, Uuid, Antigen)>,
    aefi: HashMap<Uuid, AefiRow>,
    severity: HashMap<Uuid, (Stamp, AefiSeverity)>,
    assigned: HashMap<Uuid, (Stamp, Assignment)>,
    visits: HashMap<Uuid, (Stamp, Uuid, Visit)>,
    /// Per household (as named): the day escalated, `None` once withdrawn.
    escalated: HashMap<Uuid, (Stamp, Option<Date>)>,
    activities: HashMap<Uuid, ActivityRow>,
}

/// Keeps the value of the first stamp for `key`.
fn first<K: std::hash::Hash + Eq, V>(
    map: &mut HashMap<K, V>,
    key: K,
    stamp: Stamp,
    value: V,
    of: impl Fn(&V) -> Stamp,
) {
    match map.get(&key) {
        Some(v) if of(v) <= stamp => {}
        _ => {
            map.insert(key, value);
        }
    }
}

/// Keeps the value of the last writer for `key`.
fn last<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, (Stamp, V)>, key: K, stamp: Stamp, value: V) {
    if stamp.overrides(map.get(&key).map(|(s, _)| *s)) {
        map.insert(key, (stamp, value));
    }
}

impl Monitor {
    /// The facts after `events`, in the order given.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a Event>) -> Monitor {
        let mut m = Monitor::default();
        for e in events {
            m.apply(e);
        }
        m
    }

    /// Applies one event (nothing if it was applied before, or if it is not the report's).
    pub fn apply(&mut self, event: &Event) {
        if !self.applied.insert(event.id) {
            return;
        }
        let stamp = event.stamp();
        match &event.body {
            EventBody::AreaDefined { area, level, name, parent } => {
                let node = AreaNode { id: *area, parent: *parent, level: *level, name: name.clone() };
                first(&mut self.areas, *area, stamp, (stamp, node), |v| v.0);
            }
            EventBody::SessionOpened { session, site, date, session_site } => {
                let opened = Opened { stamp, village: *site, session_site: *session_site, date: *date };
                first(&mut self.sessions, *session, stamp, opened, |v| v.stamp);
            }
            EventBody::SessionClosed { session, vials } => last(&mut self.closings, *session, stamp, vials.clone()),
            EventBody::VialOpened { vial, session, antigen, .. } => {
                first(&mut self.vials, *vial, stamp, (stamp, *session, *antigen), |v| v.0);
            }
            EventBody::AefiReported { aefi, beneficiary, date, severity, .. } => {
                let row = AefiRow { stamp, beneficiary: *beneficiary, date: *date };
                first(&mut self.aefi, *aefi, stamp, row, |v| v.stamp);
                last(&mut self.severity, *aefi, stamp, *severity);
            }
            EventBody::AefiUpdated { aefi, fields, .. } => {
                // Within one event the first value of a field wins.
                if let Some(s) = fields.iter().find_map(|f| match f {
                    AefiField::Severity(s) => Some(*s),
                    _ => None,
                }) {
                    last(&mut self.severity, *aefi, stamp, s);
                }
            }
            EventBody::RefusalAssigned { household, persuader, name } => {
                let a = Assignment { persuader: *persuader, name: name.clone() };
                last(&mut self.assigned, *household, stamp, a);
            }
            EventBody::RefusalVisited { visit, household, date, by, by_name, action, outcome, note } => {
                let v = Visit {
                    id: *visit,
                    date: *date,
                    by: *by,
                    by_name: by_name.clone(),
                    action: *action,
                    outcome: *outcome,
                    note: note.clone(),
                };
                first(&mut self.visits, *visit, stamp, (stamp, *household, v), |v| v.0);
            }
            EventBody::RefusalEscalated { household, date, escalated, .. } => {
                last(&mut self.escalated, *household, stamp, escalated.then_some(*date));
            }
            EventBody::ActivityRecorded { activity, village, date, kind, attendance, .. } => {
                let row = ActivityRow {
                    stamp,
                    village: *village,
                    activity: ActivityRef { village: *village, date: *date, kind: *kind, attendance: *attendance },
                };
                first(&mut self.activities, *activity, stamp, row, |v| v.stamp);
            }
            _ => {}
        }
    }

    /// The areas defined, parents resolved, aliases (villages named again) left out, by id.
    pub fn areas(&self, register: &Replay) -> Vec<AreaNode> {
        let mut out: Vec<AreaNode> = self
            .areas
            .values()
            .filter(|(_, a)| register.canonical(a.id) == a.id)
            .map(|(_, a)| AreaNode { parent: a.parent.map(|p| register.canonical(p)), ..a.clone() })
            .collect();
        out.sort_by_key(|a| a.id);
        out
    }

    /// Every session opened, with what it recorded (`records`: [`Replay::session_records`]) and
    /// its vials: the vial ledger's when it has any, else the counts given at its closing.
    pub fn sessions(&self, register: &Replay, microplan: &Microplan) -> Vec<HeldSession> {
        let records = register.session_records();
        let mut ledger: HashMap<Uuid, BTreeMap<Antigen, u32>> = HashMap::new();
        for (_, session, antigen) in self.vials.values() {
            *ledger.entry(*session).or_default().entry(*antigen).or_default() += 1;
        }
        let mut out: Vec<HeldSession> = self
            .sessions
            .iter()
            .map(|(id, s)| {
                let r = records.get(id);
                let vials: Vec<(Antigen, u32)> = match ledger.get(id) {
                    Some(v) => v.iter().map(|(a, n)| (*a, *n)).collect(),
                    None => {
                        let mut by: BTreeMap<Antigen, u32> = BTreeMap::new();
                        for v in self.closings.get(id).map_or(&[][..], |(_, v)| v.as_slice()) {
                            *by.entry(v.antigen).or_default() += v.opened;
                        }
                        by.into_iter().filter(|(_, n)| *n > 0).collect()
                    }
                };
                HeldSession {
                    session: *id,
                    village: register.canonical(s.village),
                    site_id: s.session_site.and_then(|site| microplan.site(site)).map(|site| site.site_id.clone()),
                    date: s.date,
                    records: r.map_or(0, |r| r.records),
                    doses: r.map_or_else(Vec::new, |r| r.doses.iter().map(|(a, n)| (*a, *n)).collect()),
                    vials,
                }
            })
            .collect();
        out.sort_by_key(|s| (s.date, s.session));
        out
    }

    /// The AEFI reports of beneficiaries in the register, each with its severity as it stands.
    pub fn aefi(&self, register: &Replay) -> Vec<AefiRef> {
        let mut out: Vec<(Uuid, AefiRef)> = self
            .aefi
            .iter()
            .filter_map(|(id, row)| {
                let (register_id, _, village) = register.placement(row.beneficiary)?;
                let severity = self.severity.get(id).map(|(_, s)| *s)?;
                Some((*id, AefiRef { register_id: register_id.to_string(), village, date: row.date, severity }))
            })
            .collect();
        out.sort_by_key(|a| (a.1.date, a.0));
        out.into_iter().map(|(_, a)| a).collect()
    }

    /// The case files recorded, per household (canonical: the facts of its aliases together,
    /// last writer winning across them), by household id; visits by date and id.
    pub fn cases(&self, register: &Replay) -> Vec<CaseFacts> {
        let mut assigned: HashMap<Uuid, (Stamp, Assignment)> = HashMap::new();
        for (h, (stamp, a)) in &self.assigned {
            last(&mut assigned, register.canonical(*h), *stamp, a.clone());
        }
        let mut escalated: HashMap<Uuid, (Stamp, Option<Date>)> = HashMap::new();
        for (h, (stamp, d)) in &self.escalated {
            last(&mut escalated, register.canonical(*h), *stamp, *d);
        }
        let mut visits: HashMap<Uuid, Vec<Visit>> = HashMap::new();
        for (_, h, v) in self.visits.values() {
            visits.entry(register.canonical(*h)).or_default().push(v.clone());
        }
        let households: std::collections::BTreeSet<Uuid> =
            assigned.keys().chain(escalated.keys()).chain(visits.keys()).copied().collect();
        households
            .into_iter()
            .map(|household| {
                let mut v = visits.remove(&household).unwrap_or_default();
                v.sort_by_key(|v| (v.date, v.id));
                CaseFacts {
                    household,
                    assigned: assigned.get(&household).map(|(_, a)| a.clone()),
                    visits: v,
                    escalated: escalated.get(&household).and_then(|(_, d)| *d),
                }
            })
            .collect()
    }

    /// The communication activities, villages resolved, by date.
    pub fn activities(&self, register: &Replay) -> Vec<ActivityRef> {
        let mut out: Vec<(Date, Uuid, ActivityRef)> = self
            .activities
            .iter()
            .map(|(id, row)| {
                let a = ActivityRef { village: register.canonical(row.village), ..row.activity.clone() };
                (a.date, *id, a)
            })
            .collect();
        out.sort_by_key(|(d, id, _)| (*d, *id));
        out.into_iter().map(|(_, _, a)| a).collect()
    }
}

// ----- the round's plan -----

/// A round's working days now (its holidays as they stand).
pub fn round_days(microplan: &Microplan, round: &Round) -> Result<Vec<Date>, CalendarError> {
    RoundDays {
        start: round.start,
        working_days: round.working_days,
        ri_days: Weekdays::of(&round.ri_days),
        holidays: microplan.holidays(round.id).into_iter().collect(),
    }
    .days()
}

/// People with their doses, in call order (village, house, register id).
pub type People = Vec<(Person, Vec<Given>)>;

/// A round's session plan as the device computes it (`teeka plan sessions`): for each site of
/// the microplan (by site id), the round's due list on its first day of each village it serves,
/// planned with the norms over the round's `days`, then what happened to sessions (not held,
/// moved). `people` holds each village's people (canonical ids), in call order.
pub fn round_plan(
    microplan: &Microplan,
    round: &Round,
    days: &[Date],
    people: &HashMap<Uuid, People>,
    settings: &ScheduleSettings,
    norms: &SessionNorms,
) -> SessionPlan {
    let first = days.first().copied().unwrap_or(round.start);
    let mut due: HashMap<Uuid, Vec<DueItem>> = HashMap::new();
    let mut to_plan = Vec::new();
    for site in microplan.sites() {
        let mut expected = Vec::new();
        for v in &site.villages {
            let items = due
                .entry(*v)
                .or_insert_with(|| round_due_list(people.get(v).map_or(&[][..], Vec::as_slice), first, settings));
            expected.extend(items.iter().map(Expected::of));
        }
        to_plan.push(SiteToPlan {
            site_id: site.site_id.clone(),
            site_type: site.site_type,
            anm: site.anm.as_ref().map(|a| a.name.clone()),
            expected,
        });
    }
    let mut plan = plan_sessions(&to_plan, days, norms);
    apply_changes(&mut plan, &microplan.plan_changes(round.id));
    plan
}

/// Each village's people (of `members`, in their order).
pub fn people_by_village(members: &[Member]) -> HashMap<Uuid, People> {
    let mut out: HashMap<Uuid, People> = HashMap::new();
    for m in members {
        out.entry(m.village).or_default().push((m.person.clone(), m.given.clone()));
    }
    out
}

/// The plan's sessions as the report counts them: each at its site's first village.
pub fn planned_refs(microplan: &Microplan, plan: &SessionPlan, register: &Replay) -> Vec<PlannedRef> {
    let sites: HashMap<&str, (&str, Option<Uuid>)> = microplan
        .sites()
        .into_iter()
        .map(|s| (s.site_id.as_str(), (s.name.as_str(), s.villages.first().map(|v| register.canonical(*v)))))
        .collect();
    plan.sessions
        .iter()
        .filter_map(|s| {
            let (name, village) = sites.get(s.site_id.as_str())?;
            Some(PlannedRef {
                site_id: s.site_id.clone(),
                site_name: name.to_string(),
                village: (*village)?,
                day: s.day,
                not_held: s.not_held,
            })
        })
        .collect()
}

// ----- the parts of a report -----

/// The owned records of a [`ReportInput`] for one round.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportParts {
    pub round: RoundFrame,
    pub areas: Vec<AreaNode>,
    pub members: Vec<Member>,
    pub refusals: Vec<Refusal>,
    pub planned: Vec<PlannedRef>,
    pub sessions: Vec<HeldSession>,
    pub aefi: Vec<AefiRef>,
    pub cases: Vec<CaseFacts>,
    pub activities: Vec<ActivityRef>,
}

/// What [`report_parts`] refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartsError {
    #[error("no round {0} is defined")]
    UnknownRound(u32),
    #[error("round {round}: {error}")]
    Calendar { round: u32, error: CalendarError },
}

impl PartsError {
    pub fn code(&self) -> &'static str {
        match self {
            PartsError::UnknownRound(_) => "UNKNOWN_ROUND",
            PartsError::Calendar { error, .. } => error.code(),
        }
    }
}

/// The records of round `round`'s report from the register, the microplan and the report's
/// facts of one log: the round's days, the areas, the register's members and refusals, the
/// round's plan ([`round_plan`]), the sessions held, AEFI, case files and activities.
pub fn report_parts(
    register: &Replay,
    microplan: &Microplan,
    monitor: &Monitor,
    round: u32,
    settings: &ScheduleSettings,
    norms: &SessionNorms,
) -> Result<ReportParts, PartsError> {
    let r = microplan.round(round).ok_or(PartsError::UnknownRound(round))?;
    let days = round_days(microplan, r).map_err(|error| PartsError::Calendar { round, error })?;
    let members = register.members();
    let plan = round_plan(microplan, r, &days, &people_by_village(&members), settings, norms);
    Ok(ReportParts {
        round: RoundFrame { number: round, days },
        areas: monitor.areas(register),
        refusals: register.refusals(),
        planned: planned_refs(microplan, &plan, register),
        sessions: monitor.sessions(register, microplan),
        aefi: monitor.aefi(register),
        cases: monitor.cases(register),
        activities: monitor.activities(register),
        members,
    })
}

impl ReportParts {
    /// The input of [`crate::monitor::round_report`] on `on` (`now` and `devices`: the
    /// server's).
    pub fn input<'a>(
        &'a self,
        on: Date,
        now: Option<DateTime<Utc>>,
        devices: &'a [DeviceRef],
        table: &'a VaccineTable,
        settings: &'a ScheduleSettings,
    ) -> ReportInput<'a> {
        ReportInput {
            round: &self.round,
            on,
            now,
            areas: &self.areas,
            members: &self.members,
            refusals: &self.refusals,
            planned: &self.planned,
            sessions: &self.sessions,
            aefi: &self.aefi,
            cases: &self.cases,
            activities: &self.activities,
            devices,
            table,
            settings,
        }
    }

    /// Keeps only what is counted in a village `keep` holds (the members, and the refusals and
    /// case files of the families kept), for a report put together from several folds.
    pub fn retain_villages(&mut self, keep: impl Fn(Uuid) -> bool) {
        self.members.retain(|m| keep(m.village));
        let beneficiaries: HashSet<Uuid> = self.members.iter().map(|m| m.beneficiary).collect();
        let households: HashSet<Uuid> = self.members.iter().map(|m| m.household).collect();
        self.refusals.retain(|r| beneficiaries.contains(&r.beneficiary));
        self.cases.retain(|c| households.contains(&c.household));
        self.planned.retain(|p| keep(p.village));
        self.sessions.retain(|s| keep(s.village));
        self.aefi.retain(|a| keep(a.village));
        self.activities.retain(|a| keep(a.village));
    }

    /// Adds another fold's records (its round's days joined to these; areas left as they are).
    pub fn extend(&mut self, other: ReportParts) {
        let mut days: std::collections::BTreeSet<Date> = self.round.days.iter().copied().collect();
        days.extend(other.round.days);
        self.round.days = days.into_iter().collect();
        self.members.extend(other.members);
        self.refusals.extend(other.refusals);
        self.planned.extend(other.planned);
        self.sessions.extend(other.sessions);
        self.aefi.extend(other.aefi);
        self.cases.extend(other.cases);
        self.activities.extend(other.activities);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::hlc::Hlc;

    fn d(s: &str) -> Date {
        crate::parse_date(s).unwrap()
    }

    fn ev(n: u128, wall: u64, device: u128, body: EventBody) -> Event {
        Event {
            id: Uuid::from_u128(1000 + n),
            device_id: Uuid::from_u128(device),
            hlc: Hlc { wall_ms: wall, counter: 0 },
            author: "t".into(),
            worker: None,
            recorded_at: chrono::DateTime::default(),
            body,
        }
    }

    /// Every order of `events`.
    fn orders(events: &[Event]) -> Vec<Vec<Event>> {
        if events.len() <= 1 {
            return vec![events.to_vec()];
        }
        let mut out = Vec::new();
        for i in 0..events.len() {
            let mut rest = events.to_vec();
            let head = rest.remove(i);
            for mut o in orders(&rest) {
                o.insert(0, head.clone());
                out.push(o);
            }
        }
        out
    }

    const H: u128 = 0x77;

    fn escalation(n: u128, wall: u64, device: u128, date: &str, escalated: bool) -> Event {
        let body = EventBody::RefusalEscalated { household: Uuid::from_u128(H), date: d(date), escalated, note: None };
        ev(n, wall, device, body)
    }

    fn severity(n: u128, wall: u64, device: u128, s: AefiSeverity) -> Event {
        let body = EventBody::AefiUpdated {
            aefi: Uuid::from_u128(9),
            beneficiary: Uuid::from_u128(8),
            fields: vec![AefiField::Severity(s)],
        };
        ev(n, wall, device, body)
    }

    #[test]
    fn escalation_and_severity_are_last_writer_wins_in_any_order() {
        let report = ev(
            1,
            10,
            0xa,
            EventBody::AefiReported {
                aefi: Uuid::from_u128(9),
                beneficiary: Uuid::from_u128(8),
                session: None,
                date: d("2026-03-02"),
                severity: AefiSeverity::Minor,
                observed: "fever".into(),
                codes: vec![],
                signs: vec![],
                onset: None,
                referral: None,
            },
        );
        let events = vec![
            report,
            severity(2, 30, 0xa, AefiSeverity::Serious),
            // The same HLC on another device: the greater device id wins.
            severity(3, 30, 0xb, AefiSeverity::Severe),
            escalation(4, 20, 0xa, "2026-03-03", true),
            escalation(5, 40, 0xa, "2026-03-05", false),
            escalation(6, 35, 0xb, "2026-03-04", true),
        ];
        for order in orders(&events) {
            let m = Monitor::of(&order);
            assert_eq!(m.severity[&Uuid::from_u128(9)].1, AefiSeverity::Severe);
            assert_eq!(m.escalated[&Uuid::from_u128(H)].1, None, "withdrawn last");
        }
        // Without the withdrawal, the later escalation's day.
        let m = Monitor::of(&events[..5]);
        assert_eq!(m.escalated[&Uuid::from_u128(H)].1, None);
        let mut without = events[..4].to_vec();
        without.push(events[5].clone());
        assert_eq!(Monitor::of(&without).escalated[&Uuid::from_u128(H)].1, Some(d("2026-03-04")));
    }

    #[test]
    fn an_event_is_applied_once_and_a_fact_keeps_its_first_stamp() {
        let meeting = |n, wall, attendance| {
            ev(
                n,
                wall,
                0xa,
                EventBody::ActivityRecorded {
                    activity: Uuid::from_u128(5),
                    village: Uuid::from_u128(6),
                    date: d("2026-03-03"),
                    kind: crate::codes::ActivityKind::MothersMeeting,
                    led_by: "Kamla".into(),
                    leader: None,
                    attendance,
                    note: None,
                },
            )
        };
        let visit = |n, wall| {
            ev(
                n,
                wall,
                0xa,
                EventBody::RefusalVisited {
                    visit: Uuid::from_u128(7),
                    household: Uuid::from_u128(H),
                    date: d("2026-03-03"),
                    by: crate::codes::Persuader::Asha,
                    by_name: None,
                    action: crate::codes::VisitAction::HomeVisit,
                    outcome: crate::codes::VisitOutcome::StillRefusing,
                    note: None,
                },
            )
        };
        let (a, b, v) = (meeting(1, 10, 12), meeting(2, 5, 30), visit(3, 10));
        let register = Replay::default();
        for order in orders(&[a.clone(), b.clone(), v.clone(), v.clone(), a.clone()]) {
            let m = Monitor::of(&order);
            let acts = m.activities(&register);
            assert_eq!(acts.len(), 1);
            assert_eq!(acts[0].attendance, 30, "the same activity id twice: the first by stamp");
            let cases = m.cases(&register);
            assert_eq!((cases.len(), cases[0].visits.len()), (1, 1), "a visit applied twice counts once");
        }
    }
}
