// End to end: the demo's scheduled coupon (CHAI20, open in set hours on the store's
// clock in Asia/Kolkata), in Chromium against the real order server. Its hours are
// moved around the server's clock here, so that the test sees it closed and open
// whatever the time of day: the demo store with only the schedule changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { artifacts, card, enter, persona, place, status, confirmation, root, start, open as openPage } from "./harness.mjs";

/** Minutes since midnight in India (+05:30, no daylight saving time) at `ms`. */
const indiaMinute = (ms) => (Math.floor(ms / 60_000) + 330) % 1440;
const clock = (m) => {
  const t = ((m % 1440) + 1440) % 1440;
  return `${String(Math.floor(t / 60)).padStart(2, "0")}:${String(t % 60).padStart(2, "0")}`;
};

/** The demo store with CHAI20 open every day in `window` ("HH:MM-HH:MM"). */
function storeWith(window) {
  const store = JSON.parse(readFileSync(join(root, "server/store.json"), "utf8"));
  const chai = store.bundle.coupons.find((c) => c.id === "chai-hour");
  assert.ok(chai, "the demo store has the chai-hour coupon");
  chai.schedule = [window];
  return store;
}

test("outside its hours: the card is locked and says when it opens; a claim from a clock set ahead is refused", async () => {
  // Opens in 20 minutes, for half an hour.
  const m = indiaMinute(Date.now());
  const opens = clock(m + 20);
  const env = await start({ store: storeWith(`${opens}-${clock(m + 50)}`) });
  try {
    // The store names its zone; the server fills in the offsets the schedule is read with.
    const { token } = await (await fetch(`${env.base}/api/bundle`)).json();
    const { bundle } = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    assert.equal(bundle.timeZone.name, "Asia/Kolkata");
    assert.match(bundle.timeZone.offsets[0], /\+05:30$/, JSON.stringify(bundle.timeZone));

    const { page, errors } = await openPage(env);
    await persona(page, "cus-welcome");
    await page.check("input[name=payment][value=cod]");
    assert.equal(await status(page, "chai-hour"), "locked");
    const day = m + 20 >= 1440 ? "tomorrow" : "today";
    assert.match(await card(page, "chai-hour").innerText(), new RegExp(`Opens ${day} at ${opens}`));
    // The code entered early: still locked, and the order carries no discount for it.
    await enter(page, "CHAI20");
    assert.equal(await status(page, "chai-hour"), "locked");
    await page.screenshot({ path: join(artifacts, "09-schedule-closed.png"), fullPage: true });

    // A device whose clock says it is 35 minutes later, inside the hours: its engine
    // applies the code, and the server, on its own clock, refuses the claim.
    const ahead = await openPage(env, { before: (p) => p.clock.setFixedTime(Date.now() + 35 * 60_000) });
    await persona(ahead.page, "cus-welcome");
    await ahead.page.check("input[name=payment][value=cod]");
    assert.equal(await status(ahead.page, "chai-hour"), "available");
    await enter(ahead.page, "CHAI20");
    assert.equal(await status(ahead.page, "chai-hour"), "applied", await card(ahead.page, "chai-hour").innerText());
    // 20% of two packs of tea at ₹450.
    assert.match(await card(ahead.page, "chai-hour").innerText(), /Saves ₹180/);
    const [refused, answer] = await place(ahead.page);
    assert.equal(refused, 409, JSON.stringify(answer));
    assert.equal(answer.code, "claim_rejected");
    const difference = answer.differences.find((d) => d.claimed === "chai-hour");
    assert.deepEqual([difference?.code, difference?.reasons], ["not_applicable", ["outside_schedule"]], JSON.stringify(answer));
    // The server's own result, which the page was told, has the card closed.
    const closed = answer.result.cards.find((c) => c.couponId === "chai-hour");
    assert.equal(closed.reasons[0].message, `Opens ${day} at ${opens}`);
    await ahead.page.waitForFunction(() => /claim_rejected/.test(document.querySelector("#order-message").textContent));
    assert.deepEqual([...errors, ...ahead.errors], []);
  } finally {
    await env.stop();
  }
});

test("inside its hours: the code applies and the server places the order with it", async () => {
  // Opened half an hour ago, closes in half an hour.
  const m = indiaMinute(Date.now());
  const env = await start({ store: storeWith(`${clock(m - 30)}-${clock(m + 30)}`) });
  try {
    const { page, errors } = await openPage(env);
    await persona(page, "cus-welcome");
    await page.check("input[name=payment][value=cod]");
    assert.equal(await status(page, "chai-hour"), "available");
    await enter(page, "CHAI20");
    assert.equal(await status(page, "chai-hour"), "applied");
    // Open, the card counts down to the close.
    assert.match(await card(page, "chai-hour").innerText(), /ends in 0h [23]\dm/);
    await page.screenshot({ path: join(artifacts, "10-schedule-open.png"), fullPage: true });
    const [placed, order] = await place(page);
    assert.equal(placed, 201, JSON.stringify(order));
    assert.ok(order.discounts.some((d) => d.couponId === "chai-hour" && d.amount === "180.00"), JSON.stringify(order));
    await confirmation(page);
    assert.deepEqual(errors, []);
  } finally {
    await env.stop();
  }
});
