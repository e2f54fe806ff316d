//! `engine.evaluate` remembers the last customer summary it validated, keyed by the
//! summary's JSON text (Node, or headless Chromium with `WASM_BINDGEN_USE_BROWSER=1`):
//! a changed summary, even in the same JS object, is read afresh; a bad one is still
//! refused, with the errors in the core's order; the result is always the one a fresh
//! engine gives.

use coupon_engine_wasm::Engine;
use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn vector() -> JsValue {
    let doc = JSON::parse(include_str!(
        "../../tests/vectors/example-loyalty-10-percent.json"
    ))
    .unwrap();
    Reflect::get(&doc, &"request".into()).unwrap()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap()
}

fn text(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().as_string().unwrap()
}

/// The result of a fresh engine for the same inputs: nothing remembered.
fn fresh(request: &JsValue, customer: &JsValue) -> String {
    let engine = Engine::new(get(request, "bundle")).unwrap();
    text(
        &engine
            .evaluate(
                customer.clone(),
                get(request, "cart"),
                get(request, "context"),
            )
            .unwrap(),
    )
}

/// `code` and `path` of a thrown `CouponEngineError`.
fn code_and_path(thrown: &JsValue) -> (String, String) {
    assert!(thrown.is_instance_of::<js_sys::Error>(), "not an Error");
    (
        get(thrown, "code").as_string().unwrap(),
        get(thrown, "path").as_string().unwrap(),
    )
}

fn status_of(result: &JsValue, coupon: &str) -> String {
    let cards: js_sys::Array = get(result, "cards").unchecked_into();
    cards
        .iter()
        .find(|c| get(c, "couponId").as_string().as_deref() == Some(coupon))
        .map(|c| get(&c, "status").as_string().unwrap())
        .unwrap()
}

#[wasm_bindgen_test]
fn a_changed_summary_in_the_same_object_is_read_afresh() {
    let request = vector();
    let (cart, context) = (get(&request, "cart"), get(&request, "context"));
    let customer = get(&request, "customer");
    let engine = Engine::new(get(&request, "bundle")).unwrap();
    let evaluate = || {
        engine
            .evaluate(customer.clone(), cart.clone(), context.clone())
            .unwrap()
    };

    let first = evaluate();
    assert_eq!(status_of(&first, "loyal10"), "applied");
    // Remembered: the same result again.
    assert_eq!(text(&evaluate()), text(&first));

    // Two of the three recent orders gone, in place: the loyalty coupon no longer applies.
    let orders: js_sys::Array = get(&customer, "orders").unchecked_into();
    let kept = orders.slice(0, 2);
    Reflect::set(&customer, &"orders".into(), &kept).unwrap();
    let fewer = evaluate();
    assert_ne!(
        status_of(&fewer, "loyal10"),
        "applied",
        "the old summary was used"
    );
    assert_eq!(text(&fewer), fresh(&request, &customer));

    Reflect::set(&customer, &"orders".into(), &orders).unwrap();
    assert_eq!(text(&evaluate()), text(&first));
}

#[wasm_bindgen_test]
fn a_bad_summary_after_a_good_one_is_refused_in_the_cores_order() {
    let request = vector();
    let (cart, context) = (get(&request, "cart"), get(&request, "context"));
    let good = get(&request, "customer");
    let engine = Engine::new(get(&request, "bundle")).unwrap();
    let good_result = text(
        &engine
            .evaluate(good.clone(), cart.clone(), context.clone())
            .unwrap(),
    );

    // Well-formed but invalid (an order id twice): refused at its path.
    let bad = JSON::parse(&text(&good)).unwrap();
    let orders: js_sys::Array = get(&bad, "orders").unchecked_into();
    orders.push(&orders.get(0));
    let thrown = engine
        .evaluate(bad.clone(), cart.clone(), context.clone())
        .expect_err("a repeated order id was accepted");
    let (code, path) = code_and_path(&thrown);
    assert_eq!(path, "customer.orders[5].id", "{code}");

    // The same bad summary with a cart of the wrong shape: the cart's shape is reported
    // first, as `coupon_engine::Engine::evaluate` does (every input's shape, then values).
    let thrown = engine
        .evaluate(bad, JsValue::from_f64(1.0), context.clone())
        .expect_err("a number was accepted as a cart");
    assert_eq!(
        code_and_path(&thrown),
        ("invalid_type".to_string(), "cart".to_string())
    );

    // And the good one is evaluated again as before.
    assert_eq!(
        text(&engine.evaluate(good, cart, context).unwrap()),
        good_result
    );
}
