//! Selection: which usable coupons apply together. The only step that looks at more
//! than one coupon at a time.
//!
//! A coupon is either stackable (combines with every other stackable coupon) or
//! exclusive (applies alone). The options are therefore: all usable stackable coupons
//! together, or one exclusive coupon. Adding a stackable discount never lowers the
//! total saving (each takes a non-negative part of what is left), so "all stackable"
//! is the best stackable option and the choice is exact. The option with the largest
//! saving wins; on a tie, the option whose coupon list comes first in bundle order.
//!
//! Within an option, discounts apply in bundle order, each on what earlier ones left.

use crate::conditions::Verdict;
use crate::facts::Facts;
use crate::model::Coupon;
use crate::offers::{offer, Offer};

/// The chosen combination.
pub struct Selection {
    /// Applied coupons (bundle index) with what each took, in application order.
    /// Discounts that came to zero are left out.
    pub applied: Vec<(usize, Offer)>,
    /// Each line's amount after the applied discounts, minor units.
    pub remaining: Vec<i128>,
}

impl Selection {
    /// Sum of all applied discounts, minor units.
    pub fn saving(&self) -> i128 {
        self.applied.iter().map(|(_, o)| o.total).sum()
    }
}

/// Applies `order` (bundle indices) one after another on the cart.
pub fn apply_in_order(order: &[usize], coupons: &[Coupon], verdicts: &[Verdict], facts: &Facts) -> Selection {
    let mut remaining = facts.amounts.line_minor.clone();
    let mut applied = Vec::with_capacity(order.len());
    for &c in order {
        let o = offer(&coupons[c].discount, &verdicts[c].scoped, &remaining, facts.currency);
        if o.total > 0 {
            for &(line, part) in &o.lines {
                remaining[line] -= part;
            }
            applied.push((c, o));
        }
    }
    Selection { applied, remaining }
}

/// Chooses among `candidates` (usable coupons that are automatic or entered, bundle order).
pub fn select(candidates: &[usize], coupons: &[Coupon], verdicts: &[Verdict], facts: &Facts) -> Selection {
    let stackable: Vec<usize> = candidates.iter().copied().filter(|&c| coupons[c].stackable).collect();
    let options = std::iter::once(stackable)
        .chain(candidates.iter().filter(|&&c| !coupons[c].stackable).map(|&c| vec![c]));
    let mut best: Option<(Vec<usize>, Selection)> = None;
    for option in options {
        let s = apply_in_order(&option, coupons, verdicts, facts);
        let better = match &best {
            None => true,
            Some((best_option, b)) => s.saving() > b.saving() || (s.saving() == b.saving() && option < *best_option),
        };
        if better {
            best = Some((option, s));
        }
    }
    best.map_or_else(|| apply_in_order(&[], coupons, verdicts, facts), |(_, s)| s)
}
