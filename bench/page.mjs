// The Chromium side of issue 6's benchmarks, on the BUILT package (pkg/, its web
// entry, initialised with the module's bytes): the same suite as in Node, and cold
// start through WebAssembly.compile, as a page that fetched the .wasm does.
import { FULL, QUICK } from "./lib/measure.mjs";
import { coldStart, runSuite, SIZES } from "./lib/suite.mjs";

async function get(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

/** Runs every measurement and returns the results (called by bench/browser.mjs). */
window.runBench = async ({ quick }) => {
  const options = quick ? QUICK : FULL;
  const now = () => performance.now();
  const log = (line) => console.log(line);
  const workloads = {};
  const expected = {};
  for (const size of SIZES) {
    workloads[size] = await (await get(`/target/bench/${size}.json`)).json();
    expected[size] = (await (await get(`/target/bench/${size}.result.json`)).text()).trimEnd();
  }
  const signed = await (await get("/target/bench/signed.json")).json();
  const wasm = new Uint8Array(await (await get("/pkg/coupon_engine_bg.wasm")).arrayBuffer());
  // The web entry: the module, then the English messages it writes in JS.
  const api = await import("/pkg/index.js");
  const instance = await api.default({ module_or_path: wasm });

  const results = {
    runtime: "chromium",
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    quick,
    ...runSuite({ api, workloads, expected, signed, now, memoryBytes: () => instance.memory.buffer.byteLength, options, log }),
  };

  // Cold start as a page pays it once the bytes have arrived: a fresh copy of the glue
  // (new module instance), bytes V8 has not compiled before (uniqueModuleBytes), then
  // WebAssembly.compile and the glue's init (instantiate + start function). Not
  // included: downloading the .wasm and the glue. "To first result" adds
  // `new Engine(S bundle)` and one S evaluation.
  const runs = quick ? 10 : 40;
  log(`cold start: ${runs} fresh compilations of ${wasm.length} bytes`);
  results.coldStart = await coldStart({
    runs,
    wasm,
    fresh: (i) => import(`/pkg/coupon_engine.js?cold=${i}`),
    instantiate: async (glue, bytes) => glue.default({ module_or_path: await WebAssembly.compile(bytes) }),
    workload: workloads.s,
    now,
  });
  return results;
};
document.body.dataset.ready = "true";
