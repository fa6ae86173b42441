//! Stable error codes shared by the backend (HTTP bodies), the shell (command
//! errors) and the UI (which maps each code to a message in its catalogue).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares the codes once: each variant with its wire form, from which the
/// serde names, `as_str` and `ALL` are all made.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $wire:literal, )*) => {
        /// Every error code a user can meet. The wire form (`as_str`) never
        /// changes once released; the UI's message catalogue is keyed by it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The wire form, as in JSON bodies and command errors.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)*
                }
            }
        }
    };
}

error_codes! {
    RequestInvalid = "request.invalid",
    NotFound = "request.not_found",
    MethodNotAllowed = "request.method_not_allowed",
    Internal = "internal",
    /// Missing, malformed, expired or untrusted access token.
    InvalidToken = "auth.invalid_token",
    /// The identity provider's signing keys cannot be fetched right now: try
    /// again; the person stays signed in.
    IdentityUnavailable = "auth.provider_unavailable",
    /// Signed in, but this needs a role or setting the person lacks.
    Forbidden = "auth.forbidden",
    /// This needs a KOMBIT login from the last few minutes (e.g. setting a
    /// locked PIN again without the current one).
    FreshLoginRequired = "auth.fresh_login_required",
    /// The PIN does not meet the policy (digits, length, no 0000/1234).
    PinInvalid = "pin.invalid",
    /// Wrong PIN; attempts are counted.
    PinWrong = "pin.wrong",
    /// Too many wrong PINs: set a new one after a fresh KOMBIT login, or ask an administrator.
    PinLocked = "pin.locked",
    /// No PIN has been set yet.
    PinNotSet = "pin.not_set",
    /// Offline, and this device has no local PIN verifier yet: unlock needs the backend.
    PinOfflineUnavailable = "pin.offline_unavailable",
    /// Too many requests from this device or person; the `Retry-After` header says when to try again.
    Throttled = "request.throttled",
    /// The enrollment code is unknown, used or expired.
    EnrollmentInvalid = "device.enrollment_invalid",
    /// The device credential is unknown or the device was revoked: enroll again.
    DeviceNotEnrolled = "device.not_enrolled",
    /// User ID + PIN on a shared device did not match. Never says which.
    SharedLoginFailed = "shared.login_failed",
    /// The person is not (or no longer) provisioned in the municipality's system.
    NotProvisioned = "account.not_provisioned",
    /// The token's privilege list (KOMBIT's `privileges_intermediate`) is
    /// malformed, oversized or carries a DTD: nothing in it is trusted.
    PrivilegesInvalid = "auth.privileges_invalid",
    /// The login's NSIS level is below "Betydelig" (Substantial), which CPR
    /// numbers and ordering need; the rest of the app may be used.
    AssuranceTooLow = "auth.assurance_too_low",
    /// The person cancelled the login (in the app or at the provider).
    LoginCancelled = "login.cancelled",
    /// The redirect's `state` was not the one this login sent: possible CSRF.
    LoginStateMismatch = "login.state_mismatch",
    /// The provider's tokens failed validation (signature, iss, aud, nonce, …).
    LoginInvalidToken = "login.invalid_token",
    /// The device clock and the provider disagree by more than the allowed skew.
    LoginClockSkew = "login.clock_skew",
    /// The provider could not be reached or answered outside the protocol.
    LoginProviderUnreachable = "login.provider_unreachable",
    /// The provider refused the login (an OAuth error other than cancel).
    LoginProviderError = "login.provider_error",
    /// Nobody finished the login in the browser in time.
    LoginTimedOut = "login.timed_out",
    /// A command that needs a signed-in person was called without one.
    NoSession = "session.none",
    /// The device is locked: only unlock and sign-out are allowed.
    SessionLocked = "session.locked",
    /// The OS keystore could not be used.
    KeystoreFailed = "keystore.failed",
    /// The app could not reach the backend at all (no answer, DNS, timeout).
    NetworkUnreachable = "network.unreachable",
    /// The backend answered, but not with what the contract promises.
    NetworkBadResponse = "network.bad_response",
    /// The app's local store could not be read or written.
    StoreFailed = "store.failed",
    /// Not a CPR number: DDMMYY-SSSS with a real date of birth.
    CprInvalid = "cpr.invalid",
    /// The CPR register has no person with this number.
    CprNotFound = "cpr.not_found",
    /// The CPR register cannot be asked right now.
    CprRegisterUnavailable = "cpr.register_unavailable",
    /// This person has looked up many CPR numbers in a short time: wait
    /// (`Retry-After`) before the next.
    CprLookupsThrottled = "cpr.too_many_lookups",
    /// The signature image declares a size beyond what a signature pad
    /// makes; it is refused before it is decoded.
    SignatureTooLarge = "signature.too_large",
    /// An access lasts at most 30 days from its start.
    PeriodTooLong = "period.too_long",
    /// An access must end in the future.
    PeriodInPast = "period.in_past",
    /// No free substitute user ID left in the municipality's inventory.
    SubstituteIdsExhausted = "substitute_ids.exhausted",
    /// The substitute user ID is not reserved by this orderer (any more).
    ReservationInvalid = "reservation.invalid",
    /// The Idempotency-Key was used before for a different request.
    IdempotencyMismatch = "request.idempotency_mismatch",
    /// The substitute already has a live access in the municipality: extend
    /// that one instead of ordering a second.
    SubstituteAlreadyActive = "substitute.already_active",
    /// The care record needs its own login ("Log ind i Nexus"): none yet,
    /// or it ran out (90 minutes).
    CareLoginRequired = "care.login_required",
    /// The care record does not answer (or not as FHIR): try again.
    CareRecordUnavailable = "care.unavailable",
    /// The municipality or unit has no care record set up.
    CareRecordNotConfigured = "care.not_configured",
    /// A measurement that is not plausible (or not a number): nothing was sent.
    MeasurementInvalid = "measurement.invalid",
}

impl ErrorCode {
    /// No answer, a broken answer, or "still busy": the same request may
    /// succeed if sent again (with the same idempotency key, where it has one).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::NetworkUnreachable | ErrorCode::NetworkBadResponse | ErrorCode::Throttled
        )
    }

    /// The backend's "this person may not" (token refused, removed
    /// centrally): the shell signs them out at once.
    pub fn is_refusal(self) -> bool {
        matches!(
            self,
            ErrorCode::InvalidToken | ErrorCode::NotProvisioned | ErrorCode::PrivilegesInvalid
        )
    }

    /// Neither the provider nor the backend could be reached: the shell
    /// works offline where it can (the PIN's local check, cached lists).
    pub fn is_offline(self) -> bool {
        matches!(
            self,
            ErrorCode::NetworkUnreachable
                | ErrorCode::NetworkBadResponse
                | ErrorCode::LoginProviderUnreachable
        )
    }

    /// The person is no longer there for this page (locked, signed out, or
    /// refused): the app, not the page, handles it.
    pub fn ends_session(self) -> bool {
        self.is_refusal() || matches!(self, ErrorCode::SessionLocked | ErrorCode::NoSession)
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
    fn the_classes_are_exactly_these() {
        let class = |f: fn(ErrorCode) -> bool| {
            let mut v: Vec<&str> = ErrorCode::ALL
                .iter()
                .filter(|c| f(**c))
                .map(|c| c.as_str())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            class(ErrorCode::is_refusal),
            [
                "account.not_provisioned",
                "auth.invalid_token",
                "auth.privileges_invalid"
            ]
        );
        assert_eq!(
            class(ErrorCode::is_offline),
            [
                "login.provider_unreachable",
                "network.bad_response",
                "network.unreachable"
            ]
        );
        assert_eq!(
            class(ErrorCode::ends_session),
            [
                "account.not_provisioned",
                "auth.invalid_token",
                "auth.privileges_invalid",
                "session.locked",
                "session.none"
            ]
        );
        let mut wire: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        wire.sort();
        wire.dedup();
        assert_eq!(wire.len(), ErrorCode::ALL.len(), "a wire form used twice");
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
