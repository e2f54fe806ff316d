//! Writing the outputs as JSON text (the evaluation result, a recheck, a verified
//! customer summary): byte for byte what `serde_json::to_string` makes of the same
//! value (the types keep their `Serialize` derives for Rust callers, and
//! `tests/writer.rs` compares the two on every vector, every benchmark workload and
//! thousands of random requests).
//!
//! Why by hand: the result is written on every cart change, and serde's generic
//! serializer for these types took a fifth of an evaluation's WebAssembly
//! instructions and 9 KB of the module. Every key here is a literal, so writing is
//! appending.

use std::fmt::Write;

use super::result::{
    AppliedDiscount, Card, CardStatus, EvaluationResult, GiftToAdd, LineAllocation, LineTotal,
    Progress, ProgressUnit, Reason, ReasonKind, UnknownCode,
};
use super::{
    Application, CourseProgress, Customer, DiscountClass, Membership, Order, OrderItem, Timestamp,
};
use crate::money::{Amount, Currency, Percent};
use crate::recheck::{Difference, DifferenceCode, Recheck};

/// A value that writes itself as compact JSON.
pub trait ToJson {
    /// Appends this value's JSON text to `out`.
    fn write_json(&self, out: &mut String);
}

/// `value` as compact JSON text, the same bytes as `serde_json::to_string(value)`.
///
/// ```
/// use coupon_engine::model::write::to_json;
/// assert_eq!(to_json(&vec![Some("a\"b".to_string()), None]), r#"["a\"b",null]"#);
/// ```
pub fn to_json<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::with_capacity(4096);
    value.write_json(&mut out);
    out
}

/// Writes a struct's fields in declaration order under their JSON names.
macro_rules! to_json_struct {
    ($ty:ty { $first:ident: $first_name:literal $(, $field:ident: $name:literal)* $(,)? }) => {
        impl ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                out.push_str(concat!("{\"", $first_name, "\":"));
                self.$first.write_json(out);
                $(
                    out.push_str(concat!(",\"", $name, "\":"));
                    self.$field.write_json(out);
                )*
                out.push('}');
            }
        }
    };
}

/// Writes a fieldless enum as its JSON name.
macro_rules! to_json_names {
    ($ty:ty { $($variant:ident: $name:literal),* $(,)? }) => {
        impl ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                out.push_str(match self { $(<$ty>::$variant => concat!("\"", $name, "\""),)* });
            }
        }
    };
}

impl ToJson for str {
    /// Escapes as serde_json does: `"`, `\`, and control characters (short forms
    /// where JSON has them, else `\u00XX` in lowercase hex); everything else as is.
    fn write_json(&self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push('"');
        let bytes = self.as_bytes();
        let mut start = 0;
        loop {
            // Runs without escapes go in whole: per byte, the escape test was a third of
            // writing a result.
            let i = start + super::json::plain(&bytes[start..]);
            // `plain` stops only at ASCII bytes, so both slices end on character boundaries.
            out.push_str(&self[start..i]);
            let Some(&b) = bytes.get(i) else { break };
            let short = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                _ => "",
            };
            if short.is_empty() {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            } else {
                out.push_str(short);
            }
            start = i + 1;
        }
        out.push('"');
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl ToJson for Amount {
    /// A decimal string; its digits, point and sign need no escaping.
    fn write_json(&self, out: &mut String) {
        out.push('"');
        crate::money::write_decimal(self.0, out);
        out.push('"');
    }
}

impl ToJson for Timestamp {
    /// RFC 3339 in UTC; nothing in it needs escaping.
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "\"{self}\"");
    }
}

impl ToJson for Percent {
    /// Normalised (`"12.5"`, not `"12.50"`), as its `Serialize` writes it.
    fn write_json(&self, out: &mut String) {
        out.push('"');
        crate::money::write_normalized(self.0, out);
        out.push('"');
    }
}

impl<V: ToJson> ToJson for std::collections::BTreeMap<String, V> {
    fn write_json(&self, out: &mut String) {
        let mut m = Members { out, empty: true };
        for (key, value) in self {
            m.member(key, value);
        }
        m.end();
    }
}

impl ToJson for Currency {
    fn write_json(&self, out: &mut String) {
        self.code().write_json(out);
    }
}

to_json_names!(Application {
    Code: "code",
    Automatic: "automatic"
});
to_json_names!(DiscountClass {
    Product: "product",
    Order: "order",
    Shipping: "shipping"
});
to_json_names!(CardStatus {
    Applied: "applied",
    Available: "available",
    Locked: "locked",
    Ineligible: "ineligible",
    Expired: "expired",
    Exhausted: "exhausted",
});
to_json_names!(ProgressUnit {
    CartValue: "cartValue",
    Quantity: "quantity",
    Orders: "orders",
    Spend: "spend",
});

to_json_struct!(EvaluationResult {
    currency: "currency",
    subtotal: "subtotal",
    shipping: "shipping",
    total_before: "totalBefore",
    shipping_discount: "shippingDiscount",
    discount_total: "discountTotal",
    total_after: "totalAfter",
    applied: "applied",
    lines: "lines",
    cards: "cards",
    unknown_codes: "unknownCodes",
    gifts_to_add: "giftsToAdd",
});
to_json_struct!(GiftToAdd {
    coupon_id: "couponId",
    product_id: "productId",
    quantity: "quantity"
});
to_json_struct!(AppliedDiscount {
    coupon_id: "couponId",
    code: "code",
    title: "title",
    class: "class",
    amount: "amount",
    lines: "lines",
    shipping: "shipping",
});
to_json_struct!(LineAllocation {
    line_id: "lineId",
    amount: "amount"
});
to_json_struct!(LineTotal {
    line_id: "lineId",
    subtotal: "subtotal",
    discount: "discount",
    total: "total"
});
to_json_struct!(Card {
    coupon_id: "couponId",
    code: "code",
    application: "application",
    title: "title",
    description: "description",
    status: "status",
    saving: "saving",
    price_before: "priceBefore",
    price_after: "priceAfter",
    reasons: "reasons",
    progress: "progress",
    expires_at: "expiresAt",
});
to_json_struct!(Progress {
    unit: "unit",
    current: "current",
    target: "target",
    remaining: "remaining",
    percent: "percent",
    message: "message",
});
to_json_struct!(UnknownCode {
    code: "code",
    message: "message"
});

to_json_struct!(Recheck {
    accepted: "accepted",
    differences: "differences",
    result: "result"
});
to_json_struct!(Difference {
    code: "code",
    path: "path",
    claimed: "claimed",
    actual: "actual",
    reasons: "reasons",
    message: "message",
});
to_json_names!(DifferenceCode {
    UnknownCoupon: "unknown_coupon",
    NotApplicable: "not_applicable",
    AmountDiffers: "amount_differs",
    MissingDiscount: "missing_discount",
    PriceChanged: "price_changed",
    LineMismatch: "line_mismatch",
    TotalDiffers: "total_differs",
});

to_json_struct!(Customer {
    id: "id",
    orders: "orders",
    segments: "segments",
    courses: "courses",
    coupon_usage: "couponUsage",
});
to_json_struct!(Order {
    id: "id",
    placed_at: "placedAt",
    total: "total",
    coupon_codes: "couponCodes",
    items: "items",
});
to_json_struct!(Membership {
    segment_id: "segmentId",
    joined_at: "joinedAt"
});

impl ToJson for OrderItem {
    /// `priceTierId` is left out when absent, as the summary was signed.
    fn write_json(&self, out: &mut String) {
        let mut m = Members { out, empty: true };
        m.member("productId", &self.product_id);
        if let Some(tier) = &self.price_tier_id {
            m.member("priceTierId", tier);
        }
        m.member("collectionIds", &self.collection_ids)
            .member("quantity", &self.quantity)
            .end();
    }
}

impl ToJson for CourseProgress {
    /// `updatedAt` is left out when absent.
    fn write_json(&self, out: &mut String) {
        let mut m = Members { out, empty: true };
        m.member("courseId", &self.course_id)
            .member("percent", &self.percent);
        if let Some(at) = &self.updated_at {
            m.member("updatedAt", at);
        }
        m.end();
    }
}

impl ToJson for Reason {
    /// `{"code": …, "params": {…}, "message": …}`: the kind is flattened into the reason.
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"code\":\"");
        out.push_str(self.kind.code());
        out.push_str("\",\"params\":");
        params(&self.kind, out);
        out.push_str(",\"message\":");
        self.message.write_json(out);
        out.push('}');
    }
}

/// An object's members written one at a time.
struct Members<'o> {
    out: &'o mut String,
    empty: bool,
}

impl Members<'_> {
    fn member(&mut self, name: &str, value: &dyn ToJson) -> &mut Self {
        self.out.push(if self.empty { '{' } else { ',' });
        self.empty = false;
        name.write_json(self.out);
        self.out.push(':');
        value.write_json(self.out);
        self
    }

    fn end(&mut self) {
        if self.empty {
            self.out.push('{');
        }
        self.out.push('}');
    }
}

/// `required` then `current`, the members every threshold reason starts with.
fn threshold<'m, 'o>(
    m: &'m mut Members<'o>,
    required: &dyn ToJson,
    current: &dyn ToJson,
) -> &'m mut Members<'o> {
    m.member("required", required).member("current", current)
}

/// A reason's parameters, in the order the variant declares them.
fn params(kind: &ReasonKind, out: &mut String) {
    use ReasonKind::*;
    let mut m = Members { out, empty: true };
    match kind {
        NotStarted { starts_at } => m.member("startsAt", starts_at),
        Ended { ended_at } => m.member("endedAt", ended_at),
        ValidityEnded {
            segment_id,
            ended_at,
        } => m
            .member("segmentId", segment_id)
            .member("endedAt", ended_at),
        ValidityUnknown { segment_id } | NotInSegment { segment_id } => {
            m.member("segmentId", segment_id)
        }
        GlobalLimitReached { limit } => m.member("limit", limit),
        CustomerLimitReached { limit, used } => m.member("limit", limit).member("used", used),
        FirstOrderOnly { previous_orders } | OrderCountMismatch { previous_orders } => {
            m.member("previousOrders", previous_orders)
        }
        MorePreviousOrders { required, current } | MinQuantity { required, current } => {
            threshold(&mut m, required, current)
        }
        MinOrders {
            required,
            current,
            period,
        } => threshold(&mut m, required, current).member("period", period),
        MinSpend {
            required,
            current,
            period,
        } => threshold(&mut m, required, current).member("period", period),
        UsedCouponRequired { code } => m.member("code", code),
        MinPurchaseValue { required, current } => threshold(&mut m, required, current),
        MaxPurchaseValue { limit, current } => m.member("limit", limit).member("current", current),
        MaxQuantity { limit, current } => m.member("limit", limit).member("current", current),
        NotCombinable { coupon_id, title } => {
            m.member("couponId", coupon_id).member("title", title)
        }
        TooManyCodes { max } => m.member("max", max),
        GiftNotInCart {
            product_id,
            quantity,
        } => m
            .member("productId", product_id)
            .member("quantity", quantity),
        BuyXGetYIncomplete { buy, get } => m.member("buy", buy).member("get", get),
        ComboIncomplete { missing } => m.member("missing", missing),
        NotInAudience {}
        | NoEligibleItems {}
        | CodNotAllowed {}
        | CodeNotEntered {}
        | NothingToDiscount {}
        | LowerSaving {}
        | NotChosen {}
        | ShippingNotEligible {} => &mut m,
    }
    .end();
}

#[cfg(test)]
mod tests {
    use crate::money::write_decimal;
    use rust_decimal::Decimal;

    #[test]
    fn decimals_are_written_as_their_display_writes_them() {
        let mut cases: Vec<Decimal> = [
            "0",
            "0.00",
            "0.05",
            "1",
            "1.50",
            "10.000",
            "123456.78",
            "999999999999999.999",
            "0.0000001",
            "-0.00",
            "-12.30",
            "79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
        // A negative zero, as a subtraction can leave it.
        cases.push(Decimal::ZERO - Decimal::new(0, 2));
        cases.push(Decimal::new(-0, 3).abs() * Decimal::NEGATIVE_ONE);
        for value in cases {
            let mut ours = String::new();
            write_decimal(value, &mut ours);
            assert_eq!(ours, value.to_string(), "{value:?}");
        }
    }

    #[test]
    fn whole_numbers_are_written_as_their_display_writes_them() {
        use super::ToJson;
        for n in [0, 1, 9, 10, 99, 100, 12_345, 1_000_000_000, u32::MAX] {
            let mut ours = String::new();
            n.write_json(&mut ours);
            assert_eq!(ours, n.to_string());
        }
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_is_written_as_its_display_writes_it(
            lo in proptest::num::u32::ANY, mid in proptest::num::u32::ANY,
            hi in proptest::num::u32::ANY, wide in proptest::bool::ANY,
            negative in proptest::bool::ANY, scale in 0u32..=28,
        ) {
            // Half the mantissas fit 64 bits (the fast path), half need 96.
            let value = Decimal::from_parts(lo, mid, if wide { hi } else { 0 }, negative, scale);
            let mut ours = String::new();
            write_decimal(value, &mut ours);
            proptest::prop_assert_eq!(ours, value.to_string());
        }
    }
}
