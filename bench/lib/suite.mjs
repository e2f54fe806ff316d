// The measurements every JavaScript runtime makes on the built package (issue 6):
// full evaluation of S, M and L with a prepared engine, and bundle preparation with
// and without the signature check. Runtime-neutral: Node and the Chromium page pass
// the package's exports, the workloads and their clock.
import { measure, stats, uniqueModuleBytes } from "./measure.mjs";

/** The workload sizes, as their file names in target/bench/ (bench/workload). */
export const SIZES = ["s", "m", "l"];

/**
 * Checks that each workload gives the native engine's bytes (a runtime that computed
 * something else would be timed on the wrong work), then times it.
 *
 * `api`: the package's exports (`Engine`); `workloads[size]`: `{bundle, customer,
 * cart, context}`; `expected[size]`: the native result text; `signed`: `{token, jwks,
 * now, coupons}`; `now()`: milliseconds; `memoryBytes()`: the size of the module's
 * linear memory; `log`: progress lines.
 */
export function runSuite({ api, workloads, expected, signed, now, memoryBytes, options, log = () => {} }) {
  const results = { evaluate: {}, evaluateNewCustomer: {}, session: {}, memory: {}, checks: {}, resultBytes: {} };
  for (const size of SIZES) {
    const { bundle, customer, cart, context } = workloads[size];
    const engine = new api.Engine(bundle);
    const text = JSON.stringify(engine.evaluate(customer, cart, context));
    if (text !== expected[size]) {
      throw new Error(`workload ${size}: the package's result differs from the native engine's (rebuild pkg/ and target/bench together)`);
    }
    results.checks[size] = "same bytes as native";
    results.resultBytes[size] = new TextEncoder().encode(expected[size]).length;
    log(`evaluate ${size.toUpperCase()}: ${bundle.coupons.length} coupons × ${cart.lines.length} lines`);
    // What a storefront does on every cart change: plain objects in, a plain object out.
    // The engine remembers the summary it validated last (keyed by its JSON text).
    results.evaluate[size] = measure(() => engine.evaluate(customer, cart, context), now, options);
    // An edge worker serving many shoppers: the summary differs from the last call's on
    // every call. The same summary with its members in another order: another text, so
    // read afresh, and the same result.
    const reordered = Object.fromEntries(Object.entries(customer).reverse());
    if (JSON.stringify(engine.evaluate(reordered, cart, context)) !== expected[size]) {
      throw new Error(`workload ${size}: the reordered customer gives another result`);
    }
    let turn = 0;
    results.evaluateNewCustomer[size] = measure(
      () => engine.evaluate((turn ^= 1) ? reordered : customer, cart, context),
      now,
      options,
    );
    // A session: the summary read and validated once (engine.shopper), each cart change
    // evaluated with it. Same result bytes.
    const shopper = engine.shopper(customer);
    if (JSON.stringify(shopper.evaluate(cart, context)) !== expected[size]) {
      throw new Error(`workload ${size}: shopper.evaluate differs from the native engine's result`);
    }
    results.session[size] = measure(() => shopper.evaluate(cart, context), now, options);
    shopper.free();
    engine.free();
    // WebAssembly memory only grows: this is the most the sizes so far have needed.
    results.memory[size] = memoryBytes();
  }
  // What the runtime itself spends around an M evaluation, with no engine code at all:
  // turning the result's JSON text into the plain object a caller gets, and the
  // customer summary into the text the engine reads.
  log(`JSON.parse of the M result (${expected.m.length} characters), JSON.stringify of the M customer`);
  results.jsonParseResult = measure(() => JSON.parse(expected.m), now, options);
  results.jsonStringifyCustomer = measure(() => JSON.stringify(workloads.m.customer), now, options);
  const bundle = workloads.m.bundle;
  log(`new Engine(bundle): ${bundle.coupons.length} coupons`);
  // free() releases the module's copy at once, so memory stays flat over thousands of calls.
  results.bundleNew = measure(() => new api.Engine(bundle).free(), now, options);
  log(`Engine.fromSigned: ${signed.coupons} coupons, ${signed.token.length} bytes of JWS`);
  results.fromSigned = measure(() => api.Engine.fromSigned(signed.token, signed.jwks, signed.now).free(), now, options);
  return results;
}

/**
 * Cold start, `runs` times: `fresh(i)` gives a new instance of the generated glue
 * (untimed); then, timed, `instantiate(glue, bytes)` loads module bytes the engine has
 * not compiled before the way the runtime's entry does, and "to first result" adds
 * `new Engine(S bundle)` and one S evaluation. Not included: reading or downloading the
 * .wasm and the glue.
 */
export async function coldStart({ runs, wasm, fresh, instantiate, workload, now }) {
  const instantiated = [];
  const firstResult = [];
  for (let i = 0; i < runs; i += 1) {
    const glue = await fresh(i);
    const bytes = uniqueModuleBytes(wasm, i);
    const t0 = now();
    await instantiate(glue, bytes);
    const t1 = now();
    const engine = new glue.Engine(workload.bundle);
    engine.evaluate(workload.customer, workload.cart, workload.context);
    const t2 = now();
    engine.free();
    instantiated.push(t1 - t0);
    firstResult.push(t2 - t0);
  }
  return { instantiate: stats(instantiated), firstResult: stats(firstResult), wasmBytes: wasm.length };
}
