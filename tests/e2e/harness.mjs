// What every end-to-end test file shares: the order server (real binary, a fresh SQLite
// file), Debian's Chromium driven by playwright-core, and helpers to drive the demo page.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const root = new URL("../../", import.meta.url).pathname;
export const artifacts = join(root, "test-artifacts");
mkdirSync(artifacts, { recursive: true });
const serverBin = process.env.COUPON_ENGINE_SERVER_BIN ?? join(root, "target/debug/coupon-engine-server");

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/**
 * Starts the server and the browser; returns them with the server's base URL and a stop().
 * `store`: a store file's contents to serve instead of the demo's (server/store.json).
 */
export async function start({ store } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "coupon-e2e-"));
  let storeFile = join(root, "server/store.json");
  if (store) {
    storeFile = join(dir, "store.json");
    writeFileSync(storeFile, JSON.stringify(store));
  }
  const server = spawn(serverBin, ["serve", "--listen", "127.0.0.1:0", "--store", storeFile,
    "--database", `sqlite://${join(dir, "orders.db")}?mode=rwc`, "--key", join(dir, "key.jwk"),
    "--session-key", join(dir, "session.key"),
    "--www", join(root, "www"), "--pkg", join(root, "pkg")], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once("line", resolve);
    server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  const base = `http://${line.replace("listening on ", "").trim()}`;
  return {
    base, browser,
    async stop() { await browser.close(); server.kill(); },
  };
}

/**
 * A new page (its own cookies, so its own session) on the storefront, ready to use.
 * `before(page)` runs before the page loads (routes to install).
 */
export async function open(env, { viewport = DESKTOP, before } = {}) {
  const page = await env.browser.newPage({ viewport });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await before?.(page);
  await page.goto(env.base);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  return { page, errors };
}

export const card = (page, id) => page.locator(`.card[data-coupon-id="${id}"]`);
/** A card's status ("applied", "locked", …). */
export const status = (page, id) => card(page, id).getAttribute("data-status");

/** Enters a code in the code form. */
export async function enter(page, code) {
  await page.fill("#code", code);
  await page.click("#code-form button");
}

/** Places the order and returns the server's answer: [status, body]. */
export async function place(page) {
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/orders") && r.request().method() === "POST");
  await page.click("#place");
  const response = await answer;
  return [response.status(), await response.json()];
}

/** Choosing a persona signs in (POST /api/session) and loads that customer's summary. */
export async function persona(page, id) {
  await page.selectOption("#persona", id);
  await page.waitForSelector(`body[data-customer-id="${id}"]`);
  // The picker is disabled while a sign-in runs. Choosing the persona already shown
  // signs in again (playwright fires `change` even for the same value), and that
  // sign-in clears the codes when it ends: wait for it, or a code entered next is lost.
  await page.waitForSelector("#persona:enabled");
}

/** Opens the disclosure of coupons that are not available to this customer. */
export async function unfold(page) {
  await page.evaluate(() => { document.querySelector("#more-cards").open = true; });
}

/** Adds products from the catalogue (after an order the cart starts empty). */
export async function addProducts(page, ...titles) {
  const catalogue = page.locator("details.catalogue");
  if (!(await catalogue.evaluate((d) => d.open))) await page.click("details.catalogue summary");
  for (const title of titles) await page.getByRole("button", { name: `Add ${title}` }).click();
}

/** Every POST /api/orders the page sends, with its idempotency key, and each answer. */
export function recordOrders(page) {
  const log = { sent: [], answers: [] };
  page.on("request", (r) => {
    if (r.url().endsWith("/api/orders") && r.method() === "POST") log.sent.push(JSON.parse(r.postData()).idempotencyKey);
  });
  page.on("response", async (r) => {
    if (r.url().endsWith("/api/orders") && r.request().method() === "POST") log.answers.push({ status: r.status(), body: await r.json() });
  });
  return log;
}

/** Waits for the confirmation page and returns what it shows. */
export async function confirmation(page) {
  await page.waitForSelector("body[data-view=confirmation]");
  return {
    orderId: await page.locator("#confirmation-id").innerText(),
    note: await page.locator("#confirmation-note").innerText(),
    totals: await page.locator("#confirmation-totals").innerText(),
  };
}

/** Back from the confirmation to the checkout (an empty cart). */
export async function continueShopping(page) {
  await page.click("#continue");
  await page.waitForSelector("body[data-view=checkout]");
}

/**
 * Runs axe-core (npm) on the page and fails on any serious or critical violation,
 * naming each rule and the elements that break it.
 */
export async function assertAccessible(page, what) {
  await page.addScriptTag({ path: join(root, "node_modules/axe-core/axe.min.js") });
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [],
    `axe-core on ${what}`);
  return violations;
}

/** The entry of "Your orders" for one order. */
export const orderEntry = (page, orderId) => page.locator(`#orders-list li[data-order-id="${orderId}"]`);

/** Waits until "Your orders" lists `count` orders (newest first) and returns their ids. */
export async function listedOrders(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll("#orders-list li[data-order-id]").length === n
    && document.querySelector("#orders").getAttribute("aria-busy") === "false", count);
  return page.locator("#orders-list li[data-order-id]").evaluateAll((nodes) => nodes.map((n) => n.dataset.orderId));
}

/**
 * Returns an order from "Your orders" with the keyboard (focus on its Return button,
 * Enter) and gives the server's answer: [status, body].
 */
export async function returnOrder(page, orderId) {
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/orders/${orderId}/refund`) && r.request().method() === "POST");
  await orderEntry(page, orderId).getByRole("button", { name: `Return order ${orderId}` }).focus();
  await page.keyboard.press("Enter");
  const response = await answer;
  return [response.status(), await response.json()];
}
