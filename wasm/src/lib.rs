//! The WebAssembly binding of coupon-engine: the only code that knows wasm-bindgen.
//!
//! Every export has one shape: read its JS arguments ([`js`]), call the core, write
//! the result ([`js::write`]); a core error becomes a thrown `CouponEngineError`
//! (`code`, `path`) through [`js::error`]. All conversion between JS values and the
//! core's types lives in [`js`].

use std::cell::Cell;
use std::rc::Rc;

use coupon_engine::{model, Session};
use wasm_bindgen::prelude::*;

pub mod js;

// Talc instead of Rust's default WebAssembly allocator (dlmalloc): a third of its code.
// In front of it, an arena for the length of each evaluation (`wasm_runtime::arena`).
// The module is single-threaded (no `atomics` target feature), which both require.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: wasm_runtime::arena::CallArena<talc::wasm::WasmDynamicTalc> =
    wasm_runtime::arena::CallArena::new(talc::wasm::new_wasm_dynamic_allocator());

/// Runs an evaluating export's body with the allocator's arena open: everything the
/// body allocates is freed by the time the JS glue has read the result (`evaluateJson`'s
/// string is freed by the glue right after the call). A closure rather than a guard,
/// so that every `?` in the body does not carry its own closing code.
fn in_arena<T>(body: impl FnOnce() -> Result<T, JsValue>) -> Result<T, JsValue> {
    #[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
    open_arena();
    let result = body();
    #[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
    ALLOCATOR.close();
    result
}

/// Opens the arena, once wasm-bindgen's table of JS values has room. The table's
/// bookkeeping is a `Vec` in this module's memory that lives as long as the module: had
/// it first grown inside a call (a first call that throws, say), it would sit in the
/// block and pin it for good, as the block is reused only once nothing in it is live.
/// It grows by 128 slots at a time, and an evaluation holds a few JS values at once.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[inline(never)]
fn open_arena() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static TABLE_READY: AtomicBool = AtomicBool::new(false);
    if !TABLE_READY.swap(true, Ordering::Relaxed) {
        drop(JsValue::from_f64(0.0));
    }
    ALLOCATOR.open();
}

/// The module arena's allocations still live and its block size in bytes (for the
/// tests: after an evaluation returns, nothing of it should be live).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
pub fn arena_usage() -> (usize, usize) {
    ALLOCATOR.usage()
}

/// The JSON types live in `types.d.ts` (generated from the Rust types, shipped beside
/// this module as written); the module's declarations import and re-export them.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"export * from "./types";
import type { Bundle, Cart, Claim, Context, Customer, EvaluationRequest, EvaluationResult, Jwks, Recheck } from "./types";"#;

/// A validated coupon bundle, ready to evaluate any number of carts.
///
/// ```js
/// const engine = new Engine(bundle);          // throws CouponEngineError on a bad bundle
/// const result = engine.evaluate(customer, cart, { now: new Date().toISOString(), codes: ["LOYAL10"] });
/// for (const card of result.cards) console.log(card.status, card.title, card.saving);
/// ```
///
/// `engine.evaluate` keeps the last customer summary it was given (in the core's
/// `Session`): a storefront that passes the same summary on every cart change pays
/// for reading and validating it once, as with `engine.shopper`, and a different
/// summary (its JSON text compared byte for byte) is read afresh.
#[wasm_bindgen]
pub struct Engine {
    core: Rc<coupon_engine::Engine>,
    /// `evaluate`'s customer. Its memory is not the call arena's, since it outlives
    /// the call. Taken out for the length of a call, so a call made from inside it (a
    /// `toJSON` of the caller's cart, say) finds it empty instead of borrowed.
    session: Cell<Session>,
    /// Set by `free()`: every later call throws the `freed` error (see [`Engine::free`]).
    freed: Cell<bool>,
}

impl Engine {
    fn wrap(core: coupon_engine::Engine) -> Engine {
        Engine {
            core: Rc::new(core),
            session: Cell::default(),
            freed: Cell::new(false),
        }
    }
}

/// The body of both evaluating calls of one cart, in the call arena: reads the cart and
/// context, evaluates and writes the result. One copy for both.
fn evaluate_cart(
    engine: &coupon_engine::Engine,
    shopper: &coupon_engine::Shopper,
    cart: JsValue,
    context: JsValue,
) -> Result<JsValue, JsValue> {
    in_arena(|| {
        let cart = js::read("cart", cart)?;
        let context = js::read("context", context)?;
        js::write(
            &engine
                .evaluate_for(shopper, &cart, &context)
                .map_err(js::error)?,
        )
    })
}

#[wasm_bindgen]
impl Engine {
    /// Validates a bundle once. Throws `CouponEngineError` (`code`, `path`) when invalid.
    ///
    /// ```js
    /// const engine = new Engine({ currency: "INR", coupons: [] });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Bundle")] bundle: JsValue,
    ) -> Result<Engine, JsValue> {
        let bundle = js::read("bundle", bundle)?;
        coupon_engine::Engine::new(bundle)
            .map(Engine::wrap)
            .map_err(js::error)
    }

    /// Verifies a signed bundle (compact JWS, EdDSA / Ed25519) against a JWKS at `now`,
    /// then validates it. Throws `CouponEngineError` with codes such as `bad_signature`,
    /// `unknown_key`, `expired` or `unsupported_algorithm`.
    ///
    /// ```js
    /// const engine = Engine.fromSigned(bundleJws, jwks, new Date().toISOString());
    /// ```
    #[wasm_bindgen(js_name = fromSigned)]
    pub fn from_signed(
        token: js_sys::JsString,
        #[wasm_bindgen(unchecked_param_type = "Jwks")] jwks: JsValue,
        now: js_sys::JsString,
    ) -> Result<Engine, JsValue> {
        let token = js::string("token", "text", &token)?;
        let jwks = js::read("jwks", jwks)?;
        let now = js::timestamp(&now)?;
        coupon_engine::Engine::from_signed(&token, &jwks, now)
            .map(Engine::wrap)
            .map_err(js::error)
    }

    /// Evaluates one cart: totals, applied discounts with per-line allocation, and cards.
    ///
    /// ```js
    /// const { totalAfter, cards } = engine.evaluate(customer, cart, { now: "2026-11-22T10:00:00Z" });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "EvaluationResult")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Customer")] customer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue,
    ) -> Result<JsValue, JsValue> {
        if self.freed.get() {
            return Err(js::freed("engine"));
        }
        // Read outside the arena: the session keeps the customer past the call.
        let text = js::text("customer", &customer)?;
        let mut session = self.session.take();
        let result = match session.customer(text) {
            Ok(shopper) => evaluate_cart(&self.core, shopper, cart, context),
            Err(e) => Err(js::error(e)),
        };
        self.session.set(session);
        result
    }

    /// Reads and validates a customer summary once, for a session of evaluations:
    /// `shopper.evaluate(cart, context)` then skips re-reading a history of hundreds
    /// of orders on every cart change. Same results as `engine.evaluate`.
    ///
    /// ```js
    /// const shopper = engine.shopper(customer);
    /// const result = shopper.evaluate(cart, { now: new Date().toISOString(), codes: ["LOYAL10"] });
    /// ```
    pub fn shopper(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Customer")] customer: JsValue,
    ) -> Result<Shopper, JsValue> {
        if self.freed.get() {
            return Err(js::freed("engine"));
        }
        let shopper = self
            .core
            .shopper(js::read("customer", customer)?)
            .map_err(js::error)?;
        Ok(Shopper {
            engine: Rc::clone(&self.core),
            shopper,
            freed: Cell::new(false),
        })
    }

    // Rechecks a result a shopper's device claims (for Node backends): recomputes with
    // the same code and lists every difference. The package's declarations describe it
    // in JS terms (scripts/pkg-declarations.mjs).
    /// See [`coupon_engine::Engine::recheck`].
    #[wasm_bindgen(unchecked_return_type = "Recheck")]
    pub fn recheck(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Customer")] customer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Claim")] claim: JsValue,
    ) -> Result<JsValue, JsValue> {
        if self.freed.get() {
            return Err(js::freed("engine"));
        }
        let core = &self.core;
        in_arena(|| {
            let customer = js::read("customer", customer)?;
            let cart = js::read("cart", cart)?;
            let context = js::read("context", context)?;
            let claim = js::read("claim", claim)?;
            js::write(
                &core
                    .recheck(&customer, &cart, &context, &claim)
                    .map_err(js::error)?,
            )
        })
    }

    /// Ends this engine: every later call throws `CouponEngineError` with code
    /// `freed` and path `engine`, and the remembered customer summary is released at
    /// once. A shopper made from it keeps working until it is freed itself.
    ///
    /// This replaces the `free()` wasm-bindgen generates, after which a call threw
    /// its untyped "null pointer passed to rust". The bundle is released with the JS
    /// object, when the garbage collector reclaims it (wasm-bindgen registers every
    /// object for that): releasing it here too made the module larger than its size
    /// budget allowed (docs/benchmarks.md).
    ///
    /// ```js
    /// engine.free();
    /// engine.evaluate(customer, cart, context); // throws: e.code === "freed"
    /// ```
    pub fn free(&self) {
        self.freed.set(true);
        self.session.take();
    }
}

/// A customer summary read and validated once by `engine.shopper(customer)`.
///
/// ```js
/// const shopper = engine.shopper(customer);
/// cartInput.addEventListener("change", () => render(shopper.evaluate(cart, context)));
/// ```
#[wasm_bindgen]
pub struct Shopper {
    engine: Rc<coupon_engine::Engine>,
    shopper: coupon_engine::Shopper,
    /// Set by `free()`, as [`Engine::freed`].
    freed: Cell<bool>,
}

#[wasm_bindgen]
impl Shopper {
    /// Evaluates one cart for this customer, like `engine.evaluate(customer, cart, context)`.
    ///
    /// ```js
    /// const { totalAfter, cards } = shopper.evaluate(cart, { now: "2026-11-22T10:00:00Z" });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "EvaluationResult")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue,
    ) -> Result<JsValue, JsValue> {
        if self.freed.get() {
            return Err(js::freed("shopper"));
        }
        evaluate_cart(&self.engine, &self.shopper, cart, context)
    }

    /// Ends this shopper: every later call throws `CouponEngineError` with code
    /// `freed` and path `shopper`, as `engine.free()` does for the engine.
    pub fn free(&self) {
        self.freed.set(true);
    }
}

/// Verifies a signed customer summary and returns the customer, checking that it
/// belongs to `customerId` when given.
///
/// ```js
/// const customer = verifySummary(summaryJws, jwks, new Date().toISOString(), session.customerId);
/// ```
#[wasm_bindgen(js_name = verifySummary, unchecked_return_type = "Customer")]
pub fn verify_summary(
    token: js_sys::JsString,
    #[wasm_bindgen(unchecked_param_type = "Jwks")] jwks: JsValue,
    now: js_sys::JsString,
    #[wasm_bindgen(js_name = customerId)] customer_id: Option<js_sys::JsString>,
) -> Result<JsValue, JsValue> {
    let token = js::string("token", "text", &token)?;
    let jwks = js::read("jwks", jwks)?;
    let now = js::timestamp(&now)?;
    let customer_id = match customer_id {
        Some(id) => Some(js::string("customerId", "text", &id)?),
        None => None,
    };
    let customer: model::Customer =
        coupon_engine::signing::verify_summary(&token, &jwks, now, customer_id.as_deref())
            .map_err(js::error)?;
    js::write(&customer)
}

/// Evaluates `{ bundle, customer, cart, context }` in one call.
///
/// ```js
/// const result = evaluate({ bundle, customer, cart, context: { now: "2026-11-22T10:00:00Z" } });
/// ```
#[wasm_bindgen(unchecked_return_type = "EvaluationResult")]
pub fn evaluate(
    #[wasm_bindgen(unchecked_param_type = "EvaluationRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    in_arena(|| {
        let request: coupon_engine::Request = js::read("", request)?;
        js::write(&request.evaluate().map_err(js::error)?)
    })
}

/// Evaluates a request given as JSON text; returns the result as JSON text, byte for
/// byte what the native engine and CLI print.
///
/// ```js
/// const json = evaluateJson(JSON.stringify({ bundle, customer, cart, context }));
/// ```
#[wasm_bindgen(js_name = evaluateJson)]
pub fn evaluate_json(request: js_sys::JsString) -> Result<String, JsValue> {
    // Copied outside the arena, as the glue's copy of a `&str` was.
    let request = js::string("", "JSON", &request)?;
    in_arena(|| coupon_engine::evaluate_json(&request).map_err(js::error))
}
