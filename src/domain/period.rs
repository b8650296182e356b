//! The newsroom's calendar: archive periods (a year, a month, a day) in the
//! newsroom's time zone, and the UTC instants that bound them.
//!
//! A local period is one contiguous span of UTC time, so period queries
//! filter `published_at` on the list's own index; only the calendar needs
//! the local day stored with each article (`published_day`, `yyyymmdd`).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::domain::FieldError;

/// Earliest archive year.
pub const MIN_YEAR: i32 = 1900;

/// An archive period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A whole year.
    Year(i32),
    /// A month of a year.
    Month(i32, u32),
    /// One day.
    Day(NaiveDate),
}

fn bad(field: &str, raw: &str, en: &str, ar: &str) -> FieldError {
    FieldError::new(
        field,
        "invalid_period",
        format!("{field} {raw:?}: {en}"),
        format!("{field} {raw:?}: {ar}"),
    )
}

fn number(field: &str, raw: &str, max_digits: usize) -> Result<u32, FieldError> {
    if raw.is_empty() || raw.len() > max_digits || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            field,
            raw,
            "must be a whole number.",
            "يجب أن يكون عدداً صحيحاً.",
        ));
    }
    raw.parse().map_err(|_| {
        bad(
            field,
            raw,
            "must be a whole number.",
            "يجب أن يكون عدداً صحيحاً.",
        )
    })
}

impl Period {
    /// Parses path segments (`2020`, `2020/8`, `2020/08/22`); `this_year` is
    /// the current year in the newsroom (archives reach at most one year ahead).
    pub fn parse(
        year: &str,
        month: Option<&str>,
        day: Option<&str>,
        this_year: i32,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let y = number("year", year, 4).map(|y| y as i32);
        if let Ok(y) = y {
            if !(MIN_YEAR..=this_year + 1).contains(&y) {
                errors.push(FieldError::new(
                    "year",
                    "out_of_range",
                    format!("year must be between {MIN_YEAR} and {}.", this_year + 1),
                    format!("يجب أن تكون السنة بين {MIN_YEAR} و{}.", this_year + 1),
                ));
            }
        }
        let m = month.map(|m| {
            number("month", m, 2).and_then(|v| {
                if (1..=12).contains(&v) {
                    Ok(v)
                } else {
                    Err(bad(
                        "month",
                        m,
                        "must be between 1 and 12.",
                        "يجب أن يكون الشهر بين 1 و12.",
                    ))
                }
            })
        });
        let d = day.map(|d| {
            number("day", d, 2).and_then(|v| {
                if (1..=31).contains(&v) {
                    Ok(v)
                } else {
                    Err(bad(
                        "day",
                        d,
                        "must be between 1 and 31.",
                        "يجب أن يكون اليوم بين 1 و31.",
                    ))
                }
            })
        });
        let y = y.map_err(|e| errors.push(e)).ok();
        let m = m.transpose().map_err(|e| errors.push(e)).ok().flatten();
        let d = d.transpose().map_err(|e| errors.push(e)).ok().flatten();
        if !errors.is_empty() {
            return Err(errors);
        }
        let y = y.expect("checked");
        Ok(match (m, d) {
            (None, _) => Period::Year(y),
            (Some(m), None) => Period::Month(y, m),
            (Some(m), Some(d)) => match NaiveDate::from_ymd_opt(y, m, d) {
                Some(date) => Period::Day(date),
                None => {
                    let raw = format!("{y}-{m:02}-{d:02}");
                    return Err(vec![bad(
                        "day",
                        &raw,
                        "is not a day of the calendar.",
                        "ليس يوماً في التقويم.",
                    )]);
                }
            },
        })
    }

    /// The first and the day after the last local day of the period.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
        match self {
            Period::Year(y) => (ymd(y, 1, 1), ymd(y + 1, 1, 1)),
            Period::Month(y, 12) => (ymd(y, 12, 1), ymd(y + 1, 1, 1)),
            Period::Month(y, m) => (ymd(y, m, 1), ymd(y, m + 1, 1)),
            Period::Day(d) => (d, d + Duration::days(1)),
        }
    }

    /// `[from, until)` in UTC: the instants whose local date is in the period.
    pub fn bounds(self, tz: Tz) -> (NaiveDateTime, NaiveDateTime) {
        let (first, after) = self.days();
        (start_of_day(first, tz), start_of_day(after, tz))
    }
}

/// The first UTC instant of a local day. Local midnight may not exist (where
/// a DST change skips it, as Damascus's did until 2022) or may exist twice.
pub fn start_of_day(day: NaiveDate, tz: Tz) -> NaiveDateTime {
    let mut local = day.and_time(NaiveTime::MIN);
    // A gap is at most a few hours; step through it a minute at a time.
    for _ in 0..(24 * 60) {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.naive_utc();
        }
        local += Duration::minutes(1);
    }
    day.and_time(NaiveTime::MIN)
}

/// The local day of a UTC instant, as `yyyymmdd` (what `published_day` stores).
pub fn local_day(at: NaiveDateTime, tz: Tz) -> i32 {
    let d = at.and_utc().with_timezone(&tz).date_naive();
    d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32
}

/// A `from` or `to` bound of a list: a date (`2020-08-22`, a local day) or a
/// date-time (RFC 3339). Returns the UTC instant where an inclusive `from`
/// starts, or where an inclusive `to` stops (exclusive: the next instant).
pub fn parse_bound(raw: &str, tz: Tz, upper: bool) -> Option<NaiveDateTime> {
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        if !(MIN_YEAR..=9999).contains(&date.year()) || raw.len() != 10 {
            return None;
        }
        let day = if upper { date.succ_opt()? } else { date };
        return Some(start_of_day(day, tz));
    }
    let at = DateTime::parse_from_rfc3339(raw).ok()?.naive_utc();
    if !(MIN_YEAR..=9999).contains(&at.year()) {
        return None;
    }
    Some(if upper {
        at + Duration::microseconds(1)
    } else {
        at
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Damascus;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn periods_parse_unpadded_and_refuse_impossible_dates() {
        let p = |y, m, d| Period::parse(y, m, d, 2026);
        assert_eq!(p("2020", None, None), Ok(Period::Year(2020)));
        assert_eq!(p("2020", Some("8"), None), Ok(Period::Month(2020, 8)));
        assert_eq!(
            p("2020", Some("8"), Some("22")),
            Ok(Period::Day(NaiveDate::from_ymd_opt(2020, 8, 22).unwrap()))
        );
        assert_eq!(
            p("2020", Some("08"), Some("02")),
            p("2020", Some("8"), Some("2"))
        );
        assert!(p("2020", Some("2"), Some("29")).is_ok(), "a leap day");
        for (y, m, d) in [
            ("2021", Some("2"), Some("29")),
            ("2020", Some("0"), None),
            ("2020", Some("13"), None),
            ("2020", Some("1"), Some("32")),
            ("2020", Some("1"), Some("0")),
            ("twenty", None, None),
            ("1899", None, None),
            ("2028", None, None),
            ("-2020", None, None),
            ("2020", Some("x"), None),
            ("2020", Some("4"), Some("31")),
        ] {
            assert!(p(y, m, d).is_err(), "{y}/{m:?}/{d:?}");
        }
        assert!(p("2027", None, None).is_ok(), "next year is allowed");
        // Every bad segment is listed.
        assert_eq!(p("x", Some("13"), Some("40")).unwrap_err().len(), 3);
    }

    #[test]
    fn local_days_in_damascus() {
        // 2020-08-21T22:30Z is 01:30 on the 22nd in Damascus (UTC+3 that summer).
        assert_eq!(local_day(at("2020-08-21 22:30:00"), Damascus), 20200822);
        assert_eq!(local_day(at("2020-08-21 20:59:59"), Damascus), 20200821);
        // Winter: UTC+2.
        assert_eq!(local_day(at("2020-01-14 22:00:00"), Damascus), 20200115);
        assert_eq!(local_day(at("2020-01-14 21:59:59"), Damascus), 20200114);
        let (from, until) =
            Period::Day(NaiveDate::from_ymd_opt(2020, 8, 22).unwrap()).bounds(Damascus);
        assert_eq!(from, at("2020-08-21 21:00:00"));
        assert_eq!(until, at("2020-08-22 21:00:00"));
    }

    #[test]
    fn a_day_whose_midnight_a_dst_change_skipped_starts_when_it_exists() {
        // Damascus moved its clocks from 00:00 to 01:00 on 2020-03-27.
        let day = NaiveDate::from_ymd_opt(2020, 3, 27).unwrap();
        let start = start_of_day(day, Damascus);
        assert_eq!(local_day(start, Damascus), 20200327);
        assert_eq!(local_day(start - Duration::seconds(1), Damascus), 20200326);
        let (from, until) = Period::Month(2020, 3).bounds(Damascus);
        assert_eq!(from, at("2020-02-29 22:00:00"));
        assert_eq!(until, at("2020-03-31 21:00:00"));
    }

    #[test]
    fn bounds_of_lists_are_inclusive() {
        assert_eq!(
            parse_bound("2020-08-22", Damascus, false),
            Some(at("2020-08-21 21:00:00"))
        );
        assert_eq!(
            parse_bound("2020-08-22", Damascus, true),
            Some(at("2020-08-22 21:00:00"))
        );
        assert_eq!(
            parse_bound("2020-08-22T09:00:00Z", Damascus, true),
            Some(at("2020-08-22 09:00:00") + Duration::microseconds(1))
        );
        assert_eq!(
            parse_bound("2020-08-22T12:00:00+03:00", Damascus, false),
            Some(at("2020-08-22 09:00:00"))
        );
        for bad in [
            "",
            "2020-8-22",
            "2021-02-29",
            "yesterday",
            "1800-01-01",
            "2020-08-22T25:00:00Z",
        ] {
            assert_eq!(parse_bound(bad, Damascus, false), None, "{bad}");
        }
    }
}
