//! The store's errors, each with a stable code.

use teeka_domain::cases::CaseError;
use teeka_domain::register::RegisterErrors;
use teeka_domain::{CareError, IdError, Implausible, InputError, LedgerError};

/// Errors of the store. Each has a stable [`StoreError::code`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("unexpected value in the database: {0}")]
    Value(#[from] rusqlite::types::FromSqlError),
    #[error(transparent)]
    Register(#[from] RegisterErrors),
    /// A FHIR file's problems, each located by line and JSON path (`FHIR_INVALID`).
    #[error(transparent)]
    Fhir(#[from] teeka_domain::fhir::FhirErrors),
    #[error("no beneficiary with register id '{0}'")]
    UnknownBeneficiary(String),
    #[error("no village named '{0}' in this store")]
    UnknownVillage(String),
    #[error("{0}")]
    Invalid(String),
    /// Input refused, naming the field it is about (`INVALID_INPUT` as [`StoreError::Invalid`]).
    #[error("{message}")]
    InvalidField { field: String, message: String },
    /// A person the register cannot hold (a child past the schedule, a pregnancy that cannot be
    /// ongoing): its own code.
    #[error(transparent)]
    Implausible(#[from] Implausible),
    /// A national identifier not of its shape: `BAD_ABHA`, `BAD_RCH_ID`, `BAD_UWIN_ID`.
    #[error(transparent)]
    BadId(#[from] IdError),
    #[error("{0}")]
    NotFound(String),
    /// What the device's enrolled role may not record (`teeka_domain::roles`): the server would
    /// refuse it (`FORBIDDEN_ROLE`).
    #[error(transparent)]
    ForbiddenRole(#[from] teeka_domain::roles::RoleRefusal),
    /// The sites file's problems, each located (`INVALID_INPUT`).
    #[error(transparent)]
    Sites(#[from] teeka_domain::sites::SiteErrors),
    #[error("no session site '{0}' in this store (see `teeka plan sites list`)")]
    UnknownSite(String),
    #[error("no round {0} in this store (see `teeka plan round list`)")]
    UnknownRound(u32),
    #[error("round {number} is already defined here (it starts on {start}); a round's number is given once")]
    RoundExists { number: u32, start: String },
    /// A date that is not one of the round's days (or not of the session asked for).
    #[error("{0}")]
    OutsideRound(String),
    #[error("{0}")]
    SessionClosed(String),
    /// A case-file record for a household without a refusal standing.
    #[error("{0}")]
    NoRefusal(String),
    /// A rule of a session's work (an AEFI, a reason, a session date), with its own code.
    #[error(transparent)]
    Care(CareError),
    /// A rule of the vial ledger (a vial not usable, an antigen with no doses due, a vial
    /// already discarded), with its own code.
    #[error(transparent)]
    Ledger(LedgerError),
    #[error("this store was written by a newer Teeka (schema version {found}; this build knows up to {known})")]
    NewerSchema { found: i64, known: i64 },
    #[error("the store is damaged: {0}")]
    Corrupt(String),
    /// The store is encrypted and was opened without its key.
    #[error("{0}")]
    Encrypted(String),
    /// The passphrase given does not open the store.
    #[error("the passphrase does not open this store")]
    WrongPassphrase,
    /// The keyring beside an encrypted store (its data key's wraps) is missing or damaged.
    #[error("the store's keyring: {0}")]
    Keyring(String),
    /// The store's files themselves (renaming, syncing to disk).
    #[error("the store's files: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// The request's field the error is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            StoreError::InvalidField { field, .. } => Some(field),
            StoreError::Implausible(e) => Some(e.field()),
            StoreError::BadId(e) => Some(e.field()),
            StoreError::Ledger(e) => e.field(),
            _ => None,
        }
    }

    /// A stable code for scripts and the UI; never match the message.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Db(_) | StoreError::Value(_) => "STORE_DATABASE",
            StoreError::Register(_) => "REGISTER_INVALID",
            StoreError::Fhir(e) => e.code(),
            StoreError::UnknownBeneficiary(_) => "UNKNOWN_BENEFICIARY",
            StoreError::UnknownVillage(_) => "UNKNOWN_VILLAGE",
            StoreError::Invalid(_) | StoreError::InvalidField { .. } => "INVALID_INPUT",
            StoreError::Implausible(e) => e.code(),
            StoreError::BadId(e) => e.code(),
            StoreError::NotFound(_) => "NOT_FOUND",
            StoreError::ForbiddenRole(_) => "FORBIDDEN_ROLE",
            StoreError::Sites(e) => e.code(),
            StoreError::UnknownSite(_) => "UNKNOWN_SITE",
            StoreError::UnknownRound(_) => "UNKNOWN_ROUND",
            StoreError::RoundExists { .. } => "ROUND_EXISTS",
            StoreError::OutsideRound(_) => "OUTSIDE_ROUND",
            StoreError::SessionClosed(_) => "SESSION_CLOSED",
            StoreError::NoRefusal(_) => "NO_REFUSAL",
            StoreError::Care(e) => e.code(),
            StoreError::Ledger(e) => e.code(),
            StoreError::NewerSchema { .. } => "STORE_TOO_NEW",
            StoreError::Corrupt(_) | StoreError::Keyring(_) => "STORE_CORRUPT",
            StoreError::Encrypted(_) => "STORE_ENCRYPTED",
            StoreError::WrongPassphrase => "WRONG_PASSPHRASE",
            StoreError::Io(_) => "STORE_DATABASE",
        }
    }
}

impl From<InputError> for StoreError {
    fn from(e: InputError) -> StoreError {
        match e.field {
            Some(field) => StoreError::InvalidField { field, message: e.message },
            None => StoreError::Invalid(e.message),
        }
    }
}

impl From<CareError> for StoreError {
    fn from(e: CareError) -> StoreError {
        match e {
            CareError::Input(e) => e.into(),
            other => StoreError::Care(other),
        }
    }
}

impl From<CaseError> for StoreError {
    fn from(e: CaseError) -> StoreError {
        match e {
            CaseError::Input(e) => e.into(),
            CaseError::NoRefusal(_) => StoreError::NoRefusal(e.to_string()),
        }
    }
}

impl From<LedgerError> for StoreError {
    fn from(e: LedgerError) -> StoreError {
        match e {
            LedgerError::Input(e) => e.into(),
            other => StoreError::Ledger(other),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(crate) fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

/// Input refused, naming its field.
pub(crate) fn invalid_at(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::InvalidField { field: field.to_string(), message: message.into() }
}

pub(crate) fn not_found(message: impl Into<String>) -> StoreError {
    StoreError::NotFound(message.into())
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// Parses a stored text; a value the store cannot read is damage.
pub(crate) fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| corrupt(format!("{what} '{text}': {e}")))
}

pub(crate) fn opt_parse<T: std::str::FromStr>(text: Option<String>, what: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    text.map(|t| parse(&t, what)).transpose()
}
