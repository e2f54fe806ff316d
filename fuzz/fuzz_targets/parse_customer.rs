//! Any text as a customer summary.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = coupon_engine::read_json::<coupon_engine::model::Customer>("customer", text);
});
