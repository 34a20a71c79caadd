#!/usr/bin/env bash
# Starts PgBouncer in front of the test PostgreSQL (.ci/start-test-postgres.sh) and prints
# its URL, for the tests of Tidings behind a connection pooler:
#
#   export TIDINGS_TEST_PGBOUNCER_SESSION_URL=$(.ci/start-test-pgbouncer.sh session)
#   export TIDINGS_TEST_PGBOUNCER_TRANSACTION_URL=$(.ci/start-test-pgbouncer.sh transaction)
#
# Every database of that server is reachable through it under its own name (trust, as the
# server). In transaction mode it keeps one server connection a database, so that every
# client shares it. PgBouncer refuses to run as root, so it runs as the `postgres` user.
# Ports: PGPORT + 1 (session) and + 2 (transaction); PGPORT defaults to 54329. Stop them
# with .ci/stop-test-pgbouncer.sh.
set -euo pipefail

mode="${1:?usage: start-test-pgbouncer.sh session|transaction}"
server_port="${PGPORT:-54329}"
case "$mode" in
    session) port=$((server_port + 1)) pool_size=100 ;;
    transaction) port=$((server_port + 2)) pool_size=1 ;;
    *) echo "start-test-pgbouncer: the mode is session or transaction, not $mode" >&2; exit 2 ;;
esac
if ! command -v pgbouncer >/dev/null; then
    echo "start-test-pgbouncer: PgBouncer is not installed (apt-get install pgbouncer)" >&2
    exit 1
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

folder="/tmp/tidings-test-pgbouncer-$mode"
if [ -f "$folder/pgbouncer.pid" ]; then
    kill "$(cat "$folder/pgbouncer.pid")" 2>/dev/null || true
fi
rm -rf "$folder"
mkdir -p "$folder"
echo '"postgres" ""' > "$folder/users.txt"
cat > "$folder/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$server_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $folder/users.txt
pool_mode = $mode
default_pool_size = $pool_size
max_client_conn = 500
logfile = $folder/pgbouncer.log
pidfile = $folder/pgbouncer.pid
INI
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$folder"
as_postgres pgbouncer --daemon "$folder/pgbouncer.ini"
for _ in $(seq 100); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
        echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
        exit 0
    fi
    sleep 0.1
done
echo "start-test-pgbouncer: PgBouncer did not answer on port $port; its log:" >&2
cat "$folder/pgbouncer.log" >&2
exit 1
