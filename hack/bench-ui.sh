#!/usr/bin/env bash
# Admin UI benchmark: the apps page with APPS apps (each with a release), rendered by a real
# pvdifyd on 127.0.0.1, ROUNDS times in a row for one signed-in browser. Prints the time to the
# first byte (the server's render time plus loopback) as median, p90 and max, and the page size.
# Target: under 20 ms for 100 apps (printed, not asserted). Uses the debug build unless
# PVDIFYD_BIN names another (a release build: `swift build -c release --product pvdifyd`).
set -euo pipefail
cd "$(dirname "$0")/.."
APPS=${APPS:-100}
ROUNDS=${ROUNDS:-50}
bin=${PVDIFYD_BIN:-.build/debug/pvdifyd}
[ -x "$bin" ] || { echo "bench-ui: build pvdifyd first (swift build)" >&2; exit 1; }
port=${PORT:-9613}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export PVDIFY_BOOTSTRAP_TOKEN="pvd_bench_$(date +%s%N)"
token=$PVDIFY_BOOTSTRAP_TOKEN
"$bin" --listen "127.0.0.1:$port" --data-dir "$work/data" --caddy-admin off --podman-socket off --rate-limit 100000000 \
    >"$work/pvdifyd.log" 2>&1 &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fs "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done

# One apply makes every app with an image and a domain: one deploy against the deploy limit.
for i in $(seq "$APPS"); do
    printf -- '---\napiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: bench-%d}\n' "$i"
    printf 'spec: {image: "127.0.0.1:5000/pvdify-test:v1", domains: [bench-%d.example.com]}\n' "$i"
done >"$work/apps.yaml"
curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/yaml' \
    --data-binary @"$work/apps.yaml" "$base/api/v1/apply" || { echo "bench-ui: the apply failed" >&2; exit 1; }

cookie=$(curl -fs -o /dev/null -D - --data-urlencode "token=$token" "$base/ui/login" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(pvdify_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "bench-ui: could not sign in" >&2; exit 1; }
rows=$(curl -fs -b "$cookie" "$base/ui/apps" | grep -c '<td><a href="/ui/apps/' || true)
[ "$rows" -eq "$APPS" ] || { echo "bench-ui: the apps page lists $rows apps, not $APPS" >&2; exit 1; }
for _ in $(seq 5); do curl -fs -o /dev/null -b "$cookie" "$base/ui/apps"; done

for _ in $(seq "$ROUNDS"); do
    curl -fs -o /dev/null -b "$cookie" -w '%{time_starttransfer} %{size_download}\n' "$base/ui/apps"
done | sort -n | awk -v apps="$APPS" -v bin="$bin" '
    { t[NR] = $1 * 1000; size = $2 }
    END {
        printf "apps page, %d apps (%s): median %.1f ms, p90 %.1f ms, max %.1f ms over %d renders; %d bytes (target: under 20 ms)\n",
            apps, bin, t[int((NR + 1) / 2)], t[int(NR * 0.9)], t[NR], NR, size
    }'
