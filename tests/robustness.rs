//! No input makes the engine panic: corrupted vectors (bytes flipped, inserted,
//! deleted, truncated) and arbitrary text always give a result or a typed error.

#[path = "common/edits.rs"]
mod edits;

use edits::{apply, edit};
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn corrupted_requests_never_panic(pick in any::<usize>(), edits in proptest::collection::vec(edit(b"\"{}[],:-9.e\\ "), 1..6)) {
        let all = vectors();
        let text = apply(&all[pick % all.len()], &edits);
        if let Err(e) = coupon_engine::evaluate_json(&text) {
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = coupon_engine::evaluate_json(&text);
    }
}
