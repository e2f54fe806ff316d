//! Segments built from purchase history: whether a rule holds for a customer at
//! `now`, and since when, so that per-customer validity windows ("24 hours after
//! joining") work for segments the engine derives itself.

use crate::history::History;
use crate::model::{ReasonKind, Rule, Timestamp};
use crate::money::Percent;

/// Whether, and since when, a customer is in a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Not a member.
    No,
    /// A member since this instant.
    At(Timestamp),
    /// A member, but the history does not say since when (course progress without a date).
    Undated,
}

/// Evaluates a (validated, depth-bounded) rule.
///
/// Dates: `purchased` joins at the n-th qualifying order, `boughtProduct` at the first
/// matching order, `courseProgress` at the progress report, `inactive` when the
/// inactivity span ran out; `all` at the latest of its parts, `any` at the earliest.
pub fn evaluate(rule: &Rule, history: &History, now: Timestamp) -> Joined {
    match rule {
        Rule::All(rules) => {
            let mut latest = None;
            let mut undated = false;
            for r in rules {
                match evaluate(r, history, now) {
                    Joined::No => return Joined::No,
                    Joined::Undated => undated = true,
                    Joined::At(t) => latest = latest.max(Some(t)),
                }
            }
            match (undated, latest) {
                (false, Some(t)) => Joined::At(t),
                _ => Joined::Undated,
            }
        }
        Rule::Any(rules) => {
            let mut earliest: Option<Timestamp> = None;
            let mut member = false;
            for r in rules {
                match evaluate(r, history, now) {
                    Joined::No => {}
                    Joined::Undated => member = true,
                    Joined::At(t) => {
                        member = true;
                        earliest = Some(earliest.map_or(t, |e| e.min(t)));
                    }
                }
            }
            match (member, earliest) {
                (false, _) => Joined::No,
                (true, Some(t)) => Joined::At(t),
                (true, None) => Joined::Undated,
            }
        }
        Rule::Purchased {
            min_orders,
            product_ids,
        } => {
            // Oldest first, so the n-th qualifying order is where the customer joined.
            let needed = min_orders.unwrap_or(1) as usize;
            history
                .orders
                .iter()
                .filter(|o| {
                    product_ids
                        .as_ref()
                        .is_none_or(|ids| o.items.iter().any(|it| ids.contains(&it.product_id)))
                })
                .nth(needed - 1)
                .map_or(Joined::No, |o| Joined::At(o.placed_at))
        }
        Rule::BoughtProduct {
            product_id,
            price_tier_id,
        } => history
            .orders
            .iter()
            .find(|o| {
                o.items.iter().any(|it| {
                    &it.product_id == product_id
                        && price_tier_id
                            .as_ref()
                            .is_none_or(|tier| it.price_tier_id.as_ref() == Some(tier))
                })
            })
            .map_or(Joined::No, |o| Joined::At(o.placed_at)),
        Rule::CourseProgress {
            course_id,
            min_percent,
        } => {
            match history
                .customer
                .courses
                .iter()
                .find(|c| &c.course_id == course_id)
            {
                Some(p) if p.percent >= *min_percent => {
                    p.updated_at.map_or(Joined::Undated, Joined::At)
                }
                _ => Joined::No,
            }
        }
        Rule::Inactive {
            bought_before,
            inactive_for,
        } => {
            let Some(last) = history.times.last() else {
                return Joined::No;
            };
            let bought_early = bought_before
                .is_none_or(|before| history.times.first().is_some_and(|first| *first < before));
            match last.plus(inactive_for) {
                Some(until) if bought_early && until <= now => Joined::At(until),
                _ => Joined::No,
            }
        }
    }
}

/// How near a customer outside a segment is to joining it by their own doing, in
/// millionths (0 to 1,000,000), with the reason that names the step.
pub type Way = (u32, ReasonKind);

/// The closest way for a customer to join segment `segment_id`, whose `rule` does not
/// hold for them, by something they can still do: place orders, buy a product, finish
/// a course. `None` when every way needs what they cannot change (`inactive`).
///
/// Closest: `any` takes its part with the highest fraction done (the first on a tie);
/// `all` names its first unmet part, is as near as its least-done unmet part, and has
/// no way when one of its unmet parts has none.
pub fn closest(rule: &Rule, history: &History, now: Timestamp, segment_id: &str) -> Option<Way> {
    let segment_id = || segment_id.to_string();
    match rule {
        Rule::Any(rules) => {
            let mut best: Option<Way> = None;
            for way in rules
                .iter()
                .filter_map(|r| closest(r, history, now, &segment_id()))
            {
                if best.as_ref().is_none_or(|b| way.0 > b.0) {
                    best = Some(way);
                }
            }
            best
        }
        Rule::All(rules) => {
            let mut first: Option<Way> = None;
            for r in rules {
                if evaluate(r, history, now) != Joined::No {
                    continue;
                }
                let (near, reason) = closest(r, history, now, &segment_id())?;
                match &mut first {
                    Some(way) => way.0 = way.0.min(near),
                    None => first = Some((near, reason)),
                }
            }
            first
        }
        Rule::Purchased {
            min_orders,
            product_ids,
        } => {
            let required = min_orders.unwrap_or(1);
            let current = history
                .orders
                .iter()
                .filter(|o| {
                    product_ids
                        .as_ref()
                        .is_none_or(|ids| o.items.iter().any(|it| ids.contains(&it.product_id)))
                })
                .count();
            let current = u32::try_from(current).unwrap_or(u32::MAX).min(required);
            Some((
                millionths(current.into(), required.into()),
                ReasonKind::MorePurchases {
                    segment_id: segment_id(),
                    required,
                    current,
                    product_ids: product_ids.clone(),
                },
            ))
        }
        Rule::BoughtProduct {
            product_id,
            price_tier_id,
        } => Some((
            0,
            ReasonKind::ProductNotBought {
                segment_id: segment_id(),
                product_id: product_id.clone(),
                price_tier_id: price_tier_id.clone(),
            },
        )),
        Rule::CourseProgress {
            course_id,
            min_percent,
        } => {
            let progress = history
                .customer
                .courses
                .iter()
                .find(|c| &c.course_id == course_id);
            let current = progress.map_or(Percent::ZERO, |p| p.percent);
            Some((
                millionths(current.ten_thousandths(), min_percent.ten_thousandths()),
                ReasonKind::CourseIncomplete {
                    segment_id: segment_id(),
                    course_id: course_id.clone(),
                    course_name: progress.and_then(|p| p.name.clone()),
                    required: *min_percent,
                    current,
                },
            ))
        }
        Rule::Inactive { .. } => None,
    }
}

/// `part / whole` in millionths, floored; a whole of zero counts as done.
fn millionths(part: i64, whole: i64) -> u32 {
    if whole <= 0 {
        return 1_000_000;
    }
    // Counts below 2^32 and ten-thousandths of a percent: far below overflow.
    u32::try_from(part.clamp(0, whole) * 1_000_000 / whole).unwrap_or(1_000_000)
}
