// The built package after `free()`, and evaluateJson's syntax errors: every failure is a
// CouponEngineError with a stable code and a non-empty path, never wasm-bindgen's
// untyped "null pointer passed to rust" or a message that starts with ": ".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import init, { Engine, evaluateJson } from "../../pkg/coupon_engine.js";

const root = new URL("../../", import.meta.url);
await init({ module_or_path: readFileSync(new URL("pkg/coupon_engine_bg.wasm", root)) });

const request = JSON.parse(readFileSync(new URL("examples/01-loyalty-10-percent.json", root), "utf8"));
const { bundle, customer, cart, context } = request;

/** Asserts that `call` throws a CouponEngineError with `code` and `path`. */
function throwsTyped(call, code, path) {
  assert.throws(call, (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, "CouponEngineError");
    assert.deepEqual({ code: e.code, path: e.path }, { code, path });
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    return true;
  });
}

test("an engine's calls after free() throw `freed` at `engine`", () => {
  const engine = new Engine(bundle);
  const before = JSON.stringify(engine.evaluate(customer, cart, context));
  engine.free();
  throwsTyped(() => engine.evaluate(customer, cart, context), "freed", "engine");
  throwsTyped(() => engine.shopper(customer), "freed", "engine");
  throwsTyped(() => engine.recheck(customer, cart, context, JSON.parse(before)), "freed", "engine");
  engine.free(); // twice is harmless
  throwsTyped(() => engine.evaluate(customer, cart, context), "freed", "engine");
});

test("a shopper outlives its engine's free() and throws `freed` after its own", () => {
  const engine = new Engine(bundle);
  const shopper = engine.shopper(customer);
  const want = JSON.stringify(engine.evaluate(customer, cart, context));
  engine.free();
  assert.equal(JSON.stringify(shopper.evaluate(cart, context)), want);
  shopper.free();
  throwsTyped(() => shopper.evaluate(cart, context), "freed", "shopper");
});

test("Symbol.dispose frees the same way", { skip: !Symbol.dispose }, () => {
  const engine = new Engine(bundle);
  engine[Symbol.dispose]();
  throwsTyped(() => engine.evaluate(customer, cart, context), "freed", "engine");
});

test("evaluateJson's syntax errors at the root have the path `$`", () => {
  const text = JSON.stringify(request);
  throwsTyped(() => evaluateJson(`${text} x`), "invalid_json", "$");
  throwsTyped(() => evaluateJson(""), "invalid_json", "$");
  throwsTyped(() => evaluateJson(text.replace(/}$/, ",}")), "invalid_json", "$");
  // Inside the request the path still names the field.
  throwsTyped(() => evaluateJson(text.replace('"cart":{', '"cart":{,')), "invalid_json", "cart");
});
