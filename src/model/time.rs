//! Points in time, calendar spans, and the merchant's clock: times of day, weekdays
//! and the offsets of a time zone.
//!
//! `now` always arrives as an input; nothing here reads a clock, and nothing here
//! holds a time zone database: a bundle carries its zone's offsets.

use std::fmt::{self, Write};

use crate::error::{Error, ErrorCode};
use crate::json::read::{text, Json, Path};
use crate::json::{FromJson, Quoted, ToJson};
use chrono::{DateTime, Days, FixedOffset, Months, SecondsFormat, TimeDelta, Utc};
use serde::{Serialize, Serializer};

/// An RFC 3339 date-time with an explicit offset (`2026-11-22T10:00:00+05:30`).
/// Printed back in UTC (`2026-11-22T04:30:00Z`) so output never depends on offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct Timestamp(pub DateTime<FixedOffset>);

impl Timestamp {
    /// Parses RFC 3339 strictly; the error is a message for an `invalid_date` error.
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        DateTime::parse_from_rfc3339(text)
            .map(Timestamp)
            .map_err(|e| {
                format!(
                    "{} is not an RFC 3339 date-time with offset ({e})",
                    Quoted(text)
                )
            })
    }

    /// This instant plus `span` (calendar months first, then fixed units);
    /// `None` past chrono's range.
    pub fn plus(self, span: &Span) -> Option<Timestamp> {
        let t = self
            .0
            .checked_add_months(Months::new(span.months.unwrap_or(0)))?;
        let t = t.checked_add_days(Days::new(
            u64::from(span.weeks.unwrap_or(0)) * 7 + u64::from(span.days.unwrap_or(0)),
        ))?;
        t.checked_add_signed(span.clock_part()).map(Timestamp)
    }

    /// The instant `seconds` after 1970-01-01T00:00:00Z (in UTC); `None` outside
    /// chrono's range.
    pub fn from_unix_seconds(seconds: i64) -> Option<Timestamp> {
        DateTime::from_timestamp(seconds, 0).map(|t| Timestamp(t.fixed_offset()))
    }

    /// Whole seconds since 1970-01-01T00:00:00Z, rounded down.
    pub fn unix_seconds(self) -> i64 {
        self.0.timestamp()
    }

    /// This instant minus `span`; `None` before chrono's range (treat as "since forever").
    pub fn minus(self, span: &Span) -> Option<Timestamp> {
        let t = self
            .0
            .checked_sub_months(Months::new(span.months.unwrap_or(0)))?;
        let t = t.checked_sub_days(Days::new(
            u64::from(span.weeks.unwrap_or(0)) * 7 + u64::from(span.days.unwrap_or(0)),
        ))?;
        t.checked_sub_signed(span.clock_part()).map(Timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .0
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromJson for Timestamp {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        let text = text(
            value,
            at,
            "an RFC 3339 date-time such as \"2026-11-22T10:00:00+05:30\"",
        )?;
        Timestamp::parse(text).map_err(|message| at.error(ErrorCode::InvalidDate, message))
    }

    fn placeholder() -> Self {
        Timestamp(DateTime::default())
    }
}

impl ToJson for Timestamp {
    /// RFC 3339 in UTC; nothing in it needs escaping.
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "\"{self}\"");
    }
}

/// A calendar span such as `{ "days": 90 }`, `{ "hours": 36 }` or `{ "months": 6 }`.
/// Months are calendar months (clamped to the month's last day); the others are fixed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Span {
    /// Calendar months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// Weeks of 7 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<u32>,
    /// Days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
    /// Minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

impl Span {
    /// True when every part is absent or zero.
    pub fn is_zero(&self) -> bool {
        [self.months, self.weeks, self.days, self.hours, self.minutes]
            .iter()
            .all(|p| p.unwrap_or(0) == 0)
    }

    fn clock_part(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.hours.unwrap_or(0)))
            + TimeDelta::minutes(i64::from(self.minutes.unwrap_or(0)))
    }

    /// English for messages: "90 days", "1 day 12 hours".
    pub fn describe(&self) -> String {
        let parts = [
            (self.months, "month"),
            (self.weeks, "week"),
            (self.days, "day"),
            (self.hours, "hour"),
            (self.minutes, "minute"),
        ];
        let mut words = String::new();
        for (n, unit) in parts {
            let n = n.unwrap_or(0);
            if n == 0 {
                continue;
            }
            if !words.is_empty() {
                words.push(' ');
            }
            words.push_str(&n.to_string());
            words.push(' ');
            words.push_str(unit);
            if n > 1 {
                words.push('s');
            }
        }
        words
    }
}

/// `"HH:MM"` as hours and minutes, two digits each; `None` for any other text.
fn hours_minutes(text: &str) -> Option<(u32, u32)> {
    let b = text.as_bytes();
    let digit = |i: usize| b[i].is_ascii_digit().then(|| u32::from(b[i] - b'0'));
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    Some((digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?))
}

/// A time of day on the merchant's clock, `"HH:MM"` from `"00:00"` to `"24:00"` (the
/// end of the day, which only a schedule window's `to` may name). Whole minutes:
/// opening hours are written in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct ClockTime(u16);

impl ClockTime {
    /// Midnight at the start of the day, `"00:00"`.
    pub const START_OF_DAY: ClockTime = ClockTime(0);
    /// Midnight at the end of the day, `"24:00"`.
    pub const END_OF_DAY: ClockTime = ClockTime(24 * 60);

    /// The time `minutes` after midnight; `None` past `"24:00"`.
    pub fn from_minutes(minutes: u32) -> Option<ClockTime> {
        u16::try_from(minutes)
            .ok()
            .filter(|m| *m <= 24 * 60)
            .map(ClockTime)
    }

    /// Minutes since midnight, 0 to 1440.
    pub fn minutes(self) -> u32 {
        u32::from(self.0)
    }

    /// Parses `"HH:MM"`, `"00:00"` to `"24:00"`.
    pub fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = hours_minutes(text)?;
        if m > 59 {
            return None;
        }
        ClockTime::from_minutes(h * 60 + m)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromJson for ClockTime {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        let text = text(value, at, "a time of day such as \"17:30\"")?;
        ClockTime::parse(text).ok_or_else(|| {
            at.error(
                ErrorCode::InvalidValue,
                format!(
                    "{} is not a time of day from \"00:00\" to \"24:00\"",
                    Quoted(text)
                ),
            )
        })
    }

    fn placeholder() -> Self {
        ClockTime::START_OF_DAY
    }
}

impl ToJson for ClockTime {
    /// `"HH:MM"`; nothing in it needs escaping.
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "\"{self}\"");
    }
}

/// A day of the week, `"mon"` to `"sun"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Every day, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The weekday of a day counted from 1970-01-01, which was a Thursday.
    pub fn of_day(day: i64) -> Weekday {
        // rem_euclid keeps days before 1970 in 0..7.
        Weekday::ALL[(day + 3).rem_euclid(7) as usize]
    }

    /// The English name: "Monday".
    pub fn name(self) -> &'static str {
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][self as usize]
    }
}

/// An offset from UTC, `"+05:30"` or `"-03:00"` (sign, hours 00 to 23, minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// The offset of `seconds` east of UTC, in whole minutes under a day; `None` otherwise.
    pub fn from_seconds(seconds: i32) -> Option<UtcOffset> {
        (seconds % 60 == 0 && seconds.abs() < 24 * 3600).then_some(UtcOffset(seconds))
    }

    /// Seconds east of UTC.
    pub fn seconds(self) -> i32 {
        self.0
    }

    /// Parses `"+HH:MM"` or `"-HH:MM"`.
    pub fn parse(text: &str) -> Option<UtcOffset> {
        let sign = match text.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let (h, m) = hours_minutes(text.get(1..)?)?;
        if h > 23 || m > 59 {
            return None;
        }
        UtcOffset::from_seconds(sign * (h * 3600 + m * 60) as i32)
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { '-' } else { '+' };
        let minutes = self.0.unsigned_abs() / 60;
        write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl Serialize for UtcOffset {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromJson for UtcOffset {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        let text = text(value, at, "an offset such as \"+05:30\"")?;
        UtcOffset::parse(text).ok_or_else(|| {
            at.error(
                ErrorCode::InvalidValue,
                format!(
                    "{} is not an offset from UTC such as \"+05:30\" or \"-03:00\"",
                    Quoted(text)
                ),
            )
        })
    }

    fn placeholder() -> Self {
        UtcOffset(0)
    }
}

impl ToJson for UtcOffset {
    /// `"+HH:MM"`; nothing in it needs escaping.
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "\"{self}\"");
    }
}

/// The merchant's time zone as the bundle carries it: its name, and the offsets in
/// force over the bundle's life, which whoever signs the bundle computes from a time
/// zone database (the order server, `coupon-engine sign`). The engine has no such
/// database: it reads the offset of an instant from this list.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct TimeZone {
    /// The IANA name (`"Europe/Kyiv"`): for people, and for the tools that fill in
    /// `offsets`.
    pub name: String,
    /// From each instant on, the offset in force, ascending; before the first entry
    /// the first entry's offset, after the last the last's. Needed when a coupon has a
    /// schedule; the order server and `coupon-engine sign` fill it in from `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets: Option<Vec<ZoneOffset>>,
}

/// One entry of a zone's offsets: in force from `from` until the next entry's `from`.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ZoneOffset {
    /// The instant it takes effect.
    pub from: Timestamp,
    /// The offset from UTC.
    pub offset: UtcOffset,
}

impl TimeZone {
    /// The zone `name` with the offsets of `changes`: (seconds since 1970 UTC, offset
    /// in seconds east of UTC) from each instant on, ascending, as a time zone database
    /// gives them. `None` when an instant or an offset is out of range.
    pub fn with_offsets(
        name: &str,
        changes: impl IntoIterator<Item = (i64, i32)>,
    ) -> Option<TimeZone> {
        let offsets = changes
            .into_iter()
            .map(|(from, offset)| {
                Some(ZoneOffset {
                    from: Timestamp::from_unix_seconds(from)?,
                    offset: UtcOffset::from_seconds(offset)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(TimeZone {
            name: name.to_string(),
            offsets: Some(offsets),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn parses_offsets_and_prints_utc() {
        assert_eq!(
            ts("2026-11-22T10:00:00+05:30").to_string(),
            "2026-11-22T04:30:00Z"
        );
        for bad in [
            "2026-11-22",
            "2026-11-22T10:00:00",
            "2026-02-30T00:00:00Z",
            "yesterday",
            "2026-13-01T00:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spans_move_by_calendar_months_then_fixed_units() {
        let span = Span {
            months: Some(1),
            ..Span::default()
        };
        assert_eq!(
            ts("2024-03-31T00:00:00Z").minus(&span).unwrap().to_string(),
            "2024-02-29T00:00:00Z"
        );
        let span = Span {
            days: Some(1),
            hours: Some(12),
            ..Span::default()
        };
        assert_eq!(
            ts("2026-11-22T00:00:00Z").plus(&span).unwrap().to_string(),
            "2026-11-23T12:00:00Z"
        );
        assert_eq!(span.describe(), "1 day 12 hours");
        let huge = Span {
            months: Some(u32::MAX),
            ..Span::default()
        };
        assert!(ts("2026-11-22T00:00:00Z").minus(&huge).is_none());
    }
}
