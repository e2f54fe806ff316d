//! The per-call arena (`call_arena`) in WebAssembly (Node, or headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`): an arena over the system allocator here, exercised
//! directly; `vectors.rs` runs every shared vector through the module's own arena.

use coupon_engine_wasm::call_arena::CallArena;
use std::alloc::{GlobalAlloc, Layout, System};
use wasm_bindgen_test::wasm_bindgen_test;

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

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

/// The module's own arena through the exported calls: a session's evaluations leave
/// nothing live in it, so each call starts the block over. Nor do `engine.evaluate`'s,
/// whose remembered customer summary outlives the call and so must not be in the block.
#[cfg(target_family = "wasm")]
#[wasm_bindgen_test]
fn evaluations_leave_nothing_in_the_modules_arena() {
    let vector: serde_json::Value = serde_json::from_str(include_str!(
        "../../tests/vectors/example-best-combination.json"
    ))
    .unwrap();
    let request = &vector["request"];
    let js = |v: &serde_json::Value| js_sys::JSON::parse(&v.to_string()).unwrap();
    let engine = coupon_engine_wasm::Engine::new(js(&request["bundle"])).unwrap();
    let shopper = engine.shopper(js(&request["customer"])).unwrap();
    for _ in 0..3 {
        shopper
            .evaluate(js(&request["cart"]), js(&request["context"]))
            .unwrap();
        let (live, block) = coupon_engine_wasm::arena_usage();
        assert_eq!(
            live, 0,
            "an evaluation left {live} allocations in the arena"
        );
        assert!(block > 0);
    }
    let customer = js(&request["customer"]);
    let mut other = request["customer"].clone();
    other["id"] = "someone-else".into();
    // Read afresh, remembered, read afresh (another summary), remembered.
    for customer in [&customer, &customer, &js(&other), &customer, &customer] {
        engine
            .evaluate(
                customer.clone(),
                js(&request["cart"]),
                js(&request["context"]),
            )
            .unwrap();
        let (live, _) = coupon_engine_wasm::arena_usage();
        assert_eq!(
            live, 0,
            "engine.evaluate left {live} allocations in the arena"
        );
    }
}

/// The same when the evaluation throws: the error's JS objects and messages are made
/// inside the arena, and nothing of them stays in it.
#[cfg(target_family = "wasm")]
#[wasm_bindgen_test]
fn a_call_that_throws_leaves_nothing_in_the_modules_arena() {
    for request in ["{", r#"{"bundle": 1}"#, "[]"] {
        assert!(coupon_engine_wasm::evaluate_json(request.into()).is_err());
        assert_eq!(coupon_engine_wasm::arena_usage().0, 0, "after {request}");
    }
}
