//! Resistant families' case files and the villages' communication activities, as the round
//! report reads them (`teeka_domain::monitor`): the projection of `refusal_*` and
//! `activity_recorded` (migration 0009).

use crate::error::{opt_parse, parse, Result};
use crate::store::Store;
use std::collections::BTreeMap;
use teeka_domain::monitor::{ActivityRef, Assignment, CaseFacts, Visit};
use teeka_domain::Date;
use uuid::Uuid;

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
}
