//! Facts: what several coupons ask about the cart and the customer, computed once
//! per evaluation so that a thousand coupons do not each rescan the history.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use crate::model::{Bundle, Cart, Context, Customer, Scope, Span, Timestamp};
use crate::money::Currency;
use crate::segments::{self, Joined};

/// The customer's history reduced to what conditions query.
pub struct History<'a> {
    /// Order times (placed at or before `now`), ascending.
    pub times: Vec<Timestamp>,
    /// `spend_prefix[i]` = total of the first `i` orders in `times` order.
    spend_prefix: Vec<Decimal>,
    /// Upper-cased coupon code → times it was used, ascending.
    code_uses: BTreeMap<String, Vec<Timestamp>>,
    /// The summary, for rules that look at items.
    pub customer: &'a Customer,
}

impl<'a> History<'a> {
    fn new(customer: &'a Customer, now: Timestamp) -> Self {
        let mut orders: Vec<_> = customer
            .orders
            .iter()
            .filter(|o| o.placed_at <= now)
            .collect();
        // Ties in time fall back to the id so the order is total and reproducible.
        orders.sort_by(|a, b| a.placed_at.cmp(&b.placed_at).then_with(|| a.id.cmp(&b.id)));
        let mut spend_prefix = Vec::with_capacity(orders.len() + 1);
        let mut running = Decimal::ZERO;
        spend_prefix.push(running);
        let mut code_uses: BTreeMap<String, Vec<Timestamp>> = BTreeMap::new();
        for o in &orders {
            running += o.total.0;
            spend_prefix.push(running);
            for code in &o.coupon_codes {
                code_uses
                    .entry(code.to_ascii_uppercase())
                    .or_default()
                    .push(o.placed_at);
            }
        }
        History {
            times: orders.iter().map(|o| o.placed_at).collect(),
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

    /// Total spend in `[since, now]`.
    pub fn spend_since(&self, since: Option<Timestamp>) -> Decimal {
        let last = self.spend_prefix.len() - 1;
        self.spend_prefix[last] - self.spend_prefix[self.first_index(since)]
    }

    /// Whether `code` was used on an order in `[since, now]`.
    pub fn used_code_since(&self, code: &str, since: Option<Timestamp>) -> bool {
        self.code_uses
            .get(&code.to_ascii_uppercase())
            .and_then(|times| times.last())
            .is_some_and(|last| since.is_none_or(|s| *last >= s))
    }

    /// Orders placed before `now`.
    pub fn previous_orders(&self) -> u32 {
        u32::try_from(self.times.len()).unwrap_or(u32::MAX)
    }
}

/// The cart reduced to exact amounts in minor units.
pub struct CartFacts {
    /// `unit price × quantity` per line, in minor units, cart order.
    pub line_minor: Vec<i128>,
    /// Sum of `line_minor`.
    pub subtotal_minor: i128,
    /// Selected shipping option, in minor units.
    pub shipping_minor: i128,
}

impl CartFacts {
    fn new(cart: &Cart, currency: Currency) -> Self {
        let line_minor: Vec<i128> = cart
            .lines
            .iter()
            .map(|l| currency.to_minor(l.unit_price.0) * i128::from(l.quantity))
            .collect();
        let shipping_minor = cart
            .shipping
            .as_ref()
            .and_then(|s| {
                s.selected_id
                    .as_ref()
                    .and_then(|id| s.options.iter().find(|o| &o.id == id))
            })
            .map_or(0, |o| currency.to_minor(o.amount.0));
        CartFacts {
            subtotal_minor: line_minor.iter().sum(),
            line_minor,
            shipping_minor,
        }
    }
}

/// Everything computed once per evaluation.
pub struct Facts<'a> {
    /// The instant of evaluation.
    pub now: Timestamp,
    /// The store currency.
    pub currency: Currency,
    /// Whether the shopper pays cash on delivery.
    pub cod: bool,
    /// The cart.
    pub cart: &'a Cart,
    /// Exact cart amounts.
    pub amounts: CartFacts,
    /// The customer history.
    pub history: History<'a>,
    /// Segment id → when the customer joined (summary first, then bundle rules).
    pub segments: BTreeMap<&'a str, Joined>,
    /// Entered codes, trimmed and upper-cased, in entry order without repeats.
    pub entered: Vec<String>,
    /// Product, collection and offer id → the lines that carry it, ascending: a
    /// hundred scoped coupons then look their lines up instead of each comparing
    /// every line's ids.
    lines_by: LinesBy<'a>,
}

/// Which cart lines carry each id.
#[derive(Default)]
struct LinesBy<'a> {
    product: BTreeMap<&'a str, Vec<usize>>,
    collection: BTreeMap<&'a str, Vec<usize>>,
    offer: BTreeMap<&'a str, Vec<usize>>,
}

impl<'a> LinesBy<'a> {
    fn new(cart: &'a Cart) -> Self {
        let mut by = LinesBy::default();
        for (i, line) in cart.lines.iter().enumerate() {
            by.product
                .entry(line.product_id.as_str())
                .or_default()
                .push(i);
            for c in &line.collection_ids {
                let lines = by.collection.entry(c.as_str()).or_default();
                // A line may list a collection twice.
                if lines.last() != Some(&i) {
                    lines.push(i);
                }
            }
            if let Some(o) = &line.offer_id {
                by.offer.entry(o.as_str()).or_default().push(i);
            }
        }
        by
    }
}

impl<'a> Facts<'a> {
    /// Derives the facts. Inputs are already validated.
    pub fn new(
        bundle: &'a Bundle,
        customer: &'a Customer,
        cart: &'a Cart,
        context: &'a Context,
    ) -> Self {
        let currency = bundle.currency;
        let history = History::new(customer, context.now);
        let mut joined: BTreeMap<&str, Joined> = customer
            .segments
            .iter()
            .map(|m| (m.segment_id.as_str(), Joined::At(m.joined_at)))
            .collect();
        for s in &bundle.segments {
            if !joined.contains_key(s.id.as_str()) {
                let verdict = segments::evaluate(&s.rule, &history, context.now);
                if verdict != Joined::No {
                    joined.insert(s.id.as_str(), verdict);
                }
            }
        }
        let mut seen = BTreeSet::new();
        let entered = context
            .codes
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| seen.insert(c.clone()))
            .collect();
        Facts {
            now: context.now,
            currency,
            cod: context.is_cod(),
            cart,
            amounts: CartFacts::new(cart, currency),
            history,
            segments: joined,
            entered,
            lines_by: LinesBy::new(cart),
        }
    }

    /// The selected shipping option's id.
    pub fn selected_shipping(&self) -> Option<&str> {
        self.cart
            .shipping
            .as_ref()
            .and_then(|s| s.selected_id.as_deref())
    }

    /// Whether the shopper entered `code` (case-insensitively).
    pub fn is_entered(&self, code: Option<&str>) -> bool {
        code.is_some_and(|code| self.entered.iter().any(|e| e.eq_ignore_ascii_case(code)))
    }

    /// Start of a behaviour period ending now; `None` = lifetime (or before time began).
    pub fn period_start(&self, within_last: Option<&Span>) -> Option<Timestamp> {
        within_last.and_then(|span| self.now.minus(span))
    }

    /// Indices of the cart lines a scope covers, in cart order.
    pub fn scoped_lines(&self, scope: Option<&Scope>) -> Vec<usize> {
        let (index, ids) = match scope {
            None | Some(Scope::EntireCart) => return (0..self.cart.lines.len()).collect(),
            Some(Scope::Products(ids)) => (&self.lines_by.product, ids),
            Some(Scope::Collections(ids)) => (&self.lines_by.collection, ids),
            Some(Scope::Offers(ids)) => (&self.lines_by.offer, ids),
        };
        let mut lines: Vec<usize> = ids
            .iter()
            .filter_map(|id| index.get(id.as_str()))
            .flatten()
            .copied()
            .collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }
}
