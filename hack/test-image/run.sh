#!/bin/sh
# The pvdify test image's entrypoint. The mode is the first argument, else $MODE, else "web":
#   web        HTTP on $PORT (default 3000): / shows VERSION and $GREETING, /health answers 200
#   unhealthy  like web, but /health answers 404
#   worker     logs "worker tick N" every second
#   crash      logs a line and exits 1 after one second
# It runs as PID 1, so it handles SIGTERM itself (otherwise `podman stop` waits the whole timeout).
VERSION=$(cat /app/VERSION)
PORT=${PORT:-3000}
MODE=${1:-${MODE:-web}}
child=

stop() {
    echo "pvdify-test: $1, stopping"
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
    exit 0
}
trap 'stop SIGTERM' TERM
trap 'stop SIGINT' INT

case $MODE in
web | unhealthy)
    mkdir -p /tmp/www
    cat >/tmp/www/index.html <<HTML
<!doctype html>
<html><body>
<h1>pvdify-test</h1>
<p>version: $VERSION</p>
<p>greeting: ${GREETING:-}</p>
<p>mode: $MODE</p>
</body></html>
HTML
    if [ "$MODE" = web ]; then echo ok >/tmp/www/health; fi
    echo "pvdify-test v$VERSION ($MODE) listening on $PORT"
    httpd -f -p "$PORT" -h /tmp/www &
    child=$!
    wait "$child"
    status=$?
    echo "pvdify-test: httpd exited with $status"
    exit "$status"
    ;;
worker)
    n=0
    while :; do
        n=$((n + 1))
        echo "worker tick $n"
        sleep 1 &
        child=$!
        wait "$child"
    done
    ;;
crash)
    echo "pvdify-test v$VERSION: crashing in 1s"
    sleep 1 &
    child=$!
    wait "$child"
    echo "pvdify-test: exit 1"
    exit 1
    ;;
*)
    echo "pvdify-test: unknown mode '$MODE' (web, unhealthy, worker, crash)" >&2
    exit 2
    ;;
esac
