#!/usr/bin/env bash
# Failover time of two pvdifyd replicas on one PostgreSQL database (hack/postgres.sh's server, a
# new database), on 127.0.0.1 only: KILLS times (default 10), SIGKILL the leader, time until the
# other says `"leader":true` on /health, then restart the killed one as a follower. Prints each
# time and the median and maximum. Bounded: each wait gives up after 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-10}
CONFIG=${CONFIG:-debug}
swift build -c "$CONFIG" --product pvdifyd >/dev/null
bin=.build/$CONFIG/pvdifyd
server=$(hack/postgres.sh)
psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql
database=pvdify_failover_$(date +%s%N)
"$psql" "$server" -qc "CREATE DATABASE $database"
work=$(mktemp -d)
declare -A pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    "$psql" "$server" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

export PVDIFY_DATABASE_URL="${server%/*}/$database"
export PVDIFY_BOOTSTRAP_TOKEN="pvd_failover_$(date +%s%N)"
export PVDIFY_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
ports=(9641 9642)
start() { # replica index
    local port=${ports[$1]}
    "$bin" --listen 127.0.0.1:$port --data-dir "$work/data-$1" --caddy-admin off --podman-socket off \
        --rate-limit 100000000 >>"$work/replica-$1.log" 2>&1 &
    pids[$1]=$!
    for _ in $(seq 100); do curl -fs http://127.0.0.1:$port/health >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "replica $1 did not start" >&2; exit 1
}
leads() { curl -fs "http://127.0.0.1:${ports[$1]}/health" 2>/dev/null | grep -q '"leader":true'; }
now_ms() { date +%s%3N; }

start 0; start 1
times=()
for kill_number in $(seq "$KILLS"); do
    leader=
    for _ in $(seq 600); do
        for index in 0 1; do leads "$index" && leader=$index; done
        [[ -n $leader ]] && break
        sleep 0.1
    done
    [[ -n $leader ]] || { echo "no leader" >&2; exit 1; }
    other=$((1 - leader))
    kill -9 "${pids[$leader]}"; wait "${pids[$leader]}" 2>/dev/null || true
    killed=$(now_ms)
    for _ in $(seq 600); do leads "$other" && break; sleep 0.05; done
    leads "$other" || { echo "replica $other did not take over" >&2; exit 1; }
    elapsed=$(( $(now_ms) - killed ))
    times+=("$elapsed")
    printf "kill %2d: replica %d led %5d ms after replica %d was killed\n" "$kill_number" "$other" "$elapsed" "$leader"
    start "$leader"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "failover over $KILLS kills: median ${sorted[$(( ${#sorted[@]} / 2 ))]} ms, max ${sorted[-1]} ms (lease 10 s, renewed every 3 s)"
