// The benchmark figures in README.md and docs/benchmarks.md are the report script's
// (bench/report.mjs), never typed by hand: both files keep their blocks between the
// script's markers, and the README's block is exactly the summary the script makes of
// the page's table. Editing a figure in either, or one file without the other, fails
// here; `node bench/report.mjs --readme README.md` writes the README's block again.
// Needs no build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { PAGE, README, readBlock, readPage, readmeSummary } from "../../bench/lib/blocks.mjs";

const root = new URL("../../", import.meta.url);
const text = (path) => readFileSync(new URL(path, root), "utf8");
const page = readBlock(text("docs/benchmarks.md"), PAGE, "docs/benchmarks.md");
const readme = readBlock(text("README.md"), README, "README.md");

test("the page's block holds the machine and a whole table of the report's rows", () => {
  const { machine, rows } = readPage(page);
  for (const field of ["CPU", "cores", "date", "command", "wasmtime (instruction counts)"]) {
    assert.ok(machine[field], `the machine table has no ${field}`);
  }
  assert.ok(rows.length >= 40, `${rows.length} rows`);
  for (const row of rows) assert.equal(row.length, 6, row.join(" | "));
  for (const prefix of ["evaluate M (", "wasm instructions: session evaluate M", "size: coupon_engine_bg.wasm, gzip"]) {
    assert.ok(rows.some((r) => r[0].startsWith(prefix)), `no row ${prefix}`);
  }
});

test("the README's block is the report script's summary of the page's table", () => {
  assert.equal(readme, readmeSummary(page), "README.md is stale: run `node bench/report.mjs --readme README.md`");
});

test("the README's figures outside the block are not benchmark figures", () => {
  const outside = text("README.md").replace(readme, "");
  // What the report writes: times, instruction counts, sizes, memory.
  const figures = outside.match(/\b\d+(\.\d+)? ?(µs|ms|M wasm instructions|KB|MB)\b/g) ?? [];
  // The request-size limit, the size budget and its ratchet are settings, not measurements.
  const settings = ["512 KB", "256 KB", "100 KB", "108 KB", "1.5 KB"];
  assert.deepEqual(
    figures.filter((f) => !settings.includes(f.replace(/(\d)(µs|ms|KB|MB)/, "$1 $2"))),
    [],
    "benchmark figures in README.md belong in the report's block (bench/lib/blocks.mjs)",
  );
});
