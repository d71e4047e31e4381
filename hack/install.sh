#!/usr/bin/env bash
# Installs and runs pvdify on this machine (Debian 12, as root, Swift already installed), then
# deploys the example app: afterwards `curl http://hello.localhost/` answers through Caddy.
#
#   PVDIFY_TLS (default internal), PVDIFY_BASE_DOMAIN (default localhost) and the other pvdifyd
#   variables of the README are passed on. Idempotent: running it again restarts pvdifyd on the
#   new build and keeps its data.
set -euo pipefail
cd "$(dirname "$0")/.."

state=/var/lib/pvdify
etc=/etc/pvdify
logs=/var/log/pvdify
mkdir -p "$state" "$etc" "$logs"
# The state holds the store and keys; pvdifyd's log holds the admin token it prints at first start.
chmod 0700 "$state" "$logs"
touch "$logs/pvdifyd.log" && chmod 0600 "$logs/pvdifyd.log"
log() { printf 'install: %s\n' "$*"; }

hack/install-deps.sh
hack/test-image.sh   # the local registry on 127.0.0.1:5000 with the example image

log "building pvdifyd and pvdify (release)"
swift build -c release --product pvdifyd
swift build -c release --product pvdify
install -m 0755 .build/release/pvdifyd .build/release/pvdify /usr/local/bin/
# The Admin UI's templates, stylesheet and script: pvdifyd looks for them beside its binary.
rm -rf /usr/local/bin/pvdify_PvdifyAPI.resources
cp -R .build/release/pvdify_PvdifyAPI.resources /usr/local/bin/

# Caddy with only its admin API on 127.0.0.1:2019; pvdifyd adds its own servers. The local CA is
# not put into the system trust store behind your back.
if ! curl -fs -o /dev/null http://127.0.0.1:2019/config/; then
    cat >"$etc/caddy.json" <<'JSON'
{"admin": {"listen": "127.0.0.1:2019"},
 "apps": {"pki": {"certificate_authorities": {"local": {"install_trust": false}}}}}
JSON
    log "starting caddy (log: $logs/caddy.log)"
    XDG_DATA_HOME=$state/caddy XDG_CONFIG_HOME=$state/caddy setsid nohup caddy run --config "$etc/caddy.json" \
        >>"$logs/caddy.log" 2>&1 </dev/null &
    for _ in $(seq 1 50); do curl -fs -o /dev/null http://127.0.0.1:2019/config/ && break; sleep 0.2; done
fi

# pvdifyd: restarted on the new binary.
if [ -f "$state/pvdifyd.pid" ] && kill -0 "$(cat "$state/pvdifyd.pid")" 2>/dev/null; then
    log "stopping the running pvdifyd"
    kill "$(cat "$state/pvdifyd.pid")"
    # Up to its 30 s graceful shutdown: the new one cannot start while the old one holds the data dir's lock.
    for _ in $(seq 1 400); do kill -0 "$(cat "$state/pvdifyd.pid")" 2>/dev/null || break; sleep 0.1; done
fi
log "starting pvdifyd (log: $logs/pvdifyd.log)"
PVDIFY_TLS=${PVDIFY_TLS:-internal} PVDIFY_DATA_DIR=$state \
    PVDIFY_INSECURE_REGISTRIES=${PVDIFY_INSECURE_REGISTRIES:-127.0.0.1:5000} \
    setsid nohup /usr/local/bin/pvdifyd >>"$logs/pvdifyd.log" 2>&1 </dev/null &
echo $! >"$state/pvdifyd.pid"
for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:9443/health && break; sleep 0.1; done
curl -fs -o /dev/null http://127.0.0.1:9443/health || { tail -20 "$logs/pvdifyd.log" >&2; exit 1; }

token=${PVDIFY_BOOTSTRAP_TOKEN:-$(cat "$state/admin-token")}
export PVDIFY_API_URL=http://127.0.0.1:9443 PVDIFY_TOKEN=$token
log "deploying examples/hello"
pvdify apply -f examples/hello/app.yaml
host=hello.${PVDIFY_BASE_DOMAIN:-localhost}
for _ in $(seq 1 120); do
    curl -fs --resolve "$host:80:127.0.0.1" "http://$host/" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fsS --resolve "$host:80:127.0.0.1" "http://$host/" || { pvdify apps:info hello >&2; exit 1; }

cat <<EOF2

pvdify is running.
  API:        http://127.0.0.1:9443   (admin token: $state/admin-token)
  Admin UI:   http://127.0.0.1:9443/ui/   (sign in with that token)
  example:    curl http://$host/
  CLI:        export PVDIFY_API_URL=http://127.0.0.1:9443 PVDIFY_TOKEN=\$(cat $state/admin-token)
              pvdify apps
EOF2
