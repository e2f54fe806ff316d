// The package's presentation layer: renders a result's card messages again in the
// shopper's language, time zone and number format, from each reason's stable `code`
// and `params`. Plain JS on the runtime's `Intl`, so the WebAssembly module stays
// free of catalogues, number formatting and zone data and keeps its size budget; the
// module's own output (English messages) is untouched and stays byte-identical to
// the native engine's.
//
// Catalogues are ES modules beside this one (generated from messages/*.json by
// scripts/build-pkg.sh), imported statically: every runtime and bundler loads them
// with no import attributes and no fetch, and `localize` stays synchronous.
import { CouponEngineError } from "./error.js";
import en from "./messages/en.js";
import hi from "./messages/hi.js";
import uk from "./messages/uk.js";

/** The catalogues shipped, by language subtag. */
const catalogues = { en, hi, uk };

// How each reason's params are written, by code: "money" (a decimal string in the
// result's currency), "count", "number" (a percent's figure), "date" (an instant),
// "period" (the core's English span, "90 days"), "or" and "list" (ids joined), or
// "text" (ids, codes and titles, as they are). A template may use these names and
// the extras that `extras` below computes; any other name is an error.
const PARAMS = {
  not_started: { startsAt: "date" },
  ended: { endedAt: "date" },
  outside_schedule: { opensAt: "date", day: "text", time: "text", inDays: "count", weekday: "text" },
  schedule_ended: {},
  validity_ended: { segmentId: "text", endedAt: "date" },
  validity_unknown: { segmentId: "text" },
  global_limit_reached: { limit: "count" },
  budget_exhausted: { campaignId: "text", remaining: "money" },
  budget_shared: { campaignId: "text", remaining: "money" },
  customer_limit_reached: { limit: "count", used: "count" },
  not_in_audience: {},
  not_in_segment: { segmentId: "text" },
  first_order_only: { previousOrders: "count" },
  order_count_mismatch: { previousOrders: "count" },
  more_previous_orders: { required: "count", current: "count" },
  min_orders: { required: "count", current: "count", period: "period" },
  min_spend: { required: "money", current: "money", period: "period" },
  used_coupon_required: { code: "text", period: "period" },
  more_purchases: { required: "count", current: "count", productIds: "or" },
  product_not_bought: { productId: "text", priceTierId: "text" },
  course_incomplete: { courseId: "text", courseName: "text", required: "number", current: "number", course: "text" },
  min_purchase_value: { required: "money", current: "money", short: "money" },
  min_value_after_discounts: { required: "money", current: "money", short: "money" },
  max_purchase_value: { limit: "money", current: "money" },
  min_quantity: { required: "count", current: "count", short: "count" },
  max_quantity: { limit: "count", current: "count" },
  no_eligible_items: {},
  sale_items_excluded: {},
  cod_not_allowed: {},
  code_not_entered: { code: "text" },
  not_combinable: { couponId: "text", title: "text" },
  nothing_to_discount: {},
  lower_saving: {},
  not_chosen: {},
  too_many_codes: { max: "count" },
  gift_not_in_cart: { productId: "text", quantity: "count" },
  gift_choice_not_in_cart: { productIds: "list", quantity: "count" },
  shipping_not_eligible: {},
  buy_x_get_y_incomplete: { buy: "count", get: "count" },
  combo_incomplete: { missing: "list" },
};

/** The reasons that carry a progress line, in the core's order of progress lines. */
const WITH_PROGRESS = new Set(["min_purchase_value", "min_value_after_discounts", "min_spend", "min_quantity", "min_orders", "more_previous_orders", "more_purchases", "course_incomplete"]);

/** How a progress line's own fields are written, by its `unit`. */
const PROGRESS_UNIT = { cartValue: "money", spend: "money", quantity: "count", orders: "count", course: "number" };

/** The names a template of each kind that is no reason may use. */
const OTHER = {
  unknown_code: { code: "text" },
  date: { day: "text", month: "text", year: "text", hour: "text", minute: "text", zone: "text" },
  unit: { count: "count" },
  weekday: {},
  list: {},
};

/** A template key's names: a reason's (`min_spend`, `min_spend.lifetime`), a progress line's, or another's. */
function namesOf(key) {
  const progress = key.startsWith("progress.");
  const base = (progress ? key.slice(9) : key).split(".")[0];
  if (progress && base === "next_tier") return { current: 1, target: 1, remaining: 1, percent: 1, reward: 1 };
  const names = PARAMS[base] ?? OTHER[base];
  if (!names || (progress && !WITH_PROGRESS.has(base))) return null;
  return progress ? { ...names, current: 1, target: 1, remaining: 1, percent: 1, scope: 1 } : names;
}

/** Plural and exact-number endings a template key may carry (`.one`, `.few`, `.1`). */
const FORM = /\.(zero|one|two|few|many|other|\d+)$/;

/**
 * Renders a result's card messages in the shopper's language, time zone and number
 * format. Returns a copy of `result` in which every card's reasons and progress
 * lines, and every unknown code, have their `message` rendered again from `code`
 * and `params` (and a progress line's own figures); codes, params and every other
 * field are kept. With `locale: "en"` and `timeZone: "UTC"` it gives the engine's
 * own English messages exactly.
 *
 * ```js
 * const result = engine.evaluate(customer, cart, context);
 * const shown = localize(result, { locale: "hi-IN", timeZone: "Asia/Kolkata", bundle });
 * shown.cards[1].reasons[0].message; // "अनलॉक करने के लिए ₹1,800 और जोड़ें"
 * ```
 *
 * - `locale`: a BCP 47 tag; its language picks the catalogue (English, Hindi,
 *   Ukrainian), the whole tag the number and date formats (`en-IN` groups as
 *   ₹1,00,000). Another language, or no locale, gives English in `en`.
 * - `timeZone`: an IANA zone for dates; else the offset of `now` (the request's
 *   `context.now`); else the bundle's `timeZone.name`; else UTC.
 * - `bundle`: the bundle the result came from (required): a coupon's purchase scope
 *   and tiers say what a progress line counts and what the next tier gives.
 * - `messages`: templates that replace the catalogue's, by key: a reason code
 *   (`min_purchase_value`) replaces every message of that code, a longer key
 *   (`min_spend.lifetime`, `progress.min_orders`, `customer_limit_reached.1`) only
 *   its own. A template names values in braces (`"Add {short} more"`).
 *
 * Throws a CouponEngineError with the engine's codes and the option's path:
 * `invalid_type` for a template that is not text, `unknown_field` for an unknown
 * template key, `invalid_value` for a template naming a value its message does not
 * have or a time zone the runtime's Intl does not know, `missing_field` without the
 * bundle, and `invalid_type` for a result or bundle of the wrong shape.
 */
export function localize(result, options = {}) {
  if (typeof options !== "object" || options === null) throw fail("invalid_type", "options", "must be an object");
  const { locale, timeZone, now, messages, bundle } = options;
  if (typeof result !== "object" || result === null || !Array.isArray(result.cards) || typeof result.currency !== "string") {
    throw fail("invalid_type", "result", "must be an evaluation result");
  }
  if (typeof bundle !== "object" || bundle === null || !Array.isArray(bundle.coupons)) {
    throw fail(bundle === undefined ? "missing_field" : "invalid_type", "bundle", "must be the bundle the result came from");
  }
  const overrides = checkOverrides(messages);
  const fmt = formats(pickLocale(locale), zoneOf(timeZone, now, bundle), result.currency, overrides);
  const coupons = new Map(bundle.coupons.map((c) => [c.id, c]));
  return render(result, fmt, (id) => coupons.get(id));
}

/**
 * The engine's own English messages, written into a result of the WebAssembly module
 * (built without them, for its size budget): the same text the native engine writes,
 * byte for byte, which the package tests hold to every shared vector. `couponOf(id)`
 * gives a coupon of the result's bundle, asked only for cards with progress lines.
 * Not exported from the package: its entries call it on every result they return.
 */
export function english(result, couponOf) {
  let fmt = engineFormats.get(result.currency);
  if (!fmt) {
    // The currency's decimal places, as every amount of the result is written with them.
    const exponent = (result.subtotal.split(".")[1] ?? "").length;
    fmt = formats({ catalogue: en, tag: "en" }, { name: "UTC" }, result.currency, {});
    // The core's own money, date and number forms rather than Intl's, which name some
    // currencies otherwise ("CN¥" for "CNY 5") and may vary by runtime.
    Object.assign(fmt, engineForms(fmt, result.currency, exponent));
    engineFormats.set(result.currency, fmt);
  }
  return render(result, fmt, couponOf);
}

/** The engine's English writers, by currency: made once, as Intl's are slow to make. */
const engineFormats = new Map();

/** Every message of a result written again with `fmt`; every other field kept. */
function render(result, fmt, couponOf) {
  const cards = result.cards.map((card, i) => {
    const reasons = card.reasons.map((r, j) => {
      const { key, values, count } = reasonText(r, card, fmt, () => `result.cards[${i}].reasons[${j}].code`);
      return { ...r, message: fmt.template(key, values, count) };
    });
    if (card.progress.length === 0) return { ...card, reasons };
    const coupon = couponOf?.(card.couponId) ?? {};
    // The core writes one progress line per reason that has one, in the reasons'
    // order, then at most one for a tiered discount's next tier.
    const sources = card.reasons.filter((r) => WITH_PROGRESS.has(r.code));
    const progress = card.progress.map((p, k) => {
      const { key, values, count } = progressText(p, sources[k], card, coupon, fmt);
      return { ...p, message: fmt.template(key, values, count) };
    });
    return { ...card, reasons, progress };
  });
  const unknownCodes = (result.unknownCodes ?? []).map((u) => ({ ...u, message: fmt.template("unknown_code", { code: u.code }) }));
  return { ...result, cards, unknownCodes };
}

function fail(code, path, message) {
  return new CouponEngineError(code, path, message);
}

/**
 * The storefront's templates, checked whole before any is used. A key is one of the
 * English catalogue's, a reason code, or either with a plural or exact-number form.
 */
function checkOverrides(messages) {
  if (messages === undefined || messages === null) return {};
  if (typeof messages !== "object" || Array.isArray(messages)) throw fail("invalid_type", "messages", "must be an object of templates by key");
  for (const [key, template] of Object.entries(messages)) {
    const path = `messages.${key}`;
    const bare = key.replace(FORM, "");
    const known = Object.hasOwn(en, bare) || Object.hasOwn(PARAMS, bare);
    const names = known ? namesOf(bare) : null;
    if (!names) throw fail("unknown_field", path, `${JSON.stringify(key)} is no message key`);
    if (typeof template !== "string") throw fail("invalid_type", path, "must be text");
    for (const [, name] of template.matchAll(/\{([^{}]*)\}/g)) {
      if (!Object.hasOwn(names, name)) throw fail("invalid_value", path, `{${name}} is not a value of ${key}`);
    }
  }
  return messages;
}

/** The catalogue and the Intl locale for a requested tag; an unknown language is English. */
function pickLocale(locale) {
  if (locale === undefined || locale === null) return { catalogue: en, tag: "en" };
  if (typeof locale !== "string") throw fail("invalid_type", "locale", "must be a BCP 47 language tag");
  let tag;
  try {
    [tag] = Intl.getCanonicalLocales(locale);
  } catch {
    return { catalogue: en, tag: "en" };
  }
  const catalogue = catalogues[tag.split("-")[0].toLowerCase()];
  return catalogue ? { catalogue, tag } : { catalogue: en, tag: "en" };
}

/**
 * The zone dates are shown in: `{ name }` for an IANA zone, or `{ offset }` in
 * minutes for the offset of `now` (formatted from UTC by hand, since not every
 * runtime's Intl takes an offset as a zone).
 */
function zoneOf(timeZone, now, bundle) {
  if (timeZone !== undefined && timeZone !== null) {
    if (typeof timeZone !== "string") throw fail("invalid_type", "timeZone", "must be an IANA time zone name");
    try {
      return { name: new Intl.DateTimeFormat("en", { timeZone }).resolvedOptions().timeZone };
    } catch {
      throw fail("invalid_value", "timeZone", `${JSON.stringify(timeZone)} is not a time zone this runtime knows`);
    }
  }
  if (now !== undefined && now !== null) {
    const m = typeof now === "string" && /(?:([+-])(\d\d):(\d\d)|[Zz])$/.exec(now);
    if (!m) throw fail("invalid_date", "now", "must be an RFC 3339 date-time with offset");
    const offset = m[1] ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
    return offset === 0 ? { name: "UTC" } : { offset };
  }
  const name = bundle.timeZone?.name;
  if (typeof name === "string") {
    try {
      return { name: new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone };
    } catch {
      throw fail("invalid_value", "bundle.timeZone.name", `${JSON.stringify(name)} is not a time zone this runtime knows`);
    }
  }
  return { name: "UTC" };
}

/** Writers of each kind of value for one locale, zone and currency. */
function formats({ catalogue, tag }, zone, currency, overrides) {
  const plural = new Intl.PluralRules(tag);
  const numbers = new Intl.NumberFormat(tag, { useGrouping: false, maximumFractionDigits: 20 });
  const moneyFormats = new Map();
  const custom = Object.keys(overrides).length > 0;
  // The catalogue's template for each key and count, as first picked.
  const picked = new Map();
  const catalogued = (key, count) => {
    let byCount = picked.get(key);
    if (byCount === undefined) picked.set(key, (byCount = new Map()));
    let template = byCount.get(count);
    if (template === undefined) byCount.set(count, (template = pick(catalogue, key, count, fmt)));
    return template;
  };
  const dates = new Intl.DateTimeFormat(tag, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    timeZone: zone.name ?? "UTC", timeZoneName: "short",
  });
  const fmt = {
    catalogue,
    plural: (n) => plural.select(n),
    // Exact: Intl formats a decimal string without going through a float. A zero
    // fraction is left out, as the engine's English does ("₹1,200", "₹420.50").
    money(amount) {
      const fraction = amount.split(".")[1] ?? "";
      const digits = /[1-9]/.test(fraction) ? fraction.length : 0;
      if (!moneyFormats.has(digits)) {
        moneyFormats.set(digits, new Intl.NumberFormat(tag, {
          style: "currency", currency, currencyDisplay: "narrowSymbol", minimumFractionDigits: digits, maximumFractionDigits: digits,
        }));
      }
      return moneyFormats.get(digits).format(digits ? amount : amount.split(".")[0]);
    },
    count: (n) => numbers.format(n),
    number: (text) => numbers.format(text),
    date(instant) {
      const at = new Date(instant);
      const shifted = zone.offset === undefined ? at : new Date(at.getTime() + zone.offset * 60000);
      const parts = Object.fromEntries(dates.formatToParts(shifted).map((p) => [p.type, p.value]));
      const zoneName = zone.offset === undefined ? parts.timeZoneName : gmt(zone.offset);
      return fmt.template("date", { day: parts.day, month: parts.month, year: parts.year, hour: parts.hour, minute: parts.minute, zone: zoneName });
    },
    // The core's English span ("1 month 2 days"), a unit at a time.
    period(text) {
      return [...text.matchAll(/(\d+) (month|week|day|hour|minute)s?/g)]
        .map(([, n, unit]) => fmt.template(`unit.${unit}`, { count: fmt.count(Number(n)) }, Number(n)))
        .join(" ");
    },
    // "a", "a or b", "a, b or c".
    or: (ids) => ids.map((id, i) => (i === 0 ? "" : i + 1 === ids.length ? fmt.template("list.or", {}) : fmt.template("list.comma", {})) + id).join(""),
    list: (ids) => ids.join(fmt.template("list.comma", {})),
    text: (s) => s,
    // The storefront's template (for the key, then for a reason's code), else the
    // catalogue's. `values`: an object of texts, or a function from a name to its text.
    template(key, values, count) {
      let template;
      if (custom) {
        const code = key.startsWith("progress.") ? key : key.split(".")[0];
        template = pick(overrides, key, count, fmt) ?? pick(overrides, code, count, fmt);
      }
      template ??= catalogued(key, count);
      const value = typeof values === "function" ? values : (name) => (Object.hasOwn(values, name) ? values[name] ?? "" : undefined);
      return fill(template, value, key);
    },
  };
  return fmt;
}

/** The core's currency symbols (src/money.rs); any other currency is written by its code. */
const SYMBOLS = { INR: "₹", USD: "$", EUR: "€", GBP: "£", JPY: "¥", UAH: "₴" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Writers of the core's English forms, for `fmt` in `currency` with `exponent` decimal
 * places: "₹1,200", "₹99.50", "KWD 1.250", "1 Dec 2026, 00:00 UTC", "94.9".
 */
function engineForms(fmt, currency, exponent) {
  const two = (n) => String(n).padStart(2, "0");
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  return {
    plural: (n) => (Number(n) === 1 ? "one" : "other"),
    // Groups of three; a fraction of zeros is left out.
    money(amount) {
      const dot = amount.indexOf(".");
      const int = dot < 0 ? amount : amount.slice(0, dot);
      const fraction = dot < 0 ? "" : amount.slice(dot + 1);
      let out = symbol;
      for (let i = 0; i < int.length; i += 1) {
        if (i > 0 && (int.length - i) % 3 === 0) out += ",";
        out += int[i];
      }
      return /[1-9]/.test(fraction) ? `${out}.${fraction.padEnd(exponent, "0")}` : out;
    },
    count: (n) => String(n),
    number: (text) => (String(text).includes(".") ? String(text).replace(/\.?0+$/, "") : String(text)),
    date(instant) {
      const at = new Date(instant);
      return fmt.template("date", {
        day: String(at.getUTCDate()), month: MONTHS[at.getUTCMonth()], year: String(at.getUTCFullYear()).padStart(4, "0"),
        hour: two(at.getUTCHours()), minute: two(at.getUTCMinutes()), zone: "UTC",
      });
    },
    // The core's English span as it is ("90 days").
    period: (text) => text,
  };
}

/** "GMT+5:30", as Intl names a zone it knows only by offset. */
function gmt(offset) {
  const abs = Math.abs(offset);
  const minutes = abs % 60;
  return `GMT${offset < 0 ? "-" : "+"}${Math.floor(abs / 60)}${minutes ? `:${String(minutes).padStart(2, "0")}` : ""}`;
}

/** A template of `templates` for `key`: its form for exactly `count`, then its plural form, then the key itself. */
function pick(templates, key, count, fmt) {
  if (count !== undefined) {
    const exact = templates[`${key}.${count}`] ?? templates[`${key}.${fmt.plural(count)}`];
    if (exact !== undefined) return exact;
  }
  return templates[key];
}

/** Each template split once at its names: texts at even indices, names at odd ones. */
const compiled = new Map();

/** `template` with each `{name}` replaced by `value(name)`; a name it has no value for is an error. */
function fill(template, value, key) {
  let parts = compiled.get(template);
  if (parts === undefined) {
    parts = template.split(/\{([^{}]*)\}/);
    compiled.set(template, parts);
  }
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const text = value(parts[i]);
    if (text === undefined) throw fail("invalid_value", `messages.${key}`, `{${parts[i]}} is not a value of ${key}`);
    out += text + parts[i + 1];
  }
  return out;
}

/** Each param written for people by its kind, as a template asks for it: name to text. */
function written(code, params, extra, fmt) {
  const kinds = PARAMS[code] ?? {};
  return (name) => {
    if (!Object.hasOwn(kinds, name)) return undefined;
    const v = Object.hasOwn(extra, name) ? extra[name] : params[name];
    return v === null || v === undefined ? "" : fmt[kinds[name]](v);
  };
}

/** Whether two decimal strings are the same number ("5000" and "5000.00"). */
function sameDecimal(a, b) {
  const plain = (s) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  return plain(a) === plain(b);
}

/** Exact `a - b` of two decimal strings with the same number of decimals. */
function minus(a, b) {
  const digits = (a.split(".")[1] ?? "").length;
  const units = (s) => BigInt(s.replace(".", ""));
  const d = units(a) - units(b);
  const sign = d < 0n ? "-" : "";
  const text = (d < 0n ? -d : d).toString().padStart(digits + 1, "0");
  return digits ? `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}` : `${sign}${text}`;
}

/** The key, values and plural count of a reason's message. */
function reasonText(reason, card, fmt, pathOf) {
  const { code } = reason;
  const p = reason.params ?? {};
  if (!Object.hasOwn(PARAMS, code)) throw fail("unknown_variant", pathOf(), `${JSON.stringify(code)} is no reason code of this package`);
  const extra = {};
  let key = code;
  let count;
  switch (code) {
    case "budget_exhausted":
      if (!/[1-9]/.test(p.remaining)) key = "budget_exhausted.empty";
      break;
    case "customer_limit_reached": count = p.limit; break;
    case "more_previous_orders": count = p.required; break;
    case "min_orders":
    case "min_spend":
    case "used_coupon_required":
      if (p.period === null || p.period === undefined) key += ".lifetime";
      count = code === "min_orders" ? p.required : undefined;
      break;
    case "more_purchases":
      if (p.productIds) key += ".products";
      count = p.required;
      break;
    case "product_not_bought":
      if (p.priceTierId) key += ".tier";
      break;
    case "course_incomplete": extra.course = p.courseName ?? p.courseId; break;
    case "min_purchase_value":
    case "min_value_after_discounts":
      extra.short = minus(p.required, p.current);
      break;
    case "min_quantity":
      extra.short = p.required - p.current;
      count = extra.short;
      break;
    case "max_quantity": count = p.limit; break;
    case "outside_schedule":
      // The day and time are the merchant's clock's: the shopper's zone leaves them be.
      if (!/^(mon|tue|wed|thu|fri|sat|sun)$/.test(p.day)) throw fail("invalid_value", pathOf(), "params.day is no weekday");
      if (p.inDays < 2) key += p.inDays ? ".tomorrow" : ".today";
      extra.weekday = fmt.template(`weekday.${p.day}`, {});
      break;
    case "code_not_entered":
      if (card.code === null || card.code === undefined) key += ".secret";
      extra.code = card.code;
      break;
    case "too_many_codes": count = p.max; break;
    case "gift_not_in_cart":
    case "gift_choice_not_in_cart":
      count = p.quantity;
      break;
  }
  return { key, values: written(code, p, extra, fmt), count };
}

/** The ids a coupon's purchase scope names, or null for the whole cart. */
function scopeIds(coupon) {
  const scope = coupon.purchase?.scope;
  if (!scope || typeof scope !== "object") return null;
  return scope.products ?? scope.collections ?? scope.offers ?? null;
}

/** The key, values and plural count of a progress line, from the reason it measures (none: the next tier). */
function progressText(progress, reason, card, coupon, fmt) {
  const unit = PROGRESS_UNIT[progress.unit] ?? "number";
  const own = (v) => (unit === "count" ? fmt.count(Number(v)) : fmt[unit](v));
  // The line's own figures, written only when a template names them.
  const figures = (name) => {
    switch (name) {
      case "current": case "target": case "remaining": return own(progress[name]);
      case "percent": return fmt.count(progress.percent);
    }
    return undefined;
  };
  if (!reason) {
    const tier = (coupon.discount?.tiered?.tiers ?? []).find((t) => typeof t.minValue === "string" && sameDecimal(t.minValue, progress.target));
    const amount = tier?.amount !== undefined;
    const reward = () => (amount ? fmt.money(tier.amount) : fmt.number(tier?.percent ?? ""));
    return { key: amount ? "progress.next_tier.amount" : "progress.next_tier", values: (name) => (name === "reward" ? reward() : figures(name)) };
  }
  const { key: reasonKey, values } = reasonText(reason, card, fmt, () => "result.cards.reasons.code");
  let key = `progress.${reason.code}`;
  let count;
  const ids = scopeIds(coupon);
  // What the cart counts: the scope's lines, less those on sale when the coupon excludes them.
  const counted = (ids ? ".scoped" : "") + (coupon.purchase?.excludeSaleItems === true ? ".sale" : "");
  switch (reason.code) {
    case "min_purchase_value":
    case "min_value_after_discounts":
      key += counted;
      break;
    case "min_quantity":
      key += counted;
      count = Number(progress.target);
      break;
    case "min_spend":
      if (reasonKey.endsWith(".lifetime")) key += ".lifetime";
      break;
    case "course_incomplete":
      break;
    default:
      count = Number(progress.remaining);
  }
  const value = (name) => (name === "scope" ? (ids ? fmt.or(ids) : "") : figures(name) ?? values(name));
  return { key, values: value, count };
}
