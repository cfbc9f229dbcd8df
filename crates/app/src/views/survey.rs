//! The ASHA's survey: villages → households → members, one beneficiary in full, search and the
//! similar-child and similar-household warnings.

use super::{member, members, Found, Member};
use serde::Serialize;
use std::collections::HashMap;
use teeka_domain::report::{upcoming, DueDose};
use teeka_domain::similar::similar_names;
use teeka_domain::{Date, HouseholdFacts, RiskCategory};
use teeka_store::{AefiRecord, DoseRecord, NotGivenRecord, Place, Result, Store, StoreError};
use uuid::Uuid;

/// How far apart two dates of birth may be for [`similar_children`].
pub const SIMILAR_DOB_DAYS: i64 = 90;

/// A village with its counts (active beneficiaries; `due`: those with a dose due or overdue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Village {
    pub id: Uuid,
    pub name: String,
    pub households: u32,
    pub children: u32,
    pub pregnant_women: u32,
    pub due: u32,
    /// The village's ASHA (`set_village_asha`).
    pub asha_name: Option<String>,
    pub asha_phone: Option<String>,
}

/// A household with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Household {
    pub id: Uuid,
    pub household_id: String,
    pub village_id: Uuid,
    pub village: String,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    pub phone: Option<String>,
    pub risk_category: Option<RiskCategory>,
    pub resistant: bool,
    /// Beneficiaries (any status).
    pub members: u32,
    /// Active members with a dose due or overdue.
    pub due: u32,
}

/// One beneficiary in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Beneficiary {
    #[serde(flatten)]
    pub member: Member,
    #[serde(flatten)]
    pub place: Place,
    pub doses: Vec<DoseRecord>,
    pub not_given: Vec<NotGivenRecord>,
    pub aefi: Vec<AefiRecord>,
    /// The doses not yet due, each with the date it falls due, soonest first.
    pub upcoming: Vec<DueDose>,
}

/// Villages by name, with their counts on `today`.
pub fn villages(store: &Store, today: Date) -> Result<Vec<Village>> {
    let due = store.due_list(today, None)?;
    let mut due_by_village: HashMap<&str, u32> = HashMap::new();
    for item in &due {
        *due_by_village.entry(&item.village).or_default() += 1;
    }
    Ok(store
        .village_records()?
        .into_iter()
        .map(|v| Village {
            id: v.id,
            due: due_by_village.get(v.name.as_str()).copied().unwrap_or(0),
            name: v.name,
            households: v.households,
            children: v.children,
            pregnant_women: v.pregnant_women,
            asha_name: v.asha_name,
            asha_phone: v.asha_phone,
        })
        .collect())
}

/// One village.
pub fn village(store: &Store, id: Uuid, today: Date) -> Result<Village> {
    villages(store, today)?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or_else(|| StoreError::NotFound(format!("village_id {id}: no such village on this device")))
}

/// House numbers sort by their leading number, then as text ("2" before "10"; no number last).
fn house_order(house_no: Option<&str>) -> (u8, u64, String) {
    match house_no {
        None => (2, 0, String::new()),
        Some(h) => {
            let digits: String = h.chars().take_while(char::is_ascii_digit).collect();
            match digits.parse::<u64>() {
                Ok(n) => (0, n, h.to_string()),
                Err(_) => (1, 0, h.to_string()),
            }
        }
    }
}

fn households_of(store: &Store, records: Vec<teeka_store::HouseholdRecord>, today: Date) -> Result<Vec<Household>> {
    let mut by_household: HashMap<String, u32> = HashMap::new();
    if let Some(first) = records.first() {
        for item in store.due_list_of(today, first.village_id)? {
            *by_household.entry(item.household_id.to_string()).or_default() += 1;
        }
    }
    let mut out: Vec<Household> = records
        .into_iter()
        .map(|h| Household {
            due: by_household.get(&h.household_id).copied().unwrap_or(0),
            id: h.id,
            household_id: h.household_id,
            village_id: h.village_id,
            village: h.village,
            house_no: h.facts.house_no,
            head_of_household: h.facts.head_of_household,
            phone: h.facts.phone,
            risk_category: h.facts.risk_category,
            resistant: h.resistant,
            members: h.members,
        })
        .collect();
    out.sort_by(|a, b| {
        house_order(a.house_no.as_deref())
            .cmp(&house_order(b.house_no.as_deref()))
            .then(a.household_id.cmp(&b.household_id))
    });
    Ok(out)
}

/// The households of a village by house number, with their counts on `today`.
pub fn households(store: &Store, village: Uuid, today: Date) -> Result<Vec<Household>> {
    households_of(store, store.household_records(village)?, today)
}

/// One household.
pub fn household(store: &Store, id: Uuid, today: Date) -> Result<Household> {
    let mut found = households_of(store, vec![store.household_record(id)?], today)?;
    found.pop().ok_or_else(|| StoreError::NotFound(format!("household_id {id}: no such household on this device")))
}

/// The members of a household (children first, then by name), on `today`.
pub fn household_members(store: &Store, household: Uuid, today: Date) -> Result<Vec<Member>> {
    Ok(members(store, store.household_members(household)?, today)?.into_iter().map(|f| f.member).collect())
}

/// One beneficiary in full: doses (corrections applied), not-given records and AEFI.
pub fn beneficiary(store: &Store, register_id: &str, today: Date) -> Result<Beneficiary> {
    let row = store.beneficiary(register_id)?;
    let (history, settings) = (store.history(row.id)?, store.settings()?);
    let member = member(&row, &history, today, &settings);
    let upcoming = row.subject().map_or_else(Vec::new, |s| upcoming(&s, row.status, &history, today, &settings));
    Ok(Beneficiary {
        member,
        upcoming,
        doses: store.dose_records(row.id)?,
        not_given: store.not_given_records(row.id)?,
        aefi: store.aefi_records(row.id)?,
        place: row.place,
    })
}

/// Beneficiaries found by name, mother's name or head of household in either script, register id
/// or phone (`Store::search_beneficiaries`).
pub fn search(store: &Store, text: &str, village: Option<Uuid>, today: Date) -> Result<Vec<Found>> {
    members(store, store.search_beneficiaries(text, village)?, today)
}

/// Children of a village whose name is like `name` ([`similar_names`]) and, when `dob` is
/// given, born within [`SIMILAR_DOB_DAYS`] days of it.
pub fn similar_children(
    store: &Store,
    village: Uuid,
    name: &str,
    dob: Option<Date>,
    today: Date,
) -> Result<Vec<Found>> {
    let rows = store
        .village_children(village)?
        .into_iter()
        .filter(|r| similar_names(name, &r.facts.name))
        .filter(|r| match (dob, r.facts.dob) {
            (Some(a), Some(b)) => (a - b).num_days().abs() <= SIMILAR_DOB_DAYS,
            _ => true,
        })
        .collect();
    members(store, rows, today)
}

/// Households of a village that look like `facts` (the same house number or phone:
/// [`HouseholdFacts::similar_to`]), but `except` (the household being edited).
pub fn similar_households(
    store: &Store,
    village: Uuid,
    facts: &HouseholdFacts,
    except: Option<Uuid>,
    today: Date,
) -> Result<Vec<Household>> {
    let rows = store
        .household_records(village)?
        .into_iter()
        .filter(|h| Some(h.id) != except && facts.similar_to(&h.facts))
        .collect();
    households_of(store, rows, today)
}
