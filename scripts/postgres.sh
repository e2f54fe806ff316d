#!/usr/bin/env bash
# Starts (once) a throwaway PostgreSQL cluster for the tests under target/pg, listening
# on 127.0.0.1 only, and prints its URL. Installs the server from Debian if missing.
# `scripts/postgres.sh stop` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${COUPON_ENGINE_PG_PORT:-54329}
dir=$PWD/target/pg
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
# initdb refuses to run as root: run the cluster as the postgres system user.
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${1:-start}" = stop ]; then
  [ -d "$dir/data" ] && run "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  exit 0
fi
mkdir -p "$dir"
# Tests running in parallel each ask for the cluster: one starts it, the others wait.
# The server it starts must not inherit the lock (9>&- below), or it would hold it.
exec 9>"$dir.lock"
flock 9
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  run "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
fi
if ! run "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  run "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200" start >/dev/null 9>&-
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
