//! Any text as a cart.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = coupon_engine::read_json::<coupon_engine::model::Cart>("cart", text);
});
