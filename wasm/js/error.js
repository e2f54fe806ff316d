// The package's error class, in a file of its own so that index.js and the
// presentation layer (localize.js) both import it without importing each other.

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
export class CouponEngineError extends Error {
  /**
   * Makes an error like the ones the engine throws (for tests and wrappers).
   *
   * ```js
   * throw new CouponEngineError("missing_field", "cart.lines", "is required");
   * ```
   */
  constructor(code, path, message) {
    super(path ? `${path}: ${message}` : message);
    this.code = code;
    this.path = path;
  }
}
// On the prototype, as for the built-in errors, so `name` is no own field of an instance.
Object.defineProperty(CouponEngineError.prototype, "name", { value: "CouponEngineError", writable: true, configurable: true });
