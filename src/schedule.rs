//! Schedules: whether a coupon's weekly hours are open at an instant on the merchant's
//! clock, and when that next changes. The clock is the bundle's time zone as the
//! offsets in force from given instants on; there is no time zone database here.
//!
//! Instants are whole seconds since 1970-01-01T00:00:00Z; a "local" time is an instant
//! plus the offset in force then, so its days and seconds are the merchant's calendar.

use crate::model::{ClockTime, Hours, ReasonKind, TimeZone, Timestamp, Weekday};

const DAY: i64 = 86_400;

/// How far ahead the next opening or closing is looked for, in days: two weeks and a
/// day, so that a weekly schedule's next opening is found even when a change of
/// offset skips one week's hours. A zone's offsets must reach this far past the
/// bundle's life (README, "Schedules").
pub const HORIZON_DAYS: i64 = 15;

/// The offset in force at instant `t`, in seconds, and the instant the next one takes
/// effect, from a zone's changes (instant, offset), ascending. Before the first entry
/// the first entry's offset holds, after the last the last's.
fn offset_at(changes: &[(i64, i64)], t: i64) -> (i64, Option<i64>) {
    let i = changes.partition_point(|c| c.0 <= t);
    let offset = changes.get(i.saturating_sub(1)).map_or(0, |c| c.1);
    (offset, changes.get(i).map(|c| c.0))
}

/// Whether any window is open at `local`, the merchant's clock in seconds since
/// 1970-01-01T00:00 there: today's, or yesterday's that runs past midnight.
fn open_at(windows: &[Hours], local: i64) -> bool {
    let (day, second) = (local.div_euclid(DAY), local.rem_euclid(DAY));
    windows.iter().any(|w| {
        let (from, to) = (i64::from(w.from) * 60, i64::from(w.to) * 60);
        (w.on(Weekday::of_day(day)) && from <= second && second < to)
            || (w.on(Weekday::of_day(day - 1)) && second + DAY < to)
    })
}

/// The first instant from `now` on, before `until`, at which the schedule is `open`
/// (or closed). Between two changes of offset the local clock runs with the instant,
/// so within each such stretch the state changes only where a window opens or closes
/// on the local clock; at the start of each stretch the clock jumps and the state is
/// read afresh.
fn next(
    windows: &[Hours],
    changes: &[(i64, i64)],
    now: i64,
    open: bool,
    until: i64,
) -> Option<i64> {
    let mut start = now;
    while start < until {
        let (offset, change) = offset_at(changes, start);
        let end = change.map_or(until, |c| c.min(until));
        let (low, high) = (start + offset, end + offset);
        if open_at(windows, low) == open {
            return Some(start);
        }
        // The first place inside this stretch, on the local clock, where a window opens
        // (or closes, leaving none open: one may close while another is open); a window
        // past midnight closes on the day after its own.
        let mut first: Option<i64> = None;
        for day in low.div_euclid(DAY) - 1..=high.div_euclid(DAY) {
            for w in windows.iter().filter(|w| w.on(Weekday::of_day(day))) {
                let edge = day * DAY + i64::from(if open { w.from } else { w.to }) * 60;
                if low < edge
                    && edge < high
                    && first.is_none_or(|f| edge < f)
                    && open_at(windows, edge) == open
                {
                    first = Some(edge);
                }
            }
        }
        if let Some(edge) = first {
            return Some(edge - offset);
        }
        start = end;
    }
    None
}

/// Checks a schedule (its windows' texts, validated) at `now` on the zone's clock,
/// within the coupon's active window ending at `end`. Open: when the offer next stops,
/// the earlier of its hours closing (within [`HORIZON_DAYS`]) and `end`. Closed: the
/// reason, with when it next opens before `end`, on the merchant's clock.
// Out of line: inlined into the check of every coupon, it slowed the coupons
// without a schedule.
#[inline(never)]
pub fn check(
    schedule: &[String],
    zone: &TimeZone,
    now: Timestamp,
    end: Option<Timestamp>,
) -> Result<Option<Timestamp>, ReasonKind> {
    let windows = Hours::all(schedule).unwrap_or_default();
    let changes = zone.changes().unwrap_or_default();
    let t = now.unix_seconds();
    let local = |t: i64| t + offset_at(&changes, t).0;
    let open = open_at(&windows, local(t));
    let horizon = t + HORIZON_DAYS * DAY;
    let until = end.map_or(horizon, |e| e.unix_seconds().min(horizon));
    let change = next(&windows, &changes, t, !open, until).and_then(|at| {
        let utc = chrono::DateTime::from_timestamp(at, 0)?;
        Some((Timestamp(utc.fixed_offset()), local(at)))
    });
    let Some((at, l)) = change else {
        return if open {
            Ok(end)
        } else {
            Err(ReasonKind::ScheduleEnded {})
        };
    };
    if open {
        return Ok(Some(at));
    }
    let day = l.div_euclid(DAY);
    Err(ReasonKind::OutsideSchedule {
        opens_at: at,
        day: Weekday::CODES[Weekday::of_day(day)].to_string(),
        time: ClockTime::text((l - day * DAY) as u32 / 60),
        in_days: u32::try_from(day - local(t).div_euclid(DAY)).unwrap_or_default(),
    })
}

/// The span, in seconds since 1970, that the offsets of a bundle issued at `issued`
/// and expiring at `expires` cover: from a day before its issue (a device whose clock
/// runs behind) to 31 days after its expiry, which is the [`HORIZON_DAYS`] cards look
/// ahead for a page that goes on evaluating with its engine for two weeks after the
/// bundle expired. A zone changes its offset at most a few times in such a span.
pub fn offsets_span(issued: i64, expires: i64) -> (i64, i64) {
    (
        issued.saturating_sub(DAY),
        expires.saturating_add((HORIZON_DAYS + 16) * DAY),
    )
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::model::{ReasonKind, TimeZone, Timestamp};
    use crate::read_json;

    /// Kyiv in 2026: +02:00, summer time (+03:00) from 29 March 01:00 UTC to 25
    /// October 01:00 UTC.
    fn kyiv() -> TimeZone {
        read_json(
            "zone",
            r#"{"name": "Europe/Kyiv", "offsets": [
                "2026-01-01T02:00:00+02:00", "2026-03-29T04:00:00+03:00", "2026-10-25T03:00:00+02:00"]}"#,
        )
        .unwrap()
    }

    fn windows(texts: &[&str]) -> Vec<String> {
        texts.iter().map(ToString::to_string).collect()
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// When it opens, the day, the time and the days ahead.
    type Opening = (Option<String>, Option<String>, Option<String>, Option<u32>);

    /// Open: when it closes. Closed: when it opens, and the day, time and days ahead
    /// on the merchant's clock.
    fn standing(
        schedule: &[String],
        now: &str,
        end: Option<&str>,
    ) -> Result<Option<String>, Opening> {
        match check(schedule, &kyiv(), at(now), end.map(at)) {
            Ok(closes) => Ok(closes.map(|t| t.to_string())),
            Err(ReasonKind::OutsideSchedule {
                opens_at,
                day,
                time,
                in_days,
            }) => Err((
                Some(opens_at.to_string()),
                Some(day),
                Some(time),
                Some(in_days),
            )),
            Err(ReasonKind::ScheduleEnded {}) => Err((None, None, None, None)),
            Err(other) => panic!("{other:?}"),
        }
    }

    fn opens(at: &str, day: &str, time: &str, in_days: u32) -> Result<Option<String>, Opening> {
        Err((
            Some(at.to_string()),
            Some(day.to_string()),
            Some(time.to_string()),
            Some(in_days),
        ))
    }

    #[test]
    fn happy_hour_follows_kyivs_clock_across_both_changes() {
        let happy = windows(&["17:00-20:00"]);
        // Saturday 28 March, 16:30 in Kyiv (+02:00): opens at 17:00 there.
        assert_eq!(
            standing(&happy, "2026-03-28T14:30:00Z", None),
            opens("2026-03-28T15:00:00Z", "sat", "17:00", 0)
        );
        // The next day, summer time (+03:00): 17:00 there is an hour earlier in UTC.
        assert_eq!(
            standing(&happy, "2026-03-29T13:30:00Z", None),
            opens("2026-03-29T14:00:00Z", "sun", "17:00", 0)
        );
        assert_eq!(
            standing(&happy, "2026-03-29T14:30:00Z", None),
            Ok(Some("2026-03-29T17:00:00Z".to_string()))
        );
        // Saturday evening after it closed, before the change: opens tomorrow at
        // 17:00 summer time.
        assert_eq!(
            standing(&happy, "2026-03-28T19:00:00Z", None),
            opens("2026-03-29T14:00:00Z", "sun", "17:00", 1)
        );
        // October: 14:00 UTC is 17:00 on Saturday (+03:00), 16:00 on Sunday (+02:00).
        assert_eq!(
            standing(&happy, "2026-10-24T14:00:00Z", None),
            Ok(Some("2026-10-24T17:00:00Z".to_string()))
        );
        assert_eq!(
            standing(&happy, "2026-10-25T14:00:00Z", None),
            opens("2026-10-25T15:00:00Z", "sun", "17:00", 0)
        );
    }

    #[test]
    fn hours_the_spring_change_skips_open_when_the_clock_jumps_into_them() {
        // At 03:00 on 29 March Kyiv's clocks jump to 04:00.
        let skipped = windows(&["sun 03:15-03:45"]);
        assert_eq!(
            standing(&skipped, "2026-03-28T12:00:00Z", None),
            opens("2026-04-05T00:15:00Z", "sun", "03:15", 8)
        );
        let straddling = windows(&["sun 03:30-04:30"]);
        assert_eq!(
            standing(&straddling, "2026-03-28T12:00:00Z", None),
            opens("2026-03-29T01:00:00Z", "sun", "04:00", 1)
        );
    }

    #[test]
    fn hours_the_autumn_change_repeats_open_twice() {
        // At 04:00 on 25 October Kyiv's clocks go back to 03:00: 03:00 to 03:30 comes
        // at 00:00 UTC (+03:00) and again at 01:00 UTC (+02:00).
        let early = windows(&["sun 03:00-03:30"]);
        assert_eq!(
            standing(&early, "2026-10-25T00:10:00Z", None),
            Ok(Some("2026-10-25T00:30:00Z".to_string()))
        );
        assert_eq!(
            standing(&early, "2026-10-25T00:45:00Z", None),
            opens("2026-10-25T01:00:00Z", "sun", "03:00", 0)
        );
    }

    #[test]
    fn a_window_past_midnight_belongs_to_the_day_it_starts() {
        let late = windows(&["fri 22:00-02:00"]);
        // Saturday 5 December, 01:00 in Kyiv (+02:00): Friday's window is still open.
        assert_eq!(
            standing(&late, "2026-12-04T23:00:00Z", None),
            Ok(Some("2026-12-05T00:00:00Z".to_string()))
        );
        // Saturday 22:30: Saturday has no window; Friday next.
        assert_eq!(
            standing(&late, "2026-12-05T20:30:00Z", None),
            opens("2026-12-11T20:00:00Z", "fri", "22:00", 6)
        );
    }

    #[test]
    fn windows_that_meet_close_together_and_the_end_of_the_offer_stops_the_search() {
        let evening = windows(&["mon 17:00-20:00", "mon 20:00-22:00"]);
        // Monday 7 December, 18:00 in Kyiv: open until 22:00.
        assert_eq!(
            standing(&evening, "2026-12-07T16:00:00Z", None),
            Ok(Some("2026-12-07T20:00:00Z".to_string()))
        );
        // After it closed, with the offer ending on Sunday: it does not open again.
        assert_eq!(
            standing(
                &evening,
                "2026-12-07T21:00:00Z",
                Some("2026-12-13T22:00:00Z")
            ),
            Err((None, None, None, None))
        );
        // Open every hour of the week: it never closes within the horizon.
        let always = windows(&["mon-sun"]);
        assert_eq!(standing(&always, "2026-12-07T21:00:00Z", None), Ok(None));
    }

    #[test]
    fn before_the_first_offset_the_first_holds() {
        let morning = windows(&["09:00-10:00"]);
        // 2025-12-31, 06:30 UTC is 08:30 at +02:00.
        assert_eq!(
            standing(&morning, "2025-12-31T06:30:00Z", None),
            opens("2025-12-31T07:00:00Z", "wed", "09:00", 0)
        );
    }
}

#[cfg(test)]
mod hours {
    use crate::model::Hours;

    #[test]
    fn windows_read_days_ranges_and_times() {
        let hours = |text| Hours::parse(text).map(|h| (h.days, h.from, h.to));
        assert_eq!(hours("17:00-20:00"), Some((0x7f, 1020, 1200)));
        assert_eq!(hours("sat,sun"), Some((0x60, 0, 1440)));
        assert_eq!(hours("mon-fri 09:00-17:00"), Some((0x1f, 540, 1020)));
        // A range wraps round the week; a window past midnight closes the next day.
        assert_eq!(hours("fri-mon 22:00-02:00"), Some((0x71, 1320, 1560)));
        assert_eq!(hours("tue 00:00-24:00"), Some((0x02, 0, 1440)));
        for bad in [
            "",
            "saturday",
            "sat sun",
            "sat,",
            "17:00",
            "17:00-17:00",
            "24:00-02:00",
            "17:00-25:00",
            "sat  17:00-20:00",
            "sat 17:00-20:00 x",
            "7:00-9:00",
            "00:00-00:00",
        ] {
            assert_eq!(hours(bad), None, "{bad}");
        }
    }
}
