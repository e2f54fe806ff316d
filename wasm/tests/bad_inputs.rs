//! The bad-input catalogue through the exported API in WebAssembly (Node, or headless
//! Chromium with `WASM_BINDGEN_USE_BROWSER=1`): every case is a thrown `Error` with its
//! code and path, including the values only JavaScript can send. Never a trap.

use coupon_engine_test_support::bad_input::request_text;
use coupon_engine_wasm::{evaluate, evaluate_json};
use js_sys::{Reflect, JSON};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

/// Code, path and message (the `Error`'s message is `path: message`).
fn thrown_error(thrown: &JsValue) -> (String, String, String) {
    assert!(
        thrown.is_instance_of::<js_sys::Error>(),
        "not an Error: {thrown:?}"
    );
    let get = |k: &str| {
        Reflect::get(thrown, &k.into())
            .unwrap()
            .as_string()
            .unwrap_or_default()
    };
    let (path, message) = (get("path"), get("message"));
    let message = message
        .strip_prefix(&format!("{path}: "))
        .unwrap_or(&message)
        .to_string();
    (get("code"), path, message)
}

fn js_value(kind: &str) -> JsValue {
    match kind {
        "NaN" => JsValue::from_f64(f64::NAN),
        "Infinity" => JsValue::from_f64(f64::INFINITY),
        "undefined" => JsValue::UNDEFINED,
        "BigInt" => JsValue::bigint_from_str("5"),
        "loneSurrogate" => JSON::parse("\"\\ud800\"").unwrap(),
        "function" => js_sys::Function::new_no_args("return 1").into(),
        other => panic!("unknown JS value {other}"),
    }
}

#[wasm_bindgen_test]
fn every_catalogued_bad_input_is_a_typed_error() {
    assert!(BAD_INPUTS.len() >= 60);
    for (name, text) in BAD_INPUTS {
        let case: Value = serde_json::from_str(text).unwrap();
        let want = (
            case["expectedError"]["code"].as_str().unwrap().to_string(),
            case["expectedError"]["path"].as_str().unwrap().to_string(),
            // JS-only values have no native message to compare with.
            case["expectedError"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        if let Some(js) = case.get("js") {
            let request = JSON::parse(&case["request"].to_string()).unwrap();
            let path = js["at"].as_array().unwrap();
            let mut parent = request.clone();
            for key in &path[..path.len() - 1] {
                let key: JsValue = key.as_str().map_or_else(
                    || JsValue::from_f64(key.as_f64().unwrap()),
                    JsValue::from_str,
                );
                parent = Reflect::get(&parent, &key).unwrap();
            }
            let last = path.last().unwrap().as_str().unwrap();
            Reflect::set(
                &parent,
                &last.into(),
                &js_value(js["value"].as_str().unwrap()),
            )
            .unwrap();
            let thrown = evaluate(request).expect_err(name);
            let (code, path, _) = thrown_error(&thrown);
            assert_eq!((code, path), (want.0, want.1), "{name}");
            continue;
        }
        let thrown = evaluate_json(request_text(&case).as_str().into()).expect_err(name);
        assert_eq!(thrown_error(&thrown), want, "{name}");
    }
}
