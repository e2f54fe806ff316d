//! Runtime pieces for a single-threaded wasm32 module, independent of what the module
//! computes: [`arena`], a bump arena in front of the global allocator for the length
//! of one call, and [`byte_compare`], a `memcmp` that compares eight bytes at a time.
//!
//! Used by the WebAssembly package (`wasm/`) and by the instruction-count guest
//! (`bench/instructions/guest`), so that the counts are the package's. Linking this
//! crate into a wasm32 module replaces `memcmp` and `bcmp` (see [`byte_compare`]);
//! the arena is only used where a module installs it as its `#[global_allocator]`.

#![no_std]
#![deny(missing_docs)]

pub mod arena;
pub mod byte_compare;
