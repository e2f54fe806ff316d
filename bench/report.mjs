// Prints issue 6's one table from the results of a scripts/bench.sh run, and with
// --write FILE also writes it (with the machine it ran on and how each number was
// measured) as Markdown, so docs/benchmarks.md always holds the latest run.
//
//   node bench/report.mjs [--write docs/benchmarks.md]
//
// Reads target/bench/results/{node,chromium,instructions,sizes}.json and criterion's
// target/criterion/*/new/sample.json. Targets are recorded here, never asserted.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

import { stats } from "./lib/measure.mjs";

const root = new URL("../", import.meta.url);
const args = process.argv.slice(2);
const writeTo = args.includes("--write") ? args[args.indexOf("--write") + 1] : null;
const read = (path) => JSON.parse(readFileSync(new URL(path, root), "utf8"));
const results = (name) => read(`target/bench/results/${name}.json`);

const node = results("node");
const chromium = results("chromium");
const instructions = results("instructions");
const sizes = results("sizes");

/** Per-call times of one criterion benchmark: each sample's time over its iterations. */
function criterion(id) {
  const file = `target/criterion/${id}/new/sample.json`;
  if (!existsSync(new URL(file, root))) throw new Error(`${file} is missing: run \`cargo bench --bench engine\``);
  const { iters, times } = read(file);
  return { ...stats(times.map((ns, i) => ns / iters[i] / 1e6)), callsPerSample: iters[0] };
}
const native = {
  evaluate: { s: criterion("evaluate/S"), m: criterion("evaluate/M"), l: criterion("evaluate/L") },
  bundleNew: criterion("bundle/new"),
  fromSigned: criterion("bundle/from_signed"),
};

function duration(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const count = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n.toLocaleString("en-US"));
/** "meets", or "misses (3.2× the target)". */
const verdict = (value, target) => (value <= target ? "meets" : `misses (${(value / target).toFixed(1)}× the target)`);

const chromiumName = `Chromium ${chromium.versions.chromium.split(".")[0]}`;
const nodeName = `Node ${node.versions.node.split(".")[0]}`;
const runtimes = [
  ["native (criterion)", native],
  [`${nodeName} (wasm)`, node],
  [`${chromiumName} (wasm)`, chromium],
];
const rows = [];
const timing = (measurement, runtime, r, targetMs) =>
  rows.push([measurement, runtime, duration(r.medianMs), duration(r.p95Ms), targetMs ? `≤ ${duration(targetMs)}` : "", targetMs ? verdict(r.medianMs, targetMs) : ""]);

const workloads = { s: "10 coupons × 5 lines", m: "100 coupons × 50 lines", l: "1,000 coupons × 200 lines" };
// The issue's targets: M in Node (applied to both wasm runtimes), L.
const evaluateTarget = { s: null, m: 0.25, l: 5 };
for (const size of ["s", "m", "l"]) {
  for (const [name, r] of runtimes) {
    timing(`evaluate ${size.toUpperCase()} (${workloads[size]})`, name, r.evaluate[size], r === native ? null : evaluateTarget[size]);
  }
}
for (const size of ["s", "m", "l"]) {
  for (const [name, r] of runtimes.slice(1)) {
    timing(`evaluate ${size.toUpperCase()}, a customer summary other than the last call's`, name, r.evaluateNewCustomer[size], evaluateTarget[size]);
  }
}
for (const size of ["s", "m", "l"]) {
  for (const [name, r] of runtimes.slice(1)) {
    timing(`evaluate ${size.toUpperCase()}, session: shopper.evaluate(cart, context)`, name, r.session[size], evaluateTarget[size]);
  }
}
for (const [name, r] of runtimes.slice(1)) {
  timing(`the runtime alone: JSON.parse of the M result text (${(r.resultBytes.m / 1000).toFixed(0)} KB) into the object evaluate returns`, name.replace("(wasm)", "(JS)"), r.jsonParseResult, null);
}
for (const [name, r] of runtimes.slice(1)) {
  timing("the runtime alone: JSON.stringify of the M customer summary (200 orders)", name.replace("(wasm)", "(JS)"), r.jsonStringifyCustomer, null);
}
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
for (const [name, r] of runtimes.slice(1)) {
  rows.push(["module memory (wasm linear memory) after evaluating S, then M, then L", name, mb(r.memory.l), "", "", `after S ${mb(r.memory.s)} · after M ${mb(r.memory.m)}`]);
}
for (const [name, r] of runtimes) timing("bundle: parse + validate (100 coupons, unsigned)", name, r.bundleNew, null);
for (const [name, r] of runtimes) timing("bundle: verify signature + parse + validate (100 coupons)", name, r.fromSigned, 1);
for (const [name, r] of runtimes.slice(1)) timing("cold start: compile + instantiate the .wasm", name, r.coldStart.instantiate, 10);
for (const [name, r] of runtimes.slice(1)) timing("cold start to the first S result", name, r.coldStart.firstResult, null);

const jre = node.jsonRulesEngine;
rows.push([
  `json-rules-engine ${jre.version}: eligibility of M (${jre.rules} rules)`,
  `${nodeName} (JS)`,
  duration(jre.medianMs),
  duration(jre.p95Ms),
  "",
  `${jre.ratioToWasmM.toFixed(2)} = its median ÷ our evaluate M in Node (same run); same eligibility on ${jre.agreement.agree}/${jre.agreement.compared} cards`,
]);

const ins = instructions;
rows.push(["wasm instructions: evaluate M (the customer summary remembered: read cart and context, evaluate, write JSON)", "wasmtime fuel", count(ins.evaluate.instructions), "exact", "≤ 2 M", verdict(ins.evaluate.instructions, 2e6)]);
rows.push(["wasm instructions: evaluate M, a customer summary other than the last call's (read all three inputs, evaluate, write JSON)", "wasmtime fuel", count(ins.evaluateNewCustomer.instructions), "exact", "≤ 2 M", verdict(ins.evaluateNewCustomer.instructions, 2e6)]);
for (const [phase, label] of [["readInputs", "read customer, cart, context"], ["evaluate", "evaluate (all cards + best combination)"], ["writeResult", "write the result JSON"]]) {
  rows.push([`  of which: ${label}`, "wasmtime fuel", count(ins.evaluatePhases[phase].instructions), "exact", "", ""]);
}
rows.push(["wasm instructions: session evaluate M (`shopper.evaluate`: read cart and context, evaluate, write JSON)", "wasmtime fuel", count(ins.shopperEvaluate.instructions), "exact", "", ""]);
rows.push(["wasm instructions: new Engine (M bundle)", "wasmtime fuel", count(ins.engineNew.instructions), "exact", "", ""]);
rows.push(["wasm instructions: `engine.shopper` (read and validate the M customer, once per session)", "wasmtime fuel", count(ins.shopperNew.instructions), "exact", "", ""]);

const size = (file) => sizes.find((s) => s.file.endsWith(file));
const wasm = size("coupon_engine_bg.wasm");
rows.push(["size: coupon_engine_bg.wasm, raw", "every target (one build)", kb(wasm.raw), "", "≤ 256 KB", verdict(wasm.raw, 256 * 1024)]);
rows.push(["size: coupon_engine_bg.wasm, gzip -9", "every target (one build)", kb(wasm.gzip), "", "≤ 100 KB", verdict(wasm.gzip, 100 * 1024)]);
rows.push(["size: coupon_engine_bg.wasm, brotli -q 11", "every target (one build)", kb(wasm.brotli), "", "", ""]);
const glue = size("coupon_engine.js");
// Each target loads the shared glue plus its own entry file: raw in the median column,
// compressed beside it.
const js = (label, target, parts) => {
  const sum = (k) => parts.reduce((n, p) => n + p[k], 0);
  rows.push([label, target, kb(sum("raw")), "", "", `gzip ${kb(sum("gzip"))} · brotli ${kb(sum("brotli"))}`]);
};
js("size: JS glue (coupon_engine.js), raw", "browsers, bundlers", [glue]);
for (const [entry, target] of [["node.js", "Node"], ["deno.js", "Deno"], ["workerd.js", "Cloudflare Workers"]]) {
  js(`size: JS glue + ${entry}, raw`, target, [glue, size(entry)]);
}

const header = ["measurement", "runtime", "median", "p95", "target", "verdict / ratio"];

function textTable() {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "─".repeat(w))), ...rows.map(line)].join("\n");
}

function markdownTable() {
  const esc = (c) => c.replaceAll("|", "\\|").replace(/^ +/, (s) => "&nbsp;".repeat(s.length));
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

function machine() {
  const sh = (cmd, a) => {
    try {
      return execFileSync(cmd, a, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n")[0];
    } catch {
      return "unknown";
    }
  };
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const osRelease = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  return {
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${/^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? os.type()} (kernel ${os.release()})`,
    rustc: sh("rustc", ["--version"]),
    node: `${process.version} (V8 ${node.versions.v8})`,
    chromium: chromium.versions.chromium,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    load: os.loadavg().map((l) => l.toFixed(2)).join(", "),
  };
}

/** The wasmtime version the instruction counter was built with (its Cargo.lock). */
function wasmtimeVersion() {
  const lock = new URL("bench/instructions/Cargo.lock", root);
  if (!existsSync(lock)) return "";
  return /name = "wasmtime"\nversion = "([^"]+)"/.exec(readFileSync(lock, "utf8"))?.[1] ?? "";
}

const m = machine();
const command = process.env.BENCH_COMMAND ?? "scripts/bench.sh";
const quick = node.quick || chromium.quick;
console.log(textTable());
console.log(`\n${m.cpu}, ${m.cores} cores, ${m.memory}; ${m.os}; ${m.rustc}; Node ${m.node}; Chromium ${m.chromium}; ${m.date}`);

/**
 * The findings section of the page being rewritten, kept as people wrote it: only the
 * table and the machine are the script's. (It used to be a template here, which every
 * run put back over the findings written since.)
 */
function findings() {
  const url = new URL(writeTo, root);
  const old = existsSync(url) ? readFileSync(url, "utf8") : "";
  const start = old.indexOf("## Findings");
  const end = old.indexOf("## What each number is");
  return start >= 0 && end > start ? old.slice(start, end).replace(/\n+$/, "\n") : "## Findings\n\nNone recorded yet.\n";
}

if (writeTo) {
  const doc = `# Benchmarks

The latest run of \`${command}\` (issue 6), written by the script itself: rerun it to
refresh this page. The targets are recorded here and never asserted by a test.${quick ? "\n\n**Quick run (`BENCH_QUICK=1`): short samples, indicative only.**" : ""}

| machine | |
|---|---|
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| memory | ${m.memory} |
| OS | ${m.os} |
| rustc | ${m.rustc} |
| Node | ${m.node} |
| Chromium | ${m.chromium} (headless, through playwright-core) |
| date | ${m.date} |
| load average when the table was written | ${m.load} |
| command | \`${command}\` |

${markdownTable()}

${findings()}
## What each number is

- **Workloads** (\`benches/workload/\`, written to \`target/bench/\` by
  \`cargo run --release --example bench_workload\`): one store, one customer with 200
  orders over two years (server-recorded segments, course progress, coupon usage), and
  S = 10 coupons × 5 lines, M = 100 × 50, L = 1,000 × 200. Coupons mix every discount
  kind with the seed documents' conditions (behaviour periods with spend, order-count and
  used-coupon conditions; min/max value and quantity; product, collection and offer
  scopes; audience; order scope; limits; stacking; windows; COD; per-customer windows;
  hidden coupons), with thresholds drawn around this customer's and this cart's real
  numbers; three entered codes, all existing. Seeded (splitmix64): byte-identical on
  every run. Every runtime's result is checked against the native bytes before timing.
- **session**: \`engine.shopper(customer)\` once, then \`shopper.evaluate(cart, context)\`
  per call: what a storefront does during a visit, where the customer summary (200
  orders here) does not change between cart edits. Same result bytes as evaluate.
- **evaluate**: one call with a prepared engine (the bundle parsed once) and the whole
  result (all cards, the best combination, per-line allocation) returned, as a storefront
  does on every cart change: natively \`read_json\` × 3 + \`Engine::evaluate\` +
  \`model::write::to_json\`; in JavaScript \`engine.evaluate(customer, cart, context)\` on
  plain objects, returning a plain object. The package's engine remembers the customer
  summary it validated last with its JSON text: the same summary again (the plain
  "evaluate" rows) is only stringified and compared; **a customer summary other than the
  last call's** (the same summary with its members in another order, alternating with
  the original, so every call reads one afresh) is what an edge worker serving many
  shoppers pays.
- **native**: criterion (\`benches/engine.rs\`), flat sampling, built with the workspace's
  release profile (the server's: \`opt-level = 3\`, LTO; the package alone is built at \`"z"\`). **Node / Chromium**: the built
  package (\`pkg/node.js\`; \`pkg/coupon_engine.js\` initialised with the bytes), timed with
  \`process.hrtime\` / \`performance.now()\` (cross-origin isolated: 5 µs steps) after a
  warm-up (\`bench/lib/measure.mjs\`). In all three, calls are timed in samples that last at
  least a millisecond (k back-to-back calls, k = 1 for anything slower); median and p95 are
  over samples of per-call time.
- **module memory**: the size of the WebAssembly memory after each workload's evaluate
  and session measurements, in the order S, M, L (a module's memory never shrinks, so
  each figure is the most needed so far): the heap, plus the block that
  \`wasm/src/call_arena.rs\` keeps between evaluations, at twice what the last one used.
- **bundle**: \`new Engine(bundle)\` on the M bundle as a JS object / JSON text, and
  \`Engine.fromSigned(token, jwks, now)\`: Ed25519 verification of the compact JWS, its
  claims, then the same parse and validation. Both free the engine each time.
- **cold start**: a fresh instance of the generated glue and module bytes the engine has
  not compiled before (a unique custom section, so V8 cannot reuse compiled code), then
  what loading does once the bytes are in memory: Node \`new WebAssembly.Module\` +
  \`initSync\` (as \`pkg/node.js\`), Chromium \`WebAssembly.compile\` + \`init\`; both include
  instantiation and the module's start function, not reading or downloading the file.
  "To the first S result" adds \`new Engine\` and one S evaluation, the first calls into
  freshly compiled code: V8 runs them in its baseline tier (Liftoff) until the optimising
  tier has compiled the hot functions, so the first evaluations take several times the
  steady-state time.
- **json-rules-engine** (\`bench/rules.mjs\`; the ratio is its median ÷ our evaluate M
  median in Node, both from the same process): each of M's 100 coupons as one rule whose
  conditions are the coupon's eligibility conditions (windows, per-customer window,
  limits, audience, order scope, behaviour over periods, scoped cart value and quantity,
  COD, gift in cart, complete combo, delivery option, first tier), over facts precomputed
  from the same objects in plain JavaScript each run (flat fact names: no fact paths or
  fact functions, its fastest use). Timed: the facts plus \`engine.run()\`. It only decides
  eligibility; ours also computes every discount, the allocation, the best combination
  and the cards. The agreement counts cards whose eligibility both engines decide the
  same way (buy X get Y completeness is not translated).
- **wasm instructions** (\`bench/instructions/\`): the core engine compiled to wasm32 as the
  package is (same toolchain, release profile, standard library rebuilt for size with the
  same flags, \`wasm-opt -Oz --converge\`) but without wasm-bindgen, so that it runs in
  wasmtime ${wasmtimeVersion()} with fuel metering. Fuel is charged per executed wasm operator: 1 for each,
  0 for those that generate no code (\`nop\`, \`drop\`, \`block\`, \`loop\`, \`end\`, \`else\`,
  \`return\`, \`unreachable\`); the per-byte charge of \`memory.copy\`/\`memory.fill\` is turned off
  so a bulk copy counts once (with it, evaluate M is ${count(ins.evaluate.fuel)} fuel). The
  third evaluation on one engine is counted, with the customer text of the second (the
  first also grows the heap: ${count(ins.evaluateFirstCall.instructions)}); "other than the last call's" is the
  second, whose customer text has a space more than the first's; and the phases read all
  three inputs. So is the second cart of a session, after
  \`shopper_new\` read the customer once. Exact and independent of the machine's load. Not
  counted: the JavaScript side (\`JSON.stringify\`/\`JSON.parse\`, string copies).
- **size**: \`scripts/sizes.mjs\` (gzip level 9, brotli quality 11) on \`pkg/\`. One
  \`.wasm\` serves every target; each target loads the shared glue plus its entry file.
`;
  writeFileSync(new URL(writeTo, root), doc);
  console.log(`wrote ${writeTo}`);
}
