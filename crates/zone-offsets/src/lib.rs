//! The offsets of a named time zone over a span of time, from a time zone database:
//! the system's copy (updated with the system) when there is one, else the copy
//! built in.
//!
//! The coupon engine reads a merchant's clock from offsets its bundle carries, as
//! it has no time zone database of its own (one would be most of its WebAssembly
//! module); whoever publishes a bundle, the order server or `coupon-engine sign`,
//! computes them here. Nothing here knows what the offsets are for.

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The offsets of zone `name` (an IANA name such as `"Europe/Kyiv"`) in force from
/// `from` to `until`, both in seconds since 1970-01-01T00:00:00Z: the offset at
/// `from`, then each change after it up to `until`, as (instant, seconds east of
/// UTC). A change that keeps the offset (only the zone's abbreviation changes) is
/// left out.
pub fn offsets(name: &str, from: i64, until: i64) -> Result<Vec<(i64, i32)>, String> {
    let zone = TimeZone::get(name).map_err(|e| format!("time zone {name:?}: {e}"))?;
    let start = Timestamp::from_second(from).map_err(|e| format!("{from}: {e}"))?;
    let mut out = vec![(from, zone.to_offset(start).seconds())];
    for change in zone.following(start) {
        let at = change.timestamp().as_second();
        if at > until {
            break;
        }
        let offset = change.offset().seconds();
        if out.last().is_some_and(|&(_, last)| last != offset) {
            out.push((at, offset));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::offsets;

    /// Seconds since 1970 of a UTC date-time written as RFC 3339.
    fn at(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn kyiv_changes_at_the_end_of_march_and_of_october() {
        let list = offsets(
            "Europe/Kyiv",
            at("2026-03-01T00:00:00Z"),
            at("2026-12-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            list,
            [
                (at("2026-03-01T00:00:00Z"), 2 * 3600),
                (at("2026-03-29T01:00:00Z"), 3 * 3600),
                (at("2026-10-25T01:00:00Z"), 2 * 3600),
            ]
        );
    }

    #[test]
    fn a_zone_without_changes_has_one_entry() {
        let from = at("2026-01-01T00:00:00Z");
        assert_eq!(
            offsets("Asia/Kolkata", from, from + 400 * 86_400).unwrap(),
            [(from, 5 * 3600 + 1800)]
        );
    }

    #[test]
    fn an_unknown_zone_is_an_error() {
        let err = offsets("Mars/Olympus_Mons", 0, 86_400).unwrap_err();
        assert!(err.starts_with("time zone \"Mars/Olympus_Mons\""), "{err}");
    }
}
