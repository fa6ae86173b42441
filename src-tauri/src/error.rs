//! The one error that crosses to the UI: `{"code","message"}` with a stable
//! code. The UI shows its own catalogue text for the code, never `message`.

use omsorg_core::ErrorCode;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A CPR number that is not one: `cpr.invalid` with the parser's reason.
impl From<omsorg_core::cpr::CprError> for CommandError {
    fn from(e: omsorg_core::cpr::CprError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

/// An access period the rules refuse: `period.too_long` / `period.in_past`.
impl From<omsorg_core::period::PeriodError> for CommandError {
    fn from(e: omsorg_core::period::PeriodError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<rusqlite::Error> for CommandError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "store error");
        CommandError::new(ErrorCode::StoreFailed, "local store failed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = CommandError::new(ErrorCode::NetworkUnreachable, "no route");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "network.unreachable", "message": "no route"})
        );
    }
}
