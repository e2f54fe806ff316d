// End to end: the demo checkout as shoppers use it (issue 24), in Chromium against the
// real order server: one order for a double click, no order for an empty cart, the
// confirmation page, cards folded and presented honestly, the keyboard paths, a phone
// viewport, and axe-core. Screenshots at desktop and phone size go to test-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import * as jose from "jose";
import {
  artifacts, card, persona, unfold, confirmation, continueShopping, recordOrders, assertAccessible,
  start, open, DESKTOP, PHONE,
} from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/** What has focus: a control's data-focus key, an id, or "body" when focus was lost. */
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return !a || a === document.body ? "body" : a.dataset.focus ?? a.id ?? a.tagName;
});

test("Place order: a double click places one order under one key, then a confirmation and an empty cart", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-loyal");
  const discounts = await page.locator("#totals dt.saving").allInnerTexts();
  assert.ok(discounts.length > 0, "a discount applies to this cart");
  const orders = recordOrders(page);
  // Hold the placement's answer, so the page is seen (and clicked) while it is in flight.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route("**/api/orders", async (route) => { await held; await route.continue(); }, { times: 1 });
  await page.dblclick("#place");
  assert.equal(await page.locator("#place").isDisabled(), true, "disabled while the placement is out");
  assert.equal(await page.locator("#place").innerText(), "Placing order…");
  await page.click("#place", { force: true });
  await page.evaluate(() => document.querySelector("#place").click());
  release();
  const shown = await confirmation(page);
  await page.waitForTimeout(300); // a second placement, if any, has had time to leave
  assert.equal(orders.sent.length, 1, `one request: ${JSON.stringify(orders.sent)}`);
  assert.equal(orders.answers.length, 1);
  assert.equal(orders.answers[0].status, 201);
  const order = orders.answers[0].body;

  // The confirmation: the server's order id and total, and what each coupon took off.
  assert.equal(shown.orderId, order.orderId);
  assert.match(shown.orderId, /^ord_/);
  assert.match(shown.totals, /Total paid/);
  assert.match(shown.totals, new RegExp(`Total paid\\s+₹${Number(order.totalAfter).toLocaleString("en-IN")}\\b`));
  for (const title of discounts) assert.ok(shown.totals.includes(title), `${title} in ${shown.totals}`);
  assert.match(shown.totals, /You saved/);
  // The catalogue's prices include GST: the order charges the tax the server computed.
  assert.match(order.tax, /^\d+\.\d\d$/);
  const gst = Number(order.tax).toLocaleString("en-IN", { minimumFractionDigits: Number.isInteger(Number(order.tax)) ? 0 : 2 });
  assert.match(shown.totals, new RegExp(`incl\\. GST\\s+₹${gst}$`, "m"));
  assert.equal(await page.locator("#checkout").isHidden(), true);
  assert.equal(await focused(page), "confirmation-h");
  await page.screenshot({ path: join(artifacts, "desktop-confirmation.png"), fullPage: true });

  // Back to the shop: the cart and the codes start again, and Place order waits for a product.
  await continueShopping(page);
  assert.match(await page.locator("#lines").innerText(), /Your cart is empty/);
  assert.equal(await page.locator("#codes li").count(), 0);
  assert.equal(await page.locator("#place").isDisabled(), true);
  assert.equal(await focused(page), "add-products");
  assert.deepEqual(errors, []);
});

test("an empty cart cannot be ordered: Place order is disabled and says why, and nothing is sent", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-repeat");
  const orders = recordOrders(page);
  for (const name of ["One less Copper kettle", "One less Assam tea, 250 g", "One less Assam tea, 250 g"]) {
    await page.getByRole("button", { name }).click();
  }
  assert.match(await page.locator("#lines").innerText(), /Your cart is empty/);
  assert.equal(await page.locator("#place").isDisabled(), true);
  assert.equal(await page.locator("#place-hint").innerText(), "Add a product to place an order.");
  await page.click("#place", { force: true });
  await page.evaluate(() => document.querySelector("#place").click());
  await page.waitForTimeout(300);
  assert.deepEqual(orders.sent, []);
  assert.equal(await page.locator("body").getAttribute("data-view"), "checkout");
  assert.deepEqual(errors, []);
});

test("keyboard: Enter on + and −, on a code's × and on Apply keeps focus on a control, never <body>", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-new");
  const quantity = (title) => page.getByRole("group", { name: `Quantity of ${title}` }).innerText();

  await page.getByRole("button", { name: "One more Copper kettle" }).focus();
  await page.keyboard.press("Enter");
  assert.match(await quantity("Copper kettle"), /\b2\b/);
  assert.equal(await focused(page), "plus:kettle");
  await page.keyboard.press("Shift+Tab");
  assert.equal(await focused(page), "minus:kettle");
  await page.keyboard.press("Enter");
  assert.equal(await focused(page), "minus:kettle");
  // The last kettle goes: its line and buttons with it; focus moves to the line left.
  await page.keyboard.press("Enter");
  assert.equal(await page.getByRole("group", { name: "Quantity of Copper kettle" }).count(), 0);
  assert.equal(await focused(page), "minus:tea-assam");

  // Codes: typed and submitted with Enter, removed with Enter on ×.
  await page.focus("#code");
  await page.keyboard.type("flash50");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#codes li").count(), 1);
  assert.equal(await focused(page), "code-input");
  await page.getByRole("button", { name: "Remove code FLASH50" }).focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#codes li").count(), 0);
  assert.equal(await focused(page), "code-input");

  // Apply FLASH50 on its card: the button goes, focus lands on the card it changed.
  await page.getByRole("button", { name: "Apply FLASH50" }).focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#codes li").count(), 1);
  assert.equal(await focused(page), "card:flash50");
  assert.match(await page.locator("#code-message").innerText(), /FLASH50/);
  assert.deepEqual(errors, []);
});

test("codes: an unknown code leaves no chip and marks the input invalid; an empty submit clears the error", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-new");
  const invalid = () => page.locator("#code").getAttribute("aria-invalid");
  await page.fill("#code", "flash50");
  await page.click("#code-form button");
  assert.equal(await invalid(), "false");
  await page.fill("#code", "nosuchcode");
  await page.click("#code-form button");
  assert.match(await page.locator("#code-message").innerText(), /NOSUCHCODE is not valid/);
  assert.equal(await invalid(), "true");
  assert.deepEqual(await page.locator("#codes li").allTextContents(), ["FLASH50×"], "only the valid code is a chip");
  assert.equal(await page.inputValue("#code"), "nosuchcode", "kept in the input to correct");
  await page.fill("#code", "");
  await page.click("#code-form button");
  assert.equal(await page.locator("#code-message").innerText(), "");
  assert.equal(await invalid(), "false");
  assert.deepEqual(errors, []);
});

test("cards: applicable and locked first, the rest folded away; history is not drawn as a cart bar", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-new");
  const statuses = (list) => page.locator(`${list} > .card`).evaluateAll((cards) => cards.map((c) => c.dataset.status));
  const shown = await statuses("#cards");
  const folded = await statuses("#folded-cards");
  assert.ok(shown.every((s) => ["applied", "available", "locked"].includes(s)), shown.join());
  assert.ok(folded.length > 0 && folded.every((s) => ["ineligible", "expired", "exhausted"].includes(s)), folded.join());
  assert.equal(await page.locator("#more-cards").evaluate((d) => d.open), false, "folded away by default");
  assert.equal(await page.locator("#more-cards > summary").innerText(), `${folded.length} more coupons not available to you`);
  await unfold(page);
  // A folded card says why not, once: no description for those it is for, no bar, no "add more".
  for (const folded of await page.locator("#folded-cards > .card").all()) {
    assert.equal(await folded.locator(".reason").count(), 1);
    assert.equal(await folded.locator(".progress, .history, .muted").count(), 0);
  }
  assert.doesNotMatch(await page.locator("#folded-cards").innerText(), /You finished Rust 101|Add ₹/);

  // Lifetime spend is the customer's history, not this cart: a sentence, no bar.
  const spend = card(page, "spend500");
  assert.equal(await spend.getAttribute("data-status"), "locked");
  assert.equal(await spend.locator(".progress").count(), 0);
  assert.match(await spend.locator(".history").innerText(), /Your orders so far: ₹0 of ₹10,000/);
  assert.doesNotMatch(await spend.innerText(), /Thank you for spending/);
  // The coupon's description for those it is not (yet) for: what it gives, beside the
  // reason that names what unlocks it, not the same condition twice.
  assert.equal(await spend.locator(".muted").first().innerText(), "Our best customers get ₹500 off, as a thank-you.");

  // A cart threshold: one message (with how far along), and a bar screen readers skip.
  const big = card(page, "big-order");
  assert.equal(await big.locator(".progress[aria-hidden=true]").count(), 1);
  const heard = await big.ariaSnapshot();
  assert.equal(heard.match(/Add ₹[\d,]+ more/g)?.length, 1, heard);
  assert.match(heard, /\d+% of the way/);

  // An entered code's card stays in view whatever its status.
  await page.fill("#code", "WEBINAR25");
  await page.click("#code-form button");
  assert.equal(await page.locator('#cards > .card[data-coupon-id="webinar"]').getAttribute("data-status"), "ineligible");

  // A coupon for some products names them.
  await persona(page, "cus-student");
  assert.match(await card(page, "next-course").innerText(), /Eligible items: Course: Rust 201/);

  // At 94.9% of Rust 101, with 95% needed: locked, naming the course and what is left.
  await persona(page, "cus-almost");
  assert.equal(await card(page, "next-course").getAttribute("data-status"), "locked");
  const almost = await card(page, "next-course").innerText();
  assert.match(almost, /For customers who have completed 95% of Rust 101/);
  assert.match(almost, /Complete 0\.1% more of Rust 101/);
  assert.deepEqual(errors, []);
});

/**
 * Serves the page a bundle with `edit` applied, signed by a key of the test's own that
 * the served key set adds to the server's (summaries stay the server's).
 */
async function editedBundle(page, edit) {
  const { publicKey, privateKey } = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const kid = "e2e-test";
  await page.route("**/.well-known/jwks.json", async (route) => {
    const jwks = await (await route.fetch()).json();
    jwks.keys.push({ ...(await jose.exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" });
    await route.fulfill({ json: jwks });
  });
  await page.route("**/api/bundle", async (route) => {
    const { token } = await (await route.fetch()).json();
    const payload = jose.decodeJwt(token);
    edit(payload.bundle);
    const signed = await new jose.SignJWT(payload).setProtectedHeader({ alg: "EdDSA", kid }).sign(privateKey);
    await route.fulfill({ json: { token: signed } });
  });
}

test("an expired coupon with an unmet minimum shows no progress; a scoped minimum names its items", async () => {
  const { page, errors } = await open(env, {
    before: (page) => editedBundle(page, (bundle) => {
      bundle.coupons.find((c) => c.id === "diwali").purchase = { minValue: "100000.00" };
      bundle.coupons.push({
        id: "pantry3", application: "automatic", discount: { percentage: { percent: "5" } },
        purchase: { scope: { collections: ["pantry"] }, minQuantity: 3 },
        display: { title: "5% off 3 pantry items", description: "Stock up the pantry." },
      });
    }),
  });
  await persona(page, "cus-new");
  await unfold(page);
  const diwali = card(page, "diwali");
  assert.equal(await diwali.getAttribute("data-status"), "expired");
  assert.match(await diwali.innerText(), /This offer ended on/);
  assert.doesNotMatch(await diwali.innerText(), /Add ₹|more to unlock/);
  assert.equal(await diwali.locator(".progress").count(), 0);

  const pantry = card(page, "pantry3");
  assert.equal(await pantry.getAttribute("data-status"), "locked");
  assert.match(await pantry.innerText(), /Add 1 more item to unlock/);
  assert.match(await pantry.innerText(), /Eligible items: Assam tea, 250 g, Coffee beans, 500 g/);
  assert.equal(await pantry.locator(".progress").count(), 1);
  assert.deepEqual(errors, []);
});

test("screen readers: was/now prices, a labelled quantity, a named card list, a bar of 3:1 or more", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-lapsed");
  const tea = page.locator('#lines > li[data-product-id="tea-assam"] .price');
  assert.match(await tea.evaluate((n) => n.textContent), /^was ₹900 now ₹792−₹108 discount$/);
  assert.match(await page.getByRole("group", { name: "Quantity of Assam tea, 250 g" }).innerText(), /Quantity\s*2/);
  assert.equal(await page.getByRole("list", { name: "Coupons for this cart" }).count(), 1);
  assert.match(await card(page, "winback").locator(".saving").evaluate((n) => n.textContent), /total was ₹5,349 now ₹5,049/);
  // WCAG 1.4.11: the bar's fill against its track and against the card, 3:1 at least.
  const ratios = await card(page, "big-order").locator(".progress").evaluate((bar) => {
    const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = rgb(c).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const fill = getComputedStyle(bar.firstElementChild).backgroundColor;
    return { track: ratio(fill, getComputedStyle(bar).backgroundColor), card: ratio(getComputedStyle(bar).borderTopColor, getComputedStyle(bar.closest(".card")).backgroundColor) };
  });
  assert.ok(ratios.track >= 3 && ratios.card >= 3, JSON.stringify(ratios));
  assert.deepEqual(errors, []);
});

/** Whether the timing badge covers any card (it was fixed over them). */
const timingOverlapsCard = (page) => page.evaluate(() => {
  const t = document.querySelector("#timing").getBoundingClientRect();
  return [...document.querySelectorAll(".card")].some((c) => {
    const r = c.getBoundingClientRect();
    return r.width > 0 && t.left < r.right && r.left < t.right && t.top < r.bottom && r.top < t.bottom;
  });
});

test("a 390×844 phone: the total and Place order stay on screen, 44 px buttons, no badge over cards", async () => {
  const { page, errors } = await open(env, { viewport: PHONE });
  await persona(page, "cus-loyal");
  const total = await page.locator("#totals dd.grand").innerText();
  // The bar is on screen and on top wherever the shopper has scrolled to.
  for (const y of [0, 1500, 100_000]) {
    await page.evaluate((y) => window.scrollTo(0, y), y);
    const box = await page.locator("#place").boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= PHONE.height, `Place order on screen at scroll ${y}: ${JSON.stringify(box)}`);
    const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.id, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    assert.equal(hit, "place", `nothing covers Place order at scroll ${y}`);
    assert.equal(await page.locator("#bar-total").innerText(), total);
    assert.equal(await page.locator("#bar-total").isVisible(), true);
  }
  for (const button of await page.locator(".qty button").all()) {
    const { width, height } = await button.boundingBox();
    assert.ok(width >= 44 && height >= 44, `${await button.getAttribute("aria-label")}: ${width}×${height}`);
  }
  await unfold(page);
  assert.equal(await timingOverlapsCard(page), false);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, "phone-checkout.png") });
  await page.screenshot({ path: join(artifacts, "phone-checkout-full.png"), fullPage: true });
  await page.evaluate(() => window.scrollTo(0, 1500));
  await page.screenshot({ path: join(artifacts, "phone-checkout-scrolled.png") });

  await page.setViewportSize(DESKTOP);
  assert.equal(await timingOverlapsCard(page), false);
  assert.equal(await page.locator("#bar-total").isVisible(), false, "the desktop summary has its own total");
  await page.screenshot({ path: join(artifacts, "desktop-checkout.png"), fullPage: true });

  await page.setViewportSize(PHONE);
  await page.click("#place");
  await confirmation(page);
  await page.screenshot({ path: join(artifacts, "phone-confirmation.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("axe-core finds no serious or critical violation: desktop, phone, an error shown, the confirmation", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-lapsed");
  await unfold(page);
  await page.fill("#code", "nosuchcode");
  await page.click("#code-form button");
  await assertAccessible(page, "the desktop checkout, folded cards open, an invalid code");
  await page.setViewportSize(PHONE);
  await assertAccessible(page, "the phone checkout");
  await page.click("#place");
  await confirmation(page);
  await assertAccessible(page, "the phone confirmation");
  await page.setViewportSize(DESKTOP);
  await assertAccessible(page, "the desktop confirmation");
  assert.deepEqual(errors, []);
});

test("the language switch re-renders the cards in Hindi and Ukrainian, in the shopper's zone, and back in English", async () => {
  const { page, errors } = await open(env);
  await persona(page, "cus-almost");
  const reasons = () => page.locator("#cards .reason").allInnerTexts();
  const english = await reasons();
  assert.ok(english.some((t) => t.includes("Rust 101")), english.join(" | "));
  assert.match(await page.locator("#time-zone").innerText(), /Dates in the cards are in your time zone, \S+\./);
  for (const [locale, script] of [["hi-IN", /[\u0900-\u097F]/], ["uk-UA", /[\u0400-\u04FF]/]]) {
    await page.selectOption("#language", locale);
    await page.waitForFunction((l) => document.querySelector("#cards .reason")?.lang === l, locale);
    const said = await reasons();
    assert.equal(said.length, english.length, locale);
    for (const text of said) assert.match(text, script, `${locale}: ${text}`);
    assert.equal(await focused(page), "language");
  }
  await page.screenshot({ path: join(artifacts, "desktop-language-uk.png"), fullPage: true });
  await page.selectOption("#language", "en-IN");
  await page.waitForFunction(() => document.querySelector("#cards .reason")?.lang === "en-IN");
  assert.deepEqual(await reasons(), english);
  assert.deepEqual(errors, []);
});
