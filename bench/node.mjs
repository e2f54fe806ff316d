// Node half of issue 6's benchmarks, on the BUILT package (pkg/, its `node` entry):
// evaluate S/M/L, bundle preparation with and without the signature check, cold
// start, and json-rules-engine on the same eligibility rules as the M workload.
//
//   node bench/node.mjs [--quick] [--out FILE]     (after the workload writer: bench/README.md)
//
// Prints progress on stderr and the results as JSON (stdout, or FILE).
import { readFileSync, writeFileSync } from "node:fs";

import * as pkg from "../pkg/node.js";
import { FULL, QUICK, measureAsync } from "./lib/measure.mjs";
import { coldStart, runSuite, SIZES } from "./lib/suite.mjs";
import { agreement, translate } from "./rules.mjs";

const root = new URL("../", import.meta.url);
const args = process.argv.slice(2);
const quick = args.includes("--quick") || process.env.BENCH_QUICK === "1";
const outFile = args.includes("--out") ? args[args.indexOf("--out") + 1] : null;
const options = quick ? QUICK : FULL;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const log = (line) => process.stderr.write(`[node] ${line}\n`);

const data = (name) => readFileSync(new URL(`target/bench/${name}`, root), "utf8");
const workloads = Object.fromEntries(SIZES.map((s) => [s, JSON.parse(data(`${s}.json`))]));
const expected = Object.fromEntries(SIZES.map((s) => [s, data(`${s}.result.json`).trimEnd()]));
const signed = JSON.parse(data("signed.json"));

const results = {
  runtime: "node",
  versions: { node: process.versions.node, v8: process.versions.v8 },
  quick,
  // initSync returns the instance pkg/node.js already made (its exports hold the memory).
  ...runSuite({ api: pkg, workloads, expected, signed, now, memoryBytes: () => pkg.initSync().memory.buffer.byteLength, options, log }),
};

// Cold start: what a Node process pays before its first evaluation. Each sample
// takes a fresh copy of the generated glue (a new module instance, so its
// "already initialised" guard does not short-cut) and module bytes V8 has not
// compiled before (see uniqueModuleBytes), then times exactly what pkg/node.js does
// on import: compile the bytes (`new WebAssembly.Module`) and instantiate them with
// the glue's imports (`initSync`, which also runs the module's start function).
// Not included: reading the .wasm file (about a millisecond from the page cache) and
// loading the glue's JavaScript. "To first result" adds `new Engine(S bundle)` and
// one S evaluation, the first calls into freshly compiled code.
const wasm = readFileSync(new URL("pkg/coupon_engine_bg.wasm", root));
const coldRuns = quick ? 10 : 40;
log(`cold start: ${coldRuns} fresh compilations of ${wasm.length} bytes`);
// initSync is synchronous; awaiting its result adds one microtask, microseconds.
results.coldStart = await coldStart({
  runs: coldRuns,
  wasm,
  fresh: (i) => import(new URL(`pkg/coupon_engine.js?cold=${i}`, root).href),
  instantiate: (glue, bytes) => glue.initSync({ module: new WebAssembly.Module(bytes) }),
  workload: workloads.s,
  now,
});

// json-rules-engine on the M workload's eligibility rules, beside our WASM's full
// evaluation of the same inputs in this same process.
const m = workloads.m;
const rules = translate(m.bundle);
const { events } = await rules.engine.run(rules.facts(m.customer, m.cart, m.context));
const ours = pkg.evaluate({ bundle: m.bundle, customer: m.customer, cart: m.cart, context: m.context });
const agree = agreement(events, ours);
log(`json-rules-engine: ${rules.rules} rules; eligible ${agree.eligible}; agrees with our cards on ${agree.agree}/${agree.compared}`);
for (const d of agree.disagree) log(`  disagree on ${d.couponId}: ours ${d.ours ? "eligible" : "not eligible"} (${d.reasons.join(", ") || "no reasons"})`);
const jre = await measureAsync(() => rules.engine.run(rules.facts(m.customer, m.cart, m.context)), now, options);
results.jsonRulesEngine = {
  ...jre,
  rules: rules.rules,
  version: JSON.parse(readFileSync(new URL("node_modules/json-rules-engine/package.json", root), "utf8")).version,
  agreement: { compared: agree.compared, agree: agree.agree, eligible: agree.eligible, disagree: agree.disagree.map((d) => d.couponId) },
  ratioToWasmM: jre.medianMs / results.evaluate.m.medianMs,
};

const text = JSON.stringify(results, null, 2);
if (outFile) writeFileSync(outFile, text + "\n");
else console.log(text);
log("done");
