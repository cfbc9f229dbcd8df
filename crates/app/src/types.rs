//! The requests and responses of the app's commands, in the JSON shapes of `docs/app-api.md`.
//!
//! Requests take codes and dates as text and are checked by [`crate::App`], so that a wrong value
//! comes back as `INVALID_INPUT` naming the field rather than as a deserialization failure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use teeka_domain::{
    AefiSeverity, AefiSign, Antigen, BeneficiaryStatus, DeliveryOutcome, DoseCode, ReasonCode, Referral, RiskCategory,
    Sex, WorkerRole,
};
use ts_rs::TS;
use uuid::Uuid;

pub use crate::views::session::SessionItem;
pub use crate::views::supervisor::{CoverageResp, FollowUpItem, HistoryEntry, RecordHistory, Refusal, VillageCoverage};
pub use crate::views::survey::{Beneficiary, Household, Village};
pub use crate::views::{Found, Member};
pub use crate::workers::Worker;
pub use teeka_domain::tally::{AefiCounts, AntigenCount, DoseCount, ReasonCount, Tally};
pub use teeka_domain::Warning;
pub use teeka_store::{
    AefiRecord as Aefi, DoseRecord as Dose, NotGivenCode, NotGivenRecord as NotGiven, SessionRecord as Session,
};

/// `{}`.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

pub type AppStateReq = Empty;
pub type LockReq = Empty;
pub type TouchReq = Empty;
pub type VillagesReq = Empty;
pub type SessionsReq = Empty;
pub type CoverageReq = Empty;
pub type SyncStateReq = Empty;
pub type SyncNowReq = Empty;
pub type DevicesReq = Empty;
pub use crate::sync::EnrollReq;
pub use teeka_protocol::DeviceInfo;

/// `ui_ready`: the UI's first screen is interactive.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct UiReadyReq {
    pub screen: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SetLanguageReq {
    pub language: Option<String>,
}

/// `add_worker`: `signed_in_pin` is the signed-in worker's own PIN, required once the device has
/// a worker (the first needs none).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddWorkerReq {
    pub name: String,
    #[ts(as = "WorkerRole")]
    pub role: String,
    pub pin: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub signed_in_pin: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SignInReq {
    pub worker_id: Uuid,
    pub pin: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddVillageReq {
    pub name: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HouseholdsReq {
    pub village_id: Uuid,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SaveHouseholdReq {
    #[serde(default)]
    pub id: Option<Uuid>,
    pub village_id: Uuid,
    #[serde(default)]
    pub house_no: Option<String>,
    #[serde(default)]
    pub head_of_household: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<RiskCategory>")]
    pub risk_category: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MembersReq {
    pub household_id: Uuid,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryReq {
    pub register_id: String,
}

/// A dose from the MCP card.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DoseInput {
    #[ts(as = "DoseCode")]
    pub code: String,
    pub date: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct AddChildReq {
    pub household_id: Uuid,
    pub name: String,
    #[ts(as = "Sex")]
    pub sex: String,
    #[serde(default)]
    pub dob: Option<String>,
    #[serde(default)]
    pub age_months: Option<u32>,
    #[serde(default)]
    pub mother_name: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub doses: Vec<DoseInput>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct AddPregnantWomanReq {
    pub household_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub lmp: Option<String>,
    #[serde(default)]
    pub edd: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub doses: Vec<DoseInput>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct UpdateBeneficiaryReq {
    pub register_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<Sex>")]
    pub sex: Option<String>,
    #[serde(default)]
    pub dob: Option<String>,
    #[serde(default)]
    pub lmp: Option<String>,
    #[serde(default)]
    pub mother_name: Option<String>,
    /// The ABHA number (14 digits; dashes and spaces allowed); empty clears it.
    #[serde(default)]
    pub abha: Option<String>,
    /// The RCH ID (12 digits); empty clears it.
    #[serde(default)]
    pub rch_id: Option<String>,
    /// The U-WIN id (4 to 32 letters, digits or dashes); empty clears it.
    #[serde(default)]
    pub uwin_id: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddDosesReq {
    pub register_id: String,
    pub doses: Vec<DoseInput>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetStatusReq {
    pub register_id: String,
    #[ts(as = "BeneficiaryStatus")]
    pub status: String,
}

/// `record_delivery`: how a pregnant woman's pregnancy ended; a newborn for each live birth.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordDeliveryReq {
    pub register_id: String,
    pub date: String,
    #[ts(as = "DeliveryOutcome")]
    pub outcome: String,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub newborns: Vec<NewbornInput>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewbornInput {
    /// May be "Baby of <mother>" until the child is named.
    pub name: String,
    #[ts(as = "Sex")]
    pub sex: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordRefusalReq {
    pub register_id: String,
    #[ts(as = "ReasonCode")]
    pub reason: String,
    /// The doses refused, chosen by the worker (absent or empty: every dose due today).
    #[serde(default)]
    #[ts(as = "Option<Vec<DoseCode>>", optional)]
    pub codes: Vec<String>,
    /// What the reason was (required for `OTHER`).
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SearchReq {
    pub text: String,
    #[serde(default)]
    pub village_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SimilarChildrenReq {
    pub village_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub dob: Option<String>,
}

/// `similar_households`: what the household form holds (either may be empty), and the household
/// being edited, which is left out.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SimilarHouseholdsReq {
    pub village_id: Uuid,
    #[serde(default)]
    pub house_no: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id: Option<Uuid>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenSessionReq {
    pub site_id: Uuid,
    pub date: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionReq {
    pub session_id: Uuid,
}

/// `{ village_id, asha_name?, asha_phone? }`: a village's ASHA (empty or absent clears).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetVillageAshaReq {
    pub village_id: Uuid,
    #[serde(default)]
    #[ts(optional)]
    pub asha_name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub asha_phone: Option<String>,
}

pub type SessionDueReq = SessionReq;
pub type SessionTallyReq = SessionReq;

/// `{ session_id, register_id }`: one beneficiary at a session (a walk-in just added).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionItemReq {
    pub session_id: Uuid,
    pub register_id: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordGivenReq {
    pub session_id: Uuid,
    pub register_id: String,
    #[ts(as = "Vec<DoseCode>")]
    pub codes: Vec<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordNotGivenReq {
    pub session_id: Uuid,
    pub register_id: String,
    #[ts(as = "Vec<DoseCode>")]
    pub codes: Vec<String>,
    #[ts(as = "ReasonCode")]
    pub reason: String,
    /// What the reason was (required for `OTHER`).
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

/// `undo_not_given`: withdraws what the session recorded as not given to a beneficiary.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct UndoNotGivenReq {
    pub session_id: Uuid,
    pub register_id: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ReportAefiReq {
    #[serde(default)]
    pub session_id: Option<Uuid>,
    pub register_id: String,
    #[ts(as = "AefiSeverity")]
    pub severity: String,
    pub observed: String,
    #[serde(default)]
    #[ts(as = "Option<Vec<DoseCode>>", optional)]
    pub codes: Vec<String>,
    #[serde(default)]
    #[ts(as = "Option<Vec<AefiSign>>", optional)]
    pub signs: Vec<String>,
    /// When it began: RFC 3339 (`2026-03-10T09:30:00+05:30`); required for severe and serious.
    #[serde(default)]
    pub onset: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<Referral>")]
    pub referral: Option<String>,
}

/// `update_aefi`: the report's form saved again, whole.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct UpdateAefiReq {
    pub aefi_id: Uuid,
    #[ts(as = "AefiSeverity")]
    pub severity: String,
    pub observed: String,
    #[serde(default)]
    #[ts(as = "Option<Vec<DoseCode>>", optional)]
    pub codes: Vec<String>,
    #[serde(default)]
    #[ts(as = "Option<Vec<AefiSign>>", optional)]
    pub signs: Vec<String>,
    #[serde(default)]
    pub onset: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<Referral>")]
    pub referral: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VialsInput {
    #[ts(as = "Antigen")]
    pub antigen: String,
    pub opened: u32,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CloseSessionReq {
    pub session_id: Uuid,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub vials: Vec<VialsInput>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct VillageFilterReq {
    #[serde(default)]
    pub village_id: Option<Uuid>,
}

/// `round_report`: a round's report of a village or an area, or of the device's area (`on`:
/// today when absent).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct RoundReportReq {
    pub round: u32,
    #[serde(default)]
    pub village_id: Option<Uuid>,
    /// An area by its path, as a report's `area` names it (the dashboard's tap on an area).
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub on: Option<String>,
}

pub use teeka_domain::monitor::Report as RoundReport;

/// `evening_pack`: the round report of `round_report` (the same area: a village, an area by its
/// path, else the device's), drawn as the task force's one-page evening pack in `lang`.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct EveningPackReq {
    pub round: u32,
    #[serde(default)]
    pub village_id: Option<Uuid>,
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub on: Option<String>,
    /// `en` or `hi`.
    #[ts(as = "PackLang")]
    pub lang: String,
}

/// `open_pack` (the shell's): one file of an evening pack, by its name in the directory for packs
/// (`evening_pack`'s `file_stem` with `.pdf` or `.png`), opened with the system's program for it
/// (`open`) or shown in its folder (`reveal`, desktop only).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenPackReq {
    pub file: String,
    #[ts(as = "OpenHow")]
    pub how: String,
}

/// How `open_pack` opens a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum OpenHow {
    Open,
    Reveal,
}

impl OpenPackReq {
    /// `how`, checked: `open` or `reveal`, else `INVALID_INPUT` about `how`.
    pub fn how(&self) -> Result<OpenHow, crate::AppError> {
        match self.how.as_str() {
            "open" => Ok(OpenHow::Open),
            "reveal" => Ok(OpenHow::Reveal),
            other => Err(crate::AppError::invalid_field("how", format!("how '{other}' is not one of: open reveal"))),
        }
    }
}

/// The evening pack's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PackLang {
    En,
    Hi,
}

/// `evening_pack`'s answer: the page saved as PDF and PNG in the app's directory for packs, and
/// the PNG again as a `data:image/png;base64,` URL for the preview.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EveningPack {
    pub round: u32,
    pub on: NaiveDate,
    /// The report's area: its path, `*` for every area the device holds.
    pub area: String,
    /// Its name, as the page's header shows it.
    pub name: String,
    pub lang: PackLang,
    /// The directory the files are in.
    pub dir: String,
    pub pdf_path: String,
    pub png_path: String,
    /// `evening-pack-<area>-round<N>-<YYYY-MM-DD>-<lang>` (the two files add `.pdf` and `.png`).
    pub file_stem: String,
    pub png_width: u32,
    pub png_height: u32,
    pub png_data_url: String,
}

pub type FollowUpReq = VillageFilterReq;
pub type RefusalsReq = VillageFilterReq;

/// `record_history`: one beneficiary, by register id.
pub type RecordHistoryReq = BeneficiaryReq;

/// The dose codes of each kind of beneficiary, in schedule order.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Codes {
    pub child: Vec<DoseCode>,
    pub pregnant_woman: Vec<DoseCode>,
}

/// `{code, message}` of the last sync failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorBody {
    pub code: crate::AppCode,
    pub message: String,
}

/// The sync state the UI shows (`SyncState` of docs/app-api.md): made in one place,
/// `sync::sync_state`, from the store's bookkeeping ([`teeka_store::SyncStatus`]) and the
/// background worker's live part ([`crate::sync::Live`]: `syncing`, the last run's error,
/// `next_attempt_in_s`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncState {
    pub enrolled: bool,
    pub server_url: Option<String>,
    pub area: Option<String>,
    pub role: Option<String>,
    pub device_id: Uuid,
    pub pending: u64,
    /// How many own events the server set aside.
    pub set_aside: u64,
    pub syncing: bool,
    pub last_success: Option<String>,
    pub last_error: Option<ErrorBody>,
    pub next_attempt_in_s: Option<u64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppState {
    pub language: Option<String>,
    pub workers: Vec<Worker>,
    pub signed_in: Option<Worker>,
    pub today: NaiveDate,
    pub lock_after_minutes: u32,
    /// Seconds left of the wait after too many wrong PINs (null when there is none): the lock
    /// screen counts it down.
    pub pin_wait_seconds: Option<u32>,
    pub codes: Codes,
    pub reasons: Vec<teeka_domain::ReasonCode>,
    pub refusal_reasons: Vec<teeka_domain::ReasonCode>,
    pub antigens: Vec<teeka_domain::Antigen>,
    pub sync: SyncState,
}

/// The answer of `add_doses`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DosesAdded {
    pub member: Member,
    pub warnings: Vec<Warning>,
}

/// The answer of `record_given` and `record_not_given`: the beneficiary's item at the session.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ItemRecorded {
    pub item: SessionItem,
    pub warnings: Vec<Warning>,
}

/// The mother after her delivery, and the newborns it registered (with their birth doses due).
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeliveryDone {
    pub mother: Member,
    pub newborns: Vec<Member>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AefiReported {
    pub id: Uuid,
}

/// The answer of `open_session`: the session, and whether it was already open at that site and
/// date (then it is resumed, with what it recorded).
#[derive(Debug, Clone, Serialize, TS)]
pub struct OpenedSession {
    #[serde(flatten)]
    pub session: Session,
    pub resumed: bool,
}

pub use crate::views::campaign::{CalendarDay, DayKind, RoundCalendar};

/// `round_calendar`: a round's days before it is stored (the add-round form's preview), or any
/// calendar: the start, its working days (default 7), the RI weekdays and the holidays it skips.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RoundCalendarReq {
    pub start: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub working_days: Option<u32>,
    #[serde(default)]
    #[ts(as = "Option<Vec<teeka_domain::Day>>", optional)]
    pub ri_days: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub holidays: Option<Vec<String>>,
}

pub use crate::views::campaign::{PlanSession, PlanSite, Round, RoundPlanView};
pub use teeka_store::{MopUp, SiteRecord};
pub type SitesReq = Empty;
pub type RoundsReq = Empty;

/// A person of a site (its ANM, a mobilizer, the alternate vaccine delivery person).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub phone: Option<String>,
}

/// `save_site`: a new site (`new: true`, its `site_id` new on this device) or every field of a
/// known one (only those that changed are recorded). Supervisors and ANMs only.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveSiteReq {
    pub site_id: String,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub new: bool,
    pub name: String,
    pub villages: Vec<Uuid>,
    #[serde(rename = "type")]
    #[ts(rename = "type", as = "teeka_domain::SiteType")]
    pub site_type: String,
    #[ts(as = "teeka_domain::HraType")]
    pub hra: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub anm: Option<ContactInput>,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub mobilizers: Vec<ContactInput>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub avd: Option<ContactInput>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub distance_tenths_km: Option<u32>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub travel_minutes: Option<u32>,
    #[serde(default)]
    #[ts(as = "Option<teeka_domain::Day>", optional = nullable)]
    pub ri_day: Option<String>,
}

/// `add_round`: a round of the campaign with its calendar.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddRoundReq {
    pub number: u32,
    pub start: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub working_days: Option<u32>,
    #[serde(default)]
    #[ts(as = "Option<Vec<teeka_domain::Day>>", optional)]
    pub ri_days: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub holidays: Option<Vec<String>>,
}

/// `set_round_holiday`: a day of the round declared a holiday (`holiday: false` undoes it).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetRoundHolidayReq {
    pub number: u32,
    pub date: String,
    pub holiday: bool,
}

/// `round_plan`: the round's session plan.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RoundPlanReq {
    pub number: u32,
}

/// `session_not_held`: a planned session not held, with its reason (`note` for `OTHER`).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionNotHeldReq {
    pub number: u32,
    pub site_id: String,
    pub date: String,
    #[ts(as = "teeka_domain::NotHeldReason")]
    pub reason: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub note: Option<String>,
}

/// `reschedule_session`: a planned session moved to another working day of the round.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RescheduleSessionReq {
    pub number: u32,
    pub site_id: String,
    pub date: String,
    pub to: String,
}

/// `mop_up`: who of the round's due list at a site is still due on a day of the round.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MopUpReq {
    pub number: u32,
    pub site_id: String,
    pub date: String,
}

pub use teeka_store::{LedgerSession, LedgerVial, SessionLedger, SiteKit, VialDiscard};

/// `site_kit`: what the carrier must hold for a site on a day (`teeka plan kit`).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SiteKitReq {
    pub site_id: String,
    pub date: String,
}

/// `open_site_session`: the session at a microplan site on a day (resumed when it is open).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenSiteSessionReq {
    pub site_id: String,
    pub date: String,
}

/// `session_ledger`: a session's vials with the time left on each.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionLedgerReq {
    pub session_id: Uuid,
}

/// `open_vial`: a vial opened now at an open session.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenVialReq {
    pub session_id: Uuid,
    #[ts(as = "Antigen")]
    pub antigen: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub batch: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub expiry: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub vvm: Option<u8>,
}

/// `discard_vial`: an open vial discarded now, with its reason; the ledger of `session_id`
/// (the session the screen shows) after it.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DiscardVialReq {
    pub session_id: Uuid,
    pub vial_id: Uuid,
    #[ts(as = "teeka_domain::DiscardReason")]
    pub reason: String,
}

/// `close_ledger_session`: closes a session with its ledger.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CloseLedgerSessionReq {
    pub session_id: Uuid,
}

/// What closing with the ledger did: the session, and its ledger after (vials discarded at the
/// end, those carried forward still open).
#[derive(Debug, Serialize, TS)]
pub struct LedgerClosed {
    pub session: Session,
    pub ledger: SessionLedger,
    /// How many vials were discarded at the closing, and how many carried forward.
    pub discarded: u32,
    pub carried: u32,
}

pub use teeka_domain::kit::Wastage;

/// `round_wastage`: the wastage of a round's days, per site and in all.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RoundWastageReq {
    pub number: u32,
}

/// One site's wastage over a round's days.
#[derive(Debug, Serialize, TS)]
pub struct SiteWastage {
    pub site_id: String,
    pub name: String,
    pub wastage: Vec<Wastage>,
}

/// A round's wastage: per site of its plan, and over them all (the vials and doses summed).
#[derive(Debug, Serialize, TS)]
pub struct RoundWastage {
    pub round: u32,
    pub sites: Vec<SiteWastage>,
    pub total: Vec<Wastage>,
}

// ----- resistant families' case files and communication activities (issue 11) -----

pub use teeka_store::{ActivityRecord as Activity, CaseEscalation, CaseFileRecord as CaseFile, CaseRefusal};

/// `case_files`: the resistant families' case files, oldest first.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CaseFilesReq {
    /// Only the families of this village.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub village_id: Option<Uuid>,
    /// Only the cases still to work on (open, still refusing).
    #[serde(default)]
    #[ts(optional)]
    pub open_only: Option<bool>,
    /// "My families to visit": the cases still to work on first, then the closed ones, each
    /// oldest first.
    #[serde(default)]
    #[ts(optional)]
    pub mine: Option<bool>,
}

/// `record_case_visit`: a visit to a resistant family.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordCaseVisitReq {
    /// The household's internal id.
    pub household: Uuid,
    pub date: String,
    #[ts(as = "teeka_domain::Persuader")]
    pub by: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub by_name: Option<String>,
    #[ts(as = "teeka_domain::VisitAction")]
    pub action: String,
    #[ts(as = "teeka_domain::VisitOutcome")]
    pub outcome: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub note: Option<String>,
}

/// `assign_case`: who is to persuade a resistant family.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AssignCaseReq {
    pub household: Uuid,
    #[ts(as = "teeka_domain::Persuader")]
    pub persuader: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub name: Option<String>,
}

/// `escalate_case`: a case escalated to the block task force today (`escalated: false`
/// withdraws it).
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EscalateCaseReq {
    pub household: Uuid,
    pub escalated: bool,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub note: Option<String>,
}

/// `record_activity`: a communication activity held in a village.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordActivityReq {
    pub village_id: Uuid,
    pub date: String,
    #[ts(as = "teeka_domain::ActivityKind")]
    pub kind: String,
    pub led_by: String,
    #[serde(default)]
    #[ts(optional = nullable, as = "Option<teeka_domain::Persuader>")]
    pub leader: Option<String>,
    pub attendance: u32,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub note: Option<String>,
}

/// `activities`: the communication activities, newest first.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ActivitiesReq {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub village_id: Option<Uuid>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub from: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub to: Option<String>,
}
