//! The supervisor's screens: coverage per village, the follow-up list, refusals.

use super::session::SessionItem;
use serde::Serialize;
use teeka_domain::report::Coverage;
use teeka_domain::{Classification, Date};
use teeka_store::{Result, Store};
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

/// Left-out and drop-out beneficiaries on `today` (optionally of one village), with their doses
/// due.
pub fn follow_up(store: &Store, village: Option<Uuid>, today: Date) -> Result<Vec<SessionItem>> {
    let name = village.map(|v| store.village_name(v)).transpose()?;
    Ok(store
        .due_list(today, name.as_deref())?
        .into_iter()
        .filter(|d| d.classification != Classification::UpToDate)
        .map(SessionItem::from)
        .collect())
}
