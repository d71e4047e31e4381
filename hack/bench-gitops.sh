#!/usr/bin/env bash
# GitOps benchmark, on 127.0.0.1 only: a file:// repository of APPS apps (one file each), a
# release pvdifyd without Podman or Caddy, and one source on it (polling once an hour, so only
# the webhook explains a sync). Prints:
#   1. the time from a signed webhook POST, for a commit that changes every app's image, until
#      GET /api/v1/apps shows every app with that image (ROUNDS commits); target: within 2 s;
#   2. the time of a poll that finds no change (the source reconciler's passes, from /metrics,
#      with the interval set to 1s for POLL_SECONDS);
#   3. the git commands such a poll runs (pvdify_git_runs_total); target: one ls-remote, no fetch.
# Bounded: every wait has a deadline, and everything started here is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export APPS=${APPS:-100} ROUNDS=${ROUNDS:-5} POLL_SECONDS=${POLL_SECONDS:-8}

swift build -c release --product pvdifyd >/dev/null
bin=$PWD/.build/release
work=$(mktemp -d)
daemon=
cleanup() { if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git init --quiet --bare --initial-branch=main "$work/remote.git"
git init --quiet --initial-branch=main "$work/work"
git -C "$work/work" config user.email bench@example.com
git -C "$work/work" config user.name bench

# A port the kernel has free right now (outside the 10000-19999 pvdifyd gives containers).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PVDIFY_BOOTSTRAP_TOKEN="pvd_bench_$(date +%s%N)"
"$bin/pvdifyd" --listen "127.0.0.1:$port" --data-dir "$work/data" --caddy-admin off --podman-socket off \
    --rate-limit 100000000 --resync-interval 1h --git-protocols file >"$work/pvdifyd.log" 2>&1 &
daemon=$!

WORK=$work URL="http://127.0.0.1:$port" TOKEN=$PVDIFY_BOOTSTRAP_TOKEN DAEMON_PID=$daemon python3 - <<'PY'
import collections, hashlib, hmac, json, os, re, shutil, signal, statistics, subprocess, sys, time, urllib.error, urllib.request, uuid

work, url, token = os.environ["WORK"], os.environ["URL"], os.environ["TOKEN"]
apps, rounds, poll_seconds = int(os.environ["APPS"]), int(os.environ["ROUNDS"]), int(os.environ["POLL_SECONDS"])
secret = uuid.uuid4().hex
repo = os.path.join(work, "work")

def call(method, path, body=None, headers=None, auth=True, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers or {})
    if auth: request.add_header("Authorization", "Bearer " + token)
    if data is not None and "Content-Type" not in (headers or {}): request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()

def wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition(): return
        time.sleep(0.01)
    sys.exit(f"bench-gitops: {what} did not happen within {seconds} s")

def commit(tag):
    os.makedirs(os.path.join(repo, "apps"), exist_ok=True)
    for i in range(apps):
        with open(os.path.join(repo, "apps", f"app{i:03}.yaml"), "w") as file:
            file.write(f"apiVersion: pvdify.win/v1\nkind: App\nmetadata: {{name: bench-{i:03}}}\n"
                       f"spec:\n  image: 127.0.0.1:5000/pvdify-test:{tag}\n  processes:\n    web: {{count: 1}}\n")
    git = lambda *args: subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True)
    git("add", "-A"); git("commit", "--quiet", "-m", tag); git("push", "--quiet", os.path.join(work, "remote.git"), "HEAD:main")
    return subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()

def images():
    status, body = call("GET", "/api/v1/apps")
    return [app.get("image") for app in json.loads(body)["apps"]] if status == 200 else []

def source():
    return json.loads(call("GET", "/api/v1/sources/bench")[1])

def metrics():
    text = call("GET", "/metrics")[1].decode()
    found = {}
    for name, value in re.findall(r'^(pvdify_git_runs_total\{command="[a-z-]+"\}|pvdify_reconcile_duration_seconds_(?:sum|count)\{reconciler="sources"\}) (\S+)$', text, re.M):
        key = re.search(r'command="([a-z-]+)"', name)
        found[key.group(1) if key else name.split("{")[0].rsplit("_", 1)[1]] = float(value)
    return found

wait(lambda: call("GET", "/health", auth=False)[0] == 200, 20, "pvdifyd answering")
first = commit("r0")
status, body = call("POST", "/api/v1/sources", {"name": "bench", "url": "file://" + os.path.join(work, "remote.git"), "path": "apps", "interval": "1h"})
assert status == 201, body
assert call("POST", "/api/v1/sources/bench/credentials", {"webhook_secret": secret})[0] == 200
wait(lambda: images().count("127.0.0.1:5000/pvdify-test:r0") == apps, 60, f"the first sync of {apps} apps")

# 1. Webhook to every spec applied.
times = []
for round in range(1, rounds + 1):
    tag = f"r{round}"
    sha = commit(tag)
    payload = json.dumps({"ref": "refs/heads/main", "after": sha}).encode()
    signature = "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
               "X-Hub-Signature-256": signature}
    started = time.monotonic()
    status, body = call("POST", "/api/v1/sources/bench/webhook", headers=headers, auth=False, raw=payload)
    assert status == 202, (status, body)
    wait(lambda: images().count(f"127.0.0.1:5000/pvdify-test:{tag}") == apps, 30, f"round {round}: {apps} apps applied")
    times.append((time.monotonic() - started) * 1000)
    assert source()["status"]["last_applied_revision"] == sha
worst = max(times)
print(f"webhook -> all {apps} apps applied ({rounds} commits, each changing every app's image):")
print(f"  median {statistics.median(times):.0f} ms, worst {worst:.0f} ms   target: within 2000 ms -> {'met' if worst <= 2000 else 'NOT met'}")

# 2 and 3. Polls that find no change: the interval drops to 1s (a spec change, which syncs once),
# then the polls of POLL_SECONDS are measured.
# With the resync at 1h, every pass of the source reconciler is one poll. Snapshots are taken just
# after a poll has ended, so that none is counted half.
def after_next_poll():
    last = source()["status"]["last_sync_at"]
    wait(lambda: source()["status"]["last_sync_at"] != last, 20, "a poll")
    time.sleep(0.1)
    return metrics()

assert call("PATCH", "/api/v1/sources/bench", {"interval": "1s"})[0] == 200
after_next_poll()  # the sync the spec change asks for
start = after_next_poll()
time.sleep(max(0, poll_seconds - 1))
end = after_next_poll()
delta = {key: end.get(key, 0) - start.get(key, 0) for key in set(start) | set(end)}
polls = int(delta.get("count", 0))
if polls == 0:
    sys.exit("bench-gitops: no poll happened")
per_poll = delta.get("ls-remote", 0) / polls
others = {key: int(value) for key, value in delta.items() if key not in ("ls-remote", "sum", "count") and value}
print(f"a poll that finds no change ({polls} polls, interval 1s):")
print(f"  {delta['sum'] / polls * 1000:.1f} ms each (mean duration of the source reconciler's passes)")
print(f"  git commands per poll: {per_poll:.2f} ls-remote; other commands in all: {others or 'none'}")
print(f"  target: one ls-remote and no fetch -> {'met' if per_poll == 1 and not others else 'NOT met'}")

# The processes themselves, seen from outside with strace (if installed): git and whatever it
# starts (for file://, git-upload-pack), per poll.
if shutil.which("strace"):
    trace = os.path.join(work, "execve.trace")
    start = after_next_poll()  # the next poll is a second away: strace is attached by then
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=execve", "-o", trace, "-p", os.environ["DAEMON_PID"]],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(max(0, poll_seconds - 1))
    end = after_next_poll()
    tracer.send_signal(signal.SIGINT)
    tracer.wait(timeout=10)
    polls = int(end.get("count", 0) - start.get("count", 0))
    programs = collections.Counter()
    with open(trace) as file:
        for line in file:
            found = re.search(r'execve\("([^"]+)".*= 0$', line.strip())
            if found: programs[os.path.basename(found.group(1))] += 1
    if polls:
        listed = ", ".join(f"{name} {count / polls:.2f}" for name, count in sorted(programs.items()))
        print(f"  processes per poll (strace, {polls} polls): {listed or 'none'}")
PY
