#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target (fuzz/fuzz_targets/) for FUZZ_SECONDS each (default 60),
# starting from the checked-in seed corpus built from the test vectors (fuzz/corpus/).
# Any crash fails the run and leaves its input in fuzz/artifacts/ (make it a regression
# vector). Prints how many executions each target ran.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh native
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null || { echo "[fuzz] cargo install cargo-fuzz" >&2; cargo install -q cargo-fuzz; }
# libFuzzer's instrumentation needs unstable flags: the nightly toolchain where there is
# one, otherwise the toolchain at hand in bootstrap mode.
if rustup run nightly rustc --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi
seconds=${FUZZ_SECONDS:-60}
summary=()
for target in parse_bundle parse_customer parse_cart evaluate verify_jws; do
  work=target/fuzz-corpus/$target
  mkdir -p "$work"
  log=target/fuzz-corpus/$target.log
  echo "[fuzz] $target for ${seconds}s" >&2
  # New inputs go to the work corpus; the checked-in seeds are read only.
  if ! "${fuzz[@]}" run --sanitizer none "$target" "$work" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "[fuzz] $target FOUND A CRASH (input in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$log" | awk '{print $2}' | tail -1)
  summary+=("$target: ${runs:-?} executions in ${seconds}s, no finding")
done
printf '%s\n' "${summary[@]}"
