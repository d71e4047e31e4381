#!/usr/bin/env bash
# Measures the API's connection guards, on 127.0.0.1 only, bounded (about 20 s): /health latency
# from a normal client before and while 1,000 idle connections (8 loopback addresses x 125) are
# held open, how many connections one address gets past its cap, and how long a slowloris (one
# header byte a second) lives with the default 10 s header timeout.
#   PVDIFYD=path/to/pvdifyd (default: a release build, made here)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PVDIFYD:-}" ]; then
    swift build -c release --product pvdifyd >/dev/null
    PVDIFYD=.build/release/pvdifyd
fi
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
ulimit -n 8192 2>/dev/null || true
"$PVDIFYD" --listen 127.0.0.1:21712 --data-dir "$work/data" --podman-socket off --caddy-admin off \
    --rate-limit 100000000 >"$work/pvdifyd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs http://127.0.0.1:21712/health >/dev/null 2>&1 && break; sleep 0.1; done

python3 - <<'PY'
import socket, statistics, time

PORT = 21712

def connect(source):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", PORT))
    return s

def health_latencies(count=200):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        s = connect("127.0.0.2")
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        assert data.startswith(b"HTTP/1.1 200"), data[:40]
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]

def closed(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionError:
        return True

p50, p99 = health_latencies()
print(f"/health, no load:                      p50 {p50:.2f} ms, p99 {p99:.2f} ms")
idle = [connect(f"127.0.0.{10 + i // 125}") for i in range(1000)]
p50, p99 = health_latencies()
print(f"/health, 1,000 idle connections held:  p50 {p50:.2f} ms, p99 {p99:.2f} ms")
one = [connect("127.0.0.3") for _ in range(200)]
time.sleep(1)
refused = sum(closed(s, 0.01) for s in one)
print(f"one address opening 200 connections:   {200 - refused} kept, {refused} closed (cap 128)")
for s in idle + one:
    s.close()

slow = [connect("127.0.0.4") for _ in range(20)]
for s in slow:
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
start = time.time()
alive = list(slow)
cut = []
while alive and time.time() - start < 15:
    for s in list(alive):
        try:
            s.send(b"X")
        except OSError:
            alive.remove(s); cut.append(time.time() - start); continue
        if closed(s, 0.01):
            alive.remove(s); cut.append(time.time() - start)
    time.sleep(1)
print(f"slowloris, 20 connections at 1 byte/s: {len(cut)} cut, after {min(cut):.1f}-{max(cut):.1f} s" if cut else "slowloris: none cut")
PY
