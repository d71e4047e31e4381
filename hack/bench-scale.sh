#!/usr/bin/env bash
# What an idle pvdifyd costs with N apps (default 100), on real Podman, a real registry and Caddy,
# all on 127.0.0.1: applies N apps of one web container each, prints the time until every one
# answers through Caddy, then, over 60 s with nothing changing, the CPU seconds of pvdifyd and of
# the Podman API service (from /proc/PID/stat), the reconcile passes and Podman calls per minute
# (from /metrics), and pvdifyd's resident memory. Removes every container it made when it ends.
# Needs hack/install-deps.sh first. Heavy: N containers run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
IDLE=${IDLE:-60}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 500 ] || { echo "usage: $0 [N apps, 1..500]" >&2; exit 2; }
hack/test-image.sh >/dev/null
swift build -c release --product pvdifyd >/dev/null

work=$(mktemp -d)
pids=()
api=http://127.0.0.1:21712/api/v1
token="pvd_bench_$(date +%s%N)"
h=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
cleanup() {
    # Deleting the apps makes pvdifyd remove their containers; whatever is left goes by its label.
    if [ -n "${daemon:-}" ] && kill -0 "$daemon" 2>/dev/null; then
        for i in $(seq -f "%03g" 1 "$N"); do curl -s -X DELETE "${h[@]}" "$api/apps/scale$i" >/dev/null 2>&1 || true; done
        for _ in $(seq 60); do
            [ -z "$(podman --url "unix://$work/podman.sock" ps -aq --filter "label=pvdify.instance=$(cat "$work/data/instance-id" 2>/dev/null || echo none)")" ] && break
            sleep 1
        done
    fi
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -f "$work/data/instance-id" ]; then
        podman ps -aq --filter "label=pvdify.instance=$(cat "$work/data/instance-id")" | xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

podman system service --time=0 "unix://$work/podman.sock" >/dev/null 2>&1 & podman_service=$!; pids+=($podman_service)
admin=21719 http=21780
cat >"$work/caddy.json" <<JSON
{"admin":{"listen":"127.0.0.1:$admin"},"apps":{"pki":{"certificate_authorities":{"local":{"install_trust":false}}}}}
JSON
XDG_DATA_HOME=$work/caddy XDG_CONFIG_HOME=$work/caddy caddy run --config "$work/caddy.json" >"$work/caddy.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done
PVDIFY_BOOTSTRAP_TOKEN=$token .build/release/pvdifyd --listen 127.0.0.1:21712 --data-dir "$work/data" \
    --podman-socket "$work/podman.sock" --caddy-admin "http://127.0.0.1:$admin" --proxy-http-port $http \
    --tls off --base-domain bench.test --insecure-registry 127.0.0.1:5000 --rate-limit 100000000 \
    >"$work/pvdifyd.log" 2>&1 & daemon=$!; pids+=($daemon)
for _ in $(seq 100); do curl -fs http://127.0.0.1:21712/health >/dev/null 2>&1 && break; sleep 0.1; done

# N apps in one apply.
python3 - "$N" >"$work/apply.json" <<'PY'
import json, sys
n = int(sys.argv[1])
docs = [{"apiVersion": "pvdify.win/v1", "kind": "App", "metadata": {"name": "scale%03d" % i},
         "spec": {"image": "127.0.0.1:5000/pvdify-test:v1", "processes": {"web": {"count": 1}},
                  "healthcheck": {"path": "/health"}}} for i in range(1, n + 1)]
print(json.dumps({"documents": docs}))
PY
started=$(date +%s.%N)
curl -fs "${h[@]}" --data-binary @"$work/apply.json" "$api/apply" >/dev/null
python3 - "$N" "$http" <<'PY'
import sys, time, urllib.request
n, port = int(sys.argv[1]), sys.argv[2]
waiting = {"scale%03d" % i for i in range(1, n + 1)}
deadline = time.time() + 900
while waiting and time.time() < deadline:
    for app in sorted(waiting):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": f"{app}.bench.test"})
        try:
            if urllib.request.urlopen(req, timeout=2).status == 200: waiting.discard(app)
        except Exception:
            pass
    time.sleep(0.5)
if waiting: sys.exit(f"{len(waiting)} apps never served")
PY
served=$(date +%s.%N)
printf "apps: %d; applied to all served through Caddy: %.1f s\n" "$N" "$(echo "$served - $started" | bc)"

# Let the rollouts settle (drains, the routes' last pass), then measure an idle minute.
sleep 15
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
metrics() { curl -fs -H "Authorization: Bearer $token" http://127.0.0.1:21712/metrics; }
sum() { awk -v pat="$1" 'index($0, pat) == 1 {s += $NF} END {printf "%d", s}'; }
tick=$(getconf CLK_TCK)
m0=$(metrics); d0=$(cpu "$daemon"); p0=$(cpu "$podman_service")
sleep "$IDLE"
m1=$(metrics); d1=$(cpu "$daemon"); p1=$(cpu "$podman_service")
per_minute() { echo "scale=1; ($(sum "$1" <<<"$m1") - $(sum "$1" <<<"$m0")) * 60 / $IDLE" | bc; }
echo "idle ${IDLE} s, per minute:"
printf "  pvdifyd CPU:            %.2f s\n" "$(echo "($d1 - $d0) / $tick * 60 / $IDLE" | bc -l)"
printf "  Podman service CPU:     %.2f s\n" "$(echo "($p1 - $p0) / $tick * 60 / $IDLE" | bc -l)"
echo "  container passes:       $(per_minute 'pvdify_reconciles_total{reconciler="containers"')"
echo "  route passes:           $(per_minute 'pvdify_reconciles_total{reconciler="routes"')"
echo "  DNS passes:             $(per_minute 'pvdify_reconciles_total{reconciler="dns"')"
echo "  Podman calls:           $(per_minute 'pvdify_runtime_calls_total')"
echo "  pvdifyd RSS:            $(awk '/VmRSS/ {print $2 / 1024 " MB"}' "/proc/$daemon/status")"
