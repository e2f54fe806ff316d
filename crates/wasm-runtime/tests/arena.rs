//! The per-call arena over the system allocator, exercised directly (natively, as any
//! target runs it); the package's tests run every shared vector through the module's
//! own arena (`wasm/tests/vectors.rs`, `wasm/tests/call_arena.rs`).

use std::alloc::{GlobalAlloc, Layout, System};
use wasm_runtime::arena::CallArena;

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

/// Allocates `size` bytes filled with `byte`.
fn filled(arena: &CallArena<System>, size: usize, byte: u8) -> *mut u8 {
    // SAFETY: a nonzero size.
    let ptr = unsafe { arena.alloc(layout(size, 8)) };
    assert!(!ptr.is_null());
    // SAFETY: just allocated with `size` bytes.
    unsafe { ptr.write_bytes(byte, size) };
    ptr
}

/// Whether the `size` bytes at `ptr` all hold `byte`.
fn holds(ptr: *mut u8, size: usize, byte: u8) -> bool {
    // SAFETY: the callers pass live allocations of at least `size` bytes.
    unsafe { std::slice::from_raw_parts(ptr, size) }
        .iter()
        .all(|&b| b == byte)
}

fn free(arena: &CallArena<System>, ptr: *mut u8, size: usize) {
    // SAFETY: the callers pass allocations of `arena` with this size and alignment 8.
    unsafe { arena.dealloc(ptr, layout(size, 8)) }
}

#[test]
fn outside_a_scope_everything_goes_to_the_backing_allocator() {
    let arena = CallArena::new(System);
    let a = filled(&arena, 100, 1);
    assert_eq!(arena.usage(), (0, 0));
    free(&arena, a, 100);
    {
        let _scope = arena.scope().unwrap();
        let b = filled(&arena, 100, 2);
        assert_eq!(arena.usage().0, 1);
        free(&arena, b, 100);
    }
    let c = filled(&arena, 100, 3);
    assert_eq!(arena.usage().0, 0, "a closed scope still served the block");
    free(&arena, c, 100);
}

#[test]
fn allocations_in_a_scope_are_distinct_aligned_and_keep_their_bytes() {
    let arena = CallArena::new(System);
    let _scope = arena.scope().unwrap();
    let mut taken = Vec::new();
    for (i, (size, align)) in [(1, 1), (3, 2), (24, 8), (5, 16), (7, 4), (40, 16)]
        .into_iter()
        .enumerate()
    {
        // SAFETY: nonzero sizes.
        let ptr = unsafe { arena.alloc(layout(size, align)) };
        assert_eq!(ptr as usize % align, 0, "{size} bytes at alignment {align}");
        // SAFETY: just allocated with `size` bytes.
        unsafe { ptr.write_bytes(i as u8, size) };
        taken.push((ptr, size, i as u8));
    }
    assert_eq!(arena.usage().0, taken.len());
    for &(ptr, size, byte) in &taken {
        assert!(holds(ptr, size, byte), "an allocation was overwritten");
    }
    // Larger alignments than the block's go to the backing allocator.
    // SAFETY: a nonzero size.
    let wide = unsafe { arena.alloc(layout(64, 64)) };
    assert_eq!(wide as usize % 64, 0);
    assert_eq!(arena.usage().0, taken.len());
    // SAFETY: allocated just above with this layout.
    unsafe { arena.dealloc(wide, layout(64, 64)) };
}

#[test]
fn the_latest_allocation_grows_in_place_and_gives_its_bytes_back() {
    let arena = CallArena::new(System);
    let _scope = arena.scope().unwrap();
    let keep = filled(&arena, 16, 7);
    let a = filled(&arena, 32, 9);
    // SAFETY: `a` is this arena's, 32 bytes at alignment 8.
    let grown = unsafe { arena.realloc(a, layout(32, 8), 4096) };
    assert_eq!(grown, a, "the latest allocation moved to grow");
    assert!(holds(grown, 32, 9));
    free(&arena, grown, 4096);
    let b = filled(&arena, 8, 1);
    assert_eq!(
        b, a,
        "the freed latest allocation's bytes were not handed out again"
    );
    // An older allocation moves to grow, with its bytes.
    // SAFETY: `keep` is this arena's, 16 bytes at alignment 8.
    let moved = unsafe { arena.realloc(keep, layout(16, 8), 64) };
    assert_ne!(moved, keep);
    assert!(holds(moved, 16, 7));
    assert!(holds(b, 8, 1), "moving overwrote a live allocation");
    assert_eq!(arena.usage().0, 2);
    free(&arena, moved, 64);
    free(&arena, b, 8);
    assert_eq!(arena.usage().0, 0);
}

#[test]
fn what_does_not_fit_goes_to_the_backing_allocator_and_sizes_the_next_block() {
    let arena = CallArena::new(System);
    let big = 300 << 10;
    let first = {
        let _scope = arena.scope().unwrap();
        let block = arena.usage().1;
        assert!(block > 0 && block < big);
        let ptr = filled(&arena, big, 5);
        assert_eq!(
            arena.usage().0,
            0,
            "too large for the block, yet taken from it"
        );
        assert!(holds(ptr, big, 5));
        free(&arena, ptr, big);
        block
    };
    let _scope = arena.scope().unwrap();
    assert!(
        arena.usage().1 > first.max(big),
        "the block was not resized"
    );
    let ptr = filled(&arena, big, 6);
    assert_eq!(
        arena.usage().0,
        1,
        "the resized block does not hold the call"
    );
    free(&arena, ptr, big);
}

#[test]
fn an_allocation_that_outlives_its_scope_is_never_handed_out_again() {
    let arena = CallArena::new(System);
    let kept = {
        let _scope = arena.scope().unwrap();
        filled(&arena, 64, 0xAB)
    };
    // The next scope cannot start the block over: `kept` is still live.
    let later = {
        let _scope = arena.scope().unwrap();
        let ptr = filled(&arena, 64, 0xCD);
        assert!(holds(kept, 64, 0xAB), "a live allocation was overwritten");
        free(&arena, ptr, 64);
        ptr
    };
    assert_ne!(later, kept);
    // Freed outside a scope, it is counted out; then the block starts over.
    free(&arena, kept, 64);
    assert_eq!(arena.usage().0, 0);
    let _scope = arena.scope().unwrap();
    assert_eq!(filled(&arena, 8, 1), kept, "the block did not start over");
}

#[test]
fn scopes_do_not_nest() {
    let arena = CallArena::new(System);
    let outer = arena.scope().unwrap();
    assert!(arena.scope().is_none());
    let ptr = filled(&arena, 8, 1);
    assert_eq!(
        arena.usage().0,
        1,
        "the outer scope closed with the inner one"
    );
    free(&arena, ptr, 8);
    drop(outer);
    assert!(
        arena.scope().is_some(),
        "closing the scope did not close it"
    );
}
