//! The events that change the register, and the LMP/EDD arithmetic of pregnancies.
//!
//! Every change is an [`Event`]: an immutable fact with a UUIDv7 id, the device that made it, a
//! hybrid-logical-clock stamp and an author. Facts (a dose given, a dose not given) are only ever
//! appended; a correction is a new event that names the one it corrects. Mutable fields (a name's
//! spelling, a phone number, a status) are set field by field, and the stamp decides which write
//! wins, so that every replica converges on the same state whatever order events arrive in.

use crate::codes::{
    ActivityKind, AefiSeverity, AefiSign, Antigen, AreaLevel, BeneficiaryStatus, Day, DeliveryOutcome, DiscardReason,
    DoseCode, HraType, Kind, NotHeldReason, Persuader, ReasonCode, Referral, RiskCategory, Sex, SiteType, VisitAction,
    VisitOutcome,
};
use crate::dates::Date;
use crate::hlc::Hlc;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Days from LMP to the expected date of delivery (Naegele's rule).
pub const GESTATION_DAYS: u64 = 280;

/// The expected date of delivery from the LMP.
pub fn edd_from_lmp(lmp: Date) -> Option<Date> {
    lmp.checked_add_days(chrono::Days::new(GESTATION_DAYS))
}

/// The LMP from the expected date of delivery.
pub fn lmp_from_edd(edd: Date) -> Option<Date> {
    edd.checked_sub_days(chrono::Days::new(GESTATION_DAYS))
}

/// One mutable field of a household, with its new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum HouseholdField {
    Village(Uuid),
    HouseNo(Option<String>),
    HeadOfHousehold(Option<String>),
    Phone(Option<String>),
    RiskCategory(Option<RiskCategory>),
}

impl HouseholdField {
    /// The villages named by `fields`, in order.
    pub fn villages(fields: &[HouseholdField]) -> impl Iterator<Item = Uuid> + '_ {
        fields.iter().filter_map(|f| match f {
            HouseholdField::Village(v) => Some(*v),
            _ => None,
        })
    }

    /// The field's stable name (the key of last-writer-wins).
    pub fn name(&self) -> &'static str {
        match self {
            HouseholdField::Village(_) => "village",
            HouseholdField::HouseNo(_) => "house_no",
            HouseholdField::HeadOfHousehold(_) => "head_of_household",
            HouseholdField::Phone(_) => "phone",
            HouseholdField::RiskCategory(_) => "risk_category",
        }
    }
}

/// One mutable field of a beneficiary, with its new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum BeneficiaryField {
    Household(Uuid),
    Name(String),
    Sex(Option<Sex>),
    Dob(Option<Date>),
    Lmp(Option<Date>),
    MotherName(Option<String>),
    Status(BeneficiaryStatus),
    /// The ABHA number, normalised (`crate::facts::IdKind::Abha`); `None` clears.
    Abha(Option<String>),
    /// The RCH ID (`crate::facts::IdKind::RchId`); `None` clears.
    RchId(Option<String>),
    /// The U-WIN id (`crate::facts::IdKind::UwinId`); `None` clears.
    UwinId(Option<String>),
}

impl BeneficiaryField {
    /// The households named by `fields`, in order.
    pub fn households(fields: &[BeneficiaryField]) -> impl Iterator<Item = Uuid> + '_ {
        fields.iter().filter_map(|f| match f {
            BeneficiaryField::Household(h) => Some(*h),
            _ => None,
        })
    }

    /// The field's stable name (the key of last-writer-wins).
    pub fn name(&self) -> &'static str {
        match self {
            BeneficiaryField::Household(_) => "household",
            BeneficiaryField::Name(_) => "name",
            BeneficiaryField::Sex(_) => "sex",
            BeneficiaryField::Dob(_) => "dob",
            BeneficiaryField::Lmp(_) => "lmp",
            BeneficiaryField::MotherName(_) => "mother_name",
            BeneficiaryField::Status(_) => "status",
            BeneficiaryField::Abha(_) => "abha",
            BeneficiaryField::RchId(_) => "rch_id",
            BeneficiaryField::UwinId(_) => "uwin_id",
        }
    }
}

/// What happened. The `type` tag and field names are part of the event log's format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// An area of the hierarchy (state → district → block → sub-centre → village).
    AreaDefined { area: Uuid, level: AreaLevel, name: String, parent: Option<Uuid> },
    /// A village setting: whether Japanese encephalitis vaccine is given there.
    VillageJeEndemicSet { area: Uuid, je_endemic: bool },
    /// A village fact: its ASHA's name and phone (`None` clears), as a supervisor sets them.
    VillageAshaSet { area: Uuid, name: Option<String>, phone: Option<String> },
    /// A household enters the register; `fields` are its initial values.
    HouseholdRegistered { household: Uuid, household_id: String, fields: Vec<HouseholdField> },
    /// Some of a household's fields change.
    HouseholdUpdated { household: Uuid, fields: Vec<HouseholdField> },
    /// A beneficiary enters the register; `fields` are the initial values.
    BeneficiaryRegistered { beneficiary: Uuid, register_id: String, kind: Kind, fields: Vec<BeneficiaryField> },
    /// Some of a beneficiary's fields change.
    BeneficiaryUpdated { beneficiary: Uuid, fields: Vec<BeneficiaryField> },
    /// A dose was given on `date`. With `corrects`, it replaces that earlier dose record.
    DoseGiven {
        beneficiary: Uuid,
        code: DoseCode,
        date: Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        corrects: Option<Uuid>,
        /// The session it was given at (absent: outside a session, or an older log).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<Uuid>,
    },
    /// A dose due was not given on `date`, for `reason`. A refusal marks the household resistant.
    DoseNotGiven {
        beneficiary: Uuid,
        code: DoseCode,
        date: Date,
        reason: ReasonCode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        corrects: Option<Uuid>,
        /// The session it was recorded at (absent: outside a session, or an older log).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<Uuid>,
        /// What the reason was, in a few words (required for `OTHER`; absent in older logs).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// An immunization session opens at a site (a village area) on a date; at one of the
    /// microplan's session sites when `session_site` names it (absent: a routine session, or an
    /// older log), `site` then being the first of the villages that site serves.
    SessionOpened {
        session: Uuid,
        site: Uuid,
        date: Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_site: Option<Uuid>,
    },
    /// A session closes, with the vials opened per antigen. A fact: once closed, closed.
    SessionClosed { session: Uuid, vials: Vec<VialsUsed> },
    /// An adverse event following immunization, observed on `date` after the doses `codes`.
    AefiReported {
        aefi: Uuid,
        beneficiary: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<Uuid>,
        date: Date,
        severity: AefiSeverity,
        observed: String,
        codes: Vec<DoseCode>,
        /// The signs ticked (absent in older logs).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        signs: Vec<AefiSign>,
        /// When it began (required for severe and serious reports; absent in older logs).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        onset: Option<DateTime<Utc>>,
        /// Where it was referred (required for severe and serious reports; absent in older logs).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referral: Option<Referral>,
    },
    /// Some fields of an AEFI report change (its form saved again): last-writer-wins per field.
    AefiUpdated { aefi: Uuid, beneficiary: Uuid, fields: Vec<AefiField> },
    /// Not-given records withdrawn (a refusal undone at its session): they no longer stand,
    /// whichever arrives first.
    NotGivenWithdrawn {
        beneficiary: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<Uuid>,
        records: Vec<Uuid>,
    },
    /// A pregnancy ended on `date` with `outcome`: the mother (`beneficiary`) is no longer
    /// pregnant (her status becomes the outcome's [`DeliveryOutcome::mother_status`]), and each
    /// newborn born alive is registered as a child of `household` (the mother's when recorded),
    /// born on `date`, with the mother's name, linked to her. One event for all of it.
    DeliveryRecorded {
        beneficiary: Uuid,
        household: Uuid,
        date: Date,
        outcome: DeliveryOutcome,
        /// The mother's name when recorded: the newborns' `mother_name`.
        mother_name: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        newborns: Vec<Newborn>,
    },
    /// A session site of the microplan enters the plan; `fields` are its initial values. A site
    /// id registered twice (two devices) makes the second id an alias of the first.
    SiteRegistered { site: Uuid, site_id: String, fields: Vec<SiteField> },
    /// Some of a site's fields change: last-writer-wins per field.
    SiteUpdated { site: Uuid, fields: Vec<SiteField> },
    /// A campaign round: number `number`, starting on `start`, of `working_days` days that skip
    /// Sundays, the `ri_days` and its holidays. A number defined twice (two devices) makes the
    /// second id an alias of the first; its settings follow last-writer-wins.
    RoundDefined {
        round: Uuid,
        number: u32,
        start: Date,
        working_days: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ri_days: Vec<Day>,
        /// The holidays known when the round was made (each as a [`EventBody::RoundHolidaySet`]).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        holidays: Vec<Date>,
    },
    /// A day of a round declared a holiday (`holiday` true) or a working day again (false):
    /// last-writer-wins per day. The plan moves with it.
    RoundHolidaySet { round: Uuid, date: Date, holiday: bool },
    /// The session a round's plan has at `site` on `date` was not held, for `reason`.
    SessionNotHeld {
        round: Uuid,
        site: Uuid,
        date: Date,
        reason: NotHeldReason,
        /// What happened, in a few words (required for `OTHER`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The session a round's plan has at `site` on `date` moves to the round day `to`.
    SessionRescheduled { round: Uuid, site: Uuid, date: Date, to: Date },
    /// A vial opened at a session, with what is written on it (the open-vial policy asks for the
    /// date and time of opening).
    VialOpened {
        vial: Uuid,
        session: Uuid,
        antigen: Antigen,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        batch: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiry: Option<Date>,
        /// The vaccine vial monitor's stage, 1 to 4.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vvm: Option<u8>,
        opened_at: DateTime<Utc>,
    },
    /// An opened vial discarded, for `reason`, at `at` (at the session `session` when it is not
    /// the one it was opened at: a vial carried forward). A fact: discarded stays discarded; of
    /// two discards, the first by stamp is kept.
    VialDiscarded {
        vial: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<Uuid>,
        reason: DiscardReason,
        at: DateTime<Utc>,
    },
    /// Who is to persuade a resistant family (the household), by role and name: last-writer-wins
    /// per household.
    RefusalAssigned {
        household: Uuid,
        persuader: Persuader,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// A visit to a resistant family: when, by whom, what was done and how it ended. A fact.
    RefusalVisited {
        visit: Uuid,
        household: Uuid,
        date: Date,
        by: Persuader,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by_name: Option<String>,
        action: VisitAction,
        outcome: VisitOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A resistant family's case escalated to the block task force on `date` (`escalated`
    /// false: the escalation withdrawn): last-writer-wins per household.
    RefusalEscalated {
        household: Uuid,
        date: Date,
        escalated: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A communication activity held in a village: a mothers' meeting, a community meeting, an
    /// announcement from a religious institution, a rally, miking. A fact.
    ActivityRecorded {
        activity: Uuid,
        village: Uuid,
        date: Date,
        kind: ActivityKind,
        /// Who led it.
        led_by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leader: Option<Persuader>,
        attendance: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// A person of the microplan: a name, and a phone when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
}

/// One mutable field of a session site, with its new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum SiteField {
    Name(String),
    /// The villages it serves (village area ids), in the microplan's order: the whole list is one
    /// field.
    Villages(Vec<Uuid>),
    SiteType(SiteType),
    Hra(HraType),
    Anm(Option<Contact>),
    /// ASHA / AWW mobilizers.
    Mobilizers(Vec<Contact>),
    /// The alternate vaccine delivery person.
    Avd(Option<Contact>),
    /// From the cold-chain point, in tenths of a kilometre.
    DistanceTenthsKm(Option<u32>),
    TravelMinutes(Option<u32>),
    /// Its usual routine-immunization day.
    RiDay(Option<Day>),
}

impl SiteField {
    /// The villages named by `fields` (those of the last `Villages` field).
    pub fn villages(fields: &[SiteField]) -> Vec<Uuid> {
        fields
            .iter()
            .rev()
            .find_map(|f| match f {
                SiteField::Villages(v) => Some(v.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The field's stable name (the key of last-writer-wins).
    pub fn name(&self) -> &'static str {
        match self {
            SiteField::Name(_) => "name",
            SiteField::Villages(_) => "villages",
            SiteField::SiteType(_) => "site_type",
            SiteField::Hra(_) => "hra",
            SiteField::Anm(_) => "anm",
            SiteField::Mobilizers(_) => "mobilizers",
            SiteField::Avd(_) => "avd",
            SiteField::DistanceTenthsKm(_) => "distance_tenths_km",
            SiteField::TravelMinutes(_) => "travel_minutes",
            SiteField::RiDay(_) => "ri_day",
        }
    }
}

/// The key of the session a round's plan has at a site on a day: the same on every device (a
/// UUIDv5 of the three), so that "not held" and "rescheduled" from two devices meet on one row.
pub fn planned_session_key(round: Uuid, site: Uuid, date: Date) -> Uuid {
    Uuid::new_v5(&round, format!("{site}/{}", crate::dates::iso(date)).as_bytes())
}

/// One mutable field of an AEFI report, with its new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum AefiField {
    Severity(AefiSeverity),
    Observed(String),
    Codes(Vec<DoseCode>),
    Signs(Vec<AefiSign>),
    Onset(Option<DateTime<Utc>>),
    Referral(Option<Referral>),
}

impl AefiField {
    /// The field's stable name (the key of last-writer-wins).
    pub fn name(&self) -> &'static str {
        match self {
            AefiField::Severity(_) => "severity",
            AefiField::Observed(_) => "observed",
            AefiField::Codes(_) => "codes",
            AefiField::Signs(_) => "signs",
            AefiField::Onset(_) => "onset",
            AefiField::Referral(_) => "referral",
        }
    }
}

/// A newborn a delivery registers. Its id and register id are made on the device, as any
/// registration's are (a register id registered twice makes the second id an alias).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Newborn {
    pub beneficiary: Uuid,
    pub register_id: String,
    /// May be "Baby of <mother>" until the child is named.
    pub name: String,
    pub sex: Option<Sex>,
}

impl Newborn {
    /// The fields of the newborn's registration: a child of `household` born on `date`, active.
    pub fn fields(&self, household: Uuid, date: Date, mother_name: &str) -> Vec<BeneficiaryField> {
        vec![
            BeneficiaryField::Household(household),
            BeneficiaryField::Name(self.name.clone()),
            BeneficiaryField::Sex(self.sex),
            BeneficiaryField::Dob(Some(date)),
            BeneficiaryField::MotherName(Some(mother_name.to_string())),
            BeneficiaryField::Status(BeneficiaryStatus::Active),
        ]
    }

    /// The newborn's registration, as a registration event of its own would carry it.
    pub fn registration(&self, household: Uuid, date: Date, mother_name: &str) -> EventBody {
        EventBody::BeneficiaryRegistered {
            beneficiary: self.beneficiary,
            register_id: self.register_id.clone(),
            kind: Kind::Child,
            fields: self.fields(household, date, mother_name),
        }
    }
}

/// Vials of one antigen opened at a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VialsUsed {
    pub antigen: Antigen,
    pub opened: u32,
}

impl EventBody {
    /// The stable `type` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::AreaDefined { .. } => "area_defined",
            EventBody::VillageJeEndemicSet { .. } => "village_je_endemic_set",
            EventBody::VillageAshaSet { .. } => "village_asha_set",
            EventBody::HouseholdRegistered { .. } => "household_registered",
            EventBody::HouseholdUpdated { .. } => "household_updated",
            EventBody::BeneficiaryRegistered { .. } => "beneficiary_registered",
            EventBody::BeneficiaryUpdated { .. } => "beneficiary_updated",
            EventBody::DoseGiven { .. } => "dose_given",
            EventBody::DoseNotGiven { .. } => "dose_not_given",
            EventBody::SessionOpened { .. } => "session_opened",
            EventBody::SessionClosed { .. } => "session_closed",
            EventBody::AefiReported { .. } => "aefi_reported",
            EventBody::AefiUpdated { .. } => "aefi_updated",
            EventBody::NotGivenWithdrawn { .. } => "not_given_withdrawn",
            EventBody::DeliveryRecorded { .. } => "delivery_recorded",
            EventBody::SiteRegistered { .. } => "site_registered",
            EventBody::SiteUpdated { .. } => "site_updated",
            EventBody::RoundDefined { .. } => "round_defined",
            EventBody::RoundHolidaySet { .. } => "round_holiday_set",
            EventBody::SessionNotHeld { .. } => "session_not_held",
            EventBody::SessionRescheduled { .. } => "session_rescheduled",
            EventBody::VialOpened { .. } => "vial_opened",
            EventBody::VialDiscarded { .. } => "vial_discarded",
            EventBody::RefusalAssigned { .. } => "refusal_assigned",
            EventBody::RefusalVisited { .. } => "refusal_visited",
            EventBody::RefusalEscalated { .. } => "refusal_escalated",
            EventBody::ActivityRecorded { .. } => "activity_recorded",
        }
    }

    /// The ids of the areas, households, beneficiaries and sessions this event refers to (not
    /// the ones it defines): what must already be known for it to be placed.
    pub fn references(&self) -> Vec<Uuid> {
        match self {
            EventBody::AreaDefined { .. } => Vec::new(),
            EventBody::VillageJeEndemicSet { area, .. } | EventBody::VillageAshaSet { area, .. } => vec![*area],
            EventBody::HouseholdRegistered { fields, .. } => HouseholdField::villages(fields).collect(),
            EventBody::HouseholdUpdated { household, fields } => {
                std::iter::once(*household).chain(HouseholdField::villages(fields)).collect()
            }
            EventBody::BeneficiaryRegistered { fields, .. } => BeneficiaryField::households(fields).collect(),
            EventBody::BeneficiaryUpdated { beneficiary, fields } => {
                std::iter::once(*beneficiary).chain(BeneficiaryField::households(fields)).collect()
            }
            EventBody::DoseGiven { beneficiary, .. }
            | EventBody::DoseNotGiven { beneficiary, .. }
            | EventBody::AefiReported { beneficiary, .. } => vec![*beneficiary],
            EventBody::AefiUpdated { beneficiary, .. } | EventBody::NotGivenWithdrawn { beneficiary, .. } => {
                vec![*beneficiary]
            }
            EventBody::SessionOpened { site, session_site, .. } => {
                std::iter::once(*site).chain(*session_site).collect()
            }
            EventBody::SessionClosed { session, .. } => vec![*session],
            EventBody::DeliveryRecorded { beneficiary, household, .. } => vec![*beneficiary, *household],
            EventBody::SiteRegistered { fields, .. } => SiteField::villages(fields),
            EventBody::SiteUpdated { site, fields } => {
                std::iter::once(*site).chain(SiteField::villages(fields)).collect()
            }
            EventBody::RoundDefined { .. } => Vec::new(),
            EventBody::RoundHolidaySet { round, .. } => vec![*round],
            EventBody::SessionNotHeld { round, site, .. } | EventBody::SessionRescheduled { round, site, .. } => {
                vec![*round, *site]
            }
            EventBody::VialOpened { session, .. } => vec![*session],
            EventBody::VialDiscarded { vial, session, .. } => std::iter::once(*vial).chain(*session).collect(),
            EventBody::RefusalAssigned { household, .. }
            | EventBody::RefusalVisited { household, .. }
            | EventBody::RefusalEscalated { household, .. } => vec![*household],
            EventBody::ActivityRecorded { village, .. } => vec![*village],
        }
    }
}

/// An immutable entry of the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// UUIDv7.
    pub id: Uuid,
    /// The device that recorded it.
    pub device_id: Uuid,
    /// Orders it among all events, whatever the device clocks say.
    pub hlc: Hlc,
    /// Who recorded it (the worker signed in), by name.
    pub author: String,
    /// The worker who recorded it, by a stable id: the app's worker (made when they were added
    /// to the device); the CLI's is derived from the device and `--author`
    /// ([`worker_for_author`]). Absent only in events made before workers had ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<Uuid>,
    /// The device's wall clock when recorded (UTC): information only, never used for ordering.
    pub recorded_at: DateTime<Utc>,
    pub body: EventBody,
}

impl Event {
    /// Its place in last-writer-wins.
    pub fn stamp(&self) -> Stamp {
        Stamp { hlc: self.hlc, device: self.device_id }
    }
}

/// The stable id of a worker known only by name on one device (the CLI's `--author`): UUIDv5 of
/// the name in the device's id as namespace, so the same name on the same device is always the
/// same worker, and the same name on two devices two workers.
pub fn worker_for_author(device: Uuid, author: &str) -> Uuid {
    Uuid::new_v5(&device, author.as_bytes())
}

/// The order of last-writer-wins: the HLC stamp, ties broken by the device id (never the device
/// clock). Orders as the store's text columns do (`hlc` text, then the device id's text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub hlc: Hlc,
    pub device: Uuid,
}

impl Stamp {
    /// Whether a write under this stamp replaces the value last written under `current` (`None`:
    /// never written). An equal stamp does not: within one event, the first value of a field wins.
    pub fn overrides(self, current: Option<Stamp>) -> bool {
        match current {
            Some(c) => self > c,
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_bodies_serialize_with_stable_tags() {
        let b = EventBody::BeneficiaryUpdated {
            beneficiary: Uuid::nil(),
            fields: vec![BeneficiaryField::Status(BeneficiaryStatus::Migrated), BeneficiaryField::Lmp(None)],
        };
        let json = serde_json::to_value(&b).unwrap_or_default();
        assert_eq!(json["type"], "beneficiary_updated");
        assert_eq!(json["fields"][0], serde_json::json!({"field": "status", "value": "migrated"}));
        assert_eq!(json["fields"][1], serde_json::json!({"field": "lmp", "value": null}));
        let back: EventBody = serde_json::from_value(json)
            .unwrap_or(EventBody::HouseholdUpdated { household: Uuid::nil(), fields: vec![] });
        assert_eq!(back, b);
        assert_eq!(back.kind(), "beneficiary_updated");
    }

    #[test]
    fn a_villages_asha_has_a_stable_shape() {
        let b = EventBody::VillageAshaSet { area: Uuid::nil(), name: Some("Sunita".into()), phone: None };
        let json = serde_json::to_string(&b).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"type":"village_asha_set","area":"00000000-0000-0000-0000-000000000000","name":"Sunita","phone":null}"#
        );
        assert_eq!(serde_json::from_str::<EventBody>(&json).ok(), Some(b));
    }

    #[test]
    fn doses_of_older_logs_without_a_session_still_parse() {
        let old = r#"{"type":"dose_given","beneficiary":"00000000-0000-0000-0000-000000000000","code":"BCG","date":"2025-01-02"}"#;
        let b: EventBody = serde_json::from_str(old).unwrap();
        assert!(matches!(b, EventBody::DoseGiven { session: None, corrects: None, .. }));
        assert_eq!(serde_json::to_string(&b).unwrap(), old, "no session key written when there is none");
        let old = r#"{"type":"dose_not_given","beneficiary":"00000000-0000-0000-0000-000000000000","code":"OPV1","date":"2025-01-02","reason":"CHILD_SICK"}"#;
        let b: EventBody = serde_json::from_str(old).unwrap();
        assert!(matches!(b, EventBody::DoseNotGiven { session: None, .. }));
    }

    #[test]
    fn session_and_aefi_events_have_stable_shapes() {
        let s = Uuid::from_u128(1);
        let closed =
            EventBody::SessionClosed { session: s, vials: vec![VialsUsed { antigen: Antigen::Penta, opened: 2 }] };
        let json = serde_json::to_value(&closed).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "session_closed", "session": s, "vials": [{"antigen": "PENTA", "opened": 2}]})
        );
        let aefi = EventBody::AefiReported {
            aefi: s,
            beneficiary: s,
            session: None,
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            severity: AefiSeverity::Minor,
            observed: "fever".into(),
            codes: vec![DoseCode::Penta1],
            signs: vec![],
            onset: None,
            referral: None,
        };
        let json = serde_json::to_value(&aefi).unwrap();
        assert_eq!(json["type"], "aefi_reported");
        assert!(json.get("session").is_none());
        assert_eq!(json["codes"], serde_json::json!(["PENTA1"]));
        assert_eq!(serde_json::from_value::<EventBody>(json).unwrap(), aefi);
        let opened = EventBody::SessionOpened {
            session: s,
            site: s,
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            session_site: None,
        };
        assert_eq!(opened.kind(), "session_opened");
        assert_eq!(serde_json::to_value(&opened).unwrap()["date"], "2026-01-05");
    }

    #[test]
    fn aefi_and_refusal_fields_are_optional_in_older_logs_and_new_shapes_are_stable() {
        let old = r#"{"type":"aefi_reported","aefi":"00000000-0000-0000-0000-000000000001","beneficiary":"00000000-0000-0000-0000-000000000001","date":"2026-01-05","severity":"minor","observed":"fever","codes":["BCG"]}"#;
        let b: EventBody = serde_json::from_str(old).unwrap();
        assert!(matches!(&b, EventBody::AefiReported { signs, onset: None, referral: None, .. } if signs.is_empty()));
        assert_eq!(serde_json::to_string(&b).unwrap(), old, "nothing new written when there is nothing new");
        let old = r#"{"type":"dose_not_given","beneficiary":"00000000-0000-0000-0000-000000000000","code":"OPV1","date":"2025-01-02","reason":"OTHER"}"#;
        assert!(matches!(serde_json::from_str(old).unwrap(), EventBody::DoseNotGiven { note: None, .. }));
        let s = Uuid::from_u128(1);
        let onset = chrono::DateTime::parse_from_rfc3339("2026-01-05T10:30:00Z").unwrap().with_timezone(&Utc);
        let updated = EventBody::AefiUpdated {
            aefi: s,
            beneficiary: s,
            fields: vec![
                AefiField::Severity(AefiSeverity::Serious),
                AefiField::Signs(vec![AefiSign::Seizure]),
                AefiField::Onset(Some(onset)),
                AefiField::Referral(Some(Referral::Chc)),
            ],
        };
        let json = serde_json::to_value(&updated).unwrap();
        assert_eq!(json["type"], "aefi_updated");
        assert_eq!(json["fields"][0], serde_json::json!({"field": "severity", "value": "serious"}));
        assert_eq!(json["fields"][1], serde_json::json!({"field": "signs", "value": ["seizure"]}));
        assert_eq!(json["fields"][2], serde_json::json!({"field": "onset", "value": "2026-01-05T10:30:00Z"}));
        assert_eq!(json["fields"][3], serde_json::json!({"field": "referral", "value": "chc"}));
        assert_eq!(serde_json::from_value::<EventBody>(json).unwrap(), updated);
        let withdrawn = EventBody::NotGivenWithdrawn { beneficiary: s, session: None, records: vec![s] };
        let json = serde_json::to_value(&withdrawn).unwrap();
        assert_eq!(json, serde_json::json!({"type": "not_given_withdrawn", "beneficiary": s, "records": [s]}));
        assert_eq!(withdrawn.kind(), "not_given_withdrawn");
    }

    #[test]
    fn references_name_what_must_be_known_not_what_is_defined() {
        let (v, v2, h, b, s) =
            (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4), Uuid::from_u128(5));
        let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let area =
            EventBody::AreaDefined { area: v, level: AreaLevel::Village, name: "Rampur".into(), parent: Some(v2) };
        assert_eq!(area.references(), Vec::<Uuid>::new());
        assert_eq!(EventBody::VillageJeEndemicSet { area: v, je_endemic: true }.references(), vec![v]);
        assert_eq!(EventBody::VillageAshaSet { area: v, name: None, phone: None }.references(), vec![v]);
        let fields = vec![HouseholdField::Phone(None), HouseholdField::Village(v), HouseholdField::Village(v2)];
        let registered =
            EventBody::HouseholdRegistered { household: h, household_id: "H-1".into(), fields: fields.clone() };
        assert_eq!(registered.references(), vec![v, v2]);
        assert_eq!(EventBody::HouseholdUpdated { household: h, fields }.references(), vec![h, v, v2]);
        assert_eq!(
            EventBody::HouseholdUpdated { household: h, fields: vec![HouseholdField::HouseNo(None)] }.references(),
            vec![h]
        );
        let fields = vec![BeneficiaryField::Name("Asha".into()), BeneficiaryField::Household(h)];
        let registered = EventBody::BeneficiaryRegistered {
            beneficiary: b,
            register_id: "C-1".into(),
            kind: Kind::Child,
            fields: fields.clone(),
        };
        assert_eq!(registered.references(), vec![h]);
        assert_eq!(EventBody::BeneficiaryUpdated { beneficiary: b, fields }.references(), vec![b, h]);
        let given =
            EventBody::DoseGiven { beneficiary: b, code: DoseCode::Bcg, date, corrects: Some(s), session: Some(s) };
        assert_eq!(given.references(), vec![b]);
        let not_given = EventBody::DoseNotGiven {
            beneficiary: b,
            code: DoseCode::Bcg,
            date,
            reason: ReasonCode::RefusedFamily,
            corrects: None,
            session: Some(s),
            note: None,
        };
        assert_eq!(not_given.references(), vec![b]);
        let aefi = EventBody::AefiReported {
            aefi: s,
            beneficiary: b,
            session: Some(s),
            date,
            severity: AefiSeverity::Minor,
            observed: "fever".into(),
            codes: vec![DoseCode::Bcg],
            signs: vec![AefiSign::Fever],
            onset: None,
            referral: None,
        };
        assert_eq!(aefi.references(), vec![b]);
        let updated = EventBody::AefiUpdated { aefi: s, beneficiary: b, fields: vec![] };
        assert_eq!(updated.references(), vec![b]);
        let withdrawn = EventBody::NotGivenWithdrawn { beneficiary: b, session: Some(s), records: vec![v] };
        assert_eq!(withdrawn.references(), vec![b]);
        assert_eq!(EventBody::SessionOpened { session: s, site: v, date, session_site: None }.references(), vec![v]);
        let at_site = EventBody::SessionOpened { session: s, site: v, date, session_site: Some(v2) };
        assert_eq!(at_site.references(), vec![v, v2]);
        assert_eq!(EventBody::SessionClosed { session: s, vials: vec![] }.references(), vec![s]);
    }

    #[test]
    fn a_delivery_has_a_stable_shape_and_names_the_mother_and_household() {
        let (m, h, n) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let body = EventBody::DeliveryRecorded {
            beneficiary: m,
            household: h,
            date,
            outcome: DeliveryOutcome::LiveBirth,
            mother_name: "Sunita".into(),
            newborns: vec![Newborn {
                beneficiary: n,
                register_id: "B-1".into(),
                name: "Baby of Sunita".into(),
                sex: Some(Sex::F),
            }],
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "delivery_recorded", "beneficiary": m, "household": h, "date": "2026-11-20",
                "outcome": "live_birth", "mother_name": "Sunita",
                "newborns": [{"beneficiary": n, "register_id": "B-1", "name": "Baby of Sunita", "sex": "F"}]})
        );
        assert_eq!(serde_json::from_value::<EventBody>(json).unwrap(), body);
        assert_eq!(body.kind(), "delivery_recorded");
        assert_eq!(body.references(), vec![m, h]);
        let still = r#"{"type":"delivery_recorded","beneficiary":"00000000-0000-0000-0000-000000000001","household":"00000000-0000-0000-0000-000000000002","date":"2026-11-20","outcome":"stillbirth","mother_name":"Sunita"}"#;
        let parsed: EventBody = serde_json::from_str(still).unwrap();
        assert!(matches!(&parsed, EventBody::DeliveryRecorded { newborns, .. } if newborns.is_empty()));
        assert_eq!(serde_json::to_string(&parsed).unwrap(), still, "no newborns key without newborns");
        let EventBody::BeneficiaryRegistered { kind, fields, .. } =
            Newborn { beneficiary: n, register_id: "B-1".into(), name: "Asha".into(), sex: None }
                .registration(h, date, "Sunita")
        else {
            panic!("a registration")
        };
        assert_eq!(kind, Kind::Child);
        assert!(fields.contains(&BeneficiaryField::Dob(Some(date))));
        assert!(fields.contains(&BeneficiaryField::Household(h)));
        assert!(fields.contains(&BeneficiaryField::MotherName(Some("Sunita".into()))));
    }

    #[test]
    fn microplan_and_vial_events_have_stable_shapes() {
        let (site, v1, v2, round, session, vial) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
            Uuid::from_u128(5),
            Uuid::from_u128(6),
        );
        let date = chrono::NaiveDate::from_ymd_opt(2019, 12, 2).unwrap();
        let registered = EventBody::SiteRegistered {
            site,
            site_id: "S-01".into(),
            fields: vec![
                SiteField::Name("Rampur AWC".into()),
                SiteField::Villages(vec![v1, v2]),
                SiteField::SiteType(SiteType::Outreach),
                SiteField::Hra(HraType::BrickKiln),
                SiteField::Anm(Some(Contact { name: "Meena".into(), phone: Some("9876543210".into()) })),
                SiteField::Mobilizers(vec![Contact { name: "Sunita".into(), phone: None }]),
                SiteField::DistanceTenthsKm(Some(25)),
                SiteField::RiDay(Some(Day::Wed)),
            ],
        };
        let json = serde_json::to_value(&registered).unwrap();
        assert_eq!(json["type"], "site_registered");
        assert_eq!(json["fields"][1], serde_json::json!({"field": "villages", "value": [v1, v2]}));
        assert_eq!(json["fields"][2], serde_json::json!({"field": "site_type", "value": "outreach"}));
        assert_eq!(json["fields"][3], serde_json::json!({"field": "hra", "value": "brick_kiln"}));
        assert_eq!(
            json["fields"][4],
            serde_json::json!({"field": "anm", "value": {"name": "Meena", "phone": "9876543210"}})
        );
        assert_eq!(json["fields"][7], serde_json::json!({"field": "ri_day", "value": "wed"}));
        assert_eq!(serde_json::from_value::<EventBody>(json).unwrap(), registered);
        assert_eq!(registered.references(), vec![v1, v2]);
        let updated = EventBody::SiteUpdated { site, fields: vec![SiteField::Name("New".into())] };
        assert_eq!((updated.kind(), updated.references()), ("site_updated", vec![site]));

        let defined = EventBody::RoundDefined {
            round,
            number: 1,
            start: date,
            working_days: 7,
            ri_days: vec![Day::Wed, Day::Sat],
            holidays: vec![],
        };
        assert_eq!(
            serde_json::to_value(&defined).unwrap(),
            serde_json::json!({"type": "round_defined", "round": round, "number": 1, "start": "2019-12-02",
                "working_days": 7, "ri_days": ["wed", "sat"]})
        );
        assert!(defined.references().is_empty());
        let holiday = EventBody::RoundHolidaySet { round, date, holiday: true };
        assert_eq!((holiday.kind(), holiday.references()), ("round_holiday_set", vec![round]));
        let not_held = EventBody::SessionNotHeld { round, site, date, reason: NotHeldReason::AnmAbsent, note: None };
        assert_eq!(
            serde_json::to_value(&not_held).unwrap(),
            serde_json::json!({"type": "session_not_held", "round": round, "site": site, "date": "2019-12-02",
                "reason": "ANM_ABSENT"})
        );
        assert_eq!(not_held.references(), vec![round, site]);
        let moved = EventBody::SessionRescheduled { round, site, date, to: date };
        assert_eq!(moved.kind(), "session_rescheduled");

        let at = chrono::DateTime::parse_from_rfc3339("2019-12-02T09:30:00Z").unwrap().with_timezone(&Utc);
        let opened = EventBody::VialOpened {
            vial,
            session,
            antigen: Antigen::Mr,
            batch: Some("MR-19-044".into()),
            expiry: None,
            vvm: Some(1),
            opened_at: at,
        };
        assert_eq!(
            serde_json::to_value(&opened).unwrap(),
            serde_json::json!({"type": "vial_opened", "vial": vial, "session": session, "antigen": "MR",
                "batch": "MR-19-044", "vvm": 1, "opened_at": "2019-12-02T09:30:00Z"})
        );
        assert_eq!(opened.references(), vec![session]);
        let discarded = EventBody::VialDiscarded { vial, session: None, reason: DiscardReason::TimeLimit, at };
        assert_eq!(
            serde_json::to_value(&discarded).unwrap(),
            serde_json::json!({"type": "vial_discarded", "vial": vial, "reason": "TIME_LIMIT",
                "at": "2019-12-02T09:30:00Z"})
        );
        assert_eq!(discarded.references(), vec![vial]);
        let old = r#"{"type":"session_opened","session":"00000000-0000-0000-0000-000000000001","site":"00000000-0000-0000-0000-000000000002","date":"2026-01-05"}"#;
        let parsed: EventBody = serde_json::from_str(old).unwrap();
        assert!(matches!(parsed, EventBody::SessionOpened { session_site: None, .. }));
        assert_eq!(serde_json::to_string(&parsed).unwrap(), old, "no session_site key written when there is none");
    }

    #[test]
    fn a_planned_session_has_the_same_key_everywhere() {
        let (r, s) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let d = chrono::NaiveDate::from_ymd_opt(2019, 12, 2).unwrap();
        assert_eq!(planned_session_key(r, s, d), planned_session_key(r, s, d));
        assert_ne!(planned_session_key(r, s, d), planned_session_key(r, s, d.succ_opt().unwrap()));
        assert_ne!(planned_session_key(r, s, d), planned_session_key(s, r, d));
    }

    #[test]
    fn a_later_stamp_overrides_and_the_device_id_breaks_ties() {
        let at = |wall_ms, counter, device| Stamp { hlc: Hlc { wall_ms, counter }, device: Uuid::from_u128(device) };
        assert!(at(1, 0, 1).overrides(None));
        assert!(at(2, 0, 1).overrides(Some(at(1, 9, 9))));
        assert!(at(1, 1, 1).overrides(Some(at(1, 0, 9))));
        assert!(at(1, 0, 2).overrides(Some(at(1, 0, 1))));
        assert!(!at(1, 0, 1).overrides(Some(at(1, 0, 2))));
        assert!(!at(1, 0, 1).overrides(Some(at(1, 0, 1))), "an equal stamp keeps the first value");
        // The same order as the store's text columns.
        let (a, b) = (at(0x1_0000, 0, 0xa), at(0xffff, 0xffff_ffff, 0xb));
        assert_eq!(
            a.cmp(&b),
            (a.hlc.to_string(), a.device.to_string()).cmp(&(b.hlc.to_string(), b.device.to_string()))
        );
    }

    #[test]
    fn edd_and_lmp_are_280_days_apart() {
        let lmp = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        let edd = edd_from_lmp(lmp);
        assert_eq!(edd, chrono::NaiveDate::from_ymd_opt(2026, 12, 6));
        assert_eq!(edd.and_then(lmp_from_edd), Some(lmp));
    }
}
