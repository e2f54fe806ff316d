// Each line after a `@ts-expect-error TSnnnn` directive is a mistake the types must
// reject with that diagnostic (tests/ts/types.test.mjs compiles this file with and
// without the directives): an unexpected pass fails as an unused directive, and an
// error of another kind fails the comparison.
import { Engine, localize, type Bundle, type Coupon, type Tier } from "coupon-engine";

const display = { title: "x" };
const engine = new Engine({ currency: "INR", coupons: [] });
const customer = { id: "me" };
const cart = { currency: "INR", lines: [] };

// @ts-expect-error TS2561 a misspelt discount kind ("Did you mean to write 'freeShipping'?")
const misspelt: Coupon = { id: "a", application: "automatic", discount: { freeShiping: {} }, display };
// @ts-expect-error TS2322 `now` is a timestamp string
engine.evaluate(customer, cart, { now: 5 });
const r = engine.evaluate(customer, cart, { now: "2026-11-22T10:00:00Z" });
// @ts-expect-error TS2322 amounts are decimal strings, not numbers
const n: number = r.totalAfter;
// @ts-expect-error TS2322 one discount kind per coupon
const twoKinds: Coupon = { id: "b", application: "automatic", discount: { percentage: { percent: "10" }, fixedAmount: { amount: "5.00" } }, display };
// @ts-expect-error TS2322 a tier takes a percent or an amount, not both
const bothTier: Tier = { minValue: "100.00", percent: "5", amount: "10.00" };
// @ts-expect-error TS2322 a tier takes a percent or an amount
const emptyTier: Tier = { minValue: "100.00" };
// @ts-expect-error TS2322 amounts are number strings, with no currency sign
const rupees: Coupon = { id: "c", application: "automatic", discount: { fixedAmount: { amount: "₹500" } }, display };
// @ts-expect-error TS2322 a coupon applied by code needs its code (or codeHash)
const noCode: Coupon = { id: "d", application: "code", discount: { freeShipping: {} }, display };
// @ts-expect-error TS2322 a code or a codeHash, not both
const both: Coupon = { id: "e", application: "code", code: "E", codeHash: "0123456789abcdef.x", discount: { freeShipping: {} }, display };
// @ts-expect-error TS2322 a combo has a price, a percent or an amount, only one
const combo: Coupon = { id: "f", application: "automatic", discount: { combo: { items: [], price: "99.00", percent: "10" } }, display };
// @ts-expect-error TS2322 a free gift has a productId or productIds, not both
const gift: Coupon = { id: "h", application: "automatic", discount: { freeGift: { productId: "tote", productIds: ["mug"] } }, display };
// @ts-expect-error TS2322 a reward is "cheapest" or "mostExpensive"
const reward: Coupon = { id: "i", application: "automatic", discount: { buyXGetY: { buy: { scope: "entireCart", quantity: 1 }, get: { scope: "entireCart", quantity: 1 }, reward: "dearest" } }, display };
// @ts-expect-error TS2322 one scope kind
const scope: Coupon = { id: "g", application: "automatic", discount: { freeShipping: {} }, purchase: { scope: { products: [], collections: [] } }, display };
// @ts-expect-error TS2561 unknown fields are rejected ("Did you mean to write 'maxCodes'?")
const extra: Bundle = { currency: "INR", coupons: [], selection: "bestCombination", maxcodes: 3 };
// @ts-expect-error TS2322 a compare-at price is a decimal string, like a price
const onSale = engine.evaluate(customer, { currency: "INR", lines: [{ id: "l", productId: "p", unitPrice: "1.00", compareAtPrice: 2, quantity: 1 }] }, { now: "2026-11-22T10:00:00Z" });
// @ts-expect-error TS2322 a quantity is a number
const quantity = engine.evaluate(customer, { currency: "INR", lines: [{ id: "l", productId: "p", unitPrice: "1.00", quantity: "2" }] }, { now: "2026-11-22T10:00:00Z" });
export { misspelt, n, twoKinds, bothTier, emptyTier, rupees, noCode, both, combo, gift, reward, scope, extra, onSale, quantity };
// @ts-expect-error TS2345 localize needs the bundle the result came from
localize(r, { locale: "hi-IN" });
// @ts-expect-error TS2322 a storefront's templates are text
localize(r, { bundle: { currency: "INR", coupons: [] }, messages: { ended: 42 } });
