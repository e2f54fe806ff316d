//! The derived writers (`json::write`, `#[derive(ToJson)]`) against serde_json, the
//! reference they replace: the same bytes for the results of every vector, every
//! benchmark workload and thousands of random requests, for their four inputs (read
//! back to the same values) and for rechecks of tampered claims, and for arbitrary
//! strings.

mod common;

use std::path::PathBuf;

use coupon_engine::json::{to_json, ToJson};
use coupon_engine::model::EvaluationResult;
use coupon_engine::recheck::Claim;
use coupon_engine::{read_json, Engine, Request};
use coupon_engine_workload as workload;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// Each input of `request` is written as serde_json writes it, and reads back as itself.
fn assert_inputs_same(request: &Request) {
    assert_same("bundle", &request.bundle);
    assert_same("customer", &request.customer);
    assert_same("cart", &request.cart);
    assert_same("context", &request.context);
    let again: Request = read_json("", &to_json(request)).expect("a written request reads");
    assert_eq!(again.bundle, request.bundle);
    assert_eq!(again.customer, request.customer);
    assert_eq!(again.cart, request.cart);
    assert_eq!(again.context, request.context);
}

fn evaluated(text: &str) -> Option<EvaluationResult> {
    let request: Request = read_json("", text).ok()?;
    request.evaluate().ok()
}

fn assert_same<T: ToJson + serde::Serialize>(what: &str, value: &T) {
    let reference = serde_json::to_string(value).unwrap();
    let ours = to_json(value);
    assert!(
        ours == reference,
        "{what}:\n  ours  {ours}\n  serde {reference}"
    );
}

#[test]
fn every_vector_is_written_as_serde_json_writes_it() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut written = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Ok(request) = read_json::<Request>("", &doc["request"].to_string()) {
            assert_inputs_same(&request);
        }
        if let Some(result) = evaluated(&doc["request"].to_string()) {
            assert_same(&path.display().to_string(), &result);
            written += 1;
        }
    }
    assert!(written >= 50, "only {written} vectors evaluated");
}

#[test]
fn every_benchmark_workload_is_written_as_serde_json_writes_it() {
    for size in workload::SIZES {
        let request = workload::generate(size).request().to_string();
        let result = evaluated(&request).expect("the workloads evaluate");
        assert!(result.cards.len() >= size.coupons / 2);
        assert_same(size.name, &result);
    }
}

#[test]
fn customers_and_rechecks_are_written_as_serde_json_writes_them() {
    let mut runner = TestRunner::deterministic();
    let strategy = common::request();
    let mut differences = 0;
    for _ in 0..500 {
        let text = strategy
            .new_tree(&mut runner)
            .unwrap()
            .current()
            .to_string();
        let request: Request = read_json("", &text).unwrap();
        assert_inputs_same(&request);
        let engine = Engine::new(request.bundle.clone()).unwrap();
        let result = request.evaluate().unwrap();
        // A claim of the result with its totals tampered: differences with both values.
        let mut claim: serde_json::Value = serde_json::from_str(&to_json(&result)).unwrap();
        claim["totalAfter"] = "1.00".into();
        claim["discountTotal"] = "0.01".into();
        let claim: Claim = read_json("claim", &claim.to_string()).unwrap();
        let recheck = engine
            .recheck(&request.customer, &request.cart, &request.context, &claim)
            .unwrap();
        differences += recheck.differences.len();
        assert_same("recheck", &recheck);
    }
    assert!(differences >= 500, "tampered claims differ");
}

#[test]
fn keys_are_written_as_serde_json_writes_them() {
    use coupon_engine::signing::{Jwk, Jwks};
    let key = Jwk::from_seed([7; 32], "k\"1");
    assert_same("private key", &key);
    let jwks = Jwks {
        keys: vec![key.public()],
    };
    assert_same("key set", &jwks);
    let read: Jwks = read_json("jwks", &to_json(&jwks)).unwrap();
    assert_eq!(read, jwks);
}

#[test]
fn random_requests_are_written_as_serde_json_writes_them() {
    let mut runner = TestRunner::deterministic();
    let strategy = common::request();
    let mut written = 0;
    for _ in 0..2_000 {
        let request = strategy.new_tree(&mut runner).unwrap().current();
        if let Some(result) = evaluated(&request.to_string()) {
            assert_same(&request.to_string(), &result);
            written += 1;
        }
    }
    assert_eq!(written, 2_000, "the generator makes valid requests");
}

proptest::proptest! {
    #[test]
    fn any_string_is_escaped_as_serde_json_escapes_it(text in "(?s).{0,40}", control in 0u8..0x20) {
        // Control characters, quotes and backslashes, beside any other character.
        let text = format!("{text}{}\"\\{}", char::from(control), '\u{7f}');
        proptest::prop_assert_eq!(to_json(text.as_str()), serde_json::to_string(&text).unwrap());
    }
}

/// A struct declared once: its writer and reader come from its fields and serde
/// attributes (`#[derive(ToJson, FromJson)]`), as the engine's own types are.
#[derive(serde::Serialize, coupon_engine::json::ToJson, coupon_engine::json::FromJson)]
#[serde(rename_all = "camelCase")]
struct Note {
    note_id: String,
    #[serde(rename = "n")]
    count: u32,
    #[serde(default)]
    tag_list: Vec<String>,
    seen_by: Option<String>,
}

#[test]
fn derived_writers_and_readers_follow_the_serde_attributes() {
    for text in [
        r#"{"noteId": "a\"b", "n": 3, "tagList": ["x", "é"], "seenBy": "me"}"#,
        r#"{"noteId": "", "n": 0, "seenBy": null}"#,
        r#"{"noteId": "q", "n": 4294967295}"#,
    ] {
        let note: Note = read_json("note", text).unwrap();
        assert_same(text, &note);
    }
    let e = read_json::<Note>("note", r#"{"noteId": "a", "n": 1, "count": 2}"#)
        .err()
        .unwrap();
    assert_eq!(
        (e.code.as_str(), e.path.as_str()),
        ("unknown_field", "note.count")
    );
    let e = read_json::<Note>("note", r#"{"n": 1}"#).err().unwrap();
    assert_eq!(
        (e.code.as_str(), e.path.as_str()),
        ("missing_field", "note.noteId")
    );
}

/// Every enum shape the derive knows, beside serde's own derive of the same
/// declaration: unit, newtype and struct variants, externally tagged (read and written)
/// and adjacently tagged (written, flattened into the struct that holds it), with
/// renamed variants and left-out members.
#[derive(
    Debug, PartialEq, serde::Serialize, coupon_engine::json::ToJson, coupon_engine::json::FromJson,
)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
enum Shape {
    EntireCart,
    Nothing {},
    Products(Vec<String>),
    #[serde(rename = "disc")]
    Circle {
        radius_mm: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
    },
}

#[derive(serde::Serialize, coupon_engine::json::ToJson)]
#[serde(
    tag = "code",
    content = "params",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
enum Why {
    Unknown,
    NotInAudience {},
    MinSpend {
        required_total: u32,
        period: Option<String>,
    },
    TooManyCodes {
        max: u32,
    },
}

#[derive(serde::Serialize, coupon_engine::json::ToJson)]
struct Reasoned {
    #[serde(flatten)]
    why: Why,
    message: String,
}

#[test]
fn derived_enums_are_read_and_written_as_serde_reads_and_writes_them() {
    use coupon_engine::json::VariantName;
    for (text, name) in [
        (r#""entireCart""#, "entireCart"),
        (r#"{"nothing": {}}"#, "nothing"),
        (r#"{"products": ["tea", "cup"]}"#, "products"),
        (r#"{"disc": {"radiusMm": 3}}"#, "disc"),
        (
            r#"{"disc": {"radiusMm": 3, "label": "x", "tags": ["a"]}}"#,
            "disc",
        ),
    ] {
        let shape: Shape = read_json("shape", text).unwrap();
        assert_same(text, &shape);
        assert_eq!(shape.variant_name(), name);
        let serde_read: Shape =
            read_json("shape", &serde_json::to_string(&shape).unwrap()).unwrap();
        assert_eq!(serde_read, shape);
    }
    for (text, code, path) in [
        (r#""products""#, "invalid_type", "shape"),
        (r#""square""#, "unknown_variant", "shape"),
        (r#""nothing""#, "invalid_type", "shape"),
        (
            r#"{"disc": {"radiusMm": 3, "sides": 4}}"#,
            "unknown_field",
            "shape.disc.sides",
        ),
        (r#"{"disc": {}}"#, "missing_field", "shape.disc.radiusMm"),
        (
            r#"{"disc": {"radiusMm": 1}, "products": []}"#,
            "invalid_type",
            "shape",
        ),
    ] {
        let e = read_json::<Shape>("shape", text).err().unwrap();
        assert_eq!((e.code.as_str(), e.path.as_str()), (code, path), "{text}");
    }
    for why in [
        Why::Unknown,
        Why::NotInAudience {},
        Why::MinSpend {
            required_total: 500,
            period: None,
        },
        Why::MinSpend {
            required_total: 0,
            period: Some("90 days".into()),
        },
        Why::TooManyCodes { max: 2 },
    ] {
        let reasoned = Reasoned {
            why,
            message: "m\"".into(),
        };
        assert_same("reason", &reasoned);
    }
}

fn seven() -> Option<u32> {
    Some(7)
}

/// `default = "path"` on an `Option` gives `path()` when the member is absent, as serde
/// does; a bare `default` gives `None`.
#[derive(Debug, PartialEq, coupon_engine::json::FromJson)]
struct Defaults {
    #[serde(default = "seven")]
    seven: Option<u32>,
    #[serde(default)]
    none: Option<u32>,
}

#[test]
fn an_options_default_path_is_honoured() {
    let read: Defaults = read_json("d", "{}").unwrap();
    assert_eq!(
        read,
        Defaults {
            seven: Some(7),
            none: None
        }
    );
    let read: Defaults = read_json("d", r#"{"seven": 1, "none": 2}"#).unwrap();
    assert_eq!(
        read,
        Defaults {
            seven: Some(1),
            none: Some(2)
        }
    );
}
