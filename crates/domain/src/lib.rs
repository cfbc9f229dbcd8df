//! Teeka's domain core: the register's model, the UIP schedule engine, the due list, coverage,
//! the hybrid logical clock, and the export with its replay from a log.
//!
//! Pure: no I/O, no clock, no randomness. `today` and `now` are arguments; ids are made by the
//! caller. Storage, network and UI depend on this crate, never the reverse.

pub mod audit;
pub mod calendar;
pub mod care;
pub mod cases;
pub mod codes;
pub mod dates;
pub mod export;
pub mod facts;
pub mod fhir;
pub mod hlc;
pub mod import;
pub mod kit;
pub mod ledger;
pub mod limits;
pub mod microplan;
pub mod model;
pub mod monitor;
pub mod monitor_fold;
pub mod monitor_render;
pub mod plan;
pub mod record;
pub mod register;
pub mod replay;
pub mod report;
pub mod roles;
pub mod schedule;
pub mod similar;
pub mod sites;
pub mod tally;

pub use care::{AefiFacts, CareError};
pub use codes::{
    ActivityKind, AefiSeverity, AefiSign, Antigen, AreaLevel, BeneficiaryStatus, CaseStatus, Day, DeliveryOutcome,
    DiscardReason, DoseCode, HraType, Kind, NotHeldReason, Persuader, ReasonCode, Referral, RiskCategory, Sex,
    SiteType, UnknownCode, VisitAction, VisitOutcome, WorkerRole,
};
pub use dates::{age_on, iso, parse_date, pregnancy_weeks, Age, AgeParts, Date, DateError};
pub use export::{Export, ExportBeneficiary, ExportDelivery, ExportDose, ExportNotGiven};
pub use facts::{BeneficiaryFacts, HouseholdFacts, IdError, IdKind, Implausible, InputError};
pub use hlc::Hlc;
pub use ledger::LedgerError;
pub use microplan::{Microplan, MicroplanError};
pub use model::{
    planned_session_key, AefiField, BeneficiaryField, Contact, Event, EventBody, HouseholdField, Newborn, SiteField,
    Stamp, VialsUsed,
};
pub use record::Warning;
pub use replay::{replay, Replay, ReplayError};
pub use schedule::{Classification, DoseState, DoseStatus, Given, ScheduleSettings, Subject};
