//! `memcmp` and `bcmp` for WebAssembly, comparing eight bytes at a time.
//!
//! Every `==` and `cmp` on strings and byte slices ends in `memcmp` or `bcmp`. The
//! standard library's WebAssembly build takes them from compiler-builtins, which
//! compares one byte per loop turn; compiler-builtins gives its memory functions weak
//! linkage so that a program can replace them, which this module does on WebAssembly
//! only (elsewhere the platform's own are already fast). Being `#[no_mangle]`, both
//! functions also appear among a module's raw exports.

/// Compares `n` bytes at `a` and `b` as `memcmp` does: zero when equal, else the
/// difference of the first pair of bytes that differ, as unsigned values.
///
/// # Safety
/// `a` and `b` must each be valid for reads of `n` bytes.
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    // Unaligned loads are allowed and cheap in WebAssembly.
    while i + 8 <= n {
        // SAFETY: `i + 8 <= n`, and the caller vouches for `n` bytes at each pointer.
        let (x, y) = unsafe {
            (
                a.add(i).cast::<u64>().read_unaligned(),
                b.add(i).cast::<u64>().read_unaligned(),
            )
        };
        if x != y {
            return first_difference(a, b, i, u64::from_le(x ^ y));
        }
        i += 8;
    }
    if i + 4 <= n {
        // SAFETY: as above, for four bytes.
        let (x, y) = unsafe {
            (
                a.add(i).cast::<u32>().read_unaligned(),
                b.add(i).cast::<u32>().read_unaligned(),
            )
        };
        if x != y {
            return first_difference(a, b, i, u64::from(u32::from_le(x ^ y)));
        }
        i += 4;
    }
    while i < n {
        // SAFETY: `i < n`.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// The `memcmp` result for a word at `i` whose bytes differ where `diff` has bits set,
/// `diff` in little-endian order (WebAssembly's own; `from_le` keeps it so on any
/// host): the first differing byte holds the lowest set bit.
fn first_difference(a: *const u8, b: *const u8, i: usize, diff: u64) -> i32 {
    let k = i + (diff.trailing_zeros() / 8) as usize;
    // SAFETY: byte `k` lies inside the word both callers' loads just read.
    unsafe { i32::from(*a.add(k)) - i32::from(*b.add(k)) }
}

/// Replaces compiler-builtins' weak `memcmp`.
///
/// # Safety
/// As [`compare`].
#[cfg(target_family = "wasm")]
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe { compare(a, b, n) }
}

/// Replaces compiler-builtins' weak `bcmp` (equality only; any non-zero means unequal).
///
/// # Safety
/// As [`compare`].
#[cfg(target_family = "wasm")]
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe { compare(a, b, n) }
}
