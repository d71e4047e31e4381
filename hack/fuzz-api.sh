#!/usr/bin/env bash
# API fuzz (CI): runs schemathesis against a real pvdifyd with every check on: server errors,
# response schema, status codes, content types, headers, negative data rejection, positive data
# acceptance, and the stateful create -> get flows the spec's `links` describe. pvdifyd runs
# without Podman and Caddy, on 127.0.0.1, with its own data directory and a known token.
# Bounded: MAX_EXAMPLES per operation and MAX_TIME seconds (about 4 minutes in all on 2 cores).
# Uses the debug build already made (`swift build`); exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
MAX_TIME=${MAX_TIME:-200}
state=${PVDIFY_TEST_STATE:-/var/lib/pvdify-test}
bin=${PVDIFYD_BIN:-.build/debug/pvdifyd}
[ -x "$bin" ] || { echo "fuzz-api: build pvdifyd first (swift build)" >&2; exit 1; }

# schemathesis 4.x from PyPI, in a virtual environment of its own.
venv=$state/schemathesis-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q 'version 4\.'; then
    mkdir -p "$state"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install --quiet 'schemathesis>=4,<5'
fi
# Python 3.11's ast.parse can fail with "AST constructor recursion depth mismatch" (fixed in 3.12)
# when Hypothesis describes a lambda for a repr; the description then falls back to "lambda".
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cat >"$site/pvdify_lambda_description.py" <<'PY'
import sys
if sys.version_info < (3, 12):
    try:
        from hypothesis.internal import lambda_sources
        _describe = lambda_sources.lambda_description
        def _described(f):
            try:
                return _describe(f)
            except SystemError:
                return "lambda"
        lambda_sources.lambda_description = _described
    except ImportError:
        pass
PY
echo "import pvdify_lambda_description" >"$site/pvdify_lambda_description.pth"

work=$(mktemp -d)
daemon=
cleanup() { [ -n "$daemon" ] && kill "$daemon" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$((28000 + RANDOM % 1000))
token="pvd_fuzz_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
# The GitHub OIDC issuer is a closed loopback port: a fuzzed JWT never sends pvdifyd off this machine.
PVDIFY_BOOTSTRAP_TOKEN=$token "$bin" --listen "127.0.0.1:$port" --data-dir "$work/data" --podman-socket off \
    --caddy-admin off --rate-limit 100000000 --git-protocols file --github-oidc-issuer http://127.0.0.1:9 >"$work/pvdifyd.log" 2>&1 &
daemon=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
# The spec's example app, so requests built from the examples reach a real app.
curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"name":"myapp"}' \
    "http://127.0.0.1:$port/api/v1/apps" >/dev/null

# Sources the fuzzer makes (through /sources or /apply) may name any URL: git may only read local
# repositories here (--git-protocols file), so nothing leaves the machine.
export PVDIFY_FUZZ_TOKEN=$token
echo "fuzz-api: schemathesis against pvdifyd on 127.0.0.1:$port (at most $MAX_EXAMPLES examples per operation, ${MAX_TIME}s)"
# Two runs, so each has its share of the time: first sequences that follow the spec's links
# (create -> get; first, while the names they create are still free), then requests one
# operation at a time (examples, boundary values, random data).
status=0
for phases in stateful examples,coverage,fuzzing; do
    "$venv/bin/schemathesis" --no-color --config-file hack/schemathesis.toml run manifests/openapi.yaml \
        --url "http://127.0.0.1:$port" --phases "$phases" --checks all --workers 2 --max-examples "$MAX_EXAMPLES" \
        --max-time "$((MAX_TIME / 2))" --request-timeout 10 --seed 1 --generation-database none || status=$?
done
if [ "$status" -ne 0 ]; then
    echo "fuzz-api: failures (pvdifyd log follows)" >&2
    tail -n 50 "$work/pvdifyd.log" >&2
fi
exit "$status"
