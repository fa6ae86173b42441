//! The substitute's access period (SPEC C4): it starts when the order is
//! submitted, ends after 3 days unless another end is chosen, never more than
//! 30 days after the start and never in the past. The app checks it as the
//! person types; the backend checks it again on every order and extension.

use chrono::{DateTime, Duration, Utc};

pub const DEFAULT_DAYS: i64 = 3;
pub const MAX_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessPeriod {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// The end is not after now.
    InPast,
    /// More than `MAX_DAYS` after the start.
    TooLong,
}

impl std::fmt::Display for PeriodError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PeriodError::InPast => "the access must end in the future",
            PeriodError::TooLong => "the access can last at most 30 days",
        })
    }
}

impl std::error::Error for PeriodError {}

impl AccessPeriod {
    /// From `start` (the moment of submission) to `end`, or 3 days.
    pub fn new(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Result<Self, PeriodError> {
        let end = end.unwrap_or(start + Duration::days(DEFAULT_DAYS));
        check(start, end, start)?;
        Ok(AccessPeriod { start, end })
    }

    /// The latest end an order started at `start` may have.
    pub fn latest_end(start: DateTime<Utc>) -> DateTime<Utc> {
        start + Duration::days(MAX_DAYS)
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// A new end chosen at `now` (extend, or end early): still after now and
    /// within 30 days of the original start.
    pub fn with_end(&self, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, PeriodError> {
        check(self.start, end, now)?;
        Ok(AccessPeriod {
            start: self.start,
            end,
        })
    }

    pub fn is_over(&self, now: DateTime<Utc>) -> bool {
        now >= self.end
    }
}

fn check(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), PeriodError> {
    if end <= now || end <= start {
        return Err(PeriodError::InPast);
    }
    if end > AccessPeriod::latest_end(start) {
        return Err(PeriodError::TooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn three_days_unless_chosen_and_thirty_at_most() {
        let p = AccessPeriod::new(t0(), None).unwrap();
        assert_eq!(p.end() - p.start(), Duration::days(3));
        let days = |n: i64| Some(t0() + Duration::days(n));
        assert!(AccessPeriod::new(t0(), days(1)).is_ok());
        assert!(AccessPeriod::new(t0(), days(30)).is_ok(), "30 days exactly");
        let over = AccessPeriod::new(t0(), Some(t0() + Duration::days(30) + Duration::seconds(1)));
        assert_eq!(over, Err(PeriodError::TooLong));
        assert_eq!(AccessPeriod::new(t0(), days(31)), Err(PeriodError::TooLong));
        assert_eq!(
            AccessPeriod::new(t0(), Some(t0())),
            Err(PeriodError::InPast)
        );
        assert_eq!(AccessPeriod::new(t0(), days(-1)), Err(PeriodError::InPast));
    }

    #[test]
    fn extending_stays_within_thirty_days_of_the_start() {
        let p = AccessPeriod::new(t0(), None).unwrap();
        let later = t0() + Duration::days(2);
        assert!(p.with_end(t0() + Duration::days(30), later).is_ok());
        assert_eq!(
            p.with_end(t0() + Duration::days(31), later),
            Err(PeriodError::TooLong),
            "the cap counts from the original start"
        );
        assert_eq!(
            p.with_end(later - Duration::hours(1), later),
            Err(PeriodError::InPast)
        );
        assert!(
            p.with_end(later + Duration::minutes(1), later).is_ok(),
            "end early"
        );
        assert!(!p.is_over(later) && p.is_over(p.end()));
    }

    proptest! {
        #[test]
        fn an_accepted_period_is_never_past_nor_over_thirty_days(secs in -5_000_000i64..5_000_000) {
            let end = t0() + Duration::seconds(secs);
            match AccessPeriod::new(t0(), Some(end)) {
                Ok(p) => {
                    prop_assert!(p.end() > t0());
                    prop_assert!(p.end() - p.start() <= Duration::days(MAX_DAYS));
                }
                Err(PeriodError::InPast) => prop_assert!(end <= t0()),
                Err(PeriodError::TooLong) => prop_assert!(end - t0() > Duration::days(MAX_DAYS)),
            }
        }
    }
}
