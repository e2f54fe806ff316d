//! Recheck: at order placement the server recomputes the result with the same code
//! and compares it with what the shopper's device claimed. Any difference rejects the
//! claim, and each difference says what changed: a coupon no longer usable (its
//! window closed, its limit was reached), a price that changed, an amount that was
//! altered, a coupon the bundle does not know.

use serde::Serialize;

use crate::json::read::serde_via_from_json;
use crate::json::{FromJson, ToJson};

use crate::model::{Card, Cart, Context, Customer, EvaluationResult};
use crate::money::Amount;
use crate::{Engine, Error};

/// The part of an [`EvaluationResult`] a device claims. A whole result parses as a
/// claim: the other fields are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[json(lenient)]
pub struct Claim {
    /// The total the shopper saw.
    pub total_after: Amount,
    /// The discount the shopper saw.
    pub discount_total: Amount,
    /// The discounts the shopper saw applied.
    pub applied: Vec<ClaimedDiscount>,
    /// The lines the shopper saw, with their subtotals.
    pub lines: Vec<ClaimedLine>,
}

/// One claimed discount.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[json(lenient)]
pub struct ClaimedDiscount {
    /// The coupon.
    pub coupon_id: String,
    /// Its amount.
    pub amount: Amount,
}

/// One claimed line.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[json(lenient)]
pub struct ClaimedLine {
    /// The cart line.
    pub line_id: String,
    /// Its subtotal (unit price × quantity).
    pub subtotal: Amount,
}

// A whole result parses as a claim, so members beyond these are ignored.
serde_via_from_json!(Claim);

/// The outcome of a recheck.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Recheck {
    /// True when the claim matches the server's result exactly.
    pub accepted: bool,
    /// What differs, in claim order (empty when accepted).
    pub differences: Vec<Difference>,
    /// The server's own result, to show the shopper when the claim is rejected.
    pub result: EvaluationResult,
}

/// One difference between the claim and the server's result.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// What kind of difference.
    pub code: DifferenceCode,
    /// Where, in the claim (`applied[1].amount`, `lines[0].subtotal`).
    pub path: String,
    /// The claimed value, if any.
    pub claimed: Option<String>,
    /// The server's value, if any.
    pub actual: Option<String>,
    /// For a coupon that no longer applies: the reason codes on its card (`ended`,
    /// `global_limit_reached`, `min_purchase_value`, …).
    pub reasons: Vec<String>,
    /// English explanation.
    pub message: String,
}

/// Kinds of [`Difference`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DifferenceCode {
    /// A claimed coupon that the bundle does not hold: a tampered claim.
    UnknownCoupon,
    /// A claimed coupon that does not apply now (see `reasons`).
    NotApplicable,
    /// A claimed discount of another amount.
    AmountDiffers,
    /// The server applies a discount the claim lacks.
    MissingDiscount,
    /// A line's price or quantity changed.
    PriceChanged,
    /// A claimed line the cart does not hold, or a cart line the claim lacks.
    LineMismatch,
    /// The discount total or the total differs.
    TotalDiffers,
}

impl Difference {
    fn new(
        code: DifferenceCode,
        path: String,
        claimed: Option<String>,
        actual: Option<String>,
        message: String,
    ) -> Self {
        Difference {
            code,
            path,
            claimed,
            actual,
            reasons: Vec::new(),
            message,
        }
    }
}

fn reason_codes(card: Option<&Card>) -> Vec<String> {
    card.map(|c| {
        c.reasons
            .iter()
            .map(|r| r.kind.code().to_string())
            .collect()
    })
    .unwrap_or_default()
}

impl Engine {
    /// Recomputes the result for `customer`, `cart` and `context` and compares it with
    /// `claim`. The counts in the bundle and summary should be the server's current
    /// ones, so a limit reached since the shopper's evaluation shows as a difference.
    pub fn recheck(
        &self,
        customer: &Customer,
        cart: &Cart,
        context: &Context,
        claim: &Claim,
    ) -> Result<Recheck, Error> {
        let result = self.evaluate(customer, cart, context)?;
        let mut differences = line_differences(claim, &result);
        differences.extend(self.discount_differences(claim, &result));
        differences.extend(total_differences(claim, &result));
        Ok(Recheck {
            accepted: differences.is_empty(),
            differences,
            result,
        })
    }

    /// Each claimed discount that is unknown, does not apply or takes another amount,
    /// in claim order; then each applied discount the claim lacks.
    fn discount_differences(&self, claim: &Claim, result: &EvaluationResult) -> Vec<Difference> {
        let mut differences = Vec::new();
        for (i, d) in claim.applied.iter().enumerate() {
            let path = format!("applied[{i}]");
            if !self.bundle().coupons.iter().any(|c| c.id == d.coupon_id) {
                differences.push(Difference::new(
                    DifferenceCode::UnknownCoupon,
                    format!("{path}.couponId"),
                    Some(d.coupon_id.clone()),
                    None,
                    format!("no coupon {} in the bundle", d.coupon_id),
                ));
                continue;
            }
            match result.applied.iter().find(|a| a.coupon_id == d.coupon_id) {
                None => {
                    let card = result.cards.iter().find(|c| c.coupon_id == d.coupon_id);
                    let why = card
                        .and_then(|c| c.reasons.first())
                        // The reason's code when the build writes no messages.
                        .map_or_else(String::new, |r| match r.message.as_str() {
                            "" => format!(": {}", r.kind.code()),
                            message => format!(": {message}"),
                        });
                    let mut diff = Difference::new(
                        DifferenceCode::NotApplicable,
                        format!("{path}.couponId"),
                        Some(d.coupon_id.clone()),
                        None,
                        format!("coupon {} does not apply{why}", d.coupon_id),
                    );
                    diff.reasons = reason_codes(card);
                    differences.push(diff);
                }
                Some(a) if a.amount != d.amount => differences.push(Difference::new(
                    DifferenceCode::AmountDiffers,
                    format!("{path}.amount"),
                    Some(d.amount.to_string()),
                    Some(a.amount.to_string()),
                    format!(
                        "coupon {} takes {}, not {}",
                        d.coupon_id, a.amount, d.amount
                    ),
                )),
                Some(_) => {}
            }
        }
        for a in result
            .applied
            .iter()
            .filter(|a| !claim.applied.iter().any(|d| d.coupon_id == a.coupon_id))
        {
            differences.push(Difference::new(
                DifferenceCode::MissingDiscount,
                "applied".to_string(),
                None,
                Some(a.coupon_id.clone()),
                format!(
                    "coupon {} applies ({}) but is not claimed",
                    a.coupon_id, a.amount
                ),
            ));
        }

        differences
    }
}

/// Each claimed line the cart lacks or whose subtotal changed, in claim order; then
/// each cart line the claim lacks.
fn line_differences(claim: &Claim, result: &EvaluationResult) -> Vec<Difference> {
    let mut differences = Vec::new();
    for (i, line) in claim.lines.iter().enumerate() {
        match result.lines.iter().find(|l| l.line_id == line.line_id) {
            None => differences.push(Difference::new(
                DifferenceCode::LineMismatch,
                format!("lines[{i}]"),
                Some(line.line_id.clone()),
                None,
                format!("line {} is not in the cart", line.line_id),
            )),
            Some(actual) if actual.subtotal != line.subtotal => differences.push(Difference::new(
                DifferenceCode::PriceChanged,
                format!("lines[{i}].subtotal"),
                Some(line.subtotal.to_string()),
                Some(actual.subtotal.to_string()),
                format!("line {} now costs {}", line.line_id, actual.subtotal),
            )),
            Some(_) => {}
        }
    }
    for line in result
        .lines
        .iter()
        .filter(|l| !claim.lines.iter().any(|c| c.line_id == l.line_id))
    {
        differences.push(Difference::new(
            DifferenceCode::LineMismatch,
            "lines".to_string(),
            None,
            Some(line.line_id.clone()),
            format!("the cart holds line {} that the claim lacks", line.line_id),
        ));
    }

    differences
}

/// The discount total and the total, where they differ from the claim's.
fn total_differences(claim: &Claim, result: &EvaluationResult) -> Vec<Difference> {
    let mut differences = Vec::new();
    for (field, claimed, actual) in [
        (
            "discountTotal",
            &claim.discount_total,
            &result.discount_total,
        ),
        ("totalAfter", &claim.total_after, &result.total_after),
    ] {
        if claimed != actual {
            differences.push(Difference::new(
                DifferenceCode::TotalDiffers,
                field.to_string(),
                Some(claimed.to_string()),
                Some(actual.to_string()),
                format!("{field} is {actual}, not {claimed}"),
            ));
        }
    }
    differences
}
