//! Full evaluation on structured random input: the fuzzer's bytes choose coupons of
//! every kind, stacking, conditions, a history and a cart, so most inputs are valid
//! and reach selection and allocation. Checks the money invariants on every result.
#![no_main]
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn amount(u: &mut Unstructured, max_minor: u64) -> arbitrary::Result<String> {
    let minor = u.int_in_range(0..=max_minor)?;
    Ok(format!("{}.{:02}", minor / 100, minor % 100))
}

fn scope(u: &mut Unstructured) -> arbitrary::Result<Value> {
    Ok(match u.int_in_range(0..=3)? {
        0 => json!("entireCart"),
        1 => json!({"products": [format!("p{}", u.int_in_range(0..=4)?)]}),
        2 => json!({"collections": [format!("k{}", u.int_in_range(0..=2)?)]}),
        _ => json!({"offers": ["o1"]}),
    })
}

fn discount(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let pct = |u: &mut Unstructured| -> arbitrary::Result<String> {
        Ok(u.int_in_range(1u32..=100)?.to_string())
    };
    let mut d = match u.int_in_range(0..=8)? {
        0 => json!({"percentage": {"percent": pct(u)?, "cap": amount(u, 100_000)?}}),
        1 => json!({"fixedAmount": {"amount": format!("{}.00", u.int_in_range(1u32..=5_000)?)}}),
        2 => json!({"amountPerItem": {"amount": format!("{}.00", u.int_in_range(1u32..=500)?)}}),
        3 => json!({"fixedPrice": {"price": amount(u, 50_000)?}}),
        4 => {
            json!({"tiered": {"tiers": [{"minValue": "100.00", "percent": pct(u)?}, {"minValue": "1000.00", "amount": "50.00"}]}})
        }
        5 => {
            json!({"buyXGetY": {"buy": {"scope": scope(u)?, "quantity": u.int_in_range(1u32..=3)?},
                                 "get": {"scope": scope(u)?, "quantity": u.int_in_range(1u32..=2)?}, "percent": pct(u)?}})
        }
        6 => json!({"freeShipping": {"cap": format!("{}.00", u.int_in_range(1u32..=200)?)}}),
        7 if bool::arbitrary(u)? => json!({"freeGift": {"productIds": ["p3", format!("p{}", u.int_in_range(0..=2)?)]}}),
        7 => json!({"freeGift": {"productId": format!("p{}", u.int_in_range(0..=4)?)}}),
        _ => {
            json!({"combo": {"items": [{"productId": "p0"}, {"productId": "p1"}], "price": amount(u, 100_000)?}})
        }
    };
    // Unit caps on the kinds that take them, and the other reward order.
    let kind = d.as_object_mut().and_then(|o| o.iter_mut().next());
    if let Some((name, body)) = kind {
        if ["percentage", "fixedAmount", "amountPerItem"].contains(&name.as_str()) && bool::arbitrary(u)? {
            body["maxUnits"] = json!(u.int_in_range(1u32..=4)?);
        }
        if name == "buyXGetY" && bool::arbitrary(u)? {
            body["reward"] = json!("mostExpensive");
        }
    }
    Ok(d)
}

fn request(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let classes = ["product", "order", "shipping"];
    let mut coupons = Vec::new();
    for i in 0..u.int_in_range(0..=14)? {
        let mut c = json!({"id": format!("c{i}"), "code": format!("K{i}"),
            "application": if bool::arbitrary(u)? { "automatic" } else { "code" },
            "discount": discount(u)?, "priority": u.int_in_range(-2i32..=2)?,
            "combinesWith": classes.iter().filter(|_| bool::arbitrary(u).unwrap_or(false)).collect::<Vec<_>>(),
            "display": {"title": format!("C{i}"), "visible": bool::arbitrary(u)?}});
        if bool::arbitrary(u)? {
            c["purchase"] = json!({"scope": scope(u)?, "minValue": amount(u, 300_000)?,
                "excludeSaleItems": bool::arbitrary(u)?, "afterDiscounts": bool::arbitrary(u)?});
        }
        if bool::arbitrary(u)? {
            c["behavior"] = json!({"withinLast": {"days": u.int_in_range(1u32..=400)?}, "minOrders": u.int_in_range(0u32..=3)?});
        }
        if bool::arbitrary(u)? {
            c["limits"] = json!({"global": u.int_in_range(1u32..=5)?, "globalRedeemed": u.int_in_range(0u32..=5)?, "perCustomer": 1});
        }
        coupons.push(c);
    }
    let mut lines = Vec::new();
    for i in 0..u.int_in_range(0..=8)? {
        let mut line = json!({"id": format!("l{i}"), "productId": format!("p{}", u.int_in_range(0..=4)?),
            "collectionIds": [format!("k{}", u.int_in_range(0..=2)?)], "offerId": "o1",
            "unitPrice": amount(u, 2_000_000)?, "quantity": u.int_in_range(1u32..=50)?});
        if bool::arbitrary(u)? {
            line["compareAtPrice"] = json!(amount(u, 2_000_000)?);
        }
        lines.push(line);
    }
    let orders: Vec<Value> = (0..u.int_in_range(0..=5)?)
        .map(|i| json!({"id": format!("o{i}"), "placedAt": format!("2026-{:02}-01T00:00:00Z", 1 + i), "total": "500.00"}))
        .collect();
    Ok(json!({
        "bundle": {"currency": "INR", "coupons": coupons, "maxCodes": u.int_in_range(1u32..=5)?,
                   "selection": if bool::arbitrary(u)? { "bestCombination" } else { "priorityOrder" }},
        "customer": {"id": "me", "orders": orders},
        "cart": {"currency": "INR", "lines": lines,
                 "shipping": {"options": [{"id": "s", "amount": amount(u, 20_000)?}], "selectedId": "s"}},
        "context": {"now": "2026-11-22T10:00:00Z", "codes": (0..u.int_in_range(0..=4)?).map(|i| format!("k{i}")).collect::<Vec<_>>(),
                    "paymentMethod": if bool::arbitrary(u)? { "cod" } else { "card" }},
    }))
}

fuzz_target!(|data: &[u8]| {
    let Ok(req) = request(&mut Unstructured::new(data)) else {
        return;
    };
    let Ok(out) = coupon_engine::evaluate_json(&req.to_string()) else {
        return;
    };
    let result: Value = serde_json::from_str(&out).expect("the engine prints JSON");
    // INR amounts print with exactly two decimals: their digits are the paise.
    let cents = |v: &Value| {
        v.as_str()
            .unwrap()
            .replace('.', "")
            .parse::<i128>()
            .unwrap()
    };
    let mut applied = 0;
    for a in result["applied"].as_array().unwrap() {
        let parts: i128 = a["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| cents(&l["amount"]))
            .sum::<i128>()
            + cents(&a["shipping"]);
        assert_eq!(parts, cents(&a["amount"]), "allocation sums exactly");
        applied += cents(&a["amount"]);
    }
    assert_eq!(applied, cents(&result["discountTotal"]));
    assert!(cents(&result["totalAfter"]) >= 0);
    assert_eq!(
        cents(&result["totalBefore"]) - applied,
        cents(&result["totalAfter"])
    );
});
