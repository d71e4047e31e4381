#!/usr/bin/env bash
# Log ingest from real chatty containers (release build, real Podman and the local registry, all on
# 127.0.0.1, bounded): APPS apps each run one container that prints LINES numbered lines as fast
# as it can. Prints the lines per second that reach pvdifyd's log store (from the first line the API
# shows to the last, every app's last line seen through the API), checks that each app's last
# 10,000 lines are exactly the last 10,000 written, in order, and times GET /logs?lines=10000.
# Target: at least 20,000 lines/s. Removes every container it made when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
APPS=${APPS:-4}
LINES=${LINES:-100000}
[[ $APPS =~ ^[0-9]+$ && $LINES =~ ^[0-9]+$ ]] && [ "$APPS" -ge 1 ] && [ "$APPS" -le 16 ] && [ "$LINES" -ge 10000 ] && [ "$LINES" -le 2000000 ] \
    || { echo "usage: APPS=1..16 LINES=10000..2000000 $0" >&2; exit 2; }
hack/test-image.sh >/dev/null
swift build -c release --product pvdifyd >/dev/null

work=$(mktemp -d)
pids=()
port=$((20000 + RANDOM % 5000))
api=http://127.0.0.1:$port/api/v1
token="pvd_bench_$(date +%s%N)"
h=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
cleanup() {
    if [ -n "${daemon:-}" ] && kill -0 "$daemon" 2>/dev/null; then
        for i in $(seq 1 "$APPS"); do curl -s -X DELETE "${h[@]}" "$api/apps/chatty$i" >/dev/null 2>&1 || true; done
        for _ in $(seq 60); do
            [ -z "$(podman ps -aq --filter "label=pvdify.instance=$(cat "$work/data/instance-id" 2>/dev/null || echo none)")" ] && break
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

podman system service --time=0 "unix://$work/podman.sock" >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done
PVDIFY_BOOTSTRAP_TOKEN=$token .build/release/pvdifyd --listen 127.0.0.1:$port --data-dir "$work/data" \
    --podman-socket "$work/podman.sock" --caddy-admin off --insecure-registry 127.0.0.1:5000 --rate-limit 100000000 \
    >"$work/pvdifyd.log" 2>&1 & daemon=$!; pids+=($daemon)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done

# Each container prints its lines at once, then idles (and stops on SIGTERM within a second).
python3 - "$APPS" "$LINES" >"$work/apply.json" <<'PY'
import json, sys
apps, lines = int(sys.argv[1]), int(sys.argv[2])
command = ("trap 'exit 0' TERM; awk 'BEGIN { for (i = 1; i <= %d; i++) print \"chatty line \" i \" of a container that talks a lot\" }'; "
           "while :; do sleep 1; done") % lines
docs = [{"apiVersion": "pvdify.win/v1", "kind": "App", "metadata": {"name": "chatty%d" % i},
         "spec": {"image": "127.0.0.1:5000/pvdify-test:v1",
                  "processes": {"web": {"count": 0}, "talk": {"command": command, "count": 1}}}} for i in range(1, apps + 1)]
print(json.dumps({"documents": docs}))
PY
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
d0=$(cpu "$daemon")
curl -fs "${h[@]}" --data-binary @"$work/apply.json" "$api/apply" >/dev/null

# Poll every app's last line until each shows its last number; time from the first line seen.
python3 - "$APPS" "$LINES" "$api" "$token" <<'PY'
import json, sys, time, urllib.request
apps, lines, api, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def get(path):
    req = urllib.request.Request(api + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req, timeout=10))
def last_number(app):
    try:
        entries = get("/apps/%s/logs?lines=1" % app).get("lines", [])
    except Exception:
        return 0
    words = entries[-1]["message"].split() if entries else []
    return int(words[2]) if len(words) > 2 and words[0] == "chatty" else 0
names = ["chatty%d" % i for i in range(1, apps + 1)]
seen = {name: 0 for name in names}
first = None
deadline = time.time() + 600
while time.time() < deadline and min(seen.values()) < lines:
    for name in names:
        if seen[name] < lines:
            seen[name] = last_number(name)
    if first is None and max(seen.values()) > 0:
        first = time.time()
    time.sleep(0.1)
done = time.time()
total = sum(seen.values())
if min(seen.values()) < lines:
    sys.exit("not every line arrived within 600 s: %s" % seen)
elapsed = max(done - first, 0.1)
rate = apps * lines / elapsed
print("%d containers x %d lines written; last line of each seen through the API" % (apps, lines))
print("  ingest: %.1f s from the first line shown to the last, %.0f lines/s (target 20,000: %s)"
      % (elapsed, rate, "met" if rate >= 20000 else "MISSED"))
# Every app keeps its last 10,000 lines: exactly the last 10,000 written, in order, once each.
for name in names:
    kept = [int(e["message"].split()[2]) for e in get("/apps/%s/logs?lines=10000" % name)["lines"] if e["message"].startswith("chatty line ")]
    expected = list(range(lines - len(kept) + 1, lines + 1))
    if kept != expected or len(kept) != 10000:
        sys.exit("%s: kept %d lines, not the last 10,000 in order (first %s, last %s)" % (name, len(kept), kept[:1], kept[-1:]))
print("  each app's last 10,000 lines are the last 10,000 written, in order, no duplicates")
PY
d1=$(cpu "$daemon")
printf "  pvdifyd CPU while ingesting (whole run): %.2f s\n" "$(echo "($d1 - $d0) / $(getconf CLK_TCK)" | bc -l)"
time_get() { curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$1"; }
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }'; }
echo "  GET /apps/chatty1/logs?lines=10000, median of 10: $(for _ in $(seq 10); do time_get "$api/apps/chatty1/logs?lines=10000"; done | median) ms"
