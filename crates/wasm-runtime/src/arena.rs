//! A bump arena in front of the global allocator for the length of one call.
//!
//! A call that allocates a few thousand short-lived values and frees every one of them
//! before it returns (a request read, computed on and written out) spends much of its
//! time in a general-purpose allocator's `alloc` and `dealloc`; taking the bytes from a
//! block held for the call costs a few instructions, and a `Vec` growing at the end of
//! the block grows in place.
//!
//! How it stays sound whatever outlives a call:
//! - Only the calls that open a scope ([`CallArena::scope`], or [`CallArena::open`]
//!   and [`CallArena::close`]) use the block; outside one, everything goes to the
//!   backing allocator.
//! - The block is only ever reused when nothing allocated in it is still live: a
//!   count goes up with each allocation taken from it and down with each one freed.
//!   If something lives on past its call (a cache that grew during it, say), the next
//!   call goes on bumping after it instead of starting over, and once the block is
//!   full the rest goes to the backing allocator: slower, never wrong.
//! - A block that is too small is replaced, at the start of a call and only when
//!   nothing in it is live, by one of twice what the last call asked for. The block
//!   stays between calls: the price is that much more memory held by the module.
//!
//! The cells below are plain `Cell`s: the arena is `Sync` (so usable as a
//! `#[global_allocator]`) only on WebAssembly without the `atomics` target feature,
//! where nothing can reach it from two threads.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

/// The smallest block the arena holds.
const MIN_BLOCK: usize = 64 << 10;
/// The largest: a call that needs more takes the rest from the backing allocator.
const MAX_BLOCK: usize = 32 << 20;
/// The block's alignment (and the largest one the arena serves; larger go to backing).
const BLOCK_ALIGN: usize = 16;

/// A bump arena in front of `A` for the length of a [`scope`](CallArena::scope).
pub struct CallArena<A> {
    backing: A,
    /// The block: `start..end`, 0..0 when there is none.
    start: Cell<usize>,
    end: Cell<usize>,
    /// Where the next allocation starts.
    next: Cell<usize>,
    /// Where the latest allocation starts (0 once freed): it can grow or give back its
    /// bytes in place.
    last: Cell<usize>,
    /// Allocations in the block not yet freed.
    live: Cell<usize>,
    /// Whether a scope is open.
    open: Cell<bool>,
    /// Bytes the open scope asked for that did not fit in the block.
    missed: Cell<usize>,
    /// What the last scope used of the block plus what did not fit: it sizes the next
    /// block.
    wanted: Cell<usize>,
}

// SAFETY: WebAssembly without the `atomics` target feature has no threads, so nothing
// can reach the cells from two threads.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
unsafe impl<A: Sync> Sync for CallArena<A> {}

/// An open scope; closing it (on drop) ends the arena's use for this call.
pub struct Scope<'a, A: GlobalAlloc> {
    arena: &'a CallArena<A>,
}

impl<A: GlobalAlloc> CallArena<A> {
    /// An arena with no block yet in front of `backing`.
    pub const fn new(backing: A) -> Self {
        Self {
            backing,
            start: Cell::new(0),
            end: Cell::new(0),
            next: Cell::new(0),
            last: Cell::new(0),
            live: Cell::new(0),
            open: Cell::new(false),
            missed: Cell::new(0),
            wanted: Cell::new(0),
        }
    }

    /// Opens a scope that closes when the returned guard drops: until then,
    /// allocations come from the block. Everything allocated in it should be freed by
    /// the start of the next scope (if not, the block is not reused until it is).
    /// Scopes do not nest: opening one inside another changes nothing.
    pub fn scope(&self) -> Option<Scope<'_, A>> {
        if self.open.get() {
            return None;
        }
        self.open();
        Some(Scope { arena: self })
    }

    /// [`scope`](Self::scope) without the guard, for callers that close it themselves
    /// with [`close`](Self::close) (a scope that spans several calls, say). Does
    /// nothing if a scope is open.
    #[inline(never)]
    pub fn open(&self) {
        if self.open.get() {
            return;
        }
        if self.live.get() == 0 {
            let need = self.wanted.get().clamp(MIN_BLOCK, MAX_BLOCK);
            if self.end.get() - self.start.get() < need {
                // Twice the need: the next calls may need more than the last, and each
                // replacement leaves the old block's memory to the backing allocator,
                // so growing by small steps grows the module's memory more in the end
                // (docs/benchmarks.md).
                self.replace_block(need.saturating_mul(2).min(MAX_BLOCK));
            }
            self.next.set(self.start.get());
            self.last.set(0);
        }
        self.missed.set(0);
        self.open.set(true);
    }

    /// Closes the open scope: allocations go to the backing allocator again.
    #[inline(never)]
    pub fn close(&self) {
        self.open.set(false);
        self.wanted
            .set((self.next.get() - self.start.get()).saturating_add(self.missed.get()));
    }

    /// Frees the block (nothing in it is live) and takes one of `size` bytes; without
    /// one, every allocation goes to the backing allocator.
    fn replace_block(&self, size: usize) {
        let (start, end) = (self.start.get(), self.end.get());
        if start != 0 {
            // SAFETY: the block came from `backing` with this layout, and nothing in it
            // is live.
            unsafe {
                self.give_back(
                    start as *mut u8,
                    Layout::from_size_align_unchecked(end - start, BLOCK_ALIGN),
                );
            }
        }
        // No scope is open, so this comes from the backing allocator. SAFETY of the
        // layout: `size` is at least MIN_BLOCK and far from overflowing when aligned.
        let block =
            self.take(unsafe { Layout::from_size_align_unchecked(size, BLOCK_ALIGN) }) as usize;
        let end = if block == 0 { 0 } else { block + size };
        self.start.set(block);
        self.end.set(end);
        self.next.set(block);
    }

    /// Whether `ptr` lies in the block.
    fn holds(&self, ptr: *mut u8) -> bool {
        (self.start.get()..self.end.get()).contains(&(ptr as usize))
    }

    /// `layout` from the block, or else from the backing allocator. One copy of the
    /// backing allocator's code serves `alloc`, `alloc_zeroed` and `realloc`.
    #[inline(never)]
    fn take(&self, layout: Layout) -> *mut u8 {
        let ptr = self.bump(layout);
        if ptr.is_null() {
            // SAFETY: `layout` comes from a `GlobalAlloc` caller, with a nonzero size.
            unsafe { self.backing.alloc(layout) }
        } else {
            ptr
        }
    }

    /// Frees what the backing allocator gave (one copy of its code, as for [`take`]).
    ///
    /// # Safety
    /// `ptr` must come from the backing allocator with `layout`.
    #[inline(never)]
    unsafe fn give_back(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { self.backing.dealloc(ptr, layout) }
    }

    /// `layout` from the block, or null if the scope is closed or it does not fit.
    fn bump(&self, layout: Layout) -> *mut u8 {
        if !self.open.get() || layout.align() > BLOCK_ALIGN {
            return core::ptr::null_mut();
        }
        // A power of two at most BLOCK_ALIGN, and `next` lies in the block: no overflow.
        let mask = layout.align() - 1;
        let at = (self.next.get() + mask) & !mask;
        match at.checked_add(layout.size()) {
            Some(next) if next <= self.end.get() => {
                self.next.set(next);
                self.last.set(at);
                self.live.set(self.live.get() + 1);
                at as *mut u8
            }
            _ => {
                self.missed
                    .set(self.missed.get().saturating_add(layout.size()));
                core::ptr::null_mut()
            }
        }
    }

    /// Counts in the bookkeeping of a block allocation that is freed.
    fn release(&self, ptr: *mut u8) {
        self.live.set(self.live.get() - 1);
        if ptr as usize == self.last.get() {
            // The latest allocation: its bytes can be handed out again.
            self.next.set(ptr as usize);
            self.last.set(0);
        }
    }
}

impl<A: GlobalAlloc> Drop for Scope<'_, A> {
    fn drop(&mut self) {
        self.arena.close();
    }
}

// SAFETY: every pointer handed out is either the backing allocator's own or a range of
// the block no other live allocation overlaps (the bump pointer only moves back over
// the latest allocation when it is freed or grown, and the block is only reused once
// nothing in it is live); pointers are routed back by address.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CallArena<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.take(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if self.holds(ptr) {
            self.release(ptr);
        } else {
            // SAFETY: not in the block, so the backing allocator's, with this layout.
            unsafe { self.give_back(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !self.holds(ptr) {
            // SAFETY: the backing allocator's, with this layout.
            return unsafe { self.backing.realloc(ptr, layout, new_size) };
        }
        let at = ptr as usize;
        if self.open.get() && at == self.last.get() {
            if let Some(next) = at.checked_add(new_size).filter(|&n| n <= self.end.get()) {
                // The latest allocation grows or shrinks where it is.
                self.next.set(next);
                return ptr;
            }
        } else if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: `layout`'s alignment with a size the caller vouches for.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // Growing (every shrink returned above): it moves.
        let moved = self.take(new_layout);
        if !moved.is_null() {
            // SAFETY: `moved` is a fresh allocation of more than the old size.
            unsafe { core::ptr::copy_nonoverlapping(ptr, moved, layout.size()) };
            self.release(ptr);
        }
        moved
    }
}

impl<A: GlobalAlloc> CallArena<A> {
    /// Allocations in the block not yet freed, and the block's size in bytes (for the
    /// tests and for diagnosing a block that is never reused).
    pub fn usage(&self) -> (usize, usize) {
        (self.live.get(), self.end.get() - self.start.get())
    }
}
