//! Checks that serde's types cannot express: uniqueness, min ≤ max, scales that depend
//! on the currency, and the documented size limits. Runs once per input, before any
//! evaluation, and reports the first problem with its path.

use super::{
    Audience, Bundle, Cart, Context, Coupon, Customer, Discount, OrderScope, Rule, Span, Window,
};
use crate::error::{Error, ErrorCode, Quoted};
use crate::money::{Amount, Currency, Percent, MAX_AMOUNT};

/// Documented input limits (README, "Limits"). They bound evaluation time and keep
/// all arithmetic inside `Decimal`'s range.
pub mod limits {
    /// Coupons in one bundle.
    pub const MAX_COUPONS: usize = 5_000;
    /// Segments in one bundle.
    pub const MAX_SEGMENTS: usize = 1_000;
    /// Nesting depth of a segment rule (`all`/`any` inside each other).
    pub const MAX_RULE_DEPTH: usize = 8;
    /// Lines in one cart.
    pub const MAX_LINES: usize = 1_000;
    /// Units on one line.
    pub const MAX_QUANTITY: u32 = 1_000_000;
    /// Orders in one customer summary.
    pub const MAX_ORDERS: usize = 10_000;
    /// Codes entered at once.
    pub const MAX_CODES: usize = 20;
    /// Length of any id or code, in bytes.
    pub const MAX_ID_LEN: usize = 128;
    /// Size of one JSON input, in bytes: far above the largest input the other limits
    /// allow (about 5 MB), and checked before any parsing.
    pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
}

type Result = std::result::Result<(), Error>;

fn fail(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Result {
    Err(Error::new(code, path, message))
}

fn check_scale(currency: Currency, amount: &Amount, path: &str) -> Result {
    if amount.0.scale() > currency.exponent() {
        return fail(
            ErrorCode::TooManyDecimals,
            path,
            format!(
                "{} has more decimal places than {} allows ({})",
                amount.0,
                currency.code(),
                currency.exponent()
            ),
        );
    }
    Ok(())
}

fn check_id(id: &str, path: &str) -> Result {
    if id.is_empty() || id.len() > limits::MAX_ID_LEN {
        return fail(
            ErrorCode::InvalidValue,
            path,
            format!("must be 1 to {} bytes long", limits::MAX_ID_LEN),
        );
    }
    Ok(())
}

fn check_count(len: usize, max: usize, path: &str, what: &str) -> Result {
    if len > max {
        return fail(
            ErrorCode::OutOfRange,
            path,
            format!("{len} {what} is more than the limit of {max}"),
        );
    }
    Ok(())
}

fn check_unique<'a>(
    ids: impl Iterator<Item = &'a str>,
    path: impl Fn(usize) -> String,
    what: &str,
) -> Result {
    let ids: Vec<&str> = ids.collect();
    let repeat = first_repeat(ids.iter().copied().zip(0..).collect());
    for (i, id) in ids.iter().enumerate() {
        check_id(id, &path(i))?;
        if repeat == Some(i) {
            return fail(
                ErrorCode::DuplicateId,
                path(i),
                format!("{what} {} appears twice", Quoted(id)),
            );
        }
    }
    Ok(())
}

/// Of `(key, index)` pairs in ascending index order, the index of the first one whose
/// key an earlier one has. Errors are reported in input order, so callers check each
/// item up to this index before failing on it. (A sort rather than a set: one sort
/// routine is less code in the module than a `BTreeSet` per key type.)
fn first_repeat(mut keyed: Vec<(&str, usize)>) -> Option<usize> {
    // Stable, by key only: equal keys keep their input order.
    keyed.sort_by(|a, b| a.0.cmp(b.0));
    // Within a run of equal keys the second index is that key's first repeat.
    keyed
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| w[1].1)
        .min()
}

fn check_min_max<T: PartialOrd + std::fmt::Display>(
    min: Option<T>,
    max: Option<T>,
    path: &str,
) -> Result {
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return fail(
                ErrorCode::MinGreaterThanMax,
                path,
                format!("minimum {min} is greater than maximum {max}"),
            );
        }
    }
    Ok(())
}

fn check_span(span: &Span, path: &str) -> Result {
    if span.is_zero() {
        return fail(
            ErrorCode::InvalidValue,
            path,
            "a span needs at least one non-zero part",
        );
    }
    Ok(())
}

fn check_non_empty<T>(list: &[T], path: &str) -> Result {
    if list.is_empty() {
        return fail(ErrorCode::EmptyList, path, "must list at least one entry");
    }
    Ok(())
}

/// Validates a bundle as a whole.
pub fn bundle(b: &Bundle) -> Result {
    if b.max_codes == 0 || b.max_codes as usize > limits::MAX_CODES {
        return fail(
            ErrorCode::OutOfRange,
            "bundle.maxCodes",
            format!("must be 1 to {}", limits::MAX_CODES),
        );
    }
    check_count(
        b.coupons.len(),
        limits::MAX_COUPONS,
        "bundle.coupons",
        "coupons",
    )?;
    check_count(
        b.segments.len(),
        limits::MAX_SEGMENTS,
        "bundle.segments",
        "segments",
    )?;
    check_unique(
        b.coupons.iter().map(|c| c.id.as_str()),
        |i| format!("bundle.coupons[{i}].id"),
        "coupon id",
    )?;
    // Codes are compared upper-cased; a coupon without a code repeats nothing.
    let codes: Vec<(String, usize)> = b
        .coupons
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.code.as_ref()?.to_ascii_uppercase(), i)))
        .collect();
    let repeat = first_repeat(codes.iter().map(|(code, i)| (code.as_str(), *i)).collect());
    for (i, c) in b.coupons.iter().enumerate() {
        coupon(c, b.currency, &format!("bundle.coupons[{i}]"))?;
        if let Some(code) = &c.code {
            if repeat == Some(i) {
                return fail(
                    ErrorCode::DuplicateCode,
                    format!("bundle.coupons[{i}].code"),
                    format!("code {} is used by another coupon", Quoted(code)),
                );
            }
        }
    }
    check_unique(
        b.segments.iter().map(|s| s.id.as_str()),
        |i| format!("bundle.segments[{i}].id"),
        "segment id",
    )?;
    for (i, s) in b.segments.iter().enumerate() {
        rule(&s.rule, &format!("bundle.segments[{i}].rule"), 1)?;
    }
    Ok(())
}

fn coupon(c: &Coupon, currency: Currency, path: &str) -> Result {
    match &c.code {
        Some(code) => check_id(code, &format!("{path}.code"))?,
        None if c.application == super::Application::Code => {
            return fail(
                ErrorCode::MissingCode,
                format!("{path}.code"),
                "a coupon applied by code needs a code",
            );
        }
        None => {}
    }
    discount(&c.discount, currency, &format!("{path}.discount"))?;
    if let Some(b) = &c.behavior {
        if let Some(span) = &b.within_last {
            check_span(span, &format!("{path}.behavior.withinLast"))?;
        }
        if let Some(spend) = &b.min_spend {
            check_scale(currency, spend, &format!("{path}.behavior.minSpend"))?;
        }
        if let Some(code) = &b.used_coupon {
            check_id(code, &format!("{path}.behavior.usedCoupon"))?;
        }
    }
    if let Some(p) = &c.purchase {
        for (amount, field) in [(&p.min_value, "minValue"), (&p.max_value, "maxValue")] {
            if let Some(a) = amount {
                check_scale(currency, a, &format!("{path}.purchase.{field}"))?;
            }
        }
        check_min_max(
            p.min_value.map(|a| a.0),
            p.max_value.map(|a| a.0),
            &format!("{path}.purchase.minValue"),
        )?;
        check_min_max(
            p.min_quantity,
            p.max_quantity,
            &format!("{path}.purchase.minQuantity"),
        )?;
        if let Some(s) = &p.scope {
            scope(s, &format!("{path}.purchase.scope"))?;
        }
    }
    if let Some(Audience::Specific {
        customer_ids,
        segment_ids,
    }) = &c.audience
    {
        if customer_ids.is_empty() && segment_ids.is_empty() {
            return fail(
                ErrorCode::EmptyList,
                format!("{path}.audience.specific"),
                "a specific audience names at least one customer or segment",
            );
        }
    }
    if let Some(OrderScope::OrderCount {
        nth,
        min_previous,
        max_previous,
    }) = &c.order_scope
    {
        let p = format!("{path}.orderScope.orderCount");
        if *nth == Some(0) {
            return fail(
                ErrorCode::InvalidValue,
                format!("{p}.nth"),
                "orders are counted from 1",
            );
        }
        if nth.is_none() && min_previous.is_none() && max_previous.is_none() {
            return fail(
                ErrorCode::MissingField,
                format!("{p}.nth"),
                "an order-count scope needs nth, minPrevious or maxPrevious",
            );
        }
        check_min_max(*min_previous, *max_previous, &format!("{p}.minPrevious"))?;
    }
    if let Some(w) = &c.active_window {
        window(w, &format!("{path}.activeWindow"))?;
    }
    if let Some(v) = &c.validity {
        check_id(&v.segment_id, &format!("{path}.validity.segmentId"))?;
        check_span(&v.duration, &format!("{path}.validity.duration"))?;
    }
    if c.display.title.trim().is_empty() {
        return fail(
            ErrorCode::InvalidValue,
            format!("{path}.display.title"),
            "a card needs a title",
        );
    }
    Ok(())
}

fn percent_above_zero(p: &Percent, path: &str) -> Result {
    if p.0.is_zero() {
        return fail(ErrorCode::InvalidPercent, path, "must be more than 0");
    }
    Ok(())
}

fn at_least_one(n: Option<u32>, path: &str) -> Result {
    if n == Some(0) {
        return fail(ErrorCode::InvalidValue, path, "must be at least 1");
    }
    Ok(())
}

fn scope(s: &super::Scope, path: &str) -> Result {
    let (list, field) = match s {
        super::Scope::EntireCart => return Ok(()),
        super::Scope::Products(ids) => (ids, "products"),
        super::Scope::Collections(ids) => (ids, "collections"),
        super::Scope::Offers(ids) => (ids, "offers"),
    };
    check_non_empty(list, &format!("{path}.{field}"))
}

/// Exactly one of the named options is present.
fn exactly_one(present: &[(bool, &str)], path: &str) -> Result {
    let names: Vec<&str> = present.iter().map(|(_, n)| *n).collect();
    match present.iter().filter(|(p, _)| *p).count() {
        1 => Ok(()),
        0 => fail(
            ErrorCode::MissingField,
            format!("{path}.{}", names[0]),
            format!("needs one of {}", names.join(", ")),
        ),
        _ => fail(
            ErrorCode::InvalidValue,
            path.to_string(),
            format!("takes only one of {}", names.join(", ")),
        ),
    }
}

fn discount(d: &Discount, currency: Currency, path: &str) -> Result {
    match d {
        Discount::Percentage { percent, cap } => {
            percent_above_zero(percent, &format!("{path}.percentage.percent"))?;
            if let Some(cap) = cap {
                positive(cap, currency, &format!("{path}.percentage.cap"))?;
            }
        }
        Discount::FixedAmount { amount } => {
            positive(amount, currency, &format!("{path}.fixedAmount.amount"))?
        }
        Discount::AmountPerItem { amount } => {
            positive(amount, currency, &format!("{path}.amountPerItem.amount"))?
        }
        Discount::FixedPrice { price } => {
            check_scale(currency, price, &format!("{path}.fixedPrice.price"))?
        }
        Discount::Tiered { tiers, cap } => {
            let p = format!("{path}.tiered");
            check_non_empty(tiers, &format!("{p}.tiers"))?;
            for (i, t) in tiers.iter().enumerate() {
                let tp = format!("{p}.tiers[{i}]");
                check_scale(currency, &t.min_value, &format!("{tp}.minValue"))?;
                if i > 0 && t.min_value <= tiers[i - 1].min_value {
                    return fail(
                        ErrorCode::InvalidValue,
                        format!("{tp}.minValue"),
                        "tier minimums must strictly ascend",
                    );
                }
                exactly_one(
                    &[
                        (t.percent.is_some(), "percent"),
                        (t.amount.is_some(), "amount"),
                    ],
                    &tp,
                )?;
                if let Some(pc) = &t.percent {
                    percent_above_zero(pc, &format!("{tp}.percent"))?;
                }
                if let Some(a) = &t.amount {
                    positive(a, currency, &format!("{tp}.amount"))?;
                }
            }
            if let Some(cap) = cap {
                positive(cap, currency, &format!("{p}.cap"))?;
            }
        }
        Discount::BuyXGetY {
            buy,
            get,
            percent,
            limit,
        } => {
            let p = format!("{path}.buyXGetY");
            for (set, name) in [(buy, "buy"), (get, "get")] {
                scope(&set.scope, &format!("{p}.{name}.scope"))?;
                at_least_one(Some(set.quantity), &format!("{p}.{name}.quantity"))?;
            }
            if let Some(pc) = percent {
                percent_above_zero(pc, &format!("{p}.percent"))?;
            }
            at_least_one(*limit, &format!("{p}.limit"))?;
        }
        Discount::FreeShipping { option_ids, cap } => {
            if let Some(ids) = option_ids {
                check_non_empty(ids, &format!("{path}.freeShipping.optionIds"))?;
            }
            if let Some(cap) = cap {
                positive(cap, currency, &format!("{path}.freeShipping.cap"))?;
            }
        }
        Discount::FreeGift {
            product_id,
            quantity,
        } => {
            check_id(product_id, &format!("{path}.freeGift.productId"))?;
            at_least_one(*quantity, &format!("{path}.freeGift.quantity"))?;
        }
        Discount::Combo {
            items,
            price,
            percent,
            amount,
            limit,
        } => {
            let p = format!("{path}.combo");
            check_non_empty(items, &format!("{p}.items"))?;
            check_unique(
                items.iter().map(|it| it.product_id.as_str()),
                |i| format!("{p}.items[{i}].productId"),
                "product",
            )?;
            for (i, it) in items.iter().enumerate() {
                at_least_one(it.quantity, &format!("{p}.items[{i}].quantity"))?;
            }
            if items.iter().map(|it| it.quantity.unwrap_or(1)).sum::<u32>() < 2 {
                return fail(
                    ErrorCode::InvalidValue,
                    format!("{p}.items"),
                    "a combo needs at least two units per set",
                );
            }
            exactly_one(
                &[
                    (price.is_some(), "price"),
                    (percent.is_some(), "percent"),
                    (amount.is_some(), "amount"),
                ],
                &p,
            )?;
            if let Some(price) = price {
                check_scale(currency, price, &format!("{p}.price"))?;
            }
            if let Some(pc) = percent {
                percent_above_zero(pc, &format!("{p}.percent"))?;
            }
            if let Some(a) = amount {
                positive(a, currency, &format!("{p}.amount"))?;
            }
            at_least_one(*limit, &format!("{p}.limit"))?;
        }
    }
    Ok(())
}

fn positive(amount: &Amount, currency: Currency, path: &str) -> Result {
    check_scale(currency, amount, path)?;
    if amount.0.is_zero() {
        return fail(ErrorCode::InvalidValue, path, "must be more than zero");
    }
    Ok(())
}

fn window(w: &Window, path: &str) -> Result {
    if let (Some(start), Some(end)) = (&w.start, &w.end) {
        if end <= start {
            return fail(
                ErrorCode::WindowEndBeforeStart,
                format!("{path}.end"),
                format!("ends at {end} but starts at {start}"),
            );
        }
    }
    Ok(())
}

fn rule(r: &Rule, path: &str, depth: usize) -> Result {
    if depth > limits::MAX_RULE_DEPTH {
        return fail(
            ErrorCode::OutOfRange,
            path,
            format!("rules nest deeper than {}", limits::MAX_RULE_DEPTH),
        );
    }
    match r {
        Rule::All(rules) | Rule::Any(rules) => {
            let path = format!(
                "{path}.{}",
                if matches!(r, Rule::All(_)) {
                    "all"
                } else {
                    "any"
                }
            );
            check_non_empty(rules, &path)?;
            for (i, sub) in rules.iter().enumerate() {
                rule(sub, &format!("{path}[{i}]"), depth + 1)?;
            }
        }
        Rule::Purchased {
            min_orders,
            product_ids,
        } => {
            if *min_orders == Some(0) {
                return fail(
                    ErrorCode::InvalidValue,
                    format!("{path}.purchased.minOrders"),
                    "must be at least 1",
                );
            }
            if let Some(ids) = product_ids {
                check_non_empty(ids, &format!("{path}.purchased.productIds"))?;
            }
        }
        Rule::BoughtProduct { product_id, .. } => {
            check_id(product_id, &format!("{path}.boughtProduct.productId"))?
        }
        Rule::CourseProgress { course_id, .. } => {
            check_id(course_id, &format!("{path}.courseProgress.courseId"))?
        }
        Rule::Inactive { inactive_for, .. } => {
            check_span(inactive_for, &format!("{path}.inactive.inactiveFor"))?
        }
    }
    Ok(())
}

/// Validates a customer summary against the store currency.
pub fn customer(c: &Customer, currency: Currency) -> Result {
    check_id(&c.id, "customer.id")?;
    check_count(
        c.orders.len(),
        limits::MAX_ORDERS,
        "customer.orders",
        "orders",
    )?;
    check_unique(
        c.orders.iter().map(|o| o.id.as_str()),
        |i| format!("customer.orders[{i}].id"),
        "order id",
    )?;
    for (i, o) in c.orders.iter().enumerate() {
        check_scale(currency, &o.total, &format!("customer.orders[{i}].total"))?;
    }
    check_unique(
        c.segments.iter().map(|m| m.segment_id.as_str()),
        |i| format!("customer.segments[{i}].segmentId"),
        "segment",
    )?;
    check_unique(
        c.courses.iter().map(|p| p.course_id.as_str()),
        |i| format!("customer.courses[{i}].courseId"),
        "course",
    )?;
    Ok(())
}

/// Validates a cart against the store currency.
pub fn cart(c: &Cart, currency: Currency) -> Result {
    if c.currency != currency {
        return fail(
            ErrorCode::CurrencyMismatch,
            "cart.currency",
            format!(
                "the cart is in {} but the coupons are in {}",
                c.currency.code(),
                currency.code()
            ),
        );
    }
    check_count(c.lines.len(), limits::MAX_LINES, "cart.lines", "lines")?;
    check_unique(
        c.lines.iter().map(|l| l.id.as_str()),
        |i| format!("cart.lines[{i}].id"),
        "line id",
    )?;
    for (i, l) in c.lines.iter().enumerate() {
        check_scale(
            currency,
            &l.unit_price,
            &format!("cart.lines[{i}].unitPrice"),
        )?;
        if l.quantity == 0 {
            return fail(
                ErrorCode::InvalidQuantity,
                format!("cart.lines[{i}].quantity"),
                "must be at least 1",
            );
        }
        if l.quantity > limits::MAX_QUANTITY {
            return fail(
                ErrorCode::OutOfRange,
                format!("cart.lines[{i}].quantity"),
                format!("more than {} units", limits::MAX_QUANTITY),
            );
        }
    }
    let subtotal: rust_decimal::Decimal = c
        .lines
        .iter()
        .map(|l| l.unit_price.0 * rust_decimal::Decimal::from(l.quantity))
        .sum();
    if subtotal >= MAX_AMOUNT {
        // Keeps every allocation product (amount × weight, in minor units) inside i128.
        return fail(
            ErrorCode::OutOfRange,
            "cart.lines",
            format!("the cart subtotal {subtotal} is not below 10^15"),
        );
    }
    if let Some(s) = &c.shipping {
        check_unique(
            s.options.iter().map(|o| o.id.as_str()),
            |i| format!("cart.shipping.options[{i}].id"),
            "shipping option",
        )?;
        for (i, o) in s.options.iter().enumerate() {
            check_scale(
                currency,
                &o.amount,
                &format!("cart.shipping.options[{i}].amount"),
            )?;
        }
        if let Some(sel) = &s.selected_id {
            if !s.options.iter().any(|o| &o.id == sel) {
                return fail(
                    ErrorCode::InvalidValue,
                    "cart.shipping.selectedId",
                    format!("{} is not one of the options", Quoted(sel)),
                );
            }
        }
    }
    Ok(())
}

/// Validates the evaluation context.
pub fn context(c: &Context) -> Result {
    check_count(c.codes.len(), limits::MAX_CODES, "context.codes", "codes")?;
    for (i, code) in c.codes.iter().enumerate() {
        check_id(code.trim(), &format!("context.codes[{i}]"))?;
    }
    if let Some(m) = &c.payment_method {
        check_id(m, "context.paymentMethod")?;
    }
    Ok(())
}
