//! The bad-input catalogue (`tests/bad-inputs/`): every case must be rejected with its
//! stable code and the path of the offending field, never a panic. Cases marked `js`
//! carry values only JavaScript can send; they are replayed by the JS and WASM tests.

use serde_json::{json, Value};

/// The request text of a case (shared shape with the JS and WASM replays).
pub fn request_text(case: &Value) -> String {
    if let Some(text) = case["requestText"].as_str() {
        return text.to_string();
    }
    if let Some(generate) = case.get("generate") {
        let base = || json!({"bundle": {"currency": "INR", "coupons": []}, "customer": {"id": "c1"},
                            "cart": {"currency": "INR", "lines": []}, "context": {"now": "2026-11-22T10:00:00Z"}});
        if let Some(n) = generate["ruleNesting"].as_u64() {
            let n = n as usize;
            let rule = format!("{}{{\"purchased\":{{}}}}{}", "{\"all\":[".repeat(n), "]}".repeat(n));
            let mut r = base();
            r["bundle"]["segments"] = json!([{"id": "s", "rule": "RULE"}]);
            return r.to_string().replace("\"RULE\"", &rule);
        }
        let mut r = base();
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

#[test]
fn every_bad_input_gets_its_code_and_path() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad-inputs");
    let bless = std::env::var_os("BLESS").is_some();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 60, "the catalogue holds {} cases", files.len());
    let mut failures = Vec::new();
    let mut native = 0;
    for path in &files {
        let mut case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if case.get("js").is_some() {
            continue;
        }
        native += 1;
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        match coupon_engine::evaluate_json(&request_text(&case)) {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(e) => {
                let got = json!({ "code": e.code.as_str(), "path": e.path });
                if got != case["expectedError"] {
                    if bless {
                        case["expectedError"] = got.clone();
                        std::fs::write(path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
                    }
                    failures.push(format!("{name}: got {got}, expected {} ({})", case["expectedError"], e.message));
                }
            }
        }
    }
    assert!(native >= 60, "{native} cases replayed natively");
    assert!(failures.is_empty(), "{} cases differ:\n{}", failures.len(), failures.join("\n"));
}
