//! The TypeScript declarations shipped with the npm package (`wasm/types.d.ts`) are
//! generated from the Rust types, never written by hand, then made as strict as
//! validation where TypeScript can say it (see `stricter`). This test fails when they
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
        out.push_str(&stricter(&name(&d), &d));
        out.push_str("\n\n");
    }
    out.push_str(
        "/** The four inputs in one object, for `evaluate()`. */\n\
         export type EvaluationRequest = { description?: string, bundle: Bundle, customer: Customer, cart: Cart, context: Context };\n\n",
    );
    out.push_str(HELPERS);
    out
}

/// The generic types that [`stricter`] wraps declarations in.
const HELPERS: &str = r#"/** Every key of every object in a union. */
export type KeysOfUnion<U> = U extends object ? keyof U : never;

/**
 * A union of single-key objects (`{ percentage: … } | { fixedAmount: … }`) where each
 * member rules out the other members' keys, so that an object with two keys fits none.
 */
export type OneKey<U, All = U> = U extends object ? U & { [K in Exclude<KeysOfUnion<All>, keyof U>]?: never } : U;

/** `T` with exactly one of the optional fields `K` present. */
export type ExactlyOne<T, K extends keyof T> = Omit<T, K> & { [P in K]: Required<Pick<T, P>> & { [Q in Exclude<K, P>]?: never } }[K];

/**
 * A coupon applied by code has a `code` or a `codeHash`; an automatic one may have
 * either as a label; none has both.
 */
export type CodeRules<T extends { application: Application, code?: string, codeHash?: string }> = Omit<T, "application" | "code" | "codeHash"> & (
  | ({ application: "code" } & Required<Pick<T, "code">> & { codeHash?: never })
  | ({ application: "code" } & Required<Pick<T, "codeHash">> & { code?: never })
  | ({ application: "automatic" } & Pick<T, "code"> & { codeHash?: never })
  | ({ application: "automatic" } & Pick<T, "codeHash"> & { code?: never }));
"#;

/// One generated declaration, with the rules validation enforces that TypeScript can
/// also express: amounts and percents are number strings (`"1250.50"`, not `"₹500"`),
/// times of day are digits around a colon (`"17:30"`),
/// a discount, scope, audience, order scope or rule has exactly one kind, a tier, a
/// combo and a free gift exactly one of their alternatives, and a code coupon its code. ts-rs writes
/// what serde reads, which is looser; these are rewrites of its text, so a field added
/// to the Rust types still appears here.
fn stricter(name: &str, decl: &str) -> String {
    let (head, body) = decl.split_once(" = ").expect("a type alias");
    let body = body.trim_end().strip_suffix(';').expect("ends with ;");
    let body = match name {
        "Amount" | "Percent" => {
            assert_eq!(body, "string", "{name} is no longer a string");
            "`${number}`".to_string()
        }
        "ClockTime" => {
            assert_eq!(body, "string", "{name} is no longer a string");
            "`${number}:${number}`".to_string()
        }
        "Tier" => format!(r#"ExactlyOne<{body}, "percent" | "amount">"#),
        "Coupon" => format!("CodeRules<{body}>"),
        "Discount" => {
            let body = wrap_object(body, r#""combo": "#, |o| {
                format!(r#"ExactlyOne<{o}, "price" | "percent" | "amount">"#)
            });
            let body = wrap_object(&body, r#""freeGift": "#, |o| {
                format!(r#"ExactlyOne<{o}, "productId" | "productIds">"#)
            });
            format!("OneKey<{body}>")
        }
        // The input enums serde tags externally (`{ "kind": … }`), some with unit variants.
        "Audience" | "OrderScope" | "Rule" | "Scope" => format!("OneKey<{body}>"),
        _ => body.to_string(),
    };
    format!("{head} = {body};")
}

/// `text` with the object literal that follows `after` replaced by `f` of it.
fn wrap_object(text: &str, after: &str, f: impl Fn(&str) -> String) -> String {
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("{after} not found"))
        + after.len();
    assert!(
        text[start..].starts_with('{'),
        "{after} is not followed by an object"
    );
    let mut depth = 0;
    for (i, ch) in text[start..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let end = start + i + 1;
                    return format!("{}{}{}", &text[..start], f(&text[start..end]), &text[end..]);
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces after {after}")
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
