//! The engine's JSON reader (`json::text`) against serde_json, the reference it
//! replaced in the WebAssembly module: on generated values, on hand-picked escapes and
//! numbers, and on broken texts, both must agree on the verdict, the tree and the
//! message (serde_json's wording, line and column). Where they may differ, by design:
//! a repeated member (serde_json keeps the last one; the engine refuses it) and a
//! number beyond f64 (`1e400`: serde_json refuses it; the engine never reads a
//! fraction as a number, so it is just a fraction).

#[path = "common/edits.rs"]
mod edits;

use std::borrow::Cow;

use coupon_engine::json::text::{read, Json, Number};
use coupon_engine::ErrorCode;
use edits::{apply, edit};
use proptest::prelude::*;
use serde_json::Value;

/// What serde_json's tree looks like as the engine's.
fn expected(value: &Value) -> Json<'static> {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Json::Number(match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Number::Int(i),
            (None, Some(u)) => Number::Big(u),
            _ => Number::Fraction,
        }),
        Value::String(s) => Json::String(Cow::Owned(s.clone())),
        Value::Array(items) => Json::Array(items.iter().map(expected).collect()),
        Value::Object(members) => Json::Object(
            members
                .iter()
                .map(|(k, v)| (Cow::Owned(k.clone()), expected(v)))
                .collect(),
        ),
    }
}

/// Checks one text against serde_json.
fn agree(text: &str) -> Result<(), TestCaseError> {
    let ours = read(text);
    match serde_json::from_str::<Value>(text) {
        Ok(value) => match ours {
            Ok(tree) => prop_assert_eq!(tree, expected(&value), "{}", text),
            Err(e) => prop_assert_eq!(e.code, ErrorCode::DuplicateId, "{}: {:?}", text, e),
        },
        Err(theirs) => {
            let message = theirs.to_string();
            if message.starts_with("number out of range") {
                return Ok(());
            }
            let e = match ours {
                Ok(tree) => {
                    return Err(TestCaseError::fail(format!(
                        "{text}: accepted as {tree:?}, serde_json: {message}"
                    )))
                }
                Err(e) => e,
            };
            let code = if message.starts_with("recursion limit exceeded") {
                ErrorCode::OutOfRange
            } else if ["lone leading surrogate", "unexpected end of hex escape"]
                .iter()
                .any(|m| message.starts_with(m))
            {
                ErrorCode::InvalidValue
            } else {
                ErrorCode::InvalidJson
            };
            // A repeated member before the break is refused first.
            if e.code != ErrorCode::DuplicateId {
                prop_assert_eq!(e.code, code, "{}: {}", text, message);
                prop_assert_eq!(e.message, message, "{}", text);
            }
        }
    }
    Ok(())
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-z\"\\\\/\u{0}-\u{1f}é😀]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z\"\\\\é]{0,6}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn reads_what_serde_json_writes(v in value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            serde_json::to_string(&v).unwrap()
        };
        prop_assert_eq!(read(&text).unwrap(), expected(&v));
    }

    #[test]
    fn breaks_where_serde_json_breaks(v in value(), edits in prop::collection::vec(edit(b"\"{}[],:\\u0123456789-+.eE tfnlr\n\x01"), 1..4)) {
        agree(&apply(&serde_json::to_string_pretty(&v).unwrap(), &edits))?;
    }

    #[test]
    fn escapes_decode_as_serde_json_decodes(parts in prop::collection::vec(prop::sample::select(vec![
        "a", "é", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\u0000",
        "\\uD83D\\uDE00", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\ud800x", "\\q", "\\u12",
        "\u{1}", "\\uDBFF\\uDFFF",
    ]), 0..5)) {
        agree(&format!("[\"{}\"]", parts.concat()))?;
    }

    #[test]
    fn numbers_read_as_serde_json_reads(text in "-?(0|[1-9][0-9]{0,21})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?|[-+0-9.eE]{1,6}") {
        agree(&text)?;
    }
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    for depth in [126, 127, 128, 129, 300] {
        agree(&format!("{}{}", "[".repeat(depth), "]".repeat(depth))).unwrap();
        agree(&format!(
            "{}1{}",
            "{\"a\":[".repeat(depth / 2),
            "]}".repeat(depth / 2)
        ))
        .unwrap();
    }
}

#[test]
fn a_repeated_member_is_refused_where_serde_json_keeps_the_last() {
    let text = r#"{"a": 1, "b": {"c": 2, "c": 3}}"#;
    assert!(serde_json::from_str::<Value>(text).is_ok());
    let e = read(text).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::DuplicateId, "b.c"));
}
