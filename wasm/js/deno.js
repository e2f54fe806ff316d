// Deno: the module is ready on import (top-level await), no init() needed.
// Needs --allow-read for the .wasm file next to this one.
import init from "./coupon_engine.js";

await init({ module_or_path: await Deno.readFile(new URL("./coupon_engine_bg.wasm", import.meta.url)) });

export * from "./index.js";
/** Already initialised on import; kept so code written for browsers runs unchanged. */
export default async function ready() {}
