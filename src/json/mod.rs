//! The JSON layer: the bottom of the crate, below every domain type. It knows JSON
//! and the crate's [`Error`](crate::Error), nothing else: no bundle, cart, amount or
//! result is named here.
//!
//! - [`text`]: JSON text (RFC 8259) to a [`Json`] tree, with the path of the value
//!   being read in every syntax error;
//! - [`read`]: [`FromJson`] (a type reads itself from the tree, with a typed error at
//!   an exact [`Path`]), its impls for primitives and containers, and [`variant`]
//!   for enums;
//! - [`write`](mod@write): [`ToJson`] (a type appends its compact JSON text), its impls for
//!   primitives and containers, and [`to_json`].
//!
//! Structs and enums derive both (`#[derive(FromJson, ToJson)]`, below) from the
//! declaration in their own file (`model/cart.rs`, `recheck.rs`, …); values with a
//! text form of their own (amounts, currencies, times) implement them in theirs.
//! Nothing here imports a domain type, so the layer has no import loop with the
//! domain.

pub mod read;
pub mod text;
pub mod write;

/// `#[derive(FromJson, ToJson)]`: a type's reader and writer from its own fields,
/// variants and serde attributes (names, defaults, enum shapes), so each type is
/// declared once.
pub use json_derive::{FromJson, ToJson};
pub use read::{parse, tree, variant, wrong_type, FromJson, Object, Path, Variant};
pub use text::{Json, Number};
pub(crate) use write::Quoted;
pub use write::{to_json, Members, ToJson, ToJsonMembers, VariantName};
