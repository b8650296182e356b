//! Timestamps read from SQLite without a format string.
//!
//! SQLite keeps a timestamp as text (`YYYY-MM-DD HH:MM:SS[.ffffff]`, as
//! Diesel writes it). Diesel parses it by trying chrono format strings, and
//! chrono walks each format's items for every value: 3% of a feed's CPU and
//! 2.5% of a list page's (three timestamps per article). This reads the form
//! Diesel writes by hand and hands anything else to Diesel. Hand-written
//! because neither Diesel nor chrono has a fixed-layout parser for it.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::Sqlite;

/// A `TIMESTAMP` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct StoredTime(pub NaiveDateTime);

/// A nullable `TIMESTAMP` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct StoredOptTime(pub Option<NaiveDateTime>);

impl From<StoredTime> for NaiveDateTime {
    fn from(time: StoredTime) -> NaiveDateTime {
        time.0
    }
}

impl From<StoredOptTime> for Option<NaiveDateTime> {
    fn from(time: StoredOptTime) -> Option<NaiveDateTime> {
        time.0
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional `.` and 1–9 digits; `None` for
/// anything else (or an impossible date), which Diesel then parses.
fn parse_stored(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(20..b.len())? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let time =
        NaiveTime::from_hms_nano_opt(number(11..13)?, number(14..16)?, number(17..19)?, nanos)?;
    Some(NaiveDateTime::new(date, time))
}

impl FromSql<Timestamp, Sqlite> for StoredTime {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if let Some(time) = parse_stored(value.read_text()) {
            return Ok(StoredTime(time));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(StoredTime)
    }
}

impl FromSql<Timestamp, Pg> for StoredTime {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(StoredTime)
    }
}

impl FromSql<Timestamp, super::MultiBackend> for StoredTime {
    fn from_sql(
        value: <super::MultiBackend as Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        value.from_sql::<StoredTime, Timestamp>()
    }
}

impl<DB: Backend> FromSql<Nullable<Timestamp>, DB> for StoredOptTime
where
    StoredTime: FromSql<Timestamp, DB>,
{
    fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
        <StoredTime as FromSql<Timestamp, DB>>::from_sql(value).map(|t| StoredOptTime(Some(t.0)))
    }

    fn from_nullable_sql(value: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
        match value {
            Some(value) => Self::from_sql(value),
            None => Ok(StoredOptTime(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_parse(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%F %T%.f").ok()
    }

    #[test]
    fn the_stored_form_parses_as_chrono_does() {
        for text in [
            "2026-12-05 19:13:30",
            "2020-08-21 22:30:00.5",
            "2020-08-21 22:30:00.123456",
            "2020-08-21 22:30:00.123456789",
            "2020-02-29 00:00:00",
            "1999-12-31 23:59:59.000001",
        ] {
            assert_eq!(parse_stored(text), chrono_parse(text), "{text}");
            assert!(parse_stored(text).is_some(), "{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_diesel() {
        for text in [
            "2021-02-29 00:00:00",
            "2020-13-01 00:00:00",
            "2020-08-21T22:30:00",
            "2020-08-21 22:30",
            "2020-08-21 22:30:00.",
            "2020-08-21 22:30:00.1234567890",
            "2020-08-21 22:30:00Z",
            "2020-08-21 24:00:00",
            "+2020-08-21 22:30:00",
            "2459000.5",
            "",
        ] {
            assert_eq!(parse_stored(text), None, "{text}");
        }
    }
}
