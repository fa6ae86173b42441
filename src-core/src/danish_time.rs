//! Danish time (Europe/Copenhagen) without the system's time zone or
//! locale: the app shows `25.12.2026 kl. 14.30` and counts days in Danish
//! days whatever the device is set to. The rule is the EU's: CET (+1),
//! and CEST (+2) from the last Sunday of March 01:00 UTC to the last Sunday
//! of October 01:00 UTC. (A pure function, so the wasm UI needs no time
//! zone database; tested against chrono-tz's Europe/Copenhagen.)

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone,
    Utc, Weekday,
};

/// The Europe/Copenhagen time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copenhagen;

const CET: i32 = 3600;
const CEST: i32 = 7200;

/// The last Sunday of `month` in `year`, at 01:00 UTC: when summer time
/// starts (March) or ends (October).
fn switch(year: i32, month: u32) -> NaiveDateTime {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("a real date");
    let mut day = next - Duration::days(1);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day.and_hms_opt(1, 0, 0).expect("01:00")
}

fn offset_at_utc(utc: &NaiveDateTime) -> FixedOffset {
    let year = utc.year();
    let summer = *utc >= switch(year, 3) && *utc < switch(year, 10);
    FixedOffset::east_opt(if summer { CEST } else { CET }).expect("a valid offset")
}

impl TimeZone for Copenhagen {
    type Offset = FixedOffset;

    fn from_offset(_: &FixedOffset) -> Copenhagen {
        Copenhagen
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<FixedOffset> {
        self.offset_from_local_datetime(&local.and_hms_opt(12, 0, 0).expect("noon"))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<FixedOffset> {
        // The offsets that map back to this wall-clock time: two in the
        // autumn's repeated hour, none in the spring's skipped one.
        let fits = |secs: i32| {
            let utc = *local - Duration::seconds(i64::from(secs));
            (offset_at_utc(&utc).local_minus_utc() == secs)
                .then(|| FixedOffset::east_opt(secs).expect("a valid offset"))
        };
        match (fits(CEST), fits(CET)) {
            (Some(a), Some(b)) => LocalResult::Ambiguous(a, b),
            (Some(a), None) | (None, Some(a)) => LocalResult::Single(a),
            (None, None) => LocalResult::None,
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
        offset_at_utc(&utc.and_hms_opt(0, 0, 0).expect("midnight"))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
        offset_at_utc(utc)
    }
}

/// Today's date in Denmark.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Copenhagen).date_naive()
}

/// `25.12.2026 kl. 14.30` (24-hour clock, Danish time).
pub fn date_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Copenhagen)
        .format("%d.%m.%Y kl. %H.%M")
        .to_string()
}

/// `2026-12-25 14:30` (Danish time): a moment in an export, sortable as
/// text and read by spreadsheets as a date and time.
pub fn iso_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Copenhagen)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `25.12.2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// `fr. 25.12.2026`: a day as a picker offers it.
pub fn day_with_weekday(d: NaiveDate) -> String {
    let name = match d.weekday() {
        Weekday::Mon => "ma.",
        Weekday::Tue => "ti.",
        Weekday::Wed => "on.",
        Weekday::Thu => "to.",
        Weekday::Fri => "fr.",
        Weekday::Sat => "lø.",
        Weekday::Sun => "sø.",
    };
    format!("{name} {}", date(d))
}

/// `14:30`: the wall screen's clock.
pub fn clock(t: DateTime<Utc>) -> String {
    t.with_timezone(&Copenhagen).format("%H:%M").to_string()
}

/// A date typed the Danish way (`25.12.2026`, also `25-12-2026`,
/// `25/12/2026` or `2026-12-25`); `None` for anything else.
pub fn parse_date(typed: &str) -> Option<NaiveDate> {
    let t = typed.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().or_else(|| {
        let parts: Vec<&str> = t.split(['.', '-', '/']).collect();
        let [d, m, y] = parts[..] else { return None };
        if y.len() != 4 {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Offset;

    /// Every hour of 2000–2045, and both switch days minute by minute,
    /// against the time zone database's Europe/Copenhagen.
    #[test]
    fn agrees_with_the_time_zone_database() {
        let tz = chrono_tz::Europe::Copenhagen;
        let mut t = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2046, 1, 1, 0, 0, 0).unwrap();
        while t < end {
            let ours = t.with_timezone(&Copenhagen);
            let theirs = t.with_timezone(&tz);
            assert_eq!(ours.naive_local(), theirs.naive_local(), "{t}");
            assert_eq!(
                ours.offset().fix().local_minus_utc(),
                theirs.offset().fix().local_minus_utc(),
                "{t}"
            );
            t += Duration::hours(1);
        }
        for (y, m, d) in [(2026, 3, 29), (2026, 10, 25), (2027, 3, 28), (2027, 10, 31)] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            for minute in 0..(24 * 60) {
                let local = day.and_hms_opt(0, 0, 0).unwrap() + Duration::minutes(minute);
                let ours = Copenhagen
                    .from_local_datetime(&local)
                    .map(|t| t.naive_utc());
                let theirs = tz.from_local_datetime(&local).map(|t| t.naive_utc());
                assert_eq!(ours, theirs, "{local}");
            }
        }
    }

    #[test]
    fn danish_formats_whatever_the_device_says() {
        let christmas = Utc.with_ymd_and_hms(2026, 12, 25, 13, 30, 0).unwrap();
        assert_eq!(date_time(christmas), "25.12.2026 kl. 14.30");
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 22, 5, 0).unwrap();
        assert_eq!(date_time(summer), "02.07.2026 kl. 00.05");
        assert_eq!(today(summer), NaiveDate::from_ymd_opt(2026, 7, 2).unwrap());
        assert_eq!(clock(summer), "00:05");
        assert_eq!(iso_local(summer), "2026-07-02 00:05");
        assert_eq!(iso_local(christmas), "2026-12-25 14:30");
        assert_eq!(
            day_with_weekday(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()),
            "fr. 25.12.2026"
        );
        let want = NaiveDate::from_ymd_opt(2026, 12, 25);
        for typed in ["25.12.2026", " 25-12-2026 ", "25/12/2026", "2026-12-25"] {
            assert_eq!(parse_date(typed), want, "{typed}");
        }
        for bad in [
            "",
            "12/25/26",
            "31.02.2026",
            "25.12",
            "x.y.2026",
            "25.12.26",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
