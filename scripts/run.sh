#!/usr/bin/env bash
# The main job: evaluates every example in examples/ and prints its coupon cards.
# Extra arguments are request files to evaluate instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh native >/dev/null
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
if [ $# -eq 0 ]; then set -- examples/*.json; fi
cargo run --quiet --release -- cards "$@"
