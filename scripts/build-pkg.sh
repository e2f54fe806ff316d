#!/usr/bin/env bash
# Builds the npm package into pkg/ from pkg.json and prints its sizes (raw, gzip, brotli).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh wasm
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
echo "building the release module (wasm-pack)" >&2
(cd wasm && wasm-pack --quiet build --release --target web --out-dir ../pkg --out-name coupon_engine --mode no-install --no-pack)
echo "optimising for size (wasm-opt -Oz, binaryen $(node_modules/.bin/wasm-opt --version | awk '{print $3}'))" >&2
node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/coupon_engine_bg.wasm -o pkg/coupon_engine_bg.wasm
cp wasm/types.d.ts pkg/types.d.ts
# One WebAssembly build; thin entries pick the runtime's way to load it (pkg.json exports).
cp wasm/js/node.js wasm/js/deno.js wasm/js/workerd.js pkg/
# The manifest is ours (pkg.json), with the crate's version; wasm-pack's own is replaced.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
node -e '
  const fs = require("fs");
  const manifest = JSON.parse(fs.readFileSync("pkg.json", "utf8"));
  manifest.version = process.argv[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(manifest, null, 2) + "\n");
' "$version"
rm -f pkg/.gitignore
node scripts/sizes.mjs pkg/coupon_engine_bg.wasm pkg/coupon_engine.js
