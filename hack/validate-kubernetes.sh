#!/usr/bin/env bash
# Validates rendered Kubernetes objects (YAML files, as `pvdify export APP --kubernetes` prints
# them) against the schemas of a pinned Kubernetes version, in strict mode: an unknown or
# misspelt field is an error. kubernetes-validate (pinned) comes from PyPI into a virtual
# environment of its own under the test state directory, as for the API fuzz. When it cannot be
# installed (PyPI unreachable) this fails, loudly: it never skips.
# Usage: hack/validate-kubernetes.sh FILE...   (KUBERNETES_VERSION=1.31.0 by default)
set -euo pipefail
VALIDATOR_VERSION=1.37.0
KUBERNETES_VERSION=${KUBERNETES_VERSION:-1.31.0}
state=${PVDIFY_TEST_STATE:-/var/lib/pvdify-test}
venv=$state/kubernetes-validate-venv

if [ $# -eq 0 ]; then
    echo "usage: hack/validate-kubernetes.sh FILE... (YAML files of Kubernetes objects)" >&2
    exit 2
fi

if [ "$("$venv/bin/kubernetes-validate" --version 2>/dev/null || true)" != "$VALIDATOR_VERSION" ]; then
    mkdir -p "$state"
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --timeout 30 --retries 2 \
        "kubernetes-validate==$VALIDATOR_VERSION"; then
        rm -rf "$venv"
        echo "validate-kubernetes: FAILED to install kubernetes-validate $VALIDATOR_VERSION from PyPI" \
            "(is PyPI reachable?); nothing was validated" >&2
        exit 1
    fi
fi

echo "validate-kubernetes: kubernetes-validate $VALIDATOR_VERSION, Kubernetes $KUBERNETES_VERSION, strict, $# file(s)"
exec "$venv/bin/kubernetes-validate" --strict --kubernetes-version "$KUBERNETES_VERSION" "$@"
