// The demo checkout. Choosing a persona signs in as that customer (POST /api/session,
// a signed HttpOnly cookie). The page fetches the signed bundle, which carries the
// shop's catalogue, and the signed-in customer's summary, verifies both inside the
// WebAssembly module, and then re-evaluates on every change (quantity, code, delivery,
// payment) with no network call. Placing an order sends product ids, quantities and the
// prices shown; the server builds the cart from its own catalogue and rechecks the
// result with the same engine.
import init, { Engine, verifySummary } from "/pkg/coupon_engine.js";

const $ = (id) => document.getElementById(id);
const rupees = (amount) => "₹" + Number(amount).toLocaleString("en-IN", { minimumFractionDigits: amount.endsWith(".00") ? 0 : 2, maximumFractionDigits: 2 });

const state = {
  engine: null, jwks: null, currency: null, catalogue: null, customerId: null, customer: null, personas: [],
  lines: [{ productId: "tea-assam", quantity: 2 }, { productId: "kettle", quantity: 1 }],
  codes: [], shipping: "standard", payment: "card", result: null,
  // "signing-in" or "placing" while a request that changes what Place order means is out.
  busy: null,
  // One idempotency key per placement attempt: a retry of the same request (after a
  // network error, say) replays the order instead of placing a second one.
  attempt: null,
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
// line i is `line-${i + 1}`, prices, collections and offers are the catalogue's.
function cart() {
  return {
    currency: state.currency,
    lines: state.lines.map((l, i) => {
      const p = product(l.productId);
      const line = { id: `line-${i + 1}`, productId: p.id, collectionIds: p.collectionIds ?? [], unitPrice: p.price, quantity: l.quantity };
      if (p.offerId) line.offerId = p.offerId;
      return line;
    }),
    shipping: { options: state.catalogue.shipping.map(({ id, amount }) => ({ id, amount })), selectedId: state.shipping },
  };
}

function context() {
  return { now: now(), paymentMethod: state.payment, codes: state.codes };
}

function evaluate() {
  if (!state.engine || !state.customer) return;
  const started = performance.now();
  state.result = state.engine.evaluate(state.customer, cart(), context());
  const ms = performance.now() - started;
  $("timing").textContent = `evaluated in ${ms.toFixed(2)} ms`;
  render();
}

function el(tag, { dataset, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  if (dataset) Object.assign(node.dataset, dataset); // dataset itself is read-only
  for (const child of children) node.append(child);
  return node;
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
    const minus = el("button", { type: "button", textContent: "−", ariaLabel: `One less ${p.title}` });
    const plus = el("button", { type: "button", textContent: "+", ariaLabel: `One more ${p.title}` });
    minus.onclick = () => { state.lines[i].quantity -= 1; if (state.lines[i].quantity === 0) state.lines.splice(i, 1); evaluate(); };
    plus.onclick = () => { state.lines[i].quantity += 1; evaluate(); };
    const price = el("span", { className: "price" });
    if (totals.discount !== "0.00") {
      price.append(el("span", { className: "was", textContent: rupees(totals.subtotal) }), rupees(totals.total),
        el("div", { className: "off", textContent: `−${rupees(totals.discount)}` }));
    } else {
      price.append(rupees(totals.subtotal));
    }
    return el("li", { className: "line", dataset: { productId: line.productId } },
      el("span", { className: "name", textContent: p.title }), price,
      el("span", { className: "qty" }, minus, el("span", { textContent: String(line.quantity), ariaLabel: "quantity" }), plus),
      el("span", { className: "muted", textContent: `${rupees(p.price)} each` }));
  }));
}

function countdown(expiresAt) {
  const left = new Date(expiresAt) - new Date();
  if (left <= 0) return "expired";
  const h = Math.floor(left / 3_600_000), m = Math.floor(left / 60_000) % 60, s = Math.floor(left / 1000) % 60;
  return h >= 48 ? `ends in ${Math.floor(h / 24)} days` : `ends in ${h}h ${String(m).padStart(2, "0")}m ${String(s).padStart(2, "0")}s`;
}

function renderCards() {
  $("cards").replaceChildren(...state.result.cards.map((card) => {
    const node = el("li", { className: "card", dataset: { status: card.status, couponId: card.couponId } },
      el("header", {}, el("h3", { textContent: card.title }), el("span", { className: "badge", textContent: card.status })));
    if (card.description) node.append(el("p", { className: "muted", textContent: card.description }));
    if (card.saving && card.saving !== "0.00") {
      node.append(el("p", { className: "saving", textContent: `Saves ${rupees(card.saving)} · ${rupees(card.priceBefore)} → ${rupees(card.priceAfter)}` }));
    }
    // Two reasons can read the same to a shopper (audience and segment): say it once.
    for (const message of new Set(card.reasons.map((r) => r.message))) node.append(el("p", { className: "reason", textContent: message }));
    for (const p of card.progress) {
      const bar = el("div", { className: "progress", role: "progressbar", ariaValueMin: 0, ariaValueMax: 100, ariaValueNow: p.percent, ariaLabel: p.message });
      bar.append(el("span", { style: `width:${p.percent}%` }));
      node.append(bar, el("p", { className: "reason", textContent: p.message }));
    }
    if (card.expiresAt) node.append(el("p", { className: "expiry", dataset: { expiresAt: card.expiresAt }, textContent: countdown(card.expiresAt) }));
    if (card.status === "available" && card.code && card.reasons.some((r) => r.code === "code_not_entered")) {
      const apply = el("button", { type: "button", textContent: `Apply ${card.code}` });
      apply.onclick = () => enterCode(card.code);
      node.append(apply);
    }
    return node;
  }));
}

function renderCodes() {
  $("codes").replaceChildren(...state.codes.map((code) => {
    const remove = el("button", { type: "button", textContent: "×", ariaLabel: `Remove code ${code}` });
    remove.onclick = () => { state.codes = state.codes.filter((c) => c !== code); $("code-message").textContent = ""; evaluate(); };
    return el("li", {}, code, remove);
  }));
}

function renderTotals() {
  const r = state.result;
  const rows = [["Subtotal", rupees(r.subtotal)], ["Delivery", rupees(r.shipping)]];
  for (const a of r.applied) rows.push([a.title, `−${rupees(a.amount)}`, "saving"]);
  rows.push(["Total", rupees(r.totalAfter), "grand"]);
  $("totals").replaceChildren(...rows.flatMap(([k, v, cls]) => [el("dt", { textContent: k, className: cls ?? "" }), el("dd", { textContent: v, className: cls ?? "" })]));
}

// The catalogue's products (to add) and delivery options, as the signed bundle lists them.
function renderCatalogue() {
  $("catalogue").replaceChildren(...state.catalogue.products.map((p) => {
    const add = el("button", { type: "button", textContent: "Add", ariaLabel: `Add ${p.title}` });
    add.onclick = () => {
      const line = state.lines.find((l) => l.productId === p.id);
      if (line) line.quantity += 1; else state.lines.push({ productId: p.id, quantity: 1 });
      evaluate();
    };
    const label = el("span", { textContent: `${p.title} · ` });
    if (p.compareAtPrice) label.append(el("s", { className: "muted", textContent: rupees(p.compareAtPrice) }), " ");
    label.append(rupees(p.price));
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
  button.disabled = state.busy !== null || state.lines.length === 0 || !state.result;
  button.textContent = state.busy === "placing" ? "Placing order…" : "Place order";
  $("persona").disabled = state.busy !== null;
}

function render() {
  renderLines();
  renderCodes();
  renderCards();
  renderTotals();
  renderPlace();
  const unknown = state.result.unknownCodes.map((u) => u.message);
  if (unknown.length) showMessage("code-message", unknown.join(". "), "error");
}

function showMessage(id, text, kind) {
  const node = $(id);
  node.textContent = text;
  node.className = `message ${kind}`;
}

function enterCode(raw) {
  const code = raw.trim().toUpperCase();
  if (!code || state.codes.includes(code)) return;
  state.codes.push(code);
  evaluate();
  const card = state.result.cards.find((c) => c.code?.toUpperCase() === code);
  if (card?.status === "applied") showMessage("code-message", `${code} applied: you save ${rupees(card.saving)}`, "ok");
  else if (card) showMessage("code-message", `${code}: ${card.reasons[0]?.message ?? card.status}`, "error");
}

/** The signed bundle and the catalogue it carries: verified, then used for every cart. */
async function loadBundle() {
  const { reply: { token } } = await api("/api/bundle");
  state.engine = Engine.fromSigned(token, state.jwks, now());
  const payload = jwsPayload(token);
  state.currency = payload.bundle.currency;
  state.catalogue = payload.catalogue;
  // Products or options the shop no longer offers leave the cart.
  state.lines = state.lines.filter((l) => product(l.productId));
  if (!state.catalogue.shipping.some((o) => o.id === state.shipping)) state.shipping = state.catalogue.shipping[0]?.id ?? null;
  renderCatalogue();
}

/** The signed-in customer's summary: their history, including orders placed here. */
async function loadSummary(customerId) {
  const { reply: { token } } = await api(`/api/customers/${encodeURIComponent(customerId)}/summary`);
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
  try {
    await api("/api/session", { method: "POST", body: { customerId } });
    state.codes = [];
    state.attempt = null;
    $("code-message").textContent = "";
    $("order-message").textContent = "";
    await loadSummary(customerId);
  } catch (e) {
    $("persona").value = state.customerId ?? "";
    showMessage("order-message", `Could not sign in as ${customerId} (${e.code ?? "network"}): ${e.message}`, "error");
  } finally {
    state.busy = null;
    renderPlace();
  }
}

function orderLines() {
  return state.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: product(l.productId).price }));
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

async function placeOrder() {
  if (state.busy || !state.result) return;
  if (state.lines.length === 0) {
    showMessage("order-message", "Your cart is empty: add a product first.", "error");
    return;
  }
  const paymentMethod = state.payment;
  const request = {
    lines: orderLines(), shippingId: state.shipping, paymentMethod, codes: [...state.codes],
    claimed: window.__tamper ? window.__tamper(state.result) : state.result,
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
    if (!(e instanceof ApiError)) {
      // The request may or may not have reached the server: the same key replays it.
      showMessage("order-message", `Network error: ${e.message}. Place the order again; it will not be placed twice.`, "error");
    } else if (order) {
      showMessage("order-message", `Order ${order.orderId} is reserved but could not be confirmed (${e.code}): ${e.message}`, "error");
    } else if (e.code === "price_changed") {
      const changes = (e.body.differences ?? []).map((d) => `${product(d.productId)?.title ?? d.productId} is now ${rupees(d.actual)}`);
      await loadBundle().catch(() => {});
      evaluate();
      showMessage("order-message", `Prices changed (price_changed): ${changes.join("; ")}. Check the new total and place the order again.`, "error");
    } else {
      showMessage("order-message", `Order rejected (${e.code}): ${rejection(e)}`, "error");
    }
    state.busy = null;
    renderPlace();
    return;
  }
  // Placed and confirmed: the next order is a new request, with a new key. The new
  // summary carries this order (first-order coupons, usage limits), the new bundle the
  // global counts.
  state.attempt = null;
  state.codes = [];
  $("code-message").textContent = "";
  const placed = `Order ${order.orderId} placed: ${rupees(order.totalAfter)} (recheck accepted${order.replayed ? ", retry replayed" : ""}).`;
  try {
    await loadBundle();
    await loadSummary(state.customerId);
    showMessage("order-message", placed, "ok");
  } catch (e) {
    showMessage("order-message", `${placed} The page could not refresh (${e.code ?? "network"}): reload it.`, "error");
  } finally {
    state.busy = null;
    renderPlace();
  }
}

async function main() {
  await init();
  state.jwks = (await api("/.well-known/jwks.json")).reply;
  await loadBundle();
  state.personas = (await api("/api/customers")).reply;
  $("persona").replaceChildren(...state.personas.map((p) => el("option", { value: p.customerId, textContent: p.label })));
  $("persona").onchange = (e) => signIn(e.target.value);
  $("code-form").onsubmit = (e) => { e.preventDefault(); enterCode($("code").value); $("code").value = ""; };
  for (const input of document.querySelectorAll("input[name=payment]")) input.onchange = (e) => { state.payment = e.target.value; evaluate(); };
  $("place").onclick = placeOrder;
  setInterval(() => { for (const n of document.querySelectorAll("[data-expires-at]")) n.textContent = countdown(n.dataset.expiresAt); }, 1000);
  // Still signed in (a reload): keep that customer; otherwise sign in as the first persona.
  const session = await api("/api/session").catch(() => null);
  const current = session?.reply.customerId;
  if (current) {
    if (!state.personas.some((p) => p.customerId === current)) $("persona").append(el("option", { value: current, textContent: current }));
    $("persona").value = current;
    await loadSummary(current);
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
