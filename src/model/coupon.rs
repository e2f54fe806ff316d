//! Coupon definitions and the bundle that carries them (what the merchant configures).

use serde::{Deserialize, Serialize};

use super::{Span, Timestamp};
use crate::money::{Amount, Currency, Percent};

/// Everything the server sends once per storefront: the currency, the coupons and the
/// segment rules. Validated once (see [`crate::Engine`]), then reused for every cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bundle {
    /// The store currency: every amount in the bundle, the customer summary and the cart is in it.
    pub currency: Currency,
    /// Coupon definitions in the merchant's order (cards keep it within a status).
    pub coupons: Vec<Coupon>,
    /// Segments built from purchase history, evaluated locally.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<Segment>>"))]
    pub segments: Vec<Segment>,
}

/// One coupon definition. Only `id`, `application`, `discount` and `display.title` are
/// required; every condition left out does not restrict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Coupon {
    /// Unique id within the bundle.
    pub id: String,
    /// The code a shopper types; required for `application: "code"`, optional label otherwise.
    /// Codes compare case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Whether the shopper must enter the code or the coupon applies by itself.
    pub application: Application,
    /// What the coupon takes off.
    pub discount: Discount,
    /// Conditions on the customer's past purchases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<Behavior>,
    /// Conditions on the current cart, and which lines the discount applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase: Option<Purchase>,
    /// Who may redeem it. Absent: everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// Which of the customer's orders it is for. Absent: all orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_scope: Option<OrderScope>,
    /// Usage limits with the server's current counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// Whether it may combine with other discounts. Absent: false (exclusive).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub stackable: bool,
    /// When the coupon is open at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_window: Option<Window>,
    /// A per-customer window that opens when the customer joins a segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
    /// Not usable when the payment method is cash on delivery.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub disable_cod: bool,
    /// How the card looks.
    pub display: Display,
}

/// How a coupon is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Application {
    /// The shopper enters the code at checkout.
    Code,
    /// Applied whenever its conditions hold.
    Automatic,
}

/// The discount value: `{"percentage": {"percent": "10", "cap": "500.00"}}` or
/// `{"fixedAmount": {"amount": "500.00"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Discount {
    /// A percentage of the scoped subtotal, optionally capped.
    Percentage {
        /// In (0, 100].
        percent: Percent,
        /// Upper limit on the discount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cap: Option<Amount>,
    },
    /// A fixed amount off the order (never more than the scoped subtotal).
    FixedAmount {
        /// The amount, more than zero.
        amount: Amount,
    },
}

/// Conditions on the customer's past purchases, all of which must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Behavior {
    /// Count only orders placed within this span before `now`. Absent: lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_last: Option<Span>,
    /// The customer used this code on an order in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_coupon: Option<String>,
    /// Total spend (sum of order totals) in the period is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spend: Option<Amount>,
    /// At least this many orders in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_orders: Option<u32>,
}

/// Conditions on the current cart. Value and quantity are measured over the scoped lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Purchase {
    /// Which lines count and receive the discount. Absent: the entire cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Minimum value of the scoped lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<Amount>,
    /// Maximum value of the scoped lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<Amount>,
    /// Minimum number of scoped units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quantity: Option<u32>,
    /// Maximum number of scoped units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_quantity: Option<u32>,
}

/// Which cart lines a coupon looks at and discounts: `"entireCart"`,
/// `{"products": [ids]}`, `{"collections": [ids]}` or `{"offers": [ids]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Scope {
    /// Every line.
    EntireCart,
    /// Lines of these products (at least one id).
    Products(Vec<String>),
    /// Lines in any of these collections (at least one id).
    Collections(Vec<String>),
    /// Lines bought through these offers, a product at a given price tier (at least one id).
    Offers(Vec<String>),
}

/// Who may redeem a coupon: `"all"` or `{"specific": {"customerIds": [], "segmentIds": []}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Audience {
    /// Everyone.
    All,
    /// Customers listed by id, or members of any listed segment.
    Specific {
        /// Customer ids.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
        customer_ids: Vec<String>,
        /// Segment ids.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
        segment_ids: Vec<String>,
    },
}

/// Which order of the customer's a coupon is for: `"all"`, `"firstOrder"` or
/// `{"orderCount": {"nth": 3}}` (also `minPrevious`, `maxPrevious`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum OrderScope {
    /// Any order.
    All,
    /// Only when the customer has no previous order.
    FirstOrder,
    /// By the number of previous orders: this is exactly the `nth` order, and/or
    /// previous orders are within `[minPrevious, maxPrevious]`.
    OrderCount {
        /// This order is the n-th (1 = first).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nth: Option<u32>,
        /// At least this many previous orders.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_previous: Option<u32>,
        /// At most this many previous orders.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_previous: Option<u32>,
    },
}

/// Usage limits. The server enforces them; the engine reports a coupon as exhausted
/// from the counts the server sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Limits {
    /// Total redemptions allowed across all customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<u32>,
    /// Redemptions so far across all customers, as the server counted when it issued the bundle.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>"))]
    pub global_redeemed: u32,
    /// Redemptions allowed per customer (their count comes in the customer summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_customer: Option<u32>,
}

/// A time window; either end may be open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Window {
    /// Opens at (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    /// Closes at (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
}

/// A per-customer validity window: the coupon works for this customer for `duration`
/// after they joined `segmentId`, while it stays open for others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Validity {
    /// The segment whose joining starts the window.
    pub segment_id: String,
    /// How long the window stays open.
    pub duration: Span,
}

/// What the shopper sees on the card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Display {
    /// Shown on checkout. Absent: true. A hidden coupon gets a card only when its code is entered.
    #[serde(default = "yes")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub visible: bool,
    /// Card title.
    pub title: String,
    /// Short description.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>"))]
    pub description: String,
}

fn yes() -> bool {
    true
}

/// A segment built from purchase history. A customer is a member when the summary
/// lists the membership, or when `rule` holds for their history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segment {
    /// Unique id within the bundle.
    pub id: String,
    /// The membership rule.
    pub rule: Rule,
}

/// A segment rule over the customer's history, e.g.
/// `{"all": [{"purchased": {"minOrders": 2}}, {"courseProgress": {"courseId": "c1", "minPercent": "95"}}]}`.
/// `all` is AND, `any` is OR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Rule {
    /// Every sub-rule holds (at least one sub-rule).
    All(Vec<Rule>),
    /// At least one sub-rule holds (at least one sub-rule).
    Any(Vec<Rule>),
    /// Placed at least `minOrders` orders (default 1), optionally counting only
    /// orders that contain one of `productIds`.
    Purchased {
        /// Default 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_orders: Option<u32>,
        /// Count only orders containing one of these products.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        product_ids: Option<Vec<String>>,
    },
    /// Bought a specific product, optionally at a specific price tier.
    BoughtProduct {
        /// The product.
        product_id: String,
        /// The price tier it must have been bought at.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price_tier_id: Option<String>,
    },
    /// Course progress at least `minPercent` (use e.g. 95 for "completed").
    CourseProgress {
        /// The course.
        course_id: String,
        /// Threshold in percent.
        min_percent: Percent,
    },
    /// Bought before (optionally a given date), but no order within `inactiveFor` before now.
    Inactive {
        /// At least one order placed before this date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bought_before: Option<Timestamp>,
        /// No order in this span before now.
        inactive_for: Span,
    },
}
