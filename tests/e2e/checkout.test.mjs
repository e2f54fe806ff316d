// End to end: the order server (real binary, SQLite), the demo storefront in Debian's
// Chromium driven by playwright-core. Screenshots go to test-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const root = new URL("../../", import.meta.url).pathname;
const artifacts = join(root, "test-artifacts");
mkdirSync(artifacts, { recursive: true });
const serverBin = process.env.COUPON_ENGINE_SERVER_BIN ?? join(root, "target/debug/coupon-engine-server");
let server, browser, base;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "coupon-e2e-"));
  server = spawn(serverBin, ["serve", "--listen", "127.0.0.1:0", "--store", join(root, "server/store.json"),
    "--database", `sqlite://${join(dir, "orders.db")}?mode=rwc`, "--key", join(dir, "key.jwk"),
    "--www", join(root, "www"), "--pkg", join(root, "pkg")], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once("line", resolve);
    server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  base = `http://${line.replace("listening on ", "").trim()}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

async function open() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  return { page, errors };
}

const card = (page, id) => page.locator(`.card[data-coupon-id="${id}"]`);
const persona = (page, id) => page.selectOption("#persona", id).then(() => page.waitForTimeout(300));

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
  assert.doesNotMatch(await page.locator(".lines").innerText(), /Copper kettle/);
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
  assert.match(await card(page, "webinar").locator(".expiry").innerText(), /ends in 2[12]h/);
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
  assert.match(await card(page, "diwali").innerText(), /This offer ended on/);
  // FLASH50 is one per customer: after this order its card reads exhausted. (Cash on
  // delivery, so the exclusive online-payment 12% does not push loyalty + FLASH50 out.)
  await page.check("input[name=payment][value=cod]");
  await page.fill("#code", "FLASH50");
  await page.click("#code-form button");
  assert.equal(await card(page, "flash50").getAttribute("data-status"), "applied");
  await page.click("#place");
  await page.waitForFunction(() => document.querySelector("#order-message").textContent.length > 0);
  assert.match(await page.locator("#order-message").innerText(), /recheck accepted/);
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
