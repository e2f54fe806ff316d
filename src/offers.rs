//! Offers: what one coupon takes off the lines it covers, given what is left of them.
//!
//! Money rules: a percentage is taken once on the scoped subtotal and rounded half-up
//! to the minor unit; the cap applies after rounding; a fixed amount never exceeds the
//! scoped subtotal. The amount is then split over the scoped lines by
//! [`largest_remainder`].

use rust_decimal::Decimal;

use crate::allocation::largest_remainder;
use crate::model::Discount;
use crate::money::Currency;

/// One coupon's effect: minor units taken off each scoped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// `(line index, minor units)` for each scoped line, cart order.
    pub lines: Vec<(usize, i128)>,
    /// Sum of `lines`.
    pub total: i128,
}

/// The discount in minor units on a scoped base of `base` minor units.
pub fn amount_off(discount: &Discount, base: i128, currency: Currency) -> i128 {
    if base <= 0 {
        return 0;
    }
    match discount {
        Discount::Percentage { percent, cap } => {
            let raw = currency.to_minor(currency.from_minor(base) * percent.0 / Decimal::ONE_HUNDRED);
            let capped = cap.map_or(raw, |c| raw.min(currency.to_minor(c.0)));
            capped.min(base)
        }
        Discount::FixedAmount { amount } => currency.to_minor(amount.0).min(base),
    }
}

/// What `discount` takes off the `scoped` lines whose current amounts are `remaining`.
pub fn offer(discount: &Discount, scoped: &[usize], remaining: &[i128], currency: Currency) -> Offer {
    let weights: Vec<i128> = scoped.iter().map(|&i| remaining[i]).collect();
    let total = amount_off(discount, weights.iter().sum(), currency);
    let parts = largest_remainder(total, &weights);
    Offer { lines: scoped.iter().copied().zip(parts).collect(), total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Amount, Percent};
    use std::str::FromStr;

    fn inr() -> Currency {
        Currency::from_code("INR").unwrap()
    }
    fn pct(p: &str, cap: Option<&str>) -> Discount {
        Discount::Percentage {
            percent: Percent(Decimal::from_str(p).unwrap()),
            cap: cap.map(|c| Amount(Decimal::from_str(c).unwrap())),
        }
    }

    #[test]
    fn percentage_rounds_half_up_once_then_caps() {
        // 10% of 333.35 = 33.335 -> 33.34 (half-up), not 33.33.
        assert_eq!(amount_off(&pct("10", None), 33335, inr()), 3334);
        assert_eq!(amount_off(&pct("10", Some("20")), 33335, inr()), 2000);
        assert_eq!(amount_off(&pct("12.5", None), 99, inr()), 12); // 0.12375 -> 0.12
    }

    #[test]
    fn fixed_amount_never_exceeds_the_base() {
        let fixed = Discount::FixedAmount { amount: Amount(Decimal::from(500)) };
        assert_eq!(amount_off(&fixed, 30000, inr()), 30000);
        assert_eq!(amount_off(&fixed, 80000, inr()), 50000);
        assert_eq!(amount_off(&fixed, 0, inr()), 0);
    }

    #[test]
    fn offer_allocates_over_scoped_lines_only() {
        let o = offer(&pct("10", None), &[0, 2], &[10000, 99999, 5000], inr());
        assert_eq!(o.total, 1500);
        assert_eq!(o.lines, vec![(0, 1000), (2, 500)]);
    }
}
