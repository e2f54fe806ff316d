//! `model::path` (a scan of the text up to serde_json's error position) must name the
//! same field as serde_path_to_error, the crate it replaces at runtime. Every leaf of
//! every vector is broken in turn (wrong type, unknown sibling key, removed key) and
//! both paths are compared.

use coupon_engine::{read_json, Error, Request};
use serde_json::{json, Value};

fn mutations(value: &Value, out: &mut Vec<Value>, root: &Value, pointer: &str) {
    let mut with = |replacement: Option<Value>| {
        let mut doc = root.clone();
        match replacement {
            Some(v) => *doc.pointer_mut(pointer).unwrap() = v,
            None => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                if let Some(Value::Object(map)) = doc.pointer_mut(parent) {
                    map.remove(key);
                }
            }
        }
        out.push(doc);
    };
    match value {
        Value::Object(map) => {
            let mut extended = map.clone();
            extended.insert("zzUnknown".into(), json!(1));
            with(Some(Value::Object(extended)));
            for (k, v) in map {
                let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                let mut removed = root.clone();
                if let Some(Value::Object(m)) = removed.pointer_mut(pointer) {
                    m.remove(k);
                }
                out.push(removed);
                mutations(v, out, root, &child);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                mutations(v, out, root, &format!("{pointer}/{i}"));
            }
        }
        Value::String(_) => with(Some(json!(12.5))),
        Value::Number(_) => with(Some(json!("7x"))),
        Value::Bool(_) => with(Some(json!("yes"))),
        Value::Null => with(Some(json!([]))),
    }
}

#[test]
fn scanned_paths_match_serde_path_to_error() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut compared = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let request = &doc["request"];
        let mut docs = Vec::new();
        mutations(request, &mut docs, request, "");
        for (n, mutated) in docs.iter().enumerate() {
            // Alternate compact and indented text so line/column handling is exercised.
            let text = if n % 2 == 0 { serde_json::to_string(mutated) } else { serde_json::to_string_pretty(mutated) }.unwrap();
            let Err(ours) = read_json::<Request>("", &text) else { continue };
            let oracle = serde_path_to_error::deserialize::<_, Request>(&mut serde_json::Deserializer::from_str(&text))
                .expect_err("both parsers must reject the same text");
            let syntax = !oracle.inner().is_data() && serde_json::from_str::<Value>(&text).is_err();
            let theirs = Error::from_serde("", &oracle.path().to_string(), &oracle.inner().to_string(), syntax);
            assert_eq!((ours.code, &ours.path), (theirs.code, &theirs.path), "for {text}");
            compared += 1;
        }
    }
    assert!(compared > 1_000, "only {compared} broken inputs compared");
}
