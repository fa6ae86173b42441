//! Stable error codes shared by the backend (HTTP bodies), the shell (command
//! errors) and the UI (which maps each code to a message in its catalogue).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every error code a user can meet. The wire form (`as_str`) never changes
/// once released; the UI's message catalogue is keyed by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    #[serde(rename = "request.invalid")]
    RequestInvalid,
    #[serde(rename = "request.not_found")]
    NotFound,
    #[serde(rename = "request.method_not_allowed")]
    MethodNotAllowed,
    #[serde(rename = "internal")]
    Internal,
    /// Missing, malformed, expired or untrusted access token.
    #[serde(rename = "auth.invalid_token")]
    InvalidToken,
    /// Signed in, but this needs a role or setting the person lacks.
    #[serde(rename = "auth.forbidden")]
    Forbidden,
    /// This needs a KOMBIT login from the last few minutes (e.g. setting a
    /// locked PIN again without the current one).
    #[serde(rename = "auth.fresh_login_required")]
    FreshLoginRequired,
    /// The PIN does not meet the policy (digits, length, no 0000/1234).
    #[serde(rename = "pin.invalid")]
    PinInvalid,
    /// Wrong PIN; attempts are counted.
    #[serde(rename = "pin.wrong")]
    PinWrong,
    /// Too many wrong PINs: set a new one after a fresh KOMBIT login, or ask an administrator.
    #[serde(rename = "pin.locked")]
    PinLocked,
    /// No PIN has been set yet.
    #[serde(rename = "pin.not_set")]
    PinNotSet,
    /// Offline, and this device has no local PIN verifier yet: unlock needs the backend.
    #[serde(rename = "pin.offline_unavailable")]
    PinOfflineUnavailable,
    /// Too many requests from this device or person; the `Retry-After` header says when to try again.
    #[serde(rename = "request.throttled")]
    Throttled,
    /// The enrollment code is unknown, used or expired.
    #[serde(rename = "device.enrollment_invalid")]
    EnrollmentInvalid,
    /// The device credential is unknown or the device was revoked: enroll again.
    #[serde(rename = "device.not_enrolled")]
    DeviceNotEnrolled,
    /// User ID + PIN on a shared device did not match. Never says which.
    #[serde(rename = "shared.login_failed")]
    SharedLoginFailed,
    /// The person is not (or no longer) provisioned in the municipality's system.
    #[serde(rename = "account.not_provisioned")]
    NotProvisioned,
    /// The person cancelled the login (in the app or at the provider).
    #[serde(rename = "login.cancelled")]
    LoginCancelled,
    /// The redirect's `state` was not the one this login sent: possible CSRF.
    #[serde(rename = "login.state_mismatch")]
    LoginStateMismatch,
    /// The provider's tokens failed validation (signature, iss, aud, nonce, …).
    #[serde(rename = "login.invalid_token")]
    LoginInvalidToken,
    /// The device clock and the provider disagree by more than the allowed skew.
    #[serde(rename = "login.clock_skew")]
    LoginClockSkew,
    /// The provider could not be reached or answered outside the protocol.
    #[serde(rename = "login.provider_unreachable")]
    LoginProviderUnreachable,
    /// The provider refused the login (an OAuth error other than cancel).
    #[serde(rename = "login.provider_error")]
    LoginProviderError,
    /// Nobody finished the login in the browser in time.
    #[serde(rename = "login.timed_out")]
    LoginTimedOut,
    /// A command that needs a signed-in person was called without one.
    #[serde(rename = "session.none")]
    NoSession,
    /// The device is locked: only unlock and sign-out are allowed.
    #[serde(rename = "session.locked")]
    SessionLocked,
    /// The OS keystore could not be used.
    #[serde(rename = "keystore.failed")]
    KeystoreFailed,
    /// The app could not reach the backend at all (no answer, DNS, timeout).
    #[serde(rename = "network.unreachable")]
    NetworkUnreachable,
    /// The backend answered, but not with what the contract promises.
    #[serde(rename = "network.bad_response")]
    NetworkBadResponse,
    /// The app's local store could not be read or written.
    #[serde(rename = "store.failed")]
    StoreFailed,
    /// Not a CPR number: DDMMYY-SSSS with a real date of birth.
    #[serde(rename = "cpr.invalid")]
    CprInvalid,
    /// The CPR register has no person with this number.
    #[serde(rename = "cpr.not_found")]
    CprNotFound,
    /// The CPR register cannot be asked right now.
    #[serde(rename = "cpr.register_unavailable")]
    CprRegisterUnavailable,
    /// An access lasts at most 30 days from its start.
    #[serde(rename = "period.too_long")]
    PeriodTooLong,
    /// An access must end in the future.
    #[serde(rename = "period.in_past")]
    PeriodInPast,
    /// No free substitute user ID left in the municipality's inventory.
    #[serde(rename = "substitute_ids.exhausted")]
    SubstituteIdsExhausted,
    /// The substitute user ID is not reserved by this orderer (any more).
    #[serde(rename = "reservation.invalid")]
    ReservationInvalid,
    /// The Idempotency-Key was used before for a different request.
    #[serde(rename = "request.idempotency_mismatch")]
    IdempotencyMismatch,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::RequestInvalid,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Internal,
        ErrorCode::InvalidToken,
        ErrorCode::Forbidden,
        ErrorCode::FreshLoginRequired,
        ErrorCode::PinInvalid,
        ErrorCode::PinWrong,
        ErrorCode::PinLocked,
        ErrorCode::PinNotSet,
        ErrorCode::PinOfflineUnavailable,
        ErrorCode::Throttled,
        ErrorCode::EnrollmentInvalid,
        ErrorCode::DeviceNotEnrolled,
        ErrorCode::SharedLoginFailed,
        ErrorCode::NotProvisioned,
        ErrorCode::LoginCancelled,
        ErrorCode::LoginStateMismatch,
        ErrorCode::LoginInvalidToken,
        ErrorCode::LoginClockSkew,
        ErrorCode::LoginProviderUnreachable,
        ErrorCode::LoginProviderError,
        ErrorCode::LoginTimedOut,
        ErrorCode::NoSession,
        ErrorCode::SessionLocked,
        ErrorCode::KeystoreFailed,
        ErrorCode::NetworkUnreachable,
        ErrorCode::NetworkBadResponse,
        ErrorCode::StoreFailed,
        ErrorCode::CprInvalid,
        ErrorCode::CprNotFound,
        ErrorCode::CprRegisterUnavailable,
        ErrorCode::PeriodTooLong,
        ErrorCode::PeriodInPast,
        ErrorCode::SubstituteIdsExhausted,
        ErrorCode::ReservationInvalid,
        ErrorCode::IdempotencyMismatch,
    ];

    /// No answer, a broken answer, or "still busy": the same request may
    /// succeed if sent again (with the same idempotency key, where it has one).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::NetworkUnreachable | ErrorCode::NetworkBadResponse | ErrorCode::Throttled
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::RequestInvalid => "request.invalid",
            ErrorCode::NotFound => "request.not_found",
            ErrorCode::MethodNotAllowed => "request.method_not_allowed",
            ErrorCode::Internal => "internal",
            ErrorCode::InvalidToken => "auth.invalid_token",
            ErrorCode::Forbidden => "auth.forbidden",
            ErrorCode::FreshLoginRequired => "auth.fresh_login_required",
            ErrorCode::NotProvisioned => "account.not_provisioned",
            ErrorCode::Throttled => "request.throttled",
            ErrorCode::EnrollmentInvalid => "device.enrollment_invalid",
            ErrorCode::DeviceNotEnrolled => "device.not_enrolled",
            ErrorCode::SharedLoginFailed => "shared.login_failed",
            ErrorCode::PinInvalid => "pin.invalid",
            ErrorCode::PinWrong => "pin.wrong",
            ErrorCode::PinLocked => "pin.locked",
            ErrorCode::PinNotSet => "pin.not_set",
            ErrorCode::PinOfflineUnavailable => "pin.offline_unavailable",
            ErrorCode::LoginCancelled => "login.cancelled",
            ErrorCode::LoginStateMismatch => "login.state_mismatch",
            ErrorCode::LoginInvalidToken => "login.invalid_token",
            ErrorCode::LoginClockSkew => "login.clock_skew",
            ErrorCode::LoginProviderUnreachable => "login.provider_unreachable",
            ErrorCode::LoginProviderError => "login.provider_error",
            ErrorCode::LoginTimedOut => "login.timed_out",
            ErrorCode::NoSession => "session.none",
            ErrorCode::SessionLocked => "session.locked",
            ErrorCode::KeystoreFailed => "keystore.failed",
            ErrorCode::NetworkUnreachable => "network.unreachable",
            ErrorCode::NetworkBadResponse => "network.bad_response",
            ErrorCode::StoreFailed => "store.failed",
            ErrorCode::CprInvalid => "cpr.invalid",
            ErrorCode::CprNotFound => "cpr.not_found",
            ErrorCode::CprRegisterUnavailable => "cpr.register_unavailable",
            ErrorCode::PeriodTooLong => "period.too_long",
            ErrorCode::PeriodInPast => "period.in_past",
            ErrorCode::SubstituteIdsExhausted => "substitute_ids.exhausted",
            ErrorCode::ReservationInvalid => "reservation.invalid",
            ErrorCode::IdempotencyMismatch => "request.idempotency_mismatch",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one error shape on every wire: HTTP bodies and Tauri command errors.
/// `message` is for logs and developers; people see the UI's catalogue text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_no_answer_a_broken_one_or_busy_is_worth_sending_again() {
        let mut transient: Vec<&str> = ErrorCode::ALL
            .iter()
            .filter(|c| c.is_transient())
            .map(|c| c.as_str())
            .collect();
        transient.sort();
        assert_eq!(
            transient,
            [
                "network.bad_response",
                "network.unreachable",
                "request.throttled"
            ]
        );
    }

    #[test]
    fn wire_form_matches_as_str_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()), "{code:?}");
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn error_body_serializes_as_code_and_message() {
        let body = ErrorBody::new(ErrorCode::NetworkUnreachable, "connection refused");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"code": "network.unreachable", "message": "connection refused"})
        );
    }
}
