#!/usr/bin/env bash
# Installs what pvdify needs on a fresh Debian 12 machine (Swift must already be there) and
# configures Podman for machines without systemd. Idempotent; run as root.
set -euo pipefail

PACKAGES=(podman runc catatonit caddy docker-registry busybox-static curl jq sqlite3 wrk git nginx fcgiwrap openssh-server age chromium chromium-driver openssl postgresql)
DROPIN=/etc/containers/containers.conf.d/50-pvdify-ci.conf
SMOKE_IMAGE=localhost/pvdify-smoke:latest

log() { printf 'install-deps: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: run as root" >&2
    exit 1
fi

# --- packages ---------------------------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    # Package maintainer scripts must not start services (caddy on :80, docker-registry on :5000):
    # pvdify starts its own. policy-rc.d answering 101 forbids it for invoke-rc.d/deb-systemd-invoke.
    policy_created=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        policy_created=1
    fi
    trap '[[ $policy_created == 1 ]] && rm -f /usr/sbin/policy-rc.d' EXIT
    export DEBIAN_FRONTEND=noninteractive
    # One `apt-get update` when the lists are empty or an install cannot find a package.
    if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
        log "apt-get update"
        apt-get update -qq
    fi
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
        log "install failed; apt-get update and retry"
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    [[ $policy_created == 1 ]] && rm -f /usr/sbin/policy-rc.d
    trap - EXIT
else
    log "packages already installed"
fi

# --- services the packages may have started ---------------------------------------------------
# No systemd here, but make sure no caddy with the default Caddyfile (:80) nor a packaged
# docker-registry (/etc/docker/registry/config.yml, :5000) is left running.
stop_stray() { # $1: process name, $2: pattern its command line has when it is the packaged one
    local pid cmd
    for pid in $(pgrep -x "$1" || true); do
        cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
        if [[ $cmd == *"$2"* ]]; then
            log "stopping packaged $1 (pid $pid: $cmd)"
            kill "$pid" 2>/dev/null || true
        fi
    done
}
stop_stray caddy /etc/caddy/Caddyfile
stop_stray docker-registry /etc/docker/registry/config.yml

# --- Podman configuration ---------------------------------------------------------------------
# Without these, `podman run` fails here: setrlimit RLIMIT_NOFILE is not permitted and crun does
# not support the hybrid cgroup layout.
mkdir -p "$(dirname "$DROPIN")"
want='[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"'
if [[ ! -f $DROPIN ]] || [[ "$(cat "$DROPIN")" != "$want" ]]; then
    log "writing $DROPIN"
    printf '%s\n' "$want" >"$DROPIN"
fi

# --- check: a tiny local busybox image runs -----------------------------------------------------
if ! podman image exists "$SMOKE_IMAGE"; then
    log "importing $SMOKE_IMAGE"
    root=$(mktemp -d)
    mkdir -p "$root/bin"
    cp /bin/busybox "$root/bin/busybox"
    for applet in sh echo true; do ln -s busybox "$root/bin/$applet"; done
    tar -C "$root" -cf "$root.tar" .
    podman import --quiet --change 'CMD ["/bin/sh"]' "$root.tar" "$SMOKE_IMAGE" >/dev/null
    rm -rf "$root" "$root.tar"
fi
out=$(podman run --rm "$SMOKE_IMAGE" /bin/echo pvdify-ok)
if [[ $out != pvdify-ok ]]; then
    echo "install-deps: podman run check failed: $out" >&2
    exit 1
fi
log "podman run works; done"
