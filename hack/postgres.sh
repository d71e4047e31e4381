#!/usr/bin/env bash
# A private PostgreSQL server for the tests: started once (idempotent) from Debian's package, on
# 127.0.0.1 and a port of its own, with its data under the test state directory. Prints the URL of
# a test role that may create databases (each test makes its own). `hack/postgres.sh stop` stops it.
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
set -euo pipefail

state=${PVDIFY_TEST_STATE:-/var/lib/pvdify-test}
port=${PVDIFY_TEST_POSTGRES_PORT:-55432}
data=$state/postgres
role=pvdify_test
password=pvdify-test
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $bin/pg_ctl ]] || { echo "postgres: no PostgreSQL server installed (Debian package postgresql)" >&2; exit 1; }

as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ ${1:-} == stop ]]; then
    [[ -s $data/PG_VERSION ]] && as_server_user "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    exit 0
fi

mkdir -p "$state"
if [[ ! -s $data/PG_VERSION ]]; then
    rm -rf "$data"
    mkdir -p "$data"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data"
    chmod 700 "$data"
    # Local (socket) connections trust the server user, for the setup below; TCP needs a password.
    as_server_user "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >"$state/postgres-initdb.log" 2>&1
fi

started=0
if ! as_server_user "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_server_user "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=300" start >/dev/null
    started=1
fi

psql() { as_server_user "$bin/psql" -h "$data" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [[ $(psql -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'") != 1 ]]; then
    psql -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'"
fi
# A test drops its database WITH (FORCE), which must end every connection to it, an autovacuum
# worker's too; without pg_signal_backend that fails ("must be a member of the role whose process
# is being terminated") whenever autovacuum happens to be in the database.
if [[ $(psql -c "SELECT pg_has_role('$role', 'pg_signal_backend', 'MEMBER')") != t ]]; then
    psql -c "GRANT pg_signal_backend TO $role"
fi

# Databases tests made and left behind (a test run stopped halfway): no test runs yet on a server
# just started, so they all go.
if [[ $started == 1 ]]; then
    for name in $(psql -c "SELECT datname FROM pg_database WHERE datname ~ '^pvdify_test_[a-z0-9]+$'"); do
        psql -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
    done
fi

echo "postgres://$role:$password@127.0.0.1:$port/postgres"
