// WebAssembly half of the differential test: the 10,000 random requests that
// `cargo test --test differential` evaluated natively, replayed through the built
// package in Node, through its entry (the module, then its English messages written
// in JS). Every output must be byte-identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";

import init, { evaluate, evaluateJson } from "../../pkg/index.js";

const root = new URL("../../", import.meta.url);
await init({ module_or_path: readFileSync(new URL("pkg/coupon_engine_bg.wasm", root)) });

test("10,000 random requests give the native bytes in WebAssembly", () => {
  const file = new URL("target/differential/cases.jsonl", root);
  assert.ok(existsSync(file), "run `cargo test --test differential` first (scripts/test.sh does)");
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.equal(lines.length, 10_000);
  let compared = 0;
  for (const line of lines) {
    const { request, output } = JSON.parse(line);
    const text = JSON.stringify(request);
    if (output.ok !== undefined) {
      assert.equal(evaluateJson(text), output.ok);
      assert.equal(JSON.stringify(evaluate(request)), output.ok);
    } else {
      assert.throws(() => evaluateJson(text), (e) => e.code === output.error.code && e.path === output.error.path);
    }
    compared += 1;
  }
  assert.equal(compared, 10_000);
});
