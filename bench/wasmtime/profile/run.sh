#!/usr/bin/env bash
# Per-function profile of the wasm instructions one evaluation executes: which
# functions of the engine the instruction count of scripts/bench.sh is spent in.
#
#   bench/wasmtime/profile/run.sh [--top N] [--callers NAME]... [--callees NAME]... [WORKLOAD]
#                                    # default: --top 40 target/bench/m.json
#   --callers NAME   also list who calls the functions whose name contains NAME
#   --callees NAME   also list what the functions whose name contains NAME call
#
# Builds the guest of bench/instructions/guest exactly as scripts/bench.sh does (keep the
# two in step), a second time keeping function names (see src/bin/rename.rs: plain
# `wasm-opt -g` would optimise differently), wraps every function in enter/exit hooks
# (src/bin/instrument.rs) and runs both in wasmtime (src/bin/profile.rs). Fails if the
# instrumented guest's outputs or its total (less the wrappers) differ from the plain
# build's. Outputs go to target/profile/; the first run compiles wasmtime (minutes).
set -euo pipefail
caller=$PWD
repo=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$repo"
top=()
callers=()
workload=target/bench/m.json
while [ $# -gt 0 ]; do
  case $1 in
    --top) top=(--top "${2:?--top needs a number}"); shift 2 ;;
    --callers) callers+=(--callers "${2:?--callers needs a name}"); shift 2 ;;
    --callees) callers+=(--callees "${2:?--callees needs a name}"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) workload=$1; shift ;;
  esac
done
# A relative WORKLOAD is looked up from where the script was called, then in the repository.
case $workload in /*) ;; *) [ -f "$caller/$workload" ] && workload=$caller/$workload ;; esac
if [ ! -f "$workload" ]; then
  echo "no workload $workload: run scripts/bench.sh, or only its workload generator:" >&2
  echo "  cargo run --release -p coupon-engine-workload --example write   # writes target/bench/{s,m,l}.json" >&2
  exit 1
fi
[ -f target/toolchain.env ] || { echo "target/toolchain.env is missing: run scripts/setup.sh browser" >&2; exit 1; }
# shellcheck disable=SC1091
. target/toolchain.env
# shellcheck disable=SC1091
. scripts/wasm-size.env
export PATH="$HOME/.cargo/bin:$PATH"
out=target/profile
mkdir -p "$out"

echo "==> the profiler (bench/wasmtime/profile)" >&2
# A caller's RUSTFLAGS or target dir would rebuild wasmtime elsewhere.
env -u RUSTFLAGS -u CARGO_TARGET_DIR cargo build --quiet --release --manifest-path bench/wasmtime/Cargo.toml -p coupon-engine-profile
bin=bench/wasmtime/target/release

echo "==> the guest, as scripts/bench.sh builds it" >&2
cp Cargo.lock bench/instructions/guest/Cargo.lock
(cd bench/instructions/guest && RUSTUP_TOOLCHAIN=$size_toolchain RUSTC_BOOTSTRAP=1 RUSTFLAGS="$size_rustflags" \
  CARGO_TARGET_DIR="$repo/$out/guest" cargo build --quiet --release --target wasm32-unknown-unknown "${size_cargo_args[@]}")
raw=$out/guest/wasm32-unknown-unknown/release/coupon_engine_guest.wasm
opt=(node_modules/.bin/wasm-opt "${size_wasm_opt_args[@]}")
"${opt[@]}" "$raw" -o "$out/guest.wasm"

echo "==> the same with function names, instrumented" >&2
"$bin/rename" "$raw" "$out/raw-indices.wasm" "$out/names.tsv"
"${opt[@]}" -g "$out/raw-indices.wasm" -o "$out/opt-indices.wasm"
"$bin/rename" --restore "$out/opt-indices.wasm" "$out/guest-named.wasm" "$out/names.tsv"
"$bin/instrument" "$out/guest-named.wasm" "$out/guest-instrumented.wasm" "$out/functions.map"

echo "==> profile of $workload" >&2
expected=()
[ -f "${workload%.json}.result.json" ] && expected=("${workload%.json}.result.json")
"$bin/profile" "$out/guest.wasm" "$out/guest-instrumented.wasm" "$out/functions.map" \
  "$workload" "${expected[@]}" "${top[@]}" "${callers[@]}"
