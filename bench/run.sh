#!/usr/bin/env bash
# The load benchmark: Tidings against the Hummingbird "return 204" ceiling, the durable
# floors (HTTP and a group-committed append to a file or to a SQLite table, bench/floor)
# and the Flask receiver a careful team writes, driven by wrk on loopback, bounded in
# time. Prints the run's tables and adds them to $BENCH_OUT/results.md, which keeps every
# run made with that folder (`all`, then `scale`, then `lookup` into one BENCH_OUT give one file).
#
# The traffic is mixed as Twilio sends it (bench/make_requests.py --mix mixed): about 69 %
# of callbacks update a message stored earlier. Each row says the mix wrk sent; the
# inserts-only row (every callback a new message) is there to compare, never the headline.
#
#   bench/run.sh                  # throughput of every server, then latency on a schedule
#   bench/run.sh throughput       # only the throughput table
#   bench/run.sh latency          # only p50/p99 and CPU per callback at a steady 250, 1,000,
#                                 # 2,500 and 5,000 callbacks/s
#   bench/run.sh lookup [COUNT]   # GET /v1/messages/{sid} over COUNT stored messages (default
#                                 # 1,000,000), at 1,000/s and as fast as they go
#   bench/run.sh soak [SECONDS]   # RSS of tidings serve under a steady 5,000/s (default 600 s)
#   bench/run.sh scale            # 1, 2 and 4 instances sharing one PostgreSQL 1 ms (round
#                                 # trip) away in a network namespace (bench/netns.sh; root)
#   bench/run.sh alternate ROUNDS "RATES" "ENV_A" "ENV_B"
#                                 # two variants of one change, run after run (run_alternate)
#
# Settings (environment): DURATION (seconds per run, default 15), CONNECTIONS (64),
# MESSAGES (messages in the request file, default 100,000), STORED (messages already in
# each store — Tidings' SQLite and PostgreSQL ones and the Flask peer's — when a run starts,
# default 1,000,000; 0 for empty stores, which favour every receiver), BENCH_OUT (a folder
# for the results and the servers' logs; default a fresh temporary one). For scale:
# CONNECTIONS_PER_INSTANCE (16, an even number: 16, 32 and 64 in all) and NETNS_RTT_MS (1).
#
# Every request goes to 127.0.0.1 only; every wrk run is bounded by DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
. bench/netns.sh  # netns_up, netns_down, netns_cleanup, netns_cpu_seconds (for scale)

mode="${1:-all}"
duration="${DURATION:-15}"
connections="${CONNECTIONS:-64}"
messages="${MESSAGES:-100000}"
stored="${STORED:-1000000}"
out="${BENCH_OUT:-$(mktemp -d /tmp/tidings-bench.XXXXXX)}"
mkdir -p "$out"
token=bench-auth-token
public=http://bench.invalid
port=18401

# --- What a fresh machine lacks -------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
for package in libssl-dev libsqlite3-dev pkg-config; do dpkg -s "$package" >/dev/null 2>&1 || need+=("$package"); done
if [ ${#need[@]} -gt 0 ]; then
    echo "bench: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi
python3 -m pip install -q --disable-pip-version-check -r bench/peers/requirements.txt >&2

echo "bench: building release binaries (the first build takes several minutes)" >&2
swift build -c release --product tidings >&2
swift build -c release --product hummingbird-ceiling >&2
swift build -c release --product durable-floor >&2
swift build -c release --product tidings-bench-fill >&2
bin=$(swift build -c release --show-bin-path)

# The request files: $mixed (the traffic every row uses unless it says otherwise) and
# $inserts (only first callbacks).
mixed="$out/requests-mixed.tsv"
inserts="$out/requests-inserts.tsv"
for mix in mixed inserts; do
    file="$out/requests-$mix.tsv"
    if [ ! -s "$file" ]; then
        echo "bench: signing $messages messages' callbacks ($mix) with the twilio package" >&2
        python3 bench/make_requests.py --url "$public/twilio/status" --token "$token" --messages "$messages" \
            --mix "$mix" > "$file"
    fi
done
requests="$mixed"
echo "bench: $(wc -l < "$mixed") pre-signed callbacks in $mixed; results in $out" >&2

# --- Servers --------------------------------------------------------------------------
pids=()
stop_servers() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
pg_url=""
stop_postgres() { [ -z "$pg_url" ] || TIDINGS_PG_DATA="$out/postgres" .ci/stop-test-postgres.sh; }
trap 'stop_servers; stop_postgres; netns_cleanup' EXIT

# Waits until something answers on $1 (a port).
wait_for_port() {
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    echo "bench: nothing listens on port $1; see the logs in $out" >&2
    return 1
}

# Starts `tidings serve` on port $1 with further arguments; its log goes to $out.
start_tidings() {
    local server_port=$1; shift
    # shellcheck disable=SC2086 # TIDINGS_VARIANT_ENV holds assignments, split on purpose
    env ${TIDINGS_VARIANT_ENV:-} TIDINGS_AUTH_TOKEN=$token "$bin/tidings" serve --port "$server_port" --public-url "$public" \
        --log-level warning "$@" > /dev/null 2> "$out/tidings-$server_port.log" &
    pids+=($!)
    wait_for_port "$server_port"
}

# Prints the data directory of a store holding $1 messages, filled once per $out by
# bench/fill: delivered messages, SIDs SMf1…, To numbers as the request file's.
filled_store() {
    local template="$out/stored-$1"
    if [ ! -f "$template/tidings.sqlite" ]; then
        echo "bench: storing $1 messages" >&2
        rm -rf "$template"
        "$bin/tidings-bench-fill" "$template" "$1" SMf1 >&2
    fi
    echo "$template"
}

# Makes $1 a fresh data directory for `tidings serve`: a copy of the store of $stored
# messages (filled_store), or nothing — an empty store — when STORED=0. A team's store is
# never empty, and an empty one favours every receiver: small indexes, every page in the
# cache. The copy is synced before the run, as a running server's file would be: left to
# the kernel, its write-back fills the disk in the run's first seconds and the first
# checkpoint's sync waits for all of it (p99 400–700 ms at saturation).
fresh_store() {
    rm -rf "$1"
    [ "$stored" -gt 0 ] || return 0
    local template; template=$(filled_store "$stored")
    cp -r "$template" "$1"
    sync
}

# What the stores held when each run began, for the tables' titles.
starting_stores() {
    if [ "$stored" -gt 0 ]; then
        echo "stores holding $(echo "$stored" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') messages at the start"
    else
        echo "empty stores"
    fi
}

# Makes $1 a fresh database for the Flask peer, holding $stored messages as Tidings' stores do.
fresh_peer_database() {
    rm -f "$1" "$1-wal" "$1-shm"
    [ "$stored" -gt 0 ] || return 0
    local template="$out/peer-stored-$stored.sqlite"
    [ -f "$template" ] || python3 bench/peers/flask_receiver.py --fill "$template" "$stored"
    cp "$template" "$1"
    sync
}

# Starts the Hummingbird "return 204" ceiling (bench/ceiling) on $port.
start_ceiling() {
    "$bin/hummingbird-ceiling" $port > /dev/null 2>&1 & pids+=($!)
    wait_for_port $port
}

# Starts the durable floor (bench/floor) on $port, storing in a fresh file in $out: lines
# appended to floor.lines ($1 = file) or rows in floor.sqlite ($1 = SQLite).
start_floor() {
    local path="$out/floor.lines"
    [ "$1" = SQLite ] && path="$out/floor.sqlite"
    rm -f "$path"*
    "$bin/durable-floor" $port "$path" > /dev/null 2>&1 & pids+=($!)
    wait_for_port $port
}

start_postgres() {
    [ -n "$pg_url" ] && return
    # Durable like production: fsync on, synchronous_commit on.
    pg_url=$(PGPORT=54331 TIDINGS_PG_DATA="$out/postgres" TIDINGS_PG_DURABLE=1 .ci/start-test-postgres.sh)
}

# The URL of database $2 on the cluster that URL $1 (of any of its databases) reaches.
database_url() { local database="${1%%\?*}"; echo "${database%/*}/$2?sslmode=disable"; }

# Prints the name of a database holding $2 messages on the PostgreSQL cluster that URL $1
# reaches, filled once per cluster by bench/fill as filled_store's store is, under a name
# of its own until the fill has ended.
filled_database() {
    local cluster="${1%%\?*}" template="bench_stored_$2" host
    host="${cluster#*@}"
    if [ -z "$(psql -At "$cluster" -c "SELECT 1 FROM pg_database WHERE datname = '$template'")" ]; then
        echo "bench: storing $2 messages in PostgreSQL at ${host%%/*}" >&2
        psql -q "$cluster" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS ${template}_filling" \
            -c "CREATE DATABASE ${template}_filling" >/dev/null
        "$bin/tidings-bench-fill" "$(database_url "$1" "${template}_filling")" "$2" SMf1 >&2
        psql -q "$cluster" -c "ALTER DATABASE ${template}_filling RENAME TO $template" >/dev/null
    fi
    echo "$template"
}

# A fresh database on the PostgreSQL cluster that URL $1 reaches, holding $stored messages
# as the SQLite stores do (a copy, CREATE DATABASE … TEMPLATE, of filled_database's), or
# none when STORED=0; prints its URL.
fresh_database() {
    local name="bench_$(date +%s%N)" template=""
    if [ "$stored" -gt 0 ]; then
        template=$(filled_database "$1" "$stored")
    fi
    psql -q "${1%%\?*}" -c "CREATE DATABASE $name${template:+ TEMPLATE $template}" >/dev/null
    database_url "$1" "$name"
}

# --- Measuring ------------------------------------------------------------------------
# CPU seconds (user + system) of the processes $@ and all their descendants.
cpu_seconds() {
    local ticks=0 pid
    for pid in $(descendants "$@"); do
        [ -r "/proc/$pid/stat" ] || continue
        ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc
}
# Resident memory (MB) of the processes $@ and their descendants.
rss_mb() {
    local kb=0 pid
    for pid in $(descendants "$@"); do
        kb=$((kb + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
    done
    echo $((kb / 1024))
}
descendants() {
    local pid
    for pid in "$@"; do
        echo "$pid"
        descendants $(pgrep -P "$pid" || true)
    done
}

table="$out/results.md"
callback_columns=("callbacks/s" "p50 ms" "p99 ms" "non-2xx" "updates %" "CPU % (server)" "CPU ms a callback" "RSS MB")
# Starts a table in the results: `header TITLE [COLUMN...]`, the columns after the title
# holding numbers (right-aligned); the callbacks' columns (what `measure` writes) when none
# are named.
header() {
    local title=$1; shift
    local columns=("$@")
    [ ${#columns[@]} -gt 0 ] || columns=("${callback_columns[@]}")
    local names="| $title |" rule="|---|" column
    for column in "${columns[@]}"; do
        names+=" $column |"
        rule+="---:|"
    done
    printf '\n%s\n%s\n' "$names" "$rule" >> "$table"
}

# Drives the servers on $ports with two wrk processes of one thread each (one per port for
# two ports), splitting the request file, while measuring the server processes
# $server_pids; appends a row named $1.
#
# One thread per process, because wrk runs its threads' init() one after the other and
# starts each thread when its own is done, but counts the duration from the last: with a
# big request file an early thread sends for longer than the duration and inflates
# Requests/sec. Processes each count their own duration.
measure() {
    local name=$1; shift
    local file=${name//\//-}  # a row's name may hold a slash ("5,000/s"); its file may not
    local ports=("$@")
    local processes=$(( ${#ports[@]} > 2 ? ${#ports[@]} : 2 ))
    local cpu_before; cpu_before=$(cpu_seconds "${server_pids[@]}")
    local wrk_pids=() index target
    for index in $(seq 0 $((processes - 1))); do
        target=${ports[$((index % ${#ports[@]}))]}
        TIDINGS_BENCH_REQUESTS="$requests" TIDINGS_BENCH_SHARES=$processes \
            TIDINGS_BENCH_FIRST_SHARE=$index TIDINGS_BENCH_RATE="${RATE:-0}" \
            wrk -t1 -c$((connections / processes)) -d"${duration}s" --timeout 10s --latency \
            -s bench/callbacks.lua "http://127.0.0.1:$target/twilio/status" > "$out/wrk-$file-$index.txt" &
        wrk_pids+=($!)
    done
    wait "${wrk_pids[@]}"
    local cpu_after; cpu_after=$(cpu_seconds "${server_pids[@]}")
    local rss; rss=$(rss_mb "${server_pids[@]}")
    python3 bench/wrk_row.py callbacks "$name" "$duration" "$cpu_before" "$cpu_after" "$rss" "$out"/wrk-"$file"-*.txt >> "$table"
    tail -1 "$table" >&2
}

run_throughput() {
    header "throughput, $connections connections, ${duration} s each, $(starting_stores)"
    start_ceiling
    server_pids=("${pids[@]}"); measure "Hummingbird 204 ceiling" $port; stop_servers
    start_floor file
    server_pids=("${pids[@]}"); measure "durable floor: the ceiling + a group-synced append to a file" $port
    stop_servers
    start_floor SQLite
    server_pids=("${pids[@]}"); measure "durable floor: the ceiling + a row each in SQLite (WAL, full)" $port
    stop_servers

    for level in full normal; do
        fresh_store "$out/sqlite-$level"
        start_tidings $port --data-dir "$out/sqlite-$level" --sqlite-synchronous $level
        server_pids=("${pids[@]}"); measure "Tidings, SQLite synchronous=$level" $port; stop_servers
    done
    fresh_store "$out/sqlite-inserts"
    start_tidings $port --data-dir "$out/sqlite-inserts"
    server_pids=("${pids[@]}"); requests="$inserts" measure "Tidings, SQLite synchronous=full, inserts only" $port
    stop_servers

    start_postgres
    start_tidings $port --store "$(fresh_database "$pg_url")"
    server_pids=("${pids[@]}"); measure "Tidings, PostgreSQL, 1 instance" $port; stop_servers
    local database; database=$(fresh_database "$pg_url")
    start_tidings $port --store "$database"
    start_tidings $((port + 1)) --store "$database"
    server_pids=("${pids[@]}"); measure "Tidings, PostgreSQL, 2 instances" $port $((port + 1)); stop_servers

    local workers=$((2 * $(nproc) + 1))
    fresh_peer_database "$out/peer.sqlite"
    (cd bench/peers && BENCH_DB="$out/peer.sqlite" BENCH_PUBLIC_URL=$public BENCH_AUTH_TOKEN=$token \
        exec python3 -m gunicorn -w $workers -b 127.0.0.1:$port --log-level warning flask_receiver:app) \
        2> "$out/flask.log" & pids+=($!); wait_for_port $port
    server_pids=("${pids[@]}")
    measure "Flask + twilio RequestValidator + SQLite WAL (gunicorn, $workers workers)" $port; stop_servers
}

run_latency() {
    # Two wrk processes, each paced at half the rate (bench/pacing.lua): the target's
    # 5,000/s, and lower rates to show where the latency turns; the ceiling at each rate first.
    header "steady load: callbacks/s offered on a schedule, $connections connections, ${duration} s each, $(starting_stores)"
    local rate
    for rate in 250 1,000 2,500 5,000; do
        # What the HTTP stack alone costs at this rate (the ceiling), then HTTP and a sync
        # (the durable floors): what any durable receiver pays under Tidings' figures.
        start_ceiling
        server_pids=("${pids[@]}")
        RATE=$((${rate/,/} / 2)) measure "Hummingbird 204 ceiling, $rate/s offered" $port
        stop_servers
        local floor
        for floor in file SQLite; do
            start_floor $floor
            server_pids=("${pids[@]}")
            RATE=$((${rate/,/} / 2)) measure "durable floor ($floor), $rate/s offered" $port
            stop_servers
        done
        fresh_store "$out/latency-sqlite"
        start_tidings $port --data-dir "$out/latency-sqlite"
        server_pids=("${pids[@]}")
        RATE=$((${rate/,/} / 2)) measure "Tidings, SQLite synchronous=full, $rate/s offered" $port
        stop_servers
    done
    # The same 5,000/s without a sync per commit.
    fresh_store "$out/latency-sqlite"
    start_tidings $port --data-dir "$out/latency-sqlite" --sqlite-synchronous normal
    server_pids=("${pids[@]}")
    RATE=2500 measure "Tidings, SQLite synchronous=normal, 5,000/s offered" $port
    stop_servers
}

# Compares two variants of one change whose effect is smaller than the VM's drift between
# two full runs (a third of the speed, seen within an hour): the same binary, the same mixed
# traffic, a fresh store each run, alternated run after run.
#
# - A variant is environment assignments given to `serve` ($3 and $4: a switch compiled in
#   for the comparison), and/or SQL run on its store once it is up (HOOK_A, HOOK_B: to
#   compare schemas, say). Nothing else differs.
# - $2, the rates: callbacks a second offered on a schedule; 0 is as fast as it answers.
# - A then B in odd rounds, B then A in even ones: order alone moves the figures
#   (bench/REPORT.md, "The order of an alternation matters").
run_alternate() {
    local rounds=$1 rates=$2 round rate variant order offered
    local -A assignments=([A]=$3 [B]=$4) hooks=([A]="${HOOK_A:-}" [B]="${HOOK_B:-}")
    header "alternated: A = ${assignments[A]}, B = ${assignments[B]}; $connections connections, ${duration} s each, $(starting_stores)"
    for round in $(seq 1 "$rounds"); do
        for rate in $rates; do
            order="A B"; [ $((round % 2)) = 0 ] && order="B A"
            for variant in $order; do
                fresh_store "$out/alternate"
                TIDINGS_VARIANT_ENV=${assignments[$variant]} start_tidings $port --data-dir "$out/alternate"
                if [ -n "${hooks[$variant]}" ]; then
                    sqlite3 -bail "$out/alternate/tidings.sqlite" "${hooks[$variant]}"
                fi
                server_pids=("${pids[@]}")
                offered="$rate/s offered"; [ "$rate" = 0 ] && offered="as fast as it answers"
                RATE=$((rate / 2)) measure "$variant (${assignments[$variant]}), round $round, $offered" $port
                stop_servers
            done
        done
    done
}

# One wrk run of lookups.lua against $port (TIDINGS_BENCH_RATE per thread, 0 for as fast as
# it goes); appends a row named $1.
measure_lookups() {
    local name=$1 rate=$2 count=$3
    local file=${name//\//-}
    TIDINGS_BENCH_MESSAGES=$count TIDINGS_BENCH_PREFIX=SMf1 TIDINGS_BENCH_RATE=$rate \
        wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/lookups.lua "http://127.0.0.1:$port" \
        > "$out/wrk-$file.txt"
    python3 bench/wrk_row.py requests "$name" "$(rss_mb "${server_pids[@]}")" "$out/wrk-$file.txt" >> "$table"
    tail -1 "$table" >&2
}

run_lookup() {
    local count="${1:-1000000}"
    local data; data=$(filled_store "$count")
    header "GET /v1/messages/{sid}, random SIDs among $count stored, ${duration} s" \
        "requests/s" "p50 ms" "p99 ms" "non-2xx" "RSS MB"
    start_tidings $port --data-dir "$data"
    server_pids=("${pids[@]}")
    measure_lookups "lookups, 1,000/s offered" 500 "$count"
    measure_lookups "lookups, as fast as they go" 0 "$count"
    stop_servers
}

run_soak() {
    local seconds="${1:-600}"
    fresh_store "$out/soak"
    start_tidings $port --data-dir "$out/soak"
    local pid=${pids[0]}
    # Enough distinct messages for the whole soak (about 3.2 callbacks each), read as wrk goes.
    local soak_requests="$out/soak-requests.tsv"
    if [ ! -s "$soak_requests" ]; then
        echo "bench: signing $((seconds * 5000 / 3)) messages' callbacks for the soak" >&2
        python3 bench/make_requests.py --url "$public/twilio/status" --token "$token" \
            --messages $((seconds * 5000 / 3)) --prefix SMso > "$soak_requests"
    fi
    echo "seconds,rss_mb" > "$out/soak-rss.csv"
    TIDINGS_BENCH_REQUESTS="$soak_requests" TIDINGS_BENCH_STREAM=1 TIDINGS_BENCH_SHARES=2 TIDINGS_BENCH_RATE=2500 \
        wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/callbacks.lua "http://127.0.0.1:$port/twilio/status" \
        > "$out/wrk-soak.txt" &
    local load=$!
    for elapsed in $(seq 0 30 "$seconds"); do
        echo "$elapsed,$(rss_mb "$pid")" >> "$out/soak-rss.csv"
        sleep 30
    done
    wait $load
    echo >> "$table"
    echo "soak: $seconds s at 5,000/s offered; RSS (MB) every 30 s: $(tail -n +2 "$out/soak-rss.csv" | cut -d, -f2 | paste -sd' ')" >> "$table"
    grep -E "Requests/sec|99%" "$out/wrk-soak.txt" | sed 's/^/    /' >> "$table"
    stop_servers
}

# CPU ticks the whole machine spent busy so far (every process, the kernel's work too).
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# Writes "nanoseconds busy-ticks" to $1 every 0.25 s until killed, or until this script
# ($$) ends, for at most DURATION + 120 seconds.
sample_machine() {
    local _
    for _ in $(seq 1 $(((duration + 120) * 4))); do
        kill -0 $$ 2>/dev/null || break
        echo "$(date +%s%N) $(machine_busy_ticks)"
        sleep 0.25
    done > "$1"
}

# Instances that scale out over one PostgreSQL one round trip away, as in a cloud zone:
# bench/netns.sh puts the cluster (fsync on) in a network namespace behind a veth that
# delays each way by half of NETNS_RTT_MS (default 1 ms round trip; tc netem, or a relay
# where the kernel has no netem: the table says which). The instances and wrk
# stay in the root namespace. 1, 2 and 4 instances, each with a fresh database holding
# $stored messages (filled once, through the delay, as fresh_database does), driven with
# the mixed traffic by CONNECTIONS_PER_INSTANCE connections an instance (the wrk processes
# split them evenly). Besides the servers' CPU, each row gives the namespace's (PostgreSQL)
# and the whole machine's, which wrk shares.
run_scale() {
    local per_instance="${CONNECTIONS_PER_INSTANCE:-16}" rtt="${NETNS_RTT_MS:-1}"
    if [ $((per_instance % 2)) -ne 0 ]; then
        echo "bench: CONNECTIONS_PER_INSTANCE must be even (one instance gets two wrk processes)" >&2
        exit 2
    fi
    NETNS_WORK=$out
    netns_up "$rtt"
    local cores; cores=$(nproc)
    local capacity=$((cores * 100)) limit=$((cores * 90))
    local db_label="PostgreSQL"
    [ "$NETNS_METHOD" = relay ] && db_label="PostgreSQL + delay relay"
    {
        echo
        echo "| scale: PostgreSQL $rtt ms away (round trip; $NETNS_METHOD), $per_instance connections an instance, ${duration} s each, $(starting_stores) | callbacks/s | p50 ms | p99 ms | non-2xx | updates % | CPU % (server) | CPU ms a callback | RSS MB | CPU % ($db_label) | CPU % (machine, of $capacity) |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    } >> "$table"
    local notes=() instances index database
    for instances in 1 2 4; do
        database=$(fresh_database "$NETNS_PG_URL")
        local ports=()
        for index in $(seq 0 $((instances - 1))); do
            start_tidings $((port + index)) --store "$database"
            ports+=($((port + index)))
        done
        server_pids=("${pids[@]}")
        local label="$instances instances"
        [ "$instances" = 1 ] && label="1 instance"
        local db_before sampler
        db_before=$(netns_cpu_seconds)
        sample_machine "$out/machine-$instances.txt" & sampler=$!
        connections=$((per_instance * instances)) measure "Tidings, PostgreSQL $rtt ms away, $label" "${ports[@]}"
        local db_after machine_after finished
        db_after=$(netns_cpu_seconds); machine_after=$(machine_busy_ticks); finished=$(date +%s%N)
        kill "$sampler"; wait "$sampler" 2>/dev/null || true
        stop_servers
        # The namespace's CPU over the run's duration, as the servers' column; the machine's
        # over the run's last DURATION - 1 seconds, when the load runs: wrk spends its first
        # moments (not counted in its duration) reading the request file.
        local db_cpu machine_cpu server_cpu
        db_cpu=$(echo "($db_after - $db_before) * 100 / $duration" | bc)
        machine_cpu=$(awk -v end="$finished" -v ticks="$machine_after" -v window="$((duration - 1))" -v hz="$(getconf CLK_TCK)" '
            $1 >= end - window * 1e9 && !found { found = 1; printf "%d", (ticks - $2) * 100 / hz / ((end - $1) / 1e9) }
            END { if (!found) print 0 }' "$out/machine-$instances.txt")
        server_cpu=$(tail -1 "$table" | awk -F'|' '{ gsub(/ /, "", $8); print $8 }')
        sed -i "\$ s/\$/ $db_cpu | $machine_cpu |/" "$table"
        if [ $((server_cpu + db_cpu)) -ge "$limit" ]; then
            notes+=("$label: CPU is the limit (servers $server_cpu % + $db_label $db_cpu %; machine $machine_cpu % of $capacity %).")
        elif [ "$machine_cpu" -ge "$limit" ]; then
            notes+=("$label: the machine's CPU is the limit ($machine_cpu % of $capacity %), though servers ($server_cpu %) and $db_label ($db_cpu %) use less: the rest is wrk or other processes on this machine.")
        else
            notes+=("$label: CPU is not the limit (servers $server_cpu % + $db_label $db_cpu %; machine $machine_cpu % of $capacity %).")
        fi
    done
    {
        echo
        echo "Round trip to PostgreSQL ($NETNS_DB_ADDR, namespace $NETNS_NAME) measured before the runs: ping ${NETNS_PING:-no answer}; psql SELECT 1, median of 20: ${NETNS_PG_RTT:-?} ms."
        if [ "$NETNS_METHOD" = relay ]; then
            echo "This kernel has no tc netem: a TCP relay in the namespace (bench/netns.sh) holds each chunk $(awk -v r="$rtt" 'BEGIN { printf "%g", r / 2 }') ms in each direction; ping does not pass through it, psql does. Its CPU is in the PostgreSQL column."
        fi
        echo "All processes (wrk, the instances, PostgreSQL) share this machine's $cores cores; a row is CPU-bound when servers + PostgreSQL, or the machine, reach $limit %."
        printf '%s\n' "${notes[@]}"
    } >> "$table"
    netns_cleanup
}

# This run's part of the table starts after what earlier runs into the same folder left.
first_line=$(( $( [ -f "$table" ] && wc -l < "$table" || echo 0) + 1 ))
{
    [ "$first_line" -eq 1 ] || echo
    echo "Tidings load benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(swift --version 2>&1 | head -1)"
    echo "load: wrk on the same machine, pre-signed callbacks (bench/make_requests.py), $public as the signed URL"
} >> "$table"

case "$mode" in
    throughput) run_throughput ;;
    latency) run_latency ;;
    lookup) run_lookup "${2:-}" ;;
    soak) run_soak "${2:-}" ;;
    all) run_throughput; run_latency ;;
    scale) run_scale ;;
    alternate)
        [ $# -eq 5 ] || { echo "usage: bench/run.sh alternate ROUNDS \"RATES\" \"ENV_A\" \"ENV_B\"" >&2; exit 2; }
        run_alternate "$2" "$3" "$4" "$5" ;;
    *) echo "usage: bench/run.sh [all|throughput|latency|lookup [COUNT]|soak [SECONDS]|scale|alternate ROUNDS RATES ENV_A ENV_B]" >&2; exit 2 ;;
esac
echo
tail -n +"$first_line" "$table"
