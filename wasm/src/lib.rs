//! The WebAssembly binding of coupon-engine: the only code that knows wasm-bindgen.
//!
//! Every export follows one pattern: [`read`] the JS values, call the core, [`write`]
//! the result. Errors are thrown as real JS `Error` objects carrying `code` and `path`.
//!
//! Values cross the boundary once per call, as JSON text: `JSON.stringify` then the
//! core's own reader on the way in, the core's own writer then `JSON.parse` on the way
//! out. Why not serde-wasm-bindgen's `from_value`/`to_value`: its deserializer only
//! looks up the fields a struct knows, so a misspelt field would pass silently; its
//! errors differ from the native ones; and a second (de)serializer for every type
//! made the module far larger. Through JSON text the browser accepts and rejects
//! exactly what the server does, and JS gets plain objects with `null` for absent
//! values, the same bytes the native engine prints.

use std::cell::Cell;
use std::rc::Rc;

// Talc instead of Rust's default WebAssembly allocator (dlmalloc): a third of its code.
// In front of it, an arena for the length of each evaluation (see `call_arena`). The
// module is single-threaded (no `atomics` target feature), which both require.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: call_arena::CallArena<talc::wasm::WasmDynamicTalc> =
    call_arena::CallArena::new(talc::wasm::new_wasm_dynamic_allocator());

/// Runs an evaluating export's body with the allocator's arena open (see `call_arena`):
/// everything the body allocates is freed by the time the JS glue has read the result
/// (`evaluateJson`'s string is freed by the glue right after the call). A closure
/// rather than a guard, so that every `?` in the body does not carry its own closing
/// code.
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

pub mod byte_compare;
pub mod call_arena;

/// The module arena's allocations still live and its block size in bytes (for the
/// tests: after an evaluation returns, nothing of it should be live).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
pub fn arena_usage() -> (usize, usize) {
    ALLOCATOR.usage()
}

use wasm_bindgen::prelude::*;

use coupon_engine::json::{to_json, ToJson};
use coupon_engine::{model, Error as CoreError};

/// The JSON types live in `types.d.ts` (generated from the Rust types, shipped beside
/// this module as written); the module's declarations import and re-export them.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"export * from "./types";
import type { Bundle, Cart, Claim, Context, Customer, EvaluationRequest, EvaluationResult, Jwks, Recheck } from "./types";"#;

/// Turns a core error into a thrown JS `Error` with `code` and `path` properties.
fn js_error(e: CoreError) -> JsValue {
    typed_error(e.code.as_str(), &e.path, &e.message)
}

/// A `CouponEngineError`: a JS `Error` whose message is `path: message`, with `code`
/// and `path` properties.
#[inline(never)]
fn typed_error(code: &str, path: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(&format!("{path}: {message}"));
    error.set_name("CouponEngineError");
    let object: &JsValue = error.as_ref();
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(object, &"code".into(), &code.into());
    let _ = js_sys::Reflect::set(object, &"path".into(), &path.into());
    error.into()
}

/// The error a call on a freed `Engine` or `Shopper` throws: code `freed` (the
/// binding's own: the core never frees anything, so its codes do not include it) at
/// the path `what` (`engine`, `shopper`).
#[cold]
#[inline(never)]
fn freed(what: &str) -> JsValue {
    typed_error("freed", what, "freed with free(); make a new one")
}

/// Reads one JS input through its JSON text. `NaN` and `Infinity` become `null` and
/// `undefined` fields vanish (as `JSON.stringify` defines), so each still fails as a
/// wrong type or a missing field at its path; values JSON cannot hold (BigInt,
/// cycles) fail at the input's root, and so does nesting too deep to serialise.
fn read<T: coupon_engine::json::FromJson>(root: &str, value: JsValue) -> Result<T, JsValue> {
    coupon_engine::read_json(root, &input_text(root, &value)?).map_err(js_error)
}

/// The JSON text of one JS input, or its typed error. Kept apart from [`read`] so
/// that each input type does not carry its own copy of this code.
fn input_text(root: &str, value: &JsValue) -> Result<String, JsValue> {
    let type_error = |message: String| {
        js_error(CoreError::new(
            coupon_engine::ErrorCode::InvalidType,
            root,
            message,
        ))
    };
    let text = js_sys::JSON::stringify(value).map_err(|e| {
        let e = js_sys::Error::from(e);
        let message = String::from(e.message());
        // A RangeError is the engine's stack giving out on a too deeply nested value.
        if e.name() == "RangeError" {
            js_error(CoreError::new(
                coupon_engine::ErrorCode::OutOfRange,
                root,
                format!("nested too deeply to read: {message}"),
            ))
        } else {
            type_error(format!("not representable as JSON: {message}"))
        }
    })?;
    copy_in(root, &text, "JSON", "expected an object, got undefined")
}

/// Copies one JS string into this module's memory, refusing it first when its length
/// alone shows it is over [`coupon_engine::limits::MAX_INPUT_BYTES`]: memory grown for
/// a copy stays grown, so an oversized input refused only after it was copied would
/// leave the module that much larger for good. A string's length counts UTF-16 units,
/// never more than its UTF-8 bytes, so a string refused here is too long for certain;
/// the count its error gives is that length, the byte count for ASCII text (as JSON
/// text mostly is) and fewer than the bytes otherwise. A string that passes is at most
/// three times the limit in UTF-8, and the core's own check then decides to the byte,
/// so text at the limit still passes.
#[inline(never)]
fn copy_in(root: &str, value: &JsValue, what: &str, not_a_string: &str) -> Result<String, JsValue> {
    let error = |code, message: String| js_error(CoreError::new(code, root, message));
    if !value.is_string() {
        return Err(error(
            coupon_engine::ErrorCode::InvalidType,
            not_a_string.to_string(),
        ));
    }
    let units = value.unchecked_ref::<js_sys::JsString>().length() as usize;
    if units > coupon_engine::limits::MAX_INPUT_BYTES {
        // The core's own words for JSON over the limit.
        return Err(error(
            coupon_engine::ErrorCode::OutOfRange,
            format!(
                "{units} bytes of {what} is more than the limit of {}",
                coupon_engine::limits::MAX_INPUT_BYTES
            ),
        ));
    }
    Ok(value.as_string().unwrap_or_default())
}

/// A string argument (`what` it holds: `"JSON"` or `"text"`), through [`copy_in`]:
/// taken as a `JsString` rather than `&str`, since wasm-bindgen's glue copies a `&str`
/// in before any Rust code can look at it.
fn string_arg(root: &str, what: &str, value: &js_sys::JsString) -> Result<String, JsValue> {
    copy_in(root, value, what, "expected a string")
}

/// Writes an output as the plain object `JSON.parse` makes of the native JSON: the
/// core's own writer, so JS sees the bytes `evaluateJson` and the server print.
fn write<T: ToJson>(value: &T) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&to_json(value)).map_err(|_| {
        js_error(CoreError::new(
            coupon_engine::ErrorCode::InvalidValue,
            "result",
            "result is not JSON",
        ))
    })
}

/// A validated coupon bundle, ready to evaluate any number of carts.
///
/// ```js
/// const engine = new Engine(bundle);          // throws CouponEngineError on a bad bundle
/// const result = engine.evaluate(customer, cart, { now: new Date().toISOString(), codes: ["LOYAL10"] });
/// for (const card of result.cards) console.log(card.status, card.title, card.saving);
/// ```
///
/// `engine.evaluate` remembers the last customer summary it validated, with its JSON
/// text: a storefront that passes the same summary on every cart change pays for
/// reading and validating it once, as with `engine.shopper`, and a different summary
/// (compared byte for byte) is read afresh.
#[wasm_bindgen]
pub struct Engine {
    core: Rc<coupon_engine::Engine>,
    /// The last customer `evaluate` validated and the JSON text it was read from.
    /// Allocated outside the call arena, since it outlives the call. Taken out for the
    /// length of a call, so a call made from inside it (a `toJSON` of the caller's
    /// cart, say) finds it empty instead of borrowed.
    last_customer: Cell<Option<(String, coupon_engine::Shopper)>>,
    /// Set by `free()`: every later call throws the `freed` error (see [`Engine::free`]).
    freed: Cell<bool>,
}

impl Engine {
    fn wrap(core: coupon_engine::Engine) -> Engine {
        Engine {
            core: Rc::new(core),
            last_customer: Cell::new(None),
            freed: Cell::new(false),
        }
    }
}

/// A customer summary as an evaluation holds it before the cart and context are read:
/// already validated (a session's, or the one `engine.evaluate` remembers), or only
/// read (validated after the cart and context are read, as the core orders its errors).
enum Summary<'a> {
    Valid(&'a coupon_engine::Shopper),
    Read(model::Customer),
}

/// The body of both evaluating calls, in the call arena: reads the cart and context,
/// validates a summary only read (kept in `validated`, whose memory is not the arena's),
/// evaluates and writes the result.
fn evaluate_cart(
    engine: &coupon_engine::Engine,
    summary: Summary<'_>,
    validated: &mut Option<coupon_engine::Shopper>,
    cart: JsValue,
    context: JsValue,
) -> Result<JsValue, JsValue> {
    in_arena(|| {
        let cart: model::Cart = read("cart", cart)?;
        let context: model::Context = read("context", context)?;
        let shopper = match summary {
            Summary::Valid(shopper) => shopper,
            Summary::Read(customer) => {
                validated.insert(engine.shopper(customer).map_err(js_error)?)
            }
        };
        write(
            &engine
                .evaluate_for(shopper, &cart, &context)
                .map_err(js_error)?,
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
        let bundle: model::Bundle = read("bundle", bundle)?;
        coupon_engine::Engine::new(bundle)
            .map(Engine::wrap)
            .map_err(js_error)
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
        let token = string_arg("token", "text", &token)?;
        let jwks: coupon_engine::signing::Jwks = read("jwks", jwks)?;
        let now = timestamp(&now)?;
        coupon_engine::Engine::from_signed(&token, &jwks, now)
            .map(Engine::wrap)
            .map_err(js_error)
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
            return Err(freed("engine"));
        }
        // Read outside the arena: the summary is kept past the call.
        let text = input_text("customer", &customer)?;
        let mut remembered = self.last_customer.take().filter(|(last, _)| *last == text);
        let mut validated = None;
        let result = match &remembered {
            Some((_, shopper)) => evaluate_cart(
                &self.core,
                Summary::Valid(shopper),
                &mut validated,
                cart,
                context,
            ),
            None => {
                let customer = coupon_engine::read_json("customer", &text).map_err(js_error)?;
                let result = evaluate_cart(
                    &self.core,
                    Summary::Read(customer),
                    &mut validated,
                    cart,
                    context,
                );
                remembered = validated.map(|shopper| (text, shopper));
                result
            }
        };
        self.last_customer.set(remembered);
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
            return Err(freed("engine"));
        }
        let customer: model::Customer = read("customer", customer)?;
        let shopper = self.core.shopper(customer).map_err(js_error)?;
        Ok(Shopper {
            engine: Rc::clone(&self.core),
            shopper,
            freed: Cell::new(false),
        })
    }

    /// Ends this engine: every later call throws `CouponEngineError` with code
    /// `freed` and path `engine`, and the remembered customer summary is released at
    /// once. A shopper made from it keeps working until it is freed itself.
    ///
    /// This replaces the `free()` wasm-bindgen generates, after which a call threw
    /// its untyped "null pointer passed to rust". The bundle is released with the JS
    /// object, when the garbage collector reclaims it (wasm-bindgen registers every
    /// object for that): releasing it here too made the module about 500 gzip bytes
    /// larger (measured), more than its size budget had left.
    ///
    /// ```js
    /// engine.free();
    /// engine.evaluate(customer, cart, context); // throws: e.code === "freed"
    /// ```
    pub fn free(&self) {
        self.freed.set(true);
        self.last_customer.set(None);
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
            return Err(freed("shopper"));
        }
        evaluate_cart(
            &self.engine,
            Summary::Valid(&self.shopper),
            &mut None,
            cart,
            context,
        )
    }

    /// Ends this shopper: every later call throws `CouponEngineError` with code
    /// `freed` and path `shopper`, as `engine.free()` does for the engine.
    pub fn free(&self) {
        self.freed.set(true);
    }
}

fn timestamp(now: &js_sys::JsString) -> Result<model::Timestamp, JsValue> {
    model::Timestamp::parse(&string_arg("now", "text", now)?).map_err(|m| {
        js_error(CoreError::new(
            coupon_engine::ErrorCode::InvalidDate,
            "now",
            m,
        ))
    })
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
    let token = string_arg("token", "text", &token)?;
    let jwks: coupon_engine::signing::Jwks = read("jwks", jwks)?;
    let now = timestamp(&now)?;
    let customer_id = match customer_id {
        Some(id) => Some(string_arg("customerId", "text", &id)?),
        None => None,
    };
    let customer =
        coupon_engine::signing::verify_summary(&token, &jwks, now, customer_id.as_deref())
            .map_err(js_error)?;
    write(&customer)
}

/// Rechecks a result a shopper's device claims (for Node backends): recomputes with
/// the same code and lists every difference.
///
/// ```js
/// const { accepted, differences } = engine.recheck(customer, cart, context, claimedResult);
/// ```
#[wasm_bindgen]
impl Engine {
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
            return Err(freed("engine"));
        }
        in_arena(|| {
            let customer: model::Customer = read("customer", customer)?;
            let cart: model::Cart = read("cart", cart)?;
            let context: model::Context = read("context", context)?;
            let claim: coupon_engine::recheck::Claim = read("claim", claim)?;
            write(
                &self
                    .core
                    .recheck(&customer, &cart, &context, &claim)
                    .map_err(js_error)?,
            )
        })
    }
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
        let request: coupon_engine::Request = read("", request)?;
        write(&coupon_engine::evaluate(&request).map_err(js_error)?)
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
    let request = string_arg("", "JSON", &request)?;
    in_arena(|| coupon_engine::evaluate_json(&request).map_err(js_error))
}
