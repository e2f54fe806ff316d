// End to end: "Your orders" and returns, in Chromium against the real order server on
// the demo store. cus-repeat has two orders in the last 90 days, so the 10% loyalty
// discount (three orders in 90 days) applies from their second order placed here. A
// return of the first takes that discount back from the refund, and the page says so
// in the server's amounts; a return nobody counted pays the whole total; a return a
// still unpaid later order counts is refused (409 unpaid_orders) and the page says
// why. Screenshots go to test-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  artifacts, root, start, open, persona, place, confirmation, continueShopping, addProducts, assertAccessible,
  orderEntry, listedOrders, returnOrder,
} from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

const store = JSON.parse(readFileSync(join(root, "server/store.json"), "utf8"));
const title = (id) => store.bundle.coupons.find((c) => c.id === id).display.title;

// The page's own formatting of a decimal string (www/app.js `rupees`), to compare what
// it shows with what the server answered.
const rupees = (amount) => {
  const n = Number(amount);
  return "₹" + n.toLocaleString("en-IN", { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 });
};

/** A decimal string in paise, exactly (money is never a float here). */
const paise = (amount) => {
  const [whole, fraction = ""] = amount.split(".");
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
};

/** Places the cart as it is and waits for the confirmation; returns the confirmed order. */
async function placeConfirmed(page) {
  const confirmed = page.waitForResponse((r) => r.url().endsWith("/confirm") && r.request().method() === "POST");
  const [status, placed] = await place(page);
  assert.equal(status, 201, JSON.stringify(placed));
  const order = await (await confirmed).json();
  assert.equal(order.state, "confirmed", JSON.stringify(order));
  await confirmation(page);
  return order;
}

const focused = (page) => page.evaluate(() => document.activeElement?.dataset?.focus ?? document.activeElement?.tagName);

test("a return takes back the loyalty discount a later order no longer earns; an unpaid later order stops it first", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-repeat");
  // Cash on delivery: "12% off when you pay online" would otherwise beat the loyalty discount.
  await page.check("input[name=payment][value=cod]");
  assert.match(await page.locator("#orders-list").innerText(), /No orders yet/);

  // Order A: two teas and a kettle. Two orders in 90 days: no loyalty discount yet.
  const a = await placeConfirmed(page);
  assert.ok(!a.discounts.some((d) => d.couponId === "loyal10"), JSON.stringify(a));
  assert.deepEqual(await listedOrders(page, 1), [a.orderId]);

  // Order B: a kettle, with A the third order in 90 days: the loyalty discount applies.
  // Its payment does not go through (the confirmation is lost), so B awaits payment.
  await continueShopping(page);
  await addProducts(page, "Copper kettle");
  await page.route("**/api/orders/*/confirm", (route) => route.abort(), { times: 1 });
  const [status, b] = await place(page);
  assert.equal(status, 201, JSON.stringify(b));
  const loyalty = b.discounts.find((d) => d.couponId === "loyal10");
  assert.ok(loyalty, `the loyalty discount applies to the second order: ${JSON.stringify(b)}`);
  assert.deepEqual(await listedOrders(page, 2), [b.orderId, a.orderId], "newest first");
  assert.equal(await orderEntry(page, b.orderId).getAttribute("data-state"), "reserved");
  assert.equal(await orderEntry(page, b.orderId).getByRole("button").count(), 0, "only a confirmed order can be returned");
  // Each order lists its discounts by the coupon's title and the total the server recorded.
  const bText = await orderEntry(page, b.orderId).innerText();
  assert.match(bText, new RegExp(`${title("loyal10")}\\s+−${rupees(loyalty.amount)}`));
  assert.match(bText, new RegExp(`Total paid\\s+${rupees(b.totalAfter)}`));

  // Returning A while B, which counts it, is unpaid: refused, and the page says why.
  const [refused, why] = await returnOrder(page, a.orderId);
  assert.equal(refused, 409, JSON.stringify(why));
  assert.equal(why.code, "unpaid_orders");
  assert.equal(why.orderId, b.orderId);
  const message = page.locator("#orders-message");
  await page.waitForFunction(() => /unpaid_orders/.test(document.querySelector("#orders-message").textContent));
  assert.equal(await message.innerText(), `Order ${a.orderId} was not returned (unpaid_orders): ${why.message}`);
  assert.equal(await orderEntry(page, a.orderId).getAttribute("data-state"), "confirmed");
  assert.equal(await focused(page), `return:${a.orderId}`, "focus stays on the Return button");
  await assertAccessible(page, "your orders with a refused return");

  // B is paid (the payment step completes), and the page is loaded again.
  const paid = await page.evaluate(async (id) => (await fetch(`/api/orders/${id}/confirm`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ paymentMethod: "cod" }),
  })).json(), b.orderId);
  assert.equal(paid.state, "confirmed", JSON.stringify(paid));
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await listedOrders(page, 2);
  assert.equal(await orderEntry(page, b.orderId).getAttribute("data-state"), "confirmed");

  // Now A's return goes through: its total less B's loyalty discount, which B no
  // longer earns without A.
  const [returned, refundedA] = await returnOrder(page, a.orderId);
  assert.equal(returned, 200, JSON.stringify(refundedA));
  assert.equal(refundedA.state, "refunded");
  const refund = refundedA.refund;
  assert.deepEqual(refund.clawbacks, [{ orderId: b.orderId, couponIds: ["loyal10"], amount: loyalty.amount }]);
  assert.equal("unrecovered" in refund, false, "a clawback beyond the total is refused, never left unrecovered");
  assert.equal(paise(refund.amount), paise(a.totalAfter) - paise(loyalty.amount), "refund = total − clawback");
  const sentence = `Refund ${rupees(refund.amount)}: the ${rupees(loyalty.amount)} discount (${title("loyal10")}) `
    + `on order ${b.orderId} is no longer earned without this order.`;
  await page.waitForFunction(() => document.querySelector("#orders-message").classList.contains("ok"));
  assert.equal(await message.innerText(), `Order ${a.orderId} is returned. ${sentence}`);
  await listedOrders(page, 2);
  const entry = orderEntry(page, a.orderId);
  assert.equal(await entry.getAttribute("data-state"), "refunded");
  assert.equal(await entry.locator(".refund").innerText(), sentence);
  assert.equal(await entry.getByRole("button").count(), 0, "a returned order has no Return button");
  assert.equal(await focused(page), `order:${a.orderId}`, "focus moves to the returned order");
  // The same answer as the server keeps with the order.
  const stored = await page.evaluate(async (id) => (await fetch(`/api/orders/${id}`)).json(), a.orderId);
  assert.deepEqual(stored.refund, refund);
  // B keeps its record as placed, and says what A's return took back from it.
  assert.equal(await orderEntry(page, b.orderId).locator(".taken-back").innerText(),
    `${rupees(loyalty.amount)} of this order's discount was taken back when order ${a.orderId} was returned.`);
  await page.screenshot({ path: join(artifacts, "desktop-return-clawback.png"), fullPage: true });
  await assertAccessible(page, "your orders after a return with a clawback");

  // Nobody placed an order after B, so its return takes nothing back, and it pays B's
  // total plus the loyalty discount A's return took back from it: A and B returned
  // give back exactly what was paid for them.
  const [ok, refundedB] = await returnOrder(page, b.orderId);
  assert.equal(ok, 200, JSON.stringify(refundedB));
  assert.equal(refundedB.refund.clawbacks.length, 0);
  assert.equal(paise(refundedB.refund.amount), paise(b.totalAfter) + paise(loyalty.amount), "B's total + what A's return took back");
  assert.equal(paise(refund.amount) + paise(refundedB.refund.amount), paise(a.totalAfter) + paise(b.totalAfter), "everything paid comes back");
  const back = `Refund ${rupees(refundedB.refund.amount)}: the total paid and the discount an earlier return took back from this order.`;
  await page.waitForFunction((id) => document.querySelector(`#orders-list li[data-order-id="${id}"]`)?.dataset.state === "refunded", b.orderId);
  assert.equal(await orderEntry(page, b.orderId).locator(".refund").innerText(), back);
  assert.equal(await message.innerText(), `Order ${b.orderId} is returned. ${back}`);
  // A's entry still says what its refund paid.
  assert.equal(await orderEntry(page, a.orderId).locator(".refund").innerText(), sentence);
  assert.deepEqual(errors, []);
});

test("a return nobody counted pays the whole total; each shopper sees only their own orders", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-big");
  await page.check("input[name=payment][value=cod]");
  const order = await placeConfirmed(page);
  assert.deepEqual(await listedOrders(page, 1), [order.orderId]);
  const [status, refunded] = await returnOrder(page, order.orderId);
  assert.equal(status, 200, JSON.stringify(refunded));
  assert.deepEqual(refunded.refund, { amount: order.totalAfter, clawbacks: [] });
  await page.waitForFunction(() => document.querySelector("#orders-message").classList.contains("ok"));
  assert.equal(await orderEntry(page, order.orderId).locator(".refund").innerText(),
    `Refund ${rupees(order.totalAfter)}: the whole total paid.`);
  assert.equal(await orderEntry(page, order.orderId).locator(".badge").innerText(), "RETURNED");

  // Another persona: the list empties and shows that shopper's orders, none of these.
  await persona(page, "cus-welcome");
  await page.waitForFunction(() => document.querySelector("#orders").getAttribute("aria-busy") === "false"
    && /No orders yet/.test(document.querySelector("#orders-list").textContent));
  assert.equal(await orderEntry(page, order.orderId).count(), 0);
  await page.setViewportSize({ width: 390, height: 844 });
  await persona(page, "cus-big");
  await listedOrders(page, 1);
  await page.screenshot({ path: join(artifacts, "phone-return-whole.png"), fullPage: true });
  await assertAccessible(page, "your orders on a phone");
  assert.deepEqual(errors, []);
});
