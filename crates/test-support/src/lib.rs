//! Test helpers shared by the core's tests (`tests/`) and the WebAssembly binding's
//! (`wasm/tests/`), so that both replay the same inputs.

pub mod bad_input;
