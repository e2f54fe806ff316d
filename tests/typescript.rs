//! The TypeScript declarations shipped with the npm package (`wasm/types.d.ts`) are
//! generated from the Rust types, never written by hand. This test fails when they
//! are stale; `BLESS=1 cargo test --features typescript --test typescript` rewrites them.
#![cfg(feature = "typescript")]

use coupon_engine::error::{Error, ErrorCode};
use coupon_engine::model::*;
use coupon_engine::money::{Amount, Currency, Percent};
use ts_rs::{Config, TS};

fn declarations() -> String {
    let cfg = Config::new();
    let decls = [
        // inputs
        Bundle::decl(&cfg), Coupon::decl(&cfg), Application::decl(&cfg), Discount::decl(&cfg),
        Behavior::decl(&cfg), Purchase::decl(&cfg), Scope::decl(&cfg), Audience::decl(&cfg),
        OrderScope::decl(&cfg), Limits::decl(&cfg), Window::decl(&cfg), Validity::decl(&cfg),
        Display::decl(&cfg), Segment::decl(&cfg), Rule::decl(&cfg), Span::decl(&cfg),
        Customer::decl(&cfg), Order::decl(&cfg), OrderItem::decl(&cfg), Membership::decl(&cfg),
        CourseProgress::decl(&cfg), Cart::decl(&cfg), Line::decl(&cfg), Shipping::decl(&cfg),
        ShippingOption::decl(&cfg), Context::decl(&cfg),
        // output
        EvaluationResult::decl(&cfg), AppliedDiscount::decl(&cfg), LineAllocation::decl(&cfg),
        LineTotal::decl(&cfg), Card::decl(&cfg), CardStatus::decl(&cfg), Reason::decl(&cfg),
        ReasonKind::decl(&cfg), Progress::decl(&cfg), ProgressUnit::decl(&cfg), UnknownCode::decl(&cfg),
        ErrorCode::decl(&cfg),
        // scalars carried as strings
        Amount::decl(&cfg), Percent::decl(&cfg), Currency::decl(&cfg), Timestamp::decl(&cfg),
    ];
    let _ = Error::decl(&cfg); // the thrown error's shape is declared by hand below (it is a JS Error)
    let mut out = String::from(
        "// Generated from the Rust types by `BLESS=1 cargo test --features typescript --test typescript`.\n\
         // Do not edit by hand.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str(
        "/** The four inputs in one object, for `evaluate()`. */\n\
         export type EvaluationRequest = { description?: string, bundle: Bundle, customer: Customer, cart: Cart, context: Context };\n\n\
         /** What every function of this module throws on bad input: a real `Error` with a stable `code` and the field `path`. */\n\
         export interface CouponEngineError extends Error { name: \"CouponEngineError\"; code: ErrorCode; path: string }\n",
    );
    out
}

#[test]
fn typescript_declarations_are_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wasm/types.d.ts");
    let fresh = declarations();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(committed == fresh, "wasm/types.d.ts is stale: run BLESS=1 cargo test --features typescript --test typescript");
}
