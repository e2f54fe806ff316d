//! Reading JSON into typed values, with a typed error (stable code and exact field
//! path) for anything a type does not allow. The impls for the domain types live
//! beside those types; this module holds the trait, the path, the object and enum
//! helpers, and the impls for primitives and containers.
//!
//! Why not `#[derive(Deserialize)]`: serde generates a deserializer per type and
//! per JSON reader, and those copies were a third of the WebAssembly module. Here
//! the text is parsed once into a [`Json`] tree ([`super::text`]), and each type
//! reads itself from that tree through [`FromJson`], non-generic code of a few
//! lines per type. The path of the value being read travels down as a [`Path`] on the
//! stack and is only rendered when an error needs it, so success costs nothing extra.
//!
//! The rules every type follows: unknown fields are rejected (except in the token
//! claims and the claimed result, which carry more than the engine reads); a
//! missing required field is `missing_field` at the field's own path; `null` means
//! absent only for optional fields; numbers are whole numbers only (a fraction or
//! an exponent is `invalid_type`); money, percentages, dates and currencies are
//! strings; a JSON object may not name the same key twice.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, ErrorCode};

pub use super::text::{Json, Number};

/// Where a value sits in an input: a root name (`"cart"`, or `""` for a whole
/// request), then keys and indexes. Each step borrows its parent, so building a
/// path allocates nothing.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// The input itself, by name.
    Root(&'a str),
    /// A member of an object.
    Key(&'a Path<'a>, &'a str),
    /// An element of an array.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of member `key` of the object at this path.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    /// The path of element `index` of the array at this path.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    /// A typed error at this path.
    #[cold]
    #[inline(never)]
    pub fn error(&self, code: ErrorCode, message: impl Into<String>) -> Error {
        Error::new(code, self.to_string(), message)
    }
}

impl fmt::Display for Path<'_> {
    /// `cart.lines[2].unitPrice`; a member of the empty root has no leading dot.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Key(parent, key) => {
                if !matches!(parent, Path::Root("")) {
                    write!(f, "{parent}.")?;
                }
                f.write_str(key)
            }
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A type that reads itself from a parsed JSON value. An implementation provides
/// [`FromJson::from_json`] (values built whole: strings, amounts) or
/// [`FromJson::read_into`] (structs and enums, whose fields are read in place), and
/// [`FromJson::placeholder`]. Each of the first two is, by default, the other one
/// (so an implementation must give at least one).
pub trait FromJson: Sized {
    /// Reads `value`, found at `at`.
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        let mut out = Self::placeholder();
        out.read_into(value, at)?;
        Ok(out)
    }

    /// Reads `value`, found at `at`, into `self`, replacing what it held.
    ///
    /// Why in place: a struct built from `let x = read(..)?` per field moves every
    /// field out of its `Result` and into the struct, and a nested struct is moved
    /// again at each level; in WebAssembly those copies were most of the readers'
    /// code. Read in place, each field is one call that writes where it lives.
    fn read_into(&mut self, value: &Json<'_>, at: Path<'_>) -> Result<(), Error> {
        *self = Self::from_json(value, at)?;
        Ok(())
    }

    /// What a field of this type is when the object leaves it out: `None` (an error
    /// naming the missing field) for every type but `Option`.
    fn when_absent() -> Option<Self> {
        None
    }

    /// The value a struct's field holds until it is read (see [`read_fields!`]):
    /// it is overwritten, or dropped with the rest when a field fails. Any cheap
    /// value of the type will do; it is never returned to a caller.
    fn placeholder() -> Self;
}

/// The JSON type of a value, for messages.
fn kind(value: &Json<'_>) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(Number::Fraction) => "a number with a fraction or exponent",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// The `invalid_type` error for `value` where `expected` belongs.
#[cold]
#[inline(never)]
pub fn wrong_type(value: &Json<'_>, at: Path<'_>, expected: &str) -> Error {
    at.error(
        ErrorCode::InvalidType,
        format!("expected {expected}, found {}", kind(value)),
    )
}

/// The text of a string value, or `invalid_type`.
pub fn text<'v>(value: &'v Json<'_>, at: Path<'_>, expected: &str) -> Result<&'v str, Error> {
    value
        .as_str()
        .ok_or_else(|| wrong_type(value, at, expected))
}

impl FromJson for String {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        text(value, at, "a string").map(str::to_string)
    }

    fn placeholder() -> Self {
        String::new()
    }
}

impl FromJson for bool {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        value
            .as_bool()
            .ok_or_else(|| wrong_type(value, at, "true or false"))
    }

    fn placeholder() -> Self {
        false
    }
}

/// A whole number in `[min, max]`: a fraction or exponent (`2.0`, `1e2`) is
/// `invalid_type`, a whole number out of range `invalid_value`.
fn whole(value: &Json<'_>, at: Path<'_>, min: i64, max: i64, expected: &str) -> Result<i64, Error> {
    match value {
        Json::Number(Number::Int(v)) if (min..=max).contains(v) => Ok(*v),
        Json::Number(Number::Int(v)) => Err(at.error(
            ErrorCode::InvalidValue,
            format!("{v} is not in [{min}, {max}]"),
        )),
        Json::Number(Number::Big(v)) => Err(at.error(
            ErrorCode::InvalidValue,
            format!("{v} is not in [{min}, {max}]"),
        )),
        _ => Err(wrong_type(value, at, expected)),
    }
}

impl FromJson for u32 {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        whole(
            value,
            at,
            0,
            u32::MAX.into(),
            "a whole number from 0 to 4294967295",
        )
        .map(|v| v as u32)
    }

    fn placeholder() -> Self {
        0
    }
}

impl FromJson for i32 {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        whole(
            value,
            at,
            i32::MIN.into(),
            i32::MAX.into(),
            "a whole number",
        )
        .map(|v| v as i32)
    }

    fn placeholder() -> Self {
        0
    }
}

impl FromJson for i64 {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        whole(value, at, i64::MIN, i64::MAX, "a whole number")
    }

    fn placeholder() -> Self {
        0
    }
}

impl<T: FromJson> FromJson for Option<T> {
    /// `null` is the same as leaving the field out.
    fn read_into(&mut self, value: &Json<'_>, at: Path<'_>) -> Result<(), Error> {
        match value {
            Json::Null => {
                *self = None;
                Ok(())
            }
            _ => self.get_or_insert_with(T::placeholder).read_into(value, at),
        }
    }

    fn when_absent() -> Option<Self> {
        Some(None)
    }

    fn placeholder() -> Self {
        None
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read_into(&mut self, value: &Json<'_>, at: Path<'_>) -> Result<(), Error> {
        let items = value
            .as_array()
            .ok_or_else(|| wrong_type(value, at, "an array"))?;
        self.clear();
        self.reserve_exact(items.len());
        // A plain loop: the iterator adapters of `collect::<Result<_, _>>()` cost
        // noticeably more code per element type in WebAssembly. Each element is read
        // where it will stay.
        for (i, item) in items.iter().enumerate() {
            self.push(T::placeholder());
            if let Some(last) = self.last_mut() {
                last.read_into(item, at.index(i))?;
            }
        }
        Ok(())
    }

    fn placeholder() -> Self {
        Vec::new()
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        let members = value
            .as_object()
            .ok_or_else(|| wrong_type(value, at, "an object"))?;
        members
            .iter()
            .map(|(k, v)| Ok((k.to_string(), T::from_json(v, at.key(k))?)))
            .collect()
    }

    fn placeholder() -> Self {
        BTreeMap::new()
    }
}

/// The members of a JSON object being read into a struct.
pub struct Object<'v, 'p> {
    members: &'v [(Cow<'v, str>, Json<'v>)],
    at: Path<'p>,
    /// The first error of [`Object::read`], kept while the other fields are read.
    failed: Cell<Option<Error>>,
}

impl<'v, 'p> Object<'v, 'p> {
    /// An object that may hold only `fields`. With several unknown members, the
    /// error names the first in sorted order, so it does not depend on how the map
    /// orders keys.
    pub fn strict(value: &'v Json<'v>, at: Path<'p>, fields: &[&str]) -> Result<Self, Error> {
        let object = Object::lenient(value, at)?;
        if let Some(unknown) = object
            .members
            .iter()
            .map(|(k, _)| k.as_ref())
            .filter(|k| !fields.contains(k))
            .min()
        {
            return Err(at.key(unknown).error(
                ErrorCode::UnknownField,
                format!(
                    "unknown field `{unknown}`, expected one of: {}",
                    fields.join(", ")
                ),
            ));
        }
        Ok(object)
    }

    /// An object whose members beyond the ones read are ignored (token claims).
    pub fn lenient(value: &'v Json<'v>, at: Path<'p>) -> Result<Self, Error> {
        let members = value
            .as_object()
            .ok_or_else(|| wrong_type(value, at, "an object"))?;
        Ok(Object {
            members,
            at,
            failed: Cell::new(None),
        })
    }

    /// Field `name`: required unless `T` is an `Option`.
    pub fn get<T: FromJson>(&self, name: &str) -> Result<T, Error> {
        match self.member(name) {
            Some(value) => T::from_json(value, self.at.key(name)),
            None => T::when_absent().ok_or_else(|| self.missing(name)),
        }
    }

    /// Reads field `name` into `slot`, in place ([`FromJson::read_into`]): required
    /// unless `T` is an `Option`. An error is kept (the first one) for
    /// [`Object::done`] instead of returned, so that a struct's reader has no early
    /// return after each field, each dropping the fields read so far.
    #[inline(never)]
    pub fn read<T: FromJson>(&self, slot: &mut T, name: &str) {
        match self.member(name) {
            Some(value) => self.store(slot.read_into(value, self.at.key(name))),
            None => match T::when_absent() {
                Some(absent) => *slot = absent,
                None => self.keep(self.missing(name)),
            },
        }
    }

    /// Reads field `name` into `slot` when the object has it; otherwise `slot` keeps
    /// its default (`null` is not leaving it out: it is a value of the wrong type).
    #[inline(never)]
    pub fn read_present<T: FromJson>(&self, slot: &mut T, name: &str) {
        if let Some(value) = self.member(name) {
            self.store(slot.read_into(value, self.at.key(name)));
        }
    }

    fn store(&self, read: Result<(), Error>) {
        if let Err(e) = read {
            self.keep(e);
        }
    }

    fn keep(&self, e: Error) {
        let first = self.failed.take().unwrap_or(e);
        self.failed.set(Some(first));
    }

    /// The first error kept by [`Object::read`], if any.
    pub fn done(&self) -> Result<(), Error> {
        match self.failed.take() {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    // Out of line: every field of every type calls these, and inlined map lookups
    // and messages would be repeated at each call site.
    #[inline(never)]
    fn member(&self, name: &str) -> Option<&'v Json<'v>> {
        // Lengths first, here: most members a field's name is compared with differ in
        // length, and comparing the names is a call that would find that out itself.
        self.members
            .iter()
            .find(|(k, _)| k.len() == name.len() && k == name)
            .map(|(_, v)| v)
    }

    #[cold]
    #[inline(never)]
    fn missing(&self, name: &str) -> Error {
        self.at
            .key(name)
            .error(ErrorCode::MissingField, format!("missing field `{name}`"))
    }

    /// Whether the object has member `name`, whatever its value.
    pub fn has(&self, name: &str) -> bool {
        self.member(name).is_some()
    }
}

/// Implements [`FromJson`] for a struct, one line per field: `field: "jsonName"` is
/// required (or absent = `None` for an `Option`), `field: "jsonName" = expr` takes
/// `expr` when absent. `strict` rejects unknown members, `lenient` ignores them.
/// What `#[derive(FromJson)]` expands to, so it is exported; declare types with the
/// derive, which takes the names from the fields:
///
/// ```
/// use coupon_engine::{from_json_struct, model::Cart, read_json};
/// struct Quote { cart: Cart, note: Option<String>, urgent: bool }
/// from_json_struct!(strict Quote { cart: "cart", note: "note", urgent: "urgent" = false });
///
/// let e = read_json::<Quote>("", r#"{"cart": {"currency": "INR", "lines": []}, "urgnt": true}"#).err().unwrap();
/// assert_eq!((e.code.as_str(), e.path.as_str()), ("unknown_field", "urgnt"));
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! from_json_struct {
    ($mode:ident $ty:ident { $($field:ident: $name:literal $(= $default:expr)?),* $(,)? }) => {
        impl $crate::json::read::FromJson for $ty {
            #[inline(never)]
            fn read_into(
                &mut self,
                value: &$crate::json::read::Json<'_>,
                at: $crate::json::read::Path<'_>,
            ) -> Result<(), $crate::error::Error> {
                let object = $crate::from_json_struct!(@open $mode value at [$($name),*]);
                $crate::read_fields!(object, self, $ty { $($field: $name $(= $default)?),* })
            }

            fn placeholder() -> Self {
                $ty { $($field: $crate::read_fields!(@start $($default)?)),* }
            }
        }
    };
    (@open strict $value:ident $at:ident [$($name:literal),*]) => {
        $crate::json::read::Object::strict($value, $at, &[$($name),*])?
    };
    (@open lenient $value:ident $at:ident [$($name:literal),*]) => {
        $crate::json::read::Object::lenient($value, $at)?
    };
}

/// Reads a struct, or an enum's struct variant, from the members of an [`Object`]
/// into `slot`, in place: `field: "jsonName"` is required (absent = `None` for an
/// `Option`), `field: "jsonName" = expr` takes `expr` when absent. The slot is set to
/// placeholders (and the defaults), then each field is read where it lives
/// ([`Object::read`]); the result is the first field's error, if any. With `strict
/// value, at,` before the slot, it first opens `value` as an object that may hold only
/// these fields, so the names are written once.
///
/// ```
/// use coupon_engine::{json::{Object, Path, tree}, read_fields};
/// enum Shape { Square, Circle { radius: u32, label: Option<String> } }
/// let value = tree("shape", r#"{"radius": 3}"#)?;
/// let object = Object::strict(&value, Path::Root("shape"), &["radius", "label"])?;
/// let mut shape = Shape::Square;
/// read_fields!(object, &mut shape, Shape::Circle { radius: "radius", label: "label" })?;
/// assert!(matches!(shape, Shape::Circle { radius: 3, label: None }));
/// # Ok::<(), coupon_engine::Error>(())
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! read_fields {
    // `strict value, at, slot, Type { .. }`: opens `value` as an object that may hold
    // only these fields, then reads them.
    (strict $value:expr, $at:expr, $slot:expr, $($ty:ident)::+ { $($field:ident: $name:literal $(= $default:expr)?),* $(,)? }) => {{
        let object = $crate::json::read::Object::strict($value, $at, &[$($name),*])?;
        $crate::read_fields!(object, $slot, $($ty)::+ { $($field: $name $(= $default)?),* })
    }};
    ($object:expr, $slot:expr, $($ty:ident)::+ { $($field:ident: $name:literal $(= $default:expr)?),* $(,)? }) => {{
        let object = &$object;
        let slot = $slot;
        *slot = $($ty)::+ { $($field: $crate::read_fields!(@start $($default)?)),* };
        // Irrefutable for a struct; the variant just stored for an enum.
        #[allow(irrefutable_let_patterns)]
        if let $($ty)::+ { $($field),* } = slot {
            $($crate::read_fields!(@read object $field $name $($default)?);)*
        }
        object.done()
    }};
    (@start) => { $crate::json::read::FromJson::placeholder() };
    (@start $default:expr) => { $default };
    (@read $object:ident $field:ident $name:literal) => { $object.read($field, $name) };
    (@read $object:ident $field:ident $name:literal $default:expr) => { $object.read_present($field, $name) };
}
pub use from_json_struct;
pub use read_fields;

/// `serde::Deserialize` for types that read themselves with [`FromJson`], so they
/// also work where serde is expected (`reqwest`'s `.json()`, `axum::Json`, another
/// struct's derive). The value is buffered as a JSON tree first; the error message
/// is the typed error's, path included.
///
/// Invoked beside each type that needs it (the four inputs, the request, the claimed
/// order, the key set), so this layer names none of them.
macro_rules! serde_via_from_json {
    ($($ty:ty),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <$crate::json::read::Json as serde::Deserialize>::deserialize(d)?;
                <$ty as $crate::json::read::FromJson>::from_json(&value, $crate::json::read::Path::Root(""))
                    .map_err(serde::de::Error::custom)
            }
        }
    )*};
}
pub(crate) use serde_via_from_json;

/// One variant of an externally tagged enum: a bare string for a variant without
/// data (`"entireCart"`), or an object with exactly one member naming a variant with
/// data (`{"products": ["tea"]}`).
pub struct Variant<'v> {
    /// The variant's name.
    pub name: &'v str,
    /// Its data; `None` for a bare string.
    pub data: Option<&'v Json<'v>>,
}

/// Reads the variant of an enum whose variants without data are `units` and with
/// data are `with_data`. The caller matches on the name; every error is at the
/// enum's own path.
pub fn variant<'v>(
    value: &'v Json<'v>,
    at: Path<'_>,
    units: &[&str],
    with_data: &[&str],
) -> Result<Variant<'v>, Error> {
    // `"all", {"specific": …}`: built by hand, as it is only needed for a message.
    let expected = || {
        let mut text = String::new();
        for (i, name) in units.iter().chain(with_data).enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            let keyed = i >= units.len();
            text.push_str(if keyed { "{\"" } else { "\"" });
            text.push_str(name);
            text.push_str(if keyed { "\": …}" } else { "\"" });
        }
        text
    };
    let (name, data) = match value {
        Json::String(name) => (name.as_ref(), None),
        Json::Object(members) if members.len() == 1 => (members[0].0.as_ref(), Some(&members[0].1)),
        Json::Object(map) => {
            return Err(at.error(
                ErrorCode::InvalidType,
                format!(
                    "expected exactly one of {}, found an object with {} members",
                    expected(),
                    map.len()
                ),
            ))
        }
        _ => return Err(wrong_type(value, at, &format!("one of {}", expected()))),
    };
    let known = if data.is_some() { with_data } else { units };
    if !known.contains(&name) {
        let other = if data.is_some() { units } else { with_data };
        let code = if other.contains(&name) {
            ErrorCode::InvalidType
        } else {
            ErrorCode::UnknownVariant
        };
        return Err(at.error(
            code,
            format!("unknown variant `{name}`, expected one of {}", expected()),
        ));
    }
    Ok(Variant { name, data })
}

impl Variant<'_> {
    /// Reads the variant's data as `T` (the path continues through the variant's name).
    pub fn data<T: FromJson>(&self, at: Path<'_>) -> Result<T, Error> {
        let value = self.data.unwrap_or(&Json::Null);
        T::from_json(value, at.key(self.name))
    }
}

/// Reads one input from JSON text into `T`; see [`crate::read_json`].
pub fn parse<T: FromJson>(root: &str, text: &str) -> Result<T, Error> {
    T::from_json(&tree(root, text)?, Path::Root(root))
}

/// Parses JSON text into a tree without reading it into a type, for inputs read
/// in several ways (token claims). Errors are `invalid_json` (or `out_of_range`
/// past 127 levels of nesting, `invalid_value` for half a surrogate pair,
/// `duplicate_id` for a repeated key) at the path the text had reached, under `root`
/// (`$` when that is the root of an input named `""`).
pub fn tree<'t>(root: &str, text: &'t str) -> Result<Json<'t>, Error> {
    super::text::read(text).map_err(|e| {
        // At the root of an unnamed input (a whole request) the path is `$`, JSONPath's
        // name for the root: an empty one reads as ": trailing comma" in JavaScript,
        // whose messages are `path: message`.
        let path = match join(root, &e.path) {
            path if path.is_empty() => "$".to_string(),
            path => path,
        };
        let message = if e.code == ErrorCode::OutOfRange {
            format!("nested 128 or more levels deep ({})", e.message)
        } else {
            e.message
        };
        Error::new(e.code, path, message)
    })
}

fn join(path: &str, step: &str) -> String {
    match () {
        _ if path.is_empty() => step.to_string(),
        _ if step.is_empty() => path.to_string(),
        _ if step.starts_with('[') => format!("{path}{step}"),
        _ => format!("{path}.{step}"),
    }
}

/// How the serde visitor reports a repeated key through serde's string-only errors.
const DUPLICATE_KEY: &str = "duplicate member `";

/// serde's way into the same tree, for the types read through serde
/// (`serde_via_from_json!`); the engine's own inputs go through [`super::text::read`].
impl<'de> Deserialize<'de> for Json<'de> {
    /// One rule more than JSON itself: an object may not name the same member twice
    /// (the value would otherwise silently be one of them).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(Number::Int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(
            i64::try_from(v).map_or(Number::Big(v), Number::Int),
        ))
    }
    // No input field takes a fraction (money is a decimal string), so its value is
    // dropped and only its kind kept, for a typed error that names what was sent.
    fn visit_f64<E>(self, _: f64) -> Result<Json<'de>, E> {
        Ok(Json::Number(Number::Fraction))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Json<'de>)> = Vec::new();
        while let Some(Key(key)) = access.next_key()? {
            // Small objects (all of the schema's) are checked by a scan; a huge one
            // (hostile input) by sorting its keys once at the end, so checking stays
            // O(n log n).
            if members.len() < 32 && members.iter().any(|(k, _)| *k == key) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE_KEY}{key}`")));
            }
            members.push((key, access.next_value()?));
        }
        if members.len() >= 32 {
            let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
            keys.sort_unstable();
            if let Some(pair) = keys.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(serde::de::Error::custom(format!(
                    "{DUPLICATE_KEY}{}`",
                    pair[0]
                )));
            }
        }
        Ok(Json::Object(members))
    }
}

/// An object key, borrowed from the text when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Json::deserialize(d)? {
            Json::String(key) => Ok(Key(key)),
            _ => Err(serde::de::Error::custom("an object key is a string")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_without_a_leading_dot_for_the_empty_root() {
        let root = Path::Root("");
        let cart = root.key("cart");
        let lines = cart.key("lines");
        let line = lines.index(2);
        assert_eq!(line.key("unitPrice").to_string(), "cart.lines[2].unitPrice");
        let named = Path::Root("cart");
        assert_eq!(named.key("lines").index(0).to_string(), "cart.lines[0]");
        assert_eq!(root.to_string(), "");
    }

    #[test]
    fn numbers_are_whole_and_in_range() {
        let at = Path::Root("n");
        let read = |text: &str| u32::from_json(&tree("n", text).unwrap(), at).map_err(|e| e.code);
        assert_eq!(read("7"), Ok(7));
        assert_eq!(read("4294967295"), Ok(u32::MAX));
        assert_eq!(read("4294967296"), Err(ErrorCode::InvalidValue));
        assert_eq!(read("-1"), Err(ErrorCode::InvalidValue));
        assert_eq!(read("2.0"), Err(ErrorCode::InvalidType));
        assert_eq!(read("1e2"), Err(ErrorCode::InvalidType));
        assert_eq!(read("\"7\""), Err(ErrorCode::InvalidType));
    }

    #[test]
    fn a_repeated_member_is_rejected_at_its_path() {
        let e = tree("cart", r#"{"lines": [{"id": "a", "id": "b"}]}"#).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (ErrorCode::DuplicateId, "cart.lines[0].id")
        );
    }

    #[test]
    fn enums_take_a_string_or_one_member() {
        let at = Path::Root("scope");
        let read = |text: &str| {
            let value = tree("scope", text).unwrap();
            variant(&value, at, &["entireCart"], &["products"])
                .map(|v| v.name.to_string())
                .map_err(|e| e.code)
        };
        assert_eq!(read(r#""entireCart""#), Ok("entireCart".into()));
        assert_eq!(read(r#"{"products": ["a"]}"#), Ok("products".into()));
        assert_eq!(read(r#"{"bogus": 1}"#), Err(ErrorCode::UnknownVariant));
        assert_eq!(read(r#""products""#), Err(ErrorCode::InvalidType));
        assert_eq!(read(r"{}"), Err(ErrorCode::InvalidType));
        assert_eq!(
            read(r#"{"products": [], "entireCart": 1}"#),
            Err(ErrorCode::InvalidType)
        );
        assert_eq!(read("3"), Err(ErrorCode::InvalidType));
    }
}
