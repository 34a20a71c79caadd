#!/usr/bin/env bash
# Stops the PgBouncers .ci/start-test-pgbouncer.sh started and removes their folders.
set -euo pipefail
for folder in /tmp/tidings-test-pgbouncer-session /tmp/tidings-test-pgbouncer-transaction; do
    if [ -f "$folder/pgbouncer.pid" ]; then
        kill "$(cat "$folder/pgbouncer.pid")" 2>/dev/null || true
    fi
    rm -rf "$folder"
done
