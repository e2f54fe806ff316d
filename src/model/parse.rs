//! The earlier home of the JSON reader, now [`crate::json::read`]: these names stay
//! for callers that import them from here (the order server, embedders).

pub use crate::json::read::{
    from_json_struct, parse, read_fields, text, tree, variant, wrong_type, FromJson, Json, Number,
    Object, Path, Variant,
};
