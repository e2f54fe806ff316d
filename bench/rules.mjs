// The eligibility rules of a coupon bundle in json-rules-engine (npm), the common
// JavaScript choice, for the side-by-side comparison of issue 6.
//
// Each coupon becomes one rule whose conditions are the coupon's conditions: active
// window, per-customer window, usage limits, audience, order scope, behaviour over a
// period (orders, spend, a used coupon), cart value and quantity over the coupon's
// scope, cash on delivery, and the checks that depend only on the cart (gift in the
// cart, complete combo, eligible delivery option, first tier reached). The rule fires
// when all hold: the coupon is eligible.
//
// Facts are precomputed from the same customer, cart and context objects the engine
// gets, once per run, as flat named values (`value.s3`, `orders.p1`), so that
// json-rules-engine spends no time on fact paths or fact functions: the fastest way to
// use it. The timed work is `facts()` plus `engine.run()`.
//
// What json-rules-engine does not do here, and our engine does: discount amounts,
// per-line allocation, the best combination, cards and messages, input validation.
// Not translated: whether a buy-X-get-Y finds its units (that needs the discount
// computation), and segment membership dates (only the server-recorded memberships
// carry dates; the workloads put per-customer windows only on those).
import { Engine as RulesEngine } from "json-rules-engine";

const DAY_MS = 86_400_000;

/** Decimal string → integer minor units (INR: paise), exactly. */
function minor(text) {
  const [whole, fraction = ""] = text.split(".");
  const sign = whole.startsWith("-") ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number((fraction + "00").slice(0, 2)));
}

/** The offset of an RFC 3339 timestamp, in minutes east of UTC. */
function offsetMinutes(text) {
  const m = /([+-])(\d\d):(\d\d)$/.exec(text);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * `now` minus a span, as the engine computes it: calendar months in the timestamp's
 * own offset (the day clamped to the month's last), then weeks, days, hours, minutes.
 */
function minusSpan(nowText, span) {
  const offset = offsetMinutes(nowText) * 60_000;
  const local = new Date(Date.parse(nowText) + offset);
  if (span.months) {
    const y = local.getUTCFullYear();
    const month = local.getUTCMonth() - span.months;
    const last = new Date(Date.UTC(y, month + 1, 0)).getUTCDate();
    local.setUTCFullYear(y, month, Math.min(local.getUTCDate(), last));
  }
  const fixed = ((span.weeks ?? 0) * 7 + (span.days ?? 0)) * DAY_MS + (span.hours ?? 0) * 3_600_000 + (span.minutes ?? 0) * 60_000;
  return local.getTime() - offset - fixed;
}

function plusSpan(ms, span) {
  // Only fixed spans are used for per-customer windows in the workloads.
  if (span.months) throw new Error("calendar months in a validity window are not translated");
  return ms + ((span.weeks ?? 0) * 7 + (span.days ?? 0)) * DAY_MS + (span.hours ?? 0) * 3_600_000 + (span.minutes ?? 0) * 60_000;
}

const key = (value) => JSON.stringify(value);

/**
 * Translates a bundle: returns the rules engine (rules added once, as a server would
 * keep it) and `facts(customer, cart, context)`, which computes the runtime facts.
 */
export function translate(bundle) {
  if (bundle.currency !== "INR") throw new Error("the translation handles INR amounts only");
  // Every distinct scope, period, used code and product the rules ask about gets a
  // short fact name; facts() computes exactly those.
  const scopes = new Map();
  const periods = new Map();
  const usedCodes = new Map();
  const products = new Set();
  const validity = new Map();
  const name = (map, value, prefix) => {
    const k = key(value);
    if (!map.has(k)) map.set(k, { id: `${prefix}${map.size}`, value });
    return map.get(k).id;
  };
  const engine = new RulesEngine([], { allowUndefinedFacts: false });

  for (const c of bundle.coupons) {
    const all = [];
    const fact = (f, operator, value) => all.push({ fact: f, operator, value });
    if (c.activeWindow?.start) fact("now", "greaterThanInclusive", Date.parse(c.activeWindow.start));
    if (c.activeWindow?.end) fact("now", "lessThan", Date.parse(c.activeWindow.end));
    if (c.validity) {
      const v = name(validity, c.validity, "v");
      fact(`joinedAt.${v}`, "lessThanInclusive", { fact: "now" });
      fact(`validUntil.${v}`, "greaterThan", { fact: "now" });
    }
    if (c.limits?.global !== undefined) fact(`redeemed.${c.id}`, "lessThan", c.limits.global);
    if (c.limits?.perCustomer !== undefined) fact(`usage.${c.id}`, "lessThan", c.limits.perCustomer);
    if (c.audience?.specific) {
      const { customerIds = [], segmentIds = [] } = c.audience.specific;
      const any = [];
      if (customerIds.length) any.push({ fact: "customerId", operator: "in", value: customerIds });
      for (const s of segmentIds) any.push({ fact: "segments", operator: "contains", value: s });
      all.push({ any });
    }
    const scope = c.orderScope;
    if (scope === "firstOrder") fact("previousOrders", "equal", 0);
    if (scope?.orderCount) {
      const { nth, minPrevious, maxPrevious } = scope.orderCount;
      if (nth !== undefined) fact("previousOrders", "equal", nth - 1);
      if (minPrevious !== undefined) fact("previousOrders", "greaterThanInclusive", minPrevious);
      if (maxPrevious !== undefined) fact("previousOrders", "lessThanInclusive", maxPrevious);
    }
    if (c.behavior) {
      const b = c.behavior;
      const p = name(periods, b.withinLast ?? null, "p");
      if (b.usedCoupon) fact(`used.${name(usedCodes, { code: b.usedCoupon.toUpperCase(), period: p }, "u")}`, "equal", true);
      if (b.minOrders !== undefined) fact(`orders.${p}`, "greaterThanInclusive", b.minOrders);
      if (b.minSpend) fact(`spend.${p}`, "greaterThanInclusive", minor(b.minSpend));
    }
    const s = name(scopes, c.purchase?.scope ?? "entireCart", "s");
    fact(`lines.${s}`, "greaterThanInclusive", 1);
    const p = c.purchase ?? {};
    if (p.minValue) fact(`value.${s}`, "greaterThanInclusive", minor(p.minValue));
    if (p.maxValue) fact(`value.${s}`, "lessThanInclusive", minor(p.maxValue));
    if (p.minQuantity !== undefined) fact(`units.${s}`, "greaterThanInclusive", p.minQuantity);
    if (p.maxQuantity !== undefined) fact(`units.${s}`, "lessThanInclusive", p.maxQuantity);
    const d = c.discount;
    if (d.freeGift) {
      products.add(d.freeGift.productId);
      fact(`productUnits.${d.freeGift.productId}`, "greaterThanInclusive", 1);
    }
    if (d.combo) {
      for (const it of d.combo.items) {
        products.add(it.productId);
        fact(`productUnits.${it.productId}`, "greaterThanInclusive", it.quantity ?? 1);
      }
    }
    if (d.freeShipping) {
      if (d.freeShipping.optionIds) fact("selectedShipping", "in", d.freeShipping.optionIds);
      else fact("selectedShipping", "notEqual", null);
    }
    if (d.tiered) fact(`value.${s}`, "greaterThanInclusive", minor(d.tiered.tiers[0].minValue));
    if (c.disableCod) fact("cod", "equal", false);
    engine.addRule({ name: c.id, conditions: { all }, event: { type: "eligible", params: { couponId: c.id } } });
  }
  // Static facts: the server's redemption counts travel in the bundle.
  for (const c of bundle.coupons) {
    if (c.limits?.global !== undefined) engine.addFact(`redeemed.${c.id}`, c.limits.globalRedeemed ?? 0);
  }
  const usageIds = bundle.coupons.filter((c) => c.limits?.perCustomer !== undefined).map((c) => c.id);
  const segmentRules = bundle.segments ?? [];

  /** The runtime facts for one evaluation. */
  function facts(customer, cart, context) {
    const now = Date.parse(context.now);
    const orders = (customer.orders ?? [])
      .map((o) => ({ at: Date.parse(o.placedAt), total: minor(o.total), codes: o.couponCodes ?? [], items: o.items ?? [] }))
      .filter((o) => o.at <= now);
    const f = {
      now,
      customerId: customer.id,
      previousOrders: orders.length,
      cod: (context.paymentMethod ?? "").toLowerCase() === "cod",
      selectedShipping: cart.shipping?.selectedId ?? null,
    };
    // Segments: the server's recorded memberships, then the bundle's rules.
    const joined = new Map((customer.segments ?? []).map((m) => [m.segmentId, Date.parse(m.joinedAt)]));
    const members = new Set(joined.keys());
    for (const s of segmentRules) if (!members.has(s.id) && holds(s.rule, orders, customer, now)) members.add(s.id);
    f.segments = [...members];
    for (const { id, value } of validity.values()) {
      const at = joined.get(value.segmentId);
      f[`joinedAt.${id}`] = at ?? Infinity;
      f[`validUntil.${id}`] = at === undefined ? -Infinity : plusSpan(at, value.duration);
    }
    const since = new Map();
    for (const { id, value } of periods.values()) {
      const from = value === null ? -Infinity : minusSpan(context.now, value);
      since.set(id, from);
      let n = 0;
      let spend = 0;
      for (const o of orders) {
        if (o.at >= from) {
          n += 1;
          spend += o.total;
        }
      }
      f[`orders.${id}`] = n;
      f[`spend.${id}`] = spend;
    }
    for (const { id, value } of usedCodes.values()) {
      const from = since.get(value.period);
      f[`used.${id}`] = orders.some((o) => o.at >= from && o.codes.some((c) => c.toUpperCase() === value.code));
    }
    for (const { id, value } of scopes.values()) {
      let lines = 0;
      let units = 0;
      let amount = 0;
      for (const l of cart.lines) {
        if (covers(value, l)) {
          lines += 1;
          units += l.quantity;
          amount += minor(l.unitPrice) * l.quantity;
        }
      }
      f[`lines.${id}`] = lines;
      f[`units.${id}`] = units;
      f[`value.${id}`] = amount;
    }
    for (const product of products) {
      f[`productUnits.${product}`] = cart.lines.reduce((n, l) => n + (l.productId === product ? l.quantity : 0), 0);
    }
    for (const id of usageIds) f[`usage.${id}`] = customer.couponUsage?.[id] ?? 0;
    return f;
  }
  return { engine, facts, rules: bundle.coupons.length };
}

function covers(scope, line) {
  if (scope === "entireCart") return true;
  if (scope.products) return scope.products.includes(line.productId);
  if (scope.collections) return (line.collectionIds ?? []).some((c) => scope.collections.includes(c));
  if (scope.offers) return line.offerId !== undefined && scope.offers.includes(line.offerId);
  return false;
}

/** Whether a segment rule holds (membership only; the engine also dates it). */
function holds(rule, orders, customer, now) {
  if (rule.all) return rule.all.every((r) => holds(r, orders, customer, now));
  if (rule.any) return rule.any.some((r) => holds(r, orders, customer, now));
  if (rule.purchased) {
    const { minOrders = 1, productIds } = rule.purchased;
    const counted = productIds ? orders.filter((o) => o.items.some((it) => productIds.includes(it.productId))) : orders;
    return counted.length >= minOrders;
  }
  if (rule.boughtProduct) {
    const { productId, priceTierId } = rule.boughtProduct;
    return orders.some((o) => o.items.some((it) => it.productId === productId && (priceTierId === undefined || it.priceTierId === priceTierId)));
  }
  if (rule.courseProgress) {
    const p = (customer.courses ?? []).find((c) => c.courseId === rule.courseProgress.courseId);
    return p !== undefined && Number(p.percent) >= Number(rule.courseProgress.minPercent);
  }
  if (rule.inactive) {
    if (orders.length === 0) return false;
    const times = orders.map((o) => o.at).sort((a, b) => a - b);
    const before = rule.inactive.boughtBefore === undefined || times[0] < Date.parse(rule.inactive.boughtBefore);
    return before && plusSpan(times[times.length - 1], rule.inactive.inactiveFor) <= now;
  }
  return false;
}

/** Card reasons that leave every condition met: selection, code entry, and the one check not translated. */
const STILL_ELIGIBLE = new Set(["code_not_entered", "not_combinable", "nothing_to_discount", "lower_saving", "not_chosen", "too_many_codes", "buy_x_get_y_incomplete"]);

/**
 * Compares json-rules-engine's eligible coupons with our engine's cards: a card is
 * eligible when it is applied or only selection or code entry stands in its way.
 * Coupons without a card (hidden, code not entered) are not compared.
 */
export function agreement(events, result) {
  const fired = new Set(events.map((e) => e.params.couponId));
  const disagree = [];
  for (const card of result.cards) {
    const ours = card.status === "applied" || card.reasons.every((r) => STILL_ELIGIBLE.has(r.code));
    if (ours !== fired.has(card.couponId)) disagree.push({ couponId: card.couponId, ours, rulesEngine: !ours, reasons: card.reasons.map((r) => r.code) });
  }
  return { compared: result.cards.length, agree: result.cards.length - disagree.length, eligible: fired.size, disagree };
}
