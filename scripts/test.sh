#!/usr/bin/env bash
# Runs every test: native (unit, integration, vectors, properties, docs, README), the
# order server against SQLite and a PostgreSQL server it starts (scripts/postgres.sh),
# the generated TypeScript check, the vectors in WebAssembly under Node and headless
# Chromium, the built npm package in Node, and the demo storefront end to end in
# Chromium against the order server, then every fuzz target for a bounded time. Installs whatever is missing first.
# A missing wasm toolchain is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh browser
. target/toolchain.env
export PATH="$HOME/.cargo/bin:$PATH"
passed=0
step() {
  printf '\n\033[1;36m==> %s\033[0m\n' "$1"
  shift
  "$@"
  passed=$((passed + 1))
}
trap 'printf "\n\033[1;31mFAILED at: a step above (%s suites had passed)\033[0m\n" "$passed"; echo "suites: $passed passed, 1 failed"' ERR

step "native: unit, integration, vectors, properties, doc and README tests" cargo test --all-targets --no-fail-fast
step "native: doc tests" cargo test --doc
step "benchmark workloads: each evaluates, natively and signed (the criterion bench once, untimed)" cargo test -p coupon-engine-workload --all-targets
# One PostgreSQL cluster for every server test (each test makes its own database in it).
COUPON_ENGINE_TEST_POSTGRES=$(scripts/postgres.sh)
export COUPON_ENGINE_TEST_POSTGRES
step "server: ledger and HTTP on an SQLite file and a PostgreSQL server (races, retries, kill -9)" cargo test -p coupon-engine-server
step "TypeScript declarations are generated from the Rust types" cargo test --features typescript --test typescript
step "wasm: shared vectors in Node" bash -c 'cd wasm && wasm-pack test --node --mode no-install'
step "wasm: shared vectors in headless Chromium" bash -c 'cd wasm && WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --mode no-install'
step "npm package: build and size report" scripts/build-pkg.sh
step "npm package: imported by Node" node --test tests/js/
step "npm package: TypeScript declarations under tsc --strict, NodeNext, Node16 and Bundler resolution" node --test tests/ts/
step "npm package installed from its tarball: Node, Deno, workerd (Miniflare), Vite in Chromium; the edge worker over HTTP" node --test tests/runtimes/
step "end to end: order server + demo storefront in Chromium, desktop and phone, keyboard, axe-core (screenshots in test-artifacts/)" node --test tests/e2e/
step "fuzzing: 5 cargo-fuzz targets, ${FUZZ_SECONDS:-60}s each from the seed corpus" scripts/fuzz.sh
trap - ERR
echo
echo "suites: $passed passed, 0 failed"
