#!/usr/bin/env bash
# Contract tests: the API's OpenAPI document (Sources/TidingsServer/Resources/openapi.yaml)
# is valid OpenAPI 3.1, and a real `tidings serve` answers as it says, under schemathesis.
#
#   .ci/contract-tests.sh            # builds `tidings` if needed; a few minutes
#
# Bounded: each step runs under `timeout`, schemathesis with --max-examples per operation
# and --max-time for the whole run; the server is stopped on any exit. Only loopback is
# used: reconciliation asks a closed port on 127.0.0.1, never Twilio.
#
# Environment (all optional): CONTRACT_MAX_EXAMPLES (30), CONTRACT_MAX_TIME seconds (240),
# CONTRACT_SEED (1).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib/serve.sh

max_examples=${CONTRACT_MAX_EXAMPLES:-30}
max_time=${CONTRACT_MAX_TIME:-240}
seed=${CONTRACT_SEED:-1}
document=Sources/TidingsServer/Resources/openapi.yaml

echo "contract: installing schemathesis and openapi-spec-validator"
timeout 600 python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    schemathesis==4.32.5 openapi-spec-validator==0.9.0 twilio==9.13.0 requests

echo "contract: validating $document"
timeout 120 python3 -m openapi_spec_validator "$document"

timeout 1800 swift build --product tidings
tidings="$(swift build --show-bin-path)/tidings"

work=$(mktemp -d)
port=$(free_port)
# Nothing listens here: a reconciliation pass that asks Twilio gets "connection refused" at once.
twilio_api_port=$(free_port)
auth_token=contract-auth-token
api_token="contract-api-token-$RANDOM$RANDOM"
base="http://127.0.0.1:$port"

# `timeout` bounds the server's life even if this script is killed before its trap runs.
TIDINGS_AUTH_TOKEN=$auth_token TIDINGS_API_TOKEN=$api_token \
    TIDINGS_TWILIO_API_URL="http://127.0.0.1:$twilio_api_port" TIDINGS_RECONCILE_EVERY=0 \
    timeout 1500 "$tidings" serve --port "$port" --data-dir "$work/data" \
    > "$work/events.jsonl" 2> "$work/serve.log" &
server=$!
stop_server() {
    kill -INT "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
}
trap 'stop_server; rm -rf "$work"' EXIT
wait_for_serve "$work/serve.log" "$server" > /dev/null || exit 1
echo "contract: tidings serve listens on $base"

# Something to show: three message lives (the first one with the SID the document gives as
# its example, so that schemathesis's example phase reads a real record), an Event Streams
# delivery with an element Tidings cannot read (the quarantine), and a Conversations delivery
# receipt for the IM… the document gives as its example.
export TIDINGS_AUTH_TOKEN=$auth_token TIDINGS_API_TOKEN=$api_token
timeout 60 python3 examples/send_status_callbacks.py --url "$base/twilio/status" --life delivered \
    --sid SM00000000000000000000000000000001 > /dev/null
for life in undelivered read; do
    timeout 60 python3 examples/send_status_callbacks.py --url "$base/twilio/status" --life "$life" > /dev/null
done
timeout 60 python3 - "$base" <<'PYTHON'
import hashlib, json, os, sys
import requests
from twilio.request_validator import RequestValidator

base = sys.argv[1]
validator = RequestValidator(os.environ["TIDINGS_AUTH_TOKEN"])

events = json.dumps([
    {"id": "EZ00000000000000000000000000000001", "type": "com.twilio.messaging.message.sent",
     "source": "/2010-04-01/Accounts/AC0/Messages/SM00000000000000000000000000000002.json",
     "specversion": "1.0", "time": "2026-11-23T19:00:00.000Z",
     "data": {"messageSid": "SM00000000000000000000000000000002", "messageStatus": "SENT",
              "to": "+15558675310", "from": "+15017122661", "accountSid": "AC" + "0" * 32}},
    {"id": "EZ00000000000000000000000000000002", "type": "com.twilio.voice.call.ringing", "data": {}},
]).encode()
url = f"{base}/twilio/events?bodySHA256={hashlib.sha256(events).hexdigest()}"
answer = requests.post(url, data=events, timeout=10, headers={
    "Content-Type": "application/json", "X-Twilio-Signature": validator.compute_signature(url, {})})
assert answer.status_code == 200 and answer.json() == {"accepted": 1, "duplicates": 0, "quarantined": 1}, \
    f"Event Streams delivery: {answer.status_code} {answer.text}"

receipt = {
    "EventType": "onDeliveryUpdated", "AccountSid": "AC" + "0" * 32, "ChatServiceSid": "IS" + "0" * 32,
    "ConversationSid": "CH" + "0" * 32, "MessageSid": "IM00000000000000000000000000000001",
    "ChannelMessageSid": "SM00000000000000000000000000000003", "DeliveryReceiptSid": "DY" + "0" * 32,
    "ParticipantSid": "MB" + "0" * 32, "Status": "delivered", "DateCreated": "2026-11-23T19:00:00.000Z",
    "DateUpdated": "2026-11-23T19:00:05.000Z",
}
url = f"{base}/twilio/conversations"
answer = requests.post(url, data=receipt, timeout=10,
                       headers={"X-Twilio-Signature": validator.compute_signature(url, receipt)})
assert answer.status_code == 204, f"Conversations receipt: {answer.status_code} {answer.text}"
print("contract: fed 3 message lives, an Event Streams delivery and a Conversations receipt")
PYTHON

# Every operation of the document (.ci/schemathesis.toml: how the endless GET /v1/events is
# read). The Twilio routes take part: schemathesis cannot sign a request, so they answer 403
# (or 400/413/415 before the signature is checked, 429 once this address failed too often),
# and those answers are documented and checked like any other.
echo "contract: schemathesis, at most $max_examples examples an operation, $max_time s in all"
# One worker: with several, hypothesis's threads race in ast.parse on Python 3.11 and
# schemathesis reports "Runtime Error"s that are its own, not the server's.
status=0
timeout $((max_time + 300)) schemathesis --config-file .ci/schemathesis.toml run "$base/v1/openapi.yaml" \
    --url "$base" \
    --header "Authorization: Bearer $api_token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$max_examples" --max-time "$max_time" --seed "$seed" \
    --request-timeout 20 --workers 1 --generation-database none \
    --no-color --output-truncate false \
    || status=$?

if grep -qi "fatal error\|program crashed\|runtime failure" "$work/serve.log"; then
    echo "contract: the server crashed:"
    tail -50 "$work/serve.log"
    exit 1
fi
kill -0 "$server" 2>/dev/null || { echo "contract: the server is gone:"; tail -50 "$work/serve.log"; exit 1; }
[ "$status" -eq 0 ] || { echo "contract: schemathesis found answers the document does not describe (exit $status)"; exit "$status"; }
echo "contract: passed"
