// The blocks bench/report.mjs writes into docs/benchmarks.md (the latest run: machine
// and table) and into README.md (a summary of that table), each between two markers,
// and the readers that take a written page apart again. Everything outside the markers
// is people's writing and is never touched; everything inside is the script's and is
// never edited by hand: tests/js/bench-report.test.mjs fails when the README's block
// is not what this module makes from the page's.

/** The page's block: the machine and the whole table of the latest run. */
export const PAGE = "latest-run";
/** The README's block: a summary of the page's table. */
export const README = "benchmark-summary";

const begin = (name) => `<!-- begin ${name}: written by bench/report.mjs, do not edit -->`;
const end = (name) => `<!-- end ${name} -->`;

/** The text between the markers of block `name` in `text`; throws when either is missing. */
export function readBlock(text, name, file = "the file") {
  const start = text.indexOf(begin(name));
  const stop = text.indexOf(end(name));
  if (start < 0 || stop < start) {
    throw new Error(`${file} has no block ${name}: it needs the lines\n${begin(name)}\n${end(name)}`);
  }
  return text.slice(start + begin(name).length, stop).trim();
}

/** `text` with the block `name` replaced by `content` (the markers must be there). */
export function writeBlock(text, name, content, file = "the file") {
  readBlock(text, name, file);
  const start = text.indexOf(begin(name)) + begin(name).length;
  return `${text.slice(0, start)}\n${content.trim()}\n${text.slice(text.indexOf(end(name)))}`;
}

/** A Markdown table; a cell's leading spaces are kept as `&nbsp;` (indented sub-rows). */
export function markdownTable(header, rows) {
  const esc = (c) => c.replaceAll("|", "\\|").replace(/^ +/, (s) => "&nbsp;".repeat(s.length));
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

/** The rows of every Markdown table in `text`, header and separator rows left out. */
function tableRows(text) {
  const tables = [];
  let current = null;
  for (const line of text.split("\n")) {
    if (!line.startsWith("|")) {
      current = null;
      continue;
    }
    const cells = line
      .slice(1, line.lastIndexOf("|"))
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replaceAll("\\|", "|").replace(/^(&nbsp;)+/, (s) => " ".repeat(s.length / 6)));
    if (!current) tables.push((current = { header: cells, rows: [] }));
    else if (!cells.every((c) => /^-+$/.test(c))) current.rows.push(cells);
  }
  return tables;
}

/**
 * The page block taken apart: `machine` (field → value, from the machine table),
 * `rows` (the measurement table's rows, as the script made them) and `quick`.
 */
export function readPage(block) {
  const [machineTable, measurements] = tableRows(block);
  if (!machineTable || !measurements) throw new Error("the page's block lacks the machine table or the measurement table");
  return {
    machine: Object.fromEntries(machineTable.rows.map(([k, v]) => [k, v])),
    rows: measurements.rows,
    quick: block.includes("BENCH_QUICK=1"),
  };
}

/** The README's summary of a page block: the figures the README quotes, in one place. */
export function readmeSummary(pageBlock) {
  const { machine, rows, quick } = readPage(pageBlock);
  const find = (measurement, runtime = "") => {
    const row = rows.find((r) => r[0].startsWith(measurement) && r[1].startsWith(runtime));
    if (!row) throw new Error(`the table has no row "${measurement}" for "${runtime || "any runtime"}"`);
    return row;
  };
  const runtimes = [...new Set(rows.filter((r) => r[0].startsWith("evaluate M (")).map((r) => r[1]))];
  const short = (runtime) => runtime.replace(/ \((wasm|criterion)\)$/, "");
  const timed = [
    ["evaluate M (100 coupons × 50 lines)", "evaluate M ("],
    ["evaluate M, session (`shopper.evaluate`)", "evaluate M, session"],
    ["evaluate M, a customer summary other than the last call's", "evaluate M, a customer summary"],
    ["evaluate L (1,000 coupons × 200 lines)", "evaluate L ("],
    ["bundle: verify signature + parse + validate (100 coupons)", "bundle: verify signature"],
    ["cold start: compile + instantiate the .wasm", "cold start: compile"],
  ].map(([label, measurement]) => [label, ...runtimes.map((rt) => rows.find((r) => r[0].startsWith(measurement) && r[1] === rt)?.[2] ?? "")]);
  const memory = runtimes
    .map((rt) => rows.find((r) => r[0].startsWith("module memory") && r[1] === rt))
    .map((r) => (r ? `${r[5].replace("after S ", "").replace(" · after M ", " / ")} / ${r[2]}` : ""));
  timed.push(["module memory after S / M / L", ...memory]);
  const instructions = [
    ["evaluate M, the customer summary remembered", "wasm instructions: evaluate M (the customer summary remembered"],
    ["evaluate M, a customer summary other than the last call's", "wasm instructions: evaluate M, a customer summary"],
    ["session evaluate M (`shopper.evaluate`)", "wasm instructions: session evaluate M"],
  ].map(([label, measurement]) => [label, find(measurement)[2]]);
  const size = (what) => find(`size: coupon_engine_bg.wasm, ${what}`)[2];
  const glue = find("size: JS glue (coupon_engine.js)");
  const [glueGzip, glueBrotli] = /gzip (.+) · brotli (.+)/.exec(glue[5])?.slice(1) ?? ["", ""];
  const sizes = [
    ["`coupon_engine_bg.wasm`", size("raw"), size("gzip"), size("brotli")],
    ["`coupon_engine.js`", glue[2], glueGzip, glueBrotli],
  ];
  const date = (machine.date ?? "").slice(0, 10);
  return [
    `The latest run of \`${machine.command?.replaceAll("`", "") ?? "scripts/bench.sh"}\` (${date}; ${machine.CPU}, ${machine.cores} cores), medians.\n` +
      "Every row, its p95, the targets and how each is measured: [docs/benchmarks.md](docs/benchmarks.md)." +
      (quick ? "\n**Quick run (`BENCH_QUICK=1`): short samples, indicative only.**" : ""),
    "",
    markdownTable(["measurement", ...runtimes.map(short)], timed),
    "",
    markdownTable(["executed wasm instructions (wasmtime fuel, exact)", "count"], instructions),
    "",
    markdownTable(["file", "raw", "gzip", "brotli"], sizes),
  ].join("\n");
}
