#!/usr/bin/env bash
# Issue 6's benchmarks, one command, one table: full evaluation of the S/M/L workloads
# natively (criterion), in Node and in headless Chromium (the built package); bundle
# signature verification; cold start; json-rules-engine beside our WASM on M; executed
# wasm instructions for M (wasmtime fuel); .wasm and JS sizes. Prints the table and
# writes it, with the machine it ran on, into docs/benchmarks.md and its summary into
# README.md (bench/report.mjs; each between its markers). What each measurement is:
# bench/README.md.
#
#   scripts/bench.sh                    # full run (about 5 minutes once everything is built)
#   BENCH_QUICK=1 scripts/bench.sh      # short samples, for checking the harness
#   BENCH_SKIP_BUILD=1 scripts/bench.sh # reuse pkg/ as built (skips setup and build-pkg)
#
# Targets are recorded in the table, never asserted: a slow machine does not fail it.
# Timings want a quiet machine; the instruction count and sizes do not care.
# The first run also compiles wasmtime for the instruction counter (about 10 minutes
# on two cores; bench/wasmtime/target keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${BENCH_QUICK:-}
command="scripts/bench.sh"
[ -n "$quick" ] && command="BENCH_QUICK=1 $command"
step() { printf '\n\033[1;36m==> %s\033[0m\n' "$*" >&2; }

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  step "set-up (Rust wasm32, wasm-bindgen, npm tools, Chromium)"
  scripts/setup.sh browser
  step "the npm package (scripts/build-pkg.sh)"
  scripts/build-pkg.sh
fi
# shellcheck disable=SC1091
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
[ -f pkg/coupon_engine_bg.wasm ] || { echo "pkg/ is not built: run without BENCH_SKIP_BUILD" >&2; exit 1; }
[ -d node_modules/json-rules-engine ] || npm install --no-save --no-audit --no-fund --loglevel=error
results=target/bench/results
mkdir -p "$results"
rm -f "$results"/*.json

step "workloads (bench/workload → target/bench/)"
cargo run --quiet --release -p coupon-engine-workload --example write

# Built before anything is timed, so no compiler competes with the measurements.
step "instruction counter: the core as a bare wasm32 module, and wasmtime"
# Built as scripts/build-pkg.sh builds the package (keep the two in step): the same
# toolchain, the standard library rebuilt for size with the same flags, and the same
# crate versions (the guest's lock starts from the workspace's).
cp Cargo.lock bench/instructions/guest/Cargo.lock
. scripts/wasm-size.env
(cd bench/instructions/guest && RUSTUP_TOOLCHAIN=$size_toolchain RUSTC_BOOTSTRAP=1 \
  RUSTFLAGS="$size_rustflags" cargo build --quiet --release --target wasm32-unknown-unknown "${size_cargo_args[@]}")
node_modules/.bin/wasm-opt "${size_wasm_opt_args[@]}" \
  bench/instructions/guest/target/wasm32-unknown-unknown/release/coupon_engine_guest.wasm -o target/bench/guest.wasm
# A caller's RUSTFLAGS or target dir would rebuild wasmtime elsewhere.
env -u RUSTFLAGS -u CARGO_TARGET_DIR cargo build --quiet --release \
  --manifest-path bench/wasmtime/Cargo.toml -p coupon-engine-instructions
cargo bench --no-run --quiet -p coupon-engine-workload --bench engine

step "native: criterion (bench/workload/benches/engine.rs)"
rm -rf target/criterion/evaluate target/criterion/bundle
if [ -n "$quick" ]; then
  cargo bench --quiet -p coupon-engine-workload --bench engine -- --warm-up-time 1 --measurement-time 1.5 --sample-size 30
else
  cargo bench --quiet -p coupon-engine-workload --bench engine
fi

step "wasm instructions for M (wasmtime fuel)"
bench/wasmtime/target/release/coupon-engine-instructions target/bench/guest.wasm target/bench/m.json target/bench/m.result.json \
  >"$results/instructions.json"

step "Node: the built package, cold start, json-rules-engine"
node bench/node.mjs ${quick:+--quick} --out "$results/node.json"

step "headless Chromium: the built package, cold start"
node bench/browser.mjs ${quick:+--quick} --out "$results/chromium.json"

step "sizes"
node scripts/sizes.mjs --json pkg/coupon_engine_bg.wasm pkg/coupon_engine.js pkg/node.js pkg/deno.js pkg/workerd.js \
  >"$results/sizes.json"

step "the table (also written to docs/benchmarks.md and README.md)"
BENCH_COMMAND="$command" node bench/report.mjs --write docs/benchmarks.md --readme README.md
