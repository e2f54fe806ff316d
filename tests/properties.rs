//! Properties that must hold for any valid input (proptest shrinks failures to a
//! minimal cart): allocations sum exactly, nothing goes negative, caps hold, the
//! chosen combination is never worse than any single coupon, output is deterministic.

use coupon_engine::model::{CardStatus, EvaluationResult};
use coupon_engine::{evaluate, read_json, Request};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn amount(minor: u64, exponent: u32) -> String {
    Decimal::new(minor as i64, exponent).to_string()
}

fn currency() -> impl Strategy<Value = (&'static str, u32)> {
    prop_oneof![Just(("INR", 2)), Just(("JPY", 0)), Just(("KWD", 3))]
}

fn coupon(i: usize, exponent: u32) -> impl Strategy<Value = Value> {
    let discount = prop_oneof![
        (1u32..=1000, proptest::option::of(1u64..500_000)).prop_map(move |(pct, cap)| {
            let mut p = json!({"percent": Decimal::new(pct as i64, 1).to_string()});
            if let Some(c) = cap {
                p["cap"] = json!(amount(c, exponent));
            }
            json!({"percentage": p})
        }),
        (1u64..2_000_000).prop_map(move |a| json!({"fixedAmount": {"amount": amount(a, exponent)}})),
        (1u64..50_000).prop_map(move |a| json!({"amountPerItem": {"amount": amount(a, exponent)}})),
        (0u64..300_000).prop_map(move |a| json!({"fixedPrice": {"price": amount(a, exponent)}})),
        (1u64..400_000, 1u32..300).prop_map(move |(min, pct)| json!({"tiered": {"tiers": [
            {"minValue": amount(min, exponent), "percent": Decimal::new(pct as i64, 1).to_string()},
            {"minValue": amount(min * 3, exponent), "amount": amount(min / 2 + 1, exponent)}]}})),
        (1u32..4, 1u32..3, 1u32..=100, proptest::option::of(1u32..4)).prop_map(|(buy, get, pct, limit)| {
            let mut d = json!({"buy": {"scope": {"collections": ["k0", "k1"]}, "quantity": buy},
                               "get": {"scope": {"products": ["p0", "p1", "p2"]}, "quantity": get}, "percent": pct.to_string()});
            if let Some(l) = limit { d["limit"] = json!(l); }
            json!({"buyXGetY": d})
        }),
        proptest::option::of(1u64..10_000).prop_map(move |cap| {
            let mut d = json!({});
            if let Some(c) = cap { d["cap"] = json!(amount(c, exponent)); }
            json!({"freeShipping": d})
        }),
        (0usize..6).prop_map(|p| json!({"freeGift": {"productId": format!("p{p}")}})),
        (0u64..200_000, 1u32..3).prop_map(move |(price, q)| json!({"combo": {"items": [{"productId": "p0"}, {"productId": "p3", "quantity": q}],
                                                                            "price": amount(price, exponent)}})),
    ];
    let scope = prop_oneof![
        Just(Value::Null),
        Just(json!("entireCart")),
        proptest::collection::vec(0usize..6, 1..3).prop_map(|ps| json!({"products": ps.iter().map(|p| format!("p{p}")).collect::<Vec<_>>()})),
        proptest::collection::vec(0usize..3, 1..2).prop_map(|cs| json!({"collections": cs.iter().map(|c| format!("k{c}")).collect::<Vec<_>>()})),
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

fn request() -> impl Strategy<Value = Value> {
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

fn run(request: &Value) -> EvaluationResult {
    let r: Request = read_json("", &request.to_string()).expect("generated requests are valid");
    evaluate(&r).expect("evaluates")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn allocations_sum_exactly_and_nothing_goes_negative(req in request()) {
        let result = run(&req);
        let mut applied_sum = Decimal::ZERO;
        for a in &result.applied {
            let parts: Decimal = a.lines.iter().map(|l| l.amount.0).sum::<Decimal>() + a.shipping.0;
            prop_assert_eq!(parts, a.amount.0, "allocation of {} does not sum", a.coupon_id);
            prop_assert!(a.amount.0 > Decimal::ZERO);
            applied_sum += a.amount.0;
        }
        prop_assert_eq!(applied_sum, result.discount_total.0);
        prop_assert_eq!(result.total_before.0 - result.discount_total.0, result.total_after.0);
        let shipping_taken: Decimal = result.applied.iter().map(|a| a.shipping.0).sum();
        prop_assert_eq!(shipping_taken, result.shipping_discount.0);
        prop_assert!(result.shipping_discount.0 <= result.shipping.0, "shipping went below zero");
        let line_discounts: Decimal = result.lines.iter().map(|l| l.discount.0).sum();
        prop_assert_eq!(line_discounts + result.shipping_discount.0, result.discount_total.0);
        let line_totals: Decimal = result.lines.iter().map(|l| l.total.0).sum();
        prop_assert_eq!(line_totals + result.shipping.0 - result.shipping_discount.0, result.total_after.0);
        for l in &result.lines {
            prop_assert!(l.total.0 >= Decimal::ZERO && l.discount.0 >= Decimal::ZERO);
            prop_assert_eq!(l.subtotal.0 - l.discount.0, l.total.0);
        }
    }

    #[test]
    fn caps_and_fixed_amounts_are_never_exceeded(req in request()) {
        let result = run(&req);
        for a in &result.applied {
            let def = req["bundle"]["coupons"].as_array().unwrap().iter().find(|c| c["id"] == a.coupon_id.as_str()).unwrap();
            let d = &def["discount"];
            let limit = d["percentage"]["cap"].as_str().or(d["fixedAmount"]["amount"].as_str()).or(d["freeShipping"]["cap"].as_str());
            if let Some(limit) = limit {
                prop_assert!(a.amount.0 <= limit.parse::<Decimal>().unwrap(), "{} took {} over {}", a.coupon_id, a.amount.0, limit);
            }
        }
    }

    #[test]
    fn the_combination_beats_every_single_coupon(req in request()) {
        let result = run(&req);
        for card in &result.cards {
            if let (CardStatus::Available | CardStatus::Applied, Some(saving)) = (card.status, card.saving) {
                let usable_now = card.status == CardStatus::Applied
                    || card.reasons.iter().all(|r| serde_json::to_value(r).unwrap()["code"] != "code_not_entered");
                if usable_now {
                    prop_assert!(saving.0 <= result.discount_total.0, "{} alone saves {} > {}", card.coupon_id, saving.0, result.discount_total.0);
                }
            }
        }
    }

    #[test]
    fn applied_discounts_obey_every_stacking_rule(req in request()) {
        let r: Request = read_json("", &req.to_string()).unwrap();
        let result = evaluate(&r).unwrap();
        let coupons: Vec<_> = result.applied.iter().map(|a| r.bundle.coupons.iter().find(|c| c.id == a.coupon_id).unwrap()).collect();
        for (i, a) in coupons.iter().enumerate() {
            for b in &coupons[i + 1..] {
                prop_assert!(a.combines(b), "{} and {} applied together", a.id, b.id);
            }
        }
        let codes = coupons.iter().filter(|c| c.application == coupon_engine::model::Application::Code).count();
        prop_assert!(codes <= r.bundle.max_codes as usize);
        // Classes apply in order: product, then order, then shipping.
        let classes: Vec<_> = result.applied.iter().map(|a| a.class).collect();
        prop_assert!(classes.windows(2).all(|w| w[0] <= w[1]), "{:?}", classes);
    }

    #[test]
    fn output_is_deterministic(req in request()) {
        let a = serde_json::to_string(&run(&req)).unwrap();
        let b = serde_json::to_string(&run(&req)).unwrap();
        prop_assert_eq!(&a, &b);
        // Through the JSON API too.
        prop_assert_eq!(coupon_engine::evaluate_json(&req.to_string()).unwrap(), a);
    }
}
