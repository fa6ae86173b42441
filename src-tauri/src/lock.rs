//! The inactivity lock of a personal device, enforced here in the shell: the
//! core's state machine driven by two real clocks. `Instant` may stop while
//! the machine sleeps; the wall clock does not, so a device that wakes after
//! the timeout is locked even if the monotonic clock missed the sleep.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use omsorg_core::lock::{InactivityLock, LockState, Now};
use omsorg_core::ErrorCode;

use crate::error::CommandError;

pub struct DeviceLock {
    timeout_ms: u64,
    base: Instant,
    /// `None` while nobody is signed in.
    inner: Mutex<Option<InactivityLock>>,
}

impl DeviceLock {
    pub fn new(timeout: Duration) -> DeviceLock {
        DeviceLock {
            // The config refuses 0; at least 1 ms keeps the core's invariant.
            timeout_ms: u64::try_from(timeout.as_millis())
                .unwrap_or(u64::MAX)
                .max(1),
            base: Instant::now(),
            inner: Mutex::new(None),
        }
    }

    fn now(&self) -> Now {
        Now {
            mono_ms: u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX),
            wall_ms: chrono::Utc::now().timestamp_millis(),
        }
    }

    fn inner(&self) -> MutexGuard<'_, Option<InactivityLock>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// After a KOMBIT login: open, counting from now.
    pub fn begin_unlocked(&self) {
        *self.inner() = InactivityLock::new(self.timeout_ms, self.now()).ok();
    }

    /// A shared device's session: the same clock, its own timeout (on a
    /// shared device it ends in a sign-out, never a lock screen).
    pub fn begin_unlocked_for(&self, timeout: Duration) {
        let ms = u64::try_from(timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        *self.inner() = InactivityLock::new(ms, self.now()).ok();
    }

    /// After a restart with a stored session: closed, with the attempts left
    /// that were kept on disk.
    pub fn begin_locked(&self, attempts_left: u8) {
        *self.inner() = InactivityLock::locked(self.timeout_ms, self.now(), attempts_left).ok();
    }

    /// Signed out: there is nothing to lock.
    pub fn end(&self) {
        self.inner().take();
    }

    /// `None` when nobody is signed in.
    pub fn state(&self) -> Option<LockState> {
        let now = self.now();
        self.inner().as_mut().map(|l| l.state(now))
    }

    /// Touch, key, pointer, scroll, or the window gaining focus.
    pub fn activity(&self) -> Option<LockState> {
        let now = self.now();
        self.inner().as_mut().map(|l| l.activity(now))
    }

    pub fn lock_now(&self) {
        if let Some(l) = self.inner().as_mut() {
            l.lock_now();
        }
    }

    pub fn unlock_succeeded(&self) -> Option<LockState> {
        let now = self.now();
        self.inner().as_mut().map(|l| l.unlock_succeeded(now))
    }

    pub fn unlock_failed(&self) -> Option<LockState> {
        self.inner().as_mut().map(InactivityLock::unlock_failed)
    }

    /// Every command but unlock and sign-out calls this first.
    pub fn guard(&self) -> Result<(), CommandError> {
        match self.state() {
            None | Some(LockState::Unlocked) => Ok(()),
            Some(_) => Err(CommandError::new(
                ErrorCode::SessionLocked,
                "the device is locked",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closes_after_the_timeout_and_refuses_until_unlocked() {
        let lock = DeviceLock::new(Duration::from_millis(40));
        assert_eq!(lock.state(), None, "nobody signed in: nothing to lock");
        assert!(lock.guard().is_ok());
        lock.begin_unlocked();
        assert!(lock.guard().is_ok());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(
            lock.activity(),
            Some(LockState::Locked { attempts_left: 5 }),
            "activity after the timeout does not reopen it"
        );
        assert_eq!(lock.guard().unwrap_err().code, ErrorCode::SessionLocked);
        assert_eq!(
            lock.unlock_failed(),
            Some(LockState::Locked { attempts_left: 4 })
        );
        assert_eq!(lock.unlock_succeeded(), Some(LockState::Unlocked));
        assert!(lock.guard().is_ok());
        lock.end();
        assert_eq!(lock.state(), None);
    }

    #[test]
    fn a_restart_starts_locked_with_the_attempts_kept() {
        let lock = DeviceLock::new(Duration::from_secs(600));
        lock.begin_locked(1);
        assert_eq!(lock.state(), Some(LockState::Locked { attempts_left: 1 }));
        assert_eq!(lock.unlock_failed(), Some(LockState::SignedOut));
        assert!(lock.guard().is_err(), "signed out is not open");
    }
}
