//! What the app's screens show, built from the store's records with the domain's rules: one
//! module per screen. Each read takes the store and the date; none writes.

pub mod campaign;
pub mod cases;
pub mod session;
pub mod supervisor;
pub mod survey;

use serde::Serialize;
use std::collections::HashMap;
use teeka_domain::report::{standing, DueDose};
use teeka_domain::{
    age_on, pregnancy_weeks, AgeParts, BeneficiaryStatus, Classification, Date, ExportDelivery, Given, Kind,
    ScheduleSettings, Sex,
};
use teeka_store::{BeneficiaryRecord, Place, Result, Store};
use uuid::Uuid;

/// A beneficiary with their doses due on the date and their classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Member {
    pub id: Uuid,
    pub register_id: String,
    /// The household's internal id (uuid).
    pub household_id: Uuid,
    pub kind: Kind,
    pub name: String,
    pub sex: Option<Sex>,
    pub dob: Option<Date>,
    pub lmp: Option<Date>,
    pub edd: Option<Date>,
    pub mother_name: Option<String>,
    /// The national identifiers, normalised (`docs/formats.md`, "National identifiers").
    pub abha: Option<String>,
    pub rch_id: Option<String>,
    pub uwin_id: Option<String>,
    pub status: BeneficiaryStatus,
    pub classification: Classification,
    pub fully_immunized: bool,
    pub due: Vec<DueDose>,
    /// A newborn registered by a delivery: the mother's register id.
    pub mother: Option<String>,
    /// A mother whose delivery was recorded: the latest record of it.
    pub delivery: Option<ExportDelivery>,
    /// The age on the date as an ANM says it (from the date of birth; `null` without one).
    pub age: Option<AgeParts>,
    /// A pregnant woman without a date of birth: completed weeks of pregnancy from the LMP.
    pub pregnancy_weeks: Option<u32>,
}

/// What is said of a person instead of their name: their age from the date of birth, or for a
/// pregnant woman without one the weeks of pregnancy from the LMP (the rules of
/// `teeka_domain::dates`).
pub(crate) fn age_of(kind: Kind, facts: &teeka_domain::BeneficiaryFacts, on: Date) -> (Option<AgeParts>, Option<u32>) {
    let age = facts.dob.and_then(|dob| age_on(dob, on));
    let weeks = match (kind, facts.dob) {
        (Kind::PregnantWoman, None) => facts.lmp.and_then(|lmp| pregnancy_weeks(lmp, on)),
        _ => None,
    };
    (age, weeks)
}

/// A member and where they live (search results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Found {
    #[serde(flatten)]
    pub member: Member,
    #[serde(flatten)]
    pub place: Place,
}

/// A member on `today`, from their record and their doses on record.
pub(crate) fn member(row: &BeneficiaryRecord, history: &[Given], today: Date, settings: &ScheduleSettings) -> Member {
    let (classification, fully_immunized, due) = match row.subject() {
        Some(subject) => {
            let s = standing(&subject, row.status, history, today, settings);
            (s.classification, s.fully_immunized, s.due)
        }
        None => (Classification::UpToDate, false, Vec::new()),
    };
    let f = &row.facts;
    let (age, pregnancy_weeks) = age_of(row.kind, f, today);
    Member {
        id: row.id,
        register_id: row.register_id.clone(),
        household_id: row.household,
        kind: row.kind,
        name: f.name.clone(),
        sex: f.sex,
        dob: f.dob,
        lmp: f.lmp,
        edd: f.lmp.and_then(teeka_domain::model::edd_from_lmp),
        mother_name: f.mother_name.clone(),
        abha: f.abha.clone(),
        rch_id: f.rch_id.clone(),
        uwin_id: f.uwin_id.clone(),
        status: row.status,
        classification,
        fully_immunized,
        due,
        mother: row.mother.clone(),
        delivery: row.delivery,
        age,
        pregnancy_weeks,
    }
}

/// Members on `today`, each with where they live, their doses read at once.
pub(crate) fn members(store: &Store, rows: Vec<BeneficiaryRecord>, today: Date) -> Result<Vec<Found>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let histories: HashMap<Uuid, Vec<Given>> = store.histories(&ids)?;
    let settings = store.settings()?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let member = member(&r, histories.get(&r.id).map_or(&[][..], Vec::as_slice), today, &settings);
            Found { member, place: r.place }
        })
        .collect())
}

/// One member by register id, on `today`.
pub fn member_by_register_id(store: &Store, register_id: &str, today: Date) -> Result<Member> {
    let row = store.beneficiary(register_id)?;
    Ok(member(&row, &store.history(row.id)?, today, &store.settings()?))
}
