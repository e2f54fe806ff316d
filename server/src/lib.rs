//! The reference order server of coupon-engine. It decides: carts are built from its
//! own catalogue, the customer is the signed-in one, and their history and usage
//! counts come from its own ledger. It serves the demo storefront, the signed coupon
//! bundle with the catalogue, the JWKS and each customer's signed summary; it rechecks
//! placed orders with the same engine the browser ran; and it keeps the ledger, the
//! only place usage limits are enforced.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod catalogue;
pub mod http;
pub mod ledger;
pub mod serve;
