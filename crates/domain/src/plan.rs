//! The round's session plan: how many sessions each site needs for its due list, on which of
//! the round's working days, and who is expected at each.
//!
//! Session size follows the MoHFW microplanning norms (`../shared/docs/campaign-reference.md` §2,
//! a secondary copy: configurable defaults): a fixed site holds one session per 40–70 injections,
//! an outreach site one per 25–50. A site whose due list needs more injections than one session
//! holds gets more days. An ANM holds one session a day: each ANM's sites take the round's days in
//! turn, and an ANM with more sessions than days is reported, never hidden. Pure.

use crate::codes::{NotHeldReason, SiteType};
use crate::dates::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Injections one session is planned for: the norm's range (`max` is what one session holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Capacity {
    pub min: u32,
    pub max: u32,
}

/// Session-size norms per site type (documented defaults: `docs/formats.md`, "Session plan").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionNorms {
    pub fixed: Capacity,
    pub outreach: Capacity,
    /// Mobile teams: as outreach unless set (the norms name fixed and outreach only).
    pub mobile: Capacity,
}

impl Default for SessionNorms {
    fn default() -> Self {
        let outreach = Capacity { min: 25, max: 50 };
        SessionNorms { fixed: Capacity { min: 40, max: 70 }, outreach, mobile: outreach }
    }
}

impl SessionNorms {
    pub fn capacity(&self, site_type: SiteType) -> Capacity {
        match site_type {
            SiteType::Fixed => self.fixed,
            SiteType::Outreach => self.outreach,
            SiteType::Mobile => self.mobile,
        }
    }

    /// Sessions a site needs: none when nobody is due; else one per `max` injections, at least
    /// one (a child due only oral doses still needs a session).
    pub fn sessions_needed(&self, site_type: SiteType, people_due: u32, injections: u32) -> u32 {
        if people_due == 0 {
            return 0;
        }
        injections.div_ceil(self.capacity(site_type).max.max(1)).max(1)
    }
}

/// One beneficiary expected at a site in the round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub register_id: String,
    /// Injections due (doses that are not drops by mouth).
    pub injections: u32,
}

/// A site to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteToPlan {
    pub site_id: String,
    pub site_type: SiteType,
    /// The ANM who vaccinates there (`None`: no ANM assigned yet).
    pub anm: Option<String>,
    /// Who is due, in the order they will be called (by village and house).
    pub expected: Vec<Expected>,
}

/// The due list a round is planned from: everyone of `people` with a dose due or overdue on the
/// round's first day, counting only the doses given before it. Doses given during the round do
/// not take anyone off the plan (the mop-up list is what still is due).
pub fn round_due_list(
    people: &[(crate::report::Person, Vec<crate::schedule::Given>)],
    start: Date,
    settings: &crate::schedule::ScheduleSettings,
) -> Vec<crate::report::DueItem> {
    let mut lister = crate::report::DueLister::default();
    let mut before = Vec::new();
    people
        .iter()
        .filter_map(|(p, history)| {
            before.clear();
            before.extend(history.iter().filter(|g| g.date < start).copied());
            lister.item(p, &before, start, settings)
        })
        .collect()
}

impl Expected {
    /// One beneficiary of a due list, with the injections it is due (drops by mouth are not).
    pub fn of(item: &crate::report::DueItem) -> Expected {
        let injections = item.doses.iter().filter(|d| d.code.antigen().route() != crate::kit::Route::Oral).count();
        Expected { register_id: item.register_id.to_string(), injections: injections as u32 }
    }
}

/// A planned session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlannedSession {
    pub site_id: String,
    pub day: Date,
    /// 1-based number of this session among the site's sessions in the round.
    pub number: u32,
    pub injections: u32,
    pub expected: Vec<String>,
    /// Why it was not held, when it was marked so ([`apply_changes`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_held: Option<NotHeldReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The day the plan first gave it, when it was rescheduled to `day`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<Date>,
}

/// What happened to the session a plan has at a site on a day: not held, and/or moved to
/// another day (`session_not_held`, `session_rescheduled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanChange {
    pub site_id: String,
    pub day: Date,
    pub not_held: Option<NotHeldReason>,
    pub note: Option<String>,
    pub moved_to: Option<Date>,
}

/// Applies what happened to the planned sessions: a session moved is on its new day (and a move
/// of that day's session follows on, at most as many times as there are changes); otherwise a
/// session not held keeps its day and carries the reason. The plan stays sorted by day.
pub fn apply_changes(plan: &mut SessionPlan, changes: &[PlanChange]) {
    let by_key: BTreeMap<(&str, Date), &PlanChange> =
        changes.iter().map(|c| ((c.site_id.as_str(), c.day), c)).collect();
    for s in &mut plan.sessions {
        let first = s.day;
        let mut day = s.day;
        for _ in 0..=changes.len() {
            match by_key.get(&(s.site_id.as_str(), day)) {
                Some(PlanChange { moved_to: Some(to), .. }) if *to != day => day = *to,
                Some(c) => {
                    s.not_held = c.not_held;
                    s.note = c.note.clone();
                    break;
                }
                None => break,
            }
        }
        if day != first {
            s.day = day;
            s.moved_from = Some(first);
        }
    }
    plan.sessions.sort_by(|a, b| (a.day, &a.site_id, a.number).cmp(&(b.day, &b.site_id, b.number)));
}

/// The note of a session not held: checked as a dose's note is; `OTHER` must say what happened.
pub fn check_not_held(reason: NotHeldReason, note: Option<&str>) -> Result<Option<String>, crate::InputError> {
    let note = crate::facts::note_text("note", note)?;
    if note.is_none() && reason == NotHeldReason::Other {
        return Err(crate::InputError::at("note", "note is empty: say what happened (the reason is OTHER)"));
    }
    Ok(note)
}

/// What a supervisor must fix in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(tag = "code"))]
pub enum PlanProblem {
    /// A site with people due and no ANM.
    NoAnm { site_id: String },
    /// An ANM with more sessions than the round has days: some days hold two of hers.
    AnmOverbooked { anm: String, sessions: u32, days: u32 },
}

/// A round's session plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionPlan {
    pub sessions: Vec<PlannedSession>,
    pub problems: Vec<PlanProblem>,
}

/// Splits `expected` into `n` sessions of about equal injections, keeping their order.
fn split(expected: &[Expected], n: u32) -> Vec<Vec<&Expected>> {
    let n = n.max(1) as usize;
    let total: u32 = expected.iter().map(|e| e.injections).sum();
    let mut out: Vec<Vec<&Expected>> = vec![Vec::new(); n];
    let (mut i, mut filled, mut done) = (0usize, 0u32, 0u32);
    for e in expected {
        // Move on once this session holds its share of what is left.
        let left = (n - i) as u32;
        let share = (total - done).div_ceil(left.max(1));
        if i + 1 < n && filled >= share && filled > 0 {
            done += filled;
            filled = 0;
            i += 1;
        }
        out[i].push(e);
        filled += e.injections;
    }
    out
}

/// The plan of `sites` over the round's working `days`.
pub fn plan_sessions(sites: &[SiteToPlan], days: &[Date], norms: &SessionNorms) -> SessionPlan {
    let mut sessions = Vec::new();
    let mut problems = Vec::new();
    // Each ANM's next free day (sites without an ANM are planned from the first day).
    let mut next_day: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    let mut per_anm: BTreeMap<&str, u32> = BTreeMap::new();
    if days.is_empty() {
        return SessionPlan { sessions, problems };
    }
    for site in sites {
        let injections: u32 = site.expected.iter().map(|e| e.injections).sum();
        let n = norms.sessions_needed(site.site_type, site.expected.len() as u32, injections);
        if n == 0 {
            continue;
        }
        match site.anm.as_deref() {
            Some(anm) => *per_anm.entry(anm).or_default() += n,
            None => problems.push(PlanProblem::NoAnm { site_id: site.site_id.clone() }),
        }
        let cursor = next_day.entry(site.anm.as_deref()).or_default();
        for (k, group) in split(&site.expected, n).into_iter().enumerate() {
            let day = days[*cursor % days.len()];
            *cursor += 1;
            sessions.push(PlannedSession {
                site_id: site.site_id.clone(),
                day,
                number: k as u32 + 1,
                injections: group.iter().map(|e| e.injections).sum(),
                expected: group.iter().map(|e| e.register_id.clone()).collect(),
                not_held: None,
                note: None,
                moved_from: None,
            });
        }
    }
    for (anm, n) in per_anm {
        if n as usize > days.len() {
            problems.push(PlanProblem::AnmOverbooked { anm: anm.to_string(), sessions: n, days: days.len() as u32 });
        }
    }
    sessions.sort_by(|a, b| (a.day, &a.site_id, a.number).cmp(&(b.day, &b.site_id, b.number)));
    SessionPlan { sessions, problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::parse_date(s).unwrap_or_default()
    }

    fn people(prefix: &str, n: u32, injections: u32) -> Vec<Expected> {
        (1..=n).map(|i| Expected { register_id: format!("{prefix}-{i:03}"), injections }).collect()
    }

    fn site(id: &str, t: SiteType, anm: Option<&str>, expected: Vec<Expected>) -> SiteToPlan {
        SiteToPlan { site_id: id.into(), site_type: t, anm: anm.map(Into::into), expected }
    }

    const DAYS: [&str; 7] =
        ["2019-12-02", "2019-12-03", "2019-12-05", "2019-12-06", "2019-12-09", "2019-12-10", "2019-12-12"];

    fn days() -> Vec<Date> {
        DAYS.iter().map(|s| d(s)).collect()
    }

    #[test]
    fn sessions_not_held_keep_their_day_and_moved_ones_take_the_new_one() {
        let sites = vec![
            site("S-1", SiteType::Outreach, Some("Meena"), people("A", 60, 2)),
            site("S-2", SiteType::Outreach, Some("Rani"), people("B", 10, 1)),
        ];
        let mut plan = plan_sessions(&sites, &days(), &SessionNorms::default());
        let s1: Vec<Date> = plan.sessions.iter().filter(|s| s.site_id == "S-1").map(|s| s.day).collect();
        assert_eq!(s1, vec![d("2019-12-02"), d("2019-12-03"), d("2019-12-05")]);
        let changes = vec![
            PlanChange {
                site_id: "S-1".into(),
                day: d("2019-12-03"),
                not_held: Some(NotHeldReason::AnmAbsent),
                note: None,
                moved_to: Some(d("2019-12-12")),
            },
            PlanChange {
                site_id: "S-2".into(),
                day: d("2019-12-02"),
                not_held: Some(NotHeldReason::Weather),
                note: Some("flood".into()),
                moved_to: None,
            },
        ];
        apply_changes(&mut plan, &changes);
        let moved = plan.sessions.iter().find(|s| s.site_id == "S-1" && s.number == 2).unwrap();
        assert_eq!((moved.day, moved.moved_from, moved.not_held), (d("2019-12-12"), Some(d("2019-12-03")), None));
        assert_eq!(plan.sessions.last().map(|s| s.day), Some(d("2019-12-12")), "still sorted by day");
        let rained = plan.sessions.iter().find(|s| s.site_id == "S-2").unwrap();
        assert_eq!(
            (rained.day, rained.not_held, rained.note.as_deref()),
            (d("2019-12-02"), Some(NotHeldReason::Weather), Some("flood"))
        );
        // A move onto a day whose own session was moved follows on, and a loop ends.
        let mut plan = plan_sessions(&sites, &days(), &SessionNorms::default());
        let loop_changes = vec![
            PlanChange {
                site_id: "S-2".into(),
                day: d("2019-12-02"),
                not_held: None,
                note: None,
                moved_to: Some(d("2019-12-05")),
            },
            PlanChange {
                site_id: "S-2".into(),
                day: d("2019-12-05"),
                not_held: None,
                note: None,
                moved_to: Some(d("2019-12-02")),
            },
        ];
        apply_changes(&mut plan, &loop_changes);
        assert_eq!(plan.sessions.iter().filter(|s| s.site_id == "S-2").count(), 1);
    }

    #[test]
    fn a_round_is_planned_from_the_due_list_of_its_first_day() {
        use crate::codes::{BeneficiaryStatus, DoseCode, Kind};
        use crate::schedule::{Given, ScheduleSettings};
        let child = |id: &str| crate::report::Person {
            register_id: id.into(),
            name: id.into(),
            kind: Kind::Child,
            household_id: "H-1".into(),
            village: "Rampur".into(),
            status: BeneficiaryStatus::Active,
            anchor: d("2019-09-01"),
            je_endemic: false,
        };
        let birth = |code| Given { code, date: d("2019-09-02") };
        let at_birth = vec![birth(DoseCode::Bcg), birth(DoseCode::Opv0), birth(DoseCode::Hepb0)];
        let penta = |date: &str| {
            let mut h = at_birth.clone();
            h.extend(
                [DoseCode::Penta1, DoseCode::Opv1, DoseCode::Rvv1, DoseCode::Fipv1, DoseCode::Pcv1]
                    .map(|code| Given { code, date: d(date) }),
            );
            h
        };
        let people = vec![
            (child("C-1"), at_birth.clone()),
            (child("C-2"), penta("2019-12-03")),
            (child("C-3"), penta("2019-10-14")),
        ];
        let due = round_due_list(&people, d("2019-12-02"), &ScheduleSettings::default());
        let ids: Vec<&str> = due.iter().map(|i| &*i.register_id).collect();
        assert_eq!(ids, ["C-1", "C-2", "C-3"], "C-2's doses of day 2 do not take it off the plan");
        let c1 = Expected::of(&due[0]);
        assert_eq!(c1.register_id, "C-1");
        assert_eq!(c1.injections, 3, "Penta-1, fIPV-1 and PCV-1 are injections; OPV-1 and RVV-1 are drops");
    }

    #[test]
    fn a_session_not_held_for_another_reason_says_what_happened() {
        assert_eq!(check_not_held(NotHeldReason::Weather, None), Ok(None));
        assert_eq!(check_not_held(NotHeldReason::Weather, Some(" flood ")), Ok(Some("flood".into())));
        let err = check_not_held(NotHeldReason::Other, Some("  ")).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("note"));
        assert_eq!(check_not_held(NotHeldReason::Other, Some("road cut")), Ok(Some("road cut".into())));
    }

    #[test]
    fn sessions_follow_the_size_norms() {
        let n = SessionNorms::default();
        assert_eq!(n.sessions_needed(SiteType::Fixed, 0, 0), 0, "nobody due: no session");
        assert_eq!(n.sessions_needed(SiteType::Fixed, 3, 0), 1, "oral doses only: one session");
        assert_eq!(n.sessions_needed(SiteType::Fixed, 30, 70), 1);
        assert_eq!(n.sessions_needed(SiteType::Fixed, 31, 71), 2);
        assert_eq!(n.sessions_needed(SiteType::Outreach, 20, 50), 1);
        assert_eq!(n.sessions_needed(SiteType::Outreach, 21, 51), 2);
        assert_eq!(n.sessions_needed(SiteType::Mobile, 40, 120), 3);
    }

    #[test]
    fn a_site_over_capacity_gets_more_days_and_its_people_are_shared_out() {
        // 30 children with 4 injections each = 120 at an outreach site: 3 sessions of 40.
        let plan = plan_sessions(
            &[site("S1", SiteType::Outreach, Some("Meena"), people("C", 30, 4))],
            &days(),
            &SessionNorms::default(),
        );
        let got: Vec<(String, u32, u32, usize)> =
            plan.sessions.iter().map(|s| (crate::iso(s.day), s.number, s.injections, s.expected.len())).collect();
        assert_eq!(
            got,
            [("2019-12-02".into(), 1, 40, 10), ("2019-12-03".into(), 2, 40, 10), ("2019-12-05".into(), 3, 40, 10)]
        );
        let everyone: Vec<&String> = plan.sessions.iter().flat_map(|s| &s.expected).collect();
        assert_eq!(everyone.len(), 30, "everyone expected once");
        assert!(plan.problems.is_empty());
    }

    #[test]
    fn an_anm_holds_one_session_a_day_and_overbooking_is_reported() {
        let sites: Vec<SiteToPlan> = (1..=5)
            .map(|i| site(&format!("S{i}"), SiteType::Outreach, Some("Meena"), people(&format!("V{i}"), 20, 4)))
            .chain([site("S9", SiteType::Fixed, Some("Kavita"), people("F", 10, 2))])
            .collect();
        // Meena: 5 sites × 2 sessions (80 injections each) = 10 sessions in 7 days.
        let plan = plan_sessions(&sites, &days(), &SessionNorms::default());
        let meena: Vec<Date> = plan.sessions.iter().filter(|s| s.site_id != "S9").map(|s| s.day).collect();
        assert_eq!(meena.len(), 10);
        let mut per_day: BTreeMap<Date, u32> = BTreeMap::new();
        for day in &meena {
            *per_day.entry(*day).or_default() += 1;
        }
        assert_eq!(per_day.values().copied().max(), Some(2));
        assert_eq!(plan.problems, [PlanProblem::AnmOverbooked { anm: "Meena".into(), sessions: 10, days: 7 }]);
        // Kavita's one fixed session starts her own days.
        assert_eq!(
            plan.sessions.iter().find(|s| s.site_id == "S9").map(|s| crate::iso(s.day)),
            Some("2019-12-02".into())
        );
    }

    #[test]
    fn a_site_without_an_anm_is_reported_and_an_empty_site_is_not_planned() {
        let plan = plan_sessions(
            &[site("S1", SiteType::Fixed, None, people("C", 2, 1)), site("S2", SiteType::Fixed, Some("Meena"), vec![])],
            &days(),
            &SessionNorms::default(),
        );
        assert_eq!(plan.sessions.len(), 1);
        assert_eq!(plan.problems, [PlanProblem::NoAnm { site_id: "S1".into() }]);
    }

    #[test]
    fn uneven_people_are_shared_by_injections_in_order() {
        // 71 injections at a fixed site: two sessions; the split keeps the call order.
        let mut expected = people("A", 1, 40);
        expected.extend(people("B", 31, 1));
        let plan = plan_sessions(&[site("S", SiteType::Fixed, Some("M"), expected)], &days(), &SessionNorms::default());
        let sizes: Vec<(u32, usize)> = plan.sessions.iter().map(|s| (s.injections, s.expected.len())).collect();
        assert_eq!(sizes, [(40, 1), (31, 31)]);
    }
}
