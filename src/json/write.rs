//! Writing values as compact JSON text: byte for byte what `serde_json::to_string`
//! makes of the same value. This module holds the traits and their impls for
//! primitives and containers; structs and enums derive theirs (`#[derive(ToJson)]`,
//! from their serde attributes), and values with a text form of their own (amounts,
//! times) write themselves in their own file. The types keep their `Serialize` derives
//! for Rust callers, and `tests/writer.rs` compares the two on every vector, every
//! benchmark workload and thousands of random requests.
//!
//! Why not serde: the result is written on every cart change, and serde's generic
//! serializer for these types took a large share of an evaluation's WebAssembly
//! instructions and of the module's size (docs/benchmarks.md). Every key the derive
//! writes is a literal, so writing is appending.

use std::fmt::{self, Write};

/// A value that writes itself as compact JSON.
pub trait ToJson {
    /// Appends this value's JSON text to `out`.
    fn write_json(&self, out: &mut String);
}

/// `value` as compact JSON text, the same bytes as `serde_json::to_string(value)`.
///
/// ```
/// use coupon_engine::json::to_json;
/// assert_eq!(to_json(&vec![Some("a\"b".to_string()), None]), r#"["a\"b",null]"#);
/// ```
pub fn to_json<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::with_capacity(4096);
    value.write_json(&mut out);
    out
}

/// A value written as members of the object that holds it: serde's `flatten`, as an
/// adjacently tagged enum's tag and content sit beside the other members of the
/// struct that holds it. It writes at least one member, with no braces.
pub trait ToJsonMembers {
    /// Appends `"name":value` pairs, separated by commas, to `out`.
    fn write_members(&self, out: &mut String);
}

/// The JSON name of an enum's variant, as it is written (`"not_started"`).
pub trait VariantName {
    /// The variant's name in JSON.
    fn variant_name(&self) -> &'static str;
}

impl ToJson for str {
    /// Escapes as serde_json does: `"`, `\`, and control characters (short forms
    /// where JSON has them, else `\u00XX` in lowercase hex); everything else as is.
    fn write_json(&self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push('"');
        let bytes = self.as_bytes();
        let mut start = 0;
        loop {
            // Runs without escapes go in whole: per byte, the escape test was a third of
            // writing a result.
            let i = start + super::text::plain(&bytes[start..]);
            // `plain` stops only at ASCII bytes, so both slices end on character boundaries.
            out.push_str(&self[start..i]);
            let Some(&b) = bytes.get(i) else { break };
            let short = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                _ => "",
            };
            if short.is_empty() {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            } else {
                out.push_str(short);
            }
            start = i + 1;
        }
        out.push('"');
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

/// Whole numbers as their `Display` writes them, as serde_json does.
macro_rules! to_json_integers {
    ($($ty:ty),*) => {$(
        impl ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
to_json_integers!(u32, i32, i64);

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<V: ToJson> ToJson for std::collections::BTreeMap<String, V> {
    fn write_json(&self, out: &mut String) {
        let mut m = Members::new(out);
        for (key, value) in self {
            m.member(key, value);
        }
        m.end();
    }
}

impl ToJson for crate::Error {
    /// `{"code": …, "path": …, "message": …}`, the form every runtime reports.
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"code\":\"");
        out.push_str(self.code.as_str());
        out.push_str("\",\"path\":");
        self.path.write_json(out);
        out.push_str(",\"message\":");
        self.message.write_json(out);
        out.push('}');
    }
}

/// A document built with serde_json (claims a caller or a test writes by hand, even
/// malformed ones), written as serde_json writes it.
impl ToJson for serde_json::Value {
    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

/// An object's members written one at a time, for types whose members are not all
/// written every time (an optional member left out) or not stored as fields.
pub struct Members<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> Members<'o> {
    /// Starts an object in `out`; nothing is written until the first member or
    /// [`Members::end`].
    pub fn new(out: &'o mut String) -> Self {
        Members { out, empty: true }
    }

    /// Writes member `name` with `value`.
    pub fn member(&mut self, name: &str, value: &dyn ToJson) -> &mut Self {
        self.out.push(if self.empty { '{' } else { ',' });
        self.empty = false;
        name.write_json(self.out);
        self.out.push(':');
        value.write_json(self.out);
        self
    }

    /// Closes the object (`{}` when no member was written).
    pub fn end(&mut self) {
        if self.empty {
            self.out.push('{');
        }
        self.out.push('}');
    }
}

/// A string quoted for an error message as JSON writes it: `"TEN"`, `"a\"b"`.
///
/// Messages quote with this, never with `{:?}`: the size build of the module drops
/// `Debug` formatting (`-Zfmt-debug=none`, scripts/wasm-size.env), where `{:?}`
/// writes nothing, and a message must read the same natively and in every runtime
/// (the shared vectors hold each error's message).
pub(crate) struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::with_capacity(self.0.len() + 2);
        self.0.write_json(&mut text);
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::ToJson;

    #[test]
    fn whole_numbers_are_written_as_their_display_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, 1_000_000_000, u32::MAX] {
            let mut ours = String::new();
            n.write_json(&mut ours);
            assert_eq!(ours, n.to_string());
        }
    }
}
