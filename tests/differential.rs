//! Native half of the native-versus-WebAssembly differential test: 10,000 random valid
//! requests (a fixed seed, so every run checks the same ones) with their native
//! outputs, written to target/differential/cases.jsonl. `tests/js/differential.test.mjs`
//! replays them through the built package in Node and requires identical bytes.

mod common;

use std::io::Write;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::json;

pub const CASES: usize = 10_000;

#[test]
fn ten_thousand_random_requests_evaluate_natively() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/differential");
    std::fs::create_dir_all(&dir).unwrap();
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join("cases.jsonl")).unwrap());
    let mut runner = TestRunner::deterministic();
    let strategy = common::request();
    let mut errors = 0;
    for _ in 0..CASES {
        let request = strategy.new_tree(&mut runner).unwrap().current();
        let output = match coupon_engine::evaluate_json(&request.to_string()) {
            Ok(text) => json!({ "ok": text }),
            Err(e) => {
                errors += 1;
                json!({ "error": { "code": e.code.as_str(), "path": e.path } })
            }
        };
        writeln!(file, "{}", json!({ "request": request, "output": output })).unwrap();
    }
    file.flush().unwrap();
    // The generator makes valid requests: every one must evaluate.
    assert_eq!(errors, 0);
}
