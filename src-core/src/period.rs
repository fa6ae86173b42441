//! The substitute's access period (SPEC C4): it starts when the order is
//! submitted, ends after 3 days unless another end is chosen, never more than
//! 30 days after the start and never in the past. A unit's administrator may
//! set a shorter default and maximum for the unit's orders (`PeriodPolicy`),
//! never a longer one. The app checks it as the person types; the backend
//! checks it again on every order and extension, under the unit's policy as
//! it is then.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

pub const DEFAULT_DAYS: i64 = 3;
pub const MAX_DAYS: i64 = 30;

/// A unit's default and longest access period, in days: SPEC's 3 and 30
/// unless the unit's administrator chose less (1 ≤ default ≤ max ≤ 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodPolicy {
    pub default_days: i64,
    pub max_days: i64,
}

impl Default for PeriodPolicy {
    fn default() -> Self {
        PeriodPolicy {
            default_days: DEFAULT_DAYS,
            max_days: MAX_DAYS,
        }
    }
}

/// A policy outside SPEC's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyError;

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the default must be at least 1 day and at most the maximum, which is at most 30 days",
        )
    }
}

impl std::error::Error for PolicyError {}

impl PeriodPolicy {
    pub fn new(default_days: i64, max_days: i64) -> Result<Self, PolicyError> {
        if 1 <= default_days && default_days <= max_days && max_days <= MAX_DAYS {
            Ok(PeriodPolicy {
                default_days,
                max_days,
            })
        } else {
            Err(PolicyError)
        }
    }

    /// The latest end an order started at `start` may have.
    pub fn latest_end(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        start + Duration::days(self.max_days.clamp(1, MAX_DAYS))
    }

    /// The day a date picker offers first: today + the default.
    pub fn default_day(&self, today: NaiveDate) -> NaiveDate {
        today + Duration::days(self.default_days.clamp(1, MAX_DAYS))
    }

    /// The last day a date picker offers: today + the maximum.
    pub fn last_day(&self, today: NaiveDate) -> NaiveDate {
        today + Duration::days(self.max_days.clamp(1, MAX_DAYS))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessPeriod {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// The end is not after now.
    InPast,
    /// Longer than the unit's maximum (at most `MAX_DAYS`) after the start.
    TooLong,
}

impl std::fmt::Display for PeriodError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PeriodError::InPast => "the access must end in the future",
            PeriodError::TooLong => "the access is longer than the unit allows (at most 30 days)",
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
    /// From `start` (the moment of submission) to `end`, or the policy's
    /// default.
    pub fn new(
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
        policy: PeriodPolicy,
    ) -> Result<Self, PeriodError> {
        let end = end.unwrap_or(start + Duration::days(policy.default_days.clamp(1, MAX_DAYS)));
        check(start, end, start, policy)?;
        Ok(AccessPeriod { start, end })
    }

    /// The period for a day picked in a date picker (`None`: the default),
    /// as it would be if the order were sent at `now` on the local `today`.
    pub fn on_day(
        now: DateTime<Utc>,
        today: NaiveDate,
        day: Option<NaiveDate>,
        policy: PeriodPolicy,
    ) -> Result<Self, PeriodError> {
        AccessPeriod::new(now, day.map(|d| end_on_day(now, today, d)), policy)
    }

    /// As `on_day`, ending at `time` (Danish time) on that day when one is
    /// chosen (a night shift ends at 07:00), within the same cap.
    pub fn on_day_at(
        now: DateTime<Utc>,
        today: NaiveDate,
        day: Option<NaiveDate>,
        time: Option<NaiveTime>,
        policy: PeriodPolicy,
    ) -> Result<Self, PeriodError> {
        let Some(time) = time else {
            return AccessPeriod::on_day(now, today, day, policy);
        };
        let day = day.unwrap_or_else(|| policy.default_day(today));
        // On the night the clocks go back, 02:30 happens twice: the first.
        // On the night they go forward it does not happen: an hour later.
        let local = day.and_time(time);
        let end = crate::danish_time::Copenhagen
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                crate::danish_time::Copenhagen
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .ok_or(PeriodError::InPast)?;
        AccessPeriod::new(now, Some(end), policy)
    }

    /// A period as it was ordered and stored (its rules were checked then).
    pub fn stored(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        AccessPeriod { start, end }
    }

    /// An extension (or earlier end) to a day picked at `now` on the local
    /// `today`: the same time of day, within the policy's maximum from the
    /// start.
    pub fn to_day(
        &self,
        now: DateTime<Utc>,
        today: NaiveDate,
        day: NaiveDate,
        policy: PeriodPolicy,
    ) -> Result<Self, PeriodError> {
        self.with_end(end_on_day(now, today, day), now, policy)
    }

    /// The last day a date picker may offer for this period, in the
    /// calendar of `local` (the day its latest end falls on there).
    pub fn last_day<Tz: chrono::TimeZone>(&self, local: &Tz, policy: PeriodPolicy) -> NaiveDate {
        policy
            .latest_end(self.start)
            .with_timezone(local)
            .date_naive()
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// A new end chosen at `now` (extend, or end early): still after now and
    /// within the policy's maximum from the original start.
    pub fn with_end(
        &self,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
        policy: PeriodPolicy,
    ) -> Result<Self, PeriodError> {
        check(self.start, end, now, policy)?;
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
/// gives exactly the default period; today + the maximum the longest one.
pub fn end_on_day(now: DateTime<Utc>, today: NaiveDate, day: NaiveDate) -> DateTime<Utc> {
    now + Duration::days((day - today).num_days())
}

fn check(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: PeriodPolicy,
) -> Result<(), PeriodError> {
    if end <= now || end <= start {
        return Err(PeriodError::InPast);
    }
    if end > policy.latest_end(start) {
        return Err(PeriodError::TooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: PeriodPolicy = PeriodPolicy {
        default_days: DEFAULT_DAYS,
        max_days: MAX_DAYS,
    };
    use proptest::prelude::*;

    #[test]
    fn an_end_can_be_a_time_of_day_in_danish_time_within_the_cap() {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Evening of 1 December (UTC+1): a night shift to 07:00 tomorrow.
        let now = utc("2026-12-01T20:00:00Z");
        let today = crate::danish_time::today(now);
        let tomorrow = today.succ_opt().unwrap();
        let night =
            AccessPeriod::on_day_at(now, today, Some(tomorrow), Some(at(7, 0)), SPEC).unwrap();
        assert_eq!(
            night.end(),
            utc("2026-12-02T06:00:00Z"),
            "07:00 Danish winter time"
        );
        // No day chosen: the default day, at that time.
        let default = AccessPeriod::on_day_at(now, today, None, Some(at(7, 0)), SPEC).unwrap();
        assert_eq!(default.end(), utc("2026-12-04T06:00:00Z"));
        // Summer: UTC+2.
        let june = utc("2026-06-10T08:00:00Z");
        let day = crate::danish_time::today(june).succ_opt().unwrap();
        let p = AccessPeriod::on_day_at(
            june,
            day.pred_opt().unwrap(),
            Some(day),
            Some(at(7, 0)),
            SPEC,
        )
        .unwrap();
        assert_eq!(p.end(), utc("2026-06-11T05:00:00Z"));
        // The last day, later than the time of ordering: past 30 days.
        let last = SPEC.last_day(today);
        assert_eq!(
            AccessPeriod::on_day_at(now, today, Some(last), Some(at(23, 30)), SPEC),
            Err(PeriodError::TooLong)
        );
        assert!(AccessPeriod::on_day_at(now, today, Some(last), Some(at(7, 0)), SPEC).is_ok());
        // Earlier today than now: in the past.
        assert_eq!(
            AccessPeriod::on_day_at(now, today, Some(today), Some(at(7, 0)), SPEC),
            Err(PeriodError::InPast)
        );
        // Without a time: as before (the time of ordering).
        assert_eq!(
            AccessPeriod::on_day_at(now, today, Some(tomorrow), None, SPEC),
            AccessPeriod::on_day(now, today, Some(tomorrow), SPEC)
        );
        // 02:30 on the night the clocks go forward does not exist: 03:30.
        let spring = utc("2027-03-27T10:00:00Z");
        let today = crate::danish_time::today(spring);
        let p = AccessPeriod::on_day_at(spring, today, today.succ_opt(), Some(at(2, 30)), SPEC)
            .unwrap();
        assert_eq!(p.end(), utc("2027-03-28T01:30:00Z"));
    }

    #[test]
    fn a_picked_day_keeps_the_time_of_day_and_the_cap_holds_from_the_start() {
        let today = t0().date_naive();
        let default = AccessPeriod::on_day(t0(), today, None, SPEC).unwrap();
        assert_eq!(
            default,
            AccessPeriod::on_day(t0(), today, Some(SPEC.default_day(today)), SPEC).unwrap()
        );
        assert_eq!(default.end(), t0() + Duration::days(3));
        let last = AccessPeriod::on_day(t0(), today, Some(SPEC.last_day(today)), SPEC).unwrap();
        assert_eq!(last.end(), SPEC.latest_end(t0()));
        let day_31 = Some(today + Duration::days(31));
        assert_eq!(
            AccessPeriod::on_day(t0(), today, day_31, SPEC),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            AccessPeriod::on_day(t0(), today, Some(today), SPEC),
            Err(PeriodError::InPast)
        );

        // Two days later, extended to the last day: the cap counts from the
        // order's start, not from the extension.
        let stored = AccessPeriod::stored(default.start(), default.end());
        let later = t0() + Duration::days(2);
        let later_today = later.date_naive();
        assert_eq!(stored.last_day(&Utc, SPEC), today + Duration::days(30));
        let longest = stored
            .to_day(later, later_today, today + Duration::days(30), SPEC)
            .unwrap();
        assert_eq!(longest.end(), SPEC.latest_end(t0()));
        assert_eq!(
            stored.to_day(later, later_today, today + Duration::days(31), SPEC),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            stored.to_day(later, later_today, later_today, SPEC),
            Err(PeriodError::InPast),
            "today at this time of day is now: not in the future"
        );
        assert!(!longest.is_over(later));
        assert!(longest.is_over(SPEC.latest_end(t0())));
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_picked_day_keeps_the_time_of_day_and_day_31_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let default = end_on_day(t0(), today, SPEC.default_day(today));
        assert_eq!(
            AccessPeriod::new(t0(), Some(default), SPEC),
            AccessPeriod::new(t0(), None, SPEC)
        );
        let last = end_on_day(t0(), today, SPEC.last_day(today));
        assert_eq!(
            AccessPeriod::new(t0(), Some(last), SPEC).unwrap().end(),
            last
        );
        let day_31 = end_on_day(t0(), today, today + Duration::days(31));
        assert_eq!(
            AccessPeriod::new(t0(), Some(day_31), SPEC),
            Err(PeriodError::TooLong)
        );
        let today_end = end_on_day(t0(), today, today);
        assert_eq!(
            AccessPeriod::new(t0(), Some(today_end), SPEC),
            Err(PeriodError::InPast)
        );
    }

    #[test]
    fn three_days_unless_chosen_and_thirty_at_most() {
        let p = AccessPeriod::new(t0(), None, SPEC).unwrap();
        assert_eq!(p.end() - p.start(), Duration::days(3));
        let days = |n: i64| Some(t0() + Duration::days(n));
        assert!(AccessPeriod::new(t0(), days(1), SPEC).is_ok());
        assert!(
            AccessPeriod::new(t0(), days(30), SPEC).is_ok(),
            "30 days exactly"
        );
        let over = AccessPeriod::new(
            t0(),
            Some(t0() + Duration::days(30) + Duration::seconds(1)),
            SPEC,
        );
        assert_eq!(over, Err(PeriodError::TooLong));
        assert_eq!(
            AccessPeriod::new(t0(), days(31), SPEC),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            AccessPeriod::new(t0(), Some(t0()), SPEC),
            Err(PeriodError::InPast)
        );
        assert_eq!(
            AccessPeriod::new(t0(), days(-1), SPEC),
            Err(PeriodError::InPast)
        );
    }

    #[test]
    fn extending_stays_within_thirty_days_of_the_start() {
        let p = AccessPeriod::new(t0(), None, SPEC).unwrap();
        let later = t0() + Duration::days(2);
        assert!(p.with_end(t0() + Duration::days(30), later, SPEC).is_ok());
        assert_eq!(
            p.with_end(t0() + Duration::days(31), later, SPEC),
            Err(PeriodError::TooLong),
            "the cap counts from the original start"
        );
        assert_eq!(
            p.with_end(later - Duration::hours(1), later, SPEC),
            Err(PeriodError::InPast)
        );
        assert!(
            p.with_end(later + Duration::minutes(1), later, SPEC)
                .is_ok(),
            "end early"
        );
        assert!(!p.is_over(later) && p.is_over(p.end()));
    }

    #[test]
    fn a_units_policy_shortens_the_default_and_the_cap_never_beyond_thirty() {
        let ten = PeriodPolicy::new(2, 10).unwrap();
        let p = AccessPeriod::new(t0(), None, ten).unwrap();
        assert_eq!(p.end() - p.start(), Duration::days(2));
        let days = |n: i64| Some(t0() + Duration::days(n));
        assert!(AccessPeriod::new(t0(), days(10), ten).is_ok());
        assert_eq!(
            AccessPeriod::new(t0(), days(11), ten),
            Err(PeriodError::TooLong)
        );
        let today = t0().date_naive();
        assert_eq!(ten.default_day(today), today + Duration::days(2));
        assert_eq!(ten.last_day(today), today + Duration::days(10));
        assert_eq!(
            p.with_end(t0() + Duration::days(11), t0(), ten),
            Err(PeriodError::TooLong),
            "an extension too"
        );
        assert!(p.with_end(t0() + Duration::days(11), t0(), SPEC).is_ok());
        for (default, max) in [(0, 10), (11, 10), (3, 31), (-1, 5)] {
            assert_eq!(
                PeriodPolicy::new(default, max),
                Err(PolicyError),
                "{default}/{max}"
            );
        }
        assert_eq!(PeriodPolicy::new(3, 30), Ok(PeriodPolicy::default()));
        assert_eq!(
            PeriodPolicy::new(1, 1).unwrap().latest_end(t0()),
            t0() + Duration::days(1)
        );
    }

    proptest! {
        #[test]
        fn an_accepted_period_is_never_past_nor_over_thirty_days(secs in -5_000_000i64..5_000_000) {
            let end = t0() + Duration::seconds(secs);
            match AccessPeriod::new(t0(), Some(end), SPEC) {
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
