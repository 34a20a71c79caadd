#!/usr/bin/env bash
# Compares two variants of `tidings serve` by alternating them, run after run, on the same
# binary and the same mixed traffic as bench/run.sh — for a change whose effect is smaller
# than the VM's drift between two full runs (a third of the speed, seen within an hour).
#
#   bench/alternate.sh ROUNDS "RATES" "ENV_A" "ENV_B"
#   bench/alternate.sh 4 "0 250 1000" "TIDINGS_X=0" "TIDINGS_X=1"
#
# - A variant is a set of environment assignments given to `serve` (a switch compiled in
#   for the comparison), and/or SQL run on its fresh database once it has started
#   (HOOK_A, HOOK_B: to compare schemas, say). Nothing else differs.
# - RATES: callbacks a second, offered on a schedule by bench/pacing.lua; 0 is as fast as
#   the server answers (64 connections).
# - Order: A then B in odd rounds, B then A in even ones. Order alone moves the figures:
#   two identical variants run A-then-B put the second 0.5–14 % ahead at saturation (three
#   rounds) and the first ahead in p99 at 1,000/s (four rounds) every time (bench/REPORT.md).
# - Each run starts `serve` on a new data directory, offers DURATION seconds (default 10)
#   of traffic from two wrk processes on 127.0.0.1, then stops it. A line per run: the
#   rate, p50 and p99 (the worse of the two wrk processes), non-2xx answers, the server's
#   CPU, its CPU milliseconds a callback, and the machine's context switches a callback.
#
# Settings (environment): DURATION, REQUESTS (a request file of bench/make_requests.py;
# default the mixed one of the last bench/run.sh in BENCH_OUT, else signed anew),
# BENCH_OUT (default /tmp/tidings-alternate).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if [ $# -ne 4 ]; then
    sed -n '2,8p' "$0" >&2
    exit 2
fi
rounds=$1; rates=$2; env_a=$3; env_b=$4
duration="${DURATION:-10}"
out="${BENCH_OUT:-/tmp/tidings-alternate}"
port=18471
token=bench-auth-token
mkdir -p "$out"
requests="${REQUESTS:-$out/requests-mixed.tsv}"
if [ ! -s "$requests" ]; then
    echo "alternate: signing 100,000 messages' callbacks (mixed) with the twilio package" >&2
    python3 -m pip install -q --disable-pip-version-check -r bench/peers/requirements.txt >&2
    python3 bench/make_requests.py --url http://bench.invalid/twilio/status --token "$token" \
        --messages 100000 --mix mixed > "$requests"
fi
swift build -c release --product tidings >&2 || exit 1
bin=$(swift build -c release --show-bin-path)

# CPU ticks of a process and its children.
cpu_ticks() {
    local total=0 pid
    for pid in $(pgrep -P "$1") "$1"; do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
context_switches() { awk '/^ctxt/ {print $2}' /proc/stat; }

# One run of one variant at one rate; prints its line.
run() {
    local variant=$1 rate=$2 assignments hook data pid cpu_before switches_before share
    if [ "$variant" = A ]; then assignments=$env_a; hook=${HOOK_A:-}; else assignments=$env_b; hook=${HOOK_B:-}; fi
    data="$out/data"
    rm -rf "$data"
    # shellcheck disable=SC2086 # the assignments are words on purpose
    env $assignments TIDINGS_AUTH_TOKEN=$token "$bin/tidings" serve --port $port --public-url http://bench.invalid \
        --log-level warning --data-dir "$data" > /dev/null 2> "$out/serve-$variant.log" &
    pid=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
    if [ -n "$hook" ] && ! sqlite3 -bail "$data/tidings.sqlite" "$hook"; then
        echo "alternate: the SQL of variant $variant failed; stopping" >&2
        kill "$pid"; exit 1
    fi
    cpu_before=$(cpu_ticks "$pid"); switches_before=$(context_switches)
    local wrks=()
    for share in 0 1; do
        TIDINGS_BENCH_REQUESTS=$requests TIDINGS_BENCH_SHARES=2 TIDINGS_BENCH_FIRST_SHARE=$share \
            TIDINGS_BENCH_RATE=$((rate / 2)) \
            wrk -t1 -c32 -d"${duration}s" --timeout 10s --latency -s bench/callbacks.lua \
            "http://127.0.0.1:$port/twilio/status" > "$out/wrk-$share.txt" &
        wrks+=($!)
    done
    wait "${wrks[@]}"
    local cpu=$(( $(cpu_ticks "$pid") - cpu_before )) switches=$(( $(context_switches) - switches_before ))
    kill "$pid"; wait "$pid" 2>/dev/null
    python3 - "$variant" "$rate" "$cpu" "$switches" "$duration" "$assignments" "$out/wrk-0.txt" "$out/wrk-1.txt" <<'PY'
import os, re, sys
variant, rate, cpu, switches, duration, assignments = sys.argv[1:7]
def milliseconds(text, percentile):
    value, unit = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
answered, p50, p99, refused = 0.0, 0.0, 0.0, 0
for path in sys.argv[7:]:
    text = open(path).read()
    answered += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50, p99 = max(p50, milliseconds(text, 50)), max(p99, milliseconds(text, 99))
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    refused += int(match.group(1)) if match else 0
seconds = int(cpu) / os.sysconf("SC_CLK_TCK"); callbacks = answered * float(duration)
print(f"{variant} rate={rate} callbacks/s={answered:,.0f} p50={p50:.2f} p99={p99:.2f} non-2xx={refused} "
      f"cpu%={seconds / float(duration) * 100:.0f} cpu_ms/callback={seconds * 1000 / callbacks:.3f} "
      f"switches/callback={int(switches) / callbacks:.1f} [{assignments}]", flush=True)
PY
}

for round in $(seq 1 "$rounds"); do
    for rate in $rates; do
        if [ $((round % 2)) = 1 ]; then run A "$rate"; run B "$rate"; else run B "$rate"; run A "$rate"; fi
    done
done
