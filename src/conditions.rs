//! Conditions: for one coupon and the evaluation's facts, every reason it cannot be
//! used right now. Pure; no money moves here.

use crate::facts::Facts;
use crate::model::{Audience, CardStatus, Coupon, OrderScope, ReasonKind, Timestamp};
use crate::money::{Amount, Money};
use crate::segments::Joined;

/// The outcome of checking one coupon's conditions.
pub struct Verdict {
    /// Why the coupon cannot be used, in check order (empty: usable).
    pub blockers: Vec<ReasonKind>,
    /// The cart lines its discount applies to, in cart order (the evaluation moves
    /// them to [`crate::selection::Combinations::scoped`]).
    pub scoped: Vec<usize>,
    /// When it stops working for this customer.
    pub expires_at: Option<Timestamp>,
}

impl Verdict {
    /// Whether every condition holds.
    pub fn usable(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// The card status a reason leads to; a card takes the worst of its reasons.
pub fn status_of(reason: &ReasonKind) -> CardStatus {
    use ReasonKind::*;
    match reason {
        Ended { .. } | ValidityEnded { .. } | ScheduleEnded {} => CardStatus::Expired,
        GlobalLimitReached { .. } | CustomerLimitReached { .. } | BudgetExhausted { .. } => {
            CardStatus::Exhausted
        }
        NotInAudience {}
        | NotInSegment { .. }
        | ValidityUnknown { .. }
        | FirstOrderOnly { .. }
        | OrderCountMismatch { .. }
        | UsedCouponRequired { .. } => CardStatus::Ineligible,
        NotStarted { .. }
        | OutsideSchedule { .. }
        | MorePurchases { .. }
        | ProductNotBought { .. }
        | CourseIncomplete { .. }
        | MorePreviousOrders { .. }
        | MinOrders { .. }
        | MinSpend { .. }
        | MinPurchaseValue { .. }
        | MinValueAfterDiscounts { .. }
        | MaxPurchaseValue { .. }
        | MinQuantity { .. }
        | MaxQuantity { .. }
        | NoEligibleItems {}
        | SaleItemsExcluded {}
        | CodNotAllowed {}
        | ShippingNotEligible {}
        | BuyXGetYIncomplete { .. }
        | ComboIncomplete { .. } => CardStatus::Locked,
        CodeNotEntered {}
        | NotCombinable { .. }
        | NothingToDiscount {}
        | LowerSaving {}
        | NotChosen {}
        | TooManyCodes { .. }
        | BudgetShared { .. }
        | GiftNotInCart { .. }
        | GiftChoiceNotInCart { .. } => CardStatus::Available,
    }
}

/// Checks every condition of `coupon`; reports all failures, not just the first, so a
/// card can say everything that stands in the way.
pub fn check(coupon: &Coupon, facts: &Facts) -> Verdict {
    let mut blockers = Vec::new();
    let mut window_end = active_window(coupon, facts.now, &mut blockers);
    // Only within the active window: before or after it, its own reason says it. Open,
    // the offer ends for now when its hours close.
    if let (Some(schedule), Some(zone), true) = (&coupon.schedule, facts.zone, blockers.is_empty())
    {
        match crate::schedule::check(schedule, zone, facts.now, window_end) {
            Ok(end) => window_end = end,
            Err(reason) => blockers.push(reason),
        }
    }
    let validity_end = validity(coupon, facts, &mut blockers);
    limits(coupon, facts, &mut blockers);
    audience(coupon, facts, &mut blockers);
    order_scope(coupon, facts, &mut blockers);
    behavior(coupon, facts, &mut blockers);
    let scoped = purchase(coupon, facts, &mut blockers);
    if let Some(reason) = crate::offers::unmet(coupon, &scoped, facts) {
        blockers.push(reason);
    }
    if coupon.disable_cod && facts.cod {
        blockers.push(ReasonKind::CodNotAllowed {});
    }
    if blockers.is_empty() {
        budget(coupon, &scoped, facts, &mut blockers);
    }
    Verdict {
        blockers,
        scoped,
        // The earlier of the coupon's end and the customer's own window's.
        expires_at: match (window_end, validity_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        },
    }
}

/// The coupon's active window: not started or ended. Returns when it ends.
fn active_window(
    coupon: &Coupon,
    now: Timestamp,
    blockers: &mut Vec<ReasonKind>,
) -> Option<Timestamp> {
    let w = coupon.active_window.as_ref()?;
    if let Some(start) = w.start.filter(|s| now < *s) {
        blockers.push(ReasonKind::NotStarted { starts_at: start });
    }
    let end = w.end?;
    if now >= end {
        blockers.push(ReasonKind::Ended { ended_at: end });
    }
    Some(end)
}

/// The customer's own window after joining a segment: not in it, joined at an unknown
/// time, or ended. Returns when it ends.
fn validity(coupon: &Coupon, facts: &Facts, blockers: &mut Vec<ReasonKind>) -> Option<Timestamp> {
    let v = coupon.validity.as_ref()?;
    let segment_id = v.segment_id.clone();
    match facts.segments.get(v.segment_id.as_str()) {
        None | Some(Joined::No) => blockers.push(
            facts
                .way_into(std::slice::from_ref(&v.segment_id))
                .unwrap_or(ReasonKind::NotInSegment { segment_id }),
        ),
        Some(Joined::At(joined)) if *joined > facts.now => {
            blockers.push(ReasonKind::NotInSegment { segment_id });
        }
        Some(Joined::Undated) => blockers.push(ReasonKind::ValidityUnknown { segment_id }),
        Some(Joined::At(joined)) => {
            // Past chrono's range the window never closes.
            let end = joined.plus(&v.duration)?;
            if facts.now >= end {
                blockers.push(ReasonKind::ValidityEnded {
                    segment_id,
                    ended_at: end,
                });
            }
            return Some(end);
        }
    }
    None
}

/// The global and per-customer usage limits, by the counts the server sent.
fn limits(coupon: &Coupon, facts: &Facts, blockers: &mut Vec<ReasonKind>) {
    let Some(l) = &coupon.limits else {
        return;
    };
    if let Some(limit) = l.global.filter(|limit| l.global_redeemed >= *limit) {
        blockers.push(ReasonKind::GlobalLimitReached { limit });
    }
    let used = facts
        .history
        .customer
        .coupon_usage
        .get(&coupon.id)
        .copied()
        .unwrap_or(0);
    if let Some(limit) = l.per_customer.filter(|limit| used >= *limit) {
        blockers.push(ReasonKind::CustomerLimitReached { limit, used });
    }
}

/// A specific audience: the customer is listed, or a member of a listed segment. Left
/// out, the card names the closest step into a segment built from history.
fn audience(coupon: &Coupon, facts: &Facts, blockers: &mut Vec<ReasonKind>) {
    let Some(Audience::Specific {
        customer_ids,
        segment_ids,
    }) = &coupon.audience
    else {
        return;
    };
    let listed = customer_ids.contains(&facts.history.customer.id);
    let in_segment = segment_ids.iter().any(|s| {
        facts
            .segments
            .get(s.as_str())
            .is_some_and(|j| *j != Joined::No)
    });
    // Joining the per-customer window's segment, whose reason is given already,
    // lets the customer in here too: the card says it once.
    let window_says_it = || {
        coupon
            .validity
            .as_ref()
            .is_some_and(|v| segment_ids.contains(&v.segment_id))
    };
    if !listed && !in_segment && !window_says_it() {
        blockers.push(
            facts
                .way_into(segment_ids)
                .unwrap_or(ReasonKind::NotInAudience {}),
        );
    }
}

/// Which of the customer's orders this may be: the first, the n-th, or within a
/// range of previous orders.
fn order_scope(coupon: &Coupon, facts: &Facts, blockers: &mut Vec<ReasonKind>) {
    let previous = facts.history.previous_orders();
    match &coupon.order_scope {
        None | Some(OrderScope::All) => {}
        Some(OrderScope::FirstOrder) => {
            if previous > 0 {
                blockers.push(ReasonKind::FirstOrderOnly {
                    previous_orders: previous,
                });
            }
        }
        Some(OrderScope::OrderCount {
            nth,
            min_previous,
            max_previous,
        }) => {
            // "The n-th order" means exactly n-1 previous orders.
            let exact = nth.map(|n| n - 1);
            let too_many =
                exact.is_some_and(|e| previous > e) || max_previous.is_some_and(|m| previous > m);
            let needed = exact
                .into_iter()
                .chain(*min_previous)
                .max()
                .filter(|r| previous < *r);
            if too_many {
                blockers.push(ReasonKind::OrderCountMismatch {
                    previous_orders: previous,
                });
            } else if let Some(required) = needed {
                blockers.push(ReasonKind::MorePreviousOrders {
                    required,
                    current: previous,
                });
            }
        }
    }
}

/// The customer's past purchases in the behaviour period: a coupon used, a number of
/// orders, a spend.
fn behavior(coupon: &Coupon, facts: &Facts, blockers: &mut Vec<ReasonKind>) {
    let Some(b) = &coupon.behavior else {
        return;
    };
    let since = facts.period_start(b.within_last.as_ref());
    // English for the messages, only written for a condition that fails.
    let period = || b.within_last.as_ref().map(crate::model::Span::describe);
    if let Some(code) = &b.used_coupon {
        if !facts.history.used_code_since(code, since) {
            blockers.push(ReasonKind::UsedCouponRequired {
                code: code.clone(),
                period: period(),
            });
        }
    }
    if let Some(required) = b.min_orders {
        let current = facts.history.orders_since(since);
        if current < required {
            blockers.push(ReasonKind::MinOrders {
                required,
                current,
                period: period(),
            });
        }
    }
    if let Some(required) = b.min_spend.map(|m| facts.currency.money(m)) {
        let spent = facts.history.spend_since(since);
        if spent < required {
            blockers.push(ReasonKind::MinSpend {
                required: facts.currency.amount(required),
                current: facts.currency.amount(spent),
                period: period(),
            });
        }
    }
}

/// The cart: lines in the purchase scope (less those on sale, when it excludes
/// them), and their value and units within the bounds. Returns the scoped lines, in
/// cart order.
fn purchase(coupon: &Coupon, facts: &Facts, blockers: &mut Vec<ReasonKind>) -> Vec<usize> {
    let purchase = coupon.purchase.as_ref();
    let mut scoped = facts.scoped_lines(purchase.and_then(|p| p.scope.as_ref()));
    if scoped.is_empty() {
        blockers.push(ReasonKind::NoEligibleItems {});
        return scoped;
    }
    if purchase.is_some_and(|p| p.exclude_sale_items) {
        scoped.retain(|&i| !facts.on_sale(i));
        if scoped.is_empty() {
            blockers.push(ReasonKind::SaleItemsExcluded {});
            return scoped;
        }
    }
    let Some(p) = purchase else {
        return scoped;
    };
    let value: Money = scoped.iter().map(|&i| facts.amounts.lines[i]).sum();
    let currency = facts.currency;
    let quantity: u32 = scoped
        .iter()
        .map(|&i| facts.cart.lines[i].quantity)
        .fold(0, u32::saturating_add);
    let money = |a: Option<Amount>| a.map(|a| currency.money(a));
    if let Some(min) = money(p.min_value).filter(|m| value < *m) {
        blockers.push(ReasonKind::MinPurchaseValue {
            required: currency.amount(min),
            current: currency.amount(value),
        });
    }
    if let Some(max) = money(p.max_value).filter(|m| value > *m) {
        blockers.push(ReasonKind::MaxPurchaseValue {
            limit: currency.amount(max),
            current: currency.amount(value),
        });
    }
    if let Some(required) = p.min_quantity.filter(|m| quantity < *m) {
        blockers.push(ReasonKind::MinQuantity {
            required,
            current: quantity,
        });
    }
    if let Some(limit) = p.max_quantity.filter(|m| quantity > *m) {
        blockers.push(ReasonKind::MaxQuantity {
            limit,
            current: quantity,
        });
    }
    scoped
}

/// A usable coupon whose discount alone does not fit in its campaign's budget is
/// exhausted: refused whole, as a smaller saving than it promises would mislead.
fn budget(coupon: &Coupon, scoped: &[usize], facts: &Facts, blockers: &mut Vec<ReasonKind>) {
    let Some((campaign, room)) = coupon
        .campaign
        .as_deref()
        .and_then(|k| facts.budget_room(k))
    else {
        return;
    };
    let full = crate::offers::Remaining::full(facts);
    let alone = crate::offers::offer(
        coupon,
        scoped,
        &full,
        facts,
        crate::offers::Split::TotalOnly,
    )
    .total;
    if alone > room {
        blockers.push(ReasonKind::BudgetExhausted {
            campaign_id: campaign.to_string(),
            remaining: facts.currency.amount(room),
        });
    }
}
