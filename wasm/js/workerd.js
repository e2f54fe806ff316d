// Cloudflare Workers (workerd): the .wasm is imported as a compiled module and
// instantiated synchronously, so the module is ready on import.
import wasm from "./coupon_engine_bg.wasm";
import { initSync } from "./coupon_engine.js";

initSync({ module: wasm });

export * from "./index.js";
/** Already initialised on import; kept so code written for browsers runs unchanged. */
export default async function init() {}
