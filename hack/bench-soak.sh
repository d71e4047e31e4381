#!/usr/bin/env bash
# A soak of deploys (release build, bounded): DEPLOYS (default 500) deploys of one app with two
# web instances, one after the other, through the real container reconciler, controller runner
# and on-disk log store, on a fake container runtime in memory (no Podman: the figure is pvdifyd's
# own memory, not the containers'). Prints the resident memory after 20 deploys and at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product DeploySoak >/dev/null
.build/release/DeploySoak "${DEPLOYS:-500}"
