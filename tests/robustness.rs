//! No input makes the engine panic: corrupted vectors (bytes flipped, inserted,
//! deleted, truncated) and arbitrary text always give a result or a typed error.

use proptest::prelude::*;

fn vectors() -> &'static [String] {
    static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(load)
}

fn load() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap();
            doc["request"].to_string()
        })
        .collect();
    texts.sort();
    texts
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        Just(b'"'),
        Just(b'{'),
        Just(b'}'),
        Just(b'['),
        Just(b']'),
        Just(b','),
        Just(b':'),
        Just(b'-'),
        Just(b'9'),
        Just(b'.'),
        Just(b'e'),
        Just(b'\\'),
        Just(b' '),
        any::<u8>()
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn corrupted_requests_never_panic(pick in any::<usize>(), edits in proptest::collection::vec(edit(), 1..6)) {
        let all = vectors();
        let mut bytes = all[pick % all.len()].clone().into_bytes();
        for e in edits {
            let len = bytes.len().max(1);
            match e {
                Edit::Flip(i, b) => { if !bytes.is_empty() { bytes[i % len] = b } }
                Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
                Edit::Delete(i) => { if !bytes.is_empty() { bytes.remove(i % len); } }
                Edit::Truncate(i) => bytes.truncate(i % len),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = coupon_engine::evaluate_json(&text) {
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = coupon_engine::evaluate_json(&text);
    }
}
