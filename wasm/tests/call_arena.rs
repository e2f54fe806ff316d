//! The module's per-call arena (`wasm_runtime::arena`, the package's allocator) through
//! the exported calls, in WebAssembly (Node, or headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`). The arena itself is tested in `crates/wasm-runtime`.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test;

/// The module's own arena through the exported calls: a session's evaluations leave
/// nothing live in it, so each call starts the block over. Nor do `engine.evaluate`'s,
/// whose remembered customer summary outlives the call and so must not be in the block.
#[cfg(target_family = "wasm")]
#[wasm_bindgen_test]
fn evaluations_leave_nothing_in_the_modules_arena() {
    let vector: serde_json::Value = serde_json::from_str(include_str!(
        "../../tests/vectors/example-best-combination.json"
    ))
    .unwrap();
    let request = &vector["request"];
    let js = |v: &serde_json::Value| js_sys::JSON::parse(&v.to_string()).unwrap();
    let engine = coupon_engine_wasm::Engine::new(js(&request["bundle"])).unwrap();
    let shopper = engine.shopper(js(&request["customer"])).unwrap();
    for _ in 0..3 {
        shopper
            .evaluate(js(&request["cart"]), js(&request["context"]))
            .unwrap();
        let (live, block) = coupon_engine_wasm::arena_usage();
        assert_eq!(
            live, 0,
            "an evaluation left {live} allocations in the arena"
        );
        assert!(block > 0);
    }
    let customer = js(&request["customer"]);
    let mut other = request["customer"].clone();
    other["id"] = "someone-else".into();
    // Read afresh, remembered, read afresh (another summary), remembered.
    for customer in [&customer, &customer, &js(&other), &customer, &customer] {
        engine
            .evaluate(
                customer.clone(),
                js(&request["cart"]),
                js(&request["context"]),
            )
            .unwrap();
        let (live, _) = coupon_engine_wasm::arena_usage();
        assert_eq!(
            live, 0,
            "engine.evaluate left {live} allocations in the arena"
        );
    }
}

/// The same when the evaluation throws: the error's JS objects and messages are made
/// inside the arena, and nothing of them stays in it.
#[cfg(target_family = "wasm")]
#[wasm_bindgen_test]
fn a_call_that_throws_leaves_nothing_in_the_modules_arena() {
    for request in ["{", r#"{"bundle": 1}"#, "[]"] {
        assert!(coupon_engine_wasm::evaluate_json(request.into()).is_err());
        assert_eq!(coupon_engine_wasm::arena_usage().0, 0, "after {request}");
    }
}
