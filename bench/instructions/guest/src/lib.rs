//! coupon-engine as a plain wasm32 module for instruction counting: the same calls
//! the wasm-bindgen binding makes (read JSON text, evaluate with a prepared engine,
//! write JSON text), without JS imports, so a bare runtime like wasmtime can run it.
//!
//! The host copies each input into memory from [`alloc`], then calls [`engine_new`]
//! once and [`evaluate`] per cart; each returns 0 on success and leaves its output
//! (the result JSON, or the error) at [`output_ptr`]/[`output_len`]. The session path
//! (`engine.shopper(customer)` once, then `shopper.evaluate(cart, context)` per cart
//! change) is [`shopper_new`] and [`shopper_evaluate`].

use std::cell::RefCell;

use coupon_engine::{model, read_json, Engine, Session, Shopper};
use wasm_runtime::arena::{CallArena, Scope};

/// The package's allocator (see `wasm/src/lib.rs`), so the counts are the package's:
/// Talc with an arena for each evaluating call. Linking `wasm_runtime` also brings the
/// package's `memcmp` and `bcmp`.
#[global_allocator]
static ALLOCATOR: CallArena<talc::wasm::WasmDynamicTalc> =
    CallArena::new(talc::wasm::new_wasm_dynamic_allocator());

/// Opens the arena for an evaluating call, as the package's evaluating exports do.
/// The previous output goes first: it was allocated in the last scope, and the block
/// is only reused once nothing in it is live.
fn arena_scope() -> Option<Scope<'static, talc::wasm::WasmDynamicTalc>> {
    OUTPUT.with(|o| *o.borrow_mut() = String::new());
    ALLOCATOR.scope()
}

/// The per-cart inputs once read, and the result once computed, for the phase counts.
struct Phases {
    inputs: Option<(model::Customer, model::Cart, model::Context)>,
    result: Option<model::EvaluationResult>,
}

thread_local! {
    /// The prepared engine, as a page keeps one `Engine` for every cart change.
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    /// `evaluate`'s customer, as the package's `engine.evaluate` keeps it.
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
    /// The shopper of a session, as a page keeps one for its signed-in customer.
    static SHOPPER: RefCell<Option<Shopper>> = const { RefCell::new(None) };
    static PHASES: RefCell<Phases> = const { RefCell::new(Phases { inputs: None, result: None }) };
    /// The last output text, kept alive until the host has read it.
    static OUTPUT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Reserves `len` bytes for an input; the call that receives it frees it.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Takes back an input from [`alloc`] (freed when the string drops, as wasm-bindgen's
/// glue frees the strings it passes).
///
/// # Safety
/// `ptr`/`len` must come from one [`alloc`] call, filled with UTF-8 text.
unsafe fn take(ptr: *mut u8, len: usize) -> String {
    // SAFETY: the caller passes a buffer `alloc` reserved with exactly this capacity.
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len) };
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`take`] for each of several inputs.
///
/// # Safety
/// Each pointer/length pair must come from [`alloc`].
unsafe fn take_all<const N: usize>(inputs: [(*mut u8, usize); N]) -> [String; N] {
    // SAFETY: forwarded from the caller.
    inputs.map(|(ptr, len)| unsafe { take(ptr, len) })
}

fn finish(result: Result<String, coupon_engine::Error>) -> u32 {
    let (status, text) = match result {
        Ok(text) => (0, text),
        Err(e) => (1, format!("{}: {}: {}", e.code.as_str(), e.path, e.message)),
    };
    OUTPUT.with(|o| *o.borrow_mut() = text);
    status
}

/// Parses and validates a bundle and keeps it as the prepared engine.
///
/// # Safety
/// `ptr`/`len` must come from [`alloc`].
#[no_mangle]
pub unsafe extern "C" fn engine_new(ptr: *mut u8, len: usize) -> u32 {
    // SAFETY: forwarded from the caller.
    let text = unsafe { take(ptr, len) };
    finish(
        read_json::<model::Bundle>("bundle", &text)
            .and_then(Engine::new)
            .map(|engine| {
                ENGINE.with(|e| *e.borrow_mut() = Some(engine));
                String::new()
            }),
    )
}

/// Evaluates one cart with the prepared engine: reads the customer, cart and context
/// JSON, evaluates, and writes the result as JSON text.
///
/// # Safety
/// Each pointer/length pair must come from [`alloc`].
#[no_mangle]
pub unsafe extern "C" fn evaluate(
    customer_ptr: *mut u8,
    customer_len: usize,
    cart_ptr: *mut u8,
    cart_len: usize,
    context_ptr: *mut u8,
    context_len: usize,
) -> u32 {
    // SAFETY: forwarded from the caller.
    let [customer, cart, context] = unsafe {
        take_all([
            (customer_ptr, customer_len),
            (cart_ptr, cart_len),
            (context_ptr, context_len),
        ])
    };
    // As the package's `engine.evaluate`: the customer is read outside the arena.
    SESSION.with(|session| {
        let mut session = session.borrow_mut();
        let shopper = match session.customer(customer) {
            Ok(shopper) => shopper,
            Err(e) => return finish(Err(e)),
        };
        let _scope = arena_scope();
        finish(with_engine(|engine| {
            let (cart, context) = (read_json("cart", &cart)?, read_json("context", &context)?);
            write(&engine.evaluate_for(shopper, &cart, &context)?)
        }))
    })
}

/// Reads and validates a customer once and keeps it as the session's shopper.
///
/// # Safety
/// `ptr`/`len` must come from [`alloc`].
#[no_mangle]
pub unsafe extern "C" fn shopper_new(ptr: *mut u8, len: usize) -> u32 {
    // SAFETY: forwarded from the caller.
    let text = unsafe { take(ptr, len) };
    finish(with_engine(|engine| {
        let shopper = engine.shopper(read_json("customer", &text)?)?;
        SHOPPER.with(|s| *s.borrow_mut() = Some(shopper));
        Ok(String::new())
    }))
}

/// Evaluates one cart for the session's shopper: reads the cart and context JSON,
/// evaluates, and writes the result as JSON text (what `shopper.evaluate` does).
///
/// # Safety
/// Each pointer/length pair must come from [`alloc`].
#[no_mangle]
pub unsafe extern "C" fn shopper_evaluate(
    cart_ptr: *mut u8,
    cart_len: usize,
    context_ptr: *mut u8,
    context_len: usize,
) -> u32 {
    let _scope = arena_scope();
    // SAFETY: forwarded from the caller.
    let (cart, context) = unsafe { (take(cart_ptr, cart_len), take(context_ptr, context_len)) };
    finish(with_engine(|engine| {
        SHOPPER.with(|shopper| {
            let shopper = shopper.borrow();
            let shopper = shopper
                .as_ref()
                .ok_or_else(|| internal("shopper", "shopper_new was not called"))?;
            let (cart, context) = (read_json("cart", &cart)?, read_json("context", &context)?);
            write(&engine.evaluate_for(shopper, &cart, &context)?)
        })
    }))
}

fn with_engine<T>(
    f: impl FnOnce(&Engine) -> Result<T, coupon_engine::Error>,
) -> Result<T, coupon_engine::Error> {
    ENGINE.with(|engine| {
        let engine = engine.borrow();
        f(engine
            .as_ref()
            .ok_or_else(|| internal("engine", "engine_new was not called"))?)
    })
}

fn internal(path: &str, message: impl Into<String>) -> coupon_engine::Error {
    coupon_engine::Error::new(coupon_engine::ErrorCode::InvalidValue, path, message)
}

fn read_inputs(
    customer: &str,
    cart: &str,
    context: &str,
) -> Result<(model::Customer, model::Cart, model::Context), coupon_engine::Error> {
    Ok((
        read_json("customer", customer)?,
        read_json("cart", cart)?,
        read_json("context", context)?,
    ))
}

fn write(result: &model::EvaluationResult) -> Result<String, coupon_engine::Error> {
    Ok(coupon_engine::json::to_json(result))
}

/// Phase 1 of [`evaluate`], counted on its own: reads the three inputs and keeps them.
/// Opens the arena for the three phases; [`phase_write`] closes it.
///
/// # Safety
/// Each pointer/length pair must come from [`alloc`].
#[no_mangle]
pub unsafe extern "C" fn phase_read(
    customer_ptr: *mut u8,
    customer_len: usize,
    cart_ptr: *mut u8,
    cart_len: usize,
    context_ptr: *mut u8,
    context_len: usize,
) -> u32 {
    std::mem::forget(arena_scope());
    // SAFETY: forwarded from the caller.
    let [customer, cart, context] = unsafe {
        take_all([
            (customer_ptr, customer_len),
            (cart_ptr, cart_len),
            (context_ptr, context_len),
        ])
    };
    finish(read_inputs(&customer, &cart, &context).map(|inputs| {
        PHASES.with(|p| p.borrow_mut().inputs = Some(inputs));
        String::new()
    }))
}

/// Phase 2: evaluates the inputs phase 1 read, with the prepared engine.
#[no_mangle]
pub extern "C" fn phase_evaluate() -> u32 {
    finish(with_engine(|engine| {
        PHASES.with(|p| {
            let mut p = p.borrow_mut();
            let (customer, cart, context) = p
                .inputs
                .take()
                .ok_or_else(|| internal("phase", "phase_read first"))?;
            p.result = Some(engine.evaluate(&customer, &cart, &context)?);
            Ok(String::new())
        })
    }))
}

/// Phase 3: writes the result of phase 2 as JSON text, and closes the arena.
#[no_mangle]
pub extern "C" fn phase_write() -> u32 {
    let status = finish(PHASES.with(|p| {
        let result = p
            .borrow_mut()
            .result
            .take()
            .ok_or_else(|| internal("phase", "phase_evaluate first"))?;
        write(&result)
    }));
    ALLOCATOR.close();
    status
}

/// Where the last output text starts.
#[no_mangle]
pub extern "C" fn output_ptr() -> *const u8 {
    OUTPUT.with(|o| o.borrow().as_ptr())
}

/// The last output text's length in bytes.
#[no_mangle]
pub extern "C" fn output_len() -> usize {
    OUTPUT.with(|o| o.borrow().len())
}
