//! The supervisor's screens: coverage per village, the follow-up list, refusals, a record's history.

use super::age_of;
use super::session::{records_by_register_id, SessionItem};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use teeka_domain::audit::{audit, AuditFilter, Change, Logged};
use teeka_domain::model::Stamp;
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

/// One change of a record, as the supervisor's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct HistoryEntry {
    pub event_id: Uuid,
    /// The device's clock when it was made (information only: devices' clocks are wrong).
    pub recorded_at: DateTime<Utc>,
    /// The worker who made it: name, and stable id (`null` in events from before workers had ids).
    pub author: String,
    pub worker: Option<Uuid>,
    pub device_id: Uuid,
    /// Made on this device.
    pub this_device: bool,
    /// Made here and not yet sent to the server.
    pub pending: bool,
    pub change: Change,
    /// The earlier records it corrects or withdraws.
    pub corrects: Vec<Uuid>,
    /// A later record corrects or withdraws it.
    pub corrected: bool,
    /// The fields it wrote whose value a later write from another device replaced.
    pub lost: Vec<String>,
}

/// `record_history`: every change of one beneficiary this device holds, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RecordHistory {
    pub register_id: String,
    pub name: String,
    pub entries: Vec<HistoryEntry>,
}

/// The history of the beneficiary `register_id` from this device's log (its aliases' events
/// included), read by `teeka_domain::audit` as the server's audit reads its log: in HLC order,
/// newest first.
pub fn record_history(store: &Store, register_id: &str) -> Result<RecordHistory> {
    let row = store.beneficiary(register_id)?;
    let ids = store.beneficiary_ids(row.id)?;
    let (log, pending): (Vec<Logged>, Vec<bool>) = store.events_naming(&ids)?.into_iter().unzip();
    let pending: HashMap<u64, bool> = log.iter().map(|l| l.seq).zip(pending).collect();
    let stamps: HashMap<Uuid, Stamp> = log.iter().map(|l| (l.event.id, l.event.stamp())).collect();
    let trail = audit(&log, &AuditFilter::Beneficiaries(ids));
    let corrected: HashSet<Uuid> = trail.entries.iter().flat_map(|e| e.corrects.iter().copied()).collect();
    let device = store.device_id();
    let mut entries: Vec<(Option<Stamp>, HistoryEntry)> = trail
        .entries
        .into_iter()
        .map(|e| {
            let entry = HistoryEntry {
                event_id: e.event_id,
                recorded_at: e.recorded_at,
                author: e.author,
                worker: e.worker,
                device_id: e.device_id,
                this_device: e.device_id == device,
                pending: pending.get(&e.seq).copied().unwrap_or(false),
                change: e.change,
                corrects: e.corrects,
                corrected: corrected.contains(&e.event_id),
                lost: e.lost,
            };
            (stamps.get(&entry.event_id).copied(), entry)
        })
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    Ok(RecordHistory {
        register_id: row.register_id,
        name: row.facts.name,
        entries: entries.into_iter().map(|(_, e)| e).collect(),
    })
}
