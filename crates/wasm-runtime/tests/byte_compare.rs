//! The WebAssembly `memcmp` (`byte_compare`): the same answers as comparing one byte
//! at a time, for every length up to 40 and every place of the first difference. Run
//! natively; in WebAssembly the shared vectors run through it (`wasm/tests`).

use std::cmp::Ordering;
use wasm_runtime::byte_compare::compare;

/// What `memcmp` must return, one byte at a time.
fn reference(a: &[u8], b: &[u8]) -> i32 {
    a.iter()
        .zip(b)
        .find(|(x, y)| x != y)
        .map_or(0, |(x, y)| i32::from(*x) - i32::from(*y))
}

/// `compare`, slice order and slice equality (both of which end in `memcmp`/`bcmp` in
/// the module) against the reference, both ways round.
fn check(a: &[u8], b: &[u8]) {
    for (l, r) in [(a, b), (b, a)] {
        // SAFETY: both slices hold `l.len()` bytes.
        let got = unsafe { compare(l.as_ptr(), r.as_ptr(), l.len()) };
        let expected = reference(l, r);
        assert_eq!(got, expected, "{l:?} vs {r:?}");
        assert_eq!(l.cmp(r), expected.cmp(&0), "{l:?} vs {r:?}");
        assert_eq!(l == r, expected == 0, "{l:?} vs {r:?}");
    }
}

#[test]
fn every_length_and_every_place_of_the_first_difference() {
    for len in 0..=40usize {
        let base: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
        check(&base, &base);
        for at in 0..len {
            for (x, y) in [(0u8, 255u8), (b'a', b'b'), (0x80, 0x7f), (1, 0)] {
                let (mut l, mut r) = (base.clone(), base.clone());
                l[at] = x;
                r[at] = y;
                // A later difference the other way must not decide the result.
                if at + 1 < len {
                    l[len - 1] = 0;
                    r[len - 1] = 255;
                }
                check(&l, &r);
            }
        }
    }
}

#[test]
fn ids_and_unaligned_starts() {
    assert_eq!("p0160".cmp("p0172"), Ordering::Less);
    assert!("productId" != "productIe");
    // Slices starting at every offset of a buffer, so the word loads are unaligned.
    let text: Vec<u8> = (0u8..=200).collect();
    let mut other = text.clone();
    other[150] ^= 0x40;
    for start in 0..16 {
        for len in [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 140, 184] {
            check(&text[start..start + len], &other[start..start + len]);
        }
    }
}
