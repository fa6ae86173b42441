//! The PIN on a personal device (SPEC C2): the lock at start, unlock online
//! with an offline fallback, five wrong ending the session, and setting or
//! changing the PIN. The decisions are made here, never in the web view.

use omsorg_core::api::{Me, SetPin};
use omsorg_core::lock::{LockState, MAX_ATTEMPTS};
use omsorg_core::pin::Pin;
use omsorg_core::ErrorCode;

use crate::error::CommandError;
use crate::offline_pin;
use crate::Shell;

enum Verdict {
    Right,
    Wrong,
    /// The backend has locked the PIN (five wrong, perhaps on another device).
    LockedAtBackend,
}

/// After a restart: the stored session, locked when the person has a PIN.
pub async fn restore(shell: &Shell) -> Result<Option<LockState>, CommandError> {
    let Some(me) = shell.sessions.restore(&shell.api, &shell.store).await? else {
        shell.lock.end();
        return Ok(None);
    };
    if shell.lock.state().is_none() {
        if me.pin_locked {
            sign_out_fully(shell).await;
            return Err(CommandError::new(
                ErrorCode::PinLocked,
                "the PIN is locked: log in with KOMBIT again",
            ));
        }
        if me.has_pin {
            let left = shell.store.lock_attempts_left()?.unwrap_or(MAX_ATTEMPTS);
            shell.lock.begin_locked(left);
        } else {
            // Nothing to lock with yet: the UI must make them set a PIN first.
            shell.lock.begin_unlocked();
        }
    }
    Ok(shell.lock.state())
}

/// The lock's state as the UI may see it. A person without a usable PIN
/// (none yet, or blocked) cannot unlock: when the timeout passes they are
/// signed out instead (KOMBIT again), never left in front of a lock screen.
pub async fn observe(shell: &Shell, state: Option<LockState>) -> Option<LockState> {
    // A shared device never locks: idle or expired means signed out.
    if let Some((_, until)) = shell.sessions.shared().await {
        let idle = !matches!(state, None | Some(LockState::Unlocked));
        if idle || until <= chrono::Utc::now() {
            let why = if idle {
                "inactivity"
            } else {
                "session expired"
            };
            crate::device::sign_out(shell, why).await;
            return Some(LockState::SignedOut);
        }
        return state;
    }
    if let Some(LockState::Locked { .. }) = state {
        let usable = shell
            .sessions
            .person()
            .await
            .is_ok_and(|me| me.has_pin && !me.pin_locked);
        if !usable {
            tracing::info!("idle without a PIN to unlock with: signing out");
            sign_out_fully(shell).await;
            return Some(LockState::SignedOut);
        }
    }
    state
}

pub async fn unlock(shell: &Shell, pin: &str) -> Result<LockState, CommandError> {
    match shell.lock.state() {
        None => return Err(CommandError::new(ErrorCode::NoSession, "not signed in")),
        Some(LockState::Locked { .. }) => {}
        Some(other) => return Ok(other),
    }
    // A slip of the finger (empty, letters) is not a guess: not counted.
    if !(omsorg_core::pin::MIN_LEN..=omsorg_core::pin::MAX_LEN).contains(&pin.len())
        || !pin.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(CommandError::new(
            ErrorCode::RequestInvalid,
            "a PIN is 4 to 8 digits",
        ));
    }
    let verdict = match check_online(shell, pin).await {
        Ok(v) => v,
        Err(e) if e.code.is_offline() => {
            match offline_pin::check(shell.sessions.secrets(), &shell.store, pin).await? {
                Some(true) => Verdict::Right,
                Some(false) => Verdict::Wrong,
                None => {
                    return Err(CommandError::new(
                        ErrorCode::PinOfflineUnavailable,
                        "offline, and no local verifier yet",
                    ))
                }
            }
        }
        Err(e) if e.code.is_refusal() => {
            sign_out_fully(shell).await;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    match verdict {
        Verdict::Right => {
            shell.store.set_lock_attempts_left(None)?;
            Ok(shell
                .lock
                .unlock_succeeded()
                .unwrap_or(LockState::SignedOut))
        }
        Verdict::Wrong => match shell.lock.unlock_failed() {
            Some(LockState::Locked { attempts_left }) => {
                shell.store.set_lock_attempts_left(Some(attempts_left))?;
                tracing::info!(attempts_left, "wrong PIN at the lock");
                Ok(LockState::Locked { attempts_left })
            }
            _ => {
                tracing::info!("fifth wrong PIN: signing out");
                sign_out_fully(shell).await;
                Ok(LockState::SignedOut)
            }
        },
        Verdict::LockedAtBackend => {
            sign_out_fully(shell).await;
            Ok(LockState::SignedOut)
        }
    }
}

async fn check_online(shell: &Shell, pin: &str) -> Result<Verdict, CommandError> {
    let token = shell.sessions.access_token(&shell.store).await?;
    match shell.api.verify_pin(&token, pin).await {
        Ok(()) => {
            remember(shell, pin).await;
            Ok(Verdict::Right)
        }
        Err(e) if e.code == ErrorCode::PinWrong => Ok(Verdict::Wrong),
        Err(e) if e.code == ErrorCode::PinLocked => Ok(Verdict::LockedAtBackend),
        Err(e) => Err(e),
    }
}

/// Renews the offline verifier; a failure only costs offline unlock.
async fn remember(shell: &Shell, pin: &str) {
    if let Err(e) = offline_pin::remember(shell.sessions.secrets(), &shell.store, pin).await {
        tracing::warn!(code = %e.code, "could not renew the offline PIN verifier");
    }
}

pub async fn set(
    shell: &Shell,
    pin: &str,
    current_pin: Option<String>,
) -> Result<Me, CommandError> {
    let before = shell.sessions.person().await?;
    let pin = Pin::parse_with_min(pin, before.pin_min_len.into())
        .map_err(|e| CommandError::new(e.code(), e.to_string()))?;
    let token = shell.sessions.access_token(&shell.store).await?;
    let body = SetPin {
        pin: pin.expose().to_string(),
        current_pin,
    };
    if let Err(e) = shell.api.set_pin(&token, &body).await {
        if e.code.is_refusal() {
            sign_out_fully(shell).await;
        }
        return Err(e);
    }
    let me = match shell.api.me(&token).await {
        Ok(me) => me,
        // Set is set; the rest of the picture follows on the next call.
        Err(_) => Me {
            has_pin: true,
            pin_locked: false,
            ..before
        },
    };
    shell.sessions.set_person(&shell.store, me.clone()).await?;
    shell.store.set_lock_attempts_left(None)?;
    remember(shell, pin.expose()).await;
    Ok(me)
}

/// Keystore, personal data and the lock: all gone; KOMBIT needed again.
async fn sign_out_fully(shell: &Shell) {
    shell.lock.end();
    crate::orders::forget_files(shell);
    if let Err(e) = shell.sessions.sign_out(&shell.store).await {
        tracing::error!(code = %e.code, "sign-out could not wipe everything");
    }
}
