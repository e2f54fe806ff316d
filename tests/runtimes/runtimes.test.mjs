// The built package, packed and installed like a user would (`npm install` of the
// tarball), imported in each runtime it claims: Node, Deno, Cloudflare's workerd
// (through Miniflare) and a Vite app in Chromium. The edge worker example runs in
// workerd and in Deno with real HTTP requests. Each runtime also renders the shared
// vectors' `localized` cases with `localize` on its own Intl.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { localizedExpectations } from "../js/localized.mjs";

const root = new URL("../../", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules/.bin", name);
const cli = process.env.COUPON_ENGINE_BIN ?? join(root, "target/debug/coupon-engine");
const vector = JSON.parse(readFileSync(join(root, "tests/vectors/example-loyalty-10-percent.json"), "utf8"));
const expected = JSON.stringify(vector.expected);
// The vectors with a `localized` section, replayed through `localize` in each runtime
// with its own Intl (tests/js/localized.mjs, copied next to the installed package).
const localizedVectors = readdirSync(join(root, "tests/vectors")).filter((f) => f.endsWith(".json")).sort()
  .map((f) => [f, JSON.parse(readFileSync(join(root, "tests/vectors", f), "utf8"))])
  .filter(([, doc]) => doc.localized);
const localizedWant = localizedExpectations(localizedVectors);
// What each runtime prints after the result: an error thrown by the module is an
// instance of the package's CouponEngineError class.
const errorLine = "true missing_field cart.currency";
const tryBadCart = `try { evaluate({ ...request, cart: {} }); } catch (e) { console.log(e instanceof CouponEngineError, e.code, e.path); }`;
let project, tokens, jwks;
const children = [];

before(() => {
  project = mkdtempSync(join(tmpdir(), "coupon-user-"));
  const tarball = execFileSync("npm", ["pack", join(root, "pkg"), "--pack-destination", project, "--silent"], { encoding: "utf8" }).trim();
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", dependencies: { "coupon-engine": `file:./${tarball}` } }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent"], { cwd: project });
  writeFileSync(join(project, "request.json"), JSON.stringify(vector.request));
  writeFileSync(join(project, "localized.mjs"), readFileSync(join(root, "tests/js/localized.mjs")));
  writeFileSync(join(project, "localized-vectors.json"), JSON.stringify(localizedVectors));
  // Signed inputs for the edge worker, made with this project's CLI.
  jwks = execFileSync(cli, ["keygen", "--kid", "edge", "--out", join(project, "key.jwk")], { encoding: "utf8" });
  writeFileSync(join(project, "bundle.json"), JSON.stringify(vector.request.bundle));
  writeFileSync(join(project, "customer.json"), JSON.stringify(vector.request.customer));
  const sign = (flag, file) => execFileSync(cli, ["sign", "--key", join(project, "key.jwk"), flag, join(project, file)], { encoding: "utf8" }).trim();
  tokens = { bundle: sign("--bundle", "bundle.json"), summary: sign("--customer", "customer.json") };
});

after(() => children.forEach((c) => c.kill()));

const edgeRequest = (overrides = {}) => ({
  bundle: tokens.bundle, summary: tokens.summary, customerId: vector.request.customer.id,
  cart: vector.request.cart, ...overrides,
});

test("Node: the node build is ready on import, gives the native bytes and throws CouponEngineError instances", () => {
  const script = `import { evaluate, CouponEngineError } from "coupon-engine";
    import { readFileSync } from "node:fs";
    const request = JSON.parse(readFileSync("request.json", "utf8"));
    console.log(JSON.stringify(evaluate(request)));
    ${tryBadCart}`;
  const out = execFileSync("node", ["--input-type=module", "-e", script], { cwd: project, encoding: "utf8" }).trim();
  assert.equal(out, `${expected}\n${errorLine}`);
});

test("Deno: localize renders every localized vector as expected", () => {
  writeFileSync(join(project, "deno-localized.js"), `import * as api from "coupon-engine";
    import { replayLocalized } from "./localized.mjs";
    const vectors = JSON.parse(await Deno.readTextFile("localized-vectors.json"));
    console.log(JSON.stringify(replayLocalized(api, vectors)));`);
  const out = execFileSync(bin("deno"), ["run", "--quiet", "--allow-read", "deno-localized.js"], {
    cwd: project, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  assert.deepEqual(JSON.parse(out), localizedWant);
});

test("Deno: the deno build is ready on import, gives the native bytes and throws CouponEngineError instances", () => {
  writeFileSync(join(project, "deno-test.js"), `import { evaluate, CouponEngineError } from "coupon-engine";
    const request = JSON.parse(await Deno.readTextFile("request.json"));
    console.log(JSON.stringify(evaluate(request)));
    ${tryBadCart}`);
  const out = execFileSync(bin("deno"), ["run", "--quiet", "--allow-read", "deno-test.js"], {
    cwd: project, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  }).trim();
  assert.equal(out, `${expected}\n${errorLine}`);
});

/** Sends the edge worker's standard requests through `fetchIt` and checks the answers. */
async function checkEdgeWorker(fetchIt) {
  const ok = await fetchIt({ method: "POST", body: JSON.stringify(edgeRequest()) });
  assert.equal(ok.status, 200);
  const result = await ok.json();
  assert.equal(result.discountTotal, vector.expected.discountTotal);
  assert.equal(result.cards[0].couponId, vector.expected.cards[0].couponId);
  const [h, p, s] = tokens.bundle.split(".");
  const tampered = await fetchIt({ method: "POST", body: JSON.stringify(edgeRequest({ bundle: `${h}.${p}x.${s}` })) });
  assert.equal(tampered.status, 401);
  assert.ok(["bad_signature", "malformed_token"].includes((await tampered.json()).code));
  const badCart = await fetchIt({ method: "POST", body: JSON.stringify(edgeRequest({ cart: { currency: "INR", lines: [{ id: "l", productId: "p", unitPrice: 5, quantity: 1 }] } })) });
  assert.equal(badCart.status, 400);
  assert.deepEqual(await badCart.json().then((b) => [b.code, b.path]), ["invalid_type", "cart.lines[0].unitPrice"]);
  const notJson = await fetchIt({ method: "POST", body: "{oops" });
  assert.equal(notJson.status, 400);
  assert.equal((await notJson.json()).code, "invalid_json");
  const get = await fetchIt({ method: "GET" });
  assert.equal(get.status, 405);
}

/** The installed package's modules as wrangler's bundler gives them to workerd (its `workerd` condition). */
function packageModules() {
  const pkg = join(project, "node_modules/coupon-engine");
  const module = (path, file = path) => ({ type: "ESModule", path, contents: readFileSync(join(pkg, file), "utf8") });
  return [
    module("coupon-engine", "workerd.js"),
    ...["index.js", "error.js", "localize.js", "coupon_engine.js", "messages/en.js", "messages/hi.js", "messages/uk.js"].map((f) => module(f)),
    { type: "CompiledWasm", path: "coupon_engine_bg.wasm", contents: readFileSync(join(pkg, "coupon_engine_bg.wasm")) },
  ];
}

test("workerd (Miniflare): localize renders every localized vector as expected", async () => {
  const worker = `import * as api from "coupon-engine";
    import { replayLocalized } from "./localized.mjs";
    import vectors from "./localized-vectors.js";
    export default { fetch: () => Response.json(replayLocalized(api, vectors)) };`;
  const mf = new Miniflare({
    compatibilityDate: "2026-07-01",
    modules: [
      // Names are resolved relative to each other, so the worker sits at the root.
      { type: "ESModule", path: "worker.js", contents: worker },
      { type: "ESModule", path: "localized.mjs", contents: readFileSync(join(root, "tests/js/localized.mjs"), "utf8") },
      { type: "ESModule", path: "localized-vectors.js", contents: `export default ${JSON.stringify(localizedVectors)};` },
      ...packageModules(),
    ],
    modulesRoot: "/",
  });
  try {
    const res = await mf.dispatchFetch("http://edge.test/");
    assert.deepEqual(await res.json(), localizedWant);
  } finally {
    await mf.dispose();
  }
});

test("workerd (Miniflare): the edge worker answers real HTTP requests", async () => {
  const mf = new Miniflare({
    compatibilityDate: "2026-07-01",
    modules: [
      // Names are resolved relative to each other, so the worker sits at the root.
      { type: "ESModule", path: "worker.js", contents: readFileSync(join(root, "examples/edge-worker/worker.js"), "utf8") },
      ...packageModules(),
    ],
    modulesRoot: "/",
    bindings: { JWKS: jwks },
  });
  try {
    await checkEdgeWorker((init) => mf.dispatchFetch("http://edge.test/", init));
  } finally {
    await mf.dispose();
  }
});

test("Deno: the same edge worker under deno serve answers real HTTP requests", async () => {
  writeFileSync(join(project, "worker.js"), readFileSync(join(root, "examples/edge-worker/worker.js")));
  const port = 18000 + (process.pid % 1000);
  const deno = spawn(bin("deno"), ["serve", "--quiet", "--allow-read", "--allow-env", "--port", String(port), "--host", "127.0.0.1", "worker.js"], {
    cwd: project, env: { ...process.env, JWKS: jwks, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, stdio: "ignore",
  });
  children.push(deno);
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try { await fetch(url); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  await checkEdgeWorker((init) => fetch(url, init));
});

test("Vite: a tiny app bundles the package and runs it in Chromium, errors as CouponEngineError instances, localize as in Node", async () => {
  writeFileSync(join(project, "index.html"), `<!doctype html><meta charset="utf-8"><pre id="error"></pre><pre id="localized"></pre><pre id="out">…</pre><script type="module" src="/main.js"></script>`);
  writeFileSync(join(project, "main.js"), `import init, { evaluate, localize, CouponEngineError } from "coupon-engine";
    import request from "./request.json";
    import vectors from "./localized-vectors.json";
    import { replayLocalized } from "./localized.mjs";
    await init();
    document.getElementById("localized").textContent = JSON.stringify(replayLocalized({ evaluate, localize, CouponEngineError }, vectors));
    const console = { log: (...args) => { document.getElementById("error").textContent = args.join(" "); } };
    ${tryBadCart}
    document.getElementById("out").textContent = JSON.stringify(evaluate(request));`);
  execFileSync(bin("vite"), ["build", "--logLevel", "error"], { cwd: project });
  assert.ok(readdirSync(join(project, "dist/assets")).some((f) => f.endsWith(".wasm")), "the .wasm is emitted as an asset");
  const port = 19000 + (process.pid % 1000);
  const preview = spawn(bin("vite"), ["preview", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], { cwd: project, stdio: "ignore" });
  children.push(preview);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  try {
    const page = await browser.newPage();
    for (let i = 0; i < 100; i++) {
      try { await page.goto(`http://127.0.0.1:${port}/`); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    await page.waitForFunction(() => document.getElementById("out").textContent.startsWith("{"));
    assert.equal(await page.locator("#out").textContent(), expected);
    assert.equal(await page.locator("#error").textContent(), errorLine);
    assert.deepEqual(JSON.parse(await page.locator("#localized").textContent()), localizedWant);
  } finally {
    await browser.close();
  }
});
