//! The ANM's session: its due list with what it recorded, one beneficiary's item, its tally.

use super::{age_of, member};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use teeka_domain::report::{DueDose, DueItem};
use teeka_domain::tally::{tally as count, Tally};
use teeka_domain::{AgeParts, Classification, Date, DoseCode, Kind, Sex};
use teeka_store::{BeneficiaryRecord, NotGivenCode, Result, Store};
use uuid::Uuid;

/// A due-list entry of a session (or of the follow-up list), with what the session recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SessionItem {
    pub register_id: String,
    pub name: String,
    pub kind: Kind,
    /// So that a screen says a child's word in agreement (बच्ची for a girl); `null` when unknown.
    pub sex: Option<Sex>,
    /// The household's register id (as on the due list).
    pub household_id: String,
    pub village: String,
    pub classification: Classification,
    pub fully_immunized: bool,
    pub doses: Vec<DueDose>,
    /// The age on the date as an ANM says it (a child, or anyone with a date of birth).
    pub age: Option<AgeParts>,
    /// A pregnant woman: completed weeks of pregnancy from the LMP.
    pub pregnancy_weeks: Option<u32>,
    /// A pregnant woman: the expected date of delivery.
    pub edd: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub given: Option<Vec<DoseCode>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub not_given: Option<Vec<NotGivenCode>>,
}

impl From<DueItem> for SessionItem {
    fn from(d: DueItem) -> SessionItem {
        SessionItem {
            register_id: d.register_id.to_string(),
            name: d.name.to_string(),
            kind: d.kind,
            sex: None,
            household_id: d.household_id.to_string(),
            village: d.village.to_string(),
            classification: d.classification,
            fully_immunized: d.fully_immunized,
            doses: d.doses,
            age: None,
            pregnancy_weeks: None,
            edd: None,
            given: None,
            not_given: None,
        }
    }
}

impl SessionItem {
    /// Sets what is said of the person from their record: sex, age, weeks of pregnancy, EDD.
    pub(crate) fn with_person(mut self, row: Option<&BeneficiaryRecord>, on: Date) -> SessionItem {
        if let Some(row) = row {
            self.sex = row.facts.sex;
            (self.age, self.pregnancy_weeks) = age_of(row.kind, &row.facts, on);
            self.edd = row.facts.lmp.and_then(teeka_domain::model::edd_from_lmp);
        }
        self
    }
}

/// The records of a village's beneficiaries by register id (for [`SessionItem::with_person`]).
pub(crate) fn records_by_register_id(
    store: &Store,
    village: Option<Uuid>,
) -> Result<HashMap<String, BeneficiaryRecord>> {
    Ok(store.beneficiaries_in(village)?.into_iter().map(|r| (r.register_id.clone(), r)).collect())
}

/// The session's site's beneficiaries due or overdue on the session date, and those recorded
/// at it, each with what the session recorded.
pub fn items(store: &Store, session: Uuid) -> Result<Vec<SessionItem>> {
    let s = store.session(session)?;
    let mut records = store.session_records(session, None)?;
    let people = records_by_register_id(store, Some(s.site_id))?;
    let mut out: Vec<SessionItem> = store
        .due_list_of(s.date, s.site_id)?
        .into_iter()
        .map(|d| {
            let row = people.get(d.register_id.as_ref());
            SessionItem::from(d).with_person(row, s.date)
        })
        .collect();
    let listed: HashSet<String> = out.iter().map(|i| i.register_id.clone()).collect();
    let mut recorded: Vec<&String> =
        records.given.keys().chain(records.not_given.keys()).filter(|r| !listed.contains(*r)).collect();
    recorded.sort();
    recorded.dedup();
    for register_id in recorded {
        out.push(item(store, register_id, s.date)?);
    }
    for item in &mut out {
        item.given = Some(records.given.remove(&item.register_id).unwrap_or_default());
        item.not_given = Some(records.not_given.remove(&item.register_id).unwrap_or_default());
    }
    Ok(out)
}

/// The session item of one beneficiary on `on` (without what a session recorded).
pub fn item(store: &Store, register_id: &str, on: Date) -> Result<SessionItem> {
    let row = store.beneficiary(register_id)?;
    let m = member(&row, &store.history(row.id)?, on, &store.settings()?);
    Ok(SessionItem {
        age: m.age,
        pregnancy_weeks: m.pregnancy_weeks,
        edd: m.edd,
        register_id: m.register_id,
        name: m.name,
        kind: m.kind,
        sex: m.sex,
        household_id: row.household_id,
        village: row.place.village,
        classification: m.classification,
        fully_immunized: m.fully_immunized,
        doses: m.due,
        given: None,
        not_given: None,
    })
}

/// One beneficiary's session item at a session (what it recorded included).
pub fn item_at(store: &Store, session: Uuid, register_id: &str) -> Result<SessionItem> {
    let s = store.session(session)?;
    let mut item = item(store, register_id, s.date)?;
    let mut records = store.session_records(session, Some(register_id))?;
    item.given = Some(records.given.remove(register_id).unwrap_or_default());
    item.not_given = Some(records.not_given.remove(register_id).unwrap_or_default());
    Ok(item)
}

/// The numbers of a session.
pub fn tally(store: &Store, session: Uuid) -> Result<Tally> {
    store.session(session)?;
    Ok(count(session, store.session_facts(session)?))
}
