//! Any text as a signed bundle: verification returns a bundle or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;

const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"fuzz","x":"Z7dSVdrwG2bzUE8l751ZpyLl07XwElh0FpwEsNZDpqw"}]}"#;

fuzz_target!(|token: &str| {
    let jwks: coupon_engine::signing::Jwks = serde_json::from_str(JWKS).unwrap();
    let now = coupon_engine::model::Timestamp::parse("2026-11-22T10:00:00Z").unwrap();
    let _ = coupon_engine::signing::verify_bundle(token, &jwks, now);
    let _ = coupon_engine::signing::verify_summary(token, &jwks, now, Some("c1"));
});
