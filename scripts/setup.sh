#!/usr/bin/env bash
# Installs whatever this project needs and is missing, idempotently, then writes
# target/toolchain.env (sourced by the other scripts) naming the Rust toolchain to use.
#
#   scripts/setup.sh            native build only (Rust toolchain)
#   scripts/setup.sh wasm       + a Rust toolchain with the wasm32 std, wasm-bindgen-cli, wasm-pack
#   scripts/setup.sh browser    + wasm, Debian's Chromium and ChromeDriver
#
# The ordinary route comes first (a toolchain that already has wasm32, or
# `rustup target add` with a short timeout). Where that cannot reach the Rust
# project's servers (machines that reach only crates.io, npm, PyPI and Debian),
# it falls back to Debian's rustc-web plus a wasm32 std built once with build-std.
# See ../shared/notes/wasm-toolchain.md for the recipe this follows.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-native}
mkdir -p target
envfile=target/toolchain.env
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] FAILED:\033[0m %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }
export PATH="$HOME/.cargo/bin:$PATH"

apt_updated=
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
  if [ -z "$apt_updated" ]; then log "apt-get update"; as_root apt-get update -qq >/dev/null; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---- Rust (native) -----------------------------------------------------------
if ! command -v cargo >/dev/null; then
  apt_install rustc-web cargo-web gcc libc6-dev
fi
toolchain=""   # empty: whatever `cargo` resolves to by default

has_wasm_std() {  # $1: optional RUSTUP_TOOLCHAIN value
  local sysroot
  sysroot=$(RUSTUP_TOOLCHAIN=${1:-${RUSTUP_TOOLCHAIN:-}} rustc --print sysroot 2>/dev/null) || return 1
  [ -n "$sysroot" ] && compgen -G "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib" >/dev/null
}

build_debian_wasm_std() {
  # rust-web-llvm's /usr/bin/rust-lld is a symlink to lld-22.
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22 gcc libc6-dev
  if ! compgen -G "/usr/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib" >/dev/null; then
    log "building the wasm32 standard library once with build-std (about a minute)"
    local tmp; tmp=$(mktemp -d)
    printf '[package]\nname="sysb"\nversion="0.1.0"\nedition="2021"\n[lib]\npath="lib.rs"\n' >"$tmp/Cargo.toml"
    echo '#[test] fn t() {}' >"$tmp/lib.rs"
    (cd "$tmp" && RUSTUP_TOOLCHAIN= RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTFLAGS="-Cembed-bitcode=yes" \
      /usr/bin/cargo test --release --no-run -q \
      -Z build-std=std,panic_abort,test --target wasm32-unknown-unknown) || die "build-std of the wasm32 std failed"
    as_root mkdir -p /usr/lib/rustlib/wasm32-unknown-unknown/lib
    for f in "$tmp"/target/wasm32-unknown-unknown/release/deps/*.rlib; do
      case $(basename "$f") in libsysb*) ;; *) as_root cp "$f" /usr/lib/rustlib/wasm32-unknown-unknown/lib/ ;; esac
    done
    rm -rf "$tmp"
  fi
  if command -v rustup >/dev/null; then
    rustup toolchain list 2>/dev/null | grep -q '^system' || rustup toolchain link system /usr
  fi
}

if [ "$want" != native ]; then
  if [ -n "${COUPON_ENGINE_FORCE_DEBIAN_TOOLCHAIN:-}" ]; then
    # Rehearses what a machine without access to the Rust project's servers does.
    log "forced: Debian's rustc-web with a self-built wasm32 std"
    build_debian_wasm_std
    toolchain=system
  elif has_wasm_std ""; then
    log "default Rust toolchain already has the wasm32 target"
  elif has_wasm_std system; then
    toolchain=system
  else
    log "trying: rustup target add wasm32-unknown-unknown (30 s timeout)"
    if command -v rustup >/dev/null && timeout 30 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 && has_wasm_std ""; then
      log "wasm32 target added through rustup"
    else
      log "rustup cannot reach its servers here; using Debian's rustc-web with a self-built wasm32 std"
      build_debian_wasm_std
      has_wasm_std system || die "no wasm32 std in Debian's toolchain after set-up"
      toolchain=system
    fi
  fi
fi
# The release module rebuilds the standard library for size (-Z build-std with
# optimize_for_size, panic=immediate-abort; see scripts/build-pkg.sh), which needs the
# standard library's sources: rustup's rust-src component, else Debian's rust-web-src
# for Debian's own rustc-web.
size_toolchain=""
has_std_src() {  # $1: optional RUSTUP_TOOLCHAIN value
  local sysroot
  sysroot=$(RUSTUP_TOOLCHAIN=${1:-${RUSTUP_TOOLCHAIN:-}} rustc --print sysroot 2>/dev/null) || return 1
  [ -f "$sysroot/lib/rustlib/src/rust/library/std/Cargo.toml" ]
}
if [ "$want" != native ]; then
  if has_std_src "$toolchain"; then
    size_toolchain=$toolchain
  elif [ -z "$toolchain" ] && command -v rustup >/dev/null && [ -z "${COUPON_ENGINE_FORCE_DEBIAN_TOOLCHAIN:-}" ] \
      && log "trying: rustup component add rust-src (30 s timeout)" \
      && timeout 30 rustup component add rust-src >/dev/null 2>&1 && has_std_src ""; then
    log "rust-src added through rustup"
  else
    log "using Debian's rustc-web and rust-web-src for the size-optimised release build"
    build_debian_wasm_std
    has_std_src system || die "no standard library sources in Debian's toolchain after set-up"
    size_toolchain=system
  fi
fi
{
  if [ -n "$toolchain" ]; then echo "export RUSTUP_TOOLCHAIN=$toolchain"; fi
  # Empty: the toolchain above. Read by scripts/build-pkg.sh.
  echo "export COUPON_ENGINE_SIZE_TOOLCHAIN=$size_toolchain"
} >"$envfile"
# shellcheck disable=SC1090
. "$envfile"
log "rust: $(rustc --version)"

# ---- wasm-bindgen-cli, wasm-pack, wasm-opt, Node ------------------------------
if [ "$want" != native ] && ! command -v node >/dev/null; then
  apt_install nodejs npm
fi
if [ "$want" != native ]; then
  # The CLI must match the wasm-bindgen crate exactly; wasm/Cargo.toml pins it.
  wb=$(sed -n 's/^wasm-bindgen *= *{ *version *= *"=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen *= *"=\([0-9.]*\)".*/\1/p' wasm/Cargo.toml | head -1)
  [ -n "$wb" ] || die "wasm/Cargo.toml must pin wasm-bindgen with =X.Y.Z"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
    log "cargo install wasm-bindgen-cli $wb (compiles from source, ~3 min)"
    # No --locked: one of its locked dependency versions is not served by the registry here.
    cargo install -q --force wasm-bindgen-cli --version "$wb"
  fi
  if ! command -v wasm-pack >/dev/null; then
    log "cargo install wasm-pack (compiles from source, ~2 min)"
    cargo install -q wasm-pack
  fi
  # JS tools come from package.json / package-lock.json: a current binaryen (Debian's
  # 108 breaks modules that use reference types), TypeScript, jose for the interop tests.
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    command -v npm >/dev/null || apt_install nodejs npm
    log "npm install from the lock file (binaryen, typescript, jose, playwright-core, miniflare/workerd, deno, vite)"
    # Not `npm ci`: the registry here serves only this platform's builds of deno, so the
    # lock file cannot list the other platforms' optional packages, and `npm ci` refuses
    # a lock that lacks them. `npm install --no-save` still installs the locked versions.
    npm install --no-save --no-audit --no-fund --loglevel=error \
      || die "npm install failed (see the npm errors above)"
  fi
  log "wasm-bindgen: $(wasm-bindgen --version); wasm-pack: $(wasm-pack --version)"
fi

# ---- Chromium for the headless browser tests ----------------------------------
if [ "$want" = browser ]; then
  if ! command -v chromedriver >/dev/null || ! { command -v chromium >/dev/null || command -v google-chrome >/dev/null; }; then
    apt_install chromium chromium-driver
  fi
  log "browser: $( (chromium --version || google-chrome --version) 2>/dev/null | head -1)"
fi
log "ready ($want)"
