//! The register as `teeka export --format json` prints it (`docs/cli.md`): every beneficiary with
//! its household's facts, its village's name and its doses and not-given records, corrections
//! applied. The device store reads it from its projection; the server folds its log into it
//! ([`crate::replay`]). Field order and names are the JSON contract.

use crate::codes::{BeneficiaryStatus, DoseCode, Kind, ReasonCode, RiskCategory, Sex};
use crate::dates::Date;
use crate::register::RegisterRow;
use serde::Serialize;
use uuid::Uuid;

/// Everything in a register, sorted by village, household id and register id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Export {
    pub beneficiaries: Vec<ExportBeneficiary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportBeneficiary {
    pub register_id: String,
    pub household_id: String,
    pub village: String,
    pub kind: Kind,
    pub name: String,
    pub sex: Option<Sex>,
    pub dob: Option<Date>,
    pub lmp: Option<Date>,
    pub mother_name: Option<String>,
    pub status: BeneficiaryStatus,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    pub phone: Option<String>,
    pub risk_category: Option<RiskCategory>,
    pub resistant_household: bool,
    /// Sorted by date, code (as text) and id.
    pub doses: Vec<ExportDose>,
    /// Sorted by date, code (as text) and id.
    pub not_given: Vec<ExportNotGiven>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportDose {
    /// The event that recorded it.
    pub id: Uuid,
    pub code: DoseCode,
    pub date: Date,
    /// The same dose is on record more than once for this beneficiary: review it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportNotGiven {
    /// The event that recorded it.
    pub id: Uuid,
    pub code: DoseCode,
    pub date: Date,
    pub reason: ReasonCode,
}

impl Export {
    /// The register rows of this export (the CSV import format).
    pub fn register_rows(&self) -> Vec<RegisterRow> {
        self.beneficiaries
            .iter()
            .map(|b| RegisterRow {
                line: 0,
                register_id: b.register_id.clone(),
                household_id: b.household_id.clone(),
                village: b.village.clone(),
                house_no: b.house_no.clone(),
                head_of_household: b.head_of_household.clone(),
                phone: b.phone.clone(),
                risk_category: b.risk_category,
                kind: b.kind,
                name: b.name.clone(),
                sex: b.sex,
                dob: b.dob,
                lmp: b.lmp,
                mother_name: b.mother_name.clone(),
                status: Some(b.status),
                doses: b.doses.iter().map(|d| (d.code, d.date)).collect(),
            })
            .collect()
    }
}
