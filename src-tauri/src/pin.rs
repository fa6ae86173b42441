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
        let left = shell.store.lock_attempts_left()?.unwrap_or(MAX_ATTEMPTS);
        if left == 0 {
            // The last guess was counted and the app stopped before it was
            // answered: as if it had been wrong.
            tracing::info!("no attempts left after a restart: signing out");
            sign_out_fully(shell).await;
            return Ok(None);
        }
        if me.has_pin {
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
    // A wall screen's administration ends as a shared session does.
    if crate::device::admin_timed_out(shell, state) {
        return Some(LockState::SignedOut);
    }
    if shell.shared.admin_mode() {
        return state;
    }
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
    // One guess at a time, each seeing the count the one before it left.
    let _turn = shell.lock.one_guess_at_a_time().await;
    let attempts_left = match shell.lock.state() {
        None => return Err(CommandError::new(ErrorCode::NoSession, "not signed in")),
        Some(LockState::Locked { attempts_left }) => attempts_left,
        Some(other) => return Ok(other),
    };
    // A slip of the finger (empty, letters) is not a guess: not counted.
    if !(omsorg_core::pin::MIN_LEN..=omsorg_core::pin::MAX_LEN).contains(&pin.len())
        || !pin.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(CommandError::new(
            ErrorCode::RequestInvalid,
            "a PIN is 4 to 8 digits",
        ));
    }
    // Counted on disk before it is checked: quitting or crashing the app
    // mid-check cannot give the guess back.
    shell
        .store
        .set_lock_attempts_left(Some(attempts_left.saturating_sub(1)))?;
    let verdict = match verdict(shell, pin).await {
        Ok(v) => v,
        Err(e) => {
            // Not checked after all (no network and no verifier, a fault):
            // the guess is given back, unless the session is gone.
            if shell.lock.state().is_some() {
                shell.store.set_lock_attempts_left(Some(attempts_left))?;
            }
            return Err(e);
        }
    };
    answer(shell, verdict).await
}

/// What a checked guess does to the lock (its count is already on disk).
async fn answer(shell: &Shell, verdict: Verdict) -> Result<LockState, CommandError> {
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
                tracing::info!(attempts_left, "wrong PIN at the lock");
                Ok(LockState::Locked { attempts_left })
            }
            _ => {
                tracing::info!("fifth wrong PIN: signing out");
                blocked(shell).await?;
                Ok(LockState::SignedOut)
            }
        },
        Verdict::LockedAtBackend => {
            blocked(shell).await?;
            Ok(LockState::SignedOut)
        }
    }
}

/// Checks `pin` with the backend, or offline with the device's verifier
/// when the backend cannot be reached.
async fn verdict(shell: &Shell, pin: &str) -> Result<Verdict, CommandError> {
    match check_online(shell, pin).await {
        Ok(v) => Ok(v),
        Err(e) if e.code.is_offline() => {
            match offline_pin::check(shell.sessions.secrets(), &shell.store, pin).await? {
                Some(true) => Ok(Verdict::Right),
                Some(false) => Ok(Verdict::Wrong),
                None => Err(CommandError::new(
                    ErrorCode::PinOfflineUnavailable,
                    "offline, and no local verifier yet",
                )),
            }
        }
        Err(e) if e.code.is_refusal() => {
            sign_out_fully(shell).await;
            Err(e)
        }
        Err(e) => Err(e),
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

/// The PIN is blocked: signed out, and the next KOMBIT login must prove the
/// person now (a password, not the provider's session left on the device).
async fn blocked(shell: &Shell) -> Result<(), CommandError> {
    shell.store.set_fresh_login_needed(true)?;
    sign_out_fully(shell).await;
    Ok(())
}

/// Keystore, personal data and the lock: all gone; KOMBIT needed again.
async fn sign_out_fully(shell: &Shell) {
    crate::signout::wipe(shell, "PIN").await;
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::secrets::{MemoryStore, SecretStore};
    use crate::test_support::{shell_with_secrets, unreachable_url};

    /// A keystore that notes, at each read of the offline verifier's
    /// secret (the moment a guess is checked), what the disk says is left.
    #[derive(Default)]
    struct Witness {
        inner: MemoryStore,
        shell: std::sync::OnceLock<std::sync::Weak<Shell>>,
        seen: std::sync::Mutex<Vec<Option<u8>>>,
    }

    struct Witnessed(Arc<Witness>);

    impl SecretStore for Witnessed {
        fn get(&self, key: &str) -> Result<Option<String>, CommandError> {
            let shell = self.0.shell.get().and_then(std::sync::Weak::upgrade);
            if let Some(shell) = shell.filter(|_| key == "pin-device-secret") {
                let left = shell.store.lock_attempts_left().unwrap();
                self.0.seen.lock().unwrap().push(left);
            }
            self.0.inner.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), CommandError> {
            self.0.inner.set(key, value)
        }
        fn delete(&self, key: &str) -> Result<(), CommandError> {
            self.0.inner.delete(key)
        }
    }

    /// anna's shell with no backend in reach, her PIN 2580 known to the
    /// offline verifier, locked.
    async fn offline_and_locked(secrets: Box<dyn SecretStore>) -> (Arc<Shell>, tempfile::TempDir) {
        let (shell, files) = shell_with_secrets(&unreachable_url(), secrets).await;
        offline_pin::remember(shell.sessions.secrets(), &shell.store, "2580")
            .await
            .unwrap();
        shell.lock.lock_now();
        (Arc::new(shell), files)
    }

    #[tokio::test]
    async fn guesses_sent_at_once_take_turns_and_the_fifth_wrong_ends_it() {
        let (shell, _files) = offline_and_locked(Box::new(MemoryStore::default())).await;
        // Twenty guesses at once from the web view; the right PIN last.
        let mut guesses: Vec<String> = (1000..1019).map(|p| p.to_string()).collect();
        guesses.push("2580".into());
        let mut tasks = tokio::task::JoinSet::new();
        for pin in guesses {
            let shell = Arc::clone(&shell);
            tasks.spawn(async move { unlock(&shell, &pin).await });
        }
        let mut checked = 0;
        while let Some(answer) = tasks.join_next().await {
            match answer.unwrap() {
                Err(e) if e.code == ErrorCode::NoSession => {}
                Ok(LockState::Unlocked) => panic!("a guess unlocked the device"),
                other => {
                    checked += 1;
                    assert!(
                        matches!(other, Ok(LockState::Locked { .. } | LockState::SignedOut)),
                        "{other:?}"
                    );
                }
            }
        }
        assert_eq!(checked, 5, "PINs checked");
        assert_eq!(shell.lock.state(), None, "signed out");
        assert_eq!(shell.sessions.person().await.map(|_| ()).ok(), None);
        assert!(
            shell.store.fresh_login_needed().unwrap(),
            "the next KOMBIT login must prove the person now, not pass through"
        );
    }

    #[tokio::test]
    async fn a_guess_is_counted_on_disk_before_it_is_checked() {
        let witness = Arc::new(Witness::default());
        let secrets = Box::new(Witnessed(Arc::clone(&witness)));
        let (shell, _files) = offline_and_locked(secrets).await;
        witness.shell.set(Arc::downgrade(&shell)).unwrap();
        // Quitting or crashing the app while this check runs cannot give
        // the guess back: the disk already says so when it is checked.
        assert_eq!(
            unlock(&shell, "1111").await.unwrap(),
            LockState::Locked { attempts_left: 4 }
        );
        assert_eq!(
            *witness.seen.lock().unwrap(),
            [Some(4)],
            "left, as the disk said during the check"
        );
        assert_eq!(shell.store.lock_attempts_left().unwrap(), Some(4));
        // A slip is not a guess.
        assert_eq!(
            unlock(&shell, "12a4").await.unwrap_err().code,
            ErrorCode::RequestInvalid
        );
        assert_eq!(shell.store.lock_attempts_left().unwrap(), Some(4));
        assert_eq!(unlock(&shell, "2580").await.unwrap(), LockState::Unlocked);
        assert_eq!(shell.store.lock_attempts_left().unwrap(), None);
    }
}
