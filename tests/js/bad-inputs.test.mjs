// The bad-input catalogue through the built package in Node: every case, including the
// values only JavaScript can send (NaN, Infinity, undefined, BigInt, lone surrogates,
// functions), is a thrown Error with the catalogue's code and path, never a trap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

import init, { evaluate, evaluateJson } from "../../pkg/coupon_engine.js";

const root = new URL("../../", import.meta.url);
await init({ module_or_path: readFileSync(new URL("pkg/coupon_engine_bg.wasm", root)) });
const dir = new URL("tests/bad-inputs/", root);
const cases = readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), "utf8"))]);

/** The request text of a case; generated cases as tests/bad_inputs.rs builds them. */
export function requestText(c) {
  if (c.requestText !== undefined) return c.requestText;
  if (c.generate) {
    const r = { bundle: { currency: "INR", coupons: [] }, customer: { id: "c1" }, cart: { currency: "INR", lines: [] }, context: { now: "2026-11-22T10:00:00Z" } };
    if (c.generate.ruleNesting) {
      const n = c.generate.ruleNesting;
      r.bundle.segments = [{ id: "s", rule: "RULE" }];
      return JSON.stringify(r).replace('"RULE"', '{"all":['.repeat(n) + '{"purchased":{}}' + "]}".repeat(n));
    }
    if (c.generate.descriptionBytes) r.description = "x".repeat(c.generate.descriptionBytes);
    if (c.generate.lines) r.cart.lines = Array.from({ length: c.generate.lines }, (_, i) => ({ id: `l${i}`, productId: "p", unitPrice: "1.00", quantity: 1 }));
    if (c.generate.coupons) r.bundle.coupons = Array.from({ length: c.generate.coupons }, (_, i) => ({ id: `c${i}`, application: "automatic", discount: { fixedAmount: { amount: "1.00" } }, display: { title: "t" } }));
    return JSON.stringify(r);
  }
  return JSON.stringify(c.request);
}

const JS_VALUES = { NaN: NaN, Infinity: Infinity, undefined: undefined, BigInt: 5n, loneSurrogate: "\ud800", function: () => 1 };

// The message too where given: the Error's message is `path: message`, the same
// words as natively for the same text.
const rejects = (fn, { code, path, message }, name) =>
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `${name}: not an Error`);
    assert.deepEqual({ code: e.code, path: e.path }, { code, path }, name);
    if (message !== undefined) assert.equal(e.message, `${path}: ${message}`, name);
    return true;
  }, name);

test("every catalogued bad input is a typed error in WebAssembly", () => {
  assert.ok(cases.length >= 60);
  for (const [name, c] of cases) {
    if (c.js) {
      const request = structuredClone(c.request);
      const at = c.js.at;
      let parent = request;
      for (const key of at.slice(0, -1)) parent = parent[key];
      parent[at.at(-1)] = JS_VALUES[c.js.value];
      rejects(() => evaluate(request), c.expectedError, name);
      continue;
    }
    const text = requestText(c);
    rejects(() => evaluateJson(text), c.expectedError, name);
    let parsed;
    try { parsed = JSON.parse(text); } catch { continue; }
    // The object API reads through JSON.stringify, so it rejects the same way, except
    // where JavaScript's one number type makes the value legal (objectAccepts says why).
    if (c.objectAccepts) {
      assert.doesNotThrow(() => evaluate(parsed), name);
    } else {
      // Code and path only: JSON.stringify re-spaces the text and writes 1.0e2 as
      // 100, so a parse error's position or wording may differ from the catalogue's.
      const { code, path } = c.expectedObjectError ?? c.expectedError;
      rejects(() => evaluate(parsed), { code, path }, `${name} (object)`);
    }
  }
});
