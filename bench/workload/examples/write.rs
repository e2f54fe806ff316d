//! Writes the benchmark workloads of issue 6 for the JavaScript and wasm harnesses:
//!
//! ```sh
//! cargo run --release -p coupon-engine-workload --example write [-- OUT_DIR]   # default target/bench
//! ```
//!
//! * `{s,m,l}.json`: whole requests (`{description, bundle, customer, cart, context}`);
//!   `coupon-engine cards target/bench/m.json` shows them to people;
//! * `{s,m,l}.result.json`: the native result, which every runtime must reproduce;
//! * `signed.json`: `{token, jwks, now, coupons}`, the 100-coupon bundle signed.
//!
//! It checks that each workload evaluates and that its cards are a realistic mix (a
//! good share usable, some locked), and prints the mix. The files are byte-identical
//! on every run (the workloads are seeded).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use coupon_engine::model::{Bundle, Cart, Context, Customer};
use coupon_engine::{read_json, Engine};
use coupon_engine_workload as workload;
use serde_json::{json, Value};

fn main() -> ExitCode {
    // The repository's target/ (this crate lives in bench/workload).
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2);
    let out = std::env::args().nth(1).map_or_else(
        || repository.unwrap_or(Path::new(".")).join("target/bench"),
        PathBuf::from,
    );
    match write_all(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("write workloads: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, text: String| {
        std::fs::write(out.join(name), text + "\n").map_err(|e| format!("{name}: {e}"))
    };
    println!(
        "{:<4}{:>8}{:>7}{:>9}{:>10}{:>11}{:>8}{:>11}{:>10}   applied discount",
        "", "coupons", "lines", "applied", "available", "locked", "inel.", "expired", "exhausted"
    );
    for size in workload::SIZES {
        let w = workload::generate(size);
        let result = evaluate(&w).map_err(|e| format!("workload {}: {e}", size.name))?;
        let parsed: Value = serde_json::from_str(&result).map_err(|e| e.to_string())?;
        let mix = check_mix(size, &parsed)?;
        println!(
            "{:<4}{:>8}{:>7}{:>9}{:>10}{:>11}{:>8}{:>11}{:>10}   ₹{} of ₹{}",
            size.name.to_uppercase(),
            size.coupons,
            size.lines,
            mix["applied"],
            mix["available"],
            mix["locked"],
            mix["ineligible"],
            mix["expired"],
            mix["exhausted"],
            parsed["discountTotal"].as_str().unwrap_or("?"),
            parsed["totalBefore"].as_str().unwrap_or("?"),
        );
        write(
            &format!("{}.json", size.name),
            serde_json::to_string_pretty(&w.request()).map_err(|e| e.to_string())?,
        )?;
        write(&format!("{}.result.json", size.name), result)?;
    }
    let signed = workload::signed_bundle();
    // The token must verify with the engine before any runtime is timed on it.
    let jwks = read_json("jwks", &signed.jwks.to_string()).map_err(|e| e.to_string())?;
    let now = coupon_engine::model::Timestamp::parse(signed.now)?;
    Engine::from_signed(&signed.token, &jwks, now).map_err(|e| format!("signed bundle: {e}"))?;
    let doc = json!({ "token": signed.token, "jwks": signed.jwks, "now": signed.now, "coupons": signed.coupons });
    write(
        "signed.json",
        serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?,
    )?;
    println!(
        "wrote {}/{{s,m,l}}.json, {{s,m,l}}.result.json, signed.json ({} bytes of token)",
        out.display(),
        signed.token.len()
    );
    Ok(())
}

/// Evaluates as the JavaScript API does: the bundle prepared once, the other inputs
/// read from JSON text, the result written as JSON text.
fn evaluate(w: &workload::Workload) -> Result<String, coupon_engine::Error> {
    let engine = Engine::new(read_json::<Bundle>("bundle", &w.bundle.to_string())?)?;
    let customer: Customer = read_json("customer", &w.customer.to_string())?;
    let cart: Cart = read_json("cart", &w.cart.to_string())?;
    let context: Context = read_json("context", &w.context.to_string())?;
    let result = engine.evaluate(&customer, &cart, &context)?;
    serde_json::to_string(&result).map_err(|e| {
        coupon_engine::Error::new(
            coupon_engine::ErrorCode::InvalidValue,
            "result",
            e.to_string(),
        )
    })
}

/// Counts cards by status and rejects a workload that would not exercise the engine:
/// nothing applied, too few usable coupons, or nothing locked.
fn check_mix(size: workload::Size, result: &Value) -> Result<BTreeMap<String, usize>, String> {
    let mut mix: BTreeMap<String, usize> = [
        "applied",
        "available",
        "locked",
        "ineligible",
        "expired",
        "exhausted",
    ]
    .iter()
    .map(|s| (s.to_string(), 0))
    .collect();
    let cards = result["cards"]
        .as_array()
        .ok_or("the result has no cards")?;
    for card in cards {
        *mix.entry(card["status"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    let usable = mix["applied"] + mix["available"];
    if mix["applied"] == 0 {
        return Err(format!("workload {}: no coupon applies", size.name));
    }
    if size.coupons >= 100
        && (usable * 100 < cards.len() * 30 || mix["locked"] * 100 < cards.len() * 10)
    {
        return Err(format!(
            "workload {}: an unrealistic mix of cards: {mix:?}",
            size.name
        ));
    }
    Ok(mix)
}
