// Finishes the declarations wasm-bindgen writes (pkg/coupon_engine.d.ts) for users of
// the package; scripts/build-pkg.sh runs it.
//
// - Relative imports get their `.js` extension: under `moduleResolution` NodeNext or
//   Node16, `from "./types"` in a `"type": "module"` package resolves to nothing, and
//   every input type silently becomes `any`.
// - Doc comments that point at Rust items (`[`coupon_engine::Engine::recheck`]`, written
//   for rustdoc) get the JavaScript description; any such link left fails the build.
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
let text = readFileSync(file, "utf8");
text = text.replace(/(from\s+["'])(\.\.?\/[^"']+?)(["'])/g, (all, open, path, close) =>
  /\.(js|mjs|cjs|json)$/.test(path) ? all : `${open}${path}.js${close}`);

/** The JavaScript descriptions of methods whose Rust docs only link to a Rust item. */
const described = {
  "coupon_engine::Engine::recheck": [
    "Recomputes a result the shopper's device claims (what the page showed) and names every",
    "difference: a server's check before it accepts an order. `accepted` is true when the",
    "claim matches exactly; `result` is the engine's own result to show instead.",
    "",
    "```js",
    "const { accepted, differences } = engine.recheck(customer, cart, context, claimed);",
    "```",
  ],
};
text = text.replace(/^(\s*)\* See \[`([\w:]+)`\]\.$/gm, (all, indent, path) => {
  const lines = described[path];
  if (!lines) throw new Error(`${file}: no JavaScript description for the Rust link ${path}`);
  return lines.map((line) => `${indent}*${line ? " " + line : ""}`).join("\n");
});
const rustLink = text.match(/\[`?\w+::[\w:]+`?\]/);
if (rustLink) throw new Error(`${file}: a doc comment links to the Rust item ${rustLink[0]}; describe it in wasm/src or in ${process.argv[1]}`);
writeFileSync(file, text);
