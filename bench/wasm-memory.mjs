// The WebAssembly module's memory after a storefront's calls on one workload, in a
// fresh Node process: a module's memory never shrinks, so this is the most those calls
// needed. Used to weigh allocator changes (docs/benchmarks.md); the full suite's
// "module memory" row (bench/node.mjs) measures S, M and L in turn instead.
//
//   node bench/wasm-memory.mjs [--pkg DIR] [--workload l]   (after scripts/bench.sh wrote the workloads)
//
// Runs what a storefront does, as bench/lib/suite.mjs does for one workload: `new
// Engine`, `engine.evaluate` (the same customer, then another text of it in turn),
// `engine.shopper` + `shopper.evaluate`; then the whole-request calls `evaluate` and
// `evaluateJson`. Checks each result against the native one and prints the memory in
// bytes after the storefront's calls and after all of them.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../", import.meta.url);
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dir = pathToFileURL(resolve(option("--pkg", "pkg")) + "/");
const size = option("--workload", "l");

// The Node entry (ready on import): the module, then the English it writes in JS.
const glue = await import(new URL("node.js", dir).href);
const { memory } = glue.initSync();
const data = (name) => readFileSync(new URL(`target/bench/${name}`, root), "utf8");
const { bundle, customer, cart, context } = JSON.parse(data(`${size}.json`));
const expected = data(`${size}.result.json`).trimEnd();
const same = (what, result) => {
  const text = typeof result === "string" ? result : JSON.stringify(result);
  if (text !== expected) throw new Error(`${what}: not the native result`);
};

const engine = new glue.Engine(bundle);
const reordered = Object.fromEntries(Object.entries(customer).reverse());
for (let i = 0; i < 5; i += 1) {
  same("engine.evaluate", engine.evaluate(customer, cart, context));
  same("engine.evaluate, another text", engine.evaluate(reordered, cart, context));
}
const shopper = engine.shopper(customer);
for (let i = 0; i < 5; i += 1) same("shopper.evaluate", shopper.evaluate(cart, context));
shopper.free();
engine.free();
const storefront = memory.buffer.byteLength;
const request = { bundle, customer, cart, context };
for (let i = 0; i < 3; i += 1) {
  same("evaluate", glue.evaluate(request));
  same("evaluateJson", glue.evaluateJson(JSON.stringify(request)));
}
console.log(JSON.stringify({ workload: size, storefrontBytes: storefront, allBytes: memory.buffer.byteLength }));
