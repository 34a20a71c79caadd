#!/usr/bin/env bash
# Monitoring tests: the alerting rules, their unit tests and the Grafana dashboard in
# deploy/monitoring/, and a real `tidings serve`'s /metrics answer, checked with promtool
# (from Debian's `prometheus` package) and .ci/monitoring-check.py.
#
#   .ci/monitoring-tests.sh          # builds `tidings` if needed; about a minute once built
#
# 1. promtool check rules / test rules on tidings-alerts.yaml and tidings-alerts.test.yaml.
# 2. The dashboard: well-formed, importable (a ${DS_PROMETHEUS} input), and every PromQL
#    expression in it parsed by `promtool check rules` as a generated recording rule.
# 3. A real server fed signed callbacks: `promtool check metrics` on its /metrics must print
#    nothing; the metric families there are exactly TidingsMetrics.swift's; every metric name
#    and matched label value in the rules and the dashboard exists there; docs/metrics.md
#    names every family and every alert.
#
# Bounded: every step runs under `timeout`; the server is stopped and the work directory
# removed on any exit. Loopback only: reconciliation is off and would ask a closed port.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib/serve.sh

monitoring=deploy/monitoring
rules=$monitoring/tidings-alerts.yaml
tests=$monitoring/tidings-alerts.test.yaml
dashboard=$monitoring/grafana-dashboard.json
docs=docs/metrics.md

if ! command -v promtool >/dev/null 2>&1; then
    echo "monitoring: installing promtool (Debian's prometheus package)"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq
    timeout 600 apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
if ! python3 -c "import twilio, requests, yaml" 2>/dev/null; then
    timeout 600 python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
        twilio==9.13.0 requests pyyaml
fi
echo "monitoring: $(promtool --version 2>&1 | head -1)"

work=$(mktemp -d)
server=""
stop_server() {
    if [ -n "$server" ]; then
        kill -INT "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# 1. The alerting rules and their unit tests.
timeout 60 promtool check rules "$rules"
timeout 120 promtool test rules "$tests"

# 2. The dashboard, and each of its expressions as a recording rule promtool parses.
timeout 60 python3 .ci/monitoring-check.py dashboard "$dashboard" "$work/dashboard-expressions.yaml"
timeout 60 promtool check rules "$work/dashboard-expressions.yaml"

# 3. A real server, fed signed callbacks so that its counters have values.
timeout 1800 swift build --product tidings
tidings="$(swift build --show-bin-path)/tidings"
port=$(free_port)
twilio_api_port=$(free_port)   # nothing listens there
base="http://127.0.0.1:$port"
auth_token="monitoring-auth-token"

# `timeout` bounds the server's life even if this script is killed before its trap runs.
TIDINGS_AUTH_TOKEN=$auth_token TIDINGS_RECONCILE_EVERY=0 \
    TIDINGS_TWILIO_API_URL="http://127.0.0.1:$twilio_api_port" \
    timeout 600 "$tidings" serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" \
    > "$work/events.jsonl" 2> "$work/serve.log" &
server=$!
wait_for_serve "$work/serve.log" "$server" > /dev/null || exit 1
echo "monitoring: tidings serve listens on $base"

# Three message lives (11 changes, an error code, SMS and WhatsApp); the script also sends a
# forged callback after each, which must be refused.
for life in delivered undelivered read; do
    TIDINGS_AUTH_TOKEN=$auth_token timeout 60 python3 examples/send_status_callbacks.py \
        --url "$base/twilio/status" --life "$life" > /dev/null
done

# The sink gauges appear with the first reading of the sinks (every 5 s).
for _ in $(seq 1 50); do
    timeout 10 curl -sS --fail -D "$work/metrics.headers" -o "$work/metrics.txt" "$base/metrics"
    grep -q '^tidings_sink_lag_seconds{' "$work/metrics.txt" && break
    sleep 0.2
done
grep -qi '^content-type: text/plain; version=0.0.4' "$work/metrics.headers" \
    || { echo "monitoring: /metrics is not Prometheus text 0.0.4:"; cat "$work/metrics.headers"; exit 1; }
for sample in 'tidings_callbacks_total{outcome="accepted"} 11' 'tidings_callbacks_total{outcome="forged"} 3' \
    'tidings_error_codes_total{code="30003"} 1' 'tidings_sink_lag_seconds{sink="log"}'; do
    grep -qF "$sample" "$work/metrics.txt" || { echo "monitoring: /metrics lacks $sample:"; cat "$work/metrics.txt"; exit 1; }
done

status=0
lint=$(timeout 60 promtool check metrics < "$work/metrics.txt" 2>&1) || status=$?
if [ "$status" -ne 0 ] || [ -n "$lint" ]; then
    echo "monitoring: promtool check metrics on /metrics (exit $status):"
    echo "$lint"
    exit 1
fi
echo "monitoring: promtool check metrics: no problems in $(grep -c '^# TYPE' "$work/metrics.txt") metric families"

timeout 60 python3 .ci/monitoring-check.py names "$work/metrics.txt" "$rules" "$dashboard" "$docs"

stop_server
if grep -qi "fatal error\|program crashed\|runtime failure" "$work/serve.log"; then
    echo "monitoring: the server crashed:"
    tail -50 "$work/serve.log"
    exit 1
fi
echo "monitoring: passed"
