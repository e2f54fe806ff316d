//! The cart being checked out and the context of the evaluation.

use serde::Serialize;

use super::Timestamp;
use crate::json::read::serde_via_from_json;
use crate::json::{FromJson, ToJson};
use crate::money::{Amount, Currency, Percent};

/// The shopper's cart.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    /// Must equal the bundle's currency.
    pub currency: Currency,
    /// Lines in display order (allocation ties go to the earlier line).
    pub lines: Vec<Line>,
    /// Delivery options and the chosen one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Shipping>,
    /// Whether the unit prices include tax (GST, VAT): prices as the shopper sees them.
    /// With tax rates on the lines, the result breaks each line down into its amounts
    /// with and without tax, whichever way the prices are given.
    #[serde(default, skip_serializing_if = "super::is_false")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub prices_include_tax: bool,
}

/// One cart line.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// Unique within the cart.
    pub id: String,
    /// The product.
    pub product_id: String,
    /// Collections the product belongs to.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
    pub collection_ids: Vec<String>,
    /// The offer (product at a price tier) it is bought through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<String>,
    /// Price of one unit, at most the currency's minor-unit decimals.
    pub unit_price: Amount,
    /// The unit's price before a sale, shown struck through. Above `unitPrice` the
    /// line is on sale, and coupons that exclude sale items leave it alone; at or
    /// below it, it says nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at_price: Option<Amount>,
    /// Units, at least 1.
    pub quantity: u32,
    /// The tax rate in percent (`"18"` for 18% GST). On every line or on none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<Percent>,
}

/// Delivery options offered for this cart.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Shipping {
    /// The options.
    pub options: Vec<ShippingOption>,
    /// The chosen option's id. Absent: none chosen yet (no shipping charged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_id: Option<String>,
}

/// One delivery option.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ShippingOption {
    /// Unique among the options.
    pub id: String,
    /// Its price.
    pub amount: Amount,
}

/// Everything about this evaluation that is neither the coupons, the customer nor the cart.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Context {
    /// The instant to evaluate at (the engine never reads a clock).
    pub now: Timestamp,
    /// The chosen payment method; `"cod"` is cash on delivery. Absent: not chosen yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Codes the shopper entered, in entry order.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
    pub codes: Vec<String>,
}

serde_via_from_json!(Cart, Context);

impl Context {
    /// Whether the payment method is cash on delivery (compared case-insensitively).
    pub fn is_cod(&self) -> bool {
        self.payment_method
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("cod"))
    }
}
