//! An input whose length alone is over `limits::MAX_INPUT_BYTES` is refused before it
//! is copied into the module (Node, or headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`): the thrown error has the core's code and path, and
//! the module's memory, which never shrinks, has not grown by the input's size.

use coupon_engine::limits::MAX_INPUT_BYTES;
use coupon_engine_wasm::{evaluate, evaluate_json, verify_summary, Engine};
use js_sys::{JsString, Object, Reflect, WebAssembly, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// Room for the error's own small strings; the inputs below are many times more.
const SLACK: f64 = (1 << 20) as f64;

fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// A string of `units` x's, made in JS: never in this module's memory.
fn xs(units: usize) -> JsString {
    JsString::from("x").repeat(units as i32)
}

fn request() -> JsValue {
    let doc = JSON::parse(include_str!(
        "../../tests/vectors/example-loyalty-10-percent.json"
    ))
    .unwrap();
    Reflect::get(&doc, &"request".into()).unwrap()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap()
}

/// A copy of `value` with a `description` of `text`.
fn padded(value: &JsValue, text: &JsString) -> JsValue {
    let copy = Object::assign(&Object::new(), value.unchecked_ref());
    Reflect::set(&copy, &"description".into(), text).unwrap();
    copy.into()
}

/// Runs `call`, which must be refused as too large at `path` without growing memory.
fn refused_before_copy<T>(name: &str, path: &str, call: impl FnOnce() -> Result<T, JsValue>) {
    let before = memory_bytes();
    let Err(thrown) = call() else {
        panic!("{name}: accepted")
    };
    assert!(
        thrown.is_instance_of::<js_sys::Error>(),
        "{name}: not an Error"
    );
    let text = |key| get(&thrown, key).as_string().unwrap_or_default();
    assert_eq!(
        (text("code"), text("path")),
        ("out_of_range".to_string(), path.to_string()),
        "{name}"
    );
    let grew = memory_bytes() - before;
    assert!(grew <= SLACK, "{name}: memory grew by {grew} bytes");
}

#[wasm_bindgen_test]
fn oversized_inputs_are_refused_before_they_are_copied_in() {
    let request = request();
    let now = JsString::from("2026-11-22T10:00:00Z");
    let jwks: JsValue = JSON::parse(r#"{"keys":[]}"#).unwrap();
    // Warmed up: the first calls grow the memory for the arena and the table of JS
    // values, whatever their inputs.
    let engine = Engine::new(get(&request, "bundle")).unwrap();
    evaluate_json(JSON::stringify(&request).unwrap()).unwrap();

    let big = xs(100 << 20);
    let over = xs(MAX_INPUT_BYTES + 1);
    refused_before_copy("evaluateJson", "", || evaluate_json(big.clone()));
    refused_before_copy("evaluate", "", || evaluate(padded(&request, &big)));
    refused_before_copy("new Engine", "bundle", || {
        Engine::new(padded(&get(&request, "bundle"), &over))
    });
    refused_before_copy("engine.evaluate", "cart", || {
        engine.evaluate(
            get(&request, "customer"),
            padded(&get(&request, "cart"), &over),
            get(&request, "context"),
        )
    });
    refused_before_copy("Engine.fromSigned", "token", || {
        Engine::from_signed(over.clone(), jwks.clone(), now.clone())
    });
    refused_before_copy("verifySummary", "customerId", || {
        verify_summary(
            "a.b.c".into(),
            jwks.clone(),
            now.clone(),
            Some(over.clone()),
        )
    });
}

#[wasm_bindgen_test]
fn ascii_text_at_the_limit_is_still_read() {
    let text = JSON::stringify(&padded(&request(), &JsString::from("")))
        .unwrap()
        .as_string()
        .unwrap();
    // The request's text has no room to spare; ₹ is written as an escape, so every
    // character is one byte.
    let text = text.replace('₹', "\\u20b9");
    assert!(text.is_ascii());
    let fill = MAX_INPUT_BYTES - text.len();
    let at_limit = text.replace(
        r#""description":"""#,
        &format!(r#""description":"{}""#, "x".repeat(fill)),
    );
    assert_eq!(at_limit.len(), MAX_INPUT_BYTES);
    assert!(evaluate_json(at_limit.as_str().into()).is_ok());
}
