//! The supervisor's screens: coverage per village, the follow-up list, refusals.

use super::age_of;
use super::session::{records_by_register_id, SessionItem};
use serde::Serialize;
use std::collections::HashMap;
use teeka_domain::report::Coverage;
use teeka_domain::{AgeParts, Classification, Date, Kind, Sex, WorkerRole};
use teeka_store::{RefusalRecord, Result, Store};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct VillageCoverage {
    pub village_id: Uuid,
    pub village: String,
    pub coverage: Coverage,
}

/// Coverage of everything, and of each village.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CoverageResp {
    pub total: Coverage,
    pub villages: Vec<VillageCoverage>,
}

/// Coverage on `today`, of everything and of each village.
pub fn coverage(store: &Store, today: Date) -> Result<CoverageResp> {
    let total = store.coverage(today, None)?;
    let mut villages = Vec::new();
    for v in store.village_records()? {
        villages.push(VillageCoverage {
            village_id: v.id,
            coverage: store.coverage(today, Some(&v.name))?,
            village: v.name,
        });
    }
    Ok(CoverageResp { total, villages })
}

/// A refusal visit, with whom it is about as every list says it: kind, sex and age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Refusal {
    #[serde(flatten)]
    pub record: RefusalRecord,
    /// `null` only when the register no longer holds the beneficiary here.
    pub kind: Option<Kind>,
    pub sex: Option<Sex>,
    pub age: Option<AgeParts>,
    pub pregnancy_weeks: Option<u32>,
}

/// The refusal visits (one row per visit, newest first), optionally of one village, with each
/// person's age on `today`.
pub fn refusals(store: &Store, village: Option<Uuid>, today: Date) -> Result<Vec<Refusal>> {
    let people = records_by_register_id(store, village)?;
    Ok(store
        .refusal_records(village)?
        .into_iter()
        .map(|record| {
            let person = people.get(&record.register_id);
            let (age, pregnancy_weeks) = person.map_or((None, None), |p| age_of(p.kind, &p.facts, today));
            Refusal {
                kind: person.map(|p| p.kind),
                sex: person.and_then(|p| p.facts.sex),
                age,
                pregnancy_weeks,
                record,
            }
        })
        .collect())
}

/// A beneficiary to follow up, with what a supervisor needs to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FollowUpItem {
    #[serde(flatten)]
    pub item: SessionItem,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    /// The household's phone.
    pub phone: Option<String>,
    /// A child's mother's name.
    pub mother_name: Option<String>,
    /// The village's ASHA as a supervisor set her (`set_village_asha`); without one, the ASHA
    /// workers of this device (names joined, no phone).
    pub asha_name: Option<String>,
    pub asha_phone: Option<String>,
}

/// Whom to follow up on `today` (optionally in one village), with their doses due: left-out and
/// drop-out children, and every pregnant woman with a Td dose due or overdue (her doses cannot
/// wait for her classification: the baby is born on a date).
pub fn follow_up(store: &Store, village: Option<Uuid>, today: Date) -> Result<Vec<FollowUpItem>> {
    let name = village.map(|v| store.village_name(v)).transpose()?;
    let people = records_by_register_id(store, village)?;
    let here: Vec<String> =
        store.workers()?.into_iter().filter(|w| w.role == WorkerRole::Asha).map(|w| w.name).collect();
    let here = (!here.is_empty()).then(|| here.join(", "));
    let asha: HashMap<String, (Option<String>, Option<String>)> = store
        .village_records()?
        .into_iter()
        .filter(|v| v.asha_name.is_some() || v.asha_phone.is_some())
        .map(|v| (v.name, (v.asha_name, v.asha_phone)))
        .collect();
    Ok(store
        .due_list(today, name.as_deref())?
        .into_iter()
        .filter(|d| d.kind == Kind::PregnantWoman || d.classification != Classification::UpToDate)
        .map(|d| {
            let row = people.get(d.register_id.as_ref());
            let place = row.map(|r| &r.place);
            let (asha_name, asha_phone) = asha.get(d.village.as_ref()).cloned().unwrap_or((here.clone(), None));
            FollowUpItem {
                house_no: place.and_then(|p| p.house_no.clone()),
                head_of_household: place.and_then(|p| p.head_of_household.clone()),
                phone: place.and_then(|p| p.phone.clone()),
                mother_name: row.and_then(|r| r.facts.mother_name.clone()),
                asha_name,
                asha_phone,
                item: SessionItem::from(d).with_person(row, today),
            }
        })
        .collect())
}
