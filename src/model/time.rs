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

/// A time of day on the merchant's clock, `"HH:MM"` from `"00:00"` to `"24:00"` (the
/// end of the day). Bundles hold it as text, read where it is used: a type of its own
/// would add a JSON reader to the WebAssembly module for a five-character string.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct ClockTime;

impl ClockTime {
    /// Minutes since midnight of `"HH:MM"` (as bytes), 0 to 1440; `None` for any other text.
    pub fn minutes(text: &[u8]) -> Option<u32> {
        let mut n = 0;
        for (i, &c) in text.iter().enumerate() {
            match (i, c) {
                (2, b':') => {}
                (0 | 1 | 3 | 4, b'0'..=b'9') => n = n * 10 + u32::from(c - b'0'),
                _ => return None,
            }
        }
        let (h, m) = (n / 100, n % 100);
        (text.len() == 5 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    }

    /// `"HH:MM"` of `minutes` since midnight.
    pub fn text(minutes: u32) -> String {
        format!("{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// A day of the week, `"mon"` to `"sun"`, as schedules and reasons write it.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(type = r#""mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun""#)
)]
pub struct Weekday;

impl Weekday {
    /// The days as written, Monday first.
    pub const CODES: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    /// Their English names, for messages.
    pub const NAMES: [&'static str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];

    /// The weekday (0 for Monday) of a day counted from 1970-01-01, a Thursday.
    pub fn of_day(day: i64) -> usize {
        // rem_euclid keeps days before 1970 in 0..7.
        (day + 3).rem_euclid(7) as usize
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
    /// The IANA name (`"Asia/Kolkata"`, `"Europe/Kyiv"`), as the runtime's `Intl` knows
    /// it: for people and the package's `localize`, and for the tools that fill in
    /// `offsets`. The engine never reads it.
    pub name: String,
    /// When the offset changes: each entry an RFC 3339 instant written with the offset
    /// in force from it on (`"2026-10-25T03:00:00+02:00"`: from 01:00 UTC that day the
    /// clock is 2 hours ahead), ascending. Before the first entry its offset holds,
    /// after the last the last's. Needed when a coupon has a schedule; the order server
    /// and `coupon-engine sign` fill it in from `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets: Option<Vec<String>>,
}

impl TimeZone {
    /// The offsets as (seconds since 1970 UTC, seconds east of UTC), in their order;
    /// `Err` with the index of the first entry that is not an RFC 3339 instant after
    /// the one before it.
    pub fn changes(&self) -> Result<Vec<(i64, i64)>, usize> {
        let mut changes: Vec<(i64, i64)> = Vec::new();
        for (i, text) in self.offsets.iter().flatten().enumerate() {
            let t = Timestamp::parse(text).map_err(|_| i)?.0;
            if changes.last().is_some_and(|l| l.0 >= t.timestamp()) {
                return Err(i);
            }
            changes.push((t.timestamp(), i64::from(t.offset().local_minus_utc())));
        }
        Ok(changes)
    }
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
                let utc = DateTime::from_timestamp(from, 0)?;
                let local = utc.with_timezone(&FixedOffset::east_opt(offset)?);
                Some(local.to_rfc3339_opts(SecondsFormat::AutoSi, false))
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
