//! The substitute's access period (SPEC C4): it starts when the order is
//! submitted, ends after 3 days unless another end is chosen, never more than
//! 30 days after the start and never in the past. The app checks it as the
//! person types; the backend checks it again on every order and extension.

use chrono::{DateTime, Duration, NaiveDate, Utc};

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

impl PeriodError {
    /// The code the app and the backend answer with.
    pub fn code(self) -> crate::ErrorCode {
        match self {
            PeriodError::InPast => crate::ErrorCode::PeriodInPast,
            PeriodError::TooLong => crate::ErrorCode::PeriodTooLong,
        }
    }
}

impl AccessPeriod {
    /// From `start` (the moment of submission) to `end`, or 3 days.
    pub fn new(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Result<Self, PeriodError> {
        let end = end.unwrap_or(start + Duration::days(DEFAULT_DAYS));
        check(start, end, start)?;
        Ok(AccessPeriod { start, end })
    }

    /// The period for a day picked in a date picker (`None`: the default),
    /// as it would be if the order were sent at `now` on the local `today`.
    pub fn on_day(
        now: DateTime<Utc>,
        today: NaiveDate,
        day: Option<NaiveDate>,
    ) -> Result<Self, PeriodError> {
        AccessPeriod::new(now, day.map(|d| end_on_day(now, today, d)))
    }

    /// A period as it was ordered and stored (its rules were checked then).
    pub fn stored(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        AccessPeriod { start, end }
    }

    /// An extension (or earlier end) to a day picked at `now` on the local
    /// `today`: the same time of day, within the 30 days from the start.
    pub fn to_day(
        &self,
        now: DateTime<Utc>,
        today: NaiveDate,
        day: NaiveDate,
    ) -> Result<Self, PeriodError> {
        self.with_end(end_on_day(now, today, day), now)
    }

    /// The last day a date picker may offer for this period, in the
    /// calendar of `local` (the day its latest end falls on there).
    pub fn last_day<Tz: chrono::TimeZone>(&self, local: &Tz) -> NaiveDate {
        AccessPeriod::latest_end(self.start)
            .with_timezone(local)
            .date_naive()
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

/// The end for a day picked in a date picker: the same time of day as
/// `now`, `day - today` days later. Picking the default day (today + 3)
/// gives exactly the default period; today + 30 the longest one.
pub fn end_on_day(now: DateTime<Utc>, today: NaiveDate, day: NaiveDate) -> DateTime<Utc> {
    now + Duration::days((day - today).num_days())
}

/// The day a date picker offers first: today + 3.
pub fn default_day(today: NaiveDate) -> NaiveDate {
    today + Duration::days(DEFAULT_DAYS)
}

/// The last day a date picker offers: today + 30.
pub fn last_day(today: NaiveDate) -> NaiveDate {
    today + Duration::days(MAX_DAYS)
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

    #[test]
    fn a_picked_day_keeps_the_time_of_day_and_the_cap_holds_from_the_start() {
        let today = t0().date_naive();
        let default = AccessPeriod::on_day(t0(), today, None).unwrap();
        assert_eq!(
            default,
            AccessPeriod::on_day(t0(), today, Some(default_day(today))).unwrap()
        );
        assert_eq!(default.end(), t0() + Duration::days(3));
        let last = AccessPeriod::on_day(t0(), today, Some(last_day(today))).unwrap();
        assert_eq!(last.end(), AccessPeriod::latest_end(t0()));
        let day_31 = Some(today + Duration::days(31));
        assert_eq!(
            AccessPeriod::on_day(t0(), today, day_31),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            AccessPeriod::on_day(t0(), today, Some(today)),
            Err(PeriodError::InPast)
        );

        // Two days later, extended to the last day: the cap counts from the
        // order's start, not from the extension.
        let stored = AccessPeriod::stored(default.start(), default.end());
        let later = t0() + Duration::days(2);
        let later_today = later.date_naive();
        assert_eq!(stored.last_day(&Utc), today + Duration::days(30));
        let longest = stored
            .to_day(later, later_today, today + Duration::days(30))
            .unwrap();
        assert_eq!(longest.end(), AccessPeriod::latest_end(t0()));
        assert_eq!(
            stored.to_day(later, later_today, today + Duration::days(31)),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            stored.to_day(later, later_today, later_today),
            Err(PeriodError::InPast),
            "today at this time of day is now: not in the future"
        );
        assert!(!longest.is_over(later));
        assert!(longest.is_over(AccessPeriod::latest_end(t0())));
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_picked_day_keeps_the_time_of_day_and_day_31_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let default = end_on_day(t0(), today, default_day(today));
        assert_eq!(
            AccessPeriod::new(t0(), Some(default)),
            AccessPeriod::new(t0(), None)
        );
        let last = end_on_day(t0(), today, last_day(today));
        assert_eq!(AccessPeriod::new(t0(), Some(last)).unwrap().end(), last);
        let day_31 = end_on_day(t0(), today, today + Duration::days(31));
        assert_eq!(
            AccessPeriod::new(t0(), Some(day_31)),
            Err(PeriodError::TooLong)
        );
        let today_end = end_on_day(t0(), today, today);
        assert_eq!(
            AccessPeriod::new(t0(), Some(today_end)),
            Err(PeriodError::InPast)
        );
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
