// Runs every JavaScript example of the README against the built package, as written,
// and checks that it prints exactly what its `// →` comments say, line for line.
//
// Each example runs in a fresh project whose node_modules holds the package (and jose,
// for the signing example), so `import … from "coupon-engine"` resolves as it does
// for users: Node's `node` condition. An example that calls `init()` is the browser
// one: it imports the default entry (what browsers and bundlers get) and `fetch`es the
// module's URL, which Node cannot do for file: URLs, so a stand-in fetch reads the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

const project = mkdtempSync(join(tmpdir(), "readme-"));
mkdirSync(join(project, "node_modules"));
symlinkSync(join(root, "pkg"), join(project, "node_modules/coupon-engine"));
symlinkSync(join(root, "node_modules/jose"), join(project, "node_modules/jose"));
writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
writeFileSync(join(project, "fetch-files.mjs"), `
  import { readFileSync } from "node:fs";
  globalThis.fetch = async (url) => new Response(readFileSync(new URL(url)), { headers: { "content-type": "application/wasm" } });
`);

test("the README has JavaScript examples, each with what it prints", () => {
  assert.ok(examples.length >= 3, `${examples.length} examples`);
  for (const example of examples) assert.match(example, /\/\/ → /, example);
});

examples.forEach((example, i) => {
  const first = example.split("\n").find((line) => line.startsWith("import"));
  test(`README example ${i + 1} runs and prints what it says (${first})`, () => {
    const browser = example.includes("await init(");
    const source = browser ? example.replace(`from "coupon-engine"`, `from ${JSON.stringify(join(root, "pkg/index.js"))}`) : example;
    const file = join(project, `example-${i + 1}.mjs`);
    writeFileSync(file, source);
    const printed = execFileSync("node", [...(browser ? ["--import", "./fetch-files.mjs"] : []), file], { cwd: project, encoding: "utf8" });
    // `// → text` comments, trailing a line or on their own lines, in order; a closing
    // part in parentheses explains the output and is not part of it.
    const said = [...example.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].replace(/ \(.*\)$/, ""));
    assert.deepEqual(printed.trimEnd().split("\n"), said);
  });
});
