//! Cards: turns verdicts and the selection into what the shopper sees, with progress
//! toward each threshold the shopper can close; their English is `messages`.

use crate::conditions::{status_of, Verdict};
use crate::facts::Facts;
use crate::messages;
use crate::model::{
    Card, CardStatus, Coupon, Discount, Progress, ProgressUnit, Reason, ReasonKind,
};
use crate::money::{write_minor_units, Amount, Currency, Money, Percent};
use crate::selection::{Combinations, Selection};

/// Builds one card per visible coupon and per hidden coupon whose code was entered,
/// sorted by status (applied first), then bundle order.
pub fn build(
    cx: &Combinations,
    verdicts: &mut [Verdict],
    candidates: &[usize],
    selection: &Selection,
    total_before: Money,
) -> Vec<Card> {
    let facts = cx.facts;
    let currency = facts.currency;
    let mut cards: Vec<Card> = Vec::new();
    for (index, (coupon, verdict)) in cx.coupons.iter().zip(verdicts).enumerate() {
        if !coupon.display.visible && cx.entered[index].is_none() {
            continue;
        }
        let applied = selection
            .applied
            .iter()
            .find(|(c, _)| *c == index)
            .map(|(_, o)| o.total);
        let usable = verdict.usable();
        let mut kinds: Vec<ReasonKind> = std::mem::take(&mut verdict.blockers);
        let saving = match applied {
            Some(total) => Some(total),
            None if usable => {
                let why = if candidates.contains(&index) {
                    left_out(cx, selection, index)
                } else {
                    ReasonKind::CodeNotEntered {}
                };
                // Locked by the discounted cart, it saves nothing until the cart grows.
                let locked = matches!(why, ReasonKind::MinValueAfterDiscounts { .. });
                kinds.push(why);
                (!locked).then(|| cx.alone(index))
            }
            None => None,
        };
        // Worst first; within a status, the order the conditions were checked in.
        kinds.sort_by_key(|k| std::cmp::Reverse(status_of(k)));
        let status = match applied {
            Some(_) => CardStatus::Applied,
            None => kinds.first().map_or(CardStatus::Available, status_of),
        };
        // Before closed cards drop their cart reasons: a history condition they drop
        // still leaves this shopper out.
        let description = description(coupon, &kinds);
        let mut progress: Vec<Progress> = Vec::new();
        if status > CardStatus::Locked {
            // What the shopper cannot change decides: "Add ₹420 more" to a coupon that
            // ended, or that is not theirs, would promise what cannot happen. Sorted
            // worst first, those reasons come first.
            kinds.truncate(kinds.partition_point(|k| status_of(k) > CardStatus::Locked));
        } else {
            progress.extend(
                kinds
                    .iter()
                    .filter_map(|k| progress_of(k, coupon, currency)),
            );
            progress.extend(next_tier(coupon, cx.scoped[index], facts));
        }
        cards.push(Card {
            coupon_id: coupon.id.clone(),
            code: shown_code(coupon, cx.entered[index]),
            application: coupon.application,
            title: coupon.display.title.clone(),
            description,
            status,
            saving: saving.map(|s| currency.amount(s)),
            price_before: currency.amount(total_before),
            price_after: saving.map(|s| currency.amount(total_before - s)),
            progress,
            reasons: kinds
                .into_iter()
                .map(|kind| reason(kind, coupon, currency))
                .collect(),
            expires_at: verdict.expires_at,
        });
    }
    cards.sort_by_key(|c| c.status);
    cards
}

/// The coupon's description for this shopper: `descriptionForOthers`, when it has
/// one, for a shopper whom its audience or history conditions leave out, since the
/// plain description speaks to those it is meant for.
fn description(coupon: &Coupon, kinds: &[ReasonKind]) -> String {
    let display = &coupon.display;
    let outside = kinds.iter().any(|k| {
        matches!(
            k,
            ReasonKind::NotInAudience {}
                | ReasonKind::NotInSegment { .. }
                | ReasonKind::FirstOrderOnly { .. }
                | ReasonKind::OrderCountMismatch { .. }
                | ReasonKind::MorePreviousOrders { .. }
                | ReasonKind::MinOrders { .. }
                | ReasonKind::MinSpend { .. }
                | ReasonKind::UsedCouponRequired { .. }
                | ReasonKind::MorePurchases { .. }
                | ReasonKind::ProductNotBought { .. }
                | ReasonKind::CourseIncomplete { .. }
        )
    });
    match &display.description_for_others {
        Some(other) if outside => other.clone(),
        _ => display.description.clone(),
    }
}

/// Why a usable candidate is not in the chosen combination: the first applied coupon
/// it does not combine with, the codes limit, or what adding it would do.
fn left_out(cx: &Combinations, selection: &Selection, c: usize) -> ReasonKind {
    if let Some(s) = cx.blocker(selection, c) {
        return ReasonKind::NotCombinable {
            coupon_id: cx.coupons[s].id.clone(),
            title: cx.coupons[s].display.title.clone(),
        };
    }
    if selection.considered.binary_search(&c).is_err() {
        // Outside the greedy pool: others saved more on their own.
        return ReasonKind::NotChosen {};
    }
    let with = selection.indices();
    if !cx.fits(&with, c) {
        return if with.len() >= crate::selection::MAX_APPLIED {
            ReasonKind::NotChosen {}
        } else {
            ReasonKind::TooManyCodes {
                max: u32::try_from(cx.max_codes).unwrap_or(u32::MAX),
            }
        };
    }
    // The applied coupons plus `c`; members that came to zero are not part of it.
    let added = if selection.members().len() == selection.applied.len() {
        cx.with(selection, c)
    } else {
        cx.apply(&[with.as_slice(), &[c]].concat())
    };
    if added.applied.iter().all(|(m, _)| *m != c) {
        if let Some((min, value)) = cx.short_after_discounts(&added, c) {
            let currency = cx.facts.currency;
            return ReasonKind::MinValueAfterDiscounts {
                required: currency.amount(min),
                current: currency.amount(value),
            };
        }
        if let Some(left) = cx
            .budget_left(selection, c)
            .filter(|&left| left < cx.alone(c))
        {
            return ReasonKind::BudgetShared {
                campaign_id: cx.coupons[c].campaign.clone().unwrap_or_default(),
                remaining: cx.facts.currency.amount(left.max(Money::ZERO)),
            };
        }
    }
    match added.saving().cmp(&selection.saving()) {
        std::cmp::Ordering::Less => ReasonKind::LowerSaving {},
        std::cmp::Ordering::Equal => ReasonKind::NothingToDiscount {},
        // Only outside the exact search: the greedy fallback or priority order passed it by.
        std::cmp::Ordering::Greater => ReasonKind::NotChosen {},
    }
}

/// For a tiered discount, the distance to the next tier above the scoped subtotal.
fn next_tier(coupon: &Coupon, scoped: &[usize], facts: &Facts) -> Option<Progress> {
    let Discount::Tiered { tiers, .. } = &coupon.discount else {
        return None;
    };
    let currency = facts.currency;
    let value: Money = scoped.iter().map(|&i| facts.amounts.lines[i]).sum();
    let minimum = |t: &crate::model::Tier| currency.money(t.min_value);
    // Below the first tier the minimum-value reason already shows the way.
    if tiers.first().is_none_or(|t| value < minimum(t)) {
        return None;
    }
    let next = tiers.iter().find(|t| minimum(t) > value)?;
    let target = minimum(next);
    let remaining = target - value;
    Some(Progress {
        unit: ProgressUnit::CartValue,
        current: currency.amount(value).to_string(),
        target: currency.amount(target).to_string(),
        remaining: currency.amount(remaining).to_string(),
        percent: percent(value.minor_units(), target.minor_units()),
        message: messages::next_tier(next, remaining, currency),
    })
}

/// The code a card or an applied discount shows: the coupon's own, or for a hashed
/// code the one the shopper entered (`entered`), as only that is known.
pub fn shown_code(coupon: &Coupon, entered: Option<&str>) -> Option<String> {
    coupon.code.as_deref().or(entered).map(str::to_string)
}

fn reason(kind: ReasonKind, coupon: &Coupon, currency: Currency) -> Reason {
    let message = messages::reason(&kind, coupon, currency);
    Reason { kind, message }
}

/// Progress toward a threshold the shopper can close, for the reasons that have one.
/// It never repeats its reason: a cart reason says what to add ("Add ₹420 more to
/// unlock") and its progress where the cart stands ("₹580 of ₹1,000 in your cart");
/// a history reason states the condition ("For customers who have spent ₹15,000 or
/// more") and its progress the step left ("Spend ₹2,600 more in total with us").
fn progress_of(kind: &ReasonKind, coupon: &Coupon, currency: Currency) -> Option<Progress> {
    use ReasonKind::*;
    let minor = |a: &Amount| currency.money(*a).minor_units();
    // Where the shopper is and the threshold, in whole units: minor units of money,
    // items, orders, ten-thousandths of a percent.
    let (unit, current, target) = match kind {
        MinPurchaseValue { required, current } | MinValueAfterDiscounts { required, current } => {
            (ProgressUnit::CartValue, minor(current), minor(required))
        }
        MinSpend {
            required, current, ..
        } => (ProgressUnit::Spend, minor(current), minor(required)),
        MinQuantity { required, current } => (
            ProgressUnit::Quantity,
            (*current).into(),
            (*required).into(),
        ),
        MinOrders {
            required, current, ..
        }
        | MorePreviousOrders { required, current }
        | MorePurchases {
            required, current, ..
        } => (ProgressUnit::Orders, (*current).into(), (*required).into()),
        CourseIncomplete {
            required, current, ..
        } => (
            ProgressUnit::Course,
            current.ten_thousandths(),
            required.ten_thousandths(),
        ),
        _ => return None,
    };
    let left = target - current;
    let text = |units: i64| {
        let mut out = String::new();
        match unit {
            ProgressUnit::CartValue | ProgressUnit::Spend => {
                write_minor_units(units.into(), currency.exponent(), &mut out);
            }
            ProgressUnit::Course => out = Percent::from_ten_thousandths(units).normalized(),
            _ => write_minor_units(units.into(), 0, &mut out),
        }
        out
    };
    let remaining = text(left);
    let message = messages::progress(kind, coupon, currency, current, target, &remaining);
    Some(Progress {
        unit,
        current: text(current),
        target: text(target),
        remaining,
        percent: percent(current, target),
        message,
    })
}

/// Whole percent of `current / target`, floored, at most 99 while unmet.
/// Both are whole numbers of one unit (items, orders, minor units of money).
fn percent(current: i64, target: i64) -> u32 {
    if target <= 0 || current <= 0 {
        return 0;
    }
    // Checked: past i64 the ratio is far above 100.
    current.checked_mul(100).map_or(99, |c| {
        u32::try_from(c / target).unwrap_or(u32::MAX).min(99)
    })
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn progress_percent_is_floored_and_below_100_while_unmet() {
        // Minor units: ₹185,460.00 of ₹204,000.00.
        assert_eq!(percent(18_546_000, 20_400_000), 90);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 66);
        assert_eq!(percent(50, 100), 50);
        assert_eq!(percent(19_999, 20_000), 99);
        assert_eq!(percent(20_000, 20_000), 99);
        assert_eq!(percent(0, 200), 0);
        assert_eq!(percent(5, 0), 0);
        assert_eq!(percent(-5, 10), 0);
        // At the ends of i64: no overflow, still floored and capped.
        assert_eq!(percent(i64::MAX, 1), 99);
        assert_eq!(percent(1, i64::MAX), 0);
        assert_eq!(percent(i64::MAX / 100, i64::MAX / 100 + 1), 99);
    }
}
