// Compiled with `tsc --strict` against the built package (never run): the public
// types must describe the API precisely, with no `any` leaking to users.
import init, { Engine, evaluate, evaluateJson, type Bundle, type Card, type CouponEngineError, type ErrorCode } from "../../pkg/coupon_engine.js";

await init();
const bundle: Bundle = {
  currency: "INR",
  coupons: [{ id: "c", application: "automatic", discount: { percentage: { percent: "10", cap: "500.00" } },
              purchase: { scope: { products: ["tea"] }, minValue: "100.00" }, display: { title: "10% off" } }],
};
const engine = new Engine(bundle);
const result = engine.evaluate({ id: "me" }, { currency: "INR", lines: [] }, { now: "2026-11-22T10:00:00Z", codes: ["A"] });
const total: string = result.totalAfter;
// @ts-expect-error amounts are decimal strings, not numbers
const wrong: number = result.totalAfter;
const cards: Card[] = result.cards;
for (const card of cards) {
  const saving: string | null = card.saving;
  for (const reason of card.reasons) {
    if (reason.code === "min_purchase_value") {
      const required: string = reason.params.required; // narrowed by the code
    }
  }
}
// @ts-expect-error unknown discount kinds do not type-check
const badBundle: Bundle = { currency: "INR", coupons: [{ id: "x", application: "automatic", discount: { bogo: {} }, display: { title: "x" } }] };
evaluate({ bundle, customer: { id: "x" }, cart: { currency: "INR", lines: [] }, context: { now: "2026-11-22T10:00:00Z" } });
const text: string = evaluateJson("{}");
try {
  engine.evaluate({ id: "me" }, { currency: "INR", lines: [] }, { now: "not a date" });
} catch (e) {
  const error = e as CouponEngineError;
  const code: ErrorCode = error.code;
  const path: string = error.path;
}
export { total, wrong, badBundle, text };
