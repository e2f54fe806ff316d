//! The bad-input catalogue (`tests/bad-inputs/`): every case must be rejected with its
//! stable code and the path of the offending field, never a panic. Cases marked `js`
//! carry values only JavaScript can send; they are replayed by the JS and WASM tests.

use coupon_engine_test_support::bad_input::request_text;
use serde_json::{json, Value};

#[test]
fn every_bad_input_gets_its_code_and_path() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad-inputs");
    let bless = std::env::var_os("BLESS").is_some();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 60,
        "the catalogue holds {} cases",
        files.len()
    );
    let mut failures = Vec::new();
    let mut native = 0;
    for path in &files {
        let mut case: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if case.get("js").is_some() {
            continue;
        }
        native += 1;
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        match coupon_engine::evaluate_json(&request_text(&case)) {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(e) => {
                // The message too: every runtime must give the same one.
                let got = json!({ "code": e.code.as_str(), "path": e.path, "message": e.message });
                if got != case["expectedError"] {
                    if bless {
                        case["expectedError"] = got.clone();
                        std::fs::write(path, serde_json::to_string_pretty(&case).unwrap() + "\n")
                            .unwrap();
                    }
                    failures.push(format!(
                        "{name}: got {got}, expected {} ({})",
                        case["expectedError"], e.message
                    ));
                }
            }
        }
    }
    assert!(native >= 60, "{native} cases replayed natively");
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
