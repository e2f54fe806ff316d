// Timing helpers shared by the Node and Chromium harnesses (issue 6). No runtime APIs
// here: the caller passes its clock, so both runtimes measure the same way.
//
// Method (the same as criterion's for the native numbers): after a warm-up, calls are
// timed in samples of k back-to-back calls, k chosen so that one sample lasts at least
// `minSampleMs` (Chromium's clock has 5 µs steps even when cross-origin isolated, and
// 100 µs otherwise; a sample of a millisecond or more makes that irrelevant). Each
// sample gives one per-call time (sample time / k); median and p95 are over samples.
// For calls longer than `minSampleMs`, k is 1 and every call is its own sample.

/** Default run lengths; BENCH_QUICK shortens them. */
export const FULL = { warmupMs: 500, budgetMs: 3000, minSamples: 50, maxSamples: 2000, minSampleMs: 1 };
export const QUICK = { warmupMs: 150, budgetMs: 600, minSamples: 20, maxSamples: 500, minSampleMs: 1 };

/** Median, p95 (nearest rank), mean and extremes of per-call times in ms. */
export function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const rank = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const mean = sorted.reduce((s, t) => s + t, 0) / sorted.length;
  return { medianMs: rank(0.5), p95Ms: rank(0.95), meanMs: mean, minMs: sorted[0], maxMs: sorted[sorted.length - 1], samples: sorted.length };
}

/** Times a synchronous `fn`; `now()` returns milliseconds as a float. */
export function measure(fn, now, options = FULL) {
  const { warmupMs, budgetMs, minSamples, maxSamples, minSampleMs } = options;
  // Warm-up also lets the engine's optimising tier compile the hot code.
  let calls = 0;
  const warmStart = now();
  while (calls < 5 || now() - warmStart < warmupMs) {
    fn();
    calls += 1;
  }
  const perCall = (now() - warmStart) / calls;
  const k = Math.max(1, Math.ceil(minSampleMs / perCall));
  const times = [];
  const start = now();
  while (times.length < maxSamples && (times.length < minSamples || now() - start < budgetMs)) {
    const t0 = now();
    for (let i = 0; i < k; i += 1) fn();
    times.push((now() - t0) / k);
  }
  return { ...stats(times), callsPerSample: k };
}

/** Times an asynchronous `fn` (each call awaited before the next), like `measure`. */
export async function measureAsync(fn, now, options = FULL) {
  const { warmupMs, budgetMs, minSamples, maxSamples, minSampleMs } = options;
  let calls = 0;
  const warmStart = now();
  while (calls < 5 || now() - warmStart < warmupMs) {
    await fn();
    calls += 1;
  }
  const perCall = (now() - warmStart) / calls;
  const k = Math.max(1, Math.ceil(minSampleMs / perCall));
  const times = [];
  const start = now();
  while (times.length < maxSamples && (times.length < minSamples || now() - start < budgetMs)) {
    const t0 = now();
    for (let i = 0; i < k; i += 1) await fn();
    times.push((now() - t0) / k);
  }
  return { ...stats(times), callsPerSample: k };
}

/**
 * The module's bytes with a custom section naming `n` appended, so that every cold
 * start compiles a module the engine has never seen: V8 shares compiled code between
 * identical modules in one process, which would turn the second cold start into a
 * cache hit. Custom sections do not change what the module does.
 */
export function uniqueModuleBytes(bytes, n) {
  const name = new TextEncoder().encode("coupon-engine-bench-cold-start");
  const payload = new Uint8Array(1 + name.length + 8);
  payload[0] = name.length; // < 128: a one-byte LEB128
  payload.set(name, 1);
  new DataView(payload.buffer).setFloat64(1 + name.length, n, true);
  const size = leb128(payload.length);
  const out = new Uint8Array(bytes.length + 1 + size.length + payload.length);
  out.set(bytes, 0);
  out[bytes.length] = 0; // section id 0: custom
  out.set(size, bytes.length + 1);
  out.set(payload, bytes.length + 1 + size.length);
  return out;
}

function leb128(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return Uint8Array.from(out);
}
