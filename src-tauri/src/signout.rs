//! The one wipe every sign-out goes through: the sign-out button, the fifth
//! wrong PIN, a PIN locked at the backend, a refusal by the backend in the
//! middle of a session (`account.not_provisioned`, an invalid token), a
//! shared device's sign-out, and a new login while someone is signed in.

use crate::Shell;

/// Ends the person's presence on this device: the lock, the declarations
/// they viewed (`viewed-declarations/`), and the session (revoked at the
/// provider where it can be, then memory, keystore — refresh token,
/// offline PIN verifier, the sealed draft's key — and the store's personal
/// rows). Failures are logged; what can be wiped is wiped.
pub async fn wipe(shell: &Shell, why: &str) {
    shell.lock.end();
    crate::orders::forget_files(shell);
    if let Err(e) = shell.sessions.sign_out(&shell.store).await {
        tracing::error!(code = %e.code, why, "sign-out could not wipe everything");
    }
    tracing::info!(why, "signed out");
}
