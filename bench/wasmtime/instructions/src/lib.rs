//! What the wasmtime hosts share: the workload's inputs as the guest receives them.

use serde_json::Value;

/// The workload's four inputs, as the JSON texts handed to the guest.
pub struct Inputs {
    /// The bundle (coupons and segments).
    pub bundle: String,
    /// The customer summary.
    pub customer: String,
    /// The cart.
    pub cart: String,
    /// `now`, payment method and entered codes.
    pub context: String,
}

impl Inputs {
    /// Reads a workload request (`target/bench/m.json`: `{bundle, customer, cart,
    /// context, ..}`). The per-cart inputs travel separately, as
    /// `engine.evaluate(customer, cart, context)` receives them, and as compact JSON
    /// text in their original key order: what `JSON.stringify` hands the module.
    pub fn read(path: &str) -> wasmtime::Result<Inputs> {
        let request: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let text = |key: &str| -> wasmtime::Result<String> {
            let value = request
                .get(key)
                .ok_or_else(|| wasmtime::format_err!("the request has no {key}"))?;
            Ok(serde_json::to_string(value)?)
        };
        Ok(Inputs {
            bundle: text("bundle")?,
            customer: text("customer")?,
            cart: text("cart")?,
            context: text("context")?,
        })
    }
}
