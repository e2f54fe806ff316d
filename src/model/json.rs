//! The earlier home of the JSON text reader, now [`crate::json::text`]: these names
//! stay for callers that import them from here.

pub use crate::json::text::{read, Json, Number, Syntax};
