#!/usr/bin/env bash
# The main job: prints the coupon cards of every example in examples/, then serves the
# demo storefront (www/) with the order server on http://127.0.0.1:8080 until Ctrl-C.
#
#   scripts/run.sh              cards, then the demo storefront
#   scripts/run.sh cards [FILE…] only the cards (of FILEs, default examples/*.json)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
[ "$mode" = cards ] && shift
scripts/setup.sh native >/dev/null
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
if [ $# -eq 0 ]; then set -- examples/*.json; fi
cargo run --quiet --release -- cards "$@"
[ "$mode" = cards ] && exit 0
scripts/build-pkg.sh
cargo build --quiet --release -p coupon-engine-server
echo
echo "Demo storefront: http://127.0.0.1:${PORT:-8080}/  (pick a persona, change the cart, enter codes; Ctrl-C stops)"
exec target/release/coupon-engine-server serve --store server/store.json --listen "127.0.0.1:${PORT:-8080}"
