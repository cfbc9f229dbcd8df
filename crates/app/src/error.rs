//! The app's errors: one vocabulary of codes ([`AppCode`]) for everything the UI may receive,
//! from the app itself, the store, sync and the server, each with an English message for logs and
//! support. The UI translates the code and never shows the message.

use serde::Serialize;
use teeka_store::StoreError;

/// Every code the UI may receive (`docs/app-api.md`, "Error codes"). The store's codes keep
/// their names: the CLI prints the same codes for the same failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AppCode {
    Locked,
    WrongPin,
    PinWait,
    InvalidInput,
    NotFound,
    UnknownBeneficiary,
    UnknownVillage,
    RegisterInvalid,
    SessionClosed,
    NotEnrolled,
    Network,
    Unauthorized,
    CodeInvalid,
    Server,
    UpdateApp,
    Internal,
    StoreDatabase,
    StoreCorrupt,
    StoreTooNew,
}

impl AppCode {
    /// Every code, in the order of the contract's table.
    pub const ALL: [AppCode; 19] = [
        AppCode::Locked,
        AppCode::WrongPin,
        AppCode::PinWait,
        AppCode::InvalidInput,
        AppCode::NotFound,
        AppCode::UnknownBeneficiary,
        AppCode::UnknownVillage,
        AppCode::RegisterInvalid,
        AppCode::SessionClosed,
        AppCode::NotEnrolled,
        AppCode::Network,
        AppCode::Unauthorized,
        AppCode::CodeInvalid,
        AppCode::Server,
        AppCode::UpdateApp,
        AppCode::Internal,
        AppCode::StoreDatabase,
        AppCode::StoreCorrupt,
        AppCode::StoreTooNew,
    ];

    /// The code's text, as it crosses to the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            AppCode::Locked => "LOCKED",
            AppCode::WrongPin => "WRONG_PIN",
            AppCode::PinWait => "PIN_WAIT",
            AppCode::InvalidInput => "INVALID_INPUT",
            AppCode::NotFound => "NOT_FOUND",
            AppCode::UnknownBeneficiary => "UNKNOWN_BENEFICIARY",
            AppCode::UnknownVillage => "UNKNOWN_VILLAGE",
            AppCode::RegisterInvalid => "REGISTER_INVALID",
            AppCode::SessionClosed => "SESSION_CLOSED",
            AppCode::NotEnrolled => "NOT_ENROLLED",
            AppCode::Network => "NETWORK",
            AppCode::Unauthorized => "UNAUTHORIZED",
            AppCode::CodeInvalid => "CODE_INVALID",
            AppCode::Server => "SERVER",
            AppCode::UpdateApp => "UPDATE_APP",
            AppCode::Internal => "INTERNAL",
            AppCode::StoreDatabase => "STORE_DATABASE",
            AppCode::StoreCorrupt => "STORE_CORRUPT",
            AppCode::StoreTooNew => "STORE_TOO_NEW",
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
            StoreError::UnknownBeneficiary(_) => AppCode::UnknownBeneficiary,
            StoreError::UnknownVillage(_) => AppCode::UnknownVillage,
            StoreError::Invalid(_) => AppCode::InvalidInput,
            StoreError::NotFound(_) => AppCode::NotFound,
            StoreError::SessionClosed(_) => AppCode::SessionClosed,
            StoreError::NewerSchema { .. } => AppCode::StoreTooNew,
            StoreError::Corrupt(_) => AppCode::StoreCorrupt,
        }
    }
}

/// An error as the UI receives it: a stable `code` and an English `message` that says what and
/// where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: AppCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: AppCode, message: impl Into<String>) -> AppError {
        AppError { code, message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::new(AppCode::InvalidInput, message)
    }

    pub(crate) fn locked() -> AppError {
        AppError::new(AppCode::Locked, "no worker is signed in: sign in with your PIN")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::new(AppCode::from(&e), e.to_string())
    }
}

impl From<teeka_domain::InputError> for AppError {
    fn from(e: teeka_domain::InputError) -> AppError {
        AppError::invalid(e.message)
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
    }

    #[test]
    fn every_code_serializes_as_its_text() {
        for code in AppCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap_or_default(), code.as_str());
        }
    }
}
