//! # coupon-engine
//!
//! Evaluates purchase-driven coupons for one cart: which coupons apply, exactly how
//! much each takes off each line, and one card per coupon saying what the shopper
//! sees and why. The same code runs natively (server recheck, CLI) and compiled to
//! WebAssembly (browser, edge); it never reads a clock (`now` is an input) and
//! gives byte-identical JSON everywhere.
//!
//! The flow, one module per step:
//! [`model`] (parse + validate) → [`facts`] → [`conditions`] → [`offers`] →
//! [`selection`] → [`allocation`] → [`cards`].
//!
//! Four ways in, all ending in the same evaluation:
//! - [`Engine::evaluate`]: one cart for one customer (the server, recheck).
//! - [`Engine::shopper`] then [`Engine::evaluate_for`]: a customer validated once, for
//!   the many carts of a session (`engine.shopper(customer)` in JS).
//! - [`Session`]: the same, for a caller that sends the customer with every cart (the
//!   WebAssembly binding's `engine.evaluate`): kept while its JSON text stays the same.
//! - [`Request::evaluate`] and [`evaluate_json`]: the four inputs in one document,
//!   as the CLI and the test vectors carry them.
//!
//! ```
//! use coupon_engine::{Engine, read_json};
//! let engine = Engine::new(read_json("bundle", r#"{"currency":"INR","coupons":[{
//!     "id":"loyal10","code":"LOYAL10","application":"automatic",
//!     "discount":{"percentage":{"percent":"10","cap":"500.00"}},
//!     "behavior":{"withinLast":{"days":90},"minOrders":3},
//!     "display":{"title":"10% for loyal customers"}}]}"#)?)?;
//! let customer = read_json("customer", r#"{"id":"c1"}"#)?;
//! let cart = read_json("cart", r#"{"currency":"INR","lines":[
//!     {"id":"l1","productId":"tea","unitPrice":"450.00","quantity":2}]}"#)?;
//! let context = read_json("context", r#"{"now":"2026-11-22T10:00:00+05:30"}"#)?;
//! let result = engine.evaluate(&customer, &cart, &context)?;
//! assert_eq!(result.total_after.to_string(), "900.00");
//! assert_eq!(result.cards[0].reasons[0].message, "For customers with 3+ orders in the last 90 days");
//! # Ok::<(), coupon_engine::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The JSON derives name the crate as `::coupon_engine`, inside it as outside.
extern crate self as coupon_engine;

pub mod allocation;
pub mod cards;
pub mod conditions;
pub mod error;
pub mod facts;
pub mod history;
pub mod json;
pub mod messages;
pub mod model;
pub mod money;
pub mod offers;
pub mod recheck;
pub mod schedule;
pub mod segments;
pub mod selection;
pub mod signing;
pub mod tax;

pub use error::{Error, ErrorCode};
pub use model::validate::limits;
use model::{
    AppliedDiscount, Bundle, Cart, Context, Customer, EvaluationResult, GiftToAdd, LineAllocation,
    LineTotal, UnknownCode,
};
use std::cell::Cell;

/// A validated bundle, ready to evaluate any number of carts.
#[derive(Debug, Clone)]
pub struct Engine {
    bundle: Bundle,
}

impl Engine {
    /// Validates `bundle` once; every later evaluation reuses it.
    pub fn new(bundle: Bundle) -> Result<Engine, Error> {
        model::validate::bundle(&bundle)?;
        Ok(Engine { bundle })
    }

    /// Verifies a signed bundle (compact JWS, EdDSA) against `jwks` at `now`, then
    /// validates it. See [`signing`].
    pub fn from_signed(
        token: &str,
        jwks: &signing::Jwks,
        now: model::Timestamp,
    ) -> Result<Engine, Error> {
        Engine::new(signing::verify_bundle(token, jwks, now)?)
    }

    /// The validated bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// Evaluates one cart for one customer at `context.now`.
    pub fn evaluate(
        &self,
        customer: &Customer,
        cart: &Cart,
        context: &Context,
    ) -> Result<EvaluationResult, Error> {
        model::validate::customer(customer, self.bundle.currency)?;
        evaluate_validated(&self.bundle, customer, cart, context)
    }

    /// Validates a customer summary once, for evaluating many carts with
    /// [`Engine::evaluate_for`]: a storefront re-evaluates on every cart change, while
    /// the summary (often hundreds of orders) stays the same for the session.
    pub fn shopper(&self, customer: Customer) -> Result<Shopper, Error> {
        model::validate::customer(&customer, self.bundle.currency)?;
        Ok(Shopper {
            customer,
            currency: Cell::new(Some(self.bundle.currency)),
        })
    }

    /// [`Engine::evaluate`] for a customer validated by [`Engine::shopper`], or held by a
    /// [`Session`] (validated here the first time).
    pub fn evaluate_for(
        &self,
        shopper: &Shopper,
        cart: &Cart,
        context: &Context,
    ) -> Result<EvaluationResult, Error> {
        if shopper.currency.get() != Some(self.bundle.currency) {
            // Not validated yet (a session's new customer), or against another engine's
            // currency: the scales may not hold here.
            model::validate::customer(&shopper.customer, self.bundle.currency)?;
            shopper.currency.set(Some(self.bundle.currency));
        }
        evaluate_validated(&self.bundle, &shopper.customer, cart, context)
    }
}

/// Evaluates against a bundle already validated, for a customer validated against
/// its currency; the cart and context are validated here.
fn evaluate_validated(
    bundle: &Bundle,
    customer: &Customer,
    cart: &Cart,
    context: &Context,
) -> Result<EvaluationResult, Error> {
    let currency = bundle.currency;
    model::validate::cart(cart, currency)?;
    model::validate::context(context)?;

    let coupons = &bundle.coupons;
    let facts = facts::Facts::new(bundle, customer, cart, context);
    let mut verdicts: Vec<conditions::Verdict> = coupons
        .iter()
        .map(|c| conditions::check(c, &facts))
        .collect();
    // Each coupon's entered code, found once: matching a hashed code hashes every entered one.
    let entered: Vec<Option<&str>> = coupons.iter().map(|c| facts.code_entered(c)).collect();
    let candidates: Vec<usize> = (0..coupons.len())
        .filter(|&i| {
            verdicts[i].usable()
                && (coupons[i].application == model::Application::Automatic || entered[i].is_some())
        })
        .collect();
    // The scoped lines move to the selection, so the cards can take the verdicts' reasons
    // without copying them.
    let scoped_lines: Vec<Vec<usize>> = verdicts
        .iter_mut()
        .map(|v| std::mem::take(&mut v.scoped))
        .collect();
    let scoped: Vec<&[usize]> = scoped_lines.iter().map(Vec::as_slice).collect();
    let cx = selection::Combinations::new(
        coupons,
        &scoped,
        &entered,
        &facts,
        bundle.max_codes as usize,
    );
    let chosen = selection::select(&candidates, &cx, bundle.selection);

    // The result's amounts: money back to decimals, with the currency's places.
    let amount = |money| currency.amount(money);
    let total_before = facts.amounts.subtotal + facts.amounts.shipping;
    let applied = chosen
        .applied
        .iter()
        .map(|(c, offer)| AppliedDiscount {
            coupon_id: coupons[*c].id.clone(),
            code: cards::shown_code(&coupons[*c], entered[*c]),
            title: coupons[*c].display.title.clone(),
            class: coupons[*c].class(),
            amount: amount(offer.total),
            lines: offer
                .lines
                .iter()
                .map(|&(line, part)| LineAllocation {
                    line_id: cart.lines[line].id.clone(),
                    amount: amount(part),
                })
                .collect(),
            shipping: amount(offer.shipping),
        })
        .collect();
    let mut taxed = tax::Breakdown::default();
    let lines = cart
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (subtotal, total) = (facts.amounts.lines[i], chosen.remaining.lines[i]);
            let tax = l.tax_rate.map(|rate| {
                let line = tax::Breakdown::line(
                    subtotal,
                    subtotal - total,
                    &rate,
                    cart.prices_include_tax,
                );
                taxed = taxed.plus(line);
                line.line_tax(rate, currency)
            });
            LineTotal {
                line_id: l.id.clone(),
                subtotal: amount(subtotal),
                discount: amount(subtotal - total),
                total: amount(total),
                tax,
            }
        })
        .collect::<Vec<_>>();
    // Validation puts a rate on every line or on none.
    let tax = cart
        .lines
        .first()
        .is_some_and(|l| l.tax_rate.is_some())
        .then(|| taxed.amounts(currency));
    let unknown_codes = facts
        .entered
        .iter()
        .filter(|code| !entered.contains(&Some(code.as_str())))
        .map(|code| UnknownCode {
            code: code.clone(),
            message: messages::unknown_code(code),
        })
        .collect();
    // A gift is worth adding when the missing gift is all that stands in the way; a
    // choice of gifts gives one entry per choice.
    let mut gifts_to_add = Vec::new();
    for (i, v) in verdicts.iter().enumerate() {
        let [model::ReasonKind::GiftNotInCart { quantity, .. }
        | model::ReasonKind::GiftChoiceNotInCart { quantity, .. }] = v.blockers.as_slice()
        else {
            continue;
        };
        if coupons[i].application == model::Application::Code && entered[i].is_none() {
            continue;
        }
        for product_id in coupons[i].discount.gift_choices() {
            gifts_to_add.push(GiftToAdd {
                coupon_id: coupons[i].id.clone(),
                product_id: product_id.clone(),
                quantity: *quantity,
            });
        }
    }
    let saving = chosen.saving();
    Ok(EvaluationResult {
        currency,
        subtotal: amount(facts.amounts.subtotal),
        shipping: amount(facts.amounts.shipping),
        total_before: amount(total_before),
        shipping_discount: amount(facts.amounts.shipping - chosen.remaining.shipping),
        discount_total: amount(saving),
        total_after: amount(total_before - saving),
        tax,
        applied,
        lines,
        cards: cards::build(&cx, &mut verdicts, &candidates, &chosen, total_before),
        unknown_codes,
        gifts_to_add,
    })
}

/// A customer summary validated by [`Engine::shopper`] (or read by a [`Session`], and
/// validated by its first evaluation).
#[derive(Debug, Clone)]
pub struct Shopper {
    customer: Customer,
    /// The currency the summary was validated against last; `None` before it is. A
    /// `Cell`, so that the evaluation that validates a session's customer records it.
    currency: Cell<Option<money::Currency>>,
}

impl Shopper {
    /// The summary.
    pub fn customer(&self) -> &Customer {
        &self.customer
    }
}

/// The customer of a session that sends its summary with every cart, as a storefront
/// does on each cart change: read once and validated once, then kept while the same
/// JSON text comes back, and read afresh when it differs (compared byte for byte).
///
/// Two steps, so that the errors come in the order [`evaluate_json`] gives them (the
/// customer read, the cart and context read, then each validated) and so that a
/// caller can hold what outlives the call apart from what does not (the binding reads
/// the customer outside its per-call allocator arena, the cart and context inside):
///
/// ```
/// # use coupon_engine::{Engine, Session, read_json};
/// # let engine = Engine::new(read_json("bundle", r#"{"currency":"INR","coupons":[]}"#)?)?;
/// # let cart = read_json("cart", r#"{"currency":"INR","lines":[]}"#)?;
/// # let context = read_json("context", r#"{"now":"2026-11-22T10:00:00Z"}"#)?;
/// let mut session = Session::default();
/// for _ in 0..2 {
///     // Read the first time only: the text is the same the second time.
///     let shopper = session.customer(r#"{"id":"c1"}"#.to_string())?;
///     let result = engine.evaluate_for(shopper, &cart, &context)?;
/// }
/// # Ok::<(), coupon_engine::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Session {
    /// The customer's JSON text and the summary read from it.
    held: Option<(String, Shopper)>,
}

impl Session {
    /// Takes the customer summary for the next evaluation as JSON text and returns it,
    /// ready for [`Engine::evaluate_for`]: read now unless it is the text of the summary
    /// already held, and validated by the first evaluation for it (so after the cart
    /// and context are read, as in [`evaluate_json`]). A text that does not read as a
    /// customer is refused, and nothing is held after it.
    pub fn customer(&mut self, text: String) -> Result<&Shopper, Error> {
        // Checked in place: the same text again (a session's every call after its
        // first) moves nothing.
        if !matches!(&self.held, Some((held, _)) if *held == text) {
            self.clear();
            let customer = read_json("customer", &text)?;
            let shopper = Shopper {
                customer,
                currency: Cell::new(None),
            };
            return Ok(&self.held.insert((text, shopper)).1);
        }
        match &self.held {
            Some((_, shopper)) => Ok(shopper),
            // Held, as checked above; a typed error all the same rather than a panic.
            None => Err(Error::new(
                ErrorCode::MissingField,
                "customer",
                "no customer held",
            )),
        }
    }

    /// Drops the customer held, if any. Out of line: a summary's drop code is long,
    /// and the session's hot path (the same text again) never runs it.
    #[inline(never)]
    pub fn clear(&mut self) {
        self.held = None;
    }
}

/// The four inputs in one document, as the CLI and the test vectors carry them.
#[derive(Debug, Clone, json::FromJson, json::ToJson)]
pub struct Request {
    /// What the request shows (examples and test vectors explain themselves).
    pub description: Option<String>,
    /// Coupon definitions and segments.
    pub bundle: Bundle,
    /// The customer summary.
    pub customer: Customer,
    /// The cart.
    pub cart: Cart,
    /// Time, payment method, entered codes.
    pub context: Context,
}

json::read::serde_via_from_json!(Request);

impl Request {
    /// Evaluates the request: what [`Engine::evaluate`] gives for its inputs, without
    /// keeping an engine.
    pub fn evaluate(&self) -> Result<EvaluationResult, Error> {
        // Validated by reference: an Engine would own (so clone) the bundle.
        model::validate::bundle(&self.bundle)?;
        model::validate::customer(&self.customer, self.bundle.currency)?;
        evaluate_validated(&self.bundle, &self.customer, &self.cart, &self.context)
    }
}

/// Reads one input from JSON text into a typed [`Error`] whose path starts at `root`
/// (`"cart"`, or `""` for a whole [`Request`]): `invalid_json` for text that is not
/// JSON, the schema's codes (see [`json::read`]) for JSON of the wrong shape.
/// Inputs over [`limits::MAX_INPUT_BYTES`] are refused before parsing.
pub fn read_json<T: json::FromJson>(root: &str, text: &str) -> Result<T, Error> {
    check_input_size(root, text)?;
    json::parse(root, text)
}

/// The input limit of [`read_json`], out of line: one copy, not one per input type.
#[inline(never)]
fn check_input_size(root: &str, text: &str) -> Result<(), Error> {
    if text.len() > limits::MAX_INPUT_BYTES {
        return Err(Error::new(
            ErrorCode::OutOfRange,
            root,
            format!(
                "{} bytes of JSON is more than the limit of {}",
                text.len(),
                limits::MAX_INPUT_BYTES
            ),
        ));
    }
    Ok(())
}

/// [`Request::evaluate`] from JSON text to compact JSON text: the bytes every build of
/// the engine (native, WebAssembly, the CLI) gives for the same request.
pub fn evaluate_json(request: &str) -> Result<String, Error> {
    let request: Request = read_json("", request)?;
    Ok(json::to_json(&request.evaluate()?))
}

/// The README's Rust examples, compiled and run by `cargo test --doc`.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
