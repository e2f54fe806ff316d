// Prints raw, gzip (level 9) and brotli (quality 11) sizes of the given files, so
// size regressions show up in every build log. `--json` prints them as JSON instead
// (bytes; `[{file, raw, gzip, brotli}]`), for the benchmark table (scripts/bench.sh).
// `--budget FILE` then fails (exit 1) when a file is over its limit or its target in
// FILE (scripts/size-budget.json), and says how far it is from the target.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const json = args.includes("--json");
const budgetAt = args.indexOf("--budget");
const budget = budgetAt >= 0 ? JSON.parse(readFileSync(args[budgetAt + 1], "utf8")) : null;
const sizes = args
  .filter((a, i) => a !== "--json" && (budgetAt < 0 || (i !== budgetAt && i !== budgetAt + 1)))
  .map((file) => {
    const bytes = readFileSync(file);
    return {
      file,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
if (json) {
  console.log(JSON.stringify(sizes, null, 2));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  console.log(`${"file".padEnd(26)}${"raw".padStart(10)}${"gzip".padStart(10)}${"brotli".padStart(10)}`);
  for (const s of sizes) console.log(`${basename(s.file).padEnd(26)}${kb(s.raw)}${kb(s.gzip)}${kb(s.brotli)}`);
}
if (budget) {
  const over = [];
  for (const s of sizes) {
    const name = basename(s.file);
    for (const [kind, limit] of Object.entries(budget.limits[name] ?? {})) {
      if (s[kind] > limit) over.push(`${name} ${kind} ${s[kind]} bytes > the budget of ${limit}`);
    }
    for (const [kind, target] of Object.entries(budget.target[name] ?? {})) {
      const gap = s[kind] - target;
      if (gap > 0) over.push(`${name} ${kind} ${s[kind]} bytes > the target of ${target}`);
      console.log(`${name} ${kind}: ${gap > 0 ? `${(gap / 1024).toFixed(1)} KB above` : "within"} the target of ${(target / 1024).toFixed(0)} KB`);
    }
  }
  if (over.length) {
    console.error(`size budget exceeded (scripts/size-budget.json):\n  ${over.join("\n  ")}`);
    process.exit(1);
  }
  console.log("size budget: every file within its limit (scripts/size-budget.json)");
}
