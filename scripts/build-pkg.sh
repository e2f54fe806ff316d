#!/usr/bin/env bash
# Builds the npm package into pkg/ from pkg.json and prints its sizes (raw, gzip, brotli).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh wasm
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
# The standard library is rebuilt for size: optimize_for_size picks its smaller
# algorithms (sorting, formatting), panic=immediate-abort drops panic messages and
# their formatting machinery (the engine never panics on any input: tests/bad-inputs,
# the fuzzers and the differential test hold it to that), and location details and
# Debug formatting are left out. Together about 100 KB of the module. These are
# unstable flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# A separate target directory keeps the test builds' artefacts intact.
size_flags="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
echo "building the release module (wasm-pack; std rebuilt for size with $(RUSTUP_TOOLCHAIN=${COUPON_ENGINE_SIZE_TOOLCHAIN:-${RUSTUP_TOOLCHAIN:-}} rustc --version))" >&2
(cd wasm && RUSTUP_TOOLCHAIN=${COUPON_ENGINE_SIZE_TOOLCHAIN:-${RUSTUP_TOOLCHAIN:-}} RUSTC_BOOTSTRAP=1 RUSTFLAGS="$size_flags" \
  CARGO_TARGET_DIR=../target/size wasm-pack --quiet build --release --target web --out-dir ../pkg --out-name coupon_engine \
  --mode no-install --no-pack . -- -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
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
