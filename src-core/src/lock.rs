//! The inactivity lock of a personal device (SPEC C2) as a pure state
//! machine: time is injected, so the shell drives it with real clocks and the
//! tests with made-up ones.

/// Wrong PINs in a row that end the session.
pub const MAX_ATTEMPTS: u8 = 5;

/// A moment on two clocks. The monotonic one may stop while the machine
/// sleeps; the wall clock keeps going (but a person can change it). The lock
/// closes when either says the timeout has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub mono_ms: u64,
    pub wall_ms: i64,
}

/// On the wire to the UI as `{"state":"locked","attempts_left":3}` etc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LockState {
    Unlocked,
    Locked {
        attempts_left: u8,
    },
    /// Too many wrong PINs: the person must log in with KOMBIT again.
    SignedOut,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockError {
    /// The lock cannot be turned off.
    ZeroTimeout,
}

#[derive(Debug, Clone)]
pub struct InactivityLock {
    timeout_ms: u64,
    last_activity: Now,
    state: LockState,
    /// Since when the app has been in the background (mobile: suspended),
    /// if it is: nothing that happens meanwhile counts as use.
    background_since: Option<Now>,
}

impl InactivityLock {
    /// Unlocked, with `now` as the last activity.
    pub fn new(timeout_ms: u64, now: Now) -> Result<InactivityLock, LockError> {
        if timeout_ms == 0 {
            return Err(LockError::ZeroTimeout);
        }
        Ok(InactivityLock {
            timeout_ms,
            last_activity: now,
            state: LockState::Unlocked,
            background_since: None,
        })
    }

    /// Locked from the start, e.g. after a restart with `attempts_left` kept on disk.
    pub fn locked(
        timeout_ms: u64,
        now: Now,
        attempts_left: u8,
    ) -> Result<InactivityLock, LockError> {
        let mut lock = Self::new(timeout_ms, now)?;
        lock.state = match attempts_left.min(MAX_ATTEMPTS) {
            0 => LockState::SignedOut,
            n => LockState::Locked { attempts_left: n },
        };
        Ok(lock)
    }

    /// The state at `now` (locking if the timeout has passed on either clock).
    pub fn state(&mut self, now: Now) -> LockState {
        if self.state == LockState::Unlocked && self.expired(now) {
            self.state = LockState::Locked {
                attempts_left: MAX_ATTEMPTS,
            };
        }
        self.state
    }

    fn expired(&self, now: Now) -> bool {
        let timeout = self.timeout_ms;
        let mono = now.mono_ms.saturating_sub(self.last_activity.mono_ms);
        let wall = now.wall_ms.saturating_sub(self.last_activity.wall_ms);
        mono >= timeout || wall >= i64::try_from(timeout).unwrap_or(i64::MAX)
    }

    /// Touch, key, pointer or scroll. Too late is too late: activity after the
    /// timeout does not reopen a lock that should already have closed.
    /// In the background nothing is use (a web view's late event, a timer).
    pub fn activity(&mut self, now: Now) -> LockState {
        let state = self.state(now);
        if state == LockState::Unlocked && self.background_since.is_none() {
            self.last_activity = now;
        }
        state
    }

    /// The app went to the background (suspended, hidden). A second report
    /// before it comes back changes nothing: the first moment counts.
    pub fn to_background(&mut self, now: Now) {
        self.background_since.get_or_insert(now);
    }

    /// Back in front: the time away was time without use, so a lock that is
    /// due closes at once; otherwise coming back is use. Reported twice, or
    /// without a background before it, it is simply use.
    pub fn to_foreground(&mut self, now: Now) -> LockState {
        self.background_since = None;
        self.activity(now)
    }

    /// Locks at once (e.g. the app was in the background for longer than the timeout).
    pub fn lock_now(&mut self) {
        if self.state == LockState::Unlocked {
            self.state = LockState::Locked {
                attempts_left: MAX_ATTEMPTS,
            };
        }
    }

    /// The right PIN: unlocked, attempts restored.
    pub fn unlock_succeeded(&mut self, now: Now) -> LockState {
        if let LockState::Locked { .. } = self.state {
            self.state = LockState::Unlocked;
            self.last_activity = now;
        }
        self.state
    }

    /// A wrong PIN: one attempt fewer; the last one signs out.
    pub fn unlock_failed(&mut self) -> LockState {
        if let LockState::Locked { attempts_left } = self.state {
            self.state = match attempts_left.saturating_sub(1) {
                0 => LockState::SignedOut,
                n => LockState::Locked { attempts_left: n },
            };
        }
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LockState::*;

    const TEN_MIN: u64 = 10 * 60 * 1000;

    fn at(mono_s: u64, wall_s: i64) -> Now {
        Now {
            mono_ms: mono_s * 1000,
            wall_ms: wall_s * 1000,
        }
    }

    #[test]
    fn the_lock_cannot_be_turned_off() {
        assert_eq!(
            InactivityLock::new(0, at(0, 0)).unwrap_err(),
            LockError::ZeroTimeout
        );
    }

    #[test]
    fn inactivity_table() {
        // (last activity, check at, expected) with a 10-minute timeout.
        let cases: &[(&str, Now, LockState)] = &[
            ("just now", at(1, 1), Unlocked),
            ("9:59 later", at(599, 599), Unlocked),
            ("10:00 later", at(600, 600), Locked { attempts_left: 5 }),
            (
                "slept: monotonic stopped, wall went on",
                at(5, 3600),
                Locked { attempts_left: 5 },
            ),
            (
                "wall set back, monotonic went on",
                at(700, -5000),
                Locked { attempts_left: 5 },
            ),
            ("wall set back, little time passed", at(30, -5000), Unlocked),
        ];
        for (name, when, want) in cases {
            let mut lock = InactivityLock::new(TEN_MIN, at(0, 0)).unwrap();
            assert_eq!(lock.state(*when), *want, "{name}");
        }
    }

    #[test]
    fn activity_postpones_the_lock_but_cannot_reopen_it() {
        let mut lock = InactivityLock::new(TEN_MIN, at(0, 0)).unwrap();
        assert_eq!(lock.activity(at(500, 500)), Unlocked);
        assert_eq!(
            lock.state(at(1000, 1000)),
            Unlocked,
            "counted from the last activity"
        );
        assert_eq!(lock.activity(at(1100, 1100)), Locked { attempts_left: 5 });
        assert_eq!(lock.state(at(1101, 1101)), Locked { attempts_left: 5 });
    }

    #[test]
    fn time_in_the_background_is_time_without_use() {
        // (what happens, at seconds, expected state after it), 10-minute timeout.
        enum Ev {
            Use,
            Back,
            Front,
        }
        use Ev::*;
        type Case<'a> = (&'a str, &'a [(Ev, u64)], LockState);
        let cases: &[Case] = &[
            ("back after 9 min", &[(Back, 60), (Front, 599)], Unlocked),
            (
                "back after 10 min: locked at once",
                &[(Back, 60), (Front, 600)],
                Locked { attempts_left: 5 },
            ),
            (
                "use reported while away does not count",
                &[(Back, 60), (Use, 500), (Front, 650)],
                Locked { attempts_left: 5 },
            ),
            (
                "a second suspend keeps the first moment",
                &[(Use, 100), (Back, 100), (Back, 500), (Front, 700)],
                Locked { attempts_left: 5 },
            ),
            (
                "a second resume is plain use",
                &[(Back, 60), (Front, 120), (Front, 130), (Use, 700)],
                Unlocked,
            ),
            (
                "a resume without a suspend is plain use",
                &[(Front, 500), (Use, 1000)],
                Unlocked,
            ),
            (
                "coming back counts as use",
                &[(Back, 10), (Front, 300), (Use, 850)],
                Unlocked,
            ),
        ];
        for (name, events, want) in cases {
            let mut lock = InactivityLock::new(TEN_MIN, at(0, 0)).unwrap();
            let mut state = Unlocked;
            for (ev, s) in events.iter() {
                let now = at(*s, *s as i64);
                state = match ev {
                    Use => lock.activity(now),
                    Back => {
                        lock.to_background(now);
                        lock.state(now)
                    }
                    Front => lock.to_foreground(now),
                };
            }
            assert_eq!(state, *want, "{name}");
        }
    }

    #[test]
    fn five_wrong_pins_sign_out_and_a_right_one_resets_the_count() {
        let mut lock = InactivityLock::new(TEN_MIN, at(0, 0)).unwrap();
        lock.lock_now();
        for left in [4, 3, 2] {
            assert_eq!(
                lock.unlock_failed(),
                Locked {
                    attempts_left: left
                }
            );
        }
        assert_eq!(lock.unlock_succeeded(at(10, 10)), Unlocked);
        lock.lock_now();
        for left in [4, 3, 2, 1] {
            assert_eq!(
                lock.unlock_failed(),
                Locked {
                    attempts_left: left
                }
            );
        }
        assert_eq!(lock.unlock_failed(), SignedOut);
        assert_eq!(
            lock.unlock_succeeded(at(20, 20)),
            SignedOut,
            "no way back but KOMBIT"
        );
        assert_eq!(lock.activity(at(21, 21)), SignedOut);
    }

    #[test]
    fn a_restart_keeps_the_attempts_left() {
        let mut lock = InactivityLock::locked(TEN_MIN, at(0, 0), 1).unwrap();
        assert_eq!(lock.unlock_failed(), SignedOut);
        let lock = InactivityLock::locked(TEN_MIN, at(0, 0), 0).unwrap();
        assert_eq!(lock.clone().state(at(0, 0)), SignedOut);
    }

    proptest::proptest! {
        #[test]
        fn gaps_shorter_than_the_timeout_never_lock(gaps in proptest::collection::vec(0u64..TEN_MIN, 1..50)) {
            let mut lock = InactivityLock::new(TEN_MIN, Now { mono_ms: 0, wall_ms: 0 }).unwrap();
            let mut t = 0u64;
            for gap in gaps {
                t += gap;
                let now = Now { mono_ms: t, wall_ms: t as i64 };
                proptest::prop_assert_eq!(lock.activity(now), Unlocked);
            }
        }

        #[test]
        fn any_gap_of_the_timeout_on_either_clock_locks(
            before in 0u64..TEN_MIN, gap in TEN_MIN..(100 * TEN_MIN), wall_only in proptest::bool::ANY
        ) {
            let mut lock = InactivityLock::new(TEN_MIN, Now { mono_ms: 0, wall_ms: 0 }).unwrap();
            lock.activity(Now { mono_ms: before, wall_ms: before as i64 });
            let mono = if wall_only { before + 1 } else { before + gap };
            let now = Now { mono_ms: mono, wall_ms: (before + gap) as i64 };
            proptest::prop_assert_eq!(lock.state(now), Locked { attempts_left: MAX_ATTEMPTS });
        }
    }
}
