//! Segments built from purchase history: whether a rule holds for a customer at
//! `now`, and since when, so that per-customer validity windows ("24 hours after
//! joining") work for segments the engine derives itself.

use crate::history::History;
use crate::model::{CourseProgress, Order, ReasonKind, Rule, Timestamp};
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
            qualifying(history, product_ids.as_deref())
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
        } => match course(history, course_id) {
            Some(p) if p.percent >= *min_percent => {
                p.updated_at.map_or(Joined::Undated, Joined::At)
            }
            _ => Joined::No,
        },
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

/// The orders a `purchased` rule counts, oldest first: every order, or those with one
/// of `product_ids`.
fn qualifying<'h>(
    history: &'h History,
    product_ids: Option<&'h [String]>,
) -> impl Iterator<Item = &'h Order> + 'h {
    history.orders.iter().copied().filter(move |o| {
        product_ids.is_none_or(|ids| o.items.iter().any(|it| ids.contains(&it.product_id)))
    })
}

/// The closest way for a customer to join a segment whose `rule` does not hold for
/// them, by something they can still do: place orders, buy a product, finish a course.
/// Returns how near they are, in millionths (0 to 1,000,000), and the rule's part that
/// is the step ([`step`] names it); `None` when every way needs what they cannot
/// change (`inactive`).
///
/// Closest: `any` takes its part with the highest fraction done (the first on a tie);
/// `all` names its first unmet part, is as near as its least-done unmet part, and has
/// no way when one of its unmet parts has none.
pub fn closest<'r>(rule: &'r Rule, history: &History, now: Timestamp) -> Option<(u32, &'r Rule)> {
    match rule {
        Rule::Any(rules) => {
            let mut best: Option<(u32, &Rule)> = None;
            for way in rules.iter().filter_map(|r| closest(r, history, now)) {
                if best.is_none_or(|b| way.0 > b.0) {
                    best = Some(way);
                }
            }
            best
        }
        Rule::All(rules) => {
            let mut first: Option<(u32, &Rule)> = None;
            for r in rules {
                if evaluate(r, history, now) == Joined::No {
                    let (near, part) = closest(r, history, now)?;
                    first = Some(first.map_or((near, part), |(n, p)| (n.min(near), p)));
                }
            }
            first
        }
        part => {
            let (current, required) = standing(part, history)?;
            // Floored; a required count or percent of zero is always met.
            let near = current.clamp(0, required) * 1_000_000 / required.max(1);
            Some((u32::try_from(near).unwrap_or(0), part))
        }
    }
}

/// Where the customer stands toward a rule part they can meet themselves, in whole
/// units (orders; ten-thousandths of a percent; a product bought or not), and what it
/// needs. Counts and percents are far below overflow when multiplied by a million.
fn standing(part: &Rule, history: &History) -> Option<(i64, i64)> {
    match part {
        Rule::Purchased {
            min_orders,
            product_ids,
        } => {
            let orders = qualifying(history, product_ids.as_deref()).count();
            Some((
                i64::try_from(orders).unwrap_or(i64::MAX),
                min_orders.unwrap_or(1).into(),
            ))
        }
        Rule::BoughtProduct { .. } => Some((0, 1)),
        Rule::CourseProgress {
            course_id,
            min_percent,
        } => Some((
            course(history, course_id).map_or(0, |c| c.percent.ten_thousandths()),
            min_percent.ten_thousandths(),
        )),
        _ => None,
    }
}

/// The customer's progress in `course_id`, if the summary reports any.
fn course<'h>(history: &History<'h>, course_id: &str) -> Option<&'h CourseProgress> {
    history
        .customer
        .courses
        .iter()
        .find(|c| c.course_id == course_id)
}

/// The reason that names `part` (from [`closest`]) as the step into its segment.
pub fn step(part: &Rule, history: &History) -> Option<ReasonKind> {
    Some(match part {
        Rule::Purchased {
            min_orders,
            product_ids,
        } => {
            let required = min_orders.unwrap_or(1);
            let orders = qualifying(history, product_ids.as_deref()).count();
            ReasonKind::MorePurchases {
                required,
                current: u32::try_from(orders).unwrap_or(u32::MAX).min(required),
                product_ids: product_ids.clone(),
            }
        }
        Rule::BoughtProduct {
            product_id,
            price_tier_id,
        } => ReasonKind::ProductNotBought {
            product_id: product_id.clone(),
            price_tier_id: price_tier_id.clone(),
        },
        Rule::CourseProgress {
            course_id,
            min_percent,
        } => {
            let progress = course(history, course_id);
            ReasonKind::CourseIncomplete {
                course_id: course_id.clone(),
                course_name: progress.and_then(|p| p.name.clone()),
                required: *min_percent,
                current: progress.map_or(Percent::ZERO, |p| p.percent),
            }
        }
        _ => return None,
    })
}
