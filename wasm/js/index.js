// The package's entry for browsers and bundlers, and the API every other entry
// re-exports: the generated bindings, with every error they throw made an instance
// of the exported CouponEngineError class, and the presentation layer's localize.
//
// The module throws plain `Error` objects named "CouponEngineError" (an Error made in
// WebAssembly cannot have a JS class of ours). Each function and method here passes
// what it throws through `adopt`, which gives such an error this class's prototype
// and keeps its code, path, message and stack, so `e instanceof CouponEngineError` holds.
import init, * as raw from "./coupon_engine.js";
import { CouponEngineError } from "./error.js";

export { CouponEngineError };
export { localize } from "./localize.js";

/** Makes an error thrown by the module an instance of CouponEngineError; anything else passes unchanged. */
function adopt(e) {
  if (e instanceof Error && e.name === "CouponEngineError" && !(e instanceof CouponEngineError)) {
    Object.setPrototypeOf(e, CouponEngineError.prototype);
  }
  return e;
}

/** `f`, with what it throws adopted; same name and arity. */
function guard(f) {
  const guarded = {
    [f.name](...args) {
      try {
        return f.apply(this, args);
      } catch (e) {
        throw adopt(e);
      }
    },
  }[f.name];
  Object.defineProperty(guarded, "length", { value: f.length });
  return guarded;
}

/**
 * Guards a generated class in place (its methods, including `Symbol.dispose`, and its
 * static functions, so instances the bindings make themselves are covered too), and
 * returns it behind a proxy whose `new` is guarded. `instanceof` and `prototype` are
 * the class's own.
 */
function guardClass(C) {
  for (const target of [C.prototype, C]) {
    for (const key of Reflect.ownKeys(target)) {
      const d = Object.getOwnPropertyDescriptor(target, key);
      // `__wrap` and the other `__` functions are the bindings' own plumbing.
      if (key === "constructor" || typeof d.value !== "function" || (typeof key === "string" && key.startsWith("__"))) continue;
      Object.defineProperty(target, key, { ...d, value: guard(d.value) });
    }
  }
  return new Proxy(C, {
    construct(target, args, newTarget) {
      try {
        return Reflect.construct(target, args, newTarget);
      } catch (e) {
        throw adopt(e);
      }
    },
  });
}

export * from "./coupon_engine.js";
export { init as default };

/**
 * A validated coupon bundle, ready to evaluate any number of carts.
 *
 * ```js
 * const engine = new Engine(bundle);
 * const result = engine.evaluate(customer, cart, { now: new Date().toISOString() });
 * ```
 */
export const Engine = guardClass(raw.Engine);

/**
 * A customer summary read and validated once, from `engine.shopper(customer)`.
 *
 * ```js
 * const result = engine.shopper(customer).evaluate(cart, { now: new Date().toISOString() });
 * ```
 */
export const Shopper = guardClass(raw.Shopper);

/**
 * Evaluates `{ bundle, customer, cart, context }` in one call.
 *
 * ```js
 * const result = evaluate({ bundle, customer, cart, context: { now: new Date().toISOString() } });
 * ```
 */
export const evaluate = guard(raw.evaluate);

/**
 * Evaluates a request given as JSON text; returns the result as JSON text.
 *
 * ```js
 * const json = evaluateJson(JSON.stringify({ bundle, customer, cart, context }));
 * ```
 */
export const evaluateJson = guard(raw.evaluateJson);

/**
 * Verifies a signed customer summary and returns the customer.
 *
 * ```js
 * const customer = verifySummary(summaryJws, jwks, new Date().toISOString(), customerId);
 * ```
 */
export const verifySummary = guard(raw.verifySummary);
