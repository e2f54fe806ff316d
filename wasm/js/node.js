// Node: the module is ready on import, no init() needed.
import { readFileSync } from "node:fs";
import { initSync } from "./coupon_engine.js";

initSync({ module: readFileSync(new URL("./coupon_engine_bg.wasm", import.meta.url)) });

export * from "./index.js";
/** Already initialised on import; kept so code written for browsers runs unchanged. */
export default async function init() {}
