//! Behaviour of every option a coupon definition can express (the numbered items of
//! the core issue), each with amounts computed by hand.

use coupon_engine::model::{CardStatus, EvaluationResult};
use coupon_engine::{read_json, ErrorCode, Request};
use serde_json::{json, Value};

const NOW: &str = "2026-11-22T10:00:00+05:30";

/// A request with one coupon (merged over an automatic 10% default), a cart of the
/// given `(unit price, quantity)` lines, and an empty customer.
fn request(coupon: Value, lines: &[(&str, u32)]) -> Value {
    let mut c = json!({"id": "c", "application": "automatic", "discount": {"percentage": {"percent": "10"}},
                       "display": {"title": "Coupon"}});
    c.as_object_mut()
        .unwrap()
        .extend(coupon.as_object().unwrap().clone());
    let lines: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, (price, qty))| json!({"id": format!("l{i}"), "productId": format!("p{i}"), "unitPrice": price, "quantity": qty}))
        .collect();
    json!({"bundle": {"currency": "INR", "coupons": [c]}, "customer": {"id": "me"},
           "cart": {"currency": "INR", "lines": lines}, "context": {"now": NOW}})
}

fn run(request: &Value) -> EvaluationResult {
    let r: Request = read_json("", &request.to_string()).expect("valid request");
    r.evaluate().expect("evaluates")
}

fn card(result: &EvaluationResult, id: &str) -> (CardStatus, Vec<String>) {
    let c = result
        .cards
        .iter()
        .find(|c| c.coupon_id == id)
        .unwrap_or_else(|| panic!("no card {id}"));
    let code = |r: &coupon_engine::model::Reason| {
        let serialized = serde_json::to_value(r).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            serialized,
            r.kind.code(),
            "ReasonKind::code agrees with the JSON"
        );
        serialized
    };
    (c.status, c.reasons.iter().map(code).collect())
}

fn orders(specs: &[(&str, &str)]) -> Value {
    Value::Array(
        specs
            .iter()
            .enumerate()
            .map(|(i, (at, total))| json!({"id": format!("o{i}"), "placedAt": at, "total": total}))
            .collect(),
    )
}

// 1. Application type.
#[test]
fn code_coupons_apply_only_when_entered_and_automatic_ones_by_themselves() {
    let mut r = request(
        json!({"application": "code", "code": "SAVE10"}),
        &[("1000.00", 1)],
    );
    assert_eq!(run(&r).discount_total.to_string(), "0.00");
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Available, vec!["code_not_entered".into()])
    );
    r["context"]["codes"] = json!(["save10"]);
    assert_eq!(run(&r).discount_total.to_string(), "100.00");
    let auto = request(json!({}), &[("1000.00", 1)]);
    assert_eq!(run(&auto).discount_total.to_string(), "100.00");
}

// 2. Discount value and cap.
#[test]
fn percentage_fixed_and_cap() {
    let capped = request(
        json!({"discount": {"percentage": {"percent": "10", "cap": "50.00"}}}),
        &[("999.99", 1)],
    );
    assert_eq!(run(&capped).discount_total.to_string(), "50.00");
    let fixed = request(
        json!({"discount": {"fixedAmount": {"amount": "500.00"}}}),
        &[("300.00", 1), ("450.00", 2)],
    );
    let result = run(&fixed);
    assert_eq!(result.discount_total.to_string(), "500.00");
    // 500 over 300 and 900: 125 and 375.
    let parts: Vec<String> = result.applied[0]
        .lines
        .iter()
        .map(|l| l.amount.to_string())
        .collect();
    assert_eq!(parts, ["125.00", "375.00"]);
    assert_eq!(result.total_after.to_string(), "700.00");
}

// 3 and 4. Behaviour period and conditions.
#[test]
fn behaviour_conditions_count_only_the_period() {
    let mut r = request(
        json!({"behavior": {"withinLast": {"weeks": 4}, "minOrders": 2, "minSpend": "1000.00", "usedCoupon": "WELCOME10"}}),
        &[("100.00", 1)],
    );
    r["customer"]["orders"] = orders(&[
        ("2026-11-20T00:00:00Z", "600.00"),
        ("2026-10-01T00:00:00Z", "900.00"),
    ]);
    let result = run(&r);
    // Never having used WELCOME10 in the period decides: the orders and spend still
    // missing are not shown, as meeting them would not unlock it.
    assert_eq!(
        card(&result, "c"),
        (CardStatus::Ineligible, vec!["used_coupon_required".into()])
    );
    assert!(result.cards[0].progress.is_empty());
    // Used in the period: the orders and spend still missing in it lock the card.
    r["customer"]["orders"][0]["couponCodes"] = json!(["welcome10"]);
    let result = run(&r);
    assert_eq!(
        card(&result, "c"),
        (
            CardStatus::Locked,
            vec!["min_orders".into(), "min_spend".into()]
        )
    );
    let progress: Vec<&str> = result.cards[0]
        .progress
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(
        progress,
        ["1 more order", "Spend ₹400 more with us within 4 weeks"]
    );
    r["customer"]["orders"][1]["placedAt"] = json!("2026-11-01T00:00:00Z");
    r["customer"]["orders"][1]["couponCodes"] = json!(["welcome10"]);
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
    // Lifetime: an order from years ago counts.
    let mut lifetime = request(
        json!({"behavior": {"minSpend": "1000.00"}}),
        &[("100.00", 1)],
    );
    lifetime["customer"]["orders"] = orders(&[("2019-01-01T00:00:00Z", "1000.00")]);
    assert_eq!(card(&run(&lifetime), "c").0, CardStatus::Applied);
}

#[test]
fn calendar_month_periods() {
    // 1 month before 2026-03-31 is 2026-02-28: an order on 2026-02-28T12:00Z counts, one on the 27th does not.
    let mut r = request(
        json!({"behavior": {"withinLast": {"months": 1}, "minOrders": 1}}),
        &[("100.00", 1)],
    );
    r["context"]["now"] = json!("2026-03-31T00:00:00Z");
    r["customer"]["orders"] = orders(&[("2026-02-27T23:59:59Z", "10.00")]);
    assert_eq!(card(&run(&r), "c").0, CardStatus::Locked);
    r["customer"]["orders"] = orders(&[("2026-02-28T00:00:00Z", "10.00")]);
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
}

// 5. Purchase conditions and scope.
#[test]
fn purchase_conditions_measure_the_scoped_lines() {
    let mut r = request(
        json!({"purchase": {"scope": {"products": ["p1"]}, "minValue": "500.00", "minQuantity": 2}}),
        &[("9000.00", 1), ("200.00", 1)],
    );
    let result = run(&r);
    assert_eq!(
        card(&result, "c"),
        (
            CardStatus::Locked,
            vec!["min_purchase_value".into(), "min_quantity".into()]
        )
    );
    assert_eq!(
        result.cards[0].reasons[0].message,
        "Add ₹300 more to unlock"
    );
    r["cart"]["lines"][1]["quantity"] = json!(3);
    let result = run(&r);
    // 10% of the p1 line only (600), not of the 9000 line.
    assert_eq!(result.discount_total.to_string(), "60.00");
    assert_eq!(result.applied[0].lines.len(), 1);
    assert_eq!(result.applied[0].lines[0].line_id, "l1");
}

#[test]
fn maximums_lock_the_coupon() {
    let r = request(
        json!({"purchase": {"maxValue": "100.00", "maxQuantity": 1}}),
        &[("60.00", 2)],
    );
    assert_eq!(
        card(&run(&r), "c"),
        (
            CardStatus::Locked,
            vec!["max_purchase_value".into(), "max_quantity".into()]
        )
    );
}

// 6. Audience.
#[test]
fn audience_by_customer_or_segment() {
    let mut r = request(
        json!({"audience": {"specific": {"customerIds": ["vip-1"], "segmentIds": ["gold"]}}}),
        &[("100.00", 1)],
    );
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Ineligible, vec!["not_in_audience".into()])
    );
    r["customer"]["segments"] = json!([{"segmentId": "gold", "joinedAt": "2026-01-01T00:00:00Z"}]);
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
    r["customer"] = json!({"id": "vip-1"});
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
}

// 7. Order scope.
#[test]
fn order_scope_by_previous_orders() {
    let mut r = request(
        json!({"orderScope": {"orderCount": {"minPrevious": 1, "maxPrevious": 2}}}),
        &[("100.00", 1)],
    );
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Locked, vec!["more_previous_orders".into()])
    );
    r["customer"]["orders"] = orders(&[("2026-01-01T00:00:00Z", "1.00")]);
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
    r["customer"]["orders"] = orders(&[
        ("2026-01-01T00:00:00Z", "1.00"),
        ("2026-02-01T00:00:00Z", "1.00"),
        ("2026-03-01T00:00:00Z", "1.00"),
    ]);
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Ineligible, vec!["order_count_mismatch".into()])
    );
    let mut first = request(json!({"orderScope": "firstOrder"}), &[("100.00", 1)]);
    assert_eq!(card(&run(&first), "c").0, CardStatus::Applied);
    first["customer"]["orders"] = orders(&[("2026-01-01T00:00:00Z", "1.00")]);
    assert_eq!(
        card(&run(&first), "c"),
        (CardStatus::Ineligible, vec!["first_order_only".into()])
    );
}

// 8. Limits, stacking, window, COD.
#[test]
fn usage_limits_use_the_server_counts() {
    let mut r = request(
        json!({"limits": {"global": 10, "globalRedeemed": 9, "perCustomer": 2}}),
        &[("100.00", 1)],
    );
    r["customer"]["couponUsage"] = json!({"c": 1});
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
    r["customer"]["couponUsage"] = json!({"c": 2});
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Exhausted, vec!["customer_limit_reached".into()])
    );
    r["bundle"]["coupons"][0]["limits"]["globalRedeemed"] = json!(10);
    assert_eq!(
        card(&run(&r), "c").1,
        vec![
            "global_limit_reached".to_string(),
            "customer_limit_reached".into()
        ]
    );
}

#[test]
fn active_window_bounds_are_start_inclusive_end_exclusive() {
    let mut r = request(
        json!({"activeWindow": {"start": NOW, "end": "2026-11-22T10:00:01+05:30"}}),
        &[("100.00", 1)],
    );
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
    r["context"]["now"] = json!("2026-11-22T04:30:01Z"); // = the end, in UTC
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Expired, vec!["ended".into()])
    );
    r["context"]["now"] = json!("2026-11-22T04:29:59Z");
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Locked, vec!["not_started".into()])
    );
}

#[test]
fn cash_on_delivery_locks_cod_disabled_coupons() {
    let mut r = request(json!({"disableCod": true}), &[("100.00", 1)]);
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
    r["context"]["paymentMethod"] = json!("COD");
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Locked, vec!["cod_not_allowed".into()])
    );
    r["context"]["paymentMethod"] = json!("upi");
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
}

#[test]
fn stackable_coupons_combine_and_exclusive_ones_do_not() {
    let mut r = request(
        json!({"combinesWith": ["product", "order", "shipping"], "discount": {"fixedAmount": {"amount": "100.00"}}}),
        &[("1000.00", 1)],
    );
    let second = json!({"id": "d", "application": "automatic", "combinesWith": ["order"],
                        "discount": {"percentage": {"percent": "10"}}, "display": {"title": "D"}});
    r["bundle"]["coupons"].as_array_mut().unwrap().push(second);
    // 100 off, then 10% of the 900 left.
    assert_eq!(run(&r).discount_total.to_string(), "190.00");
    r["bundle"]["coupons"][1]["combinesWith"] = json!([]);
    r["bundle"]["coupons"][1]["discount"] = json!({"percentage": {"percent": "15"}});
    let result = run(&r);
    assert_eq!(result.discount_total.to_string(), "150.00");
    assert_eq!(
        card(&result, "c"),
        (CardStatus::Available, vec!["not_combinable".into()])
    );
}

// 9. Display.
#[test]
fn hidden_coupons_still_apply_but_show_no_card() {
    let r = request(
        json!({"display": {"title": "Quiet", "visible": false}}),
        &[("100.00", 1)],
    );
    let result = run(&r);
    assert_eq!(result.discount_total.to_string(), "10.00");
    assert!(result.cards.is_empty());
    let described = request(
        json!({"display": {"title": "T", "description": "Exclusive 10% loyalty discount"}}),
        &[("1.00", 1)],
    );
    assert_eq!(
        run(&described).cards[0].description,
        "Exclusive 10% loyalty discount"
    );
}

// 10. Segments built from history.
#[test]
fn segment_rules_combine_with_and_and_or() {
    let mut r = request(
        json!({"audience": {"specific": {"segmentIds": ["s"]}}}),
        &[("100.00", 1)],
    );
    r["bundle"]["segments"] = json!([{"id": "s", "rule": {"all": [
        {"purchased": {"minOrders": 2}},
        {"any": [{"courseProgress": {"courseId": "rust", "minPercent": "95"}},
                 {"boughtProduct": {"productId": "rust", "priceTierId": "pro"}}]}]}}]);
    r["customer"]["orders"] = json!([
        {"id": "a", "placedAt": "2026-01-01T00:00:00Z", "total": "10.00", "items": [{"productId": "rust", "priceTierId": "basic"}]},
        {"id": "b", "placedAt": "2026-02-01T00:00:00Z", "total": "10.00"}]);
    r["customer"]["courses"] = json!([{"courseId": "rust", "percent": "94.99"}]);
    // The course is 99.98% of the way, the pro tier 0%: the card names the course.
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Locked, vec!["course_incomplete".into()])
    );
    r["customer"]["courses"][0]["percent"] = json!("95");
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
    r["customer"]["courses"][0]["percent"] = json!("10");
    r["customer"]["orders"][0]["items"][0]["priceTierId"] = json!("pro");
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
}

#[test]
fn a_purchase_segment_is_joined_at_the_nth_qualifying_order_in_time() {
    let mut r = request(
        json!({"validity": {"segmentId": "two", "duration": {"days": 60}}}),
        &[("100.00", 1)],
    );
    r["bundle"]["segments"] =
        json!([{"id": "two", "rule": {"purchased": {"minOrders": 2, "productIds": ["tea"]}}}]);
    let tea = json!([{"productId": "tea"}]);
    // Out of time order, one without tea, one after `now`.
    r["customer"]["orders"] = json!([
        {"id": "c", "placedAt": "2026-11-01T00:00:00Z", "total": "1.00", "items": tea},
        {"id": "z", "placedAt": "2026-12-01T00:00:00Z", "total": "1.00", "items": tea},
        {"id": "a", "placedAt": "2026-10-01T00:00:00Z", "total": "1.00", "items": tea},
        {"id": "x", "placedAt": "2026-10-10T00:00:00Z", "total": "1.00"},
        {"id": "b", "placedAt": "2026-10-20T00:00:00Z", "total": "1.00", "items": tea}]);
    let result = run(&r);
    assert_eq!(card(&result, "c").0, CardStatus::Applied);
    // Joined at b, the second tea order in time: 2026-10-20 + 60 days.
    assert_eq!(
        result.cards[0].expires_at.unwrap().to_string(),
        "2026-12-19T00:00:00Z"
    );
    // Four tea orders only with the one after `now`, which does not count yet: the
    // shopper can still place the fourth.
    r["bundle"]["segments"][0]["rule"]["purchased"]["minOrders"] = json!(4);
    let result = run(&r);
    assert_eq!(
        card(&result, "c"),
        (CardStatus::Locked, vec!["more_purchases".into()])
    );
    assert_eq!(result.cards[0].progress[0].current, "3");
}

#[test]
fn inactive_customers_join_when_the_inactivity_span_runs_out() {
    let mut r = request(
        json!({"validity": {"segmentId": "lapsed", "duration": {"days": 10}}}),
        &[("100.00", 1)],
    );
    r["bundle"]["segments"] = json!([{"id": "lapsed", "rule": {"inactive": {"inactiveFor": {"days": 60}, "boughtBefore": "2026-06-01T00:00:00Z"}}}]);
    // Last order 2026-09-15: inactive 60 days on 2026-11-14, window until 2026-11-24.
    r["customer"]["orders"] = orders(&[
        ("2026-05-01T00:00:00Z", "1.00"),
        ("2026-09-15T00:00:00Z", "1.00"),
    ]);
    let result = run(&r);
    assert_eq!(card(&result, "c").0, CardStatus::Applied);
    assert_eq!(
        result.cards[0].expires_at.unwrap().to_string(),
        "2026-11-24T00:00:00Z"
    );
    // Bought only after the cut-off date: not in the segment.
    r["customer"]["orders"] = orders(&[("2026-09-15T00:00:00Z", "1.00")]);
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Ineligible, vec!["not_in_segment".into()])
    );
}

// 11. Per-customer validity window after joining.
#[test]
fn validity_window_is_per_customer() {
    let mut r = request(
        json!({"validity": {"segmentId": "s", "duration": {"hours": 24}}}),
        &[("100.00", 1)],
    );
    r["customer"]["segments"] =
        json!([{"segmentId": "s", "joinedAt": "2026-11-21T10:00:01+05:30"}]);
    let result = run(&r);
    assert_eq!(card(&result, "c").0, CardStatus::Applied);
    assert_eq!(
        result.cards[0].expires_at.unwrap().to_string(),
        "2026-11-22T04:30:01Z"
    );
    r["customer"]["segments"][0]["joinedAt"] = json!("2026-11-21T10:00:00+05:30");
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Expired, vec!["validity_ended".into()])
    );
    // Another customer who joined later still has the coupon.
    r["customer"]["segments"][0]["joinedAt"] = json!("2026-11-22T09:00:00+05:30");
    assert_eq!(card(&run(&r), "c").0, CardStatus::Applied);
}

// 12. Specific offers.
#[test]
fn offer_scope_matches_the_line_offer() {
    let mut r = request(
        json!({"purchase": {"scope": {"offers": ["pro"]}}}),
        &[("100.00", 1), ("200.00", 1)],
    );
    r["cart"]["lines"][1]["offerId"] = json!("pro");
    let result = run(&r);
    assert_eq!(result.discount_total.to_string(), "20.00");
    assert_eq!(result.applied[0].lines[0].line_id, "l1");
}

#[test]
fn unknown_codes_are_reported_and_repeats_ignored() {
    let mut r = request(
        json!({"application": "code", "code": "A"}),
        &[("100.00", 1)],
    );
    r["context"]["codes"] = json!(["a", "A ", "nope"]);
    let result = run(&r);
    assert_eq!(result.discount_total.to_string(), "10.00");
    assert_eq!(result.unknown_codes.len(), 1);
    assert_eq!(result.unknown_codes[0].message, "Code NOPE is not valid");
}

#[test]
fn impossible_definitions_are_typed_errors_with_paths() {
    let cases = [
        (
            json!({"discount": {"percentage": {"percent": "0"}}}),
            ErrorCode::InvalidPercent,
            "bundle.coupons[0].discount.percentage.percent",
        ),
        (
            json!({"discount": {"fixedAmount": {"amount": "0.00"}}}),
            ErrorCode::InvalidValue,
            "bundle.coupons[0].discount.fixedAmount.amount",
        ),
        (
            json!({"purchase": {"minQuantity": 5, "maxQuantity": 2}}),
            ErrorCode::MinGreaterThanMax,
            "bundle.coupons[0].purchase.minQuantity",
        ),
        (
            json!({"purchase": {"scope": {"products": []}}}),
            ErrorCode::EmptyList,
            "bundle.coupons[0].purchase.scope.products",
        ),
        (
            json!({"orderScope": {"orderCount": {"nth": 0}}}),
            ErrorCode::InvalidValue,
            "bundle.coupons[0].orderScope.orderCount.nth",
        ),
        (
            json!({"validity": {"segmentId": "s", "duration": {}}}),
            ErrorCode::InvalidValue,
            "bundle.coupons[0].validity.duration",
        ),
        (
            json!({"display": {"title": " "}}),
            ErrorCode::InvalidValue,
            "bundle.coupons[0].display.title",
        ),
        (
            json!({"audience": {"specific": {}}}),
            ErrorCode::EmptyList,
            "bundle.coupons[0].audience.specific",
        ),
        (
            json!({"discount": {"percentage": {"percent": "10", "cap": "1.001"}}}),
            ErrorCode::TooManyDecimals,
            "bundle.coupons[0].discount.percentage.cap",
        ),
    ];
    for (coupon, code, path) in cases {
        let r: Request = read_json("", &request(coupon, &[("1.00", 1)]).to_string()).unwrap();
        let e = r.evaluate().unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (code, path), "{}", e.message);
    }
}

#[test]
fn limits_are_enforced_up_front() {
    let lines: Vec<(&str, u32)> = vec![("1.00", 1); coupon_engine::limits::MAX_LINES + 1];
    let r: Request = read_json("", &request(json!({}), &lines).to_string()).unwrap();
    let e = r.evaluate().unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (ErrorCode::OutOfRange, "cart.lines")
    );
    let big = request(json!({}), &[("999999999999999.00", 2)]);
    let r: Request = read_json("", &big.to_string()).unwrap();
    assert_eq!(r.evaluate().unwrap_err().code, ErrorCode::OutOfRange);
}

/// Money is 64 bits of minor units: below 10^18 of them for every amount and the
/// subtotal, which only a currency with 4 decimal places reaches below 10^15.
#[test]
fn amounts_past_64_bits_of_minor_units_are_refused() {
    let in_clf = |lines: &[(&str, u32)]| {
        let mut r = request(
            json!({"discount": {"fixedAmount": {"amount": "1.0000"}}}),
            lines,
        );
        r["bundle"]["currency"] = json!("CLF");
        r["cart"]["currency"] = json!("CLF");
        let r: Request = read_json("", &r.to_string()).unwrap();
        r.evaluate()
    };
    let result = in_clf(&[("99999999999999.9999", 1)]).expect("the largest CLF price");
    assert_eq!(result.total_after.to_string(), "99999999999998.9999");
    let e = in_clf(&[("100000000000000.0000", 1)]).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str(), e.message.as_str()),
        (
            ErrorCode::OutOfRange,
            "cart.lines[0].unitPrice",
            "amount 100000000000000.0000 is not below 10^14 CLF"
        )
    );
    let e = in_clf(&[("60000000000000.0000", 1), ("40000000000000.0000", 1)]).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str(), e.message.as_str()),
        (
            ErrorCode::OutOfRange,
            "cart.lines",
            "the cart subtotal 100000000000000.0000 is not below 10^14"
        )
    );
    // The same amounts in a 3-place currency are far inside the limit.
    let mut r = request(json!({}), &[("100000000000000.000", 1)]);
    r["bundle"]["currency"] = json!("KWD");
    r["cart"]["currency"] = json!("KWD");
    let r: Request = read_json("", &r.to_string()).unwrap();
    assert_eq!(
        r.evaluate().unwrap().discount_total.to_string(),
        "10000000000000.000"
    );
}

// Issue 3: discount kinds.
#[test]
fn buy_x_get_y_scales_to_a_million_units() {
    let r = request(
        json!({"discount": {"buyXGetY": {"buy": {"scope": "entireCart", "quantity": 1}, "get": {"scope": "entireCart", "quantity": 1}}}}),
        &[("2.00", 1_000_000), ("1.00", 1)],
    );
    let result = run(&r);
    // 1,000,001 units: 500,000 applications; the cheapest unit (₹1) and 499,999 ₹2 units are free.
    assert_eq!(result.discount_total.to_string(), "999999.00");
}

#[test]
fn buy_x_get_y_never_rewards_a_bought_unit() {
    let r = request(
        json!({"discount": {"buyXGetY": {"buy": {"scope": "entireCart", "quantity": 1}, "get": {"scope": "entireCart", "quantity": 1}}}}),
        &[("100.00", 3)],
    );
    // Three units: one application (two units), the third unit is paid.
    assert_eq!(run(&r).discount_total.to_string(), "100.00");
}

#[test]
fn combos_repeat_up_to_their_limit() {
    let mut r = request(
        json!({"discount": {"combo": {"items": [{"productId": "p0"}, {"productId": "p1", "quantity": 2}], "amount": "50.00", "limit": 2}}}),
        &[("100.00", 5), ("30.00", 9)],
    );
    // 4 complete sets in the cart, limit 2: ₹100 off.
    assert_eq!(run(&r).discount_total.to_string(), "100.00");
    r["bundle"]["coupons"][0]["discount"]["combo"]["limit"] = json!(10);
    assert_eq!(run(&r).discount_total.to_string(), "200.00");
}

#[test]
fn free_shipping_is_capped_and_limited_to_its_options() {
    let mut r = request(
        json!({"discount": {"freeShipping": {"cap": "40.00", "optionIds": ["std"]}}}),
        &[("100.00", 1)],
    );
    r["cart"]["shipping"] = json!({"options": [{"id": "std", "amount": "60.00"}, {"id": "exp", "amount": "90.00"}], "selectedId": "std"});
    let result = run(&r);
    assert_eq!(
        (
            result.shipping_discount.to_string(),
            result.total_after.to_string()
        ),
        ("40.00".into(), "120.00".into())
    );
    assert!(result.lines.iter().all(|l| l.discount.is_zero()));
    r["cart"]["shipping"]["selectedId"] = json!("exp");
    assert_eq!(
        card(&run(&r), "c"),
        (CardStatus::Locked, vec!["shipping_not_eligible".into()])
    );
}

#[test]
fn fixed_price_leaves_cheaper_units_alone() {
    let r = request(
        json!({"discount": {"fixedPrice": {"price": "99.00"}}}),
        &[("150.00", 2), ("80.00", 1)],
    );
    let result = run(&r);
    assert_eq!(result.discount_total.to_string(), "102.00");
    assert_eq!(result.lines[1].discount.to_string(), "0.00");
}

#[test]
fn tiered_uses_the_scoped_subtotal() {
    let r = request(
        json!({"purchase": {"scope": {"products": ["p0"]}},
               "discount": {"tiered": {"tiers": [{"minValue": "1000.00", "amount": "100.00"}, {"minValue": "3000.00", "amount": "400.00"}]}}}),
        &[("1500.00", 1), ("9000.00", 1)],
    );
    let result = run(&r);
    assert_eq!(result.discount_total.to_string(), "100.00");
    assert_eq!(
        result.cards[0].progress[0].message,
        "Add ₹1,500 more for ₹400 off"
    );
}
