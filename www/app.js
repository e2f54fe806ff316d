// The demo checkout. It fetches the signed bundle and the persona's signed summary
// once, verifies both inside the WebAssembly module, and then re-evaluates on every
// change (quantity, code, delivery, payment) with no network call. Placing an order
// sends the result to the server, which rechecks it with the same engine.
import init, { Engine, verifySummary } from "/pkg/coupon_engine.js";

const CATALOGUE = [
  { productId: "tea-assam", name: "Assam tea, 250 g", price: "450.00" },
  { productId: "kettle", name: "Copper kettle", price: "4400.00" },
  { productId: "yoga-mat", name: "Yoga mat", price: "1299.00" },
  { productId: "water-bottle", name: "Steel water bottle", price: "349.00" },
  { productId: "notebook", name: "Dotted notebook", price: "249.00" },
  { productId: "rust-201", name: "Course: Rust 201", price: "7999.00" },
  { productId: "masterclass", name: "Masterclass recording", price: "2499.00" },
  { productId: "coffee-beans", name: "Coffee beans, 500 g", price: "290.00" },
  { productId: "kurta", name: "Cotton kurta", price: "899.00" },
];
const SHIPPING = { options: [{ id: "standard", amount: "49.00" }, { id: "express", amount: "149.00" }] };
const $ = (id) => document.getElementById(id);
const rupees = (amount) => "₹" + Number(amount).toLocaleString("en-IN", { minimumFractionDigits: amount.endsWith(".00") ? 0 : 2, maximumFractionDigits: 2 });

const state = {
  engine: null, jwks: null, customer: null,
  lines: [{ productId: "tea-assam", quantity: 2 }, { productId: "kettle", quantity: 1 }],
  codes: [], shipping: "standard", payment: "card", result: null,
};

const now = () => new Date().toISOString();

function cart() {
  return {
    currency: "INR",
    lines: state.lines.map((l, i) => {
      const p = CATALOGUE.find((c) => c.productId === l.productId);
      return { id: `line-${i + 1}`, productId: l.productId, unitPrice: p.price, quantity: l.quantity };
    }),
    shipping: { ...SHIPPING, selectedId: state.shipping },
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
  const byId = Object.fromEntries(state.result.lines.map((l) => [l.lineId, l]));
  $("lines").replaceChildren(...cart().lines.map((line, i) => {
    const p = CATALOGUE.find((c) => c.productId === line.productId);
    const totals = byId[line.id];
    const minus = el("button", { type: "button", textContent: "−", ariaLabel: `One less ${p.name}` });
    const plus = el("button", { type: "button", textContent: "+", ariaLabel: `One more ${p.name}` });
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
      el("span", { className: "name", textContent: p.name }), price,
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

function render() {
  renderLines();
  renderCodes();
  renderCards();
  renderTotals();
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

async function loadPersona(customerId) {
  const { token } = await (await fetch(`/api/customers/${encodeURIComponent(customerId)}/summary`)).json();
  state.customer = verifySummary(token, state.jwks, now(), customerId);
  state.codes = [];
  $("code-message").textContent = "";
  $("order-message").textContent = "";
  evaluate();
}

async function placeOrder() {
  const body = {
    idempotencyKey: crypto.randomUUID(),
    customerId: state.customer.id, cart: cart(), paymentMethod: state.payment, codes: state.codes,
    claimed: window.__tamper ? window.__tamper(state.result) : state.result,
  };
  const response = await fetch("/api/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const reply = await response.json();
  if (response.ok) {
    await fetch(`/api/orders/${reply.orderId}/confirm`, { method: "POST" });
    // The new summary carries this order's redemptions (usage limits).
    await loadPersona(state.customer.id);
    showMessage("order-message", `Order ${reply.orderId} placed: ${rupees(reply.totalAfter)} (recheck accepted).`, "ok");
  } else {
    const why = reply.differences?.map((d) => d.message).join("; ") ?? reply.message;
    showMessage("order-message", `Order rejected (${reply.code}): ${why}`, "error");
  }
}

async function main() {
  await init();
  state.jwks = await (await fetch("/.well-known/jwks.json")).json();
  const { token } = await (await fetch("/api/bundle")).json();
  state.engine = Engine.fromSigned(token, state.jwks, now());
  const personas = await (await fetch("/api/customers")).json();
  $("persona").replaceChildren(...personas.map((p) => el("option", { value: p.customerId, textContent: p.label })));
  $("persona").onchange = (e) => loadPersona(e.target.value);
  $("catalogue").replaceChildren(...CATALOGUE.map((p) => {
    const add = el("button", { type: "button", textContent: "Add", ariaLabel: `Add ${p.name}` });
    add.onclick = () => {
      const line = state.lines.find((l) => l.productId === p.productId);
      if (line) line.quantity += 1; else state.lines.push({ productId: p.productId, quantity: 1 });
      evaluate();
    };
    return el("li", {}, el("span", { textContent: `${p.name} · ${rupees(p.price)}` }), add);
  }));
  $("code-form").onsubmit = (e) => { e.preventDefault(); enterCode($("code").value); $("code").value = ""; };
  for (const input of document.querySelectorAll("input[name=shipping]")) input.onchange = (e) => { state.shipping = e.target.value; evaluate(); };
  for (const input of document.querySelectorAll("input[name=payment]")) input.onchange = (e) => { state.payment = e.target.value; evaluate(); };
  $("place").onclick = placeOrder;
  setInterval(() => { for (const n of document.querySelectorAll("[data-expires-at]")) n.textContent = countdown(n.dataset.expiresAt); }, 1000);
  await loadPersona(personas[0].customerId);
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  document.body.dataset.ready = "error";
  showMessage("order-message", `Could not start: ${e.code ?? ""} ${e.message}`, "error");
  throw e;
});
