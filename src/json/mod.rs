//! The JSON layer: the bottom of the crate, below every domain type. It knows JSON
//! and the crate's [`Error`](crate::Error), nothing else: no bundle, cart, amount or
//! result is named here.
//!
//! - [`text`]: JSON text (RFC 8259) to a [`Json`] tree, with the path of the value
//!   being read in every syntax error;
//! - [`read`]: [`FromJson`] (a type reads itself from the tree, with a typed error at
//!   an exact [`Path`]), its impls for primitives and containers, and the
//!   [`from_json_struct!`](crate::from_json_struct) and
//!   [`read_fields!`](crate::read_fields) macros that declare a struct's members;
//! - [`write`](mod@write): [`ToJson`] (a type appends its compact JSON text), its impls for
//!   primitives and containers, and [`to_json`].
//!
//! Each domain type's JSON reading and writing sits in the type's own file
//! (`model/cart.rs`, `money.rs`, `recheck.rs`, …), on top of this layer; nothing here
//! imports them, so the layer has no import loop with the domain.

pub mod read;
pub mod text;
pub mod write;

/// `#[derive(FromJson, ToJson)]`: a struct's reader and writer from its own fields and
/// serde attributes (names, defaults), so each struct is declared once.
pub use json_derive::{FromJson, ToJson};
pub use read::{parse, tree, variant, wrong_type, FromJson, Object, Path, Variant};
pub use text::{Json, Number};
pub(crate) use write::Quoted;
pub use write::{to_json, Members, ToJson};
