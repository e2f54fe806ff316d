//! Any text as a coupon bundle: parsing and validation return a result or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(bundle) = coupon_engine::read_json::<coupon_engine::model::Bundle>("bundle", text) {
        let _ = coupon_engine::Engine::new(bundle);
    }
});
