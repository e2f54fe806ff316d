#!/usr/bin/env bash
# Issue 21's load benchmark of the order server: placements per second and latency
# (p50/p95/p99) on SQLite and PostgreSQL, 50 concurrent clients on 127.0.0.1, 5-line
# carts with the S bundle (10 coupons) and the M bundle (100 coupons), over-redemption
# audited after every run (server/benches/placements.rs). Writes the section
# "## Order server: placements" of docs/benchmarks.md; the rest of the page, and the
# section's "### Where the time goes", are kept as they are.
#
#   scripts/bench-server.sh                    # 4 runs of at most 20,000 placements or 30 s each
#   BENCH_QUICK=1 scripts/bench-server.sh      # at most 2,000 placements or 10 s each
#   scripts/bench-server.sh --database postgres --bundle m --clients 100   # more arguments: see
#       cargo bench -p coupon-engine-server --bench placements -- --help
#
# Not a test: it asserts nothing but the ledger (no use over any limit). Timings want a
# quiet machine: on 2 cores anything else running shows in the "rest of the machine"
# column. PostgreSQL is the throwaway cluster of scripts/postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1;36m==> %s\033[0m\n' "$*" >&2; }

command="scripts/bench-server.sh"
bounds=(--placements 20000 --seconds 30)
if [ -n "${BENCH_QUICK:-}" ]; then
  command="BENCH_QUICK=1 $command"
  bounds=(--placements 2000 --seconds 10)
fi
[ $# -gt 0 ] && command="$command $*"

step "the release server and the benchmark (cargo bench --no-run)"
cargo build --quiet --release -p coupon-engine-server
cargo bench --quiet -p coupon-engine-server --bench placements --no-run

step "PostgreSQL (scripts/postgres.sh)"
COUPON_ENGINE_TEST_POSTGRES=${COUPON_ENGINE_TEST_POSTGRES:-$(scripts/postgres.sh)}
export COUPON_ENGINE_TEST_POSTGRES
echo "$COUPON_ENGINE_TEST_POSTGRES" >&2

read -r load _ </proc/loadavg
echo "load average: $load (on $(nproc) cores)" >&2

step "placements (server/benches/placements.rs)"
# cargo runs benchmarks in the package's directory: the page is given by its full path.
cargo bench --quiet -p coupon-engine-server --bench placements -- \
  "${bounds[@]}" --write-doc "$PWD/docs/benchmarks.md" --command "$command" "$@"
