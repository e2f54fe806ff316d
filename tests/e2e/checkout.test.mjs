// End to end: the order server (real binary, SQLite), the demo storefront in Debian's
// Chromium driven by playwright-core (tests/e2e/harness.mjs). Screenshots go to
// test-artifacts/. These drive the orders themselves; storefront.test.mjs drives the
// checkout's behaviour for shoppers (double click, empty cart, keyboard, phone, axe-core).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifacts, card, persona, unfold, addProducts, confirmation, continueShopping, start, open as openPage } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });
const open = () => openPage(env);

test("personas, quantities, codes and payment methods update the cards with no network call", async () => {
  const { page, errors } = await open();
  const status = (id) => card(page, id).getAttribute("data-status");
  await persona(page, "cus-new");
  // Paying online, 12% (₹636) beats the first-order 20% capped at ₹300.
  assert.equal(await status("prepaid12"), "applied");
  assert.equal(await status("first20"), "available");
  assert.match(await card(page, "first20").innerText(), /Not combinable with 12% off when you pay online/);
  await page.screenshot({ path: join(artifacts, "01-new-customer.png"), fullPage: true });

  // No request leaves the page while the cart, codes and payment change.
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.check("input[name=payment][value=cod]");
  assert.equal(await status("prepaid12"), "locked");
  assert.match(await card(page, "prepaid12").innerText(), /Not available with cash on delivery/);
  assert.equal(await status("first20"), "applied");
  await page.getByRole("button", { name: "One less Copper kettle" }).click();
  assert.doesNotMatch(await page.locator("#lines").innerText(), /Copper kettle/);
  // ₹900 of tea: the ₹100-off-2-items coupon now competes with first20 (20% of 900 = 180).
  assert.equal(await status("first20"), "applied");
  await page.fill("#code", "nosuchcode");
  await page.click("#code-form button");
  assert.match(await page.locator("#code-message").innerText(), /NOSUCHCODE is not valid/);
  await page.fill("#code", "flash50");
  await page.click("#code-form button");
  assert.match(await card(page, "flash50").innerText(), /Not combinable|FLASH50|₹50/);
  assert.deepEqual(requests, [], "evaluation happens in the page");
  assert.match(await page.locator("#timing").innerText(), /evaluated in \d+\.\d+ ms/);
  await page.screenshot({ path: join(artifacts, "02-new-customer-cod.png"), fullPage: true });

  // Still cash on delivery, so the exclusive online-payment 12% is out. On ₹900 of tea,
  // ₹100 off 2+ items beats loyalty's 10%; add a yoga mat and loyalty wins.
  await persona(page, "cus-loyal");
  assert.equal(await status("loyal10"), "available");
  assert.match(await card(page, "loyal10").innerText(), /Not combinable with ₹100 off 2 or more items/);
  await page.click("summary");
  await page.getByRole("button", { name: "Add Yoga mat" }).click();
  assert.equal(await status("loyal10"), "applied");
  assert.match(await page.locator("#totals").innerText(), /10% loyalty discount/);
  await page.check("input[name=payment][value=card]");
  assert.equal(await status("loyal10"), "available", "paying online, the exclusive 12% beats 10%");
  await page.screenshot({ path: join(artifacts, "02b-loyal.png"), fullPage: true });

  await persona(page, "cus-webinar");
  await page.fill("#code", "webinar25");
  await page.click("#code-form button");
  assert.equal(await card(page, "webinar").getAttribute("data-status"), "applied");
  // The countdown, then the end itself in the shopper's zone (the browser's: UTC here).
  assert.match(await card(page, "webinar").locator(".expiry").innerText(), /^ends in 2[12]h \d\dm \d\ds · until \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d UTC$/);
  await page.screenshot({ path: join(artifacts, "03-webinar-24h.png"), fullPage: true });

  // Inactive 60+ days: the win-back coupon (₹1,000 minimum, this cart is ₹2,199) applies,
  // with the customer's own 30-day window showing.
  await persona(page, "cus-lapsed");
  assert.equal(await card(page, "winback").getAttribute("data-status"), "applied");
  assert.match(await card(page, "winback").locator(".expiry").innerText(), /ends in \d+ days/);
  assert.deepEqual(errors, []);
});

test("placing an order: the server's recheck accepts an honest claim and rejects a tampered one", async () => {
  const { page, errors } = await open();
  await persona(page, "cus-loyal");
  assert.equal(await card(page, "diwali").getAttribute("data-status"), "expired");
  await unfold(page);
  assert.match(await card(page, "diwali").innerText(), /This offer ended on/);
  // FLASH50 is one per customer: after this order its card reads exhausted. (Cash on
  // delivery, so the exclusive online-payment 12% does not push loyalty + FLASH50 out.)
  await page.check("input[name=payment][value=cod]");
  await page.fill("#code", "FLASH50");
  await page.click("#code-form button");
  assert.equal(await card(page, "flash50").getAttribute("data-status"), "applied");
  await page.click("#place");
  assert.match((await confirmation(page)).note, /recheck accepted/);
  await continueShopping(page);
  await addProducts(page, "Assam tea, 250 g", "Assam tea, 250 g", "Copper kettle");
  await page.fill("#code", "FLASH50");
  await page.click("#code-form button");
  assert.equal(await card(page, "flash50").getAttribute("data-status"), "exhausted");
  assert.match(await card(page, "flash50").innerText(), /You have already used this coupon/);
  await page.screenshot({ path: join(artifacts, "04-order-accepted.png"), fullPage: true });

  await page.evaluate(() => { window.__tamper = (r) => ({ ...r, totalAfter: "1.00", discountTotal: r.subtotal }); });
  await page.click("#place");
  await page.waitForFunction(() => /rejected/.test(document.querySelector("#order-message").textContent));
  assert.match(await page.locator("#order-message").innerText(), /claim_rejected/);
  await page.screenshot({ path: join(artifacts, "05-tampered-rejected.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("a first-order coupon applies to the first order only: the reloaded summary carries that order", async () => {
  const { page, errors } = await open();
  await persona(page, "cus-new");
  assert.match(await page.locator("#persona-history").innerText(), /0 past orders/);
  // Cash on delivery: the exclusive online-payment 12% is out, so first20 applies.
  await page.check("input[name=payment][value=cod]");
  assert.equal(await card(page, "first20").getAttribute("data-status"), "applied");
  const placed = page.waitForResponse((r) => r.url().endsWith("/api/orders") && r.request().method() === "POST");
  await page.click("#place");
  const order = await (await placed).json();
  assert.equal(order.state, "reserved");
  assert.equal(order.paymentMethod, "cod");
  assert.ok(order.discounts.some((d) => d.couponId === "first20"), JSON.stringify(order.discounts));
  assert.match((await confirmation(page)).note, /recheck accepted/);
  // Confirmed with the method it was placed with, and only its owner sees it.
  const confirmed = await page.evaluate(async (id) => (await fetch(`/api/orders/${id}`)).json(), order.orderId);
  assert.equal(confirmed.state, "confirmed");
  await page.waitForFunction(() => /1 past order\b/.test(document.querySelector("#persona-history").textContent));
  // The reloaded summary has the order: first20 is no longer for this customer.
  await continueShopping(page);
  await addProducts(page, "Yoga mat");
  assert.equal(await card(page, "first20").getAttribute("data-status"), "ineligible");
  await unfold(page);
  assert.match(await card(page, "first20").innerText(), /Only for your first order/);
  await page.screenshot({ path: join(artifacts, "06-first-order-used.png"), fullPage: true });

  // The history is the server's, not the page's: a reload (still signed in) shows it too.
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.locator("#persona").inputValue(), "cus-new");
  await page.check("input[name=payment][value=cod]");
  assert.equal(await card(page, "first20").getAttribute("data-status"), "ineligible");
  assert.deepEqual(errors, []);
});

test("Place order: a double click places one order, and a retry after a network error replays it", async () => {
  const { page, errors } = await open();
  await persona(page, "cus-big");
  const answers = [];
  page.on("response", async (r) => {
    if (r.url().endsWith("/api/orders") && r.request().method() === "POST") answers.push({ status: r.status(), body: await r.json() });
  });
  await page.dblclick("#place");
  await confirmation(page);
  await page.waitForTimeout(500); // a second placement, if any, has had time to answer
  assert.equal(answers.filter((a) => a.status === 201).length, 1, JSON.stringify(answers));
  // The button is disabled while the placement is out: the second click sends nothing.
  assert.equal(answers.length, 1, JSON.stringify(answers));

  // The order reaches the server but its answer is lost: the page says so, and the
  // retry (same request, same idempotency key) gets the same order back.
  answers.length = 0;
  await continueShopping(page);
  await addProducts(page, "Yoga mat");
  let lost;
  await page.route("**/api/orders", async (route) => {
    lost = await (await route.fetch()).json();
    await route.abort("failed");
  }, { times: 1 });
  await page.click("#place");
  await page.waitForFunction(() => /Network error/.test(document.querySelector("#order-message").textContent));
  assert.equal(lost.state, "reserved");
  assert.equal(await page.locator("#place").isEnabled(), true);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "place", "focus back on the button to retry");
  await page.click("#place");
  const { note } = await confirmation(page);
  assert.equal(answers.length, 1);
  assert.equal(answers[0].status, 200);
  assert.equal(answers[0].body.orderId, lost.orderId);
  assert.equal(answers[0].body.replayed, true);
  assert.match(note, /retry replayed/);
  const state = await page.evaluate(async (id) => (await fetch(`/api/orders/${id}`)).json(), lost.orderId);
  assert.equal(state.state, "confirmed");
  assert.deepEqual(errors, []);
});

test("prices are the server's: a tampered price is refused with the real one, and the page refreshes", async () => {
  const { page, errors } = await open();
  await persona(page, "cus-repeat");
  // An attacker's request, with the session cookie and a claim consistent with its price.
  const tampered = await page.evaluate(async () => {
    const response = await fetch("/api/orders", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({
        idempotencyKey: crypto.randomUUID(), lines: [{ productId: "yoga-mat", quantity: 1, unitPrice: "0.01" }],
        shippingId: "standard", paymentMethod: "card", codes: [],
        claimed: { totalAfter: "49.01", discountTotal: "0.00", applied: [], lines: [{ lineId: "line-1", subtotal: "0.01" }] },
      }),
    });
    return { status: response.status, body: await response.json() };
  });
  assert.equal(tampered.status, 409);
  assert.equal(tampered.body.code, "price_changed");
  assert.deepEqual(tampered.body.differences, [{ path: "lines[0].unitPrice", productId: "yoga-mat", claimed: "0.01", actual: "1299.00" }]);

  // Another customer's summary is not this session's to read.
  const other = await page.evaluate(async () => (await fetch("/api/customers/cus-loyal/summary")).status);
  assert.equal(other, 403);

  // A price that changed after the page showed it (simulated on the wire): the page
  // says so, fetches the signed catalogue again, and the next attempt goes through.
  await page.route("**/api/orders", async (route) => {
    const body = JSON.parse(route.request().postData());
    body.lines[0].unitPrice = "400.00";
    await route.continue({ postData: JSON.stringify(body) });
  }, { times: 1 });
  const bundles = [];
  page.on("request", (r) => { if (r.url().endsWith("/api/bundle")) bundles.push(r.url()); });
  await page.click("#place");
  await page.waitForFunction(() => /price_changed/.test(document.querySelector("#order-message").textContent));
  assert.match(await page.locator("#order-message").innerText(), /Prices changed.*Assam tea, 250 g is now ₹450/);
  assert.equal(bundles.length, 1, "the catalogue is fetched again");
  await page.screenshot({ path: join(artifacts, "07-price-changed.png"), fullPage: true });
  await page.click("#place");
  assert.match((await confirmation(page)).note, /recheck accepted/);

  // After the order the cart starts again empty, and an empty cart cannot be placed.
  await continueShopping(page);
  assert.match(await page.locator("#lines").innerText(), /Your cart is empty/);
  assert.equal(await page.locator("#place").isDisabled(), true);
  assert.deepEqual(errors, []);
});
