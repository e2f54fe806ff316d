//! Random byte edits of a text (flip, insert, delete, truncate), for the tests that
//! break valid inputs on purpose.
#![allow(dead_code)]

use proptest::prelude::*;

/// One edit; positions wrap around the text's length.
#[derive(Debug, Clone)]
pub enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

/// Edits that write one of `special` (the bytes that matter to the grammar) or any byte.
pub fn edit(special: &'static [u8]) -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![3 => prop::sample::select(special), 1 => any::<u8>()];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// `text` with `edits` applied in order (invalid UTF-8 becomes U+FFFD).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match *edit {
            Edit::Flip(i, b) if !bytes.is_empty() => bytes[i % len] = b,
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % len);
            }
            Edit::Truncate(i) => bytes.truncate(i % len),
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
