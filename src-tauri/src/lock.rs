//! The inactivity lock of a personal device, enforced here in the shell: the
//! core's state machine driven by two real clocks. `Instant` may stop while
//! the machine sleeps; the wall clock does not, so a device that wakes after
//! the timeout is locked even if the monotonic clock missed the sleep.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use omsorg_core::lock::{InactivityLock, LockState, Now};
use omsorg_core::ErrorCode;

use crate::error::CommandError;

/// Where the lock reads the time: the machine's clocks, or in tests a
/// clock that moves only when told to (no sleeping, so a loaded machine
/// cannot make a test see the wrong side of a timeout).
pub trait Clock: Send + Sync {
    fn now(&self) -> Now;
}

/// The monotonic clock since the shell started, and the wall clock.
pub struct SystemClock(Instant);

impl Clock for SystemClock {
    fn now(&self) -> Now {
        Now {
            mono_ms: u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX),
            wall_ms: chrono::Utc::now().timestamp_millis(),
        }
    }
}

/// A clock for tests: both readings move together, by `advance`.
#[derive(Default)]
pub struct ManualClock {
    mono_ms: AtomicU64,
    wall_ms: AtomicI64,
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.mono_ms.fetch_add(ms, Ordering::SeqCst);
        self.wall_ms
            .fetch_add(i64::try_from(ms).unwrap_or(i64::MAX), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Now {
        Now {
            mono_ms: self.mono_ms.load(Ordering::SeqCst),
            wall_ms: self.wall_ms.load(Ordering::SeqCst),
        }
    }
}

impl Clock for Arc<ManualClock> {
    fn now(&self) -> Now {
        self.as_ref().now()
    }
}

pub struct DeviceLock {
    timeout_ms: u64,
    clock: Box<dyn Clock>,
    /// `None` while nobody is signed in.
    inner: Mutex<Option<InactivityLock>>,
    /// Held by the unlock being checked: a web view cannot run guesses in
    /// parallel against the offline verifier.
    guessing: tokio::sync::Mutex<()>,
}

impl DeviceLock {
    pub fn new(timeout: Duration) -> DeviceLock {
        DeviceLock::with_clock(timeout, Box::new(SystemClock(Instant::now())))
    }

    pub fn with_clock(timeout: Duration, clock: Box<dyn Clock>) -> DeviceLock {
        DeviceLock {
            // The config refuses 0; at least 1 ms keeps the core's invariant.
            timeout_ms: u64::try_from(timeout.as_millis())
                .unwrap_or(u64::MAX)
                .max(1),
            clock,
            inner: Mutex::new(None),
            guessing: tokio::sync::Mutex::new(()),
        }
    }

    fn now(&self) -> Now {
        self.clock.now()
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

    /// The app went to the background (mobile: suspended).
    pub fn to_background(&self) {
        let now = self.now();
        if let Some(l) = self.inner().as_mut() {
            l.to_background(now);
        }
    }

    /// Back in front (mobile: resumed; desktop: the window focused again):
    /// locks at once if the time away passed the timeout.
    pub fn to_foreground(&self) -> Option<LockState> {
        let now = self.now();
        self.inner().as_mut().map(|l| l.to_foreground(now))
    }

    pub fn lock_now(&self) {
        if let Some(l) = self.inner().as_mut() {
            l.lock_now();
        }
    }

    /// One PIN guess at a time: each waits for the one before it to be
    /// checked and counted (first come, first served).
    pub async fn one_guess_at_a_time(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.guessing.lock().await
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
        let clock = Arc::new(ManualClock::default());
        let lock = DeviceLock::with_clock(Duration::from_secs(600), Box::new(Arc::clone(&clock)));
        assert_eq!(lock.state(), None, "nobody signed in: nothing to lock");
        assert!(lock.guard().is_ok());
        lock.begin_unlocked();
        clock.advance(Duration::from_secs(599));
        assert!(lock.guard().is_ok(), "open until the timeout");
        clock.advance(Duration::from_secs(2));
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
    fn coming_back_after_the_timeout_locks_at_once() {
        let clock = Arc::new(ManualClock::default());
        let lock = DeviceLock::with_clock(Duration::from_secs(600), Box::new(Arc::clone(&clock)));
        assert_eq!(
            lock.to_foreground(),
            None,
            "nobody signed in: nothing to lock"
        );
        lock.begin_unlocked();
        lock.to_background();
        clock.advance(Duration::from_secs(300));
        lock.activity();
        lock.to_background();
        clock.advance(Duration::from_secs(300));
        assert_eq!(
            lock.to_foreground(),
            Some(LockState::Locked { attempts_left: 5 }),
            "ten minutes away, whatever the web view reported meanwhile"
        );
        assert!(lock.guard().is_err());
        assert_eq!(lock.unlock_succeeded(), Some(LockState::Unlocked));
        lock.to_background();
        clock.advance(Duration::from_secs(599));
        assert_eq!(lock.to_foreground(), Some(LockState::Unlocked));
        assert_eq!(
            lock.to_foreground(),
            Some(LockState::Unlocked),
            "twice is use"
        );
        clock.advance(Duration::from_secs(599));
        assert!(lock.guard().is_ok(), "coming back counted as use");
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
