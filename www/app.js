// The demo checkout. Choosing a persona signs in as that customer (POST /api/session,
// a signed HttpOnly cookie). The page fetches the signed bundle, which carries the
// shop's catalogue, and the signed-in customer's summary, verifies both inside the
// WebAssembly module, and then re-evaluates on every change (quantity, code, delivery,
// payment) with no network call. Placing an order sends product ids, quantities and the
// prices shown; the server builds the cart from its own catalogue and rechecks the
// result with the same engine. A placed order replaces the checkout with its
// confirmation, and the cart starts again empty. The cards are shown in the language
// the header's switch picks and in the shopper's time zone, rendered by the package's
// localize from each reason's code and params; the engine's own result, which the
// order claims, stays as the engine gave it. Below, "Your orders" lists the shopper's
// orders as the server recorded them (GET /api/orders); a confirmed one can be
// returned, and the page says what the refund pays and which later discounts it takes
// back, in the server's amounts.
import init, { Engine, localize, verifySummary } from "/pkg/index.js";

const $ = (id) => document.getElementById(id);
// Whole rupees without decimals ("₹12,400"), otherwise two ("₹974.10").
const rupees = (amount) => {
  const n = Number(amount);
  return "₹" + n.toLocaleString("en-IN", { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 });
};

const state = {
  engine: null, jwks: null, currency: null, catalogue: null, coupons: new Map(), customerId: null, customer: null, personas: [],
  lines: [{ productId: "tea-assam", quantity: 2 }, { productId: "kettle", quantity: 1 }],
  codes: [], shipping: "standard", payment: "card", result: null,
  // The bundle (for localize), the cards' locale, and the result as the shopper reads it.
  bundle: null, locale: "en-IN", shown: null,
  // "signing-in" or "placing" while a request that changes what Place order means is out.
  busy: null,
  // One idempotency key per placement attempt: a retry of the same request (after a
  // network error, say) replays the order instead of placing a second one.
  attempt: null,
  // The signed-in shopper's orders as the server lists them, newest first, and the id
  // of the order whose return is out.
  orders: [], returning: null,
};

const now = () => new Date().toISOString();
const product = (id) => state.catalogue.products.find((p) => p.id === id);

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    Object.assign(this, { status, code: body?.code ?? `http_${status}`, body });
  }
}

/** Calls the API with the session cookie; throws ApiError for any non-2xx answer. */
async function api(path, { method = "GET", body } = {}) {
  const response = await fetch(path, {
    method, credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reply = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, reply);
  return { status: response.status, reply };
}

/** The payload of a compact JWS (already verified by the module): base64url JSON. */
function jwsPayload(token) {
  const b64 = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

// The cart exactly as the server builds it from its catalogue (server/src/catalogue.rs):
// line i is `line-${i + 1}`, prices (compare-at prices too), collections and offers are the catalogue's.
function cart() {
  return {
    currency: state.currency,
    lines: state.lines.map((l, i) => {
      const p = product(l.productId);
      const line = { id: `line-${i + 1}`, productId: p.id, collectionIds: p.collectionIds ?? [], unitPrice: p.price, quantity: l.quantity };
      if (p.offerId) line.offerId = p.offerId;
      if (p.compareAtPrice) line.compareAtPrice = p.compareAtPrice;
      if (p.taxRate !== undefined) line.taxRate = p.taxRate;
      return line;
    }),
    pricesIncludeTax: state.catalogue.pricesIncludeTax ?? false,
    shipping: { options: state.catalogue.shipping.map(({ id, amount }) => ({ id, amount })), selectedId: state.shipping },
  };
}

// The shopper's own time zone, from the browser: dates in the cards are shown in it.
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Switches the cards' language and re-renders them; focus stays on the switch. */
function setLanguage(locale) {
  state.locale = locale;
  document.body.dataset.locale = locale;
  evaluate(["language"]);
}

function context() {
  return { now: now(), paymentMethod: state.payment, codes: state.codes };
}

/** The key of the focused control, if it has one (see restoreFocus). */
const focusedKey = () => document.activeElement?.dataset?.focus ?? null;

// A render replaces the cart lines, code chips and cards, so the control that had focus
// is gone and focus would fall to <body> (keyboard users lose their place). Controls
// carry a data-focus key; after a render, focus goes to the first of `keys` that is on
// the page and can take focus (one inside a closed disclosure cannot).
function restoreFocus(keys) {
  if (document.activeElement && document.activeElement !== document.body) return;
  focusFirst(keys);
}

function focusFirst(keys) {
  for (const key of keys) {
    const node = key && document.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    node?.focus();
    if (node && document.activeElement === node) return;
  }
}

/** Evaluates the cart and renders it; `fallbacks` are where focus goes if its control went. */
function evaluate(fallbacks = []) {
  if (!state.engine || !state.customer) return;
  const had = focusedKey();
  const started = performance.now();
  state.result = state.engine.evaluate(state.customer, cart(), context());
  const ms = performance.now() - started;
  state.shown = localize(state.result, { locale: state.locale, timeZone, bundle: state.bundle });
  $("timing").textContent = `evaluated in ${ms.toFixed(2)} ms`;
  render();
  restoreFocus([had, ...fallbacks]);
}

function el(tag, { dataset, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  if (dataset) Object.assign(node.dataset, dataset); // dataset itself is read-only
  for (const child of children) node.append(child);
  return node;
}

/** Text only screen readers hear: the words a sighted shopper gets from the layout. */
const srOnly = (text) => el("span", { className: "sr-only", textContent: text });

/** A struck-out old price and the new one, read as "was …, now …". */
function wasNow(was, now) {
  return [el("s", { className: "was" }, srOnly("was "), rupees(was)), " ", srOnly("now "), rupees(now)];
}

function renderLines() {
  if (state.lines.length === 0) {
    $("lines").replaceChildren(el("li", { className: "line empty muted", textContent: "Your cart is empty: add a product below." }));
    return;
  }
  const byId = Object.fromEntries(state.result.lines.map((l) => [l.lineId, l]));
  $("lines").replaceChildren(...cart().lines.map((line, i) => {
    const p = product(line.productId);
    const totals = byId[line.id];
    const minus = el("button", { type: "button", textContent: "−", ariaLabel: `One less ${p.title}`, dataset: { focus: `minus:${p.id}` } });
    const plus = el("button", { type: "button", textContent: "+", ariaLabel: `One more ${p.title}`, dataset: { focus: `plus:${p.id}` } });
    minus.onclick = () => changeQuantity(i, -1);
    plus.onclick = () => changeQuantity(i, +1);
    const price = el("span", { className: "price" });
    if (totals.discount !== "0.00") {
      price.append(...wasNow(totals.subtotal, totals.total), el("span", { className: "off" }, `−${rupees(totals.discount)}`, srOnly(" discount")));
    } else {
      price.append(rupees(totals.subtotal));
    }
    const quantity = el("span", { className: "qty", role: "group", ariaLabel: `Quantity of ${p.title}` },
      minus, el("span", { className: "count" }, srOnly("Quantity "), String(line.quantity)), plus);
    return el("li", { className: "line", dataset: { productId: line.productId } },
      el("span", { className: "name", textContent: p.title }), price,
      quantity, el("span", { className: "muted", textContent: `${rupees(p.price)} each` }));
  }));
}

/** One more or one less of line `i`; at zero the line leaves the cart. */
function changeQuantity(i, delta) {
  const id = state.lines[i].productId;
  state.lines[i].quantity += delta;
  if (state.lines[i].quantity === 0) state.lines.splice(i, 1);
  // A removed line's buttons are gone: the next line's, the previous one's, or "Add products".
  const neighbour = state.lines[i] ?? state.lines[i - 1];
  evaluate([`minus:${id}`, neighbour && `minus:${neighbour.productId}`, "add-products", "cart-heading"]);
}

function countdown(expiresAt) {
  const left = new Date(expiresAt) - new Date();
  if (left <= 0) return "expired";
  const h = Math.floor(left / 3_600_000), m = Math.floor(left / 60_000) % 60, s = Math.floor(left / 1000) % 60;
  return h >= 48 ? `ends in ${Math.floor(h / 24)} days` : `ends in ${h}h ${String(m).padStart(2, "0")}m ${String(s).padStart(2, "0")}s`;
}

/** When an offer ends, in the cards' locale and the shopper's time zone ("23 Nov, 12:00 IST"). */
const until = (instant) => new Intl.DateTimeFormat(state.locale, {
  timeZone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
}).format(new Date(instant));

// Cards that cannot apply for this customer whatever the cart: folded into a disclosure
// below the ones that apply or can be unlocked, unless the shopper entered the code.
const FOLDED = new Set(["ineligible", "expired", "exhausted"]);
const isFolded = (card) => FOLDED.has(card.status) && !state.codes.includes(card.code?.toUpperCase());

// Which progress a reason measures (README: a card's `progress`). Cart value and
// quantity move with this cart; spend and orders count the customer's past orders.
const PROGRESS_OF = { min_purchase_value: "cartValue", min_value_after_discounts: "cartValue", min_quantity: "quantity", min_orders: "orders", more_previous_orders: "orders", min_spend: "spend",
  more_purchases: "orders", course_incomplete: "course" };
const IN_THIS_CART = new Set(["cartValue", "quantity"]);

/** The names of the catalogue products a scoped coupon counts, or null for the whole cart. */
function scopedProducts(couponId) {
  const scope = state.coupons.get(couponId)?.purchase?.scope;
  if (!scope || scope === "entireCart") return null;
  const counts = (p) => scope.products?.includes(p.id) || scope.collections?.some((c) => p.collectionIds?.includes(c))
    || scope.offers?.includes(p.offerId);
  const names = state.catalogue.products.filter(counts).map((p) => p.title);
  return names.length ? names : [...(scope.products ?? scope.collections ?? scope.offers ?? [])];
}

/**
 * A reason's line, with the progress it measures: for this cart a bar (which repeats the
 * sentence, so screen readers skip it), for the customer's history a sentence, no bar.
 */
function reasonLine(message, p, reason) {
  // The engine's messages are in the chosen language; the page's own words stay English.
  const line = el("p", { className: "reason", textContent: message, lang: state.locale });
  if (!p) return [line];
  if (IN_THIS_CART.has(p.unit)) {
    line.append(srOnly(` (${p.percent}% of the way)`));
    return [line, el("div", { className: "progress", ariaHidden: "true" }, el("span", { style: `width:${p.percent}%` }))];
  }
  // A course's progress names the course and what is left ("Complete 0.1% more of Rust 101").
  if (p.unit === "course") return [line, el("p", { className: "history", textContent: p.message, lang: state.locale })];
  // In another language the progress line says it; the page's own sentence is English.
  if (!state.locale.startsWith("en")) return [line, el("p", { className: "history", textContent: p.message, lang: state.locale })];
  const period = reason?.params?.period ? ` in the last ${reason.params.period}` : "";
  const text = p.unit === "spend"
    ? `Your orders so far${period}: ${rupees(p.current)} of ${rupees(p.target)}. This cart counts once it is ordered.`
    : `Your orders so far${period}: ${p.current} of ${p.target}.`;
  return [line, el("p", { className: "history", textContent: text })];
}

/** Each reason once, with the progress it measures; then progress with no reason (the next tier). */
function reasonNodes(card) {
  const progress = [...card.progress];
  // Removes and returns the progress in `unit`, so what is left has no reason of its own.
  const take = (unit) => {
    const i = progress.findIndex((p) => p.unit === unit);
    return i < 0 ? undefined : progress.splice(i, 1)[0];
  };
  const nodes = [];
  const said = new Set();
  for (const reason of card.reasons) {
    // Two reasons can read the same to a shopper (audience and segment): say it once.
    if (said.has(reason.message)) continue;
    said.add(reason.message);
    nodes.push(...reasonLine(reason.message, take(PROGRESS_OF[reason.code]), reason));
  }
  for (const p of progress) nodes.push(...reasonLine(p.message, p));
  return nodes;
}

function renderCard(card) {
  const node = el("li", { className: "card", tabIndex: -1, dataset: { status: card.status, couponId: card.couponId, focus: `card:${card.couponId}` } },
    el("header", {}, el("h3", { textContent: card.title }), el("span", { className: "badge", textContent: card.status })));
  const closed = FOLDED.has(card.status);
  // The engine picks the description for this shopper (a coupon's
  // `descriptionForOthers` speaks to those its audience or history leaves out); a
  // folded card gets only the reason why not.
  if (card.description && !closed) node.append(el("p", { className: "muted", textContent: card.description }));
  if (card.saving && card.saving !== "0.00") {
    node.append(el("p", { className: "saving" }, `Saves ${rupees(card.saving)} · total `, ...wasNow(card.priceBefore, card.priceAfter)));
  }
  if (closed) {
    // Its worst reason is why; "add ₹100 more" or a bar would promise what cannot happen.
    if (card.reasons[0]) node.append(el("p", { className: "reason", textContent: card.reasons[0].message, lang: state.locale }));
    return node;
  }
  node.append(...reasonNodes(card));
  const scoped = card.status === "applied" ? null : scopedProducts(card.couponId);
  if (scoped) node.append(el("p", { className: "scope", textContent: `Eligible items: ${scoped.join(", ")}` }));
  if (card.expiresAt) {
    // The countdown ticks (main's interval); the end itself is shown in the shopper's zone.
    node.append(el("p", { className: "expiry" }, el("span", { dataset: { expiresAt: card.expiresAt }, textContent: countdown(card.expiresAt) }),
      ` · until ${until(card.expiresAt)}`));
  }
  if (card.status === "available" && card.code && card.reasons.some((r) => r.code === "code_not_entered")) {
    const apply = el("button", { type: "button", textContent: `Apply ${card.code}`, dataset: { focus: `apply:${card.couponId}` } });
    apply.onclick = () => enterCode(card.code, [`card:${card.couponId}`, "code-input"]);
    node.append(apply);
  }
  return node;
}

function renderCards() {
  const cards = state.shown.cards;
  $("cards").replaceChildren(...cards.filter((c) => !isFolded(c)).map(renderCard));
  const folded = cards.filter(isFolded);
  // The disclosure itself stays, so it keeps its open or closed state across renders.
  $("more-cards").hidden = folded.length === 0;
  $("more-cards").querySelector("summary").textContent =
    `${folded.length} more coupon${folded.length === 1 ? "" : "s"} not available to you`;
  $("folded-cards").replaceChildren(...folded.map(renderCard));
}

function renderCodes() {
  $("codes").replaceChildren(...state.codes.map((code, i) => {
    const remove = el("button", { type: "button", textContent: "×", ariaLabel: `Remove code ${code}`, dataset: { focus: `remove:${code}` } });
    const next = state.codes[i + 1] ?? state.codes[i - 1];
    remove.onclick = () => {
      state.codes = state.codes.filter((c) => c !== code);
      codeFeedback("", "");
      evaluate([next && `remove:${next}`, "code-input"]);
    };
    return el("li", {}, code, remove);
  }));
}

function renderTotals() {
  const r = state.result;
  const rows = [["Subtotal", rupees(r.subtotal)], ["Delivery", rupees(r.shipping)]];
  for (const a of r.applied) rows.push([a.title, `−${rupees(a.amount)}`, "saving"]);
  rows.push(["Total", rupees(r.totalAfter), "grand"]);
  // The GST in a total that includes it (the result's breakdown, per line and in all).
  if (r.tax) rows.push(["incl. GST", rupees(r.tax.tax), "tax"]);
  $("totals").replaceChildren(...definitionRows(rows));
  $("bar-total").textContent = rupees(r.totalAfter);
}

function definitionRows(rows) {
  return rows.flatMap(([k, v, cls]) => [el("dt", { textContent: k, className: cls ?? "" }), el("dd", { textContent: v, className: cls ?? "" })]);
}

// The catalogue's products (to add) and delivery options, as the signed bundle lists them.
function renderCatalogue() {
  $("catalogue").replaceChildren(...state.catalogue.products.map((p) => {
    const add = el("button", { type: "button", textContent: "Add", ariaLabel: `Add ${p.title}`, dataset: { focus: `add:${p.id}` } });
    add.onclick = () => {
      const line = state.lines.find((l) => l.productId === p.id);
      if (line) line.quantity += 1; else state.lines.push({ productId: p.id, quantity: 1 });
      evaluate();
    };
    const label = el("span", { textContent: `${p.title} · ` });
    if (p.compareAtPrice) label.append(...wasNow(p.compareAtPrice, p.price)); else label.append(rupees(p.price));
    return el("li", {}, label, add);
  }));
  $("shipping-options").replaceChildren(...state.catalogue.shipping.map((o) => {
    const input = el("input", { type: "radio", name: "shipping", value: o.id, checked: o.id === state.shipping });
    input.onchange = () => { state.shipping = o.id; evaluate(); };
    return el("label", {}, input, ` ${o.title} · ${rupees(o.amount)}`);
  }));
}

function renderPlace() {
  const button = $("place");
  const empty = state.lines.length === 0;
  button.disabled = state.busy !== null || empty || !state.result;
  button.textContent = state.busy === "placing" ? "Placing order…" : "Place order";
  $("place-hint").hidden = !empty;
  $("persona").disabled = state.busy !== null;
}

function render() {
  renderLines();
  renderCodes();
  renderCards();
  renderTotals();
  renderPlace();
}

function showMessage(id, text, kind) {
  const node = $(id);
  node.textContent = text;
  node.className = `message ${kind}`;
}

/** Marks the code input invalid (or not), with the message that says why. */
function codeFeedback(text, kind) {
  showMessage("code-message", text, kind);
  $("code").setAttribute("aria-invalid", String(kind === "error" && text !== ""));
}

/**
 * Enters a code and says what it did. An unknown code is not kept (no chip for it); the
 * input keeps it to correct. Returns whether the code was kept.
 */
function enterCode(raw, fallbacks = []) {
  const code = raw.trim().toUpperCase();
  if (!code) {
    // Nothing entered: the last code's error no longer applies.
    codeFeedback("", "");
    return false;
  }
  if (state.codes.includes(code)) {
    codeFeedback(`${code} is already entered.`, "");
    return true;
  }
  state.codes.push(code);
  evaluate(fallbacks);
  const unknown = state.shown.unknownCodes.find((u) => u.code.toUpperCase() === code);
  if (unknown) {
    state.codes = state.codes.filter((c) => c !== code);
    evaluate(fallbacks);
    codeFeedback(unknown.message, "error");
    return false;
  }
  const card = state.shown.cards.find((c) => c.code?.toUpperCase() === code);
  if (card?.status === "applied") codeFeedback(`${code} applied: you save ${rupees(card.saving)}`, "ok");
  else if (card) codeFeedback(`${code}: ${card.reasons[0]?.message ?? card.status}`, "warn");
  else codeFeedback(`${code} entered.`, "");
  return true;
}

/** The signed bundle and the catalogue it carries: verified, then used for every cart. */
async function loadBundle() {
  const { reply: { token } } = await api("/api/bundle");
  state.engine = Engine.fromSigned(token, state.jwks, now());
  const payload = jwsPayload(token);
  state.currency = payload.bundle.currency;
  state.bundle = payload.bundle;
  state.coupons = new Map(payload.bundle.coupons.map((c) => [c.id, c]));
  state.catalogue = payload.catalogue;
  // Products or options the shop no longer offers leave the cart.
  state.lines = state.lines.filter((l) => product(l.productId));
  if (!state.catalogue.shipping.some((o) => o.id === state.shipping)) state.shipping = state.catalogue.shipping[0]?.id ?? null;
  renderCatalogue();
}

/** The signed-in customer's summary: their history, including orders placed here. */
async function loadSummary(customerId) {
  // A persona chosen while an earlier summary is on its way wins: the earlier answer
  // (or its refusal, the session having moved on) is dropped.
  const asked = (state.summaryRequests = (state.summaryRequests ?? 0) + 1);
  const stale = () => asked !== state.summaryRequests;
  let token;
  try {
    ({ reply: { token } } = await api(`/api/customers/${encodeURIComponent(customerId)}/summary`));
  } catch (e) {
    if (stale()) return;
    throw e;
  }
  if (stale()) return;
  state.customer = verifySummary(token, state.jwks, now(), customerId);
  state.customerId = customerId;
  const orders = state.customer.orders?.length ?? 0;
  $("persona-history").textContent = `${customerId} · ${orders} past order${orders === 1 ? "" : "s"} in the signed history.`;
  evaluate();
  document.body.dataset.customerId = customerId;
}

/** Choosing a persona signs in as that customer, then loads their summary. */
async function signIn(customerId) {
  state.busy = "signing-in";
  renderPlace();
  showCheckout();
  try {
    await api("/api/session", { method: "POST", body: { customerId } });
    state.codes = [];
    state.attempt = null;
    codeFeedback("", "");
    $("order-message").textContent = "";
    // Another shopper's orders never stay on screen while this one's load.
    state.orders = [];
    showMessage("orders-message", "", "");
    renderOrders();
    await loadSummary(customerId);
    await loadOrders();
  } catch (e) {
    $("persona").value = state.customerId ?? "";
    showMessage("order-message", `Could not sign in as ${customerId} (${e.code ?? "network"}): ${e.message}`, "error");
  } finally {
    state.busy = null;
    renderPlace();
  }
}

function orderLines() {
  return state.lines.map((l) => {
    const p = product(l.productId);
    const line = { productId: l.productId, quantity: l.quantity, unitPrice: p.price };
    if (p.compareAtPrice) line.compareAtPrice = p.compareAtPrice;
    return line;
  });
}

/** The idempotency key for this request: kept while the request stays the same. */
function idempotencyKey(request) {
  const fingerprint = JSON.stringify([state.customerId, request]);
  if (state.attempt?.fingerprint !== fingerprint) state.attempt = { fingerprint, key: crypto.randomUUID() };
  return state.attempt.key;
}

function rejection(e) {
  const body = e.body ?? {};
  switch (e.code) {
    case "claim_rejected":
      return body.differences?.map((d) => d.message).join("; ") || e.message;
    case "limit_reached":
      return `a coupon's usage limit was reached meanwhile (${body.couponId}); it no longer applies`;
    case "too_many_reservations":
    case "rate_limited":
    case "unavailable":
    case "not_signed_in":
      return e.message;
    default:
      return `${e.message}${body.path ? ` (${body.path})` : ""}`;
  }
}

// The claim is what the server's recheck compares: the totals, the discounts applied
// and each line's subtotal. The cards stay in the browser (about 1 KB sent instead of
// the whole result, which is tens of KB with a large bundle).
function claimOf(result) {
  return {
    totalAfter: result.totalAfter,
    discountTotal: result.discountTotal,
    applied: result.applied.map(({ couponId, amount }) => ({ couponId, amount })),
    lines: result.lines.map(({ lineId, subtotal }) => ({ lineId, subtotal })),
  };
}

async function placeOrder() {
  if (state.busy || !state.result) return;
  if (state.lines.length === 0) {
    showMessage("order-message", "Your cart is empty: add a product first.", "error");
    return;
  }
  const paymentMethod = state.payment;
  const request = {
    lines: orderLines(), shippingId: state.shipping, paymentMethod, codes: [...state.codes],
    claimed: claimOf(window.__tamper ? window.__tamper(state.result) : state.result),
  };
  const body = { idempotencyKey: idempotencyKey(request), ...request };
  state.busy = "placing";
  renderPlace();
  showMessage("order-message", "", ""); // the button says "Placing order…"
  let order;
  try {
    order = (await api("/api/orders", { method: "POST", body })).reply;
    if (order.state === "reserved") {
      // The payment step: the server checks it is the method the order was placed with.
      await api(`/api/orders/${encodeURIComponent(order.orderId)}/confirm`, { method: "POST", body: { paymentMethod } });
    }
  } catch (e) {
    await placementFailed(e, order);
    // A reservation whose payment failed is one of the shopper's orders, awaiting payment.
    if (order) await loadOrders();
    state.busy = null;
    renderPlace();
    // The button was disabled while the request was out, which drops its focus.
    restoreFocus(["place"]);
    return;
  }
  const placed = { lines: request.lines, result: state.result };
  // Placed and confirmed: the next order is a new request, with a new key, from an
  // empty cart. The new summary carries this order (first-order coupons, usage limits),
  // the new bundle the global counts.
  state.attempt = null;
  state.lines = [];
  state.codes = [];
  codeFeedback("", "");
  showConfirmation(order, placed);
  try {
    await loadBundle();
    await loadSummary(state.customerId);
    await loadOrders();
  } catch (e) {
    $("confirmation-note").textContent += ` The page could not refresh (${e.code ?? "network"}): reload it.`;
  } finally {
    state.busy = null;
    renderPlace();
  }
}

/** Says why a placement failed, and what to do next. */
async function placementFailed(e, order) {
  if (!(e instanceof ApiError)) {
    // The request may or may not have reached the server: the same key replays it.
    showMessage("order-message", `Network error: ${e.message}. Place the order again; it will not be placed twice.`, "error");
  } else if (order) {
    showMessage("order-message", `Order ${order.orderId} is reserved but could not be confirmed (${e.code ?? "network"}): ${e.message}`, "error");
  } else if (e.code === "price_changed") {
    const changes = (e.body.differences ?? []).map((d) => `${product(d.productId)?.title ?? d.productId} is now ${rupees(d.actual)}`);
    await loadBundle().catch(() => {});
    evaluate();
    showMessage("order-message", `Prices changed (price_changed): ${changes.join("; ")}. Check the new total and place the order again.`, "error");
  } else {
    showMessage("order-message", `Order rejected (${e.code}): ${rejection(e)}`, "error");
  }
}

/** The confirmation page: the order as the server recorded it, and what was discounted. */
function showConfirmation(order, placed) {
  $("confirmation-id").textContent = order.orderId;
  $("confirmation-note").textContent = `The server rechecked every discount (recheck accepted${order.replayed ? ", retry replayed: placed once" : ""}).`;
  $("confirmation-items").replaceChildren(...placed.lines.map((l) => el("li", { className: "line" },
    el("span", { className: "name", textContent: `${product(l.productId)?.title ?? l.productId} × ${l.quantity}` }),
    el("span", { className: "price", textContent: rupees(Number(l.unitPrice) * l.quantity) }))));
  // The amounts are the server's order; items and delivery as the accepted claim split them.
  const title = (id) => placed.result.applied.find((a) => a.couponId === id)?.title ?? id;
  const rows = [["Items", rupees(placed.result.subtotal)], ["Delivery", rupees(placed.result.shipping)]];
  for (const d of order.discounts ?? []) rows.push([title(d.couponId), `−${rupees(d.amount)}`, "saving"]);
  if (order.discountTotal !== "0.00") rows.push(["You saved", rupees(order.discountTotal), "saving"]);
  rows.push(["Total paid", rupees(order.totalAfter), "grand"]);
  if (order.tax) rows.push(["incl. GST", rupees(order.tax), "tax"]);
  $("confirmation-totals").replaceChildren(...definitionRows(rows));
  $("checkout").hidden = true;
  $("confirmation").hidden = false;
  document.body.dataset.view = "confirmation";
  window.scrollTo(0, 0);
  $("confirmation-h").focus();
}

function showCheckout() {
  if ($("checkout").hidden === false) return;
  $("confirmation").hidden = true;
  $("checkout").hidden = false;
  document.body.dataset.view = "checkout";
  showMessage("order-message", "", "");
  evaluate();
}

// ---- Your orders --------------------------------------------------------------------

/** A coupon's title as the verified bundle names it (its id once the bundle drops it). */
const couponTitle = (id) => state.coupons.get(id)?.display?.title ?? id;

/** "a", "a and b", "a, b and c". */
const listed = (items) => items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

/** When an order was placed, in the shopper's time zone ("8 Dec 2026, 08:15"). */
const placedOn = (instant) => new Intl.DateTimeFormat("en-IN", {
  timeZone, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
}).format(new Date(instant));

// The states as a shopper reads them; the server's names stay in data-state.
const STATE_LABEL = { reserved: "awaiting payment", confirmed: "confirmed", cancelled: "cancelled", expired: "expired", refunded: "returned" };

/**
 * What a refund paid, and why less than the total when it took discounts back: the
 * server's amounts as it answered them (the page does no arithmetic on money).
 */
function refundSentence(refund, total) {
  if (!refund) return "Returned (refunded before the store recorded what refunds pay).";
  const paid = rupees(refund.amount);
  if (refund.clawbacks.length === 0) {
    // More than the total: an earlier return took part of this order's discount back,
    // and this return pays that back too.
    return refund.amount === total
      ? `Refund ${paid}: the whole total paid.`
      : `Refund ${paid}: the total paid and the discount an earlier return took back from this order.`;
  }
  const taken = refund.clawbacks.map((c) =>
    `the ${rupees(c.amount)} discount (${listed(c.couponIds.map(couponTitle))}) on order ${c.orderId}`);
  return `Refund ${paid}: ${listed(taken)} ${taken.length === 1 ? "is" : "are"} no longer earned without this order.`;
}

/** The items of an order as the server recorded them ("Copper kettle × 1"). */
function orderItems(order) {
  return (order.items ?? []).map((i) => `${product(i.productId)?.title ?? i.productId} × ${i.quantity}`).join(", ");
}

function renderOrder(order) {
  const id = order.orderId;
  const heading = `order-h-${id}`;
  const node = el("li", { className: "order", dataset: { orderId: id, state: order.state } },
    el("header", {},
      el("h3", { id: heading, tabIndex: -1, dataset: { focus: `order:${id}` } }, srOnly("Order "), id),
      el("span", { className: "badge", textContent: STATE_LABEL[order.state] ?? order.state })),
    el("p", { className: "muted" }, "Placed ", el("time", { dateTime: order.placedAt, textContent: placedOn(order.placedAt) })));
  const items = orderItems(order);
  if (items) node.append(el("p", { className: "items", textContent: items }));
  const rows = (order.discounts ?? []).map((d) => [couponTitle(d.couponId), `−${rupees(d.amount)}`, "saving"]);
  rows.push(["Total paid", rupees(order.totalAfter), "grand"]);
  node.append(el("dl", { className: "totals" }, ...definitionRows(rows)));
  // A return of an earlier order that this one's discount counted took part of it back.
  for (const t of order.takenBack ?? []) {
    node.append(el("p", { className: "taken-back", textContent: `${rupees(t.amount)} of this order's discount was taken back when order ${t.byRefundOf} was returned.` }));
  }
  if (order.state === "refunded") node.append(el("p", { className: "refund", textContent: refundSentence(order.refund, order.totalAfter) }));
  if (order.state === "confirmed") {
    const busy = state.returning === id;
    // aria-disabled rather than disabled while a return is out: a disabled button drops
    // the keyboard's focus; returnOrder ignores clicks meanwhile.
    const button = el("button", {
      type: "button", textContent: busy ? "Returning…" : "Return", ariaLabel: `Return order ${id}`, dataset: { focus: `return:${id}` },
    });
    button.setAttribute("aria-disabled", String(state.returning !== null));
    button.onclick = () => returnOrder(id);
    node.append(button);
  }
  return node;
}

function renderOrders() {
  const had = focusedKey();
  const orders = state.orders;
  $("orders-list").replaceChildren(...(orders.length
    ? orders.map(renderOrder)
    : [el("li", { className: "empty", textContent: "No orders yet in this store." })]));
  restoreFocus([had]);
}

/** The signed-in shopper's orders, newest first; a later call's answer wins. */
async function loadOrders() {
  const asked = (state.ordersRequests = (state.ordersRequests ?? 0) + 1);
  const stale = () => asked !== state.ordersRequests;
  $("orders").setAttribute("aria-busy", "true");
  try {
    const { reply } = await api("/api/orders");
    if (stale()) return;
    state.orders = reply.orders;
    renderOrders();
  } catch (e) {
    if (stale()) return;
    showMessage("orders-message", `Could not load your orders (${e.code ?? "network"}): ${e.message}`, "error");
  } finally {
    if (!stale()) {
      $("orders").setAttribute("aria-busy", "false");
      document.body.dataset.ordersLoaded = String(asked);
    }
  }
}

/**
 * Returns a confirmed order. The server prices the refund (its total less the
 * discounts later orders no longer earn without it) and the page says so; a 409 (an
 * unpaid order that a later order counted, or a later order's lost discount larger than
 * this refund, which is returned first) shows the server's message, which says what to do. The history and usage counts change, so the summary and
 * bundle are loaded again and the cart re-evaluated.
 */
async function returnOrder(id) {
  if (state.returning) return;
  state.returning = id;
  showMessage("orders-message", "", "");
  renderOrders();
  let reply;
  try {
    ({ reply } = await api(`/api/orders/${encodeURIComponent(id)}/refund`, { method: "POST" }));
  } catch (e) {
    state.returning = null;
    renderOrders();
    showMessage("orders-message", `Order ${id} was not returned (${e.code ?? "network"}): ${e.message}`, "error");
    focusFirst([`return:${id}`, `order:${id}`]);
    return;
  }
  state.returning = null;
  const index = state.orders.findIndex((o) => o.orderId === id);
  if (index >= 0) state.orders[index] = reply;
  renderOrders();
  showMessage("orders-message", `Order ${id} is returned. ${refundSentence(reply.refund, reply.totalAfter)}`, "ok");
  // Its button is gone: focus goes to the order, which now says what was refunded.
  focusFirst([`order:${id}`]);
  try {
    await loadOrders();
    await loadBundle();
    await loadSummary(state.customerId);
  } catch (e) {
    showMessage("orders-message", `${$("orders-message").textContent} The page could not refresh (${e.code ?? "network"}): reload it.`, "warn");
  }
}

async function main() {
  await init();
  state.jwks = (await api("/.well-known/jwks.json")).reply;
  await loadBundle();
  state.personas = (await api("/api/customers")).reply;
  $("persona").replaceChildren(...state.personas.map((p) => el("option", { value: p.customerId, textContent: p.label })));
  $("persona").onchange = (e) => signIn(e.target.value);
  $("language").onchange = (e) => setLanguage(e.target.value);
  $("language").dataset.focus = "language";
  $("time-zone").textContent = `Dates in the cards are in your time zone, ${timeZone}.`;
  $("code-form").onsubmit = (e) => {
    e.preventDefault();
    // A kept code becomes a chip; an unknown one stays in the input to be corrected.
    if (enterCode($("code").value)) $("code").value = "";
    else $("code").select();
  };
  $("code").oninput = () => { if ($("code").getAttribute("aria-invalid") === "true") codeFeedback("", ""); };
  for (const input of document.querySelectorAll("input[name=payment]")) input.onchange = (e) => { state.payment = e.target.value; evaluate(); };
  $("place").onclick = placeOrder;
  $("place").dataset.focus = "place";
  $("cart-h").dataset.focus = "cart-heading";
  // Back to an empty cart: focus goes where the next products are added.
  $("continue").onclick = () => { showCheckout(); focusFirst(["add-products", "cart-heading"]); };
  document.body.dataset.view = "checkout";
  setInterval(() => { for (const n of document.querySelectorAll("[data-expires-at]")) n.textContent = countdown(n.dataset.expiresAt); }, 1000);
  // Still signed in (a reload): keep that customer; otherwise sign in as the first persona.
  const session = await api("/api/session").catch(() => null);
  const current = session?.reply.customerId;
  if (current) {
    if (!state.personas.some((p) => p.customerId === current)) $("persona").append(el("option", { value: current, textContent: current }));
    $("persona").value = current;
    await loadSummary(current);
    await loadOrders();
  } else {
    await signIn(state.personas[0].customerId);
    if (!state.customer) throw new Error("could not sign in");
  }
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  document.body.dataset.ready = "error";
  showMessage("order-message", `Could not start: ${e.code ?? ""} ${e.message}`, "error");
  throw e;
});
