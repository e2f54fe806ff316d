//! Offers: what one coupon takes off, given what earlier discounts left.
//!
//! Money rules: a percentage is taken once on its base and rounded half-up to the
//! minor unit; a cap applies after rounding; nothing takes more than is left of a
//! line or of shipping. Order-level amounts are split over their lines by
//! [`largest_remainder`]; unit-level kinds (per item, fixed price, buy X get Y,
//! combo, gift) work on unit values, where a line's unit is worth what is left of
//! the line divided by its quantity, and round once per line.

use rust_decimal::Decimal;

use crate::allocation::largest_remainder;
use crate::facts::Facts;
use crate::model::{Coupon, Discount, ReasonKind, Scope};
use crate::money::{percent_of, Currency, Percent};

/// What is left of the cart after the discounts applied so far, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remaining {
    /// Per cart line, cart order.
    pub lines: Vec<i128>,
    /// Of the selected shipping option.
    pub shipping: i128,
}

impl Remaining {
    /// The whole cart, before any discount.
    pub fn full(facts: &Facts) -> Remaining {
        Remaining {
            lines: facts.amounts.line_minor.clone(),
            shipping: facts.amounts.shipping_minor,
        }
    }

    /// Takes `offer` off.
    pub fn take(&mut self, offer: &Offer) {
        for &(line, part) in &offer.lines {
            self.lines[line] -= part;
        }
        self.shipping -= offer.shipping;
    }
}

/// One coupon's effect, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    /// `(line index, amount)` for each line it touches, cart order.
    pub lines: Vec<(usize, i128)>,
    /// Taken off shipping.
    pub shipping: i128,
    /// Sum of both.
    pub total: i128,
}

impl Offer {
    fn on_lines(lines: Vec<(usize, i128)>) -> Offer {
        let lines: Vec<(usize, i128)> = lines.into_iter().filter(|(_, a)| *a > 0).collect();
        Offer {
            total: lines.iter().map(|(_, a)| a).sum(),
            lines,
            shipping: 0,
        }
    }

    /// Splits `amount` over `lines` in proportion to what is left of them. With
    /// [`Split::TotalOnly`] the split is skipped: it sums exactly to `amount`
    /// (`amount` never exceeds what is left of `lines`, and the allocation is exact).
    fn spread(amount: i128, lines: &[usize], remaining: &Remaining, split: Split) -> Offer {
        if split == Split::TotalOnly {
            return Offer {
                lines: Vec::new(),
                shipping: 0,
                total: amount,
            };
        }
        let weights: Vec<i128> = lines.iter().map(|&i| remaining.lines[i]).collect();
        let parts = largest_remainder(amount, &weights);
        Offer::on_lines(lines.iter().copied().zip(parts).collect())
    }
}

/// Whether an offer is wanted with its per-line split or only its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Every line's part: the offer is applied, or others are applied after it.
    Lines,
    /// Only the total is read (a coupon's saving on its own, which the search's bounds,
    /// the greedy pool and the cards ask for), so an order-level amount is not split.
    TotalOnly,
}

fn capped(amount: i128, cap: Option<&crate::money::Amount>, currency: Currency) -> i128 {
    cap.map_or(amount, |c| amount.min(currency.to_minor(c.0)))
}

/// The value of `count` of a line's `quantity` units when `left` minor units remain
/// of it, rounded half-up (exact when `count == quantity`).
fn units_value(left: i128, count: i128, quantity: i128) -> i128 {
    if quantity == 0 {
        return 0;
    }
    (2 * left * count + quantity) / (2 * quantity)
}

/// What `coupon` takes off now. `scoped` are the lines its purchase scope covers.
/// With [`Split::TotalOnly`] only the offer's `total` is meaningful.
pub fn offer(
    coupon: &Coupon,
    scoped: &[usize],
    remaining: &Remaining,
    facts: &Facts,
    split: Split,
) -> Offer {
    let currency = facts.currency;
    let quantity = |i: usize| i128::from(facts.cart.lines[i].quantity);
    let base = || scoped.iter().map(|&i| remaining.lines[i]).sum::<i128>();
    match &coupon.discount {
        Discount::Percentage { percent, cap } => {
            let base = base();
            Offer::spread(
                capped(percent_of(base, percent), cap.as_ref(), currency).min(base),
                scoped,
                remaining,
                split,
            )
        }
        Discount::FixedAmount { amount } => Offer::spread(
            currency.to_minor(amount.0).min(base()),
            scoped,
            remaining,
            split,
        ),
        Discount::Tiered { tiers, cap } => {
            let base = base();
            let reached = tiers
                .iter()
                .rev()
                .find(|t| currency.to_minor(t.min_value.0) <= base);
            let raw = match reached {
                None => 0,
                Some(t) => match (&t.percent, &t.amount) {
                    (Some(p), _) => percent_of(base, p),
                    (None, Some(a)) => currency.to_minor(a.0),
                    (None, None) => 0,
                },
            };
            Offer::spread(
                capped(raw, cap.as_ref(), currency).min(base),
                scoped,
                remaining,
                split,
            )
        }
        Discount::AmountPerItem { amount } => {
            let each = currency.to_minor(amount.0);
            Offer::on_lines(
                scoped
                    .iter()
                    .map(|&i| (i, (each * quantity(i)).min(remaining.lines[i])))
                    .collect(),
            )
        }
        Discount::FixedPrice { price } => {
            let price = currency.to_minor(price.0);
            Offer::on_lines(
                scoped
                    .iter()
                    .map(|&i| (i, (remaining.lines[i] - price * quantity(i)).max(0)))
                    .collect(),
            )
        }
        Discount::FreeShipping { option_ids, cap } => {
            let eligible = facts.selected_shipping().is_some_and(|id| {
                option_ids
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|o| o == id))
            });
            let amount = if eligible {
                capped(remaining.shipping, cap.as_ref(), currency)
            } else {
                0
            };
            Offer {
                lines: Vec::new(),
                shipping: amount,
                total: amount,
            }
        }
        Discount::FreeGift {
            product_id,
            quantity: gift,
        } => {
            let mut left = i128::from(gift.unwrap_or(1));
            let mut parts = Vec::new();
            for i in facts.lines_of(product_id) {
                if left > 0 {
                    let count = left.min(quantity(i));
                    parts.push((i, units_value(remaining.lines[i], count, quantity(i))));
                    left -= count;
                }
            }
            Offer::on_lines(parts)
        }
        Discount::BuyXGetY {
            buy,
            get,
            percent,
            limit,
        } => buy_x_get_y(
            facts,
            remaining,
            &buy.scope,
            buy.quantity,
            &get.scope,
            get.quantity,
            percent.as_ref(),
            *limit,
        ),
        Discount::Combo {
            items,
            price,
            percent,
            amount,
            limit,
        } => {
            let per_set: Vec<(&str, i128)> = items
                .iter()
                .map(|it| (it.product_id.as_str(), i128::from(it.quantity.unwrap_or(1))))
                .collect();
            let in_cart = |product: &str| -> i128 { facts.lines_of(product).map(quantity).sum() };
            let sets = per_set
                .iter()
                .map(|(p, q)| in_cart(p) / q)
                .min()
                .unwrap_or(0)
                .min(limit.map_or(i128::MAX, i128::from));
            if sets == 0 {
                return Offer::default();
            }
            // The units of the complete sets, taken from the product's lines in cart order.
            let mut parts: Vec<(usize, i128)> = Vec::new();
            for (product, per) in &per_set {
                let mut need = per * sets;
                for i in facts.lines_of(product) {
                    if need > 0 {
                        let count = need.min(quantity(i));
                        parts.push((i, units_value(remaining.lines[i], count, quantity(i))));
                        need -= count;
                    }
                }
            }
            let value: i128 = parts.iter().map(|(_, v)| v).sum();
            let off = match (price, percent, amount) {
                (Some(p), _, _) => value - currency.to_minor(p.0) * sets,
                (None, Some(p), _) => percent_of(value, p),
                (None, None, Some(a)) => currency.to_minor(a.0) * sets,
                (None, None, None) => 0,
            }
            .clamp(0, value);
            let weights: Vec<i128> = parts.iter().map(|(_, v)| *v).collect();
            let split = largest_remainder(off, &weights);
            // A line can hold units of two items of the set; merge its parts.
            let mut merged: Vec<(usize, i128)> = Vec::new();
            for ((line, _), amount) in parts.iter().zip(split) {
                match merged.iter_mut().find(|(l, _)| l == line) {
                    Some((_, a)) => *a += amount,
                    None => merged.push((*line, amount)),
                }
            }
            // Unstable (a smaller routine in the module): each line is in `merged` once.
            merged.sort_unstable_by_key(|(l, _)| *l);
            Offer::on_lines(merged)
        }
    }
}

/// What a kind needs from the cart beyond the shared conditions, as the reason it is
/// missing: the gift line, an eligible shipping option, the first tier, enough units
/// for one buy-X-get-Y application, the products of one combo set.
pub fn unmet(coupon: &Coupon, scoped: &[usize], facts: &Facts) -> Option<ReasonKind> {
    let currency = facts.currency;
    match &coupon.discount {
        Discount::FreeGift {
            product_id,
            quantity,
        } if facts.units_of(product_id) == 0 => Some(ReasonKind::GiftNotInCart {
            product_id: product_id.clone(),
            quantity: quantity.unwrap_or(1),
        }),
        Discount::FreeShipping { option_ids, .. } => {
            let ok = facts.selected_shipping().is_some_and(|id| {
                option_ids
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|o| o == id))
            });
            (!ok).then_some(ReasonKind::ShippingNotEligible {})
        }
        Discount::Tiered { tiers, .. } => {
            let value: i128 = scoped.iter().map(|&i| facts.amounts.line_minor[i]).sum();
            let first = tiers.first()?;
            (value < currency.to_minor(first.min_value.0)).then(|| ReasonKind::MinPurchaseValue {
                required: currency.amount(first.min_value.0),
                current: currency.amount(currency.from_minor(value)),
            })
        }
        Discount::BuyXGetY { buy, get, .. } => {
            let full = Remaining::full(facts);
            (offer(coupon, scoped, &full, facts, Split::TotalOnly).total == 0
                && !has_zero_priced_reward(facts, &get.scope))
            .then_some(ReasonKind::BuyXGetYIncomplete {
                buy: buy.quantity,
                get: get.quantity,
            })
        }
        Discount::Combo { items, .. } => {
            let missing: Vec<String> = items
                .iter()
                .filter(|it| facts.units_of(&it.product_id) < it.quantity.unwrap_or(1))
                .map(|it| it.product_id.clone())
                .collect();
            (!missing.is_empty()).then_some(ReasonKind::ComboIncomplete { missing })
        }
        _ => None,
    }
}

/// Whether the reward set holds units that are free already (a zero saving is then
/// not a missing item).
fn has_zero_priced_reward(facts: &Facts, scope: &Scope) -> bool {
    facts
        .scoped_lines(Some(scope))
        .iter()
        .any(|&i| facts.amounts.line_minor[i] == 0)
}

/// Units of one line with the same value: `left / quantity` each.
#[derive(Clone, Copy)]
struct Units {
    line: usize,
    left: i128,
    quantity: i128,
}

impl Units {
    /// Orders by unit value (`left / quantity`, compared exactly), then cart order.
    fn cheaper(&self, other: &Units) -> std::cmp::Ordering {
        (self.left * other.quantity)
            .cmp(&(other.left * self.quantity))
            .then(self.line.cmp(&other.line))
    }
}

/// Buy X get Y over unit groups. After `a` applications the rewarded units are the
/// `a·get` cheapest units of the get set, and the bought units are `a·buy` of the buy
/// set's other units (the dearest, so the cheapest are left to reward): the largest
/// feasible `a` is found by bisection, so quantities in the millions cost nothing.
#[allow(clippy::too_many_arguments)]
fn buy_x_get_y(
    facts: &Facts,
    remaining: &Remaining,
    buy_scope: &Scope,
    buy_qty: u32,
    get_scope: &Scope,
    get_qty: u32,
    percent: Option<&Percent>,
    limit: Option<u32>,
) -> Offer {
    let groups = |scope: &Scope| -> Vec<Units> {
        facts
            .scoped_lines(Some(scope))
            .into_iter()
            .map(|line| Units {
                line,
                left: remaining.lines[line],
                quantity: i128::from(facts.cart.lines[line].quantity),
            })
            .collect()
    };
    let mut get = groups(get_scope);
    get.sort_by(Units::cheaper);
    let buy = groups(buy_scope);
    let (n, m) = (i128::from(buy_qty), i128::from(get_qty));
    let total_get: i128 = get.iter().map(|u| u.quantity).sum();
    let total_buy: i128 = buy.iter().map(|u| u.quantity).sum();
    // The cheapest `count` units of the get set, as (line, units) taken from each group.
    let rewards = |count: i128| -> Vec<(usize, i128)> {
        let mut left = count;
        let mut taken = Vec::new();
        for u in &get {
            if left == 0 {
                break;
            }
            let c = left.min(u.quantity);
            taken.push((u.line, c));
            left -= c;
        }
        taken
    };
    let feasible = |a: i128| -> bool {
        if a * m > total_get {
            return false;
        }
        let rewarded_in_buy: i128 = rewards(a * m)
            .iter()
            .filter(|(line, _)| buy.iter().any(|b| b.line == *line))
            .map(|(_, c)| c)
            .sum();
        total_buy - rewarded_in_buy >= a * n
    };
    let (mut lo, mut hi) = (0, (total_get / m).min(limit.map_or(i128::MAX, i128::from)));
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if feasible(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let full = Percent(Decimal::ONE_HUNDRED);
    let percent = percent.unwrap_or(&full);
    let mut parts: Vec<(usize, i128)> = rewards(lo * m)
        .into_iter()
        .map(|(line, count)| {
            let q = i128::from(facts.cart.lines[line].quantity);
            let value = units_value(remaining.lines[line], count, q);
            (line, percent_of(value, percent).min(remaining.lines[line]))
        })
        .collect();
    // Unstable (a smaller routine in the module): each get line is rewarded once.
    parts.sort_unstable_by_key(|(l, _)| *l);
    Offer::on_lines(parts)
}

#[cfg(test)]
mod tests {
    use super::units_value;

    #[test]
    fn unit_values_round_half_up_and_are_exact_for_whole_lines() {
        assert_eq!(units_value(1000, 1, 3), 333);
        assert_eq!(units_value(1000, 2, 3), 667);
        assert_eq!(units_value(1000, 3, 3), 1000);
        assert_eq!(units_value(5, 1, 2), 3);
    }
}
