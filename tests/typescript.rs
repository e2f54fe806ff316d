//! The TypeScript declarations shipped with the npm package (`wasm/types.d.ts`) are
//! generated from the Rust types, never written by hand. This test fails when they
//! are stale; `BLESS=1 cargo test --features typescript --test typescript` rewrites them.
#![cfg(feature = "typescript")]

use std::any::TypeId;
use std::collections::BTreeSet;

use coupon_engine::error::ErrorCode;
use coupon_engine::model::{Bundle, Cart, Context, Customer, EvaluationResult};
use ts_rs::{Config, TypeVisitor, TS};

/// Collects the declaration of every type reachable from the roots, so a new field's
/// type can never be left out.
struct Collect {
    cfg: Config,
    seen: BTreeSet<TypeId>,
    decls: Vec<String>,
}

impl TypeVisitor for Collect {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Recursive types (a rule holds rules) are visited once.
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // Built-in types (string, arrays, records) have no file of their own and no declaration.
        if T::output_path().is_some() {
            self.decls.push(T::decl(&self.cfg));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

fn declarations() -> String {
    let mut c = Collect {
        cfg: Config::new(),
        seen: BTreeSet::new(),
        decls: Vec::new(),
    };
    c.visit::<Bundle>();
    c.visit::<Customer>();
    c.visit::<Cart>();
    c.visit::<Context>();
    c.visit::<EvaluationResult>();
    c.visit::<ErrorCode>();
    c.visit::<coupon_engine::signing::Jwks>();
    c.visit::<coupon_engine::recheck::Claim>();
    c.visit::<coupon_engine::recheck::Recheck>();
    let mut out = String::from(
        "// Generated from the Rust types by `BLESS=1 cargo test --features typescript --test typescript`.\n\
         // Do not edit by hand.\n\n",
    );
    // Discovery order depends on how the derive macro ordered each type's dependencies,
    // which varies between compilations: sort by name so the file is reproducible.
    let name = |d: &String| {
        d.trim_start_matches("type ")
            .split([' ', '<'])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    c.decls.sort_by_key(name);
    for d in c.decls {
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
    assert!(
        committed == fresh,
        "wasm/types.d.ts is stale: run BLESS=1 cargo test --features typescript --test typescript"
    );
}
