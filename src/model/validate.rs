//! Checks that the types cannot express: uniqueness, min ≤ max, scales that depend
//! on the currency, and the documented size limits. Runs once per input, before any
//! evaluation, and reports the first problem with its path.

use super::{
    Audience, Bundle, Cart, ComboItem, Context, Coupon, Customer, Discount, Hours, OrderScope,
    Rule, Span, Tier, TimeZone, UnitSet, Window,
};
use crate::error::{Error, ErrorCode};
use crate::json::{Path, Quoted, VariantName as _};
use crate::money::{Amount, Currency, Money, Percent};

/// Documented input limits (README, "Limits"). They bound evaluation time and keep
/// all arithmetic inside [`Money`]'s range.
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
    /// Windows in one coupon's schedule.
    pub const MAX_SCHEDULE_WINDOWS: usize = 28;
    /// Entries in a time zone's offsets: a zone changes its offset at most a few times
    /// a year, and the list covers weeks.
    pub const MAX_ZONE_OFFSETS: usize = 100;
    /// Length of any id or code, in bytes.
    pub const MAX_ID_LEN: usize = 128;
    /// Size of one JSON input, in bytes: far above the largest input the other limits
    /// allow, and checked before any parsing.
    pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
}

type Result = std::result::Result<(), Error>;

// Paths are built as borrowed chains and rendered only when a check fails: formatting
// each field's path up front was most of the time spent validating a bundle.
fn fail(code: ErrorCode, at: &Path<'_>, message: impl Into<String>) -> Result {
    Err(at.error(code, message))
}

/// The power of ten that amounts and the cart subtotal stay below, in major units:
/// 10^15, or fewer where that many would pass [`Money::INPUT_LIMIT`] (10^18 minor
/// units; 10^14 for currencies with 4 decimal places).
fn major_limit_exponent(currency: Currency) -> u32 {
    15.min(18 - currency.exponent())
}

/// The amount's scale fits the currency, and its minor units fit [`Money`].
fn check_amount(currency: Currency, amount: &Amount, at: &Path<'_>) -> Result {
    if amount.scale() > currency.exponent() {
        return fail(
            ErrorCode::TooManyDecimals,
            at,
            format!(
                "{amount} has more decimal places than {} allows ({})",
                currency.code(),
                currency.exponent()
            ),
        );
    }
    // Below 10^15 as read; only a currency with 4 decimal places can reach the limit.
    if currency.money(*amount) >= Money::INPUT_LIMIT {
        return fail(
            ErrorCode::OutOfRange,
            at,
            format!(
                "amount {amount} is not below 10^{} {}",
                major_limit_exponent(currency),
                currency.code()
            ),
        );
    }
    Ok(())
}

fn check_id(id: &str, at: &Path<'_>) -> Result {
    if id.is_empty() || id.len() > limits::MAX_ID_LEN {
        return fail(
            ErrorCode::InvalidValue,
            at,
            format!("must be 1 to {} bytes long", limits::MAX_ID_LEN),
        );
    }
    Ok(())
}

fn check_count(len: usize, max: usize, at: &Path<'_>, what: &str) -> Result {
    if len > max {
        return fail(
            ErrorCode::OutOfRange,
            at,
            format!("{len} {what} is more than the limit of {max}"),
        );
    }
    Ok(())
}

/// Each id (field `field` of the entries of the list at `list`) is valid and unique.
fn check_unique<'a>(
    ids: impl Iterator<Item = &'a str>,
    list: &Path<'_>,
    field: &str,
    what: &str,
) -> Result {
    let ids: Vec<&str> = ids.collect();
    let repeat = first_repeat(ids.iter().copied().zip(0..).collect());
    for (i, id) in ids.iter().enumerate() {
        let entry = list.index(i);
        let at = entry.key(field);
        check_id(id, &at)?;
        if repeat == Some(i) {
            return fail(
                ErrorCode::DuplicateId,
                &at,
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
    at: &Path<'_>,
) -> Result {
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return fail(
                ErrorCode::MinGreaterThanMax,
                at,
                format!("minimum {min} is greater than maximum {max}"),
            );
        }
    }
    Ok(())
}

fn check_span(span: &Span, at: &Path<'_>) -> Result {
    if span.is_zero() {
        return fail(
            ErrorCode::InvalidValue,
            at,
            "a span needs at least one non-zero part",
        );
    }
    Ok(())
}

fn check_non_empty<T>(list: &[T], at: &Path<'_>) -> Result {
    if list.is_empty() {
        return fail(ErrorCode::EmptyList, at, "must list at least one entry");
    }
    Ok(())
}

/// Validates a bundle as a whole.
pub fn bundle(b: &Bundle) -> Result {
    let root = Path::Root("bundle");
    if b.max_codes == 0 || b.max_codes as usize > limits::MAX_CODES {
        return fail(
            ErrorCode::OutOfRange,
            &root.key("maxCodes"),
            format!("must be 1 to {}", limits::MAX_CODES),
        );
    }
    let (coupons, segments) = (root.key("coupons"), root.key("segments"));
    check_count(b.coupons.len(), limits::MAX_COUPONS, &coupons, "coupons")?;
    check_count(
        b.segments.len(),
        limits::MAX_SEGMENTS,
        &segments,
        "segments",
    )?;
    check_unique(
        b.coupons.iter().map(|c| c.id.as_str()),
        &coupons,
        "id",
        "coupon id",
    )?;
    // Codes are compared upper-cased; a coupon without a code repeats nothing. Hashed
    // codes are not compared: each has its own salt, and the server validates the bundle
    // with its clear codes before it conceals them.
    let codes: Vec<(String, usize)> = b
        .coupons
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.code.as_ref()?.to_ascii_uppercase(), i)))
        .collect();
    let repeat = first_repeat(codes.iter().map(|(code, i)| (code.as_str(), *i)).collect());
    batch_prefixes(b, &coupons)?;
    used_codes_stay_hidden(b, &coupons)?;
    if let Some(zone) = &b.time_zone {
        time_zone(zone, &root.key("timeZone"))?;
    }
    for (i, c) in b.coupons.iter().enumerate() {
        let at = coupons.index(i);
        coupon(c, b.currency, &at)?;
        if let Some(windows) = &c.schedule {
            schedule(windows, &at.key("schedule"))?;
            if b.time_zone
                .as_ref()
                .and_then(|z| z.offsets.as_ref())
                .is_none_or(Vec::is_empty)
            {
                return fail(
                    ErrorCode::MissingField,
                    &root.key("timeZone"),
                    "a schedule needs the bundle's timeZone with offsets",
                );
            }
        }
        if let Some(code) = &c.code {
            if repeat == Some(i) {
                return fail(
                    ErrorCode::DuplicateCode,
                    &at.key("code"),
                    format!("code {} is used by another coupon", Quoted(code)),
                );
            }
        }
    }
    check_unique(
        b.segments.iter().map(|s| s.id.as_str()),
        &segments,
        "id",
        "segment id",
    )?;
    for (i, s) in b.segments.iter().enumerate() {
        rule(&s.rule, &segments.index(i).key("rule"), 1)?;
    }
    campaigns(b, &root)
}

/// A zone's offsets are instants in ascending order (its name is for people).
fn time_zone(zone: &TimeZone, at: &Path<'_>) -> Result {
    let list = at.key("offsets");
    check_count(
        zone.offsets.as_ref().map_or(0, Vec::len),
        limits::MAX_ZONE_OFFSETS,
        &list,
        "offsets",
    )?;
    match zone.changes() {
        Err(i) => fail(
            ErrorCode::InvalidDate,
            &list.index(i),
            "must be a date-time with offset after the one before",
        ),
        Ok(_) => Ok(()),
    }
}

/// Each window reads as days and hours, and is open for some time.
fn schedule(windows: &[String], at: &Path<'_>) -> Result {
    check_non_empty(windows, at)?;
    check_count(windows.len(), limits::MAX_SCHEDULE_WINDOWS, at, "windows")?;
    if let Err(i) = Hours::all(windows) {
        return fail(
            ErrorCode::InvalidValue,
            &at.index(i),
            "must be a window such as \"sat,sun 17:00-20:00\"",
        );
    }
    Ok(())
}

/// Campaign ids are unique, budgets positive, and every coupon's campaign is one of them.
fn campaigns(b: &Bundle, root: &Path<'_>) -> Result {
    let list = root.key("campaigns");
    check_unique(
        b.campaigns.iter().map(|c| c.id.as_str()),
        &list,
        "id",
        "campaign id",
    )?;
    for (i, c) in b.campaigns.iter().enumerate() {
        let at = list.index(i);
        check_id(&c.id, &at.key("id"))?;
        check_amount(b.currency, &c.budget, &at.key("budget"))?;
        if c.budget.is_zero() {
            return fail(
                ErrorCode::InvalidValue,
                &at.key("budget"),
                "must be more than 0",
            );
        }
        if let Some(spent) = &c.spent {
            check_amount(b.currency, spent, &at.key("spent"))?;
        }
    }
    for (i, c) in b.coupons.iter().enumerate() {
        if let Some(k) = &c.campaign {
            if !b.campaigns.iter().any(|campaign| campaign.id == *k) {
                return fail(
                    ErrorCode::InvalidValue,
                    &root.key("coupons").index(i).key("campaign"),
                    format!("no campaign {} in the bundle's campaigns", Quoted(k)),
                );
            }
        }
    }
    Ok(())
}

/// No code can belong to two batches: no batch's prefix starts another's (a code of
/// one would then find both coupons, and the server would take it from the wrong one).
fn batch_prefixes(b: &Bundle, coupons: &Path<'_>) -> Result {
    let batches: Vec<(usize, &str)> = b
        .coupons
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((i, c.code_batch.as_ref()?.prefix.as_str())))
        .collect();
    for &(i, prefix) in &batches {
        if let Some(&(j, other)) = batches
            .iter()
            .find(|&&(j, other)| j < i && (other.starts_with(prefix) || prefix.starts_with(other)))
        {
            return fail(
                ErrorCode::DuplicateCode,
                &coupons.index(i).key("codeBatch").key("prefix"),
                format!(
                    "prefix {} overlaps coupons[{j}]'s {}: a code could belong to both batches",
                    Quoted(prefix),
                    Quoted(other)
                ),
            );
        }
    }
    Ok(())
}

/// A batch's prefix, length and salt, within what its codes and checks need.
fn code_batch(b: &super::CodeBatch, at: &Path<'_>) -> Result {
    let prefix_ok = (1..=16).contains(&b.prefix.len())
        && b.prefix
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-');
    if !prefix_ok {
        return fail(
            ErrorCode::InvalidValue,
            &at.key("prefix"),
            "must be 1 to 16 capital letters, digits or -",
        );
    }
    if !(6..=32).contains(&b.length) {
        return fail(ErrorCode::OutOfRange, &at.key("length"), "must be 6 to 32");
    }
    if !(16..=128).contains(&b.salt.len()) {
        return fail(
            ErrorCode::InvalidValue,
            &at.key("salt"),
            "must be 16 to 128 bytes",
        );
    }
    Ok(())
}

/// A `behavior.usedCoupon` may not name the code of a hidden coupon applied by code:
/// the published bundle carries that condition's code in clear, and its card says "For
/// customers who have used …", while the hidden coupon's own code is only a hash
/// ([`super::Bundle::concealed`]). A hashed code is checked against the named ones with
/// its salt, as entered codes are: once per distinct named code, since many conditions
/// commonly name the same one.
fn used_codes_stay_hidden(b: &Bundle, coupons: &Path<'_>) -> Result {
    fn used(c: &Coupon) -> Option<&String> {
        c.behavior.as_ref()?.used_coupon.as_ref()
    }
    // Linear, not sorted: few distinct codes are named, and a sort of strings would
    // add its own code to the WebAssembly module.
    let mut named: Vec<String> = Vec::new();
    for code in b.coupons.iter().filter_map(used) {
        let code = code.to_ascii_uppercase();
        if !named.contains(&code) {
            named.push(code);
        }
    }
    let hidden = b
        .coupons
        .iter()
        .filter(|h| !h.display.visible && h.application == super::Application::Code);
    for h in hidden {
        let revealed = match (&h.code, &h.code_hash) {
            (Some(code), _) => named.iter().find(|n| n.eq_ignore_ascii_case(code)),
            (None, Some(hash)) => super::coupon::find_hashed(hash, &named),
            (None, None) => None,
        };
        let Some(code) = revealed else {
            continue;
        };
        // The first condition that names it (one does: the code came from them).
        let i = b
            .coupons
            .iter()
            .position(|c| used(c).is_some_and(|u| u.eq_ignore_ascii_case(code)))
            .unwrap_or_default();
        return fail(
            ErrorCode::InvalidValue,
            &coupons.index(i).key("behavior").key("usedCoupon"),
            format!(
                "names the code of hidden coupon {}, which the published bundle and this coupon's card would show",
                h.id
            ),
        );
    }
    Ok(())
}

fn coupon(c: &Coupon, currency: Currency, at: &Path<'_>) -> Result {
    let codes = [
        c.code.is_some(),
        c.code_hash.is_some(),
        c.code_batch.is_some(),
    ];
    if codes.iter().filter(|&&given| given).count() > 1 {
        let field = if c.code_batch.is_some() {
            "codeBatch"
        } else {
            "codeHash"
        };
        return fail(
            ErrorCode::InvalidValue,
            &at.key(field),
            "a coupon takes one of code, codeHash and codeBatch",
        );
    }
    if let Some(batch) = &c.code_batch {
        if c.application != super::Application::Code {
            return fail(
                ErrorCode::InvalidValue,
                &at.key("codeBatch"),
                "a batch of codes is for a coupon applied by code",
            );
        }
        code_batch(batch, &at.key("codeBatch"))?;
    }
    match (&c.code, &c.code_hash) {
        (Some(_), Some(_)) => {
            return fail(
                ErrorCode::InvalidValue,
                &at.key("codeHash"),
                "a coupon takes a code or a codeHash, not both",
            );
        }
        (Some(code), None) => check_id(code, &at.key("code"))?,
        (None, Some(hash)) if super::coupon::code_hash_parts(hash).is_none() => {
            return fail(
                ErrorCode::InvalidValue,
                &at.key("codeHash"),
                "must be a salt of 16 to 128 bytes, a dot and a SHA-512 digest in base64url",
            );
        }
        (None, None) if c.application == super::Application::Code && c.code_batch.is_none() => {
            return fail(
                ErrorCode::MissingCode,
                &at.key("code"),
                "a coupon applied by code needs a code, a codeHash or a codeBatch",
            );
        }
        _ => {}
    }
    discount(&c.discount, currency, &at.key("discount"))?;
    if let Some(b) = &c.behavior {
        if let Some(span) = &b.within_last {
            check_span(span, &at.key("behavior").key("withinLast"))?;
        }
        if let Some(spend) = &b.min_spend {
            check_amount(currency, spend, &at.key("behavior").key("minSpend"))?;
        }
        if let Some(code) = &b.used_coupon {
            check_id(code, &at.key("behavior").key("usedCoupon"))?;
        }
    }
    if let Some(p) = &c.purchase {
        for (amount, field) in [(&p.min_value, "minValue"), (&p.max_value, "maxValue")] {
            if let Some(a) = amount {
                check_amount(currency, a, &at.key("purchase").key(field))?;
            }
        }
        check_min_max(
            p.min_value,
            p.max_value,
            &at.key("purchase").key("minValue"),
        )?;
        check_min_max(
            p.min_quantity,
            p.max_quantity,
            &at.key("purchase").key("minQuantity"),
        )?;
        if let Some(s) = &p.scope {
            scope(s, &at.key("purchase").key("scope"))?;
        }
        if p.after_discounts && p.min_value.is_none() {
            return fail(
                ErrorCode::MissingField,
                &at.key("purchase").key("minValue"),
                "afterDiscounts measures the minimum value; there is none",
            );
        }
        // These kinds take off units they pick themselves, never the scope's lines: the
        // exclusion would only narrow the conditions while sale items still got the
        // discount.
        if p.exclude_sale_items
            && matches!(
                c.discount,
                Discount::BuyXGetY { .. } | Discount::Combo { .. } | Discount::FreeGift { .. }
            )
        {
            return fail(
                ErrorCode::InvalidValue,
                &at.key("purchase").key("excludeSaleItems"),
                format!(
                    "{} picks its own units; it cannot exclude sale items",
                    c.discount.variant_name()
                ),
            );
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
                &at.key("audience").key("specific"),
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
        let order_scope = at.key("orderScope");
        let p = order_scope.key("orderCount");
        if *nth == Some(0) {
            return fail(
                ErrorCode::InvalidValue,
                &p.key("nth"),
                "orders are counted from 1",
            );
        }
        if nth.is_none() && min_previous.is_none() && max_previous.is_none() {
            return fail(
                ErrorCode::MissingField,
                &p.key("nth"),
                "an order-count scope needs nth, minPrevious or maxPrevious",
            );
        }
        check_min_max(*min_previous, *max_previous, &p.key("minPrevious"))?;
    }
    if let Some(w) = &c.active_window {
        window(w, &at.key("activeWindow"))?;
    }
    if let Some(v) = &c.validity {
        check_id(&v.segment_id, &at.key("validity").key("segmentId"))?;
        check_span(&v.duration, &at.key("validity").key("duration"))?;
    }
    if c.display.title.trim().is_empty() {
        return fail(
            ErrorCode::InvalidValue,
            &at.key("display").key("title"),
            "a card needs a title",
        );
    }
    Ok(())
}

fn percent_above_zero(p: &Percent, at: &Path<'_>) -> Result {
    if p.0.is_zero() {
        return fail(ErrorCode::InvalidPercent, at, "must be more than 0");
    }
    Ok(())
}

fn at_least_one(n: Option<u32>, at: &Path<'_>) -> Result {
    if n == Some(0) {
        return fail(ErrorCode::InvalidValue, at, "must be at least 1");
    }
    Ok(())
}

fn scope(s: &super::Scope, at: &Path<'_>) -> Result {
    let (list, field) = match s {
        super::Scope::EntireCart => return Ok(()),
        super::Scope::Products(ids) => (ids, "products"),
        super::Scope::Collections(ids) => (ids, "collections"),
        super::Scope::Offers(ids) => (ids, "offers"),
    };
    check_non_empty(list, &at.key(field))
}

/// Exactly one of the named options is present.
#[inline(never)]
fn exactly_one(present: &[(bool, &str)], at: &Path<'_>) -> Result {
    let names: Vec<&str> = present.iter().map(|(_, n)| *n).collect();
    match present.iter().filter(|(p, _)| *p).count() {
        1 => Ok(()),
        0 => fail(
            ErrorCode::MissingField,
            &at.key(names[0]),
            format!("needs one of {}", names.join(", ")),
        ),
        _ => fail(
            ErrorCode::InvalidValue,
            at,
            format!("takes only one of {}", names.join(", ")),
        ),
    }
}

fn discount(d: &Discount, currency: Currency, at: &Path<'_>) -> Result {
    // The unit cap of the kinds that take one, and their key: checked once, below.
    let mut max_units = (None, "");
    match d {
        Discount::Percentage {
            percent,
            cap,
            max_units: m,
        } => {
            max_units = (*m, "percentage");
            percent_above_zero(percent, &at.key("percentage").key("percent"))?;
            if let Some(cap) = cap {
                positive(cap, currency, &at.key("percentage").key("cap"))?;
            }
        }
        Discount::FixedAmount {
            amount,
            max_units: m,
        } => {
            max_units = (*m, "fixedAmount");
            positive(amount, currency, &at.key("fixedAmount").key("amount"))?;
        }
        Discount::AmountPerItem {
            amount,
            max_units: m,
        } => {
            max_units = (*m, "amountPerItem");
            positive(amount, currency, &at.key("amountPerItem").key("amount"))?;
        }
        Discount::FixedPrice { price } => {
            check_amount(currency, price, &at.key("fixedPrice").key("price"))?;
        }
        Discount::Tiered { tiers, cap } => {
            tiered(tiers, cap.as_ref(), currency, &at.key("tiered"))?;
        }
        Discount::BuyXGetY {
            buy,
            get,
            percent,
            limit,
            ..
        } => buy_x_get_y(buy, get, percent.as_ref(), *limit, &at.key("buyXGetY"))?,
        Discount::FreeShipping { option_ids, cap } => {
            if let Some(ids) = option_ids {
                check_non_empty(ids, &at.key("freeShipping").key("optionIds"))?;
            }
            if let Some(cap) = cap {
                positive(cap, currency, &at.key("freeShipping").key("cap"))?;
            }
        }
        Discount::FreeGift {
            product_id,
            product_ids,
            quantity,
        } => {
            let p = at.key("freeGift");
            exactly_one(
                &[
                    (product_id.is_some(), "productId"),
                    (product_ids.is_some(), "productIds"),
                ],
                &p,
            )?;
            // One check for either form: `productId`, or each of `productIds`.
            let (one, list) = (p.key("productId"), p.key("productIds"));
            if product_ids.is_some() {
                check_non_empty(d.gift_choices(), &list)?;
            }
            for (i, id) in d.gift_choices().iter().enumerate() {
                let each = list.index(i);
                check_id(id, if product_ids.is_some() { &each } else { &one })?;
            }
            at_least_one(*quantity, &p.key("quantity"))?;
        }
        Discount::Combo {
            items,
            price,
            percent,
            amount,
            limit,
        } => combo(
            items,
            (price.as_ref(), percent.as_ref(), amount.as_ref()),
            *limit,
            currency,
            &at.key("combo"),
        )?,
    }
    at_least_one(max_units.0, &at.key(max_units.1).key("maxUnits"))?;
    Ok(())
}

/// Tiers ascend strictly by minimum, each with one of percent or amount; `p` is the
/// path of `tiered`.
fn tiered(tiers: &[Tier], cap: Option<&Amount>, currency: Currency, p: &Path<'_>) -> Result {
    let tiers_at = p.key("tiers");
    check_non_empty(tiers, &tiers_at)?;
    for (i, t) in tiers.iter().enumerate() {
        let tp = tiers_at.index(i);
        check_amount(currency, &t.min_value, &tp.key("minValue"))?;
        if i > 0 && t.min_value <= tiers[i - 1].min_value {
            return fail(
                ErrorCode::InvalidValue,
                &tp.key("minValue"),
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
            percent_above_zero(pc, &tp.key("percent"))?;
        }
        if let Some(a) = &t.amount {
            positive(a, currency, &tp.key("amount"))?;
        }
    }
    if let Some(cap) = cap {
        positive(cap, currency, &p.key("cap"))?;
    }
    Ok(())
}

/// Both unit sets scoped and at least one unit; `p` is the path of `buyXGetY`.
fn buy_x_get_y(
    buy: &UnitSet,
    get: &UnitSet,
    percent: Option<&Percent>,
    limit: Option<u32>,
    p: &Path<'_>,
) -> Result {
    for (set, name) in [(buy, "buy"), (get, "get")] {
        scope(&set.scope, &p.key(name).key("scope"))?;
        at_least_one(Some(set.quantity), &p.key(name).key("quantity"))?;
    }
    if let Some(pc) = percent {
        percent_above_zero(pc, &p.key("percent"))?;
    }
    at_least_one(limit, &p.key("limit"))?;
    Ok(())
}

/// Distinct products, two units a set at least, and exactly one of price, percent or
/// amount (`terms`); `p` is the path of `combo`.
fn combo(
    items: &[ComboItem],
    terms: (Option<&Amount>, Option<&Percent>, Option<&Amount>),
    limit: Option<u32>,
    currency: Currency,
    p: &Path<'_>,
) -> Result {
    let (price, percent, amount) = terms;
    let items_at = p.key("items");
    check_non_empty(items, &items_at)?;
    check_unique(
        items.iter().map(|it| it.product_id.as_str()),
        &items_at,
        "productId",
        "product",
    )?;
    for (i, it) in items.iter().enumerate() {
        at_least_one(it.quantity, &p.key("items").index(i).key("quantity"))?;
    }
    if items.iter().map(|it| it.quantity.unwrap_or(1)).sum::<u32>() < 2 {
        return fail(
            ErrorCode::InvalidValue,
            &p.key("items"),
            "a combo needs at least two units per set",
        );
    }
    exactly_one(
        &[
            (price.is_some(), "price"),
            (percent.is_some(), "percent"),
            (amount.is_some(), "amount"),
        ],
        p,
    )?;
    if let Some(price) = price {
        check_amount(currency, price, &p.key("price"))?;
    }
    if let Some(pc) = percent {
        percent_above_zero(pc, &p.key("percent"))?;
    }
    if let Some(a) = amount {
        positive(a, currency, &p.key("amount"))?;
    }
    at_least_one(limit, &p.key("limit"))?;
    Ok(())
}

fn positive(amount: &Amount, currency: Currency, at: &Path<'_>) -> Result {
    check_amount(currency, amount, at)?;
    if amount.is_zero() {
        return fail(ErrorCode::InvalidValue, at, "must be more than zero");
    }
    Ok(())
}

fn window(w: &Window, at: &Path<'_>) -> Result {
    if let (Some(start), Some(end)) = (&w.start, &w.end) {
        if end <= start {
            return fail(
                ErrorCode::WindowEndBeforeStart,
                &at.key("end"),
                format!("ends at {end} but starts at {start}"),
            );
        }
    }
    Ok(())
}

fn rule(r: &Rule, at: &Path<'_>, depth: usize) -> Result {
    if depth > limits::MAX_RULE_DEPTH {
        return fail(
            ErrorCode::OutOfRange,
            at,
            format!("rules nest deeper than {}", limits::MAX_RULE_DEPTH),
        );
    }
    match r {
        Rule::All(rules) | Rule::Any(rules) => {
            let list = at.key(if matches!(r, Rule::All(_)) {
                "all"
            } else {
                "any"
            });
            check_non_empty(rules, &list)?;
            for (i, sub) in rules.iter().enumerate() {
                rule(sub, &list.index(i), depth + 1)?;
            }
        }
        Rule::Purchased {
            min_orders,
            product_ids,
        } => {
            if *min_orders == Some(0) {
                return fail(
                    ErrorCode::InvalidValue,
                    &at.key("purchased").key("minOrders"),
                    "must be at least 1",
                );
            }
            if let Some(ids) = product_ids {
                check_non_empty(ids, &at.key("purchased").key("productIds"))?;
            }
        }
        Rule::BoughtProduct { product_id, .. } => {
            check_id(product_id, &at.key("boughtProduct").key("productId"))?;
        }
        Rule::CourseProgress { course_id, .. } => {
            check_id(course_id, &at.key("courseProgress").key("courseId"))?;
        }
        Rule::Inactive { inactive_for, .. } => {
            check_span(inactive_for, &at.key("inactive").key("inactiveFor"))?;
        }
    }
    Ok(())
}

/// Validates a customer summary against the store currency.
pub fn customer(c: &Customer, currency: Currency) -> Result {
    let root = Path::Root("customer");
    check_id(&c.id, &root.key("id"))?;
    let orders = root.key("orders");
    check_count(c.orders.len(), limits::MAX_ORDERS, &orders, "orders")?;
    check_unique(
        c.orders.iter().map(|o| o.id.as_str()),
        &orders,
        "id",
        "order id",
    )?;
    for (i, o) in c.orders.iter().enumerate() {
        check_amount(currency, &o.total, &orders.index(i).key("total"))?;
    }
    check_unique(
        c.segments.iter().map(|m| m.segment_id.as_str()),
        &root.key("segments"),
        "segmentId",
        "segment",
    )?;
    check_unique(
        c.courses.iter().map(|p| p.course_id.as_str()),
        &root.key("courses"),
        "courseId",
        "course",
    )?;
    Ok(())
}

/// A tax breakdown needs a rate for every line (`"0"` for zero-rated goods), and
/// prices said to include tax need the rates to take it out.
fn tax_rates(c: &Cart, lines: &Path<'_>) -> Result {
    let taxed = c.lines.iter().filter(|l| l.tax_rate.is_some()).count();
    if taxed == c.lines.len() || (taxed == 0 && !c.prices_include_tax) {
        return Ok(());
    }
    let i = c
        .lines
        .iter()
        .position(|l| l.tax_rate.is_none())
        .unwrap_or(0);
    let message = if taxed == 0 {
        "prices that include tax need the tax rate of every line"
    } else {
        "a tax rate is on some lines: every line needs one (\"0\" for zero-rated goods)"
    };
    fail(
        ErrorCode::MissingField,
        &lines.index(i).key("taxRate"),
        message,
    )
}

/// Validates a cart against the store currency.
pub fn cart(c: &Cart, currency: Currency) -> Result {
    let root = Path::Root("cart");
    if c.currency != currency {
        return fail(
            ErrorCode::CurrencyMismatch,
            &root.key("currency"),
            format!(
                "the cart is in {} but the coupons are in {}",
                c.currency.code(),
                currency.code()
            ),
        );
    }
    let lines = root.key("lines");
    check_count(c.lines.len(), limits::MAX_LINES, &lines, "lines")?;
    check_unique(
        c.lines.iter().map(|l| l.id.as_str()),
        &lines,
        "id",
        "line id",
    )?;
    for (i, l) in c.lines.iter().enumerate() {
        let line = lines.index(i);
        check_amount(currency, &l.unit_price, &line.key("unitPrice"))?;
        if let Some(c) = &l.compare_at_price {
            check_amount(currency, c, &line.key("compareAtPrice"))?;
        }
        if l.quantity == 0 {
            return fail(
                ErrorCode::InvalidQuantity,
                &line.key("quantity"),
                "must be at least 1",
            );
        }
        if l.quantity > limits::MAX_QUANTITY {
            return fail(
                ErrorCode::OutOfRange,
                &line.key("quantity"),
                format!("more than {} units", limits::MAX_QUANTITY),
            );
        }
    }
    tax_rates(c, &lines)?;
    // In 128 bits, as a line's price times its units can pass 64; exact, as every
    // price was checked above.
    let subtotal: i128 = c
        .lines
        .iter()
        .map(|l| i128::from(currency.money(l.unit_price).minor_units()) * i128::from(l.quantity))
        .sum();
    let limit = 10i128.pow(major_limit_exponent(currency) + currency.exponent());
    if subtotal >= limit {
        // Keeps the cart's money, with shipping, inside 64 bits.
        let mut text = String::new();
        crate::money::write_minor_units(subtotal, currency.exponent(), &mut text);
        return fail(
            ErrorCode::OutOfRange,
            &lines,
            format!(
                "the cart subtotal {text} is not below 10^{}",
                major_limit_exponent(currency)
            ),
        );
    }
    if let Some(s) = &c.shipping {
        let shipping = root.key("shipping");
        let options = shipping.key("options");
        check_unique(
            s.options.iter().map(|o| o.id.as_str()),
            &options,
            "id",
            "shipping option",
        )?;
        for (i, o) in s.options.iter().enumerate() {
            check_amount(currency, &o.amount, &options.index(i).key("amount"))?;
        }
        if let Some(sel) = &s.selected_id {
            if !s.options.iter().any(|o| &o.id == sel) {
                return fail(
                    ErrorCode::InvalidValue,
                    &shipping.key("selectedId"),
                    format!("{} is not one of the options", Quoted(sel)),
                );
            }
        }
    }
    Ok(())
}

/// Validates the evaluation context.
pub fn context(c: &Context) -> Result {
    let root = Path::Root("context");
    let codes = root.key("codes");
    check_count(c.codes.len(), limits::MAX_CODES, &codes, "codes")?;
    for (i, code) in c.codes.iter().enumerate() {
        check_id(code.trim(), &codes.index(i))?;
    }
    if let Some(m) = &c.payment_method {
        check_id(m, &root.key("paymentMethod"))?;
    }
    Ok(())
}
