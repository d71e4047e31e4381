#!/usr/bin/env bash
# Benchmarks routing, in one run, on 127.0.0.1 only: requests/s and p99 through Caddy against the
# same container hit directly, and the time from a release turning healthy (its upstreams
# published) to Caddy serving it. Needs hack/install-deps.sh and hack/test-image.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8}
command -v wrk >/dev/null || { echo "wrk is needed (hack/install-deps.sh installs it)" >&2; exit 1; }
hack/test-image.sh >/dev/null
swift build -c release --product pvdifyd >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
    [ -n "${api:-}" ] && curl -s -X DELETE "${h[@]}" "$api/apps/bench" >/dev/null 2>&1 && sleep 3
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

podman system service --time=0 "unix://$work/podman.sock" >/dev/null 2>&1 & pids+=($!)
admin=21619 http=21680
cat >"$work/caddy.json" <<JSON
{"admin":{"listen":"127.0.0.1:$admin"},"apps":{"pki":{"certificate_authorities":{"local":{"install_trust":false}}}}}
JSON
XDG_DATA_HOME=$work/caddy XDG_CONFIG_HOME=$work/caddy caddy run --config "$work/caddy.json" >"$work/caddy.log" 2>&1 & pids+=($!)
token="pvd_bench_$(date +%s%N)"
PVDIFY_BOOTSTRAP_TOKEN=$token .build/release/pvdifyd --listen 127.0.0.1:21612 --data-dir "$work/data" \
    --podman-socket "$work/podman.sock" --caddy-admin "http://127.0.0.1:$admin" --proxy-http-port $http \
    --tls off --base-domain bench.test --insecure-registry 127.0.0.1:5000 --rate-limit 100000000 \
    >"$work/pvdifyd.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -fs http://127.0.0.1:21612/health >/dev/null 2>&1 && break; sleep 0.1; done

api=http://127.0.0.1:21612/api/v1
h=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
curl -fs "${h[@]}" -d '{"name":"bench"}' "$api/apps" >/dev/null
curl -fs "${h[@]}" -X PATCH -d '{"healthcheck":{"path":"/health","interval":"5s"}}' "$api/apps/bench" >/dev/null
curl -fs "${h[@]}" -d '{"image":"127.0.0.1:5000/pvdify-test:v1"}' "$api/apps/bench/releases" >/dev/null
for _ in $(seq 300); do
    up=$(curl -fs "${h[@]}" "$api/apps/bench" | field 'd["upstreams"][0] if d["upstreams"] else ""')
    [ -n "$up" ] && curl -fs -H "Host: bench.bench.test" "http://127.0.0.1:$http/" >/dev/null 2>&1 && break
    sleep 0.1
done

row() { # name url host
    local out
    out=$(wrk -t2 -c8 -d"${DURATION}s" --latency -H "Host: $3" "$2" | awk '/Requests\/sec/ {rps=$2} /99%/ {p99=$2} END {print "rps=" rps " p99=" p99}')
    printf "%-28s %s\n" "$1" "$out"
}
echo "# routing benchmark: ${DURATION}s per row, wrk -t2 -c8, 127.0.0.1"
row "container, direct" "http://$up/" "$up"
row "through Caddy" "http://127.0.0.1:$http/" "bench.bench.test"

# Healthy -> served: the moment the new upstreams are published (polled from the API) vs the first
# answer from v2 through Caddy (polled separately), both every 5 ms.
curl -fs "${h[@]}" -d '{"image":"127.0.0.1:5000/pvdify-test:v2"}' "$api/apps/bench/releases" >/dev/null
python3 - "$api" "$token" "$http" "$up" <<'PY'
import json, sys, threading, time, urllib.request
api, token, port, old = sys.argv[1:5]
times = {}
def published():
    while "published" not in times:
        req = urllib.request.Request(f"{api}/apps/bench", headers={"Authorization": f"Bearer {token}"})
        ups = json.load(urllib.request.urlopen(req))["upstreams"]
        if ups and ups[0] != old: times["published"] = time.time()
        time.sleep(0.005)
def served():
    while "served" not in times:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "bench.bench.test"})
        try:
            if b"version: 2" in urllib.request.urlopen(req, timeout=2).read(): times["served"] = time.time()
        except Exception:
            pass
        time.sleep(0.005)
threads = [threading.Thread(target=published), threading.Thread(target=served)]
for t in threads: t.start()
for t in threads: t.join(timeout=120)
print("release healthy (upstreams published) -> served by Caddy: %.0f ms" % ((times["served"] - times["published"]) * 1000))
PY
