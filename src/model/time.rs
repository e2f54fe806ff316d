//! Points in time and calendar spans.
//!
//! `now` always arrives as an input; nothing here reads a clock.

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
