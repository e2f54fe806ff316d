// The package's declarations: the generated bindings (coupon_engine.d.ts, with the
// JSON types of types.d.ts) and the error class of index.js. Relative imports carry
// their `.js` extension, which NodeNext and Node16 resolution require.
import type { ErrorCode } from "./types.js";

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

declare global {
  // The classes are disposable (`using engine = new Engine(bundle)`). TypeScript's
  // lib declares Symbol.dispose only from `esnext.disposable` on; declared here too,
  // the same way, so the package compiles under any `lib` (the two merge).
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
