//! Replays every shared vector in `tests/vectors/` natively. The same files are
//! replayed in WebAssembly under Node and Chromium (`wasm/tests/vectors.rs`), so the
//! browser's result is proven byte-identical to the server's.
//!
//! `BLESS=1 cargo test --test vectors` rewrites the expectations from the current
//! engine; review the diff before committing it.
//!
//! A vector's `localized` section is for the package's JS presentation layer
//! (`localize`, replayed in Node, Deno, workerd and Chromium by tests/js and
//! tests/runtimes): the messages it expects come from `Intl`, which is no part of the
//! core, so here it is only held to the core's result: the same cards in the same
//! order with as many reasons and progress lines, so a change of the core's output
//! that leaves it stale fails here too.

use std::fs;
use std::path::PathBuf;

use serde_json::{json, Value};

fn vector_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Each vector's file name and parsed document.
fn vector_docs() -> Vec<(String, Value)> {
    vector_files()
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let text = fs::read_to_string(path).unwrap();
            let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, doc)
        })
        .collect()
}

#[test]
fn every_vector_gives_its_expected_output_natively() {
    let bless = std::env::var_os("BLESS").is_some();
    let files = vector_files();
    assert!(
        files.len() >= 50,
        "expected the shared vectors, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(path).unwrap();
        let mut doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let request = serde_json::to_string(&doc["request"]).unwrap();
        let outcome = coupon_engine::evaluate_json(&request);
        let wants_error = doc.get("expectedError").is_some();
        if bless {
            match &outcome {
                Ok(json) => doc["expected"] = serde_json::from_str(json).unwrap(),
                Err(e) => doc["expectedError"] = error_json(e),
            }
            let key = if outcome.is_ok() {
                "expectedError"
            } else {
                "expected"
            };
            doc.as_object_mut().unwrap().remove(key);
            fs::write(path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
            continue;
        }
        match (outcome, wants_error) {
            (Ok(json), false) => {
                // Compact, key order as written: the exact bytes every runtime must print.
                let expected = serde_json::to_string(&doc["expected"]).unwrap();
                if json != expected {
                    failures.push(format!("{name}:\n  got      {json}\n  expected {expected}"));
                }
            }
            (Err(e), true) => {
                let got = error_json(&e);
                if got != doc["expectedError"] {
                    failures.push(format!(
                        "{name}: got error {got}, expected {}",
                        doc["expectedError"]
                    ));
                }
            }
            (Ok(json), true) => failures.push(format!("{name}: expected an error, got {json}")),
            (Err(e), false) => failures.push(format!("{name}: unexpected error {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn localized_sections_match_the_cards_of_the_core() {
    let mut cases = 0;
    for (name, doc) in vector_docs() {
        let Some(localized) = doc.get("localized") else {
            continue;
        };
        let shape = |cards: &Value, reasons: &str, progress: &str| -> Vec<(String, usize, usize)> {
            cards
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let len = |k: &str| c[k].as_array().map_or(usize::MAX, Vec::len);
                    (
                        c["couponId"].as_str().unwrap().to_string(),
                        len(reasons),
                        len(progress),
                    )
                })
                .collect()
        };
        let core = shape(&doc["expected"]["cards"], "reasons", "progress");
        for (i, case) in localized
            .as_array()
            .expect("a list of cases")
            .iter()
            .enumerate()
        {
            assert!(
                case["options"].is_object(),
                "{name}: case {i} has no options"
            );
            match (case.get("expected"), case.get("expectedError")) {
                (Some(want), None) => {
                    assert_eq!(
                        shape(&want["cards"], "reasons", "progress"),
                        core,
                        "{name}: case {i}"
                    );
                    assert_eq!(
                        want["unknownCodes"].as_array().map(Vec::len),
                        doc["expected"]["unknownCodes"].as_array().map(Vec::len),
                        "{name}: case {i}"
                    );
                }
                (None, Some(error)) => {
                    assert!(
                        error["code"].is_string() && error["path"].is_string(),
                        "{name}: case {i}"
                    );
                }
                _ => panic!("{name}: case {i} needs one of expected and expectedError"),
            }
            cases += 1;
        }
    }
    assert!(cases >= 15, "only {cases} localized cases");
}

/// `Engine::shopper` + `evaluate_for` (the summary validated once per session) gives
/// the same result as `evaluate` for every vector that evaluates.
#[test]
fn a_shopper_evaluates_like_a_fresh_customer() {
    let mut compared = 0;
    for path in vector_files() {
        let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let Ok(request) =
            coupon_engine::read_json::<coupon_engine::Request>("", &doc["request"].to_string())
        else {
            continue;
        };
        let Ok(engine) = coupon_engine::Engine::new(request.bundle.clone()) else {
            continue;
        };
        let fresh = engine.evaluate(&request.customer, &request.cart, &request.context);
        let shopper = match engine.shopper(request.customer.clone()) {
            Ok(s) => s,
            Err(e) => {
                assert_eq!(Err(e), fresh.map(|_| ()), "{}", path.display());
                continue;
            }
        };
        let again = engine.evaluate_for(&shopper, &request.cart, &request.context);
        assert_eq!(
            again.map_err(|e| e.code),
            fresh.map_err(|e| e.code),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared >= 50, "only {compared} vectors compared");
}

/// A [`coupon_engine::Session`] fed each vector's inputs as JSON text gives what
/// `evaluate_json` gives for the whole request, error or result, byte for byte: the
/// first time (the customer read), again (the customer kept) and after another
/// customer (read afresh).
#[test]
fn a_session_evaluates_like_the_whole_request() {
    use coupon_engine::{json::to_json, read_json, Engine, Error, Session};
    fn through(session: &mut Session, engine: &Engine, request: &Value) -> Result<String, Error> {
        let shopper = session.customer(request["customer"].to_string())?;
        let cart = read_json("cart", &request["cart"].to_string())?;
        let context = read_json("context", &request["context"].to_string())?;
        Ok(to_json(&engine.evaluate_for(shopper, &cart, &context)?))
    }
    let show = |outcome: Result<String, Error>| outcome.map_err(|e| error_json(&e));
    let other = json!({"id": "someone-else", "orders": []});
    let mut compared = 0;
    for path in vector_files() {
        let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let request = &doc["request"];
        let Ok(bundle) = read_json("bundle", &request["bundle"].to_string()) else {
            continue;
        };
        let Ok(engine) = Engine::new(bundle) else {
            continue;
        };
        let expected = show(coupon_engine::evaluate_json(&request.to_string()));
        let mut session = Session::default();
        let mut switched = request.clone();
        switched["customer"] = other.clone();
        for (round, input) in [request, request, &switched, request]
            .into_iter()
            .enumerate()
        {
            let outcome = show(through(&mut session, &engine, input));
            if round != 2 {
                assert_eq!(outcome, expected, "{} round {round}", path.display());
            }
        }
        compared += 1;
    }
    assert!(compared >= 50, "only {compared} vectors compared");
}

/// An error as the vectors hold it: code, path and message. Every runtime must give
/// the same message too (the wasm binding prefixes it with the path).
fn error_json(e: &coupon_engine::Error) -> Value {
    json!({ "code": e.code.as_str(), "path": e.path, "message": e.message })
}

/// The history sorts its orders only when they are out of time order, so every vector
/// must give the same output with its orders listed newest first.
#[test]
fn every_vector_gives_the_same_output_with_its_orders_reversed() {
    let mut reversed_any = 0;
    for (name, doc) in vector_docs() {
        let mut request = doc["request"].clone();
        let Some(orders) = request
            .pointer_mut("/customer/orders")
            .and_then(Value::as_array_mut)
            .filter(|o| o.len() > 1)
        else {
            continue;
        };
        orders.reverse();
        reversed_any += 1;
        let as_listed =
            coupon_engine::evaluate_json(&serde_json::to_string(&doc["request"]).unwrap());
        let reversed = coupon_engine::evaluate_json(&serde_json::to_string(&request).unwrap());
        assert_eq!(
            as_listed.map_err(|e| e.to_string()),
            reversed.map_err(|e| e.to_string()),
            "{name}"
        );
    }
    assert!(
        reversed_any >= 5,
        "only {reversed_any} vectors have several orders"
    );
}
