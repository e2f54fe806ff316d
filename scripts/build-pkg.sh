#!/usr/bin/env bash
# Builds the npm package into pkg/ from pkg.json and prints its sizes (raw, gzip, brotli).
# `npm pack ./pkg` then makes the tarball to publish.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh wasm
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
# Built for size (scripts/wasm-size.env) in its own target directory, so the test
# builds' artefacts stay intact; opt-level "z" here, 3 for native builds.
. scripts/wasm-size.env
echo "building the release module (wasm-pack; std rebuilt for size with $(RUSTUP_TOOLCHAIN=$size_toolchain rustc --version))" >&2
(cd wasm && CARGO_PROFILE_RELEASE_OPT_LEVEL=z RUSTUP_TOOLCHAIN=$size_toolchain RUSTC_BOOTSTRAP=1 RUSTFLAGS="$size_rustflags" \
  CARGO_TARGET_DIR=../target/size wasm-pack --quiet build --release --target web --out-dir ../pkg --out-name coupon_engine \
  --mode no-install --no-pack . -- "${size_cargo_args[@]}")
# The producers and target-features sections are notes for other tools; no runtime reads them.
echo "optimising for size (wasm-opt ${size_wasm_opt_args[*]:0:5}, binaryen $(node_modules/.bin/wasm-opt --version | awk '{print $3}'))" >&2
node_modules/.bin/wasm-opt "${size_wasm_opt_args[@]}" --strip-producers --strip-target-features \
  pkg/coupon_engine_bg.wasm -o pkg/coupon_engine_bg.wasm
cp wasm/types.d.ts pkg/types.d.ts
node scripts/pkg-declarations.mjs pkg/coupon_engine.d.ts
node scripts/pkg-declarations.mjs pkg/coupon_engine.js
# One WebAssembly build; thin entries pick the runtime's way to load it (pkg.json
# exports), all through index.js, which makes thrown errors CouponEngineError instances.
cp wasm/js/index.js wasm/js/index.d.ts wasm/js/node.js wasm/js/deno.js wasm/js/workerd.js wasm/js/error.js wasm/js/localize.js pkg/
# The message catalogues (messages/*.json, the translators' files) ship beside the
# module as ES modules, which every runtime and bundler imports without attributes.
mkdir -p pkg/messages
for catalogue in messages/*.json; do
  { printf 'export default '; cat "$catalogue"; } | sed '$ s/$/;/' > "pkg/messages/$(basename "$catalogue" .json).js"
done
cp README.md LICENSE-MIT LICENSE-APACHE pkg/
# The manifest is ours (pkg.json), with the crate's version; wasm-pack's own is replaced.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
node -e '
  const fs = require("fs");
  const manifest = JSON.parse(fs.readFileSync("pkg.json", "utf8"));
  manifest.version = process.argv[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(manifest, null, 2) + "\n");
' "$version"
rm -f pkg/.gitignore
node scripts/sizes.mjs --budget scripts/size-budget.json pkg/coupon_engine_bg.wasm pkg/coupon_engine.js pkg/localize.js pkg/messages/*.js
