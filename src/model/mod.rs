//! The JSON data model: the four inputs (bundle, customer, cart, context), the
//! evaluation result, and the validation that runs once when an input is read.
//!
//! All field names are camelCase in JSON; unknown fields are rejected. Each type
//! reads itself from JSON and writes itself back in its own file, on the JSON layer
//! ([`crate::json`]); [`parse`], [`write`](mod@write) and [`json`] keep that layer's earlier
//! paths.

mod cart;
mod coupon;
mod customer;
pub mod json;
pub mod parse;
mod result;
mod time;
pub(crate) mod validate;
pub mod write;

pub use cart::{Cart, Context, Line, Shipping, ShippingOption};
pub use coupon::{
    find_hashed, hash_code, Application, Audience, Behavior, Bundle, Campaign, CodeBatch,
    ComboItem, Coupon, Discount, DiscountClass, Display, Hours, Limits, OrderScope, Purchase,
    Reward, Rule, Scope, Segment, SelectionMode, Tier, UnitSet, Validity, Window,
};
pub use customer::{CourseProgress, Customer, Membership, Order, OrderItem};
pub use result::{
    AppliedDiscount, Card, CardStatus, EvaluationResult, GiftToAdd, LineAllocation, LineTax,
    LineTotal, Progress, ProgressUnit, Reason, ReasonKind, TaxAmounts, UnknownCode,
};
pub use time::{ClockTime, Span, TimeZone, Timestamp, Weekday};

/// Whether a flag is off: flags that default to off are written only when on.
fn is_false(value: &bool) -> bool {
    !*value
}
