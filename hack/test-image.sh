#!/usr/bin/env bash
# Makes sure a local registry runs on 127.0.0.1:5000 and holds the test images
# 127.0.0.1:5000/pvdify-test:v1 and :v2 (busybox-based; see hack/test-image/run.sh).
# Idempotent: fast when the registry runs and already has both tags from this recipe.
# Set PVDIFY_TEST_IMAGE_REBUILD=1 to rebuild and push anyway.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${PVDIFY_TEST_STATE:-/var/lib/pvdify-test}
REGISTRY_DIR=$STATE/registry
REGISTRY_ADDR=127.0.0.1:5000
REPO=$REGISTRY_ADDR/pvdify-test
VERSIONS=(1 2)

log() { printf 'test-image: %s\n' "$*"; }

# --- registry ---------------------------------------------------------------------------------
registry_up() { curl -fs -o /dev/null --max-time 2 "http://$REGISTRY_ADDR/v2/"; }

if ! registry_up; then
    mkdir -p "$REGISTRY_DIR/storage"
    cat >"$REGISTRY_DIR/config.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
    log "starting docker-registry on $REGISTRY_ADDR (log: $REGISTRY_DIR/registry.log)"
    setsid nohup docker-registry serve "$REGISTRY_DIR/config.yml" \
        >>"$REGISTRY_DIR/registry.log" 2>&1 </dev/null &
    echo $! >"$REGISTRY_DIR/registry.pid"
    for _ in $(seq 1 50); do
        registry_up && break
        sleep 0.2
    done
    if ! registry_up; then
        echo "test-image: the registry did not come up; last log lines:" >&2
        tail -20 "$REGISTRY_DIR/registry.log" >&2
        exit 1
    fi
fi

# --- images -----------------------------------------------------------------------------------
recipe=$(cat "${BASH_SOURCE[0]}" "$HERE/test-image/run.sh" /bin/busybox | sha256sum | cut -c1-16)
tags=$(curl -fs --max-time 5 "http://$REGISTRY_ADDR/v2/pvdify-test/tags/list" || true)
[[ -n $tags ]] || tags='{}'
have_all=1
for v in "${VERSIONS[@]}"; do
    jq -e --arg t "v$v" '.tags // [] | index($t) != null' <<<"$tags" >/dev/null 2>&1 || have_all=0
done
if [[ $have_all == 1 && ${PVDIFY_TEST_IMAGE_REBUILD:-0} != 1 ]] &&
    [[ -f $STATE/recipe && "$(cat "$STATE/recipe")" == "$recipe" ]]; then
    log "$REPO:v1 and :v2 are in the registry"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for v in "${VERSIONS[@]}"; do
    root=$work/root-v$v
    mkdir -p "$root/bin" "$root/app" "$root/tmp" "$root/etc"
    chmod 1777 "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    for applet in sh cat echo httpd kill ls mkdir printf ps sleep wget env; do
        ln -s busybox "$root/bin/$applet"
    done
    echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
    echo "root:x:0:" >"$root/etc/group"
    install -m 0755 "$HERE/test-image/run.sh" "$root/app/run.sh"
    echo "$v" >"$root/app/VERSION"
    tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$work/v$v.tar" .
    podman import --quiet \
        --change 'CMD ["/app/run.sh"]' \
        --change 'WORKDIR /app' \
        --change 'EXPOSE 3000' \
        --change "LABEL org.opencontainers.image.version=$v" \
        --change "LABEL pvdify.test.recipe=$recipe" \
        "$work/v$v.tar" "$REPO:v$v" >/dev/null
    log "pushing $REPO:v$v"
    podman push --quiet --tls-verify=false "$REPO:v$v"
done
echo "$recipe" >"$STATE/recipe"
log "$REPO:v1 and :v2 pushed"
