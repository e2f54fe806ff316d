//! The customer's order history indexed once per evaluation: orders by time, spend
//! as running totals, coupon codes by use. Below both [`crate::segments`] (rules over
//! history) and [`crate::facts`] (which holds it), so neither imports the other to
//! reach it.

use crate::model::{Customer, Order, Timestamp};
use crate::money::{Currency, Money};

/// The customer's history reduced to what conditions query.
pub struct History<'a> {
    /// The orders placed at or before `now`, oldest first (ties by id).
    pub orders: Vec<&'a Order>,
    /// Their times, ascending.
    pub times: Vec<Timestamp>,
    /// `spend_prefix[i]` = total of the first `i` orders in `times` order, in minor
    /// units: 128 bits, as 10,000 orders of up to 10^18 minor units each pass 64.
    spend_prefix: Vec<i128>,
    /// (upper-cased coupon code, time it was used), sorted: the last row of a code
    /// holds its latest use.
    code_uses: Vec<(String, Timestamp)>,
    /// The summary, for rules that look at items.
    pub customer: &'a Customer,
}

impl<'a> History<'a> {
    /// The orders of `customer` placed at or before `now`, indexed.
    pub(crate) fn new(customer: &'a Customer, now: Timestamp, currency: Currency) -> Self {
        let mut orders: Vec<_> = customer
            .orders
            .iter()
            .filter(|o| o.placed_at <= now)
            .collect();
        // Ties in time fall back to the id so the order is total and reproducible.
        let by_time =
            |a: &&Order, b: &&Order| a.placed_at.cmp(&b.placed_at).then_with(|| a.id.cmp(&b.id));
        // A summary usually lists its orders oldest first: checking is a quarter of sorting.
        if !orders.is_sorted_by(|a, b| by_time(a, b).is_le()) {
            orders.sort_by(by_time);
        }
        let mut spend_prefix = Vec::with_capacity(orders.len() + 1);
        let mut running = 0;
        spend_prefix.push(running);
        let mut code_uses = Vec::new();
        for o in &orders {
            running += i128::from(currency.money(o.total).minor_units());
            spend_prefix.push(running);
            for code in &o.coupon_codes {
                code_uses.push((code.to_ascii_uppercase(), o.placed_at));
            }
        }
        // Stable, by code only: each code's times stay ascending as pushed.
        code_uses.sort_by(|a, b| a.0.cmp(&b.0));
        History {
            times: orders.iter().map(|o| o.placed_at).collect(),
            orders,
            spend_prefix,
            code_uses,
            customer,
        }
    }

    /// Index of the first order at or after `since` (`None` = lifetime).
    fn first_index(&self, since: Option<Timestamp>) -> usize {
        since.map_or(0, |s| self.times.partition_point(|t| *t < s))
    }

    /// Orders placed in `[since, now]`.
    pub fn orders_since(&self, since: Option<Timestamp>) -> u32 {
        u32::try_from(self.times.len() - self.first_index(since)).unwrap_or(u32::MAX)
    }

    /// Total spend in `[since, now]`, clamped into [`Money`]'s range (a spend past
    /// it is past every input amount too).
    pub fn spend_since(&self, since: Option<Timestamp>) -> Money {
        let last = self.spend_prefix.len() - 1;
        Money::clamped(self.spend_prefix[last] - self.spend_prefix[self.first_index(since)])
    }

    /// Whether `code` was used on an order in `[since, now]`.
    pub fn used_code_since(&self, code: &str, since: Option<Timestamp>) -> bool {
        let code = code.to_ascii_uppercase();
        let end = self.code_uses.partition_point(|(c, _)| *c <= code);
        end.checked_sub(1)
            .map(|last| &self.code_uses[last])
            .is_some_and(|(c, last)| *c == code && since.is_none_or(|s| *last >= s))
    }

    /// Orders placed before `now`.
    pub fn previous_orders(&self) -> u32 {
        u32::try_from(self.times.len()).unwrap_or(u32::MAX)
    }
}
