// Prints issue 6's one table from the results of a scripts/bench.sh run. With
// --write PAGE it also writes the table, with the machine it ran on, into the page's
// block (docs/benchmarks.md); with --readme README, the summary of the page's table
// into the README's block (bench/lib/blocks.mjs). Only the blocks are the script's:
// the rest of both files is people's writing and stays as it is.
//
//   node bench/report.mjs [--write docs/benchmarks.md] [--readme README.md]
//   node bench/report.mjs --readme README.md [--page docs/benchmarks.md]
//       # the README's summary again from the page as it is (no results needed)
//
// Reads target/bench/results/{node,chromium,instructions,sizes}.json and criterion's
// target/criterion/*/new/sample.json. Targets are recorded here, never asserted.
// What each measurement is: bench/README.md.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

import { PAGE, README, markdownTable, readBlock, readmeSummary, writeBlock } from "./lib/blocks.mjs";
import { stats } from "./lib/measure.mjs";

const root = new URL("../", import.meta.url);
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const writeTo = option("--write");
const readmeTo = option("--readme");
const page = writeTo ?? option("--page") ?? "docs/benchmarks.md";
const read = (path) => JSON.parse(readFileSync(new URL(path, root), "utf8"));
const results = (name) => read(`target/bench/results/${name}.json`);
const readText = (path) => readFileSync(new URL(path, root), "utf8");

// Only the README's summary, from the page as it stands.
if (readmeTo && !writeTo) {
  writeReadme();
  process.exit(0);
}

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
// The targets the package build enforces (scripts/size-budget.json), so the table and
// the build never disagree.
const target = read("scripts/size-budget.json").target["coupon_engine_bg.wasm"];
rows.push(["size: coupon_engine_bg.wasm, raw", "every target (one build)", kb(wasm.raw), "", `≤ ${target.raw / 1024} KB`, verdict(wasm.raw, target.raw)]);
rows.push(["size: coupon_engine_bg.wasm, gzip -9", "every target (one build)", kb(wasm.gzip), "", `≤ ${target.gzip / 1024} KB`, verdict(wasm.gzip, target.gzip)]);
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
  const lock = new URL("bench/wasmtime/Cargo.lock", root);
  if (!existsSync(lock)) return "";
  return /name = "wasmtime"\nversion = "([^"]+)"/.exec(readFileSync(lock, "utf8"))?.[1] ?? "";
}

const m = machine();
const command = process.env.BENCH_COMMAND ?? "scripts/bench.sh";
const quick = node.quick || chromium.quick;
console.log(textTable());
console.log(`\n${m.cpu}, ${m.cores} cores, ${m.memory}; ${m.os}; ${m.rustc}; Node ${m.node}; Chromium ${m.chromium}; ${m.date}`);

if (writeTo) {
  const block = `The latest run of \`${command}\` (issue 6), written by the script itself:
rerun it to refresh this block. The targets are recorded here and never asserted by a
test; what each row measures is in [bench/README.md](../bench/README.md).${quick ? "\n\n**Quick run (`BENCH_QUICK=1`): short samples, indicative only.**" : ""}

| machine | |
|---|---|
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| memory | ${m.memory} |
| OS | ${m.os} |
| rustc | ${m.rustc} |
| Node | ${m.node} |
| Chromium | ${m.chromium} (headless, through playwright-core) |
| wasmtime (instruction counts) | ${wasmtimeVersion()} |
| date | ${m.date} |
| load average when the table was written | ${m.load} |
| command | \`${command}\` |

${markdownTable(header, rows)}

With the per-byte charge of \`memory.copy\`/\`memory.fill\` (wasmtime's default fuel),
evaluate M is ${count(ins.evaluate.fuel)} fuel; an engine's first evaluation, which also
grows the heap, is ${count(ins.evaluateFirstCall.instructions)} instructions.`;
  writeFileSync(new URL(writeTo, root), writeBlock(readText(writeTo), PAGE, block, writeTo));
  console.log(`wrote ${writeTo}`);
}
if (readmeTo) writeReadme();

/** Writes the README's summary of the page's table (the page as it is now). */
function writeReadme() {
  const summary = readmeSummary(readBlock(readText(page), PAGE, page));
  writeFileSync(new URL(readmeTo, root), writeBlock(readText(readmeTo), README, summary, readmeTo));
  console.log(`wrote ${readmeTo} (from ${page})`);
}
