// Imports the BUILT package (pkg/, as npm would ship it) in Node through its default
// entry (what browsers and bundlers get) and replays every shared vector through its
// public API, plus the JS-facing error contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import init, { CouponEngineError, Engine, evaluate, evaluateJson, localize, verifySummary } from "../../pkg/index.js";
import { localizedExpectations, replayLocalized } from "./localized.mjs";
import * as raw from "../../pkg/coupon_engine.js";
import * as api from "../../pkg/index.js";

const root = new URL("../../", import.meta.url);
const cli = process.env.COUPON_ENGINE_BIN ?? new URL("target/debug/coupon-engine", root).pathname;
await init({ module_or_path: readFileSync(new URL("pkg/coupon_engine_bg.wasm", root)) });

const vectorDir = new URL("tests/vectors/", root);
const vectors = readdirSync(vectorDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, vectorDir), "utf8"))]);

test("the package replays every shared vector byte for byte", () => {
  assert.ok(vectors.length >= 50, `only ${vectors.length} vectors`);
  for (const [name, doc] of vectors) {
    if (doc.expectedError) {
      assert.throws(() => evaluate(doc.request), (e) => {
        assert.ok(e instanceof Error, `${name}: not an Error`);
        assert.ok(e instanceof CouponEngineError, `${name}: not a CouponEngineError`);
        assert.equal(e.name, "CouponEngineError");
        const { code, path, message } = doc.expectedError;
        assert.deepEqual({ code: e.code, path: e.path, message: e.message }, { code, path, message: `${path}: ${message}` }, name);
        return true;
      });
      continue;
    }
    const want = JSON.stringify(doc.expected);
    assert.equal(JSON.stringify(evaluate(doc.request)), want, `${name}: evaluate`);
    assert.equal(evaluateJson(JSON.stringify(doc.request)), want, `${name}: evaluateJson`);
    const { bundle, customer, cart, context } = doc.request;
    const engine = new Engine(bundle);
    assert.equal(JSON.stringify(engine.evaluate(customer, cart, context)), want, `${name}: engine.evaluate`);
    const shopper = engine.shopper(customer);
    assert.equal(JSON.stringify(shopper.evaluate(cart, context)), want, `${name}: shopper.evaluate`);
  }
});

test("the module writes no English; the entry writes the engine's, from the bundle the engine read", () => {
  const [, doc] = vectors.find(([name]) => name === "scoped-progress-names-what-counts.json") ?? [];
  assert.ok(doc, "a vector with a scoped progress line");
  const { bundle, customer, cart, context } = doc.request;
  const messages = (result) => result.cards.flatMap((c) => [...c.reasons, ...c.progress].map((r) => r.message));
  // The generated bindings' own function: every message empty.
  assert.ok(messages(JSON.parse(raw.evaluateJson(JSON.stringify(doc.request)))).every((m) => m === ""));
  assert.ok(messages(evaluate(doc.request)).some((m) => m.includes(" from ")));
  // A bundle changed after the engine was made does not change its messages.
  const copy = structuredClone(bundle);
  const engine = new Engine(copy);
  for (const c of copy.coupons) if (c.purchase) c.purchase.scope = "entireCart";
  assert.equal(JSON.stringify(engine.evaluate(customer, cart, context)), JSON.stringify(doc.expected));
});

test("localize in English and UTC gives the engine's own messages on every vector", () => {
  let checked = 0;
  for (const [name, doc] of vectors) {
    if (!doc.expected) continue;
    const again = localize(doc.expected, { locale: "en", timeZone: "UTC", bundle: doc.request.bundle });
    assert.equal(JSON.stringify(again), JSON.stringify(doc.expected), name);
    checked += 1;
  }
  assert.ok(checked >= 90, `only ${checked} vectors`);
});

test("the vectors' localized cases render as expected in Node", () => {
  const want = localizedExpectations(vectors);
  assert.ok(Object.keys(want).length >= 7, Object.keys(want).join());
  assert.deepEqual(replayLocalized({ evaluate, localize, CouponEngineError }, vectors), want);
});

test("localize keeps codes and params, leaves its input alone and checks its options", () => {
  const [, doc] = vectors.find(([name]) => name === "locale-hi-in.json");
  const result = evaluate(doc.request);
  const before = JSON.stringify(result);
  const shown = localize(result, { locale: "hi-IN", timeZone: "Asia/Kolkata", bundle: doc.request.bundle });
  assert.equal(JSON.stringify(result), before, "the input result is not changed");
  const strip = (r) => JSON.stringify(r, (k, v) => (k === "message" ? undefined : v));
  assert.equal(strip(shown), strip(result));
  // DST per instant: the same zone is +01:00 in winter and +02:00 in summer.
  const summer = { ...result, cards: [{ ...result.cards.at(-1), reasons: [{ code: "ended", params: { endedAt: "2026-07-01T10:00:00Z" }, message: "" }], progress: [] }] };
  const winter = { ...summer, cards: [{ ...summer.cards[0], reasons: [{ code: "ended", params: { endedAt: "2026-01-01T10:00:00Z" }, message: "" }] }] };
  const at = (r) => localize(r, { locale: "en-GB", timeZone: "Europe/Berlin", bundle: doc.request.bundle }).cards[0].reasons[0].message;
  assert.equal(at(summer), "This offer ended on 1 Jul 2026, 12:00 CEST");
  assert.equal(at(winter), "This offer ended on 1 Jan 2026, 11:00 CET");
  const bad = [
    [{ locale: "en" }, "missing_field", "bundle"],
    [{ locale: 5, bundle: doc.request.bundle }, "invalid_type", "locale"],
    [{ timeZone: 5, bundle: doc.request.bundle }, "invalid_type", "timeZone"],
    [{ now: "yesterday", bundle: doc.request.bundle }, "invalid_date", "now"],
    [{ messages: ["x"], bundle: doc.request.bundle }, "invalid_type", "messages"],
    [{ messages: { "progress.ended": "x" }, bundle: doc.request.bundle }, "unknown_field", "messages.progress.ended"],
    [{ messages: { "unit.year": "{count} years" }, bundle: doc.request.bundle }, "unknown_field", "messages.unit.year"],
    [{ messages: { ended: "{constructor}" }, bundle: doc.request.bundle }, "invalid_value", "messages.ended"],
    [{ messages: { "min_quantity.few": "{nope}" }, bundle: doc.request.bundle }, "invalid_value", "messages.min_quantity.few"],
    [{ timeZone: "Asia/Nowhere", bundle: doc.request.bundle }, "invalid_value", "timeZone"],
    [{ bundle: { ...doc.request.bundle, timeZone: { name: "Asia/Nowhere" } } }, "invalid_value", "bundle.timeZone.name"],
  ];
  for (const [options, code, path] of bad) {
    assert.throws(() => localize(result, options), (e) => e instanceof CouponEngineError && e.code === code && e.path === path, JSON.stringify(options));
  }
  assert.throws(() => localize(null, { bundle: doc.request.bundle }), { code: "invalid_type", path: "result" });
});

test("a schedule's opening is shown on the merchant's clock, the weekday from the catalogue", () => {
  const [, doc] = vectors.find(([name]) => name === "schedule-weekend-opens-saturday.json");
  const { bundle } = doc.request;
  const result = evaluate(doc.request);
  const say = (r) => r.cards[0].reasons[0].message;
  // The shopper's zone does not move the merchant's Saturday 00:00.
  assert.equal(say(localize(result, { locale: "en", timeZone: "America/Los_Angeles", bundle })), "Opens Saturday at 00:00");
  const messages = { "weekday.sat": "Sat", outside_schedule: "{weekday} {time} ({opensAt})" };
  assert.equal(say(localize(result, { locale: "en", timeZone: "UTC", bundle, messages })), "Sat 00:00 (4 Dec 2026, 22:00 UTC)");
  const reason = (params) => ({ ...result, cards: [{ ...result.cards[0], reasons: [{ code: "outside_schedule", params, message: "" }] }] });
  const params = result.cards[0].reasons[0].params;
  assert.equal(say(localize(reason({ ...params, inDays: 1 }), { locale: "uk-UA", bundle })), "Доступно завтра з 00:00");
  assert.equal(say(localize(reason({ ...params, inDays: 0 }), { locale: "hi-IN", bundle })), "आज 00:00 बजे से उपलब्ध");
  assert.throws(() => localize(reason({ ...params, day: "caturday" }), { bundle }), { code: "invalid_value", path: "result.cards[0].reasons[0].code" });
});

test("a shopper reads the summary once and still rejects a bad cart with a typed error", () => {
  const [, doc] = vectors.find(([name]) => name === "example-loyalty-10-percent.json");
  const { bundle, customer, cart, context } = doc.request;
  const engine = new Engine(bundle);
  assert.throws(() => engine.shopper({ ...customer, orders: [{ id: "o1" }] }), { code: "missing_field", path: "customer.orders[0].placedAt" });
  const shopper = engine.shopper(customer);
  assert.throws(() => shopper.evaluate({ ...cart, currency: "USD" }, context), { code: "currency_mismatch" });
  assert.equal(shopper.evaluate(cart, context).discountTotal, engine.evaluate(customer, cart, context).discountTotal);
});

test("an Engine is reused across carts", () => {
  const [, doc] = vectors.find(([name]) => name === "example-loyalty-10-percent.json");
  const { bundle, customer, cart, context } = doc.request;
  const engine = new Engine(bundle);
  const full = engine.evaluate(customer, cart, context);
  assert.equal(full.discountTotal, "500.00");
  const small = engine.evaluate(customer, { ...cart, lines: [cart.lines[0]] }, context);
  // 10% of ₹1,800 = ₹180: under the cap now.
  assert.equal(small.discountTotal, "180.00");
  assert.equal(small.cards.find((c) => c.couponId === "loyal10").status, "applied");
});

test("results are plain objects with amounts as strings and stable nulls", () => {
  const [, doc] = vectors.find(([name]) => name === "example-first-order.json");
  const result = evaluate(doc.request);
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.equal(typeof result.totalAfter, "string");
  for (const card of result.cards) {
    assert.ok("expiresAt" in card && "saving" in card && "code" in card);
  }
  const locked = result.cards.find((c) => c.status === "locked");
  assert.equal(locked.saving, null);
  assert.equal(locked.progress[0].message, "3 more orders");
});

test("bad JS values are typed errors, never traps", () => {
  const [, doc] = vectors.find(([name]) => name === "example-cod-disabled.json");
  const engine = new Engine(doc.request.bundle);
  const cases = [
    [{ ...doc.request.cart, currency: 42 }, "invalid_type", "cart.currency"],
    [{ ...doc.request.cart, lines: [{ ...doc.request.cart.lines[0], unitPrice: 8.99 }] }, "invalid_type", "cart.lines[0].unitPrice"],
    [{ ...doc.request.cart, lines: [{ ...doc.request.cart.lines[0], quantity: NaN }] }, "invalid_type", "cart.lines[0].quantity"],
    [{ ...doc.request.cart, lines: [{ ...doc.request.cart.lines[0], quantity: undefined }] }, "missing_field", "cart.lines[0].quantity"],
    [{ ...doc.request.cart, lines: [{ ...doc.request.cart.lines[0], quantity: 10n }] }, "invalid_type", "cart"],
    [{ ...doc.request.cart, lines: [{ ...doc.request.cart.lines[0], productId: "\ud800" }] }, "invalid_value", "cart.lines[0].productId"],
    [undefined, "invalid_type", "cart"],
  ];
  for (const [cart, code, path] of cases) {
    assert.throws(() => engine.evaluate(doc.request.customer, cart, doc.request.context), (e) => {
      assert.ok(e instanceof CouponEngineError);
      assert.deepEqual({ code: e.code, path: e.path }, { code, path }, JSON.stringify({ code, path }));
      return true;
    });
  }
});

test("a Node backend rechecks a claimed result", () => {
  const [, doc] = vectors.find(([name]) => name === "example-loyalty-10-percent.json");
  const { bundle, customer, cart, context } = doc.request;
  const engine = new Engine(bundle);
  const claimed = engine.evaluate(customer, cart, context);
  const honest = engine.recheck(customer, cart, context, claimed);
  assert.equal(honest.accepted, true);
  assert.deepEqual(honest.differences, []);
  const tampered = engine.recheck(customer, cart, context, { ...claimed, totalAfter: "1.00" });
  assert.equal(tampered.accepted, false);
  assert.deepEqual(tampered.differences.map((d) => [d.code, d.path, d.claimed, d.actual]), [["total_differs", "totalAfter", "1.00", "5700.00"]]);
});

test("a recheck says in the engine's English why a claimed coupon does not apply, as the CLI does", () => {
  const [, doc] = vectors.find(([name]) => name === "example-loyalty-10-percent.json");
  const { bundle, customer, cart, context } = doc.request;
  const claimed = new Engine(bundle).evaluate(customer, cart, context);
  // The server's records: this shopper has no orders, so the loyalty coupon is not theirs.
  const request = { bundle, customer: { ...customer, orders: [] }, cart, context };
  const recheck = new Engine(bundle).recheck(request.customer, cart, context, claimed);
  const differs = recheck.differences.find((d) => d.code === "not_applicable");
  assert.ok(differs && /^coupon \S+ does not apply: [A-Z]/.test(differs.message), differs?.message);
  const dir = mkdtempSync(join(tmpdir(), "recheck-"));
  writeFileSync(join(dir, "request.json"), JSON.stringify(request));
  writeFileSync(join(dir, "claimed.json"), JSON.stringify(claimed));
  const native = spawnSync(cli, ["recheck", join(dir, "request.json"), join(dir, "claimed.json")], { encoding: "utf8" });
  assert.equal(native.status, 1, native.stderr);
  assert.equal(JSON.stringify(recheck), JSON.stringify(JSON.parse(native.stdout)));
});

test("every function and method throws CouponEngineError instances, with code, path and message", () => {
  const [, doc] = vectors.find(([name]) => name === "example-loyalty-10-percent.json");
  const { bundle, customer, cart, context } = doc.request;
  const now = "2026-11-22T10:00:00Z";
  const engine = new Engine(bundle);
  const cases = [
    ["new Engine", () => new Engine({ currency: "INR", coupons: "none" }), "invalid_type", "bundle.coupons"],
    ["Engine.fromSigned", () => Engine.fromSigned("x", { keys: [] }, now), "malformed_token"],
    ["engine.evaluate", () => engine.evaluate(customer, { ...cart, currency: 5 }, context), "invalid_type", "cart.currency"],
    ["engine.shopper", () => engine.shopper({}), "missing_field", "customer.id"],
    ["shopper.evaluate", () => engine.shopper(customer).evaluate(cart, { now: 5 }), "invalid_type", "context.now"],
    ["engine.recheck", () => engine.recheck(customer, cart, context, {}), "missing_field"],
    ["evaluate", () => evaluate({ ...doc.request, context: {} }), "missing_field", "context.now"],
    ["evaluateJson", () => evaluateJson("{,"), "invalid_json"],
    ["verifySummary", () => verifySummary("x", { keys: [] }, now), "malformed_token"],
  ];
  for (const [what, call, code, path] of cases) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof CouponEngineError, `${what}: not a CouponEngineError`);
      assert.ok(e instanceof Error, what);
      assert.equal(e.name, "CouponEngineError", what);
      assert.equal(e.code, code, what);
      if (path !== undefined) assert.equal(e.path, path, what);
      assert.ok(e.message.includes(e.path), `${what}: ${e.message}`);
      assert.match(e.stack, /CouponEngineError/, what);
      return true;
    });
  }
  // Classes stay themselves: instances, subclasses and what the bindings make.
  assert.ok(engine instanceof Engine);
  assert.ok(engine.shopper(customer) instanceof api.Shopper);
  class Mine extends Engine {}
  assert.ok(new Mine(bundle) instanceof Engine);
  // Anything else thrown passes unchanged.
  const made = new CouponEngineError("missing_field", "cart.lines", "is required");
  assert.deepEqual([made.message, made.name, made.code, made.path, String(made)],
    ["cart.lines: is required", "CouponEngineError", "missing_field", "cart.lines", "CouponEngineError: cart.lines: is required"]);
});

test("every function and class the bindings export is guarded by the entry", () => {
  const plumbing = new Set(["default", "initSync"]);
  const exported = Object.keys(raw).filter((name) => typeof raw[name] === "function" && !plumbing.has(name));
  assert.ok(exported.length >= 5, exported.join());
  // A new export of wasm/src that index.js does not wrap would throw plain Errors.
  for (const name of exported) assert.notEqual(api[name], raw[name], `${name} is exported unguarded by pkg/index.js`);
});

test("the packed tarball holds the README, both licences and every file the manifest names", () => {
  const pkg = new URL("pkg/", root).pathname;
  const [{ files }] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", pkg], { encoding: "utf8" }));
  const packed = new Set(files.map((f) => f.path));
  const manifest = JSON.parse(readFileSync(new URL("package.json", `file://${pkg}`), "utf8"));
  const named = [manifest.main, manifest.types, ...Object.values(manifest.exports).flatMap((e) => typeof e === "string" ? [e] : Object.values(e))]
    .map((path) => path.replace(/^\.\//, ""));
  // What the entries import: the presentation layer, its error class and catalogues.
  const imported = ["error.js", "localize.js", "messages/en.js", "messages/hi.js", "messages/uk.js"];
  for (const file of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "package.json", ...named, ...imported]) {
    assert.ok(packed.has(file), `${file} is not in the tarball: ${[...packed].join(", ")}`);
  }
  assert.equal(readFileSync(new URL("README.md", `file://${pkg}`), "utf8"), readFileSync(new URL("README.md", root), "utf8"));
  assert.equal(manifest.license, "MIT OR Apache-2.0");
});

test("no doc comment a user sees links to a Rust item", () => {
  const pkg = new URL("pkg/", root);
  for (const file of readdirSync(pkg).filter((f) => /\.(d\.ts|js)$/.test(f))) {
    const text = readFileSync(new URL(file, pkg), "utf8");
    assert.doesNotMatch(text, /\[`?\w+::[\w:]+`?\]|coupon_engine::/, file);
  }
});
