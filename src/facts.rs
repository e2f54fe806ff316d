//! Facts: what several coupons ask about the cart and the customer, computed once
//! per evaluation so that a thousand coupons do not each rescan the history.

pub use crate::history::History;
use crate::model::{
    Bundle, Cart, Context, Coupon, Customer, ReasonKind, Rule, Scope, Segment, Span, Timestamp,
};
use crate::money::{Currency, Money};
use crate::segments::{self, Joined};

/// The cart in money: its amounts converted once, where the evaluation starts.
pub struct CartFacts {
    /// `unit price × quantity` per line, cart order.
    pub lines: Vec<Money>,
    /// Sum of `lines`.
    pub subtotal: Money,
    /// The selected shipping option's price.
    pub shipping: Money,
}

impl CartFacts {
    fn new(cart: &Cart, currency: Currency) -> Self {
        // Validated: each line, and their sum, is below `Money::INPUT_LIMIT`.
        let lines: Vec<Money> = cart
            .lines
            .iter()
            .map(|l| currency.money(l.unit_price).times(i64::from(l.quantity)))
            .collect();
        let shipping = cart
            .shipping
            .as_ref()
            .and_then(|s| {
                s.selected_id
                    .as_ref()
                    .and_then(|id| s.options.iter().find(|o| &o.id == id))
            })
            .map_or(Money::ZERO, |o| currency.money(o.amount));
        CartFacts {
            subtotal: lines.iter().sum(),
            lines,
            shipping,
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
    /// The cart's amounts in money.
    pub amounts: CartFacts,
    /// The customer history.
    pub history: History<'a>,
    /// Segment id → when the customer joined (summary first, then bundle rules).
    pub segments: Segments<'a>,
    /// The bundle's segments built from history, for the way into one a customer is
    /// not in yet.
    pub rules: &'a [Segment],
    /// Entered codes, trimmed and upper-cased, in entry order without repeats.
    pub entered: Vec<String>,
    /// Product, collection and offer id → the lines that carry it, ascending: a
    /// hundred scoped coupons then look their lines up instead of each comparing
    /// every line's ids.
    lines_by: LinesBy<'a>,
    /// The bundle's campaigns and their budgets.
    campaigns: &'a [crate::model::Campaign],
    /// The merchant's time zone, which schedules are read in.
    pub zone: Option<&'a crate::model::TimeZone>,
}

/// The segments a customer is in: (segment id, since when), sorted by id.
///
/// Sorted vectors here and in [`LineIndex`] rather than `BTreeMap`s: they are built
/// once per evaluation and only looked up, and each map type would add its own
/// insert, search and drop code to the module.
pub struct Segments<'a>(Vec<(&'a str, Joined)>);

impl Segments<'_> {
    /// When the customer joined segment `id`, if they are in it.
    pub fn get(&self, id: &str) -> Option<&Joined> {
        self.0
            .binary_search_by(|(s, _)| (*s).cmp(id))
            .ok()
            .map(|i| &self.0[i].1)
    }
}

/// Which cart lines carry each id, for product, collection and offer ids.
struct LinesBy<'a> {
    product: LineIndex<'a>,
    collection: LineIndex<'a>,
    offer: LineIndex<'a>,
}

impl<'a> LinesBy<'a> {
    fn new(cart: &'a Cart) -> Self {
        let mut product = Vec::with_capacity(cart.lines.len());
        let mut collection = Vec::new();
        let mut offer = Vec::new();
        for (i, line) in cart.lines.iter().enumerate() {
            product.push((line.product_id.as_str(), i));
            collection.extend(line.collection_ids.iter().map(|c| (c.as_str(), i)));
            if let Some(o) = &line.offer_id {
                offer.push((o.as_str(), i));
            }
        }
        LinesBy {
            product: LineIndex::new(product),
            collection: LineIndex::new(collection),
            offer: LineIndex::new(offer),
        }
    }
}

/// Cart lines grouped by id: each distinct id once, sorted, with where its lines end
/// in `lines`, so a lookup is a binary search over the distinct ids (a cart has far
/// fewer collections than (collection, line) pairs) and its answer a slice, without
/// walking or comparing the lines. Sorted vectors rather than a `BTreeMap` for the
/// reason [`Segments`] gives.
struct LineIndex<'a> {
    /// Each distinct id, sorted, with the end of its run in `lines`.
    ids: Vec<(&'a str, usize)>,
    /// The sorted (id, line) pairs themselves: keeping the ids in them costs less
    /// module code than a second vector of lines alone (measured: docs/benchmarks.md).
    lines: Vec<(&'a str, usize)>,
}

impl<'a> LineIndex<'a> {
    /// From (id, line) pairs in line order.
    fn new(mut pairs: Vec<(&'a str, usize)>) -> Self {
        // Stable, by id only: each id's lines stay ascending as pushed.
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        // A line may list a collection twice.
        pairs.dedup();
        let mut ids: Vec<(&str, usize)> = Vec::new();
        for (end, (id, _)) in pairs.iter().enumerate() {
            match ids.last_mut() {
                Some((last, last_end)) if *last == *id => *last_end = end + 1,
                _ => ids.push((id, end + 1)),
            }
        }
        LineIndex { ids, lines: pairs }
    }

    /// The lines that carry `id`, ascending.
    fn lines_with(&self, id: &str) -> &[(&'a str, usize)] {
        match self.ids.binary_search_by(|(k, _)| (*k).cmp(id)) {
            Ok(i) => {
                let start = i.checked_sub(1).map_or(0, |before| self.ids[before].1);
                &self.lines[start..self.ids[i].1]
            }
            Err(_) => &[],
        }
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
        let history = History::new(customer, context.now, currency);
        // Summary ids are unique (validated); the summary wins over a bundle rule.
        let mut joined: Vec<(&str, Joined)> = customer
            .segments
            .iter()
            .map(|m| (m.segment_id.as_str(), Joined::At(m.joined_at)))
            .collect();
        joined.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let summary = joined.len();
        for s in &bundle.segments {
            let in_summary = joined[..summary]
                .binary_search_by(|(id, _)| (*id).cmp(s.id.as_str()))
                .is_ok();
            if !in_summary {
                let verdict = segments::evaluate(&s.rule, &history, context.now);
                if verdict != Joined::No {
                    joined.push((s.id.as_str(), verdict));
                }
            }
        }
        // Bundle segment ids are unique too (validated), so no id is left twice.
        joined.sort_unstable_by(|a, b| a.0.cmp(b.0));
        // At most limits::MAX_CODES codes: a linear check for repeats is cheapest.
        let mut entered: Vec<String> = Vec::with_capacity(context.codes.len());
        for code in &context.codes {
            let code = code.trim().to_ascii_uppercase();
            if !entered.contains(&code) {
                entered.push(code);
            }
        }
        Facts {
            now: context.now,
            currency,
            cod: context.is_cod(),
            cart,
            amounts: CartFacts::new(cart, currency),
            history,
            segments: Segments(joined),
            rules: &bundle.segments,
            entered,
            lines_by: LinesBy::new(cart),
            campaigns: &bundle.campaigns,
            zone: bundle.time_zone.as_ref(),
        }
    }

    /// A campaign's id and what is left of its budget (never below zero), if the bundle
    /// has it.
    pub fn budget_room(&self, campaign: &str) -> Option<(&'a str, Money)> {
        self.campaigns.iter().find(|c| c.id == campaign).map(|c| {
            let spent = c.spent.map_or(Money::ZERO, |s| self.currency.money(s));
            (
                c.id.as_str(),
                (self.currency.money(c.budget) - spent).max(Money::ZERO),
            )
        })
    }

    /// The selected shipping option's id.
    pub fn selected_shipping(&self) -> Option<&str> {
        self.cart
            .shipping
            .as_ref()
            .and_then(|s| s.selected_id.as_deref())
    }

    /// The entered code that names `coupon` (normalised: trimmed, ASCII letters
    /// upper-cased), if the shopper entered its code or one that matches its hash.
    pub fn code_entered(&self, coupon: &Coupon) -> Option<&str> {
        match (&coupon.code, &coupon.code_hash, &coupon.code_batch) {
            (Some(code), _, _) => self.entered.iter().find(|e| e.eq_ignore_ascii_case(code)),
            (None, Some(hash), _) => crate::model::find_hashed(hash, &self.entered),
            (None, None, Some(batch)) => {
                let batch = batch.batch();
                self.entered.iter().find(|e| batch.matches(e))
            }
            (None, None, None) => None,
        }
        .map(String::as_str)
    }

    /// The closest way for the customer into any of `segment_ids` (see
    /// [`segments::closest`]; the first on a tie), among those the bundle builds from
    /// history: the others are assigned by the merchant, and no step of the shopper's
    /// joins them.
    pub fn way_into(&self, segment_ids: &[String]) -> Option<ReasonKind> {
        let mut best: Option<(u32, &Rule)> = None;
        for id in segment_ids {
            let Some(segment) = self.rules.iter().find(|s| &s.id == id) else {
                continue;
            };
            let way = segments::closest(&segment.rule, &self.history, self.now);
            if way.is_some_and(|w| best.is_none_or(|b| w.0 > b.0)) {
                best = way;
            }
        }
        best.and_then(|(_, part)| segments::step(part, &self.history))
    }

    /// Start of a behaviour period ending now; `None` = lifetime (or before time began).
    pub fn period_start(&self, within_last: Option<&Span>) -> Option<Timestamp> {
        within_last.and_then(|span| self.now.minus(span))
    }

    /// The cart lines of `product_id`, ascending (looked up in the index, not scanned).
    pub fn lines_of<'s>(&'s self, product_id: &str) -> impl Iterator<Item = usize> + 's {
        self.lines_by
            .product
            .lines_with(product_id)
            .iter()
            .map(|(_, line)| *line)
    }

    /// Units of `product_id` in the cart, over every line that carries it.
    pub fn units_of(&self, product_id: &str) -> u32 {
        self.lines_of(product_id).fold(0, |n, line| {
            n.saturating_add(self.cart.lines[line].quantity)
        })
    }

    /// Whether cart line `line` is on sale: its compare-at price is above its price.
    pub fn on_sale(&self, line: usize) -> bool {
        let l = &self.cart.lines[line];
        l.compare_at_price
            .is_some_and(|c| self.currency.money(c) > self.currency.money(l.unit_price))
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
            .flat_map(|id| index.lines_with(id))
            .map(|(_, line)| *line)
            .collect();
        // One id's lines come out of the index ascending and once each (most scopes
        // name one collection); several ids' lines interleave and may repeat.
        if ids.len() > 1 {
            lines.sort_unstable();
            lines.dedup();
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn a_line_index_gives_each_ids_lines_once_and_ascending() {
        // Line order as a cart pushes them; line 1 lists "shoes" twice.
        let pairs = vec![
            ("shoes", 0),
            ("bags", 0),
            ("shoes", 1),
            ("shoes", 1),
            ("bags", 2),
            ("shoes", 3),
            ("zips", 3),
        ];
        let index = LineIndex::new(pairs);
        let lines = |id| -> Vec<usize> { index.lines_with(id).iter().map(|p| p.1).collect() };
        assert_eq!(lines("bags"), [0, 2], "the first id");
        assert_eq!(lines("shoes"), [0, 1, 3]);
        assert_eq!(lines("zips"), [3], "the last id");
        for absent in ["", "a", "hats", "zzz"] {
            assert!(lines(absent).is_empty(), "{absent}");
        }
        assert!(LineIndex::new(Vec::new()).lines_with("bags").is_empty());
    }
}
