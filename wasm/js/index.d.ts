// The package's declarations: the generated bindings (coupon_engine.d.ts, with the
// JSON types of types.d.ts), the error class of index.js and localize of localize.js. Relative imports carry
// their `.js` extension, which NodeNext and Node16 resolution require.
import type { Bundle, ErrorCode, EvaluationResult } from "./types.js";

export * from "./coupon_engine.js";
export { default } from "./coupon_engine.js";

/**
 * Every `code` a `CouponEngineError` can carry: the engine's input codes, and
 * `"freed"` for a call on an object after its `free()`.
 *
 * ```ts
 * const retry = (code: CouponEngineErrorCode) => code === "freed";
 * ```
 */
export type CouponEngineErrorCode = ErrorCode | "freed";

/**
 * What every function and method of this package throws on bad input: a real
 * `Error` with a stable `code` and the `path` of the field.
 *
 * ```js
 * try {
 *   new Engine({ currency: "INR", coupons: "none" });
 * } catch (e) {
 *   if (e instanceof CouponEngineError) console.log(e.code, e.path); // "invalid_type" "bundle.coupons"
 * }
 * ```
 */
export declare class CouponEngineError extends Error {
  /**
   * Makes an error like the ones the engine throws (for tests and wrappers).
   *
   * ```js
   * throw new CouponEngineError("missing_field", "cart.lines", "is required");
   * ```
   */
  constructor(code: CouponEngineErrorCode, path: string, message: string);
  /** Always `"CouponEngineError"`. */
  name: "CouponEngineError";
  /**
   * What is wrong, stable across versions: branch on this, not on the message.
   * `"freed"` (path `engine` or `shopper`) is a call on an object after its `free()`.
   */
  code: CouponEngineErrorCode;
  /** The field at fault, rooted at the input's name (`cart.lines[0].unitPrice`). */
  path: string;
}

/** How `localize` renders a result: the shopper's language, zone and the storefront's own templates. */
export interface LocalizeOptions {
  /**
   * A BCP 47 tag (`"hi-IN"`). Its language picks the catalogue (`en`, `hi`, `uk`),
   * the whole tag the number and date formats (`en-IN` and `hi-IN` group ₹1,00,000).
   * Any other language, or none, gives English formatted for `en`.
   */
  locale?: string;
  /** An IANA zone (`"Asia/Kolkata"`) for the dates in messages; wins over `now` and the bundle's zone. */
  timeZone?: string;
  /** The request's `context.now`: without `timeZone`, dates are shown at its offset. */
  now?: string;
  /** The bundle the result came from: scopes and tiers for progress lines, `timeZone.name` as the last default before UTC. */
  bundle: Bundle;
  /**
   * Templates by key that replace the catalogue's: a reason code replaces every
   * message of that code; `"min_spend.lifetime"`, `"progress.min_orders"`,
   * `"customer_limit_reached.1"` or a plural form (`".one"`, `".few"`) only its own.
   * Values are named in braces: `{ min_purchase_value: "Only {short} to go" }`.
   */
  messages?: Record<string, string>;
}

/**
 * The result with every card's reason and progress messages, and every unknown
 * code's, rendered again in the shopper's language, time zone and number format
 * from `code` and `params`; every other field is kept. `locale: "en"` with
 * `timeZone: "UTC"` gives the engine's own English messages.
 *
 * ```js
 * const result = engine.evaluate(customer, cart, context);
 * const shown = localize(result, { locale: "hi-IN", timeZone: "Asia/Kolkata", bundle });
 * shown.cards[1].reasons[0].message; // "अनलॉक करने के लिए ₹1,800 और जोड़ें"
 * ```
 *
 * Throws a `CouponEngineError` with the engine's codes: `invalid_type` for a
 * template that is not text, `unknown_field` for an unknown template key,
 * `invalid_value` for a template naming a value its message does not have or a time
 * zone the runtime's `Intl` does not know, `missing_field` without the bundle.
 */
export declare function localize(result: EvaluationResult, options: LocalizeOptions): EvaluationResult;

declare global {
  // The classes are disposable (`using engine = new Engine(bundle)`). TypeScript's
  // lib declares Symbol.dispose only from `esnext.disposable` on; declared here too,
  // the same way, so the package compiles under any `lib` (the two merge).
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
