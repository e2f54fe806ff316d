//! Random valid requests for property and differential tests: up to 6 coupons of every
//! kind (unit caps, reward orders and gift choices included) with random stacking, up
//! to 8 lines, entered codes, in INR, JPY or KWD.
#![allow(dead_code)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn amount(minor: u64, exponent: u32) -> String {
    Decimal::new(minor as i64, exponent).to_string()
}

fn currency() -> impl Strategy<Value = (&'static str, u32)> {
    prop_oneof![Just(("INR", 2)), Just(("JPY", 0)), Just(("KWD", 3))]
}

/// `discount` with `"maxUnits": n` in its one kind's object, when there is an `n`.
fn with_max_units(mut discount: Value, max_units: Option<u32>) -> Value {
    if let (Some(n), Some(kind)) = (
        max_units,
        discount.as_object_mut().and_then(|d| d.values_mut().next()),
    ) {
        kind["maxUnits"] = json!(n);
    }
    discount
}

fn coupon(i: usize, exponent: u32) -> impl Strategy<Value = Value> {
    let max_units = || proptest::option::weighted(0.3, 1u32..6);
    let discount = prop_oneof![
        (1u32..=1000, proptest::option::of(1u64..500_000), max_units()).prop_map(move |(pct, cap, max)| {
            let mut p = json!({"percent": Decimal::new(i64::from(pct), 1).to_string()});
            if let Some(c) = cap {
                p["cap"] = json!(amount(c, exponent));
            }
            with_max_units(json!({"percentage": p}), max)
        }),
        (1u64..2_000_000, max_units()).prop_map(move |(a, max)| with_max_units(json!({"fixedAmount": {"amount": amount(a, exponent)}}), max)),
        (1u64..50_000, max_units()).prop_map(move |(a, max)| with_max_units(json!({"amountPerItem": {"amount": amount(a, exponent)}}), max)),
        (0u64..300_000).prop_map(move |a| json!({"fixedPrice": {"price": amount(a, exponent)}})),
        (1u64..400_000, 1u32..300).prop_map(move |(min, pct)| json!({"tiered": {"tiers": [
            {"minValue": amount(min, exponent), "percent": Decimal::new(i64::from(pct), 1).to_string()},
            {"minValue": amount(min * 3, exponent), "amount": amount(min / 2 + 1, exponent)}]}})),
        (1u32..4, 1u32..3, 1u32..=100, proptest::option::of(1u32..4), proptest::option::of(any::<bool>())).prop_map(
            |(buy, get, pct, limit, dearest)| {
            let mut d = json!({"buy": {"scope": {"collections": ["k0", "k1"]}, "quantity": buy},
                               "get": {"scope": {"products": ["p0", "p1", "p2"]}, "quantity": get}, "percent": pct.to_string()});
            if let Some(l) = limit { d["limit"] = json!(l); }
            if let Some(dearest) = dearest { d["reward"] = json!(if dearest { "mostExpensive" } else { "cheapest" }); }
            json!({"buyXGetY": d})
        }),
        proptest::option::of(1u64..10_000).prop_map(move |cap| {
            let mut d = json!({});
            if let Some(c) = cap { d["cap"] = json!(amount(c, exponent)); }
            json!({"freeShipping": d})
        }),
        (0usize..6).prop_map(|p| json!({"freeGift": {"productId": format!("p{p}")}})),
        (proptest::sample::subsequence(vec!["p0", "p2", "p4", "p5", "p9"], 1..=3).prop_shuffle(), 1u32..3)
            .prop_map(|(ps, q)| json!({"freeGift": {"productIds": ps, "quantity": q}})),
        (0u64..200_000, 1u32..3).prop_map(move |(price, q)| json!({"combo": {"items": [{"productId": "p0"}, {"productId": "p3", "quantity": q}],
                                                                            "price": amount(price, exponent)}})),
    ];
    let scope = prop_oneof![
        Just(Value::Null),
        Just(json!("entireCart")),
        proptest::collection::vec(0usize..6, 1..3).prop_map(
            |ps| json!({"products": ps.iter().map(|p| format!("p{p}")).collect::<Vec<_>>()})
        ),
        proptest::collection::vec(0usize..3, 1..2).prop_map(
            |cs| json!({"collections": cs.iter().map(|c| format!("k{c}")).collect::<Vec<_>>()})
        ),
    ];
    let classes = proptest::sample::subsequence(vec!["product", "order", "shipping"], 0..=3);
    (discount, scope, classes, proptest::option::of(0u64..300_000), any::<bool>(), -3i32..4).prop_map(
        move |(discount, scope, combines_with, min_value, code, priority)| {
            let mut c = json!({"id": format!("c{i}"), "application": if code { "code" } else { "automatic" },
                               "code": format!("CODE{i}"), "discount": discount, "combinesWith": combines_with,
                               "priority": priority, "display": {"title": format!("Coupon {i}")}});
            let mut purchase = json!({});
            if !scope.is_null() {
                purchase["scope"] = scope;
            }
            if let Some(m) = min_value {
                purchase["minValue"] = json!(amount(m, exponent));
            }
            c["purchase"] = purchase;
            c
        },
    )
}

/// A whole request.
pub fn request() -> impl Strategy<Value = Value> {
    currency().prop_flat_map(|(code, exponent)| {
        let coupons = (1usize..7).prop_flat_map(move |n| (0..n).map(|i| coupon(i, exponent)).collect::<Vec<_>>());
        let lines = proptest::collection::vec((0usize..6, 0u64..5_000_000, 1u32..5, 0usize..3), 0..8);
        let codes = proptest::collection::vec(0usize..8, 0..4);
        (coupons, lines, codes).prop_map(move |(coupons, lines, codes)| {
            let lines: Vec<Value> = lines
                .iter()
                .enumerate()
                .map(|(i, (p, price, qty, k))| json!({"id": format!("l{i}"), "productId": format!("p{p}"),
                     "collectionIds": [format!("k{k}")], "unitPrice": amount(*price, exponent), "quantity": qty}))
                .collect();
            json!({"bundle": {"currency": code, "coupons": coupons, "maxCodes": 2}, "customer": {"id": "me"},
                   "cart": {"currency": code, "lines": lines,
                            "shipping": {"options": [{"id": "s", "amount": amount(4_900, exponent)}], "selectedId": "s"}},
                   "context": {"now": "2026-11-22T10:00:00Z", "codes": codes.iter().map(|c| format!("code{c}")).collect::<Vec<_>>()}})
        })
    })
}
