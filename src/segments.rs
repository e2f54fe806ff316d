//! Segments built from purchase history: whether a rule holds for a customer at
//! `now`, and since when, so that per-customer validity windows ("24 hours after
//! joining") work for segments the engine derives itself.

use crate::history::History;
use crate::model::{Rule, Timestamp};

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
