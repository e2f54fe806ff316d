//! Replays every shared vector through the exported JS API, in whatever runtime
//! wasm-bindgen-test runs (Node, or headless Chromium with `WASM_BINDGEN_USE_BROWSER=1`).
//! Outputs must be byte-identical to the native engine's: `JSON.stringify` of the
//! result equals the compact form of the expected JSON.

use coupon_engine_wasm::{evaluate, evaluate_json, Engine};
use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap()
}

fn stringify(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().as_string().unwrap()
}

/// `{code, path, message}` of a thrown error as the vectors hold it (the `Error`'s
/// message is `path: message`), checking it is a real `Error`.
fn thrown_error(thrown: &JsValue) -> String {
    assert!(
        thrown.is_instance_of::<js_sys::Error>(),
        "thrown value is not an Error: {thrown:?}"
    );
    let error: &js_sys::Error = thrown.unchecked_ref();
    assert_eq!(String::from(error.name()), "CouponEngineError");
    let path = get(thrown, "path").as_string().unwrap_or_default();
    let message = String::from(error.message());
    let message = message
        .strip_prefix(&format!("{path}: "))
        .unwrap_or(&message);
    format!(
        "{{\"code\":{},\"path\":{},\"message\":{}}}",
        stringify(&get(thrown, "code")),
        stringify(&JsValue::from_str(&path)),
        stringify(&JsValue::from_str(message))
    )
}

#[wasm_bindgen_test]
fn every_vector_gives_the_native_output_in_wasm() {
    assert!(VECTORS.len() >= 50, "vectors missing: {}", VECTORS.len());
    let mut failures = Vec::new();
    for (name, text) in VECTORS {
        let doc = JSON::parse(text).unwrap();
        let request = get(&doc, "request");
        let expected = get(&doc, "expected");
        let request_json = stringify(&request);
        if expected.is_undefined() {
            let want = stringify(&get(&doc, "expectedError"));
            // JSON text path: the same parser as natively, so the same code and path.
            match evaluate_json(request_json.as_str().into()) {
                Ok(out) => failures.push(format!(
                    "{name}: evaluateJson gave {out}, expected error {want}"
                )),
                Err(e) if thrown_error(&e) != want => failures.push(format!(
                    "{name}: evaluateJson threw {}, expected {want}",
                    thrown_error(&e)
                )),
                Err(_) => {}
            }
            // JS object path: must also be a typed error, never a trap.
            if let Ok(out) = evaluate(request) {
                failures.push(format!(
                    "{name}: evaluate() accepted bad input: {}",
                    stringify(&out)
                ));
            }
            continue;
        }
        let want = stringify(&expected);
        match evaluate(request.clone()) {
            Ok(out) if stringify(&out) == want => {}
            Ok(out) => failures.push(format!(
                "{name}: evaluate()\n  got      {}\n  expected {want}",
                stringify(&out)
            )),
            Err(e) => failures.push(format!("{name}: evaluate() threw {}", thrown_error(&e))),
        }
        match evaluate_json(request_json.as_str().into()) {
            Ok(out) if out == want => {}
            Ok(out) => failures.push(format!(
                "{name}: evaluateJson()\n  got      {out}\n  expected {want}"
            )),
            Err(e) => failures.push(format!("{name}: evaluateJson() threw {}", thrown_error(&e))),
        }
        let engine = Engine::new(get(&request, "bundle")).unwrap();
        match engine.evaluate(
            get(&request, "customer"),
            get(&request, "cart"),
            get(&request, "context"),
        ) {
            Ok(out) if stringify(&out) == want => {}
            Ok(out) => failures.push(format!("{name}: Engine.evaluate() got {}", stringify(&out))),
            Err(e) => failures.push(format!(
                "{name}: Engine.evaluate() threw {}",
                thrown_error(&e)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ:\n{}",
        failures.len(),
        VECTORS.len(),
        failures.join("\n")
    );
}

#[wasm_bindgen_test]
fn js_specific_bad_values_are_typed_errors() {
    let bundle = JSON::parse(r#"{"currency":"INR","coupons":[]}"#).unwrap();
    let engine = Engine::new(bundle).unwrap();
    let customer = JSON::parse(r#"{"id":"c1"}"#).unwrap();
    let context = JSON::parse(r#"{"now":"2026-11-22T10:00:00Z"}"#).unwrap();
    let cart_with = |quantity: JsValue| {
        let cart = JSON::parse(r#"{"currency":"INR","lines":[{"id":"l1","productId":"p","unitPrice":"1.00","quantity":1}]}"#).unwrap();
        let line = get(&get(&cart, "lines"), "0");
        Reflect::set(&line, &"quantity".into(), &quantity).unwrap();
        cart
    };
    for (what, value) in [
        ("NaN", JsValue::from_f64(f64::NAN)),
        ("Infinity", JsValue::from_f64(f64::INFINITY)),
        ("1.5", JsValue::from_f64(1.5)),
        ("undefined", JsValue::UNDEFINED),
        ("BigInt", JsValue::bigint_from_str("5")),
        ("string", JsValue::from_str("2")),
    ] {
        let thrown = engine
            .evaluate(customer.clone(), cart_with(value), context.clone())
            .expect_err(&format!("quantity {what} accepted"));
        let got = thrown_error(&thrown);
        // JSON cannot hold a BigInt at all, so that one fails at the input's root.
        let path = if what == "BigInt" {
            "\"cart\""
        } else {
            "\"cart.lines[0].quantity\""
        };
        assert!(got.contains(path), "quantity {what}: {got}");
    }
    for (what, value) in [
        ("null", JsValue::NULL),
        ("number", JsValue::from_f64(3.0)),
        ("string", JsValue::from_str("{}")),
    ] {
        assert!(Engine::new(value).is_err(), "bundle {what} accepted");
    }
}
