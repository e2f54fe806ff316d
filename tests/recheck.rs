//! Recheck at order placement: the same code recomputes the claimed result, and every
//! difference is named.

use coupon_engine::recheck::{Claim, DifferenceCode};
use coupon_engine::{read_json, Engine, Request};
use serde_json::{json, Value};

fn example(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/examples/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap()
}

/// What the shopper's device computed for `request`, as it would send it.
fn claim_for(request: &Value) -> Value {
    serde_json::from_str(&coupon_engine::evaluate_json(&request.to_string()).unwrap()).unwrap()
}

fn recheck(request: &Value, claim: &Value) -> coupon_engine::recheck::Recheck {
    let r: Request = read_json("", &request.to_string()).unwrap();
    let claim: Claim = read_json("claim", &claim.to_string()).unwrap();
    Engine::new(r.bundle)
        .unwrap()
        .recheck(&r.customer, &r.cart, &r.context, &claim)
        .unwrap()
}

fn codes(outcome: &coupon_engine::recheck::Recheck) -> Vec<DifferenceCode> {
    outcome.differences.iter().map(|d| d.code).collect()
}

#[test]
fn an_honest_claim_is_accepted() {
    for name in [
        "01-loyalty-10-percent",
        "11-free-delivery",
        "15-best-combination",
    ] {
        let request = example(name);
        let outcome = recheck(&request, &claim_for(&request));
        assert!(outcome.accepted, "{name}: {:?}", outcome.differences);
    }
}

#[test]
fn a_coupon_whose_window_closed_since_is_not_applicable() {
    let request = example("08-segment-24h");
    let claim = claim_for(&request);
    let mut later = request.clone();
    later["context"]["now"] = json!("2026-11-23T09:00:00+05:30"); // 25 hours after joining
    let outcome = recheck(&later, &claim);
    assert!(!outcome.accepted);
    assert_eq!(
        codes(&outcome),
        [
            DifferenceCode::NotApplicable,
            DifferenceCode::TotalDiffers,
            DifferenceCode::TotalDiffers
        ]
    );
    assert_eq!(outcome.differences[0].reasons, ["validity_ended"]);
}

#[test]
fn a_limit_reached_since_is_not_applicable() {
    let request = example("01-loyalty-10-percent");
    let claim = claim_for(&request);
    let mut now = request.clone();
    now["bundle"]["coupons"][0]["limits"] = json!({"global": 100, "globalRedeemed": 100});
    let outcome = recheck(&now, &claim);
    assert_eq!(outcome.differences[0].code, DifferenceCode::NotApplicable);
    assert_eq!(outcome.differences[0].reasons, ["global_limit_reached"]);
}

#[test]
fn a_changed_price_is_named() {
    let request = example("03-welcome10-users");
    let claim = claim_for(&request);
    let mut now = request.clone();
    now["cart"]["lines"][0]["unitPrice"] = json!("259.00");
    let outcome = recheck(&now, &claim);
    let d = &outcome.differences[0];
    assert_eq!(
        (
            d.code,
            d.path.as_str(),
            d.claimed.as_deref(),
            d.actual.as_deref()
        ),
        (
            DifferenceCode::PriceChanged,
            "lines[0].subtotal",
            Some("747.00"),
            Some("777.00")
        )
    );
    assert!(codes(&outcome).contains(&DifferenceCode::AmountDiffers));
}

#[test]
fn tampered_claims_are_rejected() {
    let request = example("01-loyalty-10-percent");
    let mut claim = claim_for(&request);
    claim["applied"][0]["amount"] = json!("900.00");
    claim["discountTotal"] = json!("900.00");
    claim["totalAfter"] = json!("5300.00");
    let outcome = recheck(&request, &claim);
    assert_eq!(
        codes(&outcome),
        [
            DifferenceCode::AmountDiffers,
            DifferenceCode::TotalDiffers,
            DifferenceCode::TotalDiffers
        ]
    );

    let mut invented = claim_for(&request);
    invented["applied"]
        .as_array_mut()
        .unwrap()
        .push(json!({"couponId": "FREE-EVERYTHING", "amount": "5700.00"}));
    let outcome = recheck(&request, &invented);
    assert_eq!(outcome.differences[0].code, DifferenceCode::UnknownCoupon);

    let mut dropped = claim_for(&request);
    dropped["applied"] = json!([]);
    assert!(codes(&recheck(&request, &dropped)).contains(&DifferenceCode::MissingDiscount));

    let mut extra_line = request.clone();
    extra_line["cart"]["lines"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "l9", "productId": "x", "unitPrice": "1.00", "quantity": 1}));
    assert!(
        codes(&recheck(&extra_line, &claim_for(&request))).contains(&DifferenceCode::LineMismatch)
    );
}
