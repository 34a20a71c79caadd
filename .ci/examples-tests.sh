#!/usr/bin/env bash
# The examples against a real `tidings serve`, on loopback only:
#
# - examples/webhook_consumer.py receives the webhook sink: it must verify every change,
#   drop the repeats a `tidings replay --sink webhook --from 1` delivers, and refuse forged
#   deliveries (a wrong key: 401; no signature headers: 400);
# - signed callbacks come from examples/send_status_callbacks.py and `tidings sign --send`;
# - every recipe of examples/jq-recipes.md runs against the log sink's real output (after a
#   `tidings replay --sink log`, so that it holds repeats too) and must pass the check written
#   before it;
# - examples/send_real_message.py --dry-run (the real send needs the user's credentials).
#
#   .ci/examples-tests.sh        # builds `tidings` if needed; about a minute after the build
#   EXAMPLES_VERBOSE=1 .ci/examples-tests.sh   # also prints each recipe's output
#
# Every step runs under `timeout`; the server and the consumer are stopped, and the
# temporary directory removed, on any exit. Needs jq, python3 (pip installs the packages).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib/serve.sh
root=$PWD

say() { echo "examples: $*"; }
fail() { printf 'examples: FAILED: %b\n' "$*" >&2; exit 1; }

command -v jq >/dev/null 2>&1 || fail "jq is missing (apt-get install jq)"
timeout 600 python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    standardwebhooks==1.3.0 twilio==9.13.0 requests

timeout 1800 swift build --product tidings
tidings="$(swift build --show-bin-path)/tidings"

work=$(mktemp -d)
server=""
consumer=""
stop() {
    local pid
    for pid in "$server" "$consumer"; do
        if [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null; then
            timeout 30 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}
cleanup() {
    local status=$?
    stop
    if [ "$status" -ne 0 ]; then
        for log in serve.log consumer.log consumer.jsonl events.jsonl; do
            [ -f "$work/$log" ] && { echo "--- $log"; tail -n 40 "$work/$log"; }
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# wait_for FILE PATTERN SECONDS PID: until FILE has a line matching PATTERN, while PID runs.
export TIDINGS_AUTH_TOKEN="examples-auth-$RANDOM$RANDOM"
TIDINGS_WEBHOOK_SECRET="whsec_$(python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')"
export TIDINGS_WEBHOOK_SECRET
# Reconciliation asks a closed loopback port, never Twilio, and only when asked.
closed_port=$(free_port)
export TIDINGS_TWILIO_API_URL="http://127.0.0.1:$closed_port" TIDINGS_RECONCILE_EVERY=0

# The consumer first (port 0: it prints the one it got), then the server that feeds it.
timeout 900 python3 examples/webhook_consumer.py --port 0 --json --seen-file "$work/seen.txt" \
    > "$work/consumer.jsonl" 2> "$work/consumer.log" &
consumer=$!
wait_for "$work/consumer.log" "listening on" 15 "$consumer" || fail "the consumer did not start"
consumer_url=$(sed -n 's/^webhook_consumer: listening on \(http[^ ]*\)$/\1/p' "$work/consumer.log")
say "the consumer listens on $consumer_url"

timeout 900 "$tidings" serve --port 0 --data-dir "$work/data" --stale-after 3s \
    --sink "webhook=$consumer_url" > "$work/events.jsonl" 2> "$work/serve.log" &
server=$!
port=$(wait_for_serve "$work/serve.log" "$server") || fail "tidings serve did not start"
base="http://127.0.0.1:$port"
callback="$base/twilio/status"
say "tidings serve listens on $base"

# Signed traffic: three whole lives (each followed by a forged callback Tidings refuses), then
# single callbacks: another 30003, a failure, a message whose reports come out of order and
# disagree, and one left in `sent` to go stale (--stale-after 3s).
sid() { printf 'SM%032d' "$1"; }
timeout 60 python3 examples/send_status_callbacks.py --url "$callback" --life delivered --sid "$(sid 1)" > /dev/null
timeout 60 python3 examples/send_status_callbacks.py --url "$callback" --life undelivered --sid "$(sid 2)" > /dev/null
timeout 60 python3 examples/send_status_callbacks.py --url "$callback" --life read --sid "$(sid 3)" > /dev/null
send() {  # send SID STATUS [NAME=VALUE…]: one callback signed by `tidings sign`
    local sid=$1 status=$2 suffix=${1: -1}
    shift 2
    local params=(--param "MessageSid=$sid" --param "MessageStatus=$status" --param "To=+1555000000$suffix" --param "From=+15017122661")
    for extra in "$@"; do params+=(--param "$extra"); done
    timeout 30 "$tidings" sign --send --url "$callback" "${params[@]}" > /dev/null
}
send "$(sid 4)" sent
send "$(sid 5)" sent
send "$(sid 5)" undelivered ErrorCode=30003
send "$(sid 6)" failed ErrorCode=30007
send "$(sid 7)" queued
send "$(sid 7)" delivered
send "$(sid 7)" sent
send "$(sid 7)" undelivered ErrorCode=30005

wait_for "$work/events.jsonl" '"stale":true' 30 "$server" || fail "no stale change in the log"
changes=$(wc -l < "$work/events.jsonl")
say "the log sink wrote $changes changes"
test "$changes" -eq 20 || fail "expected 20 changes (11 of the lives, 8 callbacks, 1 stale), not $changes"

# Every change reaches the consumer, verified, once.
accepted() { jq -r 'select(.outcome == "accepted") | .id' "$work/consumer.jsonl" | sort; }
outcome_count() { jq -r --arg o "$1" 'select(.outcome == $o) | .id' "$work/consumer.jsonl" | wc -l; }
for _ in $(seq 1 300); do
    [ "$(outcome_count accepted)" -ge "$changes" ] && break
    sleep 0.1
done
diff <(accepted) <(jq -r .id "$work/events.jsonl" | sort) > /dev/null \
    || fail "the consumer did not verify exactly the changes the log shows: $(diff <(accepted) <(jq -r .id "$work/events.jsonl" | sort) | head -5)"
test "$(outcome_count rejected)" -eq 0 || fail "the consumer refused a delivery of Tidings"
say "the consumer verified all $changes changes"

# Deliver everything again: every one is a repeat, dropped, and nothing is handled twice.
timeout 30 "$tidings" replay --sink webhook --from 1 --server "$base"
for _ in $(seq 1 300); do
    [ "$(outcome_count duplicate)" -ge "$changes" ] && break
    sleep 0.1
done
test "$(outcome_count duplicate)" -eq "$changes" || fail "expected $changes repeats dropped, saw $(outcome_count duplicate)"
test "$(outcome_count accepted)" -eq "$changes" || fail "a repeat was handled again"
test "$(wc -l < "$work/seen.txt")" -eq "$changes" || fail "--seen-file does not hold each id once"
say "the consumer dropped all $changes repeats of the replay"

# Forged deliveries, posted directly: signed with another key (401), unsigned (400), a
# genuine signature over a changed body (401). None may be handled.
forge() {  # forge KIND: prints the consumer's answer
    timeout 30 python3 - "$consumer_url" "$1" <<'PYTHON'
import base64, json, os, secrets, sys, time
from datetime import datetime, timezone
import requests
from standardwebhooks.webhooks import Webhook
url, kind = sys.argv[1], sys.argv[2]
change = {"id": "SM00000000000000000000000000000099-1", "sid": "SM00000000000000000000000000000099",
          "status": "delivered", "channel": "sms", "applied": True, "conflict": False, "stale": False}
body = json.dumps(change)
now = datetime.now(tz=timezone.utc)
headers = {"webhook-id": change["id"], "webhook-timestamp": str(int(now.timestamp())), "Content-Type": "application/json"}
if kind == "wrong-key":
    headers["webhook-signature"] = Webhook("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()).sign(change["id"], now, body)
elif kind == "changed-body":
    headers["webhook-signature"] = Webhook(os.environ["TIDINGS_WEBHOOK_SECRET"]).sign(change["id"], now, body)
    body = body.replace("delivered", "failed")
print(requests.post(url, data=body, headers=headers, timeout=10).status_code)
PYTHON
}
test "$(forge wrong-key)" = 401 || fail "a delivery signed with another key was not refused with 401"
test "$(forge unsigned)" = 400 || fail "a delivery without signature headers was not refused with 400"
test "$(forge changed-body)" = 401 || fail "a delivery whose body was changed was not refused with 401"
test "$(outcome_count rejected)" -eq 3 || fail "expected 3 refusals in the consumer's output"
test "$(outcome_count accepted)" -eq "$changes" || fail "a forged delivery was handled"
say "the consumer refused 3 forged deliveries"

# The jq recipes, against the log sink's output with repeats: replay the log from the
# middle, so that the second half of the changes comes twice.
timeout 30 "$tidings" replay --sink log --from 11 --server "$base"
for _ in $(seq 1 300); do
    [ "$(wc -l < "$work/events.jsonl")" -ge $((changes + 10)) ] && break
    sleep 0.1
done
test "$(wc -l < "$work/events.jsonl")" -eq $((changes + 10)) || fail "the log replay did not write the 10 changes again"

recipes="$work/recipes"
mkdir -p "$recipes"
cp "$work/events.jsonl" "$recipes/events.jsonl"
timeout 30 python3 - examples/jq-recipes.md "$recipes" <<'PYTHON'
import pathlib, re, sys
text = pathlib.Path(sys.argv[1]).read_text()
out = pathlib.Path(sys.argv[2])
blocks = list(re.finditer(r"^```sh\n(.*?)^```$", text, re.S | re.M))
checks = list(re.finditer(r"^<!-- check: (.*?) -->\n```sh\n(.*?)^```$", text, re.S | re.M))
if not blocks:
    sys.exit("no ```sh recipe in " + sys.argv[1])
if len(checks) != len(blocks):
    sys.exit(f"{len(blocks) - len(checks)} recipe(s) of {sys.argv[1]} have no <!-- check: … --> comment right before them")
for number, match in enumerate(checks, 1):
    title = [line for line in text[:match.start()].splitlines() if line.startswith("## ")][-1][3:]
    (out / f"{number:02}.sh").write_text(match.group(2))
    (out / f"{number:02}.check").write_text(match.group(1))
    (out / f"{number:02}.title").write_text(title)
PYTHON
export TIDINGS_SERVER="$base" SID="$(sid 2)" MINUTES=0
count=0
for recipe in "$recipes"/*.sh; do
    number=$(basename "$recipe" .sh)
    title=$(cat "$recipes/$number.title")
    out=$(cd "$recipes" && timeout 30 bash -o pipefail "$recipe") \
        || fail "recipe $number ($title) failed:\n$(cat "$recipe")"
    [ -n "${EXAMPLES_VERBOSE:-}" ] && printf -- '--- recipe %s (%s)\n%s\n' "$number" "$title" "$out"
    check=$(cat "$recipes/$number.check")
    (cd "$recipes" && out="$out" timeout 30 bash -c "$check") \
        || fail "recipe $number ($title) printed what its check ($check) refuses:\n$out"
    count=$((count + 1))
done
say "all $count jq recipes passed their checks"

# The real send, without sending: the SDK builds the request, nothing leaves the machine.
dry=$(env -u TWILIO_ACCOUNT_SID -u TWILIO_AUTH_TOKEN timeout 60 python3 examples/send_real_message.py --dry-run \
    --to +15558675310 --from +15017122661 --status-callback "https://hooks.example.com/twilio/status")
grep -q "StatusCallback=https://hooks.example.com/twilio/status" <<<"$dry" || fail "send_real_message.py --dry-run did not show the StatusCallback:\n$dry"
grep -q "not sent" <<<"$dry" || fail "send_real_message.py --dry-run did not say it sent nothing"
say "send_real_message.py --dry-run printed the request it would send"

stop
server=""
consumer=""
grep -q "stopped; accepted $changes, duplicate $changes, rejected 3" "$work/consumer.log" \
    || fail "the consumer's summary is not accepted $changes, duplicate $changes, rejected 3: $(tail -n 1 "$work/consumer.log")"
say "passed"
