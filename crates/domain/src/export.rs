//! The register as `teeka export --format json` prints it (`docs/cli.md`): every beneficiary with
//! its household's facts, its village's name and its doses and not-given records, corrections
//! applied. The device store reads it from its projection; the server folds its log into it
//! ([`crate::replay`]). Field order and names are the JSON contract.

use crate::codes::{BeneficiaryStatus, DeliveryOutcome, DoseCode, Kind, ReasonCode};
use crate::dates::Date;
use crate::facts::{BeneficiaryFacts, HouseholdFacts};
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
    /// `name`, `sex`, `dob`, `lmp`, `mother_name`.
    #[serde(flatten)]
    pub facts: BeneficiaryFacts,
    pub status: BeneficiaryStatus,
    /// `house_no`, `head_of_household`, `phone`, `risk_category`.
    #[serde(flatten)]
    pub household: HouseholdFacts,
    pub resistant_household: bool,
    /// Sorted by date, code (as text) and id.
    pub doses: Vec<ExportDose>,
    /// Sorted by date, code (as text) and id.
    pub not_given: Vec<ExportNotGiven>,
    /// A newborn registered by a delivery: the mother's register id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mother: Option<String>,
    /// A pregnant woman whose delivery was recorded: the latest record of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<ExportDelivery>,
}

/// How a pregnancy ended (the `delivery_recorded` event that last said so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportDelivery {
    pub date: Date,
    pub outcome: DeliveryOutcome,
    /// The newborns it registered.
    pub live_births: u32,
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
    /// The session it was given at (none: copied from the MCP card, or recorded outside a
    /// session). Not in the JSON export; the FHIR export's `primarySource`.
    #[serde(skip)]
    pub session: Option<Uuid>,
    /// The name of the session's site (its village), when the session is known here. Not in
    /// the JSON export; the FHIR export's `location`.
    #[serde(skip)]
    pub site: Option<String>,
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
                household: b.household.clone(),
                kind: b.kind,
                facts: b.facts.clone(),
                status: Some(b.status),
                doses: b.doses.iter().map(|d| (d.code, d.date)).collect(),
                implausible: None,
            })
            .collect()
    }
}
