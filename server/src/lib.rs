//! The reference order server of coupon-engine: it serves the demo storefront, the
//! signed coupon bundle, the JWKS and each customer's signed summary; it rechecks
//! placed orders with the same engine the browser ran; and it keeps the redemption
//! ledger, the only place usage limits are enforced.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod http;
pub mod ledger;
