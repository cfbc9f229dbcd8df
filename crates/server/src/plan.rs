//! `teeka-server plan sessions`: the session plan of a round for a block or a district, from the
//! server's log, with the domain's rules (the microplan's fold, the register's replay, the round's
//! calendar, the due list of its first day, the session norms, what happened to sessions).
//!
//! Each block is planned from what a device of that block holds (the events placed within it and
//! above it), as its supervisor's device would plan it: a district's plan is its blocks' plans,
//! each with the round its block sees (a round defined at the district, or the block's own), and
//! the sites placed above the blocks (serving villages of several), each planned once with the
//! people of every block it serves.

use crate::db::{within, Area, Database};
use crate::service::{AdminError, Service};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use teeka_domain::calendar::{RoundDays, Weekdays};
use teeka_domain::microplan::{Round, Site};
use teeka_domain::plan::{
    apply_changes, plan_sessions, round_due_list, Expected, PlanChange, PlanProblem, SessionNorms, SiteToPlan,
};
use teeka_domain::report::{DueItem, Person};
use teeka_domain::schedule::Given;
use teeka_domain::{
    AreaLevel, Contact, Date, DoseCode, Event, HraType, Microplan, NotHeldReason, Replay, ScheduleSettings, SiteType,
};
use uuid::Uuid;

/// A round's session plan for an area (the JSON of `plan sessions`, `docs/formats.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaPlan {
    pub round: u32,
    /// The area's path.
    pub area: String,
    /// The round's working days (of every block planned, in order).
    pub days: Vec<Date>,
    /// Sites without an ANM or a mobilizer first, then by path and site id.
    pub sites: Vec<SitePlan>,
    pub problems: Vec<Problem>,
}

/// One session site and its sessions in the round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SitePlan {
    pub site_id: String,
    pub name: String,
    /// Where the server placed it (where its villages meet).
    pub path: String,
    #[serde(rename = "type")]
    pub site_type: SiteType,
    pub hra: HraType,
    pub anm: Option<Contact>,
    pub mobilizers: Vec<Contact>,
    pub no_anm: bool,
    pub no_mobilizer: bool,
    pub sessions: Vec<SessionPlan>,
}

/// One planned session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionPlan {
    pub day: Date,
    /// 1-based, among the site's sessions in the round.
    pub number: u32,
    pub injections: u32,
    pub expected: Vec<ExpectedPerson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_held: Option<NotHeldReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<Date>,
}

/// A beneficiary expected at a session, with the doses due on the round's first day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedPerson {
    pub register_id: String,
    pub name: String,
    pub village: String,
    pub doses: Vec<DoseCode>,
}

/// What a supervisor must fix in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Problem {
    /// A site with people due and no ANM.
    NoAnm { site_id: String },
    /// An ANM with more sessions than the round has days.
    AnmOverbooked { anm: String, sessions: u32, days: u32 },
    /// A block with sites that sees no round of this number.
    NoRound { area: String },
}

impl From<PlanProblem> for Problem {
    fn from(p: PlanProblem) -> Problem {
        match p {
            PlanProblem::NoAnm { site_id } => Problem::NoAnm { site_id },
            PlanProblem::AnmOverbooked { anm, sessions, days } => Problem::AnmOverbooked { anm, sessions, days },
        }
    }
}

impl<D: Database> Service<D> {
    /// The session plan of round `round` for `area` (any name or path [`Service::find_area`]
    /// resolves): every site placed within it, its sessions on the round's working days, and who
    /// is expected at each. An unknown area, or a round of that number that no block of the area
    /// sees, is an error.
    pub async fn plan_sessions(&self, round: u32, area: &str, norms: &SessionNorms) -> Result<AreaPlan, AdminError> {
        let area = self.find_area(area).await?;
        let units: Vec<Area> = if matches!(area.level, AreaLevel::State | AreaLevel::District) {
            let mut blocks: Vec<Area> = self
                .db()
                .areas()
                .await?
                .into_iter()
                .filter(|a| a.level == AreaLevel::Block && within(&a.path, &area.path))
                .collect();
            blocks.sort_by(|a, b| a.path.cmp(&b.path));
            blocks
        } else {
            vec![area.clone()]
        };
        let mut days = BTreeSet::new();
        let mut sites = Vec::new();
        let mut problems = Vec::new();
        let mut found = false;
        // Sites placed above the blocks (serving villages of several): planned once, with the
        // people of every block, in the round of the first block that sees one.
        let mut shared: BTreeMap<Uuid, (Site, String, Option<Calendar>, People)> = BTreeMap::new();
        for unit in &units {
            let (register, microplan) = self.fold(&unit.path).await?;
            let ids: Vec<Uuid> = microplan.sites().iter().map(|s| s.id).collect();
            let paths = self.db().entity_paths(ids).await?;
            let calendar = match microplan.round(round) {
                Some(r) => Some(calendar(&microplan, r, &unit.path)?),
                None => None,
            };
            found |= calendar.is_some();
            // The register by village, in call order (village, house, register id).
            let people = register.people();
            let mut by_village: HashMap<Uuid, Vec<usize>> = HashMap::new();
            for (i, (village, ..)) in people.iter().enumerate() {
                by_village.entry(*village).or_default().push(i);
            }
            let people_of = |site: &Site| -> People {
                let mut seen = BTreeSet::new();
                site.villages
                    .iter()
                    .map(|v| register.canonical(*v))
                    .filter(|v| seen.insert(*v))
                    .flat_map(|v| by_village.get(&v).into_iter().flatten())
                    .map(|&i| (people[i].1.clone(), people[i].2.clone()))
                    .collect()
            };
            let mut local = Vec::new();
            for site in microplan.sites() {
                let Some(path) = paths.get(&site.id).filter(|p| within(p, &area.path)) else { continue };
                if within(path, &unit.path) {
                    local.push((site.clone(), path.clone(), people_of(site)));
                } else {
                    let entry = shared.entry(site.id).or_insert_with(|| (site.clone(), path.clone(), None, Vec::new()));
                    if entry.2.is_none() {
                        entry.2.clone_from(&calendar);
                    }
                    entry.3.extend(people_of(site));
                }
            }
            match &calendar {
                Some(c) => {
                    days.extend(c.days.iter().copied());
                    let (planned, p) = plan_group(local, c, norms);
                    sites.extend(planned);
                    problems.extend(p);
                }
                None if !local.is_empty() => problems.push(Problem::NoRound { area: unit.path.clone() }),
                None => {}
            }
        }
        for (site, path, calendar, people) in shared.into_values() {
            match calendar {
                Some(c) => {
                    let (planned, p) = plan_group(vec![(site, path, people)], &c, norms);
                    sites.extend(planned);
                    problems.extend(p);
                }
                None => problems.push(Problem::NoRound { area: path }),
            }
        }
        if !found {
            return Err(AdminError::Invalid(format!(
                "no round {round} is defined for {} (nor an area above or below it)",
                area.path
            )));
        }
        sites.sort_by(|a, b| {
            (!(a.no_anm || a.no_mobilizer), &a.path, &a.site_id).cmp(&(
                !(b.no_anm || b.no_mobilizer),
                &b.path,
                &b.site_id,
            ))
        });
        Ok(AreaPlan { round, area: area.path, days: days.into_iter().collect(), sites, problems })
    }

    /// The register and the microplan a device of `path` holds: the events placed within it and
    /// above it, in log order.
    pub(crate) async fn fold(&self, path: &str) -> Result<(Replay, Microplan), AdminError> {
        let mut register = Replay::default();
        let mut microplan = Microplan::default();
        let mut after = 0;
        loop {
            let (rows, more) = self.db().pull(path.to_string(), after, 5_000).await?;
            for (seq, _, json) in &rows {
                let event: Event = serde_json::from_str(json)
                    .map_err(|e| AdminError::Invalid(format!("event #{seq} is unreadable: {e}")))?;
                register.apply(&event).map_err(|e| AdminError::Invalid(format!("replaying the log: {e}")))?;
                microplan.apply(&event).map_err(|e| AdminError::Invalid(format!("folding the microplan: {e}")))?;
            }
            match rows.last() {
                Some((seq, _, _)) if more => after = *seq,
                _ => break,
            }
        }
        Ok((register, microplan))
    }
}

/// People with their doses given, in call order: the due list's input.
type People = Vec<(Person, Vec<Given>)>;

/// A round as a block sees it: its working days, the first of them, what happened to sessions.
#[derive(Debug, Clone)]
struct Calendar {
    days: Vec<Date>,
    first: Date,
    changes: Vec<PlanChange>,
}

fn calendar(microplan: &Microplan, r: &Round, seen_from: &str) -> Result<Calendar, AdminError> {
    let ri_days = r.ri_days.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",");
    let round_days = RoundDays {
        start: r.start,
        working_days: r.working_days,
        ri_days: Weekdays::parse(&ri_days).map_err(|e| AdminError::Invalid(e.to_string()))?,
        holidays: microplan.holidays(r.id).into_iter().collect(),
    };
    let days = round_days
        .days()
        .map_err(|e| AdminError::Invalid(format!("round {} as {seen_from} sees it: {e}", r.number)))?;
    let first = days.first().copied().unwrap_or(r.start);
    Ok(Calendar { days, first, changes: microplan.plan_changes(r.id) })
}

/// The sessions of `sites` (each with the people of its villages, in call order) over a round.
fn plan_group(
    sites: Vec<(Site, String, People)>,
    calendar: &Calendar,
    norms: &SessionNorms,
) -> (Vec<SitePlan>, Vec<Problem>) {
    let settings = ScheduleSettings::default();
    let mut to_plan = Vec::new();
    let mut due: HashMap<String, DueItem> = HashMap::new();
    for (site, _, people) in &sites {
        let items = round_due_list(people, calendar.first, &settings);
        to_plan.push(SiteToPlan {
            site_id: site.site_id.clone(),
            site_type: site.site_type,
            anm: site.anm.as_ref().map(|a| a.name.clone()).filter(|n| !n.trim().is_empty()),
            expected: items.iter().map(Expected::of).collect(),
        });
        for item in items {
            due.insert(item.register_id.to_string(), item);
        }
    }
    let mut plan = plan_sessions(&to_plan, &calendar.days, norms);
    apply_changes(&mut plan, &calendar.changes);
    let problems = plan.problems.into_iter().map(Problem::from).collect();
    let planned = sites
        .into_iter()
        .map(|(site, path, _)| {
            let anm = site.anm.clone().filter(|a| !a.name.trim().is_empty());
            let sessions = plan
                .sessions
                .iter()
                .filter(|s| s.site_id == site.site_id)
                .map(|s| SessionPlan {
                    day: s.day,
                    number: s.number,
                    injections: s.injections,
                    expected: s
                        .expected
                        .iter()
                        .map(|id| {
                            let item = due.get(id);
                            ExpectedPerson {
                                register_id: id.clone(),
                                name: item.map(|i| i.name.to_string()).unwrap_or_default(),
                                village: item.map(|i| i.village.to_string()).unwrap_or_default(),
                                doses: item.map(|i| i.doses.iter().map(|d| d.code).collect()).unwrap_or_default(),
                            }
                        })
                        .collect(),
                    not_held: s.not_held,
                    note: s.note.clone(),
                    moved_from: s.moved_from,
                })
                .collect();
            SitePlan {
                site_id: site.site_id.clone(),
                name: site.name.clone(),
                path,
                site_type: site.site_type,
                hra: site.hra,
                no_anm: anm.is_none(),
                no_mobilizer: site.mobilizers.is_empty(),
                anm,
                mobilizers: site.mobilizers,
                sessions,
            }
        })
        .collect();
    (planned, problems)
}

/// The plan as CSV: one row per session (a site without sessions: one row with the session's
/// columns empty), in the order of the JSON (`docs/formats.md`).
pub fn plan_csv(plan: &AreaPlan) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "round",
        "area",
        "site_id",
        "name",
        "path",
        "type",
        "hra",
        "anm",
        "anm_phone",
        "mobilizers",
        "no_anm",
        "no_mobilizer",
        "day",
        "number",
        "injections",
        "expected",
        "not_held",
        "note",
        "moved_from",
    ])?;
    let yes = |b: bool| if b { "yes" } else { "no" };
    for s in &plan.sites {
        let site = [
            plan.round.to_string(),
            plan.area.clone(),
            s.site_id.clone(),
            s.name.clone(),
            s.path.clone(),
            s.site_type.as_str().to_string(),
            s.hra.as_str().to_string(),
            s.anm.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
            s.anm.as_ref().and_then(|a| a.phone.clone()).unwrap_or_default(),
            s.mobilizers.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(";"),
            yes(s.no_anm).to_string(),
            yes(s.no_mobilizer).to_string(),
        ];
        if s.sessions.is_empty() {
            w.write_record(site.iter().cloned().chain(std::iter::repeat(String::new()).take(7)))?;
        }
        for x in &s.sessions {
            let session = [
                teeka_domain::iso(x.day),
                x.number.to_string(),
                x.injections.to_string(),
                x.expected.iter().map(|e| e.register_id.as_str()).collect::<Vec<_>>().join(";"),
                x.not_held.map(|r| r.as_str().to_string()).unwrap_or_default(),
                x.note.clone().unwrap_or_default(),
                x.moved_from.map(teeka_domain::iso).unwrap_or_default(),
            ];
            w.write_record(site.iter().cloned().chain(session))?;
        }
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A session size as a flag gives it: `40-70` (injections, the least and the most).
pub fn parse_capacity(text: &str) -> Result<teeka_domain::plan::Capacity, String> {
    let bad = || format!("'{text}' is not a session size: write MIN-MAX, e.g. 40-70");
    let (min, max) = text.split_once('-').ok_or_else(bad)?;
    let min: u32 = min.trim().parse().map_err(|_| bad())?;
    let max: u32 = max.trim().parse().map_err(|_| bad())?;
    if min == 0 || min > max {
        return Err(format!("'{text}': a session size needs 1 ≤ MIN ≤ MAX"));
    }
    Ok(teeka_domain::plan::Capacity { min, max })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_sizes_read_as_min_max() {
        assert_eq!(parse_capacity("40-70"), Ok(teeka_domain::plan::Capacity { min: 40, max: 70 }));
        assert!(parse_capacity("70-40").is_err());
        assert!(parse_capacity("40").is_err());
        assert!(parse_capacity("0-5").is_err());
        assert!(parse_capacity("a-b").unwrap_err().contains("MIN-MAX"));
    }

    #[test]
    fn the_common_ancestor_is_by_whole_segments() {
        let p = |v: &[&str]| crate::service::common_ancestor(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(p(&["UP/S/M/B/Rampur", "UP/S/M/B/Kheri"]), "UP/S/M/B");
        assert_eq!(p(&["UP/S/M/B/Rampur"]), "UP/S/M/B/Rampur");
        assert_eq!(p(&["UP/S/M/B/Rampur", "UP/S/M/K/Sonpur"]), "UP/S/M");
        assert_eq!(p(&["UP/S/Mahmudabad/B/R", "UP/S/Mahmudabadi/B/R"]), "UP/S");
    }
}
