#!/usr/bin/env bash
# Benchmarks pvdifyd's log store (release build, 127.0.0.1 only, bounded):
#  1. lines/s several chatty writers append, kept on disk, against the same store in memory only
#     (the baseline, same run) - Benchmarks/LogStoreBench;
#  2. the time to serve GET /api/v1/apps/{name}/logs?lines=10000 from a real pvdifyd: the first
#     request after a restart (read from disk) and the median of 20 more, beside ?lines=100.
# WRITERS, APPS and LINES (per writer) size part 1.
set -euo pipefail
cd "$(dirname "$0")/.."
WRITERS=${WRITERS:-8}
APPS=${APPS:-4}
LINES=${LINES:-50000}

swift build -c release --product pvdifyd >/dev/null
swift build -c release --product LogStoreBench >/dev/null
bin=.build/release
work=$(mktemp -d)
daemon=
cleanup() { [ -n "$daemon" ] && kill "$daemon" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin/LogStoreBench" "$WRITERS" "$APPS" "$LINES"

port=$((20000 + RANDOM % 5000))
export PVDIFY_BOOTSTRAP_TOKEN="pvd_bench_$(date +%s%N)"
auth=(-H "Authorization: Bearer $PVDIFY_BOOTSTRAP_TOKEN")
api=http://127.0.0.1:$port/api/v1
start() {
    "$bin/pvdifyd" --listen 127.0.0.1:$port --data-dir "$work/data" --caddy-admin off --podman-socket off \
        --rate-limit 100000000 >>"$work/pvdifyd.log" 2>&1 &
    daemon=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "pvdifyd did not start" >&2; cat "$work/pvdifyd.log" >&2; exit 1
}
stop() { kill "$daemon"; wait "$daemon" || true; daemon=; }

start
curl -fs "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"bench"}' "$api/apps" >/dev/null
stop
# 10,000 lines of about 100 bytes, in the store's own format, as a container would have left them.
awk 'BEGIN { for (i = 1; i <= 10000; i++) printf "%d\tpvdify-bench-web-1-abc\tweb.1\tGET /items/%d 200 0.8ms %s\n", 1767261600000000 + i * 1000, i, "ua=curl/7.88 ref=- bytes=1234 upstream=127.0.0.1:10001" }' \
    >"$work/data/logs/bench/0000000000000001.log"
chmod 600 "$work/data/logs/bench/0000000000000001.log"
start
time_get() { curl -fs -o /dev/null -w '%{time_total}\n' "${auth[@]}" "$1"; }
cold=$(time_get "$api/apps/bench/logs?lines=10000")
count=$(curl -fs "${auth[@]}" "$api/apps/bench/logs?lines=10000" | grep -o '"message"' | wc -l)
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }'; }
warm=$(for _ in $(seq 20); do time_get "$api/apps/bench/logs?lines=10000"; done | median)
small=$(for _ in $(seq 20); do time_get "$api/apps/bench/logs?lines=100"; done | median)
bytes=$(curl -fs "${auth[@]}" "$api/apps/bench/logs?lines=10000" | wc -c)
echo "GET /logs on a real pvdifyd (release build), one app with $count lines kept:"
awk -v t="$cold" 'BEGIN { printf "  ?lines=10000, first request after a restart (read from disk): %.1f ms\n", t * 1000 }'
echo "  ?lines=10000, median of 20: $warm ms ($bytes bytes of JSON)"
echo "  ?lines=100, median of 20 (baseline): $small ms"
