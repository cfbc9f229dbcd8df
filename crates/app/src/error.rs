//! The app's errors: one vocabulary of codes ([`AppCode`]) for everything the UI may receive,
//! from the app itself, the store, sync and the server, each with an English message for logs and
//! support. The UI translates the code and never shows the message.

use serde::Serialize;
use teeka_domain::{CareError, LedgerError};
use teeka_pack::PackError;
use teeka_protocol::ErrorCode;
use teeka_store::StoreError;
use teeka_sync::SyncError;

/// Every code the UI may receive (`docs/app-api.md`, "Error codes"): one vocabulary with the
/// CLI and HTTP. The store's, sync's and the protocol's codes keep their names, so the same
/// failure has the same code everywhere; the app adds only its own (`LOCKED`, `WRONG_PIN`,
/// `PIN_WAIT`, `NOT_ALLOWED`, `CANNOT_OPEN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AppCode {
    Locked,
    WrongPin,
    PinWait,
    /// The signed-in worker's role may not do this (an ASHA opens no session or vial and does
    /// not change the plan).
    NotAllowed,
    InvalidInput,
    NotFound,
    UnknownBeneficiary,
    UnknownVillage,
    RegisterInvalid,
    SessionClosed,
    AefiSeverityTooLow,
    OnsetInFuture,
    ReasonNotApplicable,
    SessionInFuture,
    NotEnrolled,
    Network,
    /// The server's certificate is not the one this device trusts.
    UntrustedServer,
    Unauthorized,
    Revoked,
    CodeInvalid,
    OutOfScope,
    TooLarge,
    BadRequest,
    InvalidEvent,
    ForbiddenRole,
    UnknownEntity,
    AmbiguousVillage,
    UnsupportedVersion,
    Unavailable,
    Internal,
    StoreDatabase,
    StoreCorrupt,
    StoreTooNew,
    DobTooOld,
    LmpTooOld,
    EddPast,
    UnknownSite,
    UnknownRound,
    RoundExists,
    OutsideRound,
    /// A case-file record for a household without a refusal standing.
    NoRefusal,
    VialNotUsable,
    NoDosesDue,
    VialDiscarded,
    /// The evening pack's PNG width is out of range (`teeka-pack`).
    BadPackWidth,
    /// The evening pack could not be drawn or saved.
    PackFailed,
    /// The system could not open a saved file (no program for it, or not on this platform).
    CannotOpen,
    /// A national identifier not of its shape (`teeka_domain::IdKind`).
    BadAbha,
    BadRchId,
    BadUwinId,
    /// A FHIR file refused (every problem located by line and JSON path).
    FhirInvalid,
}

impl AppCode {
    /// Every code, in the order of the contract's table.
    pub const ALL: [AppCode; 51] = [
        AppCode::Locked,
        AppCode::WrongPin,
        AppCode::PinWait,
        AppCode::NotAllowed,
        AppCode::InvalidInput,
        AppCode::NotFound,
        AppCode::UnknownBeneficiary,
        AppCode::UnknownVillage,
        AppCode::RegisterInvalid,
        AppCode::SessionClosed,
        AppCode::AefiSeverityTooLow,
        AppCode::OnsetInFuture,
        AppCode::ReasonNotApplicable,
        AppCode::SessionInFuture,
        AppCode::NotEnrolled,
        AppCode::Network,
        AppCode::UntrustedServer,
        AppCode::Unauthorized,
        AppCode::Revoked,
        AppCode::CodeInvalid,
        AppCode::OutOfScope,
        AppCode::TooLarge,
        AppCode::BadRequest,
        AppCode::InvalidEvent,
        AppCode::ForbiddenRole,
        AppCode::UnknownEntity,
        AppCode::AmbiguousVillage,
        AppCode::UnsupportedVersion,
        AppCode::Unavailable,
        AppCode::Internal,
        AppCode::StoreDatabase,
        AppCode::StoreCorrupt,
        AppCode::StoreTooNew,
        AppCode::DobTooOld,
        AppCode::LmpTooOld,
        AppCode::EddPast,
        AppCode::UnknownSite,
        AppCode::UnknownRound,
        AppCode::RoundExists,
        AppCode::OutsideRound,
        AppCode::NoRefusal,
        AppCode::VialNotUsable,
        AppCode::NoDosesDue,
        AppCode::VialDiscarded,
        AppCode::BadPackWidth,
        AppCode::PackFailed,
        AppCode::CannotOpen,
        AppCode::BadAbha,
        AppCode::BadRchId,
        AppCode::BadUwinId,
        AppCode::FhirInvalid,
    ];

    /// The code's text, as it crosses to the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            AppCode::Locked => "LOCKED",
            AppCode::WrongPin => "WRONG_PIN",
            AppCode::PinWait => "PIN_WAIT",
            AppCode::NotAllowed => "NOT_ALLOWED",
            AppCode::InvalidInput => "INVALID_INPUT",
            AppCode::NotFound => "NOT_FOUND",
            AppCode::UnknownBeneficiary => "UNKNOWN_BENEFICIARY",
            AppCode::UnknownVillage => "UNKNOWN_VILLAGE",
            AppCode::RegisterInvalid => "REGISTER_INVALID",
            AppCode::SessionClosed => "SESSION_CLOSED",
            AppCode::AefiSeverityTooLow => "AEFI_SEVERITY_TOO_LOW",
            AppCode::OnsetInFuture => "ONSET_IN_FUTURE",
            AppCode::ReasonNotApplicable => "REASON_NOT_APPLICABLE",
            AppCode::SessionInFuture => "SESSION_IN_FUTURE",
            AppCode::NotEnrolled => "NOT_ENROLLED",
            AppCode::Network => "NETWORK",
            AppCode::UntrustedServer => "UNTRUSTED_SERVER",
            AppCode::Unauthorized => "UNAUTHORIZED",
            AppCode::Revoked => "REVOKED",
            AppCode::CodeInvalid => "CODE_INVALID",
            AppCode::OutOfScope => "OUT_OF_SCOPE",
            AppCode::TooLarge => "TOO_LARGE",
            AppCode::BadRequest => "BAD_REQUEST",
            AppCode::InvalidEvent => "INVALID_EVENT",
            AppCode::ForbiddenRole => "FORBIDDEN_ROLE",
            AppCode::UnknownEntity => "UNKNOWN_ENTITY",
            AppCode::AmbiguousVillage => "AMBIGUOUS_VILLAGE",
            AppCode::UnsupportedVersion => "UNSUPPORTED_VERSION",
            AppCode::Unavailable => "UNAVAILABLE",
            AppCode::Internal => "INTERNAL",
            AppCode::StoreDatabase => "STORE_DATABASE",
            AppCode::StoreCorrupt => "STORE_CORRUPT",
            AppCode::StoreTooNew => "STORE_TOO_NEW",
            AppCode::DobTooOld => "DOB_TOO_OLD",
            AppCode::LmpTooOld => "LMP_TOO_OLD",
            AppCode::EddPast => "EDD_PAST",
            AppCode::UnknownSite => "UNKNOWN_SITE",
            AppCode::UnknownRound => "UNKNOWN_ROUND",
            AppCode::RoundExists => "ROUND_EXISTS",
            AppCode::OutsideRound => "OUTSIDE_ROUND",
            AppCode::NoRefusal => "NO_REFUSAL",
            AppCode::VialNotUsable => "VIAL_NOT_USABLE",
            AppCode::NoDosesDue => "NO_DOSES_DUE",
            AppCode::VialDiscarded => "VIAL_DISCARDED",
            AppCode::BadPackWidth => "BAD_PACK_WIDTH",
            AppCode::PackFailed => "PACK_FAILED",
            AppCode::CannotOpen => "CANNOT_OPEN",
            AppCode::BadAbha => "BAD_ABHA",
            AppCode::BadRchId => "BAD_RCH_ID",
            AppCode::BadUwinId => "BAD_UWIN_ID",
            AppCode::FhirInvalid => "FHIR_INVALID",
        }
    }
}

impl std::fmt::Display for AppCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AppCode {
    type Err = String;

    /// A code from its text (the codes other parts of Teeka report: sync, the store).
    fn from_str(text: &str) -> Result<AppCode, String> {
        AppCode::ALL.into_iter().find(|c| c.as_str() == text).ok_or_else(|| format!("unknown code '{text}'"))
    }
}

impl PartialEq<&str> for AppCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&StoreError> for AppCode {
    fn from(e: &StoreError) -> AppCode {
        match e {
            StoreError::Db(_) | StoreError::Value(_) => AppCode::StoreDatabase,
            StoreError::Register(_) => AppCode::RegisterInvalid,
            StoreError::Fhir(_) => AppCode::FhirInvalid,
            StoreError::UnknownBeneficiary(_) => AppCode::UnknownBeneficiary,
            StoreError::UnknownVillage(_) => AppCode::UnknownVillage,
            StoreError::Invalid(_) | StoreError::InvalidField { .. } => AppCode::InvalidInput,
            StoreError::Implausible(e) => AppCode::from(e),
            StoreError::BadId(e) => match e.kind {
                teeka_domain::IdKind::Abha => AppCode::BadAbha,
                teeka_domain::IdKind::RchId => AppCode::BadRchId,
                teeka_domain::IdKind::UwinId => AppCode::BadUwinId,
            },
            StoreError::NotFound(_) => AppCode::NotFound,
            StoreError::ForbiddenRole(_) => AppCode::ForbiddenRole,
            StoreError::Sites(_) => AppCode::InvalidInput,
            StoreError::UnknownSite(_) => AppCode::UnknownSite,
            StoreError::UnknownRound(_) => AppCode::UnknownRound,
            StoreError::RoundExists { .. } => AppCode::RoundExists,
            StoreError::OutsideRound(_) => AppCode::OutsideRound,
            StoreError::NoRefusal(_) => AppCode::NoRefusal,
            StoreError::SessionClosed(_) => AppCode::SessionClosed,
            StoreError::Care(e) => match e {
                CareError::SeverityTooLow { .. } => AppCode::AefiSeverityTooLow,
                CareError::OnsetInFuture { .. } => AppCode::OnsetInFuture,
                CareError::ReasonNotApplicable { .. } => AppCode::ReasonNotApplicable,
                CareError::SessionInFuture { .. } => AppCode::SessionInFuture,
                CareError::Input(_) => AppCode::InvalidInput,
            },
            StoreError::Ledger(e) => match e {
                LedgerError::VvmDiscard { .. } | LedgerError::Expired { .. } => AppCode::VialNotUsable,
                LedgerError::NoDosesDue { .. } => AppCode::NoDosesDue,
                LedgerError::AlreadyDiscarded { .. } => AppCode::VialDiscarded,
                LedgerError::Input(_) => AppCode::InvalidInput,
            },
            StoreError::NewerSchema { .. } => AppCode::StoreTooNew,
            StoreError::Corrupt(_) | StoreError::Keyring(_) => AppCode::StoreCorrupt,
            // The app's store is opened by a PIN: without its key it is locked.
            StoreError::Encrypted(_) => AppCode::Locked,
            StoreError::WrongPassphrase => AppCode::WrongPin,
            StoreError::Io(_) => AppCode::StoreDatabase,
        }
    }
}

impl From<&teeka_domain::Implausible> for AppCode {
    fn from(e: &teeka_domain::Implausible) -> AppCode {
        match e {
            teeka_domain::Implausible::DobTooOld { .. } => AppCode::DobTooOld,
            teeka_domain::Implausible::LmpTooOld { .. } => AppCode::LmpTooOld,
            teeka_domain::Implausible::EddPast { .. } => AppCode::EddPast,
        }
    }
}

impl From<ErrorCode> for AppCode {
    fn from(code: ErrorCode) -> AppCode {
        match code {
            ErrorCode::BadRequest => AppCode::BadRequest,
            ErrorCode::TooLarge => AppCode::TooLarge,
            ErrorCode::UnsupportedVersion => AppCode::UnsupportedVersion,
            ErrorCode::Unauthorized => AppCode::Unauthorized,
            ErrorCode::Revoked => AppCode::Revoked,
            ErrorCode::CodeInvalid => AppCode::CodeInvalid,
            ErrorCode::OutOfScope => AppCode::OutOfScope,
            ErrorCode::UnknownEntity => AppCode::UnknownEntity,
            ErrorCode::AmbiguousVillage => AppCode::AmbiguousVillage,
            ErrorCode::InvalidEvent => AppCode::InvalidEvent,
            ErrorCode::ForbiddenRole => AppCode::ForbiddenRole,
            ErrorCode::Internal => AppCode::Internal,
            ErrorCode::Unavailable => AppCode::Unavailable,
            ErrorCode::UnknownRound => AppCode::UnknownRound,
            ErrorCode::UntrustedServer => AppCode::UntrustedServer,
        }
    }
}

impl From<&PackError> for AppCode {
    fn from(e: &PackError) -> AppCode {
        match e {
            PackError::BadWidth(_) => AppCode::BadPackWidth,
            PackError::Render(_) => AppCode::PackFailed,
        }
    }
}

impl From<PackError> for AppError {
    fn from(e: PackError) -> AppError {
        AppError::new(AppCode::from(&e), e.to_string())
    }
}

impl From<&SyncError> for AppCode {
    fn from(e: &SyncError) -> AppCode {
        match e {
            SyncError::Store(e) => AppCode::from(e),
            SyncError::NotEnrolled => AppCode::NotEnrolled,
            SyncError::Unreachable(_) => AppCode::Network,
            SyncError::Untrusted(_) => AppCode::UntrustedServer,
            SyncError::Refused(api) => AppCode::from(api.code),
            SyncError::Client(_) => AppCode::InvalidInput,
        }
    }
}

/// An error as the UI receives it: a stable `code` and an English `message` that says what and
/// where; `field`, when the error is about one field of the request (its name there: `dob`,
/// `phone`, `doses[1]`), so that a form shows it beside that field. Absent otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: AppCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: AppCode, message: impl Into<String>) -> AppError {
        AppError { code, message: message.into(), field: None }
    }

    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::new(AppCode::InvalidInput, message)
    }

    /// `INVALID_INPUT` about one field of the request.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> AppError {
        AppError::invalid(message).at(field)
    }

    /// The same error, about `field`.
    pub fn at(mut self, field: &str) -> AppError {
        self.field = Some(field.to_string());
        self
    }

    pub(crate) fn locked() -> AppError {
        AppError::new(AppCode::Locked, "no worker is signed in: sign in with your PIN")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        let field = e.field().map(str::to_string);
        AppError { field, ..AppError::new(AppCode::from(&e), e.to_string()) }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> AppError {
        AppError::new(AppCode::from(&e), e.to_string())
    }
}

impl From<teeka_domain::InputError> for AppError {
    fn from(e: teeka_domain::InputError) -> AppError {
        AppError { field: e.field, ..AppError::invalid(e.message) }
    }
}

impl From<teeka_domain::Implausible> for AppError {
    fn from(e: teeka_domain::Implausible) -> AppError {
        AppError::new(AppCode::from(&e), e.to_string()).at(e.field())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_keep_their_codes() {
        assert_eq!(AppError::from(StoreError::UnknownBeneficiary("B-1".into())).code, "UNKNOWN_BENEFICIARY");
        assert_eq!(AppError::from(StoreError::UnknownVillage("X".into())).code, "UNKNOWN_VILLAGE");
        assert_eq!(AppError::from(StoreError::Invalid("x".into())).code, "INVALID_INPUT");
        assert_eq!(AppError::from(StoreError::SessionClosed("x".into())).code, "SESSION_CLOSED");
        let json = serde_json::to_value(AppError::invalid("name is empty")).unwrap_or_default();
        assert_eq!(json, serde_json::json!({"code": "INVALID_INPUT", "message": "name is empty"}));
        // An error about one field names it, for the form to show it there.
        let e = AppError::from(StoreError::from(teeka_domain::InputError::at("phone", "phone '12' has 2 digits")));
        let json = serde_json::to_value(e).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"code": "INVALID_INPUT", "message": "phone '12' has 2 digits", "field": "phone"})
        );
    }

    /// One vocabulary: every code the store, sync and the protocol report (and the CLI prints)
    /// is the app's code of the same failure, by the same name.
    #[test]
    fn the_layers_codes_are_the_apps_by_the_same_name() {
        use teeka_protocol::ApiError;
        let store = [
            StoreError::Corrupt("x".into()),
            StoreError::Register(teeka_domain::register::RegisterErrors { errors: vec![], more: 0 }),
            StoreError::UnknownBeneficiary("x".into()),
            StoreError::UnknownVillage("x".into()),
            StoreError::Invalid("x".into()),
            StoreError::NotFound("x".into()),
            StoreError::SessionClosed("x".into()),
            StoreError::NewerSchema { found: 9, known: 4 },
            StoreError::InvalidField { field: "dob".into(), message: "x".into() },
            StoreError::Care(CareError::SeverityTooLow {
                sign: teeka_domain::AefiSign::Seizure,
                severity: teeka_domain::AefiSeverity::Minor,
                minimum: teeka_domain::AefiSeverity::Serious,
            }),
            StoreError::Care(CareError::OnsetInFuture { onset: chrono::Utc::now(), now: chrono::Utc::now() }),
            StoreError::Care(CareError::ReasonNotApplicable {
                reason: teeka_domain::ReasonCode::ChildSick,
                kind: teeka_domain::Kind::PregnantWoman,
            }),
            StoreError::Care(CareError::SessionInFuture {
                date: chrono::NaiveDate::MAX,
                today: chrono::NaiveDate::MIN,
            }),
            StoreError::Care(CareError::Input(teeka_domain::InputError::new("x"))),
        ];
        for e in &store {
            assert_eq!(AppCode::from(e).as_str(), e.code(), "{e}");
        }
        for c in ErrorCode::ALL {
            assert_eq!(AppCode::from(c).as_str(), c.as_str());
            let e = SyncError::Refused(ApiError::new(c, "no"));
            assert_eq!(AppCode::from(&e).as_str(), e.code());
        }
        for e in [
            SyncError::NotEnrolled,
            SyncError::Unreachable("down".into()),
            SyncError::Untrusted("pin".into()),
            SyncError::Client("url".into()),
        ] {
            assert_eq!(AppCode::from(&e).as_str(), e.code(), "{e}");
        }
        for e in [PackError::BadWidth(7), PackError::Render("x".into())] {
            assert_eq!(AppCode::from(&e).as_str(), e.code(), "{e}");
        }
        for code in AppCode::ALL {
            assert_eq!(code.as_str().parse::<AppCode>(), Ok(code));
        }
        let d = |s: &str| teeka_domain::parse_date(s).unwrap_or_default();
        let implausible = [
            teeka_domain::Implausible::DobTooOld {
                dob: d("2000-01-01"),
                last: teeka_domain::DoseCode::Td16,
                due: teeka_domain::Age::Years(16),
            },
            teeka_domain::Implausible::LmpTooOld { lmp: d("2025-01-01"), today: d("2026-11-22") },
            teeka_domain::Implausible::EddPast {
                field: "edd",
                entered: d("2026-01-01"),
                edd: d("2026-01-01"),
                today: d("2026-11-22"),
            },
        ];
        let codes: Vec<&str> = implausible.iter().map(|e| e.code()).collect();
        assert_eq!(codes, teeka_domain::Implausible::CODES);
        for e in implausible {
            let s = StoreError::from(e.clone());
            assert_eq!(AppCode::from(&s).as_str(), s.code(), "{s}");
            let a = AppError::from(s);
            assert_eq!(a.field.as_deref(), Some(e.field()));
        }
    }

    #[test]
    fn every_code_serializes_as_its_text() {
        for code in AppCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap_or_default(), code.as_str());
        }
    }
}
