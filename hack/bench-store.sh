#!/usr/bin/env bash
# The same API load on pvdifyd with its store in SQLite and in PostgreSQL (hack/postgres.sh's
# server, a new database), on 127.0.0.1 only: requests/s and p50/p99 of GET /api/v1/apps/{name}
# and PATCH /config (a write transaction each), as fast as 10 connections go. Bounded: every load
# runs DURATION s (default 10). CONFIG=release measures a release build (default: debug).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONFIG=${CONFIG:-debug}
command -v wrk >/dev/null || { echo "wrk is needed (hack/install-deps.sh installs it)" >&2; exit 1; }
swift build -c "$CONFIG" --product pvdifyd >/dev/null
bin=.build/$CONFIG/pvdifyd
server=$(hack/postgres.sh)
psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql
database=pvdify_bench_$(date +%s%N)
"$psql" "$server" -qc "CREATE DATABASE $database"
work=$(mktemp -d)
pid=
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
    "$psql" "$server" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

export TOKEN="pvd_bench_$(date +%s%N)"
measure() { # store-name database-url-or-sqlite
    local name=$1 url=$2 port=9631
    rm -rf "$work/data"
    PVDIFY_BOOTSTRAP_TOKEN=$TOKEN PVDIFY_DATABASE_URL=$url "$bin" --listen 127.0.0.1:$port --data-dir "$work/data" \
        --caddy-admin off --podman-socket off --rate-limit 100000000 >"$work/$name.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -fs http://127.0.0.1:$port/health >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
        http://127.0.0.1:$port/api/v1/apps >/dev/null
    for method in GET PATCH; do
        local path=/api/v1/apps/bench
        [[ $method == PATCH ]] && path=/api/v1/apps/bench/config
        printf "%-10s %-6s %s\n" "$name" "$method" \
            "$(METHOD=$method wrk -t2 -c10 -d"${DURATION}s" -s hack/api-load.lua "http://127.0.0.1:$port$path" | sed -n 's/^RESULT //p')"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
echo "store      method result ($CONFIG build, ${DURATION}s each, 10 connections)"
measure sqlite sqlite
measure postgres "${server%/*}/$database"
