#!/usr/bin/env bash
# Stops the cluster .ci/start-test-postgres.sh started and removes its data.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
data="${TIDINGS_PG_DATA:-/tmp/tidings-test-postgres}"
if [ -n "$bin" ] && [ -d "$data" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$data" stop -m fast >/dev/null || true
    else "$bin/pg_ctl" -D "$data" stop -m fast >/dev/null || true; fi
fi
rm -rf "$data"
