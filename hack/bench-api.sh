#!/usr/bin/env bash
# Benchmarks the REST API against a bare Hummingbird route, in one run, on 127.0.0.1 only:
# requests/s (wrk, open loop) and p50/p99 at a fixed 500 req/s for GET /api/v1/apps/{name} and
# PATCH /config, and pvdifyd's resident memory with 100 apps. Bounded: every load runs DURATION s.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
command -v wrk >/dev/null || { echo "wrk is needed (hack/install-deps.sh installs it)" >&2; exit 1; }

swift build -c release --product pvdifyd >/dev/null
swift build -c release --product BareRoute >/dev/null
bin=.build/release
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_http() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

run() { # name url method rate -> prints a row
  local name=$1 url=$2 method=$3 rate=$4
  local out
  out=$(METHOD=$method RATE=$rate CONNECTIONS=10 TOKEN=${TOKEN:-none} wrk -t2 -c10 -d"${DURATION}s" -s hack/api-load.lua "$url" | grep RESULT)
  printf "%-34s %-10s %s\n" "$name" "${rate:-max}" "${out#RESULT }"
}

"$bin/BareRoute" 9611 >/dev/null 2>&1 & pids+=($!)
export PVDIFY_BOOTSTRAP_TOKEN="pvd_bench_$(date +%s%N)"
TOKEN=$PVDIFY_BOOTSTRAP_TOKEN
"$bin/pvdifyd" --listen 127.0.0.1:9612 --data-dir "$work/data" --caddy-admin off --podman-socket off --rate-limit 100000000 >"$work/pvdifyd.log" 2>&1 & pids+=($!)
daemon=$!
wait_http http://127.0.0.1:9611/api/v1/apps/bench
wait_http http://127.0.0.1:9612/health
api=http://127.0.0.1:9612/api/v1
h=(-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json")
curl -fs "${h[@]}" -d '{"name":"bench"}' "$api/apps" >/dev/null

echo "# pvdify API benchmark: ${DURATION}s per row, wrk -t2 -c10, 127.0.0.1"
printf "%-34s %-10s %s\n" "endpoint" "rate" "result"
run "bare Hummingbird route"          http://127.0.0.1:9611/api/v1/apps/bench GET 0
run "pvdifyd GET /apps/{name}"        "$api/apps/bench" GET 0
run "pvdifyd PATCH /apps/{name}/config" "$api/apps/bench/config" PATCH 0
run "bare Hummingbird route"          http://127.0.0.1:9611/api/v1/apps/bench GET 500
run "pvdifyd GET /apps/{name}"        "$api/apps/bench" GET 500
run "pvdifyd PATCH /apps/{name}/config" "$api/apps/bench/config" PATCH 500

for i in $(seq 1 99); do
  curl -fs "${h[@]}" -d "{\"name\":\"app$i\"}" "$api/apps" >/dev/null
  curl -fs "${h[@]}" -X PATCH -d '{"vars":{"A":"1","B":"2"}}' "$api/apps/app$i/config" >/dev/null
done
curl -fs "${h[@]}" "$api/apps" >/dev/null
rss=$(awk '/VmRSS/ {print $2}' /proc/$daemon/status)
echo "pvdifyd resident memory with 100 apps: $((rss / 1024)) MB (target: under 60 MB)"
echo "targets: pvdifyd GET at least half the bare route's max rps; p99 under 10 ms at 500 req/s"
