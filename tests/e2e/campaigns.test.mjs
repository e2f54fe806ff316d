// End to end: issue 25's campaign features as the demo store shows them, in Chromium
// against the real order server: GST in the catalogue's prices, an emailed single-use
// code of a batch, a unit cap, a campaign budget, a coupon that leaves sale items out and
// one whose minimum is measured after the discounts before it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifacts, card, enter, persona, place, status, addProducts, confirmation, continueShopping, start, open as openPage } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });


test("an emailed batch code: a typo is caught offline, the code is taken once, GST is on the order", async () => {
  const { page, errors } = await openPage(env);
  // The persona's email carries a code of the batch; the bundle does not hold it.
  await persona(page, "cus-lapsed");
  await page.check("input[name=payment][value=cod]");
  const code = /HELLO-[A-Z0-9]{10}/.exec(await page.locator("#persona option[value=cus-lapsed]").innerText())[0];
  const typo = code.slice(0, -1) + (code.endsWith("X") ? "Y" : "X");
  await enter(page, typo);
  assert.match(await page.locator("#code-message").innerText(), new RegExp(`${typo} is not valid`));
  await enter(page, code.toLowerCase());
  assert.equal(await status(page, "emailed"), "applied");
  // 10% of ₹5,349 is capped at ₹400.
  assert.match(await card(page, "emailed").innerText(), /Saves ₹400/);
  assert.match(await page.locator("#totals").innerText(), /incl\. GST\s+₹[\d,]+\.\d\d/);
  const [placed, order] = await place(page);
  assert.equal(placed, 201, JSON.stringify(order));
  assert.deepEqual(order.discounts, [{ couponId: "emailed", amount: "400.00" }]);
  assert.deepEqual(order.couponCodes, [code]);
  assert.match(order.tax, /^\d+\.\d\d$/);
  assert.match((await confirmation(page)).totals, new RegExp(`incl\\. GST\\s+₹${Number(order.tax).toLocaleString("en-IN", { minimumFractionDigits: 2 })}`));
  await page.screenshot({ path: join(artifacts, "06-emailed-code-gst.png"), fullPage: true });
  await continueShopping(page);

  // The same code from another shopper: the page cannot know it was used and shows it
  // applied; the server's ledger refuses it at placement.
  await persona(page, "cus-new");
  await page.check("input[name=payment][value=cod]");
  await addProducts(page, "Copper kettle");
  await enter(page, code);
  assert.equal(await status(page, "emailed"), "applied");
  const [refused, answer] = await place(page);
  assert.equal(refused, 409, JSON.stringify(answer));
  assert.equal(answer.code, "code_unavailable");
  await page.waitForFunction(() => /code_unavailable/.test(document.querySelector("#order-message").textContent));
  assert.deepEqual(errors, []);
});

test("a unit cap counts two mats of three; a campaign budget's last ₹150 goes to one order", async () => {
  const { page, errors } = await openPage(env);
  await persona(page, "cus-welcome");
  await page.check("input[name=payment][value=cod]");
  await addProducts(page, "Yoga mat", "Yoga mat", "Yoga mat");
  await enter(page, "MATS20");
  // 20% of two mats at ₹1,299, not three.
  assert.match(await card(page, "mats20").innerText(), /Saves ₹519\.60/);

  // The Monsoon fund has ₹150 left: this order takes it.
  await continueShoppingWith(page, "cus-welcome");
  await enter(page, "MONSOON150");
  assert.equal(await status(page, "monsoon"), "applied");
  const [placed, order] = await place(page);
  assert.equal(placed, 201, JSON.stringify(order));
  assert.deepEqual(order.discounts, [{ couponId: "monsoon", amount: "150.00" }]);
  await confirmation(page);
  await continueShopping(page);

  // The bundle is published again with what the ledger spent: the next shopper's card
  // is exhausted and says so.
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await persona(page, "cus-student");
  await page.check("input[name=payment][value=cod]");
  await addProducts(page, "Copper kettle");
  await enter(page, "MONSOON150");
  assert.equal(await status(page, "monsoon"), "exhausted");
  assert.match(await card(page, "monsoon").innerText(), /This offer's budget is used up/);
  await page.screenshot({ path: join(artifacts, "07-budget-exhausted.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("a coupon that leaves sale items out: it discounts the rest, and alone with the kurta says why not", async () => {
  const { page, errors } = await openPage(env);
  await persona(page, "cus-lapsed");
  await page.check("input[name=payment][value=cod]");
  // The kurta is on sale (₹899, was ₹1,199); the tea and the kettle are not.
  await addProducts(page, "Cotton kurta");
  await enter(page, "FULLPRICE15");
  assert.equal(await status(page, "fullprice15"), "applied");
  // 15% of the ₹5,300 at full price is ₹795, capped at ₹750; the kurta takes no share.
  assert.match(await card(page, "fullprice15").innerText(), /Saves ₹750/);
  assert.doesNotMatch(await page.locator(".line", { hasText: "Cotton kurta" }).innerText(), /discount/);
  for (const name of ["Copper kettle", "Assam tea, 250 g", "Assam tea, 250 g"]) {
    await page.getByRole("button", { name: `One less ${name}` }).click();
  }
  assert.equal(await status(page, "fullprice15"), "locked");
  assert.match(await card(page, "fullprice15").innerText(), /Not valid on sale items/);
  await page.screenshot({ path: join(artifacts, "08-sale-items-excluded.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("a minimum measured after discounts: locked by the loyalty discount before it, then applied and placed", async () => {
  const { page, errors } = await openPage(env);
  await persona(page, "cus-loyal");
  await page.check("input[name=payment][value=cod]");
  // From the default cart (the kettle and two teas) to a tea and two mats: ₹3,048.
  await page.getByRole("button", { name: "One less Copper kettle" }).click();
  await page.getByRole("button", { name: "One less Assam tea, 250 g" }).click();
  await addProducts(page, "Yoga mat", "Yoga mat");
  await enter(page, "NET150");
  // The 10% loyalty discount comes first and leaves ₹2,743.20 of the ₹3,000 minimum.
  assert.match(await card(page, "loyal10").innerText(), /Saves ₹304\.80/);
  assert.equal(await status(page, "net150"), "locked");
  const locked = await card(page, "net150").innerText();
  assert.match(locked, /Add ₹256\.80 more after discounts to unlock/);
  assert.doesNotMatch(locked, /Saves/);
  await page.screenshot({ path: join(artifacts, "11-minimum-after-discounts.png"), fullPage: true });
  // Two notebooks: ₹3,546, ₹3,191.40 after the loyalty discount.
  await addProducts(page, "Dotted notebook", "Dotted notebook");
  assert.equal(await status(page, "net150"), "applied");
  assert.match(await card(page, "net150").innerText(), /Saves ₹150/);
  const [placed, order] = await place(page);
  assert.equal(placed, 201, JSON.stringify(order));
  assert.deepEqual(order.discounts, [{ amount: "354.60", couponId: "loyal10" }, { amount: "150.00", couponId: "net150" }]);
  assert.deepEqual(errors, []);
});

/** Starts this persona again on the demo's default cart. */
async function continueShoppingWith(page, id) {
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await persona(page, id);
  await page.check("input[name=payment][value=cod]");
}
