#!/usr/bin/env bash
# The on-call console in a real headless Chromium: installs what is missing, starts the
# built `tidings serve` with an API token and four sinks (among them a webhook whose
# receiver refuses everything, so that it collects dead letters, and one whose receiver is
# down), plays signed Twilio traffic into it with the official `twilio` package, runs
# Tests/Browser/test_console.py (Selenium), and stops the server. The tests write their
# screenshots to docs/images/ (TIDINGS_SCREENSHOTS elsewhere). Every step is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib/serve.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    echo "console-tests: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -qq
    timeout 900 apt-get install -y -qq "${missing[@]}"
fi
timeout 600 python3 -m pip install -q --disable-pip-version-check selenium==4.50.0 pytest==9.0.3 twilio==9.13.0

work=$(mktemp -d)
server=""
receiver=""
stop() {
    if [ -n "$server" ] && kill -INT "$server" 2>/dev/null; then
        timeout 30 tail --pid="$server" -f /dev/null || kill -KILL "$server" 2>/dev/null || true
    fi
    if [ -n "$receiver" ]; then kill "$receiver" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap stop EXIT

timeout 1800 swift build --product tidings > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; exit 1; }
tidings="$(swift build --show-bin-path)/tidings"

# The webhook sink's receiver, on loopback: 410 to everything until the tests say otherwise.
python3 Tests/Browser/webhook_receiver.py "$work/receiver.port" &
receiver=$!
for _ in $(seq 1 100); do [ -s "$work/receiver.port" ] && break; sleep 0.1; done
receiver_port=$(cat "$work/receiver.port")

# A port nothing listens on: the warehouse sink's receiver is down, so its changes wait.
closed_port=$(free_port)

auth_token="console-auth-$RANDOM$RANDOM"
api_token="console-api-$RANDOM$RANDOM"
TIDINGS_AUTH_TOKEN="$auth_token" TIDINGS_API_TOKEN="$api_token" TIDINGS_WEBHOOK_SECRET="console-webhook-secret" \
    "$tidings" serve --port 0 --data-dir "$work/data" --log-level notice \
    --sink "webhook=http://127.0.0.1:$receiver_port/hooks;name=crm;timeout=5" \
    --sink "file=$work/archive.jsonl;name=archive" \
    --sink "webhook=http://127.0.0.1:$closed_port/events;name=warehouse;only=final" \
    > "$work/events.jsonl" 2> "$work/serve.log" &
server=$!
port=$(wait_for_serve "$work/serve.log" "$server") || exit 1
url="http://127.0.0.1:$port"
echo "console-tests: tidings serve on $url"

timeout 120 python3 Tests/Browser/twilio_traffic.py seed --url "$url" --auth-token "$auth_token" --out "$work/seed.json"

status=0
TIDINGS_CONSOLE_URL="$url" TIDINGS_API_TOKEN="$api_token" TIDINGS_AUTH_TOKEN="$auth_token" \
    TIDINGS_SEED_FILE="$work/seed.json" TIDINGS_TEST_RECEIVER="http://127.0.0.1:$receiver_port" \
    timeout 600 python3 -m pytest -q -p no:cacheprovider Tests/Browser/test_console.py || status=$?
if [ "$status" -ne 0 ]; then
    echo "console-tests: the server's log (the crm sink's refusals left out):"
    grep -v "sink gave up on changes" "$work/serve.log" | tail -n 40
fi
exit "$status"
