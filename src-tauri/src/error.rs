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
