//! Cards: turns verdicts and the selection into what the shopper sees, with default
//! English messages and progress toward each threshold the shopper can close.

use crate::conditions::{status_of, Verdict};
use crate::facts::Facts;
use crate::model::{
    Card, CardStatus, Coupon, Discount, Progress, ProgressUnit, Reason, ReasonKind, Scope,
    Timestamp,
};
use crate::money::{write_minor_units, write_normalized, Amount, Currency, Money, Percent};
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
    let reward = match (&next.percent, &next.amount) {
        (Some(p), _) => {
            let mut text = String::new();
            write_normalized(p.0, &mut text);
            text.push('%');
            text
        }
        (None, Some(a)) => format!("{} off", currency.format(currency.money(*a))),
        (None, None) => String::new(),
    };
    Some(Progress {
        unit: ProgressUnit::CartValue,
        current: currency.amount(value).to_string(),
        target: currency.amount(target).to_string(),
        remaining: currency.amount(remaining).to_string(),
        percent: percent(value.minor_units(), target.minor_units()),
        message: format!("Add {} more for {reward}", currency.format(remaining)),
    })
}

/// The code a card or an applied discount shows: the coupon's own, or for a hashed
/// code the one the shopper entered (`entered`), as only that is known.
pub fn shown_code(coupon: &Coupon, entered: Option<&str>) -> Option<String> {
    coupon.code.as_deref().or(entered).map(str::to_string)
}

fn reason(kind: ReasonKind, coupon: &Coupon, currency: Currency) -> Reason {
    let message = message(&kind, coupon, currency);
    Reason { kind, message }
}

/// A date for people: "21 Nov 2026, 17:31 UTC" (the params keep the exact instant).
/// Written out field by field: chrono's `format` parses a pattern at run time, and
/// its parser would be in the WebAssembly module for this one message.
fn when(t: &Timestamp) -> String {
    use chrono::{Datelike, Timelike};
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let utc = t.0.naive_utc();
    format!(
        "{} {} {:04}, {:02}:{:02} UTC",
        utc.day(),
        MONTHS[utc.month0() as usize],
        utc.year(),
        utc.hour(),
        utc.minute()
    )
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn in_period(period: Option<&String>) -> String {
    period.map_or_else(String::new, |p| format!(" in the last {p}"))
}

/// Ids joined for a sentence: "a", "a or b", "a, b or c".
fn one_of(ids: &[String]) -> String {
    let mut text = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            text.push_str(if i + 1 == ids.len() { " or " } else { ", " });
        }
        text.push_str(id);
    }
    text
}

/// A percentage for people: "94.9%".
fn percent_text(p: &Percent) -> String {
    let mut text = String::new();
    write_normalized(p.0, &mut text);
    text
}

/// A course by its name from the summary, else its id.
fn course<'k>(course_id: &'k str, course_name: Option<&'k String>) -> &'k str {
    course_name.map_or(course_id, String::as_str)
}

/// Where the cart's count toward a purchase condition comes from: the cart, or the
/// products, collections or offers the coupon's scope names; `after` follows it
/// ("after discounts"), then whether sale items are left out, since the shopper sees
/// them in the cart.
fn counted(coupon: &Coupon, after: &str) -> String {
    let purchase = coupon.purchase.as_ref();
    let mut from = match purchase.and_then(|p| p.scope.as_ref()) {
        None | Some(Scope::EntireCart) => " in your cart".to_string(),
        Some(Scope::Products(ids) | Scope::Collections(ids) | Scope::Offers(ids)) => {
            format!(" from {}", one_of(ids))
        }
    };
    from.push_str(after);
    if purchase.is_some_and(|p| p.exclude_sale_items) {
        from.push_str(", sale items excluded");
    }
    from
}

/// The default English message for a reason.
pub fn message(kind: &ReasonKind, coupon: &Coupon, currency: Currency) -> String {
    use ReasonKind::*;
    let money = |a: &Amount| currency.format(currency.money(*a));
    match kind {
        NotStarted { starts_at } => format!("Available from {}", when(starts_at)),
        OutsideSchedule {
            day, time, in_days, ..
        } => {
            let on = match in_days {
                0 => "today",
                1 => "tomorrow",
                _ => {
                    crate::model::Weekday::NAMES[crate::model::Weekday::CODES
                        .iter()
                        .position(|d| d == day)
                        .unwrap_or(0)]
                }
            };
            format!("Opens {on} at {time}")
        }
        ScheduleEnded {} => "Not open again before this offer ends".to_string(),
        Ended { ended_at } => format!("This offer ended on {}", when(ended_at)),
        ValidityEnded { ended_at, .. } => {
            format!("Your personal offer ended on {}", when(ended_at))
        }
        ValidityUnknown { .. } => "Not available for your account yet".to_string(),
        GlobalLimitReached { .. } => "This coupon has been fully redeemed".to_string(),
        BudgetExhausted { remaining, .. } if remaining.is_zero() => {
            "This offer's budget is used up".to_string()
        }
        BudgetExhausted { remaining, .. } => format!(
            "Only {} is left in this offer's budget, less than this discount",
            money(remaining)
        ),
        BudgetShared { remaining, .. } => format!(
            "The discounts applied leave {} of this offer's budget, less than it takes",
            money(remaining)
        ),
        CustomerLimitReached { limit: 1, .. } => "You have already used this coupon".to_string(),
        CustomerLimitReached { limit, .. } => {
            format!("You have used this coupon the maximum {limit} times")
        }
        NotInAudience {} | NotInSegment { .. } => "Not available for your account".to_string(),
        FirstOrderOnly { .. } => "Only for your first order".to_string(),
        OrderCountMismatch { .. } => "Not available for this order".to_string(),
        MorePreviousOrders { required, .. } => {
            format!("For customers with {required}+ previous orders")
        }
        MinOrders {
            required, period, ..
        } => format!(
            "For customers with {required}+ orders{}",
            in_period(period.as_ref())
        ),
        MinSpend {
            required, period, ..
        } => {
            format!(
                "For customers who have spent {} or more{}",
                money(required),
                in_period(period.as_ref())
            )
        }
        UsedCouponRequired { code, period } => format!(
            "For customers who have used {code}{}",
            in_period(period.as_ref())
        ),
        MorePurchases {
            required,
            product_ids: None,
            ..
        } => format!("For customers with {required}+ orders"),
        MorePurchases {
            required,
            product_ids: Some(ids),
            ..
        } => format!("For customers with {required}+ orders of {}", one_of(ids)),
        ProductNotBought {
            product_id,
            price_tier_id: None,
            ..
        } => format!("For customers who have bought {product_id}"),
        ProductNotBought {
            product_id,
            price_tier_id: Some(tier),
            ..
        } => format!("For customers who have bought {product_id} ({tier})"),
        CourseIncomplete {
            course_id,
            course_name,
            required,
            ..
        } => format!(
            "For customers who have completed {}% of {}",
            percent_text(required),
            course(course_id, course_name.as_ref())
        ),
        MinPurchaseValue { required, current } => {
            let short = currency.money(*required) - currency.money(*current);
            format!("Add {} more to unlock", currency.format(short))
        }
        MinValueAfterDiscounts { required, current } => {
            let short = currency.money(*required) - currency.money(*current);
            format!(
                "Add {} more after discounts to unlock",
                currency.format(short)
            )
        }
        MaxPurchaseValue { limit, .. } => format!("Only for orders up to {}", money(limit)),
        MinQuantity { required, current } => {
            format!(
                "Add {} to unlock",
                plural(required - current, "more item", "more items")
            )
        }
        MaxQuantity { limit, .. } => format!("Only for up to {}", plural(*limit, "item", "items")),
        NoEligibleItems {} => "Add an eligible product to use this coupon".to_string(),
        SaleItemsExcluded {} => "Not valid on sale items".to_string(),
        CodNotAllowed {} => "Not available with cash on delivery".to_string(),
        // A visible coupon may keep its code secret too (a teaser card).
        CodeNotEntered {} => match &coupon.code {
            Some(code) => format!("Enter code {code} to apply"),
            None => "Enter the code to apply".to_string(),
        },
        NotCombinable { title, .. } => format!("Not combinable with {title}"),
        NothingToDiscount {} => "Nothing left to discount".to_string(),
        LowerSaving {} => "The discounts applied save you more without it".to_string(),
        NotChosen {} => "Not chosen: other discounts save you more".to_string(),
        TooManyCodes { max: 1 } => "Only one code can be used per order".to_string(),
        TooManyCodes { max } => format!("Only {max} codes can be used per order"),
        GiftNotInCart {
            product_id,
            quantity: 1,
        } => format!("Add your free gift ({product_id}) to the cart"),
        GiftNotInCart {
            product_id,
            quantity,
        } => format!("Add your {quantity} free gifts ({product_id}) to the cart"),
        GiftChoiceNotInCart {
            product_ids,
            quantity,
        } => {
            let names: Vec<&str> = product_ids.iter().map(String::as_str).collect();
            match quantity {
                1 => format!(
                    "Choose a free gift ({}) and add it to the cart",
                    names.join(", ")
                ),
                _ => format!(
                    "Choose a free gift ({}) and add {quantity} to the cart",
                    names.join(", ")
                ),
            }
        }
        ShippingNotEligible {} => "Choose an eligible delivery option".to_string(),
        BuyXGetYIncomplete { buy, get } => {
            format!("Buy {buy}, get {get}: add the qualifying items")
        }
        ComboIncomplete { missing } => {
            let names: Vec<&str> = missing.iter().map(String::as_str).collect();
            format!("Add {} to complete the set", names.join(", "))
        }
    }
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
            ProgressUnit::Course => out = percent_text(&Percent::from_ten_thousandths(units)),
            _ => write_minor_units(units.into(), 0, &mut out),
        }
        out
    };
    let money = |units| currency.format(Money::from_minor_units(units));
    let message = match kind {
        MinPurchaseValue { .. } => {
            format!(
                "{} of {}{}",
                money(current),
                money(target),
                counted(coupon, "")
            )
        }
        MinValueAfterDiscounts { .. } => format!(
            "{} of {}{}",
            money(current),
            money(target),
            counted(coupon, " after discounts")
        ),
        MinSpend { period: None, .. } => format!("Spend {} more in total with us", money(left)),
        MinSpend {
            period: Some(period),
            ..
        } => format!("Spend {} more with us within {period}", money(left)),
        MinQuantity { required, current } => format!(
            "{current} of {}{}",
            plural(*required, "item", "items"),
            counted(coupon, "")
        ),
        CourseIncomplete {
            course_id,
            course_name,
            ..
        } => format!(
            "Complete {}% more of {}",
            text(left),
            course(course_id, course_name.as_ref())
        ),
        _ => plural(
            u32::try_from(left).unwrap_or(u32::MAX),
            "more order",
            "more orders",
        ),
    };
    Some(Progress {
        unit,
        current: text(current),
        target: text(target),
        remaining: text(left),
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
    use super::{one_of, percent, when};
    use crate::model::Timestamp;

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

    #[test]
    fn ids_read_as_a_list_with_or() {
        let ids = |list: &[&str]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(one_of(&ids(&["tees"])), "tees");
        assert_eq!(one_of(&ids(&["a", "b"])), "a or b");
        assert_eq!(one_of(&ids(&["a", "b", "c"])), "a, b or c");
        assert_eq!(one_of(&[]), "");
    }

    #[test]
    fn dates_for_people_match_chronos_own_format() {
        // Offsets that move the day, the month and the year; single-digit days; years before 1000.
        for text in [
            "2026-11-22T10:00:00+05:30",
            "2026-01-01T02:15:59+05:30",
            "2025-12-31T23:59:59-10:00",
            "2024-02-29T00:00:00Z",
            "0999-03-05T07:08:09Z",
        ] {
            let t = Timestamp::parse(text).unwrap();
            let expected =
                t.0.with_timezone(&chrono::Utc)
                    .format("%-d %b %Y, %H:%M UTC")
                    .to_string();
            assert_eq!(when(&t), expected, "{text}");
        }
        assert_eq!(
            when(&Timestamp::parse("2026-01-01T02:15:59+05:30").unwrap()),
            "31 Dec 2025, 20:45 UTC"
        );
    }
}
