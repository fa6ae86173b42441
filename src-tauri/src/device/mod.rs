//! Shared devices (SPEC C3): enrollment, user ID + PIN sessions, sign-out
//! (never a lock) and the wall screen's kiosk. The device credential lives in
//! the keystore; a shared session's token only in `Sessions`' memory; the
//! person on a shared device is never written to the store.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use omsorg_core::api::{DeviceInfo, DeviceMode, Me, Role, SharedLogin};
use omsorg_core::ErrorCode;

use crate::api_client::Auth;
use crate::error::CommandError;
use crate::Shell;

/// The keystore entry holding the device credential.
pub const CREDENTIAL_KEY: &str = "device-credential";

/// What the shell does to the window for a shared device.
pub trait Screen: Send + Sync {
    /// Kiosk on: fullscreen, undecorated, not closable. Off: a normal window.
    fn kiosk(&self, on: bool);
    /// Throws the web view's whole state away (after a shared sign-out).
    fn reset(&self);
}

/// For tests and for starts without a window.
pub struct NoScreen;

impl Screen for NoScreen {
    fn kiosk(&self, _on: bool) {}
    fn reset(&self) {}
}

/// The shared-device state that lives only in memory.
#[derive(Default)]
pub struct SharedState {
    /// A wall screen is in kiosk mode (closing the window is refused).
    kiosk: AtomicBool,
    /// An administrator proved themself with user ID + PIN on this device:
    /// kiosk suspended, un-enrolling allowed, until the time their check's
    /// session would have ended (and while used: the device lock counts
    /// their idleness as for a shared session). Gone at restart.
    admin_until: Mutex<Option<DateTime<Utc>>>,
}

impl SharedState {
    pub fn kiosk_active(&self) -> bool {
        self.kiosk.load(Ordering::SeqCst)
    }

    fn admin(&self) -> MutexGuard<'_, Option<DateTime<Utc>>> {
        self.admin_until.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn admin_mode(&self) -> bool {
        self.admin().is_some()
    }

    /// Whether the administration has run past its time.
    pub fn admin_expired(&self, now: DateTime<Utc>) -> bool {
        self.admin().is_some_and(|until| until <= now)
    }
}

fn credential(shell: &Shell) -> Result<Option<Auth>, CommandError> {
    Ok(shell
        .sessions
        .secrets()
        .get(CREDENTIAL_KEY)?
        .map(Auth::Device))
}

/// Kiosk exactly when a wall screen is not in an administrator's hands.
pub fn apply_kiosk(shell: &Shell, device: Option<&DeviceInfo>) {
    let on = device.is_some_and(|d| d.mode == DeviceMode::WallScreen) && !shell.shared.admin_mode();
    shell.shared.kiosk.store(on, Ordering::SeqCst);
    shell.screen.kiosk(on);
}

/// The device's enrollment, checked with the backend when it can be reached:
/// a revoked device forgets it and falls back to the enrollment screen.
pub async fn status(shell: &Shell) -> Result<Option<DeviceInfo>, CommandError> {
    // Not enrolled in the store: a personal device, and its first screen
    // does not wait for the keystore (a credential left without its row is
    // removed after start, `drop_orphaned_credential`).
    let Some(stored) = shell.store.device()? else {
        return Ok(None);
    };
    let Some(auth) = credential(shell)? else {
        forget(shell).await;
        return Ok(None);
    };
    match shell.api.current_device(&auth).await {
        Ok(info) => {
            shell.store.set_device(Some(&info))?;
            Ok(Some(info))
        }
        Err(e) if e.code == ErrorCode::DeviceNotEnrolled => {
            tracing::info!("the device was revoked: back to enrollment");
            forget(shell).await;
            Ok(None)
        }
        Err(e) if e.code.is_offline() => Ok(Some(stored)),
        Err(e) => Err(e),
    }
}

/// A device credential whose enrollment the store no longer has (the app
/// stopped between the two writes of an enrollment) is deleted: the device
/// is not enrolled, and the credential would only wait in the keystore.
pub fn drop_orphaned_credential(shell: &Shell) -> Result<bool, CommandError> {
    if enrolled(shell)? || credential(shell)?.is_none() {
        return Ok(false);
    }
    tracing::info!("a device credential without its enrollment: deleted");
    shell.sessions.secrets().delete(CREDENTIAL_KEY)?;
    Ok(true)
}

/// Whether this device is enrolled (locally; no network).
pub fn enrolled(shell: &Shell) -> Result<bool, CommandError> {
    Ok(shell.store.device()?.is_some())
}

/// Trades an administrator's one-time code for this device's credential.
/// Only when nobody is signed in: enrolling turns the device into a shared
/// one, and nothing personal may stay on it.
pub async fn enroll(shell: &Shell, code: &str) -> Result<DeviceInfo, CommandError> {
    if shell.lock.state().is_some() {
        return Err(CommandError::new(
            ErrorCode::Forbidden,
            "sign out before enrolling the device",
        ));
    }
    if enrolled(shell)? {
        return Err(CommandError::new(
            ErrorCode::Forbidden,
            "the device is already enrolled",
        ));
    }
    let code = omsorg_core::enrollment::normalize(code).ok_or_else(|| {
        CommandError::new(
            ErrorCode::EnrollmentInvalid,
            "an enrollment code is eight letters and digits",
        )
    })?;
    let enrolled = shell.api.enroll(&code).await?;
    // A personal session left in the keystore would outlive the change of mode.
    shell.sessions.sign_out(&shell.store).await?;
    shell
        .sessions
        .secrets()
        .set(CREDENTIAL_KEY, &enrolled.credential)?;
    shell.store.set_device(Some(&enrolled.device))?;
    tracing::info!(device = %enrolled.device.device_id, "enrolled as a shared device");
    apply_kiosk(shell, Some(&enrolled.device));
    Ok(enrolled.device)
}

/// The checks made before anything is sent: a slip is not a guess.
fn parse_login(user_id: &str, pin: &str) -> Result<SharedLogin, CommandError> {
    let user_id = user_id.trim();
    if user_id.is_empty() || user_id.chars().count() > 64 || user_id.chars().any(char::is_control) {
        return Err(CommandError::new(
            ErrorCode::RequestInvalid,
            "type your user ID",
        ));
    }
    if !(omsorg_core::pin::MIN_LEN..=omsorg_core::pin::MAX_LEN).contains(&pin.len())
        || !pin.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(CommandError::new(
            ErrorCode::RequestInvalid,
            "a PIN is 4 to 8 digits",
        ));
    }
    Ok(SharedLogin {
        user_id: user_id.to_string(),
        pin: pin.to_string(),
    })
}

/// User ID + PIN against the backend, with the device credential.
async fn open_session(
    shell: &Shell,
    user_id: &str,
    pin: &str,
) -> Result<omsorg_core::api::SharedSession, CommandError> {
    let body = parse_login(user_id, pin)?;
    let auth = credential(shell)?.ok_or_else(|| {
        CommandError::new(ErrorCode::DeviceNotEnrolled, "this device is not enrolled")
    })?;
    match shell.api.shared_login(&auth, &body).await {
        Ok(s) => Ok(s),
        Err(e) if e.code == ErrorCode::DeviceNotEnrolled => {
            forget(shell).await;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Someone starts working on the shared device.
pub async fn login(shell: &Shell, user_id: &str, pin: &str) -> Result<Me, CommandError> {
    if shell.lock.state().is_some() {
        // The previous person first: never two people's data at once.
        sign_out(shell, "a new login").await;
    }
    let session = open_session(shell, user_id, pin).await?;
    let me = session.me.clone();
    shell.sessions.begin_shared(session).await;
    shell.lock.begin_unlocked_for(shell.shared_idle);
    tracing::info!("shared session started");
    Ok(me)
}

/// Best effort within 5 s: leaving must not wait on an absent backend (the
/// session also ends there on its own).
async fn end_at_backend(shell: &Shell, session: &Auth) {
    let _ = tokio::time::timeout(Duration::from_secs(5), shell.api.shared_logout(session)).await;
}

/// Ends the shared session here and at the backend (best effort, 5 s), drops
/// everything of the person, and resets the web view so nothing of them
/// survives in the UI either.
pub async fn sign_out(shell: &Shell, why: &str) {
    let session = shell.sessions.shared().await;
    if let Some((auth, _)) = session {
        end_at_backend(shell, &auth).await;
    }
    crate::signout::wipe(shell, why).await;
    close_admin(shell);
    shell.screen.reset();
}

/// An administrator's user ID + PIN opens the device's administration:
/// the kiosk is suspended until `leave_admin`. The session opened to check
/// the PIN is ended at once; nobody stays signed in.
pub async fn enter_admin(shell: &Shell, user_id: &str, pin: &str) -> Result<(), CommandError> {
    if shell.lock.state().is_some() {
        sign_out(shell, "administration").await;
    }
    let session = open_session(shell, user_id, pin).await?;
    let is_admin = session.me.roles.contains(&Role::Administrator);
    let auth = Auth::Shared(session.token);
    end_at_backend(shell, &auth).await;
    if !is_admin {
        return Err(CommandError::new(
            ErrorCode::Forbidden,
            "only an administrator can do this",
        ));
    }
    *shell.shared.admin() = Some(session.expires_at);
    // Idle for as long as a shared session may be, it closes by itself.
    shell.lock.begin_unlocked_for(shell.shared_idle);
    apply_kiosk(shell, shell.store.device()?.as_ref());
    tracing::info!("device administration opened");
    Ok(())
}

/// The administration ends (left, idle, past its time, or a sign-out):
/// the kiosk is back.
fn close_admin(shell: &Shell) {
    if shell.shared.admin().take().is_some() {
        shell.lock.end();
        let device = shell.store.device().ok().flatten();
        apply_kiosk(shell, device.as_ref());
        tracing::info!("device administration closed");
    }
}

pub fn leave_admin(shell: &Shell) -> Result<(), CommandError> {
    close_admin(shell);
    Ok(())
}

/// The administration left idle or past its time closes (as a shared
/// session signs out); `true` when it did.
pub fn admin_timed_out(shell: &Shell, state: Option<omsorg_core::lock::LockState>) -> bool {
    use omsorg_core::lock::LockState;
    if !shell.shared.admin_mode() {
        return false;
    }
    let idle = !matches!(state, Some(LockState::Unlocked));
    if idle || shell.shared.admin_expired(Utc::now()) {
        tracing::info!(idle, "device administration timed out");
        close_admin(shell);
        return true;
    }
    false
}

/// "Afmeld enheden": only from the administration; the backend ends the
/// credential, then the device forgets it and is a personal device again.
pub async fn unenroll(shell: &Shell) -> Result<(), CommandError> {
    if !shell.shared.admin_mode() {
        return Err(CommandError::new(
            ErrorCode::Forbidden,
            "an administrator's PIN is needed",
        ));
    }
    if let Some(auth) = credential(shell)? {
        match shell.api.unenroll(&auth).await {
            Ok(()) => {}
            Err(e) if e.code == ErrorCode::DeviceNotEnrolled => {}
            Err(e) => return Err(e),
        }
    }
    forget(shell).await;
    Ok(())
}

/// The device is no longer shared: credential, enrollment and any session go.
async fn forget(shell: &Shell) {
    if shell.sessions.shared().await.is_some() {
        sign_out(shell, "device no longer enrolled").await;
    }
    if let Err(e) = shell.sessions.secrets().delete(CREDENTIAL_KEY) {
        tracing::error!(code = %e.code, "could not delete the device credential");
    }
    if let Err(e) = shell.store.set_device(None) {
        tracing::error!(error = %e, "could not forget the enrollment");
    }
    close_admin(shell);
    apply_kiosk(shell, None);
}

#[cfg(test)]
mod tests;
