//! Every schema error names the exact field. Each leaf of every vector is broken in
//! turn (a value of the wrong type, an unknown sibling key, a removed key), and the
//! error must be the one that break implies, at the path of the broken place.

use coupon_engine::{read_json, ErrorCode, Request};
use serde_json::{json, Value};

/// One broken copy of a request and what reading it must report.
struct Break {
    doc: Value,
    /// Acceptable (code, path) pairs.
    expect: Vec<(ErrorCode, String)>,
    /// Whether the copy may also be valid: an optional field removed, an entry added
    /// to a map (`couponUsage`).
    may_be_valid: bool,
}

/// The dotted path (`cart.lines[0].unitPrice`) of a JSON pointer (`/cart/lines/0/unitPrice`).
fn dotted(doc: &Value, pointer: &str) -> String {
    let mut path = String::new();
    let mut at = doc;
    for step in pointer.split('/').skip(1) {
        let step = step.replace("~1", "/").replace("~0", "~");
        match at {
            Value::Array(items) => {
                path.push_str(&format!("[{step}]"));
                at = &items[step.parse::<usize>().unwrap()];
            }
            _ => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&step);
                at = &at[step.as_str()];
            }
        }
    }
    path
}

fn breaks(value: &Value, root: &Value, pointer: &str, out: &mut Vec<Break>) {
    let here = dotted(root, pointer);
    let join = |key: &str| {
        if here.is_empty() {
            key.to_string()
        } else {
            format!("{here}.{key}")
        }
    };
    let replaced = |v: Value| {
        let mut doc = root.clone();
        *doc.pointer_mut(pointer).unwrap() = v;
        doc
    };
    match value {
        Value::Object(map) => {
            // A one-member object may be an enum's (`{"percentage": {…}}`); adding or
            // removing a member then breaks the enum itself.
            let enum_like = map.len() == 1;
            let mut extended = map.clone();
            extended.insert("zzUnknown".into(), json!(1));
            let mut expect = vec![(ErrorCode::UnknownField, join("zzUnknown"))];
            if enum_like {
                expect.push((ErrorCode::InvalidType, here.clone()));
            }
            out.push(Break {
                doc: replaced(Value::Object(extended)),
                expect,
                may_be_valid: here.ends_with("couponUsage"),
            });
            for (k, v) in map {
                let mut fewer = map.clone();
                fewer.remove(k);
                let mut expect = vec![(ErrorCode::MissingField, join(k))];
                if enum_like {
                    expect.push((ErrorCode::InvalidType, here.clone()));
                }
                out.push(Break {
                    doc: replaced(Value::Object(fewer)),
                    expect,
                    may_be_valid: true,
                });
                breaks(
                    v,
                    root,
                    &format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                breaks(v, root, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {
            let wrong = match value {
                Value::String(_) => json!(12.5),
                Value::Number(_) => json!("7x"),
                Value::Bool(_) => json!("yes"),
                _ => json!([]),
            };
            out.push(Break {
                doc: replaced(wrong),
                expect: vec![(ErrorCode::InvalidType, here)],
                may_be_valid: false,
            });
        }
    }
}

#[test]
fn every_schema_error_names_the_broken_field() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let (mut checked, mut valid) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let request = &doc["request"];
        // Vectors of rejected input already fail to read; only sound ones are broken.
        if read_json::<Request>("", &request.to_string()).is_err() {
            continue;
        }
        let mut out = Vec::new();
        breaks(request, request, "", &mut out);
        for (n, b) in out.iter().enumerate() {
            // Alternate compact and indented text; the path must not depend on layout.
            let text = if n % 2 == 0 {
                serde_json::to_string(&b.doc)
            } else {
                serde_json::to_string_pretty(&b.doc)
            }
            .unwrap();
            match read_json::<Request>("", &text) {
                Ok(_) => {
                    assert!(b.may_be_valid, "accepted {text}");
                    valid += 1;
                }
                Err(e) => {
                    let got = (e.code, e.path.clone());
                    assert!(
                        b.expect.contains(&got),
                        "got {got:?} ({}), expected one of {:?} for {text}",
                        e.message,
                        b.expect
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1_000, "only {checked} broken inputs checked");
    assert!(
        valid > 100,
        "only {valid} breaks were valid (removed optional fields, map entries)"
    );
}
