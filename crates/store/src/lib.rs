//! The device store: a SQLite register whose every change is an immutable event.
//!
//! Each write appends events to the `events` log and applies them to the projection (areas,
//! households, beneficiaries, doses) in one durable transaction: either both happen or neither.
//! The log is what sync ships. Stores open with WAL, foreign keys on and `synchronous=FULL`;
//! migrations from `migrations/device/` are applied on open, in one transaction.
//!
//! This file is only the crate's face: each module below owns one part.

mod append;
mod cases;
mod encrypt;
mod error;
mod fhir;
mod import;
pub mod keyring;
mod ledger;
mod local;
mod migrate;
mod packed;
mod plan;
mod project;
mod query;
mod records;
mod report;
mod store;
mod sync;
mod write;

pub use append::Ctx;
pub use cases::{
    is_open, ActivityRecord, CaseEscalation, CaseFileRecord, CaseFilter, CaseRefusal, NewActivity, NewVisit,
};
pub use encrypt::{encrypt_in_place, file_state, open_with_passphrase, FileState, PASSPHRASE_LABEL};
pub use error::{Result, StoreError};
pub use fhir::FhirImported;
pub use import::ImportSummary;
pub use keyring::{DataKey, Keyring};
pub use ledger::{LedgerClosing, LedgerSession, LedgerVial, SessionLedger, SiteKit, VialDiscard};
pub use local::LocalWorker;
pub use plan::{
    LastNotGiven, MopUp, MopUpItem, PlanSessionRecord, PlannedSite, RoundPlan, RoundRecord, SiteInput, SiteRecord,
    SiteVillage, SitesImported,
};
pub use query::{Export, ExportBeneficiary, ExportDose, ExportNotGiven};
pub use records::{
    AefiRecord, BeneficiaryRecord, DoseRecord, HouseholdRecord, NotGivenCode, NotGivenRecord, Place, RefusalRecord,
    SessionRecord, SessionRecords, VillageRecord, SEARCH_LIMIT,
};
pub use store::Store;
pub use sync::{Enrollment, SetAside, SyncStatus};
pub use write::{Recorded, Visit};
