// Chromium half of issue 6's benchmarks: serves bench/page.html, the built package and
// the workloads on 127.0.0.1, opens the page in headless Debian Chromium through
// playwright-core, runs window.runBench() and returns its numbers to Node.
//
//   node bench/browser.mjs [--quick] [--out FILE]     (after the workload writer: bench/README.md)
//
// The server sends COOP/COEP headers: a cross-origin-isolated page gets
// performance.now() in 5 µs steps instead of 100 µs.
import { createServer } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const root = new URL("../", import.meta.url).pathname;
const args = process.argv.slice(2);
const quick = args.includes("--quick") || process.env.BENCH_QUICK === "1";
const outFile = args.includes("--out") ? args[args.indexOf("--out") + 1] : null;
const log = (line) => process.stderr.write(`[chromium] ${line}\n`);

const types = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
// Only what the page needs is served.
const served = ["bench/", "pkg/", "target/bench/"];

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "");
  if (path === "favicon.ico") {
    res.writeHead(204).end();
    return;
  }
  if (!served.some((dir) => path.startsWith(dir)) || path.includes("..")) {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(join(root, path));
    res.writeHead(200, {
      "Content-Type": types[extname(path)] ?? "application/octet-stream",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// The flags of tests/e2e/checkout.test.mjs: no sandbox (root), no GPU, and nothing
// that reaches for the network this machine does not have.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  page.on("console", (m) => log(m.text()));
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${base}/bench/page.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 }).catch(() => {
    throw new Error(`the benchmark page did not load: ${errors.join("; ") || "no error reported"}`);
  });
  const results = await page.evaluate((opts) => window.runBench(opts), { quick });
  results.versions = { chromium: browser.version() };
  if (!results.crossOriginIsolated) log("warning: the page is not cross-origin isolated; its clock has 100 µs steps");
  const text = JSON.stringify(results, null, 2);
  if (outFile) await writeFile(outFile, text + "\n");
  else console.log(text);
  log("done");
} finally {
  await browser.close();
  server.close();
}
