#!/usr/bin/env bash
# Measures one large POST /apply and what it does to other writers, on 127.0.0.1 only: the time
# to apply N new App documents (DOCUMENTS, default 500, the cap) and to apply them again unchanged,
# and the worst latency of
# PATCH /config requests sent one after another on another app while the apply runs. Bounded: one
# apply, and the PATCH loop stops when it ends. Uses the debug build (BUILD=release for release).
set -euo pipefail
cd "$(dirname "$0")/.."
DOCUMENTS=${DOCUMENTS:-500}
BUILD=${BUILD:-debug}
[ "$BUILD" = debug ] || swift build -c "$BUILD" --product pvdifyd >/dev/null
bin=.build/$BUILD/pvdifyd
[ -x "$bin" ] || { echo "build pvdifyd first (swift build)" >&2; exit 1; }
work=$(mktemp -d)
daemon=
cleanup() { [ -n "$daemon" ] && kill "$daemon" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$((20000 + RANDOM % 2000))
token="pvd_bench_$(date +%s%N)"
PVDIFY_BOOTSTRAP_TOKEN=$token "$bin" --listen "127.0.0.1:$port" --data-dir "$work/data" --caddy-admin off \
    --podman-socket off --rate-limit 100000000 >"$work/pvdifyd.log" 2>&1 &
daemon=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$port" "$token" "$DOCUMENTS" <<'PY'
import json, sys, threading, time, urllib.request, urllib.error
port, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = f"http://127.0.0.1:{port}/api/v1"

def call(method, path, body, content_type="application/json"):
    request = urllib.request.Request(base + path, data=body, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=300) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()

call("POST", "/apps", b'{"name":"probe"}')
# Up to 2,000 documents each with an image, config and a domain; more (only to show the cap) as
# bare documents, so the body stays under the 1 MiB limit.
def document(i):
    head = f"---\napiVersion: pvdify.win/v1\nkind: App\nmetadata: {{name: b{i}}}\n"
    if count > 2000: return head
    return head + f"spec:\n  image: 127.0.0.1:5000/bench:v1\n  config: {{INDEX: \"{i}\"}}\n  domains: [b{i}.example.com]\n"
documents = "".join(document(i) for i in range(count))

done = threading.Event()
latencies = []
def patch_loop():
    n = 0
    while not done.is_set():
        n += 1
        started = time.monotonic()
        status, _ = call("PATCH", "/apps/probe/config", json.dumps({"vars": {"N": str(n)}}).encode())
        latencies.append(time.monotonic() - started)
        if status != 200: print(f"PATCH answered {status}", file=sys.stderr)
        time.sleep(0.01)
# Twice: the first apply creates every app, the second finds them unchanged (a GitOps resync).
for label in ("create", "unchanged"):
    done.clear()
    latencies.clear()
    worker = threading.Thread(target=patch_loop)
    worker.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, body = call("POST", "/apply", documents.encode(), "application/yaml")
    elapsed = time.monotonic() - started
    time.sleep(0.3)
    done.set()
    worker.join()
    answer = "ok" if status == 200 else body.decode()[:200]
    print(f"{label}: documents={count} apply_status={status} apply_s={elapsed:.2f} "
          f"patches={len(latencies)} patch_worst_ms={max(latencies) * 1000:.0f} ({answer})")
    if status != 200: break
PY
