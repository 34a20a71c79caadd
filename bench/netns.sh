#!/usr/bin/env bash
# PostgreSQL "RTT ms away" on this one machine, as a database on another host of a cloud
# zone: a network namespace (tidings-bench-db) holds a PostgreSQL cluster and is joined to
# the root namespace by a veth pair. Tidings instances and wrk stay in the root namespace:
# wrk reaches the instances over 127.0.0.1; the instances reach PostgreSQL at 10.231.0.2
# over the veth, and every query pays the round trip.
#
#   bench/netns.sh up [RTT_MS]   # default 1: prints PostgreSQL's URL; stays up until `down`
#   bench/netns.sh check         # the round trip measured by ping and by psql (SELECT 1)
#   bench/netns.sh down          # stops PostgreSQL, deletes the namespace and the veth, and
#                                # any leftover tidings-bench-* namespace
#
# bench/run.sh scale sources this file and calls netns_up and netns_down itself.
#
# RTT_MS is the ROUND TRIP (default 1 ms, as between two hosts of one cloud zone): each end
# of the veth delays what it sends by half of it with `tc qdisc ... netem delay`, so a
# query and its answer together wait RTT_MS. A kernel built without sch_netem
# (CONFIG_NET_SCH_NETEM, e.g. some microVM kernels) refuses netem; NETNS_DELAY=auto (the
# default) then puts a small delaying TCP relay (bench/delay-relay.c, compiled with cc) in the
# namespace instead: it listens where PostgreSQL would and holds every chunk half the round
# trip in each direction before passing it on. NETNS_DELAY=netem refuses that fallback;
# NETNS_DELAY=relay forces it. The relay only delays the TCP byte stream (ping does not see
# it) and spends some CPU of its own, which bench/run.sh counts with PostgreSQL's.
#
# Settings (environment): NETNS_WORK (a folder for the cluster, its log and the relay;
# default $BENCH_OUT or /tmp/tidings-bench-netns), NETNS_PG_PORT (54332), NETNS_DELAY
# (auto|netem|relay), NETNS_MAX_SECONDS (the relay's lifetime bound, 7200).
#
# Everything stays on this machine: private addresses 10.231.0.1 (root side, tbench-root)
# and 10.231.0.2 (tbench-db, in the namespace), no route anywhere else. Needs root.

NETNS_NAME=tidings-bench-db
NETNS_ROOT_IF=tbench-root
NETNS_DB_IF=tbench-db
NETNS_ROOT_ADDR=10.231.0.1
NETNS_DB_ADDR=10.231.0.2
NETNS_PG_PORT="${NETNS_PG_PORT:-54332}"
NETNS_WORK="${NETNS_WORK:-${BENCH_OUT:-/tmp/tidings-bench-netns}}"

# Set by netns_up: the method (netem or relay), PostgreSQL's URL (database postgres), the
# ping summary and the median psql round trip, in ms.
# shellcheck disable=SC2034  # read by bench/run.sh
NETNS_METHOD=""
# shellcheck disable=SC2034
NETNS_PG_URL=""
NETNS_PING=""
NETNS_PG_RTT=""

# shellcheck disable=SC2012  # the folders are /usr/lib/postgresql/<version>/bin
netns_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
netns_as_postgres() { runuser -u postgres -- "$@"; }

# netns_up [RTT_MS]: the namespace, the veth, the delay, then PostgreSQL (fsync on) in the
# namespace. Sets NETNS_METHOD, NETNS_PG_URL, NETNS_PING and NETNS_PG_RTT.
netns_up() {
    local rtt="${1:-1}"
    local half_ms half_us
    half_ms=$(awk -v r="$rtt" 'BEGIN { printf "%g", r / 2 }')
    half_us=$(awk -v r="$rtt" 'BEGIN { printf "%d", r * 500 }')
    NETNS_STARTED=1   # from here on, netns_cleanup (the callers' traps) tears down
    netns_down        # leftovers of an earlier run that was killed
    mkdir -p "$NETNS_WORK"

    ip netns add "$NETNS_NAME"
    ip link add "$NETNS_ROOT_IF" type veth peer name "$NETNS_DB_IF" netns "$NETNS_NAME"
    ip addr add "$NETNS_ROOT_ADDR/24" dev "$NETNS_ROOT_IF"
    ip link set "$NETNS_ROOT_IF" up
    ip netns exec "$NETNS_NAME" ip addr add "$NETNS_DB_ADDR/24" dev "$NETNS_DB_IF"
    ip netns exec "$NETNS_NAME" ip link set "$NETNS_DB_IF" up
    ip netns exec "$NETNS_NAME" ip link set lo up

    local method="${NETNS_DELAY:-auto}"
    if [ "$method" != relay ]; then
        if tc qdisc add dev "$NETNS_ROOT_IF" root netem delay "${half_ms}ms" 2> "$NETNS_WORK/netem.err"; then
            ip netns exec "$NETNS_NAME" tc qdisc add dev "$NETNS_DB_IF" root netem delay "${half_ms}ms"
            method=netem
        elif [ "$method" = netem ]; then
            echo "netns: tc netem failed: $(cat "$NETNS_WORK/netem.err")" >&2
            return 1
        else
            echo "netns: this kernel has no tc netem ($(cat "$NETNS_WORK/netem.err")); delaying with a TCP relay in the namespace instead" >&2
            method=relay
        fi
    fi
    NETNS_METHOD=$method

    if ! command -v ping >/dev/null; then
        echo "netns: installing iputils-ping" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iputils-ping >&2
    fi

    # PostgreSQL, durable as in production (fsync and synchronous_commit on, the defaults).
    # With netem it listens on the veth; with the relay on the namespace's loopback, the
    # relay taking the veth address and the same port.
    local bin data listen
    bin=$(netns_pg_bin)
    [ -n "$bin" ] || { echo "netns: PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1; }
    data="$NETNS_WORK/postgres-netns"
    listen=$NETNS_DB_ADDR
    [ "$method" = relay ] && listen=127.0.0.1
    rm -rf "$data"
    mkdir -p "$data"
    chown postgres:postgres "$data"
    # The postgres user must be able to reach the folder (mktemp -d makes it 0700).
    netns_as_postgres test -x "$NETNS_WORK" || chmod a+x "$NETNS_WORK"
    netns_as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-sync >/dev/null
    ip netns exec "$NETNS_NAME" runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
        -o "-c listen_addresses=$listen -c port=$NETNS_PG_PORT -c unix_socket_directories=$data -c max_connections=400" \
        >/dev/null

    if [ "$method" = relay ]; then
        netns_build_relay
        # Bounded: `timeout` ends it after NETNS_MAX_SECONDS whatever happens to its caller.
        # Real-time priority (when allowed), because a network's delay does not wait for a
        # free core: on a busy machine the relay should not queue behind the servers.
        local realtime=()
        chrt -f 10 true 2>/dev/null && realtime=(chrt -f 10)
        ip netns exec "$NETNS_NAME" "${realtime[@]}" timeout "${NETNS_MAX_SECONDS:-7200}" "$NETNS_WORK/tidings-bench-relay" \
            "$NETNS_DB_ADDR" "$NETNS_PG_PORT" 127.0.0.1 "$NETNS_PG_PORT" "$half_us" \
            > "$NETNS_WORK/relay.log" 2>&1 &
        echo $! > "$NETNS_WORK/relay.pid"
        local ready=""
        for _ in $(seq 1 100); do
            if timeout 2 bash -c ": < /dev/tcp/$NETNS_DB_ADDR/$NETNS_PG_PORT" 2>/dev/null; then ready=1; break; fi
            sleep 0.1
        done
        [ -n "$ready" ] || { echo "netns: the relay does not listen; see $NETNS_WORK/relay.log" >&2; return 1; }
    fi

    # shellcheck disable=SC2034
    NETNS_PG_URL="postgres://postgres@$NETNS_DB_ADDR:$NETNS_PG_PORT/postgres?sslmode=disable"
    netns_check "$rtt"
}

# netns_check [RTT_MS]: measures the round trip (ping, and psql's SELECT 1 through the delay)
# and prints it; sets NETNS_PING and NETNS_PG_RTT.
netns_check() {
    local rtt="${1:-}"
    NETNS_PING=$(ping -c 5 -i 0.2 -W 2 -q "$NETNS_DB_ADDR" | awk -F' = ' '/^rtt|^round-trip/ { split($2, v, "/"); printf "min %s, avg %s, max %s ms", v[1], v[2], v[3] }')
    NETNS_PG_RTT=$(netns_pg_rtt)
    echo "netns: $NETNS_DB_ADDR (PostgreSQL, namespace $NETNS_NAME)${rtt:+, ${rtt} ms round trip set}${NETNS_METHOD:+ by $NETNS_METHOD}; ping: ${NETNS_PING:-no answer}; psql SELECT 1 round trip (median of 20): ${NETNS_PG_RTT:-?} ms" >&2
}

# The median of 20 `SELECT 1` round trips from psql in the root namespace, in ms.
netns_pg_rtt() {
    local url="postgres://postgres@$NETNS_DB_ADDR:$NETNS_PG_PORT/postgres?sslmode=disable&connect_timeout=10"
    { printf '%s\n' '\timing on'; for _ in $(seq 1 20); do echo 'SELECT 1;'; done; } |
        timeout 60 psql -X -q -At "$url" 2>/dev/null |
        awk '/^Time:/ { print $2 }' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# netns_down: stops PostgreSQL and the relay, ends whatever else still runs in a
# tidings-bench-* namespace (by pid), deletes the namespaces and the veth. Idempotent.
netns_down() {
    local data="$NETNS_WORK/postgres-netns" bin pid ns pids
    bin=$(netns_pg_bin)
    if [ -n "$bin" ] && [ -f "$data/postmaster.pid" ]; then
        netns_as_postgres "$bin/pg_ctl" -D "$data" stop -m fast -t 30 >/dev/null 2>&1 || true
    fi
    if [ -f "$NETNS_WORK/relay.pid" ]; then
        pid=$(cat "$NETNS_WORK/relay.pid")
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        rm -f "$NETNS_WORK/relay.pid"
    fi
    for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^tidings-bench-/ { print $1 }'); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        if [ -n "$pids" ]; then
            echo "netns: ending what still runs in $ns: $(echo "$pids" | paste -sd' ')" >&2
            # shellcheck disable=SC2086
            kill -TERM $pids 2>/dev/null || true
            for _ in $(seq 1 50); do
                [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
                sleep 0.2
            done
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            # shellcheck disable=SC2086
            [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        fi
        ip netns del "$ns"
    done
    # Deleting the namespace deletes its end of the pair and with it this one; a leftover
    # root end (the namespace gone some other way) goes here.
    ip link del "$NETNS_ROOT_IF" 2>/dev/null || true
    return 0
}

# For the callers' EXIT traps: tears down only if netns_up ran in this shell.
netns_cleanup() { [ -z "${NETNS_STARTED:-}" ] || { netns_down; NETNS_STARTED=""; }; }

# CPU seconds (user + system) of every process in the namespace: PostgreSQL's postmaster
# and backends, and the relay if there is one. (A backend that exits takes its time along;
# Tidings keeps its pool's connections open.)
netns_cpu_seconds() {
    local ticks=0 pid
    for pid in $(ip netns pids "$NETNS_NAME" 2>/dev/null); do
        [ -r "/proc/$pid/stat" ] || continue
        ticks=$((ticks + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc
}

# Compiles the delaying relay into $NETNS_WORK (once).
netns_build_relay() {
    [ -x "$NETNS_WORK/tidings-bench-relay" ] && return
    command -v cc >/dev/null || {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >&2
    }
    cc -O2 -Wall -o "$NETNS_WORK/tidings-bench-relay" "$(dirname "${BASH_SOURCE[0]}")/delay-relay.c"
}

# Run as a command rather than sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
        up)
            # Tear down again if bringing it up fails half-way; on success it stays up.
            trap '[ $? -eq 0 ] || netns_cleanup' EXIT
            netns_up "${2:-1}"
            echo "postgres://postgres@$NETNS_DB_ADDR:$NETNS_PG_PORT/postgres?sslmode=disable"
            ;;
        check) netns_check ;;
        down) netns_down ;;
        *) echo "usage: bench/netns.sh up [RTT_MS]|check|down" >&2; exit 2 ;;
    esac
fi
