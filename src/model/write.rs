//! The earlier home of the JSON writer, now [`crate::json::write`]: these names stay
//! for callers that import them from here.

pub use crate::json::write::{to_json, ToJson};
