#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests on 127.0.0.1 and prints its URL.
#
#   export TIDINGS_TEST_POSTGRES_URL=$(.ci/start-test-postgres.sh)
#
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user (Debian's
# package creates it). Its data lives in a fresh temporary folder; fsync is off because
# nothing in it outlives the run. Stop it with .ci/stop-test-postgres.sh (or let the
# machine go). Set PGPORT to choose the port (default 54329), TIDINGS_PG_DATA the folder
# (default /tmp/tidings-test-postgres), and TIDINGS_PG_DURABLE=1 to keep fsync on (for
# benchmarks: bench/run.sh).
set -euo pipefail

port="${PGPORT:-54329}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    echo "start-test-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi
data="${TIDINGS_PG_DATA:-/tmp/tidings-test-postgres}"
if [ "${TIDINGS_PG_DURABLE:-0}" = 1 ]; then
    speed=""
else
    speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$data" stop -m immediate >/dev/null
fi
rm -rf "$data"
mkdir -p "$data"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-sync >/dev/null
as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data $speed -c max_connections=400" \
    >/dev/null
echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
