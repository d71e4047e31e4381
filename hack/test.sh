#!/usr/bin/env bash
# The test command (README, CI): installs and starts what the tests need (Podman with its
# settings, the local registry with the test images, a Podman API socket), builds, and runs
# every test: unit, API, and integration tests against real Podman containers.
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh
hack/test-image.sh

echo "test: building"
swift build --build-tests

# A Podman API service of the tests' own, stopped when the tests end.
state=${PVDIFY_TEST_STATE:-/var/lib/pvdify-test}
mkdir -p "$state"
socket=$state/podman-test.sock
rm -f "$socket"
podman system service --time=0 "unix://$socket" >"$state/podman-service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; PVDIFY_TEST_STATE=$state hack/postgres.sh stop' EXIT
for _ in $(seq 1 100); do
    curl -fs --unix-socket "$socket" -H 'Host: podman' http://podman/v4.0.0/libpod/_ping >/dev/null 2>&1 && break
    sleep 0.1
done

export PVDIFY_PODMAN_SOCKET=$socket PVDIFY_TEST_REGISTRY=127.0.0.1:5000
# A private PostgreSQL server: the store tests run on it as well as on SQLite (a database per test).
PVDIFY_TEST_POSTGRES_URL=$(PVDIFY_TEST_STATE=$state hack/postgres.sh)
export PVDIFY_TEST_POSTGRES_URL
# Suites that run containers share one Podman, and a pvdifyd removes containers of apps it does
# not know: they run one test at a time, after everything else (which runs in parallel). The
# GitOps suites, which start git servers and wait for many child processes, run there too.
podman_suites='ContainerIntegrationTests|RouteIntegrationTests|PodmanIntegrationTests|PodmanServiceIntegrationTests|LogPersistenceTests|GitOpsFileTests|GitOpsTransportTests|GitOpsSealedSecretsTests|GitOpsRolloutTests|GitOpsWebhookTests|GitOpsPollCostTests|RuntimeOutageTests|SourcesCommandsTests|KubernetesPlayTests|GitHubPreviewEndToEndTests|FailoverDeployTests'
if [ $# -gt 0 ]; then
    swift test --skip-build "$@"
    exit
fi
echo "test: unit, API, CLI and DNS tests"
swift test --skip-build --skip "$podman_suites|KubernetesSchemaTests"
echo "test: API and controller tests again, on a PostgreSQL store (a database per test)"
PVDIFY_TEST_STORE=postgres swift test --skip-build --filter 'PvdifyAPITests|PvdifyControllersTests'
PVDIFY_TEST_STATE=$state hack/fuzz-api.sh  # API fuzz: schemathesis against the debug pvdifyd built above
# Kubernetes export: every example rendered and checked by hack/validate-kubernetes.sh (pinned schemas, strict; needs PyPI).
PVDIFY_TEST_STATE=$state swift test --skip-build --filter KubernetesSchemaTests
PVDIFY_TEST_STATE=$state hack/test-ui.sh  # the Admin UI in headless Chromium (screenshots in test-artifacts/ui)
echo "test: integration tests on real Podman, Caddy and the registry"
swift test --skip-build --no-parallel --filter "$podman_suites"
