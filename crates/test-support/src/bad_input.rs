//! Builds the request text of a bad-input case (`tests/bad-inputs/`), for the native
//! test (`tests/bad_inputs.rs`) and the WASM test (`wasm/tests/bad_inputs.rs`).

use serde_json::{json, Value};

/// The request text of a case (shared shape with the JS and WASM replays).
pub fn request_text(case: &Value) -> String {
    if let Some(text) = case["requestText"].as_str() {
        return text.to_string();
    }
    if let Some(generate) = case.get("generate") {
        let base = || {
            json!({"bundle": {"currency": "INR", "coupons": []}, "customer": {"id": "c1"},
                            "cart": {"currency": "INR", "lines": []}, "context": {"now": "2026-11-22T10:00:00Z"}})
        };
        if let Some(n) = generate["ruleNesting"].as_u64() {
            let n = n as usize;
            let rule = format!(
                "{}{{\"purchased\":{{}}}}{}",
                "{\"all\":[".repeat(n),
                "]}".repeat(n)
            );
            let mut r = base();
            r["bundle"]["segments"] = json!([{"id": "s", "rule": "RULE"}]);
            return r.to_string().replace("\"RULE\"", &rule);
        }
        let mut r = base();
        if let Some(n) = generate["descriptionBytes"].as_u64() {
            r["description"] = json!("x".repeat(n as usize));
        }
        if let Some(n) = generate["lines"].as_u64() {
            r["cart"]["lines"] = (0..n).map(|i| json!({"id": format!("l{i}"), "productId": "p", "unitPrice": "1.00", "quantity": 1})).collect();
        }
        if let Some(n) = generate["coupons"].as_u64() {
            r["bundle"]["coupons"] = (0..n)
                .map(|i| json!({"id": format!("c{i}"), "application": "automatic", "discount": {"fixedAmount": {"amount": "1.00"}}, "display": {"title": "t"}}))
                .collect();
        }
        return r.to_string();
    }
    case["request"].to_string()
}
