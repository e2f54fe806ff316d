//! Offers: what one coupon takes off, given what earlier discounts left.
//!
//! Money rules: a percentage is taken once on its base and rounded half-up to the
//! minor unit; a cap applies after rounding; nothing takes more than is left of a
//! line or of shipping. Order-level amounts are split over their lines by
//! [`largest_remainder`]; unit-level kinds (per item, fixed price, buy X get Y,
//! combo, gift) work on unit values, where a line's unit is worth what is left of
//! the line divided by its quantity, and round once per line.

use crate::allocation::largest_remainder;
use crate::facts::Facts;
use crate::model::{ComboItem, Coupon, Discount, ReasonKind, Reward, Scope, Tier};
use crate::money::{Amount, Currency, Money, Percent};

/// What is left of the cart after the discounts applied so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remaining {
    /// Per cart line, cart order.
    pub lines: Vec<Money>,
    /// Of the selected shipping option.
    pub shipping: Money,
}

impl Remaining {
    /// The whole cart, before any discount.
    pub fn full(facts: &Facts) -> Remaining {
        Remaining {
            lines: facts.amounts.lines.clone(),
            shipping: facts.amounts.shipping,
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

/// One coupon's effect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    /// `(line index, amount)` for each line it touches, cart order.
    pub lines: Vec<(usize, Money)>,
    /// Taken off shipping.
    pub shipping: Money,
    /// Sum of both.
    pub total: Money,
}

impl Offer {
    fn on_lines(lines: Vec<(usize, Money)>) -> Offer {
        let lines: Vec<(usize, Money)> = lines
            .into_iter()
            .filter(|(_, a)| *a > Money::ZERO)
            .collect();
        Offer {
            total: lines.iter().map(|(_, a)| *a).sum(),
            lines,
            shipping: Money::ZERO,
        }
    }

    /// Splits `amount` over `lines` in proportion to what is left of them. With
    /// [`Split::TotalOnly`] the split is skipped: it sums exactly to `amount`
    /// (`amount` never exceeds what is left of `lines`, and the allocation is exact).
    fn spread(amount: Money, lines: &[usize], remaining: &Remaining, split: Split) -> Offer {
        if split == Split::TotalOnly {
            return Offer {
                lines: Vec::new(),
                shipping: Money::ZERO,
                total: amount,
            };
        }
        let weights: Vec<Money> = lines.iter().map(|&i| remaining.lines[i]).collect();
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

fn capped(amount: Money, cap: Option<&Amount>, currency: Currency) -> Money {
    cap.map_or(amount, |c| amount.min(currency.money(*c)))
}

/// The value of `count` of a line's `quantity` units when `left` remains of it,
/// rounded half-up (exact when `count == quantity`). For `0 <= count <= quantity`.
fn units_value(left: Money, count: i64, quantity: i64) -> Money {
    if quantity == 0 {
        return Money::ZERO;
    }
    // `left × count / quantity` in 64 bits, by the quotient and remainder of
    // `left / quantity`: the whole part is at most `left`, and the remainder's
    // product below 10^12 (quantities are at most 10^6).
    let left = left.minor_units();
    let (whole, rest) = (left / quantity, left % quantity);
    Money::from_minor_units(whole * count + (2 * rest * count + quantity) / (2 * quantity))
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
    let base = || scoped.iter().map(|&i| remaining.lines[i]).sum::<Money>();
    // An order-level amount: never more than the scoped lines hold, split over them.
    let spread =
        |amount: Money, base: Money| Offer::spread(amount.min(base), scoped, remaining, split);
    match &coupon.discount {
        Discount::Percentage {
            percent,
            cap,
            max_units: None,
        } => {
            let base = base();
            spread(capped(base.percent(percent), cap.as_ref(), currency), base)
        }
        Discount::FixedAmount {
            amount,
            max_units: None,
        } => spread(currency.money(*amount), base()),
        // A unit cap: the same kinds on the chosen units only, each line worth only
        // its chosen units (and, for an amount per item, at most that amount on each).
        Discount::Percentage {
            max_units: Some(max),
            ..
        }
        | Discount::FixedAmount {
            max_units: Some(max),
            ..
        }
        | Discount::AmountPerItem {
            max_units: Some(max),
            ..
        } => {
            let (lines, view) = dearest_units(coupon, *max, scoped, remaining, facts);
            let base: Money = lines.iter().map(|&i| view.lines[i]).sum();
            let amount = match &coupon.discount {
                Discount::Percentage { percent, cap, .. } => {
                    capped(base.percent(percent), cap.as_ref(), currency)
                }
                Discount::FixedAmount { amount, .. } => currency.money(*amount),
                // The view holds what comes off each line already.
                _ => base,
            };
            Offer::spread(amount.min(base), &lines, &view, split)
        }
        Discount::Tiered { tiers, cap } => {
            let base = base();
            spread(
                capped(tier_amount(tiers, base, currency), cap.as_ref(), currency),
                base,
            )
        }
        Discount::AmountPerItem {
            amount,
            max_units: None,
        } => per_item(currency.money(*amount), scoped, remaining, facts),
        Discount::FixedPrice { price } => {
            at_price(currency.money(*price), scoped, remaining, facts)
        }
        Discount::FreeShipping { option_ids, cap } => {
            let amount = if shipping_eligible(option_ids.as_deref(), facts) {
                capped(remaining.shipping, cap.as_ref(), currency)
            } else {
                Money::ZERO
            };
            Offer {
                lines: Vec::new(),
                shipping: amount,
                total: amount,
            }
        }
        Discount::FreeGift { quantity, .. } => {
            let mut parts = Vec::new();
            let count = i64::from(quantity.unwrap_or(1));
            // The first choice the cart holds: one lookup for a single gift.
            for gift in coupon.discount.gift_choices() {
                units_of_product(gift, count, remaining, facts, &mut parts);
                if !parts.is_empty() {
                    break;
                }
            }
            Offer::on_lines(parts)
        }
        Discount::BuyXGetY {
            buy,
            get,
            percent,
            limit,
            reward,
        } => buy_x_get_y(
            facts,
            remaining,
            &buy.scope,
            buy.quantity,
            &get.scope,
            get.quantity,
            percent.as_ref(),
            *limit,
            *reward == Some(Reward::MostExpensive),
        ),
        Discount::Combo {
            items,
            price,
            percent,
            amount,
            limit,
        } => {
            // What `sets` complete sets worth `value` give off; a saturated product is
            // past any set's value, and clamped.
            let off = |value: Money, sets: i64| {
                match (price, percent, amount) {
                    (Some(p), _, _) => value - currency.money(*p).times(sets),
                    (None, Some(p), _) => value.percent(p),
                    (None, None, Some(a)) => currency.money(*a).times(sets),
                    (None, None, None) => Money::ZERO,
                }
                .clamp(Money::ZERO, value)
            };
            combo(items, *limit, off, remaining, facts)
        }
    }
}

/// The amount of the highest tier the scoped subtotal `base` reaches (zero below the
/// first), before the cap.
fn tier_amount(tiers: &[Tier], base: Money, currency: Currency) -> Money {
    let reached = tiers
        .iter()
        .rev()
        .find(|t| currency.money(t.min_value) <= base);
    match reached.map(|t| (&t.percent, &t.amount)) {
        Some((Some(p), _)) => base.percent(p),
        Some((None, Some(a))) => currency.money(*a),
        _ => Money::ZERO,
    }
}

/// The most `coupon` can take in any combination, given `alone`, what it takes on the
/// whole cart: earlier discounts only lower what every kind takes, except tiers that
/// give less at a tier's minimum than the tier below gives just under it ("30% over
/// ₹1,000, ₹100 off over ₹3,000"), where a lower base reaches the richer tier. For
/// those, the most any tier up to the scoped value gives at its top.
pub fn most(coupon: &Coupon, scoped: &[usize], facts: &Facts, alone: Money) -> Money {
    let Discount::Tiered { tiers, cap } = &coupon.discount else {
        return alone;
    };
    let currency = facts.currency;
    let value: Money = scoped.iter().map(|&i| facts.amounts.lines[i]).sum();
    let mut most = alone;
    for (k, tier) in tiers.iter().enumerate() {
        if currency.money(tier.min_value) > value {
            break;
        }
        // The largest base on this tier: below the next minimum, at most the value.
        let top = tiers.get(k + 1).map_or(value, |next| {
            value.min(currency.money(next.min_value) - Money::from_minor_units(1))
        });
        let amount = tier_amount(&tiers[..=k], top, currency);
        most = most.max(capped(amount, cap.as_ref(), currency).min(top));
    }
    most
}

/// Whether `coupon`'s tiers give less at some tier's minimum than the tier below gives
/// just under it, so that an earlier discount can raise what it takes.
pub fn grows_below_a_minimum(coupon: &Coupon, currency: Currency) -> bool {
    let Discount::Tiered { tiers, .. } = &coupon.discount else {
        return false;
    };
    (1..tiers.len()).any(|k| {
        let min = currency.money(tiers[k].min_value);
        tier_amount(&tiers[..=k], min, currency)
            < tier_amount(&tiers[..k], min - Money::from_minor_units(1), currency)
    })
}

/// The shopper's gift: the first of `choices` the cart holds.
fn chosen_gift<'c>(choices: &'c [String], facts: &Facts) -> Option<&'c String> {
    choices.iter().find(|p| facts.units_of(p) > 0)
}

/// The `max` most expensive scoped units (equal units in cart order), for a unit
/// cap: the lines they come from, in cart order, and what is left of the cart with
/// each of those lines worth only its chosen units (money rule 5); for an amount per
/// item, at most its amount on each chosen unit, which is then all taken.
fn dearest_units(
    coupon: &Coupon,
    max: u32,
    scoped: &[usize],
    remaining: &Remaining,
    facts: &Facts,
) -> (Vec<usize>, Remaining) {
    let mut groups = unit_groups(scoped, remaining, facts);
    dearest_first(&mut groups);
    let taken = take_units(&groups, i64::from(max), 0, |_| false);
    // Only the chosen lines of the view are read.
    let mut view = remaining.clone();
    let mut lines = Vec::new();
    for &line in scoped {
        // At most one entry per line: a short search, and no sort of the choice.
        if let Some(&(_, count)) = taken.iter().find(|(l, _)| *l == line) {
            let quantity = i64::from(facts.cart.lines[line].quantity);
            let mut value = units_value(remaining.lines[line], count, quantity);
            if let Discount::AmountPerItem { amount, .. } = &coupon.discount {
                value = value.min(facts.currency.money(*amount).times(count));
            }
            view.lines[line] = value;
            lines.push(line);
        }
    }
    (lines, view)
}

/// `each` off every scoped unit, never more than is left of its line.
fn per_item(each: Money, scoped: &[usize], remaining: &Remaining, facts: &Facts) -> Offer {
    Offer::on_lines(
        scoped
            .iter()
            .map(|&i| {
                let units = i64::from(facts.cart.lines[i].quantity);
                (i, each.times(units).min(remaining.lines[i]))
            })
            .collect(),
    )
}

/// Every scoped unit down to `price`; lines already at or below it are left alone.
fn at_price(price: Money, scoped: &[usize], remaining: &Remaining, facts: &Facts) -> Offer {
    Offer::on_lines(
        scoped
            .iter()
            .map(|&i| {
                // The saturated product is past any line: nothing taken.
                let at_price = price.times(i64::from(facts.cart.lines[i].quantity));
                (i, (remaining.lines[i] - at_price).max(Money::ZERO))
            })
            .collect(),
    )
}

/// Whether the selected shipping option is one a free-shipping discount covers
/// (`option_ids` absent: any).
fn shipping_eligible(option_ids: Option<&[String]>, facts: &Facts) -> bool {
    facts
        .selected_shipping()
        .is_some_and(|id| option_ids.is_none_or(|ids| ids.iter().any(|o| o == id)))
}

/// The value of the `count` cheapest units of `product` in the cart (by what is left
/// of them after earlier discounts, equal values in cart order), as buy X get Y
/// rewards by default: pushes `(line, value)` to `parts` for each line they come from.
/// Cheapest first also makes the choice independent of the order of the lines when a
/// product sits on several lines at different prices.
fn units_of_product(
    product: &str,
    count: i64,
    remaining: &Remaining,
    facts: &Facts,
    parts: &mut Vec<(usize, Money)>,
) {
    let lines: Vec<usize> = facts.lines_of(product).collect();
    let mut groups = unit_groups(&lines, remaining, facts);
    if groups.len() > 1 {
        groups.sort_by(Units::cheaper);
    }
    for (line, taken) in take_units(&groups, count, 0, |_| false) {
        let quantity = i64::from(facts.cart.lines[line].quantity);
        parts.push((line, units_value(remaining.lines[line], taken, quantity)));
    }
}

/// A combo: as many complete sets of `items` as the cart holds (at most `limit`),
/// with `off(value, sets)` split over the units of the sets.
fn combo(
    items: &[ComboItem],
    limit: Option<u32>,
    off: impl Fn(Money, i64) -> Money,
    remaining: &Remaining,
    facts: &Facts,
) -> Offer {
    let per_set: Vec<(&str, i64)> = items
        .iter()
        .map(|it| (it.product_id.as_str(), i64::from(it.quantity.unwrap_or(1))))
        .collect();
    let sets = per_set
        .iter()
        .map(|(p, q)| i64::from(facts.units_of(p)) / q)
        .min()
        .unwrap_or(0)
        .min(limit.map_or(i64::MAX, i64::from));
    if sets == 0 {
        return Offer::default();
    }
    // The units of the complete sets, taken from the product's lines in cart order.
    let mut parts: Vec<(usize, Money)> = Vec::new();
    for (product, per) in &per_set {
        units_of_product(product, per * sets, remaining, facts, &mut parts);
    }
    let weights: Vec<Money> = parts.iter().map(|(_, v)| *v).collect();
    let split = largest_remainder(off(weights.iter().sum(), sets), &weights);
    // A line can hold units of two items of the set; merge its parts.
    let mut merged: Vec<(usize, Money)> = Vec::new();
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

/// What a kind needs from the cart beyond the shared conditions, as the reason it is
/// missing: the gift line, an eligible shipping option, the first tier, enough units
/// for one buy-X-get-Y application, the products of one combo set.
pub fn unmet(coupon: &Coupon, scoped: &[usize], facts: &Facts) -> Option<ReasonKind> {
    let currency = facts.currency;
    match &coupon.discount {
        Discount::FreeGift { quantity, .. } => {
            let choices = coupon.discount.gift_choices();
            let quantity = quantity.unwrap_or(1);
            match (chosen_gift(choices, facts), choices) {
                (Some(_), _) => None,
                (None, [product_id]) => Some(ReasonKind::GiftNotInCart {
                    product_id: product_id.clone(),
                    quantity,
                }),
                (None, _) => Some(ReasonKind::GiftChoiceNotInCart {
                    product_ids: choices.to_vec(),
                    quantity,
                }),
            }
        }
        Discount::FreeShipping { option_ids, .. } => {
            (!shipping_eligible(option_ids.as_deref(), facts))
                .then_some(ReasonKind::ShippingNotEligible {})
        }
        Discount::Tiered { tiers, .. } => {
            let value: Money = scoped.iter().map(|&i| facts.amounts.lines[i]).sum();
            let first = tiers.first()?;
            let required = currency.money(first.min_value);
            (value < required).then(|| ReasonKind::MinPurchaseValue {
                required: currency.amount(required),
                current: currency.amount(value),
            })
        }
        Discount::BuyXGetY { buy, get, .. } => {
            let full = Remaining::full(facts);
            (offer(coupon, scoped, &full, facts, Split::TotalOnly).total == Money::ZERO
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
        .any(|&i| facts.amounts.lines[i] == Money::ZERO)
}

/// Units of one line with the same value: `left / quantity` each.
#[derive(Clone, Copy)]
struct Units {
    line: usize,
    left: Money,
    quantity: i64,
}

impl Units {
    /// Orders by unit value (`left / quantity`, compared exactly), then cart order.
    fn cheaper(&self, other: &Units) -> std::cmp::Ordering {
        self.by_value(other).then(self.line.cmp(&other.line))
    }

    fn by_value(&self, other: &Units) -> std::cmp::Ordering {
        // Cross products in 128 bits: an amount times a unit count can pass 64.
        let value = |u: &Units, times: i64| i128::from(u.left.minor_units()) * i128::from(times);
        value(self, other.quantity).cmp(&value(other, self.quantity))
    }
}

/// Sorts unit groups by unit value, the most expensive first, equal values in cart
/// order: the cheapest-first sort reversed, then each run of equal values reversed
/// back. The cheapest-first sort is the one buy X get Y uses by default, so its path
/// stays as it is and the module keeps one sort routine for both orders.
fn dearest_first(groups: &mut [Units]) {
    groups.sort_by(Units::cheaper);
    groups.reverse();
    let mut start = 0;
    for i in 1..=groups.len() {
        if i == groups.len() || groups[i].by_value(&groups[start]).is_ne() {
            groups[start..i].reverse();
            start = i;
        }
    }
}

/// The units of `lines`, one group per line, in the order given.
fn unit_groups(lines: &[usize], remaining: &Remaining, facts: &Facts) -> Vec<Units> {
    lines
        .iter()
        .map(|&line| Units {
            line,
            left: remaining.lines[line],
            quantity: i64::from(facts.cart.lines[line].quantity),
        })
        .collect()
}

/// The first `count` units of `groups` in their order, as (line, units) per group
/// they come from; at most `shared` of them from groups that `limited` says count
/// against that bound.
fn take_units(
    groups: &[Units],
    count: i64,
    mut shared: i64,
    limited: impl Fn(usize) -> bool,
) -> Vec<(usize, i64)> {
    let mut left = count;
    let mut taken = Vec::new();
    for u in groups {
        if left == 0 {
            break;
        }
        let bounded = limited(u.line);
        let c = left
            .min(u.quantity)
            .min(if bounded { shared } else { left });
        if c > 0 {
            taken.push((u.line, c));
            left -= c;
            if bounded {
                shared -= c;
            }
        }
    }
    taken
}

/// Buy X get Y over unit groups. `a` applications need `a·get` rewarded units from
/// the get set and `a·buy` other units from the buy set, so `a` is the largest with
/// `a·get` units in the get set, `a·buy` in the buy set and both together in their
/// union. The rewarded units are then the cheapest of the get set (the most expensive
/// with `dearest`) that leave `a·buy` units to be bought: at most `buy set - a·buy`
/// of them from lines in both sets. Rewarding a unit the purchase needs instead of
/// one outside the buy set would lower `a`, or give nothing where the cart holds
/// exactly what the offer asks for.
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
    dearest: bool,
) -> Offer {
    let groups = |scope: &Scope| unit_groups(&facts.scoped_lines(Some(scope)), remaining, facts);
    let mut get = groups(get_scope);
    if dearest {
        dearest_first(&mut get);
    } else {
        get.sort_by(Units::cheaper);
    }
    let buy = groups(buy_scope);
    let in_buy = |line: usize| buy.iter().any(|b| b.line == line);
    // Unit counts: at most 1,000 lines of 10^6 units, far inside 64 bits.
    let (n, m) = (i64::from(buy_qty), i64::from(get_qty));
    let total_get: i64 = get.iter().map(|u| u.quantity).sum();
    let total_buy: i64 = buy.iter().map(|u| u.quantity).sum();
    let both: i64 = get
        .iter()
        .filter(|u| in_buy(u.line))
        .map(|u| u.quantity)
        .sum();
    let a = (total_get / m)
        .min(total_buy / n)
        .min((total_get + total_buy - both) / (m + n))
        .min(limit.map_or(i64::MAX, i64::from));
    let mut parts: Vec<(usize, Money)> = take_units(&get, a * m, total_buy - a * n, in_buy)
        .into_iter()
        .map(|(line, count)| {
            let q = i64::from(facts.cart.lines[line].quantity);
            let value = units_value(remaining.lines[line], count, q);
            // Absent: free, the whole value.
            let off = percent.map_or(value, |p| value.percent(p));
            (line, off.min(remaining.lines[line]))
        })
        .collect();
    // Unstable (a smaller routine in the module): each get line is rewarded once.
    parts.sort_unstable_by_key(|(l, _)| *l);
    Offer::on_lines(parts)
}

#[cfg(test)]
mod tests {
    use super::units_value;
    use crate::money::Money;

    #[test]
    fn unit_values_round_half_up_and_are_exact_for_whole_lines() {
        let value = |left, count, quantity| {
            units_value(Money::from_minor_units(left), count, quantity).minor_units()
        };
        assert_eq!(value(1000, 1, 3), 333);
        assert_eq!(value(1000, 2, 3), 667);
        assert_eq!(value(1000, 3, 3), 1000);
        assert_eq!(value(5, 1, 2), 3);
        // Past 64 bits as `left × count`: 10^18 for 10^6 units, 999,999 of them.
        let big = 1_000_000_000_000_000_000;
        assert_eq!(value(big, 999_999, 1_000_000), 999_999_000_000_000_000);
        assert_eq!(value(big - 1, 1, 1_000_000), 1_000_000_000_000);
    }

    proptest::proptest! {
        /// The 64-bit split gives what the formula gives in 128 bits.
        #[test]
        fn unit_values_agree_with_128_bit_arithmetic(
            left in 0i64..2_000_000_000_000_000_000,
            quantity in 1i64..=1_000_000,
            count in 0i64..=1_000_000,
        ) {
            let count = count % (quantity + 1);
            let (l, c, q) = (i128::from(left), i128::from(count), i128::from(quantity));
            let expected = (2 * l * c + q) / (2 * q);
            let ours = units_value(Money::from_minor_units(left), count, quantity);
            proptest::prop_assert_eq!(i128::from(ours.minor_units()), expected);
        }
    }
}
