//! Resistant families' case files and the villages' communication activities, as the round
//! report reads them (`teeka_domain::monitor`): the projection of `refusal_*` and
//! `activity_recorded` (migration 0009).

use crate::append::Ctx;
use crate::error::{corrupt, not_found, opt_parse, parse, Result, StoreError};
use crate::records::REFUSAL_REASONS;
use crate::store::Store;
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use teeka_domain::cases::{check_activity, check_case_text, check_visit};
use teeka_domain::monitor::{case_state, ActivityRef, Assignment, CaseFacts, CaseState, Refusal, Visit};
use teeka_domain::{
    iso, ActivityKind, CaseStatus, Date, DoseCode, EventBody, Given, Persuader, ReasonCode, VisitAction, VisitOutcome,
};
use uuid::Uuid;

/// A member of a resistant family and what they refused at one visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseRefusal {
    pub register_id: String,
    pub name: String,
    /// The doses refused, in schedule order.
    pub codes: Vec<DoseCode>,
    pub reason: ReasonCode,
    pub date: Date,
}

/// A case file's escalation to the block task force (standing: not withdrawn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseEscalation {
    pub on: Date,
    pub note: Option<String>,
}

/// A resistant family's case file: the household, who refused what, who is to persuade them,
/// the visits (by date), the escalation and where the case stands
/// ([`teeka_domain::monitor::case_state`] on the date asked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseFileRecord {
    /// The household's internal id.
    pub household: Uuid,
    /// The household's register id.
    pub household_id: String,
    pub village_id: Uuid,
    pub village: String,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    pub phone: Option<String>,
    /// The refusals standing, oldest first.
    pub refusals: Vec<CaseRefusal>,
    pub assigned: Option<Assignment>,
    pub visits: Vec<Visit>,
    pub escalated: Option<CaseEscalation>,
    pub state: CaseState,
    /// Days from the first refusal to the date asked for.
    pub days_open: i64,
}

/// Which case files [`Store::case_files`] lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    pub village: Option<Uuid>,
    /// Only the cases still to work on: open or still refusing.
    pub open_only: bool,
    pub assigned_to: Option<Persuader>,
    /// The date the cases are seen on (today).
    pub on: Date,
}

impl CaseFilter {
    /// Every case file, on `on`.
    pub fn all(on: Date) -> CaseFilter {
        CaseFilter { village: None, open_only: false, assigned_to: None, on }
    }
}

/// A case still to work on: open or still refusing.
pub fn is_open(status: CaseStatus) -> bool {
    matches!(status, CaseStatus::Open | CaseStatus::StillRefusing)
}

/// A visit to record ([`Store::record_case_visit`]).
#[derive(Debug, Clone, Copy)]
pub struct NewVisit<'a> {
    pub date: Date,
    pub by: Persuader,
    pub by_name: Option<&'a str>,
    pub action: VisitAction,
    pub outcome: VisitOutcome,
    pub note: Option<&'a str>,
}

/// A communication activity to record ([`Store::record_activity`]).
#[derive(Debug, Clone, Copy)]
pub struct NewActivity<'a> {
    pub date: Date,
    pub kind: ActivityKind,
    pub led_by: &'a str,
    pub leader: Option<Persuader>,
    pub attendance: u32,
    pub note: Option<&'a str>,
}

/// A communication activity as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityRecord {
    pub id: Uuid,
    pub village_id: Uuid,
    pub village: String,
    pub date: Date,
    pub kind: ActivityKind,
    pub led_by: String,
    pub leader: Option<Persuader>,
    pub attendance: u32,
    pub note: Option<String>,
}

impl Store {
    /// Every case file's assignment, visits (by date, then id) and escalation standing, by
    /// household.
    pub fn case_facts(&self) -> Result<Vec<CaseFacts>> {
        let mut out: BTreeMap<Uuid, CaseFacts> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, persuader, persuader_name, escalated, escalated_on FROM case_files ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let household: Uuid = parse(&r.get::<_, String>(0)?, "case file")?;
            let name: Option<String> = r.get(2)?;
            let assigned = opt_parse(r.get(1)?, "persuader")?.map(|persuader| Assignment { persuader, name });
            let escalated = if r.get::<_, bool>(3)? { opt_parse::<Date>(r.get(4)?, "escalated on")? } else { None };
            out.insert(household, CaseFacts { household, assigned, visits: Vec::new(), escalated });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, household_id, date, by_role, by_name, action, outcome, note FROM case_visits
             ORDER BY household_id, date, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let household: Uuid = parse(&r.get::<_, String>(1)?, "visit's household")?;
            let visit = Visit {
                id: parse(&r.get::<_, String>(0)?, "visit")?,
                date: parse(&r.get::<_, String>(2)?, "visit date")?,
                by: parse(&r.get::<_, String>(3)?, "visit by")?,
                by_name: r.get(4)?,
                action: parse(&r.get::<_, String>(5)?, "visit action")?,
                outcome: parse(&r.get::<_, String>(6)?, "visit outcome")?,
                note: r.get(7)?,
            };
            out.entry(household).or_insert_with(|| CaseFacts { household, ..Default::default() }).visits.push(visit);
        }
        Ok(out.into_values().collect())
    }

    /// Every communication activity, by date.
    pub fn activity_refs(&self) -> Result<Vec<ActivityRef>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT village_id, date, kind, attendance FROM activities ORDER BY date, id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(ActivityRef {
                village: parse(&r.get::<_, String>(0)?, "activity's village")?,
                date: parse(&r.get::<_, String>(1)?, "activity date")?,
                kind: parse(&r.get::<_, String>(2)?, "activity kind")?,
                attendance: r.get(3)?,
            });
        }
        Ok(out)
    }

    /// A household named by its register id (`HH-…`, case-insensitive) or its internal id:
    /// its internal id and register id (`NOT_FOUND` without it).
    pub fn case_household(&self, household: &str) -> Result<(Uuid, String)> {
        let text = household.trim();
        let found: Option<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, household_id FROM households WHERE id = ?1 OR household_id = ?1 COLLATE NOCASE
                 ORDER BY id = ?1 DESC LIMIT 1",
            )?
            .query_row([text], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (id, household_id) =
            found.ok_or_else(|| not_found(format!("household '{text}': no such household on this device")))?;
        Ok((parse(&id, "household id")?, household_id))
    }

    /// The date of a household's first refusal standing, if any.
    fn first_refusal(&self, household: Uuid) -> Result<Option<Date>> {
        let first: Option<String> = self.conn.query_row(
            &format!(
                "SELECT min(n.date) FROM not_given n JOIN beneficiaries b ON b.id = n.beneficiary_id
                 WHERE b.household_id = ?1 AND n.superseded_by IS NULL AND n.reason IN ({})",
                *REFUSAL_REASONS
            ),
            [household.to_string()],
            |r| r.get(0),
        )?;
        opt_parse(first, "refusal date")
    }

    /// A village named by its name (case-insensitive) or its id (`UNKNOWN_VILLAGE` without it).
    pub fn find_village(&self, village: &str) -> Result<Uuid> {
        let text = village.trim();
        if let Ok(id) = text.parse::<Uuid>() {
            if self.village_exists(id)? {
                return Ok(id);
            }
        }
        self.village_id(text)?.ok_or_else(|| StoreError::UnknownVillage(text.to_string()))
    }

    /// Assigns who is to persuade a resistant family (by last-writer-wins: the latest
    /// assignment stands). `NO_REFUSAL` when the household has no refusal standing.
    pub fn assign_case(&mut self, household: &str, persuader: Persuader, name: Option<&str>, ctx: &Ctx) -> Result<()> {
        let (h, household_id) = self.case_household(household)?;
        let name = check_case_text(&household_id, self.first_refusal(h)?, "name", name)?;
        self.append(ctx, vec![EventBody::RefusalAssigned { household: h, persuader, name }])?;
        Ok(())
    }

    /// Records a visit to a resistant family; returns the visit's id. Checked
    /// ([`teeka_domain::cases::check_visit`]): a refusal standing (`NO_REFUSAL`), a date from
    /// the first refusal to today, the texts.
    pub fn record_case_visit(&mut self, household: &str, visit: NewVisit<'_>, ctx: &Ctx) -> Result<Uuid> {
        let (h, household_id) = self.case_household(household)?;
        let checked =
            check_visit(&household_id, self.first_refusal(h)?, visit.date, visit.by_name, visit.note, ctx.today)?;
        let id = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::RefusalVisited {
                visit: id,
                household: h,
                date: visit.date,
                by: visit.by,
                by_name: checked.by_name,
                action: visit.action,
                outcome: visit.outcome,
                note: checked.note,
            }],
        )?;
        Ok(id)
    }

    /// Escalates a resistant family's case to the block task force today (or, with
    /// `escalated: false`, withdraws the escalation); by last-writer-wins.
    pub fn escalate_case(&mut self, household: &str, escalated: bool, note: Option<&str>, ctx: &Ctx) -> Result<()> {
        let (h, household_id) = self.case_household(household)?;
        let note = check_case_text(&household_id, self.first_refusal(h)?, "note", note)?;
        self.append(ctx, vec![EventBody::RefusalEscalated { household: h, date: ctx.today, escalated, note }])?;
        Ok(())
    }

    /// Records a communication activity held in a village; returns its id. Checked
    /// ([`teeka_domain::cases::check_activity`]): a village of this device, not in the
    /// future, who led it, 0 to 10,000 attending.
    pub fn record_activity(&mut self, village: Uuid, activity: NewActivity<'_>, ctx: &Ctx) -> Result<Uuid> {
        if !self.village_exists(village)? {
            return Err(StoreError::UnknownVillage(village.to_string()));
        }
        let checked = check_activity(activity.date, activity.led_by, activity.attendance, activity.note, ctx.today)?;
        let id = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::ActivityRecorded {
                activity: id,
                village,
                date: activity.date,
                kind: activity.kind,
                led_by: checked.led_by,
                leader: activity.leader,
                attendance: activity.attendance,
                note: checked.note,
            }],
        )?;
        Ok(id)
    }

    /// The communication activities, of a village or all, from `from` to `to` (each optional),
    /// newest first.
    pub fn activities(
        &self,
        village: Option<Uuid>,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<ActivityRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.id, t.village_id, a.name, t.date, t.kind, t.led_by, t.leader, t.attendance, t.note
             FROM activities t JOIN areas a ON a.id = t.village_id
             WHERE (?1 IS NULL OR t.village_id = ?1) AND (?2 IS NULL OR t.date >= ?2) AND (?3 IS NULL OR t.date <= ?3)
             ORDER BY t.date DESC, t.id DESC",
        )?;
        let mut rows = stmt.query([village.map(|v| v.to_string()), from.map(iso), to.map(iso)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(ActivityRecord {
                id: parse(&r.get::<_, String>(0)?, "activity")?,
                village_id: parse(&r.get::<_, String>(1)?, "activity's village")?,
                village: r.get(2)?,
                date: parse(&r.get::<_, String>(3)?, "activity date")?,
                kind: parse(&r.get::<_, String>(4)?, "activity kind")?,
                led_by: r.get(5)?,
                leader: opt_parse(r.get(6)?, "activity leader")?,
                attendance: r.get(7)?,
                note: r.get(8)?,
            });
        }
        Ok(out)
    }

    /// The case files of the families with a refusal standing on `filter.on`, oldest first (by
    /// the first refusal, then the household id).
    pub fn case_files(&self, filter: &CaseFilter) -> Result<Vec<CaseFileRecord>> {
        struct Row {
            beneficiary: Uuid,
            refusal: CaseRefusal,
        }
        // The refusals standing, with their households.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT h.id, h.household_id, a.id, a.name, h.house_no, h.head_of_household, h.phone,
                    b.id, b.register_id, b.name, n.code, n.date, n.reason
             FROM not_given n JOIN beneficiaries b ON b.id = n.beneficiary_id
             JOIN households h ON h.id = b.household_id JOIN areas a ON a.id = h.village_id
             WHERE n.superseded_by IS NULL AND n.reason IN ({}) AND (?1 IS NULL OR a.id = ?1) AND n.date <= ?2
             ORDER BY h.id, n.date, b.register_id, n.code",
            *REFUSAL_REASONS
        ))?;
        let mut rows = stmt.query([filter.village.map(|v| v.to_string()), Some(iso(filter.on))])?;
        let mut files: BTreeMap<Uuid, (CaseFileRecord, Vec<Row>)> = BTreeMap::new();
        while let Some(r) = rows.next()? {
            let household: Uuid = parse(&r.get::<_, String>(0)?, "household id")?;
            let code: DoseCode = parse(&r.get::<_, String>(10)?, "dose code")?;
            let row = Row {
                beneficiary: parse(&r.get::<_, String>(7)?, "beneficiary id")?,
                refusal: CaseRefusal {
                    register_id: r.get(8)?,
                    name: r.get(9)?,
                    codes: vec![code],
                    date: parse(&r.get::<_, String>(11)?, "refusal date")?,
                    reason: parse(&r.get::<_, String>(12)?, "refusal reason")?,
                },
            };
            let entry = match files.entry(household) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert((
                    CaseFileRecord {
                        household,
                        household_id: r.get(1)?,
                        village_id: parse(&r.get::<_, String>(2)?, "village id")?,
                        village: r.get(3)?,
                        house_no: r.get(4)?,
                        head_of_household: r.get(5)?,
                        phone: r.get(6)?,
                        refusals: Vec::new(),
                        assigned: None,
                        visits: Vec::new(),
                        escalated: None,
                        state: CaseState {
                            status: CaseStatus::Open,
                            opened_on: row.refusal.date,
                            persuaded_on: None,
                            agreed_on: None,
                            last_visit: None,
                            visits: 0,
                            escalated_on: None,
                        },
                        days_open: 0,
                    },
                    Vec::new(),
                )),
            };
            entry.1.push(row);
        }
        if files.is_empty() {
            return Ok(Vec::new());
        }
        // The doses given to the members who refused.
        let mut given: HashMap<Uuid, Vec<Given>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT d.beneficiary_id, d.code, d.date FROM doses d
             WHERE d.superseded_by IS NULL AND d.beneficiary_id IN
                 (SELECT n.beneficiary_id FROM not_given n WHERE n.superseded_by IS NULL AND n.reason IN ({}))",
            *REFUSAL_REASONS
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            given.entry(parse(&r.get::<_, String>(0)?, "beneficiary id")?).or_default().push(Given {
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                date: parse(&r.get::<_, String>(2)?, "dose date")?,
            });
        }
        let mut facts: HashMap<Uuid, CaseFacts> = self.case_facts()?.into_iter().map(|f| (f.household, f)).collect();
        let notes = self.escalation_notes()?;
        let mut out = Vec::new();
        for (household, (mut file, rows)) in files {
            let refusals: Vec<Refusal> = rows
                .iter()
                .map(|r| Refusal {
                    beneficiary: r.beneficiary,
                    code: r.refusal.codes[0],
                    date: r.refusal.date,
                    reason: r.refusal.reason,
                })
                .collect();
            let f = facts.remove(&household).unwrap_or_default();
            let given_of = |b: Uuid| given.get(&b).map_or(&[][..], Vec::as_slice);
            let Some(state) = case_state(&refusals, given_of, &f.visits, f.escalated, filter.on) else { continue };
            if filter.open_only && !is_open(state.status) {
                continue;
            }
            if filter.assigned_to.is_some() && f.assigned.as_ref().map(|a| a.persuader) != filter.assigned_to {
                continue;
            }
            // One line per member, date and reason, listing its doses.
            let mut lines: Vec<CaseRefusal> = Vec::new();
            for r in rows {
                match lines.iter_mut().find(|l| {
                    l.register_id == r.refusal.register_id && l.date == r.refusal.date && l.reason == r.refusal.reason
                }) {
                    Some(l) => {
                        l.codes.extend(r.refusal.codes);
                        l.codes.sort_unstable();
                        l.codes.dedup();
                    }
                    None => lines.push(r.refusal),
                }
            }
            lines.sort_by(|a, b| (a.date, &a.register_id).cmp(&(b.date, &b.register_id)));
            file.refusals = lines;
            file.escalated =
                state.escalated_on.map(|on| CaseEscalation { on, note: notes.get(&household).cloned().flatten() });
            file.assigned = f.assigned;
            file.visits = f.visits.into_iter().filter(|v| v.date <= filter.on).collect();
            file.days_open = (filter.on - state.opened_on).num_days();
            file.state = state;
            out.push(file);
        }
        out.sort_by(|a, b| (a.state.opened_on, &a.household_id).cmp(&(b.state.opened_on, &b.household_id)));
        Ok(out)
    }

    /// The escalation notes of the case files, by household.
    fn escalation_notes(&self) -> Result<HashMap<Uuid, Option<String>>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, escalation_note FROM case_files WHERE escalated = 1")?;
        let mut rows = stmt.query([])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            out.insert(parse(&r.get::<_, String>(0)?, "case file")?, r.get(1)?);
        }
        Ok(out)
    }

    /// One case file, on `on` (`NO_REFUSAL` when the household has no refusal standing then).
    pub fn case_file(&self, household: &str, on: Date) -> Result<CaseFileRecord> {
        let (h, household_id) = self.case_household(household)?;
        let village: Option<String> = self
            .conn
            .prepare_cached("SELECT village_id FROM households WHERE id = ?1")?
            .query_row([h.to_string()], |r| r.get(0))
            .optional()?;
        let village = parse(&village.ok_or_else(|| corrupt("a household without its row"))?, "village id")?;
        self.case_files(&CaseFilter { village: Some(village), ..CaseFilter::all(on) })?
            .into_iter()
            .find(|c| c.household == h)
            .ok_or_else(|| {
                StoreError::NoRefusal(format!("household {household_id} has no refusal standing: it has no case file"))
            })
    }
}
