// The package's entry for browsers and bundlers, and the API every other entry
// re-exports: the generated bindings, with every error they throw made an instance
// of the exported CouponEngineError class, and the presentation layer's localize.
//
// The module is built without the engine's English messages (for its size budget):
// every result passes through `english`, which writes them as the native engine does,
// from the codes and params the module returns and the coupons of the bundle.
//
// The module throws plain `Error` objects named "CouponEngineError" (an Error made in
// WebAssembly cannot have a JS class of ours). Each function and method here passes
// what it throws through `adopt`, which gives such an error this class's prototype
// and keeps its code, path, message and stack, so `e instanceof CouponEngineError` holds.
import init, * as raw from "./coupon_engine.js";
import { CouponEngineError } from "./error.js";
import { english } from "./localize.js";

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
function guardClass(C, made = () => {}) {
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
      let instance;
      try {
        instance = Reflect.construct(target, args, newTarget);
      } catch (e) {
        throw adopt(e);
      }
      made(instance, args);
      return instance;
    },
  });
}

/**
 * The coupons of a bundle by id, from its JSON text (what the module read), or from a
 * signed bundle's payload; made when a progress line first needs one.
 */
function couponsOf(read) {
  let coupons;
  return (id) => {
    coupons ??= new Map((read().coupons ?? []).map((c) => [c.id, c]));
    return coupons.get(id);
  };
}

/** The bundle inside a compact JWS the module has verified: its payload's `bundle`. */
function signedBundle(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)).bundle;
}

/** Each engine's and shopper's coupons (see `couponsOf`). */
const bundles = new WeakMap();

/** A recheck's result, with its messages, and each inapplicable coupon's difference saying why. */
function englishRecheck(recheck, couponOf) {
  const result = english(recheck.result, couponOf);
  const differences = recheck.differences.map((d) => {
    const reason = d.code === "not_applicable" && result.cards.find((c) => c.couponId === d.claimed)?.reasons[0];
    return reason ? { ...d, message: `coupon ${d.claimed} does not apply: ${reason.message}` } : d;
  });
  return { ...recheck, differences, result };
}

/** Replaces `C.prototype[name]` with `wrap(original)`, keeping its name and arity. */
function around(target, name, wrap) {
  const original = target[name];
  const replaced = wrap(original);
  Object.defineProperty(replaced, "name", { value: name });
  Object.defineProperty(replaced, "length", { value: original.length });
  target[name] = replaced;
}

around(raw.Engine, "fromSigned", (f) => function (token, ...rest) {
  const engine = f.call(this, token, ...rest);
  bundles.set(engine, couponsOf(() => signedBundle(String(token))));
  return engine;
});
around(raw.Engine.prototype, "evaluate", (f) => function (...args) {
  return english(f.apply(this, args), bundles.get(this));
});
around(raw.Engine.prototype, "recheck", (f) => function (...args) {
  return englishRecheck(f.apply(this, args), bundles.get(this));
});
around(raw.Engine.prototype, "shopper", (f) => function (...args) {
  const shopper = f.apply(this, args);
  bundles.set(shopper, bundles.get(this));
  return shopper;
});
around(raw.Shopper.prototype, "evaluate", (f) => function (...args) {
  return english(f.apply(this, args), bundles.get(this));
});

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
export const Engine = guardClass(raw.Engine, (engine, [bundle]) => {
  // The bundle as the module read it, before the caller can change it.
  const text = JSON.stringify(bundle);
  bundles.set(engine, couponsOf(() => JSON.parse(text)));
});

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
export const evaluate = guard(function evaluate(request) {
  const result = raw.evaluate(request);
  return english(result, couponsOf(() => JSON.parse(JSON.stringify(request)).bundle));
});

/**
 * Evaluates a request given as JSON text; returns the result as JSON text.
 *
 * ```js
 * const json = evaluateJson(JSON.stringify({ bundle, customer, cart, context }));
 * ```
 */
export const evaluateJson = guard(function evaluateJson(request) {
  const result = english(JSON.parse(raw.evaluateJson(request)), couponsOf(() => JSON.parse(request).bundle));
  return JSON.stringify(result);
});

/**
 * Verifies a signed customer summary and returns the customer.
 *
 * ```js
 * const customer = verifySummary(summaryJws, jwks, new Date().toISOString(), customerId);
 * ```
 */
export const verifySummary = guard(raw.verifySummary);
