// The package's declarations as a TypeScript user gets them: the built package is
// packed, unpacked into a fresh project's node_modules, and tests/ts/*.ts are compiled
// with `tsc --strict` under each module resolution a project may use. `api.ts` must
// compile; every mistake in `mistakes.ts` must fail with the diagnostic its directive
// names, and nothing else may fail.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const here = new URL(".", import.meta.url).pathname;
const tsc = join(root, "node_modules/.bin/tsc");
let project;

before(() => {
  project = mkdtempSync(join(tmpdir(), "coupon-ts-"));
  const tarball = execFileSync("npm", ["pack", join(root, "pkg"), "--pack-destination", project, "--silent"], { encoding: "utf8" }).trim();
  const pkg = join(project, "node_modules/coupon-engine");
  mkdirSync(pkg, { recursive: true });
  execFileSync("tar", ["-xzf", join(project, tarball), "-C", pkg, "--strip-components=1"]);
  // An ES module project, as NodeNext and Node16 need for `import` of an ESM package.
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
});

const modes = {
  NodeNext: { module: "nodenext", moduleResolution: "nodenext" },
  Node16: { module: "node16", moduleResolution: "node16" },
  Bundler: { module: "esnext", moduleResolution: "bundler" },
};

/** Compiles one file under `mode`; the diagnostics as `line TSnnnn` strings (1-based lines). */
function compile(mode, name, source) {
  const dir = join(project, `${mode}-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.ts`), source);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      ...modes[mode], strict: true, noEmit: true, target: "es2022",
      // No esnext.disposable: the package must not need it for Symbol.dispose.
      lib: ["es2022", "dom"], types: [], skipLibCheck: false, noUnusedLocals: false,
    },
    files: [`${name}.ts`],
  }));
  const run = spawnSync(tsc, ["-p", dir, "--pretty", "false"], { encoding: "utf8" });
  const diagnostics = [...run.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)];
  assert.equal(run.status === 0, diagnostics.length === 0, run.stdout + run.stderr);
  return { output: run.stdout, errors: diagnostics.map(([, file, line, code]) => `${file.endsWith(`${name}.ts`) ? "" : file + " "}${line} ${code}`) };
}

for (const mode of Object.keys(modes)) {
  test(`${mode}: correct code compiles under tsc --strict`, () => {
    const { errors, output } = compile(mode, "api", readFileSync(join(here, "api.ts"), "utf8"));
    assert.deepEqual(errors, [], output);
  });

  test(`${mode}: each deliberate mistake fails to compile, with its diagnostic`, () => {
    const source = readFileSync(join(here, "mistakes.ts"), "utf8");
    // As written: every directive must be used, so every mistake is an error.
    const { errors, output } = compile(mode, "mistakes", source);
    assert.deepEqual(errors, [], output);
    // Without the directives: exactly the named diagnostic on each line after one.
    const expected = [];
    const lines = source.split("\n");
    lines.forEach((line, i) => {
      const directive = line.match(/^\s*\/\/ @ts-expect-error (TS\d+)/);
      if (directive) expected.push(`${i + 2} ${directive[1]}`);
    });
    assert.ok(expected.length >= 10, `only ${expected.length} mistakes`);
    const stripped = lines.map((line) => line.replace("// @ts-expect-error", "// expected:")).join("\n");
    const bare = compile(mode, "mistakes-bare", stripped);
    assert.deepEqual([...new Set(bare.errors)], expected, bare.output);
  });
}
