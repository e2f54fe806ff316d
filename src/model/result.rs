//! The evaluation result: totals, applied discounts with their allocation, and cards.
//!
//! Output fields are never omitted: an absent value is `null`, so JS code can rely
//! on every key being present.

use serde::Serialize;

use super::{Application, DiscountClass, Timestamp};
use crate::json::{ToJson, VariantName};
use crate::money::{Amount, Currency, Percent};

/// What one evaluation returns.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EvaluationResult {
    /// The currency of every amount below.
    pub currency: Currency,
    /// Sum of line amounts (unit price × quantity).
    pub subtotal: Amount,
    /// The selected shipping option's price (zero when none is selected).
    pub shipping: Amount,
    /// `subtotal + shipping`.
    pub total_before: Amount,
    /// The part of `discountTotal` taken off shipping.
    pub shipping_discount: Amount,
    /// Sum of all applied discounts.
    pub discount_total: Amount,
    /// `totalBefore - discountTotal`, never negative.
    pub total_after: Amount,
    /// The lines' amounts with and without tax, summed over the lines (shipping is
    /// not in it); null when the cart gives no tax rates.
    pub tax: Option<TaxAmounts>,
    /// The discounts applied, in the order they were computed.
    pub applied: Vec<AppliedDiscount>,
    /// Per-line totals after all discounts, in cart order.
    pub lines: Vec<LineTotal>,
    /// One card per visible coupon and per entered hidden code.
    pub cards: Vec<Card>,
    /// Entered codes that match no coupon.
    pub unknown_codes: Vec<UnknownCode>,
    /// Free gifts the shopper qualifies for that are not in the cart yet.
    pub gifts_to_add: Vec<GiftToAdd>,
}

/// A free gift to add to the cart.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GiftToAdd {
    /// The coupon that gives it.
    pub coupon_id: String,
    /// The gift product. A coupon that offers a choice of gifts has one entry per
    /// choice, in its order: the shopper adds one of them.
    pub product_id: String,
    /// Units.
    pub quantity: u32,
}

/// One applied discount and exactly where its amount went.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppliedDiscount {
    /// The coupon.
    pub coupon_id: String,
    /// Its code, if it has one.
    pub code: Option<String>,
    /// Its title.
    pub title: String,
    /// Its class (product, order, shipping).
    pub class: DiscountClass,
    /// The discount; equals the sum of `lines[].amount` plus `shipping`.
    pub amount: Amount,
    /// The amount taken off each line it touched, in cart order.
    pub lines: Vec<LineAllocation>,
    /// The amount taken off shipping.
    pub shipping: Amount,
}

/// Part of a discount allocated to one line.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LineAllocation {
    /// The cart line.
    pub line_id: String,
    /// The amount.
    pub amount: Amount,
}

/// A cart line after all discounts.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LineTotal {
    /// The cart line.
    pub line_id: String,
    /// Unit price × quantity.
    pub subtotal: Amount,
    /// Sum of every discount allocated to it.
    pub discount: Amount,
    /// `subtotal - discount`, never negative.
    pub total: Amount,
    /// The line's amounts with and without tax; null when the cart gives no tax rates.
    pub tax: Option<LineTax>,
}

/// A line's amounts with and without tax. The subtotal and the discount are each
/// converted and rounded half away from zero to the minor unit; each total is its
/// subtotal minus its discount, and `tax` is the difference of the two totals, so
/// every identity holds exactly.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LineTax {
    /// The line's tax rate in percent.
    pub rate: Percent,
    /// The line's amounts.
    pub amounts: TaxAmounts,
}

/// Amounts with and without tax: `subtotal - discount = total` on each side, and
/// `totalWithTax - totalExTax = tax`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TaxAmounts {
    /// Before the discount, without tax.
    pub subtotal_ex_tax: Amount,
    /// Before the discount, with tax.
    pub subtotal_with_tax: Amount,
    /// The discount without tax.
    pub discount_ex_tax: Amount,
    /// The discount with tax.
    pub discount_with_tax: Amount,
    /// After the discount, without tax.
    pub total_ex_tax: Amount,
    /// After the discount, with tax: what the shopper pays for the line(s).
    pub total_with_tax: Amount,
    /// The tax on the discounted price.
    pub tax: Amount,
}

/// What the shopper sees for one coupon.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// The coupon.
    pub coupon_id: String,
    /// Its code, if it has one.
    pub code: Option<String>,
    /// Entered code or automatic.
    pub application: Application,
    /// Display title.
    pub title: String,
    /// The coupon's description for this shopper: its `descriptionForOthers` when the
    /// audience or history conditions leave them out and it has one, else `description`.
    pub description: String,
    /// Where the coupon stands for this shopper and cart.
    pub status: CardStatus,
    /// Applied: the amount it takes off in the chosen combination. Available: what it
    /// would take off on its own. Otherwise null.
    pub saving: Option<Amount>,
    /// The order total before any discount.
    pub price_before: Amount,
    /// `priceBefore - saving`, when there is a saving.
    pub price_after: Option<Amount>,
    /// Why the coupon is not applied (empty when applied), worst first.
    pub reasons: Vec<Reason>,
    /// Distance to each unmet threshold that the shopper can close.
    pub progress: Vec<Progress>,
    /// When the coupon stops working for this customer: the earlier of the coupon's
    /// end and the customer's own validity window.
    pub expires_at: Option<Timestamp>,
}

/// A card's status. Listed best first; cards are sorted in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CardStatus {
    /// In the applied combination.
    Applied,
    /// Usable now (enter the code, or it lost to a better or exclusive discount).
    Available,
    /// Conditions the shopper can still meet: cart value, quantity, orders, payment method, start date.
    Locked,
    /// Conditions this customer cannot meet (audience, first order, segment).
    Ineligible,
    /// The coupon's window, or this customer's validity window, has ended.
    Expired,
    /// A usage limit is reached, or its campaign's budget cannot cover the discount.
    Exhausted,
}

/// A machine-readable reason with its parameters and a default English message.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// The code and its parameters.
    #[serde(flatten)]
    pub kind: ReasonKind,
    /// Default English message (render your own from `code` and `params` to translate,
    /// or use the package's `localize`). Empty only from a core built without its
    /// `messages` feature; the package's entries always write it.
    pub message: String,
}

/// Reason codes with their parameters. Amounts are decimal strings.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(
    tag = "code",
    content = "params",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ReasonKind {
    /// The active window has not opened yet.
    NotStarted {
        /// Opening time.
        starts_at: Timestamp,
    },
    /// Outside the coupon's schedule on the merchant's clock (the bundle's `timeZone`).
    OutsideSchedule {
        /// When it opens next.
        opens_at: Timestamp,
        /// The merchant's day of the week then (`"sat"`).
        #[cfg_attr(feature = "typescript", ts(as = "super::Weekday"))]
        day: String,
        /// The merchant's time of day then (`"17:00"`).
        #[cfg_attr(feature = "typescript", ts(as = "super::ClockTime"))]
        time: String,
        /// Days from the merchant's today to that day: 0 today, 1 tomorrow.
        in_days: u32,
    },
    /// Outside the coupon's schedule, which does not open again before the coupon's
    /// active window ends.
    ScheduleEnded {},
    /// The active window has closed.
    Ended {
        /// Closing time.
        ended_at: Timestamp,
    },
    /// The customer's own validity window (after joining a segment) has closed.
    ValidityEnded {
        /// The segment that started it.
        segment_id: String,
        /// Closing time.
        ended_at: Timestamp,
    },
    /// The customer is in the validity segment, but when they joined is not known.
    ValidityUnknown {
        /// The segment.
        segment_id: String,
    },
    /// The global usage limit is reached.
    GlobalLimitReached {
        /// The limit.
        limit: u32,
    },
    /// The discount does not fit in what is left of its campaign's budget.
    BudgetExhausted {
        /// The campaign.
        campaign_id: String,
        /// What is left of its budget.
        remaining: Amount,
    },
    /// Usable alone, but the discounts applied leave too little of its campaign's
    /// budget for it.
    BudgetShared {
        /// The campaign.
        campaign_id: String,
        /// What the applied discounts leave of its budget.
        remaining: Amount,
    },
    /// This customer's usage limit is reached.
    CustomerLimitReached {
        /// The limit.
        limit: u32,
        /// Their redemptions so far.
        used: u32,
    },
    /// The customer is not among the coupon's customers or segments.
    NotInAudience {},
    /// The customer is not in the segment a per-customer window needs.
    NotInSegment {
        /// The segment.
        segment_id: String,
    },
    /// Only for a first order; the customer has ordered before.
    FirstOrderOnly {
        /// Their previous orders.
        previous_orders: u32,
    },
    /// The order-count rule rules this order out for good.
    OrderCountMismatch {
        /// Their previous orders.
        previous_orders: u32,
    },
    /// Needs more previous orders (order-count rule).
    MorePreviousOrders {
        /// Previous orders needed.
        required: u32,
        /// Previous orders so far.
        current: u32,
    },
    /// Needs more orders in the behaviour period.
    MinOrders {
        /// Orders needed.
        required: u32,
        /// Orders so far in the period.
        current: u32,
        /// The period, in English ("90 days"), or null for lifetime.
        period: Option<String>,
    },
    /// Needs more total spend in the behaviour period.
    MinSpend {
        /// Spend needed.
        required: Amount,
        /// Spend so far in the period.
        current: Amount,
        /// The period, in English, or null for lifetime.
        period: Option<String>,
    },
    /// Needs a given coupon used on an earlier order in the period.
    UsedCouponRequired {
        /// The code.
        code: String,
        /// The period, in English ("180 days"), or null for lifetime.
        period: Option<String>,
    },
    /// Needs more orders to join an audience segment built from history (its
    /// `purchased` rule, or the closest part of an `all`/`any` rule).
    MorePurchases {
        /// Orders needed.
        required: u32,
        /// Qualifying orders so far.
        current: u32,
        /// Only orders containing one of these products count; null: every order.
        product_ids: Option<Vec<String>>,
    },
    /// Needs a product bought to join an audience segment (its `boughtProduct` rule).
    ProductNotBought {
        /// The product.
        product_id: String,
        /// The price tier it must be bought at, if any.
        price_tier_id: Option<String>,
    },
    /// Course progress is below an audience segment's threshold (its
    /// `courseProgress` rule).
    CourseIncomplete {
        /// The course.
        course_id: String,
        /// The course's name from the customer summary, or null.
        course_name: Option<String>,
        /// Percent complete needed.
        required: Percent,
        /// Percent complete so far (0 when the summary has no progress).
        current: Percent,
    },
    /// The scoped cart value is below the minimum.
    MinPurchaseValue {
        /// Minimum.
        required: Amount,
        /// Current scoped value.
        current: Amount,
    },
    /// The scoped cart value, after the discounts applied before this one, is below the
    /// minimum it measures after discounts (`afterDiscounts`).
    MinValueAfterDiscounts {
        /// Minimum.
        required: Amount,
        /// The scoped value the earlier discounts leave.
        current: Amount,
    },
    /// The scoped cart value is above the maximum.
    MaxPurchaseValue {
        /// Maximum.
        limit: Amount,
        /// Current scoped value.
        current: Amount,
    },
    /// Too few scoped units.
    MinQuantity {
        /// Minimum.
        required: u32,
        /// Current scoped units.
        current: u32,
    },
    /// Too many scoped units.
    MaxQuantity {
        /// Maximum.
        limit: u32,
        /// Current scoped units.
        current: u32,
    },
    /// No cart line is in the coupon's scope.
    NoEligibleItems {},
    /// Every line in the coupon's scope is on sale, and the coupon excludes sale items.
    SaleItemsExcluded {},
    /// Not usable with cash on delivery.
    CodNotAllowed {},
    /// A code coupon whose code has not been entered.
    CodeNotEntered {},
    /// Usable, but an exclusive discount applied instead gives more.
    NotCombinable {
        /// The coupon applied instead.
        coupon_id: String,
        /// Its title.
        title: String,
    },
    /// Nothing to take off (every scoped line already fully discounted).
    NothingToDiscount {},
    /// Combines with the applied discounts, but adding it would save less (it would
    /// drop a tiered discount to a lower tier).
    LowerSaving {},
    /// Not in the combination, though it combines: the priority order or (beyond the
    /// exact search's range) the greedy search passed it by, or 16 discounts apply already.
    NotChosen {},
    /// The maximum number of codes that apply together is reached.
    TooManyCodes {
        /// The maximum.
        max: u32,
    },
    /// The free gift is not in the cart; see `giftsToAdd` in the result.
    GiftNotInCart {
        /// The gift product.
        product_id: String,
        /// Units to add.
        quantity: u32,
    },
    /// None of a free gift's choices is in the cart; see `giftsToAdd` in the result,
    /// which lists each.
    GiftChoiceNotInCart {
        /// The gift products to choose from, in the coupon's order.
        product_ids: Vec<String>,
        /// Units to add.
        quantity: u32,
    },
    /// The selected shipping option is not one this discount covers (or none is selected).
    ShippingNotEligible {},
    /// Not enough qualifying units for one "buy X get Y" application.
    BuyXGetYIncomplete {
        /// Units to buy per application.
        buy: u32,
        /// Units rewarded per application.
        get: u32,
    },
    /// Products of the combo set missing from the cart.
    ComboIncomplete {
        /// The missing products.
        missing: Vec<String>,
    },
}

impl ReasonKind {
    /// The stable code, as written in `code`.
    pub fn code(&self) -> &'static str {
        self.variant_name()
    }
}

/// Distance to a threshold the shopper can close.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// What is counted.
    pub unit: ProgressUnit,
    /// Where the shopper is (decimal string: an amount, or a count).
    pub current: String,
    /// The threshold.
    pub target: String,
    /// `target - current`.
    pub remaining: String,
    /// `current / target` in whole percent, 0 to 99 (100 means met, so never shown).
    pub percent: u32,
    /// "₹580 of ₹1,000 in your cart", "1 more order", "Spend ₹2,600 more in total
    /// with us", "Complete 0.1% more of Yoga Basics": never what its reason says.
    pub message: String,
}

/// The unit of a [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ProgressUnit {
    /// Cart value in the currency.
    CartValue,
    /// Units in the cart.
    Quantity,
    /// Orders in the behaviour period, or previous orders.
    Orders,
    /// Spend in the behaviour period.
    Spend,
    /// Percent of a course completed.
    Course,
}

/// An entered code that matches no coupon.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UnknownCode {
    /// The code as entered.
    pub code: String,
    /// "Code SAVE99 is not valid".
    pub message: String,
}
