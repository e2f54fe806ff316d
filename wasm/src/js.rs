//! Every conversion between JS values and the core's types, and the one conversion of
//! a core error into a thrown JS `Error`.
//!
//! Values cross the boundary once per call, as JSON text: `JSON.stringify` then the
//! core's own reader on the way in, the core's own writer then `JSON.parse` on the way
//! out. Why not serde-wasm-bindgen's `from_value`/`to_value`: its deserializer only
//! looks up the fields a struct knows, so a misspelt field would pass silently; its
//! errors differ from the native ones; and a second (de)serializer for every type
//! made the module far larger (docs/benchmarks.md measures its `to_value` for the
//! results too). Through JSON text the browser accepts and rejects exactly what the
//! server does, and JS gets plain objects with `null` for absent values, the same
//! bytes the native engine prints.

use coupon_engine::json::{to_json, FromJson, ToJson};
use coupon_engine::{limits, model, Error, ErrorCode};
use wasm_bindgen::{JsCast, JsValue};

/// What an export throws for a core error: a `CouponEngineError`, a JS `Error` whose
/// message is `path: message`, with `code` and `path` properties. The one conversion
/// of errors in the binding; every other error it throws is made with it.
#[inline(never)]
pub fn error(e: Error) -> JsValue {
    thrown(e.code.as_str(), &e.path, &e.message)
}

/// The error of [`error`], from its parts.
#[inline(never)]
fn thrown(code: &str, path: &str, message: &str) -> JsValue {
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
pub fn freed(what: &str) -> JsValue {
    thrown("freed", what, "freed with free(); make a new one")
}

/// Reads one JS input through its JSON text (see [`text`]).
pub fn read<T: FromJson>(root: &str, value: JsValue) -> Result<T, JsValue> {
    coupon_engine::read_json(root, &text(root, &value)?).map_err(error)
}

/// The JSON text of one JS input. `NaN` and `Infinity` become `null` and `undefined`
/// fields vanish (as `JSON.stringify` defines), so each still fails as a wrong type or
/// a missing field at its path; values JSON cannot hold (BigInt, cycles) fail at the
/// input's root, and so does nesting too deep to serialise. Kept apart from [`read`]
/// so that each input type does not carry its own copy of this code.
pub fn text(root: &str, value: &JsValue) -> Result<String, JsValue> {
    let text = js_sys::JSON::stringify(value).map_err(|e| {
        let e = js_sys::Error::from(e);
        let message = String::from(e.message());
        // A RangeError is the engine's stack giving out on a too deeply nested value.
        error(if e.name() == "RangeError" {
            Error::new(
                ErrorCode::OutOfRange,
                root,
                format!("nested too deeply to read: {message}"),
            )
        } else {
            Error::new(
                ErrorCode::InvalidType,
                root,
                format!("not representable as JSON: {message}"),
            )
        })
    })?;
    copy_in(root, &text, "JSON", "expected an object, got undefined")
}

/// A string argument (`what` it holds: `"JSON"` or `"text"`), through [`copy_in`]:
/// taken as a `JsString` rather than `&str`, since wasm-bindgen's glue copies a `&str`
/// in before any Rust code can look at it.
pub fn string(root: &str, what: &str, value: &js_sys::JsString) -> Result<String, JsValue> {
    copy_in(root, value, what, "expected a string")
}

/// An instant given as RFC 3339 text.
pub fn timestamp(now: &js_sys::JsString) -> Result<model::Timestamp, JsValue> {
    model::Timestamp::parse(&string("now", "text", now)?)
        .map_err(|m| error(Error::new(ErrorCode::InvalidDate, "now", m)))
}

/// Copies one JS string into this module's memory, refusing it first when its length
/// alone shows it is over [`limits::MAX_INPUT_BYTES`]: memory grown for a copy stays
/// grown, so an oversized input refused only after it was copied would leave the
/// module that much larger for good. A string's length counts UTF-16 units, never more
/// than its UTF-8 bytes, so a string refused here is too long for certain; the count
/// its error gives is that length, the byte count for ASCII text (as JSON text mostly
/// is) and fewer than the bytes otherwise. A string that passes is at most three times
/// the limit in UTF-8, and the core's own check then decides to the byte, so text at
/// the limit still passes.
#[inline(never)]
fn copy_in(root: &str, value: &JsValue, what: &str, not_a_string: &str) -> Result<String, JsValue> {
    let error = |code, message: String| error(Error::new(code, root, message));
    if !value.is_string() {
        return Err(error(ErrorCode::InvalidType, not_a_string.to_string()));
    }
    let units = value.unchecked_ref::<js_sys::JsString>().length() as usize;
    if units > limits::MAX_INPUT_BYTES {
        // The core's own words for JSON over the limit.
        return Err(error(
            ErrorCode::OutOfRange,
            format!(
                "{units} bytes of {what} is more than the limit of {}",
                limits::MAX_INPUT_BYTES
            ),
        ));
    }
    Ok(value.as_string().unwrap_or_default())
}

/// Writes an output as the plain object `JSON.parse` makes of the native JSON: the
/// core's own writer, so JS sees the bytes `evaluateJson` and the server print.
pub fn write<T: ToJson>(value: &T) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&to_json(value)).map_err(not_json)
}

/// The error of a result `JSON.parse` refuses, out of line: one copy for every output
/// type.
#[cold]
#[inline(never)]
fn not_json(_: JsValue) -> JsValue {
    error(Error::new(
        ErrorCode::InvalidValue,
        "result",
        "result is not JSON",
    ))
}
