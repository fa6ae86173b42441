//! The one error type at the HTTP edge: renders `{"code","message"}` with the
//! right status. Internal causes are logged, never returned.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use omsorg_core::{ErrorBody, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{1}")]
    Client(ErrorCode, String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl ApiError {
    pub fn client(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Client(code, message.into())
    }
}

fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::RequestInvalid => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
        ErrorCode::NotProvisioned => StatusCode::FORBIDDEN,
        ErrorCode::NoSession => StatusCode::UNAUTHORIZED,
        // Codes the app raises itself; the backend never answers with them.
        ErrorCode::Internal
        | ErrorCode::LoginCancelled
        | ErrorCode::LoginStateMismatch
        | ErrorCode::LoginInvalidToken
        | ErrorCode::LoginClockSkew
        | ErrorCode::LoginProviderUnreachable
        | ErrorCode::LoginProviderError
        | ErrorCode::LoginTimedOut
        | ErrorCode::KeystoreFailed
        | ErrorCode::NetworkUnreachable
        | ErrorCode::NetworkBadResponse
        | ErrorCode::StoreFailed => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self {
            ApiError::Client(code, message) => ErrorBody::new(code, message),
            ApiError::Database(e) => {
                tracing::error!(error = %e, "database error");
                ErrorBody::new(ErrorCode::Internal, "internal error")
            }
        };
        (status_of(body.code), Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
