// Runs the README's JavaScript example against the built package, with the seed
// scenario it describes, and checks what it prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../../", import.meta.url);

test("the README's JavaScript example runs and prints what it says", async () => {
  const readme = readFileSync(new URL("README.md", root), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 1, "the README has a JavaScript example");
  // The other blocks are fragments (they use a page's variables): they must still compile.
  for (const fragment of blocks.slice(1)) {
    assert.doesNotThrow(() => new Function(`return async () => {\n${fragment}\n}`), fragment);
  }
  const pkg = new URL("pkg/coupon_engine.js", root).href;
  const example = new URL("examples/01-loyalty-10-percent.json", root);
  const prelude = `
    import { readFileSync } from "node:fs";
    const { bundle, customer, cart } = JSON.parse(readFileSync(new URL(${JSON.stringify(example.href)}), "utf8"));
    const wasmBytes = readFileSync(new URL(${JSON.stringify(new URL("pkg/coupon_engine_bg.wasm", root).href)}));
    export const printed = [];
    const console = { log: (...args) => printed.push(args.map((a) => JSON.stringify(a)).join(" ")) };
  `;
  const body = blocks[0].replace(`from "coupon-engine"`, `from ${JSON.stringify(pkg)}`);
  const file = join(mkdtempSync(join(tmpdir(), "readme-")), "example.mjs");
  // Imports first, then the prelude, then the rest of the example.
  const [imports, ...rest] = body.split("\n");
  writeFileSync(file, [imports, prelude, ...rest].join("\n"));
  const { printed } = await import(pathToFileURL(file).href);
  assert.equal(printed[0], '"5700.00"');
  assert.ok(printed.some((line) => line.startsWith('"applied" "10% loyalty discount" "500.00"')), printed.join("\n"));
  assert.equal(printed.at(-1), 'true "invalid_type" "cart.lines[0].unitPrice"');
});
