// Oversized inputs through the built package in Node: every exported entry refuses an
// input whose length alone is over the limit before copying it into the module, so a
// refused input leaves the module's memory as it was; text at the limit still passes,
// and the core's byte-exact check still decides between the two.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import init, { Engine, evaluate, evaluateJson, verifySummary } from "../../pkg/coupon_engine.js";

const root = new URL("../../", import.meta.url);
const wasm = await init({ module_or_path: readFileSync(new URL("pkg/coupon_engine_bg.wasm", root)) });
const memory = () => wasm.memory.buffer.byteLength;

// limits::MAX_INPUT_BYTES (src/model/validate.rs), as the bad-input catalogue states it.
const LIMIT = 16 * 1024 * 1024;
// What a refused call may still grow the memory by: its error's few small strings.
const SLACK = 1024 * 1024;

const { request } = JSON.parse(readFileSync(new URL("tests/vectors/example-loyalty-10-percent.json", root), "utf8"));
const { bundle, customer, cart, context } = request;
const now = context.now;
const jwks = { keys: [] };
const big = "x".repeat(100 * 1024 * 1024);
// Just over the limit, for the entries past the first few: quicker to serialise, and
// still far more than the slack were it copied in.
const over = "x".repeat(LIMIT + 1);
const padded = (value, description = over) => ({ ...value, description });

// Warmed up: the first calls grow the memory for the allocator's arena and the
// table of JS values, whatever their inputs.
const engine = new Engine(bundle);
const shopper = engine.shopper(customer);
const claimed = engine.evaluate(customer, cart, context);
engine.recheck(customer, cart, context, claimed);
evaluateJson(JSON.stringify(request));

function refusedBeforeCopy(name, call, path, message) {
  const before = memory();
  assert.throws(call, (e) => {
    assert.ok(e instanceof Error, `${name}: not an Error`);
    assert.equal(e.name, "CouponEngineError", name);
    assert.deepEqual({ code: e.code, path: e.path }, { code: "out_of_range", path }, name);
    if (message !== undefined) assert.equal(e.message, `${path}: ${message}`, name);
    return true;
  }, name);
  const grew = memory() - before;
  assert.ok(grew <= SLACK, `${name}: the module's memory grew by ${grew} bytes`);
}

test("a 100 MB input is refused by every entry without growing the module's memory", () => {
  const start = memory();
  const json = (n) => `${n} bytes of JSON is more than the limit of ${LIMIT}`;
  const text = (n) => `${n} bytes of text is more than the limit of ${LIMIT}`;
  refusedBeforeCopy("evaluateJson", () => evaluateJson(big), "", json(big.length));
  refusedBeforeCopy("evaluate", () => evaluate(padded(request, big)), "", json(JSON.stringify(padded(request, big)).length));
  refusedBeforeCopy("new Engine", () => new Engine(padded(bundle, big)), "bundle", json(JSON.stringify(padded(bundle, big)).length));
  refusedBeforeCopy("engine.evaluate customer", () => engine.evaluate(padded(customer), cart, context), "customer");
  refusedBeforeCopy("engine.evaluate cart", () => engine.evaluate(customer, padded(cart), context), "cart");
  refusedBeforeCopy("engine.evaluate context", () => engine.evaluate(customer, cart, padded(context)), "context");
  refusedBeforeCopy("engine.shopper", () => engine.shopper(padded(customer)), "customer");
  refusedBeforeCopy("shopper.evaluate cart", () => shopper.evaluate(padded(cart), context), "cart");
  refusedBeforeCopy("shopper.evaluate context", () => shopper.evaluate(cart, padded(context)), "context");
  refusedBeforeCopy("engine.recheck claim", () => engine.recheck(customer, cart, context, padded(claimed)), "claim");
  refusedBeforeCopy("Engine.fromSigned token", () => Engine.fromSigned(big, jwks, now), "token", text(big.length));
  refusedBeforeCopy("Engine.fromSigned jwks", () => Engine.fromSigned("a.b.c", padded(jwks), now), "jwks");
  refusedBeforeCopy("Engine.fromSigned now", () => Engine.fromSigned("a.b.c", jwks, over), "now", text(over.length));
  refusedBeforeCopy("verifySummary token", () => verifySummary(over, jwks, now), "token");
  refusedBeforeCopy("verifySummary jwks", () => verifySummary("a.b.c", padded(jwks), now), "jwks");
  refusedBeforeCopy("verifySummary now", () => verifySummary("a.b.c", jwks, over), "now");
  refusedBeforeCopy("verifySummary customerId", () => verifySummary("a.b.c", jwks, now, over), "customerId");
  const grew = memory() - start;
  assert.ok(grew <= SLACK, `the module's memory grew by ${grew} bytes over all the refused calls`);
  // And the module still works.
  assert.equal(engine.evaluate(customer, cart, context).discountTotal, claimed.discountTotal);
});

test("text at the limit passes and one byte more is refused, before or after the copy", () => {
  // The request as JSON text of exactly `bytes` bytes, all ASCII (₹ written as \u20b9):
  // its length is its size in bytes.
  const asciiText = (bytes) => {
    const base = JSON.stringify({ ...request, description: "" }).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    return base.replace('"description":""', `"description":"${"x".repeat(bytes - base.length)}"`);
  };
  // The request as an object whose JSON text is `bytes` bytes in UTF-8, ₹ and all.
  const object = (bytes) => {
    const base = Buffer.byteLength(JSON.stringify({ ...request, description: "" }));
    return { ...request, description: "x".repeat(bytes - base) };
  };
  const text = asciiText(LIMIT);
  assert.equal(text.length, LIMIT);
  assert.equal(JSON.parse(evaluateJson(text)).discountTotal, claimed.discountTotal);
  assert.equal(evaluate(object(LIMIT)).discountTotal, claimed.discountTotal);
  const overBy1 = `${LIMIT + 1} bytes of JSON is more than the limit of ${LIMIT}`;
  // One ASCII byte more: its length shows it, so it is refused before the copy.
  refusedBeforeCopy("evaluateJson at the limit + 1", () => evaluateJson(asciiText(LIMIT + 1)), "", overBy1);
  // One byte more in UTF-8 but fewer UTF-16 units than the limit: copied, then refused
  // by the core's own check, which counts the bytes.
  assert.ok(JSON.stringify(object(LIMIT + 1)).length < LIMIT);
  assert.throws(() => evaluate(object(LIMIT + 1)), { code: "out_of_range", path: "", message: `: ${overBy1}` });
  const accented = asciiText(LIMIT - 1_000_000).replace("x".repeat(2_000_000), "é".repeat(2_000_000));
  assert.ok(accented.length < LIMIT && Buffer.byteLength(accented) > LIMIT);
  assert.throws(() => evaluateJson(accented), {
    code: "out_of_range",
    path: "",
    message: `: ${Buffer.byteLength(accented)} bytes of JSON is more than the limit of ${LIMIT}`,
  });
});

test("string arguments that are not strings are typed errors", () => {
  const cases = [
    [() => evaluateJson(undefined), ""],
    [() => evaluateJson(42), ""],
    [() => Engine.fromSigned({ length: 1 }, jwks, now), "token"],
    [() => Engine.fromSigned("a.b.c", jwks, 1), "now"],
    [() => verifySummary("a.b.c", jwks, now, 5), "customerId"],
  ];
  for (const [call, path] of cases) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof Error);
      assert.deepEqual({ code: e.code, path: e.path }, { code: "invalid_type", path });
      return true;
    });
  }
  // An absent customerId is still no check at all.
  for (const absent of [undefined, null]) {
    assert.throws(() => verifySummary("a.b.c", jwks, now, absent), { code: "malformed_token" });
  }
});
