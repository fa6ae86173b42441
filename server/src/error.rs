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
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// 429 `request.throttled` with `Retry-After` (seconds).
    #[error("throttled for {0} s")]
    Throttled(u64),
    /// 429 `cpr.too_many_lookups` with `Retry-After` (seconds).
    #[error("CPR lookups throttled for {0} s")]
    TooManyLookups(u64),
}

/// A 429 that says when to come back.
fn retry_after(body: ErrorBody, secs: u64) -> Response {
    let mut res = (status_of(body.code), Json(body)).into_response();
    res.headers_mut()
        .insert(axum::http::header::RETRY_AFTER, secs.max(1).into());
    res
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
        ErrorCode::Throttled | ErrorCode::CprLookupsThrottled => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::EnrollmentInvalid => StatusCode::BAD_REQUEST,
        ErrorCode::DeviceNotEnrolled | ErrorCode::SharedLoginFailed => StatusCode::UNAUTHORIZED,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::InvalidToken | ErrorCode::PrivilegesInvalid => StatusCode::UNAUTHORIZED,
        ErrorCode::NotProvisioned
        | ErrorCode::AssuranceTooLow
        | ErrorCode::Forbidden
        | ErrorCode::FreshLoginRequired
        | ErrorCode::PinWrong
        | ErrorCode::PinLocked => StatusCode::FORBIDDEN,
        ErrorCode::PinInvalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::CprInvalid => StatusCode::BAD_REQUEST,
        ErrorCode::CprNotFound => StatusCode::NOT_FOUND,
        ErrorCode::CprRegisterUnavailable | ErrorCode::IdentityUnavailable => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        ErrorCode::PeriodTooLong | ErrorCode::PeriodInPast | ErrorCode::SignatureTooLarge => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorCode::PinNotSet
        | ErrorCode::SubstituteIdsExhausted
        | ErrorCode::ReservationInvalid
        | ErrorCode::IdempotencyMismatch
        | ErrorCode::SubstituteAlreadyActive => StatusCode::CONFLICT,
        ErrorCode::NoSession => StatusCode::UNAUTHORIZED,
        ErrorCode::CareRecordNotConfigured => StatusCode::NOT_FOUND,
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
        | ErrorCode::SessionLocked
        | ErrorCode::PinOfflineUnavailable
        | ErrorCode::CareLoginRequired
        | ErrorCode::CareRecordUnavailable
        | ErrorCode::MeasurementInvalid
        | ErrorCode::NetworkUnreachable
        | ErrorCode::NetworkBadResponse
        | ErrorCode::StoreFailed => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self {
            ApiError::Throttled(secs) => {
                let body =
                    ErrorBody::new(ErrorCode::Throttled, "too many attempts; try again later");
                return retry_after(body, secs);
            }
            ApiError::TooManyLookups(secs) => {
                let message = "too many CPR lookups in a short time; try again later";
                return retry_after(
                    ErrorBody::new(ErrorCode::CprLookupsThrottled, message),
                    secs,
                );
            }
            ApiError::Client(code, message) => ErrorBody::new(code, message),
            ApiError::Database(e) => {
                tracing::error!(error = %e, "database error");

                ErrorBody::new(ErrorCode::Internal, "internal error")
            }
            ApiError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                ErrorBody::new(ErrorCode::Internal, "internal error")
            }
        };
        (status_of(body.code), Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `Json<T>` whose rejections (bad JSON, wrong shape, wrong content type) are
/// our `request.invalid` error instead of axum's plain-text answer.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError::client(
                ErrorCode::RequestInvalid,
                rejection.body_text(),
            )),
        }
    }
}

/// A CPR number that is not one: `cpr.invalid` with the parser's reason.
impl From<omsorg_core::cpr::CprError> for ApiError {
    fn from(e: omsorg_core::cpr::CprError) -> Self {
        ApiError::client(e.code(), e.to_string())
    }
}

/// An access period the rules refuse: `period.too_long` / `period.in_past`.
impl From<omsorg_core::period::PeriodError> for ApiError {
    fn from(e: omsorg_core::period::PeriodError) -> Self {
        ApiError::client(e.code(), e.to_string())
    }
}
