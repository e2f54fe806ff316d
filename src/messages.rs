//! The engine's English: the default message of each reason, progress line and
//! unknown code, written from the same codes and params the result carries.
//!
//! Without the `messages` feature every function here returns an empty string and
//! the text below is left out of the build: the WebAssembly module is built so, and
//! its package writes these same messages in JS (`localize`, English in UTC), which
//! keeps the module inside its size budget. Every caller still calls these
//! functions, so both builds compute the same result but for the messages.

use crate::model::{Coupon, ReasonKind, Scope, Tier, Timestamp};
use crate::money::{write_normalized, Amount, Currency, Money};

/// Whether this build writes English messages (the `messages` feature).
const ENGLISH: bool = cfg!(feature = "messages");

/// The English message of an entered code that no coupon of the bundle has.
pub fn unknown_code(code: &str) -> String {
    if !ENGLISH {
        return String::new();
    }
    format!("Code {code} is not valid")
}

/// The English message of the progress line toward a tiered discount's next tier:
/// `remaining` more of the scoped subtotal reaches `next`.
pub fn next_tier(next: &Tier, remaining: Money, currency: Currency) -> String {
    if !ENGLISH {
        return String::new();
    }
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
    format!("Add {} more for {reward}", currency.format(remaining))
}

/// The English message of a reason.
pub fn reason(kind: &ReasonKind, coupon: &Coupon, currency: Currency) -> String {
    if !ENGLISH {
        return String::new();
    }
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
            required.normalized(),
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

/// The English message of the progress line of a reason: where the shopper stands
/// (`current` of `target`, in the line's whole units) or the step left (`remaining`,
/// as the line writes it).
pub fn progress(
    kind: &ReasonKind,
    coupon: &Coupon,
    currency: Currency,
    current: i64,
    target: i64,
    remaining: &str,
) -> String {
    if !ENGLISH {
        return String::new();
    }
    use ReasonKind::*;
    let left = target - current;
    let money = |units| currency.format(Money::from_minor_units(units));
    match kind {
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
            remaining,
            course(course_id, course_name.as_ref())
        ),
        _ => plural(
            u32::try_from(left).unwrap_or(u32::MAX),
            "more order",
            "more orders",
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::{one_of, when};
    use crate::model::Timestamp;

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
