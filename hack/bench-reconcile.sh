#!/usr/bin/env bash
# A no-op resync of the container and route reconcilers over 100, 1,000 and 5,000 converged apps
# (release build; fake container runtime and fake Caddy; a real SQLite store in a temp directory):
# list calls, mutating calls and status writes per resync, and its time (median of five).
# Targets: one list call, no mutation, no status write, under 50 ms at 1,000 apps, linear growth.
# The fake Caddy answers from memory: a real Caddy adds one GET of its config (hashed, not parsed)
# to a route resync that finds nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ReconcileBench >/dev/null
[ $# -gt 0 ] || set -- 100 1000 5000
.build/release/ReconcileBench "$@"
