#!/usr/bin/env bash
# Admin UI tests in real headless Chromium (Debian's chromium and chromium-driver, driven by
# Selenium from PyPI in a virtual environment of its own) against a real pvdifyd on 127.0.0.1,
# without Caddy, and without Podman unless PVDIFY_PODMAN_SOCKET names a running socket. Bounded: the browser tests stop after MAX_TIME seconds. Screenshots go
# to test-artifacts/ui/. Uses the debug build already made (`swift build`); exits non-zero on any
# failure or browser console error.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_TIME=${MAX_TIME:-300}
state=${PVDIFY_TEST_STATE:-/var/lib/pvdify-test}
bin=${PVDIFYD_BIN:-.build/debug/pvdifyd}
[ -x "$bin" ] || { echo "test-ui: build pvdifyd first (swift build)" >&2; exit 1; }
command -v chromium >/dev/null && command -v chromedriver >/dev/null \
    || { echo "test-ui: chromium and chromium-driver are needed (hack/install-deps.sh installs them)" >&2; exit 1; }

venv=$state/selenium-venv
if ! "$venv/bin/python" -c 'import selenium, sys; sys.exit(0 if selenium.__version__.startswith("4.") else 1)' 2>/dev/null; then
    mkdir -p "$state"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install --quiet 'selenium>=4,<5'
fi

work=$(mktemp -d)
pid=
# With a Podman socket (hack/test.sh exports one) and the test registry, pvdifyd runs real
# containers, and one more test deploys, scales and rolls back an app of its own.
podman_args=(--podman-socket off)
container_app=
if [ -S "${PVDIFY_PODMAN_SOCKET:-}" ] && curl -fs -o /dev/null --max-time 2 "http://${PVDIFY_TEST_REGISTRY:-127.0.0.1:5000}/v2/"; then
    podman_args=(--podman-socket "$PVDIFY_PODMAN_SOCKET" --insecure-registry "${PVDIFY_TEST_REGISTRY:-127.0.0.1:5000}" --resync-interval 2s)
    container_app="ui-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
fi
cleanup() {
    # The test app's containers go with the app, before pvdifyd stops.
    if [ -n "$container_app" ] && [ -n "$pid" ] && [ -n "${base:-}" ]; then
        curl -fs -o /dev/null -X DELETE -H "Authorization: Bearer $PVDIFY_BOOTSTRAP_TOKEN" "$base/api/v1/apps/$container_app" || true
        for _ in $(seq 60); do
            [ -z "$(podman --url "unix://$PVDIFY_PODMAN_SOCKET" ps -aq --filter "label=pvdify.app=$container_app")" ] && break
            sleep 0.5
        done
    fi
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PVDIFY_BOOTSTRAP_TOKEN="pvd_ui_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The request limit is raised: the rollout test reloads the app page (five API reads) every 2 s.
"$bin" --listen "127.0.0.1:$port" --data-dir "$work/data" --caddy-admin off --rate-limit 2000 "${podman_args[@]}" \
    >"$work/pvdifyd.log" 2>&1 &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fs "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs -o /dev/null -H "Authorization: Bearer $PVDIFY_BOOTSTRAP_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"shop"}' "$base/api/v1/apps"

rm -rf test-artifacts/ui
PVDIFY_URL=$base PVDIFY_TOKEN=$PVDIFY_BOOTSTRAP_TOKEN APP=shop ARTIFACTS=test-artifacts/ui CONTAINER_APP=$container_app \
    timeout "$MAX_TIME" "$venv/bin/python" hack/ui-browser-tests.py
