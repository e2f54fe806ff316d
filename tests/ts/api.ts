// Compiled with `tsc --strict` against the packed package under each module resolution
// (tests/ts/types.test.mjs; never run): correct uses of the public types compile, with
// no `any` leaking to users and no lib beyond es2022 and the DOM.
import init, {
  CouponEngineError, Engine, evaluate, evaluateJson, localize,
  type Amount, type LocalizeOptions, type Bundle, type Card, type Cart, type Coupon, type CouponEngineErrorCode, type Customer, type ErrorCode, type Tier,
} from "coupon-engine";

await init();
const coupons: Coupon[] = [
  { id: "c", application: "automatic", discount: { percentage: { percent: "10", cap: "500.00" } },
    purchase: { scope: { products: ["tea"] }, minValue: "100.00" }, display: { title: "10% off" } },
  { id: "full", application: "automatic", discount: { percentage: { percent: "15" } }, purchase: { excludeSaleItems: true }, display: { title: "15% off full price" } },
  { id: "after", application: "automatic", discount: { fixedAmount: { amount: "100.00" } }, purchase: { minValue: "1000.00", afterDiscounts: true }, display: { title: "₹100 off ₹1,000 after discounts" } },
  { id: "code", code: "SAVE10", application: "code", discount: { fixedAmount: { amount: "10.00" } }, display: { title: "₹10 off" } },
  { id: "hidden", codeHash: "0123456789abcdef.digest", application: "code", discount: { freeShipping: {} }, display: { title: "Free delivery" } },
  { id: "combo", application: "automatic", discount: { combo: { items: [{ productId: "a" }, { productId: "b" }], price: "99.00" } }, display: { title: "Combo" } },
  { id: "only", application: "automatic", discount: { fixedPrice: { price: "99" } }, audience: "all", orderScope: "firstOrder", display: { title: "₹99" } },
  { id: "top2", application: "automatic", discount: { percentage: { percent: "25", maxUnits: 2 } }, display: { title: "25% off 2 items" } },
  { id: "each", application: "automatic", discount: { amountPerItem: { amount: "50.00", maxUnits: 3 } }, display: { title: "₹50 off up to 3" } },
  { id: "b1g1", application: "automatic", discount: { buyXGetY: { buy: { scope: "entireCart", quantity: 1 }, get: { scope: "entireCart", quantity: 1 }, reward: "mostExpensive" } }, display: { title: "B1G1" } },
  { id: "gift", application: "automatic", discount: { freeGift: { productIds: ["tote", "mug"] } }, display: { title: "Tote or mug" } },
  { id: "gift1", application: "automatic", discount: { freeGift: { productId: "tote" } }, display: { title: "Tote" } },
];
const tiers: Tier[] = [{ minValue: "2000.00", percent: "5" }, { minValue: "5000.00", amount: "600.00" }];
const bundle: Bundle = {
  currency: "INR",
  coupons: [...coupons, { id: "t", application: "automatic", discount: { tiered: { tiers } }, display: { title: "Tiers" } }],
  segments: [{ id: "s", rule: { all: [{ purchased: { minOrders: 2 } }, { any: [{ boughtProduct: { productId: "p" } }] }] } }],
};
const customer: Customer = { id: "me", orders: [{ id: "o1", placedAt: "2026-11-01T10:00:00Z", total: "1200.00" }] };
const cart: Cart = { currency: "INR", lines: [{ id: "l1", productId: "tea", unitPrice: "250.00", compareAtPrice: "300.00", quantity: 2 }] };
// A price from elsewhere (a string) is checked at run time; the cast says so.
const fromForm: string = "12.50";
const price = fromForm as Amount;

const engine = new Engine(bundle);
const result = engine.evaluate(customer, { ...cart, lines: [{ ...cart.lines[0], unitPrice: price }] }, { now: new Date().toISOString(), codes: ["A"] });
const total: string = result.totalAfter;
const cards: Card[] = result.cards;
for (const card of cards) {
  const saving: string | null = card.saving;
  for (const reason of card.reasons) {
    if (reason.code === "min_purchase_value") {
      const required: Amount = reason.params.required; // narrowed by the code
    }
  }
}
{
  // Disposable with no `esnext.disposable` lib: the package declares Symbol.dispose.
  const scoped = new Engine(bundle);
  scoped[Symbol.dispose]();
}
evaluate({ bundle, customer, cart, context: { now: "2026-11-22T10:00:00Z" } });
const text: string = evaluateJson("{}");
try {
  engine.shopper(customer).evaluate(cart, { now: "not a date" });
} catch (e) {
  if (e instanceof CouponEngineError) {
    const code: CouponEngineErrorCode = e.code;
    const known: ErrorCode | undefined = code === "freed" ? undefined : code;
    const path: string = e.path;
    const message: string = e.message;
  }
}
const made: Error = new CouponEngineError("missing_field", "cart.lines", "is required");
{
  // The presentation layer: the same result type back, messages rendered again.
  const options: LocalizeOptions = { locale: "hi-IN", timeZone: "Asia/Kolkata", bundle, messages: { min_purchase_value: "{short}" } };
  const shown = localize(engine.evaluate(customer, cart, { now: "2026-11-22T10:00:00+05:30" }), options);
  const message: string | undefined = shown.cards[0]?.reasons[0]?.message;
  const atOffset = localize(shown, { now: "2026-11-22T10:00:00+05:30", bundle });
}
export { total, text, made };
